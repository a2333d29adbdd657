//! Human ratings: what an interviewer or mentor scores on a dimension no check can
//! judge (communication, on the shipped scorecard), and the red flags a person
//! raises. A rating is plain data kept beside a stored result; [`crate::grade::with_ratings`]
//! folds the ratings of a result into its grade.

use serde::{Deserialize, Serialize};

/// One person's rating of one result.
///
/// A rating scores a dimension (`dimension` and `score` together), raises a red flag
/// (`red_flag`), or both. Scores are on the scorecard's rating scale (e.g. 1–4), not
/// on 0–100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Stable id (random hex), so that an import never stores the same rating twice.
    pub id: String,
    /// The stored result it rates.
    pub result_id: i64,
    /// The dimension rated, when the rating scores one.
    pub dimension: Option<String>,
    /// Score on the scorecard's rating scale, when the rating scores a dimension.
    pub score: Option<u32>,
    /// A red flag the rater raises, by its scorecard id.
    pub red_flag: Option<String>,
    /// Why: what the rater saw.
    pub note: String,
    /// Who rated.
    pub rater: String,
    #[serde(with = "time::serde::rfc3339")]
    pub rated_at: time::OffsetDateTime,
}

/// A new random id for ratings and notes: 32 hex digits.
pub fn new_id() -> String {
    let a: u64 = rand::random();
    let b: u64 = rand::random();
    format!("{a:016x}{b:016x}")
}
