//! Command implementations, one module per command, plus the shared context
//! (content, data folder, store, output settings) and error-to-exit mapping.

mod demo;
mod doctor;
mod grade;
mod lint;
mod list;
mod pipeline;
mod results;
mod schema;
mod session;
mod verify;
mod watch;

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use super::{Cli, Command, Exit, Format};
use crate::catalog::{Catalog, ContentErrors, ContentSource};
use crate::report::Style;
use crate::session::SessionError;
use crate::store::{SqliteStore, StoreError};
use crate::workspace::WorkspaceError;

/// An error on its way to the user: what to print and which exit code to use.
pub struct Failure {
    pub exit: Exit,
    pub report: miette::Report,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure { exit, report: miette::miette!("{}", message.into()) }
    }
}

impl From<ContentErrors> for Failure {
    fn from(e: ContentErrors) -> Self {
        Failure { exit: Exit::BadInput, report: miette::Report::new(e) }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure { exit: Exit::Environment, report: miette::miette!("{e}") }
    }
}

impl From<WorkspaceError> for Failure {
    fn from(e: WorkspaceError) -> Self {
        let exit = match e {
            WorkspaceError::GitMissing => Exit::Environment,
            WorkspaceError::Io { .. } | WorkspaceError::Git { .. } => Exit::Internal,
            _ => Exit::BadInput,
        };
        Failure { exit, report: miette::miette!("{e}") }
    }
}

impl From<SessionError> for Failure {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Workspace(w) => w.into(),
            SessionError::Store(s) => s.into(),
            other => Failure { exit: Exit::BadInput, report: miette::miette!("{other}") },
        }
    }
}

/// Shared settings for one invocation.
pub struct Ctx {
    pub data_dir: Option<PathBuf>,
    pub content: ContentSource,
    pub format: Format,
    pub style: Style,
}

impl Ctx {
    pub fn catalog(&self) -> Result<Catalog, Failure> {
        Ok(Catalog::load(&self.content)?)
    }

    pub fn data_dir(&self) -> Result<PathBuf, Failure> {
        Ok(crate::store::data_dir(self.data_dir.as_deref())?)
    }

    pub fn store(&self) -> Result<SqliteStore, Failure> {
        Ok(SqliteStore::open_in(&self.data_dir()?)?)
    }

    pub fn key(&self) -> Result<Vec<u8>, Failure> {
        Ok(crate::workspace::signing_key(&self.data_dir()?)?)
    }

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Print JSON data to stdout.
    pub fn print_json(&self, v: &impl serde::Serialize) {
        match serde_json::to_string_pretty(v) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: cannot render JSON: {e}"),
        }
    }
}

/// The workspace root for `--dir`, or the one around the current folder.
pub fn workspace_root(dir: Option<&Path>) -> Result<PathBuf, Failure> {
    let start = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir()
            .map_err(|e| Failure::new(Exit::Internal, format!("cannot read the current folder: {e}")))?,
    };
    Ok(crate::workspace::find_root(&start)?)
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Exit {
    let style = if cli.no_color { Style::plain() } else { Style::detect() };
    if cli.no_container {
        // Read by `pipeline_run` checks; set before any thread starts.
        std::env::set_var(crate::runner::pipeline::NO_CONTAINER_VAR, "1");
    }
    let ctx = Ctx {
        data_dir: cli.data_dir,
        content: ContentSource::resolve(cli.content.as_deref()),
        format: cli.format,
        style,
    };
    let result = match cli.command {
        Command::List => list::run(&ctx),
        Command::Start { exercise, dir, candidate, seed } => session::start(&ctx, &exercise, dir, candidate, seed),
        Command::Check { dir, no_diff, no_tools } => session::check(&ctx, dir.as_deref(), !no_diff, !no_tools),
        Command::Watch { dir } => watch::run(&ctx, dir.as_deref()),
        Command::Hint { dir } => session::hint(&ctx, dir.as_deref()),
        Command::Reset { dir, yes } => session::reset(&ctx, dir.as_deref(), yes),
        Command::Submit { dir, no_tools } => session::submit(&ctx, dir.as_deref(), !no_tools),
        Command::Grade { dir, exercise, save, no_tools } => grade::run(&ctx, &dir, &exercise, save, !no_tools),
        Command::Results { candidate, exercise, id } => results::run(&ctx, candidate, exercise, id),
        Command::Verify { ids, seeds, no_tools, tool_seeds } => verify::run(&ctx, ids, seeds, !no_tools, tool_seeds),
        Command::Lint { path, base, required_tags } => lint::run(&ctx, &path, base.as_deref(), required_tags),
        Command::Schema { check, out } => schema::run(&ctx, check, out),
        Command::Doctor => doctor::run(&ctx),
        Command::Pipeline { action } => pipeline::run(&ctx, action, cli.no_container),
        Command::Demo { dir, exercise, seed, no_tools } => demo::run(&ctx, dir, &exercise, seed, !no_tools),
    };
    match result {
        Ok(exit) => exit,
        Err(f) => {
            report_failure(&f.report);
            f.exit
        }
    }
}

fn report_failure(report: &miette::Report) {
    let diag: &dyn Diagnostic = report.as_ref();
    if diag.related().is_some() || diag.source_code().is_some() {
        eprintln!("{report:?}");
    } else {
        eprintln!("error: {report}");
    }
}
