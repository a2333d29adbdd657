//! What a Kubernetes workload looked like at one moment: the objects and log lines
//! a person reads when troubleshooting. Captured live from the session namespace, or
//! shipped with a scenario as a recorded file (`kubernetes.recorded`) so static mode
//! shows the same symptoms. Pure data: reading it from a cluster lives in
//! [`crate::cluster`], rendering it in [`crate::report::symptoms`].
//!
//! The recorded file format, every key optional:
//!
//! ```yaml
//! deployments: [ apps/v1 Deployment objects ]
//! pods: [ core/v1 Pod objects ]
//! events: [ core/v1 Event objects ]
//! endpoint_slices: [ discovery.k8s.io/v1 EndpointSlice objects ]
//! logs:
//!   - { pod: NAME, container: NAME, previous: true, text: "…" }
//! ```

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use serde::{Deserialize, Serialize};

/// A workload's observable state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObservedState {
    pub deployments: Vec<Deployment>,
    pub pods: Vec<Pod>,
    pub events: Vec<Event>,
    pub endpoint_slices: Vec<EndpointSlice>,
    pub logs: Vec<LogExcerpt>,
}

/// The last lines a container wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogExcerpt {
    pub pod: String,
    pub container: String,
    /// From the previous (crashed) instance of the container.
    pub previous: bool,
    pub text: String,
}

/// A recorded state that does not read (line and column are 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} column {column}: {message}")]
pub struct RecordedError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// One container's condition, as `kubectl get pods` would summarise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerCondition {
    pub pod: String,
    pub container: String,
    pub ready: bool,
    pub restarts: i32,
    /// `waiting`, `running` or `terminated` (empty when the kubelet reported nothing).
    pub state: String,
    /// The waiting or terminated reason (`CrashLoopBackOff`, `OOMKilled`, …).
    pub reason: Option<String>,
    pub message: Option<String>,
    /// The reason the previous instance ended, when it did.
    pub last_reason: Option<String>,
    pub last_exit_code: Option<i32>,
}

/// Reasons that mean a container cannot run as specified.
pub const BAD_WAITING_REASONS: &[&str] = &[
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "InvalidImageName",
    "RunContainerError",
];

/// Every container (init containers first) of a pod, with its state.
pub fn containers_of(pod: &Pod) -> Vec<ContainerCondition> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let Some(status) = &pod.status else { return Vec::new() };
    let all = status.init_container_statuses.iter().flatten().chain(status.container_statuses.iter().flatten());
    all.map(|cs| {
        let (state, reason, message) = match &cs.state {
            Some(s) if s.waiting.is_some() => {
                let w = s.waiting.as_ref().expect("checked");
                ("waiting".to_string(), w.reason.clone(), w.message.clone())
            }
            Some(s) if s.terminated.is_some() => {
                let t = s.terminated.as_ref().expect("checked");
                ("terminated".to_string(), t.reason.clone(), t.message.clone())
            }
            Some(s) if s.running.is_some() => ("running".to_string(), None, None),
            _ => (String::new(), None, None),
        };
        let last = cs.last_state.as_ref().and_then(|l| l.terminated.as_ref());
        ContainerCondition {
            pod: name.clone(),
            container: cs.name.clone(),
            ready: cs.ready,
            restarts: cs.restart_count,
            state,
            reason,
            message,
            last_reason: last.and_then(|t| t.reason.clone()),
            last_exit_code: last.map(|t| t.exit_code),
        }
    })
    .collect()
}

/// Whether a pod's `Ready` condition is true.
pub fn pod_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// A bad state of a container, described in words (`None` when it is fine).
pub fn bad_state(c: &ContainerCondition) -> Option<String> {
    match (c.state.as_str(), c.reason.as_deref()) {
        ("waiting", Some(r)) if BAD_WAITING_REASONS.contains(&r) => {
            Some(format!("pod {} container {}: waiting in {r}", c.pod, c.container))
        }
        ("terminated", Some("OOMKilled")) => {
            Some(format!("pod {} container {}: terminated OOMKilled", c.pod, c.container))
        }
        _ if c.last_reason.as_deref() == Some("OOMKilled") => {
            Some(format!("pod {} container {}: last instance was OOMKilled", c.pod, c.container))
        }
        _ => None,
    }
}

/// Whether a pod's labels match a simple equality selector (`a=b,c=d`; `a==b`,
/// `a!=b` and bare `a` (exists) are understood too).
pub fn selector_matches(selector: &str, labels: Option<&std::collections::BTreeMap<String, String>>) -> bool {
    let empty = std::collections::BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    selector.split(',').map(str::trim).filter(|t| !t.is_empty()).all(|term| {
        if let Some((k, v)) = term.split_once("!=") {
            labels.get(k.trim()).map(String::as_str) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            labels.get(k.trim()).map(String::as_str) == Some(v.trim())
        } else if let Some(k) = term.strip_prefix('!') {
            !labels.contains_key(k.trim())
        } else {
            labels.contains_key(term)
        }
    })
}

/// Ready endpoint addresses of the slices that belong to a Service.
pub fn ready_endpoints(slices: &[EndpointSlice], service: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for s in slices.iter().filter(|s| slice_service(s) == Some(service)) {
        for e in s.endpoints.iter().flatten() {
            let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
            if !ready {
                continue;
            }
            let pod = e.target_ref.as_ref().filter(|r| r.kind.as_deref() == Some("Pod")).and_then(|r| r.name.clone());
            for a in &e.addresses {
                out.push((a.clone(), pod.clone()));
            }
        }
    }
    out
}

/// The Service an EndpointSlice belongs to (its `kubernetes.io/service-name` label).
pub fn slice_service(s: &EndpointSlice) -> Option<&str> {
    s.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")).map(String::as_str)
}

impl ObservedState {
    /// Parse a recorded state (YAML).
    pub fn from_yaml(text: &str) -> Result<Self, RecordedError> {
        serde_saphyr::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
            let raw = e.to_string();
            let first = raw.lines().next().unwrap_or("invalid YAML").trim();
            let mut message = first.strip_prefix("error:").unwrap_or(first).trim();
            if let Some(rest) = message.strip_prefix("line ") {
                if let Some((_, after)) = rest.split_once(": ") {
                    message = after;
                }
            }
            RecordedError { line, column, message: message.to_string() }
        })
    }

    /// Whether nothing at all was observed.
    pub fn is_empty(&self) -> bool {
        self.deployments.is_empty()
            && self.pods.is_empty()
            && self.events.is_empty()
            && self.endpoint_slices.is_empty()
            && self.logs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = r#"
deployments:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 2
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec: { containers: [ { name: web, image: "nginx:1.27" } ] }
    status: { replicas: 2, unavailableReplicas: 2 }
pods:
  - metadata: { name: web-abc, labels: { app: web } }
    status:
      phase: Running
      conditions: [ { type: Ready, status: "False" } ]
      containerStatuses:
        - name: web
          image: "nginx:1.27"
          imageID: ""
          ready: false
          restartCount: 4
          state: { waiting: { reason: CrashLoopBackOff, message: "back-off 40s" } }
          lastState: { terminated: { exitCode: 1, reason: Error } }
events:
  - metadata: { name: web-abc.1 }
    involvedObject: { kind: Pod, name: web-abc }
    type: Warning
    reason: BackOff
    message: Back-off restarting failed container
    count: 7
logs:
  - { pod: web-abc, container: web, previous: true, text: "unknown flag --prot" }
"#;

    #[test]
    fn a_recorded_state_reads_into_kubernetes_types() {
        let s = ObservedState::from_yaml(RECORDED).unwrap();
        assert_eq!(s.deployments[0].spec.replicas, Some(2));
        let c = containers_of(&s.pods[0]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].reason.as_deref(), Some("CrashLoopBackOff"));
        assert_eq!(c[0].restarts, 4);
        assert_eq!(c[0].last_exit_code, Some(1));
        assert!(!pod_ready(&s.pods[0]));
        assert!(bad_state(&c[0]).unwrap().contains("CrashLoopBackOff"));
        assert!(s.logs[0].previous);
    }

    #[test]
    fn unknown_keys_and_wrong_kinds_are_refused() {
        let e = ObservedState::from_yaml("pods: []\nnodes: []\n").unwrap_err();
        assert!(e.message.contains("nodes") && e.line == 2, "{e}");
        let wrong = "deployments:\n  - apiVersion: v1\n    kind: Pod\n    metadata: { name: x }\n";
        assert!(ObservedState::from_yaml(wrong).is_err());
    }

    #[test]
    fn selectors_match_equality_terms() {
        let l: std::collections::BTreeMap<String, String> =
            [("app".to_string(), "web".to_string()), ("tier".to_string(), "fe".to_string())].into();
        assert!(selector_matches("app=web", Some(&l)));
        assert!(selector_matches("app==web,tier", Some(&l)));
        assert!(!selector_matches("app=web,tier=be", Some(&l)));
        assert!(selector_matches("app!=db", Some(&l)));
        assert!(!selector_matches("!tier", Some(&l)));
        assert!(!selector_matches("app=web", None));
    }
}
