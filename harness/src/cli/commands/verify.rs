//! `faultline verify`: the content's own test.

use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::report::text;
use crate::verify::{verify, VerifyOptions};

pub fn run(
    ctx: &Ctx,
    ids: Vec<String>,
    seeds: Vec<u64>,
    run_tools: bool,
    tool_seeds: Option<usize>,
) -> Result<Exit, Failure> {
    let catalog = ctx.catalog()?;
    for id in &ids {
        if catalog.exercise(id).is_none() && !catalog.scenarios.contains_key(id) {
            return Err(Failure::new(Exit::BadInput, format!("`{id}` is neither an exercise nor a scenario")));
        }
    }
    if seeds.len() < 2 {
        eprintln!("note: with one seed, verify cannot check that variants differ");
    }
    let rows = verify(&catalog, &VerifyOptions { seeds, run_tools, tool_seeds, only: ids });
    if ctx.json() {
        ctx.print_json(&rows);
    } else {
        print!("{}", text::verify(&rows, ctx.style));
    }
    Ok(if rows.iter().all(|r| r.ok) { Exit::Ok } else { Exit::ChecksFailed })
}
