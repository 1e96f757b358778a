//! Splitting rendered files into documents and sorting them as Helm's `releaseutil` does.
//!
//! The whitespace follows Helm v4.2.0–v4.2.3: the separator regex eats the whitespace before each
//! `---`, so only the last document of a file keeps its trailing newline.

use std::sync::LazyLock;

use regex::Regex;

/// Helm's `InstallOrder`: kinds earlier in the list are installed first.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Hook events Helm knows (`test-success` is an alias of `test`).
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").expect("valid regex"));

/// Go's `unicode.IsSpace`.
fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' ' | '\u{85}' | '\u{A0}'
    ) || (c as u32 > 0xFF && c.is_whitespace())
}

/// Helm's `SplitManifests`: the documents of one rendered file, in order, without blank ones.
pub fn split_manifests(text: &str) -> Vec<&str> {
    let text = text.trim_start_matches(is_go_space);
    if text.is_empty() {
        return Vec::new();
    }
    SEPARATOR
        .split(text)
        .filter(|d| !d.trim_matches(is_go_space).is_empty())
        .map(|d| d.trim_start_matches(is_go_space))
        .collect()
}

/// The parts of a document's head that Helm reads (`SimpleHead`).
pub type Head = hoist_goyaml::ManifestHead;

fn annotation<'a>(head: &'a Head, key: &str) -> Option<&'a str> {
    head.metadata
        .as_ref()?
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// A rendered resource document.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The template path it came from.
    pub path: String,
    /// The document text.
    pub content: String,
    /// Its parsed head.
    pub head: Head,
}

/// A rendered hook document.
#[derive(Debug, Clone)]
pub struct Hook {
    /// `metadata.name`
    pub name: String,
    /// `kind`
    pub kind: String,
    /// The template path it came from.
    pub path: String,
    /// The document text.
    pub manifest: String,
    /// The hook events, lower-cased.
    pub events: Vec<String>,
    /// `helm.sh/hook-weight` (0 when absent or not an integer).
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` values.
    pub delete_policies: Vec<String>,
}

impl Hook {
    /// True for `test` hooks.
    pub fn is_test(&self) -> bool {
        self.events
            .iter()
            .any(|e| e == "test" || e == "test-success")
    }
}

/// A document that could not be parsed: Helm's `YAML parse error on <path>: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortError {
    /// The template path.
    pub path: String,
    /// The parse error.
    pub message: String,
}

impl std::fmt::Display for SortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "YAML parse error on {}: {}", self.path, self.message)
    }
}

impl std::error::Error for SortError {}

fn kind_rank(kind: &str) -> (usize, &str) {
    match INSTALL_ORDER.iter().position(|k| *k == kind) {
        Some(i) => (i, ""),
        None => (INSTALL_ORDER.len(), kind),
    }
}

fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split(',').map(|p| p.trim().to_lowercase())
}

/// Helm's `SortManifests`: files in path order, documents in file order, then a stable sort by kind
/// in `InstallOrder` (unknown kinds last, by name); hooks apart.
pub fn sort_manifests<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(Vec<Hook>, Vec<Manifest>), SortError> {
    let mut files: Vec<(&str, &str)> = files.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim_matches(is_go_space).is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = hoist_goyaml::manifest_head(doc).map_err(|e| SortError {
                path: path.to_string(),
                message: e.to_string(),
            })?;
            let Some(hook_types) = annotation(&head, "helm.sh/hook").map(str::to_string) else {
                generic.push(Manifest {
                    path: path.to_string(),
                    content: doc.to_string(),
                    head,
                });
                continue;
            };
            let events: Vec<String> = split_list(&hook_types).collect();
            if events.iter().any(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                continue;
            }
            let weight = annotation(&head, "helm.sh/hook-weight")
                .and_then(go_atoi)
                .unwrap_or(0);
            let delete_policies = annotation(&head, "helm.sh/hook-delete-policy")
                .map(|v| split_list(v).collect())
                .unwrap_or_default();
            hooks.push(Hook {
                name: head
                    .metadata
                    .as_ref()
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                kind: head.kind.clone(),
                path: path.to_string(),
                manifest: doc.to_string(),
                events,
                weight,
                delete_policies,
            });
        }
    }
    generic.sort_by(|a, b| kind_rank(&a.head.kind).cmp(&kind_rank(&b.head.kind)));
    hooks.sort_by(|a, b| kind_rank(&a.kind).cmp(&kind_rank(&b.kind)));
    Ok((hooks, generic))
}

/// Go's `strconv.Atoi` (an optional sign and decimal digits, fitting in int64).
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_trailing_newline_of_last_document_only() {
        let docs = split_manifests("\n\na: 1\n---\nb: 2\n\n---\n\nc: 3\n");
        assert_eq!(docs, vec!["a: 1", "b: 2", "c: 3\n"]);
    }

    #[test]
    fn split_glued_separator() {
        assert_eq!(split_manifests("a: 1\n---b: 2"), vec!["a: 1", "b: 2"]);
    }

    #[test]
    fn kind_order_puts_unknown_kinds_last_by_name() {
        let mut kinds = vec!["Zed", "Deployment", "Alpha", "Namespace"];
        kinds.sort_by(|a, b| kind_rank(a).cmp(&kind_rank(b)));
        assert_eq!(kinds, vec!["Namespace", "Deployment", "Alpha", "Zed"]);
    }
}
