//! `faultline report` end to end: results are submitted through the real binary, then
//! reported on per candidate and per cohort in several formats.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn toy_content() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/valid").display().to_string()
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
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(["--content", &toy_content()])
            .args(args)
            .env("FAULTLINE_DATA_DIR", self.path("data"))
            .env("NO_COLOR", "1")
            .env_remove("FAULTLINE_CANDIDATE")
            .current_dir(self.tmp.path())
            .output()
            .unwrap()
    }
    /// Runs and returns (exit code, stdout, stderr).
    fn text(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.run(args);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
    /// Starts `exercise` for `candidate`, optionally fixes it, and submits.
    fn attempt(&self, exercise: &str, candidate: &str, seed: &str, fix: bool) {
        let dir = format!("{exercise}-{candidate}-{seed}");
        let (code, _, err) = self.text(&["start", exercise, "--candidate", candidate, "--seed", seed, "--dir", &dir]);
        assert_eq!(code, 0, "{err}");
        if fix {
            let conf = self.path(&dir).join("app.conf");
            let text = fs_err::read_to_string(&conf).unwrap().replace("debug = true", "debug = false");
            fs_err::write(&conf, text).unwrap();
        }
        let (code, _, err) = self.text(&["submit", "--dir", &dir]);
        assert_eq!(code, if fix { 0 } else { 1 }, "{err}");
    }
}

/// ada fixes `toy` on her second try and leaves `toy-two` broken; bob only submits a
/// broken `toy`.
fn cohort() -> Env {
    let env = Env::new();
    env.attempt("toy", "ada", "1", false);
    env.attempt("toy", "ada", "2", true);
    env.attempt("toy-two", "ada", "3", false);
    env.attempt("toy", "bob", "4", false);
    env
}

#[test]
fn reports_cover_results_submitted_through_the_cli() {
    let env = cohort();

    let (code, out, err) = env.text(&["report", "candidate", "ada"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Candidate report: ada\n"), "{out}");
    assert!(out.contains("3 result(s) on 2 exercise(s), 1 passed on the latest attempt"), "{out}");
    assert!(out.contains("Toy exercise"), "exercise titles come from the content:\n{out}");
    assert!(!out.contains('\x1b'), "NO_COLOR is respected");

    let (code, out, err) = env.text(&["--format", "json", "report", "candidate", "ada"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let timeline = v["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 3);
    let exercises: Vec<&str> = timeline.iter().map(|t| t["exercise"].as_str().unwrap()).collect();
    assert_eq!(exercises, ["toy", "toy", "toy-two"]);
    assert_eq!(timeline[0]["passed"], false);
    assert_eq!(timeline[1]["passed"], true);
    assert_eq!(timeline[1]["kind"], "lab", "the session's mode");
    assert!(timeline[1]["minutes"].as_f64().unwrap() >= 0.0, "start and submit times are known");

    let (code, out, err) = env.text(&["report", "cohort", "--exercise", "toy,toy-two"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 candidate(s), 4 result(s)"), "{out}");
    assert!(out.contains("ada: toy-two not passed"), "{out}");
    assert!(out.contains("bob: toy not passed"), "{out}");
    assert!(out.contains("toy-two not submitted"), "bob never started toy-two:\n{out}");

    let (code, out, err) = env.text(&["--format", "csv", "report", "cohort"]);
    assert_eq!(code, 0, "{err}");
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let names: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(names, ["ada", "bob"]);

    let page = env.path("cohort.html");
    let (code, out, err) = env.text(&["--format", "html", "report", "cohort", "--out", page.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "the page goes to the file, not stdout");
    assert!(err.contains("cohort.html"), "{err}");
    let html = fs_err::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"), "{html}");

    let (code, out, err) = env.text(&["--format", "junit", "report", "candidate", "bob"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("<testsuites") && out.contains("<failure"), "{out}");

    let (code, out, _) = env.text(&["report", "cohort", "--since", "2999-01-01"]);
    assert_eq!(code, 0);
    assert!(out.contains("No results in scope."), "{out}");
}

#[test]
fn an_unknown_candidate_is_refused_with_close_names() {
    let env = cohort();
    let (code, out, err) = env.text(&["report", "candidate", "adaa"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("no results for candidate `adaa`; did you mean `ada`?"), "{err}");

    let (code, _, err) = env.text(&["report", "candidate", "someone-else"]);
    assert_eq!(code, 2);
    assert!(err.contains("stored candidates: `ada`, `bob`"), "{err}");
}

#[test]
fn bad_report_arguments_exit_2_with_the_reason() {
    let env = Env::new();
    let (code, _, err) = env.text(&["report", "cohort", "--since", "yesterday"]);
    assert_eq!(code, 2);
    assert!(err.contains("YYYY-MM-DD"), "{err}");

    // The toy content has no tracks file.
    let (code, _, err) = env.text(&["report", "cohort", "--track", "day-30"]);
    assert_eq!(code, 2);
    assert!(err.contains("no track named `day-30`") && err.contains("--exercise"), "{err}");

    let (code, _, err) = env.text(&["--format", "html", "list"]);
    assert_eq!(code, 2, "a report-only format elsewhere is refused, not ignored");
    assert!(err.contains("--format html is for `faultline report` only"), "{err}");

    let (code, _, err) = env.text(&["report", "candidate", "ada"]);
    assert_eq!(code, 2);
    assert!(err.contains("the store holds no results yet"), "{err}");
}

#[test]
fn a_cohort_report_by_track_covers_that_tracks_labs() {
    let env = Env::new();
    let embedded = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(args)
            .env("FAULTLINE_DATA_DIR", env.path("data"))
            .env("NO_COLOR", "1")
            .env_remove("FAULTLINE_CONTENT")
            .current_dir(env.tmp.path())
            .output()
            .unwrap()
    };
    let out = embedded(&["report", "cohort", "--track", "day-99"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the tracks are: day-30, day-60, day-90"), "{err}");

    let out = embedded(&["--format", "json", "report", "cohort", "--track", "day-90"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scope: Vec<&str> = v["scope"]["exercises"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(scope.contains(&"k8s-troubleshooting") && scope.contains(&"ci-pin-actions"), "{scope:?}");
    assert!(!scope.contains(&"tf-encrypt-cache-volume"), "a day-30 lab is not in the day-90 track: {scope:?}");
}
