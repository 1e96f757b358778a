//! Deterministic parallel gzip for layer blobs.
//!
//! The uncompressed stream is cut into chunks of [`CHUNK`] bytes at fixed offsets. Each chunk
//! is deflated on its own (raw deflate, level 1, no dictionary from the previous chunk) and
//! ended with a sync flush, so it stops on a byte boundary with a non-final block; the last
//! chunk ends the stream with a final block. A chunk whose samples do not compress (already
//! compressed archives and images, which fill cluster images) is written as stored blocks
//! instead: deflating it would cost most of the build's time and make it slightly larger. The chunks' outputs, concatenated in order after
//! an empty gzip header and followed by the CRC-32 and length trailer, form one ordinary gzip
//! member. Since the cut points depend only on the input, the blob is the same for the same
//! input on any number of threads.
//!
//! Three kinds of threads run at once: the caller fills chunks (reading files straight into
//! the chunk buffer) and hashes the uncompressed data (the diff_id); workers deflate chunks and
//! compute their CRC-32; one writer takes the results in order, hashes the compressed bytes
//! (the blob digest) and writes them. Queues are bounded, so memory stays at a few chunks per
//! thread whatever the layer's size.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use flate2::{Compress, Compression, FlushCompress, Status};
use sha2::{Digest as _, Sha256};

/// Bytes of uncompressed input per independently deflated chunk. Part of the output format:
/// changing it changes every digest.
pub(crate) const CHUNK: usize = 1 << 20;

/// gzip header: magic, deflate, no flags, mtime 0, XFL 4 (fastest), OS 255 (unknown) — what
/// flate2's `GzBuilder` writes for level 1 with mtime 0 and OS 255.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255];

/// What the pipeline produced.
#[derive(Debug)]
pub(crate) struct Output {
    /// SHA-256 of the uncompressed stream.
    pub plain_sha256: Sha256,
    /// SHA-256 of the gzip blob.
    pub gzip_sha256: Sha256,
    /// Size of the gzip blob.
    pub gzip_size: u64,
    /// The file, written and flushed (not synced).
    pub file: File,
}

struct Job {
    data: Vec<u8>,
    last: bool,
    reply: SyncSender<io::Result<Deflated>>,
}

struct Deflated {
    bytes: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
    last: bool,
}

/// The caller's end: a `Write` that cuts chunks and hands them to the workers.
pub(crate) struct ChunkWriter {
    buf: Vec<u8>,
    fill: usize,
    plain: Sha256,
    jobs: SyncSender<Job>,
    order: SyncSender<Receiver<io::Result<Deflated>>>,
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "layer pipeline stopped")
}

impl ChunkWriter {
    fn dispatch(&mut self, last: bool) -> io::Result<()> {
        let mut data = std::mem::replace(&mut self.buf, vec![0u8; CHUNK]);
        data.truncate(self.fill);
        self.fill = 0;
        self.plain.update(&data);
        let (reply, result) = sync_channel(1);
        self.order.send(result).map_err(|_| gone())?;
        self.jobs
            .send(Job { data, last, reply })
            .map_err(|_| gone())
    }

    /// Copies exactly `size` bytes of `f` into the stream, reading straight into the chunk
    /// buffers. Fails when the file is shorter than `size`.
    pub(crate) fn copy_file(&mut self, f: &mut File, mut size: u64) -> io::Result<()> {
        while size > 0 {
            if self.fill == CHUNK {
                self.dispatch(false)?;
            }
            let room = (CHUNK - self.fill).min(usize::try_from(size).unwrap_or(usize::MAX));
            let n = match f.read(&mut self.buf[self.fill..self.fill + room]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "file changed size during the build",
                    ));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.fill += n;
            size -= n as u64;
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<Sha256> {
        self.dispatch(true)?;
        Ok(self.plain)
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.fill == CHUNK {
            self.dispatch(false)?;
        }
        let n = data.len().min(CHUNK - self.fill);
        self.buf[self.fill..self.fill + n].copy_from_slice(&data[..n]);
        self.fill += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Deflates one chunk: sync flush for every chunk but the last, which ends the stream.
fn deflate_chunk(c: &mut Compress, input: &[u8], last: bool) -> io::Result<Vec<u8>> {
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    // Stored blocks cost 5 bytes per 64 KiB: this is room for incompressible input in one call.
    let mut out = Vec::with_capacity(input.len() + input.len() / 64 + 256);
    loop {
        if out.len() == out.capacity() {
            out.reserve(64 << 10);
        }
        let used = usize::try_from(c.total_in()).unwrap_or(usize::MAX);
        let rest = input.get(used..).unwrap_or(&[]);
        let status = c
            .compress_vec(rest, &mut out, flush)
            .map_err(|e| io::Error::other(format!("deflate: {e}")))?;
        let consumed = c.total_in() == input.len() as u64;
        let done = match status {
            Status::StreamEnd => true,
            Status::Ok | Status::BufError => !last && consumed && out.len() < out.capacity(),
        };
        if done {
            break;
        }
    }
    c.reset();
    Ok(out)
}

/// Bytes sampled from a chunk to decide whether deflating it is worth it.
const SAMPLE: usize = 16 << 10;

/// Whether a chunk looks incompressible (already compressed data, random data): four slices
/// of [`SAMPLE`] bytes spread over it, deflated on their own, save less than 3%. Decided from
/// the chunk's bytes alone, so the choice is the same on every run.
fn incompressible(c: &mut Compress, input: &[u8]) -> io::Result<bool> {
    if input.len() < 4 * SAMPLE {
        return Ok(false);
    }
    let mut sampled = 0usize;
    let mut packed = 0usize;
    for k in 0..4 {
        let at = k * (input.len() / 4);
        let slice = &input[at..at + SAMPLE];
        sampled += slice.len();
        packed += deflate_chunk(c, slice, true)?.len();
    }
    Ok(packed * 100 >= sampled * 97)
}

/// The chunk as stored (uncompressed) deflate blocks of at most 65535 bytes; the last chunk's
/// last block is final. A chunk starts on a byte boundary and stored blocks end on one.
fn store_chunk(input: &[u8], last: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 65535 * 5 + 10);
    if input.is_empty() {
        if last {
            out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
        }
        return out;
    }
    let n = input.len().div_ceil(65535);
    for (i, block) in input.chunks(65535).enumerate() {
        out.push(u8::from(last && i + 1 == n));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// Deflates a chunk at level 1, or stores it when deflating would not pay.
fn pack_chunk(c: &mut Compress, input: &[u8], last: bool) -> io::Result<Vec<u8>> {
    if incompressible(c, input)? {
        return Ok(store_chunk(input, last));
    }
    deflate_chunk(c, input, last)
}

fn worker(jobs: &Mutex<Receiver<Job>>) {
    let mut c = Compress::new(Compression::fast(), false);
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = pack_chunk(&mut c, &job.data, job.last).map(|bytes| {
            let mut crc = crc32fast::Hasher::new();
            crc.update(&job.data);
            Deflated {
                bytes,
                crc,
                len: job.data.len() as u64,
                last: job.last,
            }
        });
        if result.is_err() {
            c = Compress::new(Compression::fast(), false);
        }
        // The writer may have stopped on an error; then nobody waits for this.
        let _ = job.reply.send(result);
    }
}

/// Takes the deflated chunks in order, hashes and writes them, then the trailer.
fn write_out(
    mut file: File,
    order: Receiver<Receiver<io::Result<Deflated>>>,
) -> io::Result<(Sha256, u64, File)> {
    let mut out = io::BufWriter::with_capacity(4 << 20, &mut file);
    let mut sha = Sha256::new();
    let mut crc = crc32fast::Hasher::new();
    let mut plain_len: u64 = 0;
    out.write_all(&HEADER)?;
    sha.update(HEADER);
    let mut size = HEADER.len() as u64;
    let mut ended = false;
    for result in order {
        let d = result.recv().map_err(|_| gone())??;
        sha.update(&d.bytes);
        out.write_all(&d.bytes)?;
        size += d.bytes.len() as u64;
        crc.combine(&d.crc);
        plain_len += d.len;
        // The final chunk is the last one sent; anything after it would be a bug.
        if ended {
            return Err(io::Error::other("data after the end of the layer"));
        }
        ended = d.last;
    }
    if !ended {
        return Err(gone());
    }
    let mut trailer = [0u8; 8];
    trailer[..4].copy_from_slice(&crc.finalize().to_le_bytes());
    // ISIZE is the length modulo 2^32.
    trailer[4..].copy_from_slice(&((plain_len & 0xffff_ffff) as u32).to_le_bytes());
    out.write_all(&trailer)?;
    sha.update(trailer);
    size += 8;
    out.flush()?;
    drop(out);
    Ok((sha, size, file))
}

/// Runs `produce` on the caller's thread with a [`ChunkWriter`] while `threads` workers deflate
/// and a writer thread writes the gzip blob into `file`.
pub(crate) fn run<F>(file: File, threads: usize, produce: F) -> io::Result<Output>
where
    F: FnOnce(&mut ChunkWriter) -> io::Result<()>,
{
    let threads = threads.max(1);
    let depth = threads * 2 + 2;
    let (job_tx, job_rx) = sync_channel::<Job>(depth);
    let (order_tx, order_rx) = sync_channel::<Receiver<io::Result<Deflated>>>(depth);
    let jobs = Arc::new(Mutex::new(job_rx));
    std::thread::scope(|s| {
        for _ in 0..threads {
            let jobs = Arc::clone(&jobs);
            s.spawn(move || worker(&jobs));
        }
        let writer = s.spawn(move || write_out(file, order_rx));
        let mut w = ChunkWriter {
            buf: vec![0u8; CHUNK],
            fill: 0,
            plain: Sha256::new(),
            jobs: job_tx,
            order: order_tx,
        };
        let produced = match produce(&mut w) {
            Ok(()) => w.finish(),
            Err(e) => {
                drop(w);
                Err(e)
            }
        };
        // The writer has been consumed or dropped: the queues close and the threads end.
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("layer writer thread failed")));
        let (plain, (gzip_sha256, gzip_size, file)) = match (produced, written) {
            (Ok(p), Ok(w)) => (p, w),
            // A stopped pipeline is the writer's doing: its error says why.
            (Err(p), Err(w)) if p.kind() == io::ErrorKind::BrokenPipe => return Err(w),
            (Err(p), _) => return Err(p),
            (Ok(_), Err(w)) => return Err(w),
        };
        Ok(Output {
            plain_sha256: plain,
            gzip_sha256,
            gzip_size,
            file,
        })
    })
}
