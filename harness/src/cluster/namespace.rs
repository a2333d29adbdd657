//! A session's namespace: created with a quota, default limits, a ServiceAccount
//! that may act only inside it, and a kubeconfig for that ServiceAccount; deleted
//! when the session ends. Clean-up lists by Faultline's labels only.

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec, ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};

use super::{bounded, session_labels, ClusterError, RbacBaseline, FIELD_MANAGER, MANAGED_LABEL, SESSION_LABEL};

/// Name of the candidate's ServiceAccount (and its Role and RoleBinding).
pub const CANDIDATE_SA: &str = "faultline-candidate";

fn meta(name: &str, namespace: Option<&str>, session: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(session_labels(session)),
        ..Default::default()
    }
}

fn q(s: &str) -> Quantity {
    Quantity(s.to_string())
}

/// The objects of a session namespace, as applied.
pub fn namespace_objects(namespace: &str, session: &str) -> (Namespace, ResourceQuota, LimitRange) {
    let mut ns_meta = meta(namespace, None, session);
    ns_meta.labels.get_or_insert_default().insert(MANAGED_LABEL.to_string(), "true".to_string());
    let ns = Namespace { metadata: ns_meta, ..Default::default() };
    let quota = ResourceQuota {
        metadata: meta("faultline-quota", Some(namespace), session),
        spec: Some(ResourceQuotaSpec {
            hard: Some(
                [
                    ("pods".to_string(), q("20")),
                    ("requests.cpu".to_string(), q("2")),
                    ("requests.memory".to_string(), q("2Gi")),
                    ("limits.cpu".to_string(), q("4")),
                    ("limits.memory".to_string(), q("4Gi")),
                    ("services".to_string(), q("10")),
                ]
                .into(),
            ),
            ..Default::default()
        }),
        ..Default::default()
    };
    let limits = LimitRange {
        metadata: meta("faultline-limits", Some(namespace), session),
        spec: LimitRangeSpec {
            limits: vec![LimitRangeItem {
                type_: "Container".to_string(),
                default: Some([("cpu".to_string(), q("250m")), ("memory".to_string(), q("128Mi"))].into()),
                default_request: Some([("cpu".to_string(), q("50m")), ("memory".to_string(), q("64Mi"))].into()),
                max: Some([("cpu".to_string(), q("1")), ("memory".to_string(), q("1Gi"))].into()),
                ..Default::default()
            }],
        }
        .into(),
    };
    (ns, quota, limits)
}

/// The candidate's ServiceAccount, a Role limited to the namespace, and the binding.
pub fn candidate_rbac(namespace: &str, session: &str) -> (ServiceAccount, Role, RoleBinding) {
    let sa = ServiceAccount { metadata: meta(CANDIDATE_SA, Some(namespace), session), ..Default::default() };
    let rule = |groups: &[&str], resources: &[&str], verbs: &[&str]| PolicyRule {
        api_groups: Some(groups.iter().map(|s| s.to_string()).collect()),
        resources: Some(resources.iter().map(|s| s.to_string()).collect()),
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let all = ["get", "list", "watch", "create", "update", "patch", "delete"];
    let read = ["get", "list", "watch"];
    let role = Role {
        metadata: meta(CANDIDATE_SA, Some(namespace), session),
        rules: Some(vec![
            rule(
                &[""],
                &["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"],
                &all,
            ),
            rule(&[""], &["pods/log", "events", "endpoints", "resourcequotas", "limitranges"], &read),
            rule(&[""], &["pods/portforward", "pods/exec"], &["create", "get"]),
            rule(&["apps"], &["deployments", "replicasets", "statefulsets", "daemonsets"], &all),
            rule(&["apps"], &["deployments/scale"], &["get", "update", "patch"]),
            rule(&["batch"], &["jobs", "cronjobs"], &all),
            rule(&["networking.k8s.io"], &["networkpolicies", "ingresses"], &all),
            rule(&["discovery.k8s.io"], &["endpointslices"], &read),
            rule(&["events.k8s.io"], &["events"], &read),
        ]),
    };
    let binding = RoleBinding {
        metadata: meta(CANDIDATE_SA, Some(namespace), session),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".to_string()),
            kind: "Role".to_string(),
            name: CANDIDATE_SA.to_string(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".to_string(),
            name: CANDIDATE_SA.to_string(),
            namespace: Some(namespace.to_string()),
            ..Default::default()
        }]),
    };
    (sa, role, binding)
}

async fn ssa<K>(api: &Api<K>, name: &str, obj: &K) -> Result<(), ClusterError>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    bounded(&format!("apply {name}"), api.patch(name, &pp, &Patch::Apply(obj))).await.map(|_| ())
}

/// Create (or re-apply) the session namespace with its quota, limits and the
/// candidate's ServiceAccount, Role and RoleBinding.
pub async fn create(client: &kube::Client, namespace: &str, session: &str) -> Result<(), ClusterError> {
    let (ns, quota, limits) = namespace_objects(namespace, session);
    ssa(&Api::<Namespace>::all(client.clone()), namespace, &ns).await?;
    ssa(&Api::<ResourceQuota>::namespaced(client.clone(), namespace), "faultline-quota", &quota).await?;
    ssa(&Api::<LimitRange>::namespaced(client.clone(), namespace), "faultline-limits", &limits).await?;
    let (sa, role, binding) = candidate_rbac(namespace, session);
    ssa(&Api::<ServiceAccount>::namespaced(client.clone(), namespace), CANDIDATE_SA, &sa).await?;
    ssa(&Api::<Role>::namespaced(client.clone(), namespace), CANDIDATE_SA, &role).await?;
    ssa(&Api::<RoleBinding>::namespaced(client.clone(), namespace), CANDIDATE_SA, &binding).await?;
    Ok(())
}

/// A token for the candidate's ServiceAccount (TokenRequest), valid for `hours`.
pub async fn candidate_token(client: &kube::Client, namespace: &str, hours: i64) -> Result<String, ClusterError> {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let req = TokenRequest {
        spec: Some(TokenRequestSpec { expiration_seconds: Some(hours * 3600), ..Default::default() }),
        ..Default::default()
    };
    let tr = bounded("token request", api.create_token_request(CANDIDATE_SA, &PostParams::default(), &req)).await?;
    tr.status
        .and_then(|s| s.token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ClusterError::Api("the token request returned no token".to_string()))
}

/// A kubeconfig (JSON, which kubectl reads as YAML) for the candidate.
pub fn candidate_kubeconfig(
    cluster_name: &str,
    server: &str,
    ca_data: Option<&str>,
    insecure: bool,
    namespace: &str,
    token: &str,
) -> String {
    let mut cluster = serde_json::json!({ "server": server });
    if let Some(ca) = ca_data {
        cluster["certificate-authority-data"] = serde_json::Value::String(ca.to_string());
    }
    if insecure {
        cluster["insecure-skip-tls-verify"] = serde_json::Value::Bool(true);
    }
    let ctx = format!("faultline-{namespace}");
    let v = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{ "name": cluster_name, "cluster": cluster }],
        "users": [{ "name": CANDIDATE_SA, "user": { "token": token } }],
        "contexts": [{ "name": ctx, "context": { "cluster": cluster_name, "user": CANDIDATE_SA, "namespace": namespace } }],
        "current-context": ctx,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Delete a session namespace (only when it carries Faultline's label). Returns
/// whether something was deleted.
pub async fn delete(client: &kube::Client, namespace: &str) -> Result<bool, ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let Some(ns) = bounded("get namespace", api.get_opt(namespace)).await? else { return Ok(false) };
    let managed = ns.metadata.labels.as_ref().and_then(|l| l.get(MANAGED_LABEL)).map(String::as_str) == Some("true");
    if !managed {
        return Err(ClusterError::Other(format!(
            "namespace {namespace} does not carry {MANAGED_LABEL}=true; Faultline leaves it alone"
        )));
    }
    bounded("delete namespace", api.delete(namespace, &DeleteParams::background())).await?;
    Ok(true)
}

/// Every Faultline-managed namespace: (name, session label).
pub async fn list_managed(client: &kube::Client) -> Result<Vec<(String, String)>, ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let list =
        bounded("list namespaces", api.list(&ListParams::default().labels(&format!("{MANAGED_LABEL}=true")))).await?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|n| {
            let session = n.metadata.labels.as_ref()?.get(SESSION_LABEL).cloned().unwrap_or_default();
            Some((n.metadata.name?, session))
        })
        .collect())
}

/// Remove every Faultline-managed namespace; returns the names deleted.
pub async fn clean(client: &kube::Client) -> Result<Vec<String>, ClusterError> {
    let mut gone = Vec::new();
    for (name, _) in list_managed(client).await? {
        if delete(client, &name).await? {
            gone.push(name);
        }
    }
    Ok(gone)
}

fn digest(v: &impl serde::Serialize) -> String {
    use sha2::Digest;
    let json = serde_json::to_vec(v).unwrap_or_default();
    hex::encode(sha2::Sha256::digest(json))[..16].to_string()
}

/// The Roles and RoleBindings of a namespace, and ClusterRoleBindings naming one of
/// its ServiceAccounts, each with a digest of what it grants.
pub async fn rbac_state(client: &kube::Client, namespace: &str) -> Result<RbacBaseline, ClusterError> {
    let mut out = RbacBaseline::new();
    let roles =
        bounded("list roles", Api::<Role>::namespaced(client.clone(), namespace).list(&ListParams::default())).await?;
    for r in roles.items {
        out.insert(format!("Role/{}", r.metadata.name.clone().unwrap_or_default()), digest(&r.rules));
    }
    let rbs = bounded(
        "list rolebindings",
        Api::<RoleBinding>::namespaced(client.clone(), namespace).list(&ListParams::default()),
    )
    .await?;
    for b in rbs.items {
        out.insert(
            format!("RoleBinding/{}", b.metadata.name.clone().unwrap_or_default()),
            digest(&(&b.role_ref, &b.subjects)),
        );
    }
    let crbs = bounded(
        "list clusterrolebindings",
        Api::<ClusterRoleBinding>::all(client.clone()).list(&ListParams::default()),
    )
    .await?;
    for b in crbs.items {
        let names_ns = b.subjects.iter().flatten().any(|s| s.namespace.as_deref() == Some(namespace));
        if names_ns {
            out.insert(
                format!("ClusterRoleBinding/{}", b.metadata.name.clone().unwrap_or_default()),
                digest(&(&b.role_ref, &b.subjects)),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_candidate_role_stays_inside_the_namespace_and_cannot_touch_rbac() {
        let (_, role, binding) = candidate_rbac("faultline-x-1", "s1");
        let rules = role.rules.unwrap();
        for r in &rules {
            let res = r.resources.clone().unwrap_or_default();
            assert!(!res.iter().any(|x| x.contains("role") || x == "*" || x == "namespaces"), "{res:?}");
            assert!(!r.verbs.iter().any(|v| v == "*" || v == "escalate" || v == "bind"));
        }
        assert_eq!(binding.role_ref.kind, "Role");
        assert_eq!(binding.subjects.unwrap()[0].namespace.as_deref(), Some("faultline-x-1"));
        assert_eq!(role.metadata.labels.unwrap()[SESSION_LABEL], "s1");
    }

    #[test]
    fn namespaces_are_labelled_managed_and_with_the_session() {
        let (ns, quota, limits) = namespace_objects("faultline-x-1", "s1");
        let l = ns.metadata.labels.unwrap();
        assert_eq!(l[MANAGED_LABEL], "true");
        assert_eq!(l[SESSION_LABEL], "s1");
        assert!(quota.spec.unwrap().hard.unwrap().contains_key("limits.memory"));
        assert_eq!(limits.spec.unwrap().limits[0].type_, "Container");
    }

    #[test]
    fn the_candidate_kubeconfig_names_the_namespace_and_token() {
        let text =
            candidate_kubeconfig("kind-faultline-warm", "https://127.0.0.1:6443", Some("Q0E="), false, "ns1", "tok");
        let kc: kube::config::Kubeconfig = serde_json::from_str(&text).unwrap();
        assert_eq!(kc.current_context.as_deref(), Some("faultline-ns1"));
        assert_eq!(kc.contexts[0].context.as_ref().unwrap().namespace.as_deref(), Some("ns1"));
        assert!(text.contains("\"token\": \"tok\""));
    }
}
