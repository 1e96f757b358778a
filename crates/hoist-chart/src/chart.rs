//! The loaded chart: metadata, templates, values, schema, files and subcharts.

use crate::metadata::{Lock, Metadata};
use hoist_gotmpl::{Dict, Map, Value};
use std::rc::Rc;

/// A file of a chart: its path relative to the chart root (`/`-separated) and its bytes.
#[derive(Debug, Clone)]
pub struct File {
    /// `templates/x.yaml`, `README.md`, `crds/a.yaml` …
    pub name: String,
    /// The contents, with a leading UTF-8 BOM removed.
    pub data: Rc<[u8]>,
}

/// A chart and its subcharts (Helm's `chart.Chart`, apiVersion v1/v2).
#[derive(Debug, Clone)]
pub struct Chart {
    /// Chart.yaml (validated and sanitised).
    pub metadata: Metadata,
    /// Chart.lock (or requirements.lock).
    pub lock: Option<Lock>,
    /// Every file under `templates/`, in load order.
    pub templates: Vec<File>,
    /// The chart's default values (values.yaml, all documents merged). After
    /// [`process_dependencies`](crate::process_dependencies) it also holds imported values.
    pub values: Dict,
    /// The raw bytes of values.yaml (`helm show values`).
    pub raw_values: Option<Rc<[u8]>>,
    /// values.schema.json, raw.
    pub schema: Option<Rc<[u8]>>,
    /// Every other file (`.Files`): README, LICENSE, `crds/`, `.helmignore`, `charts/*.prov` …
    pub files: Vec<File>,
    /// Subcharts (loaded from `charts/`; after dependency processing: the enabled ones, aliases
    /// applied). Call [`Chart::refresh_paths`] after changing the tree by hand.
    pub dependencies: Vec<Chart>,
    /// This chart's position (Helm computes it through parent pointers).
    pos: ChartPos,
}

/// Where a chart sits in the tree, as Helm computes it through parent pointers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPos {
    /// `ChartFullPath`: `parent/charts/sub` (aliases used). Template names are
    /// `<full_path>/templates/x.yaml`.
    pub full_path: String,
    /// `ChartPath`: `parent.sub`.
    pub dot_path: String,
    /// True for the chart being installed.
    pub is_root: bool,
    /// 0 for the root.
    pub depth: usize,
}

impl Chart {
    /// An empty chart with this metadata (for tests and SDK use).
    pub fn new(metadata: Metadata) -> Self {
        Chart {
            metadata,
            lock: None,
            templates: Vec::new(),
            values: Dict::new(Map::new()),
            raw_values: None,
            schema: None,
            files: Vec::new(),
            dependencies: Vec::new(),
            pos: ChartPos {
                full_path: String::new(),
                dot_path: String::new(),
                is_root: true,
                depth: 0,
            },
        }
    }

    /// Recomputes every chart's position from this chart down, taking this chart as the root.
    /// Loading and [`process_dependencies`](crate::process_dependencies) do it already.
    pub fn refresh_paths(&mut self) {
        let pos = self.root_pos();
        self.set_pos(pos);
    }

    fn set_pos(&mut self, pos: ChartPos) {
        for d in self.dependencies.iter_mut() {
            let sub = Chart::sub_pos(&pos, d);
            d.set_pos(sub);
        }
        self.pos = pos;
    }

    /// Helm's `ChartFullPath`: `parent/charts/sub` (aliases applied).
    pub fn full_path(&self) -> &str {
        &self.pos.full_path
    }

    /// Helm's `ChartPath`: `parent.sub`.
    pub fn chart_path(&self) -> &str {
        &self.pos.dot_path
    }

    /// True for the root chart.
    pub fn is_root(&self) -> bool {
        self.pos.is_root
    }

    /// This chart's position in the tree.
    pub fn pos(&self) -> &ChartPos {
        &self.pos
    }

    /// The chart's name (after dependency processing, an alias if one was given).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The values as a [`Value`] map (shares the map).
    pub fn values_value(&self) -> Value {
        Value::Map(self.values.clone())
    }

    /// True for `type: library`.
    pub fn is_library(&self) -> bool {
        self.metadata.is_library()
    }

    /// Helm's `MetadataAsMap` (`.Chart` without `IsRoot`, which the engine adds): a fresh map.
    pub fn metadata_as_map(&self) -> Value {
        self.metadata.as_map()
    }

    /// `.Chart` as the engine builds it: [`metadata_as_map`](Self::metadata_as_map) plus `IsRoot`.
    pub fn chart_object(&self, is_root: bool) -> Value {
        let v = self.metadata.as_map();
        if let Value::Map(d) = &v {
            d.insert("IsRoot", Value::Bool(is_root));
        }
        v
    }

    /// The position of the root chart.
    pub fn root_pos(&self) -> ChartPos {
        ChartPos {
            full_path: self.name().to_string(),
            dot_path: self.name().to_string(),
            is_root: true,
            depth: 0,
        }
    }

    /// The position of a direct subchart `sub` of a chart at `self_pos`.
    pub fn sub_pos(self_pos: &ChartPos, sub: &Chart) -> ChartPos {
        ChartPos {
            full_path: format!("{}/charts/{}", self_pos.full_path, sub.name()),
            dot_path: format!("{}.{}", self_pos.dot_path, sub.name()),
            is_root: false,
            depth: self_pos.depth + 1,
        }
    }

    /// Visits this chart and every subchart depth-first (a chart before its dependencies, in
    /// dependency order), with each one's position.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Chart, &ChartPos)) {
        fn rec<'a>(c: &'a Chart, pos: &ChartPos, f: &mut dyn FnMut(&'a Chart, &ChartPos)) {
            f(c, pos);
            for d in &c.dependencies {
                rec(d, &Chart::sub_pos(pos, d), f);
            }
        }
        rec(self, &self.root_pos(), f);
    }

    /// Helm's `CRDObjects`: `crds/*.{yaml,yml,json}` (any case) of this chart, then of each
    /// subchart, as (`<chart full path>/crds/x.yaml`, file).
    pub fn crd_objects(&self) -> Vec<(String, &File)> {
        let mut out = Vec::new();
        self.walk(&mut |c, pos| {
            for f in &c.files {
                if f.name.starts_with("crds/") && has_manifest_extension(&f.name) {
                    out.push((format!("{}/{}", pos.full_path, f.name), f));
                }
            }
        });
        out
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let base = crate::ignore::base(name);
    match base.rfind('.') {
        Some(i) => {
            let ext = &base[i..];
            ext.eq_ignore_ascii_case(".yaml")
                || ext.eq_ignore_ascii_case(".yml")
                || ext.eq_ignore_ascii_case(".json")
        }
        None => false,
    }
}
