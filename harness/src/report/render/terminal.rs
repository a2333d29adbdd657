//! Progress reports as aligned terminal tables, with small Unicode sparklines for
//! trends and distributions. Colour comes from [`Style`], which is off for pipes and
//! under `NO_COLOR`.

use std::fmt::Write as _;

use super::{change, duration, scope_words, score, when};
use crate::report::model::{num, CandidateReport, CohortReport, BUCKETS};
use crate::report::{table, Style};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One bar per score on a 0–100 scale.
pub(crate) fn sparkline(values: impl IntoIterator<Item = f64>) -> String {
    values
        .into_iter()
        .map(|v| {
            let i = ((v.clamp(0.0, 100.0) / 100.0) * (BARS.len() - 1) as f64).round() as usize;
            BARS[i]
        })
        .collect()
}

/// One bar per bucket, scaled to the fullest bucket; empty buckets show as a dot.
pub(crate) fn histogram(buckets: &[usize]) -> String {
    let top = buckets.iter().copied().max().unwrap_or(0).max(1);
    buckets
        .iter()
        .map(|&n| {
            if n == 0 {
                '·'
            } else {
                let i = ((n as f64 / top as f64) * (BARS.len() - 1) as f64).round() as usize;
                BARS[i]
            }
        })
        .collect()
}

fn verdict(passed: bool, style: Style) -> String {
    if passed {
        style.green("passed")
    } else {
        style.red("not passed")
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}

pub fn candidate(r: &CandidateReport, style: Style) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold(&format!("Candidate report: {}", r.candidate)));
    let _ = writeln!(
        out,
        "{} result(s) on {} exercise(s), {} passed on the latest attempt; mean score {}; \
         hints {} (−{} points); red flags {}; time {}",
        s.results,
        s.exercises,
        s.exercises_passed,
        score(s.mean_score),
        s.hints_used,
        num(s.hint_penalty),
        s.red_flags,
        duration(s.minutes_total),
    );

    let _ = writeln!(out, "\n{}", style.bold("Timeline"));
    let rows: Vec<Vec<String>> = r
        .timeline
        .iter()
        .map(|t| {
            let flags = if t.red_flags.is_empty() { "-".to_owned() } else { style.alarm(&t.red_flags.join(", ")) };
            vec![
                when(t.submitted_at),
                format!("#{}", t.result_id),
                t.exercise.clone(),
                t.kind.clone(),
                num(t.score),
                verdict(t.passed, style),
                t.level.clone().unwrap_or_else(|| "-".to_owned()),
                t.hints_used.to_string(),
                duration(t.minutes),
                flags,
            ]
        })
        .collect();
    out.push_str(&indent(&table::render(
        &["submitted", "result", "exercise", "kind", "score", "verdict", "level", "hints", "time", "red flags"],
        &rows,
    )));

    let _ = writeln!(out, "\n{}", style.bold("Dimensions over time"));
    let rows: Vec<Vec<String>> = r
        .trends
        .iter()
        .map(|d| {
            vec![
                d.title.clone(),
                d.points.len().to_string(),
                score(d.first),
                score(d.last),
                change(d.change),
                score(d.mean),
                sparkline(d.points.iter().map(|p| p.score)),
            ]
        })
        .collect();
    out.push_str(&indent(&table::render(&["dimension", "scored", "first", "last", "change", "mean", "trend"], &rows)));

    let _ = writeln!(out, "\n{}", style.bold("Exercises"));
    let rows: Vec<Vec<String>> = r
        .exercises
        .iter()
        .map(|e| {
            vec![
                e.exercise.clone(),
                e.title.clone(),
                e.attempts.to_string(),
                num(e.best_score),
                num(e.latest_score),
                verdict(e.passed, style),
                e.hints_used.to_string(),
                duration(e.minutes_latest),
                duration(e.minutes_total),
            ]
        })
        .collect();
    out.push_str(&indent(&table::render(
        &["exercise", "title", "attempts", "best", "latest", "verdict", "hints", "time (latest)", "time (all)"],
        &rows,
    )));
    out
}

pub fn cohort(r: &CohortReport, style: Style) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold("Cohort report"));
    let _ = writeln!(
        out,
        "{} candidate(s), {} result(s); {}; {} behind",
        s.candidates,
        s.results,
        scope_words(r),
        s.behind
    );
    if r.candidates.is_empty() {
        let _ = writeln!(out, "\nNo results in scope.");
        return out;
    }

    let _ = writeln!(out, "\n{}", style.bold("Candidates (latest attempt per exercise)"));
    let mut header: Vec<&str> = vec!["candidate", "results", "done", "passed", "score"];
    header.extend(r.dimensions.iter().map(|d| d.id.as_str()));
    header.extend(["hints", "red flags", "last submit", "status"]);
    let rows: Vec<Vec<String>> = r
        .candidates
        .iter()
        .map(|c| {
            let mut row = vec![
                c.candidate.clone(),
                c.results.to_string(),
                c.exercises_done.to_string(),
                c.exercises_passed.to_string(),
                num(c.mean_score),
            ];
            row.extend(c.dimensions.iter().map(|d| score(*d)));
            row.push(c.hints_used.to_string());
            row.push(if c.red_flags == 0 { "0".to_owned() } else { style.alarm(&c.red_flags.to_string()) });
            row.push(when(c.last_submitted_at));
            row.push(if c.behind { style.red("behind") } else { style.green("on track") });
            row
        })
        .collect();
    out.push_str(&indent(&table::render(&header, &rows)));

    let _ = writeln!(out, "\n{}", style.bold("Distribution (one value per candidate)"));
    let rows: Vec<Vec<String>> = r
        .distributions
        .iter()
        .map(|d| {
            vec![
                d.title.clone(),
                d.count.to_string(),
                score(d.min),
                score(d.q1),
                score(d.median),
                score(d.q3),
                score(d.max),
                score(d.mean),
                histogram(&d.buckets),
            ]
        })
        .collect();
    let histogram_header = format!("0–100 in {BUCKETS} steps");
    out.push_str(&indent(&table::render(
        &["dimension", "n", "min", "q1", "median", "q3", "max", "mean", &histogram_header],
        &rows,
    )));

    let _ = writeln!(out, "\n{}", style.bold("Behind"));
    if r.behind.is_empty() {
        let _ = writeln!(out, "  Nobody: every latest attempt passed and nothing expected is missing.");
    }
    for b in &r.behind {
        let reasons: Vec<String> = b.reasons.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "  {} {}: {}", style.red("•"), b.candidate, reasons.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sparklines_span_the_whole_scale() {
        assert_eq!(super::sparkline([0.0, 50.0, 100.0, 150.0]), "▁▅██");
        assert_eq!(super::histogram(&[0, 1, 2, 4]), "·▃▅█");
    }
}
