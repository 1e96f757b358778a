//! hoist's server alone (no external tools): refused uploads store nothing, monolithic uploads,
//! and a large blob streamed in and out without being held in memory.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use hoist_registry::{Digest, Layout};

fn upload_location(addr: std::net::SocketAddr, repo: &str) -> String {
    let (st, hs, _) = http(
        addr,
        "POST",
        &format!("/v2/{repo}/blobs/uploads/"),
        &[],
        b"",
    );
    assert_eq!(st, 202);
    assert_eq!(header(&hs, "range"), Some("0-0"));
    header(&hs, "location").unwrap().to_string()
}

fn join_query(url: &str, q: &str) -> String {
    if url.contains('?') {
        format!("{url}&{q}")
    } else {
        format!("{url}?{q}")
    }
}

fn error_code(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    v["errors"][0]["code"].as_str().unwrap().to_string()
}

/// (e) a blob upload finished with a wrong digest is refused with DIGEST_INVALID and leaves
/// no blob, no link and no upload behind.
#[test]
fn wrong_digest_upload_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = HoistServer::start(tmp.path(), None);
    let data = b"the real bytes";
    let real = Digest::of_bytes(data);
    let claimed = Digest::of_bytes(b"claimed bytes");

    let loc = upload_location(srv.addr, "e/repo");
    let (st, hs, _) = http(srv.addr, "PATCH", &loc, &[], &data[..4]);
    assert_eq!(st, 202);
    assert_eq!(header(&hs, "range"), Some("0-3"));
    let (st, _, body) = http(
        srv.addr,
        "PUT",
        &join_query(&loc, &format!("digest={claimed}")),
        &[],
        &data[4..],
    );
    assert_eq!(st, 400);
    assert_eq!(error_code(&body), "DIGEST_INVALID");
    // refused for the content (whose real digest the detail names), not for the syntax
    assert!(String::from_utf8_lossy(&body).contains(&real.to_string()));

    // monolithic POST with a wrong digest
    let (st, _, body) = http(
        srv.addr,
        "POST",
        &format!("/v2/e/repo/blobs/uploads/?digest={claimed}"),
        &[],
        data,
    );
    assert_eq!(st, 400);
    assert_eq!(error_code(&body), "DIGEST_INVALID");

    let l = Layout::open(tmp.path()).unwrap();
    assert_eq!(l.blob_stat(&real).unwrap(), None);
    assert_eq!(l.blob_stat(&claimed).unwrap(), None);
    let t = tree(tmp.path());
    assert!(
        t.iter()
            .all(|p| !p.contains("/blobs/") && !p.contains("_layers")),
        "{t:?}"
    );
    let uploads = tmp
        .path()
        .join("docker/registry/v2/repositories/e/repo/_uploads");
    assert_eq!(
        std::fs::read_dir(&uploads).map(|r| r.count()).unwrap_or(0),
        0
    );
    let (st, _, body) = http(
        srv.addr,
        "HEAD",
        &format!("/v2/e/repo/blobs/{claimed}"),
        &[],
        b"",
    );
    assert_eq!((st, body.len()), (404, 0));

    // the same upload with the right digest, monolithic, is stored and linked
    let (st, hs, _) = http(
        srv.addr,
        "POST",
        &format!("/v2/e/repo/blobs/uploads/?digest={real}"),
        &[],
        data,
    );
    assert_eq!(st, 201);
    assert_eq!(
        header(&hs, "docker-content-digest"),
        Some(real.to_string().as_str())
    );
    assert_eq!(
        l.repo_blob_stat("e/repo", &real).unwrap(),
        Some(data.len() as u64)
    );
    // a bad digest string
    let loc = upload_location(srv.addr, "e/repo");
    let (st, _, body) = http(
        srv.addr,
        "PUT",
        &join_query(&loc, "digest=sha256:xyz"),
        &[],
        b"",
    );
    assert_eq!(st, 400);
    assert_eq!(error_code(&body), "DIGEST_INVALID");
    // names
    let (st, _, body) = http(srv.addr, "GET", "/v2/Bad/Name/tags/list", &[], b"");
    assert_eq!(st, 400);
    assert_eq!(error_code(&body), "NAME_INVALID");
}

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.split_whitespace().nth(1)?.parse().ok()
}

/// A 48 MiB blob is sent with chunked transfer encoding and read back, whole and by range,
/// while the process's peak memory grows far less than the blob's size.
#[test]
fn large_blob_is_streamed() {
    const SIZE: usize = 48 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let srv = HoistServer::start(tmp.path(), None);
    let chunk: Vec<u8> = (0..1 << 20).map(|i: usize| (i * 7 % 251) as u8).collect();
    let mut h = hoist_registry::digest::DigestWriter::new();
    for _ in 0..SIZE / chunk.len() {
        h.update(&chunk);
    }
    let (digest, _) = h.finish();
    let before = vm_hwm_kib();

    let loc = upload_location(srv.addr, "big/blob");
    let path = loc
        .split_once("/v2/")
        .map(|(_, r)| format!("/v2/{r}"))
        .unwrap();
    let mut s = TcpStream::connect(srv.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "PUT {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n",
        join_query(&path, &format!("digest={digest}"))
    )
    .unwrap();
    for _ in 0..SIZE / chunk.len() {
        write!(s, "{:x}\r\n", chunk.len()).unwrap();
        s.write_all(&chunk).unwrap();
        s.write_all(b"\r\n").unwrap();
    }
    s.write_all(b"0\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");

    // read it back, hashing as it streams in
    let mut s = TcpStream::connect(srv.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "GET /v2/big/blob/blobs/{digest} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("content-length: {SIZE}")),
        "{head}"
    );
    let mut h = hoist_registry::digest::DigestWriter::new();
    std::io::copy(&mut s, &mut h).unwrap();
    assert_eq!(h.finish(), (digest.clone(), SIZE as u64));

    let (st, hs, body) = http(
        srv.addr,
        "GET",
        &format!("/v2/big/blob/blobs/{digest}"),
        &[("Range", "bytes=1048570-1048580")],
        b"",
    );
    assert_eq!(st, 206);
    assert_eq!(
        header(&hs, "content-range"),
        Some(format!("bytes 1048570-1048580/{SIZE}").as_str())
    );
    let want: Vec<u8> = (1048570..=1048580usize)
        .map(|i| chunk[i % chunk.len()])
        .collect();
    assert_eq!(body, want);

    if let (Some(b), Some(a)) = (before, vm_hwm_kib()) {
        let grown_mib = (a.saturating_sub(b)) / 1024;
        assert!(
            grown_mib < 24,
            "peak memory grew by {grown_mib} MiB for a 48 MiB blob"
        );
    }
}

/// Beyond distribution 2.8: DELETE by tag removes just the tag; tags/list pages with `n`/`last`.
#[test]
fn delete_by_tag_and_tag_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let m = make_oci_layout(&src, "v1", "tags", 1);
    let root = tmp.path().join("root");
    let l = Layout::open(&root).unwrap();
    for t in ["a", "b", "c"] {
        l.copy_from_oci_layout(&src, "v1", "r/s", t).unwrap();
    }
    let srv = HoistServer::start(&root, None);
    let (st, hs, body) = http(srv.addr, "GET", "/v2/r/s/tags/list?n=2", &[], b"");
    assert_eq!(st, 200);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "{\"name\":\"r/s\",\"tags\":[\"a\",\"b\"]}\n"
    );
    assert_eq!(
        header(&hs, "link"),
        Some("</v2/r/s/tags/list?last=b&n=2>; rel=\"next\"")
    );
    let (_, hs, body) = http(srv.addr, "GET", "/v2/r/s/tags/list?n=2&last=b", &[], b"");
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "{\"name\":\"r/s\",\"tags\":[\"c\"]}\n"
    );
    assert_eq!(header(&hs, "link"), None);

    let (st, _, _) = http(srv.addr, "DELETE", "/v2/r/s/manifests/b", &[], b"");
    assert_eq!(st, 202);
    assert_eq!(l.tags("r/s").unwrap().unwrap(), ["a", "c"]);
    assert!(l.has_manifest("r/s", &m).unwrap());
    let (st, _, body) = http(srv.addr, "DELETE", "/v2/r/s/manifests/b", &[], b"");
    assert_eq!(st, 404);
    assert_eq!(error_code(&body), "MANIFEST_UNKNOWN");
}
