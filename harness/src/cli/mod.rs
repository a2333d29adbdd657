//! The command-line front end: clap types, output settings, and the mapping from
//! library errors to messages and exit codes. Each command lives in its own module
//! under [`commands`]; this file only parses and dispatches.

pub mod commands;
pub mod exit;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use exit::Exit;

/// Hands-on cloud-native exercises: broken workspaces, fair grading, useful reports.
#[derive(Debug, Parser)]
#[command(name = "faultline", version, about, propagate_version = true)]
pub struct Cli {
    /// Where results and the signing key live (default: the user's data folder).
    #[arg(long, global = true, env = "FAULTLINE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Load content from this folder (holding exercises/, scenarios/, scorecards/)
    /// instead of the copy built into the binary.
    #[arg(long, global = true, env = "FAULTLINE_CONTENT", value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Never colour the output (also: NO_COLOR).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Run pipeline jobs as local processes in a temporary copy instead of containers
    /// (NOT isolated); used by `pipeline run` and by `pipeline_run` checks.
    #[arg(long, global = true, env = "FAULTLINE_NO_CONTAINER", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_container: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the exercises.
    List,
    /// Start an exercise in a new git workspace.
    Start {
        /// Exercise id (see `faultline list`).
        exercise: String,
        /// Folder to create (default: ./<exercise>-<candidate>).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Who is doing the exercise.
        #[arg(long, env = "FAULTLINE_CANDIDATE")]
        candidate: Option<String>,
        /// Variant seed (default: random). The same seed gives the same files.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Run the visible checks on your workspace and show feedback.
    Check {
        /// Workspace (default: the one containing the current folder).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Do not show your diff against the pull request.
        #[arg(long)]
        no_diff: bool,
        /// Skip checks that run tools (terraform, commands); they show as skipped.
        #[arg(long)]
        no_tools: bool,
    },
    /// Re-run `check` whenever a file in the workspace is saved.
    Watch {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Show the next hint (it may cost points).
    Hint {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Put the workspace back to the broken start (your work is kept on a backup branch).
    Reset {
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Run every check, store the result and show the scorecard.
    Submit {
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Skip checks that run tools (terraform, commands); they show as skipped.
        #[arg(long)]
        no_tools: bool,
    },
    /// Grade any workspace for an exercise (for interviewers).
    Grade {
        /// The workspace folder.
        dir: PathBuf,
        /// The exercise the workspace is for.
        #[arg(long)]
        exercise: String,
        /// Store the result as well.
        #[arg(long)]
        save: bool,
        /// Skip checks that run tools (terraform, commands); they show as skipped.
        #[arg(long)]
        no_tools: bool,
    },
    /// List stored results.
    Results {
        #[arg(long)]
        candidate: Option<String>,
        #[arg(long)]
        exercise: Option<String>,
        /// Show one result's full scorecard.
        #[arg(long)]
        id: Option<i64>,
    },
    /// Prove the content: broken states fail, decoys fail, solutions pass.
    Verify {
        /// Exercise or scenario ids (default: all).
        ids: Vec<String>,
        /// Seeds to try.
        #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
        seeds: Vec<u64>,
        /// Skip checks that run tools (terraform and commands).
        #[arg(long)]
        no_tools: bool,
        /// Run tool checks on the first N seeds only (they are slow; the rest skip them).
        #[arg(long, value_name = "N")]
        tool_seeds: Option<usize>,
    },
    /// Run the rules engine on a folder of Terraform files.
    Lint {
        /// Folder (or file) to lint.
        path: PathBuf,
        /// The previous version, for diff-aware rules (destroy without `moved`).
        #[arg(long)]
        base: Option<PathBuf>,
        /// Tag keys every taggable resource must carry.
        #[arg(long = "required-tag", value_name = "KEY")]
        required_tags: Vec<String>,
    },
    /// Write (or with --check, compare) the JSON schemas of the content files.
    Schema {
        /// Fail if a committed schema differs from the generated one.
        #[arg(long)]
        check: bool,
        /// Content root to write into (default: --content or the current folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Show what this machine has (git, terraform, providers, data folder).
    Doctor,
    /// Run CI pipelines (GitHub Actions, GitLab CI) for real.
    Pipeline {
        #[command(subcommand)]
        action: PipelineCommand,
    },
    /// Run the demo: start the review exercise in a temp folder, apply the reference
    /// fix, submit and print the scorecard.
    Demo {
        /// Keep the workspace in this folder instead of a temporary one.
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value = "terraform-review")]
        exercise: String,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Skip checks that run tools (terraform, commands); they show as skipped.
        #[arg(long)]
        no_tools: bool,
    },
}

/// `faultline pipeline …` subcommands.
#[derive(Debug, Subcommand)]
pub enum PipelineCommand {
    /// Run a CI pipeline's jobs, each in a container (or, with --no-container, as local processes).
    Run {
        /// Run only this job (and the jobs it needs); repeatable.
        #[arg(long = "job", value_name = "JOB")]
        jobs: Vec<String>,
        /// Repository folder (default: the current folder).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Workflow file relative to --dir (default: the only one under .github/workflows, or .gitlab-ci.yml).
        #[arg(long)]
        workflow: Option<String>,
        /// Runner image.
        #[arg(long, env = "FAULTLINE_RUNNER_IMAGE")]
        image: Option<String>,
        /// A secret for the run, NAME=VALUE (masked in all output); repeatable.
        #[arg(long = "secret", value_name = "NAME=VALUE")]
        secrets: Vec<String>,
        /// Give jobs the host's loopback (network `host`) instead of no network.
        #[arg(long)]
        loopback: bool,
        /// Limit per step, in seconds.
        #[arg(long, default_value_t = 300)]
        step_timeout: u64,
        /// Limit per job, in seconds.
        #[arg(long, default_value_t = 600)]
        job_timeout: u64,
    },
}

/// Parse arguments, run, and return the process exit code.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let code = commands::run(cli);
    std::process::ExitCode::from(code.code())
}
