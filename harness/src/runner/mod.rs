//! Running external programs for checks: with a time limit, a cap on captured
//! output, and (where the machine allows it) without network access.
//!
//! Checks shell out to real tools (`terraform`, `kubectl`, a test suite). Those tools
//! can hang, print without end, or try to reach the internet, and a grader must
//! survive all three. So every command here:
//!
//! - starts in a process group of its own, and when its time is up the whole group
//!   is killed, so `sh -c 'sleep 100 & sleep 100'` stops too. Members of the group
//!   still running when the main process exits are killed as well: a check leaves
//!   nothing behind;
//! - has stdout and stderr read concurrently by two threads, so a chatty program
//!   cannot block on a full pipe, and keeps at most [`CommandSpec::output_limit`]
//!   bytes of each (the head and the tail, with a marker where the middle was dropped);
//! - when [`CommandSpec::network`] is false, runs inside a fresh network namespace
//!   through `unshare` (util-linux) if this machine permits one. The namespace has
//!   only a loopback interface of its own, brought up if `ip` is present, so local
//!   servers a test starts still work. Whether isolation was really applied is
//!   reported in [`CommandOutcome::isolated`]; callers say so when it was not.
//!
//! The API is synchronous and uses plain threads rather than an async runtime, so it
//! can be called from anywhere, including from code that itself runs on tokio.

pub mod pipeline;
pub mod terraform;

use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// Bytes of each output stream kept by default.
pub const DEFAULT_OUTPUT_LIMIT: usize = 64 * 1024;

/// How long to wait for the output readers once the process has ended. They only
/// outlive it when something outside the process group still holds the pipes.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// What to run and under which limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    /// Program name (looked up with [`find_program`]) or a path to it.
    pub program: String,
    /// Arguments, not including the program.
    pub args: Vec<String>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Variables added to (or replacing those of) the inherited environment.
    pub env: Vec<(String, String)>,
    /// Wall-clock limit; when it passes, the process group is killed.
    pub timeout: Duration,
    /// `false` asks for isolation from the network where the machine permits it.
    pub network: bool,
    /// Bytes kept per stream; the rest is dropped and a marker says how much.
    pub output_limit: usize,
}

impl CommandSpec {
    /// A spec with the defaults: no extra environment, a two-minute limit, no
    /// network, and [`DEFAULT_OUTPUT_LIMIT`] bytes of output per stream.
    pub fn new(
        program: impl Into<String>,
        args: impl IntoIterator<Item = impl Into<String>>,
        cwd: impl Into<PathBuf>,
    ) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            cwd: cwd.into(),
            env: Vec::new(),
            timeout: Duration::from_secs(120),
            network: false,
            output_limit: DEFAULT_OUTPUT_LIMIT,
        }
    }
}

/// What happened when a command ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// The exit code; `None` when the process was ended by a signal (including our
    /// own kill on timeout).
    pub exit_code: Option<i32>,
    /// Whether the time limit was reached and the process group killed.
    pub timed_out: bool,
    /// Captured standard output (lossily decoded as UTF-8, possibly truncated).
    pub stdout: String,
    /// Captured standard error (lossily decoded as UTF-8, possibly truncated).
    pub stderr: String,
    /// Whether any output was dropped, or could not be read to its end.
    pub truncated: bool,
    /// Wall-clock time from spawn to exit.
    pub duration: Duration,
    /// Whether network isolation was actually applied.
    pub isolated: bool,
}

impl CommandOutcome {
    /// Exited on its own with code 0.
    pub fn success(&self) -> bool {
        !self.timed_out && self.exit_code == Some(0)
    }
}

/// Why a command could not be run at all. A command that runs and fails is not an
/// error: it is a [`CommandOutcome`] with a non-zero exit code.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The program is neither on `PATH` nor an existing executable path.
    #[error("program `{program}` was not found (not on PATH, and no override set)")]
    NotFound {
        /// The program as asked for.
        program: String,
    },
    /// The operating system refused to start the program.
    #[error("could not start `{program}`")]
    Spawn {
        /// The resolved program path.
        program: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// Waiting for the program failed (should not happen on a healthy system).
    #[error("could not wait for `{program}`")]
    Wait {
        /// The resolved program path.
        program: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

/// Run a command to completion or until its time limit, capturing its output.
pub fn run(spec: &CommandSpec) -> Result<CommandOutcome, RunnerError> {
    run_with(spec, &[])
}

/// [`run`], also removing variables from the inherited environment: each entry is a
/// name, or a prefix when it ends with `*` (`AWS_*`). `spec.env` is applied after.
pub(crate) fn run_with(spec: &CommandSpec, env_remove: &[&str]) -> Result<CommandOutcome, RunnerError> {
    let program = resolve(&spec.program).ok_or_else(|| RunnerError::NotFound { program: spec.program.clone() })?;
    let isolation = if spec.network { None } else { isolation_prefix() };
    let mut command = match isolation {
        Some(prefix) => {
            let mut c = Command::new(&prefix[0]);
            c.args(&prefix[1..]).arg(&program);
            c
        }
        None => Command::new(&program),
    };
    command.args(&spec.args).current_dir(&spec.cwd).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for pattern in env_remove {
        match pattern.strip_suffix('*') {
            Some(prefix) => {
                for (name, _) in std::env::vars_os() {
                    if name.to_string_lossy().starts_with(prefix) {
                        command.env_remove(name);
                    }
                }
            }
            None => {
                command.env_remove(pattern);
            }
        }
    }
    command.envs(spec.env.iter().map(|(k, v)| (k, v)));
    // A group of its own, so a timeout can end every process the command started.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);

    let program_text = program.display().to_string();
    let start = Instant::now();
    let mut child = command.spawn().map_err(|source| RunnerError::Spawn { program: program_text.clone(), source })?;
    let pid = child.id();
    let readers = start_readers(&mut child, spec.output_limit);

    let (status_tx, status_rx) = mpsc::channel();
    thread::spawn(move || {
        // The receiver may have given up already; nothing to do then.
        let _ = status_tx.send(child.wait());
    });
    let (status, timed_out) = match status_rx.recv_timeout(spec.timeout) {
        Ok(status) => (status, false),
        Err(_) => {
            kill_group(pid);
            // The program may have left its group (setsid); end it directly too.
            kill_process(pid);
            let status = status_rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| Err(io::Error::other("the process did not end after SIGKILL")));
            (status, true)
        }
    };
    let duration = start.elapsed();
    // Stragglers left in the group (background jobs) would hold the pipes open.
    kill_group(pid);
    let status: ExitStatus = status.map_err(|source| RunnerError::Wait { program: program_text, source })?;

    let (stdout, stderr, truncated) = readers.finish(DRAIN_GRACE);
    Ok(CommandOutcome {
        exit_code: status.code(),
        timed_out,
        stdout,
        stderr,
        truncated,
        duration,
        isolated: isolation.is_some(),
    })
}

/// Find a program the way [`run`] does. An environment variable named
/// `FAULTLINE_<NAME>` (upper case, other characters as `_`), e.g.
/// `FAULTLINE_TERRAFORM`, overrides the search: it may hold a path or a name to look
/// up on `PATH`. Names containing a `/` are taken as paths.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let var = override_var(name);
    match std::env::var_os(&var) {
        Some(value) if !value.is_empty() => lookup(Path::new(&value)),
        _ => lookup(Path::new(name)),
    }
}

/// The override variable for a program name: `terraform` → `FAULTLINE_TERRAFORM`.
pub fn override_var(name: &str) -> String {
    let stem = Path::new(name).file_name().map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
    let upper: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("FAULTLINE_{upper}")
}

/// Whether commands asking for no network can actually be isolated here. The
/// answer is probed once per process.
pub fn network_isolation_available() -> bool {
    isolation_prefix().is_some()
}

fn resolve(program: &str) -> Option<PathBuf> {
    find_program(program)
}

fn lookup(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 || name.is_absolute() {
        return is_executable(name).then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A pid we may signal: never 0 (our own group) or 1 (everything we may signal).
fn signalable(pid: u32) -> Option<rustix::process::Pid> {
    i32::try_from(pid).ok().filter(|p| *p > 1).and_then(rustix::process::Pid::from_raw)
}

fn kill_group(pid: u32) {
    if let Some(pid) = signalable(pid) {
        // ESRCH (the group is already gone) is the common, harmless case.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

fn kill_process(pid: u32) {
    if let Some(pid) = signalable(pid) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
}

/// The words placed before the program to run it in a new network namespace, or
/// `None` when that is impossible here. Probed once: `unshare --net` (works as root),
/// then `unshare --map-root-user --net` (works where unprivileged user namespaces
/// are allowed).
fn isolation_prefix() -> Option<&'static [OsString]> {
    static PREFIX: OnceLock<Option<Vec<OsString>>> = OnceLock::new();
    PREFIX
        .get_or_init(|| {
            let unshare = lookup(Path::new("unshare"))?;
            let sh = lookup(Path::new("sh"))?;
            // Bring up the namespace's own loopback when `ip` is around, then become
            // the program (`exec` keeps the pid, so the process group is unchanged).
            let script = "ip link set lo up >/dev/null 2>&1; exec \"$0\" \"$@\"";
            [&["--net"][..], &["--map-root-user", "--net"][..]].into_iter().find_map(|flags| {
                let mut prefix: Vec<OsString> = vec![unshare.clone().into()];
                prefix.extend(flags.iter().map(OsString::from));
                prefix.extend(["--".into(), sh.clone().into(), "-c".into(), script.into()]);
                let works = Command::new(&prefix[0])
                    .args(&prefix[1..])
                    .arg("true")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                works.then_some(prefix)
            })
        })
        .as_deref()
}

/// The two output reader threads of one child.
struct Readers {
    stdout: Option<mpsc::Receiver<Captured>>,
    stderr: Option<mpsc::Receiver<Captured>>,
}

impl Readers {
    /// Collect both streams, waiting at most `grace` for them to reach their end.
    fn finish(self, grace: Duration) -> (String, String, bool) {
        let deadline = Instant::now() + grace;
        let mut truncated = false;
        let mut collect = |rx: Option<mpsc::Receiver<Captured>>| -> String {
            let Some(rx) = rx else { return String::new() };
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(captured) => {
                    truncated |= captured.dropped > 0 || !captured.complete;
                    captured.text()
                }
                Err(_) => {
                    truncated = true;
                    "[faultline: output could not be read to its end]\n".to_string()
                }
            }
        };
        let stdout = collect(self.stdout);
        let stderr = collect(self.stderr);
        (stdout, stderr, truncated)
    }
}

fn start_readers(child: &mut Child, limit: usize) -> Readers {
    fn spawn_reader(mut stream: impl Read + Send + 'static, limit: usize) -> mpsc::Receiver<Captured> {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut captured = Captured::new(limit);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => captured.push(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => {
                        captured.complete = false;
                        break;
                    }
                }
            }
            let _ = tx.send(captured);
        });
        rx
    }
    Readers {
        stdout: child.stdout.take().map(|s| spawn_reader(s, limit)),
        stderr: child.stderr.take().map(|s| spawn_reader(s, limit)),
    }
}

/// Output kept under a byte limit: the first half of the budget from the start of
/// the stream and the second half from its end. The end of a log is usually where
/// the verdict is (a test summary, Terraform's errors); the start says what ran.
#[derive(Debug)]
struct Captured {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    head_limit: usize,
    tail_limit: usize,
    dropped: u64,
    complete: bool,
}

impl Captured {
    fn new(limit: usize) -> Self {
        let head_limit = limit / 2;
        Self {
            head: Vec::new(),
            tail: std::collections::VecDeque::new(),
            head_limit,
            tail_limit: limit - head_limit,
            dropped: 0,
            complete: true,
        }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        let room = self.head_limit.saturating_sub(self.head.len());
        let take = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..take]);
        bytes = &bytes[take..];
        if bytes.is_empty() {
            return;
        }
        if bytes.len() >= self.tail_limit {
            self.dropped += (self.tail.len() + bytes.len() - self.tail_limit) as u64;
            self.tail.clear();
            self.tail.extend(&bytes[bytes.len() - self.tail_limit..]);
            return;
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.tail_limit);
        self.dropped += overflow as u64;
        self.tail.drain(..overflow);
        self.tail.extend(bytes);
    }

    fn text(&self) -> String {
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        if self.dropped == 0 {
            let mut all = self.head.clone();
            all.extend_from_slice(&tail);
            return String::from_utf8_lossy(&all).into_owned();
        }
        format!(
            "{}\n[faultline: {} bytes of output dropped here]\n{}",
            String::from_utf8_lossy(&self.head),
            self.dropped,
            String::from_utf8_lossy(&tail)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_output_under_the_limit_is_kept_whole() {
        let mut c = Captured::new(10);
        c.push(b"abc");
        c.push(b"def");
        assert_eq!(c.text(), "abcdef");
        assert_eq!(c.dropped, 0);
    }

    #[test]
    fn captured_output_over_the_limit_keeps_head_and_tail_with_a_marker() {
        let mut c = Captured::new(10);
        for chunk in [&b"0123"[..], b"456789", b"abcdefgh", b"XYZ"] {
            c.push(chunk);
        }
        assert_eq!(c.dropped, 21 - 10);
        assert_eq!(c.text(), "01234\n[faultline: 11 bytes of output dropped here]\nghXYZ");
    }

    #[test]
    fn override_variable_names_are_upper_case_with_underscores() {
        assert_eq!(override_var("terraform"), "FAULTLINE_TERRAFORM");
        assert_eq!(override_var("docker-compose"), "FAULTLINE_DOCKER_COMPOSE");
        assert_eq!(override_var("/usr/bin/kubectl"), "FAULTLINE_KUBECTL");
    }
}
