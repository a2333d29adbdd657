//! Tracks and their progress: which labs of the 30/60/90-day plan a person has done,
//! which is next and which are overdue. Pure: the caller passes the person's start
//! date, today's date and their counted attempts.

use serde::{Deserialize, Serialize};

// Dates as `YYYY-MM-DD` in JSON and exports (serde's default for `time::Date` is a
// year and day-of-year pair).
time::serde::format_description!(pub ymd, Date, "[year]-[month]-[day]");

/// A track of the 30/60/90-day plan, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub id: String,
    pub title: String,
    pub goal: String,
    /// In due order.
    pub labs: Vec<Lab>,
}

/// One lab of a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lab {
    pub id: String,
    pub title: String,
    pub exercises: Vec<String>,
    /// Score each exercise must reach (with no red flag) to count as done.
    pub pass_mark: f64,
    /// Day due, counted from the start date (day 1).
    pub due_day: u32,
}

/// One stored attempt at an exercise, as progress needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub exercise: String,
    pub score: f64,
    pub red_flagged: bool,
    pub result_id: i64,
}

/// Where a lab stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabState {
    /// Every exercise reached the pass mark.
    Done,
    /// The first lab of the track not done yet, still within its due day.
    Next,
    /// Not done and past its due day.
    Overdue,
    /// Not done, not due yet, and not the next one.
    Upcoming,
}

/// One exercise of a lab: the best counted attempt, and whether it is enough.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExerciseProgress {
    pub exercise: String,
    pub best_score: Option<f64>,
    pub best_result: Option<i64>,
    pub done: bool,
}

/// One lab's progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabProgress {
    pub lab: String,
    pub title: String,
    pub state: LabState,
    #[serde(with = "ymd")]
    pub due: time::Date,
    pub pass_mark: f64,
    pub exercises: Vec<ExerciseProgress>,
}

/// One track's progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackProgress {
    pub track: String,
    pub title: String,
    pub done: usize,
    pub total: usize,
    pub labs: Vec<LabProgress>,
}

/// The due date of a lab for someone who started on `start` (day 1).
pub fn due_date(start: time::Date, due_day: u32) -> time::Date {
    start.saturating_add(time::Duration::days(i64::from(due_day.max(1)) - 1))
}

/// The progress on one track. An exercise is done when an attempt reached the lab's
/// pass mark without a red flag; a lab when all its exercises are done.
pub fn progress(track: &Track, start: time::Date, today: time::Date, attempts: &[Attempt]) -> TrackProgress {
    let mut labs = Vec::new();
    let mut next_given = false;
    for lab in &track.labs {
        let exercises: Vec<ExerciseProgress> = lab
            .exercises
            .iter()
            .map(|ex| {
                let mut mine: Vec<&Attempt> = attempts.iter().filter(|a| &a.exercise == ex).collect();
                // Best first: done ones, then higher scores.
                mine.sort_by(|a, b| {
                    let key = |x: &Attempt| (!x.red_flagged && x.score >= lab.pass_mark, x.score);
                    key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal)
                });
                let best = mine.first();
                ExerciseProgress {
                    exercise: ex.clone(),
                    best_score: best.map(|a| a.score),
                    best_result: best.map(|a| a.result_id),
                    done: best.is_some_and(|a| !a.red_flagged && a.score >= lab.pass_mark),
                }
            })
            .collect();
        let due = due_date(start, lab.due_day);
        let state = if exercises.iter().all(|e| e.done) {
            LabState::Done
        } else if today > due {
            LabState::Overdue
        } else if !next_given {
            LabState::Next
        } else {
            LabState::Upcoming
        };
        if matches!(state, LabState::Next | LabState::Overdue) {
            next_given = true;
        }
        labs.push(LabProgress {
            lab: lab.id.clone(),
            title: lab.title.clone(),
            state,
            due,
            pass_mark: lab.pass_mark,
            exercises,
        });
    }
    TrackProgress {
        track: track.id.clone(),
        title: track.title.clone(),
        done: labs.iter().filter(|l| l.state == LabState::Done).count(),
        total: labs.len(),
        labs,
    }
}

/// A text progress bar like indicatif's `[####----]`, `width` cells wide.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width + total / 2).checked_div(total).unwrap_or(width);
    format!("[{}{}]", "#".repeat(filled.min(width)), "-".repeat(width - filled.min(width)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn track() -> Track {
        let lab = |id: &str, ex: &[&str], due_day| Lab {
            id: id.into(),
            title: id.into(),
            exercises: ex.iter().map(|s| s.to_string()).collect(),
            pass_mark: 70.0,
            due_day,
        };
        Track {
            id: "day-30".into(),
            title: "First month".into(),
            goal: String::new(),
            labs: vec![lab("one", &["a", "b"], 10), lab("two", &["c"], 20), lab("three", &["d"], 30)],
        }
    }

    fn attempt(ex: &str, score: f64, flagged: bool, id: i64) -> Attempt {
        Attempt { exercise: ex.into(), score, red_flagged: flagged, result_id: id }
    }

    #[test]
    fn labs_are_done_next_overdue_or_upcoming_by_date_and_attempts() {
        let start = date!(2026 - 11 - 01);
        // Day 15: lab one (due day 10 = Nov 10) is past due; two is due Nov 20.
        let today = date!(2026 - 11 - 15);
        let attempts = [attempt("a", 90.0, false, 1), attempt("b", 60.0, false, 2), attempt("c", 75.0, false, 3)];
        let p = progress(&track(), start, today, &attempts);
        let states: Vec<_> = p.labs.iter().map(|l| (l.lab.as_str(), l.state)).collect();
        assert_eq!(states, [("one", LabState::Overdue), ("two", LabState::Done), ("three", LabState::Upcoming)]);
        assert_eq!(p.labs[0].due, date!(2026 - 11 - 10));
        assert_eq!((p.done, p.total), (1, 3));
        assert_eq!(p.labs[0].exercises[1].best_score, Some(60.0));
        assert!(!p.labs[0].exercises[1].done);
    }

    #[test]
    fn a_red_flagged_attempt_does_not_count_but_a_later_clean_one_does() {
        let start = date!(2026 - 11 - 01);
        let today = date!(2026 - 11 - 02);
        let flagged = [attempt("a", 95.0, true, 1), attempt("b", 80.0, false, 2)];
        let p = progress(&track(), start, today, &flagged);
        assert_eq!(p.labs[0].state, LabState::Next);
        let mut both = flagged.to_vec();
        both.push(attempt("a", 72.0, false, 3));
        let p = progress(&track(), start, today, &both);
        assert_eq!(p.labs[0].state, LabState::Done);
        assert_eq!(p.labs[0].exercises[0].best_result, Some(3));
        assert_eq!(p.labs[1].state, LabState::Next);
    }

    #[test]
    fn the_bar_fills_in_proportion() {
        assert_eq!(bar(0, 4, 8), "[--------]");
        assert_eq!(bar(1, 4, 8), "[##------]");
        assert_eq!(bar(4, 4, 8), "[########]");
        assert_eq!(bar(0, 0, 4), "[####]");
    }
}
