//! Manifests to API objects, server-side apply, and fault injection as a patch.
//!
//! The base state's manifests are applied whole; the fault is then the set of
//! objects that differ in the broken state (applied) plus the objects the broken
//! state no longer has (deleted). Every object is forced into the session
//! namespace and labelled with the session id.

use std::collections::BTreeMap;

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};

use super::{bounded, session_labels, ClusterError, FIELD_MANAGER};
use crate::model::Snapshot;

/// One object read from a manifest file.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// File it came from (workspace-relative).
    pub file: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// The whole object, as JSON.
    pub body: serde_json::Value,
}

impl Manifest {
    /// `Kind/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// Plural resource names of the kinds scenarios use (no discovery round trip needed).
const KNOWN: &[(&str, &str, bool)] = &[
    // kind, plural, namespaced
    ("ConfigMap", "configmaps", true),
    ("Secret", "secrets", true),
    ("Service", "services", true),
    ("ServiceAccount", "serviceaccounts", true),
    ("Pod", "pods", true),
    ("PersistentVolumeClaim", "persistentvolumeclaims", true),
    ("Deployment", "deployments", true),
    ("StatefulSet", "statefulsets", true),
    ("DaemonSet", "daemonsets", true),
    ("ReplicaSet", "replicasets", true),
    ("Job", "jobs", true),
    ("CronJob", "cronjobs", true),
    ("Role", "roles", true),
    ("RoleBinding", "rolebindings", true),
    ("NetworkPolicy", "networkpolicies", true),
    ("Ingress", "ingresses", true),
    ("PodDisruptionBudget", "poddisruptionbudgets", true),
    ("HorizontalPodAutoscaler", "horizontalpodautoscalers", true),
    ("ResourceQuota", "resourcequotas", true),
    ("LimitRange", "limitranges", true),
];

/// The API resource for an apiVersion and kind, when it is one Faultline may
/// create in a session namespace.
pub fn resource_for(api_version: &str, kind: &str) -> Option<ApiResource> {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let (_, plural, _) = KNOWN.iter().find(|(k, _, _)| *k == kind)?;
    Some(ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural))
}

/// The API resource for a kind alone (its usual group and version).
pub fn resource_for_kind(kind: &str) -> Option<ApiResource> {
    let av = match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        "Role" | "RoleBinding" => "rbac.authorization.k8s.io/v1",
        "NetworkPolicy" | "Ingress" => "networking.k8s.io/v1",
        "PodDisruptionBudget" => "policy/v1",
        "HorizontalPodAutoscaler" => "autoscaling/v2",
        _ => "v1",
    };
    resource_for(av, kind)
}

/// Read every object of the YAML files under `dir` of a snapshot (multi-document
/// files allowed; empty documents skipped).
pub fn manifests(tree: &Snapshot, dir: &str) -> Result<Vec<Manifest>, ClusterError> {
    let mut out = Vec::new();
    for (path, text) in tree.under(dir) {
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text)
            .map_err(|e| ClusterError::Manifest { file: path.to_string(), message: e.to_string() })?;
        for doc in docs {
            if doc.is_null() {
                continue;
            }
            out.extend(object(path, doc)?);
        }
    }
    Ok(out)
}

fn object(file: &str, doc: serde_json::Value) -> Result<Vec<Manifest>, ClusterError> {
    let bad = |m: &str| ClusterError::Manifest { file: file.to_string(), message: m.to_string() };
    let kind = doc.get("kind").and_then(|k| k.as_str()).ok_or_else(|| bad("an object has no `kind`"))?.to_string();
    if kind == "List" {
        let items = doc.get("items").and_then(|i| i.as_array()).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for i in items {
            out.extend(object(file, i)?);
        }
        return Ok(out);
    }
    let api_version =
        doc.get("apiVersion").and_then(|k| k.as_str()).ok_or_else(|| bad("an object has no `apiVersion`"))?.to_string();
    let name = doc
        .pointer("/metadata/name")
        .and_then(|k| k.as_str())
        .ok_or_else(|| bad(&format!("a {kind} has no metadata.name")))?
        .to_string();
    if resource_for(&api_version, &kind).is_none() {
        return Err(bad(&format!(
            "{api_version} {kind} `{name}` cannot be applied to a session namespace (cluster-scoped or unknown kind)"
        )));
    }
    Ok(vec![Manifest { file: file.to_string(), api_version, kind, name, body: doc }])
}

/// The object as sent: namespace forced, session label added.
pub fn prepared(m: &Manifest, namespace: &str, session: &str) -> serde_json::Value {
    let mut body = m.body.clone();
    if let Some(meta) = body.get_mut("metadata").and_then(|v| v.as_object_mut()) {
        meta.insert("namespace".into(), serde_json::Value::String(namespace.to_string()));
        let labels = meta.entry("labels").or_insert_with(|| serde_json::json!({}));
        if let Some(l) = labels.as_object_mut() {
            for (k, v) in session_labels(session) {
                l.insert(k, serde_json::Value::String(v));
            }
        }
    }
    body
}

/// Server-side apply one object.
pub async fn apply(client: &kube::Client, namespace: &str, session: &str, m: &Manifest) -> Result<(), ClusterError> {
    let ar = resource_for(&m.api_version, &m.kind)
        .ok_or_else(|| ClusterError::Manifest { file: m.file.clone(), message: format!("unknown kind {}", m.kind) })?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &ar);
    let body = prepared(m, namespace, session);
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    bounded(&format!("apply {}", m.key()), api.patch(&m.name, &pp, &Patch::Apply(&body)))
        .await
        .map_err(|e| ClusterError::Manifest { file: m.file.clone(), message: format!("{}: {e}", m.key()) })?;
    Ok(())
}

/// Delete one object (absent is fine).
pub async fn delete(client: &kube::Client, namespace: &str, m: &Manifest) -> Result<(), ClusterError> {
    let Some(ar) = resource_for(&m.api_version, &m.kind) else { return Ok(()) };
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &ar);
    match bounded(&format!("delete {}", m.key()), api.delete(&m.name, &DeleteParams::background())).await {
        Ok(_) => Ok(()),
        Err(ClusterError::Api(e)) if e.contains("404") || e.contains("NotFound") => Ok(()),
        Err(e) => Err(e),
    }
}

/// What the fault changes between two sets of manifests.
#[derive(Debug, Default, PartialEq)]
pub struct FaultPatch {
    /// Objects new or different in the broken state.
    pub apply: Vec<Manifest>,
    /// Objects the broken state removed.
    pub delete: Vec<Manifest>,
}

/// Compare base and broken manifests by `Kind/name`.
pub fn fault_patch(base: &[Manifest], broken: &[Manifest]) -> FaultPatch {
    let by_key: BTreeMap<String, &Manifest> = base.iter().map(|m| (m.key(), m)).collect();
    let broken_keys: BTreeMap<String, &Manifest> = broken.iter().map(|m| (m.key(), m)).collect();
    let apply = broken.iter().filter(|m| by_key.get(&m.key()).is_none_or(|b| b.body != m.body)).cloned().collect();
    let delete = base.iter().filter(|m| !broken_keys.contains_key(&m.key())).cloned().collect();
    FaultPatch { apply, delete }
}

/// Apply the base state whole, then the fault as a patch. Returns the patch.
pub async fn inject(
    client: &kube::Client,
    namespace: &str,
    session: &str,
    base: &[Manifest],
    broken: &[Manifest],
) -> Result<FaultPatch, ClusterError> {
    for m in base {
        apply(client, namespace, session, m).await?;
    }
    let patch = fault_patch(base, broken);
    for m in &patch.apply {
        apply(client, namespace, session, m).await?;
    }
    for m in &patch.delete {
        delete(client, namespace, m).await?;
    }
    Ok(patch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Snapshot {
        let mut t = Snapshot::new();
        for (p, c) in files {
            t.insert(*p, *c);
        }
        t
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n";
    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {a: b}\n";

    #[test]
    fn manifests_read_multi_document_files_under_the_folder_only() {
        let t = tree(&[
            ("app/k8s/all.yaml", &format!("{DEPLOY}---\n{CM}---\n")),
            ("app/k8s/README.md", "not yaml"),
            ("app/other.yaml", CM),
        ]);
        let ms = manifests(&t, "app/k8s").unwrap();
        let keys: Vec<_> = ms.iter().map(Manifest::key).collect();
        assert_eq!(keys, ["Deployment/web", "ConfigMap/web-config"]);
        assert_eq!(ms[0].file, "app/k8s/all.yaml");
    }

    #[test]
    fn cluster_scoped_or_nameless_objects_are_refused_with_the_file() {
        let t = tree(&[("k8s/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n")]);
        let e = manifests(&t, "k8s").unwrap_err().to_string();
        assert!(e.contains("k8s/ns.yaml") && e.contains("Namespace"), "{e}");
        let t = tree(&[("k8s/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")]);
        assert!(manifests(&t, "k8s").unwrap_err().to_string().contains("metadata.name"));
        let t = tree(&[("k8s/x.yaml", "kind: [\n")]);
        assert!(manifests(&t, "k8s").unwrap_err().to_string().contains("k8s/x.yaml"));
    }

    #[test]
    fn the_fault_patch_is_what_changed_and_what_was_removed() {
        let base = manifests(&tree(&[("k8s/a.yaml", &format!("{DEPLOY}---\n{CM}"))]), "k8s").unwrap();
        let broken_text = DEPLOY.replace("replicas: 1", "replicas: 3");
        let broken = manifests(&tree(&[("k8s/a.yaml", &broken_text)]), "k8s").unwrap();
        let p = fault_patch(&base, &broken);
        assert_eq!(p.apply.iter().map(Manifest::key).collect::<Vec<_>>(), ["Deployment/web"]);
        assert_eq!(p.delete.iter().map(Manifest::key).collect::<Vec<_>>(), ["ConfigMap/web-config"]);
    }

    #[test]
    fn prepared_objects_carry_the_namespace_and_session_label() {
        let m = &manifests(&tree(&[("k8s/a.yaml", CM)]), "k8s").unwrap()[0];
        let v = prepared(m, "faultline-x-1", "s-1");
        assert_eq!(v["metadata"]["namespace"], "faultline-x-1");
        assert_eq!(v["metadata"]["labels"]["faultline.dev/session"], "s-1");
        assert_eq!(v["data"]["a"], "b");
    }
}
