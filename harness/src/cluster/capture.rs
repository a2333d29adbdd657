//! Reading what a namespace shows: Deployments, pods, warning events, endpoint
//! slices and the last log lines of containers that are not running well.

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams, LogParams};
use kube::runtime::watcher;

use super::{bounded, ClusterError};
use crate::model::observed::{bad_state, containers_of, pod_ready, LogExcerpt, ObservedState};
use crate::model::Evidence;

/// Lines of log kept per container.
pub const LOG_TAIL: i64 = 20;

/// Capture the namespace's state (pods filtered by `selector` when given).
pub async fn observe(
    client: &kube::Client,
    namespace: &str,
    selector: Option<&str>,
) -> Result<ObservedState, ClusterError> {
    let lp = match selector {
        Some(s) => ListParams::default().labels(s),
        None => ListParams::default(),
    };
    let deployments = bounded(
        "list deployments",
        Api::<Deployment>::namespaced(client.clone(), namespace).list(&ListParams::default()),
    )
    .await?
    .items;
    let pods = bounded("list pods", Api::<Pod>::namespaced(client.clone(), namespace).list(&lp)).await?.items;
    let mut events: Vec<Event> =
        bounded("list events", Api::<Event>::namespaced(client.clone(), namespace).list(&ListParams::default()))
            .await?
            .items
            .into_iter()
            .filter(|e| e.type_.as_deref() == Some("Warning"))
            .collect();
    events.sort_by_key(|e| e.last_timestamp.clone().map(|t| t.0));
    let endpoint_slices = bounded(
        "list endpoint slices",
        Api::<EndpointSlice>::namespaced(client.clone(), namespace).list(&ListParams::default()),
    )
    .await?
    .items;
    let logs = logs_of(client, namespace, &pods).await;
    Ok(ObservedState { deployments, pods, events, endpoint_slices, logs })
}

/// Last log lines of containers that restarted or are not ready (the previous
/// instance when it crashed). Log errors are left out, not fatal.
pub async fn logs_of(client: &kube::Client, namespace: &str, pods: &[Pod]) -> Vec<LogExcerpt> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut out = Vec::new();
    for pod in pods {
        for c in containers_of(pod) {
            if c.ready && c.restarts == 0 {
                continue;
            }
            if c.state == "waiting" && c.restarts == 0 {
                continue; // never started: nothing to read
            }
            let previous = c.restarts > 0 && c.state != "running";
            let lp = LogParams {
                container: Some(c.container.clone()),
                previous,
                tail_lines: Some(LOG_TAIL),
                ..Default::default()
            };
            if let Ok(Ok(text)) = tokio::time::timeout(super::API_TIMEOUT, api.logs(&c.pod, &lp)).await {
                out.push(LogExcerpt { pod: c.pod.clone(), container: c.container.clone(), previous, text });
            }
        }
    }
    out
}

/// Whether the selected pods show the fault: a container in a bad state, a
/// restart, or every pod Ready (a fault then lies in front of the pods, e.g. the
/// Service). `None` while it is too early to say.
fn settled(pods: &[Pod]) -> Option<&'static str> {
    if pods.is_empty() {
        return None;
    }
    let cs: Vec<_> = pods.iter().flat_map(containers_of).collect();
    if cs.iter().any(|c| bad_state(c).is_some()) {
        return Some("a container is failing");
    }
    if cs.iter().any(|c| c.restarts > 0) {
        return Some("a container restarted");
    }
    if pods.iter().all(pod_ready) {
        return Some("all pods are ready");
    }
    None
}

/// Watch the selected pods until the fault shows (see [`settled`]) or `bound`
/// passes; returns what was seen.
pub async fn wait_for_symptoms(
    client: &kube::Client,
    namespace: &str,
    selector: &str,
    bound: Duration,
) -> Result<&'static str, ClusterError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut pods = std::collections::BTreeMap::<String, Pod>::new();
    let stream = watcher(api, watcher::Config::default().labels(selector));
    futures::pin_mut!(stream);
    let watch = async {
        while let Some(ev) = stream.next().await {
            match ev {
                Ok(watcher::Event::Apply(p) | watcher::Event::InitApply(p)) => {
                    pods.insert(p.metadata.name.clone().unwrap_or_default(), p);
                }
                Ok(watcher::Event::Delete(p)) => {
                    pods.remove(&p.metadata.name.clone().unwrap_or_default());
                }
                Ok(watcher::Event::Init) => pods.clear(),
                Ok(watcher::Event::InitDone) => {}
                Err(e) => return Err(ClusterError::Api(e.to_string())),
            }
            let live: Vec<Pod> = pods.values().filter(|p| p.metadata.deletion_timestamp.is_none()).cloned().collect();
            if let Some(why) = settled(&live) {
                return Ok(why);
            }
        }
        Ok("the watch ended")
    };
    match tokio::time::timeout(bound, watch).await {
        Ok(r) => r,
        Err(_) => Ok("the wait for symptoms reached its bound"),
    }
}

/// Evidence lines for a grade: pod states, recent warning events and log tails.
pub fn evidence_of(state: &ObservedState) -> Vec<Evidence> {
    let mut ev = Vec::new();
    for p in &state.pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        let phase = p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Unknown".into());
        let parts: Vec<String> = containers_of(p)
            .iter()
            .map(|c| {
                let st = c.reason.clone().unwrap_or_else(|| c.state.clone());
                let last = c.last_reason.as_ref().map(|r| format!(", last ended {r}")).unwrap_or_default();
                format!("{} {st} (restarts {}{last})", c.container, c.restarts)
            })
            .collect();
        let ready = if pod_ready(p) { "ready" } else { "not ready" };
        ev.push(Evidence::note(format!("pod {name}: {phase}, {ready}; {}", parts.join("; "))));
    }
    for e in state.events.iter().rev().take(5) {
        ev.push(Evidence::note(format!(
            "event {} {}/{}: {}",
            e.reason.clone().unwrap_or_default(),
            e.involved_object.kind.clone().unwrap_or_default(),
            e.involved_object.name.clone().unwrap_or_default(),
            e.message.clone().unwrap_or_default().trim()
        )));
    }
    for l in &state.logs {
        let lines: Vec<&str> = l.text.lines().collect();
        let tail = lines[lines.len().saturating_sub(5)..].join("\n");
        if !tail.trim().is_empty() {
            let which = if l.previous { " (previous instance)" } else { "" };
            ev.push(Evidence::note(format!("log {}/{}{which}:\n{tail}", l.pod, l.container)));
        }
    }
    ev
}
