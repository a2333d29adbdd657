//! The SQLite backend of the store: one embedded database file in the data directory.
//!
//! Several Faultline processes may use the same file at once (a candidate's `check`
//! while an interviewer lists results, parallel CI jobs), so the file runs in WAL mode,
//! every connection waits up to a busy timeout for locks, and every write is one
//! `BEGIN IMMEDIATE` transaction, which takes the write lock up front instead of failing
//! halfway. The schema is versioned with `PRAGMA user_version`; migrations live in
//! `migrations/` and are applied in one transaction. A file written by a newer
//! Faultline is refused before anything in it is changed.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row, ToSql, Transaction, TransactionBehavior};
use time::OffsetDateTime;

use super::{
    date_from_text, time_from_text, time_to_text, HintRecord, InterviewRecord, NewResult, NoteRecord, Rating,
    RatingFilter, ResultFilter, ResultRecord, SessionRecord, Store, StoreError, TrackEnrolment, DATABASE_FILE_NAME,
};
use crate::model::Grade;

/// One step of the schema. Versions start at 1 and have no gaps.
pub(super) struct Migration {
    pub(super) version: i64,
    pub(super) name: &'static str,
    pub(super) sql: &'static str,
}

/// Every migration this build knows, in order. To change the schema, add a file and a
/// line here; never edit a migration that has been released.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "initial", sql: include_str!("migrations/0001_initial.sql") },
    Migration {
        version: 2,
        name: "ratings, tracks and interviews",
        sql: include_str!("migrations/0002_ratings_tracks_interviews.sql"),
    },
    Migration {
        version: 3,
        name: "the candidate's diff on each result",
        sql: include_str!("migrations/0003_result_diff.sql"),
    },
];

/// Marks the file as Faultline's (`PRAGMA application_id`, the bytes "FLTL").
const APPLICATION_ID: i64 = 0x464C_544C;

pub(super) const SESSION_COLUMNS: &str = "id, candidate, exercise, seed, workspace, started_at, mode, time_box_minutes";

pub(super) const RATING_COLUMNS: &str = "id, result_id, dimension, score, red_flag, note, rater, rated_at";

pub(super) const INTERVIEW_COLUMNS: &str =
    "session_id, candidate, exercise, interviewer, started_at, time_box_minutes, result_id, submitted_at, late";

pub(super) const NOTE_COLUMNS: &str = "id, target, author, body, written_at";

pub(super) const ENROLMENT_COLUMNS: &str = "candidate, start_date, counted_from, enrolled_at";

pub(super) const RESULT_COLUMNS: &str = "id, session_id, candidate, exercise, seed, score, passed, \
     started_at, submitted_at, hints_used, workspace, grade_json, stored_at, diff";

/// A store in one SQLite file. It holds one connection behind a mutex, so it can be
/// shared between threads; separate processes open their own.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    busy_timeout: Duration,
    conn: Mutex<Connection>,
}

/// What went wrong inside a database call: SQLite itself, or one of our own checks.
enum Failure {
    Db(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl SqliteStore {
    /// How long a write waits for another process's lock before giving up.
    pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

    /// The schema version this build creates and understands.
    pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// The parent directory must exist.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_timeout(path, Self::DEFAULT_BUSY_TIMEOUT)
    }

    /// Opens `data_dir/faultline.db`, creating the directory if needed.
    pub fn open_in(data_dir: &Path) -> Result<Self, StoreError> {
        fs_err::create_dir_all(data_dir)
            .map_err(|source| StoreError::DataDirNotWritable { path: data_dir.to_path_buf(), source })?;
        Self::open(&data_dir.join(DATABASE_FILE_NAME))
    }

    /// Like [`SqliteStore::open`], waiting at most `busy_timeout` for other processes' locks.
    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        let conn =
            Connection::open(path).map_err(|source| StoreError::CannotOpen { path: path.to_path_buf(), source })?;
        let store = SqliteStore { path: path.to_path_buf(), busy_timeout, conn: Mutex::new(conn) };
        {
            let mut conn = store.lock();
            store.prepare(&mut conn, MIGRATIONS)?;
        }
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock drops any open transaction, which rolls it
        // back, so the connection is still in a clean state.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the connection up and migrates. Nothing is written to the file until its
    /// header has been checked, so a newer or foreign file is left byte for byte as it was.
    fn prepare(&self, conn: &mut Connection, migrations: &[Migration]) -> Result<(), StoreError> {
        const ACTION: &str = "opening the database";
        conn.busy_timeout(self.busy_timeout).map_err(|e| self.classify(ACTION, e))?;
        let (version, application_id) = read_header(conn).map_err(|e| self.classify(ACTION, e))?;
        self.check_header(version, application_id, migrations)?;

        let journal_mode: String =
            conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).map_err(|e| self.classify(ACTION, e))?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            // Happens on file systems without shared memory (some network mounts).
            // Locking still keeps writes safe; only readers may wait for writers.
            tracing::warn!(path = %self.path.display(), journal_mode, "WAL mode is not available");
        }
        // FULL: a committed submission survives a power cut, not only a crash.
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.classify(ACTION, e))?;

        if version < supported(migrations) || application_id != APPLICATION_ID {
            self.migrate(conn, migrations)?;
        }
        Ok(())
    }

    fn check_header(&self, version: i64, application_id: i64, migrations: &[Migration]) -> Result<(), StoreError> {
        let ours = application_id == APPLICATION_ID || (application_id == 0 && version == 0);
        if !ours {
            return Err(StoreError::ForeignDatabase { path: self.path.clone() });
        }
        if version > supported(migrations) {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                supported: supported(migrations),
            });
        }
        Ok(())
    }

    /// Applies the migrations the file lacks, all in one transaction.
    fn migrate(&self, conn: &mut Connection, migrations: &[Migration]) -> Result<(), StoreError> {
        const ACTION: &str = "upgrading the database schema";
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.classify(ACTION, e))?;
        // Read again under the write lock: another process may have migrated meanwhile.
        let (version, application_id) = read_header(&tx).map_err(|e| self.classify(ACTION, e))?;
        self.check_header(version, application_id, migrations)?;
        if version == 0 && application_id == 0 {
            let objects: i64 = tx
                .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
                .map_err(|e| self.classify(ACTION, e))?;
            if objects > 0 {
                return Err(StoreError::ForeignDatabase { path: self.path.clone() });
            }
        }
        for migration in migrations.iter().filter(|m| m.version > version) {
            tx.execute_batch(migration.sql)
                .and_then(|()| tx.pragma_update(None, "user_version", migration.version))
                .map_err(|source| match self.classify(ACTION, source) {
                    StoreError::Sqlite { source, .. } => StoreError::Migration {
                        path: self.path.clone(),
                        version: migration.version,
                        name: migration.name,
                        source,
                    },
                    other => other,
                })?;
        }
        if application_id != APPLICATION_ID {
            tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(|e| self.classify(ACTION, e))?;
        }
        tx.commit().map_err(|e| self.classify(ACTION, e))?;
        tracing::info!(
            path = %self.path.display(),
            from = version,
            to = supported(migrations),
            "database schema upgraded"
        );
        Ok(())
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction and commits it; on any error the
    /// transaction is rolled back and nothing is written.
    fn write<T>(
        &self,
        action: &'static str,
        body: impl FnOnce(&Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let run = |conn: &mut Connection| -> Result<T, Failure> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = body(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run(&mut conn).map_err(|f| self.settle(action, f))
    }

    fn read<T>(
        &self,
        action: &'static str,
        body: impl FnOnce(&Connection) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let conn = self.lock();
        body(&conn).map_err(|f| self.settle(action, f))
    }

    fn settle(&self, action: &'static str, failure: Failure) -> StoreError {
        match failure {
            Failure::Db(e) => self.classify(action, e),
            Failure::Store(e) => e,
        }
    }

    /// Turns a SQLite error into the store error a user can act on.
    fn classify(&self, action: &'static str, source: rusqlite::Error) -> StoreError {
        let path = self.path.clone();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Locked { path, action, waited: self.busy_timeout }
            }
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path, source },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path, source },
            Some(ErrorCode::CannotOpen) => StoreError::CannotOpen { path, source },
            _ => StoreError::Sqlite { path, action, source },
        }
    }

    fn session_exists(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<bool> {
        Ok(tx.query_row("SELECT 1 FROM sessions WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some())
    }

    fn insert_result(&self, r: &NewResult) -> Result<i64, StoreError> {
        // Prove the grade can be read back before storing it, so a stored result is
        // always a readable one (serde_json writes a NaN score as null, for instance).
        let grade_json = serde_json::to_string(&r.grade).map_err(|source| StoreError::GradeNotStorable { source })?;
        serde_json::from_str::<Grade>(&grade_json).map_err(|source| StoreError::GradeNotStorable { source })?;
        if r.grade.candidate != r.candidate || r.grade.exercise != r.exercise || r.grade.seed != r.seed {
            tracing::warn!(
                candidate = r.candidate,
                exercise = r.exercise,
                seed = r.seed,
                "the grade names another candidate, exercise or seed than the result; storing both as given"
            );
        }
        let started_at = r.started_at.map(|t| time_to_text("started_at", t)).transpose()?;
        let submitted_at = time_to_text("submitted_at", r.submitted_at)?;
        let stored_at = time_to_text("stored_at", OffsetDateTime::now_utc())?;
        let hints_used = to_i64("hints_used", r.hints_used)?;

        let id = self.write("saving a result", |tx| {
            let id = tx.query_row(
                "INSERT INTO results (session_id, candidate, exercise, seed, score, passed, \
                 started_at, submitted_at, hints_used, workspace, grade_json, stored_at, diff) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
                params![
                    r.session_id,
                    r.candidate,
                    r.exercise,
                    r.seed.to_string(),
                    r.grade.score,
                    r.grade.passed,
                    started_at,
                    submitted_at,
                    hints_used,
                    r.workspace,
                    grade_json,
                    stored_at,
                    r.diff,
                ],
                |row| row.get(0),
            )?;
            Ok(id)
        })?;
        tracing::debug!(id, path = %self.path.display(), "result saved");
        Ok(id)
    }
}

impl Store for SqliteStore {
    fn create_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        let started_at = time_to_text("started_at", s.started_at)?;
        self.write("creating a session", |tx| {
            if Self::session_exists(tx, &s.id)? {
                return Err(StoreError::DuplicateSession { path: self.path.clone(), id: s.id.clone() }.into());
            }
            tx.execute(
                &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![
                    s.id,
                    s.candidate,
                    s.exercise,
                    s.seed.to_string(),
                    s.workspace,
                    started_at,
                    s.mode,
                    s.time_box_minutes,
                ],
            )?;
            Ok(())
        })
    }

    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row = self.read("reading a session", |conn| {
            Ok(conn
                .query_row(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"), [id], SessionRow::from_row)
                .optional()?)
        })?;
        row.map(|r| r.into_record(&self.path)).transpose()
    }

    fn record_hint(&self, session_id: &str, number: usize, cost: f64) -> Result<bool, StoreError> {
        let number_value = to_i64("hint number", number)?;
        if !cost.is_finite() {
            return Err(StoreError::OutOfRange { field: "hint cost", value: cost.to_string() });
        }
        let at = time_to_text("hint time", OffsetDateTime::now_utc())?;
        self.write("recording a hint", |tx| {
            if !Self::session_exists(tx, session_id)? {
                return Err(StoreError::UnknownSession { path: self.path.clone(), id: session_id.to_owned() }.into());
            }
            let inserted = tx.execute(
                "INSERT INTO hints (session_id, number, cost, revealed_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (session_id, number) DO NOTHING",
                params![session_id, number_value, cost, at],
            )?;
            Ok(inserted == 1)
        })
    }

    fn hints(&self, session_id: &str) -> Result<Vec<HintRecord>, StoreError> {
        let rows = self.read("reading hints", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT session_id, number, cost, revealed_at FROM hints \
                 WHERE session_id = ?1 ORDER BY number",
            )?;
            let rows = stmt.query_map([session_id], HintRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }

    fn save_result(&self, r: &NewResult) -> Result<i64, StoreError> {
        self.insert_result(r).map_err(|source| StoreError::ResultNotSaved {
            path: self.path.clone(),
            candidate: r.candidate.clone(),
            exercise: r.exercise.clone(),
            cause: Box::new(source),
        })
    }

    fn result(&self, id: i64) -> Result<Option<ResultRecord>, StoreError> {
        let row = self.read("reading a result", |conn| {
            Ok(conn
                .query_row(&format!("SELECT {RESULT_COLUMNS} FROM results WHERE id = ?1"), [id], ResultRow::from_row)
                .optional()?)
        })?;
        row.map(|r| r.into_record(&self.path)).transpose()
    }

    fn results(&self, f: &ResultFilter) -> Result<Vec<ResultRecord>, StoreError> {
        let limit = f.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let since = f.since.map(|t| time_to_text("since", t)).transpose()?;
        let mut args: Vec<&dyn ToSql> = Vec::new();
        let mut conditions = Vec::new();
        if let Some(candidate) = &f.candidate {
            args.push(candidate);
            conditions.push(format!("candidate = ?{}", args.len()));
        }
        if let Some(exercise) = &f.exercise {
            args.push(exercise);
            conditions.push(format!("exercise = ?{}", args.len()));
        }
        if let Some(since) = &since {
            args.push(since);
            conditions.push(format!("submitted_at >= ?{}", args.len()));
        }
        let mut sql = format!("SELECT {RESULT_COLUMNS} FROM results");
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY submitted_at DESC, id DESC");
        if let Some(limit) = &limit {
            args.push(limit);
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }

        let rows = self.read("listing results", |conn| {
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(args.as_slice(), ResultRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }

    fn sessions(&self, candidate: Option<&str>) -> Result<Vec<SessionRecord>, StoreError> {
        let rows = self.read("listing sessions", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE (?1 IS NULL OR candidate = ?1) ORDER BY started_at, id"
            ))?;
            let rows = stmt.query_map([candidate], SessionRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }

    fn import_hint(&self, h: &HintRecord) -> Result<bool, StoreError> {
        let number = to_i64("hint number", h.number)?;
        if !h.cost.is_finite() {
            return Err(StoreError::OutOfRange { field: "hint cost", value: h.cost.to_string() });
        }
        let at = time_to_text("hint time", h.at)?;
        self.write("importing a hint", |tx| {
            if !Self::session_exists(tx, &h.session_id)? {
                return Err(StoreError::UnknownSession { path: self.path.clone(), id: h.session_id.clone() }.into());
            }
            let n = tx.execute(
                "INSERT INTO hints (session_id, number, cost, revealed_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (session_id, number) DO NOTHING",
                params![h.session_id, number, h.cost, at],
            )?;
            Ok(n == 1)
        })
    }

    fn add_rating(&self, r: &Rating) -> Result<bool, StoreError> {
        let at = time_to_text("rated_at", r.rated_at)?;
        self.write("storing a rating", |tx| {
            let exists = tx.query_row("SELECT 1 FROM results WHERE id = ?1", [r.result_id], |_| Ok(())).optional()?;
            if exists.is_none() {
                return Err(StoreError::UnknownResult { path: self.path.clone(), id: r.result_id }.into());
            }
            let n = tx.execute(
                &format!(
                    "INSERT INTO ratings ({RATING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                     ON CONFLICT (id) DO NOTHING"
                ),
                params![r.id, r.result_id, r.dimension, r.score, r.red_flag, r.note, r.rater, at],
            )?;
            Ok(n == 1)
        })
    }

    fn ratings_for(&self, result_id: i64) -> Result<Vec<Rating>, StoreError> {
        let rows = self.read("reading ratings", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {RATING_COLUMNS} FROM ratings WHERE result_id = ?1 ORDER BY rated_at, id"
            ))?;
            let rows = stmt.query_map([result_id], RatingRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }

    fn list_ratings(&self, f: &RatingFilter) -> Result<Vec<Rating>, StoreError> {
        let rows = self.read("listing ratings", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT r.id, r.result_id, r.dimension, r.score, r.red_flag, r.note, r.rater, r.rated_at \
                 FROM ratings r JOIN results s ON s.id = r.result_id \
                 WHERE (?1 IS NULL OR s.candidate = ?1) AND (?2 IS NULL OR r.rater = ?2) \
                 ORDER BY r.result_id, r.rated_at, r.id",
            )?;
            let rows = stmt.query_map(params![f.candidate, f.rater], RatingRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }

    fn save_interview(&self, i: &InterviewRecord) -> Result<(), StoreError> {
        let started_at = time_to_text("started_at", i.started_at)?;
        let submitted_at = i.submitted_at.map(|t| time_to_text("submitted_at", t)).transpose()?;
        self.write("saving an interview", |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO interviews ({INTERVIEW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                     ON CONFLICT (session_id) DO UPDATE SET candidate = excluded.candidate, \
                     exercise = excluded.exercise, interviewer = excluded.interviewer, \
                     started_at = excluded.started_at, time_box_minutes = excluded.time_box_minutes, \
                     result_id = excluded.result_id, submitted_at = excluded.submitted_at, late = excluded.late"
                ),
                params![
                    i.session_id,
                    i.candidate,
                    i.exercise,
                    i.interviewer,
                    started_at,
                    i.time_box_minutes,
                    i.result_id,
                    submitted_at,
                    i.late
                ],
            )?;
            Ok(())
        })
    }

    fn interview(&self, session_id: &str) -> Result<Option<InterviewRecord>, StoreError> {
        let row = self.read("reading an interview", |conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {INTERVIEW_COLUMNS} FROM interviews WHERE session_id = ?1"),
                    [session_id],
                    InterviewRow::from_row,
                )
                .optional()?)
        })?;
        row.map(|r| r.into_record(&self.path)).transpose()
    }

    fn interviews(&self) -> Result<Vec<InterviewRecord>, StoreError> {
        let rows = self.read("listing interviews", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {INTERVIEW_COLUMNS} FROM interviews ORDER BY started_at, session_id"
            ))?;
            let rows = stmt.query_map([], InterviewRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }

    fn add_note(&self, n: &NoteRecord) -> Result<bool, StoreError> {
        let at = time_to_text("written_at", n.written_at)?;
        self.write("storing a note", |tx| {
            let inserted = tx.execute(
                &format!("INSERT INTO notes ({NOTE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING"),
                params![n.id, n.target, n.author, n.text, at],
            )?;
            Ok(inserted == 1)
        })
    }

    fn notes(&self, target: Option<&str>) -> Result<Vec<NoteRecord>, StoreError> {
        let rows = self.read("reading notes", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {NOTE_COLUMNS} FROM notes WHERE (?1 IS NULL OR target = ?1) ORDER BY written_at, id"
            ))?;
            let rows = stmt.query_map([target], NoteRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }

    fn save_enrolment(&self, e: &TrackEnrolment) -> Result<(), StoreError> {
        let counted_from = time_to_text("counted_from", e.counted_from)?;
        let enrolled_at = time_to_text("enrolled_at", e.enrolled_at)?;
        let start_date = super::date_to_text(e.start_date);
        self.write("saving a track enrolment", |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO track_enrolments ({ENROLMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (candidate) DO UPDATE SET start_date = excluded.start_date, \
                     counted_from = excluded.counted_from, enrolled_at = excluded.enrolled_at"
                ),
                params![e.candidate, start_date, counted_from, enrolled_at],
            )?;
            Ok(())
        })
    }

    fn enrolments(&self, candidate: Option<&str>) -> Result<Vec<TrackEnrolment>, StoreError> {
        let rows = self.read("reading track enrolments", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {ENROLMENT_COLUMNS} FROM track_enrolments WHERE (?1 IS NULL OR candidate = ?1) ORDER BY candidate"
            ))?;
            let rows = stmt.query_map([candidate], EnrolmentRow::from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|r| r.into_record(&self.path)).collect()
    }
}

fn supported(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

fn read_header(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    let version = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let application_id = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    Ok((version, application_id))
}

fn to_i64(field: &'static str, value: usize) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { field, value: value.to_string() })
}

/// Builds [`StoreError::BadStoredValue`] for one row, and parses the stored text types.
pub(super) struct RowCheck<'a> {
    pub(super) path: &'a Path,
    pub(super) table: &'static str,
    pub(super) key: String,
}

impl RowCheck<'_> {
    pub(super) fn bad(&self, column: &'static str, value: String, expected: &'static str) -> StoreError {
        StoreError::BadStoredValue {
            path: self.path.to_path_buf(),
            table: self.table,
            key: self.key.clone(),
            column,
            value,
            expected,
        }
    }

    pub(super) fn time(&self, column: &'static str, text: &str) -> Result<OffsetDateTime, StoreError> {
        time_from_text(text).ok_or_else(|| self.bad(column, text.to_owned(), "an RFC 3339 time"))
    }

    pub(super) fn seed(&self, text: &str) -> Result<u64, StoreError> {
        text.parse().map_err(|_| self.bad("seed", text.to_owned(), "a seed (an unsigned 64-bit integer)"))
    }

    pub(super) fn count<T: TryFrom<i64>>(&self, column: &'static str, value: i64) -> Result<T, StoreError> {
        T::try_from(value).map_err(|_| self.bad(column, value.to_string(), "a count in range"))
    }
}

/// A `sessions` row as SQLite holds it.
pub(super) struct SessionRow {
    pub(super) id: String,
    pub(super) candidate: String,
    pub(super) exercise: String,
    pub(super) seed: String,
    pub(super) workspace: String,
    pub(super) started_at: String,
    pub(super) mode: String,
    pub(super) time_box_minutes: i64,
}

impl SessionRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(SessionRow {
            id: row.get(0)?,
            candidate: row.get(1)?,
            exercise: row.get(2)?,
            seed: row.get(3)?,
            workspace: row.get(4)?,
            started_at: row.get(5)?,
            mode: row.get(6)?,
            time_box_minutes: row.get(7)?,
        })
    }

    pub(super) fn into_record(self, path: &Path) -> Result<SessionRecord, StoreError> {
        let check = RowCheck { path, table: "sessions", key: self.id.clone() };
        Ok(SessionRecord {
            seed: check.seed(&self.seed)?,
            started_at: check.time("started_at", &self.started_at)?,
            time_box_minutes: check.count("time_box_minutes", self.time_box_minutes)?,
            id: self.id,
            candidate: self.candidate,
            exercise: self.exercise,
            workspace: self.workspace,
            mode: self.mode,
        })
    }
}

/// A `hints` row as SQLite holds it.
pub(super) struct HintRow {
    pub(super) session_id: String,
    pub(super) number: i64,
    pub(super) cost: f64,
    pub(super) revealed_at: String,
}

impl HintRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(HintRow { session_id: row.get(0)?, number: row.get(1)?, cost: row.get(2)?, revealed_at: row.get(3)? })
    }

    pub(super) fn into_record(self, path: &Path) -> Result<HintRecord, StoreError> {
        let key = format!("{}/{}", self.session_id, self.number);
        let check = RowCheck { path, table: "hints", key };
        Ok(HintRecord {
            number: check.count("number", self.number)?,
            at: check.time("revealed_at", &self.revealed_at)?,
            cost: self.cost,
            session_id: self.session_id,
        })
    }
}

/// A `results` row as SQLite holds it.
pub(super) struct ResultRow {
    pub(super) id: i64,
    pub(super) session_id: Option<String>,
    pub(super) candidate: String,
    pub(super) exercise: String,
    pub(super) seed: String,
    pub(super) score: f64,
    pub(super) passed: bool,
    pub(super) started_at: Option<String>,
    pub(super) submitted_at: String,
    pub(super) hints_used: i64,
    pub(super) workspace: Option<String>,
    pub(super) grade_json: String,
    pub(super) stored_at: String,
    pub(super) diff: Option<String>,
}

impl ResultRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(ResultRow {
            id: row.get(0)?,
            session_id: row.get(1)?,
            candidate: row.get(2)?,
            exercise: row.get(3)?,
            seed: row.get(4)?,
            score: row.get(5)?,
            passed: row.get(6)?,
            started_at: row.get(7)?,
            submitted_at: row.get(8)?,
            hints_used: row.get(9)?,
            workspace: row.get(10)?,
            grade_json: row.get(11)?,
            stored_at: row.get(12)?,
            diff: row.get(13)?,
        })
    }

    pub(super) fn into_record(self, path: &Path) -> Result<ResultRecord, StoreError> {
        let check = RowCheck { path, table: "results", key: self.id.to_string() };
        let grade = serde_json::from_str(&self.grade_json).map_err(|source| StoreError::GradeUnreadable {
            path: path.to_path_buf(),
            id: self.id,
            source,
        })?;
        Ok(ResultRecord {
            id: self.id,
            seed: check.seed(&self.seed)?,
            started_at: self.started_at.map(|t| check.time("started_at", &t)).transpose()?,
            submitted_at: check.time("submitted_at", &self.submitted_at)?,
            hints_used: check.count("hints_used", self.hints_used)?,
            stored_at: check.time("stored_at", &self.stored_at)?,
            grade,
            session_id: self.session_id,
            candidate: self.candidate,
            exercise: self.exercise,
            workspace: self.workspace,
            diff: self.diff,
            score: self.score,
            passed: self.passed,
        })
    }
}

/// A `ratings` row as SQLite holds it.
pub(super) struct RatingRow {
    pub(super) id: String,
    pub(super) result_id: i64,
    pub(super) dimension: Option<String>,
    pub(super) score: Option<i64>,
    pub(super) red_flag: Option<String>,
    pub(super) note: String,
    pub(super) rater: String,
    pub(super) rated_at: String,
}

impl RatingRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RatingRow {
            id: row.get(0)?,
            result_id: row.get(1)?,
            dimension: row.get(2)?,
            score: row.get(3)?,
            red_flag: row.get(4)?,
            note: row.get(5)?,
            rater: row.get(6)?,
            rated_at: row.get(7)?,
        })
    }

    pub(super) fn into_record(self, path: &Path) -> Result<Rating, StoreError> {
        let check = RowCheck { path, table: "ratings", key: self.id.clone() };
        Ok(Rating {
            score: self.score.map(|s| check.count("score", s)).transpose()?,
            rated_at: check.time("rated_at", &self.rated_at)?,
            id: self.id,
            result_id: self.result_id,
            dimension: self.dimension,
            red_flag: self.red_flag,
            note: self.note,
            rater: self.rater,
        })
    }
}

/// An `interviews` row as SQLite holds it.
pub(super) struct InterviewRow {
    pub(super) session_id: String,
    pub(super) candidate: String,
    pub(super) exercise: String,
    pub(super) interviewer: Option<String>,
    pub(super) started_at: String,
    pub(super) time_box_minutes: i64,
    pub(super) result_id: Option<i64>,
    pub(super) submitted_at: Option<String>,
    pub(super) late: bool,
}

impl InterviewRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(InterviewRow {
            session_id: row.get(0)?,
            candidate: row.get(1)?,
            exercise: row.get(2)?,
            interviewer: row.get(3)?,
            started_at: row.get(4)?,
            time_box_minutes: row.get(5)?,
            result_id: row.get(6)?,
            submitted_at: row.get(7)?,
            late: row.get(8)?,
        })
    }

    pub(super) fn into_record(self, path: &Path) -> Result<InterviewRecord, StoreError> {
        let check = RowCheck { path, table: "interviews", key: self.session_id.clone() };
        Ok(InterviewRecord {
            started_at: check.time("started_at", &self.started_at)?,
            time_box_minutes: check.count("time_box_minutes", self.time_box_minutes)?,
            submitted_at: self.submitted_at.map(|t| check.time("submitted_at", &t)).transpose()?,
            session_id: self.session_id,
            candidate: self.candidate,
            exercise: self.exercise,
            interviewer: self.interviewer,
            result_id: self.result_id,
            late: self.late,
        })
    }
}

/// A `notes` row as SQLite holds it.
pub(super) struct NoteRow {
    pub(super) id: String,
    pub(super) target: String,
    pub(super) author: String,
    pub(super) body: String,
    pub(super) written_at: String,
}

impl NoteRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(NoteRow {
            id: row.get(0)?,
            target: row.get(1)?,
            author: row.get(2)?,
            body: row.get(3)?,
            written_at: row.get(4)?,
        })
    }

    pub(super) fn into_record(self, path: &Path) -> Result<NoteRecord, StoreError> {
        let check = RowCheck { path, table: "notes", key: self.id.clone() };
        Ok(NoteRecord {
            written_at: check.time("written_at", &self.written_at)?,
            id: self.id,
            target: self.target,
            author: self.author,
            text: self.body,
        })
    }
}

/// A `track_enrolments` row as SQLite holds it.
pub(super) struct EnrolmentRow {
    pub(super) candidate: String,
    pub(super) start_date: String,
    pub(super) counted_from: String,
    pub(super) enrolled_at: String,
}

impl EnrolmentRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(EnrolmentRow {
            candidate: row.get(0)?,
            start_date: row.get(1)?,
            counted_from: row.get(2)?,
            enrolled_at: row.get(3)?,
        })
    }

    pub(super) fn into_record(self, path: &Path) -> Result<TrackEnrolment, StoreError> {
        let check = RowCheck { path, table: "track_enrolments", key: self.candidate.clone() };
        Ok(TrackEnrolment {
            start_date: date_from_text(&self.start_date)
                .ok_or_else(|| check.bad("start_date", self.start_date.clone(), "a YYYY-MM-DD date"))?,
            counted_from: check.time("counted_from", &self.counted_from)?,
            enrolled_at: check.time("enrolled_at", &self.enrolled_at)?,
            candidate: self.candidate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::{sample_grade, sample_result};
    use time::macros::datetime;

    fn new_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_in(dir.path()).unwrap();
        (dir, store)
    }

    fn sample_session(id: &str) -> SessionRecord {
        SessionRecord {
            id: id.to_owned(),
            candidate: "ada".to_owned(),
            exercise: "probe-port".to_owned(),
            seed: u64::MAX,
            workspace: "/tmp/workspaces/ada/probe-port".to_owned(),
            started_at: datetime!(2026-11-27 09:00:00.123456789 -05:00),
            mode: "interview".to_owned(),
            time_box_minutes: 45,
        }
    }

    fn raw(path: &Path) -> Connection {
        Connection::open(path).unwrap()
    }

    fn all() -> ResultFilter {
        ResultFilter::default()
    }

    #[test]
    fn migrations_are_numbered_from_one_without_gaps() {
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, i as i64 + 1, "migration {}", migration.name);
        }
        assert_eq!(SqliteStore::SCHEMA_VERSION, MIGRATIONS.len() as i64);
    }

    #[test]
    fn opening_an_empty_directory_creates_the_latest_schema_in_wal_mode() {
        let (dir, store) = new_store();
        assert_eq!(store.path(), dir.path().join("faultline.db"));
        let conn = raw(store.path());
        let (version, application_id) = read_header(&conn).unwrap();
        assert_eq!(version, SqliteStore::SCHEMA_VERSION);
        assert_eq!(application_id, APPLICATION_ID);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        let tables: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(tables, ["hints", "interviews", "notes", "ratings", "results", "sessions", "track_enrolments"]);
    }

    #[test]
    fn opening_an_up_to_date_database_does_not_migrate_again() {
        let (_dir, store) = new_store();
        let path = store.path().to_path_buf();
        store.save_result(&sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc())).unwrap();
        drop(store);
        let reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(reopened.results(&all()).unwrap().len(), 1);
    }

    #[test]
    fn reopening_keeps_sessions_hints_and_results() {
        let (dir, store) = new_store();
        let session = sample_session("s-1");
        store.create_session(&session).unwrap();
        store.record_hint("s-1", 1, 2.5).unwrap();
        let result = sample_result("ada", "probe-port", 7, datetime!(2026-11-27 10:00 UTC));
        let id = store.save_result(&result).unwrap();
        drop(store);

        let store = SqliteStore::open_in(dir.path()).unwrap();
        assert_eq!(store.session("s-1").unwrap(), Some(session));
        assert_eq!(store.hints("s-1").unwrap().len(), 1);
        let stored = store.result(id).unwrap().unwrap();
        assert_eq!(stored.grade, result.grade);
    }

    #[test]
    fn session_round_trips_with_every_field() {
        let (_dir, store) = new_store();
        let session = sample_session("s-1");
        store.create_session(&session).unwrap();
        let stored = store.session("s-1").unwrap().unwrap();
        assert_eq!(stored, session);
        assert_eq!(stored.started_at.offset(), time::UtcOffset::UTC);
        assert_eq!(store.session("nope").unwrap(), None);
    }

    #[test]
    fn creating_a_session_twice_is_refused() {
        let (_dir, store) = new_store();
        store.create_session(&sample_session("s-1")).unwrap();
        let err = store.create_session(&sample_session("s-1")).unwrap_err();
        assert!(matches!(err, StoreError::DuplicateSession { ref id, .. } if id == "s-1"), "{err:?}");
    }

    #[test]
    fn hints_are_recorded_once_per_number() {
        let (_dir, store) = new_store();
        store.create_session(&sample_session("s-1")).unwrap();
        assert!(store.record_hint("s-1", 2, 5.0).unwrap());
        assert!(store.record_hint("s-1", 1, 2.5).unwrap());
        assert!(!store.record_hint("s-1", 2, 99.0).unwrap());
        let hints = store.hints("s-1").unwrap();
        let numbers: Vec<_> = hints.iter().map(|h| (h.number, h.cost)).collect();
        assert_eq!(numbers, [(1, 2.5), (2, 5.0)], "the first record of a hint is kept");
        assert!(hints.iter().all(|h| h.session_id == "s-1"));
        let age = OffsetDateTime::now_utc() - hints[0].at;
        assert!(age.whole_seconds().abs() < 60, "hint time is now: {}", hints[0].at);
    }

    #[test]
    fn hints_of_a_session_without_any_are_empty() {
        let (_dir, store) = new_store();
        store.create_session(&sample_session("s-1")).unwrap();
        assert!(store.hints("s-1").unwrap().is_empty());
    }

    #[test]
    fn hint_for_an_unknown_session_is_refused() {
        let (_dir, store) = new_store();
        let err = store.record_hint("ghost", 1, 1.0).unwrap_err();
        assert!(matches!(err, StoreError::UnknownSession { ref id, .. } if id == "ghost"), "{err:?}");
    }

    #[test]
    fn saved_result_round_trips_with_every_field() {
        let (_dir, store) = new_store();
        let result = sample_result("ada", "probe-port", u64::MAX, datetime!(2026-11-27 10:15:30.987654321 +09:00));
        let before = OffsetDateTime::now_utc();
        let id = store.save_result(&result).unwrap();
        let stored = store.result(id).unwrap().unwrap();
        assert_eq!(stored.id, id);
        assert_eq!(stored.session_id, result.session_id);
        assert_eq!(stored.candidate, result.candidate);
        assert_eq!(stored.exercise, result.exercise);
        assert_eq!(stored.seed, u64::MAX);
        assert_eq!(stored.started_at, result.started_at);
        assert_eq!(stored.submitted_at, result.submitted_at);
        assert_eq!(stored.hints_used, result.hints_used);
        assert_eq!(stored.grade, result.grade);
        assert_eq!(stored.workspace, result.workspace);
        assert_eq!(stored.score, 72.5);
        assert!(stored.passed);
        assert!(stored.stored_at >= before - time::Duration::seconds(1));
    }

    #[test]
    fn result_without_session_start_or_workspace_is_stored() {
        let (_dir, store) = new_store();
        let mut result = sample_result("ada", "probe-port", 0, OffsetDateTime::now_utc());
        result.session_id = None;
        result.started_at = None;
        result.workspace = None;
        let id = store.save_result(&result).unwrap();
        let stored = store.result(id).unwrap().unwrap();
        assert_eq!((stored.session_id, stored.started_at, stored.workspace), (None, None, None));
    }

    #[test]
    fn missing_result_is_none() {
        let (_dir, store) = new_store();
        assert!(store.result(42).unwrap().is_none());
    }

    #[test]
    fn results_are_filtered_by_candidate_and_exercise() {
        let (_dir, store) = new_store();
        let at = datetime!(2026-11-27 10:00 UTC);
        for (candidate, exercise) in [("ada", "probe-port"), ("ada", "iam-wildcard"), ("grace", "probe-port")] {
            store.save_result(&sample_result(candidate, exercise, 1, at)).unwrap();
        }
        let pairs = |f: ResultFilter| -> Vec<(String, String)> {
            let mut v: Vec<_> = store.results(&f).unwrap().into_iter().map(|r| (r.candidate, r.exercise)).collect();
            v.sort();
            v
        };
        let own = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            pairs(ResultFilter { candidate: Some("ada".into()), ..all() }),
            [own("ada", "iam-wildcard"), own("ada", "probe-port")]
        );
        assert_eq!(
            pairs(ResultFilter { exercise: Some("probe-port".into()), ..all() }),
            [own("ada", "probe-port"), own("grace", "probe-port")]
        );
        assert_eq!(
            pairs(ResultFilter { candidate: Some("grace".into()), exercise: Some("probe-port".into()), ..all() }),
            [own("grace", "probe-port")]
        );
        assert!(pairs(ResultFilter { candidate: Some("nobody".into()), ..all() }).is_empty());
        assert_eq!(pairs(all()).len(), 3);
    }

    #[test]
    fn results_are_listed_newest_submission_first() {
        let (_dir, store) = new_store();
        // Saved out of order, and across time zones, on purpose.
        let times = [
            datetime!(2026-11-27 10:00:00.5 UTC),
            datetime!(2026-11-27 12:00 +03:00), // 09:00 UTC
            datetime!(2026-11-27 10:00 UTC),
            datetime!(2026-11-27 06:00 -05:00), // 11:00 UTC
        ];
        for (seed, at) in times.iter().enumerate() {
            store.save_result(&sample_result("ada", "probe-port", seed as u64, *at)).unwrap();
        }
        let seeds: Vec<u64> = store.results(&all()).unwrap().iter().map(|r| r.seed).collect();
        assert_eq!(seeds, [3, 0, 2, 1]);
        let newest_two = store.results(&ResultFilter { limit: Some(2), ..all() }).unwrap();
        assert_eq!(newest_two.iter().map(|r| r.seed).collect::<Vec<_>>(), [3, 0]);
    }

    #[test]
    fn results_since_a_time_include_that_instant_whatever_the_time_zone() {
        let (_dir, store) = new_store();
        let times = [
            datetime!(2026-11-27 08:59:59.999 UTC),
            datetime!(2026-11-27 12:00 +03:00), // 09:00 UTC, the boundary itself
            datetime!(2026-11-27 06:00 -05:00), // 11:00 UTC
        ];
        for (seed, at) in times.iter().enumerate() {
            store.save_result(&sample_result("ada", "probe-port", seed as u64, *at)).unwrap();
        }
        let since = ResultFilter { since: Some(datetime!(2026-11-27 10:00 +01:00)), ..all() };
        let seeds: Vec<u64> = store.results(&since).unwrap().iter().map(|r| r.seed).collect();
        assert_eq!(seeds, [2, 1]);
    }

    #[test]
    fn results_submitted_at_the_same_time_list_the_later_save_first() {
        let (_dir, store) = new_store();
        let at = datetime!(2026-11-27 10:00 UTC);
        let first = store.save_result(&sample_result("ada", "probe-port", 1, at)).unwrap();
        let second = store.save_result(&sample_result("ada", "probe-port", 2, at)).unwrap();
        let ids: Vec<i64> = store.results(&all()).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(ids, [second, first]);
    }

    #[test]
    fn newer_schema_database_is_refused_and_left_untouched() {
        let (_dir, store) = new_store();
        let path = store.path().to_path_buf();
        store.save_result(&sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc())).unwrap();
        drop(store);
        {
            let conn = raw(&path);
            conn.execute_batch("CREATE TABLE future (result_id INTEGER); PRAGMA user_version = 99;").unwrap();
        }
        let before = fs_err::read(&path).unwrap();

        let err = SqliteStore::open(&path).unwrap_err();
        match &err {
            StoreError::NewerSchema { path: p, found, supported } => {
                assert_eq!((p, *found, *supported), (&path, 99, SqliteStore::SCHEMA_VERSION));
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("newer Faultline"), "{message}");
        assert_eq!(fs_err::read(&path).unwrap(), before, "the file must not change");
    }

    #[test]
    fn newer_schema_in_rollback_journal_mode_is_not_switched_to_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faultline.db");
        {
            let conn = raw(&path);
            conn.execute_batch(&format!(
                "CREATE TABLE future (x); PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {NEXT};"
            ))
            .unwrap();
        }
        let before = fs_err::read(&path).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found: NEXT, .. }), "{err:?}");
        assert_eq!(fs_err::read(&path).unwrap(), before, "the file must not change");
        assert!(!dir.path().join("faultline.db-wal").exists());
    }

    #[test]
    fn file_that_is_not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faultline.db");
        let text = "these are notes, not a database\n".repeat(200);
        fs_err::write(&path, &text).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
        assert_eq!(fs_err::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn sqlite_database_of_another_program_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faultline.db");
        raw(&path).execute_batch("CREATE TABLE bookmarks (url TEXT);").unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");

        let other = dir.path().join("other.db");
        raw(&other).execute_batch("PRAGMA application_id = 1234;").unwrap();
        let err = SqliteStore::open(&other).unwrap_err();
        assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
    }

    #[test]
    fn uncreatable_data_dir_gives_an_error_naming_it_and_the_way_out() {
        // Permission bits do not stop root, so block the directory with a regular file.
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("a-file");
        fs_err::write(&blocker, "").unwrap();
        let data_dir = blocker.join("faultline");
        let err = SqliteStore::open_in(&data_dir).unwrap_err();
        assert!(matches!(err, StoreError::DataDirNotWritable { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(&data_dir.display().to_string()), "{message}");
        assert!(message.contains("--data-dir"), "{message}");
        assert!(message.contains("FAULTLINE_DATA_DIR"), "{message}");
    }

    #[test]
    fn database_locked_for_too_long_gives_a_clear_error_and_saves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faultline.db");
        let store = SqliteStore::open_with_timeout(&path, Duration::from_millis(200)).unwrap();
        let other = raw(&path);
        other.execute_batch("BEGIN IMMEDIATE").unwrap();

        let result = sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc());
        let err = store.save_result(&result).unwrap_err();
        let StoreError::ResultNotSaved { cause, .. } = &err else {
            panic!("expected ResultNotSaved, got {err:?}");
        };
        assert!(matches!(**cause, StoreError::Locked { .. }), "{cause:?}");
        let message = err.to_string();
        assert!(message.contains("NOT saved"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("stayed locked"), "the reason is in the message: {message}");

        let err = store.create_session(&sample_session("s-1")).unwrap_err();
        assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");

        other.execute_batch("ROLLBACK").unwrap();
        assert!(store.results(&all()).unwrap().is_empty());
        store.save_result(&result).unwrap();
        assert_eq!(store.results(&all()).unwrap().len(), 1);
    }

    #[test]
    fn grade_that_cannot_be_read_back_is_not_saved_and_says_so() {
        let (_dir, store) = new_store();
        let mut result = sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc());
        result.grade = sample_grade("ada", "probe-port", 1, f64::NAN);
        let err = store.save_result(&result).unwrap_err();
        let StoreError::ResultNotSaved { cause, candidate, exercise, .. } = &err else {
            panic!("expected ResultNotSaved, got {err:?}");
        };
        assert_eq!((candidate.as_str(), exercise.as_str()), ("ada", "probe-port"));
        assert!(matches!(**cause, StoreError::GradeNotStorable { .. }), "{cause:?}");
        assert!(err.to_string().contains("finite number"), "{err}");
        assert!(store.results(&all()).unwrap().is_empty());
    }

    #[test]
    fn unreadable_stored_grade_is_reported_with_its_result_id() {
        let (_dir, store) = new_store();
        let id = store.save_result(&sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc())).unwrap();
        raw(store.path()).execute("UPDATE results SET grade_json = '{\"score\": ' WHERE id = ?1", [id]).unwrap();
        let err = store.result(id).unwrap_err();
        assert!(matches!(err, StoreError::GradeUnreadable { id: bad, .. } if bad == id), "{err:?}");
        assert!(err.to_string().contains(&format!("result {id}")), "{err}");
        assert!(err.to_string().contains(&store.path().display().to_string()), "{err}");
    }

    #[test]
    fn unreadable_stored_time_names_table_row_and_column() {
        let (_dir, store) = new_store();
        let id = store.save_result(&sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc())).unwrap();
        raw(store.path()).execute("UPDATE results SET submitted_at = 'yesterday' WHERE id = ?1", [id]).unwrap();
        let err = store.results(&all()).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, StoreError::BadStoredValue { column: "submitted_at", .. }), "{err:?}");
        assert!(message.contains("yesterday") && message.contains(&format!("row {id}")), "{message}");
    }

    #[test]
    fn failed_migration_leaves_the_database_as_it_was() {
        let (_dir, store) = new_store();
        store.save_result(&sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc())).unwrap();
        let broken = with_future("CREATE TABLE future (result_id INTEGER); INSERT INTO no_such_table VALUES (1);");
        let err = {
            let mut conn = store.lock();
            store.prepare(&mut conn, &broken).unwrap_err()
        };
        assert!(matches!(err, StoreError::Migration { version: NEXT, name: "future", .. }), "{err:?}");
        let conn = raw(store.path());
        assert_eq!(read_header(&conn).unwrap().0, SqliteStore::SCHEMA_VERSION);
        let future: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'future'", [], |r| r.get(0)).unwrap();
        assert_eq!(future, 0);
        assert_eq!(store.results(&all()).unwrap().len(), 1);
    }

    #[test]
    fn later_migration_applies_on_top_of_existing_data() {
        let (_dir, store) = new_store();
        let id = store.save_result(&sample_result("ada", "probe-port", 1, OffsetDateTime::now_utc())).unwrap();
        let next = with_future("CREATE TABLE future (result_id INTEGER NOT NULL REFERENCES results (id));");
        {
            let mut conn = store.lock();
            store.prepare(&mut conn, &next).unwrap();
            conn.execute("INSERT INTO future (result_id) VALUES (?1)", [id]).unwrap();
        }
        assert_eq!(read_header(&raw(store.path())).unwrap().0, NEXT);
        assert!(store.result(id).unwrap().is_some());
        // …and this build, which stops one version short, now refuses the file.
        let err = SqliteStore::open(store.path()).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found: NEXT, .. }), "{err:?}");
    }

    /// The version after the newest this build knows.
    const NEXT: i64 = SqliteStore::SCHEMA_VERSION + 1;

    /// This build's migrations plus a made-up next one.
    fn with_future(sql: &'static str) -> Vec<Migration> {
        let mut all: Vec<Migration> =
            MIGRATIONS.iter().map(|m| Migration { version: m.version, name: m.name, sql: m.sql }).collect();
        all.push(Migration { version: NEXT, name: "future", sql });
        all
    }

    #[test]
    fn store_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SqliteStore>();
        assert_send_sync::<Box<dyn Store>>();
    }
}
