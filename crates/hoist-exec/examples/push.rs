//! Sync a local directory to a directory on many hosts at once (root, key login, host keys not
//! checked). Used by scripts/bench-distribute.sh.
//!
//!     push SRC DEST KEY_FILE HOST[:PORT]...

use std::time::Instant;

use hoist_exec::{Host, HostKeyCheck, SshAuth, SshOptions, SyncOptions, Target, Tree, connect_all};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: push SRC DEST KEY_FILE HOST[:PORT]...");
        std::process::exit(2);
    }
    let (src, dest, key) = (&args[0], &args[1], &args[2]);
    let t0 = Instant::now();
    let tree = match Tree::from_dir(std::path::Path::new(src), |_| false) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let auth = SshAuth {
        key_file: Some(key.into()),
        ..SshAuth::default()
    };
    let targets: Vec<(Target, SshAuth)> = args[3..]
        .iter()
        .map(|h| {
            let (host, port) = match h.rsplit_once(':') {
                Some((host, port)) => (host.to_string(), port.parse().unwrap_or(22)),
                None => (h.clone(), 22),
            };
            (Target::new(host, port), auth.clone())
        })
        .collect();
    let o = SshOptions {
        host_key: HostKeyCheck::Ignore,
        ..SshOptions::default()
    };
    let mut hosts: Vec<Host> = Vec::new();
    for r in connect_all(&targets, &o, 64).await {
        match r {
            Ok(h) => hosts.push(h),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let mut set = tokio::task::JoinSet::new();
    for h in hosts {
        let (tree, dest) = (tree.clone(), dest.clone());
        set.spawn(async move { h.sync_tree(&tree, &dest, &SyncOptions::default()).await });
    }
    let mut failed = false;
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(st)) => eprintln!("{st:?}"),
            Ok(Err(e)) => {
                eprintln!("{e}");
                failed = true;
            }
            Err(e) => {
                eprintln!("task: {e}");
                failed = true;
            }
        }
    }
    eprintln!(
        "{} entries in {:.2}s",
        tree.len(),
        t0.elapsed().as_secs_f64()
    );
    if failed {
        std::process::exit(1);
    }
}
