//! `faultline report candidate NAME` and `faultline report cohort`: progress reports
//! built from the stored results and written in the format `--format` asks for.

use std::path::{Path, PathBuf};

use super::{Ctx, Failure};
use crate::cli::{Exit, Format, ReportCommand};
use crate::report::model::{self, CohortScope, ExerciseInfos};
use crate::report::render::{self, ReportFormat};
use crate::report::{source, Style};

/// The report format for a `--format` value.
fn report_format(format: Format) -> ReportFormat {
    match format {
        Format::Text => ReportFormat::Table,
        Format::Json => ReportFormat::Json,
        Format::Markdown => ReportFormat::Markdown,
        Format::Csv => ReportFormat::Csv,
        Format::Junit => ReportFormat::Junit,
        Format::Html => ReportFormat::Html,
    }
}

/// Other commands write text or JSON only; a report-only format there is refused
/// (exit 2) rather than silently ignored.
pub fn refuse_report_only_format(format: Format) -> Option<Exit> {
    let name = match format {
        Format::Text | Format::Json => return None,
        Format::Markdown => "markdown",
        Format::Csv => "csv",
        Format::Junit => "junit",
        Format::Html => "html",
    };
    eprintln!("error: --format {name} is for `faultline report` only; this command writes text or json");
    Some(Exit::BadInput)
}

pub fn run(ctx: &Ctx, command: ReportCommand) -> Result<Exit, Failure> {
    match command {
        ReportCommand::Candidate { name, out } => candidate(ctx, &name, out.as_deref()),
        ReportCommand::Cohort { track, since, exercises, out } => cohort(ctx, track, since, exercises, out),
    }
}

/// Exercise titles from the content, or none when the content cannot be loaded (a
/// report on stored results must not depend on today's content being valid).
fn infos(ctx: &Ctx) -> ExerciseInfos {
    match ctx.catalog() {
        Ok(catalog) => source::exercise_infos(&catalog),
        Err(_) => {
            tracing::warn!("content not loadable; the report shows exercise ids without titles");
            ExerciseInfos::new()
        }
    }
}

fn candidate(ctx: &Ctx, name: &str, out: Option<&Path>) -> Result<Exit, Failure> {
    let store = ctx.store()?;
    let catalog = ctx.catalog().ok();
    let results = source::candidate_results(&store, catalog.as_ref(), name)?;
    let Some(report) = model::candidate_report(name, &results, &infos(ctx)) else {
        let known = source::known_candidates(&store)?;
        return Err(Failure::new(Exit::BadInput, unknown_candidate(name, &known)));
    };
    let style = output_style(ctx, out);
    let text = render::candidate(&report, report_format(ctx.format), style)
        .map_err(|e| Failure::new(Exit::Internal, format!("{e}: {}", source_of(&e))))?;
    emit(&text, out)
}

fn cohort(
    ctx: &Ctx,
    track: Option<String>,
    since: Option<String>,
    mut exercises: Vec<String>,
    out: Option<PathBuf>,
) -> Result<Exit, Failure> {
    let since = since.map(|s| source::parse_since(&s)).transpose().map_err(|m| Failure::new(Exit::BadInput, m))?;
    exercises.retain(|e| !e.trim().is_empty());
    if let Some(track) = &track {
        exercises.extend(track_exercises(ctx, track)?);
    }
    exercises.sort();
    exercises.dedup();
    let scope = CohortScope { since, exercises, track };
    let store = ctx.store()?;
    let catalog = ctx.catalog().ok();
    let results = source::cohort_results(&store, catalog.as_ref(), &scope)?;
    let report = model::cohort_report(&scope, &results);
    let style = output_style(ctx, out.as_deref());
    let text = render::cohort(&report, report_format(ctx.format), style)
        .map_err(|e| Failure::new(Exit::Internal, format!("{e}: {}", source_of(&e))))?;
    emit(&text, out.as_deref())
}

/// The exercises of every lab of a track (`day-30`, `day-60`, `day-90`).
fn track_exercises(ctx: &Ctx, track: &str) -> Result<Vec<String>, Failure> {
    let catalog = ctx.catalog()?;
    match catalog.tracks.iter().find(|t| t.id == track) {
        Some(t) => Ok(t.labs.iter().flat_map(|l| l.exercises.iter().cloned()).collect()),
        None => {
            let ids: Vec<&str> = catalog.tracks.iter().map(|t| t.id.as_str()).collect();
            let known = if ids.is_empty() {
                "this content defines no tracks; list the exercises with --exercise ID,ID… instead".to_string()
            } else {
                format!("the tracks are: {}", ids.join(", "))
            };
            Err(Failure::new(Exit::BadInput, format!("no track named `{track}`; {known}")))
        }
    }
}

/// "no results for candidate X", with close names or, failing those, who is stored.
fn unknown_candidate(name: &str, known: &[String]) -> String {
    if known.is_empty() {
        return format!("no results for candidate `{name}`: the store holds no results yet");
    }
    let close = model::close_names(name, known.iter().map(String::as_str));
    let quoted = |names: &[String]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if close.is_empty() {
        let shown: Vec<String> = known.iter().take(10).cloned().collect();
        let more =
            if known.len() > shown.len() { format!(" and {} more", known.len() - shown.len()) } else { String::new() };
        format!("no results for candidate `{name}`; stored candidates: {}{more}", quoted(&shown))
    } else {
        format!("no results for candidate `{name}`; did you mean {}?", quoted(&close))
    }
}

/// Colour only when writing to the terminal.
fn output_style(ctx: &Ctx, out: Option<&Path>) -> Style {
    if out.is_some() {
        Style::plain()
    } else {
        ctx.style
    }
}

fn source_of(e: &dyn std::error::Error) -> String {
    e.source().map(ToString::to_string).unwrap_or_default()
}

fn emit(text: &str, out: Option<&Path>) -> Result<Exit, Failure> {
    match out {
        None => print!("{text}"),
        Some(path) => {
            fs_err::write(path, text)
                .map_err(|e| Failure::new(Exit::BadInput, format!("cannot write the report: {e}")))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_candidate_message_offers_close_names_or_the_stored_ones() {
        let known = vec!["ada".to_owned(), "grace".to_owned()];
        assert_eq!(unknown_candidate("adaa", &known), "no results for candidate `adaa`; did you mean `ada`?");
        assert_eq!(
            unknown_candidate("zed", &known),
            "no results for candidate `zed`; stored candidates: `ada`, `grace`"
        );
        assert!(unknown_candidate("ada", &[]).contains("no results yet"));
    }
}
