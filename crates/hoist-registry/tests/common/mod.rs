//! Shared helpers for the interop tests: test-made OCI layouts, an in-process hoist server,
//! a Debian `docker-registry` child process, skopeo, and a tiny HTTP client.
#![allow(dead_code, unused_imports)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hoist_registry::Digest;
use hoist_registry::server::{Server, ServerConfig};

pub use hoist_testkit::{DockerRegistry, free_port, have, skip_without, skopeo, skopeo_ok};

fn write_blob(dir: &Path, bytes: &[u8]) -> Digest {
    let d = Digest::of_bytes(bytes);
    let p = dir.join("blobs/sha256").join(d.hex());
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
    d
}

/// A deterministic uncompressed layer tar holding one file.
pub fn layer_tar(name: &str, content: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(content.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, name, content).unwrap();
    b.into_inner().unwrap()
}

/// Writes a single-image OCI layout into `dir` (tag `tag`), with `layers` small layers whose
/// contents derive from `seed`. Returns the manifest digest.
pub fn make_oci_layout(dir: &Path, tag: &str, seed: &str, layers: usize) -> Digest {
    let (m, size) = add_image(dir, seed, layers, "amd64");
    write_index(dir, &[(m.clone(), size, tag, crate_manifest_type())]);
    m
}

fn crate_manifest_type() -> &'static str {
    "application/vnd.oci.image.manifest.v1+json"
}

/// Deterministic gzip of bytes.
pub fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// Adds one image's blobs to a layout dir; returns (manifest digest, manifest size).
pub fn add_image(dir: &Path, seed: &str, layers: usize, arch: &str) -> (Digest, usize) {
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut descs = Vec::new();
    let mut diff_ids = Vec::new();
    for i in 0..layers {
        let tar = layer_tar(
            &format!("file{i}.txt"),
            format!("{seed} {arch} layer {i}\n").as_bytes(),
        );
        diff_ids.push(format!("\"{}\"", Digest::of_bytes(&tar)));
        let gz = gzip(&tar);
        let d = write_blob(dir, &gz);
        descs.push(format!(
            r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{d}","size":{}}}"#,
            gz.len()
        ));
    }
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","config":{{"Labels":{{"seed":"{seed}"}}}},"rootfs":{{"type":"layers","diff_ids":[{}]}}}}"#,
        diff_ids.join(",")
    );
    let cd = write_blob(dir, config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cd}","size":{}}},"layers":[{}]}}"#,
        config.len(),
        descs.join(",")
    );
    (write_blob(dir, manifest.as_bytes()), manifest.len())
}

/// Writes `index.json` naming the given manifests.
pub fn write_index(dir: &Path, entries: &[(Digest, usize, &str, &str)]) {
    let ms: Vec<String> = entries
        .iter()
        .map(|(d, size, tag, mt)| {
            format!(
                r#"{{"mediaType":"{mt}","digest":"{d}","size":{size},"annotations":{{"org.opencontainers.image.ref.name":"{tag}"}}}}"#
            )
        })
        .collect();
    std::fs::write(
        dir.join("index.json"),
        format!(r#"{{"schemaVersion":2,"manifests":[{}]}}"#, ms.join(",")),
    )
    .unwrap();
}

/// Writes a two-platform image index into `dir` under `tag`; returns the index digest.
pub fn make_multiarch_layout(dir: &Path, tag: &str, seed: &str) -> Digest {
    let (a, asz) = add_image(dir, seed, 1, "amd64");
    let (b, bsz) = add_image(dir, seed, 2, "arm64");
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{a}","size":{asz},"platform":{{"architecture":"amd64","os":"linux"}}}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{b}","size":{bsz},"platform":{{"architecture":"arm64","os":"linux"}}}}]}}"#
    );
    let d = write_blob(dir, index.as_bytes());
    write_index(
        dir,
        &[(
            d.clone(),
            index.len(),
            tag,
            "application/vnd.oci.image.index.v1+json",
        )],
    );
    d
}

/// hoist's server running in-process on 127.0.0.1:0; stopped on drop.
pub struct HoistServer {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HoistServer {
    pub fn start(root: &Path, htpasswd: Option<PathBuf>) -> HoistServer {
        let mut cfg = ServerConfig::new(root, "127.0.0.1:0".parse().unwrap());
        cfg.htpasswd = htpasswd;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (atx, arx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = Server::bind(cfg).await.unwrap();
                atx.send(server.local_addr().unwrap()).unwrap();
                server
                    .run(async move {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = arx.recv_timeout(Duration::from_secs(10)).unwrap();
        HoistServer {
            addr,
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for HoistServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The digest `skopeo inspect --raw` bytes hash to, and `skopeo inspect`'s Digest field.
pub fn inspect_digest(image: &str, extra: &[&str]) -> String {
    let mut args = vec!["inspect", "--tls-verify=false"];
    args.extend_from_slice(extra);
    args.push(image);
    let out = skopeo_ok(&args);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["Digest"].as_str().unwrap().to_string()
}

/// The digest of `skopeo inspect --raw` output (the exact manifest bytes served).
pub fn raw_digest(image: &str) -> String {
    let out = skopeo(&["inspect", "--raw", "--tls-verify=false", image]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Digest::of_bytes(&out.stdout).to_string()
}

/// A one-shot HTTP/1.1 request; returns (status, headers lowercased, body).
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !body.is_empty() || matches!(method, "PUT" | "POST" | "PATCH") {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    if let Err(e) = s.read_to_end(&mut raw) {
        // a server may reset after answering; what arrived before is the answer
        assert!(
            e.kind() == std::io::ErrorKind::ConnectionReset && !raw.is_empty(),
            "{method} {path}: {e}"
        );
    }
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let hs: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if hs
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    (status, hs, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
    out
}

pub fn header<'a>(hs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    hs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Every file under `root` with its contents for link files (`path -> content`), sorted;
/// `_uploads` and hoist's `_hoist_tmp` are left out. Blob data files list as `data`.
pub fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd {
        let e = e.unwrap();
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if rel.contains("_uploads") || rel.contains("_hoist_tmp") {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out);
        } else if rel.ends_with("/link") {
            out.push(format!(
                "{rel} = {}",
                String::from_utf8_lossy(&std::fs::read(&p).unwrap())
            ));
        } else {
            out.push(rel);
        }
    }
}
