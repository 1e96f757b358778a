//! Chart loading (`pkg/chart/loader`, `pkg/chart/v2/loader`): directories (with `.helmignore`)
//! and archives, sorted into a [`Chart`] with Helm's error texts.

use crate::archive::{
    self, ArchiveError, BufferedFile, MAX_DECOMPRESSED_FILE_SIZE, load_archive_files,
};
use crate::chart::{Chart, File};
use crate::error::{ChartError, go_errno_text, path_error};
use crate::ignore::{HELM_IGNORE, Rules};
use crate::metadata::{API_VERSION_V1, API_VERSION_V2, Lock, Metadata};
use crate::{values, yaml};
use hoist_gotmpl::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

fn load_err(s: impl Into<String>) -> ChartError {
    ChartError::Load(s.into())
}

/// Helm's `loader.Load`: a chart directory or a chart archive (`.tgz`).
pub fn load(path: impl AsRef<Path>) -> Result<Chart, ChartError> {
    let path = path.as_ref();
    let name = path.to_string_lossy();
    let md = std::fs::metadata(path).map_err(|e| load_err(path_error("stat", &name, &e)))?;
    if md.is_dir() {
        load_dir(path)
    } else {
        load_file(path)
    }
}

/// Go's `filepath.Abs` (cleaned, not resolving symlinks).
fn abs_path(p: &Path) -> Result<PathBuf, ChartError> {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| load_err(go_errno_text(&e)))?
            .join(p)
    };
    Ok(PathBuf::from(archive::clean_path(
        &joined.to_string_lossy(),
    )))
}

/// Checks the apiVersion in Chart.yaml the way the version-dispatching loader does.
fn check_api_version(data: &[u8]) -> Result<(), ChartError> {
    let doc = yaml::unmarshal(&String::from_utf8_lossy(data))
        .map_err(|e| load_err(format!("cannot load Chart.yaml: {e}")))?;
    let api = match &doc {
        Value::Map(d) => {
            let m = d.borrow();
            let v = m
                .get("apiVersion")
                .or_else(|| {
                    m.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("apiVersion"))
                        .map(|(_, v)| v)
                })
                .cloned();
            match v {
                None | Some(Value::Nil) => String::new(),
                Some(Value::String(s)) => s.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Float(f)) => yaml::format_float32(f),
                Some(other) => {
                    return Err(load_err(format!(
                        "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field chartBase.apiVersion of type string",
                        if matches!(other, Value::List(_)) {
                            "array"
                        } else {
                            "object"
                        }
                    )));
                }
            }
        }
        Value::Nil => String::new(),
        other => {
            let kind = match other {
                Value::List(_) => "array",
                Value::Bool(_) => "bool",
                Value::String(_) => "string",
                _ => "number",
            };
            return Err(load_err(format!(
                "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type loader.chartBase"
            )));
        }
    };
    match api.as_str() {
        "" | API_VERSION_V1 | API_VERSION_V2 => Ok(()),
        "v3" => Err(load_err("invalid chart apiVersion")),
        _ => Err(load_err("unsupported chart version")),
    }
}

/// Loads a chart directory.
pub fn load_dir(dir: &Path) -> Result<Chart, ChartError> {
    let topdir = abs_path(dir)?;
    let chart_yaml = topdir.join("Chart.yaml");
    let data = std::fs::read(&chart_yaml).map_err(|e| {
        let p = chart_yaml.to_string_lossy();
        load_err(format!(
            "unable to detect chart at {p}: {}",
            path_error("open", &p, &e)
        ))
    })?;
    check_api_version(&data)?;
    let files = read_dir_files(&topdir)?;
    load_files(files)
}

/// Reads every file of a chart directory: lexical walk following symlinks, `.helmignore` plus
/// the implicit `templates/.?*` rule, BOM stripped, 5 MiB per file, no irregular files.
pub fn read_dir_files(topdir: &Path) -> Result<Vec<BufferedFile>, ChartError> {
    let mut rules = Rules::empty();
    let ifile = topdir.join(HELM_IGNORE);
    if ifile.exists() {
        let data = std::fs::read(&ifile)
            .map_err(|e| load_err(path_error("open", &ifile.to_string_lossy(), &e)))?;
        rules = Rules::parse(&data).map_err(|e| load_err(e.to_string()))?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    let top = topdir.to_string_lossy().into_owned();
    walk_dir(topdir, &top, "", &rules, &mut files, 0)?;
    Ok(files)
}

fn walk_dir(
    dir: &Path,
    dir_name: &str,
    rel: &str,
    rules: &Rules,
    files: &mut Vec<BufferedFile>,
    depth: usize,
) -> Result<(), ChartError> {
    if depth > 255 {
        return Err(load_err(format!(
            "open {dir_name}: too many levels of symbolic links"
        )));
    }
    let rd = std::fs::read_dir(dir).map_err(|e| load_err(path_error("open", dir_name, &e)))?;
    let mut names: Vec<std::ffi::OsString> = Vec::new();
    for ent in rd {
        let ent = ent.map_err(|e| load_err(path_error("readdirent", dir_name, &e)))?;
        names.push(ent.file_name());
    }
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    for name in names {
        let name_s = name.to_string_lossy();
        let path = dir.join(&name);
        let full = format!("{dir_name}/{name_s}");
        let n = if rel.is_empty() {
            name_s.to_string()
        } else {
            format!("{rel}/{name_s}")
        };
        let mut md = std::fs::symlink_metadata(&path)
            .map_err(|e| load_err(path_error("lstat", &full, &e)))?;
        let mut base_name = name_s.to_string();
        if md.file_type().is_symlink() {
            let resolved = std::fs::canonicalize(&path).map_err(|e| {
                load_err(format!(
                    "error evaluating symlink {full}: {}",
                    path_error("lstat", &full, &e)
                ))
            })?;
            md = std::fs::symlink_metadata(&resolved)
                .map_err(|e| load_err(path_error("lstat", &resolved.to_string_lossy(), &e)))?;
            if let Some(b) = resolved.file_name() {
                base_name = b.to_string_lossy().into_owned();
            }
        }
        if md.is_dir() {
            if rules.ignore(&n, true) {
                continue;
            }
            walk_dir(&path, &full, &n, rules, files, depth + 1)?;
            continue;
        }
        if rules.ignore(&n, false) {
            continue;
        }
        if !md.is_file() {
            return Err(load_err(format!(
                "cannot load irregular file {full} as it has file mode type bits set"
            )));
        }
        if md.len() > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(load_err(format!(
                "chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                hoist_gotmpl::gofmt::quote(&base_name)
            )));
        }
        let mut data = std::fs::read(&path).map_err(|e| {
            load_err(format!(
                "error reading {n}: {}",
                path_error("open", &full, &e)
            ))
        })?;
        if data.starts_with(b"\xEF\xBB\xBF") {
            data.drain(..3);
        }
        files.push(BufferedFile { name: n, data });
    }
    Ok(())
}

/// Loads a chart archive file.
pub fn load_file(path: &Path) -> Result<Chart, ChartError> {
    let name = path.to_string_lossy().into_owned();
    let md = std::fs::metadata(path).map_err(|e| load_err(path_error("stat", &name, &e)))?;
    if md.is_dir() {
        return Err(load_err("cannot load a directory"));
    }
    let raw = std::fs::read(path).map_err(|e| load_err(path_error("open", &name, &e)))?;
    archive::ensure_archive(&name, &raw[..raw.len().min(512)]).map_err(load_err)?;
    let files = match load_archive_files(&raw) {
        Ok(f) => f,
        Err(ArchiveError::GzipHeader) => {
            return Err(load_err(format!(
                "file '{name}' does not appear to be a valid chart file (details: gzip: invalid header)"
            )));
        }
        Err(ArchiveError::Other(_)) => return Err(load_err("unable to load chart archive")),
    };
    match files.iter().find(|f| f.name == "Chart.yaml") {
        Some(f) => check_api_version(&f.data)?,
        None => {
            return Err(load_err(
                "unable to detect chart version, no Chart.yaml found",
            ));
        }
    }
    load_files(files)
}

/// Loads a chart from archive bytes (a `.tgz` in `charts/`, or an SDK stream).
pub fn load_archive(data: &[u8]) -> Result<Chart, ChartError> {
    let files = load_archive_files(data).map_err(|e| load_err(e.to_string()))?;
    load_files(files)
}

fn file(f: BufferedFile) -> File {
    File {
        name: f.name,
        data: Rc::from(f.data),
    }
}

/// Helm's `LoadFiles`: sorts files into metadata, lock, values, schema, templates, subcharts
/// and other files; validates the metadata; loads subcharts recursively.
pub fn load_files(files: Vec<BufferedFile>) -> Result<Chart, ChartError> {
    let mut metadata: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            let doc = yaml::unmarshal(&String::from_utf8_lossy(&f.data))
                .map_err(|e| load_err(format!("cannot load Chart.yaml: {e}")))?;
            let md = metadata.get_or_insert_with(Metadata::default);
            md.decode_into(&doc).map_err(|e| {
                load_err(format!(
                    "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: {e}"
                ))
            })?;
            if md.api_version.is_empty() {
                md.api_version = API_VERSION_V1.into();
            }
        }
    }
    let mut chart = Chart::new(Metadata::default());
    let mut lock: Option<Lock> = None;
    let mut subcharts: BTreeMap<String, Vec<BufferedFile>> = BTreeMap::new();
    let decode_lock = |data: &[u8], what: &str| -> Result<Lock, ChartError> {
        let doc = yaml::unmarshal(&String::from_utf8_lossy(data))
            .map_err(|e| load_err(format!("cannot load {what}: {e}")))?;
        Lock::decode(&doc).map_err(|e| {
            load_err(format!(
                "cannot load {what}: error unmarshaling JSON: while decoding JSON: {e}"
            ))
        })
    };
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => lock = Some(decode_lock(&f.data, "Chart.lock")?),
            "values.yaml" => {
                let v = values::load_values(&f.data)
                    .map_err(|e| load_err(format!("cannot load values.yaml: {e}")))?;
                chart.values = v;
                chart.raw_values = Some(Rc::from(f.data));
            }
            "values.schema.json" => chart.schema = Some(Rc::from(f.data)),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                let doc = yaml::unmarshal(&String::from_utf8_lossy(&f.data))
                    .map_err(|e| load_err(format!("cannot load requirements.yaml: {e}")))?;
                md.decode_into(&doc).map_err(|e| {
                    load_err(format!(
                        "cannot load requirements.yaml: error unmarshaling JSON: while decoding JSON: {e}"
                    ))
                })?;
                if md.api_version == API_VERSION_V1 {
                    chart.files.push(file(f));
                }
            }
            "requirements.lock" => {
                lock = Some(decode_lock(&f.data, "requirements.lock")?);
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version == API_VERSION_V1 {
                    chart.files.push(file(f));
                }
            }
            n if n.starts_with("templates/") => chart.templates.push(file(f)),
            n if n.starts_with("charts/") => {
                if ext(n) == ".prov" {
                    chart.files.push(file(f));
                    continue;
                }
                let fname = &n["charts/".len()..];
                let cname = fname.split('/').next().unwrap_or("").to_string();
                let fname = fname.to_string();
                subcharts.entry(cname).or_default().push(BufferedFile {
                    name: fname,
                    data: f.data,
                });
            }
            _ => chart.files.push(file(f)),
        }
    }
    let Some(mut md) = metadata else {
        return Err(load_err("Chart.yaml file is missing"));
    };
    md.validate().map_err(|e| load_err(e.to_string()))?;
    chart.metadata = md;
    chart.lock = lock;

    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let result = if ext(&n) == ".tgz" {
            let first = &files[0];
            if first.name != n {
                return Err(load_err(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    chart.name(),
                    first.name
                )));
            }
            load_archive(&first.data)
        } else {
            let buff: Vec<BufferedFile> = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| BufferedFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(buff)
        };
        match result {
            Ok(sc) => chart.dependencies.push(sc),
            Err(e) => {
                return Err(load_err(format!(
                    "error unpacking subchart {n} in {}: {}",
                    chart.name(),
                    e.message()
                )));
            }
        }
    }
    chart.refresh_paths();
    Ok(chart)
}

/// Go's `filepath.Ext`.
fn ext(name: &str) -> &str {
    let base_start = name.rfind('/').map_or(0, |i| i + 1);
    match name[base_start..].rfind('.') {
        Some(i) => &name[base_start + i..],
        None => "",
    }
}
