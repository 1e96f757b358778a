//! Where a layer's time goes, stage by stage, for one directory (`COPY . /`):
//! collect (walk + stat), tar only (read), tar + SHA-256, tar + single-thread gzip level 1 +
//! both SHA-256s (the old way), and the parallel layer writer on 1 and N threads (with fsync).
//!
//! usage: cargo run --release -p hoist-build --example layer_timing -- DIR [THREADS]
//! Not a test; prints timings. Warm the page cache first (`cat DIR/** > /dev/null`).

use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use hoist_build::glob::IgnoreRules;
use hoist_build::layers::{CopySpec, collect, default_threads, write_layer_threads, write_tar};
use sha2::{Digest, Sha256};

struct Counted<W> {
    inner: W,
    n: u64,
    sha: Option<Sha256>,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let k = self.inner.write(b)?;
        if let Some(s) = &mut self.sha {
            s.update(&b[..k]);
        }
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn report(what: &str, start: Instant, bytes: u64) {
    let s = start.elapsed().as_secs_f64();
    println!("{what:<40} {s:7.2} s  {:8.1} MB/s", bytes as f64 / s / 1e6);
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).ok_or("usage: layer_timing DIR [THREADS]")?);
    let threads = match args.get(2) {
        Some(t) => t.parse().map_err(|e| format!("THREADS: {e}"))?,
        None => default_threads(),
    };
    let out = tempfile::tempdir().map_err(|e| e.to_string())?;
    let spec = CopySpec::whole_context();
    let t = Instant::now();
    let contents = collect(dir, &spec, &IgnoreRules::default(), out.path())?;
    println!(
        "collect: {} entries in {:.2} s",
        contents.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let c = write_tar(
        &contents,
        Counted {
            inner: io::sink(),
            n: 0,
            sha: None,
        },
        0,
    )
    .map_err(|e| e.to_string())?;
    let total = c.n;
    report("tar (read only)", t, total);

    let t = Instant::now();
    write_tar(
        &contents,
        Counted {
            inner: io::sink(),
            n: 0,
            sha: Some(Sha256::new()),
        },
        0,
    )
    .map_err(|e| e.to_string())?;
    report("tar + sha256", t, total);

    let t = Instant::now();
    let gz = flate2::GzBuilder::new().mtime(0).write(
        Counted {
            inner: io::sink(),
            n: 0,
            sha: Some(Sha256::new()),
        },
        flate2::Compression::fast(),
    );
    let gz = write_tar(
        &contents,
        Counted {
            inner: gz,
            n: 0,
            sha: Some(Sha256::new()),
        },
        0,
    )
    .map_err(|e| e.to_string())?;
    gz.inner.finish().map_err(|e| e.to_string())?;
    report("tar + gzip -1 (1 thread) + 2x sha256", t, total);

    for n in [1, threads] {
        let t = Instant::now();
        let blobs = out.path().join(format!("blobs-{n}"));
        let l = write_layer_threads(&contents, &blobs, 0, n).map_err(|e| e.to_string())?;
        report(&format!("layer, {n} deflate thread(s), fsync"), t, total);
        println!("  {} size {}", l.digest, l.size);
    }
    Ok(())
}
