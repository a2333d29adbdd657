//! Progress reports as GitHub-flavoured Markdown, for pasting into an issue, a wiki
//! page or a pull request. Every piece of user text is escaped so that a name like
//! `a|b` or `<script>` cannot break a table or inject markup.

use std::fmt::Write as _;

use super::terminal::{histogram, sparkline};
use super::{change, duration, scope_words, score, when};
use crate::report::model::{num, CandidateReport, CohortReport};

/// Escapes Markdown punctuation and HTML in one table cell or line of text.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

fn verdict(passed: bool) -> String {
    if passed { "passed" } else { "**not passed**" }.to_owned()
}

pub fn candidate(r: &CandidateReport) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# Candidate report: {}\n", escape(&r.candidate));
    let _ = writeln!(
        out,
        "{} result(s) on {} exercise(s), {} passed on the latest attempt; mean score {}; \
         hints {} (−{} points); red flags {}; time {}.\n",
        s.results,
        s.exercises,
        s.exercises_passed,
        score(s.mean_score),
        s.hints_used,
        num(s.hint_penalty),
        s.red_flags,
        duration(s.minutes_total),
    );

    let _ = writeln!(out, "## Timeline\n");
    let rows: Vec<Vec<String>> = r
        .timeline
        .iter()
        .map(|t| {
            vec![
                when(t.submitted_at),
                format!("#{}", t.result_id),
                escape(&t.exercise),
                escape(&t.kind),
                num(t.score),
                verdict(t.passed),
                escape(t.level.as_deref().unwrap_or("-")),
                t.hints_used.to_string(),
                duration(t.minutes),
                if t.red_flags.is_empty() { "-".to_owned() } else { escape(&t.red_flags.join(", ")) },
            ]
        })
        .collect();
    table(
        &mut out,
        &["Submitted", "Result", "Exercise", "Kind", "Score", "Verdict", "Level", "Hints", "Time", "Red flags"],
        &rows,
    );

    let _ = writeln!(out, "\n## Dimensions over time\n");
    let rows: Vec<Vec<String>> = r
        .trends
        .iter()
        .map(|d| {
            vec![
                escape(&d.title),
                d.points.len().to_string(),
                score(d.first),
                score(d.last),
                change(d.change),
                score(d.mean),
                sparkline(d.points.iter().map(|p| p.score)),
            ]
        })
        .collect();
    table(&mut out, &["Dimension", "Scored", "First", "Last", "Change", "Mean", "Trend"], &rows);

    let _ = writeln!(out, "\n## Exercises\n");
    let rows: Vec<Vec<String>> = r
        .exercises
        .iter()
        .map(|e| {
            vec![
                escape(&e.exercise),
                escape(&e.title),
                e.attempts.to_string(),
                num(e.best_score),
                num(e.latest_score),
                verdict(e.passed),
                e.hints_used.to_string(),
                duration(e.minutes_latest),
                duration(e.minutes_total),
            ]
        })
        .collect();
    table(
        &mut out,
        &["Exercise", "Title", "Attempts", "Best", "Latest", "Verdict", "Hints", "Time (latest)", "Time (all)"],
        &rows,
    );
    out
}

pub fn cohort(r: &CohortReport) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# Cohort report\n");
    let _ = writeln!(
        out,
        "{} candidate(s), {} result(s); {}; {} behind.\n",
        s.candidates,
        s.results,
        escape(&scope_words(r)),
        s.behind
    );
    if r.candidates.is_empty() {
        let _ = writeln!(out, "No results in scope.");
        return out;
    }

    let _ = writeln!(out, "## Candidates (latest attempt per exercise)\n");
    let mut header: Vec<String> = ["Candidate", "Results", "Done", "Passed", "Score"].map(String::from).to_vec();
    header.extend(r.dimensions.iter().map(|d| d.title.clone()));
    header.extend(["Hints", "Red flags", "Last submit", "Status"].map(String::from));
    let rows: Vec<Vec<String>> = r
        .candidates
        .iter()
        .map(|c| {
            let mut row = vec![
                escape(&c.candidate),
                c.results.to_string(),
                c.exercises_done.to_string(),
                c.exercises_passed.to_string(),
                num(c.mean_score),
            ];
            row.extend(c.dimensions.iter().map(|d| score(*d)));
            row.push(c.hints_used.to_string());
            row.push(c.red_flags.to_string());
            row.push(when(c.last_submitted_at));
            row.push(if c.behind { "**behind**".to_owned() } else { "on track".to_owned() });
            row
        })
        .collect();
    table(&mut out, &header.iter().map(String::as_str).collect::<Vec<_>>(), &rows);

    let _ = writeln!(out, "\n## Distribution (one value per candidate)\n");
    let rows: Vec<Vec<String>> = r
        .distributions
        .iter()
        .map(|d| {
            vec![
                escape(&d.title),
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
    table(&mut out, &["Dimension", "N", "Min", "Q1", "Median", "Q3", "Max", "Mean", "0–100"], &rows);

    let _ = writeln!(out, "\n## Behind\n");
    if r.behind.is_empty() {
        let _ = writeln!(out, "Nobody: every latest attempt passed and nothing expected is missing.");
    }
    for b in &r.behind {
        let reasons: Vec<String> = b.reasons.iter().map(|x| escape(&x.to_string())).collect();
        let _ = writeln!(out, "- **{}**: {}", escape(&b.candidate), reasons.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_breaking_and_markup_characters_are_escaped() {
        assert_eq!(super::escape("a|b <script>*x*\nnext"), "a\\|b &lt;script&gt;\\*x\\* next");
    }
}
