//! Manifests to API objects, server-side apply, and fault injection as a patch.
//!
//! The base state's manifests are applied whole; the fault is then the set of
//! objects that differ in the broken state (applied) plus the objects the broken
//! state no longer has (deleted). Every object is forced into the session
//! namespace and labelled with the session id.
//!
//! When there is a fault, the base's Deployments are applied paused and resumed
//! only after it: a paused Deployment creates no ReplicaSet, so no healthy pod of
//! the base is left serving beside the broken rollout (which would let a candidate
//! who changes nothing pass the HTTP check), and a fault in a ConfigMap or Secret
//! is what the pods start with.

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

/// One call of an injection.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Apply(Manifest),
    Delete(Manifest),
}

/// The object with `spec.paused` set (Deployments only; others unchanged).
fn paused(m: &Manifest, paused: bool) -> Manifest {
    let mut m = m.clone();
    if m.kind == "Deployment" {
        if let Some(obj) = m.body.as_object_mut() {
            let spec = obj.entry("spec").or_insert_with(|| serde_json::json!({}));
            if let Some(spec) = spec.as_object_mut() {
                spec.insert("paused".into(), serde_json::Value::Bool(paused));
            }
        }
    }
    m
}

/// The calls that inject `broken` over `base`, in order: the base (Deployments
/// paused when a fault follows), the changed objects, the removed ones, then every
/// Deployment resumed. Without a fault, the base is applied as it is.
pub fn injection_plan(base: &[Manifest], broken: &[Manifest]) -> (FaultPatch, Vec<Step>) {
    let patch = fault_patch(base, broken);
    if patch.apply.is_empty() && patch.delete.is_empty() {
        return (patch, base.iter().cloned().map(Step::Apply).collect());
    }
    let mut steps: Vec<Step> = base.iter().map(|m| Step::Apply(paused(m, true))).collect();
    steps.extend(patch.apply.iter().map(|m| Step::Apply(paused(m, false))));
    steps.extend(patch.delete.iter().cloned().map(Step::Delete));
    let changed: Vec<String> = patch.apply.iter().chain(&patch.delete).map(Manifest::key).collect();
    steps.extend(
        base.iter()
            .filter(|m| m.kind == "Deployment" && !changed.contains(&m.key()))
            .map(|m| Step::Apply(paused(m, false))),
    );
    (patch, steps)
}

/// Apply the base state, then the fault as a patch (see [`injection_plan`]).
/// Returns the patch.
pub async fn inject(
    client: &kube::Client,
    namespace: &str,
    session: &str,
    base: &[Manifest],
    broken: &[Manifest],
) -> Result<FaultPatch, ClusterError> {
    let (patch, steps) = injection_plan(base, broken);
    for step in &steps {
        match step {
            Step::Apply(m) => apply(client, namespace, session, m).await?,
            Step::Delete(m) => delete(client, namespace, m).await?,
        }
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

    fn spec_paused(step: &Step) -> (String, Option<bool>) {
        match step {
            Step::Apply(m) => (format!("apply {}", m.key()), m.body["spec"]["paused"].as_bool()),
            Step::Delete(m) => (format!("delete {}", m.key()), None),
        }
    }

    #[test]
    fn a_fault_is_injected_under_paused_deployments_that_resume_after_it() {
        let api = DEPLOY.replace("name: web", "name: api");
        let base = manifests(&tree(&[("k8s/a.yaml", &format!("{DEPLOY}---\n{api}---\n{CM}"))]), "k8s").unwrap();
        // The fault is in the ConfigMap only: the pods must start with it.
        let broken_cm = CM.replace("{a: b}", "{a: c}");
        let broken =
            manifests(&tree(&[("k8s/a.yaml", &format!("{DEPLOY}---\n{api}---\n{broken_cm}"))]), "k8s").unwrap();
        let (patch, steps) = injection_plan(&base, &broken);
        assert_eq!(patch.apply.len(), 1);
        let seen: Vec<_> = steps.iter().map(spec_paused).collect();
        let step = |s: &str, p: Option<bool>| (s.to_string(), p);
        assert_eq!(
            seen,
            [
                step("apply Deployment/web", Some(true)),
                step("apply Deployment/api", Some(true)),
                step("apply ConfigMap/web-config", None),
                step("apply ConfigMap/web-config", None),
                step("apply Deployment/web", Some(false)),
                step("apply Deployment/api", Some(false)),
            ]
        );

        // A fault in a Deployment resumes it with the broken template, once.
        let broken_web = DEPLOY.replace("replicas: 1", "replicas: 2");
        let broken = manifests(&tree(&[("k8s/a.yaml", &format!("{broken_web}---\n{api}---\n{CM}"))]), "k8s").unwrap();
        let (_, steps) = injection_plan(&base, &broken);
        let seen: Vec<_> = steps.iter().map(spec_paused).collect();
        assert_eq!(seen[3], step("apply Deployment/web", Some(false)));
        assert_eq!(seen[4], step("apply Deployment/api", Some(false)));
        assert_eq!(seen.len(), 5, "{seen:?}");
        let Step::Apply(resumed) = &steps[3] else { panic!() };
        assert_eq!(resumed.body["spec"]["replicas"], 2);
    }

    #[test]
    fn without_a_fault_the_base_is_applied_as_written() {
        let base = manifests(&tree(&[("k8s/a.yaml", &format!("{DEPLOY}---\n{CM}"))]), "k8s").unwrap();
        let (_, steps) = injection_plan(&base, &base);
        assert_eq!(steps, base.iter().cloned().map(Step::Apply).collect::<Vec<_>>());
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
