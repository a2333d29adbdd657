//! Live Kubernetes: cluster backends, per-session namespaces, fault injection
//! through the API, capture of the broken state, and the live checks.
//!
//! Everything talks to the API server through `kube` with `k8s-openapi` types.
//! Three backends provide a cluster ([`Backend`]): a warm `kind` cluster, any
//! existing kubeconfig context, or a K3s server in Docker. A session gets its own
//! namespace; everything Faultline creates carries the label
//! `faultline.dev/session=<id>` (namespaces also `faultline.dev/managed=true`), and
//! clean-up only ever touches objects with those labels.
//!
//! The checks engine is synchronous; [`LiveCluster`] is the bridge: a handle that
//! owns its own tokio runtime and blocks on it. Every API call has a timeout and
//! every wait is a watch with a bound.

pub mod apply;
pub mod capture;
pub mod checks;
pub mod k3s;
pub mod kind;
pub mod live;
pub mod namespace;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde::{Deserialize, Serialize};

use crate::model::{CheckKind, CheckStatus, Evidence};

/// Label carrying the session id on everything Faultline creates.
pub const SESSION_LABEL: &str = "faultline.dev/session";
/// Label on namespaces Faultline manages.
pub const MANAGED_LABEL: &str = "faultline.dev/managed";
/// Field manager for server-side apply.
pub const FIELD_MANAGER: &str = "faultline";
/// Prefix of every kind cluster Faultline makes.
pub const CLUSTER_PREFIX: &str = "faultline-";
/// Bound on a single API request.
pub const API_TIMEOUT: Duration = Duration::from_secs(20);

/// Problems with a cluster (never the candidate's fault).
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("`{tool}` is not installed or not on PATH: {why}")]
    ToolMissing { tool: String, why: String },
    #[error("the cluster `{cluster}` cannot be reached: {reason}")]
    Unreachable { cluster: String, reason: String },
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    #[error("Kubernetes API: {0}")]
    Api(String),
    #[error("{what} did not answer within {secs} s")]
    Timeout { what: String, secs: u64 },
    #[error("`{command}` failed: {stderr}")]
    Command { command: String, stderr: String },
    #[error("manifest {file}: {message}")]
    Manifest { file: String, message: String },
    #[error("{0}")]
    Other(String),
    #[error("interrupted: what was created so far has been removed")]
    Interrupted,
}

impl From<kube::Error> for ClusterError {
    fn from(e: kube::Error) -> Self {
        ClusterError::Api(e.to_string())
    }
}

/// Run an API call with [`API_TIMEOUT`].
pub async fn bounded<T, E: Into<ClusterError>>(
    what: &str,
    f: impl Future<Output = Result<T, E>>,
) -> Result<T, ClusterError> {
    match tokio::time::timeout(API_TIMEOUT, f).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(ClusterError::Timeout { what: what.to_string(), secs: API_TIMEOUT.as_secs() }),
    }
}

/// Which backend a session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Kind,
    Kubeconfig,
    K3s,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Kind => "kind",
            BackendKind::Kubeconfig => "kubeconfig",
            BackendKind::K3s => "k3s",
        }
    }
}

/// How to reach a cluster: enough to reconnect in a later command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterAccess {
    pub backend: BackendKind,
    /// Human name (`faultline-warm`, a context name, `k3s`).
    pub cluster: String,
    /// Admin kubeconfig file; `None` means the user's default (KUBECONFIG or ~/.kube/config).
    pub kubeconfig: Option<PathBuf>,
    /// Context to use from it (its current context when `None`).
    pub context: Option<String>,
}

/// A cluster backend: something that can hand out access to a cluster.
pub trait Backend {
    fn kind(&self) -> BackendKind;
    /// Make sure the cluster exists (creating it when the backend can) and say how to reach it.
    fn ensure(&self) -> Result<ClusterAccess, ClusterError>;
    /// One line for `status`/`doctor`.
    fn describe(&self) -> String;
}

/// The `kubeconfig` backend: an existing context.
pub struct KubeconfigBackend {
    pub path: Option<PathBuf>,
    pub context: Option<String>,
}

impl Backend for KubeconfigBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Kubeconfig
    }
    fn ensure(&self) -> Result<ClusterAccess, ClusterError> {
        let kc = read_kubeconfig(self.path.as_deref())?;
        let context = match &self.context {
            Some(c) => {
                if !kc.contexts.iter().any(|n| &n.name == c) {
                    let known: Vec<_> = kc.contexts.iter().map(|n| n.name.clone()).collect();
                    return Err(ClusterError::Kubeconfig(format!(
                        "no context `{c}` (contexts: {})",
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    )));
                }
                c.clone()
            }
            None => kc
                .current_context
                .clone()
                .ok_or_else(|| ClusterError::Kubeconfig("no current context; pass --context".to_string()))?,
        };
        Ok(ClusterAccess {
            backend: BackendKind::Kubeconfig,
            cluster: context.clone(),
            kubeconfig: self.path.clone(),
            context: Some(context),
        })
    }
    fn describe(&self) -> String {
        match self.ensure() {
            Ok(a) => format!("context {}", a.cluster),
            Err(e) => e.to_string(),
        }
    }
}

/// Read a kubeconfig file (or the default one).
pub fn read_kubeconfig(path: Option<&Path>) -> Result<Kubeconfig, ClusterError> {
    match path {
        Some(p) => Kubeconfig::read_from(p).map_err(|e| ClusterError::Kubeconfig(format!("{}: {e}", p.display()))),
        None => Kubeconfig::read()
            .map_err(|e| ClusterError::Kubeconfig(format!("no usable kubeconfig (KUBECONFIG or ~/.kube/config): {e}"))),
    }
}

/// Build a client for `access` on the current runtime and make sure the API answers.
pub async fn connect(access: &ClusterAccess) -> Result<(kube::Client, kube::Config), ClusterError> {
    let kc = read_kubeconfig(access.kubeconfig.as_deref())?;
    let opts = KubeConfigOptions { context: access.context.clone(), ..Default::default() };
    let mut config =
        kube::Config::from_custom_kubeconfig(kc, &opts).await.map_err(|e| ClusterError::Kubeconfig(e.to_string()))?;
    config.connect_timeout = Some(Duration::from_secs(10));
    config.read_timeout = Some(Duration::from_secs(300));
    config.write_timeout = Some(Duration::from_secs(30));
    let client = kube::Client::try_from(config.clone())
        .map_err(|e| ClusterError::Unreachable { cluster: access.cluster.clone(), reason: e.to_string() })?;
    match tokio::time::timeout(Duration::from_secs(15), client.apiserver_version()).await {
        Ok(Ok(_)) => Ok((client, config)),
        Ok(Err(e)) => Err(ClusterError::Unreachable { cluster: access.cluster.clone(), reason: e.to_string() }),
        Err(_) => Err(ClusterError::Unreachable {
            cluster: access.cluster.clone(),
            reason: format!("{} did not answer within 15 s", config.cluster_url),
        }),
    }
}

/// A runtime for blocking on cluster work from synchronous code.
pub fn runtime() -> Result<tokio::runtime::Runtime, ClusterError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ClusterError::Other(format!("cannot start the async runtime: {e}")))
}

/// The user's choice of backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Kind,
    Kubeconfig,
    K3s,
    None,
}

impl std::str::FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kind" => Ok(Choice::Kind),
            "kubeconfig" => Ok(Choice::Kubeconfig),
            "k3s" => Ok(Choice::K3s),
            "none" | "static" => Ok(Choice::None),
            other => Err(format!("unknown cluster backend `{other}` (use kind, kubeconfig, k3s or none)")),
        }
    }
}

/// What backend selection decided.
pub enum Selected {
    Live(ClusterAccess),
    /// Static mode, with the reason.
    Static(String),
}

/// Pick a backend: an explicit choice (flag or `FAULTLINE_CLUSTER`), else a warm
/// Faultline kind cluster when one exists, else static mode.
pub fn select(
    choice: Option<Choice>,
    context: Option<&str>,
    data_dir: &Path,
    progress: &dyn Fn(&str),
) -> Result<Selected, ClusterError> {
    match choice {
        Some(Choice::None) => Ok(Selected::Static("--cluster none".to_string())),
        Some(Choice::Kubeconfig) => {
            Ok(Selected::Live(KubeconfigBackend { path: None, context: context.map(str::to_string) }.ensure()?))
        }
        Some(Choice::Kind) => {
            let b = kind::KindBackend::warm(data_dir);
            b.up(progress)?;
            Ok(Selected::Live(b.ensure()?))
        }
        Some(Choice::K3s) => Ok(Selected::Live(k3s::K3sBackend::new(data_dir).up(progress)?)),
        None => {
            if context.is_some() {
                let b = KubeconfigBackend { path: None, context: context.map(str::to_string) };
                return Ok(Selected::Live(b.ensure()?));
            }
            let b = kind::KindBackend::warm(data_dir);
            match b.exists() {
                Ok(true) => Ok(Selected::Live(b.ensure()?)),
                Ok(false) => Ok(Selected::Static(format!(
                    "no warm kind cluster `{}` (start one with `faultline cluster up`)",
                    b.name
                ))),
                Err(e) => Ok(Selected::Static(e.to_string())),
            }
        }
    }
}

/// Roles and bindings seen at the start of a session: `Kind/name` → digest of
/// what they grant.
pub type RbacBaseline = std::collections::BTreeMap<String, String>;

/// A live check's verdict, before points.
#[derive(Debug, Clone)]
pub struct LiveOutcome {
    pub status: CheckStatus,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl LiveOutcome {
    pub fn pass(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        LiveOutcome { status: CheckStatus::Passed, message: message.into(), evidence }
    }
    pub fn fail(message: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        LiveOutcome { status: CheckStatus::Failed, message: message.into(), evidence }
    }
    pub fn error(message: impl Into<String>) -> Self {
        LiveOutcome { status: CheckStatus::Error, message: message.into(), evidence: Vec::new() }
    }
    pub fn skipped(message: impl Into<String>) -> Self {
        LiveOutcome { status: CheckStatus::Skipped, message: message.into(), evidence: Vec::new() }
    }
}

/// A session's namespace on a live cluster, usable from synchronous code.
pub trait LiveCluster {
    fn namespace(&self) -> &str;
    /// Run one live check kind (blocks until it has a verdict; every wait is bounded).
    fn run(&self, kind: &CheckKind) -> LiveOutcome;
}

/// The live handle: a client, the session namespace and a runtime to block on.
pub struct KubeSession {
    rt: tokio::runtime::Runtime,
    pub client: kube::Client,
    pub namespace: String,
    pub rbac_baseline: Option<RbacBaseline>,
}

impl KubeSession {
    /// Wrap a client made on `rt` (e.g. a mock one in tests).
    pub fn new(rt: tokio::runtime::Runtime, client: kube::Client, namespace: &str) -> Self {
        KubeSession { rt, client, namespace: namespace.to_string(), rbac_baseline: None }
    }

    pub fn with_baseline(mut self, b: Option<RbacBaseline>) -> Self {
        self.rbac_baseline = b;
        self
    }

    /// Connect to `access` on a fresh runtime.
    pub fn open(access: &ClusterAccess, namespace: &str) -> Result<Self, ClusterError> {
        let rt = runtime()?;
        let (client, _) = rt.block_on(connect(access))?;
        Ok(KubeSession::new(rt, client, namespace))
    }

    /// Block on a future on this session's runtime.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}

impl LiveCluster for KubeSession {
    fn namespace(&self) -> &str {
        &self.namespace
    }
    fn run(&self, kind: &CheckKind) -> LiveOutcome {
        self.rt.block_on(checks::run(&self.client, &self.namespace, self.rbac_baseline.as_ref(), kind))
    }
}

/// A session whose cluster cannot be reached: every live check reports an
/// infrastructure error with the reason (never a fail).
pub struct Unavailable(pub String);

impl LiveCluster for Unavailable {
    fn namespace(&self) -> &str {
        ""
    }
    fn run(&self, _kind: &CheckKind) -> LiveOutcome {
        LiveOutcome::error(format!("the session's cluster is unavailable: {}", self.0))
    }
}

/// Labels for an object of a session.
pub fn session_labels(session: &str) -> std::collections::BTreeMap<String, String> {
    [(SESSION_LABEL.to_string(), label_value(session))].into()
}

/// A label value from any string (63 characters of `[A-Za-z0-9._-]`).
pub fn label_value(s: &str) -> String {
    let v: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).take(63).collect();
    v.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string()
}

/// The namespace of a session: `faultline-<exercise>-<suffix>` within 63 characters.
pub fn namespace_for(exercise: &str, session: &str) -> String {
    let ex: String = exercise
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .take(30)
        .collect();
    let suffix: String = session.chars().rev().filter(char::is_ascii_alphanumeric).take(8).collect();
    let suffix: String = suffix.chars().rev().collect::<String>().to_ascii_lowercase();
    format!("faultline-{}-{suffix}", ex.trim_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_labels_are_valid_kubernetes_names() {
        let ns = namespace_for("K8s Troubleshooting!", "1764240000-0a1b2c3d");
        assert_eq!(ns, "faultline-k8s-troubleshooting-0a1b2c3d");
        assert!(ns.len() <= 63);
        assert_eq!(label_value("1764240000-0a1b2c3d"), "1764240000-0a1b2c3d");
        assert_eq!(label_value("-a b/c-"), "a-b-c");
    }

    #[test]
    fn backend_choices_parse_and_unknown_ones_are_named() {
        assert_eq!("kind".parse::<Choice>(), Ok(Choice::Kind));
        assert_eq!("K3S".parse::<Choice>(), Ok(Choice::K3s));
        assert_eq!("none".parse::<Choice>(), Ok(Choice::None));
        assert!("minikube".parse::<Choice>().unwrap_err().contains("minikube"));
    }

    #[test]
    fn a_missing_context_is_named_with_the_ones_that_exist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n\
             users: [{name: u, user: {token: t}}]\ncontexts: [{name: team, context: {cluster: c, user: u}}]\n\
             current-context: team\n",
        )
        .unwrap();
        let b = KubeconfigBackend { path: Some(path.clone()), context: Some("other".into()) };
        let e = b.ensure().unwrap_err().to_string();
        assert!(e.contains("no context `other`") && e.contains("team"), "{e}");
        let ok = KubeconfigBackend { path: Some(path), context: None }.ensure().unwrap();
        assert_eq!(ok.context.as_deref(), Some("team"));
    }

    #[test]
    fn an_unreachable_context_is_an_infrastructure_error_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        // Port 1 on loopback: nothing listens there.
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n\
             users: [{name: u, user: {token: t}}]\ncontexts: [{name: team, context: {cluster: c, user: u}}]\n\
             current-context: team\n",
        )
        .unwrap();
        let access = KubeconfigBackend { path: Some(path), context: None }.ensure().unwrap();
        let rt = runtime().unwrap();
        let Err(e) = rt.block_on(connect(&access)) else { panic!("port 1 answered") };
        assert!(matches!(e, ClusterError::Unreachable { .. }), "{e}");
        assert!(e.to_string().contains("team"), "{e}");
    }
}
