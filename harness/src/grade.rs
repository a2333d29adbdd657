//! Grading: check results plus hints (and, later, people's ratings) become a grade
//! on the exercise's scorecard. A pure function, so the same evidence always yields
//! the same score.
//!
//! How the total is formed:
//! - a dimension rated by checks scores `100 × earned / available` over the checks
//!   that ran (skipped and errored checks count neither way);
//! - a dimension rated by a person awaits a rating and is left out of the total
//!   (checks on it are shown as evidence only); a dimension no check feeds is not
//!   assessed by this exercise and left out too;
//! - the total is the weight-averaged score of the scored dimensions, less the
//!   cost of the hints revealed, clamped to 0–100;
//! - the level is the highest whose `min_score` the total reaches, lowered to the
//!   cap of any red flag raised (and to the lowest level when a required check
//!   failed); a result passes when it reaches the pass mark, carries no red flag
//!   and fails no required check.

use crate::model::grade::{DimensionStatus, HintUse};
use crate::model::{CheckResult, CheckStatus, DimensionScore, Exercise, Grade, RatedBy, Rating, RedFlagHit, Scorecard};

/// Whether only visible checks ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `faultline check`: formative, visible checks only.
    Check,
    /// `faultline submit` / `grade`: every check.
    Submit,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Check => "check",
            Mode::Submit => "submit",
        }
    }
}

/// Inputs of a grade.
pub struct GradeInput<'a> {
    pub exercise: &'a Exercise,
    pub scorecard: &'a Scorecard,
    pub candidate: &'a str,
    pub seed: u64,
    pub mode: Mode,
    pub checks: Vec<CheckResult>,
    pub hints_used: Vec<HintUse>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Compute a grade.
pub fn grade(input: GradeInput<'_>) -> Grade {
    let card = input.scorecard;
    let mut dimensions = Vec::new();
    for d in &card.dimensions {
        let counted = input
            .checks
            .iter()
            .filter(|c| c.dimension == d.id && matches!(c.status, CheckStatus::Passed | CheckStatus::Failed));
        let (points, max) = counted.fold((0.0, 0.0), |(p, m), c| (p + c.points, m + c.max_points));
        let (status, score) = match d.rated_by {
            RatedBy::Person => (DimensionStatus::AwaitingRating, None),
            RatedBy::Checks if max > 0.0 => (DimensionStatus::Scored, Some(round1(100.0 * points / max))),
            RatedBy::Checks => (DimensionStatus::NotAssessed, None),
        };
        dimensions.push(DimensionScore {
            id: d.id.clone(),
            title: d.title.clone(),
            weight: d.weight,
            score,
            rated_by: d.rated_by,
            status,
            points,
            max_points: max,
        });
    }
    let weight_sum: f64 = dimensions.iter().filter(|d| d.score.is_some()).map(|d| f64::from(d.weight)).sum();
    let weighted: f64 = dimensions.iter().filter_map(|d| d.score.map(|s| s * f64::from(d.weight))).sum();
    let raw_total = if weight_sum > 0.0 { weighted / weight_sum } else { 0.0 };
    let hint_penalty: f64 = input.hints_used.iter().map(|h| h.cost).sum();
    let score = round1((raw_total - hint_penalty).clamp(0.0, 100.0));

    let mut red_flags: Vec<RedFlagHit> = Vec::new();
    // Red flags come from failed checks that carry one (recorded on the result).
    for c in &input.checks {
        if c.status != CheckStatus::Failed {
            continue;
        }
        if let Some(flag_id) = red_flag_of(c) {
            if let Some(flag) = card.red_flag(flag_id) {
                if !red_flags.iter().any(|r| r.id == flag.id) {
                    red_flags.push(RedFlagHit {
                        id: flag.id.clone(),
                        title: flag.title.clone(),
                        source: format!("check:{}", c.id),
                        caps_at: flag.caps_at.clone(),
                    });
                }
            }
        }
    }

    let mut level_idx = card.level_for(score).and_then(|l| card.level_index(&l.id));
    for r in &red_flags {
        if let (Some(cur), Some(cap)) = (level_idx, card.level_index(&r.caps_at)) {
            level_idx = Some(cur.min(cap));
        }
    }
    let infra_errors = input.checks.iter().filter(|c| c.status == CheckStatus::Error).count();
    let awaiting = dimensions.iter().any(|d| d.status == DimensionStatus::AwaitingRating);
    let required_failed = input.checks.iter().any(|c| c.required && c.status == CheckStatus::Failed);
    if required_failed {
        // A failed gate means the task was not done, whatever else scored.
        level_idx = level_idx.map(|_| 0);
    }
    let passed = score >= card.pass_mark && red_flags.is_empty() && weight_sum > 0.0 && !required_failed;
    Grade {
        exercise: input.exercise.id.clone(),
        candidate: input.candidate.to_string(),
        seed: input.seed,
        scorecard: card.id.clone(),
        score,
        passed,
        pass_mark: card.pass_mark,
        level: level_idx.map(|i| card.levels[i].id.clone()),
        is_final: !awaiting && infra_errors == 0 && input.mode == Mode::Submit,
        mode: input.mode.name().to_string(),
        dimensions,
        checks: input.checks,
        red_flags,
        hints_used: input.hints_used,
        hint_penalty,
        infra_errors,
    }
}

fn red_flag_of(c: &CheckResult) -> Option<&str> {
    c.red_flag.as_deref()
}

/// One dimension's ratings and what they combine to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CombinedRating {
    pub dimension: String,
    /// Each rater's latest score on the rating scale, in rating order.
    pub scores: Vec<RaterScore>,
    /// The median on the rating scale.
    pub median: f64,
    /// The median mapped onto 0–100.
    pub score: f64,
}

/// One rater's counted score of a dimension.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RaterScore {
    pub rater: String,
    pub score: u32,
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    pub rated_at: time::OffsetDateTime,
}

/// How ratings are combined, for output beside the numbers.
pub const COMBINATION_RULE: &str =
    "each rater's latest rating counts; several raters' scores combine by their median, mapped from the rating scale onto 0-100";

/// The counted ratings per person-rated dimension of the scorecard (dimensions
/// without a rating are left out), in scorecard order.
pub fn combine_ratings(ratings: &[Rating], scorecard: &Scorecard) -> Vec<CombinedRating> {
    let (lo, hi) = scorecard.rating_scale;
    let span = f64::from(hi.saturating_sub(lo).max(1));
    let mut out = Vec::new();
    for d in scorecard.dimensions.iter().filter(|d| d.rated_by == RatedBy::Person) {
        let mut ordered: Vec<&Rating> =
            ratings.iter().filter(|r| r.dimension.as_deref() == Some(d.id.as_str()) && r.score.is_some()).collect();
        ordered.sort_by(|a, b| a.rated_at.cmp(&b.rated_at).then_with(|| a.id.cmp(&b.id)));
        // A later rating by the same rater replaces the earlier one.
        let mut scores: Vec<RaterScore> = Vec::new();
        for r in ordered {
            let score = r.score.unwrap_or(lo).clamp(lo, hi);
            let entry = RaterScore { rater: r.rater.clone(), score, note: r.note.clone(), rated_at: r.rated_at };
            match scores.iter_mut().find(|s| s.rater == r.rater) {
                Some(existing) => *existing = entry,
                None => scores.push(entry),
            }
        }
        if scores.is_empty() {
            continue;
        }
        let median = median(scores.iter().map(|s| f64::from(s.score)).collect());
        out.push(CombinedRating {
            dimension: d.id.clone(),
            scores,
            median,
            score: round1(100.0 * (median - f64::from(lo)) / span),
        });
    }
    out
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The grade with people's ratings folded in: rated dimensions are scored, rater red
/// flags cap the level, and the total, level, verdict and finality are worked out
/// again. Ratings of other results, of unknown dimensions or with unknown flags are
/// ignored (the store only holds checked ones). Pure: the same grade and ratings
/// always give the same result.
pub fn with_ratings(grade: &Grade, ratings: &[Rating], scorecard: &Scorecard) -> Grade {
    let mut g = grade.clone();
    let combined = combine_ratings(ratings, scorecard);
    for d in &mut g.dimensions {
        if d.rated_by != RatedBy::Person {
            continue;
        }
        match combined.iter().find(|c| c.dimension == d.id) {
            Some(c) => {
                d.score = Some(c.score);
                d.status = DimensionStatus::Scored;
            }
            None => {
                d.score = None;
                d.status = DimensionStatus::AwaitingRating;
            }
        }
    }
    let weight_sum: f64 = g.dimensions.iter().filter(|d| d.score.is_some()).map(|d| f64::from(d.weight)).sum();
    let weighted: f64 = g.dimensions.iter().filter_map(|d| d.score.map(|s| s * f64::from(d.weight))).sum();
    let raw_total = if weight_sum > 0.0 { weighted / weight_sum } else { 0.0 };
    g.score = round1((raw_total - g.hint_penalty).clamp(0.0, 100.0));

    g.red_flags.retain(|r| !r.source.starts_with("rater:"));
    let mut raised: Vec<&Rating> = ratings.iter().filter(|r| r.red_flag.is_some()).collect();
    raised.sort_by(|a, b| a.rated_at.cmp(&b.rated_at).then_with(|| a.id.cmp(&b.id)));
    for r in raised {
        let Some(flag) = r.red_flag.as_deref().and_then(|id| scorecard.red_flag(id)) else {
            continue;
        };
        let source = format!("rater:{}", r.rater);
        if !g.red_flags.iter().any(|h| h.id == flag.id && h.source == source) {
            g.red_flags.push(RedFlagHit {
                id: flag.id.clone(),
                title: flag.title.clone(),
                source,
                caps_at: flag.caps_at.clone(),
            });
        }
    }

    let mut level_idx = scorecard.level_for(g.score).and_then(|l| scorecard.level_index(&l.id));
    for r in &g.red_flags {
        if let (Some(cur), Some(cap)) = (level_idx, scorecard.level_index(&r.caps_at)) {
            level_idx = Some(cur.min(cap));
        }
    }
    let required_failed = g.checks.iter().any(|c| c.required && c.status == CheckStatus::Failed);
    if required_failed {
        level_idx = level_idx.map(|_| 0);
    }
    g.level = level_idx.map(|i| scorecard.levels[i].id.clone());
    g.passed = g.score >= scorecard.pass_mark && g.red_flags.is_empty() && weight_sum > 0.0 && !required_failed;
    let awaiting = g.dimensions.iter().any(|d| d.status == DimensionStatus::AwaitingRating);
    g.is_final = !awaiting && g.infra_errors == 0 && g.mode == Mode::Submit.name();
    g
}

/// A rating that does not fit the scorecard.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RatingError {
    #[error("scorecard `{scorecard}` has no person-rated dimension `{given}`; rate one of: {}", .valid.join(", "))]
    UnknownDimension { scorecard: String, given: String, valid: Vec<String> },
    #[error("dimension `{dimension}` is rated by checks, not by a person; rate one of: {}", .valid.join(", "))]
    NotPersonRated { dimension: String, valid: Vec<String> },
    #[error(
        "score {given} is outside the rating scale of scorecard `{scorecard}`: use a whole number from {min} to {max}"
    )]
    ScoreOutOfScale { scorecard: String, given: i64, min: u32, max: u32 },
    #[error("scorecard `{scorecard}` has no red flag `{given}`; raise one of: {}", .valid.join(", "))]
    UnknownRedFlag { scorecard: String, given: String, valid: Vec<String> },
    #[error("a rating needs --dimension with --score, or --red-flag (or both)")]
    Empty,
    #[error("--dimension and --score go together")]
    Incomplete,
}

/// Checks a rating against the scorecard: the dimension must be one a person rates,
/// the score on the rating scale and the red flag one the scorecard knows.
pub fn check_rating(
    scorecard: &Scorecard,
    dimension: Option<&str>,
    score: Option<i64>,
    red_flag: Option<&str>,
) -> Result<Option<u32>, RatingError> {
    let person: Vec<String> =
        scorecard.dimensions.iter().filter(|d| d.rated_by == RatedBy::Person).map(|d| d.id.clone()).collect();
    if let Some(id) = dimension {
        match scorecard.dimension(id) {
            None => {
                return Err(RatingError::UnknownDimension {
                    scorecard: scorecard.id.clone(),
                    given: id.to_string(),
                    valid: person,
                })
            }
            Some(d) if d.rated_by != RatedBy::Person => {
                return Err(RatingError::NotPersonRated { dimension: id.to_string(), valid: person })
            }
            Some(_) => {}
        }
    }
    let checked_score = match score {
        Some(n) => {
            let (min, max) = scorecard.rating_scale;
            if n < i64::from(min) || n > i64::from(max) {
                return Err(RatingError::ScoreOutOfScale { scorecard: scorecard.id.clone(), given: n, min, max });
            }
            Some(n as u32)
        }
        None => None,
    };
    if let Some(id) = red_flag {
        if scorecard.red_flag(id).is_none() {
            return Err(RatingError::UnknownRedFlag {
                scorecard: scorecard.id.clone(),
                given: id.to_string(),
                valid: scorecard.red_flags.iter().map(|r| r.id.clone()).collect(),
            });
        }
    }
    match (dimension, checked_score, red_flag) {
        (None, None, None) => Err(RatingError::Empty),
        (Some(_), None, _) | (None, Some(_), _) => Err(RatingError::Incomplete),
        _ => Ok(checked_score),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dimension, Level, RedFlag};

    fn card() -> Scorecard {
        let dim = |id: &str, weight, rated_by| Dimension {
            id: id.into(),
            title: id.into(),
            weight,
            meets_bar: String::new(),
            rated_by,
        };
        Scorecard {
            id: "card".into(),
            title: "Card".into(),
            pass_mark: 70.0,
            rating_scale: (1, 4),
            dimensions: vec![
                dim("iac", 40, RatedBy::Checks),
                dim("security", 40, RatedBy::Checks),
                dim("ci", 10, RatedBy::Checks),
                dim("communication", 10, RatedBy::Person),
            ],
            levels: vec![
                Level { id: "below".into(), title: "Below".into(), min_score: 0.0 },
                Level { id: "meets".into(), title: "Meets".into(), min_score: 70.0 },
                Level { id: "exceeds".into(), title: "Exceeds".into(), min_score: 90.0 },
            ],
            red_flags: vec![RedFlag {
                id: "leak".into(),
                title: "Leak".into(),
                description: String::new(),
                caps_at: "below".into(),
            }],
        }
    }

    fn exercise() -> Exercise {
        Exercise {
            id: "ex".into(),
            title: "Ex".into(),
            brief: String::new(),
            time_box_minutes: 30,
            audience: vec![],
            scenarios: vec![],
            scorecard: "card".into(),
            deliverables: vec![],
        }
    }

    fn result(id: &str, dim: &str, points: f64, status: CheckStatus, flag: Option<&str>) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: id.into(),
            kind: "regex".into(),
            scenario: "s".into(),
            status,
            points: if status == CheckStatus::Passed { points } else { 0.0 },
            max_points: points,
            dimension: dim.into(),
            hidden: false,
            required: false,
            message: String::new(),
            evidence: vec![],
            red_flag: flag.map(Into::into),
        }
    }

    fn run(checks: Vec<CheckResult>, hints: Vec<HintUse>) -> Grade {
        let (card, ex) = (card(), exercise());
        grade(GradeInput {
            exercise: &ex,
            scorecard: &card,
            candidate: "ada",
            seed: 1,
            mode: Mode::Submit,
            checks,
            hints_used: hints,
        })
    }

    #[test]
    fn total_is_the_weighted_mean_of_scored_dimensions_only() {
        // iac 100%, security 50%; ci has no checks; communication awaits a person.
        let g = run(
            vec![
                result("a", "iac", 10.0, CheckStatus::Passed, None),
                result("b", "security", 10.0, CheckStatus::Passed, None),
                result("c", "security", 10.0, CheckStatus::Failed, None),
                result("w", "communication", 5.0, CheckStatus::Passed, None),
            ],
            vec![],
        );
        assert_eq!(g.score, 75.0);
        assert!(g.passed);
        assert_eq!(g.level.as_deref(), Some("meets"));
        let status = |id: &str| g.dimensions.iter().find(|d| d.id == id).unwrap().status;
        assert_eq!(status("ci"), DimensionStatus::NotAssessed);
        assert_eq!(status("communication"), DimensionStatus::AwaitingRating);
        assert!(!g.is_final, "a person-rated dimension is still open");
    }

    #[test]
    fn skipped_and_errored_checks_count_neither_way_and_errors_make_it_not_final() {
        let g = run(
            vec![
                result("a", "iac", 10.0, CheckStatus::Passed, None),
                result("t", "iac", 10.0, CheckStatus::Skipped, None),
                result("e", "iac", 10.0, CheckStatus::Error, None),
            ],
            vec![],
        );
        assert_eq!(g.score, 100.0);
        assert_eq!(g.infra_errors, 1);
        assert!(!g.is_final);
    }

    #[test]
    fn hints_cost_points_and_a_red_flag_caps_the_level_and_fails() {
        let g = run(
            vec![
                result("a", "iac", 10.0, CheckStatus::Passed, None),
                result("b", "security", 10.0, CheckStatus::Passed, None),
                result("s", "security", 1.0, CheckStatus::Failed, Some("leak")),
            ],
            vec![HintUse { number: 1, cost: 3.0 }],
        );
        // security = 10/11 → 90.9; total = (100*40 + 90.9*40)/80 = 95.45 → 95.5, less 3.
        assert_eq!(g.score, 92.5);
        assert_eq!(g.hint_penalty, 3.0);
        assert_eq!(g.red_flags.len(), 1);
        assert_eq!(g.red_flags[0].source, "check:s");
        assert_eq!(g.level.as_deref(), Some("below"), "capped by the red flag");
        assert!(!g.passed);
    }

    #[test]
    fn nothing_scored_is_not_a_pass() {
        let g = run(vec![result("w", "communication", 5.0, CheckStatus::Passed, None)], vec![]);
        assert_eq!(g.score, 0.0);
        assert!(!g.passed);
    }

    fn rating(rater: &str, dim: Option<&str>, score: Option<u32>, flag: Option<&str>, minute: i64) -> Rating {
        Rating {
            id: format!("{rater}-{minute}"),
            result_id: 1,
            dimension: dim.map(Into::into),
            score,
            red_flag: flag.map(Into::into),
            note: format!("note by {rater}"),
            rater: rater.into(),
            rated_at: time::macros::datetime!(2026-11-27 10:00 UTC) + time::Duration::minutes(minute),
        }
    }

    fn automatic() -> Grade {
        run(
            vec![
                result("a", "iac", 10.0, CheckStatus::Passed, None),
                result("b", "security", 10.0, CheckStatus::Passed, None),
                result("c", "security", 10.0, CheckStatus::Failed, None),
            ],
            vec![],
        )
    }

    #[test]
    fn a_person_rating_scores_the_dimension_and_makes_the_grade_final() {
        let g = automatic();
        assert_eq!(g.score, 75.0);
        assert!(!g.is_final);
        // Scale 1-4: a 4 maps to 100. Total = (100*40 + 50*40 + 100*10) / 90 = 77.8.
        let rated = with_ratings(&g, &[rating("grace", Some("communication"), Some(4), None, 0)], &card());
        let comm = rated.dimensions.iter().find(|d| d.id == "communication").unwrap();
        assert_eq!((comm.score, comm.status), (Some(100.0), DimensionStatus::Scored));
        assert_eq!(rated.score, 77.8);
        assert!(rated.is_final);
        assert!(rated.passed);
        assert_eq!(g.score, 75.0, "the input grade is not changed");
    }

    #[test]
    fn several_raters_combine_by_median_and_a_raters_later_rating_replaces_theirs() {
        let card = card();
        let ratings = [
            rating("grace", Some("communication"), Some(1), None, 0),
            rating("alan", Some("communication"), Some(3), None, 1),
            rating("edsger", Some("communication"), Some(4), None, 2),
            // grace changes her mind: 1 -> 2; the median of 2, 3, 4 is 3 -> 66.7.
            rating("grace", Some("communication"), Some(2), None, 3),
        ];
        let combined = combine_ratings(&ratings, &card);
        assert_eq!(combined.len(), 1);
        assert_eq!(
            combined[0].scores.iter().map(|s| (s.rater.as_str(), s.score)).collect::<Vec<_>>(),
            [("grace", 2), ("alan", 3), ("edsger", 4)]
        );
        assert_eq!((combined[0].median, combined[0].score), (3.0, 66.7));
        // Two raters: the mean of the middle two.
        let two = combine_ratings(&ratings[..2], &card);
        assert_eq!((two[0].median, two[0].score), (2.0, 33.3));
    }

    #[test]
    fn a_rater_red_flag_caps_the_level_and_fails_like_a_check_flag() {
        let ratings =
            [rating("grace", Some("communication"), Some(4), None, 0), rating("grace", None, None, Some("leak"), 1)];
        let rated = with_ratings(&automatic(), &ratings, &card());
        assert_eq!(rated.red_flags.len(), 1);
        assert_eq!(rated.red_flags[0].source, "rater:grace");
        assert_eq!(rated.level.as_deref(), Some("below"));
        assert!(!rated.passed);
        assert!(rated.is_final);
    }

    #[test]
    fn folding_ratings_twice_gives_the_same_grade() {
        let ratings = [rating("grace", None, None, Some("leak"), 1)];
        let once = with_ratings(&automatic(), &ratings, &card());
        let twice = with_ratings(&once, &ratings, &card());
        assert_eq!(once, twice);
        assert_eq!(with_ratings(&once, &[], &card()).red_flags.len(), 0, "rater flags come from ratings only");
    }

    #[test]
    fn unrated_person_dimension_stays_out_of_the_total() {
        let rated = with_ratings(&automatic(), &[], &card());
        assert_eq!(rated, automatic());
    }

    #[test]
    fn bad_ratings_are_refused_with_the_valid_choices() {
        let card = card();
        let e = check_rating(&card, Some("charisma"), Some(3), None).unwrap_err();
        assert!(e.to_string().contains("rate one of: communication"), "{e}");
        let e = check_rating(&card, Some("iac"), Some(3), None).unwrap_err();
        assert!(matches!(e, RatingError::NotPersonRated { .. }), "{e}");
        let e = check_rating(&card, Some("communication"), Some(5), None).unwrap_err();
        assert!(e.to_string().contains("from 1 to 4"), "{e}");
        let e = check_rating(&card, Some("communication"), Some(0), None).unwrap_err();
        assert!(matches!(e, RatingError::ScoreOutOfScale { given: 0, .. }), "{e}");
        let e = check_rating(&card, None, None, Some("rude")).unwrap_err();
        assert!(e.to_string().contains("raise one of: leak"), "{e}");
        assert_eq!(check_rating(&card, None, None, None), Err(RatingError::Empty));
        assert_eq!(check_rating(&card, Some("communication"), None, None), Err(RatingError::Incomplete));
        assert_eq!(check_rating(&card, Some("communication"), Some(4), Some("leak")), Ok(Some(4)));
    }
}
