//! PLACEHOLDER until the runner branch lands (same API).
pub mod terraform;
use std::path::PathBuf;
use std::time::Duration;
pub struct CommandSpec {
    pub program: String,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub network: bool,
    pub output_limit: usize,
}
pub struct CommandOutcome {
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    pub truncated: bool,
    pub duration: Duration,
    pub isolated: bool,
}
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("program not found: {program}")]
    NotFound { program: String },
}
pub fn run(spec: &CommandSpec) -> Result<CommandOutcome, RunnerError> {
    Err(RunnerError::NotFound { program: spec.program.clone() })
}
pub fn find_program(_name: &str) -> Option<PathBuf> {
    None
}
