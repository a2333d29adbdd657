//! `faultline pipeline run`: run a repository's CI pipeline for real.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Ctx, Failure};
use crate::cli::{Exit, PipelineCommand};
use crate::model::scenario::PipelineNetwork;
use crate::runner::pipeline::{self as pr, Backend, PipelineError, RunOptions};

/// The workflow to run when none is named: the only GitHub workflow, else `.gitlab-ci.yml`.
fn find_workflow(dir: &Path) -> Result<String, Failure> {
    let mut found: Vec<String> = Vec::new();
    if let Ok(entries) = fs_err::read_dir(dir.join(".github/workflows")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                found.push(format!(".github/workflows/{name}"));
            }
        }
    }
    found.sort();
    if dir.join(".gitlab-ci.yml").is_file() {
        found.push(".gitlab-ci.yml".into());
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Failure::new(
            Exit::BadInput,
            format!("no workflow under {} (.github/workflows/*.yml or .gitlab-ci.yml)", dir.display()),
        )),
        _ => Err(Failure::new(
            Exit::BadInput,
            format!("several workflows; pick one with --workflow: {}", found.join(", ")),
        )),
    }
}

pub fn run(ctx: &Ctx, action: PipelineCommand, no_container: bool) -> Result<Exit, Failure> {
    let PipelineCommand::Run { jobs, dir, workflow, image, secrets, loopback, step_timeout, job_timeout } = action;
    let dir: PathBuf = match dir {
        Some(d) => d,
        None => std::env::current_dir().map_err(|e| Failure::new(Exit::Internal, e.to_string()))?,
    };
    let workflow = match workflow {
        Some(w) => w,
        None => find_workflow(&dir)?,
    };
    // Inside a Faultline workspace the exercise's own secret store is injected, as the
    // graded `pipeline_run` checks do; `--secret` adds to it or overrides it.
    let session = session_pipeline(ctx, &dir, &workflow);
    let mut store = session.as_ref().map(|p| p.secrets.clone()).unwrap_or_default();
    if let Some(p) = &session {
        if !ctx.json() && !p.secrets.is_empty() {
            eprintln!("using this exercise's secret store ({} secrets, masked in all output)", p.secrets.len());
        }
    }
    for s in secrets {
        let Some((k, v)) = s.split_once('=') else {
            return Err(Failure::new(Exit::BadInput, format!("--secret `{s}` is not NAME=VALUE")));
        };
        store.insert(k.to_string(), v.to_string());
    }
    let backend = if no_container {
        eprintln!(
            "WARNING: --no-container: steps run as local processes on THIS machine, not isolated in a container."
        );
        Backend::Local
    } else {
        let image = image.or_else(|| session.as_ref().and_then(|p| p.image.clone()));
        Backend::Container { image: pr::resolve_image(image.as_deref()) }
    };
    let mut opts = RunOptions::new(&dir, &workflow, backend);
    opts.jobs = jobs;
    opts.secrets = store;
    let scenario_network = session.as_ref().map(|p| p.network).unwrap_or_default();
    opts.network = if loopback { PipelineNetwork::Loopback } else { scenario_network };
    opts.limits.step_timeout = Duration::from_secs(step_timeout.max(1));
    opts.limits.job_timeout = Duration::from_secs(job_timeout.max(1));
    opts.progress = !ctx.json();
    let report = match pr::run(&opts) {
        Ok(r) => r,
        Err(e @ PipelineError::DockerUnavailable { .. }) | Err(e @ PipelineError::ImageMissing { .. }) => {
            return Err(Failure::new(Exit::Environment, format!("infrastructure error: {e}")))
        }
        Err(e @ (PipelineError::Workflow { .. } | PipelineError::NoSuchJob { .. })) => {
            return Err(Failure::new(Exit::BadInput, e.to_string()))
        }
        Err(e @ PipelineError::Interrupted) => return Err(Failure::new(Exit::Interrupted, e.to_string())),
        Err(e) => return Err(Failure::new(Exit::Internal, e.to_string())),
    };
    if ctx.json() {
        ctx.print_json(&report);
    } else {
        for j in &report.jobs {
            println!("{:<40} {:?}  ({} ms, overhead {} ms)", j.id, j.status, j.duration_ms, j.overhead_ms);
        }
        if report.succeeded() {
            println!("pipeline succeeded ({})", report.backend);
        } else {
            println!("pipeline FAILED: {}", report.failure_summary());
            if let Some((_, Some(step))) = report.first_failure() {
                println!("{}", pr::tail(&step.log, 20));
            }
        }
    }
    Ok(if report.succeeded() { Exit::Ok } else { Exit::ChecksFailed })
}

/// The pipeline settings (secrets rendered for the session's seed) of the exercise whose
/// workspace holds `dir`, for the scenario whose workflow is `workflow`; `None` outside
/// a workspace or when the content no longer has the exercise.
fn session_pipeline(ctx: &Ctx, dir: &Path, workflow: &str) -> Option<crate::model::scenario::PipelineSettings> {
    let root = crate::workspace::find_root(dir).ok()?;
    let key = ctx.key().ok()?;
    let marker = crate::workspace::read_marker(&root, Some(&key)).ok()?;
    let catalog = ctx.catalog().ok()?;
    let exercise = catalog.exercise(&marker.exercise)?;
    let m = crate::inject::materialize(&catalog, exercise, marker.seed).ok()?;
    let rel = dir.strip_prefix(&root).unwrap_or(Path::new("")).to_string_lossy().replace('\\', "/");
    let wanted = crate::model::snapshot::join(&rel, workflow);
    let settings: Vec<_> = m.checks.iter().filter_map(|c| c.pipeline.as_ref().map(|p| (c.mount.as_str(), p))).collect();
    settings
        .iter()
        .find(|(mount, p)| crate::model::snapshot::join(mount, &p.workflow) == wanted)
        .or_else(|| settings.first())
        .map(|(_, p)| (*p).clone())
}
