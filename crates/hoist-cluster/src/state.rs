//! Local cluster state: `<root>/<cluster>/` holds the Clusterfile, the unpacked images, and the
//! record of which steps finished on which host with which inputs. Every write is atomic
//! (write, fsync, rename, fsync the directory); a lock keeps two runs on one cluster apart.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::file::{Clusterfile, parse};

/// One finished step on one host.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StepRecord {
    fingerprint: String,
    finished: String,
}

/// `<root>/<cluster>/`.
#[derive(Debug)]
pub struct StateDir {
    dir: PathBuf,
}

/// Held while a run works on the cluster; released on drop (and by the kernel if the process
/// dies).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Write, fsync, rename, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    let tmp = parent.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let mut f = File::create(&tmp).map_err(|e| io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| io(&tmp, e))?;
    f.sync_all().map_err(|e| io(&tmp, e))?;
    drop(f);
    fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    if let Ok(d) = File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !name.starts_with(['-', '.'])
}

impl StateDir {
    /// The state of cluster `name` under `root` (created when written).
    pub fn open(root: &Path, name: &str) -> Result<StateDir, Error> {
        if !valid_name(name) {
            return Err(Error::Invalid(format!(
                "invalid cluster name `{name}`: use lower-case letters, digits, `-` and `.`"
            )));
        }
        Ok(StateDir {
            dir: root.join(name),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/Clusterfile`.
    pub fn clusterfile_path(&self) -> PathBuf {
        self.dir.join("Clusterfile")
    }

    /// Where images are unpacked.
    pub fn mounts_dir(&self) -> PathBuf {
        self.dir.join("mounts")
    }

    fn steps_path(&self) -> PathBuf {
        self.dir.join("steps.json")
    }

    /// Takes the cluster's lock; a second run on the same cluster gets a clear error.
    pub fn lock(&self) -> Result<Lock, Error> {
        fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))?;
        let path = self.dir.join(".lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Lock { _file: file }),
            Err(rustix::io::Errno::WOULDBLOCK) => Err(Error::Invalid(format!(
                "another hoist is working on this cluster (lock {} is held); wait for it to finish",
                path.display()
            ))),
            Err(e) => Err(io(&path, e.into())),
        }
    }

    /// The saved Clusterfile, if any.
    pub fn read_clusterfile(&self) -> Result<Option<Clusterfile>, Error> {
        let path = self.clusterfile_path();
        match fs::read_to_string(&path) {
            Ok(text) => parse(&text, &path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Saves the Clusterfile atomically.
    pub fn write_clusterfile(&self, file: &Clusterfile) -> Result<(), Error> {
        write_atomic(&self.clusterfile_path(), file.to_yaml().as_bytes())
    }

    fn steps(&self) -> BTreeMap<String, BTreeMap<String, StepRecord>> {
        fs::read(self.steps_path())
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn write_steps(
        &self,
        steps: &BTreeMap<String, BTreeMap<String, StepRecord>>,
    ) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(steps).map_err(|e| Error::Invalid(e.to_string()))?;
        write_atomic(&self.steps_path(), &bytes)
    }

    /// Did `step` finish on `host` with inputs `fingerprint`?
    pub fn step_done(&self, step: &str, host: &str, fingerprint: &str) -> bool {
        self.steps()
            .get(step)
            .and_then(|m| m.get(host))
            .is_some_and(|r| r.fingerprint == fingerprint)
    }

    /// Records that `step` finished on `host` with inputs `fingerprint`.
    pub fn record_step(&self, step: &str, host: &str, fingerprint: &str) -> Result<(), Error> {
        let mut steps = self.steps();
        steps.entry(step.to_string()).or_default().insert(
            host.to_string(),
            StepRecord {
                fingerprint: fingerprint.to_string(),
                finished: crate::types::now_rfc3339(),
            },
        );
        self.write_steps(&steps)
    }

    /// Forgets every step of `host` (it left the cluster).
    pub fn forget_host(&self, host: &str) -> Result<(), Error> {
        let mut steps = self.steps();
        for m in steps.values_mut() {
            m.remove(host);
        }
        self.write_steps(&steps)
    }

    /// After `reset`: keeps the Clusterfile as `Clusterfile.<unix time>` and removes the rest.
    pub fn archive_on_reset(&self) -> Result<(), Error> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let cf = self.clusterfile_path();
        if cf.exists() {
            let to = self.dir.join(format!("Clusterfile.{now}"));
            fs::rename(&cf, &to).map_err(|e| io(&cf, e))?;
        }
        for p in [self.mounts_dir(), self.dir.join("etc")] {
            match fs::remove_dir_all(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&p, e)),
            }
        }
        let s = self.steps_path();
        match fs::remove_file(&s) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&s, e)),
        }
    }
}

/// The cluster to use when none is named: the only one with a Clusterfile under `root`, else
/// `default`.
pub fn default_cluster(root: &Path) -> Result<String, Error> {
    let Ok(rd) = fs::read_dir(root) else {
        return Ok("default".into());
    };
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Clusterfile").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(if names.len() == 1 {
        names.remove(0)
    } else {
        "default".into()
    })
}
