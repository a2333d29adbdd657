//! Check kinds shared by every lint family (`tf_*`, `k8s_*`, …): a finding is gone,
//! a class is absent, the candidate introduced nothing new, the files parse.
//!
//! Findings are compared by class and subject, never by line, so edits that move
//! code around do not count as new problems.

use std::collections::BTreeSet;

use super::{line_of, CheckContext, Outcome, Tree};
use crate::inject::PlannedCheck;
use crate::model::check::NewFindings;
use crate::model::snapshot::join;
use crate::model::{Evidence, Finding};
use crate::rules::{Family, LintReport};

/// A finding as evidence: where it is, its class, and (when explaining) why.
pub(super) fn finding_evidence(ctx: &CheckContext, f: &Finding) -> Evidence {
    let snippet = ctx.candidate.get(&f.file).map(|t| line_of(t, f.line)).unwrap_or_default();
    if ctx.explain {
        Evidence::at(&f.file, f.line, format!("[{}] {} — {}", f.class, f.message, snippet))
    } else {
        Evidence::at(&f.file, f.line, format!("[{}] {}", f.class, snippet))
    }
}

/// Parse problems as evidence, each with its `file:line:column`.
pub(super) fn parse_evidence(report: &LintReport) -> Vec<Evidence> {
    report
        .problems
        .iter()
        .map(|p| {
            Evidence::at(&p.file, p.line, format!("does not parse ({}:{}:{}): {}", p.file, p.line, p.column, p.message))
        })
        .collect()
}

fn matches(f: &Finding, class: &str, subject: Option<&str>) -> bool {
    f.class == class && subject.is_none_or(|s| f.subject == s)
}

/// Findings the candidate introduced: in their files, but neither in the base nor
/// in the state they started from (by class and subject, not line).
fn new_findings<'r>(cand: &'r LintReport, before: &[&LintReport], classes: &[String]) -> Vec<&'r Finding> {
    let known: BTreeSet<(&str, &str)> = before.iter().flat_map(|r| r.findings.iter().map(Finding::key)).collect();
    cand.findings
        .iter()
        .filter(|f| classes.is_empty() || classes.contains(&f.class))
        .filter(|f| !known.contains(&f.key()))
        .collect()
}

/// The candidate's lint for a folder, or the failing outcome when it does not parse.
pub(super) fn candidate_lint(
    ctx: &CheckContext,
    family: Family,
    planned: &PlannedCheck,
    dir: &str,
) -> Result<LintReport, Outcome> {
    let cand = ctx.lint(family, Tree::Candidate, dir, planned);
    if cand.problems.is_empty() {
        Ok(cand)
    } else {
        let mut o = Outcome::fail(parse_evidence(&cand));
        o.message = family.parse_failure().to_owned();
        Err(o)
    }
}

/// Evidence for the candidate's findings of a class (and subject).
fn remaining(ctx: &CheckContext, cand: &LintReport, class: &str, subject: Option<&str>) -> Vec<Evidence> {
    cand.findings.iter().filter(|f| matches(f, class, subject)).map(|f| finding_evidence(ctx, f)).collect()
}

/// Evidence for findings the candidate introduced (of `classes`, or any when empty).
fn introduced(
    ctx: &CheckContext,
    family: Family,
    planned: &PlannedCheck,
    dir: &str,
    cand: &LintReport,
    classes: &[String],
) -> Vec<Evidence> {
    let base = ctx.lint(family, Tree::Base, dir, planned);
    let broken = ctx.lint(family, Tree::Broken, dir, planned);
    new_findings(cand, &[&base, &broken], classes).into_iter().map(|f| finding_evidence(ctx, f)).collect()
}

/// The finding is gone, and nothing new (of any class, or of its own) was flagged.
#[allow(clippy::too_many_arguments)]
pub(super) fn fixed(
    ctx: &CheckContext,
    family: Family,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    class: &str,
    subject: Option<&str>,
    scope: NewFindings,
) -> Outcome {
    let dir = join(mount, dir);
    let cand = match candidate_lint(ctx, family, planned, &dir) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let left = remaining(ctx, &cand, class, subject);
    if !left.is_empty() {
        return Outcome::fail(left);
    }
    let only = match scope {
        NewFindings::Any => Vec::new(),
        NewFindings::SameClass => vec![class.to_string()],
    };
    let fresh = introduced(ctx, family, planned, &dir, &cand, &only);
    if fresh.is_empty() {
        Outcome::pass(vec![Evidence::note(format!("no `{class}` finding remains and nothing new was flagged"))])
    } else {
        let mut o = Outcome::fail(fresh);
        o.message = "the change introduces new problems".into();
        o
    }
}

/// No finding of the class (and subject) in the candidate's files.
pub(super) fn absent(
    ctx: &CheckContext,
    family: Family,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    class: &str,
    subject: Option<&str>,
) -> Outcome {
    match candidate_lint(ctx, family, planned, &join(mount, dir)) {
        Ok(cand) => {
            let hits = remaining(ctx, &cand, class, subject);
            Outcome::from_bool(hits.is_empty(), hits)
        }
        Err(o) => o,
    }
}

/// The candidate introduced no finding (of `classes`, or any when empty).
pub(super) fn no_new(
    ctx: &CheckContext,
    family: Family,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    classes: &[String],
) -> Outcome {
    let dir = join(mount, dir);
    match candidate_lint(ctx, family, planned, &dir) {
        Ok(cand) => {
            let fresh = introduced(ctx, family, planned, &dir, &cand, classes);
            Outcome::from_bool(fresh.is_empty(), fresh)
        }
        Err(o) => o,
    }
}

/// Every file of the family under the folder parses.
pub(super) fn parses(ctx: &CheckContext, family: Family, planned: &PlannedCheck, mount: &str, dir: &str) -> Outcome {
    let cand = ctx.lint(family, Tree::Candidate, &join(mount, dir), planned);
    Outcome::from_bool(cand.problems.is_empty(), parse_evidence(&cand))
}
