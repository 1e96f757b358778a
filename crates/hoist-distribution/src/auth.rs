//! Credentials compatible with containers' `auth.json`, plus read-only `~/.docker/config.json`.

use crate::error::{Error, Result};
use crate::reference::normalize_registry;
use base64::Engine;
use std::fmt;
use std::path::{Path, PathBuf};

/// A secret string whose Debug and Display print `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret value; use only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Username and password for a registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
}

/// The auth file `login` writes (containers/image `getPathToAuth` on Linux):
/// `$REGISTRY_AUTH_FILE`, else `$XDG_RUNTIME_DIR/containers/auth.json`, else
/// `/run/containers/<uid>/auth.json`.
pub fn default_auth_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REGISTRY_AUTH_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("XDG_RUNTIME_DIR").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p).join("containers/auth.json"));
    }
    Some(PathBuf::from(format!(
        "/run/containers/{}/auth.json",
        uid()
    )))
}

fn xdg_config_auth_file() -> Option<PathBuf> {
    let cfg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")))?;
    Some(cfg.join("containers/auth.json"))
}

/// Files consulted for credentials, in containers/image order: the given (`--authfile`) or default
/// auth file, `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/...`), `$DOCKER_CONFIG/config.json`
/// or `~/.docker/config.json`, then the legacy `~/.dockercfg`. The `bool` marks the legacy format.
pub fn lookup_paths(authfile: Option<&Path>) -> Vec<(PathBuf, bool)> {
    let mut v = Vec::new();
    if let Some(p) = authfile.map(Path::to_path_buf).or_else(default_auth_file) {
        v.push((p, false));
    }
    if let Some(p) = xdg_config_auth_file() {
        v.push((p, false));
    }
    match std::env::var_os("DOCKER_CONFIG").filter(|p| !p.is_empty()) {
        Some(d) => v.push((PathBuf::from(d).join("config.json"), false)),
        None => {
            if let Some(h) = home() {
                v.push((h.join(".docker/config.json"), false));
            }
        }
    }
    if let Some(h) = home() {
        v.push((h.join(".dockercfg"), true));
    }
    v
}

fn read_json(path: &Path) -> Result<Option<serde_json::Value>> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|source| Error::Json {
                path: path.display().to_string(),
                source,
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn decode_auth(path: &Path, key: &str, entry: &serde_json::Value) -> Result<Option<Credentials>> {
    let auth = entry.get("auth").and_then(|a| a.as_str()).unwrap_or("");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .map_err(|_| {
            Error::Manifest(format!(
                "{}: invalid base64 \"auth\" for {key:?}",
                path.display()
            ))
        })?;
    let s = String::from_utf8_lossy(&raw);
    // Like docker, an entry without "user:password" is skipped.
    let Some((u, p)) = s.split_once(':') else {
        return Ok(None);
    };
    let p = p.trim_matches('\0');
    if u.is_empty() || p.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials {
        username: u.to_string(),
        password: Secret::new(p),
    }))
}

/// Host part of an `auths` key with Docker Hub aliases mapped to `docker.io`
/// (containers/image `normalizeRegistry`).
fn normalize_key(key: &str) -> String {
    normalize_registry(key)
}

/// Looks up credentials for `registry` (and optionally a repository, for repository-scoped
/// `auths` keys) like containers/image: per file, exact keys from the most specific
/// (`host/ns/repo`) to `host`, then hosts of all keys after normalisation (URL keys such as
/// `https://index.docker.io/v1/`); the first file with credentials wins.
pub fn lookup(
    registry: &str,
    repository: Option<&str>,
    authfile: Option<&Path>,
) -> Result<Option<Credentials>> {
    let registry = normalize_registry(registry);
    let mut keys = Vec::new();
    if let Some(repo) = repository {
        let mut name = format!("{registry}/{repo}");
        loop {
            keys.push(name.clone());
            match name.rfind('/') {
                Some(i) => name.truncate(i),
                None => break,
            }
        }
    } else {
        keys.push(registry.clone());
    }
    for (path, legacy) in lookup_paths(authfile) {
        let Some(json) = read_json(&path)? else {
            continue;
        };
        let auths = if legacy {
            Some(&json)
        } else {
            json.get("auths")
        };
        let Some(auths) = auths.and_then(|a| a.as_object()) else {
            continue;
        };
        let keys: &[String] = if legacy {
            std::slice::from_ref(&registry)
        } else {
            &keys
        };
        let mut found = None;
        for k in keys {
            if let Some(entry) = auths.get(k) {
                found = Some((k.as_str(), entry));
                break;
            }
        }
        if found.is_none() {
            found = auths
                .iter()
                .find(|(k, _)| normalize_key(k) == registry)
                .map(|(k, e)| (k.as_str(), e));
        }
        if let Some((k, entry)) = found
            && let Some(c) = decode_auth(&path, k, entry)?
        {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

/// Stores credentials for `registry` in `authfile` (default: [`default_auth_file`]), atomically and
/// with mode 0600. Does not contact the registry; see [`login`].
pub fn store(registry: &str, creds: &Credentials, authfile: Option<&Path>) -> Result<PathBuf> {
    let path = authfile
        .map(Path::to_path_buf)
        .or_else(default_auth_file)
        .ok_or_else(|| {
            Error::Manifest("no auth file location: set REGISTRY_AUTH_FILE or HOME".into())
        })?;
    let mut json = read_json(&path)?.unwrap_or_else(|| serde_json::json!({}));
    let key = normalize_registry(registry);
    let auth = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        creds.username,
        creds.password.expose()
    ));
    let obj = json
        .as_object_mut()
        .ok_or_else(|| Error::Manifest(format!("{}: not a JSON object", path.display())))?;
    let auths = obj.entry("auths").or_insert_with(|| serde_json::json!({}));
    let auths = auths.as_object_mut().ok_or_else(|| {
        Error::Manifest(format!("{}: \"auths\" is not an object", path.display()))
    })?;
    auths.insert(key, serde_json::json!({ "auth": auth }));
    write_atomic(&path, &json)?;
    Ok(path)
}

/// Removes the credentials of `registry` from `authfile` (default: [`default_auth_file`]).
/// Errors with [`Error::NotLoggedIn`] when there were none.
pub fn logout(registry: &str, authfile: Option<&Path>) -> Result<()> {
    let path = authfile
        .map(Path::to_path_buf)
        .or_else(default_auth_file)
        .ok_or_else(|| Error::NotLoggedIn(registry.to_string()))?;
    let key = normalize_registry(registry);
    let Some(mut json) = read_json(&path)? else {
        return Err(Error::NotLoggedIn(key));
    };
    let removed = match json.get_mut("auths").and_then(|a| a.as_object_mut()) {
        Some(auths) => {
            auths.remove(registry).is_some() || auths.remove(&key).is_some() || {
                // Legacy URL keys (`https://index.docker.io/v1/`) of the same host.
                let before = auths.len();
                auths.retain(|k, _| !(k.contains("://") && normalize_key(k) == key));
                auths.len() != before
            }
        }
        None => false,
    };
    if !removed {
        return Err(Error::NotLoggedIn(key));
    }
    write_atomic(&path, &json)
}

fn write_atomic(path: &Path, json: &serde_json::Value) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, e))?;
    // Tab-indented like containers/image (json.MarshalIndent(.., "", "\t")).
    let mut data = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut data,
        serde_json::ser::PrettyFormatter::with_indent(b"\t"),
    );
    serde::Serialize::serialize(json, &mut ser).map_err(|source| Error::Json {
        path: path.display().to_string(),
        source,
    })?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("auth.json"),
        std::process::id()
    ));
    let res = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Verifies `username`/`password` against `registry` (`GET /v2/`, basic then token flow) and,
/// when accepted, stores them (see [`store`]). Returns the auth file written.
pub async fn login(
    registry: &str,
    username: &str,
    password: Secret,
    authfile: Option<&Path>,
    insecure: bool,
) -> Result<PathBuf> {
    let creds = Credentials {
        username: username.to_string(),
        password,
    };
    let client = crate::client::Client::new(crate::client::ClientOptions {
        insecure,
        authfile: authfile.map(Path::to_path_buf),
        ..Default::default()
    })?;
    client.set_credentials(registry, Some(creds.clone()));
    client.verify_login(registry).await?;
    store(registry, &creds, authfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_redacted() {
        let c = Credentials {
            username: "u".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(Secret::new("x").to_string(), "<redacted>");
    }

    #[test]
    fn store_lookup_logout() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("sub/auth.json");
        std::fs::create_dir_all(d.path().join("sub")).unwrap();
        std::fs::write(
            &f,
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"YTpi"}},"other":1}"#,
        )
        .unwrap();
        assert_eq!(
            lookup("registry-1.docker.io", None, Some(&f))
                .unwrap()
                .unwrap()
                .username,
            "a"
        );
        let c = Credentials {
            username: "me".into(),
            password: Secret::new("pw"),
        };
        store("127.0.0.1:5000", &c, Some(&f)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let got = lookup("127.0.0.1:5000", Some("a/b"), Some(&f))
            .unwrap()
            .unwrap();
        assert_eq!(got, c);
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        assert_eq!(v["other"], 1);
        assert_eq!(v["auths"]["127.0.0.1:5000"]["auth"], "bWU6cHc=");
        logout("127.0.0.1:5000", Some(&f)).unwrap();
        assert!(matches!(
            logout("127.0.0.1:5000", Some(&f)),
            Err(Error::NotLoggedIn(_))
        ));
        assert!(lookup("127.0.0.1:5000", None, Some(&f)).unwrap().is_none());
    }
}
