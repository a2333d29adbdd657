//! `faultline list`: the catalog.

use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::report::text;

pub fn run(ctx: &Ctx) -> Result<Exit, Failure> {
    let catalog = ctx.catalog()?;
    if ctx.json() {
        let items: Vec<_> = catalog
            .exercises
            .iter()
            .map(|e| {
                let scenarios: Vec<_> = catalog.scenarios_of(e).collect();
                let domains = catalog.domains_of(e);
                serde_json::json!({
                    "id": e.id,
                    "title": e.title,
                    "audience": e.audience,
                    "time_box_minutes": e.time_box_minutes,
                    "domains": domains,
                    "needs": text::needs(&scenarios),
                    "scenarios": e.scenarios,
                    "scorecard": e.scorecard,
                })
            })
            .collect();
        ctx.print_json(&items);
    } else {
        print!("{}", text::list(&catalog));
    }
    Ok(Exit::Ok)
}
