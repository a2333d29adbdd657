//! `start`, `check`, `hint`, `reset` and `submit`: a candidate's path through an
//! exercise.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{workspace_root, Ctx, Failure};
use crate::cli::Exit;
use crate::grade::Mode;
use crate::model::{CheckStatus, Grade};
use crate::report::{diff, text};
use crate::session::{self, StartOptions};
use crate::store::{NewResult, Store};
use crate::workspace;

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

pub(super) fn slug(s: &str) -> String {
    let s: String = s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    s.trim_matches('-').to_string()
}

/// `start`'s cluster options.
#[derive(Default)]
pub struct LiveFlags {
    pub cluster: Option<String>,
    pub context: Option<String>,
    pub static_mode: bool,
}

/// A workspace made by `start` or `interview start`: the session, and the cluster
/// namespace it got or why it runs in static mode.
pub(super) struct Begun {
    pub started: session::Started,
    pub live_started: Option<session::LiveStarted>,
    pub access: Option<crate::cluster::ClusterAccess>,
    pub static_reason: Option<String>,
}

/// Make the workspace (and, for Kubernetes exercises with a backend, the session's
/// namespace with the fault injected); `mode` is `lab` or `interview`.
pub(super) fn begin(
    ctx: &Ctx,
    catalog: &crate::catalog::Catalog,
    store: &dyn Store,
    options: &StartOptions,
    live: &LiveFlags,
) -> Result<Begun, Failure> {
    let key = ctx.key()?;
    let ex = session::find_exercise(catalog, options.exercise)?;
    let has_k8s = !session::k8s_scenarios(catalog, ex).is_empty();
    let pb = super::cluster::spinner(ctx);
    let selected = if has_k8s {
        Some(super::cluster::select_for_start(
            ctx,
            live.cluster.as_deref(),
            live.context.as_deref(),
            live.static_mode,
            &pb,
        )?)
    } else {
        None
    };
    let access = match &selected {
        Some(crate::cluster::Selected::Live(a)) => Some(a.clone()),
        _ => None,
    };
    let progress = |m: &str| pb.set_message(m.to_string());
    let plan = access.as_ref().map(|a| session::LivePlan { access: a, progress: &progress });
    let result = session::start_with_cluster(catalog, store, &key, options, plan.as_ref());
    pb.finish_and_clear();
    let (started, live_started) = result?;
    let static_reason = match selected {
        Some(crate::cluster::Selected::Static(why)) => Some(why),
        _ => None,
    };
    Ok(Begun { started, live_started, access, static_reason })
}

/// What to tell the candidate about the cluster (or static mode) after a start.
pub(super) fn print_cluster_lines(begun: &Begun) {
    if let (Some(l), Some(a)) = (&begun.live_started, &begun.access) {
        println!();
        println!(
            "Live: the workload runs in namespace {} on {} ({}); SYMPTOMS.md shows what it does now.",
            l.namespace,
            a.cluster,
            a.backend.name()
        );
        println!("      export KUBECONFIG={}", l.kubeconfig.display());
    } else if let Some(why) = &begun.static_reason {
        println!();
        println!("static mode: no cluster backend ({why}); grading the manifests only");
    }
}

/// The cluster part of `start`'s JSON.
pub(super) fn cluster_json(begun: &Begun) -> serde_json::Value {
    serde_json::json!({
        "cluster": begun.live_started.as_ref().map(|l| serde_json::json!({
            "namespace": l.namespace,
            "kubeconfig": l.kubeconfig,
            "backend": begun.access.as_ref().map(|a| a.backend.name()),
            "cluster": begun.access.as_ref().map(|a| a.cluster.clone()),
        })),
        "static_mode": begun.static_reason,
    })
}

pub fn start(
    ctx: &Ctx,
    exercise: &str,
    dir: Option<PathBuf>,
    candidate: Option<String>,
    seed: Option<u64>,
    live: LiveFlags,
) -> Result<Exit, Failure> {
    let catalog = ctx.catalog()?;
    let candidate = candidate
        .or_else(|| std::env::var("USER").ok())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "candidate".to_string());
    let seed = seed.unwrap_or_else(|| u64::from(rand::random::<u32>()));
    let dir = dir.unwrap_or_else(|| PathBuf::from(format!("{}-{}", slug(exercise), slug(&candidate))));
    let store = ctx.store()?;
    let ex = session::find_exercise(&catalog, exercise)?;
    let options = StartOptions { exercise, dir: &dir, candidate: &candidate, seed, mode: "lab", now: now() };
    let begun = begin(ctx, &catalog, &*store, &options, &live)?;
    let started = &begun.started;
    if ctx.json() {
        ctx.print_json(&serde_json::json!({
            "workspace": started.root,
            "exercise": ex.id,
            "title": ex.title,
            "candidate": candidate,
            "seed": seed,
            "session": started.marker.session,
            "branch": started.marker.branch,
            "time_box_minutes": ex.time_box_minutes,
            "brief": ex.brief,
            "deliverables": ex.deliverables,
            "cluster": cluster_json(&begun)["cluster"],
            "static_mode": begun.static_reason,
        }));
        return Ok(Exit::Ok);
    }
    let s = ctx.style;
    println!("{}", s.bold(&format!("{} — time box {} minutes", ex.title, ex.time_box_minutes)));
    println!();
    println!("{}", ex.brief.trim_end());
    if !ex.deliverables.is_empty() {
        println!();
        println!("{}", s.bold("Hand in"));
        for d in &ex.deliverables {
            println!("  {}: {}", d.path, d.prompt);
        }
    }
    println!();
    print_cluster_lines(&begun);
    println!("Workspace: {} (branch {}, seed {seed})", started.root.display(), started.marker.branch);
    println!("Next: cd {} && faultline check", started.root.display());
    Ok(Exit::Ok)
}

fn visible_exit(g: &Grade) -> Exit {
    if g.checks.iter().any(|c| c.status == CheckStatus::Failed) {
        Exit::ChecksFailed
    } else {
        Exit::Ok
    }
}

/// Run `check` once and print it; used by `watch` too.
pub fn check(ctx: &Ctx, dir: Option<&Path>, show_diff: bool, run_tools: bool) -> Result<Exit, Failure> {
    let root = workspace_root(dir)?;
    let key = ctx.key()?;
    let marker = workspace::read_marker(&root, Some(&key))?;
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let hints = session::hints_used(&store, &marker.session)?;
    let used = hints.len();
    let live = super::cluster::live_for(&marker);
    let eval = session::evaluate_live(&catalog, &root, &marker, Mode::Check, hints, run_tools, live.as_deref())?;
    let d = diff::snapshots(&eval.materialized.broken, &eval.candidate, 3);
    let ex = session::find_exercise(&catalog, &marker.exercise)?;
    let next_hint = eval.materialized.hints.get(used);
    if ctx.json() {
        ctx.print_json(&serde_json::json!({
            "grade": eval.grade,
            "diff": d,
            "next_hint": next_hint.map(|h| serde_json::json!({"number": used + 1, "cost": h.cost})),
            "skipped_files": eval.skipped.iter().map(|s| serde_json::json!({"path": s.path, "reason": s.reason})).collect::<Vec<_>>(),
        }));
        return Ok(visible_exit(&eval.grade));
    }
    let view = text::GradeView { style: ctx.style, verbose: false };
    print!("{}", text::grade(&eval.grade, catalog.scorecard_of(ex), &ex.title, view));
    for s in &eval.skipped {
        println!("note: {} was not read: {}", s.path, s.reason);
    }
    if let Some(h) = next_hint {
        if eval.grade.checks.iter().any(|c| c.status == CheckStatus::Failed) {
            println!(
                "\nStuck? `faultline hint` shows hint {} of {} (costs {} points).",
                used + 1,
                eval.materialized.hints.len(),
                h.cost
            );
        }
    }
    if show_diff {
        println!("\n{}", ctx.style.bold("Your changes against the pull request"));
        if d.is_empty() {
            println!("  (none yet)");
        } else {
            print!("{}", diff::colorize(&d, ctx.style));
        }
    }
    Ok(visible_exit(&eval.grade))
}

pub fn hint(ctx: &Ctx, dir: Option<&Path>) -> Result<Exit, Failure> {
    let root = workspace_root(dir)?;
    let key = ctx.key()?;
    let marker = workspace::read_marker(&root, Some(&key))?;
    let catalog = ctx.catalog()?;
    let store = ctx.store()?;
    let (n, total, text, cost) = session::next_hint(&catalog, &store, &marker)?;
    if ctx.json() {
        ctx.print_json(&serde_json::json!({"number": n, "total": total, "cost": cost, "text": text}));
    } else {
        println!("{}", ctx.style.bold(&format!("Hint {n} of {total} (costs {cost} points)")));
        println!("{}", text.trim_end());
    }
    Ok(Exit::Ok)
}

pub fn reset(ctx: &Ctx, dir: Option<&Path>, yes: bool) -> Result<Exit, Failure> {
    let root = workspace_root(dir)?;
    let key = ctx.key()?;
    let marker = workspace::read_marker(&root, Some(&key))?;
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::new(Exit::BadInput, "reset needs confirmation: run it in a terminal or pass --yes"));
        }
        eprint!(
            "Reset {} to the start of the exercise? Your current work is kept on a backup branch. [y/N] ",
            root.display()
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            eprintln!("Nothing changed.");
            return Ok(Exit::Ok);
        }
    }
    let backup = workspace::reset(&root, &marker, now())?;
    if ctx.json() {
        ctx.print_json(&serde_json::json!({"workspace": root, "backup_branch": backup}));
    } else {
        println!("Back at the start of the exercise. Your previous work is on branch `{backup}`.");
    }
    Ok(Exit::Ok)
}

/// Store a result, falling back to a JSON file so nothing is lost.
pub fn save(ctx: &Ctx, store: Option<&dyn Store>, r: &NewResult) -> Result<Option<i64>, Failure> {
    let attempt = match store {
        Some(s) => s.save_result(r).map_err(|e| e.to_string()),
        None => Err("the results store could not be opened".to_string()),
    };
    match attempt {
        Ok(id) => Ok(Some(id)),
        Err(why) => {
            let dir = ctx.data_dir()?;
            match crate::store::write_fallback(&dir, r) {
                Ok(path) => {
                    eprintln!("warning: {why}; the result was written to {} instead", path.display());
                    Ok(None)
                }
                Err(e) => Err(Failure::new(
                    Exit::Environment,
                    format!("could not store the result ({why}) nor write it to a file ({e})"),
                )),
            }
        }
    }
}

pub fn submit(ctx: &Ctx, dir: Option<&Path>, run_tools: bool) -> Result<Exit, Failure> {
    let root = workspace_root(dir)?;
    let key = ctx.key()?;
    let marker = workspace::read_marker(&root, Some(&key))?;
    let catalog = ctx.catalog()?;
    let store = ctx.store();
    let hints = match &store {
        Ok(s) => session::hints_used(s, &marker.session)?,
        Err(_) => Vec::new(),
    };
    let hints_used = hints.len();
    let live = super::cluster::live_for(&marker);
    let eval = session::evaluate_live(&catalog, &root, &marker, Mode::Submit, hints, run_tools, live.as_deref())?;
    drop(live);
    let ex = session::find_exercise(&catalog, &marker.exercise)?;
    let started_at = marker.started();
    let submitted_at = now();
    let record = NewResult {
        session_id: Some(marker.session.clone()),
        candidate: marker.candidate.clone(),
        exercise: marker.exercise.clone(),
        seed: marker.seed,
        started_at,
        submitted_at,
        hints_used,
        grade: eval.grade.clone(),
        workspace: Some(root.display().to_string()),
        diff: Some(eval.diff()),
    };
    let id = save(ctx, store.as_ref().ok().map(|s| s as &dyn Store), &record)?;
    // Submitting ends the session: its namespace goes, the cluster stays.
    super::cluster::end_session(&marker);
    let minutes = started_at.map(|s| (submitted_at - s).whole_minutes());
    let interview = match &store {
        Ok(s) => match super::interview::record_submit(&**s, &marker.session, id, submitted_at) {
            Ok(iv) => iv,
            Err(f) => {
                eprintln!("warning: the result is stored, but its interview record was not updated: {}", f.report);
                None
            }
        },
        Err(_) => None,
    };
    if ctx.json() {
        ctx.print_json(&serde_json::json!({
            "result_id": id,
            "minutes_taken": minutes,
            "time_box_minutes": ex.time_box_minutes,
            "grade": eval.grade,
            "interview": interview,
        }));
    } else {
        let view = text::GradeView { style: ctx.style, verbose: false };
        print!("{}", text::grade(&eval.grade, catalog.scorecard_of(ex), &ex.title, view));
        if let Some(m) = minutes {
            let over = if m > i64::from(ex.time_box_minutes) { " — over the time box" } else { "" };
            println!("\nTime taken: {m} min of {} min{over}", ex.time_box_minutes);
        }
        if let Some(id) = id {
            println!("Stored as result {id}. See `faultline results`.");
        }
        if let Some(iv) = &interview {
            super::interview::print_late(ctx, iv, submitted_at);
        }
    }
    Ok(if eval.grade.passed { Exit::Ok } else { Exit::ChecksFailed })
}
