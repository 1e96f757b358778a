//! Parallel gzip layers: the same blob on any number of threads, one valid gzip member that
//! real gzip (the system `gzip`, when installed) and flate2 decode to exactly the layer's tar,
//! digests and sizes that match the bytes on disk. Contexts are sized to land on and around the
//! 1 MiB chunk boundaries (a tar of exactly one chunk, several chunks plus a tail, empty).

use std::io::Read;
use std::path::Path;
use std::process::Command;

use hoist_build::glob::IgnoreRules;
use hoist_build::layers::{CopySpec, Layer, collect, write_layer_threads, write_tar};
use sha2::{Digest, Sha256};

const MIB: usize = 1 << 20;

/// Incompressible bytes (xorshift64), the same on every run.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

fn spec() -> CopySpec {
    CopySpec::whole_context()
}

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Builds the layer of `ctx` on 1, 2 and 5 threads; checks everything; returns the layer.
fn check(ctx: &Path, expect_tar_len: Option<usize>) -> Layer {
    let scratch = tempfile::tempdir().unwrap();
    let contents = collect(ctx, &spec(), &IgnoreRules::default(), scratch.path()).unwrap();
    let tar = write_tar(&contents, Vec::new(), 0).unwrap();
    if let Some(n) = expect_tar_len {
        assert_eq!(tar.len(), n, "tar length");
    }
    let mut first: Option<(Layer, Vec<u8>)> = None;
    for threads in [1, 2, 5] {
        let blobs = scratch.path().join(format!("blobs-{threads}"));
        let layer = write_layer_threads(&contents, &blobs, 0, threads).unwrap();
        let blob = std::fs::read(blobs.join(layer.digest.trim_start_matches("sha256:"))).unwrap();
        assert_eq!(sha(&blob), layer.digest);
        assert_eq!(blob.len() as u64, layer.size);
        assert_eq!(sha(&tar), layer.diff_id, "diff_id is the tar's digest");
        // gzip header: no name, mtime 0, XFL 4, OS 255.
        assert_eq!(&blob[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]);
        // One member whose content is exactly the tar (MultiGzDecoder would hide extra members).
        let mut dec = flate2::read::GzDecoder::new(&blob[..]);
        let mut plain = Vec::new();
        dec.read_to_end(&mut plain).unwrap();
        assert!(
            plain == tar,
            "flate2 decodes to the tar ({threads} threads)"
        );
        assert!(
            dec.into_inner().is_empty(),
            "nothing after the first member"
        );
        match &first {
            None => first = Some((layer, blob)),
            Some((l, b)) => {
                assert_eq!(&layer, l, "{threads} threads");
                assert!(&blob == b, "blob differs on {threads} threads");
            }
        }
    }
    let (layer, blob) = first.unwrap();
    // The real gzip, when present: `-t` checks CRC and length, `-dc` must give the tar back.
    let path = scratch.path().join("layer.gz");
    std::fs::write(&path, &blob).unwrap();
    match Command::new("gzip").arg("-dc").arg(&path).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "gzip -dc: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.stdout == tar, "gzip -dc gives the tar back");
            let t = Command::new("gzip").arg("-t").arg(&path).status().unwrap();
            assert!(t.success(), "gzip -t");
        }
        Err(e) => eprintln!("skipping the gzip(1) check: {e}"),
    }
    layer
}

#[test]
fn several_chunks_and_a_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path();
    std::fs::create_dir_all(ctx.join("bin")).unwrap();
    std::fs::write(ctx.join("bin/big"), noise(3 * MIB + 12_345, 7)).unwrap();
    // Compressible data too, so chunks differ in compressed size.
    std::fs::write(ctx.join("text"), "kube-apiserver\n".repeat(200_000)).unwrap();
    for i in 0..40 {
        std::fs::write(
            ctx.join(format!("bin/s{i:02}")),
            noise(1000 + i * 777, i as u64),
        )
        .unwrap();
    }
    let l = check(ctx, None);
    assert!(l.size > 3 * MIB as u64, "random data does not shrink");
}

#[test]
fn tar_of_exactly_one_chunk() {
    // One file: 512-byte header + data + 1024-byte end = 1 MiB, so the last chunk is empty.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("f"), noise(MIB - 1536, 3)).unwrap();
    check(tmp.path(), Some(MIB));
}

#[test]
fn tar_of_exactly_two_chunks() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("f"), noise(2 * MIB - 1536, 5)).unwrap();
    check(tmp.path(), Some(2 * MIB));
}

#[test]
fn empty_context() {
    let tmp = tempfile::tempdir().unwrap();
    check(tmp.path(), Some(1024));
}

#[test]
fn chunk_boundary_between_header_and_data() {
    // Tar blocks are 512 bytes, so a 1 MiB mark falls between blocks: here right after the
    // second file's header, before its data.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a"), noise(MIB - 1024, 9)).unwrap();
    std::fs::write(tmp.path().join("b"), noise(10, 11)).unwrap();
    check(tmp.path(), None);
}

#[test]
fn a_file_that_shrinks_fails_and_leaves_no_blob() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("f"), noise(3 * MIB, 1)).unwrap();
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let contents = collect(&ctx, &spec(), &IgnoreRules::default(), &scratch).unwrap();
    std::fs::write(ctx.join("f"), noise(MIB, 1)).unwrap();
    let blobs = tmp.path().join("blobs");
    let err = write_layer_threads(&contents, &blobs, 0, 2).unwrap_err();
    assert!(
        err.to_string()
            .contains("file changed size during the build"),
        "{err}"
    );
    assert!(err.to_string().contains("/ctx/f"), "{err}");
    assert_eq!(std::fs::read_dir(&blobs).unwrap().count(), 0);
}

#[test]
fn random_data_is_stored_and_text_is_deflated() {
    let tmp = tempfile::tempdir().unwrap();
    let rnd = tmp.path().join("rnd");
    std::fs::create_dir_all(&rnd).unwrap();
    std::fs::write(rnd.join("f"), noise(2 * MIB + 4242, 13)).unwrap();
    let l = check(&rnd, None);
    // Stored blocks: 5 bytes per 65535, plus header, trailer and the tar's own blocks.
    let tar_len = (2 * MIB + 4242).div_ceil(512) * 512 + 512 + 1024;
    assert!(
        l.size <= (tar_len + tar_len / 65535 * 5 + 64) as u64,
        "{} for a {tar_len}-byte tar",
        l.size
    );
    let txt = tmp.path().join("txt");
    std::fs::create_dir_all(&txt).unwrap();
    std::fs::write(
        txt.join("f"),
        "image: docker.io/labring/x:v1\n".repeat(100_000),
    )
    .unwrap();
    let l = check(&txt, None);
    assert!(l.size < 3_000_000 / 20, "{}", l.size);
}
