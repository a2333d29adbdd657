//! Exercises: what a person is asked to do. An exercise combines one or more
//! scenarios into one workspace, names the scorecard it is graded on, and lists the
//! written deliverables the person hands in beside their fix.

use serde::{Deserialize, Serialize};

/// Who an exercise is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// First-month lab.
    #[serde(rename = "day-30")]
    Day30,
    /// Second-month lab.
    #[serde(rename = "day-60")]
    Day60,
    /// Third-month lab.
    #[serde(rename = "day-90")]
    Day90,
    /// Timed practical interview.
    Interview,
}

impl std::fmt::Display for Audience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Audience::Day30 => "day-30",
            Audience::Day60 => "day-60",
            Audience::Day90 => "day-90",
            Audience::Interview => "interview",
        })
    }
}

/// A written deliverable, such as `REVIEW.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deliverable {
    /// Path relative to the workspace root.
    pub path: String,
    /// What the file should contain, shown in the brief.
    pub prompt: String,
    /// Starting text placed in the workspace (headings only; never answers).
    pub template: Option<String>,
}

/// A validated exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    pub id: String,
    pub title: String,
    /// Markdown brief shown at start.
    pub brief: String,
    pub time_box_minutes: u32,
    pub audience: Vec<Audience>,
    /// Scenario ids, in the order their faults are committed.
    pub scenarios: Vec<String>,
    pub scorecard: String,
    pub deliverables: Vec<Deliverable>,
}
