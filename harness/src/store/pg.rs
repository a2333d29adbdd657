//! The PostgreSQL backend of the store, for teams that keep results in one shared
//! database (`--store postgres://…` or `FAULTLINE_STORE`).
//!
//! It keeps the SQLite backend's tables and behaviour: the same migration files (the
//! one SQLite-only phrase, `AUTOINCREMENT`, is rewritten to an identity column), the
//! same text encodings for times and seeds, and the same row checks when reading.
//! The schema version lives in a one-row table `faultline_schema`; migrations run in
//! one transaction under an advisory lock, so two processes opening a new database at
//! once do not both migrate. A database from a newer Faultline, or one holding another
//! program's tables, is refused before anything is written. Each write is one
//! transaction, so it is stored completely or not at all.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Transaction};
use time::OffsetDateTime;

use super::sqlite::{
    EnrolmentRow, HintRow, InterviewRow, NoteRow, RatingRow, ResultRow, SessionRow, ENROLMENT_COLUMNS,
    INTERVIEW_COLUMNS, MIGRATIONS, NOTE_COLUMNS, RATING_COLUMNS, RESULT_COLUMNS, SESSION_COLUMNS,
};
use super::{
    date_to_text, time_to_text, HintRecord, InterviewRecord, NewResult, NoteRecord, Rating, RatingFilter, ResultFilter,
    ResultRecord, SessionRecord, Store, StoreError, TrackEnrolment,
};
use crate::model::Grade;

/// The SQLite-only phrase of the first migration and its PostgreSQL spelling.
const AUTOINCREMENT: (&str, &str) =
    ("INTEGER          PRIMARY KEY AUTOINCREMENT", "BIGINT           GENERATED ALWAYS AS IDENTITY PRIMARY KEY");

/// Key of the advisory lock held while migrating ("FLTL").
const MIGRATION_LOCK: i64 = 0x464C_544C;

/// A store in a PostgreSQL database. One connection behind a mutex, like
/// [`super::SqliteStore`].
pub struct PostgresStore {
    /// The URL with any password masked, for messages.
    url: String,
    conn: Mutex<Client>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("url", &self.url).finish_non_exhaustive()
    }
}

/// What went wrong inside a database call: PostgreSQL itself, or one of our own checks.
enum Failure {
    Db(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// The URL with the password replaced by `***`.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Whether a store address names PostgreSQL.
pub fn is_postgres_url(address: &str) -> bool {
    address.starts_with("postgres://") || address.starts_with("postgresql://")
}

impl PostgresStore {
    /// How long a write waits for another session's lock before giving up.
    pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

    /// The schema version this build creates and understands (the same as SQLite's).
    pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

    /// Connects and brings the schema up to date.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with_lock_timeout(url, Self::LOCK_TIMEOUT)
    }

    /// Like [`PostgresStore::open`], waiting at most `lock_timeout` for other sessions' locks.
    pub fn open_with_lock_timeout(url: &str, lock_timeout: Duration) -> Result<Self, StoreError> {
        let masked = mask_password(url);
        let mut client =
            Client::connect(url, NoTls).map_err(|source| StoreError::PgConnect { url: masked.clone(), source })?;
        let timeout = format!("SET lock_timeout = '{}ms'", lock_timeout.as_millis().max(1));
        client.batch_execute(&timeout).map_err(|source| StoreError::Postgres {
            url: masked.clone(),
            action: "opening the store",
            source,
        })?;
        let store = PostgresStore { url: masked, conn: Mutex::new(client) };
        {
            let mut conn = store.lock();
            store.migrate(&mut conn)?;
        }
        Ok(store)
    }

    /// The URL, password masked.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn lock(&self) -> MutexGuard<'_, Client> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn location(&self) -> PathBuf {
        PathBuf::from(&self.url)
    }

    /// Applies the migrations the database lacks, all in one transaction; refuses a
    /// newer or foreign database without writing anything.
    fn migrate(&self, conn: &mut Client) -> Result<(), StoreError> {
        const ACTION: &str = "upgrading the database schema";
        let run = |conn: &mut Client| -> Result<(i64, i64), Failure> {
            let mut tx = conn.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            let marker: Option<String> = tx.query_one("SELECT to_regclass('faultline_schema')::text", &[])?.get(0);
            let version: i64 = if marker.is_some() {
                tx.query_opt("SELECT version FROM faultline_schema", &[])?.map_or(0, |r| r.get(0))
            } else {
                for table in ["sessions", "results", "hints"] {
                    let found: Option<String> = tx.query_one("SELECT to_regclass($1)::text", &[&table])?.get(0);
                    if found.is_some() {
                        return Err(StoreError::PgForeign { url: self.url.clone(), table: table.to_string() }.into());
                    }
                }
                0
            };
            if version > Self::SCHEMA_VERSION {
                return Err(StoreError::PgNewerSchema {
                    url: self.url.clone(),
                    found: version,
                    supported: Self::SCHEMA_VERSION,
                }
                .into());
            }
            if version == Self::SCHEMA_VERSION {
                return Ok((version, version));
            }
            if marker.is_none() {
                tx.batch_execute("CREATE TABLE faultline_schema (version BIGINT NOT NULL)")?;
                tx.execute("INSERT INTO faultline_schema (version) VALUES (0)", &[])?;
            }
            for m in MIGRATIONS.iter().filter(|m| m.version > version) {
                let sql = m.sql.replace(AUTOINCREMENT.0, AUTOINCREMENT.1);
                tx.batch_execute(&sql)
                    .and_then(|()| tx.execute("UPDATE faultline_schema SET version = $1", &[&m.version]).map(|_| ()))
                    .map_err(|source| {
                        if is_lock_timeout(&source) {
                            Failure::Db(source)
                        } else {
                            Failure::Store(StoreError::PgMigration {
                                url: self.url.clone(),
                                version: m.version,
                                name: m.name,
                                source,
                            })
                        }
                    })?;
            }
            tx.commit()?;
            Ok((version, Self::SCHEMA_VERSION))
        };
        let (from, to) = run(conn).map_err(|f| self.settle(ACTION, f))?;
        if from != to {
            tracing::info!(url = %self.url, from, to, "database schema upgraded");
        }
        Ok(())
    }

    fn write<T>(
        &self,
        action: &'static str,
        body: impl FnOnce(&mut Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let run = |conn: &mut Client| -> Result<T, Failure> {
            let mut tx = conn.transaction()?;
            let value = body(&mut tx)?;
            tx.commit()?;
            Ok(value)
        };
        run(&mut conn).map_err(|f| self.settle(action, f))
    }

    fn read<T>(
        &self,
        action: &'static str,
        body: impl FnOnce(&mut Client) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        body(&mut conn).map_err(|f| self.settle(action, f))
    }

    fn settle(&self, action: &'static str, failure: Failure) -> StoreError {
        match failure {
            Failure::Db(source) if is_lock_timeout(&source) => StoreError::PgLocked { url: self.url.clone(), action },
            Failure::Db(source) => StoreError::Postgres { url: self.url.clone(), action, source },
            Failure::Store(e) => e,
        }
    }

    fn session_exists(tx: &mut Transaction<'_>, id: &str) -> Result<bool, postgres::Error> {
        Ok(tx.query_opt("SELECT 1 FROM sessions WHERE id = $1", &[&id])?.is_some())
    }

    fn insert_result(&self, r: &NewResult) -> Result<i64, StoreError> {
        let grade_json = serde_json::to_string(&r.grade).map_err(|source| StoreError::GradeNotStorable { source })?;
        serde_json::from_str::<Grade>(&grade_json).map_err(|source| StoreError::GradeNotStorable { source })?;
        let started_at = r.started_at.map(|t| time_to_text("started_at", t)).transpose()?;
        let submitted_at = time_to_text("submitted_at", r.submitted_at)?;
        let stored_at = time_to_text("stored_at", OffsetDateTime::now_utc())?;
        let hints_used = to_i32("hints_used", r.hints_used)?;
        let seed = r.seed.to_string();
        self.write("saving a result", |tx| {
            let row = tx.query_one(
                "INSERT INTO results (session_id, candidate, exercise, seed, score, passed, \
                 started_at, submitted_at, hints_used, workspace, grade_json, stored_at, diff) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                &[
                    &r.session_id,
                    &r.candidate,
                    &r.exercise,
                    &seed,
                    &r.grade.score,
                    &r.grade.passed,
                    &started_at,
                    &submitted_at,
                    &hints_used,
                    &r.workspace,
                    &grade_json,
                    &stored_at,
                    &r.diff,
                ],
            )?;
            Ok(row.get(0))
        })
    }

    fn list<T, R>(
        &self,
        action: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        from_row: impl Fn(&Row) -> Result<R, postgres::Error>,
        into: impl Fn(R, &Path) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = self.read(action, |conn| {
            let rows = conn.query(sql, params)?;
            Ok(rows.iter().map(&from_row).collect::<Result<Vec<_>, _>>()?)
        })?;
        let location = self.location();
        rows.into_iter().map(|r| into(r, &location)).collect()
    }
}

/// A lock timeout: the one PostgreSQL error a user can wait out.
fn is_lock_timeout(e: &postgres::Error) -> bool {
    e.code().is_some_and(|code| *code == SqlState::LOCK_NOT_AVAILABLE || *code == SqlState::T_R_DEADLOCK_DETECTED)
}

fn to_i32(field: &'static str, value: usize) -> Result<i32, StoreError> {
    i32::try_from(value).map_err(|_| StoreError::OutOfRange { field, value: value.to_string() })
}

fn session_row(row: &Row) -> Result<SessionRow, postgres::Error> {
    Ok(SessionRow {
        id: row.try_get(0)?,
        candidate: row.try_get(1)?,
        exercise: row.try_get(2)?,
        seed: row.try_get(3)?,
        workspace: row.try_get(4)?,
        started_at: row.try_get(5)?,
        mode: row.try_get(6)?,
        time_box_minutes: i64::from(row.try_get::<_, i32>(7)?),
    })
}

fn hint_row(row: &Row) -> Result<HintRow, postgres::Error> {
    Ok(HintRow {
        session_id: row.try_get(0)?,
        number: i64::from(row.try_get::<_, i32>(1)?),
        cost: row.try_get(2)?,
        revealed_at: row.try_get(3)?,
    })
}

fn result_row(row: &Row) -> Result<ResultRow, postgres::Error> {
    Ok(ResultRow {
        id: row.try_get(0)?,
        session_id: row.try_get(1)?,
        candidate: row.try_get(2)?,
        exercise: row.try_get(3)?,
        seed: row.try_get(4)?,
        score: row.try_get(5)?,
        passed: row.try_get(6)?,
        started_at: row.try_get(7)?,
        submitted_at: row.try_get(8)?,
        hints_used: i64::from(row.try_get::<_, i32>(9)?),
        workspace: row.try_get(10)?,
        grade_json: row.try_get(11)?,
        stored_at: row.try_get(12)?,
        diff: row.try_get(13)?,
    })
}

fn rating_row(row: &Row) -> Result<RatingRow, postgres::Error> {
    Ok(RatingRow {
        id: row.try_get(0)?,
        result_id: row.try_get(1)?,
        dimension: row.try_get(2)?,
        score: row.try_get::<_, Option<i32>>(3)?.map(i64::from),
        red_flag: row.try_get(4)?,
        note: row.try_get(5)?,
        rater: row.try_get(6)?,
        rated_at: row.try_get(7)?,
    })
}

fn interview_row(row: &Row) -> Result<InterviewRow, postgres::Error> {
    Ok(InterviewRow {
        session_id: row.try_get(0)?,
        candidate: row.try_get(1)?,
        exercise: row.try_get(2)?,
        interviewer: row.try_get(3)?,
        started_at: row.try_get(4)?,
        time_box_minutes: i64::from(row.try_get::<_, i32>(5)?),
        result_id: row.try_get(6)?,
        submitted_at: row.try_get(7)?,
        late: row.try_get(8)?,
    })
}

fn note_row(row: &Row) -> Result<NoteRow, postgres::Error> {
    Ok(NoteRow {
        id: row.try_get(0)?,
        target: row.try_get(1)?,
        author: row.try_get(2)?,
        body: row.try_get(3)?,
        written_at: row.try_get(4)?,
    })
}

fn enrolment_row(row: &Row) -> Result<EnrolmentRow, postgres::Error> {
    Ok(EnrolmentRow {
        candidate: row.try_get(0)?,
        start_date: row.try_get(1)?,
        counted_from: row.try_get(2)?,
        enrolled_at: row.try_get(3)?,
    })
}

impl Store for PostgresStore {
    fn create_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        let started_at = time_to_text("started_at", s.started_at)?;
        let seed = s.seed.to_string();
        let minutes = to_i32("time_box_minutes", s.time_box_minutes as usize)?;
        self.write("creating a session", |tx| {
            if Self::session_exists(tx, &s.id)? {
                return Err(StoreError::DuplicateSession { path: self.location(), id: s.id.clone() }.into());
            }
            tx.execute(
                &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
                &[&s.id, &s.candidate, &s.exercise, &seed, &s.workspace, &started_at, &s.mode, &minutes],
            )?;
            Ok(())
        })
    }

    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1");
        Ok(self.list("reading a session", &sql, &[&id], session_row, SessionRow::into_record)?.pop())
    }

    fn record_hint(&self, session_id: &str, number: usize, cost: f64) -> Result<bool, StoreError> {
        self.import_hint(&HintRecord {
            session_id: session_id.to_string(),
            number,
            cost,
            at: OffsetDateTime::now_utc(),
        })
    }

    fn hints(&self, session_id: &str) -> Result<Vec<HintRecord>, StoreError> {
        self.list(
            "reading hints",
            "SELECT session_id, number, cost, revealed_at FROM hints WHERE session_id = $1 ORDER BY number",
            &[&session_id],
            hint_row,
            HintRow::into_record,
        )
    }

    fn save_result(&self, r: &NewResult) -> Result<i64, StoreError> {
        self.insert_result(r).map_err(|source| StoreError::ResultNotSaved {
            path: self.location(),
            candidate: r.candidate.clone(),
            exercise: r.exercise.clone(),
            cause: Box::new(source),
        })
    }

    fn result(&self, id: i64) -> Result<Option<ResultRecord>, StoreError> {
        let sql = format!("SELECT {RESULT_COLUMNS} FROM results WHERE id = $1");
        Ok(self.list("reading a result", &sql, &[&id], result_row, ResultRow::into_record)?.pop())
    }

    fn results(&self, f: &ResultFilter) -> Result<Vec<ResultRecord>, StoreError> {
        let limit = f.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        // Times are stored as fixed-width UTC text, so text order is time order.
        let since = f.since.map(|t| time_to_text("since", t)).transpose()?;
        let sql = format!(
            "SELECT {RESULT_COLUMNS} FROM results \
             WHERE ($1::TEXT IS NULL OR candidate = $1) AND ($2::TEXT IS NULL OR exercise = $2) \
             AND ($4::TEXT IS NULL OR submitted_at >= $4) \
             ORDER BY submitted_at DESC, id DESC LIMIT $3"
        );
        self.list(
            "listing results",
            &sql,
            &[&f.candidate, &f.exercise, &limit, &since],
            result_row,
            ResultRow::into_record,
        )
    }

    fn sessions(&self, candidate: Option<&str>) -> Result<Vec<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE ($1::TEXT IS NULL OR candidate = $1) ORDER BY started_at, id"
        );
        self.list("listing sessions", &sql, &[&candidate], session_row, SessionRow::into_record)
    }

    fn import_hint(&self, h: &HintRecord) -> Result<bool, StoreError> {
        let number = to_i32("hint number", h.number)?;
        if !h.cost.is_finite() {
            return Err(StoreError::OutOfRange { field: "hint cost", value: h.cost.to_string() });
        }
        let at = time_to_text("hint time", h.at)?;
        self.write("recording a hint", |tx| {
            if !Self::session_exists(tx, &h.session_id)? {
                return Err(StoreError::UnknownSession { path: self.location(), id: h.session_id.clone() }.into());
            }
            let n = tx.execute(
                "INSERT INTO hints (session_id, number, cost, revealed_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (session_id, number) DO NOTHING",
                &[&h.session_id, &number, &h.cost, &at],
            )?;
            Ok(n == 1)
        })
    }

    fn add_rating(&self, r: &Rating) -> Result<bool, StoreError> {
        let at = time_to_text("rated_at", r.rated_at)?;
        let score = r.score.map(|s| to_i32("score", s as usize)).transpose()?;
        self.write("storing a rating", |tx| {
            if tx.query_opt("SELECT 1 FROM results WHERE id = $1", &[&r.result_id])?.is_none() {
                return Err(StoreError::UnknownResult { path: self.location(), id: r.result_id }.into());
            }
            let n = tx.execute(
                &format!(
                    "INSERT INTO ratings ({RATING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (id) DO NOTHING"
                ),
                &[&r.id, &r.result_id, &r.dimension, &score, &r.red_flag, &r.note, &r.rater, &at],
            )?;
            Ok(n == 1)
        })
    }

    fn ratings_for(&self, result_id: i64) -> Result<Vec<Rating>, StoreError> {
        let sql = format!("SELECT {RATING_COLUMNS} FROM ratings WHERE result_id = $1 ORDER BY rated_at, id");
        self.list("reading ratings", &sql, &[&result_id], rating_row, RatingRow::into_record)
    }

    fn list_ratings(&self, f: &RatingFilter) -> Result<Vec<Rating>, StoreError> {
        self.list(
            "listing ratings",
            "SELECT r.id, r.result_id, r.dimension, r.score, r.red_flag, r.note, r.rater, r.rated_at \
             FROM ratings r JOIN results s ON s.id = r.result_id \
             WHERE ($1::TEXT IS NULL OR s.candidate = $1) AND ($2::TEXT IS NULL OR r.rater = $2) \
             ORDER BY r.result_id, r.rated_at, r.id",
            &[&f.candidate, &f.rater],
            rating_row,
            RatingRow::into_record,
        )
    }

    fn save_interview(&self, i: &InterviewRecord) -> Result<(), StoreError> {
        let started_at = time_to_text("started_at", i.started_at)?;
        let submitted_at = i.submitted_at.map(|t| time_to_text("submitted_at", t)).transpose()?;
        let minutes = to_i32("time_box_minutes", i.time_box_minutes as usize)?;
        self.write("saving an interview", |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO interviews ({INTERVIEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (session_id) DO UPDATE SET candidate = excluded.candidate, \
                     exercise = excluded.exercise, interviewer = excluded.interviewer, \
                     started_at = excluded.started_at, time_box_minutes = excluded.time_box_minutes, \
                     result_id = excluded.result_id, submitted_at = excluded.submitted_at, late = excluded.late"
                ),
                &[
                    &i.session_id,
                    &i.candidate,
                    &i.exercise,
                    &i.interviewer,
                    &started_at,
                    &minutes,
                    &i.result_id,
                    &submitted_at,
                    &i.late,
                ],
            )?;
            Ok(())
        })
    }

    fn interview(&self, session_id: &str) -> Result<Option<InterviewRecord>, StoreError> {
        let sql = format!("SELECT {INTERVIEW_COLUMNS} FROM interviews WHERE session_id = $1");
        Ok(self.list("reading an interview", &sql, &[&session_id], interview_row, InterviewRow::into_record)?.pop())
    }

    fn interviews(&self) -> Result<Vec<InterviewRecord>, StoreError> {
        let sql = format!("SELECT {INTERVIEW_COLUMNS} FROM interviews ORDER BY started_at, session_id");
        self.list("listing interviews", &sql, &[], interview_row, InterviewRow::into_record)
    }

    fn add_note(&self, n: &NoteRecord) -> Result<bool, StoreError> {
        let at = time_to_text("written_at", n.written_at)?;
        self.write("storing a note", |tx| {
            let inserted = tx.execute(
                &format!("INSERT INTO notes ({NOTE_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING"),
                &[&n.id, &n.target, &n.author, &n.text, &at],
            )?;
            Ok(inserted == 1)
        })
    }

    fn notes(&self, target: Option<&str>) -> Result<Vec<NoteRecord>, StoreError> {
        let sql =
            format!("SELECT {NOTE_COLUMNS} FROM notes WHERE ($1::TEXT IS NULL OR target = $1) ORDER BY written_at, id");
        self.list("reading notes", &sql, &[&target], note_row, NoteRow::into_record)
    }

    fn save_enrolment(&self, e: &TrackEnrolment) -> Result<(), StoreError> {
        let counted_from = time_to_text("counted_from", e.counted_from)?;
        let enrolled_at = time_to_text("enrolled_at", e.enrolled_at)?;
        let start_date = date_to_text(e.start_date);
        self.write("saving a track enrolment", |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO track_enrolments ({ENROLMENT_COLUMNS}) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (candidate) DO UPDATE SET start_date = excluded.start_date, \
                     counted_from = excluded.counted_from, enrolled_at = excluded.enrolled_at"
                ),
                &[&e.candidate, &start_date, &counted_from, &enrolled_at],
            )?;
            Ok(())
        })
    }

    fn enrolments(&self, candidate: Option<&str>) -> Result<Vec<TrackEnrolment>, StoreError> {
        let sql = format!(
            "SELECT {ENROLMENT_COLUMNS} FROM track_enrolments WHERE ($1::TEXT IS NULL OR candidate = $1) \
             ORDER BY candidate"
        );
        self.list("reading track enrolments", &sql, &[&candidate], enrolment_row, EnrolmentRow::into_record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_messages() {
        assert_eq!(mask_password("postgres://ada:s3cret@db:5432/fl"), "postgres://ada:***@db:5432/fl");
        assert_eq!(mask_password("postgres://ada@db/fl"), "postgres://ada@db/fl");
        assert_eq!(mask_password("postgres://db/fl?user=a"), "postgres://db/fl?user=a");
    }

    #[test]
    fn the_first_migration_has_the_phrase_that_is_rewritten_for_postgres() {
        assert!(MIGRATIONS[0].sql.contains(AUTOINCREMENT.0));
        assert!(MIGRATIONS.iter().skip(1).all(|m| !m.sql.contains("AUTOINCREMENT")));
    }
}
