//! Content loading: the shipped content loads, committed schemas are fresh, and
//! each broken-content fixture yields diagnostics naming file, line and column.
//! Every folder under `fixtures/content/cases/` is a case: its files are laid over
//! the valid fixture tree and the resulting diagnostics are snapshot-tested.

use std::path::{Path, PathBuf};

use faultline::catalog::{schema, Catalog, ContentTree};
use faultline::verify::{verify, VerifyOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content")
}

fn valid_tree() -> ContentTree {
    let mut t = ContentTree::from_dir(&fixtures().join("valid")).expect("valid fixture reads");
    t.label = "<fixture>".into();
    t
}

fn overlay(tree: &mut ContentTree, dir: &Path, root: &Path) {
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            overlay(tree, &path, root);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            tree.files.insert(rel, fs_err::read_to_string(&path).unwrap());
        }
    }
}

fn diagnostics(case: &str) -> String {
    let mut tree = valid_tree();
    let dir = fixtures().join("cases").join(case);
    overlay(&mut tree, &dir, &dir);
    let errors = Catalog::from_tree(&tree).expect_err("a broken case must not load");
    errors
        .problems
        .iter()
        .map(|p| match &p.help {
            Some(h) => format!("{p}\n  help: {h}\n"),
            None => format!("{p}\n"),
        })
        .collect()
}

#[test]
fn every_broken_content_case_reports_file_line_and_column() {
    let mut cases: Vec<String> = fs_err::read_dir(fixtures().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    cases.sort();
    assert!(cases.len() >= 7, "expected the content error cases, found {cases:?}");
    for case in cases {
        let out = diagnostics(&case);
        for line in out.lines().filter(|l| !l.starts_with("  help:")) {
            assert!(line.starts_with("<fixture>/"), "{case}: every problem names its file: {line}");
        }
        insta::assert_snapshot!(format!("content-{case}"), out);
    }
}

#[test]
fn the_valid_fixture_loads_and_verifies() {
    let catalog = Catalog::from_tree(&valid_tree()).expect("valid fixture loads");
    let rows =
        verify(&catalog, &VerifyOptions { seeds: vec![1, 2, 3, 4], run_tools: false, tool_seeds: None, only: vec![] });
    let misses: Vec<_> = rows.iter().filter(|r| !r.ok).collect();
    assert!(misses.is_empty(), "{misses:#?}");
    let states: Vec<&str> =
        rows.iter().filter(|r| r.seed == 1 && r.target == "toy").map(|r| r.state.as_str()).collect();
    assert_eq!(states, ["broken", "solution", "decoy:delete-file"]);
}

#[test]
fn a_shared_base_is_laid_under_the_scenarios_own_base() {
    // `fixtures/content/base-from/`: a shared app under `scenarios/shared/toy-app/`,
    // a second layer `shared/toy-notes/` replacing its NOTES.md, and the toy scenario
    // naming both in `base_from` while keeping its own app.conf.
    let mut tree = valid_tree();
    let dir = fixtures().join("base-from");
    overlay(&mut tree, &dir, &dir);
    let catalog = Catalog::from_tree(&tree).unwrap_or_else(|e| panic!("{e:?}"));
    let scenario = catalog.scenarios.get("files/toy").expect("toy scenario");
    assert!(scenario.base.get("run.sh").is_some_and(|t| t.contains("starting @{name}")), "first layer's file missing");
    assert_eq!(scenario.base.get("NOTES.md"), Some("Notes for @{name}, from the later layer.\n"), "later layer wins");
    assert!(scenario.base.get("app.conf").is_some_and(|t| t.contains("own-@{name}")), "own base must win");
    let rows = verify(&catalog, &VerifyOptions { seeds: vec![1, 2], run_tools: false, tool_seeds: None, only: vec![] });
    assert!(rows.iter().all(|r| r.ok), "{rows:#?}");
}

#[test]
fn verify_reports_a_decoy_that_passes_and_a_solution_that_does_not() {
    let mut tree = valid_tree();
    // A solution that fixes nothing, and a decoy that is in fact the right fix.
    let rel = "scenarios/files/toy/scenario.yaml";
    let text = tree.files[rel]
        .replace(
            "solution:\n  - replace: { path: app.conf, find: \"debug = true\", with: \"debug = false\" }",
            "solution:\n  - append: { path: app.conf, content: \"# looked at it\\n\" }",
        )
        .replace("      - delete: app.conf\n    must_fail: [file-kept]", "      - replace: { path: app.conf, find: \"debug = true\", with: \"debug = false\" }\n    must_fail: [file-kept]");
    tree.files.insert(rel.into(), text);
    let catalog = Catalog::from_tree(&tree).unwrap();
    let rows = verify(&catalog, &VerifyOptions { seeds: vec![1], run_tools: false, tool_seeds: None, only: vec![] });
    let miss = |state: &str| rows.iter().find(|r| r.state == state).map(|r| r.misses.join("\n")).unwrap();
    assert!(miss("solution").contains("`debug-off` fails on the reference solution"), "{}", miss("solution"));
    assert!(miss("decoy:delete-file").contains("passes the exercise"), "{}", miss("decoy:delete-file"));
    assert!(miss("decoy:delete-file").contains("check `file-kept` should fail but is passed"));
}

#[test]
fn the_shipped_content_loads_from_the_binary_and_from_disk() {
    let embedded = Catalog::embedded().unwrap_or_else(|e| panic!("{e:?}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let disk = Catalog::from_tree(&ContentTree::from_dir(&root).unwrap()).unwrap();
    assert!(embedded.exercise("terraform-review").is_some());
    assert_eq!(
        embedded.exercises.iter().map(|e| &e.id).collect::<Vec<_>>(),
        disk.exercises.iter().map(|e| &e.id).collect::<Vec<_>>(),
        "the binary embeds the same content as the tree"
    );
    let card = &embedded.scorecards["associate-cloud-native-engineer"];
    let weights: Vec<u32> = card.dimensions.iter().map(|d| d.weight).collect();
    assert_eq!(weights, [20, 20, 15, 15, 15, 15]);
}

#[test]
fn committed_json_schemas_match_the_content_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (rel, value) in schema::all() {
        let have = fs_err::read_to_string(root.join(rel)).unwrap_or_default();
        assert!(have == schema::render(&value), "{rel} is stale: run `cargo run -- schema` at the repository root");
    }
}
