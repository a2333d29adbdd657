//! Sessions: the path a person takes through one exercise — start a workspace,
//! check it, take hints, submit — tying the catalog, injection, workspace, checks,
//! grading and the store together. The CLI commands are thin wrappers over this.

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::checks::{run_checks, CheckContext};
use crate::grade::{grade, GradeInput, Mode};
use crate::inject::{materialize, InjectError, Materialized};
use crate::model::grade::HintUse;
use crate::model::{Exercise, Grade, Snapshot};
use crate::store::{SessionRecord, Store, StoreError};
use crate::workspace::{self, Marker, NewWorkspace, Skipped, WorkspaceError};

/// Everything that can stop a session step.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("unknown exercise `{id}`{}", suggest(.suggestions))]
    UnknownExercise { id: String, suggestions: Vec<String> },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the exercise content is broken: {0}")]
    Inject(#[from] InjectError),
    #[error("this workspace's exercise `{exercise}` is not in the loaded content; use the content it was started with (--content)")]
    ExerciseGone { exercise: String },
    #[error("no more hints: all {total} have been shown")]
    NoMoreHints { total: usize },
    #[error("cluster: {0}")]
    Cluster(#[from] crate::cluster::ClusterError),
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        "; run `faultline list` to see the exercises".to_string()
    } else {
        format!("; did you mean {}?", s.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(" or "))
    }
}

/// Look an exercise up, with suggestions when it is not there.
pub fn find_exercise<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Exercise, SessionError> {
    catalog.exercise(id).ok_or_else(|| SessionError::UnknownExercise {
        id: id.to_string(),
        suggestions: catalog.close_exercise_ids(id),
    })
}

/// A new session id: time plus randomness, sortable.
pub fn new_session_id(now: time::OffsetDateTime) -> String {
    let r: u32 = rand::random();
    format!("{}-{r:08x}", now.unix_timestamp())
}

/// What `start` produced.
pub struct Started {
    pub root: PathBuf,
    pub marker: Marker,
    pub materialized: Materialized,
}

/// Options for starting.
pub struct StartOptions<'a> {
    pub exercise: &'a str,
    pub dir: &'a Path,
    pub candidate: &'a str,
    pub seed: u64,
    pub mode: &'a str,
    pub now: time::OffsetDateTime,
}

/// Build a workspace and record the session.
pub fn start(catalog: &Catalog, store: &dyn Store, key: &[u8], o: &StartOptions) -> Result<Started, SessionError> {
    let ex = find_exercise(catalog, o.exercise)?;
    let m = materialize(catalog, ex, o.seed)?;
    let session = new_session_id(o.now);
    let marker = workspace::create(
        o.dir,
        &m,
        &NewWorkspace { session: &session, candidate: o.candidate, started_at: o.now },
        key,
    )?;
    let root = o.dir.canonicalize().unwrap_or_else(|_| o.dir.to_path_buf());
    write_failing_logs(&root, &m);
    store.create_session(&o.record(session, ex, &root))?;
    Ok(Started { root, marker, materialized: m })
}

impl StartOptions<'_> {
    /// The stored session these options start, in the workspace at `root`.
    fn record(&self, id: String, ex: &Exercise, root: &Path) -> SessionRecord {
        SessionRecord {
            id,
            candidate: self.candidate.to_string(),
            exercise: ex.id.clone(),
            seed: self.seed,
            workspace: root.display().to_string(),
            started_at: self.now,
            mode: self.mode.to_string(),
            time_box_minutes: ex.time_box_minutes,
        }
    }
}

/// A live cluster to start a session on.
pub struct LivePlan<'a> {
    pub access: &'a crate::cluster::ClusterAccess,
    /// Told each stage (namespace, apply, inject, capture).
    pub progress: &'a dyn Fn(&str),
}

/// What a live start made.
pub struct LiveStarted {
    pub namespace: String,
    /// The candidate's kubeconfig, inside the workspace.
    pub kubeconfig: PathBuf,
    /// The captured state, as written to `SYMPTOMS.md`.
    pub observed: Vec<(String, crate::model::observed::ObservedState)>,
}

/// Whether an exercise has Kubernetes scenarios (ones with a `kubernetes:` block).
pub fn k8s_scenarios<'c>(catalog: &'c Catalog, ex: &Exercise) -> Vec<&'c crate::model::Scenario> {
    ex.scenarios.iter().filter_map(|id| catalog.scenarios.get(id)).filter(|s| s.kubernetes.is_some()).collect()
}

/// As [`start`], and with `live` also break the exercise's workload on a cluster:
/// a namespace for the session, the base manifests applied, the fault injected,
/// the broken state captured into `SYMPTOMS.md`, and a kubeconfig for the
/// candidate. On any failure (or Ctrl-C) the namespace is removed again.
pub fn start_with_cluster(
    catalog: &Catalog,
    store: &dyn Store,
    key: &[u8],
    o: &StartOptions,
    live: Option<&LivePlan>,
) -> Result<(Started, Option<LiveStarted>), SessionError> {
    let Some(plan) = live else { return Ok((start(catalog, store, key, o)?, None)) };
    let ex = find_exercise(catalog, o.exercise)?;
    let scenarios = k8s_scenarios(catalog, ex);
    if scenarios.is_empty() {
        return Ok((start(catalog, store, key, o)?, None));
    }
    if o.dir.exists() && fs_err::read_dir(o.dir).map(|mut d| d.next().is_some()).unwrap_or(false) {
        return Err(WorkspaceError::NotEmpty { path: o.dir.to_path_buf() }.into());
    }
    let m = materialize(catalog, ex, o.seed)?;
    let session = new_session_id(o.now);
    let namespace = crate::cluster::namespace_for(&ex.id, &session);
    let rt = crate::cluster::runtime()?;
    let prepared = rt.block_on(crate::cluster::live::prepare(plan, &m, &scenarios, &session, &namespace))?;
    let cleanup = |why: SessionError| -> SessionError {
        let _ = rt.block_on(crate::cluster::live::remove_namespace(plan.access, &namespace));
        why
    };
    workspace::create(o.dir, &m, &NewWorkspace { session: &session, candidate: o.candidate, started_at: o.now }, key)
        .map_err(|e| cleanup(e.into()))?;
    let root = o.dir.canonicalize().unwrap_or_else(|_| o.dir.to_path_buf());
    let record = workspace::ClusterRecord {
        access: plan.access.clone(),
        namespace: namespace.clone(),
        rbac: prepared.rbac.clone(),
    };
    let marker = workspace::record_live(&root, key, record, Some(&prepared.symptoms), &prepared.kubeconfig, o.now)
        .map_err(|e| cleanup(e.into()))?;
    store.create_session(&o.record(session, ex, &root)).map_err(|e| cleanup(e.into()))?;
    let kubeconfig = root.join(workspace::LIVE_DIR).join("kubeconfig");
    Ok((
        Started { root, marker, materialized: m },
        Some(LiveStarted { namespace, kubeconfig, observed: prepared.observed }),
    ))
}

/// A graded workspace.
pub struct Evaluation {
    pub grade: Grade,
    pub materialized: Materialized,
    pub candidate: Snapshot,
    pub skipped: Vec<Skipped>,
}

impl Evaluation {
    /// The candidate's change against the state they started from, as a unified diff
    /// (stored with the result, so the work survives the workspace).
    pub fn diff(&self) -> String {
        crate::report::diff::snapshots(&self.materialized.broken, &self.candidate, 3)
    }
}

/// Grade the files of a workspace for the exercise and seed in its marker.
pub fn evaluate(
    catalog: &Catalog,
    root: &Path,
    marker: &Marker,
    mode: Mode,
    hints_used: Vec<HintUse>,
    run_tools: bool,
) -> Result<Evaluation, SessionError> {
    evaluate_live(catalog, root, marker, mode, hints_used, run_tools, None)
}

/// As [`evaluate`], with live checks run through `live` (skipped when `None`).
pub fn evaluate_live(
    catalog: &Catalog,
    root: &Path,
    marker: &Marker,
    mode: Mode,
    hints_used: Vec<HintUse>,
    run_tools: bool,
    live: Option<&dyn crate::cluster::LiveCluster>,
) -> Result<Evaluation, SessionError> {
    let ex = catalog
        .exercise(&marker.exercise)
        .ok_or_else(|| SessionError::ExerciseGone { exercise: marker.exercise.clone() })?;
    let m = materialize(catalog, ex, marker.seed)?;
    let (candidate, skipped) = workspace::snapshot(root)?;
    let ctx = CheckContext::new(&candidate, &m.base, &m.broken)
        .with_workdir(root)
        .with_tools(run_tools)
        .with_explanations(mode == Mode::Submit)
        .with_live(live);
    let results = run_checks(&ctx, &m.checks, mode == Mode::Submit);
    let g = grade(GradeInput {
        exercise: ex,
        scorecard: catalog.scorecard_of(ex),
        candidate: &marker.candidate,
        seed: marker.seed,
        mode,
        checks: results,
        hints_used,
    });
    Ok(Evaluation { grade: g, materialized: m, candidate, skipped })
}

/// Hints a session has revealed, as grade inputs.
pub fn hints_used(store: &dyn Store, session: &str) -> Result<Vec<HintUse>, SessionError> {
    Ok(store.hints(session)?.into_iter().map(|h| HintUse { number: h.number, cost: h.cost }).collect())
}

/// Reveal the next hint; returns (number, total, text, cost).
pub fn next_hint(
    catalog: &Catalog,
    store: &dyn Store,
    marker: &Marker,
) -> Result<(usize, usize, String, f64), SessionError> {
    let ex = catalog
        .exercise(&marker.exercise)
        .ok_or_else(|| SessionError::ExerciseGone { exercise: marker.exercise.clone() })?;
    let m = materialize(catalog, ex, marker.seed)?;
    let used = store.hints(&marker.session)?.len();
    let Some(h) = m.hints.get(used) else {
        return Err(SessionError::NoMoreHints { total: m.hints.len() });
    };
    store.record_hint(&marker.session, used + 1, h.cost)?;
    Ok((used + 1, m.hints.len(), h.text.clone(), h.cost))
}

/// For each scenario with `pipeline.failing_log`, run its broken pipeline for real and
/// write the log into the workspace (untracked), saying how it ran. A run that cannot
/// start leaves a note in the file instead of a made-up log.
fn write_failing_logs(root: &Path, m: &Materialized) {
    use crate::runner::pipeline as pr;
    let mut done = std::collections::BTreeSet::new();
    for c in &m.checks {
        let Some(settings) = &c.pipeline else { continue };
        let Some(log_name) = &settings.failing_log else { continue };
        if !done.insert(c.scenario.clone()) {
            continue;
        }
        let mount = root.join(crate::model::snapshot::join(&c.mount, "."));
        let mut backend = pr::default_backend(settings.image.as_deref());
        let mut header = String::new();
        if let pr::Backend::Container { .. } = &backend {
            if !pr::docker_status().available {
                backend = pr::Backend::Local;
                header.push_str("# NOTE: Docker was not available; this log comes from --no-container (local processes, not isolated)\n");
            }
        }
        let mut opts = pr::RunOptions::new(&mount, &settings.workflow, backend);
        opts.secrets = settings.secrets.clone();
        opts.network = settings.network;
        let text = match pr::run(&opts) {
            Ok(report) => format!("{header}{}", report.log()),
            Err(e) => format!("{header}# the pipeline could not be run: {e}\n"),
        };
        if let Err(e) = fs_err::write(mount.join(log_name), text) {
            tracing::warn!(error = %e, "cannot write the failing pipeline log");
        }
    }
}
