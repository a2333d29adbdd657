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
    /// Keep results in this store instead of the data folder's SQLite file: a
    /// PostgreSQL URL (postgres://user@host/db) or a SQLite file path.
    #[arg(long, global = true, env = "FAULTLINE_STORE", value_name = "URL")]
    pub store: Option<String>,
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
    /// Plain or coloured text (`table` is the same, for `faultline report`).
    #[value(alias = "table")]
    Text,
    Json,
    /// Markdown (`faultline report` only).
    Markdown,
    /// CSV (`faultline report` only).
    Csv,
    /// JUnit XML, one test case per check (`faultline report` only).
    Junit,
    /// A self-contained HTML page with SVG charts (`faultline report` only).
    Html,
}

/// Rule families for `faultline lint --family`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFamily {
    Terraform,
    Kubernetes,
    Pipeline,
}

impl From<LintFamily> for crate::rules::Family {
    fn from(f: LintFamily) -> Self {
        match f {
            LintFamily::Terraform => crate::rules::Family::Terraform,
            LintFamily::Kubernetes => crate::rules::Family::Kubernetes,
            LintFamily::Pipeline => crate::rules::Family::Pipeline,
        }
    }
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
        /// Cluster backend for Kubernetes exercises: kind, kubeconfig, k3s or none
        /// (default: the warm kind cluster when one is up, else static mode).
        #[arg(long, env = "FAULTLINE_CLUSTER", value_name = "BACKEND")]
        cluster: Option<String>,
        /// Kubeconfig context to use (implies the kubeconfig backend).
        #[arg(long)]
        context: Option<String>,
        /// Grade the manifests only, without a cluster.
        #[arg(long = "static")]
        static_mode: bool,
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
        /// Rules to run (repeatable). Default: every family whose files the folder holds
        /// (`.tf` files for terraform, YAML with Kubernetes objects for kubernetes).
        #[arg(long, value_enum, value_name = "FAMILY")]
        family: Vec<LintFamily>,
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
    /// Progress reports for mentors and interviewers: one candidate, or a cohort.
    Report {
        #[command(subcommand)]
        report: ReportCommand,
    },
    /// Keep a warm cluster for live Kubernetes exercises.
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
    },
    /// Remove Faultline's session namespaces (with --all also its kind clusters and K3s server).
    Clean {
        /// Also delete the `faultline-*` kind clusters and the K3s server.
        #[arg(long)]
        all: bool,
        /// Also clean this kubeconfig context.
        #[arg(long)]
        context: Option<String>,
    },
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
    /// Rate a person-rated dimension of a stored result, or raise a red flag.
    /// Without --dimension on a terminal, asks for each person-rated dimension.
    Rate {
        /// Result id (see `faultline results`).
        result: i64,
        /// Dimension id (a person-rated one of the scorecard).
        #[arg(long)]
        dimension: Option<String>,
        /// Score on the scorecard's rating scale.
        #[arg(long, allow_negative_numbers = true)]
        score: Option<i64>,
        /// What you saw.
        #[arg(long)]
        note: Option<String>,
        /// Who rates (default: $USER).
        #[arg(long)]
        rater: Option<String>,
        /// Raise a red flag of the scorecard (e.g. shared-credentials).
        #[arg(long = "red-flag", value_name = "ID")]
        red_flag: Option<String>,
    },
    /// The 30/60/90-day tracks.
    Track {
        #[command(subcommand)]
        action: TrackCommand,
    },
    /// Timed interviews.
    Interview {
        #[command(subcommand)]
        action: InterviewCommand,
    },
    /// The current workspace: exercise, time used and time left.
    Status {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Write every stored record (results, ratings, sessions, …) as one JSON file.
    Export {
        /// File to write (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Read a file written by `export` into this store; records already here are skipped.
    Import { file: PathBuf },
}

/// `faultline track …`: the 30/60/90-day plan.
#[derive(Debug, Subcommand)]
pub enum TrackCommand {
    /// Enrol a person in the tracks from a start date (day 1).
    Start {
        #[arg(long)]
        candidate: String,
        /// First day, YYYY-MM-DD (default: today).
        #[arg(long, value_name = "DATE")]
        start_date: Option<String>,
    },
    /// Progress per track: what is done, next and overdue.
    Status {
        /// One person (default: everyone enrolled).
        #[arg(long)]
        candidate: Option<String>,
    },
    /// Start the workspace for the person's next unfinished exercise.
    Resume {
        #[arg(long)]
        candidate: String,
        /// Folder to create (default: ./<exercise>-<candidate>).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Start the tracks over: earlier results stop counting (they stay stored).
    Reset {
        #[arg(long)]
        candidate: String,
        /// New first day, YYYY-MM-DD (default: today).
        #[arg(long, value_name = "DATE")]
        start_date: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
}

/// `faultline interview …`: timed exercises and the interviewer's scorecard.
#[derive(Debug, Subcommand)]
pub enum InterviewCommand {
    /// Start a timed exercise for a candidate (the time box comes from the exercise).
    Start {
        #[arg(long)]
        candidate: String,
        #[arg(long)]
        exercise: String,
        #[arg(long)]
        interviewer: Option<String>,
        /// Folder to create (default: ./<exercise>-<candidate>).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        seed: Option<u64>,
        /// Cluster backend for Kubernetes exercises: kind, kubeconfig, k3s or none
        /// (default: the warm kind cluster when one is up, else static mode).
        #[arg(long, env = "FAULTLINE_CLUSTER")]
        cluster: Option<String>,
        /// Kubeconfig context to use (implies the kubeconfig backend).
        #[arg(long)]
        context: Option<String>,
        /// Grade the manifests only, without a cluster.
        #[arg(long = "static")]
        static_mode: bool,
    },
    /// Add a note to a result (its id) or a session (its id).
    Note {
        /// A result id or a session id.
        target: String,
        /// The note.
        text: String,
        /// Who writes it (default: $USER).
        #[arg(long)]
        author: Option<String>,
    },
    /// Print the one-page scorecard of a stored result.
    Scorecard {
        /// Result id (see `faultline results`).
        result: i64,
    },
}

/// What `faultline report` reports on. The format comes from the global `--format`
/// (`table`, `markdown`, `csv`, `json`, `junit`, `html`).
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One candidate: timeline of labs and interviews, per-dimension trend, hints, time.
    Candidate {
        /// The candidate's name, as stored with their results.
        name: String,
        /// Write the report to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// A cohort: one row per candidate, score distribution per dimension, who is behind.
    Cohort {
        /// Only the exercises of this track (expected of everyone).
        #[arg(long, value_name = "TRACK")]
        track: Option<String>,
        /// Only results submitted on or after this date (YYYY-MM-DD, UTC) or RFC 3339 time.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only these exercises, which every candidate is then expected to have done
        /// (repeat, or separate with commas).
        #[arg(long = "exercise", value_name = "ID", value_delimiter = ',')]
        exercises: Vec<String>,
        /// Write the report to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// `faultline cluster …`.
#[derive(Debug, Subcommand)]
pub enum ClusterAction {
    /// Create the warm cluster (nothing happens when it is up).
    Up {
        /// `kind` (default) or `k3s`.
        #[arg(long, default_value = "kind")]
        backend: String,
        /// Cluster name (kind; `faultline-` is added; default faultline-warm).
        #[arg(long)]
        name: Option<String>,
    },
    /// Delete the warm cluster.
    Down {
        #[arg(long, default_value = "kind")]
        backend: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Show the warm clusters and session namespaces.
    Status,
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
