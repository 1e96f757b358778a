//! Helpers that build tiny images from bytes.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use hoist_oci::{Digest, Reference, Store};

/// A tar of the given (path, contents) regular files, deterministic headers.
pub fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, *data).unwrap();
    }
    b.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub struct Built {
    pub manifest: Vec<u8>,
    pub manifest_digest: Digest,
    pub config: Vec<u8>,
    pub layers: Vec<(Vec<u8>, Digest)>,
}

/// An OCI image with one gzip layer per entry of `layers` and the given labels.
pub fn build_image(layers: &[Vec<u8>], labels: &[(&str, &str)]) -> Built {
    let mut diff_ids = Vec::new();
    let mut descs = Vec::new();
    let mut blobs = Vec::new();
    for tar in layers {
        diff_ids.push(Digest::of(tar).to_string());
        let gz = gzip(tar);
        let d = Digest::of(&gz);
        descs.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": d.to_string(), "size": gz.len()}));
        blobs.push((gz, d));
    }
    let labels: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "created": "2024-01-02T03:04:05Z",
        "architecture": hoist_oci::image::host_platform().1, "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"], "Labels": labels},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap();
    let cd = Digest::of(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cd.to_string(), "size": config.len()},
        "layers": descs,
    }))
    .unwrap();
    Built {
        manifest_digest: Digest::of(&manifest),
        manifest,
        config,
        layers: blobs,
    }
}

/// Puts a built image into the store under `name`.
pub fn store_image(store: &Store, b: &Built, name: &str) -> Reference {
    for (data, d) in &b.layers {
        store.put_blob(data.as_slice(), Some(d)).unwrap();
    }
    store
        .put_blob(b.config.as_slice(), Some(&Digest::of(&b.config)))
        .unwrap();
    let d = store
        .put_manifest(&b.manifest, hoist_oci::image::OCI_MANIFEST)
        .unwrap();
    let r = Reference::parse(name).unwrap();
    store.tag(&r, &d).unwrap();
    r
}

/// Writes a built image as an OCI layout dir with the given ref name.
pub fn write_layout(dir: &Path, b: &Built, ref_name: &str) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    for (data, d) in &b.layers {
        std::fs::write(blobs.join(d.hex()), data).unwrap();
    }
    std::fs::write(blobs.join(Digest::of(&b.config).hex()), &b.config).unwrap();
    std::fs::write(blobs.join(b.manifest_digest.hex()), &b.manifest).unwrap();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": b.manifest_digest.to_string(), "size": b.manifest.len(),
        "annotations": {"org.opencontainers.image.ref.name": ref_name}}]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}
