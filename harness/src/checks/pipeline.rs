//! Pipeline check kinds of their own: the files are valid, and the candidate's
//! pipeline run for real. `ci_fixed`, `ci_absent` and `ci_no_new_findings` are the
//! shared lint checks of [`super::lint`] over [`Family::Pipeline`].

use std::time::Duration;

use super::{lint, CheckContext, Outcome};
use crate::inject::PlannedCheck;
use crate::model::check::PipelineExpect;
use crate::model::snapshot::join;
use crate::model::Evidence;
use crate::rules::Family;
use crate::runner::pipeline as pr;

/// The pipeline files parse, at least one workflow exists, and no `ci.schema`
/// finding (unknown keys, `needs` naming no job, undeclared stages) remains.
pub(super) fn valid(ctx: &CheckContext, planned: &PlannedCheck, mount: &str, dir: &str) -> Outcome {
    let dir = join(mount, dir);
    let cand = match lint::candidate_lint(ctx, Family::Pipeline, planned, &dir) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let loaded = crate::pipeline::load(ctx.candidate, &dir);
    if loaded.workflows.is_empty() {
        let mut o = Outcome::fail(Vec::new());
        o.message = format!("no workflow file under `{dir}`");
        return o;
    }
    let bad: Vec<Evidence> = cand
        .findings
        .iter()
        .filter(|f| f.class == "ci.schema")
        .map(|f| Evidence::at(&f.file, f.line, format!("{}:{}:{}: {}", f.file, f.line, f.column, f.message)))
        .collect();
    Outcome::from_bool(bad.is_empty(), bad)
}

pub(super) fn run(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    workflow: Option<&str>,
    jobs: &[String],
    expect: PipelineExpect,
    timeout_secs: u64,
) -> Outcome {
    if !ctx.run_tools {
        return Outcome::skipped("tool checks are turned off for this run");
    }
    let settings = planned.pipeline.clone().unwrap_or_default();
    let Some(workflow) = workflow.map(str::to_string).or_else(|| planned.pipeline.as_ref().map(|p| p.workflow.clone()))
    else {
        return Outcome::error("the check names no workflow", Vec::new());
    };
    let temp;
    let root = match ctx.workdir {
        Some(w) => w.join(join(&planned.mount, ".")),
        None => {
            temp = match tempfile::tempdir() {
                Ok(t) => t,
                Err(e) => return Outcome::error(format!("cannot create a temporary folder: {e}"), Vec::new()),
            };
            if let Err(e) = super::tools::write_tree(ctx.candidate, &planned.mount, temp.path()) {
                return Outcome::error(format!("cannot copy the files: {e}"), Vec::new());
            }
            temp.path().to_path_buf()
        }
    };
    let backend = pr::default_backend(settings.image.as_deref());
    let mut opts = pr::RunOptions::new(root, workflow, backend);
    opts.jobs = jobs.to_vec();
    opts.secrets = settings.secrets.clone();
    opts.network = settings.network;
    opts.limits.run_timeout = Duration::from_secs(timeout_secs);
    let report = match pr::run(&opts) {
        Ok(r) => r,
        Err(e @ pr::PipelineError::DockerUnavailable { .. }) => {
            return Outcome::error(
                "infrastructure error: Docker not available; rerun with --no-container",
                vec![Evidence::note(e.to_string())],
            )
        }
        Err(e @ pr::PipelineError::Workflow { .. }) => {
            let mut o = Outcome::fail(vec![Evidence::note(e.to_string())]);
            o.message = "the pipeline cannot be read".into();
            return o;
        }
        Err(e) => return Outcome::error(format!("infrastructure error: {e}"), Vec::new()),
    };
    let mut evidence = report.evidence();
    if !report.isolated {
        evidence.push(Evidence::note("ran WITHOUT container isolation (--no-container)"));
    }
    let succeeded = report.succeeded();
    match (expect, succeeded) {
        (PipelineExpect::Success, true) | (PipelineExpect::Failure, false) => Outcome::pass(evidence),
        (PipelineExpect::Success, false) => {
            let mut o = Outcome::fail(evidence);
            o.message = report.failure_summary();
            o
        }
        (PipelineExpect::Failure, true) => {
            let mut o = Outcome::fail(evidence);
            o.message = "the pipeline succeeded, but it was expected to fail".into();
            o
        }
    }
}
