//! `faultline track start|status|resume|reset`: a new hire's 30/60/90-day plan.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use super::{Ctx, Failure};
use crate::catalog::Catalog;
use crate::cli::{Exit, TrackCommand};
use crate::grade::with_ratings;
use crate::model::track::{bar, progress, Attempt, LabState, TrackProgress};
use crate::model::Rating;
use crate::store::{date_from_text, RatingFilter, ResultFilter, Store, TrackEnrolment};

pub fn run(ctx: &Ctx, action: TrackCommand) -> Result<Exit, Failure> {
    match action {
        TrackCommand::Start { candidate, start_date } => start(ctx, &candidate, start_date.as_deref(), false),
        TrackCommand::Status { candidate } => status(ctx, candidate.as_deref()),
        TrackCommand::Resume { candidate, dir, seed } => resume(ctx, &candidate, dir, seed),
        TrackCommand::Reset { candidate, start_date, yes } => reset(ctx, &candidate, start_date.as_deref(), yes),
    }
}

fn parse_date(given: Option<&str>, today: time::Date) -> Result<time::Date, Failure> {
    match given {
        None => Ok(today),
        Some(text) => date_from_text(text).ok_or_else(|| {
            Failure::new(Exit::BadInput, format!("--start-date `{text}` is not a date; write it as YYYY-MM-DD"))
        }),
    }
}

fn needs_tracks(catalog: &Catalog) -> Result<(), Failure> {
    if catalog.tracks.is_empty() {
        return Err(Failure::new(
            Exit::BadInput,
            format!("the content ({}) has no exercises/tracks.yaml, so there are no tracks", catalog.label),
        ));
    }
    Ok(())
}

fn start(ctx: &Ctx, candidate: &str, start_date: Option<&str>, replace: bool) -> Result<Exit, Failure> {
    if candidate.trim().is_empty() {
        return Err(Failure::new(Exit::BadInput, "--candidate must not be empty"));
    }
    let catalog = ctx.catalog()?;
    needs_tracks(&catalog)?;
    let now = time::OffsetDateTime::now_utc();
    let start = parse_date(start_date, now.date())?;
    let store = ctx.store()?;
    if !replace && !store.enrolments(Some(candidate))?.is_empty() {
        return Err(Failure::new(
            Exit::BadInput,
            format!("{candidate} is already on the tracks; see `faultline track status --candidate {candidate}`, or start over with `faultline track reset`"),
        ));
    }
    let enrolment =
        TrackEnrolment { candidate: candidate.to_string(), start_date: start, counted_from: now, enrolled_at: now };
    store.save_enrolment(&enrolment)?;
    if ctx.json() {
        ctx.print_json(&enrolment);
    } else {
        println!("{candidate} starts the tracks on {start} (day 1).");
        for t in &catalog.tracks {
            let last = t.labs.iter().map(|l| l.due_day).max().unwrap_or(0);
            println!("  {}: {} lab(s), the last due on day {last}", t.id, t.labs.len());
        }
        println!("Next: `faultline track resume --candidate {candidate}` starts the first exercise.");
    }
    Ok(Exit::Ok)
}

/// The counted attempts of a person: results since `counted_from`, with ratings folded in.
fn attempts(store: &dyn Store, catalog: &Catalog, e: &TrackEnrolment) -> Result<Vec<Attempt>, Failure> {
    let results = store.results(&ResultFilter { candidate: Some(e.candidate.clone()), ..ResultFilter::default() })?;
    let mut ratings: BTreeMap<i64, Vec<Rating>> = BTreeMap::new();
    for r in store.list_ratings(&RatingFilter { candidate: Some(e.candidate.clone()), rater: None })? {
        ratings.entry(r.result_id).or_default().push(r);
    }
    Ok(results
        .into_iter()
        .filter(|r| r.submitted_at >= e.counted_from)
        .map(|r| {
            let grade = match (catalog.exercise(&r.exercise), ratings.get(&r.id)) {
                (Some(ex), Some(rs)) => with_ratings(&r.grade, rs, catalog.scorecard_of(ex)),
                _ => r.grade.clone(),
            };
            Attempt {
                exercise: r.exercise,
                score: grade.score,
                red_flagged: !grade.red_flags.is_empty(),
                result_id: r.id,
            }
        })
        .collect())
}

fn progress_of(
    store: &dyn Store,
    catalog: &Catalog,
    e: &TrackEnrolment,
    today: time::Date,
) -> Result<Vec<TrackProgress>, Failure> {
    let attempts = attempts(store, catalog, e)?;
    Ok(catalog.tracks.iter().map(|t| progress(t, e.start_date, today, &attempts)).collect())
}

fn status(ctx: &Ctx, candidate: Option<&str>) -> Result<Exit, Failure> {
    let catalog = ctx.catalog()?;
    needs_tracks(&catalog)?;
    let store = ctx.store()?;
    let enrolments = store.enrolments(candidate)?;
    if let (Some(name), true) = (candidate, enrolments.is_empty()) {
        let all = store.enrolments(None)?;
        let mut close: Vec<(usize, &str)> =
            all.iter().map(|e| (crate::catalog::edit_distance(name, &e.candidate), e.candidate.as_str())).collect();
        close.sort();
        let hint = match close.first() {
            Some((d, n)) if *d <= 3 => format!("; did you mean {n}?"),
            _ => format!("; enrol them with `faultline track start --candidate {name}`"),
        };
        return Err(Failure::new(Exit::BadInput, format!("{name} is not on the tracks{hint}")));
    }
    let today = time::OffsetDateTime::now_utc().date();
    let mut all = Vec::new();
    for e in &enrolments {
        all.push((e, progress_of(&*store, &catalog, e, today)?));
    }
    if ctx.json() {
        let items: Vec<_> = all
            .iter()
            .map(|(e, p)| {
                serde_json::json!({
                    "candidate": e.candidate,
                    "start_date": e.start_date.to_string(),
                    "day": (today - e.start_date).whole_days() + 1,
                    "tracks": p,
                })
            })
            .collect();
        ctx.print_json(&items);
        return Ok(Exit::Ok);
    }
    if all.is_empty() {
        println!("Nobody is on the tracks yet. Enrol someone with `faultline track start --candidate NAME`.");
        return Ok(Exit::Ok);
    }
    print!("{}", render_status(&all, today, ctx.style));
    Ok(Exit::Ok)
}

/// The status text: a bar per track, then each lab with its state.
pub fn render_status(
    all: &[(&TrackEnrolment, Vec<TrackProgress>)],
    today: time::Date,
    s: crate::report::Style,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (e, tracks) in all {
        let day = (today - e.start_date).whole_days() + 1;
        let _ = writeln!(out, "{}", s.bold(&format!("{} — day {day} (started {})", e.candidate, e.start_date)));
        for t in tracks {
            let _ =
                writeln!(out, "  {:<7} {} {}/{} labs  {}", t.track, bar(t.done, t.total, 20), t.done, t.total, t.title);
            for l in &t.labs {
                let label = match l.state {
                    LabState::Done => s.green("done    "),
                    LabState::Next => s.bold("next    "),
                    LabState::Overdue => s.red("OVERDUE "),
                    LabState::Upcoming => s.dim("upcoming"),
                };
                let _ = writeln!(out, "    {label} {} (due {}, pass mark {})", l.lab, l.due, l.pass_mark);
                for x in &l.exercises {
                    let mark = if x.done { "x" } else { " " };
                    let best = match (x.best_score, x.best_result) {
                        (Some(sc), Some(id)) => format!("best {sc} (result {id})"),
                        _ => "not tried".to_string(),
                    };
                    let _ = writeln!(out, "      [{mark}] {:<30} {best}", x.exercise);
                }
            }
        }
    }
    out
}

fn resume(ctx: &Ctx, candidate: &str, dir: Option<PathBuf>, seed: Option<u64>) -> Result<Exit, Failure> {
    let catalog = ctx.catalog()?;
    needs_tracks(&catalog)?;
    let store = ctx.store()?;
    let Some(e) = store.enrolments(Some(candidate))?.into_iter().next() else {
        return Err(Failure::new(
            Exit::BadInput,
            format!(
                "{candidate} is not on the tracks; enrol them with `faultline track start --candidate {candidate}`"
            ),
        ));
    };
    let today = time::OffsetDateTime::now_utc().date();
    let tracks = progress_of(&*store, &catalog, &e, today)?;
    // The earliest-due lab that is not done, and its first exercise not done.
    let next = tracks
        .iter()
        .flat_map(|t| t.labs.iter().map(move |l| (t, l)))
        .filter(|(_, l)| l.state != LabState::Done)
        .min_by_key(|(_, l)| l.due)
        .and_then(|(t, l)| l.exercises.iter().find(|x| !x.done).map(|x| (t, l, x.exercise.clone())));
    let Some((t, l, exercise)) = next else {
        if ctx.json() {
            ctx.print_json(&serde_json::json!({"candidate": candidate, "next": null}));
        } else {
            println!("{candidate} has done every lab of every track.");
        }
        return Ok(Exit::Ok);
    };
    if !ctx.json() {
        eprintln!("Next for {candidate}: {} in lab {} of {} (due {}).", exercise, l.lab, t.track, l.due);
    }
    drop(store);
    super::session::start(ctx, &exercise, dir, Some(candidate.to_string()), seed, super::session::LiveFlags::default())
}

fn reset(ctx: &Ctx, candidate: &str, start_date: Option<&str>, yes: bool) -> Result<Exit, Failure> {
    let store = ctx.store()?;
    if store.enrolments(Some(candidate))?.is_empty() {
        return Err(Failure::new(Exit::BadInput, format!("{candidate} is not on the tracks; nothing to reset")));
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::new(
                Exit::BadInput,
                "track reset needs confirmation: run it in a terminal or pass --yes",
            ));
        }
        eprint!("Start {candidate}'s tracks over? Results so far stay stored but stop counting. [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            eprintln!("Nothing changed.");
            return Ok(Exit::Ok);
        }
    }
    drop(store);
    start(ctx, candidate, start_date, true)
}
