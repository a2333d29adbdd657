//! Pipelines: parsing with positions, the ci.* lint classes on fixture files, and
//! the runner in real containers (skipped only when Docker or the runner image is
//! absent) and as local processes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use faultline::model::{Finding, Snapshot};
use faultline::pipeline::{parse_workflow, plan, Dialect, StepAction};
use faultline::runner::pipeline::{self as pr, Backend, JobStatus, RunOptions, StepStatus};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pipelines")
}

/// A fixture folder read the way a workspace is graded.
fn snapshot(dir: &Path) -> Snapshot {
    faultline::workspace::snapshot(dir).expect("fixture folder is readable").0
}

#[test]
fn github_workflow_parses_with_positions_needs_and_steps() {
    let text = std::fs::read_to_string(fixtures().join("lint/bad/.github/workflows/ci.yml")).unwrap();
    let (wf, issues) = parse_workflow("ci.yml", &text, Dialect::GitHub).unwrap();
    assert_eq!(wf.triggers, ["push", "issues"]);
    let publish = wf.job("publish").unwrap();
    assert_eq!(publish.pos.line, 12);
    assert_eq!(publish.needs[0].value, "test");
    let StepAction::Run { script, .. } = &publish.steps[1].action else { panic!("run step expected") };
    assert!(script.value.contains("docker push"));
    assert_eq!(publish.steps[1].pos.line, 19);
    let rules: Vec<(&str, usize)> = issues.iter().map(|i| (i.rule, i.pos.line)).collect();
    assert_eq!(rules, [("unknown-key", 32), ("unknown-need", 28)]);
    assert_eq!(plan::order(&wf).unwrap(), ["test", "publish", "triage", "deploy", "release"]);
}

#[test]
fn gitlab_file_applies_extends_stages_and_reports_undeclared_stages() {
    let text = std::fs::read_to_string(fixtures().join("gitlab/.gitlab-ci.yml")).unwrap();
    let (wf, issues) = parse_workflow(".gitlab-ci.yml", &text, Dialect::GitLab).unwrap();
    let build = wf.job("build").unwrap();
    let StepAction::Run { script, lines, .. } = &build.steps[0].action else { panic!() };
    assert!(script.value.starts_with("echo \"base for"), "before_script from .base comes first: {}", script.value);
    assert_eq!(lines[0].pos.line, 6);
    assert_eq!(build.artifact_paths, ["dist/"]);
    assert_eq!(plan::dependencies(&wf, wf.job("test").unwrap()), ["build"]);
    assert_eq!(plan::dependencies(&wf, wf.job("deploy").unwrap()), ["build"]);
    assert!(issues.iter().any(|i| i.rule == "unknown-stage" && i.pos.line == 27));
    assert!(issues.iter().any(|i| i.rule == "unknown-key" && i.message.contains("did you mean `artifacts`")));
    let services: Vec<(&str, usize)> =
        wf.job("lint").unwrap().services.iter().map(|s| (s.value.as_str(), s.pos.line)).collect();
    assert_eq!(services, [("redis:7", 30), ("postgres:16", 30)]);
}

#[test]
fn lint_bad_fixture_hits_every_github_class_at_its_line() {
    let snap = snapshot(&fixtures().join("lint/bad"));
    let report = faultline::rules::pipeline::lint(&snap, None, ".");
    let got: Vec<(String, usize, String)> =
        report.findings.iter().map(|f| (f.class.clone(), f.line, f.subject.clone())).collect();
    for want in [
        ("ci.broad-permissions", 3, "workflow"),
        ("ci.hardcoded-secret", 5, "workflow"),
        ("ci.unpinned-action", 18, "jobs.publish.steps[0]"),
        ("ci.secret-echo", 20, "jobs.publish.steps[1]"),
        ("ci.script-injection", 25, "jobs.triage.steps[0]"),
        ("ci.missing-gate", 26, "jobs.deploy"),
        ("ci.schema", 28, "jobs.deploy"),
        ("ci.undefined-secret", 34, "jobs.release"),
    ] {
        assert!(got.iter().any(|(c, l, s)| c == want.0 && *l == want.1 && s == want.2), "missing {want:?} in {got:#?}");
    }
}

#[test]
fn lint_good_fixture_is_clean_and_a_known_store_flags_unknown_secrets() {
    let snap = snapshot(&fixtures().join("lint/good"));
    let report = faultline::rules::pipeline::lint(&snap, None, ".");
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let settings = faultline::rules::pipeline::Settings { known_secrets: Some(vec!["REGISTRY_TOKEN".into()]) };
    let report = faultline::rules::pipeline::lint_with(&snap, ".", &settings);
    let undefined: Vec<&str> =
        report.findings.iter().filter(|f| f.class == "ci.undefined-secret").map(|f| f.subject.as_str()).collect();
    assert_eq!(undefined, ["jobs.deploy.steps[0]"]);
}

#[test]
fn invalid_yaml_is_a_problem_with_file_line_and_column() {
    let mut snap = Snapshot::new();
    snap.insert(".github/workflows/ci.yml", "on: push\njobs:\n  a: [\n");
    let report = faultline::rules::pipeline::lint(&snap, None, ".");
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].file, ".github/workflows/ci.yml");
    assert!(report.problems[0].line >= 3, "{:?}", report.problems[0]);
}

// ---------------------------------------------------------------- runner

fn runner_fixture() -> PathBuf {
    fixtures().join("runner")
}

/// The container backend, or `None` (with the reason printed) when Docker or the image is absent.
fn container_backend() -> Option<Backend> {
    let status = pr::docker_status();
    if !status.available {
        eprintln!("skipping: Docker not available ({})", status.detail);
        return None;
    }
    let image = pr::resolve_image(None);
    if !pr::image_present(&image).unwrap_or(false) {
        eprintln!("skipping: runner image {image} missing (scripts/build-runner-image.sh)");
        return None;
    }
    Some(Backend::Container { image })
}

fn run_job(backend: Backend, job: &str) -> pr::RunReport {
    let mut opts = RunOptions::new(runner_fixture(), ".github/workflows/limits.yml", backend);
    opts.jobs = vec![job.to_string()];
    opts.secrets.insert("REGISTRY_TOKEN".into(), "s3cr3t-value-123".into());
    opts.limits.output_limit = 16 * 1024;
    opts.limits.step_timeout = Duration::from_secs(60);
    pr::run(&opts).unwrap()
}

fn step_of<'r>(r: &'r pr::RunReport, job: &str) -> &'r pr::StepReport {
    let j = r.jobs.iter().find(|j| j.id == job).unwrap();
    j.steps.iter().find(|s| s.status != StepStatus::Skipped).unwrap()
}

fn limits_hold(backend: Backend, isolated: bool) {
    let slow = run_job(backend.clone(), "slow");
    assert!(!slow.succeeded());
    assert_eq!(step_of(&slow, "slow").status, StepStatus::TimedOut, "{}", slow.log());
    assert!(slow.failure_summary().contains("timed out"), "{}", slow.failure_summary());

    let chatty = run_job(backend.clone(), "chatty");
    let s = step_of(&chatty, "chatty");
    assert!(s.truncated);
    assert!(s.log.len() < 20 * 1024, "kept {} bytes", s.log.len());
    assert!(s.log.contains("bytes of output dropped"));

    let net = run_job(backend.clone(), "network");
    assert_eq!(net.jobs[0].status, JobStatus::Failure, "{}", net.log());

    let secret = run_job(backend, "secret");
    assert!(secret.succeeded(), "{}", secret.log());
    let log = serde_json::to_string(&secret).unwrap() + &secret.log();
    assert!(!log.contains("s3cr3t-value-123"), "secret leaked: {log}");
    assert!(log.contains("the token is ***"), "{log}");
    assert_eq!(secret.isolated, isolated);
}

#[test]
fn container_steps_are_limited_and_secrets_masked() {
    let Some(backend) = container_backend() else { return };
    limits_hold(backend, true);
}

#[test]
fn container_steps_cannot_escape_the_workspace() {
    let Some(backend) = container_backend() else { return };
    let marker = Path::new("/faultline-escape-marker");
    let _ = std::fs::remove_file(marker);
    let host_only = std::env::temp_dir().join("faultline-host-only-probe");
    std::fs::write(&host_only, "host").unwrap();
    let mut opts = RunOptions::new(runner_fixture(), ".github/workflows/limits.yml", backend);
    opts.jobs = vec!["escape".into()];
    let r = pr::run(&opts).unwrap();
    assert!(r.succeeded(), "{}", r.log());
    assert!(!marker.exists(), "a write to / inside the container reached the host");
    // The repository itself is untouched: the job ran in a copy.
    assert!(!runner_fixture().join("dist").exists());
}

#[test]
fn container_artifacts_and_outputs_pass_between_jobs() {
    let Some(backend) = container_backend() else { return };
    let r = run_job(backend, "deploy");
    assert!(r.succeeded(), "{}", r.log());
    let deploy = r.jobs.iter().find(|j| j.id == "deploy").unwrap();
    assert!(deploy.steps[1].log.contains("deploying v7"), "{}", r.log());
}

/// Ctrl-C while a step runs: `faultline pipeline run` removes the job's container
/// before it exits (with 130, as a shell reports SIGINT).
#[test]
fn ctrl_c_during_a_step_removes_its_container() {
    if container_backend().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&runner_fixture(), &repo);
    // A token only this run's workspace holds, to tell its container from others'.
    let token = format!("ctrl-c-{}-{}", std::process::id(), rand_suffix());
    std::fs::write(repo.join("token.txt"), &token).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["--data-dir", tmp.path().join("data").to_str().unwrap(), "--no-color", "pipeline", "run"])
        .args(["--dir", repo.to_str().unwrap(), "--workflow", ".github/workflows/limits.yml", "--job", "hang"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let docker = |args: &[&str]| std::process::Command::new("docker").args(args).output().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let container = loop {
        assert!(std::time::Instant::now() < deadline, "the job's container never appeared");
        let listed = docker(&["ps", "-q", "--filter", "label=faultline.pipeline=1"]);
        let found = String::from_utf8_lossy(&listed.stdout).split_whitespace().map(str::to_string).find(|id| {
            let cat = docker(&["exec", id, "cat", "/workspace/token.txt"]);
            String::from_utf8_lossy(&cat.stdout).trim() == token
        });
        if let Some(id) = found {
            break id;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // Let the step start, then interrupt as a terminal would.
    std::thread::sleep(Duration::from_millis(500));
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let inspect = docker(&["inspect", &container]);
    assert!(!inspect.status.success(), "container {container} is still there after Ctrl-C");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish()
}

/// A job's service containers and image cannot be had offline: the run says so
/// with their lines (in the log, and as evidence for the services) instead of
/// pretending they were there.
#[test]
fn services_and_job_images_are_reported_as_not_available_offline() {
    let mut opts = RunOptions::new(runner_fixture(), ".github/workflows/services.yml", Backend::Local);
    opts.jobs = vec!["integration".into()];
    let r = pr::run(&opts).unwrap();
    assert!(r.succeeded(), "{}", r.log());
    let offline = &r.jobs[0].offline;
    assert_eq!(offline.len(), 2, "{offline:?}");
    assert!(
        offline[0].starts_with("service `postgres` (.github/workflows/services.yml:10) is not started"),
        "{offline:?}"
    );
    assert!(
        offline[1].starts_with("image `python:3.12` (.github/workflows/services.yml:8) is not pulled"),
        "{offline:?}"
    );
    assert!(r.log().contains("offline: service `postgres`"), "{}", r.log());
    let evidence: Vec<String> = r.evidence().iter().map(|e| e.text.clone()).collect();
    assert!(evidence.iter().any(|e| e.contains("service `postgres`")), "{evidence:?}");
}

#[test]
fn local_steps_have_the_same_limits_and_say_they_are_not_isolated() {
    limits_hold(Backend::Local, false);
}

#[test]
fn gitlab_pipeline_runs_locally_with_artifacts_between_stages() {
    let mut opts = RunOptions::new(fixtures().join("gitlab"), ".gitlab-ci.yml", Backend::Local);
    opts.jobs = vec!["test".into()];
    let r = pr::run(&opts).unwrap();
    assert!(r.succeeded(), "{}", r.log());
    assert_eq!(r.jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["build", "test"]);
}

#[test]
fn an_action_that_cannot_run_offline_fails_with_its_line() {
    let snap_dir = tempfile::tempdir().unwrap();
    let wf = snap_dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(
        wf.join("ci.yml"),
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: someone/thing@v1\n",
    )
    .unwrap();
    let r = pr::run(&RunOptions::new(snap_dir.path(), ".github/workflows/ci.yml", Backend::Local)).unwrap();
    assert!(!r.succeeded());
    let s = &r.jobs[0].steps[0];
    assert_eq!(s.status, StepStatus::NotRunnable);
    assert!(s.log.contains("ci.yml:6"), "{}", s.log);
}

/// Inside a workspace, `faultline pipeline run` injects the exercise's own secret store:
/// the reference fix of the registry-login lab passes with no `--secret` given, and the
/// broken start still fails for its real reason.
#[test]
fn pipeline_run_in_a_workspace_uses_the_exercise_secret_store() {
    if which_python().is_none() {
        eprintln!("skipping: python3 is not installed (the fixture app's toolchain)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let ws = tmp.path().join("ws");
    let faultline = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(["--data-dir", data.to_str().unwrap(), "--no-color"])
            .args(args)
            .env("FAULTLINE_CANDIDATE", "ada")
            .env_remove("FAULTLINE_CONTENT")
            .output()
            .unwrap()
    };
    let started = faultline(&["start", "ci-registry-login", "--seed", "3", "--dir", ws.to_str().unwrap()]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    let run = |label: &str| {
        let out = faultline(&["--no-container", "pipeline", "run", "--dir", ws.to_str().unwrap()]);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        eprintln!("--- {label}:\n{all}");
        (out.status.code(), all)
    };
    let (broken, _) = run("broken");
    assert_eq!(broken, Some(1), "the broken pipeline must fail");

    // Apply the reference solution over the workspace.
    let catalog = faultline::catalog::Catalog::embedded().unwrap();
    let ex = catalog.exercise("ci-registry-login").unwrap();
    let m = faultline::inject::materialize(&catalog, ex, 3).unwrap();
    for (path, text) in m.solution.iter() {
        let p = ws.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (fixed, all) = run("solution");
    assert_eq!(fixed, Some(0), "the fixed pipeline must pass with the exercise's secrets");
    assert!(all.contains("secret store"), "says where the secrets come from");
    // No secret value of the store is ever printed.
    for settings in m.checks.iter().filter_map(|c| c.pipeline.as_ref()) {
        for value in settings.secrets.values().filter(|v| v.len() > 3) {
            assert!(!all.contains(value.as_str()), "a secret value leaked into the output");
        }
    }
}

fn which_python() -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join("python3")).find(|p| p.is_file()))
}

#[test]
fn a_reusable_workflow_called_with_secrets_inherit_may_read_undeclared_secrets() {
    let snap = snapshot(&fixtures().join("lint/inherit"));
    let report = faultline::rules::pipeline::lint(&snap, None, ".");
    let undefined: Vec<&Finding> = report.findings.iter().filter(|f| f.class == "ci.undefined-secret").collect();
    assert!(undefined.is_empty(), "{undefined:#?}");
    // The same callee called without `inherit` (the bad fixture) is still flagged.
    let bad = faultline::rules::pipeline::lint(&snapshot(&fixtures().join("lint/bad")), None, ".");
    assert!(bad.findings.iter().any(|f| f.class == "ci.undefined-secret"));
}
