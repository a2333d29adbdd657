//! Running a CI pipeline for real: each job in a fresh container (through
//! testcontainers), or, with `--no-container`, as local processes.
//!
//! A run copies the workspace into a temporary folder per job, mounts it at
//! `/workspace` and a scratch folder at `/runner` (step scripts, `GITHUB_OUTPUT`,
//! `GITHUB_ENV`), and executes each `run:`/`script:` step with `bash -e` (or the
//! step's `shell:`) in its working directory. Limits: network `none` unless the
//! scenario allows loopback, CPU, memory and process-count caps on the container, a
//! time limit per step, per job and per run (coreutils `timeout` inside, a host-side
//! deadline as a backstop), and output capped to its head and tail. Secrets are
//! injected from the exercise's store and replaced by `***` in every log kept.
//!
//! Supported actions: `actions/checkout` (the workspace is already there),
//! `actions/cache` (no cache offline: a no-op), `actions/upload-artifact` and
//! `actions/download-artifact` (a folder on the host between jobs), `actions/setup-*`
//! (the image's own toolchain, checked to exist), and local reusable workflows.
//! Any other action is reported "not runnable offline" with its line and fails its
//! job: the run never pretends it happened.
//!
//! Containers are always removed: after each job, on a timeout, and on Ctrl-C.

mod container;
mod exec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::model::scenario::PipelineNetwork;
use crate::model::Evidence;
use crate::pipeline::expr::{self, Scope};
use crate::pipeline::{plan, Dialect, Job, PassedSecrets, Step, StepAction, Workflow};

pub use container::{docker_status, image_present, DockerStatus};
use exec::{Executor, StepCommand, StepRun};

/// The runner image used when nothing else is set.
pub const DEFAULT_IMAGE: &str = "local/faultline-runner:bookworm";

/// Environment variable that overrides the runner image.
pub const IMAGE_VAR: &str = "FAULTLINE_RUNNER_IMAGE";

/// Environment variable that, when `1`, makes checks run pipelines without containers.
pub const NO_CONTAINER_VAR: &str = "FAULTLINE_NO_CONTAINER";

/// Where jobs run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A container from this image, per job.
    Container { image: String },
    /// Local processes in a temporary copy: NOT isolated.
    Local,
}

/// The image to use: an explicit choice, else `FAULTLINE_RUNNER_IMAGE`, else [`DEFAULT_IMAGE`].
pub fn resolve_image(explicit: Option<&str>) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| std::env::var(IMAGE_VAR).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| DEFAULT_IMAGE.to_string())
}

/// The backend checks use: local when `FAULTLINE_NO_CONTAINER=1`, else containers.
/// `FAULTLINE_RUNNER_IMAGE` wins over a scenario's image so a site can swap it.
pub fn default_backend(scenario_image: Option<&str>) -> Backend {
    if std::env::var(NO_CONTAINER_VAR).is_ok_and(|v| v == "1" || v == "true") {
        return Backend::Local;
    }
    let image = std::env::var(IMAGE_VAR).ok().filter(|v| !v.is_empty());
    Backend::Container { image: resolve_image(image.as_deref().or(scenario_image)) }
}

/// Limits for a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Per step, unless the step sets `timeout-minutes`.
    pub step_timeout: Duration,
    /// Per job, unless the job sets `timeout-minutes` / `timeout`.
    pub job_timeout: Duration,
    /// The whole run.
    pub run_timeout: Duration,
    /// Bytes of each step's log kept (head and tail).
    pub output_limit: usize,
    /// Container memory limit.
    pub memory_bytes: i64,
    /// Container CPU limit, in billionths of a CPU.
    pub nano_cpus: i64,
    /// Most processes in a container.
    pub pids: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            step_timeout: Duration::from_secs(300),
            job_timeout: Duration::from_secs(600),
            run_timeout: Duration::from_secs(1800),
            output_limit: 64 * 1024,
            memory_bytes: 1024 * 1024 * 1024,
            nano_cpus: 1_000_000_000,
            pids: 512,
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The repository to run (copied, never changed).
    pub root: PathBuf,
    /// Workflow file relative to `root`.
    pub workflow: String,
    /// Jobs to run (with what they need); all when empty.
    pub jobs: Vec<String>,
    pub secrets: BTreeMap<String, String>,
    pub backend: Backend,
    pub network: PipelineNetwork,
    pub limits: Limits,
    /// Show indicatif progress on stderr.
    pub progress: bool,
}

impl RunOptions {
    pub fn new(root: impl Into<PathBuf>, workflow: impl Into<String>, backend: Backend) -> Self {
        RunOptions {
            root: root.into(),
            workflow: workflow.into(),
            jobs: Vec::new(),
            secrets: BTreeMap::new(),
            backend,
            network: PipelineNetwork::None,
            limits: Limits::default(),
            progress: false,
        }
    }
}

/// Why a pipeline could not be run at all (a failing pipeline is a [`RunReport`]).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("Docker not available ({reason}); rerun with --no-container to run steps as local processes")]
    DockerUnavailable { reason: String },
    #[error("runner image `{image}` is not present; build it with scripts/build-runner-image.sh (or pass --image)")]
    ImageMissing { image: String },
    #[error("{file}:{line}:{column}: {message}")]
    Workflow { file: String, line: usize, column: usize, message: String },
    #[error("no job `{job}` in {file} (jobs: {known})")]
    NoSuchJob { job: String, file: String, known: String },
    #[error("container error: {0}")]
    Container(String),
    #[error("interrupted; containers were removed")]
    Interrupted,
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> PipelineError {
    let context = context.into();
    move |source| PipelineError::Io { context, source }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    Success,
    Failure,
    TimedOut,
    Skipped,
    NotRunnable,
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobStatus {
    Success,
    Failure,
    Skipped,
}

/// One step's result. `log` is masked and capped.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepReport {
    pub index: usize,
    pub label: String,
    pub line: usize,
    pub status: StepStatus,
    pub exit_code: Option<i32>,
    pub log: String,
    pub truncated: bool,
    pub duration_ms: u128,
    /// Whether a failure was ignored (`continue-on-error`).
    pub ignored: bool,
}

/// One job's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobReport {
    /// Job id, with the matrix values when expanded (`test (python=3.11)`).
    pub id: String,
    pub status: JobStatus,
    pub steps: Vec<StepReport>,
    pub note: Option<String>,
    pub duration_ms: u128,
    /// Wall time spent outside the steps themselves (workspace copy, container start,
    /// exec set-up). The container's removal runs in the background, beside the
    /// next job, and the run waits for it before it ends.
    pub overhead_ms: u128,
    /// Whether a failure does not fail the pipeline (`allow_failure`, `continue-on-error`).
    pub allowed_to_fail: bool,
    /// What this run does differently from a hosted CI for the job, with the line it
    /// concerns: service containers not started, a job image not pulled.
    pub offline: Vec<String>,
}

/// The result of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunReport {
    pub workflow: String,
    pub backend: String,
    /// Whether jobs ran in containers.
    pub isolated: bool,
    pub jobs: Vec<JobReport>,
}

impl RunReport {
    /// No job failed (skipped jobs and allowed failures do not count).
    pub fn succeeded(&self) -> bool {
        !self.jobs.iter().any(|j| j.status == JobStatus::Failure && !j.allowed_to_fail)
    }

    /// The first failing job and step.
    pub fn first_failure(&self) -> Option<(&JobReport, Option<&StepReport>)> {
        let job = self.jobs.iter().find(|j| j.status == JobStatus::Failure && !j.allowed_to_fail)?;
        let step =
            job.steps.iter().find(|s| !s.ignored && !matches!(s.status, StepStatus::Success | StepStatus::Skipped));
        Some((job, step))
    }

    /// One line: which job and step failed, and how.
    pub fn failure_summary(&self) -> String {
        match self.first_failure() {
            None => "the pipeline succeeded".into(),
            Some((job, None)) => format!("job `{}` failed: {}", job.id, job.note.clone().unwrap_or_default()),
            Some((job, Some(step))) => format!(
                "job `{}` failed at step {} `{}` (line {}): {}",
                job.id,
                step.index + 1,
                step.label,
                step.line,
                match step.status {
                    StepStatus::TimedOut => "timed out and was killed".to_string(),
                    StepStatus::NotRunnable => "not runnable offline".to_string(),
                    _ => format!("exit code {}", step.exit_code.map_or("none".into(), |c| c.to_string())),
                }
            ),
        }
    }

    /// Evidence for a check: job results, and the failing step's log tail.
    pub fn evidence(&self) -> Vec<Evidence> {
        let mut out = vec![Evidence::note(
            self.jobs.iter().map(|j| format!("{}: {:?}", j.id, j.status).to_lowercase()).collect::<Vec<_>>().join(", "),
        )];
        if let Some((job, step)) = self.first_failure() {
            let mut text = self.failure_summary();
            if let Some(s) = step {
                text.push('\n');
                text.push_str(&tail(&s.log, 20));
            }
            out.push(Evidence::at(&self.workflow, step.map_or(0, |s| s.line), text));
            let _ = job;
        }
        let services: Vec<&String> =
            self.jobs.iter().flat_map(|j| &j.offline).filter(|n| n.starts_with("service")).collect();
        out.extend(services.into_iter().map(|n| Evidence::note(n.clone())));
        out
    }

    /// A log of the whole run, as a person would read it in a CI page.
    pub fn log(&self) -> String {
        let mut out = format!("# pipeline {} ({})\n", self.workflow, self.backend);
        for j in &self.jobs {
            out.push_str(&format!("\n## job {} — {:?}\n", j.id, j.status).to_lowercase());
            if let Some(n) = &j.note {
                out.push_str(&format!("note: {n}\n"));
            }
            for n in &j.offline {
                out.push_str(&format!("offline: {n}\n"));
            }
            for s in &j.steps {
                out.push_str(&format!(
                    "### step {}: {} — {:?}{}\n",
                    s.index + 1,
                    s.label,
                    s.status,
                    s.exit_code.map(|c| format!(" (exit code {c})")).unwrap_or_default()
                ));
                out.push_str(&s.log);
                if !s.log.is_empty() && !s.log.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// The last `lines` lines of a text.
pub fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Replace every secret value (3 characters or more) with `***`.
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    let mut values: Vec<&String> = secrets.iter().filter(|s| s.len() >= 3).collect();
    // Longest first, so a secret containing another is masked whole.
    values.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for v in values {
        out = out.replace(v.as_str(), "***");
        for line in v.lines().filter(|l| l.len() >= 3) {
            out = out.replace(line, "***");
        }
    }
    out
}

/// Run a pipeline. Safe to call from any thread, including from inside a tokio runtime.
pub fn run(opts: &RunOptions) -> Result<RunReport, PipelineError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        let opts = opts.clone();
        return std::thread::spawn(move || run_here(&opts))
            .join()
            .unwrap_or_else(|_| Err(PipelineError::Container("the runner thread panicked".into())));
    }
    run_here(opts)
}

fn read_workflow(root: &Path, file: &str) -> Result<Workflow, PipelineError> {
    let dialect = Dialect::of_path(file).ok_or_else(|| PipelineError::Workflow {
        file: file.to_string(),
        line: 1,
        column: 1,
        message: "not a workflow file (.github/workflows/*.yml or .gitlab-ci.yml)".into(),
    })?;
    let text = fs_err::read_to_string(root.join(file)).map_err(|e| PipelineError::Workflow {
        file: file.to_string(),
        line: 1,
        column: 1,
        message: e.to_string(),
    })?;
    let (wf, _) = crate::pipeline::parse_workflow(file, &text, dialect).map_err(|e| PipelineError::Workflow {
        file: file.to_string(),
        line: e.pos.line,
        column: e.pos.column,
        message: format!("not valid YAML: {}", e.message),
    })?;
    Ok(wf)
}

fn run_here(opts: &RunOptions) -> Result<RunReport, PipelineError> {
    let wf = read_workflow(&opts.root, &opts.workflow)?;
    let selected = select(&wf, &opts.jobs)?;
    let executor = match &opts.backend {
        Backend::Container { image } => Executor::container(image, opts)?,
        Backend::Local => Executor::local(),
    };
    let scratch = tempfile::Builder::new().prefix("faultline-pipeline-").tempdir().map_err(io("temporary folder"))?;
    let mut run = Run {
        opts,
        executor,
        scratch: scratch.path().to_path_buf(),
        started: Instant::now(),
        results: BTreeMap::new(),
        reports: Vec::new(),
        secret_values: opts.secrets.values().cloned().collect(),
        progress: Progress::new(opts.progress),
        planned_jobs: selected.len(),
    };
    if matches!(opts.backend, Backend::Local) {
        run.progress.warn("NOT ISOLATED: --no-container runs the steps as local processes on this machine (a temporary copy, network off where possible)");
    }
    run.workflow(&wf, &selected, opts.secrets.clone(), Map::new(), "")?;
    // No container outlives the run (on an error, dropping the executor waits too).
    run.executor.finish();
    let backend = match &opts.backend {
        Backend::Container { image } => format!("container {image}"),
        Backend::Local => "local processes (no container)".into(),
    };
    Ok(RunReport {
        workflow: opts.workflow.clone(),
        backend,
        isolated: matches!(opts.backend, Backend::Container { .. }),
        jobs: run.reports,
    })
}

/// The selected jobs and everything they need.
fn select(wf: &Workflow, wanted: &[String]) -> Result<Vec<String>, PipelineError> {
    let order = plan::order(wf).map_err(|cycle| PipelineError::Workflow {
        file: wf.file.clone(),
        line: wf.job(&cycle[0]).map_or(1, |j| j.pos.line),
        column: 1,
        message: format!("jobs need each other in a cycle: {}", cycle.join(" → ")),
    })?;
    if wanted.is_empty() {
        return Ok(order);
    }
    let mut keep = std::collections::BTreeSet::new();
    for w in wanted {
        let job = wf.job(w).ok_or_else(|| PipelineError::NoSuchJob {
            job: w.clone(),
            file: wf.file.clone(),
            known: wf.jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        keep.insert(job.id.clone());
        keep.extend(plan::ancestors(wf, job));
    }
    Ok(order.into_iter().filter(|id| keep.contains(id)).collect())
}

/// What a finished job leaves for the jobs after it.
#[derive(Debug, Clone)]
struct JobResult {
    status: JobStatus,
    outputs: Map<String, Value>,
}

struct Run<'o> {
    opts: &'o RunOptions,
    executor: Executor,
    scratch: PathBuf,
    started: Instant,
    results: BTreeMap<String, JobResult>,
    reports: Vec<JobReport>,
    secret_values: Vec<String>,
    progress: Progress,
    /// Jobs the run expects (the selected jobs, before matrices and calls): while
    /// fewer have run, the next job's container is started ahead.
    planned_jobs: usize,
}

fn github_context(wf: &Workflow) -> Value {
    json!({
        "event_name": "push",
        "ref": "refs/heads/main",
        "ref_name": "main",
        "ref_type": "branch",
        "head_ref": "",
        "base_ref": "",
        "sha": "0000000000000000000000000000000000000000",
        "repository": "faultline/workspace",
        "repository_owner": "faultline",
        "actor": "faultline",
        "workflow": wf.name.clone().unwrap_or_else(|| wf.file.clone()),
        "workspace": "/workspace",
        "run_id": "1",
        "run_number": "1",
        "server_url": "https://github.com",
        "event": {"ref": "refs/heads/main", "repository": {"default_branch": "main"}},
    })
}

impl Run<'_> {
    fn remaining(&self) -> Duration {
        self.opts.limits.run_timeout.saturating_sub(self.started.elapsed())
    }

    /// Run the selected jobs of a workflow. `prefix` names a calling job (`deploy/`).
    fn workflow(
        &mut self,
        wf: &Workflow,
        selected: &[String],
        secrets: BTreeMap<String, String>,
        inputs: Map<String, Value>,
        prefix: &str,
    ) -> Result<bool, PipelineError> {
        let mut all_ok = true;
        let mut local: BTreeMap<String, JobResult> = BTreeMap::new();
        for id in selected {
            let Some(job) = wf.job(id) else { continue };
            let deps = plan::dependencies(wf, job);
            let needs: Map<String, Value> = deps
                .iter()
                .filter_map(|d| local.get(d).map(|r| (d.clone(), r)))
                .map(|(d, r)| {
                    let result = match r.status {
                        JobStatus::Success => "success",
                        JobStatus::Failure => "failure",
                        JobStatus::Skipped => "skipped",
                    };
                    (d, json!({"result": result, "outputs": Value::Object(r.outputs.clone())}))
                })
                .collect();
            let deps_failed = deps.iter().any(|d| local.get(d).is_some_and(|r| r.status == JobStatus::Failure));
            let deps_ok = deps.iter().all(|d| local.get(d).is_none_or(|r| r.status == JobStatus::Success));
            let result = self.job(wf, job, &needs, deps_ok, deps_failed, &secrets, &inputs, prefix)?;
            if result.status == JobStatus::Failure && !(job.allow_failure || job.continue_on_error) {
                all_ok = false;
            }
            // GitLab: a job allowed to fail does not stop the next stages.
            let effective = if result.status == JobStatus::Failure && (job.allow_failure || job.continue_on_error) {
                JobResult { status: JobStatus::Success, outputs: result.outputs.clone() }
            } else {
                result.clone()
            };
            local.insert(id.clone(), effective.clone());
            self.results.insert(format!("{prefix}{id}"), effective);
        }
        Ok(all_ok)
    }

    /// Decide whether a job runs.
    fn job_runs(
        &self,
        wf: &Workflow,
        job: &Job,
        scope: &Scope,
        deps_ok: bool,
        deps_failed: bool,
    ) -> Result<bool, String> {
        match wf.dialect {
            Dialect::GitHub => match &job.condition {
                Some(c) => scope.condition(&c.value),
                None => Ok(deps_ok),
            },
            Dialect::GitLab => {
                let when = if job.rules.is_empty() {
                    job.when.clone().unwrap_or_else(|| "on_success".into())
                } else {
                    let mut chosen = None;
                    for r in &job.rules {
                        let hit = match &r.condition {
                            Some(c) => expr::truthy(&scope.eval_text(&c.value)?),
                            None => true,
                        };
                        if hit {
                            chosen = Some(
                                r.when.clone().or_else(|| job.when.clone()).unwrap_or_else(|| "on_success".into()),
                            );
                            break;
                        }
                    }
                    chosen.unwrap_or_else(|| "never".into())
                };
                Ok(match when.as_str() {
                    "never" | "manual" => false,
                    "always" => true,
                    "on_failure" => deps_failed,
                    _ => deps_ok,
                })
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn job(
        &mut self,
        wf: &Workflow,
        job: &Job,
        needs: &Map<String, Value>,
        deps_ok: bool,
        deps_failed: bool,
        secrets: &BTreeMap<String, String>,
        inputs: &Map<String, Value>,
        prefix: &str,
    ) -> Result<JobResult, PipelineError> {
        let mut scope = Scope::default();
        scope.set("github", github_context(wf));
        scope.set("secrets", Value::Object(secrets.iter().map(|(k, v)| (k.clone(), json!(v))).collect()));
        scope.set("needs", Value::Object(needs.clone()));
        scope.set("inputs", Value::Object(inputs.clone()));
        scope.set("vars", json!({}));
        scope.set("runner", json!({"os": "Linux", "arch": "X64", "temp": "/tmp"}));
        scope.status.failed = !deps_ok;
        let variables = gitlab_variables(wf, job, secrets);
        scope.variables = variables.iter().map(|(k, v)| (k.clone(), json!(v))).collect();

        let combos = match &job.matrix {
            Some(m) if m.expression.is_some() => {
                let text = m.expression.as_ref().map(|t| t.value.clone()).unwrap_or_default();
                match scope.eval_text(expr::strip_braces(&text)) {
                    Ok(Value::Object(o)) => {
                        let mut mm = crate::pipeline::Matrix::default();
                        for (k, v) in o {
                            if let Value::Array(values) = v {
                                mm.axes.push((k, values));
                            }
                        }
                        plan::expand(&mm)
                    }
                    _ => vec![Map::new()],
                }
            }
            Some(m) => plan::expand(m),
            None => vec![Map::new()],
        };
        let combos = if combos.is_empty() { vec![Map::new()] } else { combos };
        let mut overall = JobStatus::Skipped;
        let mut outputs = Map::new();
        for combo in combos {
            let mut scope = scope.clone();
            scope.set("matrix", Value::Object(combo.clone()));
            let label = if combo.is_empty() {
                format!("{prefix}{}", job.id)
            } else {
                let values: Vec<String> = combo.iter().map(|(k, v)| format!("{k}={}", expr::to_text(v))).collect();
                format!("{prefix}{} ({})", job.id, values.join(", "))
            };
            let runs = match self.job_runs(wf, job, &scope, deps_ok, deps_failed) {
                Ok(r) => r,
                Err(e) => {
                    self.reports.push(skipped_report(
                        &label,
                        JobStatus::Failure,
                        format!("condition does not evaluate: {e}"),
                    ));
                    overall = JobStatus::Failure;
                    continue;
                }
            };
            if !runs {
                let why = if deps_ok { "its condition is false" } else { "a job it needs did not succeed" };
                self.progress.line(&format!("- {label}: skipped ({why})"));
                self.reports.push(skipped_report(&label, JobStatus::Skipped, why.to_string()));
                continue;
            }
            let status = if let Some(uses) = &job.uses {
                self.call(wf, job, uses, &scope, secrets, &label)?
            } else {
                let (status, outs) = self.instance(wf, job, &scope, &variables, &label)?;
                outputs.extend(outs);
                status
            };
            overall = match (overall, status) {
                (JobStatus::Failure, _) | (_, JobStatus::Failure) => JobStatus::Failure,
                (_, JobStatus::Success) | (JobStatus::Success, _) => JobStatus::Success,
                _ => JobStatus::Skipped,
            };
        }
        Ok(JobResult { status: overall, outputs })
    }

    /// A job that calls a reusable workflow: run the called workflow's jobs.
    fn call(
        &mut self,
        wf: &Workflow,
        job: &Job,
        uses: &crate::pipeline::Text,
        scope: &Scope,
        secrets: &BTreeMap<String, String>,
        label: &str,
    ) -> Result<JobStatus, PipelineError> {
        let Some(path) = uses.value.strip_prefix("./") else {
            let note = format!(
                "`{}` ({}:{}) is a remote reusable workflow: not runnable offline",
                uses.value, wf.file, uses.pos.line
            );
            self.progress.line(&format!("✗ {label}: {note}"));
            self.reports.push(skipped_report(label, JobStatus::Failure, note));
            return Ok(JobStatus::Failure);
        };
        let callee = read_workflow(&self.opts.root, path)?;
        let passed: BTreeMap<String, String> = match &job.secrets {
            PassedSecrets::Inherit => secrets.clone(),
            PassedSecrets::None => BTreeMap::new(),
            PassedSecrets::Map(m) => {
                m.iter().map(|b| (b.name.clone(), scope.interpolate(&b.value).unwrap_or_default())).collect()
            }
        };
        let mut inputs: Map<String, Value> =
            callee.call_inputs.iter().map(|(k, d)| (k.clone(), d.clone().unwrap_or(Value::Null))).collect();
        for b in &job.with {
            inputs.insert(b.name.clone(), json!(scope.interpolate(&b.value).unwrap_or_default()));
        }
        let order = select(&callee, &[])?;
        let ok = self.workflow(&callee, &order, passed, inputs, &format!("{label}/"))?;
        Ok(if ok { JobStatus::Success } else { JobStatus::Failure })
    }

    /// One job instance (one matrix combination).
    fn instance(
        &mut self,
        wf: &Workflow,
        job: &Job,
        scope: &Scope,
        variables: &[(String, String)],
        label: &str,
    ) -> Result<(JobStatus, Map<String, Value>), PipelineError> {
        let started = Instant::now();
        let slug: String = label.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let fresh = self.scratch.join(format!("job-{}-{slug}", self.reports.len()));
        let next = self.scratch.join(format!("spare-{}", self.reports.len() + 1));
        let another_likely = self.reports.len() + 1 < self.planned_jobs;
        let job_limit =
            job.timeout_minutes.map_or(self.opts.limits.job_timeout, |m| Duration::from_secs_f64((m * 60.0).max(1.0)));
        self.progress.start_job(label);
        let image = match &self.opts.backend {
            Backend::Container { image } => Some(image.as_str()),
            Backend::Local => None,
        };
        let offline = offline_notices(wf, job, image);
        for n in offline.iter().filter(|n| n.starts_with("service")) {
            self.progress.warn(n);
        }
        let (dir, mut session) = match self.executor.begin_job(&fresh, &next, another_likely, self.opts) {
            Ok(s) => s,
            Err(e) => {
                self.progress.finish_job(label, false);
                return Err(e);
            }
        };
        let ws = dir.join("workspace");
        let runner_dir = dir.join("runner");
        // The container may already be up: the files land in its bind-mounted folder.
        let filled = copy_tree(&self.opts.root, &ws).map_err(io("copy the workspace")).and_then(|()| {
            if wf.dialect == Dialect::GitLab {
                self.fetch_gitlab_artifacts(wf, job, &ws)
            } else {
                Ok(())
            }
        });
        if let Err(e) = filled {
            self.executor.end_job(session);
            self.progress.finish_job(label, false);
            return Err(e);
        }
        let mut env: Vec<(String, String)> = Vec::new();
        let mut scope = scope.clone();
        let mut job_env = Map::new();
        for b in wf.env.iter().chain(&job.env) {
            let v = scope.interpolate(&b.value).unwrap_or_else(|_| b.value.clone());
            job_env.insert(b.name.clone(), json!(v));
            scope.set("env", Value::Object(job_env.clone()));
        }
        scope.set("env", Value::Object(job_env.clone()));
        env.extend(variables.iter().cloned());
        let mut steps_ctx = Map::new();
        let mut reports: Vec<StepReport> = Vec::new();
        let mut failed = false;
        let mut note = None;
        let mut step_time = Duration::ZERO;
        for step in &job.steps {
            scope.status.failed = failed;
            scope.set("steps", Value::Object(steps_ctx.clone()));
            let run_it = match &step.condition {
                Some(c) => scope.condition(&c.value),
                None => Ok(!failed),
            };
            let run_it = match run_it {
                Ok(r) => r,
                Err(e) => {
                    reports.push(step_report(
                        step,
                        StepStatus::Failure,
                        None,
                        format!("`if:` does not evaluate: {e}\n"),
                        false,
                        Duration::ZERO,
                    ));
                    failed = true;
                    continue;
                }
            };
            if !run_it {
                reports.push(step_report(step, StepStatus::Skipped, None, String::new(), false, Duration::ZERO));
                continue;
            }
            let remaining = job_limit.saturating_sub(started.elapsed()).min(self.remaining());
            let step_limit = step
                .timeout_minutes
                .map_or(self.opts.limits.step_timeout, |m| Duration::from_secs_f64((m * 60.0).max(1.0)))
                .min(remaining);
            if step_limit.is_zero() {
                reports.push(step_report(
                    step,
                    StepStatus::TimedOut,
                    None,
                    "the job's time limit was reached\n".into(),
                    false,
                    Duration::ZERO,
                ));
                failed = true;
                note = Some("the job's time limit was reached".into());
                break;
            }
            self.progress.step(label, &step.label());
            let outcome = self.step(wf, job, step, &scope, &env, &ws, &mut session, step_limit, &dir);
            let outcome = match outcome {
                Ok(o) => o,
                Err(e) => {
                    self.executor.end_job(session);
                    self.progress.finish_job(label, false);
                    return Err(e);
                }
            };
            step_time += outcome.run.duration;
            let log = mask(&outcome.run.output, &self.secret_values);
            let ok = outcome.status == StepStatus::Success;
            let ignored = !ok && step.continue_on_error;
            if !ok && !ignored {
                failed = true;
            }
            // GITHUB_ENV and GITHUB_OUTPUT written by the step.
            let outputs = read_kv_file(&runner_dir.join(format!("output-{}", step.index)));
            for (k, v) in read_kv_file(&runner_dir.join("env")) {
                job_env.insert(k.clone(), json!(v));
                env.retain(|(name, _)| *name != k);
                env.push((k, v));
            }
            let _ = fs_err::write(runner_dir.join("env"), "");
            scope.set("env", Value::Object(job_env.clone()));
            if let Some(id) = &step.id {
                let outcome_text = if ok { "success" } else { "failure" };
                let conclusion = if ok || ignored { "success" } else { "failure" };
                steps_ctx.insert(
                    id.clone(),
                    json!({"outputs": Value::Object(outputs.into_iter().map(|(k, v)| (k, json!(v))).collect()), "outcome": outcome_text, "conclusion": conclusion}),
                );
            }
            self.progress.step_done(&step.label(), outcome.status, outcome.run.duration);
            let report = StepReport {
                index: step.index,
                label: step.label(),
                line: step.pos.line,
                status: outcome.status,
                exit_code: outcome.run.exit_code,
                log,
                truncated: outcome.run.truncated,
                duration_ms: outcome.run.duration.as_millis(),
                ignored,
            };
            if !ok && !ignored {
                self.progress.failure(&report);
            }
            reports.push(report);
        }
        scope.set("steps", Value::Object(steps_ctx));
        let status = if failed { JobStatus::Failure } else { JobStatus::Success };
        if wf.dialect == Dialect::GitLab && !failed {
            self.store_gitlab_artifacts(job, &ws)?;
        }
        let mut outputs = Map::new();
        for b in &job.outputs {
            let v = scope.interpolate(&b.value).unwrap_or_default();
            outputs.insert(b.name.clone(), json!(v));
        }
        self.executor.end_job(session);
        self.progress.finish_job(label, !failed);
        let duration = started.elapsed();
        self.reports.push(JobReport {
            id: label.to_string(),
            status,
            steps: reports,
            note,
            duration_ms: duration.as_millis(),
            overhead_ms: duration.saturating_sub(step_time).as_millis(),
            allowed_to_fail: job.allow_failure || job.continue_on_error,
            offline,
        });
        Ok((status, outputs))
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        wf: &Workflow,
        job: &Job,
        step: &Step,
        scope: &Scope,
        env: &[(String, String)],
        ws: &Path,
        session: &mut exec::JobSession,
        limit: Duration,
        dir: &Path,
    ) -> Result<StepOutcome, PipelineError> {
        let mut step_env: Vec<(String, String)> = env.to_vec();
        let mut scope = scope.clone();
        if let Some(Value::Object(mut m)) = scope.contexts.get("env").cloned() {
            for b in &step.env {
                let v = scope.interpolate(&b.value).unwrap_or_else(|_| b.value.clone());
                m.insert(b.name.clone(), json!(v));
            }
            scope.set("env", Value::Object(m.clone()));
            for (k, v) in m {
                step_env.retain(|(n, _)| *n != k);
                step_env.push((k, expr::to_text(&v)));
            }
        }
        let base_env = [
            ("CI", "true".to_string()),
            ("GITHUB_ACTIONS", "true".to_string()),
            ("GITHUB_WORKSPACE", self.executor.workspace_path(ws)),
            ("GITHUB_OUTPUT", format!("{}/output-{}", self.executor.runner_path(dir), step.index)),
            ("GITHUB_ENV", format!("{}/env", self.executor.runner_path(dir))),
            ("GITHUB_REF", "refs/heads/main".to_string()),
            ("GITHUB_REF_NAME", "main".to_string()),
            ("GITHUB_SHA", "0000000000000000000000000000000000000000".to_string()),
            ("GITHUB_EVENT_NAME", "push".to_string()),
            ("GITHUB_JOB", job.id.clone()),
            ("RUNNER_OS", "Linux".to_string()),
            ("RUNNER_TEMP", "/tmp".to_string()),
        ];
        for (k, v) in base_env {
            if !step_env.iter().any(|(n, _)| n == k) {
                step_env.push((k.to_string(), v));
            }
        }
        let (script, shell, wd) = match &step.action {
            StepAction::Run { script, shell, working_directory, .. } => {
                let text = match scope.interpolate(&script.value) {
                    Ok(t) => t,
                    Err(e) => {
                        return Ok(StepOutcome::failed(format!(
                            "{}:{}: expression does not evaluate: {e}\n",
                            wf.file, script.pos.line
                        )))
                    }
                };
                (text, shell.clone(), working_directory.clone())
            }
            StepAction::Uses(u) => return self.action(wf, step, u, &scope, ws, session, limit, &step_env),
        };
        let cmd =
            StepCommand { script, shell, working_directory: wd, env: step_env, timeout: limit, index: step.index };
        let run = self.executor.run_step(session, &cmd, self.opts)?;
        let status = if run.timed_out {
            StepStatus::TimedOut
        } else if run.exit_code == Some(0) {
            StepStatus::Success
        } else {
            StepStatus::Failure
        };
        let mut run = run;
        if run.timed_out {
            run.output.push_str(&format!("\n[faultline: step killed after its time limit of {}s]\n", limit.as_secs()));
        }
        Ok(StepOutcome { status, run })
    }

    #[allow(clippy::too_many_arguments)]
    fn action(
        &mut self,
        wf: &Workflow,
        step: &Step,
        uses: &crate::pipeline::Text,
        scope: &Scope,
        ws: &Path,
        session: &mut exec::JobSession,
        limit: Duration,
        env: &[(String, String)],
    ) -> Result<StepOutcome, PipelineError> {
        let name = uses.value.split('@').next().unwrap_or("").to_ascii_lowercase();
        let with = |key: &str| -> Option<String> {
            step.with
                .iter()
                .find(|b| b.name == key)
                .map(|b| scope.interpolate(&b.value).unwrap_or_else(|_| b.value.clone()))
        };
        let done = |text: String| Ok(StepOutcome { status: StepStatus::Success, run: StepRun::text(text, Some(0)) });
        match name.as_str() {
            "actions/checkout" => done("workspace already present (copied in)\n".into()),
            "actions/cache" | "actions/cache/restore" | "actions/cache/save" => {
                done("no cache offline: nothing restored or saved\n".into())
            }
            "actions/upload-artifact" => {
                let art = with("name").unwrap_or_else(|| "artifact".into());
                let paths = with("path").unwrap_or_default();
                let policy = with("if-no-files-found").unwrap_or_else(|| "warn".into());
                let dest = self.scratch.join("artifacts").join(&art);
                let mut log = String::new();
                let mut copied = 0;
                for p in paths.lines().map(str::trim).filter(|p| !p.is_empty() && !p.starts_with('!')) {
                    let src = ws.join(p);
                    if !inside(ws, &src) {
                        log.push_str(&format!("path `{p}` is outside the workspace; ignored\n"));
                        continue;
                    }
                    if src.is_dir() {
                        copy_tree(&src, &dest).map_err(io("upload an artifact"))?;
                        copied += 1;
                    } else if src.is_file() {
                        fs_err::create_dir_all(&dest).map_err(io("upload an artifact"))?;
                        let file_name = src.file_name().map(|n| n.to_os_string()).unwrap_or_default();
                        fs_err::copy(&src, dest.join(file_name)).map_err(io("upload an artifact"))?;
                        copied += 1;
                    } else {
                        log.push_str(&format!("No files were found with the provided path: {p}\n"));
                    }
                }
                if copied == 0 && policy == "error" {
                    log.push_str("no files to upload and if-no-files-found is `error`\n");
                    return Ok(StepOutcome { status: StepStatus::Failure, run: StepRun::text(log, Some(1)) });
                }
                if copied == 0 {
                    log.push_str("Warning: no files were uploaded\n");
                } else {
                    log.push_str(&format!("artifact `{art}` uploaded\n"));
                }
                done(log)
            }
            "actions/download-artifact" => {
                let target = with("path").unwrap_or_else(|| ".".into());
                let dest = ws.join(&target);
                if !inside(ws, &dest) {
                    return Ok(StepOutcome::failed(format!("path `{target}` is outside the workspace\n")));
                }
                let store = self.scratch.join("artifacts");
                match with("name") {
                    Some(art) => {
                        let src = store.join(&art);
                        if !src.is_dir() {
                            return Ok(StepOutcome::failed(format!("Unable to download artifact(s): Artifact not found for name: {art}\n")));
                        }
                        copy_tree(&src, &dest).map_err(io("download an artifact"))?;
                        done(format!("artifact `{art}` downloaded to {target}\n"))
                    }
                    None => {
                        if let Ok(entries) = fs_err::read_dir(&store) {
                            for e in entries.flatten() {
                                copy_tree(&e.path(), &dest.join(e.file_name())).map_err(io("download an artifact"))?;
                            }
                        }
                        done(format!("all artifacts downloaded to {target}\n"))
                    }
                }
            }
            n if n.starts_with("actions/setup-") => {
                let tool = match n.trim_start_matches("actions/setup-") {
                    "python" => "python3",
                    "node" => "node",
                    "go" => "go",
                    "java" => "java",
                    "dotnet" => "dotnet",
                    other => other,
                }
                .to_string();
                let cmd = StepCommand {
                    script: format!(
                        "command -v {tool} >/dev/null 2>&1 || {{ echo '{tool} is not in the runner image; setup actions cannot download offline'; exit 1; }}\necho \"using the image's $({tool} --version 2>&1 | head -n1)\""
                    ),
                    shell: None,
                    working_directory: None,
                    env: env.to_vec(),
                    timeout: limit.min(Duration::from_secs(30)),
                    index: step.index,
                };
                let run = self.executor.run_step(session, &cmd, self.opts)?;
                let status = if run.exit_code == Some(0) { StepStatus::Success } else { StepStatus::Failure };
                Ok(StepOutcome { status, run })
            }
            _ => Ok(StepOutcome {
                status: StepStatus::NotRunnable,
                run: StepRun::text(
                    format!("`{}` ({}:{}) is not runnable offline: only checkout, cache, upload/download-artifact and setup-* of the image's toolchains are\n", uses.value, wf.file, uses.pos.line),
                    None,
                ),
            }),
        }
    }

    fn fetch_gitlab_artifacts(&self, wf: &Workflow, job: &Job, ws: &Path) -> Result<(), PipelineError> {
        let from: Vec<String> = match (&job.dependencies, job.needs_given) {
            (Some(d), _) => d.clone(),
            (None, true) => job.needs.iter().map(|n| n.value.clone()).collect(),
            (None, false) => plan::dependencies(wf, job),
        };
        for dep in from {
            let src = self.scratch.join("gitlab-artifacts").join(&dep);
            if src.is_dir() {
                copy_tree(&src, ws).map_err(io("fetch artifacts"))?;
            }
        }
        Ok(())
    }

    fn store_gitlab_artifacts(&self, job: &Job, ws: &Path) -> Result<(), PipelineError> {
        let dest = self.scratch.join("gitlab-artifacts").join(&job.id);
        for p in &job.artifact_paths {
            let src = ws.join(p);
            if !inside(ws, &src) || !src.exists() {
                continue;
            }
            let target = dest.join(p);
            if src.is_dir() {
                copy_tree(&src, &target).map_err(io("store artifacts"))?;
            } else {
                if let Some(parent) = target.parent() {
                    fs_err::create_dir_all(parent).map_err(io("store artifacts"))?;
                }
                fs_err::copy(&src, &target).map_err(io("store artifacts"))?;
            }
        }
        Ok(())
    }
}

struct StepOutcome {
    status: StepStatus,
    run: StepRun,
}

impl StepOutcome {
    fn failed(text: String) -> Self {
        StepOutcome { status: StepStatus::Failure, run: StepRun::text(text, Some(1)) }
    }
}

fn step_report(
    step: &Step,
    status: StepStatus,
    exit_code: Option<i32>,
    log: String,
    ignored: bool,
    d: Duration,
) -> StepReport {
    StepReport {
        index: step.index,
        label: step.label(),
        line: step.pos.line,
        status,
        exit_code,
        log,
        truncated: false,
        duration_ms: d.as_millis(),
        ignored,
    }
}

fn skipped_report(label: &str, status: JobStatus, note: String) -> JobReport {
    JobReport {
        id: label.to_string(),
        status,
        steps: Vec::new(),
        note: Some(note),
        duration_ms: 0,
        overhead_ms: 0,
        allowed_to_fail: false,
        offline: Vec::new(),
    }
}

/// What the offline run of `job` leaves out, one sentence each with its place.
fn offline_notices(wf: &Workflow, job: &Job, image: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = job
        .services
        .iter()
        .map(|s| {
            format!(
                "service `{}` ({}:{}) is not started: service images cannot be pulled offline, so steps that reach it fail",
                s.value, wf.file, s.pos.line
            )
        })
        .collect();
    if let Some(i) = &job.image {
        let runner = image.map_or("a local process".to_string(), |r| format!("the runner image `{r}`"));
        out.push(format!("image `{}` ({}:{}) is not pulled: the job runs in {runner}", i.value, wf.file, i.pos.line));
    }
    out
}

/// GitLab's predefined and file variables plus the secret store (CI/CD variables).
fn gitlab_variables(wf: &Workflow, job: &Job, secrets: &BTreeMap<String, String>) -> Vec<(String, String)> {
    if wf.dialect != Dialect::GitLab {
        return Vec::new();
    }
    let mut out: Vec<(String, String)> = vec![
        ("CI".into(), "true".into()),
        ("GITLAB_CI".into(), "true".into()),
        ("CI_PIPELINE_SOURCE".into(), "push".into()),
        ("CI_COMMIT_BRANCH".into(), "main".into()),
        ("CI_COMMIT_REF_NAME".into(), "main".into()),
        ("CI_DEFAULT_BRANCH".into(), "main".into()),
        ("CI_COMMIT_SHA".into(), "0000000000000000000000000000000000000000".into()),
        ("CI_PROJECT_DIR".into(), "/workspace".into()),
        ("CI_JOB_NAME".into(), job.id.clone()),
        ("CI_JOB_STAGE".into(), job.stage.as_ref().map(|s| s.value.clone()).unwrap_or_default()),
    ];
    out.extend(secrets.iter().map(|(k, v)| (k.clone(), v.clone())));
    for b in wf.env.iter().chain(&job.env) {
        out.retain(|(k, _)| *k != b.name);
        out.push((b.name.clone(), b.value.clone()));
    }
    out
}

/// `NAME=value` lines and `NAME<<DELIM` blocks, as GitHub reads `GITHUB_OUTPUT`/`GITHUB_ENV`.
fn read_kv_file(path: &Path) -> Vec<(String, String)> {
    let Ok(text) = fs_err::read_to_string(path) else { return Vec::new() };
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.push((name.to_string(), value.join("\n")));
        } else if let Some((name, value)) = line.split_once('=') {
            out.push((name.to_string(), value.to_string()));
        }
    }
    out
}

/// Whether `path` stays inside `root` once `..` is resolved (without touching the disk).
fn inside(root: &Path, path: &Path) -> bool {
    let mut depth: i64 = 0;
    let Ok(rel) = path.strip_prefix(root) else { return false };
    for c in rel.components() {
        match c {
            std::path::Component::ParentDir => depth -= 1,
            std::path::Component::Normal(_) => depth += 1,
            std::path::Component::CurDir => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

/// Copy a folder (files, folders, symlinks as links), skipping `.git`.
pub(crate) fn copy_tree(src: &Path, dest: &Path) -> std::io::Result<()> {
    fs_err::create_dir_all(dest)?;
    for entry in fs_err::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == ".git" {
            continue;
        }
        let from = entry.path();
        let to = dest.join(&name);
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            let target = fs_err::read_link(&from)?;
            let _ = fs_err::remove_file(&to);
            std::os::unix::fs::symlink(target, &to)?;
        } else if kind.is_dir() {
            copy_tree(&from, &to)?;
        } else {
            fs_err::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// indicatif display of job and step progress on stderr.
struct Progress {
    enabled: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        Progress { enabled, bar: None }
    }

    fn line(&self, text: &str) {
        if !self.enabled {
            return;
        }
        match &self.bar {
            Some(b) => b.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn warn(&self, text: &str) {
        if self.enabled {
            eprintln!("WARNING: {text}");
        }
    }

    fn start_job(&mut self, label: &str) {
        if !self.enabled {
            return;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.println(format!("▶ job {label}"));
        self.bar = Some(bar);
    }

    fn step(&self, _job: &str, step: &str) {
        if let Some(b) = &self.bar {
            b.set_message(step.to_string());
        }
    }

    fn step_done(&self, step: &str, status: StepStatus, took: Duration) {
        let mark = match status {
            StepStatus::Success => "✓",
            StepStatus::Skipped => "-",
            _ => "✗",
        };
        self.line(&format!("  {mark} {step} ({:.1}s)", took.as_secs_f64()));
    }

    fn failure(&self, s: &StepReport) {
        self.line(&format!(
            "    step {} `{}` (line {}) {}; last lines:\n{}",
            s.index + 1,
            s.label,
            s.line,
            match s.status {
                StepStatus::TimedOut => "timed out".to_string(),
                StepStatus::NotRunnable => "is not runnable offline".to_string(),
                _ => format!("failed with exit code {}", s.exit_code.map_or("none".into(), |c| c.to_string())),
            },
            tail(&s.log, 15).lines().map(|l| format!("      | {l}")).collect::<Vec<_>>().join("\n")
        ));
    }

    fn finish_job(&mut self, label: &str, ok: bool) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        self.line(&format!("{} job {label}", if ok { "✓" } else { "✗" }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_replaces_every_secret_and_longest_first() {
        let masked = mask("token=abc123 and abc123456", &["abc123".into(), "abc123456".into(), "x".into()]);
        assert_eq!(masked, "token=*** and ***");
    }

    #[test]
    fn kv_files_read_lines_and_heredocs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out");
        std::fs::write(&p, "a=1\nmulti<<EOF\nx\ny\nEOF\nb=2=3\n").unwrap();
        assert_eq!(
            read_kv_file(&p),
            [("a".into(), "1".into()), ("multi".into(), "x\ny".into()), ("b".into(), "2=3".into())]
        );
    }

    #[test]
    fn paths_climbing_out_of_the_workspace_are_refused() {
        let root = Path::new("/w");
        assert!(inside(root, &root.join("dist/app")));
        assert!(!inside(root, &root.join("../etc/passwd")));
        assert!(!inside(root, &root.join("a/../../x")));
    }
}
