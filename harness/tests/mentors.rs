//! Interviewers and mentors end to end through the `faultline` binary: a timed
//! interview with ratings, notes and the one-page scorecard; the 30/60/90-day
//! tracks; export and import. Each test has its own data folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use faultline::interview::{scorecard, ScorecardInput};
use faultline::model::grade::{DimensionStatus, HintUse};
use faultline::model::{CheckResult, CheckStatus, DimensionScore, Evidence, Grade, RatedBy, Rating};
use faultline::report::Style;
use faultline::store::{InterviewRecord, NoteRecord, ResultRecord};
use time::macros::datetime;

fn toy_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/valid")
}

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env { tmp: tempfile::tempdir().unwrap() }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.tmp.path().join(p)
    }
    fn run_in(&self, data: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(args)
            .env("FAULTLINE_DATA_DIR", self.path(data))
            .env("NO_COLOR", "1")
            .env_remove("FAULTLINE_CONTENT")
            .env_remove("FAULTLINE_CANDIDATE")
            .env_remove("FAULTLINE_STORE")
            .current_dir(self.tmp.path())
            .output()
            .unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        self.run_in("data", args)
    }
    fn json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        let out = self.run(&a);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}\n{}", text(&out.stdout), text(&out.stderr)));
        (out.status.code().unwrap_or(-1), v)
    }
    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.path("data/faultline.db")).unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// Starts an interview on the toy exercise and fixes it; returns the workspace.
fn interview_and_fix(env: &Env) -> PathBuf {
    let c = toy_content();
    let c = c.to_str().unwrap();
    let (code, started) = env.json(&[
        "--content",
        c,
        "interview",
        "start",
        "--candidate",
        "ada",
        "--exercise",
        "toy",
        "--interviewer",
        "grace",
        "--seed",
        "7",
        "--dir",
        "ws",
    ]);
    assert_eq!(code, 0, "{started}");
    assert_eq!(started["time_box_minutes"], 10);
    let ws = env.path("ws");
    let conf = fs_err::read_to_string(ws.join("app.conf")).unwrap();
    fs_err::write(ws.join("app.conf"), conf.replace("debug = true", "debug = false")).unwrap();
    ws
}

#[test]
fn an_interviewer_runs_a_timed_exercise_rates_it_and_hands_over_a_scorecard() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    let ws = interview_and_fix(&env);
    let ws_s = ws.to_str().unwrap();

    // The countdown is visible in status.
    let (code, status) = env.json(&["--content", c, "status", "--dir", ws_s]);
    assert_eq!(code, 0, "{status}");
    assert_eq!(status["mode"], "interview");
    assert_eq!(status["interviewer"], "grace");
    let left = status["countdown"]["remaining_seconds"].as_i64().unwrap();
    assert!(left > 0 && left <= 600, "{status}");
    let out = env.run(&["--content", c, "status", "--dir", ws_s]);
    assert!(text(&out.stdout).contains("left"), "{}", text(&out.stdout));

    let (code, submitted) = env.json(&["--content", c, "submit", "--dir", ws_s]);
    let id = submitted["result_id"].as_i64().unwrap();
    assert_eq!(submitted["interview"]["late"], false, "{submitted}");
    assert!(!submitted["grade"]["final"].as_bool().unwrap(), "writing awaits a rating");
    let _ = code;

    // Two raters; the median of 3 and 4 is 3.5 on 1-4, i.e. 83.3.
    let id_s = id.to_string();
    let (code, rated) = env.json(&[
        "--content",
        c,
        "rate",
        &id_s,
        "--dimension",
        "writing",
        "--score",
        "3",
        "--note",
        "clear",
        "--rater",
        "grace",
    ]);
    assert_eq!(code, 0, "{rated}");
    assert_eq!(rated["grade"]["final"], true, "{rated}");
    let (_, rated) = env.json(&[
        "--content",
        c,
        "rate",
        &id_s,
        "--dimension",
        "writing",
        "--score",
        "4",
        "--note",
        "precise",
        "--rater",
        "alan",
    ]);
    assert_eq!(rated["combined"][0]["median"], 3.5, "{rated}");
    assert_eq!(rated["combined"][0]["score"], 83.3, "{rated}");
    let writing = rated["grade"]["dimensions"].as_array().unwrap().iter().find(|d| d["id"] == "writing").unwrap();
    assert_eq!(writing["status"], "scored");

    let (_, stored) = env.json(&["--content", c, "results", "--id", &id_s]);
    assert_eq!(stored["final"], true, "results --id shows the rated grade: {stored}");

    // Reports show the grade with the ratings folded in, too.
    let candidate = stored["candidate"].as_str().unwrap().to_string();
    let (code, report) = env.json(&["--content", c, "report", "candidate", &candidate]);
    assert_eq!(code, 0, "{report}");
    let entry = &report["timeline"][0];
    assert_eq!(entry["final"], true, "the report's grade carries the ratings: {report}");
    let at = report["dimensions"].as_array().unwrap().iter().position(|d| d["id"] == "writing").unwrap();
    assert_eq!(entry["dimensions"][at], 83.3, "{report}");

    let out = env.run(&["--content", c, "interview", "note", &id_s, "asked good questions", "--author", "grace"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let (code, sc) = env.json(&["--content", c, "interview", "scorecard", &id_s]);
    assert_eq!(code, 0, "{sc}");
    assert_eq!(sc["interviewer"], "grace");
    assert_eq!(sc["late"], false);
    assert_eq!(sc["recommendation"]["is_final"], true, "{sc}");
    assert_eq!(sc["ratings"].as_array().unwrap().len(), 2);
    assert_eq!(sc["notes"][0]["text"], "asked good questions");
    assert!(sc["diff"].as_str().unwrap().contains("+debug = false"), "{sc}");

    let out = env.run(&["--content", c, "interview", "scorecard", &id_s]);
    let page = text(&out.stdout);
    for part in ["Recommendation", "Dimensions", "Evidence per check", "Hints", "Interviewer notes", "+debug = false"] {
        assert!(page.contains(part), "missing {part}:\n{page}");
    }
    assert!(page.contains("median 3.5 of grace 3, alan 4"), "{page}");
}

#[test]
fn a_submit_after_the_time_box_is_stored_and_flagged_late() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    let ws = interview_and_fix(&env);
    // The interview started long ago.
    env.db().execute("UPDATE interviews SET started_at = '2026-01-01T09:00:00.000000000Z'", []).unwrap();
    let (_, status) = env.json(&["--content", c, "status", "--dir", ws.to_str().unwrap()]);
    assert_eq!(status["countdown"]["over"], true, "{status}");

    let out = env.run(&["--content", c, "submit", "--dir", ws.to_str().unwrap()]);
    let shown = text(&out.stdout);
    assert!(shown.contains("LATE: submitted"), "{shown}");
    assert!(shown.contains("Stored as result 1"), "the late result is stored: {shown}");
    let late: bool = env.db().query_row("SELECT late FROM interviews", [], |r| r.get(0)).unwrap();
    assert!(late);
    let (_, sc) = env.json(&["--content", c, "interview", "scorecard", "1"]);
    assert_eq!(sc["late"], true);
    let reasons = sc["recommendation"]["reasons"].to_string();
    assert!(reasons.contains("after the time box"), "{reasons}");

    // The work is stored with the result: the page still shows the candidate's diff
    // once the workspace is gone.
    fs_err::remove_dir_all(&ws).unwrap();
    let page = text(&env.run(&["--content", c, "interview", "scorecard", "1"]).stdout);
    assert!(page.contains("+debug = false"), "{page}");
    assert!(!page.contains("is gone"), "{page}");
}

/// An interviewer who collects the work with `grade --save` (the candidate never ran
/// `submit`) hands it in: the interview gets the result and is judged late; a later
/// re-grade does not move the recorded hand-in.
#[test]
fn grading_an_unsubmitted_interview_hands_it_in_and_flags_lateness() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    let ws = interview_and_fix(&env);
    let ws = ws.to_str().unwrap();
    env.db().execute("UPDATE interviews SET started_at = '2026-01-01T09:00:00.000000000Z'", []).unwrap();

    let out = env.run(&["--content", c, "grade", ws, "--exercise", "toy", "--save"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("Stored as result 1"), "{shown}");
    assert!(shown.contains("LATE: submitted"), "{shown}");
    let (late, result, first): (bool, Option<i64>, String) = env
        .db()
        .query_row("SELECT late, result_id, submitted_at FROM interviews", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert!(late);
    assert_eq!(result, Some(1));

    let (code, again) = env.json(&["--content", c, "grade", ws, "--exercise", "toy", "--save"]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(again["result_id"], 2);
    assert!(again["interview"].is_null(), "a second grade is no new hand-in: {again}");
    let (result, submitted): (Option<i64>, String) = env
        .db()
        .query_row("SELECT result_id, submitted_at FROM interviews", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((result, submitted), (Some(1), first));
}

#[test]
fn bad_ratings_are_refused_with_the_valid_choices_and_nothing_is_stored() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    let ws = interview_and_fix(&env);
    env.run(&["--content", c, "submit", "--dir", ws.to_str().unwrap()]);

    let out = env.run(&["--content", c, "rate", "1", "--dimension", "charm", "--score", "3", "--note", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("rate one of: writing"), "{}", text(&out.stderr));
    let out = env.run(&["--content", c, "rate", "1", "--dimension", "writing", "--score", "7", "--note", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("from 1 to 4"), "{}", text(&out.stderr));
    let out = env.run(&["--content", c, "rate", "1", "--red-flag", "rude", "--note", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("raise one of: broke-things"), "{}", text(&out.stderr));
    let out = env.run(&["--content", c, "rate", "1"]);
    assert_eq!(out.status.code(), Some(2), "off a terminal the form is not offered");
    assert!(text(&out.stderr).contains("--dimension"), "{}", text(&out.stderr));
    let out = env.run(&["--content", c, "rate", "99", "--dimension", "writing", "--score", "3", "--note", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let n: i64 = env.db().query_row("SELECT count(*) FROM ratings", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);

    // A rater's red flag caps the result.
    let (code, rated) =
        env.json(&["--content", c, "rate", "1", "--red-flag", "broke-things", "--note", "deleted the file"]);
    assert_eq!(code, 0, "{rated}");
    assert_eq!(rated["grade"]["passed"], false);
    assert!(rated["grade"]["red_flags"][0]["source"].as_str().unwrap().starts_with("rater:"));
}

#[test]
fn a_new_hire_is_enrolled_and_sees_done_next_and_overdue_labs() {
    let env = Env::new();
    // Started long ago: every lab is overdue.
    let (code, e) = env.json(&["track", "start", "--candidate", "ada", "--start-date", "2020-01-01"]);
    assert_eq!(code, 0, "{e}");
    let out = env.run(&["track", "start", "--candidate", "ada"]);
    assert_eq!(out.status.code(), Some(2), "enrolling twice is refused");

    let (_, st) = env.json(&["track", "status", "--candidate", "ada"]);
    let tracks = st[0]["tracks"].as_array().unwrap();
    assert_eq!(tracks.iter().map(|t| t["track"].as_str().unwrap()).collect::<Vec<_>>(), ["day-30", "day-60", "day-90"]);
    assert_eq!(tracks[0]["labs"][0]["state"], "overdue");
    assert_eq!(tracks[0]["labs"][0]["due"], "2020-01-21");
    let out = env.run(&["track", "status"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("[--------------------] 0/3 labs"), "{shown}");
    assert!(shown.contains("OVERDUE"), "{shown}");

    // Reset to a future start: nothing is overdue, the first lab is next.
    let out = env.run(&["track", "reset", "--candidate", "ada", "--start-date", "2099-01-01"]);
    assert_eq!(out.status.code(), Some(2), "reset asks for confirmation off a terminal");
    let out = env.run(&["track", "reset", "--candidate", "ada", "--start-date", "2099-01-01", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (_, st) = env.json(&["track", "status", "--candidate", "ada"]);
    assert_eq!(st[0]["tracks"][0]["labs"][0]["state"], "next");
    assert_eq!(st[0]["tracks"][1]["labs"][0]["state"], "next");
    assert_eq!(st[0]["tracks"][1]["labs"][1]["state"], "upcoming");

    // Resume starts the first exercise of the earliest lab.
    let (code, started) = env.json(&["track", "resume", "--candidate", "ada", "--dir", "lab", "--seed", "3"]);
    assert_eq!(code, 0, "{started}");
    assert_eq!(started["exercise"], "tf-encrypt-cache-volume");

    let out = env.run(&["track", "status", "--candidate", "adda"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean ada?"), "{}", text(&out.stderr));
}

#[test]
fn a_tracks_file_naming_an_unknown_exercise_is_refused_with_its_place() {
    let env = Env::new();
    let content = env.path("content");
    copy_dir(&toy_content(), &content);
    fs_err::write(
        content.join("exercises/tracks.yaml"),
        "format: 1\ntracks:\n  - id: day-30\n    title: T\n    goal: G\n    labs:\n      - id: a\n        title: A\n        exercises: [toy, k8s-crashloop]\n        pass_mark: 70\n        due_day: 14\n",
    )
    .unwrap();
    let out = env.run(&["--content", content.to_str().unwrap(), "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("tracks.yaml:9:26"), "{err}");
    assert!(err.contains("unknown exercise"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs_err::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn export_and_import_move_everything_and_a_second_import_adds_nothing() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    let ws = interview_and_fix(&env);
    env.run(&["--content", c, "submit", "--dir", ws.to_str().unwrap()]);
    env.run(&["--content", c, "rate", "1", "--dimension", "writing", "--score", "3", "--note", "ok"]);
    env.run(&["track", "start", "--candidate", "ada"]);
    let out = env.run(&["export", "--out", "all.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let again = env.run(&["export", "--out", "all.json"]);
    assert_eq!(again.status.code(), Some(2), "an export never overwrites a file");

    let file = env.path("all.json");
    let file = file.to_str().unwrap();
    let first = env.run_in("other", &["--format", "json", "import", file]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let counts: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(counts["added"]["results"], 1, "{counts}");
    assert_eq!(counts["added"]["ratings"], 1, "{counts}");
    let second = env.run_in("other", &["--format", "json", "import", file]);
    let counts: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(counts["added"], serde_json::json!({}), "{counts}");

    let a = env.run_in("data", &["--format", "json", "--content", c, "interview", "scorecard", "1"]);
    let b = env.run_in("other", &["--format", "json", "--content", c, "interview", "scorecard", "1"]);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_slice(&a.stdout).unwrap(), serde_json::from_slice(&b.stdout).unwrap());
    assert_eq!(a["grade"], b["grade"]);
    assert_eq!(a["ratings"], b["ratings"]);
    assert_eq!(a["late"], b["late"]);

    fs_err::write(
        env.path("broken.json"),
        "{\n  \"kind\": \"faultline-export\",\n  \"version\": 1,\n  \"results\": 5\n}",
    )
    .unwrap();
    let out = env.run_in("other", &["import", env.path("broken.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("broken.json:"), "{}", text(&out.stderr));
}

#[test]
fn a_store_address_that_is_neither_postgres_nor_a_file_is_refused() {
    let env = Env::new();
    let out = env.run(&["--store", "mysql://root:pw@db/x", "results"]);
    assert_ne!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(err.contains("neither a PostgreSQL URL"), "{err}");
    assert!(!err.contains("pw"), "the password is not shown: {err}");
}

/// A fixed result with two raters, a rater's red flag, a note and a late submit.
fn fixed_scorecard_page() -> String {
    let card =
        faultline::catalog::Catalog::load(&faultline::catalog::ContentSource::resolve(Some(toy_content().as_path())))
            .unwrap()
            .scorecards["toy-card"]
            .clone();
    let grade = Grade {
        exercise: "toy".into(),
        candidate: "ada".into(),
        seed: 7,
        scorecard: "toy-card".into(),
        score: 100.0,
        passed: true,
        pass_mark: 70.0,
        level: Some("meets".into()),
        is_final: false,
        mode: "submit".into(),
        dimensions: vec![
            DimensionScore {
                id: "config".into(),
                title: "Configuration".into(),
                weight: 60,
                score: Some(100.0),
                rated_by: RatedBy::Checks,
                status: DimensionStatus::Scored,
                points: 5.0,
                max_points: 5.0,
            },
            DimensionScore {
                id: "writing".into(),
                title: "Writing".into(),
                weight: 40,
                score: None,
                rated_by: RatedBy::Person,
                status: DimensionStatus::AwaitingRating,
                points: 0.0,
                max_points: 0.0,
            },
        ],
        checks: vec![CheckResult {
            id: "debug-off".into(),
            title: "Debug is off".into(),
            kind: "regex".into(),
            scenario: "files/toy".into(),
            status: CheckStatus::Passed,
            points: 5.0,
            max_points: 5.0,
            dimension: "config".into(),
            hidden: false,
            required: false,
            red_flag: None,
            message: String::new(),
            evidence: vec![Evidence::at("app.conf", 2, "debug = false")],
        }],
        red_flags: vec![],
        hints_used: vec![HintUse { number: 1, cost: 5.0 }],
        hint_penalty: 5.0,
        infra_errors: 0,
    };
    let result = ResultRecord {
        id: 12,
        session_id: Some("s-1".into()),
        candidate: "ada".into(),
        exercise: "toy".into(),
        seed: 7,
        started_at: Some(datetime!(2026-11-27 09:00 UTC)),
        submitted_at: datetime!(2026-11-27 09:12 UTC),
        hints_used: 1,
        score: 100.0,
        passed: true,
        grade,
        workspace: None,
        diff: None,
        stored_at: datetime!(2026-11-27 09:12 UTC),
    };
    let rating = |id: &str, rater: &str, score: Option<u32>, flag: Option<&str>, note: &str| Rating {
        id: id.into(),
        result_id: 12,
        dimension: score.map(|_| "writing".into()),
        score,
        red_flag: flag.map(Into::into),
        note: note.into(),
        rater: rater.into(),
        rated_at: datetime!(2026-11-27 09:30 UTC),
    };
    let ratings = [
        rating("a", "grace", Some(3), None, "explained the fix plainly"),
        rating("b", "alan", Some(2), None, "notes were thin"),
        rating("c", "alan", None, Some("broke-things"), "removed a file to pass"),
    ];
    let iv = InterviewRecord {
        session_id: "s-1".into(),
        candidate: "ada".into(),
        exercise: "toy".into(),
        interviewer: Some("grace".into()),
        started_at: datetime!(2026-11-27 09:00 UTC),
        time_box_minutes: 10,
        result_id: Some(12),
        submitted_at: Some(datetime!(2026-11-27 09:12 UTC)),
        late: true,
    };
    let notes = vec![NoteRecord {
        id: "n".into(),
        target: "result:12".into(),
        author: "grace".into(),
        text: "asked about the blast radius first".into(),
        written_at: datetime!(2026-11-27 09:20 UTC),
    }];
    let sc = scorecard(ScorecardInput {
        result: &result,
        exercise_title: "Toy exercise",
        time_box_minutes: 10,
        card: &card,
        ratings: &ratings,
        interview: Some(&iv),
        notes,
        diff: Ok("--- a/app.conf\n+++ b/app.conf\n@@ -1,2 +1,2 @@\n name = toy\n-debug = true\n+debug = false\n".into()),
    });
    faultline::report::interview::render(&sc, &card, Style::plain())
}

#[test]
fn the_interview_scorecard_page_matches_its_snapshot() {
    insta::assert_snapshot!("interview-scorecard", fixed_scorecard_page());
}

#[test]
fn on_a_terminal_rate_asks_per_person_rated_dimension_and_stores_the_answers() {
    // `script` gives the command a pseudo-terminal, as a person at a keyboard has.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipping: `script` (util-linux) is not installed, so no terminal can be simulated");
        return;
    }
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    let ws = interview_and_fix(&env);
    env.run(&["--content", c, "submit", "--dir", ws.to_str().unwrap()]);
    let line = format!("{} --content {c} rate 1 --rater grace", env!("CARGO_BIN_EXE_faultline"));
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("FAULTLINE_DATA_DIR", env.path("data"))
        .env("NO_COLOR", "1")
        .current_dir(env.tmp.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"3\nclear notes\n\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let shown = text(&out.stdout);
    assert!(shown.contains("Meeting the bar: Writes clearly."), "{shown}");
    assert!(shown.contains("Stored 1 rating(s) of result 1 by grace"), "{shown}");
    let (dimension, score, note): (String, i64, String) = env
        .db()
        .query_row("SELECT dimension, score, note FROM ratings", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert_eq!((dimension.as_str(), score, note.as_str()), ("writing", 3, "clear notes"));
}
