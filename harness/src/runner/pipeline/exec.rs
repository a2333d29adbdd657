//! Executing one step: a wrapper script that sets the environment, enters the
//! working directory and runs the step's shell under coreutils `timeout`, run
//! either in the job's container or as a local process.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::container::{Docker, JobContainer};
use super::{PipelineError, RunOptions};

/// What one step runs.
pub(super) struct StepCommand {
    pub script: String,
    pub shell: Option<String>,
    pub working_directory: Option<String>,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub index: usize,
}

/// What a step did.
#[derive(Debug, Clone)]
pub(super) struct StepRun {
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub output: String,
    pub truncated: bool,
    pub duration: Duration,
}

impl StepRun {
    pub fn text(output: String, exit_code: Option<i32>) -> Self {
        StepRun { exit_code, timed_out: false, output, truncated: false, duration: Duration::ZERO }
    }
}

pub(super) enum Executor {
    Local,
    Container(Docker),
}

pub(super) enum JobSession {
    Local { ws: PathBuf, runner: PathBuf },
    Container { container: Box<JobContainer>, runner: PathBuf },
}

/// Output kept under a limit: the head and the tail, with a marker in between.
pub(super) struct Capture {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    half: usize,
    dropped: u64,
}

impl Capture {
    pub fn new(limit: usize) -> Self {
        Capture { head: Vec::new(), tail: std::collections::VecDeque::new(), half: (limit / 2).max(1), dropped: 0 }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < self.half {
            let take = (self.half - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        for b in bytes {
            if self.tail.len() == self.half {
                self.tail.pop_front();
                self.dropped += 1;
            }
            self.tail.push_back(*b);
        }
    }

    pub fn finish(self) -> (String, bool) {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!("\n[faultline: {} bytes of output dropped]\n", self.dropped));
        }
        let tail: Vec<u8> = self.tail.into_iter().collect();
        text.push_str(&String::from_utf8_lossy(&tail));
        (text, self.dropped > 0)
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The shell command line for a step's body at `path`.
fn shell_line(shell: Option<&str>, path: &str) -> String {
    match shell.map(str::trim) {
        None | Some("bash") => format!("bash --noprofile --norc -eo pipefail {path}"),
        Some("sh") => format!("sh -e {path}"),
        Some("python") => format!("python3 {path}"),
        Some(custom) if custom.contains("{0}") => format!("sh -c {}", quote(&custom.replace("{0}", path))),
        Some(other) => format!("{other} {path}"),
    }
}

/// Write the body and the wrapper of a step; returns the wrapper's path as seen by the step.
fn write_scripts(
    cmd: &StepCommand,
    runner_host: &Path,
    runner_seen: &str,
    ws_seen: &str,
) -> Result<String, PipelineError> {
    let body_host = runner_host.join(format!("step-{}.body", cmd.index));
    let wrapper_host = runner_host.join(format!("step-{}.sh", cmd.index));
    let body_seen = format!("{runner_seen}/step-{}.body", cmd.index);
    let mut wrapper = String::from("exec 2>&1\n");
    let wd = match cmd.working_directory.as_deref().map(|w| w.trim_matches('/')) {
        None | Some("" | ".") => ws_seen.to_string(),
        Some(w) => format!("{ws_seen}/{w}"),
    };
    wrapper.push_str(&format!(
        "cd {} || {{ echo 'working-directory {} does not exist'; exit 1; }}\n",
        quote(&wd),
        cmd.working_directory.as_deref().unwrap_or(".").replace('\'', "")
    ));
    for (k, v) in &cmd.env {
        if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            wrapper.push_str(&format!("export {k}={}\n", quote(v)));
        }
    }
    let secs = cmd.timeout.as_secs().max(1);
    wrapper.push_str(&format!("exec timeout -k 2 {secs} {}\n", shell_line(cmd.shell.as_deref(), &body_seen)));
    let io = |source| PipelineError::Io { context: "write a step script".into(), source };
    fs_err::write(&body_host, &cmd.script).map_err(io)?;
    fs_err::write(&wrapper_host, wrapper).map_err(io)?;
    Ok(format!("{runner_seen}/step-{}.sh", cmd.index))
}

/// Exit code 124 is `timeout`'s own report; 137 is SIGKILL after the grace period.
fn timed_out(code: Option<i32>, took: Duration, limit: Duration) -> bool {
    code == Some(124) || (took + Duration::from_millis(200) >= limit && matches!(code, Some(137) | None))
}

impl Executor {
    pub fn local() -> Self {
        Executor::Local
    }

    pub fn container(image: &str, opts: &RunOptions) -> Result<Self, PipelineError> {
        Ok(Executor::Container(Docker::connect(image, opts)?))
    }

    pub fn workspace_path(&self, ws: &Path) -> String {
        match self {
            Executor::Local => ws.display().to_string(),
            Executor::Container(_) => "/workspace".into(),
        }
    }

    /// The runner folder of a job folder, as steps see it.
    pub fn runner_path(&self, job_dir: &Path) -> String {
        match self {
            Executor::Local => job_dir.join("runner").display().to_string(),
            Executor::Container(_) => "/runner".into(),
        }
    }

    /// Starts a job: its folder (holding empty `workspace/` and `runner/`) and its
    /// session. The folder is `fresh`, or the one a container started ahead of the
    /// job mounts; with `another_likely`, a container for a later job is started in
    /// `next` while this one runs.
    pub fn begin_job(
        &mut self,
        fresh: &Path,
        next: &Path,
        another_likely: bool,
        opts: &RunOptions,
    ) -> Result<(PathBuf, JobSession), PipelineError> {
        match self {
            Executor::Local => {
                for sub in ["workspace", "runner"] {
                    fs_err::create_dir_all(fresh.join(sub))
                        .map_err(|source| PipelineError::Io { context: "create a job folder".into(), source })?;
                }
                let session = JobSession::Local { ws: fresh.join("workspace"), runner: fresh.join("runner") };
                Ok((fresh.to_path_buf(), session))
            }
            Executor::Container(d) => {
                let (dir, container) = d.take(fresh, next, another_likely, opts)?;
                let runner = dir.join("runner");
                Ok((dir, JobSession::Container { container: Box::new(container), runner }))
            }
        }
    }

    /// Ends a job; its container goes in the background while the run goes on.
    pub fn end_job(&mut self, session: JobSession) {
        if let (Executor::Container(d), JobSession::Container { container, .. }) = (self, session) {
            d.remove(*container);
        }
    }

    /// Waits for every container of the run to be removed.
    pub fn finish(&mut self) {
        if let Executor::Container(d) = self {
            d.finish();
        }
    }

    pub fn run_step(
        &mut self,
        session: &mut JobSession,
        cmd: &StepCommand,
        opts: &RunOptions,
    ) -> Result<StepRun, PipelineError> {
        match (self, session) {
            (Executor::Local, JobSession::Local { ws, runner }) => {
                let wrapper = write_scripts(cmd, runner, &runner.display().to_string(), &ws.display().to_string())?;
                let spec = crate::runner::CommandSpec {
                    program: "bash".into(),
                    args: vec![wrapper],
                    cwd: ws.clone(),
                    env: vec![("PATH".into(), std::env::var("PATH").unwrap_or_default())],
                    // `timeout` inside ends the step; this is the backstop.
                    timeout: cmd.timeout + Duration::from_secs(5),
                    network: false,
                    output_limit: opts.limits.output_limit,
                };
                let out =
                    crate::runner::run_with(&spec, &["*"]).map_err(|e| PipelineError::Container(e.to_string()))?;
                let mut output = out.stdout;
                output.push_str(&out.stderr);
                if !out.isolated {
                    output.push_str("[faultline: network isolation was not available for this step]\n");
                }
                Ok(StepRun {
                    exit_code: out.exit_code,
                    timed_out: out.timed_out || timed_out(out.exit_code, out.duration, cmd.timeout),
                    output,
                    truncated: out.truncated,
                    duration: out.duration,
                })
            }
            (Executor::Container(d), JobSession::Container { container, runner }) => {
                let wrapper = write_scripts(cmd, runner, "/runner", "/workspace")?;
                let mut run = d.exec(container, &wrapper, cmd.timeout, opts.limits.output_limit)?;
                run.timed_out = run.timed_out || timed_out(run.exit_code, run.duration, cmd.timeout);
                Ok(run)
            }
            _ => Err(PipelineError::Container("a job session does not match its executor".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_head_and_tail_and_counts_the_rest() {
        let mut c = Capture::new(8);
        c.push(b"abcdefghijklmnop");
        let (text, truncated) = c.finish();
        assert!(truncated);
        assert!(text.starts_with("abcd"), "{text}");
        assert!(text.ends_with("mnop"), "{text}");
        assert!(text.contains("8 bytes of output dropped"), "{text}");
    }

    #[test]
    fn shells_follow_github_semantics() {
        assert_eq!(shell_line(None, "/r/s"), "bash --noprofile --norc -eo pipefail /r/s");
        assert_eq!(shell_line(Some("sh"), "/r/s"), "sh -e /r/s");
        assert_eq!(shell_line(Some("perl {0}"), "/r/s"), "sh -c 'perl /r/s'");
    }
}
