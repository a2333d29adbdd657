//! `faultline grade DIR --exercise ID`: an interviewer grades any workspace.

use std::path::Path;

use super::session::save;
use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::grade::Mode;
use crate::report::text;
use crate::session;
use crate::store::{NewResult, Store};
use crate::workspace::{self, WorkspaceError};

pub fn run(ctx: &Ctx, dir: &Path, exercise: &str, store_it: bool, run_tools: bool) -> Result<Exit, Failure> {
    let catalog = ctx.catalog()?;
    let ex = session::find_exercise(&catalog, exercise)?;
    let root = workspace::find_root(dir)?;
    let key = ctx.key()?;
    // A workspace made on another machine carries another key: grade it, but say so.
    let (marker, verified) = match workspace::read_marker(&root, Some(&key)) {
        Ok(m) => (m, true),
        Err(WorkspaceError::Tampered { .. }) => (workspace::read_marker(&root, None)?, false),
        Err(e) => return Err(e.into()),
    };
    if marker.exercise != ex.id {
        return Err(WorkspaceError::WrongExercise { expected: ex.id.clone(), found: marker.exercise }.into());
    }
    let store = ctx.store().ok();
    let hints = match &store {
        Some(s) if verified => session::hints_used(s, &marker.session).unwrap_or_default(),
        _ => Vec::new(),
    };
    let hints_used = hints.len();
    let eval = session::evaluate(&catalog, &root, &marker, Mode::Submit, hints, run_tools)?;
    let mut id = None;
    let mut interview = None;
    let submitted_at = time::OffsetDateTime::now_utc();
    if store_it {
        let record = NewResult {
            session_id: verified.then(|| marker.session.clone()),
            candidate: marker.candidate.clone(),
            exercise: marker.exercise.clone(),
            seed: marker.seed,
            started_at: marker.started(),
            submitted_at,
            hints_used,
            grade: eval.grade.clone(),
            workspace: Some(root.display().to_string()),
            diff: Some(eval.diff()),
        };
        id = save(ctx, store.as_ref().map(|s| s as &dyn Store), &record)?;
        // An interview the candidate never submitted is handed in now, and judged
        // against its time box like a submit would be.
        if let (Some(s), true) = (&store, verified) {
            match super::interview::record_graded_hand_in(&**s, &marker.session, id, submitted_at) {
                Ok(iv) => interview = iv,
                Err(f) => {
                    eprintln!("warning: the result is stored, but its interview record was not updated: {}", f.report)
                }
            }
        }
    }
    if ctx.json() {
        ctx.print_json(&serde_json::json!({
            "result_id": id,
            "signature_verified": verified,
            "grade": eval.grade,
            "interview": interview,
        }));
    } else {
        if !verified {
            eprintln!("warning: the workspace's session file is not signed by this installation (made elsewhere, or edited); grading with the seed it names");
        }
        let view = text::GradeView { style: ctx.style, verbose: true };
        print!("{}", text::grade(&eval.grade, catalog.scorecard_of(ex), &ex.title, view));
        if let Some(id) = id {
            println!("\nStored as result {id}.");
        }
        if let Some(iv) = &interview {
            super::interview::print_late(ctx, iv, submitted_at);
        }
    }
    Ok(if eval.grade.passed { Exit::Ok } else { Exit::ChecksFailed })
}
