//! The one-page interview scorecard as terminal text: the decision first
//! (recommendation band, red flags, lateness), then the dimensions with automatic
//! and human scores, the evidence per check, hints and notes, and the candidate's
//! diff last.

use std::fmt::Write as _;

use super::{diff, table, Style};
use crate::interview::InterviewScorecard;
use crate::model::grade::DimensionStatus;
use crate::model::{CheckStatus, Scorecard};

fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn when(t: &time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC).format(&f).unwrap_or_default()
}

/// Renders the scorecard. `card` gives level and flag titles.
pub fn render(sc: &InterviewScorecard, card: &Scorecard, style: Style) -> String {
    let s = style;
    let g = &sc.grade;
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.bold(&format!("Interview scorecard — {} — {}", sc.candidate, sc.exercise_title)));
    let _ = writeln!(
        out,
        "Result {}   exercise {} (seed {})   interviewer {}",
        sc.result_id,
        sc.exercise,
        sc.seed,
        sc.interviewer.as_deref().unwrap_or("-")
    );
    let started = sc.started_at.as_ref().map_or("-".to_string(), when);
    let taken = sc.minutes_taken.map_or("-".to_string(), |m| format!("{m} min"));
    let _ = writeln!(
        out,
        "Started {started}   submitted {}   time taken {taken} of {} min{}",
        when(&sc.submitted_at),
        sc.time_box_minutes,
        if sc.late { format!("   {}", s.alarm(" LATE ")) } else { String::new() }
    );

    let _ = writeln!(out, "\n{}", s.bold("Recommendation"));
    let verdict = if g.passed { s.green("passed") } else { s.red("not passed") };
    let finality = if sc.recommendation.is_final { "final" } else { "provisional" };
    let _ = writeln!(
        out,
        "  {}   score {} / 100 (pass mark {})   {verdict}   {finality}",
        s.bold(&sc.recommendation.title),
        num(g.score),
        num(g.pass_mark)
    );
    for r in &sc.recommendation.reasons {
        let _ = writeln!(out, "  - {r}");
    }
    let bands: Vec<String> = card.levels.iter().map(|l| format!("{} from {}", l.title, num(l.min_score))).collect();
    let _ = writeln!(out, "  {}", s.dim(&format!("bands: {}", bands.join(", "))));

    if !g.red_flags.is_empty() {
        let _ = writeln!(out, "\n{}", s.bold("Red flags"));
        for r in &g.red_flags {
            let _ = writeln!(out, "  {} {} (from {}), caps at {}", s.alarm(" RED FLAG "), r.title, r.source, r.caps_at);
        }
    }

    let _ = writeln!(out, "\n{}", s.bold("Dimensions"));
    let rows: Vec<Vec<String>> = sc
        .dimensions
        .iter()
        .map(|d| {
            let human = match &d.human {
                Some(c) => {
                    let each: Vec<String> = c.scores.iter().map(|x| format!("{} {}", x.rater, x.score)).collect();
                    format!("{} (median {} of {})", num(c.score), num(c.median), each.join(", "))
                }
                None if d.status == DimensionStatus::AwaitingRating => "awaiting rating".to_string(),
                None => "-".to_string(),
            };
            let counted = match d.status {
                DimensionStatus::Scored => d.counted.map_or("-".into(), num),
                DimensionStatus::AwaitingRating => "not counted yet".into(),
                DimensionStatus::NotAssessed => "not assessed".into(),
            };
            vec![
                d.title.clone(),
                d.weight.to_string(),
                d.rated_by.to_string(),
                d.automatic.map_or("-".into(), num),
                human,
                counted,
            ]
        })
        .collect();
    for line in table::render(&["dimension", "weight", "rated by", "automatic", "human", "counted"], &rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    let (lo, hi) = card.rating_scale;
    let _ = writeln!(out, "  {}", s.dim(&format!("ratings on a {lo}-{hi} scale: {}", sc.combination_rule)));

    if !sc.ratings.is_empty() {
        let _ = writeln!(out, "\n{}", s.bold("Ratings"));
        for r in &sc.ratings {
            let what = match (&r.dimension, r.score, &r.red_flag) {
                (Some(d), Some(n), Some(f)) => format!("{d} = {n}, red flag {f}"),
                (Some(d), Some(n), None) => format!("{d} = {n}"),
                (_, _, Some(f)) => format!("red flag {f}"),
                _ => "-".to_string(),
            };
            let _ = writeln!(out, "  {} by {} at {}: {}", what, r.rater, when(&r.rated_at), r.note);
        }
    }

    let _ = writeln!(out, "\n{}", s.bold("Evidence per check"));
    for c in &g.checks {
        let mark = match c.status {
            CheckStatus::Passed => "PASS",
            CheckStatus::Failed => "FAIL",
            CheckStatus::Skipped => "SKIP",
            CheckStatus::Error => "ERR ",
        };
        let _ =
            writeln!(out, "  {mark} {} {}/{} [{}] {}", c.id, num(c.points), num(c.max_points), c.dimension, c.title);
        if !c.message.is_empty() {
            let _ = writeln!(out, "       {}", c.message);
        }
        for e in c.evidence.iter().take(4) {
            let at = match (&e.file, e.line) {
                (Some(f), Some(l)) if l > 0 => format!("{f}:{l}  "),
                (Some(f), _) => format!("{f}  "),
                _ => String::new(),
            };
            let first = e.text.lines().next().unwrap_or("");
            let _ = writeln!(out, "       {}", s.dim(&format!("{at}{first}")));
        }
    }

    let _ = writeln!(out, "\n{}", s.bold("Hints"));
    if g.hints_used.is_empty() {
        let _ = writeln!(out, "  none used");
    } else {
        let each: Vec<String> = g.hints_used.iter().map(|h| format!("#{} (-{})", h.number, num(h.cost))).collect();
        let _ = writeln!(
            out,
            "  {} used: {}; {} points off the total",
            g.hints_used.len(),
            each.join(", "),
            num(g.hint_penalty)
        );
    }

    if !sc.notes.is_empty() {
        let _ = writeln!(out, "\n{}", s.bold("Interviewer notes"));
        for n in &sc.notes {
            let _ = writeln!(out, "  {} ({}, {}): {}", n.author, when(&n.written_at), n.target, n.text);
        }
    }

    let _ = writeln!(out, "\n{}", s.bold("Candidate's changes against the pull request"));
    match (&sc.diff, &sc.diff_missing) {
        (Some(d), _) if d.is_empty() => {
            let _ = writeln!(out, "  (no changes)");
        }
        (Some(d), _) => out.push_str(&diff::colorize(d, s)),
        (None, Some(why)) => {
            let _ = writeln!(out, "  (not available: {why})");
        }
        (None, None) => {
            let _ = writeln!(out, "  (not available)");
        }
    }
    out
}
