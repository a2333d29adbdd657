//! JSON schemas for the content files, generated from the [`super::raw`] types so
//! they can never drift from what the loader accepts. `faultline schema` writes them
//! beside the content (editors map them to the YAML for completion) and a test fails
//! when a committed schema is stale.

use schemars::JsonSchema;

use super::diag::{ContentDiagnostic, ContentErrors};
use super::raw;

/// (file name relative to the content root, schema JSON) for every content file kind.
pub fn all() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("scorecards/scorecard.schema.json", schema_of::<raw::RawScorecard>()),
        ("scorecards/index.schema.json", schema_of::<raw::ScorecardIndex>()),
        ("scenarios/scenario.schema.json", schema_of::<raw::RawScenario>()),
        ("scenarios/index.schema.json", schema_of::<raw::ScenarioIndex>()),
        ("exercises/exercise.schema.json", schema_of::<raw::RawExercise>()),
        ("exercises/index.schema.json", schema_of::<raw::ExerciseIndex>()),
        ("exercises/tracks.schema.json", schema_of::<super::tracks::RawTracks>()),
    ]
}

/// The schema of one raw type as JSON.
pub fn schema_of<T: JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(serde_json::Value::Null)
}

/// Pretty JSON with a trailing newline, as committed.
pub fn render(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Every schema problem in a YAML text (unknown keys, wrong types, missing keys),
/// each with its line and column. Nothing is added when the text is valid.
pub fn check_all<T: JsonSchema>(file: &str, text: &str, errors: &mut ContentErrors) {
    let doc = match super::yamltree::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            errors.push(ContentDiagnostic::at(file, text, e.pos.line, e.pos.column, e.message));
            return;
        }
    };
    for p in super::schema_check::check(&doc, &schema_of::<T>()) {
        let mut d = ContentDiagnostic::at(file, text, p.pos.line, p.pos.column, format!("{}: {}", p.path, p.message));
        if p.path.is_empty() {
            d = ContentDiagnostic::at(file, text, p.pos.line, p.pos.column, p.message.clone());
        }
        if let Some(h) = p.help {
            d = d.with_help(h);
        }
        errors.push(d);
    }
}
