//! `cluster up|down|status`, `clean`, the live part of `start`, and the cluster
//! rows of `doctor`.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use super::{Ctx, Failure};
use crate::cli::{ClusterAction, Exit};
use crate::cluster::{self, k3s::K3sBackend, kind::KindBackend, Backend, Choice, ClusterError, Selected};
use crate::runner::{self, CommandSpec};
use crate::workspace::Marker;

impl From<ClusterError> for Failure {
    fn from(e: ClusterError) -> Self {
        let exit = match e {
            ClusterError::Manifest { .. } => Exit::BadInput,
            ClusterError::Interrupted => Exit::Interrupted,
            _ => Exit::Environment,
        };
        Failure::new(exit, e.to_string())
    }
}

/// A spinner on stderr (hidden when stderr is not a terminal or output is JSON).
pub fn spinner(ctx: &Ctx) -> ProgressBar {
    use std::io::IsTerminal;
    if ctx.json() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed}] {msg}") {
        pb.set_style(style);
    }
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// Decide how `start` runs: live on a backend, or static with the reason.
pub fn select_for_start(
    ctx: &Ctx,
    choice: Option<&str>,
    context: Option<&str>,
    static_mode: bool,
    pb: &ProgressBar,
) -> Result<Selected, Failure> {
    if static_mode {
        return Ok(Selected::Static("--static".to_string()));
    }
    let choice = match choice {
        Some(c) => Some(c.parse::<Choice>().map_err(|e| Failure::new(Exit::BadInput, e))?),
        None => None,
    };
    let data = ctx.data_dir()?;
    let progress = |m: &str| pb.set_message(m.to_string());
    Ok(cluster::select(choice, context, &data, &progress)?)
}

/// Open the live handle of a workspace's session (or say why there is none).
pub fn live_for(marker: &Marker) -> Option<Box<dyn cluster::LiveCluster>> {
    let rec = marker.cluster.as_ref()?;
    Some(match cluster::KubeSession::open(&rec.access, &rec.namespace) {
        Ok(s) => Box::new(s.with_baseline(Some(rec.rbac.clone()))),
        Err(e) => Box::new(cluster::Unavailable(e.to_string())),
    })
}

/// Delete a finished session's namespace (best effort, reported on stderr).
pub fn end_session(marker: &Marker) {
    let Some(rec) = &marker.cluster else { return };
    let result =
        cluster::runtime().and_then(|rt| rt.block_on(cluster::live::remove_namespace(&rec.access, &rec.namespace)));
    match result {
        Ok(true) => eprintln!("Session namespace {} deleted.", rec.namespace),
        Ok(false) => {}
        Err(e) => eprintln!("warning: could not delete namespace {}: {e}", rec.namespace),
    }
}

pub fn run(ctx: &Ctx, action: ClusterAction) -> Result<Exit, Failure> {
    let data = ctx.data_dir()?;
    match action {
        ClusterAction::Up { backend, name } => {
            let pb = spinner(ctx);
            let progress = |m: &str| pb.set_message(m.to_string());
            let (created, what) = if backend == "k3s" {
                let was = K3sBackend::new(&data).running().is_some();
                let a = K3sBackend::new(&data).up(&progress)?;
                (!was, a.cluster)
            } else {
                let b = backend_kind(&data, name.as_deref(), &backend)?;
                let created = b.up(&progress)?;
                b.export_kubeconfig()?;
                (created, b.name.clone())
            };
            pb.finish_and_clear();
            report(ctx, &serde_json::json!({"cluster": what, "created": created}), || {
                if created {
                    format!("Cluster {what} is up. Sessions now start in their own namespace of it.")
                } else {
                    format!("Cluster {what} was already up.")
                }
            });
            Ok(Exit::Ok)
        }
        ClusterAction::Down { backend, name } => {
            let what = if backend == "k3s" {
                if K3sBackend::new(&data).down()? {
                    "the K3s server".to_string()
                } else {
                    String::new()
                }
            } else {
                let b = backend_kind(&data, name.as_deref(), &backend)?;
                if b.exists()? {
                    b.down()?;
                    b.name.clone()
                } else {
                    String::new()
                }
            };
            report(ctx, &serde_json::json!({"removed": what}), || {
                if what.is_empty() {
                    "Nothing to remove.".to_string()
                } else {
                    format!("Removed {what}.")
                }
            });
            Ok(Exit::Ok)
        }
        ClusterAction::Status => {
            let mut rows = Vec::new();
            let b = KindBackend::warm(&data);
            rows.push(("kind".to_string(), b.describe()));
            match K3sBackend::new(&data).running() {
                Some(r) => {
                    rows.push(("k3s".into(), format!("K3s container {} is up ({})", short_id(&r.container), r.image)))
                }
                None => rows.push(("k3s".into(), "no K3s server started by Faultline".into())),
            }
            let sessions = b.ensure().ok().and_then(|a| {
                let rt = cluster::runtime().ok()?;
                rt.block_on(async {
                    let (c, _) = cluster::connect(&a).await.ok()?;
                    cluster::namespace::list_managed(&c).await.ok()
                })
            });
            if let Some(list) = &sessions {
                rows.push(("sessions".into(), format!("{} namespace(s): {}", list.len(), names(list))));
            }
            if ctx.json() {
                ctx.print_json(
                    &rows.iter().map(|(k, v)| serde_json::json!({"name": k, "detail": v})).collect::<Vec<_>>(),
                );
            } else {
                for (k, v) in rows {
                    println!("{k:10} {v}");
                }
            }
            Ok(Exit::Ok)
        }
    }
}

fn names(list: &[(String, String)]) -> String {
    if list.is_empty() {
        "none".to_string()
    } else {
        list.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn backend_kind(data: &Path, name: Option<&str>, backend: &str) -> Result<KindBackend, Failure> {
    if backend != "kind" {
        return Err(Failure::new(Exit::BadInput, format!("unknown backend `{backend}` (use kind or k3s)")));
    }
    Ok(match name {
        Some(n) => KindBackend::named(data, n),
        None => KindBackend::warm(data),
    })
}

fn report(ctx: &Ctx, json: &serde_json::Value, text: impl FnOnce() -> String) {
    if ctx.json() {
        ctx.print_json(json);
    } else {
        println!("{}", text());
    }
}

/// `faultline clean [--all]`: remove Faultline's session namespaces (on the warm
/// kind cluster, a given context, and the K3s server); with `--all` also the
/// `faultline-*` kind clusters and the K3s server.
pub fn clean(ctx: &Ctx, all: bool, context: Option<&str>) -> Result<Exit, Failure> {
    let data = ctx.data_dir()?;
    let mut accesses = Vec::new();
    let mut notes = Vec::new();
    let kind = KindBackend::warm(&data);
    let kind_clusters = match kind.clusters() {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("kind: {e}"));
            Vec::new()
        }
    };
    for name in &kind_clusters {
        if let Ok(a) = KindBackend::named(&data, name).ensure() {
            accesses.push(a);
        }
    }
    if let Some(c) = context {
        accesses.push(cluster::KubeconfigBackend { path: None, context: Some(c.to_string()) }.ensure()?);
    }
    let k3s = K3sBackend::new(&data);
    if let Some(r) = k3s.running() {
        accesses.push(cluster::ClusterAccess {
            backend: cluster::BackendKind::K3s,
            cluster: "k3s".into(),
            kubeconfig: Some(r.kubeconfig),
            context: None,
        });
    }
    let mut removed = Vec::new();
    let rt = cluster::runtime()?;
    for a in &accesses {
        let r = rt.block_on(async {
            let (c, _) = cluster::connect(a).await?;
            cluster::namespace::clean(&c).await
        });
        match r {
            Ok(list) => removed.extend(list.into_iter().map(|n| format!("namespace {n} ({})", a.cluster))),
            Err(e) => notes.push(format!("{}: {e}", a.cluster)),
        }
    }
    if all {
        for name in &kind_clusters {
            match KindBackend::named(&data, name).down() {
                Ok(()) => removed.push(format!("kind cluster {name}")),
                Err(e) => notes.push(e.to_string()),
            }
        }
        match k3s.down() {
            Ok(true) => removed.push("the K3s server".into()),
            Ok(false) => {}
            Err(e) => notes.push(e.to_string()),
        }
    }
    if ctx.json() {
        ctx.print_json(&serde_json::json!({"removed": removed, "notes": notes}));
    } else {
        if removed.is_empty() {
            println!("Nothing of Faultline's to remove.");
        }
        for r in &removed {
            println!("removed {r}");
        }
        for n in &notes {
            println!("note: {n}");
        }
    }
    Ok(Exit::Ok)
}

fn tool_version(program: &str, args: &[&str]) -> Result<String, String> {
    let Some(path) = runner::find_program(program) else { return Err("not on PATH".to_string()) };
    let mut spec = CommandSpec::new(path.display().to_string(), args.iter().copied(), std::env::temp_dir());
    spec.timeout = std::time::Duration::from_secs(15);
    spec.network = true;
    match runner::run(&spec) {
        Ok(o) if o.success() => Ok(o.stdout.lines().next().unwrap_or("").trim().to_string()),
        Ok(o) => Err(o.stderr.lines().next().unwrap_or("failed").trim().to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Rows for `doctor`: (component, present, detail).
pub fn doctor_rows() -> Vec<(String, bool, String)> {
    let mut rows = Vec::new();
    let row = |name: &str, r: Result<String, String>, missing: &str| match r {
        Ok(v) => (name.to_string(), true, v),
        Err(e) => (name.to_string(), false, format!("{e} ({missing})")),
    };
    rows.push(row("kind", tool_version("kind", &["version"]), "the kind backend is unavailable"));
    rows.push(row("kubectl", tool_version("kubectl", &["version", "--client"]), "candidates need it in live mode"));
    rows.push(row(
        "docker",
        tool_version("docker", &["version", "--format", "{{.Server.Version}}"]).map(|v| format!("server {v}")),
        "kind and k3s need a running Docker",
    ));
    let image = std::env::var("FAULTLINE_K3S_IMAGE").unwrap_or_else(|_| cluster::k3s::DEFAULT_IMAGE.to_string());
    rows.push(row(
        "k3s image",
        cluster::k3s::image_present(&image).map(|id| format!("{image} {id}")).map_err(|e| e.to_string()),
        "the k3s backend would have to pull it",
    ));
    let ctx = cluster::read_kubeconfig(None)
        .map_err(|e| e.to_string())
        .and_then(|kc| kc.current_context.ok_or_else(|| "no current context".to_string()));
    rows.push(row("kube context", ctx, "the kubeconfig backend needs --context or a current context"));
    rows
}
