//! The catalog: all content (scorecards, scenarios, exercises) loaded and validated.
//!
//! Content is read into a [`ContentTree`] (relative path → text) first, either from a
//! folder on disk or from the copy embedded in the binary at build time, and then
//! parsed from text. Parsing happens in two stages: [`raw`] mirrors the YAML and
//! rejects unknown keys; [`validate`] builds domain types and cross-checks ids. Every
//! problem is reported with file, line and column.

pub mod diag;
pub mod raw;
pub mod schema;
pub mod schema_check;
pub mod tracks;
pub mod validate;
pub mod yamltree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use diag::{ContentDiagnostic, ContentErrors};
use validate::FileProblems;

use crate::model::{Exercise, Scenario, Scorecard, Track};

/// The content format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// Content files as text, keyed by path relative to the content root.
#[derive(Debug, Clone, Default)]
pub struct ContentTree {
    /// Shown in messages: a folder path or `<embedded>`.
    pub label: String,
    pub files: BTreeMap<String, String>,
}

static EMBEDDED_EXERCISES: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../exercises");
static EMBEDDED_SCENARIOS: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../scenarios");
static EMBEDDED_SCORECARDS: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../scorecards");

/// The content trees a catalog is made of.
pub const TREES: [&str; 3] = ["exercises", "scenarios", "scorecards"];

impl ContentTree {
    /// The content compiled into this binary.
    pub fn embedded() -> Self {
        let mut files = BTreeMap::new();
        for (name, dir) in [
            ("exercises", &EMBEDDED_EXERCISES),
            ("scenarios", &EMBEDDED_SCENARIOS),
            ("scorecards", &EMBEDDED_SCORECARDS),
        ] {
            collect_embedded(name, dir, &mut files);
        }
        ContentTree { label: "<embedded>".to_string(), files }
    }

    /// Content from a folder holding `exercises/`, `scenarios/` and `scorecards/`.
    /// Symlinks are not followed.
    pub fn from_dir(root: &Path) -> Result<Self, ContentErrors> {
        let mut files = BTreeMap::new();
        let mut errors = ContentErrors::default();
        for tree in TREES {
            let dir = root.join(tree);
            if !dir.is_dir() {
                errors.push(ContentDiagnostic::file(
                    &dir.display().to_string(),
                    format!("content folder `{tree}/` is missing under {}", root.display()),
                ));
                continue;
            }
            walk(root, &dir, &mut files, &mut errors);
        }
        if errors.is_empty() {
            Ok(ContentTree { label: root.display().to_string(), files })
        } else {
            Err(errors)
        }
    }

    /// Path shown to users for a content file.
    pub fn display(&self, rel: &str) -> String {
        if self.label.starts_with('<') {
            format!("{}/{rel}", self.label)
        } else {
            Path::new(&self.label).join(rel).display().to_string()
        }
    }
}

fn collect_embedded(prefix: &str, dir: &include_dir::Dir<'_>, out: &mut BTreeMap<String, String>) {
    for f in dir.files() {
        if let Some(text) = f.contents_utf8() {
            out.insert(format!("{prefix}/{}", f.path().display()), text.to_string());
        }
    }
    for d in dir.dirs() {
        collect_embedded(prefix, d, out);
    }
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>, errors: &mut ContentErrors) {
    let entries = match fs_err::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(ContentDiagnostic::file(&dir.display().to_string(), e.to_string()));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_symlink() {
            continue;
        }
        if ft.is_dir() {
            walk(root, &path, out, errors);
        } else if ft.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            match fs_err::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        out.insert(rel, text);
                    }
                    Err(_) => errors.push(ContentDiagnostic::file(&rel, "content files must be UTF-8 text")),
                },
                Err(e) => errors.push(ContentDiagnostic::file(&rel, e.to_string())),
            }
        }
    }
}

/// Where content comes from.
#[derive(Debug, Clone)]
pub enum ContentSource {
    Embedded,
    Dir(PathBuf),
}

impl ContentSource {
    /// `--content DIR`, else `FAULTLINE_CONTENT`, else the embedded copy.
    pub fn resolve(explicit: Option<&Path>) -> Self {
        if let Some(p) = explicit {
            return ContentSource::Dir(p.to_path_buf());
        }
        match std::env::var_os("FAULTLINE_CONTENT") {
            Some(p) if !p.is_empty() => ContentSource::Dir(PathBuf::from(p)),
            _ => ContentSource::Embedded,
        }
    }

    pub fn read(&self) -> Result<ContentTree, ContentErrors> {
        match self {
            ContentSource::Embedded => Ok(ContentTree::embedded()),
            ContentSource::Dir(p) => ContentTree::from_dir(p),
        }
    }
}

/// Everything loaded and validated.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub label: String,
    pub scorecards: BTreeMap<String, Scorecard>,
    pub scenarios: BTreeMap<String, Scenario>,
    /// In index order.
    pub exercises: Vec<Exercise>,
    /// The 30/60/90-day tracks from `exercises/tracks.yaml` (empty when the file is absent).
    pub tracks: Vec<Track>,
}

/// Stage one for one file: schema problems (all of them) or the typed value.
pub fn parse_yaml<T>(file: &str, text: &str) -> Result<T, ContentErrors>
where
    T: serde::de::DeserializeOwned + schemars::JsonSchema,
{
    let mut errors = ContentErrors::default();
    schema::check_all::<T>(file, text, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        let message = clean_message(&e.to_string());
        let d = if line == 0 {
            ContentDiagnostic::file(file, message)
        } else {
            ContentDiagnostic::at(file, text, line, column, message)
        };
        ContentErrors { problems: vec![d] }
    })
}

/// serde-saphyr's messages start with their own `error: line N column M:`
/// prefix; ours carry the location already.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or("invalid YAML").trim();
    let mut s = first.strip_prefix("error:").unwrap_or(first).trim();
    if let Some(rest) = s.strip_prefix("line ") {
        if let Some((_, after)) = rest.split_once(": ") {
            s = after;
        }
    }
    s.to_string()
}

fn read<'t>(tree: &'t ContentTree, rel: &str, errors: &mut ContentErrors) -> Option<&'t str> {
    match tree.files.get(rel) {
        Some(t) => Some(t),
        None => {
            errors.push(ContentDiagnostic::file(&tree.display(rel), "file is missing"));
            None
        }
    }
}

pub(crate) fn check_format(file: &str, text: &str, v: &raw::Sp<u32>, errors: &mut ContentErrors) {
    if v.value != FORMAT_VERSION {
        errors.push(
            ContentDiagnostic::at(file, text, v.line, v.column, format!("content format {} is not supported", v.value))
                .with_help(format!("this build of faultline reads format {FORMAT_VERSION}")),
        );
    }
}

impl Catalog {
    /// Load from a source.
    pub fn load(source: &ContentSource) -> Result<Catalog, ContentErrors> {
        Catalog::from_tree(&source.read()?)
    }

    /// The content compiled into the binary.
    pub fn embedded() -> Result<Catalog, ContentErrors> {
        Catalog::from_tree(&ContentTree::embedded())
    }

    /// Parse and validate a content tree, collecting every problem.
    pub fn from_tree(tree: &ContentTree) -> Result<Catalog, ContentErrors> {
        let mut errors = ContentErrors::default();

        // Scorecards.
        let mut scorecards = BTreeMap::new();
        if let Some(text) = read(tree, "scorecards/index.yaml", &mut errors) {
            let file = tree.display("scorecards/index.yaml");
            match parse_yaml::<raw::ScorecardIndex>(&file, text) {
                Ok(index) => {
                    check_format(&file, text, &index.format, &mut errors);
                    for id in index.scorecards {
                        let rel = format!("scorecards/{}.yaml", id.value);
                        let Some(text) = tree.files.get(&rel) else {
                            errors.push(ContentDiagnostic::at(
                                &file,
                                text,
                                id.line,
                                id.column,
                                format!("no file {rel} for scorecard `{}`", id.value),
                            ));
                            continue;
                        };
                        let shown = tree.display(&rel);
                        match parse_yaml::<raw::RawScorecard>(&shown, text) {
                            Ok(raw) => {
                                let mut p = FileProblems::new(&shown, text);
                                let card = validate::scorecard(&id.value, raw, &mut p);
                                errors.extend(p.errors);
                                scorecards.insert(id.value, card);
                            }
                            Err(e) => errors.extend(e),
                        }
                    }
                }
                Err(e) => errors.extend(e),
            }
        }

        // Scenarios.
        let mut scenarios = BTreeMap::new();
        let mut broken_scenarios = std::collections::BTreeSet::new();
        if let Some(text) = read(tree, "scenarios/index.yaml", &mut errors) {
            let file = tree.display("scenarios/index.yaml");
            match parse_yaml::<raw::ScenarioIndex>(&file, text) {
                Ok(index) => {
                    check_format(&file, text, &index.format, &mut errors);
                    for id in index.scenarios {
                        let well_formed = id.value.split('/').count() == 2 && !id.value.contains("..");
                        if !well_formed {
                            errors.push(ContentDiagnostic::at(
                                &file,
                                text,
                                id.line,
                                id.column,
                                format!("scenario ids are `<domain>/<name>`, got `{}`", id.value),
                            ));
                            continue;
                        }
                        let dir = format!("scenarios/{}", id.value);
                        let rel = format!("{dir}/scenario.yaml");
                        let Some(stext) = tree.files.get(&rel) else {
                            errors.push(ContentDiagnostic::at(
                                &file,
                                text,
                                id.line,
                                id.column,
                                format!("no file {rel} for scenario `{}`", id.value),
                            ));
                            continue;
                        };
                        let shown = tree.display(&rel);
                        match parse_yaml::<raw::RawScenario>(&shown, stext) {
                            Ok(raw) => {
                                let mut p = FileProblems::new(&shown, stext);
                                let (sc, refs) = validate::scenario(&id.value, &dir, raw, tree, &mut p);
                                errors.extend(p.errors);
                                scenarios.insert(id.value, (sc, refs, shown.clone(), stext.clone()));
                            }
                            Err(e) => {
                                broken_scenarios.insert(id.value);
                                errors.extend(e)
                            }
                        }
                    }
                }
                Err(e) => errors.extend(e),
            }
        }

        // Exercises.
        let mut exercises = Vec::new();
        if let Some(text) = read(tree, "exercises/index.yaml", &mut errors) {
            let file = tree.display("exercises/index.yaml");
            match parse_yaml::<raw::ExerciseIndex>(&file, text) {
                Ok(index) => {
                    check_format(&file, text, &index.format, &mut errors);
                    for id in index.exercises {
                        let rel = format!("exercises/{}.yaml", id.value);
                        let Some(etext) = tree.files.get(&rel) else {
                            errors.push(ContentDiagnostic::at(
                                &file,
                                text,
                                id.line,
                                id.column,
                                format!("no file {rel} for exercise `{}`", id.value),
                            ));
                            continue;
                        };
                        let shown = tree.display(&rel);
                        match parse_yaml::<raw::RawExercise>(&shown, etext) {
                            Ok(raw) => {
                                let mut p = FileProblems::new(&shown, etext);
                                let ex = validate::exercise(
                                    &id.value,
                                    raw,
                                    &scorecards,
                                    &scenarios,
                                    &broken_scenarios,
                                    &mut p,
                                );
                                errors.extend(p.errors);
                                exercises.push(ex);
                            }
                            Err(e) => errors.extend(e),
                        }
                    }
                }
                Err(e) => errors.extend(e),
            }
        }

        // Tracks (optional): they may only name exercises of the index.
        let mut tracks = Vec::new();
        if let Some(text) = tree.files.get(tracks::TRACKS_FILE) {
            let ids: Vec<&str> = exercises.iter().map(|e: &Exercise| e.id.as_str()).collect();
            tracks = tracks::load(&tree.display(tracks::TRACKS_FILE), text, &ids, &mut errors);
        }

        // The same scenario problem is found once per exercise using it.
        let mut seen = std::collections::BTreeSet::new();
        errors.problems.retain(|d| seen.insert((d.file.clone(), d.line, d.column, d.message.clone())));
        if errors.is_empty() {
            Ok(Catalog {
                label: tree.label.clone(),
                scorecards,
                scenarios: scenarios.into_iter().map(|(k, v)| (k, v.0)).collect(),
                exercises,
                tracks,
            })
        } else {
            Err(errors)
        }
    }

    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    pub fn scorecard_of(&self, exercise: &Exercise) -> &Scorecard {
        // Validation guarantees the scorecard exists.
        &self.scorecards[&exercise.scorecard]
    }

    pub fn scenarios_of<'a>(&'a self, exercise: &'a Exercise) -> impl Iterator<Item = &'a Scenario> + 'a {
        exercise.scenarios.iter().filter_map(|id| self.scenarios.get(id))
    }

    /// The domains an exercise's scenarios belong to, each once, in scenario order.
    pub fn domains_of<'a>(&'a self, exercise: &'a Exercise) -> Vec<&'a str> {
        let mut domains: Vec<&str> = Vec::new();
        for s in self.scenarios_of(exercise) {
            if !domains.contains(&s.domain.as_str()) {
                domains.push(&s.domain);
            }
        }
        domains
    }

    /// Ids close to `id`, for "did you mean" messages.
    pub fn close_exercise_ids(&self, id: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> =
            self.exercises.iter().map(|e| (edit_distance(id, &e.id), e.id.as_str())).collect();
        scored.sort();
        scored.into_iter().filter(|(d, _)| *d <= 4.max(id.len() / 3)).map(|(_, s)| s.to_string()).take(3).collect()
    }
}

/// Levenshtein distance, for suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
