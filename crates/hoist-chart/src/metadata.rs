//! Chart.yaml (`Metadata`), its dependencies and maintainers, and Chart.lock, decoded Helm's way
//! (YAML → JSON → Go struct: unknown keys ignored, keys matched case-insensitively, scalars coerced
//! into string fields, Go's `json` type errors), validated with Helm's messages, and exposed to
//! templates as Helm v4's `.Chart` map.

use crate::yaml::format_float32;
use hoist_gotmpl::gofmt::quote;
use hoist_gotmpl::parse::is_print;
use hoist_gotmpl::{Dict, Map, MapKind, Value};
use std::collections::BTreeMap;

/// `apiVersion: v1`.
pub const API_VERSION_V1: &str = "v1";
/// `apiVersion: v2`.
pub const API_VERSION_V2: &str = "v2";

/// A chart maintainer.
#[derive(Debug, Clone, Default)]
pub struct Maintainer {
    /// `name`
    pub name: String,
    /// `email`
    pub email: String,
    /// `url`
    pub url: String,
}

/// A dependency declared in Chart.yaml (or requirements.yaml, or a lock file).
#[derive(Debug, Clone, Default)]
pub struct Dependency {
    /// `name`
    pub name: String,
    /// `version` (a semver range)
    pub version: String,
    /// `repository`
    pub repository: String,
    /// `condition`: comma-separated value paths.
    pub condition: String,
    /// `tags`
    pub tags: Option<Vec<String>>,
    /// `enabled`
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps (after processing: string maps).
    pub import_values: Option<Vec<Value>>,
    /// `alias`
    pub alias: String,
}

/// The contents of Chart.yaml.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// `name`
    pub name: String,
    /// `home`
    pub home: String,
    /// `sources`
    pub sources: Option<Vec<String>>,
    /// `version`
    pub version: String,
    /// `description`
    pub description: String,
    /// `keywords`
    pub keywords: Option<Vec<String>>,
    /// `maintainers` (`None` entries are YAML nulls, refused by [`Metadata::validate`]).
    pub maintainers: Option<Vec<Option<Maintainer>>>,
    /// `icon`
    pub icon: String,
    /// `apiVersion`
    pub api_version: String,
    /// `condition` (unused by Helm, kept for `.Chart.Condition`)
    pub condition: String,
    /// `tags` (a string; unused by Helm, kept for `.Chart.Tags`)
    pub tags: String,
    /// `appVersion`
    pub app_version: String,
    /// `deprecated`
    pub deprecated: bool,
    /// `annotations` (`None` is Go's nil map).
    pub annotations: Option<BTreeMap<String, String>>,
    /// `kubeVersion`
    pub kube_version: String,
    /// `dependencies` (`None` is a nil slice, which Helm treats differently from an empty one;
    /// `None` entries are YAML nulls, refused by [`Metadata::validate`]).
    pub dependencies: Option<Vec<Option<Dependency>>>,
    /// `type`: `""`, `application` or `library`.
    pub chart_type: String,
}

/// A Chart.lock / requirements.lock file.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    /// `generated`, as written.
    pub generated: String,
    /// `digest`
    pub digest: String,
    /// `dependencies`
    pub dependencies: Vec<Dependency>,
}

/// Helm's `ValidationError`: printed as `validation: <msg>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("validation: {0}")]
pub struct ValidationError(pub String);

/// Go's `*json.UnmarshalTypeError` text (`json: cannot unmarshal …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

/// Helm's `sanitizeString`: whitespace becomes a space, non-printable runes are removed.
/// (Go's `unicode.IsSpace` is the Unicode White_Space property, as `char::is_whitespace`.)
pub fn sanitize_string(s: &str) -> String {
    if s.chars()
        .all(|c| c == ' ' || (is_print(c) && !c.is_whitespace()))
    {
        return s.to_string();
    }
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_print(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

fn alias_ok(a: &str) -> bool {
    !a.is_empty()
        && a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Maintainer {
    fn validate(&mut self) {
        self.name = sanitize_string(&self.name);
        self.email = sanitize_string(&self.email);
        self.url = sanitize_string(&self.url);
    }

    fn as_map(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), Value::from(self.name.as_str()));
        m.insert("Email".into(), Value::from(self.email.as_str()));
        m.insert("URL".into(), Value::from(self.url.as_str()));
        Value::map(m)
    }
}

impl Dependency {
    /// Helm's `Dependency.Validate`: sanitises strings and checks the alias.
    pub fn validate(&mut self) -> Result<(), ValidationError> {
        self.name = sanitize_string(&self.name);
        self.version = sanitize_string(&self.version);
        self.repository = sanitize_string(&self.repository);
        self.condition = sanitize_string(&self.condition);
        if let Some(tags) = &mut self.tags {
            for t in tags.iter_mut() {
                *t = sanitize_string(t);
            }
        }
        if !self.alias.is_empty() && !alias_ok(&self.alias) {
            return Err(ValidationError(format!(
                "dependency {} has disallowed characters in the alias",
                quote(&self.name)
            )));
        }
        Ok(())
    }

    /// The dependency as `.Chart.Dependencies` shows it (Go field names).
    pub fn as_map(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), Value::from(self.name.as_str()));
        m.insert("Version".into(), Value::from(self.version.as_str()));
        m.insert("Repository".into(), Value::from(self.repository.as_str()));
        m.insert("Condition".into(), Value::from(self.condition.as_str()));
        m.insert("Tags".into(), str_list(&self.tags));
        m.insert("Enabled".into(), Value::Bool(self.enabled));
        m.insert(
            "ImportValues".into(),
            Value::list(self.import_values.clone().unwrap_or_default()),
        );
        m.insert("Alias".into(), Value::from(self.alias.as_str()));
        Value::map(m)
    }
}

/// A list of struct pointers as templates see it: each node as a map, a null node as nil.
fn nodes_list<T>(nodes: &Option<Vec<Option<T>>>, as_map: fn(&T) -> Value) -> Value {
    Value::list(
        nodes
            .iter()
            .flatten()
            .map(|n| n.as_ref().map(as_map).unwrap_or_default())
            .collect(),
    )
}

fn str_list(v: &Option<Vec<String>>) -> Value {
    Value::list(
        v.iter()
            .flatten()
            .map(|s| Value::from(s.as_str()))
            .collect(),
    )
}

impl Metadata {
    /// Helm's `Metadata.Validate`: sanitises strings and checks required fields, the version,
    /// the type, maintainers and dependencies (names and aliases unique).
    pub fn validate(&mut self) -> Result<(), ValidationError> {
        self.name = sanitize_string(&self.name);
        self.description = sanitize_string(&self.description);
        self.home = sanitize_string(&self.home);
        self.icon = sanitize_string(&self.icon);
        self.condition = sanitize_string(&self.condition);
        self.tags = sanitize_string(&self.tags);
        self.app_version = sanitize_string(&self.app_version);
        self.kube_version = sanitize_string(&self.kube_version);
        for list in [&mut self.sources, &mut self.keywords]
            .into_iter()
            .flatten()
        {
            for s in list.iter_mut() {
                *s = sanitize_string(s);
            }
        }
        let err = |s: String| Err(ValidationError(s));
        if self.api_version.is_empty() {
            return err("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return err("chart.metadata.name is required".into());
        }
        if self.name == "." || self.name == ".." {
            return err(format!(
                "chart.metadata.name {} is not allowed",
                quote(&self.name)
            ));
        }
        if self.name != crate::ignore::base(&self.name) {
            return err(format!(
                "chart.metadata.name {} is invalid",
                quote(&self.name)
            ));
        }
        if self.version.is_empty() {
            return err("chart.metadata.version is required".into());
        }
        if hoist_semver::Version::parse(&self.version).is_err() {
            return err(format!(
                "chart.metadata.version {} is invalid",
                quote(&self.version)
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return err("chart.metadata.type must be application or library".into());
        }
        for m in self.maintainers.iter_mut().flatten() {
            match m {
                None => return err("maintainers must not contain empty or null nodes".into()),
                Some(m) => m.validate(),
            }
        }
        let mut seen = std::collections::HashSet::new();
        for d in self.dependencies.iter_mut().flatten() {
            let Some(d) = d else {
                return err("dependencies must not contain empty or null nodes".into());
            };
            d.validate()?;
            let key = if d.alias.is_empty() {
                d.name.clone()
            } else {
                d.alias.clone()
            };
            if !seen.insert(key.clone()) {
                return err(format!(
                    "more than one dependency with name or alias {}",
                    quote(&key)
                ));
            }
        }
        Ok(())
    }

    /// True when Chart.yaml (or requirements.yaml) declares dependencies (Helm's
    /// `len(MetaDependencies()) > 0`).
    pub fn has_dependencies(&self) -> bool {
        self.dependencies.as_ref().is_some_and(|d| !d.is_empty())
    }

    /// The declared dependencies (null entries skipped).
    pub fn deps(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten().flatten()
    }

    /// The declared dependencies, mutably (null entries skipped).
    pub fn deps_mut(&mut self) -> impl Iterator<Item = &mut Dependency> {
        self.dependencies.iter_mut().flatten().flatten()
    }

    /// True for `type: library` (case-insensitive, as Helm's accessor compares).
    pub fn is_library(&self) -> bool {
        self.chart_type.eq_ignore_ascii_case("library")
    }

    /// Helm v4's `MetadataAsMap`: every field under its Go name. Helm's engine adds `IsRoot`.
    pub fn as_map(&self) -> Value {
        let mut m = Map::new();
        let s = |v: &str| Value::from(v);
        m.insert("Name".into(), s(&self.name));
        m.insert("Home".into(), s(&self.home));
        m.insert("Sources".into(), str_list(&self.sources));
        m.insert("Version".into(), s(&self.version));
        m.insert("Description".into(), s(&self.description));
        m.insert("Keywords".into(), str_list(&self.keywords));
        m.insert(
            "Maintainers".into(),
            nodes_list(&self.maintainers, Maintainer::as_map),
        );
        m.insert("Icon".into(), s(&self.icon));
        m.insert("APIVersion".into(), s(&self.api_version));
        m.insert("Condition".into(), s(&self.condition));
        m.insert("Tags".into(), s(&self.tags));
        m.insert("AppVersion".into(), s(&self.app_version));
        m.insert("Deprecated".into(), Value::Bool(self.deprecated));
        m.insert(
            "Annotations".into(),
            // Go keeps a nil map[string]string here (toJson prints null); the value model has no
            // typed nil map, so an absent map is an empty one (range, index and %v still match).
            Value::Map(hoist_gotmpl::Dict::with_kind(
                self.annotations
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect(),
                MapKind::StringMap,
            )),
        );
        m.insert("KubeVersion".into(), s(&self.kube_version));
        m.insert(
            "Dependencies".into(),
            nodes_list(&self.dependencies, Dependency::as_map),
        );
        m.insert("Type".into(), s(&self.chart_type));
        Value::map(m)
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding (sigs.k8s.io/yaml into a Go struct)

struct Ctx<'a> {
    strukt: &'a str,
    path: String,
    first: &'a mut Option<DecodeError>,
}

impl Ctx<'_> {
    fn fail(&mut self, v: &Value, go_type: &str) {
        if self.first.is_none() {
            *self.first = Some(DecodeError(format!(
                "json: cannot unmarshal {} into Go struct field {}.{} of type {go_type}",
                hoist_goyaml::json_type_name(v),
                self.strukt,
                self.path
            )));
        }
    }
}

/// sigs.k8s.io/yaml's scalar-to-string coercion for string targets, then Go's json decoding of
/// a string. `None` means "leave unchanged" (null).
fn dec_string(v: &Value, cx: &mut Ctx<'_>) -> Option<String> {
    match v {
        Value::Nil => None,
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Some(i.to_string()),
        Value::Float(f) => Some(yaml_number_string(*f)),
        other => {
            cx.fail(other, "string");
            None
        }
    }
}

/// The string sigs.k8s.io/yaml makes of a YAML number read into a string field: integers in
/// decimal, floats with `FormatFloat(f, 'g', -1, 32)`.
fn yaml_number_string(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        // YAML integers (yaml.v2 int): decimal. An integral float such as `1.0` prints "1" too.
        format!("{}", f as i64)
    } else {
        format_float32(f)
    }
}

fn dec_bool(v: &Value, cx: &mut Ctx<'_>) -> Option<bool> {
    match v {
        Value::Nil => None,
        Value::Bool(b) => Some(*b),
        other => {
            cx.fail(other, "bool");
            None
        }
    }
}

/// A `[]string`: `Some(None)` is a JSON null (nil slice).
fn dec_str_list(v: &Value, cx: &mut Ctx<'_>) -> Option<Option<Vec<String>>> {
    match v {
        Value::Nil => Some(None),
        Value::List(l) => {
            let mut out = Vec::with_capacity(l.len());
            for x in l.iter() {
                out.push(dec_string(x, cx).unwrap_or_default());
            }
            Some(Some(out))
        }
        other => {
            cx.fail(other, "[]string");
            None
        }
    }
}

/// Finds the field for a JSON key: exact match first, then a case-insensitive one.
fn field_for<'f>(fields: &[&'f str], key: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| f.eq_ignore_ascii_case(key)))
        .copied()
}

const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];

const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];

fn with_path<R>(
    cx: &mut Ctx<'_>,
    strukt: &str,
    field: &str,
    f: impl FnOnce(&mut Ctx<'_>) -> R,
) -> R {
    let path = if cx.path.is_empty() {
        field.to_string()
    } else {
        format!("{}.{field}", cx.path)
    };
    let mut sub = Ctx {
        strukt,
        path,
        first: cx.first,
    };
    f(&mut sub)
}

/// Stores a decoded field; a field that failed to decode (or was null) keeps its value.
fn assign<T>(dst: &mut T, decoded: Option<T>) {
    if let Some(v) = decoded {
        *dst = v;
    }
}

fn set_str(dst: &mut String, v: &Value, cx: &mut Ctx<'_>) {
    assign(dst, dec_string(v, cx));
}

/// Go's json decoding of the object `d` into the struct `strukt`: each key that names one of
/// `fields` (exactly, else case-insensitively) is decoded by `field`, with its path in `cx`.
fn each_field(
    d: &Dict,
    strukt: &str,
    fields: &[&'static str],
    cx: &mut Ctx<'_>,
    mut field: impl FnMut(&'static str, &Value, &mut Ctx<'_>),
) {
    for (k, x) in d.borrow().iter() {
        if let Some(f) = field_for(fields, k) {
            with_path(cx, strukt, f, |cx| field(f, x, cx));
        }
    }
}

/// [`each_field`] for a document's top-level struct; the first error is the result, as Go
/// reports it.
fn decode_fields(
    d: &Dict,
    strukt: &str,
    fields: &[&'static str],
    field: impl FnMut(&'static str, &Value, &mut Ctx<'_>),
) -> DecodeResult<()> {
    let mut first = None;
    let mut cx = Ctx {
        strukt,
        path: String::new(),
        first: &mut first,
    };
    each_field(d, strukt, fields, &mut cx, field);
    first.map_or(Ok(()), Err)
}

fn decode_maintainer(v: &Value, cx: &mut Ctx<'_>) -> Option<Option<Maintainer>> {
    match v {
        Value::Nil => Some(None),
        Value::Map(d) => {
            let mut m = Maintainer::default();
            each_field(d, "Maintainer", MAINTAINER_FIELDS, cx, |f, x, cx| match f {
                "name" => set_str(&mut m.name, x, cx),
                "email" => set_str(&mut m.email, x, cx),
                _ => set_str(&mut m.url, x, cx),
            });
            Some(Some(m))
        }
        other => {
            cx.fail(other, "v2.Maintainer");
            Some(None)
        }
    }
}

fn decode_dependency_cx(v: &Value, cx: &mut Ctx<'_>) -> Option<Dependency> {
    match v {
        Value::Nil => None,
        Value::Map(d) => {
            let mut dep = Dependency::default();
            each_field(d, "Dependency", DEPENDENCY_FIELDS, cx, |f, x, cx| match f {
                "name" => set_str(&mut dep.name, x, cx),
                "version" => set_str(&mut dep.version, x, cx),
                "repository" => set_str(&mut dep.repository, x, cx),
                "condition" => set_str(&mut dep.condition, x, cx),
                "alias" => set_str(&mut dep.alias, x, cx),
                "tags" => assign(&mut dep.tags, dec_str_list(x, cx)),
                "enabled" => assign(&mut dep.enabled, dec_bool(x, cx)),
                _ => match x {
                    Value::Nil => dep.import_values = None,
                    Value::List(l) => dep.import_values = Some(l.as_ref().clone()),
                    other => cx.fail(other, "[]interface {}"),
                },
            });
            Some(dep)
        }
        other => {
            cx.fail(other, "v2.Dependency");
            None
        }
    }
}

fn decode_dependency_list(v: &Value, cx: &mut Ctx<'_>) -> Option<Option<Vec<Option<Dependency>>>> {
    match v {
        Value::Nil => Some(None),
        Value::List(l) => Some(Some(
            l.iter().map(|x| decode_dependency_cx(x, cx)).collect(),
        )),
        other => {
            cx.fail(other, "[]*v2.Dependency");
            None
        }
    }
}

/// What Chart.yaml decoding produced.
pub(crate) type DecodeResult<T> = Result<T, DecodeError>;

fn top_level_error(v: &Value, go_type: &str) -> DecodeError {
    DecodeError(format!(
        "json: cannot unmarshal {} into Go value of type {go_type}",
        hoist_goyaml::json_type_name(v)
    ))
}

impl Metadata {
    /// Decodes a parsed Chart.yaml document into `self` (fields present in the document
    /// overwrite; as Go's json decoding into an existing struct does, used for requirements.yaml).
    pub fn decode_into(&mut self, doc: &Value) -> DecodeResult<()> {
        let d = match doc {
            Value::Nil => return Ok(()),
            Value::Map(d) => d,
            other => return Err(top_level_error(other, "v2.Metadata")),
        };
        decode_fields(d, "Metadata", METADATA_FIELDS, |f, x, cx| match f {
            "name" => set_str(&mut self.name, x, cx),
            "home" => set_str(&mut self.home, x, cx),
            "version" => set_str(&mut self.version, x, cx),
            "description" => set_str(&mut self.description, x, cx),
            "icon" => set_str(&mut self.icon, x, cx),
            "apiVersion" => set_str(&mut self.api_version, x, cx),
            "condition" => set_str(&mut self.condition, x, cx),
            "tags" => set_str(&mut self.tags, x, cx),
            "appVersion" => set_str(&mut self.app_version, x, cx),
            "kubeVersion" => set_str(&mut self.kube_version, x, cx),
            "type" => set_str(&mut self.chart_type, x, cx),
            "deprecated" => assign(&mut self.deprecated, dec_bool(x, cx)),
            "sources" => assign(&mut self.sources, dec_str_list(x, cx)),
            "keywords" => assign(&mut self.keywords, dec_str_list(x, cx)),
            "maintainers" => match x {
                Value::Nil => self.maintainers = None,
                Value::List(l) => {
                    let mut out = Vec::with_capacity(l.len());
                    for m in l.iter() {
                        out.push(decode_maintainer(m, cx).flatten());
                    }
                    self.maintainers = Some(out);
                }
                other => cx.fail(other, "[]*v2.Maintainer"),
            },
            "annotations" => match x {
                Value::Nil => self.annotations = None,
                Value::Map(a) => {
                    let mut out = self.annotations.take().unwrap_or_default();
                    for (ak, av) in a.borrow().iter() {
                        let s = dec_string(av, cx).unwrap_or_default();
                        out.insert(ak.clone(), s);
                    }
                    self.annotations = Some(out);
                }
                other => cx.fail(other, "map[string]string"),
            },
            _ => assign(&mut self.dependencies, decode_dependency_list(x, cx)),
        })
    }
}

impl Lock {
    /// Decodes a parsed Chart.lock / requirements.lock document.
    pub fn decode(doc: &Value) -> DecodeResult<Lock> {
        let mut lock = Lock::default();
        let d = match doc {
            Value::Nil => return Ok(lock),
            Value::Map(d) => d,
            other => return Err(top_level_error(other, "v2.Lock")),
        };
        const LOCK_FIELDS: &[&str] = &["generated", "digest", "dependencies"];
        decode_fields(d, "Lock", LOCK_FIELDS, |f, x, cx| match f {
            "generated" => set_str(&mut lock.generated, x, cx),
            "digest" => set_str(&mut lock.digest, x, cx),
            _ => {
                if let Some(l) = decode_dependency_list(x, cx) {
                    lock.dependencies = l.into_iter().flatten().flatten().collect();
                }
            }
        })?;
        Ok(lock)
    }
}
