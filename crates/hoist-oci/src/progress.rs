//! Progress reporting: the library never prints; a CLI implements [`Reporter`] (e.g. with
//! progress bars) and passes it to the `*_with` functions.

use std::io::{self, Read};

/// Receives progress events. Every method has an empty default.
pub trait Reporter: Sync {
    /// Work on `id` (a digest or file name) begins; `total` bytes when known.
    fn start(&self, id: &str, total: Option<u64>) {
        let _ = (id, total);
    }
    /// `done` bytes of `id` have been processed so far.
    fn progress(&self, id: &str, done: u64) {
        let _ = (id, done);
    }
    /// Work on `id` ended (successfully or not).
    fn finish(&self, id: &str) {
        let _ = id;
    }
}

/// A [`Reporter`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Reporter for NoProgress {}

/// Reports bytes read through it.
pub struct ProgressReader<'a, R> {
    inner: R,
    id: &'a str,
    done: u64,
    reporter: &'a dyn Reporter,
}

impl<'a, R: Read> ProgressReader<'a, R> {
    /// Wraps `inner`, announcing `id` with `total` bytes.
    pub fn new(inner: R, id: &'a str, total: Option<u64>, reporter: &'a dyn Reporter) -> Self {
        reporter.start(id, total);
        Self {
            inner,
            id,
            done: 0,
            reporter,
        }
    }
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        self.reporter.progress(self.id, self.done);
        Ok(n)
    }
}

impl<R> Drop for ProgressReader<'_, R> {
    fn drop(&mut self) {
        self.reporter.finish(self.id);
    }
}
