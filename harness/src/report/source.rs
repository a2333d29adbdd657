//! Where reports get their input: stored results, read through the [`Store`] trait only,
//! turned into [`ReportResult`]s for the pure builders in [`super::model`].
//!
//! This is the one place that decides which grade a report shows for a stored result
//! ([`effective_grade`]): the stored grade with people's ratings folded in.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::model::{CohortScope, ExerciseInfo, ExerciseInfos, ReportResult};
use crate::catalog::Catalog;
use crate::grade;
use crate::model::Grade;
use crate::store::{Rating, RatingFilter, ResultFilter, ResultRecord, Store, StoreError};

/// What a report needs to fold people's ratings into stored grades: every rating of
/// the results in scope, grouped by result, and the scorecards of the content.
#[derive(Default)]
pub struct RatingContext<'c> {
    by_result: BTreeMap<i64, Vec<Rating>>,
    catalog: Option<&'c Catalog>,
}

impl<'c> RatingContext<'c> {
    /// Loads the ratings in one query (optionally one candidate's).
    pub fn load(store: &dyn Store, catalog: Option<&'c Catalog>, candidate: Option<&str>) -> Result<Self, StoreError> {
        let mut by_result: BTreeMap<i64, Vec<Rating>> = BTreeMap::new();
        let filter = RatingFilter { candidate: candidate.map(str::to_owned), ..RatingFilter::default() };
        for r in store.list_ratings(&filter)? {
            by_result.entry(r.result_id).or_default().push(r);
        }
        Ok(RatingContext { by_result, catalog })
    }
}

/// The grade a report shows for one stored result: the stored grade with the people's
/// ratings of it folded in ([`grade::with_ratings`]). Without ratings, or when the
/// exercise is no longer in the content (its scorecard is unknown), the stored grade
/// as it is. Every report format reads the grade returned here and nothing else.
pub fn effective_grade(result_id: i64, exercise: &str, stored: Grade, ratings: &RatingContext) -> Grade {
    let Some(rs) = ratings.by_result.get(&result_id).filter(|rs| !rs.is_empty()) else {
        return stored;
    };
    match ratings.catalog.and_then(|c| c.exercise(exercise).map(|e| c.scorecard_of(e))) {
        Some(scorecard) => grade::with_ratings(&stored, rs, scorecard),
        None => stored,
    }
}

/// A stored record as report input, with the session's mode when known.
pub fn report_result(record: ResultRecord, mode: Option<String>, ratings: &RatingContext) -> ReportResult {
    let grade = effective_grade(record.id, &record.exercise, record.grade, ratings);
    ReportResult {
        id: record.id,
        candidate: record.candidate,
        exercise: record.exercise,
        seed: record.seed,
        mode,
        started_at: record.started_at,
        submitted_at: record.submitted_at,
        hints_used: record.hints_used,
        grade,
    }
}

/// Every result of one candidate, each with its session's mode (`lab`, `interview`)
/// when the session is in the store.
pub fn candidate_results(
    store: &dyn Store,
    catalog: Option<&Catalog>,
    candidate: &str,
) -> Result<Vec<ReportResult>, StoreError> {
    let ratings = RatingContext::load(store, catalog, Some(candidate))?;
    let records = store.results(&ResultFilter { candidate: Some(candidate.to_owned()), ..ResultFilter::default() })?;
    let sessions: BTreeSet<&str> = records.iter().filter_map(|r| r.session_id.as_deref()).collect();
    let mut modes: BTreeMap<String, String> = BTreeMap::new();
    for id in sessions {
        if let Some(s) = store.session(id)? {
            modes.insert(id.to_owned(), s.mode);
        }
    }
    Ok(records
        .into_iter()
        .map(|r| {
            let mode = r.session_id.as_ref().and_then(|id| modes.get(id)).cloned();
            report_result(r, mode, &ratings)
        })
        .collect())
}

/// The results a cohort report covers: one store query, narrowed by time (and by
/// exercise when the scope names exactly one); the builder applies the full scope.
pub fn cohort_results(
    store: &dyn Store,
    catalog: Option<&Catalog>,
    scope: &CohortScope,
) -> Result<Vec<ReportResult>, StoreError> {
    let ratings = RatingContext::load(store, catalog, None)?;
    let exercise = match scope.exercises.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let records = store.results(&ResultFilter { exercise, since: scope.since, ..ResultFilter::default() })?;
    Ok(records.into_iter().map(|r| report_result(r, None, &ratings)).collect())
}

/// Every candidate name in the store, sorted, for "did you mean" messages.
pub fn known_candidates(store: &dyn Store) -> Result<Vec<String>, StoreError> {
    let names: BTreeSet<String> = store.results(&ResultFilter::default())?.into_iter().map(|r| r.candidate).collect();
    Ok(names.into_iter().collect())
}

/// Titles and audiences of the catalog's exercises.
pub fn exercise_infos(catalog: &Catalog) -> ExerciseInfos {
    catalog
        .exercises
        .iter()
        .map(|e| {
            let info =
                ExerciseInfo { title: e.title.clone(), audience: e.audience.iter().map(ToString::to_string).collect() };
            (e.id.clone(), info)
        })
        .collect()
}

/// Parses `--since`: a date (`2026-11-01`, midnight UTC) or an RFC 3339 time.
pub fn parse_since(text: &str) -> Result<OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).map(|d| d.midnight().assume_utc()).map_err(|_| {
        format!("--since {text:?} is not a date; write it as YYYY-MM-DD (e.g. 2026-11-01) or as an RFC 3339 time")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn since_accepts_a_date_or_a_full_time_and_names_the_expected_form() {
        assert_eq!(parse_since("2026-11-01"), Ok(datetime!(2026-11-01 00:00 UTC)));
        assert_eq!(parse_since("2026-11-01T10:30:00+02:00"), Ok(datetime!(2026-11-01 08:30 UTC)));
        let err = parse_since("last week").unwrap_err();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
        assert!(parse_since("2026-13-01").is_err());
    }
}
