//! Grades: the outcome of running an exercise's checks against a workspace, expressed
//! on the exercise's scorecard. A grade is plain data; it is stored as JSON and every
//! report is rendered from it, so its shape is part of the public contract.

use serde::{Deserialize, Serialize};

use super::RatedBy;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Failed,
    /// The check could not run (tool missing, not allowed here); not counted.
    Skipped,
    /// Infrastructure or tool error; not counted as a fail, and the grade says so.
    Error,
}

impl std::fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::Skipped => "skipped",
            CheckStatus::Error => "error",
        })
    }
}

/// A piece of evidence behind a check result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// File relative to the workspace root, when the evidence points into a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// A snippet of the file, command output or explanation.
    pub text: String,
}

impl Evidence {
    pub fn note(text: impl Into<String>) -> Self {
        Evidence { file: None, line: None, text: text.into() }
    }

    pub fn at(file: impl Into<String>, line: usize, text: impl Into<String>) -> Self {
        Evidence { file: Some(file.into()), line: Some(line), text: text.into() }
    }
}

/// One check's result inside a grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub scenario: String,
    pub status: CheckStatus,
    pub points: f64,
    pub max_points: f64,
    pub dimension: String,
    pub hidden: bool,
    /// Failing it fails the exercise whatever the score.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Feedback when failed, the reason when skipped or errored, empty when passed.
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Red flag this check raises when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_flag: Option<String>,
}

/// How a dimension stands in a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DimensionStatus {
    /// Scored (by checks, or by every required person rating).
    Scored,
    /// Rated by a person and not yet rated: excluded from the total.
    AwaitingRating,
    /// No check of this exercise feeds it: excluded from the total.
    NotAssessed,
}

/// One dimension's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub title: String,
    pub weight: u32,
    /// 0–100, or `None` when awaiting rating or not assessed.
    pub score: Option<f64>,
    pub rated_by: RatedBy,
    pub status: DimensionStatus,
    /// Automatic points earned and available in this dimension.
    pub points: f64,
    pub max_points: f64,
}

/// A red flag raised in a grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedFlagHit {
    pub id: String,
    pub title: String,
    /// What raised it: a check id, or `rater:<name>`.
    pub source: String,
    pub caps_at: String,
}

/// A hint the candidate revealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HintUse {
    /// 1-based position in the exercise's hint order.
    pub number: usize,
    pub cost: f64,
}

/// The outcome of grading a workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    pub exercise: String,
    pub candidate: String,
    pub seed: u64,
    pub scorecard: String,
    /// Weighted total 0–100 over scored dimensions, less hint costs.
    pub score: f64,
    pub passed: bool,
    pub pass_mark: f64,
    /// Level reached after red-flag caps.
    pub level: Option<String>,
    /// `true` when no dimension awaits rating and no check errored.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// `check` (formative, visible checks only) or `submit` (all checks).
    pub mode: String,
    pub dimensions: Vec<DimensionScore>,
    pub checks: Vec<CheckResult>,
    pub red_flags: Vec<RedFlagHit>,
    pub hints_used: Vec<HintUse>,
    pub hint_penalty: f64,
    /// Checks that errored for infrastructure reasons.
    pub infra_errors: usize,
}

impl Grade {
    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }
}
