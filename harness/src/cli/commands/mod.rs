//! Command implementations, one module per command, plus the shared context
//! (content, data folder, store, output settings) and error-to-exit mapping.

mod cluster;
mod demo;
mod doctor;
mod grade;
mod interview;
mod lint;
mod list;
mod pipeline;
mod rate;
mod report;
mod results;
mod schema;
mod session;
mod status;
mod track;
mod transfer;
mod verify;
mod watch;

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use super::{Cli, Command, Exit, Format};
use crate::catalog::{Catalog, ContentErrors, ContentSource};
use crate::report::Style;
use crate::session::SessionError;
use crate::store::{SqliteStore, Store, StoreError};
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
            SessionError::Cluster(c) => c.into(),
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
    /// `--store` / `FAULTLINE_STORE`: a PostgreSQL URL or a SQLite file.
    pub store: Option<String>,
}

impl Ctx {
    pub fn catalog(&self) -> Result<Catalog, Failure> {
        Ok(Catalog::load(&self.content)?)
    }

    pub fn data_dir(&self) -> Result<PathBuf, Failure> {
        Ok(crate::store::data_dir(self.data_dir.as_deref())?)
    }

    /// The results store: `--store` when given (PostgreSQL URL or SQLite file), else
    /// the data folder's SQLite file.
    pub fn store(&self) -> Result<Box<dyn Store>, Failure> {
        match self.store.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(url) if crate::store::is_postgres_url(url) => Ok(Box::new(crate::store::PostgresStore::open(url)?)),
            Some(path) if path.contains("://") => {
                Err(StoreError::BadStoreAddress { given: crate::store::mask_password(path) }.into())
            }
            Some(path) => Ok(Box::new(SqliteStore::open(Path::new(path))?)),
            None => Ok(Box::new(SqliteStore::open_in(&self.data_dir()?)?)),
        }
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
/// A stored result by id, or the bad-input failure that points at `faultline results`.
pub fn stored_result(store: &dyn Store, id: i64) -> Result<crate::store::ResultRecord, Failure> {
    store
        .result(id)?
        .ok_or_else(|| Failure::new(Exit::BadInput, format!("no result with id {id}; see `faultline results`")))
}

/// The exercise of a stored result in the loaded content, or a failure naming it.
pub fn exercise_of<'c>(
    catalog: &'c Catalog,
    result: &crate::store::ResultRecord,
) -> Result<&'c crate::model::Exercise, Failure> {
    catalog.exercise(&result.exercise).ok_or_else(|| {
        Failure::new(
            Exit::BadInput,
            format!(
                "result {} is for exercise `{}`, which the loaded content lacks (--content)",
                result.id, result.exercise
            ),
        )
    })
}

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
        store: cli.store,
    };
    if !matches!(cli.command, Command::Report { .. }) {
        if let Some(exit) = report::refuse_report_only_format(cli.format) {
            return exit;
        }
    }
    let result = match cli.command {
        Command::List => list::run(&ctx),
        Command::Start { exercise, dir, candidate, seed, cluster, context, static_mode } => {
            let live = session::LiveFlags { cluster, context, static_mode };
            session::start(&ctx, &exercise, dir, candidate, seed, live)
        }
        Command::Check { dir, no_diff, no_tools } => session::check(&ctx, dir.as_deref(), !no_diff, !no_tools),
        Command::Watch { dir } => watch::run(&ctx, dir.as_deref()),
        Command::Hint { dir } => session::hint(&ctx, dir.as_deref()),
        Command::Reset { dir, yes } => session::reset(&ctx, dir.as_deref(), yes),
        Command::Submit { dir, no_tools } => session::submit(&ctx, dir.as_deref(), !no_tools),
        Command::Grade { dir, exercise, save, no_tools } => grade::run(&ctx, &dir, &exercise, save, !no_tools),
        Command::Results { candidate, exercise, id } => results::run(&ctx, candidate, exercise, id),
        Command::Verify { ids, seeds, no_tools, tool_seeds } => verify::run(&ctx, ids, seeds, !no_tools, tool_seeds),
        Command::Lint { path, base, required_tags, family } => {
            lint::run(&ctx, &path, base.as_deref(), required_tags, family)
        }
        Command::Schema { check, out } => schema::run(&ctx, check, out),
        Command::Doctor => doctor::run(&ctx),
        Command::Cluster { action } => cluster::run(&ctx, action),
        Command::Clean { all, context } => cluster::clean(&ctx, all, context.as_deref()),
        Command::Pipeline { action } => pipeline::run(&ctx, action, cli.no_container),
        Command::Demo { dir, exercise, seed, no_tools } => demo::run(&ctx, dir, &exercise, seed, !no_tools),
        Command::Report { report } => report::run(&ctx, report),
        Command::Rate { result, dimension, score, note, rater, red_flag } => {
            rate::run(&ctx, result, rate::Given { dimension, score, note, rater, red_flag })
        }
        Command::Track { action } => track::run(&ctx, action),
        Command::Interview { action } => interview::run(&ctx, action),
        Command::Status { dir } => status::run(&ctx, dir.as_deref()),
        Command::Export { out } => transfer::export(&ctx, out.as_deref()),
        Command::Import { file } => transfer::import(&ctx, &file),
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
