//! The store's behaviour, once per backend: every test here is one generic function
//! run against SQLite and against PostgreSQL, so both keep the same contract.
//!
//! PostgreSQL runs when `FAULTLINE_TEST_POSTGRES` holds the URL of a server the tests
//! may create databases on (`.ci/run` starts one); each test gets a fresh database.
//! Without it, the PostgreSQL half is skipped with a printed reason.

use faultline::model::grade::{DimensionStatus, HintUse};
use faultline::model::{CheckResult, CheckStatus, DimensionScore, Evidence, Grade, RatedBy, Rating, RedFlagHit};
use faultline::store::transfer;
use faultline::store::{
    InterviewRecord, NewResult, NoteRecord, PostgresStore, RatingFilter, ResultFilter, SessionRecord, SqliteStore,
    Store, StoreError, TrackEnrolment,
};
use time::macros::{date, datetime};
use time::OffsetDateTime;

const PG_ENV: &str = "FAULTLINE_TEST_POSTGRES";

/// A fresh, empty store of one kind, kept alive for one test.
struct Fresh {
    store: Box<dyn Store>,
    kind: &'static str,
    reopen: Box<dyn Fn() -> Result<Box<dyn Store>, StoreError>>,
    /// Makes the database look as if a newer Faultline wrote it.
    make_newer: Box<dyn Fn()>,
    _dir: Option<tempfile::TempDir>,
    /// Dropped after `store`, so the database goes once its connection has closed.
    _db: Option<TestDatabase>,
}

/// A database of its own on the test server, dropped when the test ends (also when
/// it fails), so repeated runs do not pile databases up on the server.
struct TestDatabase {
    admin_url: String,
    name: String,
}

impl TestDatabase {
    fn create(admin_url: &str) -> Self {
        let name = format!("fl_test_{:016x}", rand_u64());
        let mut admin = postgres::Client::connect(admin_url, postgres::NoTls).expect("connect to the test server");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        TestDatabase { admin_url: admin_url.to_string(), name }
    }

    fn url(&self) -> String {
        let base = self.admin_url.rsplit_once('/').map_or(self.admin_url.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("faultline.db");
    let store = SqliteStore::open(&path).unwrap();
    let (p1, p2) = (path.clone(), path.clone());
    Fresh {
        store: Box::new(store),
        kind: "sqlite",
        reopen: Box::new(move || Ok(Box::new(SqliteStore::open(&p1)?) as Box<dyn Store>)),
        make_newer: Box::new(move || {
            let conn = rusqlite::Connection::open(&p2).unwrap();
            conn.execute_batch("PRAGMA user_version = 99").unwrap();
        }),
        _dir: Some(dir),
        _db: None,
    }
}

fn postgres() -> Option<Fresh> {
    let Some(admin_url) = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipping the PostgreSQL half: {PG_ENV} is not set (.ci/run starts a server and sets it)");
        return None;
    };
    let db = TestDatabase::create(&admin_url);
    let url = db.url();
    let store = PostgresStore::open(&url).unwrap();
    let (u1, u2) = (url.clone(), url.clone());
    Some(Fresh {
        store: Box::new(store),
        kind: "postgres",
        reopen: Box::new(move || Ok(Box::new(PostgresStore::open(&u1)?) as Box<dyn Store>)),
        make_newer: Box::new(move || {
            let mut c = postgres::Client::connect(&u2, postgres::NoTls).unwrap();
            c.batch_execute("UPDATE faultline_schema SET version = 99").unwrap();
        }),
        _dir: None,
        _db: Some(db),
    })
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    h.finish()
}

/// Runs a behaviour against every available store.
fn each_store(behaviour: impl Fn(&Fresh)) {
    behaviour(&sqlite());
    if let Some(pg) = postgres() {
        behaviour(&pg);
    }
}

fn grade(candidate: &str, exercise: &str, seed: u64, score: f64) -> Grade {
    Grade {
        exercise: exercise.into(),
        candidate: candidate.into(),
        seed,
        scorecard: "card".into(),
        score,
        passed: score >= 70.0,
        pass_mark: 70.0,
        level: Some("meets".into()),
        is_final: false,
        mode: "submit".into(),
        dimensions: vec![
            DimensionScore {
                id: "iac".into(),
                title: "IaC".into(),
                weight: 85,
                score: Some(score),
                rated_by: RatedBy::Checks,
                status: DimensionStatus::Scored,
                points: 7.0,
                max_points: 10.0,
            },
            DimensionScore {
                id: "communication".into(),
                title: "Communication".into(),
                weight: 15,
                score: None,
                rated_by: RatedBy::Person,
                status: DimensionStatus::AwaitingRating,
                points: 0.0,
                max_points: 0.0,
            },
        ],
        checks: vec![CheckResult {
            id: "enc".into(),
            title: "Volume encrypted".into(),
            kind: "tf-fixed".into(),
            scenario: "s".into(),
            status: CheckStatus::Failed,
            points: 0.0,
            max_points: 5.0,
            dimension: "iac".into(),
            hidden: true,
            required: false,
            red_flag: None,
            message: "still «unencrypted» and \"quoted\"".into(),
            evidence: vec![Evidence::at("main.tf", 12, "encrypted = false")],
        }],
        red_flags: vec![RedFlagHit {
            id: "bypassed-control".into(),
            title: "Bypassed".into(),
            source: "check:enc".into(),
            caps_at: "below".into(),
        }],
        hints_used: vec![HintUse { number: 1, cost: 2.5 }],
        hint_penalty: 2.5,
        infra_errors: 0,
    }
}

fn session(id: &str, candidate: &str) -> SessionRecord {
    SessionRecord {
        id: id.into(),
        candidate: candidate.into(),
        exercise: "tf-encrypt-cache-volume".into(),
        seed: u64::MAX,
        workspace: "/tmp/ws".into(),
        started_at: datetime!(2026-11-27 09:00:00.123456789 UTC),
        mode: "interview".into(),
        time_box_minutes: 25,
    }
}

fn result(candidate: &str, exercise: &str, seed: u64, at: OffsetDateTime, session: Option<&str>) -> NewResult {
    NewResult {
        session_id: session.map(Into::into),
        candidate: candidate.into(),
        exercise: exercise.into(),
        seed,
        started_at: Some(at - time::Duration::minutes(20)),
        submitted_at: at,
        hints_used: 1,
        grade: grade(candidate, exercise, seed, 72.5),
        workspace: Some("/tmp/ws".into()),
        diff: Some(format!("--- a/main.tf\n+++ b/main.tf\n@@ -1 +1 @@\n-{candidate} before\n+{candidate} after\n")),
    }
}

fn rating(id: &str, result_id: i64, rater: &str, score: Option<u32>, flag: Option<&str>, minute: i64) -> Rating {
    Rating {
        id: id.into(),
        result_id,
        dimension: score.map(|_| "communication".into()),
        score,
        red_flag: flag.map(Into::into),
        note: format!("{rater} saw «this»"),
        rater: rater.into(),
        rated_at: datetime!(2026-11-27 11:00 UTC) + time::Duration::minutes(minute),
    }
}

#[test]
fn sessions_hints_and_results_keep_every_field_on_both_stores() {
    each_store(|f| {
        let s = &f.store;
        let sess = session("s-1", "ada");
        s.create_session(&sess).unwrap();
        assert!(matches!(s.create_session(&sess), Err(StoreError::DuplicateSession { .. })), "{}", f.kind);
        assert_eq!(s.session("s-1").unwrap(), Some(sess.clone()), "{}", f.kind);
        assert_eq!(s.session("nope").unwrap(), None);
        assert!(s.record_hint("s-1", 2, 5.0).unwrap());
        assert!(s.record_hint("s-1", 1, 2.5).unwrap());
        assert!(!s.record_hint("s-1", 2, 99.0).unwrap(), "{}: a hint is recorded once", f.kind);
        assert!(matches!(s.record_hint("ghost", 1, 1.0), Err(StoreError::UnknownSession { .. })), "{}", f.kind);
        let hints: Vec<_> = s.hints("s-1").unwrap().iter().map(|h| (h.number, h.cost)).collect();
        assert_eq!(hints, [(1, 2.5), (2, 5.0)], "{}", f.kind);

        let at = datetime!(2026-11-27 10:15:30.987654321 UTC);
        let new = result("ada", "tf-encrypt-cache-volume", u64::MAX, at, Some("s-1"));
        let id = s.save_result(&new).unwrap();
        let stored = s.result(id).unwrap().unwrap();
        assert_eq!(
            (&stored.session_id, &stored.candidate, stored.seed, stored.started_at, stored.submitted_at),
            (&new.session_id, &new.candidate, u64::MAX, new.started_at, at),
            "{}",
            f.kind
        );
        assert_eq!(stored.grade, new.grade, "{}", f.kind);
        assert_eq!((&stored.workspace, &stored.diff), (&new.workspace, &new.diff), "{}", f.kind);
        assert!(stored.diff.as_deref().is_some_and(|d| d.contains("+ada after")), "{}", f.kind);
        assert_eq!((stored.score, stored.passed, stored.hints_used), (72.5, true, 1), "{}", f.kind);
        assert!(s.result(id + 1000).unwrap().is_none());

        let later =
            s.save_result(&result("grace", "terraform-review", 1, at + time::Duration::hours(1), None)).unwrap();
        let ids: Vec<i64> = s.results(&ResultFilter::default()).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(ids, [later, id], "{}: newest first", f.kind);
        let ada = s.results(&ResultFilter { candidate: Some("ada".into()), ..Default::default() }).unwrap();
        assert_eq!(ada.len(), 1, "{}", f.kind);
        let one = s.results(&ResultFilter { limit: Some(1), ..Default::default() }).unwrap();
        assert_eq!(one[0].id, later, "{}", f.kind);
        assert_eq!(s.sessions(None).unwrap(), std::slice::from_ref(&sess), "{}", f.kind);
        assert!(s.sessions(Some("grace")).unwrap().is_empty());
    });
}

#[test]
fn a_grade_that_cannot_be_stored_is_refused_whole_on_both_stores() {
    each_store(|f| {
        let mut bad = result("ada", "x", 1, OffsetDateTime::now_utc(), None);
        bad.grade.score = f64::NAN;
        let err = f.store.save_result(&bad).unwrap_err();
        let StoreError::ResultNotSaved { cause, .. } = &err else { panic!("{}: {err:?}", f.kind) };
        assert!(matches!(**cause, StoreError::GradeNotStorable { .. }), "{}: {cause:?}", f.kind);
        assert!(f.store.results(&ResultFilter::default()).unwrap().is_empty(), "{}", f.kind);
    });
}

#[test]
fn ratings_are_stored_once_per_id_listed_in_order_and_need_a_result() {
    each_store(|f| {
        let s = &f.store;
        let a = s.save_result(&result("ada", "x", 1, datetime!(2026-11-27 10:00 UTC), None)).unwrap();
        let b = s.save_result(&result("grace", "x", 2, datetime!(2026-11-27 10:30 UTC), None)).unwrap();
        let r2 = rating("r2", a, "alan", Some(3), None, 5);
        let r1 = rating("r1", a, "edsger", Some(4), Some("shared-credentials"), 1);
        let r3 = rating("r3", b, "alan", Some(2), None, 0);
        for r in [&r2, &r1, &r3] {
            assert!(s.add_rating(r).unwrap(), "{}", f.kind);
        }
        assert!(!s.add_rating(&r1).unwrap(), "{}: the same rating id is stored once", f.kind);
        let missing = s.add_rating(&rating("r9", 424_242, "alan", Some(1), None, 0)).unwrap_err();
        assert!(matches!(missing, StoreError::UnknownResult { id: 424_242, .. }), "{}: {missing:?}", f.kind);

        assert_eq!(s.ratings_for(a).unwrap(), [r1.clone(), r2.clone()], "{}: oldest first, every field", f.kind);
        assert_eq!(
            s.list_ratings(&RatingFilter::default()).unwrap(),
            [r1.clone(), r2.clone(), r3.clone()],
            "{}",
            f.kind
        );
        let grace = RatingFilter { candidate: Some("grace".into()), rater: None };
        assert_eq!(s.list_ratings(&grace).unwrap(), std::slice::from_ref(&r3), "{}", f.kind);
        let alan = RatingFilter { candidate: None, rater: Some("alan".into()) };
        assert_eq!(s.list_ratings(&alan).unwrap(), [r2, r3], "{}", f.kind);
    });
}

#[test]
fn interviews_notes_and_enrolments_are_saved_replaced_and_listed() {
    each_store(|f| {
        let s = &f.store;
        s.create_session(&session("s-1", "ada")).unwrap();
        let mut iv = InterviewRecord {
            session_id: "s-1".into(),
            candidate: "ada".into(),
            exercise: "terraform-review".into(),
            interviewer: Some("grace".into()),
            started_at: datetime!(2026-11-27 09:00 UTC),
            time_box_minutes: 60,
            result_id: None,
            submitted_at: None,
            late: false,
        };
        s.save_interview(&iv).unwrap();
        assert_eq!(s.interview("s-1").unwrap(), Some(iv.clone()), "{}", f.kind);
        iv.result_id = Some(7);
        iv.submitted_at = Some(datetime!(2026-11-27 10:05 UTC));
        iv.late = true;
        s.save_interview(&iv).unwrap();
        assert_eq!(s.interviews().unwrap(), [iv.clone()], "{}: replaced, not added", f.kind);
        assert_eq!(s.interview("other").unwrap(), None);

        let n1 = NoteRecord {
            id: "n1".into(),
            target: "session:s-1".into(),
            author: "grace".into(),
            text: "asked about state first".into(),
            written_at: datetime!(2026-11-27 09:30 UTC),
        };
        let n2 = NoteRecord {
            id: "n2".into(),
            target: "result:7".into(),
            written_at: datetime!(2026-11-27 09:10 UTC),
            ..n1.clone()
        };
        assert!(s.add_note(&n1).unwrap());
        assert!(s.add_note(&n2).unwrap());
        assert!(!s.add_note(&n1).unwrap(), "{}", f.kind);
        assert_eq!(s.notes(Some("session:s-1")).unwrap(), std::slice::from_ref(&n1), "{}", f.kind);
        assert_eq!(s.notes(None).unwrap(), [n2, n1], "{}: oldest first", f.kind);

        let e = TrackEnrolment {
            candidate: "ada".into(),
            start_date: date!(2026 - 11 - 02),
            counted_from: datetime!(2026-11-02 08:00 UTC),
            enrolled_at: datetime!(2026-11-02 08:00 UTC),
        };
        s.save_enrolment(&e).unwrap();
        let reset =
            TrackEnrolment { start_date: date!(2026 - 11 - 20), counted_from: datetime!(2026-11-20 08:00 UTC), ..e };
        s.save_enrolment(&reset).unwrap();
        assert_eq!(s.enrolments(None).unwrap(), std::slice::from_ref(&reset), "{}", f.kind);
        assert_eq!(s.enrolments(Some("ada")).unwrap(), [reset], "{}", f.kind);
        assert!(s.enrolments(Some("bob")).unwrap().is_empty());
    });
}

#[test]
fn reopening_keeps_everything_and_a_newer_schema_is_refused_untouched() {
    each_store(|f| {
        let id = f.store.save_result(&result("ada", "x", 1, datetime!(2026-11-27 10:00 UTC), None)).unwrap();
        f.store.add_rating(&rating("r1", id, "alan", Some(3), None, 0)).unwrap();
        let again = (f.reopen)().unwrap();
        assert_eq!(again.ratings_for(id).unwrap().len(), 1, "{}", f.kind);
        drop(again);
        (f.make_newer)();
        let Err(err) = (f.reopen)() else { panic!("{}: a newer schema was opened", f.kind) };
        let message = err.to_string();
        assert!(
            matches!(err, StoreError::NewerSchema { found: 99, .. } | StoreError::PgNewerSchema { found: 99, .. }),
            "{}: {err:?}",
            f.kind
        );
        assert!(message.contains("newer Faultline"), "{}: {message}", f.kind);
    });
}

#[test]
fn export_then_import_twice_into_another_store_loses_nothing_and_adds_nothing_the_second_time() {
    each_store(|from| {
        let s = &from.store;
        s.create_session(&session("s-1", "ada")).unwrap();
        s.record_hint("s-1", 1, 2.5).unwrap();
        let a =
            s.save_result(&result("ada", "x", 1, datetime!(2026-11-27 10:00:00.000000001 UTC), Some("s-1"))).unwrap();
        let b = s.save_result(&result("ada", "x", 1, datetime!(2026-11-27 10:00:00.000000002 UTC), None)).unwrap();
        s.add_rating(&rating("r1", b, "alan", Some(3), Some("no-ownership"), 0)).unwrap();
        s.save_interview(&InterviewRecord {
            session_id: "s-1".into(),
            candidate: "ada".into(),
            exercise: "x".into(),
            interviewer: None,
            started_at: datetime!(2026-11-27 09:00 UTC),
            time_box_minutes: 25,
            result_id: Some(a),
            submitted_at: Some(datetime!(2026-11-27 10:00 UTC)),
            late: true,
        })
        .unwrap();
        s.add_note(&NoteRecord {
            id: "n1".into(),
            target: format!("result:{b}"),
            author: "grace".into(),
            text: "good questions".into(),
            written_at: datetime!(2026-11-27 10:10 UTC),
        })
        .unwrap();
        s.save_enrolment(&TrackEnrolment {
            candidate: "ada".into(),
            start_date: date!(2026 - 11 - 02),
            counted_from: datetime!(2026-11-02 08:00 UTC),
            enrolled_at: datetime!(2026-11-02 08:00 UTC),
        })
        .unwrap();
        let data = transfer::export(&**s, datetime!(2026-11-28 00:00 UTC)).unwrap();
        let text = serde_json::to_string_pretty(&data).unwrap();
        let parsed = transfer::parse("export.json", &text).unwrap();
        assert_eq!(parsed, data, "{}: the JSON round-trips", from.kind);

        // Into a store of each kind; the target already holds one unrelated result so
        // that ids differ between the stores.
        each_store(|to| {
            let t = &to.store;
            t.save_result(&result("zed", "y", 9, datetime!(2026-01-01 00:00 UTC), None)).unwrap();
            let first = transfer::import(&**t, &parsed).unwrap();
            assert_eq!(first.added.get("results"), Some(&2), "{} -> {}: {first:?}", from.kind, to.kind);
            assert_eq!(first.already_there.values().sum::<usize>(), 0, "{first:?}");
            let second = transfer::import(&**t, &parsed).unwrap();
            assert_eq!(
                second.total_added(),
                0,
                "{} -> {}: a second import adds nothing: {second:?}",
                from.kind,
                to.kind
            );

            let back = transfer::export(&**t, datetime!(2026-11-28 00:00 UTC)).unwrap();
            assert_eq!(back.sessions, data.sessions);
            assert_eq!(back.hints, data.hints);
            assert_eq!(back.enrolments, data.enrolments);
            let mine: Vec<_> = back.results.iter().filter(|r| r.candidate == "ada").collect();
            assert_eq!(mine.len(), 2);
            for (old, new) in data.results.iter().zip(&mine) {
                assert_eq!(
                    (&old.grade, old.submitted_at, old.started_at, &old.session_id, &old.workspace),
                    (&new.grade, new.submitted_at, new.started_at, &new.session_id, &new.workspace)
                );
            }
            let new_b = mine[1].id;
            let new_a = mine[0].id;
            assert_eq!(back.ratings, [Rating { result_id: new_b, ..data.ratings[0].clone() }], "re-pointed");
            assert_eq!(back.interviews[0].result_id, Some(new_a));
            assert!(back.interviews[0].late);
            assert_eq!(back.notes[0].target, format!("result:{new_b}"));
        });
    });
}

#[test]
fn an_export_from_a_newer_faultline_or_of_another_kind_is_refused_with_its_place() {
    let err = transfer::parse("e.json", "{\"kind\": \"faultline-export\", \"version\": 7}").unwrap_err();
    assert!(err.to_string().contains("newer Faultline"), "{err}");
    let err = transfer::parse("e.json", "{\"kind\": \"backup\", \"version\": 1}").unwrap_err();
    assert!(err.to_string().contains("not a Faultline export"), "{err}");
    let err =
        transfer::parse("e.json", "{\n  \"kind\": \"faultline-export\",\n  \"version\": 1,\n  \"sessions\": 3\n}")
            .unwrap_err();
    assert!(err.to_string().starts_with("e.json:"), "{err}");
}

#[test]
fn postgres_that_stays_locked_or_is_missing_gives_a_clear_error_and_saves_nothing() {
    let Some(f) = postgres() else { return };
    let admin_url = std::env::var(PG_ENV).unwrap();
    let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b).to_string();

    // Missing database: the error names the store, never a password.
    let with_password = base.replacen("postgres@", "postgres:hunter2@", 1);
    let err = PostgresStore::open(&format!("{with_password}/no_such_database_here")).unwrap_err();
    assert!(matches!(err, StoreError::PgConnect { .. }), "{err:?}");
    assert!(err.to_string().contains("no_such_database_here"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");

    // Another session holds the results table: the save waits, then says so.
    let db = TestDatabase::create(&admin_url);
    let url = db.url();
    let store = PostgresStore::open_with_lock_timeout(&url, std::time::Duration::from_millis(200)).unwrap();
    let mut other = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = other.transaction().unwrap();
    tx.batch_execute("LOCK TABLE results IN ACCESS EXCLUSIVE MODE").unwrap();
    let err = store.save_result(&result("ada", "x", 1, OffsetDateTime::now_utc(), None)).unwrap_err();
    let StoreError::ResultNotSaved { cause, .. } = &err else { panic!("{err:?}") };
    assert!(matches!(**cause, StoreError::PgLocked { .. }), "{cause:?}");
    assert!(err.to_string().contains("locked"), "{err}");
    tx.rollback().unwrap();
    assert!(store.results(&ResultFilter::default()).unwrap().is_empty());
    drop(other);
    drop(store);
    drop(db);
    drop(f);
}
