//! Terraform check kinds: findings gone, nothing new broken, files parse, and
//! assertions on values at an HCL path.

use std::collections::BTreeSet;

use super::{expect, line_of, CheckContext, Outcome, Tree};
use crate::inject::PlannedCheck;
use crate::model::check::{NewFindings, PathExpect};
use crate::model::snapshot::join;
use crate::model::{Evidence, Finding};
use crate::rules::terraform::TfModule;
use crate::rules::LintReport;

fn finding_evidence(ctx: &CheckContext, f: &Finding) -> Evidence {
    let snippet = ctx.candidate.get(&f.file).map(|t| line_of(t, f.line)).unwrap_or_default();
    if ctx.explain {
        Evidence::at(&f.file, f.line, format!("[{}] {} — {}", f.class, f.message, snippet))
    } else {
        Evidence::at(&f.file, f.line, format!("[{}] {}", f.class, snippet))
    }
}

fn parse_evidence(report: &LintReport) -> Vec<Evidence> {
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
fn candidate_lint(ctx: &CheckContext, planned: &PlannedCheck, dir: &str) -> Result<LintReport, Outcome> {
    let cand = ctx.lint(Tree::Candidate, dir, planned);
    if cand.problems.is_empty() {
        Ok(cand)
    } else {
        let mut o = Outcome::fail(parse_evidence(&cand));
        o.message = "the Terraform does not parse".into();
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
    planned: &PlannedCheck,
    dir: &str,
    cand: &LintReport,
    classes: &[String],
) -> Vec<Evidence> {
    let (base, broken) = (ctx.lint(Tree::Base, dir, planned), ctx.lint(Tree::Broken, dir, planned));
    new_findings(cand, &[&base, &broken], classes).into_iter().map(|f| finding_evidence(ctx, f)).collect()
}

pub(super) fn fixed(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    class: &str,
    subject: Option<&str>,
    scope: NewFindings,
) -> Outcome {
    let dir = join(mount, dir);
    let cand = match candidate_lint(ctx, planned, &dir) {
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
    let fresh = introduced(ctx, planned, &dir, &cand, &only);
    if fresh.is_empty() {
        Outcome::pass(vec![Evidence::note(format!("no `{class}` finding remains and nothing new was flagged"))])
    } else {
        let mut o = Outcome::fail(fresh);
        o.message = "the change introduces new problems".into();
        o
    }
}

pub(super) fn absent(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    class: &str,
    subject: Option<&str>,
) -> Outcome {
    match candidate_lint(ctx, planned, &join(mount, dir)) {
        Ok(cand) => {
            let hits = remaining(ctx, &cand, class, subject);
            Outcome::from_bool(hits.is_empty(), hits)
        }
        Err(o) => o,
    }
}

pub(super) fn no_new(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    classes: &[String],
) -> Outcome {
    let dir = join(mount, dir);
    match candidate_lint(ctx, planned, &dir) {
        Ok(cand) => {
            let fresh = introduced(ctx, planned, &dir, &cand, classes);
            Outcome::from_bool(fresh.is_empty(), fresh)
        }
        Err(o) => o,
    }
}

pub(super) fn parses(ctx: &CheckContext, planned: &PlannedCheck, mount: &str, dir: &str) -> Outcome {
    let cand = ctx.lint(Tree::Candidate, &join(mount, dir), planned);
    Outcome::from_bool(cand.problems.is_empty(), parse_evidence(&cand))
}

pub(super) fn hcl_path(ctx: &CheckContext, mount: &str, dir: &str, query: &str, want: &PathExpect) -> Outcome {
    let dir = join(mount, dir);
    let files: Vec<(&str, &str)> = ctx
        .candidate
        .under(&dir)
        .filter(|(p, _)| p.ends_with(".tf") && !p[dir.len()..].trim_start_matches('/').contains('/'))
        .collect();
    let (module, problems) = TfModule::parse(files);
    if !problems.is_empty() {
        let ev = problems
            .iter()
            .map(|p| {
                Evidence::at(
                    &p.file,
                    p.line,
                    format!("does not parse ({}:{}:{}): {}", p.file, p.line, p.column, p.message),
                )
            })
            .collect();
        return Outcome::fail(ev);
    }
    let found = module.query(query);
    let evidence = match &found {
        Some((v, file, line)) => vec![Evidence::at(file, *line, format!("{query} = {v}"))],
        None => vec![Evidence::note(format!("{query} is not set"))],
    };
    match expect::satisfied(found.as_ref().map(|(v, _, _)| v), want) {
        Ok(()) => Outcome::pass(evidence),
        Err(why) => {
            let mut o = Outcome::fail(evidence);
            o.message = why;
            o
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::TerraformSettings;
    use crate::model::{CheckKind, CheckSpec, CheckStatus, Snapshot};

    fn tree(files: &[(&str, &str)]) -> Snapshot {
        files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
    }

    const SG: &str = r#"resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["CIDR"]
  }
}
"#;

    const EBS: &str = r#"resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 10
}
"#;

    fn planned(new_findings: NewFindings) -> PlannedCheck {
        PlannedCheck {
            scenario: "s".into(),
            mount: ".".into(),
            terraform: TerraformSettings::default(),
            pipeline: None,
            spec: CheckSpec {
                id: "ssh".into(),
                title: "ssh".into(),
                kind: CheckKind::TfFixed {
                    class: "tf.open-ingress".into(),
                    subject: None,
                    dir: ".".into(),
                    new_findings,
                },
                points: 10,
                dimension: "security".into(),
                hidden: false,
                required: false,
                feedback: "SSH is open".into(),
                red_flag: None,
            },
        }
    }

    #[test]
    fn a_fix_that_breaks_something_else_fails_tf_fixed_unless_scoped_to_its_class() {
        let base = tree(&[("main.tf", "")]);
        let broken = tree(&[("main.tf", &SG.replace("CIDR", "0.0.0.0/0"))]);
        let cand = tree(&[("main.tf", &SG.replace("CIDR", "10.0.0.0/8")), ("disk.tf", EBS)]);
        let ctx = CheckContext::new(&cand, &base, &broken);
        let any = crate::checks::run_check(&ctx, &planned(NewFindings::Any));
        assert_eq!(any.status, CheckStatus::Failed, "{any:?}");
        assert!(any.evidence.iter().any(|e| e.text.contains("tf.unencrypted-storage")), "{:?}", any.evidence);
        let same = crate::checks::run_check(&ctx, &planned(NewFindings::SameClass));
        assert_eq!(same.status, CheckStatus::Passed, "{same:?}");

        // Still open: fails either way, pointing at the rule.
        let ctx = CheckContext::new(&broken, &base, &broken);
        let open = crate::checks::run_check(&ctx, &planned(NewFindings::SameClass));
        assert_eq!(open.status, CheckStatus::Failed);
        assert_eq!(open.evidence[0].file.as_deref(), Some("main.tf"));
        assert_eq!(open.evidence[0].line, Some(7));
    }

    #[test]
    fn findings_the_pull_request_planted_are_not_counted_as_the_candidates() {
        let base = tree(&[("main.tf", "")]);
        let broken = tree(&[("main.tf", &SG.replace("CIDR", "0.0.0.0/0")), ("disk.tf", EBS)]);
        let cand = tree(&[("main.tf", &SG.replace("CIDR", "10.0.0.0/8")), ("disk.tf", EBS)]);
        let ctx = CheckContext::new(&cand, &base, &broken);
        let r = crate::checks::run_check(&ctx, &planned(NewFindings::Any));
        assert_eq!(r.status, CheckStatus::Passed, "{r:?}");
    }
}
