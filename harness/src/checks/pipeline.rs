//! Pipeline check kinds: `ci.*` findings gone, nothing new broken, files valid, and
//! the candidate's pipeline run for real.

use std::collections::BTreeSet;
use std::time::Duration;

use super::{line_of, CheckContext, Outcome, Tree};
use crate::inject::PlannedCheck;
use crate::model::check::{NewFindings, PipelineExpect};
use crate::model::snapshot::join;
use crate::model::{Evidence, Finding};
use crate::rules::LintReport;
use crate::runner::pipeline as pr;

fn finding_evidence(ctx: &CheckContext, f: &Finding) -> Evidence {
    let snippet = ctx.candidate.get(&f.file).map(|t| line_of(t, f.line)).unwrap_or_default();
    if ctx.explain {
        Evidence::at(&f.file, f.line, format!("[{}] {} — {}", f.class, f.message, snippet))
    } else {
        Evidence::at(&f.file, f.line, format!("[{}] {} — {}", f.class, f.subject, snippet))
    }
}

fn matches(f: &Finding, class: &str, subject: Option<&str>) -> bool {
    f.class == class && subject.is_none_or(|s| f.subject == s)
}

fn candidate(ctx: &CheckContext, planned: &PlannedCheck, dir: &str) -> Result<LintReport, Outcome> {
    let cand = ctx.lint_pipeline(Tree::Candidate, dir, planned);
    if cand.problems.is_empty() {
        Ok(cand)
    } else {
        let evidence = cand
            .problems
            .iter()
            .map(|p| Evidence::at(&p.file, p.line, format!("{}:{}:{}: {}", p.file, p.line, p.column, p.message)))
            .collect();
        let mut o = Outcome::fail(evidence);
        o.message = "a pipeline file is not valid YAML".into();
        Err(o)
    }
}

fn introduced(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    dir: &str,
    cand: &LintReport,
    classes: &[String],
) -> Vec<Evidence> {
    let base = ctx.lint_pipeline(Tree::Base, dir, planned);
    let broken = ctx.lint_pipeline(Tree::Broken, dir, planned);
    let known: BTreeSet<(&str, &str)> = base.findings.iter().chain(&broken.findings).map(Finding::key).collect();
    cand.findings
        .iter()
        .filter(|f| classes.is_empty() || classes.contains(&f.class))
        .filter(|f| !known.contains(&f.key()))
        .map(|f| finding_evidence(ctx, f))
        .collect()
}

pub(super) fn fixed(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    dir: &str,
    class: &str,
    subject: Option<&str>,
    scope: NewFindings,
) -> Outcome {
    let dir = join(&planned.mount, dir);
    let cand = match candidate(ctx, planned, &dir) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let left: Vec<Evidence> =
        cand.findings.iter().filter(|f| matches(f, class, subject)).map(|f| finding_evidence(ctx, f)).collect();
    if !left.is_empty() {
        return Outcome::fail(left);
    }
    let only = match scope {
        NewFindings::Any => Vec::new(),
        NewFindings::SameClass => vec![class.to_string()],
    };
    let fresh = introduced(ctx, planned, &dir, &cand, &only);
    if fresh.is_empty() {
        Outcome::pass(vec![Evidence::note(format!("no `{class}` finding remains and nothing new was flagged"))])
    } else {
        let mut o = Outcome::fail(fresh);
        o.message = "the change introduces new pipeline problems".into();
        o
    }
}

pub(super) fn absent(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    dir: &str,
    class: &str,
    subject: Option<&str>,
) -> Outcome {
    match candidate(ctx, planned, &join(&planned.mount, dir)) {
        Ok(cand) => {
            let hits: Vec<Evidence> =
                cand.findings.iter().filter(|f| matches(f, class, subject)).map(|f| finding_evidence(ctx, f)).collect();
            Outcome::from_bool(hits.is_empty(), hits)
        }
        Err(o) => o,
    }
}

pub(super) fn no_new(ctx: &CheckContext, planned: &PlannedCheck, dir: &str, classes: &[String]) -> Outcome {
    let dir = join(&planned.mount, dir);
    match candidate(ctx, planned, &dir) {
        Ok(cand) => {
            let fresh = introduced(ctx, planned, &dir, &cand, classes);
            Outcome::from_bool(fresh.is_empty(), fresh)
        }
        Err(o) => o,
    }
}

pub(super) fn valid(ctx: &CheckContext, planned: &PlannedCheck, dir: &str) -> Outcome {
    let dir = join(&planned.mount, dir);
    let cand = match candidate(ctx, planned, &dir) {
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
