//! The results store: where sessions, revealed hints and graded submissions are kept.
//!
//! Everything else in Faultline is recomputable from content and a seed; what a person
//! submitted is not, so this module's first duty is to never lose a submission. The
//! [`Store`] trait is the only thing callers code against. [`SqliteStore`], an embedded
//! SQLite file in the data directory, is the default backend; a PostgreSQL backend with
//! the same tables can be added later behind the same trait. When a result cannot be
//! stored, the error says so plainly and [`write_fallback`] keeps the submission as a
//! JSON file beside the database so that nothing is lost.
//!
//! Times are stored as RFC 3339 text in UTC, with nine fraction digits so that text
//! order is time order.

mod pg;
mod sqlite;
pub mod transfer;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::model::Grade;

pub use crate::model::Rating;
pub use pg::{is_postgres_url, mask_password, PostgresStore};
pub use sqlite::SqliteStore;

/// Environment variable that chooses the data directory when no flag does.
pub const DATA_DIR_ENV: &str = "FAULTLINE_DATA_DIR";

/// File name of the SQLite database inside the data directory.
pub const DATABASE_FILE_NAME: &str = "faultline.db";

/// Folder inside the data directory that holds results the store could not save.
pub const FALLBACK_DIR_NAME: &str = "unsaved";

/// Format version written into fallback files; bumped if their shape changes.
pub const FALLBACK_FORMAT: u32 = 1;

/// A started exercise: who works on what, with which seed, where and for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Chosen by the caller; unique in the store.
    pub id: String,
    pub candidate: String,
    pub exercise: String,
    pub seed: u64,
    /// Path of the workspace repository.
    pub workspace: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// `lab` or `interview`.
    pub mode: String,
    pub time_box_minutes: u32,
}

/// A hint revealed during a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HintRecord {
    pub session_id: String,
    /// 1-based position in the exercise's hint order.
    pub number: usize,
    pub cost: f64,
    /// When it was first revealed.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A graded submission, as handed to [`Store::save_result`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewResult {
    /// The session it belongs to, when it was started through one.
    pub session_id: Option<String>,
    pub candidate: String,
    pub exercise: String,
    pub seed: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub hints_used: usize,
    pub grade: Grade,
    /// Path of the workspace repository, when known.
    pub workspace: Option<String>,
    /// The candidate's change as a unified diff against the state they started
    /// from, kept so the work can be shown after the workspace is gone.
    #[serde(default)]
    pub diff: Option<String>,
}

/// A stored result: everything in [`NewResult`] plus what the store adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    /// Assigned by the store; never reused.
    pub id: i64,
    pub session_id: Option<String>,
    pub candidate: String,
    pub exercise: String,
    pub seed: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub hints_used: usize,
    pub grade: Grade,
    pub workspace: Option<String>,
    /// The candidate's diff against their starting state (absent in results stored
    /// before schema 3 and in exports from then).
    #[serde(default)]
    pub diff: Option<String>,
    /// Copied from the grade when saved, so that listings need not parse it.
    pub score: f64,
    /// Copied from the grade when saved.
    pub passed: bool,
    /// When the store wrote the row (may differ from `submitted_at` after an import).
    #[serde(with = "time::serde::rfc3339")]
    pub stored_at: OffsetDateTime,
}

/// Which results [`Store::results`] returns. The default returns all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultFilter {
    pub candidate: Option<String>,
    pub exercise: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
    /// Only results submitted at or after this time.
    pub since: Option<OffsetDateTime>,
}

/// Which ratings [`Store::list_ratings`] returns. The default returns all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingFilter {
    /// Only ratings of this candidate's results.
    pub candidate: Option<String>,
    /// Only ratings by this rater.
    pub rater: Option<String>,
}

/// An interview: a session run under a time box, with who ran it and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterviewRecord {
    /// The session it belongs to (one interview per session).
    pub session_id: String,
    pub candidate: String,
    pub exercise: String,
    pub interviewer: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub time_box_minutes: u32,
    /// The stored result of the submit, once submitted.
    pub result_id: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// Submitted after the time box ran out.
    pub late: bool,
}

impl InterviewRecord {
    /// When the time box runs out.
    pub fn deadline(&self) -> OffsetDateTime {
        self.started_at + time::Duration::minutes(i64::from(self.time_box_minutes))
    }
}

/// A free-text note by an interviewer or mentor, about a result or a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteRecord {
    /// Stable id (random hex), so that an import never stores a note twice.
    pub id: String,
    /// `result:<id>` or `session:<id>`.
    pub target: String,
    pub author: String,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub written_at: OffsetDateTime,
}

/// A person enrolled in the 30/60/90-day tracks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackEnrolment {
    pub candidate: String,
    /// Day 1 of the tracks; due days count from here.
    #[serde(with = "crate::model::track::ymd")]
    pub start_date: time::Date,
    /// Results submitted before this time do not count (moved forward by a reset).
    #[serde(with = "time::serde::rfc3339")]
    pub counted_from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub enrolled_at: OffsetDateTime,
}

/// Persistence for sessions, hints and results. Every write is atomic: it is stored
/// completely or not at all.
pub trait Store: Send + Sync {
    /// Stores a new session; fails with [`StoreError::DuplicateSession`] if the id is taken.
    fn create_session(&self, s: &SessionRecord) -> Result<(), StoreError>;

    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;

    /// Records that hint `number` was revealed; returns false when it was already recorded (idempotent).
    fn record_hint(&self, session_id: &str, number: usize, cost: f64) -> Result<bool, StoreError>;

    /// The hints revealed in a session, by number.
    fn hints(&self, session_id: &str) -> Result<Vec<HintRecord>, StoreError>;

    /// Stores a submitted result atomically; returns its id. Never loses a submit:
    /// on failure the error is [`StoreError::ResultNotSaved`], and the caller should
    /// keep the result some other way (see [`write_fallback`]).
    fn save_result(&self, r: &NewResult) -> Result<i64, StoreError>;

    fn result(&self, id: i64) -> Result<Option<ResultRecord>, StoreError>;

    /// Results matching the filter, newest submission first.
    fn results(&self, f: &ResultFilter) -> Result<Vec<ResultRecord>, StoreError>;

    /// Every session, oldest first; only this candidate's when given.
    fn sessions(&self, candidate: Option<&str>) -> Result<Vec<SessionRecord>, StoreError>;

    /// Stores a hint exactly as given (for import); returns false when that session
    /// already has that hint number.
    fn import_hint(&self, h: &HintRecord) -> Result<bool, StoreError>;

    /// Stores a rating of a stored result; returns false when a rating with this id
    /// exists already (idempotent, so an import never doubles it). The caller checks
    /// the rating against the scorecard; the store checks that the result exists.
    fn add_rating(&self, r: &Rating) -> Result<bool, StoreError>;

    /// The ratings of one result, oldest first.
    fn ratings_for(&self, result_id: i64) -> Result<Vec<Rating>, StoreError>;

    /// Ratings matching the filter in one query, by result id then time: what a report
    /// over many results folds in.
    fn list_ratings(&self, f: &RatingFilter) -> Result<Vec<Rating>, StoreError>;

    /// Creates or replaces the interview of a session.
    fn save_interview(&self, i: &InterviewRecord) -> Result<(), StoreError>;

    /// The interview of a session, if it was started as one.
    fn interview(&self, session_id: &str) -> Result<Option<InterviewRecord>, StoreError>;

    /// Every interview, oldest first.
    fn interviews(&self) -> Result<Vec<InterviewRecord>, StoreError>;

    /// Stores a note; returns false when a note with this id exists already.
    fn add_note(&self, n: &NoteRecord) -> Result<bool, StoreError>;

    /// Notes about one target (`result:<id>` or `session:<id>`), or every note, oldest first.
    fn notes(&self, target: Option<&str>) -> Result<Vec<NoteRecord>, StoreError>;

    /// Creates or replaces a person's track enrolment.
    fn save_enrolment(&self, e: &TrackEnrolment) -> Result<(), StoreError>;

    /// Track enrolments, by candidate; only this candidate's when given.
    fn enrolments(&self, candidate: Option<&str>) -> Result<Vec<TrackEnrolment>, StoreError>;
}

/// A boxed store is a store, so `Box<dyn Store>` (what `--store` opens) goes wherever
/// a `&dyn Store` or an `impl Store` is expected.
impl<S: Store + ?Sized> Store for Box<S> {
    fn create_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        (**self).create_session(s)
    }

    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        (**self).session(id)
    }

    fn record_hint(&self, session_id: &str, number: usize, cost: f64) -> Result<bool, StoreError> {
        (**self).record_hint(session_id, number, cost)
    }

    fn hints(&self, session_id: &str) -> Result<Vec<HintRecord>, StoreError> {
        (**self).hints(session_id)
    }

    fn save_result(&self, r: &NewResult) -> Result<i64, StoreError> {
        (**self).save_result(r)
    }

    fn result(&self, id: i64) -> Result<Option<ResultRecord>, StoreError> {
        (**self).result(id)
    }

    fn results(&self, f: &ResultFilter) -> Result<Vec<ResultRecord>, StoreError> {
        (**self).results(f)
    }

    fn sessions(&self, candidate: Option<&str>) -> Result<Vec<SessionRecord>, StoreError> {
        (**self).sessions(candidate)
    }

    fn import_hint(&self, h: &HintRecord) -> Result<bool, StoreError> {
        (**self).import_hint(h)
    }

    fn add_rating(&self, r: &Rating) -> Result<bool, StoreError> {
        (**self).add_rating(r)
    }

    fn ratings_for(&self, result_id: i64) -> Result<Vec<Rating>, StoreError> {
        (**self).ratings_for(result_id)
    }

    fn list_ratings(&self, f: &RatingFilter) -> Result<Vec<Rating>, StoreError> {
        (**self).list_ratings(f)
    }

    fn save_interview(&self, i: &InterviewRecord) -> Result<(), StoreError> {
        (**self).save_interview(i)
    }

    fn interview(&self, session_id: &str) -> Result<Option<InterviewRecord>, StoreError> {
        (**self).interview(session_id)
    }

    fn interviews(&self) -> Result<Vec<InterviewRecord>, StoreError> {
        (**self).interviews()
    }

    fn add_note(&self, n: &NoteRecord) -> Result<bool, StoreError> {
        (**self).add_note(n)
    }

    fn notes(&self, target: Option<&str>) -> Result<Vec<NoteRecord>, StoreError> {
        (**self).notes(target)
    }

    fn save_enrolment(&self, e: &TrackEnrolment) -> Result<(), StoreError> {
        (**self).save_enrolment(e)
    }

    fn enrolments(&self, candidate: Option<&str>) -> Result<Vec<TrackEnrolment>, StoreError> {
        (**self).enrolments(candidate)
    }
}

/// Everything that can go wrong in the store. Each message names the file involved and,
/// where the user can do something about it, says what.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error(
        "cannot find a data directory (no home directory is known); \
         choose one with --data-dir or {DATA_DIR_ENV}"
    )]
    NoDataDir,

    #[error(
        "data directory {path} is not writable; \
         choose another with --data-dir or {DATA_DIR_ENV}"
    )]
    DataDirNotWritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "cannot open or create the database {path}; \
         choose another data directory with --data-dir or {DATA_DIR_ENV}"
    )]
    CannotOpen {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "the database {path} is read-only; make it writable, \
         or choose another data directory with --data-dir or {DATA_DIR_ENV}"
    )]
    ReadOnly {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "the database {path} stayed locked by another process for more than {} s \
         while {action}; try again once the other Faultline command has finished",
        waited.as_secs_f64()
    )]
    Locked { path: PathBuf, action: &'static str, waited: Duration },

    #[error(
        "the database {path} was created by a newer Faultline (schema version {found}; \
         this build knows versions up to {supported}); upgrade Faultline, or choose \
         another data directory with --data-dir or {DATA_DIR_ENV}. The file was not changed"
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },

    #[error(
        "{path} is not a readable Faultline database (the file is corrupt or is not \
         SQLite at all); move it aside and Faultline will start a new one"
    )]
    Corrupt {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error(
        "{path} is a SQLite database of another program, not Faultline's; \
         choose another data directory with --data-dir or {DATA_DIR_ENV}"
    )]
    ForeignDatabase { path: PathBuf },

    #[error(
        "could not upgrade the database {path} to schema version {version} ({name}); \
         it was left as it was"
    )]
    Migration {
        path: PathBuf,
        version: i64,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("the stored grade of result {id} in {path} cannot be read")]
    GradeUnreadable {
        path: PathBuf,
        id: i64,
        #[source]
        source: serde_json::Error,
    },

    #[error("{table} row {key} in {path} holds {value:?} in column {column}, which is not {expected}")]
    BadStoredValue {
        path: PathBuf,
        table: &'static str,
        key: String,
        column: &'static str,
        value: String,
        expected: &'static str,
    },

    #[error("a session with id {id} already exists in {path}")]
    DuplicateSession { path: PathBuf, id: String },

    #[error("no session with id {id} in {path}")]
    UnknownSession { path: PathBuf, id: String },

    /// The cause is part of the message (and not a `#[source]`) because it is the whole
    /// point: whoever shows this must show why the submission was not stored.
    #[error("the result of {exercise} for {candidate} was NOT saved to {path}: {cause}")]
    ResultNotSaved { path: PathBuf, candidate: String, exercise: String, cause: Box<StoreError> },

    #[error("the grade cannot be stored as JSON and read back (is a score not a finite number?)")]
    GradeNotStorable {
        #[source]
        source: serde_json::Error,
    },

    #[error("{field} is {value}, which the store cannot hold")]
    OutOfRange { field: &'static str, value: String },

    #[error("database error in {path} while {action}")]
    Sqlite {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("no result with id {id} in {path}")]
    UnknownResult { path: PathBuf, id: i64 },

    #[error("cannot connect to the PostgreSQL store {url}")]
    PgConnect {
        url: String,
        #[source]
        source: ::postgres::Error,
    },

    #[error(
        "the PostgreSQL store {url} was created by a newer Faultline (schema version {found}; \
         this build knows versions up to {supported}); upgrade Faultline. Nothing was changed"
    )]
    PgNewerSchema { url: String, found: i64, supported: i64 },

    #[error("the PostgreSQL database {url} holds tables of another program ({table} exists without Faultline's schema marker); nothing was changed")]
    PgForeign { url: String, table: String },

    #[error(
        "could not upgrade the PostgreSQL store {url} to schema version {version} ({name}); it was left as it was"
    )]
    PgMigration {
        url: String,
        version: i64,
        name: &'static str,
        #[source]
        source: ::postgres::Error,
    },

    #[error("the PostgreSQL store {url} stayed locked by another session while {action}; try again")]
    PgLocked { url: String, action: &'static str },

    #[error("PostgreSQL error in {url} while {action}")]
    Postgres {
        url: String,
        action: &'static str,
        #[source]
        source: ::postgres::Error,
    },

    #[error("the store address {given} is neither a PostgreSQL URL (postgres://…) nor a SQLite file path")]
    BadStoreAddress { given: String },

    #[error("could not write the unsaved result to {path}")]
    FallbackNotWritten {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot read the unsaved result {path}")]
    FallbackNotRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} is not an unsaved-result file Faultline can read")]
    FallbackUnreadable {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// Resolves the data directory: the explicit flag, else `FAULTLINE_DATA_DIR`, else the
/// platform's data directory plus `faultline` (on Linux `~/.local/share/faultline`).
/// Nothing is created here; [`SqliteStore::open_in`] creates the directory.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    resolve_data_dir(explicit, std::env::var_os(DATA_DIR_ENV), dirs::data_dir(), dirs::home_dir())
}

/// The decision behind [`data_dir`], with the environment passed in so it can be tested.
fn resolve_data_dir(
    explicit: Option<&Path>,
    env: Option<OsString>,
    platform_data_dir: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Result<PathBuf, StoreError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    if let Some(value) = env.filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(value));
    }
    if let Some(base) = platform_data_dir {
        return Ok(base.join("faultline"));
    }
    match home {
        Some(home) => Ok(home.join(".local").join("share").join("faultline")),
        None => Err(StoreError::NoDataDir),
    }
}

/// What a fallback file holds: the result, with a format version for whoever reads it back.
#[derive(Debug, Serialize, Deserialize)]
struct FallbackFile {
    format: u32,
    result: NewResult,
}

/// Writes a result that the store could not save to `data_dir/unsaved/<timestamp>.json`
/// and returns that path. The timestamp is the submission time in UTC; an existing file
/// is never overwritten (a `-2`, `-3`… suffix is added instead), and the file appears
/// complete or not at all.
pub fn write_fallback(data_dir: &Path, result: &NewResult) -> Result<PathBuf, StoreError> {
    let dir = data_dir.join(FALLBACK_DIR_NAME);
    fs_err::create_dir_all(&dir).map_err(|source| StoreError::DataDirNotWritable { path: dir.clone(), source })?;

    let file = FallbackFile { format: FALLBACK_FORMAT, result: result.clone() };
    let text = serde_json::to_string_pretty(&file).map_err(|source| StoreError::GradeNotStorable { source })?;

    let not_written =
        |path: &Path, source: std::io::Error| StoreError::FallbackNotWritten { path: path.to_path_buf(), source };
    let mut temp = tempfile::Builder::new()
        .prefix(".unsaved-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|source| not_written(&dir, source))?;
    {
        use std::io::Write;
        let handle = temp.as_file_mut();
        handle.write_all(text.as_bytes()).map_err(|source| not_written(&dir, source))?;
        handle.write_all(b"\n").map_err(|source| not_written(&dir, source))?;
        handle.sync_all().map_err(|source| not_written(&dir, source))?;
    }

    let stamp = file_stamp(result.submitted_at);
    let mut attempt = 1u32;
    loop {
        let name = if attempt == 1 { format!("{stamp}.json") } else { format!("{stamp}-{attempt}.json") };
        let target = dir.join(name);
        match temp.persist_noclobber(&target) {
            Ok(_) => return Ok(target),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                temp = e.file;
                attempt += 1;
            }
            Err(e) => return Err(not_written(&target, e.error)),
        }
    }
}

/// Reads back a file written by [`write_fallback`], e.g. to import it into the store.
pub fn read_fallback(path: &Path) -> Result<NewResult, StoreError> {
    let text = fs_err::read_to_string(path)
        .map_err(|source| StoreError::FallbackNotRead { path: path.to_path_buf(), source })?;
    let file: FallbackFile = serde_json::from_str(&text)
        .map_err(|source| StoreError::FallbackUnreadable { path: path.to_path_buf(), source })?;
    Ok(file.result)
}

/// A timestamp safe in file names on every platform: `20261127T101530.123456789Z`.
fn file_stamp(at: OffsetDateTime) -> String {
    let format = format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:9]Z");
    at.to_offset(UtcOffset::UTC).format(&format).unwrap_or_else(|_| format!("{}", at.unix_timestamp_nanos()))
}

/// Formats a time for storage: RFC 3339 in UTC with nine fraction digits, so that
/// comparing the text compares the times.
fn time_to_text(field: &'static str, at: OffsetDateTime) -> Result<String, StoreError> {
    let utc = at.to_offset(UtcOffset::UTC);
    let out_of_range = || StoreError::OutOfRange { field, value: utc.to_string() };
    if !(0..=9999).contains(&utc.year()) {
        return Err(out_of_range());
    }
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");
    utc.format(&format).map_err(|_| out_of_range())
}

/// Formats a date for storage: `YYYY-MM-DD`.
pub fn date_to_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses a stored or typed `YYYY-MM-DD` date.
pub fn date_from_text(text: &str) -> Option<time::Date> {
    time::Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Parses a stored time; `None` when the text is not RFC 3339.
fn time_from_text(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grade::{DimensionStatus, HintUse};
    use crate::model::{CheckResult, CheckStatus, DimensionScore, Evidence, RatedBy, RedFlagHit};
    use time::macros::datetime;

    /// A grade with every field filled, so that a lost field shows in a round trip.
    pub(super) fn sample_grade(candidate: &str, exercise: &str, seed: u64, score: f64) -> Grade {
        Grade {
            exercise: exercise.to_owned(),
            candidate: candidate.to_owned(),
            seed,
            scorecard: "platform-engineer".to_owned(),
            score,
            passed: score >= 70.0,
            pass_mark: 70.0,
            level: Some("solid".to_owned()),
            is_final: false,
            mode: "submit".to_owned(),
            dimensions: vec![
                DimensionScore {
                    id: "diagnosis".to_owned(),
                    title: "Diagnosis".to_owned(),
                    weight: 3,
                    score: Some(score),
                    rated_by: RatedBy::Checks,
                    status: DimensionStatus::Scored,
                    points: 7.5,
                    max_points: 10.0,
                },
                DimensionScore {
                    id: "communication".to_owned(),
                    title: "Communication".to_owned(),
                    weight: 1,
                    score: None,
                    rated_by: RatedBy::Person,
                    status: DimensionStatus::AwaitingRating,
                    points: 0.0,
                    max_points: 0.0,
                },
            ],
            checks: vec![CheckResult {
                id: "probe-port".to_owned(),
                title: "Readiness probe hits the served port".to_owned(),
                kind: "yaml-path".to_owned(),
                scenario: "wrong-probe-port".to_owned(),
                status: CheckStatus::Failed,
                points: 0.0,
                max_points: 5.0,
                dimension: "diagnosis".to_owned(),
                hidden: true,
                required: false,
                red_flag: None,
                message: "the probe still targets 8081 — «ünïcode» and \"quotes\" survive".to_owned(),
                evidence: vec![
                    Evidence::at("k8s/deployment.yaml", 42, "port: 8081"),
                    Evidence::note("container listens on 8080"),
                ],
            }],
            red_flags: vec![RedFlagHit {
                id: "disabled-probe".to_owned(),
                title: "Removed the probe instead of fixing it".to_owned(),
                source: "probe-port".to_owned(),
                caps_at: "developing".to_owned(),
            }],
            hints_used: vec![HintUse { number: 1, cost: 2.5 }],
            hint_penalty: 2.5,
            infra_errors: 1,
        }
    }

    /// A result with every field filled.
    pub(super) fn sample_result(candidate: &str, exercise: &str, seed: u64, submitted_at: OffsetDateTime) -> NewResult {
        NewResult {
            session_id: Some(format!("session-{candidate}-{exercise}-{seed}")),
            candidate: candidate.to_owned(),
            exercise: exercise.to_owned(),
            seed,
            started_at: Some(submitted_at - time::Duration::minutes(40)),
            submitted_at,
            hints_used: 1,
            grade: sample_grade(candidate, exercise, seed, 72.5),
            workspace: Some(format!("/tmp/workspaces/{candidate}/{exercise}")),
            diff: Some(format!("--- a/{exercise}\n+++ b/{exercise}\n+{candidate}\n")),
        }
    }

    #[test]
    fn fallback_file_holds_the_whole_result_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let result = sample_result("ada", "probe-port", u64::MAX, datetime!(2026-11-27 10:15:30.5 +01:00));
        let path = write_fallback(dir.path(), &result).unwrap();
        assert_eq!(path, dir.path().join("unsaved").join("20261127T091530.500000000Z.json"));
        assert_eq!(read_fallback(&path).unwrap(), result);
        let text = fs_err::read_to_string(&path).unwrap();
        assert!(text.contains("\"format\": 1"), "{text}");
    }

    #[test]
    fn fallback_never_overwrites_an_earlier_file() {
        let dir = tempfile::tempdir().unwrap();
        let at = datetime!(2026-11-27 10:15:30 UTC);
        let first = sample_result("ada", "probe-port", 1, at);
        let second = sample_result("grace", "probe-port", 2, at);
        let first_path = write_fallback(dir.path(), &first).unwrap();
        let second_path = write_fallback(dir.path(), &second).unwrap();
        assert_ne!(first_path, second_path);
        assert!(second_path.ends_with("20261127T101530.000000000Z-2.json"));
        assert_eq!(read_fallback(&first_path).unwrap(), first);
        assert_eq!(read_fallback(&second_path).unwrap(), second);
        let leftovers: Vec<_> = fs_err::read_dir(dir.path().join("unsaved"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|name| !name.to_string_lossy().ends_with(".json"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    }

    #[test]
    fn fallback_in_an_uncreatable_data_dir_names_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("a-file");
        fs_err::write(&blocker, "not a directory").unwrap();
        let data_dir = blocker.join("data");
        let result = sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc());
        let err = write_fallback(&data_dir, &result).unwrap_err();
        assert!(matches!(err, StoreError::DataDirNotWritable { .. }), "{err:?}");
        assert!(err.to_string().contains(&data_dir.join("unsaved").display().to_string()), "{err}");
        assert!(err.to_string().contains("--data-dir"), "{err}");
    }

    #[test]
    fn explicit_data_dir_wins_over_everything() {
        let dir = resolve_data_dir(
            Some(Path::new("/flag")),
            Some("/env".into()),
            Some("/platform".into()),
            Some("/home/me".into()),
        );
        assert_eq!(dir.ok(), Some(PathBuf::from("/flag")));
    }

    #[test]
    fn environment_variable_wins_over_platform_directory() {
        let dir = resolve_data_dir(None, Some("/env".into()), Some("/platform".into()), None);
        assert_eq!(dir.ok(), Some(PathBuf::from("/env")));
    }

    #[test]
    fn empty_environment_variable_is_ignored() {
        let dir = resolve_data_dir(None, Some("".into()), Some("/platform".into()), None);
        assert_eq!(dir.ok(), Some(PathBuf::from("/platform/faultline")));
    }

    #[test]
    fn home_directory_is_the_last_resort() {
        let dir = resolve_data_dir(None, None, None, Some("/home/me".into()));
        assert_eq!(dir.ok(), Some(PathBuf::from("/home/me/.local/share/faultline")));
    }

    #[test]
    fn no_home_at_all_is_a_clear_error() {
        let err = resolve_data_dir(None, None, None, None).unwrap_err();
        assert!(matches!(err, StoreError::NoDataDir));
        assert!(err.to_string().contains("--data-dir"));
        assert!(err.to_string().contains(DATA_DIR_ENV));
    }

    #[test]
    fn stored_time_text_is_utc_and_round_trips() {
        let at = datetime!(2026-11-27 10:15:30.000_000_5 +02:00);
        let text = time_to_text("t", at).unwrap();
        assert_eq!(text, "2026-11-27T08:15:30.000000500Z");
        assert_eq!(time_from_text(&text), Some(at));
    }

    #[test]
    fn stored_time_text_sorts_like_time() {
        let earlier = time_to_text("t", datetime!(2026-01-01 00:00:00 UTC)).unwrap();
        let later = time_to_text("t", datetime!(2026-01-01 00:00:00.5 UTC)).unwrap();
        assert!(earlier < later);
    }

    #[test]
    fn times_outside_rfc_3339_years_are_refused() {
        let err = time_to_text("submitted_at", datetime!(-0001-01-01 00:00 UTC)).unwrap_err();
        assert!(matches!(err, StoreError::OutOfRange { field: "submitted_at", .. }));
    }

    #[test]
    fn file_stamp_has_no_characters_unsafe_in_file_names() {
        let stamp = file_stamp(datetime!(2026-11-27 10:15:30.25 +01:00));
        assert_eq!(stamp, "20261127T091530.250000000Z");
    }
}
