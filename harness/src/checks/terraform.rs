//! Terraform check kinds: the shared lint checks (see [`super::lint`]) run with the
//! Terraform rules, and assertions on values at an HCL path.

use super::{expect, lint, CheckContext, Outcome};
use crate::inject::PlannedCheck;
use crate::model::check::{NewFindings, PathExpect};
use crate::model::snapshot::join;
use crate::model::Evidence;
use crate::rules::terraform::TfModule;
use crate::rules::Family;

pub(super) fn fixed(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    class: &str,
    subject: Option<&str>,
    scope: NewFindings,
) -> Outcome {
    lint::fixed(ctx, Family::Terraform, planned, mount, dir, class, subject, scope)
}

pub(super) fn absent(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    class: &str,
    subject: Option<&str>,
) -> Outcome {
    lint::absent(ctx, Family::Terraform, planned, mount, dir, class, subject)
}

pub(super) fn no_new(
    ctx: &CheckContext,
    planned: &PlannedCheck,
    mount: &str,
    dir: &str,
    classes: &[String],
) -> Outcome {
    lint::no_new(ctx, Family::Terraform, planned, mount, dir, classes)
}

pub(super) fn parses(ctx: &CheckContext, planned: &PlannedCheck, mount: &str, dir: &str) -> Outcome {
    lint::parses(ctx, Family::Terraform, planned, mount, dir)
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
