//! The live check kinds. Each runs in the session namespace and waits only by
//! watching, with a bound: the verdict comes as soon as the watched objects say so.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, DynamicObject};
use kube::runtime::watcher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::capture::{evidence_of, observe};
use super::{bounded, ClusterError, LiveOutcome, RbacBaseline};
use crate::model::observed::{bad_state, containers_of, pod_ready, ready_endpoints};
use crate::model::{CheckKind, Evidence};

/// Run one live check.
pub async fn run(client: &kube::Client, ns: &str, rbac: Option<&RbacBaseline>, kind: &CheckKind) -> LiveOutcome {
    match namespace_alive(client, ns).await {
        Ok(None) => {}
        Ok(Some(why)) => return LiveOutcome::fail(why, Vec::new()),
        Err(e) => return LiveOutcome::error(format!("cannot reach the cluster: {e}")),
    }
    let r = match kind {
        CheckKind::K8sRollout { deployment, within_secs } => rollout(client, ns, deployment, *within_secs).await,
        CheckKind::K8sPodsReady { selector, within_secs } => pods_ready(client, ns, selector, *within_secs).await,
        CheckKind::K8sRestartsStable { selector, window_secs } => {
            restarts_stable(client, ns, selector, *window_secs).await
        }
        CheckKind::K8sNoBadState { selector } => no_bad_state(client, ns, selector).await,
        CheckKind::K8sEndpoints { service, within_secs } => endpoints(client, ns, service, *within_secs).await,
        CheckKind::K8sHttp { service, port, path, expect_status, body_contains, within_secs } => {
            http(client, ns, service, *port, path, *expect_status, body_contains.as_deref(), *within_secs).await
        }
        CheckKind::K8sRbacUnchanged => match rbac {
            Some(b) => rbac_unchanged(client, ns, b).await,
            None => Ok(LiveOutcome::skipped("no RBAC baseline was recorded when the session started")),
        },
        CheckKind::K8sProtected { objects } => protected(client, ns, objects).await,
        other => Ok(LiveOutcome::error(format!("`{}` is not a live check", other.name()))),
    };
    match r {
        Ok(o) => o,
        Err(e) => {
            // The namespace may have gone while the check ran.
            if let Ok(Some(why)) = namespace_alive(client, ns).await {
                return LiveOutcome::fail(why, Vec::new());
            }
            LiveOutcome::error(e.to_string())
        }
    }
}

/// `Some(message)` when the session namespace was deleted or is being deleted.
pub async fn namespace_alive(client: &kube::Client, ns: &str) -> Result<Option<String>, ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    match bounded("get namespace", api.get_opt(ns)).await? {
        None => Ok(Some(format!(
            "the session namespace `{ns}` no longer exists: it was deleted during the exercise, so nothing is running"
        ))),
        Some(n) if n.metadata.deletion_timestamp.is_some() => {
            Ok(Some(format!("the session namespace `{ns}` is being deleted, so nothing can run in it")))
        }
        Some(_) => Ok(None),
    }
}

/// Watch objects of one kind (by label or field selector) until `verdict` says
/// something or `bound` passes; then `verdict` is asked once more with `timed_out`.
async fn watch_until<K, F>(
    api: Api<K>,
    config: watcher::Config,
    bound: Duration,
    mut verdict: F,
) -> Result<Option<String>, ClusterError>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone,
    F: FnMut(&[K], bool) -> Option<String>,
{
    let mut objects = BTreeMap::<String, K>::new();
    let stream = watcher(api, config);
    futures::pin_mut!(stream);
    let mut initialised = false;
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let ev = match next {
            Err(_) | Ok(None) => break,
            Ok(Some(ev)) => ev,
        };
        let key = |o: &K| o.meta().name.clone().unwrap_or_default();
        match ev {
            Ok(watcher::Event::Init) => objects.clear(),
            Ok(watcher::Event::InitApply(o)) => {
                objects.insert(key(&o), o);
            }
            Ok(watcher::Event::InitDone) => initialised = true,
            Ok(watcher::Event::Apply(o)) => {
                objects.insert(key(&o), o);
            }
            Ok(watcher::Event::Delete(o)) => {
                objects.remove(&key(&o));
            }
            Err(e) => return Err(ClusterError::Api(e.to_string())),
        }
        if initialised {
            let live: Vec<K> = objects.values().filter(|o| o.meta().deletion_timestamp.is_none()).cloned().collect();
            if let Some(v) = verdict(&live, false) {
                return Ok(Some(v));
            }
        }
    }
    let live: Vec<K> = objects.values().filter(|o| o.meta().deletion_timestamp.is_none()).cloned().collect();
    Ok(verdict(&live, true))
}

const PASS: &str = "\u{1}pass:";

fn pass(msg: impl AsRef<str>) -> Option<String> {
    Some(format!("{PASS}{}", msg.as_ref()))
}

async fn evidence(client: &kube::Client, ns: &str, selector: Option<&str>) -> Vec<Evidence> {
    match observe(client, ns, selector).await {
        Ok(s) => evidence_of(&s),
        Err(e) => vec![Evidence::note(format!("could not collect evidence: {e}"))],
    }
}

async fn finish(client: &kube::Client, ns: &str, selector: Option<&str>, v: Option<String>) -> LiveOutcome {
    let v = v.unwrap_or_else(|| "no verdict".to_string());
    match v.strip_prefix(PASS) {
        Some(msg) => LiveOutcome::pass(msg, Vec::new()),
        None => LiveOutcome::fail(v, evidence(client, ns, selector).await),
    }
}

fn deployment_verdict(d: &Deployment) -> Result<String, String> {
    let name = d.metadata.name.clone().unwrap_or_default();
    let want = d.spec.replicas.unwrap_or(1);
    let s = d.status.clone().unwrap_or_default();
    if want == 0 {
        return Err(format!("Deployment {name} is scaled to 0 replicas: nothing serves"));
    }
    let observed = s.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
    let updated = s.updated_replicas.unwrap_or(0);
    let available = s.available_replicas.unwrap_or(0);
    let total = s.replicas.unwrap_or(0);
    let available_cond = s
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_.as_deref() == Some("Available") && c.status.as_deref() == Some("True"));
    if observed && updated >= want && available >= want && total == updated && available_cond {
        Ok(format!("Deployment {name}: {available}/{want} available, all updated"))
    } else {
        Err(format!(
            "Deployment {name}: {available}/{want} available, {updated} updated, {total} in total{}",
            if observed { "" } else { " (the latest change is not yet observed)" }
        ))
    }
}

/// Whether the Deployment's `Progressing` condition says its deadline passed.
fn deadline_exceeded(d: &Deployment) -> bool {
    let observed =
        d.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
    observed
        && d.status.iter().flat_map(|s| s.conditions.iter().flatten()).any(|c| {
            c.type_.as_deref() == Some("Progressing")
                && c.status.as_deref() == Some("False")
                && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
        })
}

fn selector_of(d: &Deployment) -> Option<String> {
    let l = d.spec.selector.match_labels.as_ref()?;
    Some(l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
}

async fn rollout(client: &kube::Client, ns: &str, name: &str, within: u64) -> Result<LiveOutcome, ClusterError> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let mut selector = None;
    let cfg = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let v = watch_until(api, cfg, Duration::from_secs(within), |ds: &[Deployment], timed_out| {
        let Some(d) = ds.first() else {
            return timed_out.then(|| format!("Deployment {name} does not exist"));
        };
        selector = selector_of(d);
        match deployment_verdict(d) {
            Ok(m) => pass(m),
            Err(m) if timed_out => Some(format!("{m}, after {within} s")),
            // The controller itself has given up: no point waiting out the bound.
            Err(m) if deadline_exceeded(d) => Some(format!("{m}; the rollout passed its progress deadline")),
            Err(_) => None,
        }
    })
    .await?;
    Ok(finish(client, ns, selector.as_deref(), v).await)
}

async fn pods_ready(client: &kube::Client, ns: &str, selector: &str, within: u64) -> Result<LiveOutcome, ClusterError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let cfg = watcher::Config::default().labels(selector);
    let v = watch_until(api, cfg, Duration::from_secs(within), |pods: &[Pod], timed_out| {
        let running: Vec<&Pod> =
            pods.iter().filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Succeeded")).collect();
        if running.is_empty() {
            return timed_out.then(|| format!("no pods match `{selector}`"));
        }
        let not_ready: Vec<String> =
            running.iter().filter(|p| !pod_ready(p)).filter_map(|p| p.metadata.name.clone()).collect();
        if not_ready.is_empty() {
            pass(format!("{} pod(s) matching `{selector}` are ready", running.len()))
        } else if timed_out {
            Some(format!(
                "{} of {} pod(s) not ready after {within} s: {}",
                not_ready.len(),
                running.len(),
                not_ready.join(", ")
            ))
        } else {
            None
        }
    })
    .await?;
    Ok(finish(client, ns, Some(selector), v).await)
}

async fn restarts_stable(
    client: &kube::Client,
    ns: &str,
    selector: &str,
    window: u64,
) -> Result<LiveOutcome, ClusterError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let cfg = watcher::Config::default().labels(selector);
    let mut first_seen: BTreeMap<(String, String), i32> = BTreeMap::new();
    let v = watch_until(api, cfg, Duration::from_secs(window), |pods: &[Pod], timed_out| {
        if pods.is_empty() {
            return timed_out.then(|| format!("no pods match `{selector}`"));
        }
        for c in pods.iter().flat_map(containers_of) {
            let start = *first_seen.entry((c.pod.clone(), c.container.clone())).or_insert(c.restarts);
            if c.restarts > start {
                return Some(format!(
                    "pod {} container {} restarted during the {window} s window ({start} → {})",
                    c.pod, c.container, c.restarts
                ));
            }
            if c.reason.as_deref() == Some("CrashLoopBackOff") {
                return Some(format!("pod {} container {} is in CrashLoopBackOff", c.pod, c.container));
            }
        }
        timed_out.then(|| format!("{PASS}no restarts in {window} s across {} pod(s)", pods.len()))
    })
    .await?;
    Ok(finish(client, ns, Some(selector), v).await)
}

async fn no_bad_state(client: &kube::Client, ns: &str, selector: &str) -> Result<LiveOutcome, ClusterError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let pods = bounded("list pods", api.list(&kube::api::ListParams::default().labels(selector))).await?.items;
    let pods: Vec<Pod> = pods.into_iter().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
    if pods.is_empty() {
        return Ok(finish(client, ns, Some(selector), Some(format!("no pods match `{selector}`"))).await);
    }
    let bad: Vec<String> = pods.iter().flat_map(containers_of).filter_map(|c| bad_state(&c)).collect();
    let v = if bad.is_empty() {
        pass(format!("no container of {} pod(s) is in a failure state", pods.len()))
    } else {
        Some(bad.join("; "))
    };
    Ok(finish(client, ns, Some(selector), v).await)
}

async fn endpoints(client: &kube::Client, ns: &str, service: &str, within: u64) -> Result<LiveOutcome, ClusterError> {
    let svc = bounded("get service", Api::<Service>::namespaced(client.clone(), ns).get_opt(service)).await?;
    let Some(svc) = svc else {
        return Ok(finish(client, ns, None, Some(format!("Service {service} does not exist"))).await);
    };
    let selector = svc
        .spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .map(|l| l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","));
    let v = wait_endpoints(client, ns, service, within).await?;
    let v = match v {
        Ok(addrs) => pass(format!("Service {service} has ready endpoints: {}", addrs.join(", "))),
        Err(m) => Some(m),
    };
    Ok(finish(client, ns, selector.as_deref(), v).await)
}

/// Wait for ready endpoints of a Service: `Ok(addresses with pod)` or `Err(why not)`.
async fn wait_endpoints(
    client: &kube::Client,
    ns: &str,
    service: &str,
    within: u64,
) -> Result<Result<Vec<String>, String>, ClusterError> {
    let api: Api<EndpointSlice> = Api::namespaced(client.clone(), ns);
    let cfg = watcher::Config::default().labels(&format!("kubernetes.io/service-name={service}"));
    let v = watch_until(api, cfg, Duration::from_secs(within), |slices: &[EndpointSlice], timed_out| {
        let ready = ready_endpoints(slices, service);
        if !ready.is_empty() {
            let list: Vec<String> = ready
                .iter()
                .map(|(a, p)| format!("{a}{}", p.as_ref().map(|p| format!(" ({p})")).unwrap_or_default()))
                .collect();
            return pass(list.join("\n"));
        }
        timed_out.then(|| format!("Service {service} has no ready endpoints after {within} s"))
    })
    .await?;
    Ok(match v {
        Some(m) => match m.strip_prefix(PASS) {
            Some(list) => Ok(list.lines().map(str::to_string).collect()),
            None => Err(m),
        },
        None => Err(format!("Service {service} has no ready endpoints")),
    })
}

/// A plain HTTP/1.1 GET over a stream; returns (status, body).
pub async fn http_get<S>(stream: &mut S, host: &str, path: &str) -> Result<(u16, String), String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: faultline\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 || buf.len() > 1024 * 1024 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP response: {}", head.lines().next().unwrap_or("(empty)")))?;
    Ok((status, body.to_string()))
}

#[allow(clippy::too_many_arguments)]
async fn http(
    client: &kube::Client,
    ns: &str,
    service: &str,
    port: u16,
    path: &str,
    expect_status: u16,
    body_contains: Option<&str>,
    within: u64,
) -> Result<LiveOutcome, ClusterError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(within);
    let svc = bounded("get service", Api::<Service>::namespaced(client.clone(), ns).get_opt(service)).await?;
    let Some(svc) = svc else {
        return Ok(finish(client, ns, None, Some(format!("Service {service} does not exist"))).await);
    };
    let spec = svc.spec.clone().unwrap_or_default();
    let selector =
        spec.selector.as_ref().map(|l| l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","));
    let Some(sp) = spec.ports.iter().flatten().find(|p| p.port == i32::from(port)) else {
        return Ok(finish(client, ns, selector.as_deref(), Some(format!("Service {service} has no port {port}"))).await);
    };
    let target = sp.target_port.clone().unwrap_or(IntOrString::Int(sp.port));
    let endpoints = match wait_endpoints(client, ns, service, within).await? {
        Ok(e) => e,
        Err(m) => return Ok(finish(client, ns, selector.as_deref(), Some(m)).await),
    };
    let pod_name = endpoints.iter().find_map(|e| e.split_once(" (").map(|(_, p)| p.trim_end_matches(')').to_string()));
    let Some(pod_name) = pod_name else {
        return Ok(LiveOutcome::error(format!("the endpoints of Service {service} name no pod")));
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let pod = bounded("get pod", pods.get(&pod_name)).await?;
    let pod_port = match &target {
        IntOrString::Int(n) => u16::try_from(*n).ok(),
        IntOrString::String(name) => pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .and_then(|p| u16::try_from(p.container_port).ok()),
    };
    let Some(pod_port) = pod_port else {
        return Ok(finish(
            client,
            ns,
            selector.as_deref(),
            Some(format!("Service {service} targets port `{target:?}`, which pod {pod_name} does not declare")),
        )
        .await);
    };
    let mut last;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let result = async {
            let mut pf = pods.portforward(&pod_name, &[pod_port]).await.map_err(|e| e.to_string())?;
            let mut stream = pf.take_stream(pod_port).ok_or("the port-forward gave no stream")?;
            let r = http_get(&mut stream, service, path).await;
            drop(stream);
            pf.abort();
            r
        };
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now()).max(Duration::from_secs(5));
        match tokio::time::timeout(remaining, result).await {
            Ok(Ok((status, body))) => {
                let body_ok = body_contains.is_none_or(|b| body.contains(b));
                if status == expect_status && body_ok {
                    return Ok(LiveOutcome::pass(
                        format!("GET {path} via pod {pod_name}:{pod_port} answered {status}"),
                        Vec::new(),
                    ));
                }
                let excerpt: String = body.chars().take(200).collect();
                last = if status != expect_status {
                    format!("GET {path} answered {status}, expected {expect_status}; body starts: {excerpt}")
                } else {
                    format!(
                        "GET {path} answered {status} but the body does not contain {:?}",
                        body_contains.unwrap_or("")
                    )
                };
            }
            Ok(Err(e)) => last = format!("GET {path} through a port-forward to {pod_name}:{pod_port} failed: {e}"),
            Err(_) => last = format!("GET {path} did not answer in time"),
        }
        if tokio::time::Instant::now() >= deadline || attempt >= 5 {
            break;
        }
        // Give a just-started server a moment before the next attempt, never past the bound.
        let pause = Duration::from_millis(500 * u64::from(attempt));
        tokio::time::sleep_until((tokio::time::Instant::now() + pause).min(deadline)).await;
    }
    Ok(finish(client, ns, selector.as_deref(), Some(last)).await)
}

async fn rbac_unchanged(client: &kube::Client, ns: &str, baseline: &RbacBaseline) -> Result<LiveOutcome, ClusterError> {
    let now = super::namespace::rbac_state(client, ns).await?;
    let mut changes = Vec::new();
    for (k, digest) in &now {
        match baseline.get(k) {
            None => changes.push(format!("{k} was created")),
            Some(d) if d != digest => changes.push(format!("{k} was changed")),
            Some(_) => {}
        }
    }
    if changes.is_empty() {
        Ok(LiveOutcome::pass(format!("{} RBAC object(s), as at the start", now.len()), Vec::new()))
    } else {
        let ev = changes.iter().map(Evidence::note).collect();
        Ok(LiveOutcome::fail(changes.join("; "), ev))
    }
}

async fn protected(client: &kube::Client, ns: &str, objects: &[String]) -> Result<LiveOutcome, ClusterError> {
    let mut missing = Vec::new();
    for o in objects {
        let Some((kind, name)) = o.split_once('/') else {
            return Ok(LiveOutcome::error(format!("`{o}` is not Kind/name")));
        };
        let Some(ar) = super::apply::resource_for_kind(kind) else {
            return Ok(LiveOutcome::error(format!("unknown kind `{kind}`")));
        };
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
        match bounded(&format!("get {o}"), api.get_opt(name)).await? {
            Some(obj) if obj.metadata.deletion_timestamp.is_none() => {}
            Some(_) => missing.push(format!("{o} is being deleted")),
            None => missing.push(format!("{o} was deleted")),
        }
    }
    if missing.is_empty() {
        Ok(LiveOutcome::pass(format!("{} protected object(s) still exist", objects.len()), Vec::new()))
    } else {
        Ok(LiveOutcome::fail(missing.join("; "), missing.iter().map(Evidence::note).collect()))
    }
}
