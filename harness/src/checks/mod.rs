//! The checks engine: runs a scenario's checks against a snapshot of the candidate's
//! files and returns a result per check (passed, failed, skipped, error) with points
//! and evidence. Most kinds are pure functions of the snapshots; `command` and
//! `tf-plan` run tools through [`crate::runner`], and a tool that is missing or
//! breaks is reported as skipped or error, never as the candidate's failure.

mod expect;
mod files;
mod kubernetes;
mod lint;
mod pipeline;
mod secrets;
mod terraform;
mod tools;
mod written;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use crate::inject::PlannedCheck;
use crate::model::{CheckKind, CheckResult, CheckStatus, Evidence, Snapshot};
use crate::rules::{Family, LintReport, LintSettings};

/// Everything a check may look at.
pub struct CheckContext<'a> {
    /// The candidate's files.
    pub candidate: &'a Snapshot,
    /// The good base (`main`).
    pub base: &'a Snapshot,
    /// The state the candidate started from (the pull request).
    pub broken: &'a Snapshot,
    /// The candidate's files on disk, for checks that run tools. When `None`, tools
    /// run in a temporary copy of `candidate`.
    pub workdir: Option<&'a Path>,
    /// Run `command` and `tf-plan` checks (they are skipped with a reason otherwise).
    pub run_tools: bool,
    /// Put the rules' explanations (which often name the fix) into evidence. Off for
    /// formative `check` runs, where evidence shows the place but not the answer.
    pub explain: bool,
    /// The session's live cluster, when there is one; live checks are skipped without it.
    pub live: Option<&'a dyn crate::cluster::LiveCluster>,
    lint_cache: RefCell<HashMap<(Family, Tree, String), LintReport>>,
}

/// Which state of the files a lint runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Tree {
    /// The candidate's files, diff-aware against the base.
    Candidate,
    /// The state the candidate started from, diff-aware against the base.
    Broken,
    /// The good base.
    Base,
}

impl<'a> CheckContext<'a> {
    pub fn new(candidate: &'a Snapshot, base: &'a Snapshot, broken: &'a Snapshot) -> Self {
        CheckContext {
            candidate,
            base,
            broken,
            workdir: None,
            run_tools: true,
            explain: true,
            live: None,
            lint_cache: RefCell::default(),
        }
    }

    pub fn with_workdir(mut self, dir: &'a Path) -> Self {
        self.workdir = Some(dir);
        self
    }

    pub fn with_tools(mut self, run: bool) -> Self {
        self.run_tools = run;
        self
    }

    pub fn with_explanations(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    pub fn with_live(mut self, live: Option<&'a dyn crate::cluster::LiveCluster>) -> Self {
        self.live = live;
        self
    }

    /// Lint one state of the files with one family of rules, once per folder and settings.
    pub(crate) fn lint(&self, family: Family, tree: Tree, dir: &str, planned: &PlannedCheck) -> LintReport {
        // The pipeline rules judge secrets against the exercise's secret store.
        let known_secrets: Option<Vec<String>> = planned.pipeline.as_ref().map(|p| p.secrets.keys().cloned().collect());
        let key = (family, tree, format!("{dir}\u{0}{:?}\u{0}{known_secrets:?}", planned.terraform));
        if let Some(r) = self.lint_cache.borrow().get(&key) {
            return r.clone();
        }
        let settings = LintSettings {
            terraform: planned.terraform.clone(),
            pipeline: crate::rules::pipeline::Settings { known_secrets },
        };
        let report = match tree {
            Tree::Candidate => crate::rules::lint(family, self.candidate, Some(self.base), dir, &settings),
            Tree::Broken => crate::rules::lint(family, self.broken, Some(self.base), dir, &settings),
            Tree::Base => crate::rules::lint(family, self.base, None, dir, &settings),
        };
        self.lint_cache.borrow_mut().insert(key, report.clone());
        report
    }
}

/// What a check kind returns before points are attached.
pub(crate) struct Outcome {
    pub status: CheckStatus,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    pub fn pass(evidence: Vec<Evidence>) -> Self {
        Outcome { status: CheckStatus::Passed, message: String::new(), evidence }
    }
    pub fn fail(evidence: Vec<Evidence>) -> Self {
        Outcome { status: CheckStatus::Failed, message: String::new(), evidence }
    }
    pub fn skipped(reason: impl Into<String>) -> Self {
        Outcome { status: CheckStatus::Skipped, message: reason.into(), evidence: Vec::new() }
    }
    pub fn error(reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Outcome { status: CheckStatus::Error, message: reason.into(), evidence }
    }
    pub fn from_bool(ok: bool, evidence: Vec<Evidence>) -> Self {
        if ok {
            Outcome::pass(evidence)
        } else {
            Outcome::fail(evidence)
        }
    }
}

/// Run one check.
pub fn run_check(ctx: &CheckContext, planned: &PlannedCheck) -> CheckResult {
    let mount = planned.mount.as_str();
    let spec = &planned.spec;
    let outcome = match &spec.kind {
        CheckKind::TfFixed { class, subject, dir, new_findings } => {
            terraform::fixed(ctx, planned, mount, dir, class, subject.as_deref(), *new_findings)
        }
        CheckKind::TfAbsent { class, subject, dir } => {
            terraform::absent(ctx, planned, mount, dir, class, subject.as_deref())
        }
        CheckKind::TfNoNewFindings { classes, dir } => terraform::no_new(ctx, planned, mount, dir, classes),
        CheckKind::TfParses { dir } => terraform::parses(ctx, planned, mount, dir),
        CheckKind::HclPath { dir, query, expect } => terraform::hcl_path(ctx, mount, dir, query, expect),
        CheckKind::TfPlan { dir, protect, timeout_secs } => tools::tf_plan(ctx, mount, dir, protect, *timeout_secs),
        CheckKind::FileExists { path } => files::exists(ctx, mount, path, true),
        CheckKind::FileAbsent { path } => files::exists(ctx, mount, path, false),
        CheckKind::Regex { path, pattern, expect_match } => files::regex(ctx, mount, path, pattern, *expect_match),
        CheckKind::YamlPath { path, query, expect } => files::yaml_path(ctx, mount, path, query, expect),
        CheckKind::Command { run, requires, timeout_secs, expect_exit, dir, network } => {
            tools::command(ctx, mount, dir, run, requires, *timeout_secs, *expect_exit, *network)
        }
        CheckKind::NoSecretsInDiff => secrets::no_secrets_in_diff(ctx, mount),
        CheckKind::WrittenAnswer { path, risks, min_named, min_words } => {
            written::answer(ctx, mount, path, risks, *min_named, *min_words)
        }
        CheckKind::K8sRollout { .. }
        | CheckKind::K8sPodsReady { .. }
        | CheckKind::K8sRestartsStable { .. }
        | CheckKind::K8sNoBadState { .. }
        | CheckKind::K8sEndpoints { .. }
        | CheckKind::K8sHttp { .. }
        | CheckKind::K8sRbacUnchanged
        | CheckKind::K8sProtected { .. } => live_check(ctx, &spec.kind),
        CheckKind::K8sFixed { class, subject, dir, new_findings } => {
            lint::fixed(ctx, Family::Kubernetes, planned, mount, dir, class, subject.as_deref(), *new_findings)
        }
        CheckKind::K8sAbsent { class, subject, dir } => {
            lint::absent(ctx, Family::Kubernetes, planned, mount, dir, class, subject.as_deref())
        }
        CheckKind::K8sNoNewFindings { classes, dir } => {
            lint::no_new(ctx, Family::Kubernetes, planned, mount, dir, classes)
        }
        CheckKind::K8sValid { dir } => kubernetes::valid(ctx, planned, mount, dir),
        CheckKind::K8sPath { dir, object, query, expect } => kubernetes::path(ctx, mount, dir, object, query, expect),
        CheckKind::K8sLimits { dir, object, max_memory, max_cpu, min_memory, min_cpu } => {
            let bounds = kubernetes::Bounds {
                max_memory: max_memory.as_deref(),
                max_cpu: max_cpu.as_deref(),
                min_memory: min_memory.as_deref(),
                min_cpu: min_cpu.as_deref(),
            };
            kubernetes::limits(ctx, mount, dir, object.as_deref(), &bounds)
        }
        CheckKind::CiFixed { class, subject, dir, new_findings } => {
            lint::fixed(ctx, Family::Pipeline, planned, mount, dir, class, subject.as_deref(), *new_findings)
        }
        CheckKind::CiAbsent { class, subject, dir } => {
            lint::absent(ctx, Family::Pipeline, planned, mount, dir, class, subject.as_deref())
        }
        CheckKind::CiNoNewFindings { classes, dir } => {
            lint::no_new(ctx, Family::Pipeline, planned, mount, dir, classes)
        }
        CheckKind::CiValid { dir } => pipeline::valid(ctx, planned, mount, dir),
        CheckKind::PipelineRun { workflow, jobs, expect, timeout_secs } => {
            pipeline::run(ctx, planned, workflow.as_deref(), jobs, *expect, *timeout_secs)
        }
    };
    let max = f64::from(spec.points);
    let points = if outcome.status == CheckStatus::Passed { max } else { 0.0 };
    let message = match outcome.status {
        CheckStatus::Failed if outcome.message.is_empty() => spec.feedback.trim().to_string(),
        CheckStatus::Failed => format!("{} ({})", spec.feedback.trim(), outcome.message),
        _ => outcome.message,
    };
    CheckResult {
        id: spec.id.clone(),
        title: spec.title.clone(),
        kind: spec.kind.name().to_string(),
        scenario: planned.scenario.clone(),
        status: outcome.status,
        points,
        max_points: max,
        dimension: spec.dimension.clone(),
        hidden: spec.hidden,
        required: spec.required,
        message,
        evidence: outcome.evidence,
        red_flag: spec.red_flag.clone(),
    }
}

/// A live check through the session's cluster; skipped in static mode.
fn live_check(ctx: &CheckContext, kind: &CheckKind) -> Outcome {
    let Some(live) = ctx.live else { return Outcome::skipped(STATIC_MODE) };
    let o = live.run(kind);
    Outcome { status: o.status, message: o.message, evidence: o.evidence }
}

/// Why live checks are skipped without a cluster.
pub const STATIC_MODE: &str = "static mode: no cluster";

/// Run checks; hidden ones only when `include_hidden` (submit and grade).
pub fn run_checks(ctx: &CheckContext, checks: &[PlannedCheck], include_hidden: bool) -> Vec<CheckResult> {
    checks.iter().filter(|c| include_hidden || !c.spec.hidden).map(|c| run_check(ctx, c)).collect()
}

/// The line of a file, trimmed, for evidence.
pub(crate) fn line_of(text: &str, line: usize) -> String {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or("").trim();
    if l.chars().count() > 160 {
        format!("{}…", l.chars().take(160).collect::<String>())
    } else {
        l.to_string()
    }
}
