//! `faultline interview start|note|scorecard`: a timed exercise, the interviewer's
//! notes and the one-page scorecard.

use std::path::PathBuf;

use super::{Ctx, Failure};
use crate::cli::{Exit, InterviewCommand};
use crate::interview::{self, ScorecardInput};
use crate::model::rating::new_id;
use crate::report::diff;
use crate::session::{self, StartOptions};
use crate::store::{InterviewRecord, NoteRecord, Store};
use crate::workspace;

pub fn run(ctx: &Ctx, action: InterviewCommand) -> Result<Exit, Failure> {
    match action {
        InterviewCommand::Start { candidate, exercise, interviewer, dir, seed, cluster, context, static_mode } => {
            let live = super::session::LiveFlags { cluster, context, static_mode };
            start(ctx, &candidate, &exercise, interviewer, dir, seed, live)
        }
        InterviewCommand::Note { target, text, author } => note(ctx, &target, &text, author),
        InterviewCommand::Scorecard { result } => scorecard(ctx, result),
    }
}

fn user() -> Option<String> {
    std::env::var("USER").ok().filter(|u| !u.trim().is_empty())
}

/// After a submit: when the session is an interview, records the result, the time
/// and whether it was late. Returns the updated interview.
pub fn record_submit(
    store: &dyn Store,
    session_id: &str,
    result_id: Option<i64>,
    submitted_at: time::OffsetDateTime,
) -> Result<Option<InterviewRecord>, Failure> {
    let Some(iv) = store.interview(session_id)? else {
        return Ok(None);
    };
    let updated = interview::record_submit(&iv, result_id, submitted_at);
    store.save_interview(&updated)?;
    Ok(Some(updated))
}

/// The hand-in of an interview that `grade --save` stores: recorded (with lateness
/// judged at `at`) only when the candidate has not submitted; a submit that exists
/// keeps its own time. `None` when the session is no interview or already handed in.
pub fn record_graded_hand_in(
    store: &dyn Store,
    session_id: &str,
    result_id: Option<i64>,
    at: time::OffsetDateTime,
) -> Result<Option<InterviewRecord>, Failure> {
    match store.interview(session_id)? {
        Some(iv) if iv.submitted_at.is_none() => record_submit(store, session_id, result_id, at),
        _ => Ok(None),
    }
}

/// The LATE banner after a hand-in past the time box (nothing when on time).
pub fn print_late(ctx: &Ctx, iv: &InterviewRecord, submitted_at: time::OffsetDateTime) {
    if !iv.late {
        return;
    }
    let over = interview::clock(interview::overrun(iv, submitted_at).whole_seconds());
    println!(
        "{}",
        ctx.style.alarm(&format!(
            " LATE: submitted {over} after the {}-minute time box; recorded on the interview ",
            iv.time_box_minutes
        ))
    );
}

fn start(
    ctx: &Ctx,
    candidate: &str,
    exercise: &str,
    interviewer: Option<String>,
    dir: Option<PathBuf>,
    seed: Option<u64>,
    live: super::session::LiveFlags,
) -> Result<Exit, Failure> {
    if candidate.trim().is_empty() {
        return Err(Failure::new(Exit::BadInput, "--candidate must not be empty"));
    }
    let catalog = ctx.catalog()?;
    let ex = session::find_exercise(&catalog, exercise)?;
    let seed = seed.unwrap_or_else(|| u64::from(rand::random::<u32>()));
    let dir = dir.unwrap_or_else(|| {
        PathBuf::from(format!("{}-{}", super::session::slug(exercise), super::session::slug(candidate)))
    });
    let store = ctx.store()?;
    let now = time::OffsetDateTime::now_utc();
    let options = StartOptions { exercise, dir: &dir, candidate, seed, mode: "interview", now };
    let begun = super::session::begin(ctx, &catalog, &*store, &options, &live)?;
    let started = &begun.started;
    let record = InterviewRecord {
        session_id: started.marker.session.clone(),
        candidate: candidate.to_string(),
        exercise: ex.id.clone(),
        interviewer: interviewer.clone(),
        started_at: now,
        time_box_minutes: ex.time_box_minutes,
        result_id: None,
        submitted_at: None,
        late: false,
    };
    store.save_interview(&record)?;
    if ctx.json() {
        ctx.print_json(&serde_json::json!({
            "workspace": started.root,
            "session": record.session_id,
            "exercise": ex.id,
            "candidate": candidate,
            "interviewer": interviewer,
            "seed": seed,
            "branch": started.marker.branch,
            "time_box_minutes": ex.time_box_minutes,
            "deadline": record.deadline().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "brief": ex.brief,
            "cluster": super::session::cluster_json(&begun)["cluster"],
            "static_mode": begun.static_reason,
        }));
        return Ok(Exit::Ok);
    }
    let s = ctx.style;
    println!("{}", s.bold(&format!("Interview: {} — {candidate}", ex.title)));
    println!(
        "Time box: {} minutes, from now. `faultline status` in the workspace shows the time left.",
        ex.time_box_minutes
    );
    println!();
    println!("{}", ex.brief.trim_end());
    super::session::print_cluster_lines(&begun);
    println!();
    println!(
        "Workspace: {} (branch {}, seed {seed}, session {})",
        started.root.display(),
        started.marker.branch,
        record.session_id
    );
    println!("A submit after the time box is stored but recorded as late.");
    Ok(Exit::Ok)
}

/// `result:<id>` when `target` is a stored result's id, `session:<id>` when it is a
/// session's id; otherwise a bad-input error.
fn resolve_target(store: &dyn Store, target: &str) -> Result<String, Failure> {
    if let Ok(id) = target.parse::<i64>() {
        if store.result(id)?.is_some() {
            return Ok(format!("result:{id}"));
        }
    }
    if store.session(target)?.is_some() {
        return Ok(format!("session:{target}"));
    }
    Err(Failure::new(
        Exit::BadInput,
        format!("`{target}` is neither a stored result id nor a session id; see `faultline results`"),
    ))
}

fn note(ctx: &Ctx, target: &str, text: &str, author: Option<String>) -> Result<Exit, Failure> {
    if text.trim().is_empty() {
        return Err(Failure::new(Exit::BadInput, "the note is empty"));
    }
    let store = ctx.store()?;
    let target = resolve_target(&*store, target)?;
    let record = NoteRecord {
        id: new_id(),
        target,
        author: author.or_else(user).unwrap_or_else(|| "interviewer".to_string()),
        text: text.to_string(),
        written_at: time::OffsetDateTime::now_utc(),
    };
    store.add_note(&record)?;
    if ctx.json() {
        ctx.print_json(&record);
    } else {
        println!("Note added to {} by {}.", record.target, record.author);
    }
    Ok(Exit::Ok)
}

fn scorecard(ctx: &Ctx, result_id: i64) -> Result<Exit, Failure> {
    let store = ctx.store()?;
    let result = super::stored_result(&*store, result_id)?;
    let catalog = ctx.catalog()?;
    let ex = super::exercise_of(&catalog, &result)?;
    let card = catalog.scorecard_of(ex);
    let ratings = store.ratings_for(result_id)?;
    let iv = match &result.session_id {
        Some(s) => store.interview(s)?,
        None => None,
    };
    let mut notes = store.notes(Some(&format!("result:{result_id}")))?;
    if let Some(s) = &result.session_id {
        notes.extend(store.notes(Some(&format!("session:{s}")))?);
        notes.sort_by_key(|n| n.written_at);
    }
    let diff = candidate_diff(&catalog, &result);
    let sc = interview::scorecard(ScorecardInput {
        result: &result,
        exercise_title: &ex.title,
        time_box_minutes: ex.time_box_minutes,
        card,
        ratings: &ratings,
        interview: iv.as_ref(),
        notes,
        diff,
    });
    if ctx.json() {
        ctx.print_json(&sc);
    } else {
        print!("{}", crate::report::interview::render(&sc, card, ctx.style));
    }
    Ok(Exit::Ok)
}

/// The candidate's diff against the pull request: the one stored with the result, else
/// (results from before schema 3) from the workspace if it is still there.
fn candidate_diff(catalog: &crate::catalog::Catalog, r: &crate::store::ResultRecord) -> Result<String, String> {
    if let Some(stored) = &r.diff {
        return Ok(stored.clone());
    }
    let Some(ws) = &r.workspace else {
        return Err("the result names no workspace".to_string());
    };
    let root = std::path::Path::new(ws);
    if !root.is_dir() {
        return Err(format!("the workspace {ws} is gone"));
    }
    let ex = catalog.exercise(&r.exercise).ok_or_else(|| format!("exercise `{}` is not loaded", r.exercise))?;
    let m = crate::inject::materialize(catalog, ex, r.seed).map_err(|e| e.to_string())?;
    let (snapshot, _) = workspace::snapshot(root).map_err(|e| e.to_string())?;
    Ok(diff::snapshots(&m.broken, &snapshot, 3))
}
