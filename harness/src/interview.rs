//! Interview mode: a timed exercise, the countdown, late submits and the one-page
//! scorecard an interviewer hands over.
//!
//! The time box comes from the exercise (`time_box_minutes`). A submit after the time
//! box is stored like any other (nothing a candidate did is thrown away) but the
//! interview records it as late, and the scorecard says so next to the
//! recommendation. Everything here is pure: the CLI reads the store and the
//! workspace and passes the pieces in.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::grade::{combine_ratings, with_ratings, CombinedRating};
use crate::model::grade::DimensionStatus;
use crate::model::{Grade, RatedBy, Rating, Scorecard};
use crate::store::{InterviewRecord, NoteRecord, ResultRecord};

/// How far into its time box a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Countdown {
    pub elapsed_seconds: i64,
    /// Negative once the time box has run out.
    pub remaining_seconds: i64,
    pub time_box_minutes: u32,
    pub over: bool,
}

/// The countdown of a session that started at `started` with a time box, at `now`.
pub fn countdown(started: OffsetDateTime, time_box_minutes: u32, now: OffsetDateTime) -> Countdown {
    let elapsed = (now - started).whole_seconds().max(0);
    let remaining = i64::from(time_box_minutes) * 60 - elapsed;
    Countdown { elapsed_seconds: elapsed, remaining_seconds: remaining, time_box_minutes, over: remaining < 0 }
}

/// `1h 05m 09s`, `12m 03s` or `45s`.
pub fn clock(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{sign}{h}h {m:02}m {sec:02}s")
    } else if m > 0 {
        format!("{sign}{m}m {sec:02}s")
    } else {
        format!("{sign}{sec}s")
    }
}

/// Whether a submit at `submitted` comes after the interview's time box.
pub fn is_late(interview: &InterviewRecord, submitted: OffsetDateTime) -> bool {
    submitted > interview.deadline()
}

/// The interview updated with its submit: result, time and lateness.
pub fn record_submit(
    interview: &InterviewRecord,
    result_id: Option<i64>,
    submitted: OffsetDateTime,
) -> InterviewRecord {
    InterviewRecord {
        result_id,
        submitted_at: Some(submitted),
        late: is_late(interview, submitted),
        ..interview.clone()
    }
}

/// A recommendation band from the scorecard's levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Level id reached after ratings and red-flag caps (`None` when nothing is scored).
    pub level: Option<String>,
    pub title: String,
    /// `false` while a person-rated dimension is unrated or a check errored.
    pub is_final: bool,
    /// Why it is provisional or capped, and lateness, one sentence each.
    pub reasons: Vec<String>,
}

/// The band a rated grade falls in, with what keeps it provisional.
pub fn recommendation(g: &Grade, card: &Scorecard, late: bool) -> Recommendation {
    let title = g
        .level
        .as_deref()
        .and_then(|l| card.levels.iter().find(|x| x.id == l))
        .map_or_else(|| "no band (nothing scored)".to_string(), |l| l.title.clone());
    let mut reasons = Vec::new();
    let awaiting: Vec<&str> =
        g.dimensions.iter().filter(|d| d.status == DimensionStatus::AwaitingRating).map(|d| d.id.as_str()).collect();
    if !awaiting.is_empty() {
        reasons.push(format!("provisional: awaiting a rating of {}", awaiting.join(", ")));
    }
    if g.infra_errors > 0 {
        reasons.push(format!("provisional: {} check(s) hit an infrastructure error", g.infra_errors));
    }
    for r in &g.red_flags {
        reasons.push(format!("capped at `{}` by red flag `{}` (from {})", r.caps_at, r.id, r.source));
    }
    if late {
        reasons.push("submitted after the time box: weigh the result with that in mind".to_string());
    }
    Recommendation { level: g.level.clone(), title, is_final: g.is_final, reasons }
}

/// One dimension on the scorecard: what checks gave, what people gave, what counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionLine {
    pub id: String,
    pub title: String,
    pub weight: u32,
    pub rated_by: RatedBy,
    /// Score from checks (check-rated dimensions).
    pub automatic: Option<f64>,
    /// Combined human score (person-rated dimensions), with each rater's.
    pub human: Option<CombinedRating>,
    /// The score that counts in the total.
    pub counted: Option<f64>,
    pub status: DimensionStatus,
}

/// Everything on the one-page interview scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterviewScorecard {
    pub result_id: i64,
    pub exercise: String,
    pub exercise_title: String,
    pub candidate: String,
    pub seed: u64,
    pub interviewer: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub minutes_taken: Option<i64>,
    pub time_box_minutes: u32,
    pub late: bool,
    /// The grade with ratings folded in.
    pub grade: Grade,
    pub dimensions: Vec<DimensionLine>,
    pub ratings: Vec<Rating>,
    pub combination_rule: &'static str,
    pub notes: Vec<NoteRecord>,
    pub recommendation: Recommendation,
    /// The candidate's changes against the pull request, unified diff.
    pub diff: Option<String>,
    /// Why there is no diff, when there is none.
    pub diff_missing: Option<String>,
}

/// Inputs of [`scorecard`].
pub struct ScorecardInput<'a> {
    pub result: &'a ResultRecord,
    pub exercise_title: &'a str,
    pub time_box_minutes: u32,
    pub card: &'a Scorecard,
    pub ratings: &'a [Rating],
    pub interview: Option<&'a InterviewRecord>,
    pub notes: Vec<NoteRecord>,
    pub diff: Result<String, String>,
}

/// Assembles the one-page scorecard of a stored result.
pub fn scorecard(i: ScorecardInput<'_>) -> InterviewScorecard {
    let r = i.result;
    let rated = with_ratings(&r.grade, i.ratings, i.card);
    let combined = combine_ratings(i.ratings, i.card);
    let dimensions = rated
        .dimensions
        .iter()
        .map(|d| {
            let automatic = r.grade.dimensions.iter().find(|x| x.id == d.id).and_then(|x| match x.rated_by {
                RatedBy::Checks => x.score,
                RatedBy::Person => None,
            });
            DimensionLine {
                id: d.id.clone(),
                title: d.title.clone(),
                weight: d.weight,
                rated_by: d.rated_by,
                automatic,
                human: combined.iter().find(|c| c.dimension == d.id).cloned(),
                counted: d.score,
                status: d.status,
            }
        })
        .collect();
    let started_at = i.interview.map(|iv| iv.started_at).or(r.started_at);
    let time_box = i.interview.map_or(i.time_box_minutes, |iv| iv.time_box_minutes);
    let late = match i.interview {
        Some(iv) if iv.result_id == Some(r.id) => iv.late,
        Some(iv) => is_late(iv, r.submitted_at),
        None => false,
    };
    let recommendation = recommendation(&rated, i.card, late);
    let (diff, diff_missing) = match i.diff {
        Ok(d) => (Some(d), None),
        Err(why) => (None, Some(why)),
    };
    InterviewScorecard {
        result_id: r.id,
        exercise: r.exercise.clone(),
        exercise_title: i.exercise_title.to_string(),
        candidate: r.candidate.clone(),
        seed: r.seed,
        interviewer: i.interview.and_then(|iv| iv.interviewer.clone()),
        started_at,
        submitted_at: r.submitted_at,
        minutes_taken: started_at.map(|s| (r.submitted_at - s).whole_minutes()),
        time_box_minutes: time_box,
        late,
        grade: rated,
        dimensions,
        ratings: i.ratings.to_vec(),
        combination_rule: crate::grade::COMBINATION_RULE,
        notes: i.notes,
        recommendation,
        diff,
        diff_missing,
    }
}

/// How long a session has been over its time box, for messages.
pub fn overrun(interview: &InterviewRecord, at: OffsetDateTime) -> Duration {
    at - interview.deadline()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn interview() -> InterviewRecord {
        InterviewRecord {
            session_id: "s".into(),
            candidate: "ada".into(),
            exercise: "terraform-review".into(),
            interviewer: Some("grace".into()),
            started_at: datetime!(2026-11-27 10:00 UTC),
            time_box_minutes: 60,
            result_id: None,
            submitted_at: None,
            late: false,
        }
    }

    #[test]
    fn countdown_shows_elapsed_and_remaining_and_goes_negative_when_over() {
        let c = countdown(datetime!(2026-11-27 10:00 UTC), 60, datetime!(2026-11-27 10:45:30 UTC));
        assert_eq!((c.elapsed_seconds, c.remaining_seconds, c.over), (2730, 870, false));
        assert_eq!((clock(c.elapsed_seconds), clock(c.remaining_seconds)), ("45m 30s".into(), "14m 30s".into()));
        let c = countdown(datetime!(2026-11-27 10:00 UTC), 60, datetime!(2026-11-27 11:02 UTC));
        assert!(c.over);
        assert_eq!(clock(c.remaining_seconds), "-2m 00s");
        assert_eq!(clock(3725), "1h 02m 05s");
    }

    #[test]
    fn a_submit_after_the_time_box_is_recorded_as_late() {
        let iv = interview();
        let on_time = record_submit(&iv, Some(3), datetime!(2026-11-27 11:00 UTC));
        assert!(!on_time.late, "exactly at the deadline is on time");
        let late = record_submit(&iv, Some(3), datetime!(2026-11-27 11:00:01 UTC));
        assert!(late.late);
        assert_eq!((late.result_id, late.submitted_at), (Some(3), Some(datetime!(2026-11-27 11:00:01 UTC))));
        assert_eq!(overrun(&iv, datetime!(2026-11-27 11:05 UTC)), Duration::minutes(5));
    }
}
