//! The Go objects Helm puts into render values: `.Capabilities` and `.Files`.

use std::cell::OnceCell;
use std::fmt;
use std::rc::Rc;

use base64::Engine as _;
use hoist_gotmpl::{FuncError, Map, Object, Value};

/// The group/versions Helm v4.2.3 reports offline (client-go v0.36's scheme, in its order).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities.KubeVersion`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// The full version as given (`v1.33.4-gke.1`).
    pub version: String,
    /// `vMAJOR.MINOR.PATCH`, used for constraints and `String()`.
    pub normalized: String,
    /// The major version.
    pub major: String,
    /// The minor version.
    pub minor: String,
}

impl KubeVersion {
    /// `vMAJOR.MINOR.0`
    pub fn new(major: u64, minor: u64) -> Self {
        let version = format!("v{major}.{minor}.0");
        KubeVersion {
            normalized: version.clone(),
            version,
            major: major.to_string(),
            minor: minor.to_string(),
        }
    }

    /// Helm's `ParseKubeVersion` (k8s `ParseGeneric`: `[v]MAJOR.MINOR[.PATCH][-pre][+meta]`).
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let rest = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let end = rest.find(['-', '+']).unwrap_or(rest.len());
        let parts: Vec<&str> = rest[..end].split('.').collect();
        let bad = || format!("could not parse {input:?} as version");
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let mut nums = Vec::new();
        for p in &parts {
            if p.is_empty()
                || !p.bytes().all(|b| b.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
            {
                return Err(bad());
            }
            nums.push(p.parse::<u64>().map_err(|_| bad())?);
        }
        let patch = nums.get(2).copied().unwrap_or(0);
        let version = if input.starts_with('v') {
            input.to_string()
        } else {
            format!("v{input}")
        };
        Ok(KubeVersion {
            version,
            normalized: format!("v{}.{}.{}", nums[0], nums[1], patch),
            major: nums[0].to_string(),
            minor: nums[1].to_string(),
        })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::string(&self.version)),
            "Major" => Some(Value::string(&self.major)),
            "Minor" => Some(Value::string(&self.minor)),
            _ => None,
        }
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(name, "String" | "GitVersion")
    }

    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, FuncError> {
        match name {
            "String" => Ok(Value::string(&self.normalized)),
            _ => Ok(Value::string(&self.version)),
        }
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(&self.normalized)
    }

    fn to_data(&self) -> Option<Value> {
        let mut m = Map::new();
        m.insert("Version".into(), Value::string(&self.version));
        m.insert("Major".into(), Value::string(&self.major));
        m.insert("Minor".into(), Value::string(&self.minor));
        Some(Value::map(m))
    }
}

/// `.Capabilities.APIVersions`
#[derive(Debug, Clone)]
pub struct VersionSet(pub Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }

    fn kind_name(&self) -> &str {
        "slice"
    }

    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }

    fn call_method(&self, _name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let want = match args {
            [Value::String(s)] => s,
            [other] => {
                return Err(FuncError::new(format!(
                    "wrong type for value; expected string; got {}",
                    other.type_name()
                )));
            }
            _ => {
                return Err(FuncError::new(format!(
                    "wrong number of args for Has: want 1 got {}",
                    args.len()
                )));
            }
        };
        Ok(Value::Bool(self.0.iter().any(|v| v == &**want)))
    }

    fn index(&self, key: &Value) -> Option<Value> {
        let i = match key {
            Value::Int(i) | Value::Int64(i) => usize::try_from(*i).ok()?,
            _ => return None,
        };
        self.0.get(i).map(Value::string)
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_char('[')?;
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            f.write_str(v)?;
        }
        f.write_char(']')
    }

    fn is_truthy(&self) -> bool {
        !self.0.is_empty()
    }

    fn to_data(&self) -> Option<Value> {
        Some(Value::list(self.0.iter().map(Value::string).collect()))
    }
}

/// `.Capabilities.HelmVersion` (Helm's `version.BuildInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmVersion {
    /// `Version`
    pub version: String,
    /// `GitCommit`
    pub git_commit: String,
    /// `GitTreeState`
    pub git_tree_state: String,
    /// `GoVersion`
    pub go_version: String,
    /// `KubeClientVersion`
    pub kube_client_version: String,
}

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }

    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::string(match name {
            "Version" => &self.version,
            "GitCommit" => &self.git_commit,
            "GitTreeState" => &self.git_tree_state,
            "GoVersion" => &self.go_version,
            "KubeClientVersion" => &self.kube_client_version,
            _ => return None,
        }))
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(
            f,
            "{{{} {} {} {} {}}}",
            self.version,
            self.git_commit,
            self.git_tree_state,
            self.go_version,
            self.kube_client_version
        )
    }

    fn to_data(&self) -> Option<Value> {
        // JSON tags with omitempty: version, git_commit, git_tree_state, go_version, kube_client_version.
        let mut m = Map::new();
        for (k, v) in [
            ("version", &self.version),
            ("git_commit", &self.git_commit),
            ("git_tree_state", &self.git_tree_state),
            ("go_version", &self.go_version),
            ("kube_client_version", &self.kube_client_version),
        ] {
            if !v.is_empty() {
                m.insert(k.into(), Value::string(v));
            }
        }
        Some(Value::map(m))
    }
}

/// `.Capabilities`
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// `KubeVersion`
    pub kube_version: Rc<KubeVersion>,
    /// `APIVersions`
    pub api_versions: Rc<VersionSet>,
    /// `HelmVersion`
    pub helm_version: Rc<HelmVersion>,
}

impl Capabilities {
    /// What Helm v4.2.3's SDK reports offline: Kubernetes v1.36.0 and Helm v4.2 built with Go 1.26.6.
    pub fn helm_default() -> Self {
        Capabilities {
            kube_version: Rc::new(KubeVersion::new(1, 36)),
            api_versions: Rc::new(VersionSet(
                DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
            )),
            helm_version: Rc::new(HelmVersion {
                version: "v4.2".into(),
                git_commit: String::new(),
                git_tree_state: String::new(),
                go_version: "go1.26.6".into(),
                kube_client_version: "v1.36".into(),
            }),
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }

    fn kind_name(&self) -> &str {
        "ptr"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube_version.clone())),
            "APIVersions" => Some(Value::Object(self.api_versions.clone())),
            "HelmVersion" => Some(Value::Object(self.helm_version.clone())),
            _ => None,
        }
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str("&{")?;
        write!(
            f,
            "{{{} {} {} {}}} ",
            self.kube_version.version,
            self.kube_version.normalized,
            self.kube_version.major,
            self.kube_version.minor
        )?;
        self.api_versions.fmt_value(f)?;
        f.write_char(' ')?;
        self.helm_version.fmt_value(f)?;
        f.write_char('}')
    }

    fn to_data(&self) -> Option<Value> {
        let mut m = Map::new();
        m.insert("KubeVersion".into(), self.kube_version.to_data()?);
        m.insert("APIVersions".into(), self.api_versions.to_data()?);
        m.insert("HelmVersion".into(), self.helm_version.to_data()?);
        Some(Value::map(m))
    }
}

/// `.Files`: a chart's non-template files, with Helm's methods.
#[derive(Debug, Clone, Default)]
pub struct Files {
    entries: Rc<Vec<(String, Rc<[u8]>)>>,
    /// Go's `%v` of the whole map, made on first use: charts that pass `$` where `dict` takes a
    /// key format the root context, `.Files` included, again and again.
    printed: Rc<OnceCell<String>>,
}

impl Files {
    /// Files from (path, content) pairs; kept sorted by path.
    pub fn new(mut entries: Vec<(String, Rc<[u8]>)>) -> Self {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|a, b| a.0 == b.0);
        Files {
            entries: Rc::new(entries),
            printed: Rc::default(),
        }
    }

    fn get(&self, name: &str) -> Option<&Rc<[u8]>> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    fn glob(&self, pattern: &str) -> Files {
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map(|g| g.compile_matcher())
            .ok();
        let entries = self
            .entries
            .iter()
            .filter(|(name, _)| matcher.as_ref().is_none_or(|m| m.is_match(name)))
            .cloned()
            .collect();
        Files {
            entries: Rc::new(entries),
            printed: Rc::default(),
        }
    }

    /// Go's `%v`: `map[name:[b b b] ...]`, names sorted, bytes in decimal.
    fn print(&self) -> String {
        let size: usize = self
            .entries
            .iter()
            .map(|(k, v)| k.len() + 4 + v.len() * 4)
            .sum();
        let mut out: Vec<u8> = Vec::with_capacity(size + 5);
        out.extend_from_slice(b"map[");
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b":[");
            if let Some((first, rest)) = v.split_first() {
                let (digits, len) = &DECIMAL[usize::from(*first)];
                out.extend_from_slice(&digits[..usize::from(*len)]);
                for &b in rest {
                    // " ddd": a leading space, then the digits.
                    let (digits, len) = &SPACED_DECIMAL[usize::from(b)];
                    out.extend_from_slice(&digits[..usize::from(*len)]);
                }
            }
            out.push(b']');
        }
        out.push(b']');
        // Only ASCII was added to the (UTF-8) names.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    fn as_map(&self, encode: impl Fn(&[u8]) -> String) -> String {
        let mut m = Map::new();
        for (name, data) in self.entries.iter() {
            let base = name.rsplit('/').next().unwrap_or(name);
            m.insert(base.to_string(), Value::string(encode(data)));
        }
        crate::funcs::to_yaml_string(&Value::map(m))
    }
}

/// Each byte value in decimal (digits, length) and the same after a space.
const DECIMAL: [([u8; 4], u8); 256] = decimal_table(false);
const SPACED_DECIMAL: [([u8; 4], u8); 256] = decimal_table(true);

const fn decimal_table(spaced: bool) -> [([u8; 4], u8); 256] {
    let mut table = [([0u8; 4], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let mut digits = [0u8; 4];
        let mut len = 0;
        if spaced {
            digits[0] = b' ';
            len = 1;
        }
        let b = i as u8;
        if b >= 100 {
            digits[len] = b'0' + b / 100;
            len += 1;
        }
        if b >= 10 {
            digits[len] = b'0' + b / 10 % 10;
            len += 1;
        }
        digits[len] = b'0' + b % 10;
        len += 1;
        table[i] = (digits, len as u8);
        i += 1;
    }
    table
}

fn string_arg<'a>(method: &str, args: &'a [Value]) -> Result<&'a str, FuncError> {
    match args {
        [Value::String(s)] => Ok(s),
        [other] => Err(FuncError::new(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        ))),
        _ => Err(FuncError::new(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        ))),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind_name(&self) -> &str {
        "map"
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "AsConfig" | "AsSecrets" | "Lines"
        )
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        match name {
            "Get" => {
                let path = string_arg(name, args)?;
                Ok(Value::string(
                    self.get(path)
                        .map(|d| String::from_utf8_lossy(d).into_owned())
                        .unwrap_or_default(),
                ))
            }
            "GetBytes" => {
                let path = string_arg(name, args)?;
                Ok(Value::Bytes(
                    self.get(path).cloned().unwrap_or_else(|| Rc::from(&[][..])),
                ))
            }
            "Glob" => {
                let pattern = string_arg(name, args)?;
                Ok(Value::Object(Rc::new(self.glob(pattern))))
            }
            "AsConfig" => Ok(Value::string(
                self.as_map(|d| String::from_utf8_lossy(d).into_owned()),
            )),
            "AsSecrets" => {
                Ok(Value::string(self.as_map(|d| {
                    base64::engine::general_purpose::STANDARD.encode(d)
                })))
            }
            "Lines" => {
                let path = string_arg(name, args)?;
                let Some(data) = self.get(path) else {
                    return Ok(Value::list(Vec::new()));
                };
                let s = String::from_utf8_lossy(data);
                let s = s.strip_suffix('\n').unwrap_or(&s);
                Ok(Value::list(s.split('\n').map(Value::string).collect()))
            }
            _ => Err(FuncError::new(format!("can't call method {name}"))),
        }
    }

    fn index(&self, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        Some(Value::Bytes(
            self.get(key).cloned().unwrap_or_else(|| Rc::from(&[][..])),
        ))
    }

    fn field(&self, name: &str) -> Option<Value> {
        self.get(name).map(|d| Value::Bytes(d.clone()))
    }

    fn entries(&self) -> Option<Vec<(String, Value)>> {
        Some(
            self.entries
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
    }

    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(self.printed.get_or_init(|| self.print()))
    }

    fn is_truthy(&self) -> bool {
        !self.entries.is_empty()
    }

    fn to_data(&self) -> Option<Value> {
        let mut m = Map::new();
        for (k, v) in self.entries.iter() {
            m.insert(k.clone(), Value::Bytes(v.clone()));
        }
        Some(Value::map(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected text from the oracle (real Helm v4.2.3): a chart with the files `a.bin`
    /// (bytes 0 9 99 200 255), `b.txt` ("hi\n") and an empty `d/e.txt`, rendering `{{ .Files }}`.
    #[test]
    fn files_print_as_go_does() {
        let files = Files::new(vec![
            ("d/e.txt".into(), Rc::from(&b""[..])),
            ("b.txt".into(), Rc::from(&b"hi\n"[..])),
            ("a.bin".into(), Rc::from(&[0u8, 9, 99, 200, 255][..])),
        ]);
        let want = "map[a.bin:[0 9 99 200 255] b.txt:[104 105 10] d/e.txt:[]]";
        for _ in 0..2 {
            let mut got = String::new();
            files.fmt_value(&mut got).unwrap();
            assert_eq!(got, want);
        }
        let all: String = (0..=255u8)
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let bytes: Vec<u8> = (0..=255u8).collect();
        let mut got = String::new();
        Files::new(vec![("x".into(), Rc::from(bytes))])
            .fmt_value(&mut got)
            .unwrap();
        assert_eq!(got, format!("map[x:[{all}]]"));
    }
}
