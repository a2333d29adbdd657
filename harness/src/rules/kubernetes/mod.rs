//! Kubernetes manifest rules (`k8s.*` classes).
//!
//! [`load`] reads every `.yaml`/`.yml` file under a folder as a stream of manifests,
//! keeping the line and column of every node. A file that is not YAML, or a document
//! that is not a mapping with a `kind` and an `apiVersion`, is a [`ParseProblem`]. YAML
//! files that hold no Kubernetes object at all (only mappings, none with `apiVersion`
//! or `kind`: a compose file, Helm values) are not manifests and are skipped, as are
//! files under hidden folders (`.github/`) and `kustomization.yaml`.
//!
//! [`lint`] then runs the rules over the objects:
//!
//! - [`schema`]: every object against the Kubernetes OpenAPI types (`k8s.schema`).
//! - [`workload`]: per container: image tag, resources, privileges, user, host paths,
//!   literal credentials, probe ports.
//! - [`network`]: workload and Service selectors, Service target ports.
//! - [`refs`]: ConfigMaps and Secrets (and their keys) that no manifest defines.
//!
//! A finding's subject is `Kind/name` (`Deployment/web`); its line and column point at
//! the node at fault.

pub mod network;
pub mod quantity;
pub mod refs;
pub mod schema;
pub mod selector;
pub mod workload;

use crate::catalog::yamltree::{self, KeyNode, Node, Pos};
use crate::model::{Finding, Severity, Snapshot};
use crate::rules::{LintReport, ParseProblem};

/// One Kubernetes object from a manifest file.
#[derive(Debug, Clone)]
pub struct Object {
    /// Snapshot path of the file it is written in.
    pub file: String,
    pub api_version: String,
    pub kind: String,
    /// `metadata.name` (empty when missing).
    pub name: String,
    pub namespace: Option<String>,
    /// The whole document.
    pub doc: Node,
}

impl Object {
    /// `Kind/name`, the subject of the object's findings.
    pub fn subject(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// The pod spec of a Pod, a workload's pod template, or a CronJob's job template.
    pub fn pod_spec(&self) -> Option<&Node> {
        match self.kind.as_str() {
            "Pod" => get(&self.doc, "spec"),
            "CronJob" => path(&self.doc, "spec.jobTemplate.spec.template.spec"),
            k if is_workload(k) => path(&self.doc, "spec.template.spec"),
            _ => None,
        }
    }

    /// The labels pods of this object carry.
    pub fn pod_labels(&self) -> Option<&Node> {
        match self.kind.as_str() {
            "Pod" => path(&self.doc, "metadata.labels"),
            "CronJob" => path(&self.doc, "spec.jobTemplate.spec.template.metadata.labels"),
            k if is_workload(k) => path(&self.doc, "spec.template.metadata.labels"),
            _ => None,
        }
    }

    /// Where the object starts (its `kind` key), for findings about the whole object.
    pub fn pos(&self) -> Pos {
        key_of(&self.doc, "kind").map_or(*self.doc.pos(), |k| k.pos)
    }

    /// A finding about this object.
    pub fn finding(&self, class: &str, rule: &str, severity: Severity, at: &Pos, message: String) -> Finding {
        Finding {
            class: class.to_owned(),
            rule: rule.to_owned(),
            file: self.file.clone(),
            line: at.line,
            column: at.column,
            severity,
            message,
            subject: self.subject(),
        }
    }
}

/// Kinds whose pods come from `spec.template`.
fn is_workload(kind: &str) -> bool {
    matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "ReplicationController")
}

/// The objects of a folder and the files (or documents) that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    pub objects: Vec<Object>,
    pub problems: Vec<ParseProblem>,
}

impl Manifests {
    /// The object with subject `Kind/name`, if any.
    pub fn find(&self, subject: &str) -> Option<&Object> {
        self.objects.iter().find(|o| o.subject() == subject)
    }
}

/// Whether a snapshot path is a manifest candidate: `.yaml`/`.yml`, not in a hidden
/// folder, not a kustomization.
fn is_manifest_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    (name.ends_with(".yaml") || name.ends_with(".yml"))
        && !path.split('/').any(|part| part.starts_with('.'))
        && !matches!(name, "kustomization.yaml" | "kustomization.yml" | "Kustomization")
}

/// Read every manifest under `dir` ("." = all).
pub fn load(snapshot: &Snapshot, dir: &str) -> Manifests {
    let dir = crate::model::snapshot::join(".", dir);
    let mut out = Manifests::default();
    for (file, text) in snapshot.under(&dir).filter(|(p, _)| is_manifest_path(p)) {
        load_file(file, text, &mut out);
    }
    out
}

fn problem(file: &str, pos: &Pos, message: impl Into<String>) -> ParseProblem {
    ParseProblem { file: file.to_owned(), line: pos.line, column: pos.column, message: message.into() }
}

fn load_file(file: &str, text: &str, out: &mut Manifests) {
    let docs = match yamltree::parse_stream(text) {
        Ok(d) => d,
        Err(e) => {
            out.problems.push(problem(file, &e.pos, format!("not valid YAML: {}", e.message)));
            return;
        }
    };
    let looks_like_manifests = docs.iter().any(|d| match d {
        Node::Map(..) => get(d, "kind").is_some() || get(d, "apiVersion").is_some(),
        _ => true,
    });
    if !looks_like_manifests {
        return;
    }
    for doc in docs {
        let Node::Map(..) = doc else {
            out.problems.push(problem(
                file,
                doc.pos(),
                format!("a manifest document must be a mapping (an object), not a {}", doc.kind()),
            ));
            continue;
        };
        // A `List` (kubectl's output format) holds its objects under `items`.
        if get(&doc, "kind").and_then(text_of) == Some("List") {
            for item in items(get(&doc, "items")) {
                object(file, item.clone(), out);
            }
            continue;
        }
        object(file, doc, out);
    }
}

fn object(file: &str, doc: Node, out: &mut Manifests) {
    let mut fields = Vec::new();
    for key in ["apiVersion", "kind"] {
        match get(&doc, key) {
            Some(Node::Str(s, _)) if !s.is_empty() => fields.push(s.clone()),
            Some(other) => {
                out.problems.push(problem(file, other.pos(), format!("`{key}` must be a non-empty string")));
                return;
            }
            None => {
                out.problems.push(problem(file, doc.pos(), format!("not a Kubernetes object: `{key}` is missing")));
                return;
            }
        }
    }
    let name = path(&doc, "metadata.name").and_then(text).unwrap_or_default();
    let namespace = path(&doc, "metadata.namespace").and_then(text);
    let kind = fields.pop().unwrap_or_default();
    let api_version = fields.pop().unwrap_or_default();
    out.objects.push(Object { file: file.to_owned(), api_version, kind, name, namespace, doc });
}

/// Lint every Kubernetes manifest (`.yaml`/`.yml`) of `snapshot` under `dir` ("." = all).
/// The rules are not diff-aware, so `base` is not used.
pub fn lint(snapshot: &Snapshot, base: Option<&Snapshot>, dir: &str) -> LintReport {
    let _ = base;
    let manifests = load(snapshot, dir);
    let mut report = LintReport { findings: Vec::new(), problems: manifests.problems.clone() };
    for obj in &manifests.objects {
        schema::check(obj, &mut report.findings);
        workload::check(obj, &mut report.findings);
    }
    network::check(&manifests.objects, &mut report.findings);
    refs::check(&manifests.objects, &mut report.findings);
    report.findings.sort_by(|a, b| {
        (&a.file, a.line, &a.class, a.column, &a.rule, &a.subject)
            .cmp(&(&b.file, b.line, &b.class, b.column, &b.rule, &b.subject))
    });
    report.findings.dedup();
    report.problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    report
}

/// Whether any YAML file under `dir` holds a Kubernetes object, or is a YAML file that
/// does not parse (for `faultline lint`'s choice of rules).
pub fn has_manifests(snapshot: &Snapshot, dir: &str) -> bool {
    let m = load(snapshot, dir);
    !m.objects.is_empty() || !m.problems.is_empty()
}

// ---------------------------------------------------------------- node helpers

/// The value of a mapping key (the last one, as YAML loaders keep).
pub fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    key_value(node, key).map(|(_, v)| v)
}

/// The key node and value of a mapping key.
pub fn key_value<'a>(node: &'a Node, key: &str) -> Option<(&'a KeyNode, &'a Node)> {
    match node {
        Node::Map(entries, _) => entries.iter().rev().find(|(k, _)| k.name == key).map(|(k, v)| (k, v)),
        _ => None,
    }
}

fn key_of<'a>(node: &'a Node, key: &str) -> Option<&'a KeyNode> {
    key_value(node, key).map(|(k, _)| k)
}

/// A dotted path of mapping keys and list indexes (`spec.template.spec.containers.0`).
pub fn path<'a>(node: &'a Node, dotted: &str) -> Option<&'a Node> {
    let mut cur = node;
    for seg in dotted.split('.').filter(|s| !s.is_empty()) {
        cur = match cur {
            Node::Map(..) => get(cur, seg)?,
            Node::Seq(list, _) => list.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Items of a sequence node (none for anything else).
pub fn items(node: Option<&Node>) -> &[Node] {
    match node {
        Some(Node::Seq(list, _)) => list,
        _ => &[],
    }
}

/// Entries of a mapping node (none for anything else).
pub fn entries(node: Option<&Node>) -> &[(KeyNode, Node)] {
    match node {
        Some(Node::Map(list, _)) => list,
        _ => &[],
    }
}

/// A scalar's text (`8080`, `true`, `web`); `None` for null and collections.
pub fn text(node: &Node) -> Option<String> {
    match node {
        Node::Str(s, _) => Some(s.clone()),
        Node::Int(i, _) => Some(i.to_string()),
        Node::Float(f, _) => Some(f.to_string()),
        Node::Bool(b, _) => Some(b.to_string()),
        _ => None,
    }
}

fn text_of(node: &Node) -> Option<&str> {
    match node {
        Node::Str(s, _) => Some(s),
        _ => None,
    }
}

/// Whether a node is `true`.
pub fn is_true(node: Option<&Node>) -> bool {
    matches!(node, Some(Node::Bool(true, _)))
}

/// Containers and init containers of a pod spec, with their names.
pub fn containers(pod: &Node) -> impl Iterator<Item = (String, &Node)> {
    items(get(pod, "containers")).iter().chain(items(get(pod, "initContainers"))).map(|c| {
        let name = get(c, "name").and_then(text).unwrap_or_else(|| "?".to_owned());
        (name, c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(files: &[(&str, &str)]) -> Snapshot {
        files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
    }

    #[test]
    fn manifests_are_read_per_document_and_other_yaml_is_left_alone() {
        let s = snap(&[
            ("k8s/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n"),
            ("k8s/compose.yml", "services:\n  web: {image: x}\n"),
            ("k8s/.github/ci.yaml", "kind: nope: ["),
            ("k8s/notes.md", "kind: x"),
            ("other/x.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"),
        ]);
        let m = load(&s, "k8s");
        let subjects: Vec<String> = m.objects.iter().map(Object::subject).collect();
        assert_eq!(subjects, ["ConfigMap/a", "Secret/b"]);
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        assert_eq!(load(&s, ".").objects.len(), 3);
    }

    #[test]
    fn bad_yaml_and_non_objects_are_problems_with_positions() {
        let s = snap(&[
            ("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n"),
            ("list.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\n- just\n- a list\n"),
            ("nokind.yaml", "apiVersion: v1\nmetadata: {name: p}\n"),
            ("numkind.yaml", "apiVersion: v1\nkind: 5\n"),
        ]);
        let m = load(&s, ".");
        let shown: Vec<String> =
            m.problems.iter().map(|p| format!("{}:{}:{} {}", p.file, p.line, p.column, p.message)).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        assert!(shown[0].starts_with("bad.yaml:") && shown[0].contains("not valid YAML"), "{shown:?}");
        assert!(shown[1].starts_with("list.yaml:5:1 ") && shown[1].contains("mapping"), "{shown:?}");
        assert!(shown[2].starts_with("nokind.yaml:1:1 ") && shown[2].contains("`kind` is missing"), "{shown:?}");
        assert!(shown[3].starts_with("numkind.yaml:2:7 "), "{shown:?}");
    }

    #[test]
    fn pod_specs_are_found_for_every_workload_shape() {
        let s = snap(&[(
            "a.yaml",
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {a: b}}\n        spec: {containers: [{name: x}]}\n",
        )]);
        let m = load(&s, ".");
        let cron = &m.objects[0];
        assert_eq!(containers(cron.pod_spec().unwrap()).next().map(|(n, _)| n).as_deref(), Some("x"));
        assert!(cron.pod_labels().is_some());
    }
}
