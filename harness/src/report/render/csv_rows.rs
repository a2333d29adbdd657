//! Progress reports as CSV for spreadsheets: a candidate report is one row per result
//! (the timeline), a cohort report one row per candidate. Dimension columns are named
//! `dim:<id>`; empty cells mean "not scored". Times are RFC 3339 in UTC. Text that a
//! spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) gets a leading
//! `'`, so opening the file never executes a name someone typed.

use super::{rfc3339, RenderError};
use crate::report::model::{CandidateReport, CohortReport};

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// A text cell, defused against spreadsheet formulas.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, RenderError> {
    let bytes = writer.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))?;
    // Every field written is a Rust string, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub fn candidate(r: &CandidateReport) -> Result<String, RenderError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "candidate",
        "result_id",
        "exercise",
        "kind",
        "seed",
        "started_at",
        "submitted_at",
        "minutes",
        "score",
        "passed",
        "pass_mark",
        "level",
        "final",
        "hints_used",
        "hint_penalty",
        "red_flags",
    ]
    .map(String::from)
    .to_vec();
    header.extend(r.dimensions.iter().map(|d| format!("dim:{}", d.id)));
    w.write_record(&header).map_err(RenderError::Csv)?;
    for t in &r.timeline {
        let mut row = vec![
            text(&r.candidate),
            t.result_id.to_string(),
            text(&t.exercise),
            text(&t.kind),
            t.seed.to_string(),
            t.started_at.map(rfc3339).unwrap_or_default(),
            rfc3339(t.submitted_at),
            opt(t.minutes),
            t.score.to_string(),
            t.passed.to_string(),
            t.pass_mark.to_string(),
            text(t.level.as_deref().unwrap_or_default()),
            t.is_final.to_string(),
            t.hints_used.to_string(),
            t.hint_penalty.to_string(),
            text(&t.red_flags.join("; ")),
        ];
        row.extend(t.dimensions.iter().map(|d| opt(*d)));
        w.write_record(&row).map_err(RenderError::Csv)?;
    }
    finish(w)
}

pub fn cohort(r: &CohortReport) -> Result<String, RenderError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> =
        ["candidate", "results", "exercises_done", "exercises_passed", "mean_score"].map(String::from).to_vec();
    header.extend(r.dimensions.iter().map(|d| format!("dim:{}", d.id)));
    header.extend(["hints_used", "red_flags", "last_submitted_at", "behind", "behind_reasons"].map(String::from));
    w.write_record(&header).map_err(RenderError::Csv)?;
    for c in &r.candidates {
        let reasons = r
            .behind
            .iter()
            .find(|b| b.candidate == c.candidate)
            .map(|b| b.reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            .unwrap_or_default();
        let mut row = vec![
            text(&c.candidate),
            c.results.to_string(),
            c.exercises_done.to_string(),
            c.exercises_passed.to_string(),
            c.mean_score.to_string(),
        ];
        row.extend(c.dimensions.iter().map(|d| opt(*d)));
        row.extend([
            c.hints_used.to_string(),
            c.red_flags.to_string(),
            rfc3339(c.last_submitted_at),
            c.behind.to_string(),
            text(&reasons),
        ]);
        w.write_record(&row).map_err(RenderError::Csv)?;
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_that_a_spreadsheet_would_evaluate_is_defused() {
        assert_eq!(super::text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::text("-1+2"), "'-1+2");
        assert_eq!(super::text("ada"), "ada");
    }
}
