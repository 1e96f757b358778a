//! A TCP forwarder that adds a fixed one-way delay to every byte, in both directions, without
//! limiting bandwidth: what `tc netem delay` would do, for kernels (like this testbed's) that lack
//! netem. scripts/bench-distribute.sh puts it in front of the testbed hosts' sshd so that the
//! round trips of per-file copies cost what they cost on a real network.
//!
//!     delay-proxy DELAY_MICROS LISTEN_ADDR=TARGET_ADDR...
//!     delay-proxy --stdio DELAY_MICROS TARGET_ADDR
//!
//! The second form forwards standard input and output, for OpenSSH's `ProxyCommand`: OpenSSH
//! leaves Nagle's algorithm on for non-interactive sessions (sftp, `ssh host tar`), which with a
//! delay in the path would charge it for waits that a client setting TCP_NODELAY (as Go's ssh
//! library, used by sealos, and hoist both do) never has. Through a pipe that difference is gone.
//!
//! Each chunk read from one side is stamped with the time it arrived and written to the other side
//! no earlier than that time plus the delay; chunks keep their order, and a bounded queue gives
//! back-pressure. A round trip through the proxy costs twice the delay.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: delay-proxy DELAY_MICROS LISTEN_ADDR=TARGET_ADDR...\n       delay-proxy --stdio DELAY_MICROS TARGET_ADDR";
    if args.first().map(String::as_str) == Some("--stdio") {
        let (Some(delay), Some(target)) = (args.get(1).and_then(|d| d.parse().ok()), args.get(2))
        else {
            eprintln!("{usage}");
            std::process::exit(2);
        };
        stdio(target, Duration::from_micros(delay));
        return;
    }
    let Some(delay) = args.first().and_then(|d| d.parse::<u64>().ok()) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let delay = Duration::from_micros(delay);
    if args.len() < 2 {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    let mut listeners = Vec::new();
    for map in &args[1..] {
        let Some((listen, target)) = map.split_once('=') else {
            eprintln!("{usage}");
            std::process::exit(2);
        };
        let l = match TcpListener::bind(listen) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("delay-proxy: listen on {listen}: {e}");
                std::process::exit(1);
            }
        };
        let target = target.to_string();
        listeners.push(thread::spawn(move || serve(&l, &target, delay)));
    }
    // Ready: the caller waits for this line before connecting.
    println!("ready");
    let _ = std::io::stdout().flush();
    for l in listeners {
        let _ = l.join();
    }
}

fn serve(listener: &TcpListener, target: &str, delay: Duration) {
    for client in listener.incoming() {
        let Ok(client) = client else { continue };
        let target = target.to_string();
        thread::spawn(move || {
            let server = match TcpStream::connect(&target) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("delay-proxy: connect {target}: {e}");
                    return;
                }
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            let up = thread::spawn(move || pipe(client, server, delay, close_write));
            pipe(s2, c2, delay, close_write);
            let _ = up.join();
        });
    }
}

fn stdio(target: &str, delay: Duration) {
    let server = match TcpStream::connect(target) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("delay-proxy: connect {target}: {e}");
            std::process::exit(1);
        }
    };
    let _ = server.set_nodelay(true);
    let Ok(s2) = server.try_clone() else {
        std::process::exit(1);
    };
    let up = thread::spawn(move || {
        pipe(std::io::stdin(), s2, delay, |s| {
            let _ = s.shutdown(Shutdown::Write);
        });
    });
    pipe(server, std::io::stdout(), delay, |_| {});
    let _ = up.join();
}

/// Bytes read and when they were read.
type Chunk = (Instant, Vec<u8>);

fn close_write(s: TcpStream) {
    let _ = s.shutdown(Shutdown::Write);
}

/// Copy `from` to `to`, each chunk held back until `delay` after it was read; `done` gets `to`
/// after the end of `from` has been passed on.
fn pipe<R: Read, W: Write + Send + 'static>(mut from: R, to: W, delay: Duration, done: fn(W)) {
    let (tx, rx): (SyncSender<Chunk>, Receiver<Chunk>) = sync_channel(4096);
    let writer = thread::spawn(move || {
        let mut to = to;
        while let Ok((at, buf)) = rx.recv() {
            let due = at + delay;
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if buf.is_empty() || to.write_all(&buf).and_then(|()| to.flush()).is_err() {
                break;
            }
        }
        done(to);
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = from.read(&mut buf).unwrap_or(0);
        if tx.send((Instant::now(), buf[..n].to_vec())).is_err() || n == 0 {
            break;
        }
    }
    drop(tx);
    let _ = writer.join();
}
