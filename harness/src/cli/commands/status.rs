//! `faultline status`: the current workspace's exercise, who works on it, the time
//! used and the time left (an interview's countdown), and the hints taken.

use std::path::Path;

use super::{workspace_root, Ctx, Failure};
use crate::cli::Exit;
use crate::interview::{clock, countdown};
use crate::workspace;

pub fn run(ctx: &Ctx, dir: Option<&Path>) -> Result<Exit, Failure> {
    let root = workspace_root(dir)?;
    let key = ctx.key()?;
    let marker = workspace::read_marker(&root, Some(&key))?;
    let catalog = ctx.catalog()?;
    let ex = crate::session::find_exercise(&catalog, &marker.exercise)?;
    let store = ctx.store()?;
    let session = store.session(&marker.session)?;
    let interview = store.interview(&marker.session)?;
    let hints = store.hints(&marker.session)?;
    let now = time::OffsetDateTime::now_utc();
    let started = interview
        .as_ref()
        .map(|i| i.started_at)
        .or_else(|| session.as_ref().map(|s| s.started_at))
        .or_else(|| marker.started());
    let time_box = interview.as_ref().map_or(ex.time_box_minutes, |i| i.time_box_minutes);
    let mode = if interview.is_some() { "interview" } else { session.as_ref().map_or("lab", |s| s.mode.as_str()) };
    let cd = started.map(|s| countdown(s, time_box, now));
    if ctx.json() {
        ctx.print_json(&serde_json::json!({
            "workspace": root,
            "exercise": ex.id,
            "title": ex.title,
            "candidate": marker.candidate,
            "session": marker.session,
            "mode": mode,
            "interviewer": interview.as_ref().and_then(|i| i.interviewer.clone()),
            "started_at": started.map(|s| s.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()),
            "countdown": cd,
            "hints_used": hints.len(),
            "submitted": interview.as_ref().and_then(|i| i.result_id),
        }));
        return Ok(Exit::Ok);
    }
    let s = ctx.style;
    println!("{}", s.bold(&format!("{} — {} ({mode})", ex.title, marker.candidate)));
    println!("Workspace: {} (session {})", root.display(), marker.session);
    if let Some(iv) = &interview {
        if let Some(name) = &iv.interviewer {
            println!("Interviewer: {name}");
        }
    }
    match cd {
        Some(c) if c.over => println!(
            "Time: {} used of {} min — {}",
            clock(c.elapsed_seconds),
            c.time_box_minutes,
            s.alarm(&format!(" OVER by {} ", clock(-c.remaining_seconds)))
        ),
        Some(c) => println!(
            "Time: {} used of {} min — {} left",
            clock(c.elapsed_seconds),
            c.time_box_minutes,
            s.bold(&clock(c.remaining_seconds))
        ),
        None => println!("Time: start time unknown; time box {time_box} min"),
    }
    println!("Hints used: {}", hints.len());
    if let Some(id) = interview.as_ref().and_then(|i| i.result_id) {
        println!("Submitted: result {id}{}", if interview.as_ref().is_some_and(|i| i.late) { " (late)" } else { "" });
    }
    Ok(Exit::Ok)
}
