//! Starting a live session: namespace, base manifests, the fault as a patch, a
//! bounded watch until the failure shows, the captured state, and the
//! candidate's kubeconfig. Ctrl-C or any error removes the namespace again.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;

use super::{apply, bounded, capture, connect, namespace, ClusterAccess, ClusterError, RbacBaseline};
use crate::inject::Materialized;
use crate::model::observed::ObservedState;
use crate::model::snapshot::join;
use crate::model::Scenario;
use crate::report::symptoms::{self, Section};
use crate::session::LivePlan;

/// How long to watch for the fault to show before capturing anyway.
pub const SYMPTOM_BOUND: Duration = Duration::from_secs(90);
/// How long the candidate's token is valid.
pub const TOKEN_HOURS: i64 = 12;

/// Where the API server is, as the candidate's kubeconfig should say.
#[derive(Debug, Clone, Default)]
pub struct ServerInfo {
    pub cluster_name: String,
    pub server: String,
    pub ca_data: Option<String>,
    pub ca_file: Option<String>,
    pub insecure: bool,
}

/// Read the server entry of the access's context from its kubeconfig.
pub fn server_info(access: &ClusterAccess) -> Result<ServerInfo, ClusterError> {
    let kc = super::read_kubeconfig(access.kubeconfig.as_deref())?;
    let ctx_name = access.context.clone().or(kc.current_context.clone()).unwrap_or_default();
    let ctx = kc
        .contexts
        .iter()
        .find(|c| c.name == ctx_name)
        .and_then(|c| c.context.clone())
        .ok_or_else(|| ClusterError::Kubeconfig(format!("no context `{ctx_name}`")))?;
    let cluster = kc
        .clusters
        .iter()
        .find(|c| c.name == ctx.cluster)
        .and_then(|c| c.cluster.clone())
        .ok_or_else(|| ClusterError::Kubeconfig(format!("context `{ctx_name}` names no cluster entry")))?;
    Ok(ServerInfo {
        cluster_name: ctx.cluster.clone(),
        server: cluster.server.clone().unwrap_or_default(),
        ca_data: cluster.certificate_authority_data.clone(),
        ca_file: cluster.certificate_authority.clone(),
        insecure: cluster.insecure_skip_tls_verify.unwrap_or(false),
    })
}

/// What a live start produced.
pub struct Prepared {
    pub symptoms: String,
    pub kubeconfig: String,
    pub rbac: RbacBaseline,
    pub observed: Vec<(String, ObservedState)>,
}

/// Connect, then [`prepare_on`]; Ctrl-C or an error removes the namespace.
pub async fn prepare(
    plan: &LivePlan<'_>,
    m: &Materialized,
    scenarios: &[&Scenario],
    session: &str,
    ns: &str,
) -> Result<Prepared, ClusterError> {
    let (client, _) = connect(plan.access).await?;
    let info = server_info(plan.access)?;
    let work = prepare_on(&client, &info, plan.progress, m, scenarios, session, ns, SYMPTOM_BOUND);
    let outcome = tokio::select! {
        r = work => r,
        _ = tokio::signal::ctrl_c() => Err(ClusterError::Interrupted),
    };
    if outcome.is_err() {
        (plan.progress)(&format!("removing namespace {ns}"));
        let _ = namespace::delete(&client, ns).await;
    }
    outcome
}

/// Remove a session's namespace (used when a later step of `start` fails).
pub async fn remove_namespace(access: &ClusterAccess, ns: &str) -> Result<bool, ClusterError> {
    let (client, _) = connect(access).await?;
    namespace::delete(&client, ns).await
}

/// The live start on a connected client.
#[allow(clippy::too_many_arguments)]
pub async fn prepare_on(
    client: &kube::Client,
    info: &ServerInfo,
    progress: &dyn Fn(&str),
    m: &Materialized,
    scenarios: &[&Scenario],
    session: &str,
    ns: &str,
    symptom_bound: Duration,
) -> Result<Prepared, ClusterError> {
    progress(&format!("creating namespace {ns}"));
    namespace::create(client, ns, session).await?;
    let mut selectors = Vec::new();
    for sc in scenarios {
        let Some(k) = &sc.kubernetes else { continue };
        let dir = join(&sc.mount, &k.manifests);
        let base = apply::manifests(&m.base, &dir)?;
        let broken = apply::manifests(&m.broken, &dir)?;
        progress(&format!("applying {} object(s) of {}", base.len(), sc.id));
        let patch = apply::inject(client, ns, session, &base, &broken).await?;
        progress(&format!(
            "injecting the fault of {}: {} object(s) changed, {} removed",
            sc.id,
            patch.apply.len(),
            patch.delete.len()
        ));
        let params = m.params.iter().find(|(id, _)| id == &sc.id).map(|(_, p)| p.clone()).unwrap_or_default();
        let workload = match &k.workload {
            Some(w) => Some(crate::variant::render(w, &params).map_err(|e| ClusterError::Other(e.to_string()))?),
            None => None,
        };
        selectors.push((sc.title.clone(), workload));
    }
    let mut observed = Vec::new();
    for (title, workload) in &selectors {
        let selector = match workload {
            Some(w) => {
                let d = bounded("get deployment", Api::<Deployment>::namespaced(client.clone(), ns).get_opt(w)).await?;
                d.as_ref().and_then(|d| {
                    let l = d.spec.selector.match_labels.as_ref()?;
                    Some(l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
                })
            }
            None => None,
        };
        progress(&format!("watching {} until the failure shows", workload.as_deref().unwrap_or("the pods")));
        capture::wait_for_symptoms(client, ns, selector.as_deref().unwrap_or(""), symptom_bound).await?;
        progress("capturing pods, events, logs and endpoints");
        let mut state = capture::observe(client, ns, selector.as_deref()).await?;
        if let Some(w) = workload {
            state.deployments.retain(|d| d.metadata.name.as_deref() == Some(w.as_str()));
        }
        observed.push((title.clone(), state));
    }
    progress("issuing the candidate's kubeconfig");
    let token = namespace::candidate_token(client, ns, TOKEN_HOURS).await?;
    let mut kubeconfig = namespace::candidate_kubeconfig(
        &info.cluster_name,
        &info.server,
        info.ca_data.as_deref(),
        info.insecure,
        ns,
        &token,
    );
    if let (None, Some(file)) = (&info.ca_data, &info.ca_file) {
        kubeconfig = kubeconfig.replacen(
            &format!("\"server\": \"{}\"", info.server),
            &format!("\"certificate-authority\": {:?},\n        \"server\": \"{}\"", file, info.server),
            1,
        );
    }
    let rbac = namespace::rbac_state(client, ns).await?;
    let source = format!(
        "Captured live from namespace `{ns}` at {}.",
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    );
    let several = observed.len() > 1;
    let sections: Vec<Section> = observed
        .iter()
        .map(|(t, s)| Section { title: several.then_some(t.as_str()), state: s, source: &source })
        .collect();
    let symptoms = symptoms::render(&sections);
    Ok(Prepared { symptoms, kubeconfig, rbac, observed })
}
