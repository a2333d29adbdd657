//! Several writers on one SQLite results store at once, for real: separate OS processes
//! and separate threads, each with its own connection, all starting on a database that
//! does not exist yet (so they also race to create and migrate it).
//!
//! The process test re-runs this test binary with `FAULTLINE_TEST_WRITER_DB` set, which
//! turns `writer_child_saves_results_when_spawned_by_the_process_test` into a writer;
//! run normally, that test does nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use faultline::model::grade::{DimensionStatus, HintUse};
use faultline::model::{CheckResult, CheckStatus, DimensionScore, Evidence, Grade, RatedBy, RedFlagHit};
use faultline::store::{NewResult, ResultFilter, SqliteStore, Store, StoreError};
use time::OffsetDateTime;

const WRITERS: usize = 4;
const SAVES_PER_WRITER: usize = 40;
const SHARED_SESSION: &str = "shared-session";
const HINTS: usize = 3;

const CHILD_DB_ENV: &str = "FAULTLINE_TEST_WRITER_DB";
const CHILD_INDEX_ENV: &str = "FAULTLINE_TEST_WRITER_INDEX";
const CHILD_TEST: &str = "writer_child_saves_results_when_spawned_by_the_process_test";

/// A grade with every field filled and values that depend on the writer and the save,
/// so that a mixed-up or half-written record cannot pass for another.
fn expected_grade(writer: usize, save: usize) -> Grade {
    let score = (writer * 100 + save) as f64 / 7.0;
    let candidate = format!("writer-{writer}");
    Grade {
        exercise: "probe-port".to_owned(),
        candidate: candidate.clone(),
        seed: seed(writer, save),
        scorecard: "platform-engineer".to_owned(),
        score,
        passed: save % 2 == 0,
        pass_mark: 70.0,
        level: Some(format!("level-{save}")),
        is_final: save % 3 == 0,
        mode: "submit".to_owned(),
        dimensions: vec![DimensionScore {
            id: "diagnosis".to_owned(),
            title: "Diagnosis".to_owned(),
            weight: 3,
            score: Some(score),
            rated_by: RatedBy::Checks,
            status: DimensionStatus::Scored,
            points: save as f64,
            max_points: 40.0,
        }],
        checks: vec![CheckResult {
            id: format!("check-{writer}-{save}"),
            title: "Readiness probe hits the served port".to_owned(),
            kind: "yaml-path".to_owned(),
            scenario: "wrong-probe-port".to_owned(),
            status: CheckStatus::Failed,
            points: 0.0,
            max_points: 5.0,
            dimension: "diagnosis".to_owned(),
            hidden: writer % 2 == 1,
            required: writer % 3 == 0,
            red_flag: Some("disabled-probe".to_owned()),
            message: format!("{candidate} save {save}: «still 8081»"),
            evidence: vec![
                Evidence::at("k8s/deployment.yaml", save + 1, "port: 8081"),
                Evidence::note("x".repeat(2000)),
            ],
        }],
        red_flags: vec![RedFlagHit {
            id: "disabled-probe".to_owned(),
            title: "Removed the probe".to_owned(),
            source: format!("check-{writer}-{save}"),
            caps_at: "developing".to_owned(),
        }],
        hints_used: vec![HintUse { number: 1, cost: 2.5 }],
        hint_penalty: 2.5,
        infra_errors: writer,
    }
}

fn seed(writer: usize, save: usize) -> u64 {
    u64::MAX - (writer * 1000 + save) as u64
}

fn new_result(writer: usize, save: usize) -> NewResult {
    let grade = expected_grade(writer, save);
    NewResult {
        session_id: Some(format!("session-{writer}")),
        candidate: grade.candidate.clone(),
        exercise: grade.exercise.clone(),
        seed: grade.seed,
        started_at: Some(OffsetDateTime::now_utc() - time::Duration::minutes(30)),
        submitted_at: OffsetDateTime::now_utc(),
        hints_used: save % 4,
        grade,
        workspace: Some(format!("/tmp/ws/{writer}")),
        diff: None,
    }
}

/// What one writer did that the others could have done instead.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    created_session: bool,
    new_hints: usize,
}

/// The work of one writer: race the others to create the shared session and reveal its
/// hints, and save its own results.
fn write_everything(db: &Path, writer: usize) -> Outcome {
    let store = SqliteStore::open(db).expect("open the store");
    let created_session = match store.create_session(&faultline::store::SessionRecord {
        id: SHARED_SESSION.to_owned(),
        candidate: "shared".to_owned(),
        exercise: "probe-port".to_owned(),
        seed: 1,
        workspace: "/tmp/ws/shared".to_owned(),
        started_at: OffsetDateTime::now_utc(),
        mode: "lab".to_owned(),
        time_box_minutes: 30,
    }) {
        Ok(()) => true,
        Err(StoreError::DuplicateSession { .. }) => false,
        Err(e) => panic!("writer {writer}: {e}"),
    };
    let mut new_hints = 0;
    for save in 0..SAVES_PER_WRITER {
        if save < HINTS {
            // Every writer has created the session or seen it exist, so it is there.
            let new =
                store.record_hint(SHARED_SESSION, save + 1, 1.5).unwrap_or_else(|e| panic!("writer {writer}: {e}"));
            new_hints += usize::from(new);
        }
        store.save_result(&new_result(writer, save)).unwrap_or_else(|e| panic!("writer {writer}, save {save}: {e}"));
    }
    Outcome { created_session, new_hints }
}

/// Checks the database holds exactly every writer's results, each one intact.
fn assert_every_result_stored_intact(db: &Path) {
    let store = SqliteStore::open(db).expect("open the store");
    let results = store.results(&ResultFilter::default()).expect("list results");
    assert_eq!(results.len(), WRITERS * SAVES_PER_WRITER, "no submit may be lost");

    let mut seen = BTreeMap::new();
    for record in &results {
        let writer: usize = record.candidate["writer-".len()..].parse().expect("writer index");
        let save = (u64::MAX - record.seed) as usize - writer * 1000;
        assert!(seen.insert((writer, save), record.id).is_none(), "stored twice: {writer}/{save}");
        let expected = new_result(writer, save);
        assert_eq!(record.grade, expected.grade, "grade of {writer}/{save}");
        assert_eq!(record.score, expected.grade.score);
        assert_eq!(record.passed, expected.grade.passed);
        assert_eq!(record.hints_used, expected.hints_used);
        assert_eq!(record.session_id, expected.session_id);
        assert_eq!(record.workspace, expected.workspace);
        assert_eq!(store.result(record.id).expect("read one").as_ref(), Some(record));
    }
    let ids: std::collections::BTreeSet<i64> = seen.values().copied().collect();
    assert_eq!(ids.len(), results.len(), "ids are unique");

    let hints = store.hints(SHARED_SESSION).expect("list hints");
    let numbers: Vec<usize> = hints.iter().map(|h| h.number).collect();
    assert_eq!(numbers, (1..=HINTS).collect::<Vec<_>>());
}

#[test]
fn writer_child_saves_results_when_spawned_by_the_process_test() {
    let Some(db) = std::env::var_os(CHILD_DB_ENV) else {
        return; // Not spawned as a writer: nothing to do.
    };
    let writer: usize =
        std::env::var(CHILD_INDEX_ENV).expect("writer index").parse().expect("writer index is a number");
    let outcome = write_everything(Path::new(&db), writer);
    println!("writer-outcome created_session={} new_hints={}", outcome.created_session, outcome.new_hints);
}

#[test]
fn several_processes_saving_at_once_lose_and_corrupt_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("faultline.db");
    let exe = std::env::current_exe().expect("own test binary");

    let children: Vec<_> = (0..WRITERS)
        .map(|writer| {
            Command::new(&exe)
                .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
                .env(CHILD_DB_ENV, &db)
                .env(CHILD_INDEX_ENV, writer.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn a writer process")
        })
        .collect();

    let mut sessions_created = 0;
    let mut new_hints = 0;
    for (writer, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().expect("wait for a writer");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "writer {writer} failed: {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let line = stdout
            .lines()
            // libtest may print the test's name on the same line first.
            .find_map(|l| l.split_once("writer-outcome ").map(|(_, rest)| rest))
            .unwrap_or_else(|| panic!("writer {writer} did not run the child test:\n{stdout}"));
        sessions_created += usize::from(line.contains("created_session=true"));
        new_hints += line.split("new_hints=").nth(1).and_then(|n| n.trim().parse::<usize>().ok()).expect("hint count");
    }

    assert_eq!(sessions_created, 1, "exactly one process creates the session");
    assert_eq!(new_hints, HINTS, "each hint is new for exactly one process");
    assert_every_result_stored_intact(&db);
}

#[test]
fn several_threads_with_their_own_connections_lose_and_corrupt_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("faultline.db");
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let db = &db;
                scope.spawn(move || write_everything(db, writer))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("writer thread")).collect()
    });
    assert_eq!(outcomes.iter().filter(|o| o.created_session).count(), 1);
    assert_eq!(outcomes.iter().map(|o| o.new_hints).sum::<usize>(), HINTS);
    assert_every_result_stored_intact(&db);
}

#[test]
fn one_store_shared_by_threads_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open_in(dir.path()).expect("open the store");
    std::thread::scope(|scope| {
        for writer in 0..WRITERS {
            let store = &store;
            scope.spawn(move || {
                for save in 0..SAVES_PER_WRITER {
                    store.save_result(&new_result(writer, save)).expect("save");
                }
            });
        }
    });
    let results = store.results(&ResultFilter::default()).expect("list");
    assert_eq!(results.len(), WRITERS * SAVES_PER_WRITER);
}
