//! Static rules over a snapshot of files: what `faultline lint` prints and what the
//! Terraform grading checks compare between the base and a candidate's state.
//!
//! Rules are pure functions of text. [`lint_terraform`] takes a [`Snapshot`] (and,
//! for diff-aware rules, the base snapshot), groups the `.tf` files of a directory
//! tree into one module per directory the way Terraform does, and runs the rule
//! families in [`terraform`] over each. [`secrets`] is a text scanner shared with the
//! check that looks for credentials added in a diff.
//!
//! Each set of rules is a [`Family`]; [`lint`] runs one family over a folder, so that
//! the grading checks (`tf_*`, `k8s_*`, …) share one way of linting, caching and
//! comparing findings.

pub mod kubernetes;
pub mod pipeline;
pub mod secrets;
pub mod terraform;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::scenario::TerraformSettings;
use crate::model::{Finding, Snapshot};

use self::terraform::{Context, TfModule};

/// A file that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParseProblem {
    pub file: String,
    /// 1-based line of the first syntax error.
    pub line: usize,
    /// 1-based column of the first syntax error.
    pub column: usize,
    pub message: String,
}

/// Result of linting a set of files.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LintReport {
    pub findings: Vec<Finding>,
    pub problems: Vec<ParseProblem>,
}

/// A family of lint rules: which files it reads and which finding classes it emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `.tf` files, one module per folder (`tf.*` classes).
    Terraform,
    /// Kubernetes manifests in `.yaml`/`.yml` files (`k8s.*` classes).
    Kubernetes,
    /// CI pipeline definitions (`ci.*` classes).
    Pipeline,
}

impl Family {
    /// What the family reads, for messages such as "the Terraform does not parse".
    pub fn noun(self) -> &'static str {
        match self {
            Family::Terraform => "the Terraform",
            Family::Kubernetes => "the Kubernetes manifests",
            Family::Pipeline => "the pipeline definitions",
        }
    }

    /// The message of a check that fails because the files do not parse.
    pub fn parse_failure(self) -> &'static str {
        match self {
            Family::Terraform => "the Terraform does not parse",
            Family::Kubernetes => "the Kubernetes manifests do not parse",
            Family::Pipeline => "the pipeline definitions do not parse",
        }
    }
}

/// Settings the rule families take, from the scenario (or the command line).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LintSettings {
    pub terraform: TerraformSettings,
    pub pipeline: pipeline::Settings,
}

/// Lint the files of one family under `dir` ("." = all); `base`, when given, feeds
/// diff-aware rules. Findings sorted by (file, line, class), parse problems by position.
pub fn lint(
    family: Family,
    snapshot: &Snapshot,
    base: Option<&Snapshot>,
    dir: &str,
    settings: &LintSettings,
) -> LintReport {
    match family {
        Family::Terraform => lint_terraform(snapshot, base, dir, &settings.terraform),
        Family::Kubernetes => kubernetes::lint(snapshot, base, dir),
        Family::Pipeline => pipeline::lint_with(snapshot, dir, &settings.pipeline),
    }
}

/// Lint every `.tf` file of `snapshot` under directory `dir` ("." = all). When `base` is given,
/// diff-aware rules (tf.destroy-without-moved) compare against the same dir in `base`.
/// Findings sorted by (file, line, class). Paths in findings are the snapshot keys (relative to the snapshot root).
///
/// Each directory is its own Terraform module (files under `.terraform/` are
/// skipped). `terraform.tfvars` and `*.auto.tfvars` in a directory feed its variables.
/// When a module has a file that does not parse, the diff-aware rules skip it: the
/// resources of the broken file would otherwise all look deleted.
pub fn lint_terraform(
    snapshot: &Snapshot,
    base: Option<&Snapshot>,
    dir: &str,
    settings: &TerraformSettings,
) -> LintReport {
    // `./infra/` and `infra` name the same folder; `.` and `` name the root.
    let dir = crate::model::snapshot::join(".", dir);
    let dir = dir.as_str();
    let current = module_files(snapshot, dir);
    let before = base.map(|b| module_files(b, dir));
    let dirs: BTreeSet<&str> = current.keys().chain(before.iter().flat_map(|b| b.keys())).copied().collect();

    let mut report = LintReport::default();
    let mut parsed: BTreeMap<&str, (TfModule, bool)> = BTreeMap::new();
    for d in &dirs {
        let (module, problems) = TfModule::parse(current.get(d).into_iter().flatten().copied());
        let clean = problems.is_empty();
        report.problems.extend(problems);
        parsed.insert(d, (module, clean));
    }
    let base_modules: BTreeMap<&str, TfModule> =
        before.iter().flat_map(|b| b.iter()).map(|(d, files)| (*d, TfModule::parse(files.iter().copied()).0)).collect();
    let empty = TfModule::default();

    for (d, (module, clean)) in &parsed {
        let parents = parsed.iter().filter(|(p, _)| is_ancestor(p, d)).rev().map(|(_, (m, _))| m).collect();
        let cx = Context {
            module,
            base: match base {
                Some(_) if *clean => Some(base_modules.get(d).unwrap_or(&empty)),
                _ => None,
            },
            settings,
            parents,
        };
        report.findings.extend(terraform::lint_module(&cx));
    }

    report.findings.sort_by(|a, b| {
        (&a.file, a.line, &a.class, a.column, &a.rule, &a.subject)
            .cmp(&(&b.file, b.line, &b.class, b.column, &b.rule, &b.subject))
    });
    report.problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    report
}

/// Terraform files under `dir`, grouped by the directory holding them.
fn module_files<'a>(snapshot: &'a Snapshot, dir: &'a str) -> BTreeMap<&'a str, Vec<(&'a str, &'a str)>> {
    let mut groups: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (path, text) in snapshot.under(dir) {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let wanted = name.ends_with(".tf") || name == "terraform.tfvars" || name.ends_with(".auto.tfvars");
        if wanted && !path.split('/').any(|part| part == ".terraform") {
            groups.entry(parent).or_default().push((path, text));
        }
    }
    groups
}

/// Whether directory `parent` strictly contains directory `child`.
fn is_ancestor(parent: &str, child: &str) -> bool {
    parent != child && (parent.is_empty() || child.strip_prefix(parent).is_some_and(|rest| rest.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_nest_only_at_path_boundaries() {
        assert!(is_ancestor("", "infra"));
        assert!(is_ancestor("infra", "infra/modules/db"));
        assert!(!is_ancestor("infra", "infrastructure"));
        assert!(!is_ancestor("infra", "infra"));
    }

    #[test]
    fn files_are_grouped_per_directory_and_tooling_folders_are_skipped() {
        let snapshot: Snapshot = [
            ("infra/main.tf", "x"),
            ("infra/terraform.tfvars", "x"),
            ("infra/prod.tfvars", "x"),
            ("infra/modules/db/main.tf", "x"),
            ("infra/.terraform/modules/vpc/main.tf", "x"),
            ("infra/README.md", "x"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
        let groups = module_files(&snapshot, "infra");
        let shape: Vec<(&str, Vec<&str>)> =
            groups.iter().map(|(d, files)| (*d, files.iter().map(|(p, _)| *p).collect())).collect();
        assert_eq!(
            shape,
            [
                ("infra", vec!["infra/main.tf", "infra/terraform.tfvars"]),
                ("infra/modules/db", vec!["infra/modules/db/main.tf"])
            ]
        );
    }
}
