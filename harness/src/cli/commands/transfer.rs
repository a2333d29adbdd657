//! `faultline export` and `faultline import`: the whole store as one JSON file.

use std::path::Path;

use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::store::transfer::{self, TransferError};

pub fn export(ctx: &Ctx, out: Option<&Path>) -> Result<Exit, Failure> {
    let store = ctx.store()?;
    let data = transfer::export(&*store, time::OffsetDateTime::now_utc())?;
    let text = serde_json::to_string_pretty(&data)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot render the export as JSON: {e}")))?;
    match out {
        None => println!("{text}"),
        Some(path) => {
            if path.exists() {
                return Err(Failure::new(
                    Exit::BadInput,
                    format!("{} exists already; choose another file (an export never overwrites one)", path.display()),
                ));
            }
            fs_err::write(path, format!("{text}\n"))
                .map_err(|e| Failure::new(Exit::Environment, format!("cannot write the export: {e}")))?;
            let summary = format!(
                "Exported {} result(s), {} rating(s), {} session(s), {} interview(s), {} note(s), {} enrolment(s) to {}.",
                data.results.len(),
                data.ratings.len(),
                data.sessions.len(),
                data.interviews.len(),
                data.notes.len(),
                data.enrolments.len(),
                path.display()
            );
            if ctx.json() {
                ctx.print_json(
                    &serde_json::json!({"file": path, "results": data.results.len(), "ratings": data.ratings.len()}),
                );
            } else {
                println!("{summary}");
            }
        }
    }
    Ok(Exit::Ok)
}

pub fn import(ctx: &Ctx, file: &Path) -> Result<Exit, Failure> {
    let text = fs_err::read_to_string(file)
        .map_err(|e| Failure::new(Exit::BadInput, format!("cannot read the export: {e}")))?;
    let shown = file.display().to_string();
    let data = transfer::parse(&shown, &text).map_err(|e| Failure::new(Exit::BadInput, e.to_string()))?;
    let store = ctx.store()?;
    let counts = transfer::import(&*store, &data).map_err(|e| match e {
        TransferError::Store(s) => Failure::from(s),
        other => Failure::new(Exit::BadInput, other.to_string()),
    })?;
    if ctx.json() {
        ctx.print_json(&counts);
    } else {
        println!("Imported {} record(s) from {shown}.", counts.total_added());
        for (table, n) in &counts.added {
            println!("  added {n} {table}");
        }
        for (table, n) in &counts.already_there {
            println!("  {n} {table} already there, skipped");
        }
    }
    Ok(Exit::Ok)
}
