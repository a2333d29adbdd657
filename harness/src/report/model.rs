//! Progress reports as data: a candidate's history and a cohort's standing, built from
//! stored results by pure functions.
//!
//! Mentors follow one person across labs and interviews, and a whole cohort across a
//! quarter. Both views are computed here once, from a list of [`ReportResult`]s, and
//! every output format (terminal, Markdown, CSV, JSON, JUnit, HTML) renders the same
//! model, so the numbers agree whichever format a reader opens. Nothing in this module
//! touches the store, the clock or the terminal: the grade inside each input is the
//! *effective* grade, chosen at the I/O edge (see [`super::source::effective_grade`]).
//!
//! Rules the numbers follow:
//! - A result's time is `submitted_at − started_at`, when the start is known.
//! - In a cohort, each candidate counts with their **latest** attempt at each exercise
//!   (what they can do now); earlier attempts still show in the candidate report.
//! - A dimension's value for a candidate is the mean of their latest attempts' scores
//!   in that dimension, over the attempts where it was scored.
//! - Distributions have one value per candidate, so a busy candidate does not weigh more.
//! - A candidate is *behind* when their latest attempt at an exercise did not pass, or
//!   when an expected exercise (the `--exercise` list, later a track's) is missing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::grade::DimensionStatus;
use crate::model::{CheckStatus, Grade};

/// Version of the JSON shape of both reports; bumped when a field changes meaning.
pub const REPORT_FORMAT: u32 = 1;

/// Number of histogram buckets over 0–100 (10 points each; the last one holds 100).
pub const BUCKETS: usize = 10;

/// One stored result as a report reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportResult {
    pub id: i64,
    pub candidate: String,
    pub exercise: String,
    pub seed: u64,
    /// `lab` or `interview`, from the session the result came from, when known.
    pub mode: Option<String>,
    pub started_at: Option<OffsetDateTime>,
    pub submitted_at: OffsetDateTime,
    pub hints_used: usize,
    /// The effective grade (today the stored one; later with human ratings merged).
    pub grade: Grade,
}

/// What the content says about an exercise, when it is in the loaded catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseInfo {
    pub title: String,
    /// `day-30`, `day-60`, `day-90`, `interview`.
    pub audience: Vec<String>,
}

/// Exercise facts by id; results for exercises missing here still report, by id.
pub type ExerciseInfos = BTreeMap<String, ExerciseInfo>;

/// A dimension as a report column: id, title and weight from the grades themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DimensionRef {
    pub id: String,
    pub title: String,
    pub weight: u32,
}

/// One check's outcome in a result, as the JUnit and JSON outputs carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckLine {
    pub id: String,
    pub title: String,
    pub dimension: String,
    pub status: CheckStatus,
    pub points: f64,
    pub max_points: f64,
    pub hidden: bool,
    pub message: String,
}

/// One result on a candidate's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub result_id: i64,
    pub exercise: String,
    pub title: String,
    /// `lab` or `interview`: the session's mode, else inferred from the exercise's
    /// audience, else `unknown`.
    pub kind: String,
    pub seed: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// Minutes from start to submit, when the start is known.
    pub minutes: Option<f64>,
    pub score: f64,
    pub passed: bool,
    pub pass_mark: f64,
    pub level: Option<String>,
    #[serde(rename = "final")]
    pub is_final: bool,
    pub hints_used: usize,
    pub hint_penalty: f64,
    /// Titles of the red flags raised.
    pub red_flags: Vec<String>,
    /// Per dimension, in the report's dimension order; `None` when not scored here.
    pub dimensions: Vec<Option<f64>>,
    pub checks: Vec<CheckLine>,
}

/// One point of a dimension's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub result_id: i64,
    pub exercise: String,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub score: f64,
}

/// How one dimension moved across a candidate's results, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionTrend {
    pub id: String,
    pub title: String,
    pub points: Vec<TrendPoint>,
    pub first: Option<f64>,
    pub last: Option<f64>,
    /// `last − first`, with at least two points.
    pub change: Option<f64>,
    pub mean: Option<f64>,
}

/// A candidate's attempts at one exercise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExerciseProgress {
    pub exercise: String,
    pub title: String,
    pub attempts: usize,
    pub best_score: f64,
    pub latest_score: f64,
    /// Whether the latest attempt passed.
    pub passed: bool,
    pub ever_passed: bool,
    pub hints_used: usize,
    /// Minutes over the attempts whose start is known (`None` if none is).
    pub minutes_total: Option<f64>,
    pub minutes_latest: Option<f64>,
}

/// Totals at the top of a candidate report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateSummary {
    pub results: usize,
    pub exercises: usize,
    /// Exercises whose latest attempt passed.
    pub exercises_passed: usize,
    pub mean_score: Option<f64>,
    pub hints_used: usize,
    pub hint_penalty: f64,
    pub red_flags: usize,
    pub minutes_total: Option<f64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_at: Option<OffsetDateTime>,
}

/// Everything `faultline report candidate NAME` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateReport {
    pub format: u32,
    pub candidate: String,
    pub summary: CandidateSummary,
    pub dimensions: Vec<DimensionRef>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    pub trends: Vec<DimensionTrend>,
    /// In order of first attempt.
    pub exercises: Vec<ExerciseProgress>,
}

/// Which results a cohort report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CohortScope {
    /// Only results submitted at or after this time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// Only these exercises, which are also *expected* of every candidate (empty: all,
    /// and none expected).
    pub exercises: Vec<String>,
    /// The track the exercise list came from, when it came from one.
    pub track: Option<String>,
}

/// A candidate's latest attempt at one exercise, inside a cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub result_id: i64,
    pub exercise: String,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub score: f64,
    pub passed: bool,
    pub pass_mark: f64,
    pub red_flags: Vec<String>,
    pub checks: Vec<CheckLine>,
}

/// One candidate's row in the cohort table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    pub candidate: String,
    /// Every attempt in scope, not only the latest per exercise.
    pub results: usize,
    pub exercises_done: usize,
    pub exercises_passed: usize,
    /// Mean total score over the latest attempt at each exercise.
    pub mean_score: f64,
    /// Per dimension, in the report's dimension order.
    pub dimensions: Vec<Option<f64>>,
    pub hints_used: usize,
    pub red_flags: usize,
    #[serde(with = "time::serde::rfc3339")]
    pub last_submitted_at: OffsetDateTime,
    pub behind: bool,
    /// Latest attempt per exercise, in exercise id order.
    pub latest: Vec<Attempt>,
}

/// How a set of values (one per candidate) spreads over 0–100.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// `score` for the total, else a dimension id.
    pub id: String,
    pub title: String,
    pub count: usize,
    pub min: Option<f64>,
    pub q1: Option<f64>,
    pub median: Option<f64>,
    pub q3: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    /// [`BUCKETS`] counts: 0–10, 10–20, …, 90–100 (100 falls in the last).
    pub buckets: Vec<usize>,
}

/// Why a candidate is behind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum BehindReason {
    /// The latest attempt at an exercise did not pass.
    NotPassed { exercise: String, score: f64, pass_mark: f64, red_flags: Vec<String> },
    /// An expected exercise has no result in scope.
    Missing { exercise: String },
}

impl std::fmt::Display for BehindReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BehindReason::NotPassed { exercise, score, pass_mark, red_flags } => {
                write!(f, "{exercise} not passed ({} of {} needed", num(*score), num(*pass_mark))?;
                if !red_flags.is_empty() {
                    write!(f, "; red flag: {}", red_flags.join(", "))?;
                }
                f.write_str(")")
            }
            BehindReason::Missing { exercise } => write!(f, "{exercise} not submitted"),
        }
    }
}

/// A candidate who is behind, with every reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Behind {
    pub candidate: String,
    pub reasons: Vec<BehindReason>,
}

/// Totals at the top of a cohort report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortSummary {
    pub candidates: usize,
    pub results: usize,
    pub behind: usize,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_at: Option<OffsetDateTime>,
}

/// Everything `faultline report cohort` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortReport {
    pub format: u32,
    pub scope: CohortScope,
    pub summary: CohortSummary,
    pub dimensions: Vec<DimensionRef>,
    /// By candidate name.
    pub candidates: Vec<CohortRow>,
    /// The total score first, then one per dimension.
    pub distributions: Vec<Distribution>,
    pub behind: Vec<Behind>,
}

/// `72`, `72.5`: whole numbers without a fraction, else one digit.
pub fn num(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded == 0.0 {
        // Also -0.0, which would print as "-0".
        "0".to_owned()
    } else if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// The dimensions seen in `grades`, in order of first appearance (scorecard order when
/// every grade uses one scorecard).
fn dimensions_of<'a>(grades: impl Iterator<Item = &'a Grade>) -> Vec<DimensionRef> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for g in grades {
        for d in &g.dimensions {
            if seen.insert(d.id.as_str()) {
                out.push(DimensionRef { id: d.id.clone(), title: d.title.clone(), weight: d.weight });
            }
        }
    }
    out
}

/// A grade's score in each of `dims`, `None` where the dimension is not scored.
fn dimension_scores(g: &Grade, dims: &[DimensionRef]) -> Vec<Option<f64>> {
    dims.iter()
        .map(|d| {
            g.dimensions
                .iter()
                .find(|x| x.id == d.id)
                .filter(|x| x.status == DimensionStatus::Scored)
                .and_then(|x| x.score)
        })
        .collect()
}

fn minutes(r: &ReportResult) -> Option<f64> {
    let start = r.started_at?;
    let secs = (r.submitted_at - start).as_seconds_f64();
    (secs >= 0.0).then_some(secs / 60.0)
}

/// `lab` or `interview` for a result: the session's word, else the exercise's audience.
fn kind_of(r: &ReportResult, infos: &ExerciseInfos) -> String {
    if let Some(mode) = &r.mode {
        return mode.clone();
    }
    match infos.get(&r.exercise) {
        Some(info) if !info.audience.is_empty() => {
            if info.audience.iter().all(|a| a == "interview") {
                "interview".to_owned()
            } else {
                "lab".to_owned()
            }
        }
        _ => "unknown".to_owned(),
    }
}

fn title_of(exercise: &str, infos: &ExerciseInfos) -> String {
    infos.get(exercise).map_or_else(|| exercise.to_owned(), |i| i.title.clone())
}

fn check_lines(g: &Grade) -> Vec<CheckLine> {
    g.checks
        .iter()
        .map(|c| CheckLine {
            id: c.id.clone(),
            title: c.title.clone(),
            dimension: c.dimension.clone(),
            status: c.status,
            points: c.points,
            max_points: c.max_points,
            hidden: c.hidden,
            message: c.message.clone(),
        })
        .collect()
}

fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.into_iter().fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn sum_minutes(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values.into_iter().flatten().fold(None, |acc, m| Some(acc.unwrap_or(0.0) + m))
}

/// Oldest first; ties by id, so the order never depends on the input's order.
fn chronological(results: &mut [&ReportResult]) {
    results.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.id.cmp(&b.id)));
}

/// Builds the report for `candidate` from `results` (other candidates' results are
/// ignored). Returns `None` when the candidate has no result.
pub fn candidate_report(candidate: &str, results: &[ReportResult], infos: &ExerciseInfos) -> Option<CandidateReport> {
    let mut mine: Vec<&ReportResult> = results.iter().filter(|r| r.candidate == candidate).collect();
    if mine.is_empty() {
        return None;
    }
    chronological(&mut mine);
    let dims = dimensions_of(mine.iter().map(|r| &r.grade));

    let timeline: Vec<TimelineEntry> = mine
        .iter()
        .map(|r| TimelineEntry {
            result_id: r.id,
            exercise: r.exercise.clone(),
            title: title_of(&r.exercise, infos),
            kind: kind_of(r, infos),
            seed: r.seed,
            started_at: r.started_at,
            submitted_at: r.submitted_at,
            minutes: minutes(r),
            score: r.grade.score,
            passed: r.grade.passed,
            pass_mark: r.grade.pass_mark,
            level: r.grade.level.clone(),
            is_final: r.grade.is_final,
            hints_used: r.hints_used,
            hint_penalty: r.grade.hint_penalty,
            red_flags: r.grade.red_flags.iter().map(|f| f.title.clone()).collect(),
            dimensions: dimension_scores(&r.grade, &dims),
            checks: check_lines(&r.grade),
        })
        .collect();

    let trends = dims
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let points: Vec<TrendPoint> = timeline
                .iter()
                .filter_map(|t| {
                    t.dimensions[i].map(|score| TrendPoint {
                        result_id: t.result_id,
                        exercise: t.exercise.clone(),
                        submitted_at: t.submitted_at,
                        score,
                    })
                })
                .collect();
            let first = points.first().map(|p| p.score);
            let last = points.last().map(|p| p.score);
            DimensionTrend {
                id: d.id.clone(),
                title: d.title.clone(),
                change: (points.len() >= 2).then(|| last.unwrap_or(0.0) - first.unwrap_or(0.0)),
                mean: mean(points.iter().map(|p| p.score)),
                first,
                last,
                points,
            }
        })
        .collect();

    let mut order: Vec<&str> = Vec::new();
    for t in &timeline {
        if !order.contains(&t.exercise.as_str()) {
            order.push(&t.exercise);
        }
    }
    let exercises: Vec<ExerciseProgress> = order
        .iter()
        .map(|ex| {
            let attempts: Vec<&TimelineEntry> = timeline.iter().filter(|t| t.exercise == *ex).collect();
            let latest = attempts[attempts.len() - 1];
            ExerciseProgress {
                exercise: (*ex).to_owned(),
                title: latest.title.clone(),
                attempts: attempts.len(),
                best_score: attempts.iter().map(|t| t.score).fold(f64::NEG_INFINITY, f64::max),
                latest_score: latest.score,
                passed: latest.passed,
                ever_passed: attempts.iter().any(|t| t.passed),
                hints_used: attempts.iter().map(|t| t.hints_used).sum(),
                minutes_total: sum_minutes(attempts.iter().map(|t| t.minutes)),
                minutes_latest: latest.minutes,
            }
        })
        .collect();

    let summary = CandidateSummary {
        results: timeline.len(),
        exercises: exercises.len(),
        exercises_passed: exercises.iter().filter(|e| e.passed).count(),
        mean_score: mean(timeline.iter().map(|t| t.score)),
        hints_used: timeline.iter().map(|t| t.hints_used).sum(),
        hint_penalty: timeline.iter().map(|t| t.hint_penalty).sum(),
        red_flags: timeline.iter().map(|t| t.red_flags.len()).sum(),
        minutes_total: sum_minutes(timeline.iter().map(|t| t.minutes)),
        first_at: timeline.first().map(|t| t.submitted_at),
        last_at: timeline.last().map(|t| t.submitted_at),
    };

    Some(CandidateReport {
        format: REPORT_FORMAT,
        candidate: candidate.to_owned(),
        summary,
        dimensions: dims,
        timeline,
        trends,
        exercises,
    })
}

/// Whether a result falls inside the scope (time and exercise list).
pub fn in_scope(scope: &CohortScope, r: &ReportResult) -> bool {
    scope.since.is_none_or(|since| r.submitted_at >= since)
        && (scope.exercises.is_empty() || scope.exercises.contains(&r.exercise))
}

/// Builds the cohort report over the results inside `scope`.
pub fn cohort_report(scope: &CohortScope, results: &[ReportResult]) -> CohortReport {
    let in_scope: Vec<&ReportResult> = results.iter().filter(|r| in_scope(scope, r)).collect();
    let dims = dimensions_of(in_scope.iter().map(|r| &r.grade));

    // candidate -> exercise -> latest attempt; candidate -> every attempt.
    let mut latest: BTreeMap<&str, BTreeMap<&str, &ReportResult>> = BTreeMap::new();
    let mut all: BTreeMap<&str, Vec<&ReportResult>> = BTreeMap::new();
    for r in &in_scope {
        all.entry(&r.candidate).or_default().push(r);
        let slot = latest.entry(&r.candidate).or_default().entry(&r.exercise).or_insert(r);
        if (r.submitted_at, r.id) > (slot.submitted_at, slot.id) {
            *slot = r;
        }
    }

    let mut rows = Vec::with_capacity(latest.len());
    let mut behind = Vec::new();
    for (candidate, by_exercise) in &latest {
        let attempts = &all[candidate];
        let newest: Vec<&ReportResult> = by_exercise.values().copied().collect();
        let mut reasons: Vec<BehindReason> = newest
            .iter()
            .filter(|r| !r.grade.passed)
            .map(|r| BehindReason::NotPassed {
                exercise: r.exercise.clone(),
                score: r.grade.score,
                pass_mark: r.grade.pass_mark,
                red_flags: r.grade.red_flags.iter().map(|f| f.title.clone()).collect(),
            })
            .collect();
        reasons.extend(
            scope
                .exercises
                .iter()
                .filter(|e| !by_exercise.contains_key(e.as_str()))
                .map(|e| BehindReason::Missing { exercise: e.clone() }),
        );
        let per_dim: Vec<Vec<Option<f64>>> = newest.iter().map(|r| dimension_scores(&r.grade, &dims)).collect();
        let dimensions =
            (0..dims.len()).map(|i| mean(per_dim.iter().filter_map(|scores| scores[i]))).collect::<Vec<_>>();
        rows.push(CohortRow {
            candidate: (*candidate).to_owned(),
            results: attempts.len(),
            exercises_done: newest.len(),
            exercises_passed: newest.iter().filter(|r| r.grade.passed).count(),
            mean_score: mean(newest.iter().map(|r| r.grade.score)).unwrap_or(0.0),
            dimensions,
            hints_used: attempts.iter().map(|r| r.hints_used).sum(),
            red_flags: newest.iter().map(|r| r.grade.red_flags.len()).sum(),
            last_submitted_at: attempts.iter().map(|r| r.submitted_at).max().unwrap_or(OffsetDateTime::UNIX_EPOCH),
            behind: !reasons.is_empty(),
            latest: newest
                .iter()
                .map(|r| Attempt {
                    result_id: r.id,
                    exercise: r.exercise.clone(),
                    submitted_at: r.submitted_at,
                    score: r.grade.score,
                    passed: r.grade.passed,
                    pass_mark: r.grade.pass_mark,
                    red_flags: r.grade.red_flags.iter().map(|f| f.title.clone()).collect(),
                    checks: check_lines(&r.grade),
                })
                .collect(),
        });
        if !reasons.is_empty() {
            behind.push(Behind { candidate: (*candidate).to_owned(), reasons });
        }
    }

    let mut distributions = vec![distribution("score", "Total score", rows.iter().map(|r| r.mean_score).collect())];
    for (i, d) in dims.iter().enumerate() {
        distributions.push(distribution(&d.id, &d.title, rows.iter().filter_map(|r| r.dimensions[i]).collect()));
    }

    CohortReport {
        format: REPORT_FORMAT,
        scope: scope.clone(),
        summary: CohortSummary {
            candidates: rows.len(),
            results: in_scope.len(),
            behind: behind.len(),
            first_at: in_scope.iter().map(|r| r.submitted_at).min(),
            last_at: in_scope.iter().map(|r| r.submitted_at).max(),
        },
        dimensions: dims,
        candidates: rows,
        distributions,
        behind,
    }
}

/// Quartiles (linear interpolation between closest ranks), mean and histogram.
pub fn distribution(id: &str, title: &str, mut values: Vec<f64>) -> Distribution {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    let mut buckets = vec![0usize; BUCKETS];
    for v in &values {
        let width = 100.0 / BUCKETS as f64;
        let i = (v.clamp(0.0, 100.0) / width).floor() as usize;
        buckets[i.min(BUCKETS - 1)] += 1;
    }
    Distribution {
        id: id.to_owned(),
        title: title.to_owned(),
        count: values.len(),
        min: values.first().copied(),
        q1: quantile(&values, 0.25),
        median: quantile(&values, 0.5),
        q3: quantile(&values, 0.75),
        max: values.last().copied(),
        mean: mean(values.iter().copied()),
        buckets,
    }
}

/// The `q` quantile of sorted `values`, interpolating between neighbours.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lower = pos.floor() as usize;
    let upper = pos.ceil() as usize;
    Some(sorted[lower] + (sorted[upper] - sorted[lower]) * (pos - lower as f64))
}

/// Candidate names close to `name`: the same ignoring case, containing it, or a few
/// edits away; nearest first, at most five.
pub fn close_names<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let wanted = name.to_lowercase();
    let len = wanted.chars().count();
    let allowed = (len / 3).clamp(2, 4).min(len.saturating_sub(1));
    let mut scored: Vec<(usize, &str)> = known
        .into_iter()
        .filter_map(|k| {
            let lower = k.to_lowercase();
            let distance = crate::catalog::edit_distance(&wanted, &lower);
            if lower == wanted {
                Some((0, k))
            } else if !wanted.is_empty() && (lower.contains(&wanted) || wanted.contains(&lower)) {
                Some((1, k))
            } else {
                (distance <= allowed).then_some((distance, k))
            }
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(5).map(|(_, k)| k.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grade::HintUse;
    use crate::model::{DimensionScore, RatedBy, RedFlagHit};
    use time::macros::datetime;

    fn dim(id: &str, score: Option<f64>) -> DimensionScore {
        DimensionScore {
            id: id.to_owned(),
            title: id.to_uppercase(),
            weight: 1,
            score,
            rated_by: RatedBy::Checks,
            status: if score.is_some() { DimensionStatus::Scored } else { DimensionStatus::NotAssessed },
            points: 0.0,
            max_points: 0.0,
        }
    }

    fn result(id: i64, who: &str, ex: &str, day: u8, score: f64, dims: &[(&str, Option<f64>)]) -> ReportResult {
        let at = datetime!(2026-11-01 09:00 UTC) + time::Duration::days(i64::from(day));
        ReportResult {
            id,
            candidate: who.to_owned(),
            exercise: ex.to_owned(),
            seed: 1,
            mode: None,
            started_at: Some(at - time::Duration::minutes(30)),
            submitted_at: at,
            hints_used: 1,
            grade: Grade {
                exercise: ex.to_owned(),
                candidate: who.to_owned(),
                seed: 1,
                scorecard: "card".to_owned(),
                score,
                passed: score >= 70.0,
                pass_mark: 70.0,
                level: None,
                is_final: true,
                mode: "submit".to_owned(),
                dimensions: dims.iter().map(|(d, s)| dim(d, *s)).collect(),
                checks: vec![],
                red_flags: vec![],
                hints_used: vec![HintUse { number: 1, cost: 2.0 }],
                hint_penalty: 2.0,
                infra_errors: 0,
            },
        }
    }

    #[test]
    fn numbers_show_one_decimal_at_most_and_never_a_negative_zero() {
        assert_eq!(
            (num(72.0), num(72.46), num(-0.0), num(-0.04), num(-3.0)),
            ("72".into(), "72.5".into(), "0".into(), "0".into(), "-3".into())
        );
    }

    #[test]
    fn quartiles_interpolate_between_neighbours() {
        let d = distribution("score", "Score", vec![40.0, 10.0, 30.0, 20.0, 100.0]);
        assert_eq!((d.min, d.q1, d.median, d.q3, d.max), (Some(10.0), Some(20.0), Some(30.0), Some(40.0), Some(100.0)));
        assert_eq!(d.mean, Some(40.0));
        let d = distribution("score", "Score", vec![0.0, 10.0]);
        assert_eq!(d.q1, Some(2.5));
    }

    #[test]
    fn histogram_puts_a_full_score_in_the_last_bucket_and_edges_in_the_upper_one() {
        let d = distribution("score", "Score", vec![0.0, 9.9, 10.0, 100.0, 95.0, f64::NAN]);
        assert_eq!(d.buckets, vec![2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(d.count, 5, "NaN is left out");
    }

    #[test]
    fn an_empty_distribution_has_no_statistics() {
        let d = distribution("score", "Score", vec![]);
        assert_eq!((d.count, d.median, d.mean), (0, None, None));
        assert_eq!(d.buckets.iter().sum::<usize>(), 0);
    }

    #[test]
    fn candidate_timeline_is_chronological_and_trends_skip_unscored_dimensions() {
        let results = vec![
            result(3, "ada", "b", 3, 80.0, &[("x", Some(90.0)), ("y", None)]),
            result(1, "ada", "a", 1, 50.0, &[("x", Some(40.0)), ("y", Some(60.0))]),
            result(2, "bob", "a", 2, 99.0, &[("x", Some(99.0))]),
            result(4, "ada", "a", 4, 75.0, &[("x", Some(70.0)), ("y", Some(80.0))]),
        ];
        let r = candidate_report("ada", &results, &ExerciseInfos::new()).unwrap();
        assert_eq!(r.timeline.iter().map(|t| t.result_id).collect::<Vec<_>>(), vec![1, 3, 4]);
        let x = &r.trends[0];
        assert_eq!((x.first, x.last, x.change), (Some(40.0), Some(70.0), Some(30.0)));
        let y = &r.trends[1];
        assert_eq!(y.points.len(), 2, "the unscored y of result 3 is no point");
        assert_eq!(r.exercises[0].exercise, "a");
        assert_eq!((r.exercises[0].attempts, r.exercises[0].best_score, r.exercises[0].passed), (2, 75.0, true));
        assert_eq!(r.exercises[0].minutes_total, Some(60.0));
        assert_eq!(r.summary.exercises_passed, 2);
        assert_eq!(r.summary.hints_used, 3);
        assert!(candidate_report("carol", &results, &ExerciseInfos::new()).is_none());
    }

    #[test]
    fn a_result_without_a_start_time_has_no_duration() {
        let mut r = result(1, "ada", "a", 1, 50.0, &[]);
        r.started_at = None;
        let report = candidate_report("ada", &[r], &ExerciseInfos::new()).unwrap();
        assert_eq!(report.timeline[0].minutes, None);
        assert_eq!(report.summary.minutes_total, None);
    }

    #[test]
    fn cohort_counts_the_latest_attempt_and_names_who_is_behind() {
        let mut flagged = result(5, "carol", "a", 5, 60.0, &[("x", Some(60.0))]);
        flagged.grade.red_flags.push(RedFlagHit {
            id: "cred".into(),
            title: "Committed credential".into(),
            source: "c1".into(),
            caps_at: "low".into(),
        });
        let results = vec![
            result(1, "ada", "a", 1, 50.0, &[("x", Some(50.0))]),
            result(2, "ada", "a", 2, 90.0, &[("x", Some(90.0))]),
            result(3, "ada", "b", 3, 80.0, &[("x", Some(70.0))]),
            result(4, "bob", "a", 1, 95.0, &[("x", Some(100.0))]),
            flagged,
        ];
        let scope = CohortScope { exercises: vec!["a".into(), "b".into()], ..CohortScope::default() };
        let c = cohort_report(&scope, &results);
        let names: Vec<&str> = c.candidates.iter().map(|r| r.candidate.as_str()).collect();
        assert_eq!(names, vec!["ada", "bob", "carol"]);
        let ada = &c.candidates[0];
        assert_eq!((ada.results, ada.exercises_done, ada.exercises_passed), (3, 2, 2));
        assert_eq!(ada.mean_score, 85.0, "latest a (90) and b (80)");
        assert_eq!(ada.dimensions, vec![Some(80.0)]);
        assert!(!ada.behind);
        let behind: Vec<String> = c.behind.iter().map(|b| b.candidate.clone()).collect();
        assert_eq!(behind, vec!["bob", "carol"]);
        assert_eq!(c.behind[0].reasons, vec![BehindReason::Missing { exercise: "b".into() }]);
        assert_eq!(
            c.behind[1].reasons[0].to_string(),
            "a not passed (60 of 70 needed; red flag: Committed credential)"
        );
        assert_eq!(c.distributions[0].id, "score");
        assert_eq!(c.distributions[0].count, 3);
        assert_eq!(c.distributions[1].median, Some(80.0));
    }

    #[test]
    fn cohort_scope_filters_by_time_and_exercise() {
        let results = vec![result(1, "ada", "a", 1, 50.0, &[]), result(2, "bob", "b", 5, 90.0, &[])];
        let since = CohortScope { since: Some(datetime!(2026-11-04 00:00 UTC)), ..CohortScope::default() };
        assert_eq!(cohort_report(&since, &results).summary.results, 1);
        let only_a = CohortScope { exercises: vec!["a".into()], ..CohortScope::default() };
        let c = cohort_report(&only_a, &results);
        assert_eq!(c.candidates.len(), 1);
        assert_eq!(c.candidates[0].candidate, "ada");
    }

    #[test]
    fn close_names_find_typos_case_and_parts() {
        let known = ["ada", "Adam", "grace", "bob"];
        assert_eq!(close_names("ADA", known), vec!["ada", "Adam"]);
        assert_eq!(close_names("grcae", known), vec!["grace"]);
        assert!(close_names("zzzzzz", known).is_empty());
    }
}
