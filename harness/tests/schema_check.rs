//! Fixture-driven tests for the YAML schema checker.
//!
//! The content types below are small stand-ins for Faultline's real ones, chosen to
//! produce every schema shape schemars emits for serde types: nested structs with
//! `deny_unknown_fields`, `Option`, `Vec`, a unit enum, an externally tagged enum with
//! struct and unit variants, an internally tagged enum, `#[serde(default)]` fields and
//! `rename_all = "kebab-case"`. Each YAML fixture lives under
//! `tests/fixtures/schema_check/`, and every fixture is also fed to serde-saphyr to make
//! sure the checker and the loader agree on whether it is valid.

use std::path::PathBuf;

use faultline::catalog::schema_check::{check, FileProblems, Problem};
use faultline::catalog::yamltree::{self, Node};
use schemars::JsonSchema;
use serde::Deserialize;

/// A hands-on exercise.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Exercise {
    /// Name shown to the learner.
    name: String,
    /// How hard the exercise is.
    difficulty: Difficulty,
    time_limit_minutes: Option<u32>,
    #[serde(default)]
    tags: Vec<String>,
    checks: Vec<Check>,
    #[serde(default)]
    scoring: Scoring,
    source: Source,
    retry: Option<Retry>,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Difficulty {
    Easy,
    Medium,
    Hard,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Check {
    id: String,
    points: u32,
    #[serde(default)]
    hidden: bool,
    probe: Probe,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
enum Probe {
    HttpGet {
        url: String,
        #[serde(default)]
        expect_status: Option<u16>,
    },
    FileContains {
        path: String,
        text: String,
    },
    /// Always passes.
    Noop,
    Manual,
}

#[derive(Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Scoring {
    #[serde(default)]
    pass_mark: u8,
    #[serde(default)]
    weight: f64,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum Source {
    Git { url: String, branch: Option<String> },
    Local { path: String },
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Retry {
    times: u8,
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema_check")
}

fn fixture(name: &str) -> String {
    let path = fixture_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn exercise_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Exercise)).expect("schema serializes")
}

fn problems_of(name: &str) -> Vec<Problem> {
    let doc = yamltree::parse(&fixture(name)).expect("fixture parses");
    check(&doc, &exercise_schema())
}

/// `(line, column, path)` of each problem, for compact assertions.
fn places(problems: &[Problem]) -> Vec<(usize, usize, &str)> {
    problems.iter().map(|p| (p.pos.line, p.pos.column, p.path.as_str())).collect()
}

#[test]
fn a_valid_file_has_no_problems_and_serde_saphyr_deserializes_it() {
    assert_eq!(problems_of("valid.yaml"), []);
    let exercise: Exercise = serde_saphyr::from_str(&fixture("valid.yaml")).expect("loads");
    let expected = Exercise {
        name: "Broken ingress".into(),
        difficulty: Difficulty::Medium,
        time_limit_minutes: Some(30),
        tags: vec!["ingress".into(), "networking".into()],
        checks: vec![
            Check {
                id: "reachable".into(),
                points: 10,
                hidden: false,
                probe: Probe::HttpGet { url: "http://localhost:8080/".into(), expect_status: Some(200) },
            },
            Check {
                id: "config-fixed".into(),
                points: 5,
                hidden: true,
                probe: Probe::FileContains { path: "ingress.yaml".into(), text: "port: 8080".into() },
            },
            Check { id: "reviewed".into(), points: 0, hidden: false, probe: Probe::Manual },
        ],
        scoring: Scoring { pass_mark: 60, weight: 0.0 },
        source: Source::Git { url: "https://example.com/repo.git".into(), branch: Some("broken".into()) },
        retry: None,
    };
    assert_eq!(exercise, expected);
    assert_ne!(expected.checks[0].probe, Probe::Noop);
}

#[test]
fn three_independent_mistakes_give_exactly_three_problems_at_their_positions() {
    let problems = problems_of("three_mistakes.yaml");
    assert_eq!(
        places(&problems),
        [(2, 13, "difficulty"), (3, 1, "time-limit-minuts"), (9, 13, "checks[1].points"),],
        "{problems:#?}"
    );
    assert_eq!(problems[2].message, "expected integer, found string `ten`");
}

#[test]
fn a_misspelt_key_suggests_the_closest_valid_key_and_lists_the_others() {
    let problems = problems_of("typo.yaml");
    let typo = problems.iter().find(|p| p.path == "checks[2].pionts").expect("the typo is reported");
    assert_eq!(typo.message, "unknown key `pionts`; did you mean `points`?");
    assert_eq!((typo.pos.line, typo.pos.column), (11, 5));
    assert_eq!(typo.help.as_deref(), Some("valid keys here: `id`, `points`, `hidden`, `probe`"));
    // The real key is then missing, reported at the mapping that lacks it.
    let missing = problems.iter().find(|p| p.path == "checks[2].points").expect("the missing key is reported");
    assert_eq!(missing.message, "missing required key `points`");
    assert_eq!((missing.pos.line, missing.pos.column), (10, 5));
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn a_mistake_deep_in_a_list_names_its_index_path() {
    let problems = problems_of("nested_index.yaml");
    assert_eq!(places(&problems), [(12, 24, "checks[1].probe.http-get.expect_status")]);
    assert_eq!(problems[0].message, "`70000` is out of range: expected a whole number from 0 to 65535");
}

#[test]
fn an_enum_value_not_allowed_lists_the_allowed_values() {
    let problems = problems_of("bad_enum.yaml");
    assert_eq!(places(&problems), [(2, 13, "difficulty")]);
    assert_eq!(problems[0].message, "unknown value `impossible`");
    assert_eq!(problems[0].help.as_deref(), Some("expected one of `easy`, `medium`, `hard`"));
    let near_miss = &problems_of("three_mistakes.yaml")[0];
    assert_eq!(near_miss.message, "unknown value `medum`; did you mean `medium`?");
}

#[test]
fn a_syntax_error_gives_a_position() {
    let error = yamltree::parse(&fixture("syntax_error.yaml")).unwrap_err();
    assert_eq!((error.pos.line, error.pos.column), (4, 9));
    assert_eq!(error.to_string(), "unclosed quote at line 4, column 9");
    let problem = Problem::from(error);
    assert_eq!((problem.pos.line, problem.pos.column), (4, 9));
}

#[test]
fn anchors_aliases_and_merge_keys_are_expanded_before_checking() {
    assert_eq!(problems_of("anchors.yaml"), []);
    let exercise: Exercise = serde_saphyr::from_str(&fixture("anchors.yaml")).expect("loads");
    let points: Vec<u32> = exercise.checks.iter().map(|c| c.points).collect();
    assert_eq!(points, [1, 1, 3]);
}

#[test]
fn a_mistake_shared_through_a_merge_key_is_reported_once_where_it_is_written() {
    let problems = problems_of("anchored_mistake.yaml");
    assert_eq!(places(&problems), [(6, 13, "checks[0].points")]);
}

#[test]
fn enum_variants_are_chosen_by_their_tag_and_reported_precisely() {
    let problems = problems_of("bad_variants.yaml");
    let got: Vec<(usize, usize, &str, &str)> =
        problems.iter().map(|p| (p.pos.line, p.pos.column, p.path.as_str(), p.message.as_str())).collect();
    assert_eq!(
        got,
        [
            (7, 7, "checks[0].probe.htp-get", "unknown variant `htp-get`; did you mean `http-get`?"),
            (11, 12, "checks[1].probe", "unknown value `nop`; did you mean `noop`?"),
            (14, 12, "checks[2].probe", "`http-get` takes settings, so it is written as a mapping"),
            (19, 9, "checks[3].probe.file-contains.text", "missing required key `text`"),
            (20, 9, "checks[3].probe.file-contains.txt", "unknown key `txt`; did you mean `text`?"),
            (22, 9, "source.kind", "unknown kind `gti`; did you mean `git`?"),
            (24, 8, "retry", "expected mapping or null, found integer `3`"),
        ]
    );
}

#[test]
fn duplicate_and_missing_keys_are_each_reported() {
    let problems = problems_of("duplicate_and_missing.yaml");
    let got: Vec<(usize, usize, &str)> =
        problems.iter().map(|p| (p.pos.line, p.pos.column, p.message.as_str())).collect();
    assert_eq!(
        got,
        [
            (1, 1, "missing required key `difficulty`"),
            (2, 1, "duplicate key `name`"),
            (4, 5, "missing required key `id`"),
            (7, 3, "missing required key `kind`"),
        ]
    );
    assert_eq!(problems[0].help.as_deref(), Some("`difficulty`: How hard the exercise is."));
    assert_eq!(problems[1].help.as_deref(), Some("first written at line 1, column 1"));
}

#[test]
fn scalars_the_loader_reads_for_the_field_type_are_not_reported() {
    assert_eq!(problems_of("loader_leniency.yaml"), []);
    let exercise: Exercise = serde_saphyr::from_str(&fixture("loader_leniency.yaml")).expect("loads");
    assert_eq!(exercise.name, "2024");
    assert_eq!(exercise.checks[0].points, 10);
}

#[test]
fn values_inside_an_internally_tagged_enum_keep_their_yaml_types() {
    let problems = problems_of("buffered_types.yaml");
    assert_eq!(places(&problems), [(8, 8, "source.url")]);
    assert_eq!(problems[0].message, "expected string, found integer `8080`");
}

/// Whether the checker finds nothing wrong with `text`, and whether serde-saphyr loads it.
fn verdicts(text: &str, schema: &serde_json::Value) -> (bool, bool) {
    let ours = yamltree::parse(text).is_ok_and(|doc| check(&doc, schema).is_empty());
    (ours, serde_saphyr::from_str::<Exercise>(text).is_ok())
}

#[test]
fn the_checker_and_serde_saphyr_agree_on_every_fixture_and_every_prefix_of_it() {
    let schema = exercise_schema();
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("fixture folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 9);
    for path in names {
        let text = std::fs::read_to_string(&path).expect("fixture reads");
        for (cut, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let (ours, loader) = verdicts(&text[..cut], &schema);
            assert_eq!(ours, loader, "{} cut at byte {cut}", path.display());
        }
    }
}

/// Replaces every scalar value of `text` by each of `substitutes` in turn.
fn mutations<'a>(text: &'a str, substitutes: &'a [&'a str]) -> impl Iterator<Item = String> + 'a {
    fn scalar_spans(node: &Node, out: &mut Vec<(usize, usize)>) {
        match node {
            Node::Seq(items, _) => items.iter().for_each(|i| scalar_spans(i, out)),
            Node::Map(entries, _) => entries.iter().for_each(|(_, v)| scalar_spans(v, out)),
            scalar => out.push((scalar.pos().offset, scalar.pos().len)),
        }
    }
    let mut spans = Vec::new();
    scalar_spans(&yamltree::parse(text).expect("fixture parses"), &mut spans);
    spans.into_iter().flat_map(move |(offset, len)| {
        substitutes.iter().map(move |s| format!("{}{s}{}", &text[..offset], &text[offset + len..]))
    })
}

#[test]
fn the_checker_and_serde_saphyr_agree_when_any_value_of_a_valid_file_is_replaced() {
    let schema = exercise_schema();
    let substitutes = [
        "~",
        "''",
        "x",
        "\"x\"",
        "10",
        "\"10\"",
        "-1",
        "1.5",
        "1e3",
        "70000",
        "4294967296",
        "1_000",
        "0b11",
        "+5",
        ".inf",
        "yes",
        "Off",
        "'yes'",
        "true",
        "\"true\"",
        "noop",
        "manual",
        "[]",
        "[1, 2]",
        "{}",
        "{a: 1}",
        "{kind: local, path: x}",
        "{http-get: {url: u}}",
    ];
    for name in ["valid.yaml", "loader_leniency.yaml"] {
        for text in mutations(&fixture(name), &substitutes) {
            let (ours, loader) = verdicts(&text, &schema);
            assert_eq!(ours, loader, "{name} mutated to:\n{text}");
        }
    }
}

#[test]
fn the_checker_never_reports_what_serde_saphyr_loads_even_where_it_misses_a_loader_error() {
    // Spellings the tree resolves by the YAML 1.2 core schema but the loader rejects for
    // some field types: a minus sign on an unsigned zero, a leading zero, an explicit
    // `!!str` on a number field, hex where a float is expected.
    let schema = exercise_schema();
    let gaps = ["-0", "010", "!!str 5", "0x10"];
    for name in ["valid.yaml", "loader_leniency.yaml"] {
        for text in mutations(&fixture(name), &gaps) {
            let (ours, loader) = verdicts(&text, &schema);
            assert!(!loader || ours, "{name} mutated to:\n{text}");
        }
    }
}

#[test]
fn problems_render_as_a_miette_report_with_file_line_and_column() {
    let text = fixture("three_mistakes.yaml");
    let doc = yamltree::parse(&text).expect("parses");
    let report = FileProblems::new("three_mistakes.yaml", text, check(&doc, &exercise_schema()));
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, &report)
        .expect("renders");
    assert!(out.contains("three_mistakes.yaml: 3 problem(s)"), "{out}");
    assert!(out.contains("three_mistakes.yaml:9:13"), "{out}");
    assert!(out.contains("did you mean `time-limit-minutes`?"), "{out}");
}

/// A self-referencing type, so that the schema walk can go as deep as the document.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Tree {
    #[serde(default)]
    children: Vec<Tree>,
}

#[test]
fn truncated_and_hostile_inputs_never_panic() {
    let schema = exercise_schema();
    let mut inputs: Vec<String> = Vec::new();
    for name in ["valid.yaml", "bad_variants.yaml", "three_mistakes.yaml"] {
        let text = fixture(name);
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let step = (boundaries.len() / 40).max(1);
        for &cut in boundaries.iter().step_by(step) {
            inputs.push(text[..cut].to_owned());
        }
    }
    inputs.extend(
        [
            "",
            "\t",
            "- - - -",
            "? [a]\n: b",
            "a: &x [1, *x]",
            "<<: 5",
            "a: !!int nope",
            "--- 1\n--- 2",
            "{a: 1, a: 2, a: 3}",
            "checks: [{probe: {}}, {probe: []}, {probe: {noop: 1}}]",
            "source: {kind: [1]}",
            "\u{feff}name: \u{1F600}\nretry: {times: 256}",
        ]
        .map(str::to_owned),
    );
    inputs.push("[".repeat(300));
    inputs.push(format!("{}1{}", "[".repeat(200), "]".repeat(200)));
    for input in &inputs {
        if let Ok(doc) = yamltree::parse(input) {
            let _ = check(&doc, &schema);
        }
    }

    // As deep as the loader allows (64 levels), against a recursive schema, on a test
    // thread's stack; one level more is refused by both.
    let tree_schema = serde_json::to_value(schemars::schema_for!(Tree)).expect("schema");
    let nested = |levels: usize| format!("{}{}", "{children: [".repeat(levels), "]}".repeat(levels));
    let deepest = nested(32);
    let doc = yamltree::parse(&deepest).expect("64 levels parse");
    assert!(matches!(doc, Node::Map(..)));
    assert_eq!(check(&doc, &tree_schema), []);
    let tree: Tree = serde_saphyr::from_str(&deepest).expect("64 levels load");
    assert_eq!(tree.children.len(), 1);
    let too_deep = format!("{}[]{}", "{children: [".repeat(32), "]}".repeat(32));
    let error = yamltree::parse(&too_deep).expect_err("65 levels are refused");
    assert!(error.message.contains("64 levels"), "{error}");
    assert!(serde_saphyr::from_str::<Tree>(&too_deep).is_err());
}
