//! Pure domain types: what an exercise, scenario, scorecard, check and grade *are*.
//!
//! Nothing in here touches the filesystem, processes, git or the network. The
//! catalog turns YAML into these types; checks and grading are pure functions over
//! them and over a [`Snapshot`] of files. Keeping this layer free of I/O is what lets
//! the grading logic be unit-tested without a workspace and reused by every front end.

pub mod check;
pub mod exercise;
pub mod finding;
pub mod grade;
pub mod observed;
pub mod rating;
pub mod scenario;
pub mod scorecard;
pub mod snapshot;
pub mod track;

pub use check::{CheckKind, CheckSpec};
pub use exercise::{Audience, Deliverable, Exercise};
pub use finding::{Finding, Severity};
pub use grade::{CheckResult, CheckStatus, DimensionScore, Evidence, Grade, RedFlagHit};
pub use rating::Rating;
pub use scenario::{Decoy, Edit, FaultCommit, Hint, ParamGen, ParamSpec, Scenario};
pub use scorecard::{Dimension, Level, RatedBy, RedFlag, Scorecard};
pub use snapshot::Snapshot;
pub use track::{Lab, Track};
