//! PLACEHOLDER until the store branch lands (same API).
use std::path::{Path, PathBuf};
#[derive(Debug, Clone)]
pub struct SessionRecord { pub id: String, pub candidate: String, pub exercise: String, pub seed: u64, pub workspace: String, pub started_at: time::OffsetDateTime, pub mode: String, pub time_box_minutes: u32 }
#[derive(Debug, Clone)]
pub struct HintRecord { pub session_id: String, pub number: usize, pub cost: f64, pub at: time::OffsetDateTime }
#[derive(Debug, Clone)]
pub struct NewResult { pub session_id: Option<String>, pub candidate: String, pub exercise: String, pub seed: u64, pub started_at: Option<time::OffsetDateTime>, pub submitted_at: time::OffsetDateTime, pub hints_used: usize, pub grade: crate::model::Grade, pub workspace: Option<String> }
#[derive(Debug, Clone)]
pub struct ResultRecord { pub id: i64, pub session_id: Option<String>, pub candidate: String, pub exercise: String, pub seed: u64, pub started_at: Option<time::OffsetDateTime>, pub submitted_at: time::OffsetDateTime, pub hints_used: usize, pub grade: crate::model::Grade, pub workspace: Option<String>, pub score: f64, pub passed: bool }
#[derive(Debug, Clone, Default)]
pub struct ResultFilter { pub candidate: Option<String>, pub exercise: Option<String>, pub limit: Option<usize> }
#[derive(Debug, thiserror::Error)]
pub enum StoreError { #[error("placeholder")] Placeholder }
pub trait Store {
    fn create_session(&self, s: &SessionRecord) -> Result<(), StoreError>;
    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    fn record_hint(&self, session_id: &str, number: usize, cost: f64) -> Result<bool, StoreError>;
    fn hints(&self, session_id: &str) -> Result<Vec<HintRecord>, StoreError>;
    fn save_result(&self, r: &NewResult) -> Result<i64, StoreError>;
    fn result(&self, id: i64) -> Result<Option<ResultRecord>, StoreError>;
    fn results(&self, f: &ResultFilter) -> Result<Vec<ResultRecord>, StoreError>;
}
pub struct SqliteStore;
impl SqliteStore { pub fn open_in(_d: &Path) -> Result<Self, StoreError> { Err(StoreError::Placeholder) } }
impl Store for SqliteStore {
    fn create_session(&self, _s: &SessionRecord) -> Result<(), StoreError> { Err(StoreError::Placeholder) }
    fn session(&self, _id: &str) -> Result<Option<SessionRecord>, StoreError> { Err(StoreError::Placeholder) }
    fn record_hint(&self, _s: &str, _n: usize, _c: f64) -> Result<bool, StoreError> { Err(StoreError::Placeholder) }
    fn hints(&self, _s: &str) -> Result<Vec<HintRecord>, StoreError> { Err(StoreError::Placeholder) }
    fn save_result(&self, _r: &NewResult) -> Result<i64, StoreError> { Err(StoreError::Placeholder) }
    fn result(&self, _id: i64) -> Result<Option<ResultRecord>, StoreError> { Err(StoreError::Placeholder) }
    fn results(&self, _f: &ResultFilter) -> Result<Vec<ResultRecord>, StoreError> { Err(StoreError::Placeholder) }
}
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> { explicit.map(Path::to_path_buf).ok_or(StoreError::Placeholder) }
pub fn write_fallback(_d: &Path, _r: &NewResult) -> Result<PathBuf, StoreError> { Err(StoreError::Placeholder) }
