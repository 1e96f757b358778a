//! Copy images between a registry and an OCI image layout directory.

use crate::client::{Client, media_type_from_json};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::reference::Reference;
use crate::{MEDIA_DOCKER_LIST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST};
use futures::stream::{self, StreamExt, TryStreamExt};
use std::path::Path;

/// Progress callbacks; the CLI turns them into progress bars. All methods default to no-ops.
pub trait Reporter: Send + Sync {
    /// A blob transfer starts.
    fn on_blob_start(&self, _digest: &str, _size: u64) {}
    /// Cumulative bytes transferred for `digest`.
    fn on_blob_progress(&self, _digest: &str, _bytes: u64) {}
    /// The blob transfer finished (verified).
    fn on_blob_done(&self, _digest: &str) {}
    /// The blob was already present at the destination and was not transferred.
    fn on_blob_skipped(&self, _digest: &str, _size: u64) {}
}

/// A reporter that ignores everything.
pub struct NoopReporter;
impl Reporter for NoopReporter {}

/// A target platform (`os/arch[/variant]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// The platform of this host (linux and the Go name of the CPU architecture).
    pub fn host() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            a => a,
        };
        Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: None,
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Self> {
        let p: Vec<&str> = s.split('/').collect();
        match p.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: (*os).into(),
                architecture: (*arch).into(),
                variant: None,
            }),
            [os, arch, v] if !os.is_empty() && !arch.is_empty() && !v.is_empty() => Ok(Platform {
                os: (*os).into(),
                architecture: (*arch).into(),
                variant: Some((*v).into()),
            }),
            _ => Err(Error::Manifest(format!(
                "invalid platform {s:?}: want os/arch[/variant]"
            ))),
        }
    }

    fn matches(&self, p: &serde_json::Value) -> bool {
        let g = |k: &str| p.get(k).and_then(|v| v.as_str());
        if g("os") != Some(&self.os) || g("architecture") != Some(&self.architecture) {
            return false;
        }
        match (&self.variant, g("variant")) {
            (Some(v), Some(pv)) => v == pv,
            (Some(v), None) => self.architecture == "arm64" && v == "v8",
            (None, _) => true,
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Options of [`pull`].
#[derive(Clone, Debug)]
pub struct PullOptions {
    /// Platform chosen from an index (default: [`Platform::host`]).
    pub platform: Option<Platform>,
    /// Also store the index blob itself (it is returned in [`PullResult::index_digest`]).
    pub keep_index: bool,
    /// Parallel blob downloads (default 4).
    pub max_concurrent: usize,
    /// Tag recorded as `org.opencontainers.image.ref.name` (default: the reference's tag, else none).
    pub ref_name: Option<String>,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            platform: None,
            keep_index: false,
            max_concurrent: 4,
            ref_name: None,
        }
    }
}

/// What [`pull`] stored.
#[derive(Clone, Debug)]
pub struct PullResult {
    pub manifest_digest: String,
    pub manifest_media_type: String,
    pub manifest_size: u64,
    pub config_digest: String,
    /// The index the manifest was chosen from, when the reference named an index.
    pub index_digest: Option<String>,
    /// Bytes downloaded (blobs already present excluded).
    pub bytes_downloaded: u64,
}

fn is_index(mt: &str) -> bool {
    mt == MEDIA_OCI_INDEX || mt == MEDIA_DOCKER_LIST
}

fn parse_json(what: &str, b: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(b).map_err(|source| Error::Json {
        path: what.to_string(),
        source,
    })
}

/// (digest, size) of the config and layers of an image manifest.
fn manifest_blobs(what: &str, m: &serde_json::Value) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    let desc = |d: &serde_json::Value| -> Result<(String, u64)> {
        let dg = d
            .get("digest")
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Manifest(format!("{what}: descriptor without digest")))?;
        crate::digest_hex(dg)?;
        Ok((
            dg.to_string(),
            d.get("size").and_then(|v| v.as_u64()).unwrap_or(0),
        ))
    };
    out.push(desc(m.get("config").ok_or_else(|| {
        Error::Manifest(format!("{what}: manifest without config"))
    })?)?);
    for l in m
        .get("layers")
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
    {
        out.push(desc(l)?);
    }
    Ok(out)
}

/// Pulls `reference` into the OCI layout at `dest` (created if needed). An index is resolved to
/// `opts.platform`'s manifest. Blobs already in the layout are skipped; each downloaded blob is
/// verified before it is renamed into place, so an interrupted pull leaves only temp files and
/// re-running completes it.
pub async fn pull(
    client: &Client,
    reference: &Reference,
    dest: &Path,
    opts: &PullOptions,
    reporter: &dyn Reporter,
) -> Result<PullResult> {
    let layout = Layout::create(dest)?;
    layout.clean_temp_files();
    let top = client.get_manifest(reference).await?;
    let (manifest, index_digest) = if is_index(&top.media_type) {
        let platform = opts.platform.clone().unwrap_or_else(Platform::host);
        let idx = parse_json(&format!("index of {reference}"), &top.bytes)?;
        let chosen = idx
            .get("manifests")
            .and_then(|m| m.as_array())
            .into_iter()
            .flatten()
            .find(|d| d.get("platform").is_some_and(|p| platform.matches(p)))
            .and_then(|d| d.get("digest").and_then(|v| v.as_str()))
            .ok_or_else(|| Error::NoPlatform {
                platform: platform.to_string(),
                reference: reference.to_string(),
            })?
            .to_string();
        let m = client.get_manifest_ref(reference, &chosen).await?;
        if opts.keep_index {
            layout.write_blob(&top.bytes)?;
        }
        (m, Some(top.digest.clone()))
    } else {
        (top, None)
    };
    if is_index(&manifest.media_type) {
        return Err(Error::Manifest(format!(
            "{reference}: nested index is not supported"
        )));
    }
    let what = format!("manifest of {reference}");
    let mj = parse_json(&what, &manifest.bytes)?;
    let blobs = manifest_blobs(&what, &mj)?;
    let config_digest = blobs[0].0.clone();
    let mut todo = Vec::new();
    for (d, s) in &blobs {
        if layout.has_blob(d, Some(*s))? {
            reporter.on_blob_skipped(d, *s);
        } else if !todo.iter().any(|(x, _): &(String, u64)| x == d) {
            todo.push((d.clone(), *s));
        }
    }
    let downloaded: u64 = todo.iter().map(|(_, s)| *s).sum();
    let layout_ref = &layout;
    stream::iter(todo.into_iter().map(|(d, s)| async move {
        reporter.on_blob_start(&d, s);
        let path = layout_ref.blob_path(&d)?;
        client
            .get_blob_to_file(reference, &d, Some(s), &path, &|n| {
                reporter.on_blob_progress(&d, n)
            })
            .await?;
        reporter.on_blob_done(&d);
        Ok::<(), Error>(())
    }))
    .buffer_unordered(opts.max_concurrent.max(1))
    .try_collect::<Vec<()>>()
    .await?;
    layout.write_blob(&manifest.bytes)?;
    let ref_name = opts.ref_name.clone().or_else(|| reference.tag.clone());
    layout.add_to_index(
        &manifest.media_type,
        &manifest.digest,
        manifest.bytes.len() as u64,
        ref_name.as_deref(),
    )?;
    Ok(PullResult {
        manifest_digest: manifest.digest,
        manifest_media_type: manifest.media_type,
        manifest_size: manifest.bytes.len() as u64,
        config_digest,
        index_digest,
        bytes_downloaded: downloaded,
    })
}

/// Options of [`push`].
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Parallel blob uploads (default 4).
    pub max_concurrent: usize,
    /// Repository on the same registry to try cross-repo mounts from.
    pub mount_from: Option<String>,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            max_concurrent: 4,
            mount_from: None,
        }
    }
}

/// What [`push`] did.
#[derive(Clone, Debug)]
pub struct PushResult {
    /// Digest of the top-level manifest (or index) pushed.
    pub manifest_digest: String,
    pub bytes_uploaded: u64,
}

/// Pushes the image named `manifest_ref` (a ref name or digest in `index.json`; `None`: the only
/// image) from the OCI layout `src` to `dest`. Missing blobs are uploaded (HEAD first) in parallel,
/// then the manifest; for an index, each child manifest present in the layout, then the index.
pub async fn push(
    client: &Client,
    src: &Path,
    manifest_ref: Option<&str>,
    dest: &Reference,
    opts: &PushOptions,
    reporter: &dyn Reporter,
) -> Result<PushResult> {
    let layout = Layout::open(src)?;
    let (mt, digest, _) = layout.find(manifest_ref)?;
    let top = layout.read_blob(&digest)?;
    let mt = if mt.is_empty() {
        media_type_from_json(&top)
    } else {
        mt
    };
    let mut uploaded = 0;
    if is_index(&mt) {
        let idx = parse_json(&format!("index {digest}"), &top)?;
        for d in idx
            .get("manifests")
            .and_then(|m| m.as_array())
            .into_iter()
            .flatten()
        {
            let Some(cd) = d.get("digest").and_then(|v| v.as_str()) else {
                continue;
            };
            if !layout.has_blob(cd, None)? {
                continue;
            }
            let bytes = layout.read_blob(cd)?;
            let cmt = d
                .get("mediaType")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| media_type_from_json(&bytes));
            uploaded += push_image(client, &layout, &bytes, &cmt, cd, dest, opts, reporter).await?;
        }
        let tag = dest.tag.as_deref().unwrap_or(&digest);
        client.put_manifest(dest, tag, &top, &mt).await?;
    } else {
        let tag = dest.tag.clone().unwrap_or_else(|| digest.clone());
        uploaded += push_image(client, &layout, &top, &mt, &tag, dest, opts, reporter).await?;
    }
    Ok(PushResult {
        manifest_digest: digest,
        bytes_uploaded: uploaded,
    })
}

#[allow(clippy::too_many_arguments)]
async fn push_image(
    client: &Client,
    layout: &Layout,
    manifest: &[u8],
    mt: &str,
    tag: &str,
    dest: &Reference,
    opts: &PushOptions,
    reporter: &dyn Reporter,
) -> Result<u64> {
    let what = format!("manifest for {dest}");
    let mj = parse_json(&what, manifest)?;
    let mut blobs = manifest_blobs(&what, &mj)?;
    blobs.dedup();
    let total = stream::iter(blobs.into_iter().map(|(d, s)| async move {
        if client.blob_exists(dest, &d).await?.is_some() {
            reporter.on_blob_skipped(&d, s);
            return Ok::<u64, Error>(0);
        }
        if let Some(from) = &opts.mount_from
            && client.mount_blob(dest, &d, from).await?
        {
            reporter.on_blob_skipped(&d, s);
            return Ok(0);
        }
        let path = layout.blob_path(&d)?;
        if !layout.has_blob(&d, Some(s))? {
            return Err(Error::NotFound {
                what: format!("blob {d} ({} bytes) in {}", s, layout.root().display()),
            });
        }
        reporter.on_blob_start(&d, s);
        client
            .push_blob_file(dest, &d, s, &path, &|n| reporter.on_blob_progress(&d, n))
            .await?;
        reporter.on_blob_done(&d);
        Ok(s)
    }))
    .buffer_unordered(opts.max_concurrent.max(1))
    .try_fold(0u64, |a, b| async move { Ok(a + b) })
    .await?;
    let mt = if mt.is_empty() {
        MEDIA_OCI_MANIFEST
    } else {
        mt
    };
    client.put_manifest(dest, tag, manifest, mt).await?;
    Ok(total)
}
