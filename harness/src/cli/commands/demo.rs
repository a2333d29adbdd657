//! `faultline demo`: the whole path on the built-in content in one command —
//! start the review exercise, apply the reference fix as the candidate would,
//! submit, and print the stored scorecard.

use std::path::PathBuf;

use super::session::save;
use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::grade::Mode;
use crate::report::text;
use crate::session::{self, StartOptions};
use crate::store::{NewResult, Store};
use crate::workspace::git::{Git, Identity};

pub fn run(ctx: &Ctx, dir: Option<PathBuf>, exercise: &str, seed: u64, run_tools: bool) -> Result<Exit, Failure> {
    let catalog = ctx.catalog()?;
    let temp;
    let dir = match dir {
        Some(d) => d,
        None => {
            temp = tempfile::Builder::new()
                .prefix("faultline-demo-")
                .tempdir()
                .map_err(|e| Failure::new(Exit::Environment, format!("cannot create a temporary folder: {e}")))?;
            temp.path().join("workspace")
        }
    };
    let store = ctx.store()?;
    let key = ctx.key()?;
    let now = time::OffsetDateTime::now_utc();
    eprintln!("1/4 starting `{exercise}` (seed {seed}) in {}", dir.display());
    let started = session::start(
        &catalog,
        &store,
        &key,
        &StartOptions { exercise, dir: &dir, candidate: "demo", seed, mode: "lab", now },
    )?;
    let ex = session::find_exercise(&catalog, exercise)?;

    eprintln!("2/4 applying the reference fix as a commit on {}", started.marker.branch);
    let m = &started.materialized;
    crate::workspace::write_snapshot(&started.root, &m.solution, Some(&m.broken))?;
    let git = Git::new(&started.root);
    git.run(&["add", "-A"]).map_err(Failure::from)?;
    git.run_with(
        &["commit", "-q", "-m", "Address review findings"],
        Some(&Identity { name: "Demo Candidate", email: "demo@example.com", when: now.unix_timestamp() + 60 }),
        None,
    )?;

    eprintln!("3/4 submitting: running every check");
    let eval = session::evaluate(&catalog, &started.root, &started.marker, Mode::Submit, Vec::new(), run_tools)?;
    let record = NewResult {
        session_id: Some(started.marker.session.clone()),
        candidate: "demo".into(),
        exercise: ex.id.clone(),
        seed,
        started_at: Some(now),
        submitted_at: time::OffsetDateTime::now_utc(),
        hints_used: 0,
        grade: eval.grade.clone(),
        workspace: Some(started.root.display().to_string()),
        diff: Some(eval.diff()),
    };
    let id = save(ctx, Some(&store as &dyn Store), &record)?;
    eprintln!("4/4 stored as result {}", id.map_or("(fallback file)".to_string(), |i| i.to_string()));
    if ctx.json() {
        ctx.print_json(&serde_json::json!({"result_id": id, "grade": eval.grade}));
    } else {
        let view = text::GradeView { style: ctx.style, verbose: true };
        print!("{}", text::grade(&eval.grade, catalog.scorecard_of(ex), &ex.title, view));
    }
    Ok(if eval.grade.passed { Exit::Ok } else { Exit::ChecksFailed })
}
