//! Loading content (exercises, scenarios, scorecards) from YAML files.
//!
//! serde reports only the first mistake in a file; authors need all of them, each with
//! a line and column. [`yamltree`] reads YAML into a tree that keeps positions, and
//! [`schema_check`] walks that tree against the JSON Schema that `schemars` derives for
//! the target type, collecting every problem.

pub mod schema_check;
pub mod yamltree;
