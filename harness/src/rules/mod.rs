//! PLACEHOLDER until the rules branch lands (same API).
pub mod secrets;
pub mod terraform;
use crate::model::scenario::TerraformSettings;
use crate::model::{Finding, Snapshot};
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParseProblem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LintReport {
    pub findings: Vec<Finding>,
    pub problems: Vec<ParseProblem>,
}
pub fn lint_terraform(
    _snapshot: &Snapshot,
    _base: Option<&Snapshot>,
    _dir: &str,
    _settings: &TerraformSettings,
) -> LintReport {
    LintReport::default()
}
