//! Rendering: grades, diffs, verification tables and listings as terminal text,
//! Markdown or JSON. Renderers return strings so they can be snapshot-tested; the
//! CLI decides where they go (stdout for data, stderr for progress).

pub mod diff;
pub mod interview;
pub mod model;
pub mod render;
pub mod source;
pub mod style;
pub mod symptoms;
pub mod table;
pub mod text;

pub use style::Style;
