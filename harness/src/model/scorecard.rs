//! Scorecards: the rubric a grade is expressed in. Dimensions carry weights; a
//! dimension is rated either by automatic checks or by a person. Levels turn a total
//! into a verdict, and red flags cap it whatever the total.

use serde::{Deserialize, Serialize};

/// Who rates a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RatedBy {
    /// Scored from the exercise's automatic checks.
    Checks,
    /// Rated by an interviewer or mentor; checks on it are evidence only.
    Person,
}

impl std::fmt::Display for RatedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RatedBy::Checks => "checks",
            RatedBy::Person => "person",
        })
    }
}

/// One scored dimension of a scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub id: String,
    pub title: String,
    /// Relative weight; the scorecard's weights sum to 100.
    pub weight: u32,
    /// What meeting the bar looks like at this level of seniority.
    pub meets_bar: String,
    pub rated_by: RatedBy,
}

/// A named band of the total score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub id: String,
    pub title: String,
    /// Lowest total (0–100) that reaches this level.
    pub min_score: f64,
}

/// Behaviour that caps a verdict no matter the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedFlag {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The highest level a result carrying this flag can reach.
    pub caps_at: String,
}

/// A validated scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub id: String,
    pub title: String,
    /// Total (0–100) needed to pass.
    pub pass_mark: f64,
    /// Scale human raters use (e.g. 1–4); mapped linearly onto 0–100.
    pub rating_scale: (u32, u32),
    pub dimensions: Vec<Dimension>,
    /// Levels in ascending order of `min_score`.
    pub levels: Vec<Level>,
    pub red_flags: Vec<RedFlag>,
}

impl Scorecard {
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }

    pub fn red_flag(&self, id: &str) -> Option<&RedFlag> {
        self.red_flags.iter().find(|r| r.id == id)
    }

    /// Level reached by a total, before any red-flag cap.
    pub fn level_for(&self, score: f64) -> Option<&Level> {
        self.levels.iter().rev().find(|l| score >= l.min_score)
    }

    /// Index of a level by id (levels are ascending).
    pub fn level_index(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id == id)
    }
}
