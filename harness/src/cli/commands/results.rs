//! `faultline results`: stored results.

use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::report::{table, text};
use crate::store::{ResultFilter, Store};

pub fn run(ctx: &Ctx, candidate: Option<String>, exercise: Option<String>, id: Option<i64>) -> Result<Exit, Failure> {
    let store = ctx.store()?;
    if let Some(id) = id {
        let r = super::stored_result(&*store, id)?;
        // People's ratings are part of the grade a reader should see.
        let ratings = store.ratings_for(id)?;
        let catalog = if ratings.is_empty() && ctx.json() { None } else { Some(ctx.catalog()?) };
        let found = catalog.as_ref().and_then(|c| c.exercise(&r.exercise).map(|ex| (c, ex)));
        let grade = match found {
            Some((c, ex)) => crate::grade::with_ratings(&r.grade, &ratings, c.scorecard_of(ex)),
            None => r.grade.clone(),
        };
        if ctx.json() {
            ctx.print_json(&grade);
        } else {
            let Some((catalog, ex)) = found else {
                ctx.print_json(&grade);
                return Ok(Exit::Ok);
            };
            let view = text::GradeView { style: ctx.style, verbose: true };
            print!("{}", text::grade(&grade, catalog.scorecard_of(ex), &ex.title, view));
            for rt in &ratings {
                let what = match (&rt.dimension, rt.score, &rt.red_flag) {
                    (Some(d), Some(n), _) => format!("{d} = {n}"),
                    (_, _, Some(f)) => format!("red flag {f}"),
                    _ => String::new(),
                };
                println!("Rated by {}: {what}: {}", rt.rater, rt.note);
            }
            if !ratings.is_empty() {
                println!("({}.)", crate::grade::COMBINATION_RULE);
            }
        }
        return Ok(Exit::Ok);
    }
    let rows = store.results(&ResultFilter { candidate, exercise, ..ResultFilter::default() })?;
    let fmt = |t: &time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    if ctx.json() {
        let items: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "candidate": r.candidate,
                    "exercise": r.exercise,
                    "seed": r.seed,
                    "score": r.score,
                    "passed": r.passed,
                    "level": r.grade.level,
                    "final": r.grade.is_final,
                    "hints_used": r.hints_used,
                    "started_at": r.started_at.as_ref().map(fmt),
                    "submitted_at": fmt(&r.submitted_at),
                    "workspace": r.workspace,
                })
            })
            .collect();
        ctx.print_json(&items);
        return Ok(Exit::Ok);
    }
    if rows.is_empty() {
        println!("No results stored yet. Submit one with `faultline submit`.");
        return Ok(Exit::Ok);
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                fmt(&r.submitted_at),
                r.candidate.clone(),
                r.exercise.clone(),
                r.seed.to_string(),
                format!("{:.1}", r.score),
                if r.passed { "passed".into() } else { "not passed".into() },
                r.hints_used.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(&["id", "submitted", "candidate", "exercise", "seed", "score", "verdict", "hints"], &table_rows)
    );
    Ok(Exit::Ok)
}
