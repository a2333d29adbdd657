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
use crate::model::{CheckResult, CheckStatus, DimensionScore, Exercise, Grade, RatedBy, RedFlagHit, Scorecard};

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
}
