//! Bearer token flow against a tiny in-test HTTP server (registry + token endpoint), plus
//! reporter events. No external tools needed.

use hoist_distribution::{Error, Secret, auth};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// Serves: `GET /v2/` → 401 Bearer challenge unless `Authorization: Bearer tok-123`;
/// `GET /token?service=svc&...` → the token for basic `alice:pw`, else 401.
fn serve() -> (u16, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        l.set_nonblocking(false).unwrap();
        for _ in 0..16 {
            let Ok((mut s, _)) = l.accept() else { return };
            s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let target = line.split(' ').nth(1).unwrap_or("").to_string();
                let mut authz = String::new();
                let mut len = 0usize;
                loop {
                    let mut h = String::new();
                    r.read_line(&mut h).unwrap();
                    if h == "\r\n" || h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    if k.eq_ignore_ascii_case("authorization") {
                        authz = v.trim().to_string();
                    }
                    if k.eq_ignore_ascii_case("content-length") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                let (status, extra, body) = if target.starts_with("/token") {
                    assert!(target.contains("service=svc"), "{target}");
                    // base64("alice:pw")
                    if authz == "Basic YWxpY2U6cHc=" {
                        (
                            "200 OK",
                            String::new(),
                            r#"{"token":"tok-123"}"#.to_string(),
                        )
                    } else {
                        ("401 Unauthorized", String::new(), "{}".to_string())
                    }
                } else if authz == "Bearer tok-123" {
                    ("200 OK", String::new(), "{}".to_string())
                } else {
                    (
                        "401 Unauthorized",
                        format!("WWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"svc\"\r\n"),
                        r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.to_string(),
                    )
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                if s.write_all(resp.as_bytes()).is_err() {
                    break;
                }
            }
        }
    });
    (port, h)
}

#[test]
fn bearer_login() {
    let (port, _h) = serve();
    let host = format!("127.0.0.1:{port}");
    let tmp = tempfile::tempdir().unwrap();
    let authfile = tmp.path().join("auth.json");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt
        .block_on(auth::login(
            &host,
            "alice",
            Secret::new("nope-pw"),
            Some(&authfile),
            true,
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("nope-pw"));
    assert!(!authfile.exists());
    let written = rt
        .block_on(auth::login(
            &host,
            "alice",
            Secret::new("pw"),
            Some(&authfile),
            true,
        ))
        .unwrap();
    assert_eq!(written, authfile);
    let text = std::fs::read_to_string(&authfile).unwrap();
    assert!(text.contains("\"auth\": \"YWxpY2U6cHc=\""), "{text}");
    assert!(!text.contains("tok-123"));
}
