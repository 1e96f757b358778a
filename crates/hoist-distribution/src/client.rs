//! Distribution v2 registry client: scheme selection, anonymous/basic/bearer auth,
//! manifests, blobs (verified streaming download, monolithic/chunked upload, mount), tags, catalog.

use crate::auth::{Credentials, Secret};
use crate::error::{Error, Result};
use crate::reference::{Reference, normalize_registry};
use crate::{
    MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST, digest_hex,
    sha256_digest,
};
use futures::StreamExt;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, LOCATION, WWW_AUTHENTICATE,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use sha2::Digest;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tokio::io::AsyncWriteExt;

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
const MAX_MANIFEST: usize = 4 << 20;

/// Options of a [`Client`].
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// `--tls-verify=false`: accept invalid certificates and fall back to plain http.
    pub insecure: bool,
    /// Auth file used for credential lookup (default: the containers lookup order).
    pub authfile: Option<PathBuf>,
    /// Blobs larger than this are uploaded in chunks of this size (PATCH); default 64 MiB.
    pub chunk_size: u64,
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure: false,
            authfile: None,
            chunk_size: 64 << 20,
            user_agent: concat!("hoist/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

/// A manifest fetched from a registry: exact bytes, media type and sha256 digest of the bytes.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: String,
}

/// Result of a manifest HEAD.
#[derive(Clone, Debug)]
pub struct ManifestHead {
    pub digest: Option<String>,
    pub media_type: Option<String>,
    pub size: Option<u64>,
}

#[derive(Clone, Debug)]
enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

#[derive(Default)]
struct RegistryState {
    base: Option<String>,
    creds: Option<Option<Credentials>>,
    challenge: Option<Challenge>,
    tokens: HashMap<String, Secret>,
}

/// A registry client for any number of registries. Cheap to share by reference across tasks.
pub struct Client {
    http: reqwest::Client,
    opts: ClientOptions,
    state: Mutex<HashMap<String, RegistryState>>,
}

/// Parses a `WWW-Authenticate` header value.
fn parse_challenge(v: &str) -> Option<Challenge> {
    let (scheme, rest) = v.trim().split_once(' ').unwrap_or((v.trim(), ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut params = HashMap::new();
    let mut s = rest;
    while !s.is_empty() {
        s = s.trim_start_matches([' ', ',']);
        let Some((k, r)) = s.split_once('=') else {
            break;
        };
        let (val, r) = if let Some(r) = r.strip_prefix('"') {
            let end = r.find('"').unwrap_or(r.len());
            (&r[..end], r.get(end + 1..).unwrap_or(""))
        } else {
            let end = r.find(',').unwrap_or(r.len());
            (&r[..end], &r[end..])
        };
        params.insert(k.trim().to_ascii_lowercase(), val.to_string());
        s = r;
    }
    Some(Challenge::Bearer {
        realm: params.remove("realm")?,
        service: params.remove("service"),
    })
}

fn media_type_of(headers: &HeaderMap, bytes: &[u8]) -> String {
    if let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        let ct = ct.split(';').next().unwrap_or(ct).trim();
        if [
            MEDIA_OCI_MANIFEST,
            MEDIA_OCI_INDEX,
            MEDIA_DOCKER_MANIFEST,
            MEDIA_DOCKER_LIST,
        ]
        .contains(&ct)
        {
            return ct.to_string();
        }
    }
    media_type_from_json(bytes)
}

/// The media type a manifest's JSON declares (or implies by its shape).
pub fn media_type_from_json(bytes: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    match v.get("mediaType").and_then(|m| m.as_str()) {
        Some(m) => m.to_string(),
        None if v.get("manifests").is_some() => MEDIA_OCI_INDEX.to_string(),
        None => MEDIA_OCI_MANIFEST.to_string(),
    }
}

async fn error_detail(resp: Response) -> String {
    let body = resp.text().await.unwrap_or_default();
    // Distribution error bodies: {"errors":[{"code":..,"message":..}]}
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body)
        && let Some(errs) = v.get("errors").and_then(|e| e.as_array())
    {
        return errs
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.get("code").and_then(|c| c.as_str()).unwrap_or(""),
                    e.get("message").and_then(|c| c.as_str()).unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    body.chars().take(200).collect()
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(opts.user_agent.clone())
            .tls_danger_accept_invalid_certs(opts.insecure)
            .connect_timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|source| Error::Http {
                method: "build".into(),
                url: String::new(),
                source,
            })?;
        Ok(Client {
            http,
            opts,
            state: Mutex::new(HashMap::new()),
        })
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    fn with_state<T>(&self, registry: &str, f: impl FnOnce(&mut RegistryState) -> T) -> T {
        let mut m = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(m.entry(normalize_registry(registry)).or_default())
    }

    /// Sets (or clears, with `None`: anonymous) the credentials used for `registry`,
    /// overriding the auth files.
    pub fn set_credentials(&self, registry: &str, creds: Option<Credentials>) {
        self.with_state(registry, |s| {
            s.creds = Some(creds);
            s.tokens.clear();
        });
    }

    fn credentials(&self, registry: &str, repository: Option<&str>) -> Result<Option<Credentials>> {
        if let Some(c) = self.with_state(registry, |s| s.creds.clone()) {
            return Ok(c);
        }
        let c = crate::auth::lookup(registry, repository, self.opts.authfile.as_deref())?;
        self.with_state(registry, |s| s.creds = Some(c.clone()));
        Ok(c)
    }

    fn host(registry: &str) -> String {
        if normalize_registry(registry) == "docker.io" {
            "registry-1.docker.io".to_string()
        } else {
            registry.to_string()
        }
    }

    /// The base URL (`https://host` or, when insecure, possibly `http://host`) of `registry`.
    pub async fn base_url(&self, registry: &str) -> Result<String> {
        if let Some(b) = self.with_state(registry, |s| s.base.clone()) {
            return Ok(b);
        }
        let host = Self::host(registry);
        let https = format!("https://{host}");
        let url = format!("{https}/v2/");
        let base = match self.http.get(&url).send().await {
            Ok(_) => https,
            Err(e) if self.opts.insecure => {
                let http = format!("http://{host}");
                match self.http.get(format!("{http}/v2/")).send().await {
                    Ok(_) => http,
                    Err(_) => {
                        return Err(Error::Http {
                            method: "GET".into(),
                            url,
                            source: e,
                        });
                    }
                }
            }
            Err(e) => {
                return Err(Error::Http {
                    method: "GET".into(),
                    url,
                    source: e,
                });
            }
        };
        self.with_state(registry, |s| s.base = Some(base.clone()));
        Ok(base)
    }

    async fn fetch_token(
        &self,
        registry: &str,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        creds: Option<&Credentials>,
    ) -> Result<Secret> {
        let mut url = url::Url::parse(realm).map_err(|_| Error::Unauthorized {
            registry: registry.into(),
            reason: format!("invalid token realm {realm:?}"),
        })?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = service {
                q.append_pair("service", s);
            }
            if !scope.is_empty() {
                q.append_pair("scope", scope);
            }
        }
        let mut rb = self.http.get(url.clone());
        if let Some(c) = creds {
            rb = rb.basic_auth(&c.username, Some(c.password.expose()));
        }
        let resp = rb.send().await.map_err(|source| Error::Http {
            method: "GET".into(),
            url: realm.to_string(),
            source,
        })?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(Error::Unauthorized {
                registry: registry.into(),
                reason: format!(
                    "token server {realm} returned {status}: invalid username or password"
                ),
            });
        }
        if !status.is_success() {
            let detail = error_detail(resp).await;
            return Err(Error::Status {
                method: "GET".into(),
                url: realm.to_string(),
                status: status.as_u16(),
                detail,
            });
        }
        let v: serde_json::Value = resp.json().await.map_err(|source| Error::Http {
            method: "GET".into(),
            url: realm.to_string(),
            source,
        })?;
        let tok = v
            .get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .ok_or_else(|| Error::Unauthorized {
                registry: registry.into(),
                reason: "token server returned no token".into(),
            })?;
        Ok(Secret::new(tok))
    }

    fn authorize(
        &self,
        registry: &str,
        scope: &str,
        rb: RequestBuilder,
        creds: Option<&Credentials>,
    ) -> RequestBuilder {
        let (challenge, token) = self.with_state(registry, |s| {
            (s.challenge.clone(), s.tokens.get(scope).cloned())
        });
        match (challenge, creds, token) {
            (Some(Challenge::Bearer { .. }), _, Some(t)) => {
                rb.header(AUTHORIZATION, format!("Bearer {}", t.expose()))
            }
            (Some(Challenge::Basic), Some(c), _) => {
                rb.basic_auth(&c.username, Some(c.password.expose()))
            }
            _ => rb,
        }
    }

    /// Sends a request built by `make` (called again for the retry after an auth challenge).
    /// `scope` is the token scope, e.g. `repository:a/b:pull`.
    async fn send(
        &self,
        registry: &str,
        repository: Option<&str>,
        scope: &str,
        method: &Method,
        url: &str,
        make: &(dyn Fn() -> Result<RequestBuilder> + Sync),
    ) -> Result<Response> {
        let creds = self.credentials(registry, repository)?;
        let http_err = |source| Error::Http {
            method: method.to_string(),
            url: url.to_string(),
            source,
        };
        let resp = self
            .authorize(registry, scope, make()?, creds.as_ref())
            .send()
            .await
            .map_err(http_err)?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        let Some(ch) = resp
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_challenge)
        else {
            return Err(Error::Unauthorized {
                registry: registry.into(),
                reason: format!("{method} {url} returned 401 without a usable challenge"),
            });
        };
        match &ch {
            Challenge::Basic => {
                if creds.is_none() {
                    return Err(Error::Unauthorized {
                        registry: registry.into(),
                        reason: "authentication required (no credentials; use login)".into(),
                    });
                }
            }
            Challenge::Bearer { realm, service } => {
                let tok = self
                    .fetch_token(registry, realm, service.as_deref(), scope, creds.as_ref())
                    .await?;
                self.with_state(registry, |s| {
                    s.tokens.insert(scope.to_string(), tok);
                });
            }
        }
        self.with_state(registry, |s| s.challenge = Some(ch));
        let resp = self
            .authorize(registry, scope, make()?, creds.as_ref())
            .send()
            .await
            .map_err(http_err)?;
        if resp.status() == StatusCode::UNAUTHORIZED {
            let reason = if creds.is_some() {
                "invalid username or password"
            } else {
                "authentication required (no credentials; use login)"
            };
            return Err(Error::Unauthorized {
                registry: registry.into(),
                reason: reason.into(),
            });
        }
        Ok(resp)
    }

    async fn request(
        &self,
        r: &Reference,
        push: bool,
        method: Method,
        path: &str,
        make: &(dyn Fn(RequestBuilder) -> Result<RequestBuilder> + Sync),
    ) -> Result<(Response, String)> {
        let base = self.base_url(&r.registry).await?;
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{base}{path}")
        };
        let scope = format!(
            "repository:{}:{}",
            r.repository,
            if push { "pull,push" } else { "pull" }
        );
        let m2 = method.clone();
        let u2 = url.clone();
        let resp = self
            .send(
                &r.registry,
                Some(&r.repository),
                &scope,
                &method,
                &url,
                &move || make(self.http.request(m2.clone(), &u2)),
            )
            .await?;
        Ok((resp, url))
    }

    async fn check(
        method: &str,
        url: &str,
        resp: Response,
        what: impl FnOnce() -> String,
    ) -> Result<Response> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        if status == StatusCode::NOT_FOUND {
            return Err(Error::NotFound { what: what() });
        }
        let detail = error_detail(resp).await;
        Err(Error::Status {
            method: method.into(),
            url: url.into(),
            status: status.as_u16(),
            detail,
        })
    }

    /// `GET /v2/` with the stored or given credentials; errors unless the registry accepts them.
    pub async fn verify_login(&self, registry: &str) -> Result<()> {
        let base = self.base_url(registry).await?;
        let url = format!("{base}/v2/");
        let resp = self
            .send(registry, None, "", &Method::GET, &url, &|| {
                Ok(self.http.get(&url))
            })
            .await?;
        Self::check("GET", &url, resp, || url.clone())
            .await
            .map(|_| ())
    }

    /// `GET` a manifest by tag or digest with the OCI and Docker schema 2 Accept types.
    /// When fetched by digest, the bytes are verified against it.
    pub async fn get_manifest(&self, r: &Reference) -> Result<Manifest> {
        self.get_manifest_ref(r, r.reference()).await
    }

    /// Like [`get_manifest`](Self::get_manifest) with an explicit tag or digest in `r`'s repository.
    pub async fn get_manifest_ref(&self, r: &Reference, tag_or_digest: &str) -> Result<Manifest> {
        let path = format!("/v2/{}/manifests/{tag_or_digest}", r.repository);
        let (resp, url) = self
            .request(r, false, Method::GET, &path, &|rb| {
                Ok(rb.header(ACCEPT, MANIFEST_ACCEPT))
            })
            .await?;
        let resp = Self::check("GET", &url, resp, || {
            format!("manifest {}/{}:{tag_or_digest}", r.registry, r.repository)
        })
        .await?;
        let headers = resp.headers().clone();
        let mut bytes = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|source| Error::Http {
                method: "GET".into(),
                url: url.clone(),
                source,
            })?;
            if bytes.len() + chunk.len() > MAX_MANIFEST {
                return Err(Error::Manifest(format!(
                    "manifest {url} larger than {MAX_MANIFEST} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        let digest = sha256_digest(&bytes);
        if tag_or_digest.starts_with("sha256:") && digest != tag_or_digest {
            return Err(Error::DigestMismatch {
                what: format!("manifest {}/{}", r.registry, r.repository),
                expected: tag_or_digest.into(),
                actual: digest,
            });
        }
        let media_type = media_type_of(&headers, &bytes);
        Ok(Manifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// `HEAD` a manifest; `None` when it does not exist.
    pub async fn head_manifest(&self, r: &Reference) -> Result<Option<ManifestHead>> {
        let path = format!("/v2/{}/manifests/{}", r.repository, r.reference());
        let (resp, url) = self
            .request(r, false, Method::HEAD, &path, &|rb| {
                Ok(rb.header(ACCEPT, MANIFEST_ACCEPT))
            })
            .await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = Self::check("HEAD", &url, resp, || r.to_string()).await?;
        let h = resp.headers();
        let s = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
        Ok(Some(ManifestHead {
            digest: s("docker-content-digest"),
            media_type: s("content-type")
                .map(|c| c.split(';').next().unwrap_or("").trim().to_string()),
            size: s("content-length").and_then(|c| c.parse().ok()),
        }))
    }

    /// `PUT` a manifest (exact bytes) under `tag_or_digest`; returns the digest of the bytes.
    pub async fn put_manifest(
        &self,
        r: &Reference,
        tag_or_digest: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<String> {
        let path = format!("/v2/{}/manifests/{tag_or_digest}", r.repository);
        let body = bytes.to_vec();
        let (resp, url) = self
            .request(r, true, Method::PUT, &path, &|rb| {
                Ok(rb.header(CONTENT_TYPE, media_type).body(body.clone()))
            })
            .await?;
        let resp = Self::check("PUT", &url, resp, || r.to_string()).await?;
        let digest = sha256_digest(bytes);
        if let Some(d) = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            && d != digest
        {
            return Err(Error::DigestMismatch {
                what: format!("manifest pushed to {r}"),
                expected: digest,
                actual: d.to_string(),
            });
        }
        Ok(digest)
    }

    /// `HEAD` a blob; `Some(size)` when present.
    pub async fn blob_exists(&self, r: &Reference, digest: &str) -> Result<Option<u64>> {
        digest_hex(digest)?;
        let path = format!("/v2/{}/blobs/{digest}", r.repository);
        let (resp, url) = self
            .request(r, true, Method::HEAD, &path, &|rb| Ok(rb))
            .await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = Self::check("HEAD", &url, resp, || digest.to_string()).await?;
        Ok(Some(
            resp.headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        ))
    }

    /// Streams a blob into `dest` via a temporary file next to it, verifying its sha256 (and size
    /// when given). On any error the partial data is removed and `dest` is untouched.
    /// `progress` receives the cumulative byte count.
    pub async fn get_blob_to_file(
        &self,
        r: &Reference,
        digest: &str,
        size: Option<u64>,
        dest: &Path,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        let hex = digest_hex(digest)?.to_string();
        let tmp = dest.with_file_name(format!(
            ".tmp-{hex}-{}-{:x}",
            std::process::id(),
            rand_u64()
        ));
        // Removes the partial file however this ends, including when the future is dropped
        // because a concurrent blob of the same pull failed first.
        let mut guard = TempFile(Some(tmp.clone()));
        self.get_blob_inner(r, digest, size, &tmp, progress).await?;
        tokio::fs::rename(&tmp, dest)
            .await
            .map_err(|e| Error::io(dest, e))?;
        guard.0 = None;
        Ok(())
    }

    async fn get_blob_inner(
        &self,
        r: &Reference,
        digest: &str,
        size: Option<u64>,
        tmp: &Path,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        let path = format!("/v2/{}/blobs/{digest}", r.repository);
        let (resp, url) = self
            .request(r, false, Method::GET, &path, &|rb| Ok(rb))
            .await?;
        let resp = Self::check("GET", &url, resp, || {
            format!("blob {digest} in {}/{}", r.registry, r.repository)
        })
        .await?;
        let mut f = tokio::fs::File::create(tmp)
            .await
            .map_err(|e| Error::io(tmp, e))?;
        let mut hasher = sha2::Sha256::new();
        let mut n: u64 = 0;
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|source| Error::Http {
                method: "GET".into(),
                url: url.clone(),
                source,
            })?;
            n += chunk.len() as u64;
            if let Some(s) = size
                && n > s
            {
                return Err(Error::SizeMismatch {
                    digest: digest.into(),
                    expected: s,
                    actual: n,
                });
            }
            hasher.update(&chunk);
            f.write_all(&chunk).await.map_err(|e| Error::io(tmp, e))?;
            progress(n);
        }
        f.flush().await.map_err(|e| Error::io(tmp, e))?;
        f.sync_all().await.map_err(|e| Error::io(tmp, e))?;
        drop(f);
        let actual = format!("sha256:{}", hex::encode(hasher.finalize()));
        if actual != digest {
            return Err(Error::DigestMismatch {
                what: format!("blob from {}/{}", r.registry, r.repository),
                expected: digest.into(),
                actual,
            });
        }
        if let Some(s) = size
            && n != s
        {
            return Err(Error::SizeMismatch {
                digest: digest.into(),
                expected: s,
                actual: n,
            });
        }
        Ok(())
    }

    /// Tries a cross-repository mount of `digest` from `from` (same registry). `true` if mounted.
    pub async fn mount_blob(&self, r: &Reference, digest: &str, from: &str) -> Result<bool> {
        digest_hex(digest)?;
        let path = format!(
            "/v2/{}/blobs/uploads/?mount={digest}&from={from}",
            r.repository
        );
        let (resp, url) = self
            .request(r, true, Method::POST, &path, &|rb| {
                Ok(rb.header(CONTENT_LENGTH, "0"))
            })
            .await?;
        match resp.status() {
            StatusCode::CREATED => Ok(true),
            StatusCode::ACCEPTED => {
                // An upload session was started instead; cancel it.
                if let Some(loc) = self.location(&r.registry, &url, resp.headers()).await? {
                    let _ = self
                        .request(r, true, Method::DELETE, &loc, &|rb| Ok(rb))
                        .await;
                }
                Ok(false)
            }
            _ => Ok(false),
        }
    }

    async fn location(&self, registry: &str, url: &str, h: &HeaderMap) -> Result<Option<String>> {
        let Some(loc) = h.get(LOCATION).and_then(|v| v.to_str().ok()) else {
            return Ok(None);
        };
        if loc.starts_with("http://") || loc.starts_with("https://") {
            return Ok(Some(loc.to_string()));
        }
        let base = self.base_url(registry).await?;
        let _ = url;
        Ok(Some(format!(
            "{base}{}{loc}",
            if loc.starts_with('/') { "" } else { "/" }
        )))
    }

    /// Uploads the file `src` as blob `digest` (size `size`): monolithic PUT up to
    /// [`ClientOptions::chunk_size`], else chunked PATCH then PUT. `progress` gets cumulative bytes.
    pub async fn push_blob_file(
        &self,
        r: &Reference,
        digest: &str,
        size: u64,
        src: &Path,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        digest_hex(digest)?;
        let path = format!("/v2/{}/blobs/uploads/", r.repository);
        let (resp, url) = self
            .request(r, true, Method::POST, &path, &|rb| {
                Ok(rb.header(CONTENT_LENGTH, "0"))
            })
            .await?;
        let resp = Self::check("POST", &url, resp, || r.to_string()).await?;
        let mut loc = self
            .location(&r.registry, &url, resp.headers())
            .await?
            .ok_or_else(|| Error::Manifest(format!("POST {url}: no Location header")))?;
        let chunk = self.opts.chunk_size.max(1);
        if size > chunk {
            let mut off = 0u64;
            while off < size {
                let len = chunk.min(size - off);
                let data = read_range(src, off, len).await?;
                let range = format!("{}-{}", off, off + len - 1);
                let (resp, u) = self
                    .request(r, true, Method::PATCH, &loc, &|rb| {
                        Ok(rb
                            .header(CONTENT_TYPE, "application/octet-stream")
                            .header("Content-Range", range.clone())
                            .header(CONTENT_LENGTH, len.to_string())
                            .body(data.clone()))
                    })
                    .await?;
                let resp = Self::check("PATCH", &u, resp, || r.to_string()).await?;
                loc = self
                    .location(&r.registry, &u, resp.headers())
                    .await?
                    .ok_or_else(|| Error::Manifest(format!("PATCH {u}: no Location header")))?;
                off += len;
                progress(off);
            }
            let put = append_query(&loc, "digest", digest);
            let (resp, u) = self
                .request(r, true, Method::PUT, &put, &|rb| {
                    Ok(rb.header(CONTENT_LENGTH, "0"))
                })
                .await?;
            Self::check("PUT", &u, resp, || r.to_string()).await?;
        } else {
            let put = append_query(&loc, "digest", digest);
            let src_owned = src.to_path_buf();
            let (resp, u) = self
                .request(r, true, Method::PUT, &put, &|rb| {
                    let f =
                        std::fs::File::open(&src_owned).map_err(|e| Error::io(&src_owned, e))?;
                    let stream = tokio_util::io::ReaderStream::with_capacity(
                        tokio::fs::File::from_std(f),
                        256 << 10,
                    );
                    Ok(rb
                        .header(CONTENT_TYPE, "application/octet-stream")
                        .header(CONTENT_LENGTH, size.to_string())
                        .body(reqwest::Body::wrap_stream(stream)))
                })
                .await?;
            Self::check("PUT", &u, resp, || r.to_string()).await?;
            progress(size);
        }
        Ok(())
    }

    /// Uploads an in-memory blob (config, manifest-sized data) monolithically.
    pub async fn push_blob_bytes(&self, r: &Reference, digest: &str, data: &[u8]) -> Result<()> {
        let path = format!("/v2/{}/blobs/uploads/", r.repository);
        let (resp, url) = self
            .request(r, true, Method::POST, &path, &|rb| {
                Ok(rb.header(CONTENT_LENGTH, "0"))
            })
            .await?;
        let resp = Self::check("POST", &url, resp, || r.to_string()).await?;
        let loc = self
            .location(&r.registry, &url, resp.headers())
            .await?
            .ok_or_else(|| Error::Manifest(format!("POST {url}: no Location header")))?;
        let put = append_query(&loc, "digest", digest);
        let data = data.to_vec();
        let (resp, u) = self
            .request(r, true, Method::PUT, &put, &|rb| {
                Ok(rb
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .body(data.clone()))
            })
            .await?;
        Self::check("PUT", &u, resp, || r.to_string())
            .await
            .map(|_| ())
    }

    async fn paginated(&self, r: &Reference, first: String, key: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            if pages > 10_000 {
                break;
            }
            let (resp, url) = self
                .request(r, false, Method::GET, &path, &|rb| Ok(rb))
                .await?;
            let resp = Self::check("GET", &url, resp, || {
                format!("{}/{}", r.registry, r.repository)
            })
            .await?;
            if let Some(link) = resp.headers().get("link").and_then(|v| v.to_str().ok())
                && let Some(s) = link
                    .split_once('<')
                    .and_then(|(_, r)| r.split_once('>'))
                    .map(|(u, _)| u.to_string())
            {
                next = Some(s);
            }
            let v: serde_json::Value = resp.json().await.map_err(|source| Error::Http {
                method: "GET".into(),
                url: url.clone(),
                source,
            })?;
            if let Some(a) = v.get(key).and_then(|t| t.as_array()) {
                out.extend(a.iter().filter_map(|t| t.as_str().map(str::to_string)));
            }
        }
        Ok(out)
    }

    /// All tags of `r`'s repository (following `Link` pagination).
    pub async fn list_tags(&self, r: &Reference) -> Result<Vec<String>> {
        self.paginated(r, format!("/v2/{}/tags/list", r.repository), "tags")
            .await
    }

    /// The registry's repository catalog (following `Link` pagination).
    pub async fn catalog(&self, registry: &str) -> Result<Vec<String>> {
        let r = Reference {
            registry: registry.to_string(),
            repository: String::new(),
            tag: None,
            digest: None,
        };
        // Catalog needs the registry:catalog:* scope on token servers.
        let base = self.base_url(registry).await?;
        let mut out = Vec::new();
        let mut next = Some(format!("{base}/v2/_catalog"));
        while let Some(url) = next.take() {
            let u2 = url.clone();
            let resp = self
                .send(
                    registry,
                    None,
                    "registry:catalog:*",
                    &Method::GET,
                    &url,
                    &|| Ok(self.http.get(&u2)),
                )
                .await?;
            let resp =
                Self::check("GET", &url, resp, || format!("catalog of {}", r.registry)).await?;
            if let Some(link) = resp.headers().get("link").and_then(|v| v.to_str().ok())
                && let Some(s) = link
                    .split_once('<')
                    .and_then(|(_, r)| r.split_once('>'))
                    .map(|(u, _)| u.to_string())
            {
                next = Some(if s.starts_with('/') {
                    format!("{base}{s}")
                } else {
                    s
                });
            }
            let v: serde_json::Value = resp.json().await.map_err(|source| Error::Http {
                method: "GET".into(),
                url: url.clone(),
                source,
            })?;
            if let Some(a) = v.get("repositories").and_then(|t| t.as_array()) {
                out.extend(a.iter().filter_map(|t| t.as_str().map(str::to_string)));
            }
        }
        Ok(out)
    }
}

fn append_query(url: &str, k: &str, v: &str) -> String {
    format!("{url}{}{k}={v}", if url.contains('?') { "&" } else { "?" })
}

async fn read_range(path: &Path, off: u64, len: u64) -> Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::io(path, e))?;
    f.seek(std::io::SeekFrom::Start(off))
        .await
        .map_err(|e| Error::io(path, e))?;
    let mut buf =
        vec![0u8; usize::try_from(len).map_err(|_| Error::Manifest("chunk too large".into()))?];
    f.read_exact(&mut buf)
        .await
        .map_err(|e| Error::io(path, e))?;
    Ok(buf)
}

pub(crate) fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// A temporary file removed on drop unless disarmed (its path taken out).
struct TempFile(Option<std::path::PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn challenge() {
        match parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a:pull""#,
        ) {
            Some(Challenge::Bearer { realm, service }) => {
                assert_eq!(realm, "https://auth.docker.io/token");
                assert_eq!(service.as_deref(), Some("registry.docker.io"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_challenge(r#"Basic realm="x""#),
            Some(Challenge::Basic)
        ));
    }
}
