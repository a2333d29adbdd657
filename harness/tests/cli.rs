//! The `faultline` binary end to end: a candidate's path from `start` to a stored
//! result, and the ways bad input is refused. Each test uses its own data folder
//! and workspace in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }
    fn path(&self, p: &str) -> PathBuf {
        self.tmp.path().join(p)
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
        c.args(args)
            .env("FAULTLINE_DATA_DIR", self.data())
            .env("NO_COLOR", "1")
            .env_remove("FAULTLINE_CONTENT")
            .env_remove("FAULTLINE_CANDIDATE")
            .current_dir(self.tmp.path());
        c
    }
    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }
    fn json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        let out = self.run(&a);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}\n{}", text(&out.stdout), text(&out.stderr)));
        (out.status.code().unwrap_or(-1), v)
    }
    /// Output with the temp folder replaced by `[TMP]`.
    fn redact(&self, s: &str) -> String {
        let root = self.tmp.path().canonicalize().unwrap();
        s.replace(&root.display().to_string(), "[TMP]").replace(&self.tmp.path().display().to_string(), "[TMP]")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

#[test]
fn a_candidate_goes_from_start_to_a_stored_result() {
    let env = Env::new();
    let content = toy_content();
    let c = content.to_str().unwrap();
    let (code, started) =
        env.json(&["--content", c, "start", "toy", "--candidate", "ada", "--seed", "7", "--dir", "ws"]);
    assert_eq!(code, 0, "{started}");
    let ws = env.path("ws");

    // A real repository: main holds the base, the branch holds the fault.
    let branch = started["branch"].as_str().unwrap().to_string();
    assert!(branch.starts_with("fix/"), "{branch}");
    assert_eq!(git(&ws, &["rev-parse", "--abbrev-ref", "HEAD"]), branch);
    assert_eq!(git(&ws, &["log", "--format=%s", "main..HEAD"]).lines().count(), 1);
    assert!(git(&ws, &["show", "main:app.conf"]).contains("debug = false"));
    assert!(fs_err::read_to_string(ws.join("app.conf")).unwrap().contains("debug = true"));
    // Nothing in the working tree gives the checks or the solution away.
    let listed = git(&ws, &["ls-files"]);
    assert_eq!(listed, "app.conf");

    let (code, checked) = env.json(&["--content", c, "check", "--dir", "ws"]);
    assert_eq!(code, 1, "a failing visible check exits 1");
    assert_eq!(checked["grade"]["mode"], "check");
    assert_eq!(checked["next_hint"]["number"], 1);

    let (code, hint) = env.json(&["--content", c, "hint", "--dir", "ws"]);
    assert_eq!(code, 0);
    assert_eq!(hint["text"], "Look at the debug setting.");

    // Fix it the way a candidate would, then submit.
    let conf = fs_err::read_to_string(ws.join("app.conf")).unwrap().replace("debug = true", "debug = false");
    fs_err::write(ws.join("app.conf"), conf).unwrap();
    let (code, submitted) = env.json(&["--content", c, "submit", "--dir", "ws"]);
    assert_eq!(code, 0, "{submitted}");
    let grade = &submitted["grade"];
    assert_eq!(grade["exercise"], "toy");
    assert_eq!(grade["candidate"], "ada");
    assert_eq!(grade["seed"], 7);
    assert_eq!(grade["score"], 95.0, "100 less the 5-point hint");
    assert_eq!(grade["passed"], true);
    assert_eq!(grade["red_flags"], serde_json::json!([]));
    let dims = grade["dimensions"].as_array().unwrap();
    assert_eq!(dims.iter().find(|d| d["id"] == "writing").unwrap()["status"], "awaiting-rating");
    for c in grade["checks"].as_array().unwrap() {
        for key in ["id", "status", "points", "max_points", "dimension", "hidden", "message"] {
            assert!(c.get(key).is_some(), "check lacks {key}: {c}");
        }
    }

    let (code, results) = env.json(&["results", "--candidate", "ada"]);
    assert_eq!(code, 0);
    let rows = results.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["hints_used"], 1);
    assert_eq!(rows[0]["score"], 95.0);
}

#[test]
fn two_candidates_get_different_files_and_the_same_seed_the_same_files() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    for (dir, seed) in [("a", "1"), ("b", "2"), ("c", "1")] {
        let out = env.run(&["--content", c, "start", "toy", "--seed", seed, "--dir", dir, "--candidate", dir]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let read = |d: &str| fs_err::read_to_string(env.path(d).join("app.conf")).unwrap();
    assert_ne!(read("a"), read("b"));
    assert_eq!(read("a"), read("c"));
}

#[test]
fn grading_a_workspace_made_for_another_exercise_is_refused() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    assert!(env.run(&["--content", c, "start", "toy", "--dir", "ws"]).status.success());
    let out = env.run(&["--content", c, "grade", "ws", "--exercise", "toy-two"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("made for exercise `toy`, not `toy-two`"), "{}", text(&out.stderr));
}

#[test]
fn an_edited_session_file_is_detected() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    assert!(env.run(&["--content", c, "start", "toy", "--seed", "3", "--dir", "ws"]).status.success());
    let marker = env.path("ws/.git/faultline/session.json");
    let text_before = fs_err::read_to_string(&marker).unwrap();
    fs_err::write(&marker, text_before.replace("\"seed\": 3", "\"seed\": 4")).unwrap();
    let out = env.run(&["--content", c, "check", "--dir", "ws"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("was edited"), "{}", text(&out.stderr));
}

#[test]
fn symlinks_pointing_outside_the_workspace_are_not_followed() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    assert!(env.run(&["--content", c, "start", "toy", "--dir", "ws"]).status.success());
    fs_err::write(env.path("outside.conf"), "debug = false\n").unwrap();
    let ws = env.path("ws");
    fs_err::remove_file(ws.join("app.conf")).unwrap();
    std::os::unix::fs::symlink(env.path("outside.conf"), ws.join("app.conf")).unwrap();
    let (code, checked) = env.json(&["--content", c, "check", "--dir", "ws"]);
    assert_eq!(code, 1, "the link is not read, so the check still fails: {checked}");
    let skipped = checked["skipped_files"].as_array().unwrap();
    assert_eq!(skipped[0]["path"], "app.conf");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("not followed"));
}

#[test]
fn a_missing_git_is_reported_as_an_environment_problem() {
    let env = Env::new();
    let out = env
        .cmd(&["start", "terraform-review", "--dir", "ws"])
        .env("FAULTLINE_GIT", "/nonexistent/git")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("git is not installed"), "{}", text(&out.stderr));
}

#[test]
fn an_unwritable_data_folder_is_named_in_the_error() {
    let env = Env::new();
    fs_err::write(env.path("file"), "not a folder").unwrap();
    let out = env
        .cmd(&["start", "terraform-review", "--dir", "ws"])
        .env("FAULTLINE_DATA_DIR", env.path("file/data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(env.redact(&text(&out.stderr)).contains("[TMP]/file/data"), "{}", text(&out.stderr));
}

#[test]
fn an_unknown_exercise_suggests_close_names() {
    let env = Env::new();
    let out = env.run(&["start", "terraform-reveiw"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `terraform-review`"), "{}", text(&out.stderr));
}

#[test]
fn concurrent_submits_from_several_processes_are_all_stored() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    assert!(env.run(&["--content", c, "start", "toy", "--dir", "ws"]).status.success());
    let children: Vec<_> =
        (0..6).map(|_| env.cmd(&["--content", c, "submit", "--dir", "ws"]).spawn().unwrap()).collect();
    for mut ch in children {
        let _ = ch.wait().unwrap();
    }
    let (_, results) = env.json(&["results"]);
    assert_eq!(results.as_array().unwrap().len(), 6);
}

#[test]
fn the_catalog_listing_matches_its_snapshot() {
    let env = Env::new();
    let out = env.run(&["list"]);
    assert!(out.status.success());
    insta::assert_snapshot!("list", text(&out.stdout));
}

#[test]
fn start_prints_the_brief_and_time_box() {
    let env = Env::new();
    let c = toy_content();
    let out = env.run(&[
        "--content",
        c.to_str().unwrap(),
        "start",
        "toy",
        "--seed",
        "5",
        "--dir",
        "ws",
        "--candidate",
        "ada",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    insta::assert_snapshot!("start-toy", env.redact(&text(&out.stdout)));
}

#[test]
fn the_review_exercise_check_output_matches_its_snapshot() {
    let env = Env::new();
    let out = env.run(&["start", "terraform-review", "--candidate", "ada", "--seed", "11", "--dir", "ws"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = env.run(&["check", "--dir", "ws", "--no-tools"]);
    assert_eq!(out.status.code(), Some(0), "parses and nothing visible fails: {}", text(&out.stdout));
    insta::assert_snapshot!("review-check", env.redact(&text(&out.stdout)));
}

#[test]
fn grading_the_untouched_review_shows_every_planted_risk_with_evidence() {
    let env = Env::new();
    assert!(env
        .run(&["start", "terraform-review", "--candidate", "ada", "--seed", "11", "--dir", "ws"])
        .status
        .success());
    let out = env.run(&["grade", "ws", "--exercise", "terraform-review", "--no-tools"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("review-grade-broken", env.redact(&text(&out.stdout)));
}

#[test]
fn a_candidate_file_that_is_not_valid_hcl_fails_with_the_parser_location() {
    let env = Env::new();
    assert!(env.run(&["start", "terraform-review", "--seed", "2", "--dir", "ws"]).status.success());
    fs_err::write(env.path("ws/bastion.tf"), "resource \"aws_instance\" \"bastion\" {\n  ami = \n}\n").unwrap();
    let (code, v) = env.json(&["grade", "ws", "--exercise", "terraform-review", "--no-tools"]);
    assert_eq!(code, 1);
    let parses = v["grade"]["checks"].as_array().unwrap().iter().find(|c| c["id"] == "config-parses").unwrap().clone();
    assert_eq!(parses["status"], "failed");
    let ev = &parses["evidence"][0];
    assert_eq!(ev["file"], "bastion.tf");
    assert!(ev["text"].as_str().unwrap().contains("does not parse (bastion.tf:"), "{ev}");
}

#[test]
fn the_demo_applies_the_reference_fix_and_stores_a_full_score() {
    let env = Env::new();
    let (code, v) = env.json(&["demo", "--no-tools"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["grade"]["score"], 100.0);
    assert_eq!(v["grade"]["passed"], true);
    let (_, results) = env.json(&["results"]);
    assert_eq!(results[0]["id"], v["result_id"]);
}

#[test]
fn reset_restores_the_start_and_keeps_the_previous_work_on_a_backup_branch() {
    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    assert!(env.run(&["--content", c, "start", "toy", "--dir", "ws"]).status.success());
    let ws = env.path("ws");
    let start = fs_err::read_to_string(ws.join("app.conf")).unwrap();
    fs_err::write(ws.join("app.conf"), "my edit\n").unwrap();
    fs_err::write(ws.join("notes.txt"), "keep me\n").unwrap();

    // Without a terminal and without --yes nothing happens.
    let out = env.cmd(&["--content", c, "reset", "--dir", "ws"]).stdin(std::process::Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs_err::read_to_string(ws.join("app.conf")).unwrap(), "my edit\n");

    let (code, v) = env.json(&["--content", c, "reset", "--dir", "ws", "--yes"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(fs_err::read_to_string(ws.join("app.conf")).unwrap(), start);
    assert!(!ws.join("notes.txt").exists());
    let backup = v["backup_branch"].as_str().unwrap();
    assert_eq!(git(&ws, &["show", &format!("{backup}:app.conf")]), "my edit");
    assert_eq!(git(&ws, &["show", &format!("{backup}:notes.txt")]), "keep me");
}

#[test]
fn watch_rechecks_when_a_file_is_saved() {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    let env = Env::new();
    let c = toy_content();
    let c = c.to_str().unwrap();
    assert!(env.run(&["--content", c, "start", "toy", "--dir", "ws"]).status.success());
    let mut child = env
        .cmd(&["--content", c, "watch", "--dir", "ws"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |needle: &str| -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(line) if line.contains(needle) => return true,
                _ => {}
            }
        }
        false
    };
    let first = wait_for("FAIL debug-off");
    let conf = fs_err::read_to_string(env.path("ws/app.conf")).unwrap().replace("debug = true", "debug = false");
    fs_err::write(env.path("ws/app.conf"), conf).unwrap();
    let second = first && wait_for("PASS debug-off");
    let _ = child.kill();
    let _ = child.wait();
    assert!(first, "watch ran no first check");
    assert!(second, "watch did not re-check after the file was saved");
}

#[test]
fn lint_picks_the_kubernetes_rules_for_a_folder_of_manifests() {
    let env = Env::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint-k8s");
    let broken = fixtures.join("selector-mismatch/broken");
    let (code, v) = env.json(&["lint", broken.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    let classes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["class"].as_str().unwrap()).collect();
    assert_eq!(classes, ["k8s.selector-mismatch", "k8s.selector-mismatch"]);
    assert_eq!(v["findings"][1]["subject"], "Service/web");
    assert!(v["findings"][1]["file"].as_str().unwrap().ends_with("service.yaml"));
    assert_eq!(v["findings"][1]["line"], 7);

    // Asked for Terraform only, the same folder has nothing to say.
    let out = env.run(&["lint", "--family", "terraform", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("No findings."));

    // A manifest that is not YAML: bad input, named by file, line and column.
    let out = env.run(&["lint", fixtures.join("parse-error").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("parse-error/bad.yaml:6:8: not valid YAML"), "{err}");
    assert!(err.contains("parse-error/nokind.yaml:1:1: not a Kubernetes object"), "{err}");
}
