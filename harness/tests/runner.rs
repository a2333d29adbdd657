//! The command runner against real processes: exit codes, time limits that kill a
//! whole process group, capped output, missing programs, and network isolation.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use faultline::runner::{self, CommandSpec, RunnerError};

fn sh(script: &str) -> CommandSpec {
    let mut spec = CommandSpec::new("sh", ["-c", script], std::env::temp_dir());
    spec.network = true;
    spec.timeout = Duration::from_secs(60);
    spec
}

#[test]
fn exit_code_and_both_streams_are_reported() {
    let out = runner::run(&sh("echo out; echo err >&2; exit 7")).expect("sh runs");
    assert_eq!(out.exit_code, Some(7));
    assert_eq!(out.stdout, "out\n");
    assert_eq!(out.stderr, "err\n");
    assert!(!out.timed_out && !out.truncated && !out.success());
}

#[test]
fn environment_and_working_directory_are_applied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut spec = sh("printf '%s %s' \"$FAULTLINE_TEST_VALUE\" \"$(pwd)\"");
    spec.cwd = dir.path().to_path_buf();
    spec.env = vec![("FAULTLINE_TEST_VALUE".into(), "hello".into())];
    let out = runner::run(&spec).expect("sh runs");
    let cwd = dir.path().canonicalize().expect("canonical temp dir");
    assert_eq!(out.stdout, format!("hello {}", cwd.display()));
    assert!(out.success());
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let mut spec = sh("sleep 100 & sleep 100");
    spec.timeout = Duration::from_millis(500);
    let started = Instant::now();
    let out = runner::run(&spec).expect("sh runs");
    // Had the background sleep survived, it would hold stdout open and the readers
    // would wait for it; returning well before 100 s shows the group died.
    assert!(started.elapsed() < Duration::from_secs(100), "took {:?}", started.elapsed());
    assert!(out.timed_out);
    assert_eq!(out.exit_code, None);
}

#[test]
fn background_jobs_left_behind_are_killed_when_the_command_exits() {
    let marker = tempfile::NamedTempFile::new().expect("temp file");
    let path = marker.path().display().to_string();
    let script = format!("(sleep 2; echo late > '{path}') >/dev/null 2>&1 & echo started");
    let out = runner::run(&sh(&script)).expect("sh runs");
    assert!(out.success());
    std::thread::sleep(Duration::from_secs(3));
    let text = std::fs::read_to_string(&path).expect("marker readable");
    assert_eq!(text, "", "the background job outlived the command");
}

#[test]
fn ten_megabytes_of_output_are_capped_with_a_marker() {
    let mut spec = sh("head -c 10000000 /dev/zero | tr '\\0' x; echo; echo the-end");
    spec.output_limit = 64 * 1024;
    let out = runner::run(&spec).expect("sh runs");
    assert!(out.success());
    assert!(out.truncated);
    assert!(out.stdout.len() < 70 * 1024, "kept {} bytes", out.stdout.len());
    assert!(out.stdout.contains("bytes of output dropped here]"));
    assert!(out.stdout.starts_with("xxxx"));
    assert!(out.stdout.ends_with("the-end\n"), "the tail is kept");
}

#[test]
fn a_missing_program_is_not_found() {
    let spec = CommandSpec::new("faultline-no-such-program-xyz", Vec::<String>::new(), std::env::temp_dir());
    match runner::run(&spec) {
        Err(RunnerError::NotFound { program }) => {
            assert_eq!(program, "faultline-no-such-program-xyz")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(runner::find_program("faultline-no-such-program-xyz").is_none());
    assert!(runner::find_program("sh").is_some());
}

#[test]
fn without_network_a_loopback_listener_outside_the_namespace_is_unreachable() {
    if !runner::network_isolation_available() {
        println!("skipped: unshare cannot create a network namespace on this machine");
        return;
    }
    let Some(python) = runner::find_program("python3") else {
        println!("skipped: python3 is needed to make a TCP connection");
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    let script = format!(
        "import socket\ns = socket.socket()\ns.settimeout(3)\ntry:\n    s.connect(('127.0.0.1', {port}))\n    print('connected')\nexcept OSError as e:\n    print('refused', e)\n"
    );
    let mut spec = CommandSpec::new(python.display().to_string(), ["-c", script.as_str()], std::env::temp_dir());
    spec.timeout = Duration::from_secs(30);

    spec.network = true;
    let open = runner::run(&spec).expect("python runs");
    assert!(!open.isolated);
    assert_eq!(open.stdout.trim(), "connected", "stderr: {}", open.stderr);

    spec.network = false;
    let closed = runner::run(&spec).expect("python runs");
    assert!(closed.isolated);
    assert!(closed.stdout.starts_with("refused"), "stdout: {} stderr: {}", closed.stdout, closed.stderr);
    drop(listener);
}

#[test]
fn inside_the_namespace_its_own_loopback_works() {
    if !runner::network_isolation_available()
        || runner::find_program("python3").is_none()
        || runner::find_program("ip").is_none()
    {
        println!("skipped: needs unshare with network namespaces, python3 and ip");
        return;
    }
    let script = "import socket\nl = socket.socket()\nl.bind(('127.0.0.1', 0))\nl.listen()\nc = socket.create_connection(l.getsockname(), timeout=3)\nprint('ok')\n";
    let spec = CommandSpec::new("python3", ["-c", script], std::env::temp_dir());
    let out = runner::run(&spec).expect("python runs");
    assert!(out.isolated);
    assert_eq!(out.stdout.trim(), "ok", "stderr: {}", out.stderr);
}

/// Terraform's plan check on the fixtures under `tests/fixtures/tfplan/`: a small
/// AWS stack (`base/`) and candidates that each change it in one way. Skipped with
/// a printed reason where Terraform or the AWS provider plugin is missing.
mod terraform_plan {
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    use faultline::runner::terraform::{self, PlanError, PlanVerdict, Terraform};

    const TIMEOUT: Duration = Duration::from_secs(900);

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tfplan").join(name)
    }

    /// Terraform with its cache in this build's temp folder. Synthesised states are
    /// cleared once per test run, so the first plan really builds one; provider
    /// schemas are kept (they only depend on the provider version).
    fn terraform() -> Option<Terraform> {
        static FOUND: OnceLock<Result<Terraform, String>> = OnceLock::new();
        let found = FOUND.get_or_init(|| {
            let mut tf = terraform::discover()?;
            let Some(plugins) = &tf.plugin_dir else {
                return Err("no provider plugin directory (FAULTLINE_TF_PLUGIN_DIR or /opt/tf-plugins)".into());
            };
            if !plugins.join("registry.terraform.io/hashicorp/aws").is_dir() {
                return Err(format!("the AWS provider is not in {}", plugins.display()));
            }
            let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tfplan-cache");
            let _ = std::fs::remove_dir_all(cache.join("terraform/faultline-tfplan-v1/states"));
            tf.cache_dir = Some(cache);
            Ok(tf)
        });
        match found {
            Ok(tf) => Some(tf.clone()),
            Err(reason) => {
                println!("skipped: {reason}");
                None
            }
        }
    }

    fn plan(tf: &Terraform, candidate: &str) -> Result<PlanVerdict, PlanError> {
        let started = Instant::now();
        let result = terraform::plan_against_base(tf, &fixture("base"), &fixture(candidate), TIMEOUT);
        println!("plan of {candidate} took {:.1}s", started.elapsed().as_secs_f64());
        if let Ok(verdict) = &result {
            println!("{}", verdict.log);
        }
        result
    }

    fn actions_of<'a>(verdict: &'a PlanVerdict, address: &str) -> Option<&'a [String]> {
        verdict.changes.iter().find(|c| c.address == address).map(|c| c.actions.as_slice())
    }

    #[test]
    fn an_unchanged_candidate_plans_nothing() {
        let Some(tf) = terraform() else { return };
        let verdict = plan(&tf, "unchanged").expect("plan runs");
        assert_eq!(verdict.changes, Vec::new(), "{}", verdict.log);
        assert_eq!(verdict.unsettled, Vec::new(), "{}", verdict.log);
    }

    #[test]
    fn renaming_the_database_without_moved_deletes_the_base_address() {
        let Some(tf) = terraform() else { return };
        let verdict = plan(&tf, "renamed_without_moved").expect("plan runs");
        assert_eq!(actions_of(&verdict, "aws_db_instance.main"), Some(&["delete".to_string()][..]), "{}", verdict.log);
        assert_eq!(
            actions_of(&verdict, "aws_db_instance.primary"),
            Some(&["create".to_string()][..]),
            "{}",
            verdict.log
        );
    }

    #[test]
    fn renaming_the_database_with_a_moved_block_deletes_nothing() {
        let Some(tf) = terraform() else { return };
        let verdict = plan(&tf, "renamed_with_moved").expect("plan runs");
        assert_eq!(verdict.destroyed().count(), 0, "{}", verdict.log);
        let moved = verdict.changes.iter().find(|c| c.address == "aws_db_instance.primary");
        assert_eq!(moved.and_then(|c| c.previous_address.as_deref()), Some("aws_db_instance.main"), "{}", verdict.log);
    }

    #[test]
    fn enabling_storage_encryption_replaces_the_database() {
        let Some(tf) = terraform() else { return };
        let verdict = plan(&tf, "encryption_enabled").expect("plan runs");
        let change =
            verdict.changes.iter().find(|c| c.address == "aws_db_instance.main").expect("a change to the database");
        assert!(change.is_replace(), "{:?}\n{}", change.actions, verdict.log);
        assert_eq!(verdict.destroyed().count(), 1, "{}", verdict.log);
    }

    /// AWS provider 5.x renames an RDS instance in place; Terraform's verdict, not a
    /// rule of thumb, is what the check reports.
    #[test]
    fn changing_the_database_identifier_updates_it_in_place() {
        let Some(tf) = terraform() else { return };
        let verdict = plan(&tf, "identifier_changed").expect("plan runs");
        assert_eq!(actions_of(&verdict, "aws_db_instance.main"), Some(&["update".to_string()][..]), "{}", verdict.log);
        assert_eq!(verdict.destroyed().count(), 0, "{}", verdict.log);
    }

    #[test]
    fn a_candidate_with_broken_hcl_is_invalid_with_the_diagnostic() {
        let Some(tf) = terraform() else { return };
        match plan(&tf, "invalid_hcl") {
            Err(PlanError::Invalid { output }) => {
                assert!(output.contains("Unclosed configuration block"), "{output}");
                assert!(output.contains("on main.tf line 50"), "{output}");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_provider_missing_from_the_plugin_directory_means_no_providers() {
        let Some(tf) = terraform() else { return };
        let Some(plugins) = &tf.plugin_dir else {
            return;
        };
        if plugins.join("registry.terraform.io/hashicorp/random").exists() {
            println!("skipped: the plugin directory has hashicorp/random");
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let config = "resource \"random_id\" \"suffix\" {\n  byte_length = 4\n}\n";
        std::fs::write(dir.path().join("main.tf"), config).expect("write config");
        match terraform::plan_against_base(&tf, dir.path(), dir.path(), TIMEOUT) {
            Err(PlanError::NoProviders { reason }) => {
                assert!(reason.contains("random"), "{reason}")
            }
            other => panic!("expected NoProviders, got {other:?}"),
        }
    }

    /// Also covers configurations with no `provider "aws"` block (one is generated)
    /// and with a remote backend (replaced by a local one in the working copy).
    #[test]
    fn a_base_prepared_ahead_is_planned_from_the_cache() {
        let Some(tf) = terraform() else { return };
        let dir = tempfile::tempdir().expect("temp dir");
        let config = concat!(
            "terraform {\n  backend \"s3\" {\n    bucket = \"faultline-state\"\n    key    = \"logs.tfstate\"\n",
            "    region = \"us-east-1\"\n  }\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"faultline-logs\"\n}\n",
        );
        std::fs::write(dir.path().join("main.tf"), config).expect("write config");
        let started = Instant::now();
        terraform::prepare_base(&tf, dir.path(), TIMEOUT).expect("base prepared");
        println!("prepare_base took {:.1}s", started.elapsed().as_secs_f64());
        let verdict = terraform::plan_against_base(&tf, dir.path(), dir.path(), TIMEOUT).expect("plan runs");
        println!("{}", verdict.log);
        assert!(verdict.log.contains("cached"), "{}", verdict.log);
        assert_eq!(verdict.changes, Vec::new(), "{}", verdict.log);
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).expect("list").filter_map(Result::ok).map(|e| e.file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("main.tf")], "the user's folder is left as it was");
    }

    #[test]
    fn changes_the_base_plans_against_its_own_state_are_not_judged() {
        let Some(tf) = terraform() else { return };
        let dir = fixture("stand_in_rejected");
        let verdict = terraform::plan_against_base(&tf, &dir, &dir, TIMEOUT).expect("plan runs");
        println!("{}", verdict.log);
        assert_eq!(verdict.changes, Vec::new(), "{}", verdict.log);
        let noisy = verdict.unsettled.iter().find(|c| c.address == "aws_lb_target_group.app");
        assert!(noisy.is_some_and(|c| c.is_replace()), "{}", verdict.log);
        assert!(verdict.log.contains("not judged"), "{}", verdict.log);
    }

    #[test]
    fn fmt_check_passes_formatted_files_and_shows_a_diff_for_others() {
        let Some(tf) = terraform() else { return };
        let out = terraform::fmt_check(&tf, &fixture("base"), Duration::from_secs(120)).expect("fmt runs");
        assert_eq!(out.exit_code, Some(0), "{}{}", out.stdout, out.stderr);
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), "resource \"aws_vpc\" \"a\" {\ncidr_block = \"10.0.0.0/16\"\n}\n")
            .expect("write config");
        let out = terraform::fmt_check(&tf, dir.path(), Duration::from_secs(120)).expect("fmt runs");
        assert_eq!(out.exit_code, Some(3), "{}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("+  cidr_block"), "{}", out.stdout);
    }
}
