//! Renderers for the progress reports: each output format is a pure function from a
//! [`CandidateReport`] or [`CohortReport`] to a string, so every format can be
//! snapshot-tested and all of them show the same numbers.

mod csv_rows;
mod html;
mod junit;
mod markdown;
mod svg;
mod terminal;

use super::model::{CandidateReport, CohortReport};
use super::Style;

/// The formats `faultline report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Aligned tables for the terminal (coloured only on a terminal, never with NO_COLOR).
    Table,
    Markdown,
    /// One row per result (candidate) or per candidate (cohort).
    Csv,
    /// The whole model, with a `format` version.
    Json,
    /// JUnit XML: one test suite per result, one test case per check.
    Junit,
    /// One self-contained page with inline SVG charts.
    Html,
}

/// A report that could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write the report as CSV")]
    Csv(#[source] ::csv::Error),
    #[error("cannot write the report as JUnit XML")]
    Xml(#[source] std::io::Error),
    #[error("cannot write the report as JSON")]
    Json(#[source] serde_json::Error),
}

/// A candidate report in `format`.
pub fn candidate(report: &CandidateReport, format: ReportFormat, style: Style) -> Result<String, RenderError> {
    Ok(match format {
        ReportFormat::Table => terminal::candidate(report, style),
        ReportFormat::Markdown => markdown::candidate(report),
        ReportFormat::Csv => csv_rows::candidate(report)?,
        ReportFormat::Json => json(report)?,
        ReportFormat::Junit => junit::candidate(report)?,
        ReportFormat::Html => html::candidate(report),
    })
}

/// A cohort report in `format`.
pub fn cohort(report: &CohortReport, format: ReportFormat, style: Style) -> Result<String, RenderError> {
    Ok(match format {
        ReportFormat::Table => terminal::cohort(report, style),
        ReportFormat::Markdown => markdown::cohort(report),
        ReportFormat::Csv => csv_rows::cohort(report)?,
        ReportFormat::Json => json(report)?,
        ReportFormat::Junit => junit::cohort(report)?,
        ReportFormat::Html => html::cohort(report),
    })
}

fn json(v: &impl serde::Serialize) -> Result<String, RenderError> {
    let mut text = serde_json::to_string_pretty(v).map_err(RenderError::Json)?;
    text.push('\n');
    Ok(text)
}

/// `2026-11-01 09:30` in UTC.
pub(crate) fn when(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_else(|_| at.to_string())
}

/// `2026-11-01T09:30:00Z` in UTC, for machine-readable outputs.
pub(crate) fn rfc3339(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// `35 min`, `1 h 05 min`.
pub(crate) fn duration(minutes: Option<f64>) -> String {
    match minutes {
        None => "-".to_owned(),
        Some(m) => {
            let total = m.round() as i64;
            if total < 60 {
                format!("{total} min")
            } else {
                format!("{} h {:02} min", total / 60, total % 60)
            }
        }
    }
}

/// A score, or `-` when there is none.
pub(crate) fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), super::model::num)
}

/// `+12.5`, `-3`, `0`, or `-` with fewer than two points.
pub(crate) fn change(value: Option<f64>) -> String {
    match value {
        None => "-".to_owned(),
        Some(v) if v > 0.0 => format!("+{}", super::model::num(v)),
        Some(v) => super::model::num(v),
    }
}

/// What the scope of a cohort report is, in words.
pub(crate) fn scope_words(report: &CohortReport) -> String {
    let mut parts = Vec::new();
    if let Some(track) = &report.scope.track {
        parts.push(format!("track {track}"));
    }
    if !report.scope.exercises.is_empty() {
        parts.push(format!("exercises {}", report.scope.exercises.join(", ")));
    }
    if let Some(since) = report.scope.since {
        parts.push(format!("since {}", when(since)));
    }
    if parts.is_empty() {
        "all stored results".to_owned()
    } else {
        parts.join("; ")
    }
}
