//! A distribution v2 API server over a [`Layout`] (`hoist registry serve filesystem DIR`).
//!
//! Start it with [`serve`], or [`Server::bind`] then [`Server::run`] to learn the bound address
//! first (tests bind `127.0.0.1:0`).
//!
//! Answers follow Debian's docker-registry (distribution 2.8.2) request for request — status
//! codes, error codes and messages, `Content-Type`/`Docker-Content-Digest`/`Range`/`Link`
//! headers, `Accept` negotiation of OCI manifests — as `tests/api_compare.rs` checks against the
//! real thing. Deliberate differences: a monolithic `POST ...?digest=` upload is accepted
//! (distribution 2.8 ignores the body and opens an upload), `DELETE` by tag removes the tag
//! (2.8 refuses it), tags are listed sorted (2.8 uses directory order), and the `_state` upload
//! parameter is not signed (uploads are identified by their id alone).

use std::collections::HashSet;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures_util::StreamExt as _;
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::digest::{Digest, is_valid_repo_name};
use crate::layout::{Layout, LayoutError, Reference, catalog_cmp};

/// Largest manifest accepted by PUT (distribution's limit).
const MAX_MANIFEST_BYTES: usize = 4 << 20;
/// Catalog page size when the client gives no `n`.
const DEFAULT_CATALOG_ENTRIES: usize = 100;

/// How to run the server.
#[derive(Clone)]
pub struct ServerConfig {
    /// Storage root (distribution's `rootdirectory`: the directory holding `docker/`).
    pub root: PathBuf,
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// An htpasswd file (bcrypt entries) to require basic auth with.
    pub htpasswd: Option<PathBuf>,
    /// The realm named in `WWW-Authenticate`.
    pub realm: String,
}

impl ServerConfig {
    /// A config serving `root` on `addr`, without auth.
    pub fn new(root: impl Into<PathBuf>, addr: SocketAddr) -> Self {
        ServerConfig {
            root: root.into(),
            addr,
            htpasswd: None,
            realm: "hoist-registry".to_string(),
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("root", &self.root)
            .field("addr", &self.addr)
            .field("htpasswd", &self.htpasswd)
            .field("realm", &self.realm)
            .finish()
    }
}

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound.
    #[error("listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The htpasswd file could not be read or has a bad line.
    #[error("htpasswd {path}: {reason}")]
    Htpasswd {
        /// The file.
        path: PathBuf,
        /// Why (never contains a hash or password).
        reason: String,
    },
    /// The storage root could not be opened.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// The server loop failed.
    #[error("serve: {0}")]
    Serve(#[source] io::Error),
}

/// User name → bcrypt hash, from an htpasswd file.
struct Htpasswd {
    entries: Vec<(String, String)>,
    /// sha256 of `user\0password\0hash` for credentials already verified (bcrypt is slow).
    verified: Mutex<HashSet<[u8; 32]>>,
}

impl Htpasswd {
    fn load(path: &Path) -> Result<Htpasswd, ServerError> {
        let text = std::fs::read_to_string(path).map_err(|e| ServerError::Htpasswd {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((user, hash)) = line.split_once(':') else {
                return Err(ServerError::Htpasswd {
                    path: path.to_path_buf(),
                    reason: format!("line {}: no ':' separator", i + 1),
                });
            };
            entries.push((user.to_string(), hash.to_string()));
        }
        Ok(Htpasswd {
            entries,
            verified: Mutex::new(HashSet::new()),
        })
    }

    fn check(&self, user: &str, password: &str) -> bool {
        let Some((_, hash)) = self.entries.iter().find(|(u, _)| u == user) else {
            return false;
        };
        let mut h = Sha256::new();
        h.update(user.as_bytes());
        h.update([0]);
        h.update(password.as_bytes());
        h.update([0]);
        h.update(hash.as_bytes());
        let key: [u8; 32] = h.finalize().into();
        if let Ok(v) = self.verified.lock()
            && v.contains(&key)
        {
            return true;
        }
        let ok = bcrypt::verify(password, hash).unwrap_or(false);
        if ok && let Ok(mut v) = self.verified.lock() {
            v.insert(key);
        }
        ok
    }
}

struct AppState {
    layout: Layout,
    auth: Option<Arc<Htpasswd>>,
    realm: String,
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    state: Arc<AppState>,
}

impl Server {
    /// Opens the layout, loads the htpasswd file and binds the address.
    pub async fn bind(config: ServerConfig) -> Result<Server, ServerError> {
        let layout = Layout::open(&config.root)?;
        let auth = match &config.htpasswd {
            Some(p) => Some(Arc::new(Htpasswd::load(p)?)),
            None => None,
        };
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: config.addr,
                    source,
                })?;
        Ok(Server {
            listener,
            state: Arc::new(AppState {
                layout,
                auth,
                realm: config.realm,
            }),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> Result<SocketAddr, ServerError> {
        self.listener.local_addr().map_err(ServerError::Serve)
    }

    /// Serves until `shutdown` completes (then stops accepting and drains open requests).
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let app = axum::Router::new().fallback(handle).with_state(self.state);
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServerError::Serve)
    }
}

/// Binds `config.addr` and serves the distribution v2 API until `shutdown` completes.
pub async fn serve(
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    Server::bind(config).await?.run(shutdown).await
}

// ---------------------------------------------------------------------------------------------
// responses

const API_VERSION: &str = "registry/2.0";

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A distribution error response: `{"errors":[{"code","message","detail"}]}`.
fn error(status: StatusCode, code: &str, detail: Option<serde_json::Value>) -> Response {
    error_with(status, code, None, detail)
}

/// [`error`] with a message other than the code's default.
fn error_with(
    status: StatusCode,
    code: &str,
    message: Option<&str>,
    detail: Option<serde_json::Value>,
) -> Response {
    let default = match code {
        "BLOB_UNKNOWN" | "MANIFEST_BLOB_UNKNOWN" => "blob unknown to registry",
        "BLOB_UPLOAD_INVALID" => "blob upload invalid",
        "BLOB_UPLOAD_UNKNOWN" => "blob upload unknown to registry",
        "DIGEST_INVALID" => "provided digest did not match uploaded content",
        "MANIFEST_INVALID" => "manifest invalid",
        "MANIFEST_UNKNOWN" => "manifest unknown",
        "NAME_INVALID" => "invalid repository name",
        "NAME_UNKNOWN" => "repository name not known to registry",
        "SIZE_INVALID" => "provided length did not match content length",
        "TAG_INVALID" => "manifest tag did not match URI",
        "UNAUTHORIZED" => "authentication required",
        "DENIED" => "requested access to the resource is denied",
        "UNSUPPORTED" => "The operation is unsupported.",
        "PAGINATION_NUMBER_INVALID" => "invalid number of results requested",
        "RANGE_INVALID" => "invalid content range",
        _ => "unknown error",
    };
    let mut e = serde_json::json!({"code": code, "message": message.unwrap_or(default)});
    if let Some(d) = detail {
        e["detail"] = d;
    }
    let body = serde_json::json!({ "errors": [e] });
    let text = format!("{body}\n");
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn layout_error(e: LayoutError) -> Response {
    use serde_json::json;
    match e {
        LayoutError::InvalidDigest(d) => {
            error(StatusCode::BAD_REQUEST, "DIGEST_INVALID", Some(json!(d)))
        }
        LayoutError::DigestMismatch { expected, actual } => error(
            StatusCode::BAD_REQUEST,
            "DIGEST_INVALID",
            Some(json!(format!("expected {expected}, got {actual}"))),
        ),
        LayoutError::InvalidName(n) => {
            error(StatusCode::BAD_REQUEST, "NAME_INVALID", Some(json!(n)))
        }
        LayoutError::InvalidTag(t) => error(StatusCode::BAD_REQUEST, "TAG_INVALID", Some(json!(t))),
        LayoutError::BlobUnknown { digest, .. } => error(
            StatusCode::NOT_FOUND,
            "BLOB_UNKNOWN",
            Some(json!(digest.to_string())),
        ),
        LayoutError::ManifestUnknown { reference, .. } => error(
            StatusCode::NOT_FOUND,
            "MANIFEST_UNKNOWN",
            Some(json!({ "Tag": reference })),
        ),
        LayoutError::NameUnknown(n) => error(
            StatusCode::NOT_FOUND,
            "NAME_UNKNOWN",
            Some(json!({ "name": n })),
        ),
        LayoutError::ManifestInvalid { reason, .. } => error(
            StatusCode::BAD_REQUEST,
            "MANIFEST_INVALID",
            Some(json!(reason)),
        ),
        LayoutError::ManifestBlobUnknown { digest, .. } => error(
            StatusCode::BAD_REQUEST,
            "MANIFEST_BLOB_UNKNOWN",
            Some(json!(digest.to_string())),
        ),
        LayoutError::UploadUnknown { .. } => {
            error(StatusCode::NOT_FOUND, "BLOB_UPLOAD_UNKNOWN", None)
        }
        LayoutError::RangeInvalid { size, .. } => {
            let mut r = error(StatusCode::RANGE_NOT_SATISFIABLE, "RANGE_INVALID", None);
            r.headers_mut()
                .insert(header::CONTENT_RANGE, hv(&format!("bytes */{size}")));
            r
        }
        LayoutError::Io { .. } | LayoutError::OciLayout { .. } => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN",
            Some(json!(e.to_string())),
        ),
    }
}

fn empty(status: StatusCode, headers: &[(&str, String)]) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    for (k, v) in headers {
        if let Ok(name) = header::HeaderName::from_bytes(k.as_bytes()) {
            r.headers_mut().insert(name, hv(v));
        }
    }
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    r
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, LayoutError> + Send + 'static,
) -> Result<T, LayoutError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(LayoutError::Io {
            op: "run blocking task",
            path: PathBuf::new(),
            source: io::Error::other(e.to_string()),
        }),
    }
}

fn query_param(q: Option<&str>, key: &str) -> Option<String> {
    let q = q?;
    for pair in q.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == key {
            return Some(percent_decode(v));
        }
    }
    None
}

/// Go's `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// dispatch

async fn handle(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let mut resp = route(&st, req).await;
    resp.headers_mut().insert(
        header::HeaderName::from_static("docker-distribution-api-version"),
        HeaderValue::from_static(API_VERSION),
    );
    resp
}

async fn authorized(st: &AppState, headers: &HeaderMap) -> bool {
    let Some(auth) = &st.auth else { return true };
    let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(b64) = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))
    else {
        return false;
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(raw) else {
        return false;
    };
    let Some((user, pass)) = text.split_once(':') else {
        return false;
    };
    let (auth, user, pass) = (auth.clone(), user.to_string(), pass.to_string());
    // bcrypt is deliberately slow: keep it off the async workers
    tokio::task::spawn_blocking(move || auth.check(&user, &pass))
        .await
        .unwrap_or(false)
}

async fn route(st: &Arc<AppState>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    if !path.starts_with("/v2") {
        return (StatusCode::NOT_FOUND, "404 page not found\n").into_response();
    }
    if !authorized(st, req.headers()).await {
        let mut r = error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", None);
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            hv(&format!("Basic realm=\"{}\"", st.realm)),
        );
        return r;
    }
    if path == "/v2/" || path == "/v2" {
        let mut r = (StatusCode::OK, "{}").into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        return r;
    }
    if path == "/v2/_catalog" {
        if method != Method::GET && method != Method::HEAD {
            return error(StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED", None);
        }
        return catalog(st, query.as_deref()).await;
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return (StatusCode::NOT_FOUND, "404 page not found\n").into_response();
    };
    let rest = rest.to_string();
    let (name, kind, arg) = if let Some(n) = rest.strip_suffix("/tags/list") {
        (n.to_string(), "tags", String::new())
    } else if let Some((n, r)) = rest.rsplit_once("/manifests/") {
        (n.to_string(), "manifests", r.to_string())
    } else if let Some(n) = rest
        .strip_suffix("/blobs/uploads/")
        .or_else(|| rest.strip_suffix("/blobs/uploads"))
    {
        (n.to_string(), "uploads", String::new())
    } else if let Some((n, r)) = rest.rsplit_once("/blobs/uploads/") {
        (n.to_string(), "uploads", r.to_string())
    } else if let Some((n, r)) = rest.rsplit_once("/blobs/") {
        (n.to_string(), "blobs", r.to_string())
    } else {
        return (StatusCode::NOT_FOUND, "404 page not found\n").into_response();
    };
    if !is_valid_repo_name(&name) {
        return error(
            StatusCode::BAD_REQUEST,
            "NAME_INVALID",
            Some(serde_json::json!(name)),
        );
    }
    let mut resp = dispatch(st, kind, name, arg.clone(), method, query.as_deref(), req).await;
    // distribution answers BLOB_UPLOAD_INVALID for an upload URL without its `_state`
    if kind == "uploads"
        && !arg.is_empty()
        && resp.status() == StatusCode::NOT_FOUND
        && query_param(query.as_deref(), "_state").is_none()
    {
        resp = error(StatusCode::NOT_FOUND, "BLOB_UPLOAD_INVALID", None);
    }
    resp
}

async fn dispatch(
    st: &Arc<AppState>,
    kind: &str,
    name: String,
    arg: String,
    method: Method,
    query: Option<&str>,
    req: Request,
) -> Response {
    match (kind, &method) {
        ("tags", &Method::GET | &Method::HEAD) => tags_list(st, name, query).await,
        ("manifests", &Method::GET | &Method::HEAD) => {
            get_manifest(st, name, arg, req.headers(), method == Method::HEAD).await
        }
        ("manifests", &Method::PUT) => put_manifest(st, name, arg, req).await,
        ("manifests", &Method::DELETE) => delete_manifest(st, name, arg).await,
        ("blobs", &Method::GET | &Method::HEAD) => {
            get_blob(st, name, arg, req.headers(), method == Method::HEAD).await
        }
        ("blobs", &Method::DELETE) => delete_blob(st, name, arg).await,
        ("uploads", &Method::POST) if arg.is_empty() => start_upload(st, name, query, req).await,
        ("uploads", &Method::GET) if !arg.is_empty() => upload_status(st, name, arg).await,
        ("uploads", &Method::PATCH) if !arg.is_empty() => patch_upload(st, name, arg, req).await,
        ("uploads", &Method::PUT) if !arg.is_empty() => put_upload(st, name, arg, query, req).await,
        ("uploads", &Method::DELETE) if !arg.is_empty() => cancel_upload(st, name, arg).await,
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED", None),
    }
}

// ---------------------------------------------------------------------------------------------
// listing

/// Parses `n`: absent or unusable → the default page size (as distribution 2.8 does).
fn page_size(query: Option<&str>) -> usize {
    query_param(query, "n")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(DEFAULT_CATALOG_ENTRIES)
}

fn json_response(v: &serde_json::Value) -> Response {
    let mut r = (StatusCode::OK, format!("{v}\n")).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

async fn catalog(st: &Arc<AppState>, query: Option<&str>) -> Response {
    let n = page_size(query);
    let last = query_param(query, "last").unwrap_or_default();
    let layout = st.layout.clone();
    let repos = match blocking(move || layout.repositories()).await {
        Ok(r) => r,
        Err(e) => return layout_error(e),
    };
    let after: Vec<String> = repos
        .into_iter()
        .filter(|r| catalog_cmp(&last, r) == std::cmp::Ordering::Less)
        .collect();
    let more = after.len() > n;
    let page: Vec<String> = after.into_iter().take(n).collect();
    let mut r = json_response(&serde_json::json!({ "repositories": page }));
    if more && let Some(l) = page.last() {
        r.headers_mut().insert(
            header::LINK,
            hv(&format!(
                "</v2/_catalog?last={}&n={n}>; rel=\"next\"",
                query_escape(l)
            )),
        );
    }
    r
}

async fn tags_list(st: &Arc<AppState>, name: String, query: Option<&str>) -> Response {
    let layout = st.layout.clone();
    let n2 = name.clone();
    let tags = match blocking(move || layout.tags(&n2)).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return error(
                StatusCode::NOT_FOUND,
                "NAME_UNKNOWN",
                Some(serde_json::json!({ "name": name })),
            );
        }
        Err(e) => return layout_error(e),
    };
    let has_n = query_param(query, "n").is_some();
    let last = query_param(query, "last").unwrap_or_default();
    let mut after: Vec<String> = tags.into_iter().filter(|t| *t > last).collect();
    let mut link = None;
    if has_n {
        let n = page_size(query);
        if after.len() > n {
            after.truncate(n);
            if let Some(l) = after.last() {
                link = Some(format!(
                    "</v2/{name}/tags/list?last={}&n={n}>; rel=\"next\"",
                    query_escape(l)
                ));
            }
        }
    }
    // distribution encodes an empty tag list as null
    let tags = if after.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::json!(after)
    };
    let mut r = json_response(&serde_json::json!({ "name": name, "tags": tags }));
    if let Some(l) = link {
        r.headers_mut().insert(header::LINK, hv(&l));
    }
    r
}

// ---------------------------------------------------------------------------------------------
// manifests

/// Whether the request's `Accept` headers (each split on `,`) name `media_type`.
fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            e.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(media_type)
        })
}

/// In a Docker manifest list, the digest of the linux/amd64 entry.
fn amd64_child(list: &[u8]) -> Option<Digest> {
    let v: serde_json::Value = serde_json::from_slice(list).ok()?;
    v.get("manifests")?.as_array()?.iter().find_map(|m| {
        let p = m.get("platform")?;
        if p.get("architecture")?.as_str()? == "amd64" && p.get("os")?.as_str()? == "linux" {
            Digest::parse(m.get("digest")?.as_str()?).ok()
        } else {
            None
        }
    })
}

async fn get_manifest(
    st: &Arc<AppState>,
    name: String,
    reference: String,
    headers: &HeaderMap,
    head: bool,
) -> Response {
    use crate::layout::{
        MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED, MEDIA_TYPE_OCI_INDEX,
        MEDIA_TYPE_OCI_MANIFEST,
    };
    let layout = st.layout.clone();
    let (n2, r2) = (name.clone(), reference.clone());
    let mut m = match blocking(move || layout.get_manifest(&n2, &r2)).await {
        Ok(m) => m,
        Err(e) => return layout_error(e),
    };
    // distribution 2.8's content negotiation
    let refuse = |status, code: &str, message: &str| {
        let mut r = error_with(status, code, Some(message), None);
        if head {
            *r.body_mut() = Body::empty();
        }
        r
    };
    match m.media_type.as_str() {
        MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED
        | "application/vnd.docker.distribution.manifest.v1+json" => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "MANIFEST_INVALID",
                "Schema 1 manifest not supported",
            );
        }
        MEDIA_TYPE_OCI_MANIFEST if !accepts(headers, MEDIA_TYPE_OCI_MANIFEST) => {
            return refuse(
                StatusCode::NOT_FOUND,
                "MANIFEST_UNKNOWN",
                "OCI manifest found, but accept header does not support OCI manifests",
            );
        }
        MEDIA_TYPE_OCI_INDEX if !accepts(headers, MEDIA_TYPE_OCI_INDEX) => {
            return refuse(
                StatusCode::NOT_FOUND,
                "MANIFEST_UNKNOWN",
                "OCI index found, but accept header does not support OCI indexes",
            );
        }
        MEDIA_TYPE_DOCKER_MANIFEST_LIST
            if !reference.contains(':') && !accepts(headers, MEDIA_TYPE_DOCKER_MANIFEST_LIST) =>
        {
            // an old client asking by tag gets the linux/amd64 image
            if let Some(child) = amd64_child(&m.bytes) {
                let layout = st.layout.clone();
                let c = child.to_string();
                match blocking(move || layout.get_manifest(&name, &c)).await {
                    Ok(cm) => m = cm,
                    Err(e) => return layout_error(e),
                }
            }
        }
        _ => {}
    }
    if etag_matches(headers, &m.digest) {
        // distribution answers before setting any header
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        return r;
    }
    let len = m.bytes.len();
    let mut r = if head {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(m.bytes))
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, hv(&m.media_type));
    h.insert(header::CONTENT_LENGTH, hv(&len.to_string()));
    h.insert("docker-content-digest", hv(&m.digest.to_string()));
    h.insert(header::ETAG, hv(&format!("\"{}\"", m.digest)));
    r
}

async fn put_manifest(
    st: &Arc<AppState>,
    name: String,
    reference: String,
    req: Request,
) -> Response {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_default();
    let bytes = match axum::body::to_bytes(req.into_body(), MAX_MANIFEST_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "MANIFEST_INVALID",
                Some(serde_json::json!(e.to_string())),
            );
        }
    };
    let layout = st.layout.clone();
    let n2 = name.clone();
    let res =
        blocking(move || layout.put_manifest(&n2, &reference, &bytes, Some(&content_type))).await;
    match res {
        Ok(d) => empty(
            StatusCode::CREATED,
            &[
                ("location", format!("/v2/{name}/manifests/{d}")),
                ("docker-content-digest", d.to_string()),
            ],
        ),
        Err(e) => layout_error(e),
    }
}

async fn delete_manifest(st: &Arc<AppState>, name: String, reference: String) -> Response {
    let layout = st.layout.clone();
    let r2 = reference.clone();
    let res = blocking(move || match Reference::parse(&r2)? {
        Reference::Digest(d) => layout.delete_manifest(&name, &d),
        Reference::Tag(t) => layout.untag(&name, &t),
    })
    .await;
    match res {
        Ok(true) => empty(StatusCode::ACCEPTED, &[]),
        Ok(false) => error(
            StatusCode::NOT_FOUND,
            "MANIFEST_UNKNOWN",
            Some(serde_json::json!({ "Tag": reference })),
        ),
        Err(e) => layout_error(e),
    }
}

// ---------------------------------------------------------------------------------------------
// blobs

/// Whether `If-None-Match` names the digest's ETag (quoted or not) or is `*`.
fn etag_matches(headers: &HeaderMap, d: &Digest) -> bool {
    let want = d.to_string();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|t| t == want || t == "*")
}

fn blob_not_modified(d: &Digest) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NOT_MODIFIED;
    r.headers_mut()
        .insert(header::ETAG, hv(&format!("\"{d}\"")));
    r.headers_mut()
        .insert("docker-content-digest", hv(&d.to_string()));
    r
}

/// Parses a single `bytes=` range against `size`: `Ok(None)` = whole blob (no or unusable
/// header), `Err(())` = unsatisfiable.
fn parse_range(h: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(h) = h else { return Ok(None) };
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Err(());
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 || size == 0 {
            return Err(());
        }
        let n = n.min(size);
        return Ok(Some((size - n, size - 1)));
    }
    let start: u64 = a.parse().map_err(|_| ())?;
    if start >= size {
        return Err(());
    }
    let end = if b.is_empty() {
        size - 1
    } else {
        let e: u64 = b.parse().map_err(|_| ())?;
        if e < start {
            return Err(());
        }
        e.min(size - 1)
    };
    Ok(Some((start, end)))
}

async fn get_blob(
    st: &Arc<AppState>,
    name: String,
    digest: String,
    headers: &HeaderMap,
    head: bool,
) -> Response {
    let d = match Digest::parse(&digest) {
        Ok(d) => d,
        Err(_) => return layout_error(LayoutError::InvalidDigest(digest)),
    };
    let layout = st.layout.clone();
    let (n2, d2) = (name.clone(), d.clone());
    let size = match blocking(move || layout.repo_blob_stat(&n2, &d2)).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return layout_error(LayoutError::BlobUnknown {
                repo: Some(name),
                digest: d,
            });
        }
        Err(e) => return layout_error(e),
    };
    if etag_matches(headers, &d) {
        return blob_not_modified(&d);
    }
    let range_h = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match parse_range(range_h, size) {
        Ok(r) => r,
        Err(()) => {
            let mut r = (
                StatusCode::RANGE_NOT_SATISFIABLE,
                "invalid range: failed to overlap\n",
            )
                .into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            h.insert(header::CONTENT_RANGE, hv(&format!("bytes */{size}")));
            h.insert("docker-content-digest", hv(&d.to_string()));
            h.insert(header::ETAG, hv(&format!("\"{d}\"")));
            return r;
        }
    };
    let (status, len) = match range {
        Some((a, b)) => (StatusCode::PARTIAL_CONTENT, b - a + 1),
        None => (StatusCode::OK, size),
    };
    let body = if head {
        Body::empty()
    } else {
        let layout = st.layout.clone();
        let d2 = d.clone();
        let (file, n) = match blocking(move || layout.open_blob(&d2, range)).await {
            Ok(x) => x,
            Err(e) => return layout_error(e),
        };
        let file = tokio::fs::File::from_std(file).take(n);
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
            file,
            256 * 1024,
        ))
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, hv(&len.to_string()));
    h.insert("docker-content-digest", hv(&d.to_string()));
    h.insert(header::ETAG, hv(&format!("\"{d}\"")));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=31536000"),
    );
    if let Some((a, b)) = range {
        h.insert(header::CONTENT_RANGE, hv(&format!("bytes {a}-{b}/{size}")));
    }
    r
}

async fn delete_blob(st: &Arc<AppState>, name: String, digest: String) -> Response {
    let d = match Digest::parse(&digest) {
        Ok(d) => d,
        Err(_) => return layout_error(LayoutError::InvalidDigest(digest)),
    };
    let layout = st.layout.clone();
    let d2 = d.clone();
    match blocking(move || layout.unlink_blob(&name, &d2)).await {
        Ok(true) => empty(StatusCode::ACCEPTED, &[]),
        Ok(false) => layout_error(LayoutError::BlobUnknown {
            repo: None,
            digest: d,
        }),
        Err(e) => layout_error(e),
    }
}

// ---------------------------------------------------------------------------------------------
// uploads

/// The opaque `_state` query parameter of upload URLs (distribution signs its own; hoist keeps
/// no state in it and only tells "URL the server gave" from "URL made up by the client").
fn upload_state(name: &str, id: &str, size: u64) -> String {
    let json = serde_json::json!({ "Name": name, "UUID": id, "Offset": size }).to_string();
    base64::engine::general_purpose::URL_SAFE.encode(json)
}

fn upload_accepted(status: StatusCode, name: &str, id: &str, size: u64) -> Response {
    let end = size.saturating_sub(1);
    let state = query_escape(&upload_state(name, id, size));
    empty(
        status,
        &[
            (
                "location",
                format!("/v2/{name}/blobs/uploads/{id}?_state={state}"),
            ),
            ("range", format!("0-{end}")),
            ("docker-upload-uuid", id.to_string()),
        ],
    )
}

fn blob_created(name: &str, d: &Digest) -> Response {
    empty(
        StatusCode::CREATED,
        &[
            ("location", format!("/v2/{name}/blobs/{d}")),
            ("docker-content-digest", d.to_string()),
        ],
    )
}

/// Appends the request body to an upload's data file, streaming.
async fn append_body(path: &Path, body: Body) -> Result<(), Box<Response>> {
    let io_fail = |e: String| {
        Box::new(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN",
            Some(serde_json::json!(e)),
        ))
    };
    let f = tokio::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .await
        .map_err(|e| io_fail(format!("open {}: {e}", path.display())))?;
    let mut f = tokio::io::BufWriter::with_capacity(1 << 20, f);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Box::new(error(
                StatusCode::BAD_REQUEST,
                "BLOB_UPLOAD_INVALID",
                Some(serde_json::json!(e.to_string())),
            ))
        })?;
        f.write_all(&chunk)
            .await
            .map_err(|e| io_fail(format!("write {}: {e}", path.display())))?;
    }
    f.flush()
        .await
        .map_err(|e| io_fail(format!("write {}: {e}", path.display())))?;
    Ok(())
}

async fn start_upload(
    st: &Arc<AppState>,
    name: String,
    query: Option<&str>,
    req: Request,
) -> Response {
    if let (Some(mount), Some(from)) = (query_param(query, "mount"), query_param(query, "from"))
        && let Ok(d) = Digest::parse(&mount)
        && is_valid_repo_name(&from)
    {
        let layout = st.layout.clone();
        let (n2, d2) = (name.clone(), d.clone());
        let mounted = blocking(move || {
            if layout.repo_blob_stat(&from, &d2)?.is_some() {
                layout.link_blob(&n2, &d2)?;
                Ok(true)
            } else {
                Ok(false)
            }
        })
        .await;
        match mounted {
            Ok(true) => return blob_created(&name, &d),
            Ok(false) => {}
            Err(e) => return layout_error(e),
        }
    }
    let layout = st.layout.clone();
    let n2 = name.clone();
    let id = match blocking(move || layout.start_upload(&n2)).await {
        Ok(id) => id,
        Err(e) => return layout_error(e),
    };
    if let Some(ds) = query_param(query, "digest") {
        return finish(st, name, id, Some(ds), req.into_body()).await;
    }
    upload_accepted(StatusCode::ACCEPTED, &name, &id, 0)
}

async fn upload_status(st: &Arc<AppState>, name: String, id: String) -> Response {
    let layout = st.layout.clone();
    let (n2, i2) = (name.clone(), id.clone());
    match blocking(move || layout.upload_size(&n2, &i2)).await {
        Ok(size) => upload_accepted(StatusCode::NO_CONTENT, &name, &id, size),
        Err(e) => layout_error(e),
    }
}

async fn patch_upload(st: &Arc<AppState>, name: String, id: String, req: Request) -> Response {
    let layout = st.layout.clone();
    let (n2, i2) = (name.clone(), id.clone());
    let size = match blocking(move || layout.upload_size(&n2, &i2)).await {
        Ok(s) => s,
        Err(e) => return layout_error(e),
    };
    // Like distribution 2.8, a PATCH appends whatever Content-Range says.
    let path = match st.layout.upload_data_path(&name, &id) {
        Ok(p) => p,
        Err(e) => return layout_error(e),
    };
    if let Err(r) = append_body(&path, req.into_body()).await {
        return *r;
    }
    let new_size = tokio::fs::metadata(&path)
        .await
        .map(|m| m.len())
        .unwrap_or(size);
    upload_accepted(StatusCode::ACCEPTED, &name, &id, new_size)
}

async fn put_upload(
    st: &Arc<AppState>,
    name: String,
    id: String,
    query: Option<&str>,
    req: Request,
) -> Response {
    let layout = st.layout.clone();
    let (n2, i2) = (name.clone(), id.clone());
    if let Err(e) = blocking(move || layout.upload_size(&n2, &i2)).await {
        return layout_error(e);
    }
    finish(st, name, id, query_param(query, "digest"), req.into_body()).await
}

/// Appends `body` to the upload, then verifies and commits it under `digest`.
async fn finish(
    st: &Arc<AppState>,
    name: String,
    id: String,
    digest: Option<String>,
    body: Body,
) -> Response {
    let cancel = |st: &Arc<AppState>, name: &str, id: &str| {
        let _ = st.layout.cancel_upload(name, id);
    };
    let d = match digest.as_deref().map(Digest::parse) {
        Some(Ok(d)) => d,
        Some(Err(_)) | None => {
            cancel(st, &name, &id);
            return error(
                StatusCode::BAD_REQUEST,
                "DIGEST_INVALID",
                Some(serde_json::json!(
                    digest.unwrap_or_else(|| "digest missing".to_string())
                )),
            );
        }
    };
    let path = match st.layout.upload_data_path(&name, &id) {
        Ok(p) => p,
        Err(e) => return layout_error(e),
    };
    if let Err(r) = append_body(&path, body).await {
        return *r;
    }
    let layout = st.layout.clone();
    let (n2, d2) = (name.clone(), d.clone());
    match blocking(move || layout.finish_upload(&n2, &id, &d2)).await {
        Ok(info) => blob_created(&name, &info.digest),
        Err(e) => layout_error(e),
    }
}

async fn cancel_upload(st: &Arc<AppState>, name: String, id: String) -> Response {
    let layout = st.layout.clone();
    let i2 = id.clone();
    match blocking(move || layout.cancel_upload(&name, &i2)).await {
        Ok(true) => empty(StatusCode::NO_CONTENT, &[("docker-upload-uuid", id)]),
        Ok(false) => error(StatusCode::NOT_FOUND, "BLOB_UPLOAD_UNKNOWN", None),
        Err(e) => layout_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-4"), 10), Ok(Some((0, 4))));
        assert_eq!(parse_range(Some("bytes=5-"), 10), Ok(Some((5, 9))));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some((7, 9))));
        assert_eq!(parse_range(Some("bytes=8-100"), 10), Ok(Some((8, 9))));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=4-2"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Ok(None));
    }

    #[test]
    fn query() {
        assert_eq!(
            query_param(Some("mount=sha256%3Aab&from=a%2Fb"), "from").as_deref(),
            Some("a/b")
        );
        assert_eq!(query_param(Some("n=2"), "last"), None);
        assert_eq!(query_param(Some("x=%é&y=%"), "x").as_deref(), Some("%é"));
        assert_eq!(query_param(Some("y=a%"), "y").as_deref(), Some("a%"));
        assert_eq!(query_escape("team/app b"), "team%2Fapp+b");
    }
}
