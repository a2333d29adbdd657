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
    assert!(
        started.elapsed() < Duration::from_secs(100),
        "took {:?}",
        started.elapsed()
    );
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
    assert!(
        out.stdout.len() < 70 * 1024,
        "kept {} bytes",
        out.stdout.len()
    );
    assert!(out.stdout.contains("bytes of output dropped here]"));
    assert!(out.stdout.starts_with("xxxx"));
    assert!(out.stdout.ends_with("the-end\n"), "the tail is kept");
}

#[test]
fn a_missing_program_is_not_found() {
    let spec = CommandSpec::new(
        "faultline-no-such-program-xyz",
        Vec::<String>::new(),
        std::env::temp_dir(),
    );
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
    let mut spec = CommandSpec::new(
        python.display().to_string(),
        ["-c", script.as_str()],
        std::env::temp_dir(),
    );
    spec.timeout = Duration::from_secs(30);

    spec.network = true;
    let open = runner::run(&spec).expect("python runs");
    assert!(!open.isolated);
    assert_eq!(open.stdout.trim(), "connected", "stderr: {}", open.stderr);

    spec.network = false;
    let closed = runner::run(&spec).expect("python runs");
    assert!(closed.isolated);
    assert!(
        closed.stdout.starts_with("refused"),
        "stdout: {} stderr: {}",
        closed.stdout,
        closed.stderr
    );
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
