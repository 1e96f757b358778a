//! The images a build context needs, listed as sealos does before `sealos build`
//! (labring/sealos `lifecycle/pkg/sreg/buildimage/{images,chart,tar_images}.go`,
//! `manifests/utils.go`, and `lifecycle/pkg/buildah/imagesaver.go` for `.sealignore`):
//!
//! - `charts/`: each depth-1 directory or name ending in `tgz`, rendered with release name
//!   `dryrun` and values from `charts/<chart name>.values.yaml` when present; every rendered line
//!   scanned;
//! - `manifests/`: every `*.yaml`, `*.yml`, `*.tmpl` (any depth), line-scanned;
//! - `images/shim/`: every line of every file (any depth), trimmed, blank and `#` lines skipped,
//!   quotes stripped; not parsed as references;
//! - union, sorted, minus the exact lines of `.sealignore`;
//! - `images/skopeo/tar.txt`: archive images, returned separately.
//!
//! The line scan: trim, skip lines starting with `#`, take the text after the first `image:`,
//! trim, strip one pair of matching quotes, parse with `ParseNormalizedNamed` and keep
//! `domain/path:tag` (`docker.io/library/` kept, a digest dropped when a tag is present);
//! unparsable values are ignored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// An `images/skopeo/tar.txt` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarImage {
    /// `docker-archive` or `oci-archive`
    pub transport: String,
    /// The archive, joined to `images/skopeo/`.
    pub path: PathBuf,
    /// The repository after `@`.
    pub name: String,
}

impl TarImage {
    /// `TRANSPORT:PATH@NAME`, as sealos passes it on.
    pub fn to_sealos_string(&self) -> String {
        format!("{}:{}@{}", self.transport, self.path.display(), self.name)
    }
}

/// What a context needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    /// Image references, sorted, after `.sealignore`.
    pub images: Vec<String>,
    /// Archive images from `images/skopeo/tar.txt`.
    pub tars: Vec<TarImage>,
}

/// Lists what `ctx` needs.
pub fn discover(ctx: &Path) -> Result<Discovered> {
    let mut all: BTreeSet<String> = BTreeSet::new();
    all.extend(chart_images(&ctx.join("charts"))?);
    all.extend(manifest_images(&ctx.join("manifests"))?);
    all.extend(shim_images(&ctx.join("images").join("shim"))?);
    let mut images: Vec<String> = all.into_iter().collect();
    let ignore = ctx.join(".sealignore");
    if !images.is_empty() && ignore.exists() {
        let lines = read_lines(&ignore)?;
        images.retain(|i| !lines.contains(i));
    }
    let tars = tar_images(ctx)?;
    Ok(Discovered { images, tars })
}

/// Go's `strings.TrimSpace`.
fn trim(s: &str) -> &str {
    s.trim_matches(char::is_whitespace)
}

/// sealos `TrimQuotes`.
fn trim_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 {
        let c = b[b.len() - 1];
        if b[0] == c && (c == b'"' || c == b'\'') {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// The reference on one line, if any (sealos `parseImageRefFromLine`).
pub fn image_from_line(line: &str) -> Option<String> {
    let s = trim(line);
    if s.starts_with('#') {
        return None;
    }
    let idx = s.find("image:")?;
    let img = trim_quotes(trim(&s[idx + "image:".len()..]));
    if img.is_empty() {
        return None;
    }
    hoist_oci::Reference::parse_name_only(img)
        .ok()
        .map(|r| sealos_form(&r))
}

/// What sealos's manifest scan keeps of a reference: `name:tag` when tagged (a digest is
/// dropped), else the whole reference (`pkg/sreg/buildimage/manifests/utils.go`).
pub fn sealos_form(r: &hoist_oci::Reference) -> String {
    match r.tag() {
        Some(t) => format!("{}:{t}", r.repository()),
        None => r.to_string(),
    }
}

/// Every image in a text (sealos `ParseImages`), sorted and unique.
pub fn images_in_text(text: &str) -> Vec<String> {
    let set: BTreeSet<String> = text.split('\n').filter_map(image_from_line).collect();
    set.into_iter().collect()
}

/// bufio `ReadLine` lines: split at `\n`, a trailing `\r` removed, no empty last line.
fn read_lines(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    if text.ends_with('\n') || text.is_empty() {
        lines.pop();
    }
    Ok(lines)
}

fn sorted_entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut v = rd
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    v.sort_by_key(|e| e.file_name());
    Ok(v)
}

/// Images of the charts under `dir` (sealos `ParseChartImages`).
pub fn chart_images(dir: &Path) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = BTreeSet::new();
    for e in sorted_entries(dir)? {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e
            .file_type()
            .map_err(|err| Error::io(e.path(), err))?
            .is_dir()
            || e.path().is_dir();
        if !is_dir && !name.ends_with("tgz") {
            continue;
        }
        out.extend(render_chart_images(&e.path())?);
    }
    Ok(out.into_iter().collect())
}

/// Renders one chart as sealos does (release `dryrun`, `<dir>/<chart name>.values.yaml`) and
/// scans the output.
pub fn render_chart_images(chart: &Path) -> Result<Vec<String>> {
    let fail = |message: String| Error::Chart {
        path: chart.to_path_buf(),
        message,
    };
    let loaded = hoist_chart::load(chart).map_err(|e| fail(e.to_string()))?;
    let parent = chart.parent().unwrap_or(Path::new("."));
    let values = parent.join(format!("{}.values.yaml", loaded.metadata.name));
    let mut opts = hoist_render::template::TemplateOptions {
        args: vec!["dryrun".into(), chart.to_string_lossy().into_owned()],
        ..Default::default()
    };
    if values.is_file() {
        opts.values
            .value_files
            .push(values.to_string_lossy().into_owned());
    }
    let outcome = hoist_render::template::run(&opts);
    if let Some(e) = outcome.error {
        return Err(fail(e));
    }
    Ok(images_in_text(&outcome.stdout))
}

/// Every file under `dir` (recursively, in file-name order), directories left out.
fn files_under(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let p = e.path().unwrap_or(dir).to_path_buf();
            Error::io(p, e.into())
        })?;
        if !entry.file_type().is_dir() {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// Images of `manifests/` (sealos `ParseYamlImages`).
pub fn manifest_images(dir: &Path) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = BTreeSet::new();
    for path in files_under(dir)? {
        let ext = path
            .extension()
            .map(|x| x.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "yaml" | "yml" | "tmpl") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        out.extend(images_in_text(&String::from_utf8_lossy(&bytes)));
    }
    Ok(out.into_iter().collect())
}

/// Lines of `images/shim/*` (sealos `ParseShimImages`).
pub fn shim_images(dir: &Path) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = BTreeSet::new();
    for path in files_under(dir)? {
        for line in read_lines(&path)? {
            let t = trim(&line);
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            out.insert(trim_quotes(t).to_string());
        }
    }
    Ok(out.into_iter().collect())
}

/// Entries of `images/skopeo/tar.txt` (sealos `TarList`).
pub fn tar_images(ctx: &Path) -> Result<Vec<TarImage>> {
    let dir = ctx.join("images").join("skopeo");
    let list = dir.join("tar.txt");
    if !list.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (i, line) in read_lines(&list)?.into_iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = |message: String| Error::ListLine {
            path: list.clone(),
            line: i + 1,
            message,
        };
        let Some((src, name)) = line.split_once('@') else {
            return Err(bad(format!("invalid image format: {line}")));
        };
        let Some((transport, file)) = src
            .split_once(':')
            .filter(|(t, _)| *t == "docker-archive" || *t == "oci-archive")
        else {
            return Err(bad(format!(
                "invalid image format: {line} , must prefix in docker-archive or oci-archive"
            )));
        };
        let joined = crate::glob::clean(&format!("{}/{file}", dir.to_string_lossy()));
        out.push(TarImage {
            transport: transport.to_string(),
            path: PathBuf::from(joined),
            name: name.to_string(),
        });
    }
    Ok(out)
}
