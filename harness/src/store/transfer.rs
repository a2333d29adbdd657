//! Export and import: every stored record as one JSON document, so results move
//! between stores (SQLite to PostgreSQL, one laptop to another) without loss.
//!
//! Import is idempotent. Sessions, ratings and notes keep their ids; hints are keyed
//! by session and number; interviews by session; enrolments by person. Results get a
//! new id in the receiving store (ids are the store's own), so a result counts as
//! already there when one with the same candidate, exercise, seed, session and
//! submission time (to the nanosecond) exists; ratings, interviews and notes that
//! point at a result are re-pointed at its id in the receiving store. Each record is
//! written atomically; an import that stops halfway can simply be run again.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    HintRecord, InterviewRecord, NewResult, NoteRecord, Rating, ResultFilter, ResultRecord, SessionRecord, Store,
    StoreError, TrackEnrolment,
};

/// Marks a file as a Faultline export.
pub const EXPORT_KIND: &str = "faultline-export";

/// The export format version this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;

/// A whole store as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    pub kind: String,
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    pub sessions: Vec<SessionRecord>,
    pub hints: Vec<HintRecord>,
    /// Oldest submission first.
    pub results: Vec<ResultRecord>,
    pub ratings: Vec<Rating>,
    pub interviews: Vec<InterviewRecord>,
    pub notes: Vec<NoteRecord>,
    pub enrolments: Vec<TrackEnrolment>,
}

/// How many records an import added and how many were there already.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: BTreeMap<&'static str, usize>,
    pub already_there: BTreeMap<&'static str, usize>,
}

impl ImportCounts {
    fn count(&mut self, table: &'static str, added: bool) {
        let map = if added { &mut self.added } else { &mut self.already_there };
        *map.entry(table).or_default() += 1;
    }

    /// Total added across tables.
    pub fn total_added(&self) -> usize {
        self.added.values().sum()
    }
}

/// Why an export file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{file}:{line}:{column}: not a Faultline export: {message}")]
    Parse { file: String, line: usize, column: usize, message: String },
    #[error("{file} is a `{found}` file, not a Faultline export")]
    WrongKind { file: String, found: String },
    #[error("{file} is export format {found}, written by a newer Faultline (this build reads up to {EXPORT_VERSION}); nothing was imported")]
    NewerVersion { file: String, found: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads every record of a store.
pub fn export(store: &dyn Store, now: OffsetDateTime) -> Result<Export, StoreError> {
    let sessions = store.sessions(None)?;
    let mut hints = Vec::new();
    for s in &sessions {
        hints.extend(store.hints(&s.id)?);
    }
    let mut results = store.results(&ResultFilter::default())?;
    results.reverse();
    Ok(Export {
        kind: EXPORT_KIND.to_string(),
        version: EXPORT_VERSION,
        exported_at: now,
        sessions,
        hints,
        results,
        ratings: store.list_ratings(&super::RatingFilter::default())?,
        interviews: store.interviews()?,
        notes: store.notes(None)?,
        enrolments: store.enrolments(None)?,
    })
}

/// Parses an export file's text; errors name the file, line and column.
pub fn parse(file: &str, text: &str) -> Result<Export, TransferError> {
    #[derive(Deserialize)]
    struct Head {
        kind: String,
        version: u32,
    }
    let bad = |e: serde_json::Error| TransferError::Parse {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
    };
    let head: Head = serde_json::from_str(text).map_err(bad)?;
    if head.kind != EXPORT_KIND {
        return Err(TransferError::WrongKind { file: file.to_string(), found: head.kind });
    }
    if head.version > EXPORT_VERSION {
        return Err(TransferError::NewerVersion { file: file.to_string(), found: head.version });
    }
    serde_json::from_str(text).map_err(bad)
}

/// The identity of a result across stores.
fn result_key(r: &ResultRecord) -> (String, String, u64, Option<String>, i128) {
    (r.candidate.clone(), r.exercise.clone(), r.seed, r.session_id.clone(), r.submitted_at.unix_timestamp_nanos())
}

/// Writes an export into a store, skipping what is already there.
pub fn import(store: &dyn Store, data: &Export) -> Result<ImportCounts, TransferError> {
    let mut counts = ImportCounts::default();
    for s in &data.sessions {
        match store.create_session(s) {
            Ok(()) => counts.count("sessions", true),
            Err(StoreError::DuplicateSession { .. }) => counts.count("sessions", false),
            Err(e) => return Err(e.into()),
        }
    }
    for h in &data.hints {
        counts.count("hints", store.import_hint(h)?);
    }

    // Results: match on identity, else store; remember old id -> id here.
    let mut ids: HashMap<i64, i64> = HashMap::new();
    let mut existing: HashMap<(String, String), Vec<ResultRecord>> = HashMap::new();
    for r in &data.results {
        let pair = (r.candidate.clone(), r.exercise.clone());
        if !existing.contains_key(&pair) {
            let here = store.results(&ResultFilter {
                candidate: Some(r.candidate.clone()),
                exercise: Some(r.exercise.clone()),
                ..ResultFilter::default()
            })?;
            existing.insert(pair.clone(), here);
        }
        let key = result_key(r);
        if let Some(found) = existing[&pair].iter().find(|x| result_key(x) == key) {
            ids.insert(r.id, found.id);
            counts.count("results", false);
            continue;
        }
        let id = store.save_result(&NewResult {
            session_id: r.session_id.clone(),
            candidate: r.candidate.clone(),
            exercise: r.exercise.clone(),
            seed: r.seed,
            started_at: r.started_at,
            submitted_at: r.submitted_at,
            hints_used: r.hints_used,
            grade: r.grade.clone(),
            workspace: r.workspace.clone(),
            diff: r.diff.clone(),
        })?;
        ids.insert(r.id, id);
        if let Some(list) = existing.get_mut(&pair) {
            list.push(ResultRecord { id, ..r.clone() });
        }
        counts.count("results", true);
    }
    let remap = |old: i64| ids.get(&old).copied();

    for r in &data.ratings {
        let Some(result_id) = remap(r.result_id) else {
            tracing::warn!(rating = r.id, result = r.result_id, "rating of a result not in the export; skipped");
            counts.count("ratings", false);
            continue;
        };
        counts.count("ratings", store.add_rating(&Rating { result_id, ..r.clone() })?);
    }
    for i in &data.interviews {
        let mut here = i.clone();
        here.result_id = i.result_id.and_then(remap);
        match store.interview(&i.session_id)? {
            Some(current) if current == here => counts.count("interviews", false),
            // Keep what the receiving store knows about the submit when the file does not.
            Some(current) if here.result_id.is_none() && current.result_id.is_some() => {
                counts.count("interviews", false)
            }
            _ => {
                store.save_interview(&here)?;
                counts.count("interviews", true);
            }
        }
    }
    for n in &data.notes {
        let target = match n.target.strip_prefix("result:").and_then(|id| id.parse::<i64>().ok()) {
            Some(old) => match remap(old) {
                Some(new) => format!("result:{new}"),
                None => n.target.clone(),
            },
            None => n.target.clone(),
        };
        counts.count("notes", store.add_note(&NoteRecord { target, ..n.clone() })?);
    }
    for e in &data.enrolments {
        let here = store.enrolments(Some(&e.candidate))?;
        if here.is_empty() {
            store.save_enrolment(e)?;
            counts.count("enrolments", true);
        } else {
            counts.count("enrolments", false);
        }
    }
    Ok(counts)
}
