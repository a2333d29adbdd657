//! Progress reports as one self-contained HTML page: inline CSS, charts drawn as inline
//! SVG, no scripts, fonts or links to anything outside the file, so it can be mailed,
//! attached to a CI run or opened offline. All user text is escaped.

use std::fmt::Write as _;

use super::svg::{self, escape, Bar, Series};
use super::{change, duration, scope_words, score, when};
use crate::report::model::{num, CandidateReport, CohortReport};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;\
max-width:60rem;padding:0 1rem;color:#222}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;\
border-bottom:1px solid #ddd}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}\
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}th{background:#f4f4f4}\
td.num{text-align:right;font-variant-numeric:tabular-nums}.pass{color:#2e7d32}.fail{color:#c62828;\
font-weight:600}.flag{background:#c62828;color:#fff;padding:0 .3rem;border-radius:3px}\
.charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}figcaption{font-size:.85rem;color:#555;\
max-width:300px}.wide{overflow-x:auto}\
.summary{font-size:1rem}tr.behind td{background:#fff4f4}@media print{body{margin:0}}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn verdict(passed: bool) -> &'static str {
    if passed {
        "<span class=\"pass\">passed</span>"
    } else {
        "<span class=\"fail\">not passed</span>"
    }
}

/// A table whose cells are already HTML; the columns for which `numeric` holds are
/// right-aligned.
fn table(out: &mut String, header: &[&str], numeric: impl Fn(usize) -> bool, rows: &[(Option<&str>, Vec<String>)]) {
    out.push_str("<div class=\"wide\"><table>\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (class, row) in rows {
        match class {
            Some(c) => {
                let _ = write!(out, "<tr class=\"{c}\">");
            }
            None => out.push_str("<tr>"),
        }
        for (i, cell) in row.iter().enumerate() {
            if numeric(i) {
                let _ = write!(out, "<td class=\"num\">{cell}</td>");
            } else {
                let _ = write!(out, "<td>{cell}</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

/// Escaped text for a numeric cell.
fn n(text: String) -> String {
    escape(&text)
}

fn figure(out: &mut String, chart: &str, caption: &str) {
    let _ = writeln!(out, "<figure>{chart}<figcaption>{}</figcaption></figure>", escape(caption));
}

pub fn candidate(r: &CandidateReport) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "<h1>Candidate report: {}</h1>", escape(&r.candidate));
    let _ = writeln!(
        out,
        "<p class=\"summary\">{} result(s) on {} exercise(s), {} passed on the latest attempt; mean score {}; \
         hints {} (−{} points); red flags {}; time {}.</p>",
        s.results,
        s.exercises,
        s.exercises_passed,
        escape(&score(s.mean_score)),
        s.hints_used,
        num(s.hint_penalty),
        s.red_flags,
        escape(&duration(s.minutes_total)),
    );

    let _ = writeln!(out, "<h2>Scores over time</h2>\n<div class=\"charts\">");
    let bars: Vec<Bar> = r
        .timeline
        .iter()
        .map(|t| Bar { label: format!("#{} {}", t.result_id, t.exercise), value: t.score, good: t.passed })
        .collect();
    let pass_mark = r.timeline.last().map(|t| t.pass_mark);
    figure(&mut out, &svg::bars("Total score per result", &bars, pass_mark), "Total score per result, oldest first");
    let labels: Vec<String> = r.timeline.iter().map(|t| format!("#{}", t.result_id)).collect();
    let series: Vec<Series> = r
        .trends
        .iter()
        .filter(|d| !d.points.is_empty())
        .map(|d| Series {
            name: d.title.clone(),
            points: d
                .points
                .iter()
                .filter_map(|p| r.timeline.iter().position(|t| t.result_id == p.result_id).map(|i| (i, p.score)))
                .collect(),
        })
        .collect();
    figure(&mut out, &svg::lines("Score per dimension", &labels, &series), "Score per dimension, oldest first");
    out.push_str("</div>\n");

    let _ = writeln!(out, "<h2>Timeline</h2>");
    let rows: Vec<(Option<&str>, Vec<String>)> = r
        .timeline
        .iter()
        .map(|t| {
            let flags = if t.red_flags.is_empty() {
                "-".to_owned()
            } else {
                t.red_flags.iter().map(|f| format!("<span class=\"flag\">{}</span>", escape(f))).collect()
            };
            (
                None,
                vec![
                    escape(&when(t.submitted_at)),
                    n(t.result_id.to_string()),
                    format!("{}<br><small>{}</small>", escape(&t.exercise), escape(&t.title)),
                    escape(&t.kind),
                    n(num(t.score)),
                    verdict(t.passed).to_owned(),
                    escape(t.level.as_deref().unwrap_or("-")),
                    n(t.hints_used.to_string()),
                    n(duration(t.minutes)),
                    flags,
                ],
            )
        })
        .collect();
    table(
        &mut out,
        &["Submitted", "Result", "Exercise", "Kind", "Score", "Verdict", "Level", "Hints", "Time", "Red flags"],
        |i| [1, 4, 7, 8].contains(&i),
        &rows,
    );

    let _ = writeln!(out, "<h2>Dimensions over time</h2>");
    let rows: Vec<(Option<&str>, Vec<String>)> = r
        .trends
        .iter()
        .map(|d| {
            (
                None,
                vec![
                    escape(&d.title),
                    n(d.points.len().to_string()),
                    n(score(d.first)),
                    n(score(d.last)),
                    n(change(d.change)),
                    n(score(d.mean)),
                ],
            )
        })
        .collect();
    table(&mut out, &["Dimension", "Scored", "First", "Last", "Change", "Mean"], |i| i > 0, &rows);

    let _ = writeln!(out, "<h2>Exercises</h2>");
    let rows: Vec<(Option<&str>, Vec<String>)> = r
        .exercises
        .iter()
        .map(|e| {
            (
                None,
                vec![
                    format!("{}<br><small>{}</small>", escape(&e.exercise), escape(&e.title)),
                    n(e.attempts.to_string()),
                    n(num(e.best_score)),
                    n(num(e.latest_score)),
                    verdict(e.passed).to_owned(),
                    n(e.hints_used.to_string()),
                    n(duration(e.minutes_latest)),
                    n(duration(e.minutes_total)),
                ],
            )
        })
        .collect();
    table(
        &mut out,
        &["Exercise", "Attempts", "Best", "Latest", "Verdict", "Hints", "Time (latest)", "Time (all)"],
        |i| i > 0 && i != 4,
        &rows,
    );
    page(&format!("Candidate report: {}", r.candidate), &out)
}

pub fn cohort(r: &CohortReport) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "<h1>Cohort report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"summary\">{} candidate(s), {} result(s); {}; {} behind.</p>",
        s.candidates,
        s.results,
        escape(&scope_words(r)),
        s.behind
    );
    if r.candidates.is_empty() {
        let _ = writeln!(out, "<p>No results in scope.</p>");
        return page("Cohort report", &out);
    }

    let _ = writeln!(out, "<h2>Distribution (one value per candidate)</h2>\n<div class=\"charts\">");
    for d in &r.distributions {
        let caption = format!("{}: n {}, median {}, mean {}", d.title, d.count, score(d.median), score(d.mean));
        figure(&mut out, &svg::histogram(d), &caption);
    }
    out.push_str("</div>\n");

    let _ = writeln!(out, "<h2>Candidates (latest attempt per exercise)</h2>");
    let mut header: Vec<&str> = vec!["Candidate", "Results", "Done", "Passed", "Score"];
    header.extend(r.dimensions.iter().map(|d| d.title.as_str()));
    header.extend(["Hints", "Red flags", "Last submit", "Status"]);
    let rows: Vec<(Option<&str>, Vec<String>)> = r
        .candidates
        .iter()
        .map(|c| {
            let mut row = vec![
                escape(&c.candidate),
                n(c.results.to_string()),
                n(c.exercises_done.to_string()),
                n(c.exercises_passed.to_string()),
                n(num(c.mean_score)),
            ];
            row.extend(c.dimensions.iter().map(|d| n(score(*d))));
            row.push(n(c.hints_used.to_string()));
            row.push(n(c.red_flags.to_string()));
            row.push(escape(&when(c.last_submitted_at)));
            row.push(if c.behind { "<span class=\"fail\">behind</span>" } else { "on track" }.to_owned());
            (c.behind.then_some("behind"), row)
        })
        .collect();
    let text_columns = [0, header.len() - 2, header.len() - 1];
    table(&mut out, &header, |i| !text_columns.contains(&i), &rows);

    let _ = writeln!(out, "<h2>Behind</h2>");
    if r.behind.is_empty() {
        let _ = writeln!(out, "<p>Nobody: every latest attempt passed and nothing expected is missing.</p>");
    } else {
        out.push_str("<ul class=\"behind\">\n");
        for b in &r.behind {
            let reasons: Vec<String> = b.reasons.iter().map(|x| escape(&x.to_string())).collect();
            let _ = writeln!(out, "<li><strong>{}</strong>: {}</li>", escape(&b.candidate), reasons.join("; "));
        }
        out.push_str("</ul>\n");
    }
    page("Cohort report", &out)
}
