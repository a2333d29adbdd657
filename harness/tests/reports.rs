//! Progress reports over fixture results: every file under `fixtures/reports/` is a
//! case, rendered as a candidate report and a cohort report in every format and
//! compared with its insta snapshot. The machine-readable formats are parsed back and
//! checked against the model, and the HTML page is rendered in a real browser
//! (Debian's `chromium`) when one is installed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use faultline::report::model::{self, CandidateReport, CohortReport, CohortScope, ExerciseInfos, ReportResult};
use faultline::report::render::{self, ReportFormat};
use faultline::report::{source, Style};
use faultline::store::ResultRecord;

/// One fixture file: results as the store returns them, plus what a report needs
/// beside them (exercise titles, session modes) and which reports to build.
#[derive(serde::Deserialize)]
struct Fixture {
    #[allow(dead_code)]
    about: String,
    /// Whose candidate report to render.
    candidate: String,
    exercises: ExerciseInfos,
    /// Session id to mode (`lab`, `interview`).
    sessions: BTreeMap<String, String>,
    cohort: FixtureScope,
    results: Vec<ResultRecord>,
}

#[derive(serde::Deserialize)]
struct FixtureScope {
    #[serde(with = "time::serde::rfc3339::option")]
    since: Option<time::OffsetDateTime>,
    exercises: Vec<String>,
}

struct Case {
    name: String,
    fixture_candidate: String,
    infos: ExerciseInfos,
    results: Vec<ReportResult>,
    scope: CohortScope,
}

impl Case {
    fn candidate_report(&self) -> CandidateReport {
        model::candidate_report(&self.fixture_candidate, &self.results, &self.infos).expect("fixture candidate exists")
    }
    fn cohort_report(&self) -> CohortReport {
        model::cohort_report(&self.scope, &self.results)
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports")
}

fn load(path: &Path) -> Case {
    let text = fs_err::read_to_string(path).unwrap();
    let f: Fixture = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let results = f
        .results
        .into_iter()
        .map(|r| {
            let mode = r.session_id.as_ref().and_then(|s| f.sessions.get(s)).cloned();
            source::report_result(r, mode, &source::RatingContext::default())
        })
        .collect();
    Case {
        name: path.file_stem().unwrap().to_string_lossy().into_owned(),
        fixture_candidate: f.candidate,
        infos: f.exercises,
        results,
        scope: CohortScope { since: f.cohort.since, exercises: f.cohort.exercises, track: None },
    }
}

fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = fs_err::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no report fixtures");
    paths.iter().map(|p| load(p)).collect()
}

fn case(name: &str) -> Case {
    load(&fixtures_dir().join(format!("{name}.json")))
}

const FORMATS: [(ReportFormat, &str); 6] = [
    (ReportFormat::Table, "table"),
    (ReportFormat::Markdown, "md"),
    (ReportFormat::Csv, "csv"),
    (ReportFormat::Json, "json"),
    (ReportFormat::Junit, "junit"),
    (ReportFormat::Html, "html"),
];

#[test]
fn every_fixture_renders_as_its_snapshot_in_every_format() {
    for case in cases() {
        let candidate = case.candidate_report();
        let cohort = case.cohort_report();
        for (format, ext) in FORMATS {
            let text = render::candidate(&candidate, format, Style::plain()).unwrap();
            insta::assert_snapshot!(format!("{}-candidate-{ext}", case.name), text);
            let text = render::cohort(&cohort, format, Style::plain()).unwrap();
            insta::assert_snapshot!(format!("{}-cohort-{ext}", case.name), text);
        }
    }
}

#[test]
fn the_terminal_table_is_coloured_only_when_asked() {
    let case = case("cohort");
    let plain = render::cohort(&case.cohort_report(), ReportFormat::Table, Style::plain()).unwrap();
    assert!(!plain.contains('\x1b'), "{plain}");
    let colour = render::cohort(&case.cohort_report(), ReportFormat::Table, Style { color: true }).unwrap();
    assert!(colour.contains("\x1b[31mbehind\x1b[0m"), "{colour}");
}

#[test]
fn candidate_csv_parses_back_to_one_row_per_result_with_the_model_values() {
    let case = case("cohort");
    let report = case.candidate_report();
    let text = render::candidate(&report, ReportFormat::Csv, Style::plain()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let dims: Vec<String> = report.dimensions.iter().map(|d| format!("dim:{}", d.id)).collect();
    assert_eq!(&header[header.len() - dims.len()..], dims.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), report.timeline.len());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, t) in rows.iter().zip(&report.timeline) {
        assert_eq!(row[col("result_id")].parse::<i64>().unwrap(), t.result_id);
        assert_eq!(row[col("score")].parse::<f64>().unwrap(), t.score);
        assert_eq!(row[col("passed")].parse::<bool>().unwrap(), t.passed);
        assert_eq!(&row[col("kind")], t.kind);
        for (i, d) in t.dimensions.iter().enumerate() {
            let cell = &row[col(&dims[i])];
            assert_eq!(cell.parse::<f64>().ok(), *d, "{} of result {}", dims[i], t.result_id);
        }
    }
}

#[test]
fn cohort_csv_keeps_names_with_commas_quotes_and_markup_intact() {
    let case = case("cohort");
    let report = case.cohort_report();
    let text = render::cohort(&report, ReportFormat::Csv, Style::plain()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let names: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    let expected: Vec<String> = report.candidates.iter().map(|c| c.candidate.clone()).collect();
    assert_eq!(names, expected);
    assert!(names.iter().any(|n| n.contains("<b>|\"O'Neil\"")), "{names:?}");
}

#[test]
fn json_parses_back_with_the_format_version_and_every_result() {
    let case = case("cohort");
    let text = render::candidate(&case.candidate_report(), ReportFormat::Json, Style::plain()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], model::REPORT_FORMAT);
    assert_eq!(v["candidate"], "ada");
    let ids: Vec<i64> = v["timeline"].as_array().unwrap().iter().map(|t| t["result_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(v["timeline"][2]["kind"], "interview");
    assert_eq!(v["timeline"][0]["minutes"], 42.0);

    let text = render::cohort(&case.cohort_report(), ReportFormat::Json, Style::plain()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["summary"]["results"], 6);
    assert_eq!(v["distributions"][0]["id"], "score");
    assert_eq!(v["distributions"][0]["buckets"].as_array().unwrap().len(), model::BUCKETS);
    let behind: Vec<&str> = v["behind"].as_array().unwrap().iter().map(|b| b["candidate"].as_str().unwrap()).collect();
    assert_eq!(behind.len(), 2, "{behind:?}");
    assert!(behind.contains(&"bob"));
}

/// What a JUnit document holds, read back with an XML parser.
#[derive(Default, Debug)]
struct JunitCounts {
    declared_tests: usize,
    declared_failures: usize,
    testcases: usize,
    failures: Vec<String>,
    errors: usize,
    skipped: usize,
    suites: usize,
}

fn read_junit(text: &str) -> JunitCounts {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut counts = JunitCounts::default();
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{text}")) {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.attributes()
                        .map(Result::unwrap)
                        .find(|a| AsRef::<str>::as_ref(&a.key) == name)
                        .map(|a| a.normalized_value(quick_xml::XmlVersion::Explicit1_0).unwrap().into_owned())
                };
                match AsRef::<str>::as_ref(&e.name()) {
                    "testsuites" => {
                        counts.declared_tests = attr("tests").unwrap().parse().unwrap();
                        counts.declared_failures = attr("failures").unwrap().parse().unwrap();
                    }
                    "testsuite" => counts.suites += 1,
                    "testcase" => counts.testcases += 1,
                    "failure" => counts.failures.push(attr("message").unwrap()),
                    "error" => counts.errors += 1,
                    "skipped" => counts.skipped += 1,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    counts
}

#[test]
fn junit_has_one_testcase_per_check_and_failures_carry_the_check_message() {
    let case = case("cohort");
    let report = case.candidate_report();
    let text = render::candidate(&report, ReportFormat::Junit, Style::plain()).unwrap();
    let counts = read_junit(&text);
    let checks: Vec<&model::CheckLine> = report.timeline.iter().flat_map(|t| &t.checks).collect();
    assert_eq!(counts.suites, report.timeline.len());
    assert_eq!(counts.testcases, checks.len());
    assert_eq!(counts.declared_tests, checks.len());
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.status == faultline::model::CheckStatus::Failed)
        .map(|c| c.message.clone())
        .collect();
    assert_eq!(counts.failures, failed);
    assert_eq!(counts.declared_failures, failed.len());
    assert!(counts.failures.contains(&"the Owner tag is missing on aws_instance.bastion".to_owned()));
    assert_eq!(counts.skipped, 1);

    let cohort = case.cohort_report();
    let text = render::cohort(&cohort, ReportFormat::Junit, Style::plain()).unwrap();
    let counts = read_junit(&text);
    let latest: usize = cohort.candidates.iter().map(|c| c.latest.len()).sum();
    assert_eq!(counts.suites, latest, "one suite per latest attempt");
    assert_eq!(counts.errors, 1, "bob's errored terraform check");
    assert!(
        text.contains("Zoë &lt;b&gt;|&quot;O&apos;Neil&quot;") || text.contains("Zoë &lt;b&gt;|&quot;O'Neil&quot;")
    );
}

#[test]
fn html_is_self_contained_and_escapes_user_text() {
    let case = case("cohort");
    for html in [
        render::candidate(&case.candidate_report(), ReportFormat::Html, Style::plain()).unwrap(),
        render::cohort(&case.cohort_report(), ReportFormat::Html, Style::plain()).unwrap(),
    ] {
        for outside in ["http:", "https:", "<script", "@import", "url(", "<link", "src="] {
            assert!(!html.contains(outside), "the page refers to {outside}");
        }
        assert!(html.contains("<svg"));
    }
    let cohort = render::cohort(&case.cohort_report(), ReportFormat::Html, Style::plain()).unwrap();
    assert!(!cohort.contains("<b>|"), "a name's markup reached the page");
    assert!(cohort.contains("Zoë &lt;b&gt;|&quot;O&#39;Neil&quot;"));
}

/// Renders `html` in headless Chromium and returns the DOM it built, or `None` (with
/// the reason printed) when no browser is installed.
fn chromium_dom(html: &str) -> Option<String> {
    let browser = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().map(|o| o.status.success()).unwrap_or(false));
    let Some(browser) = browser else {
        eprintln!("skipping: chromium is not installed (apt-get install chromium)");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    fs_err::write(&page, html).unwrap();
    let profile = dir.path().join("profile");
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && !dom.is_empty(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(dom)
}

#[test]
fn the_cohort_page_renders_in_chromium_with_names_dimensions_and_charts() {
    let case = case("cohort");
    let report = case.cohort_report();
    let html = render::cohort(&report, ReportFormat::Html, Style::plain()).unwrap();
    let Some(dom) = chromium_dom(&html) else { return };
    assert!(dom.contains("<h1>Cohort report</h1>"), "{dom}");
    for c in &report.candidates {
        let shown = c.candidate.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(dom.contains(&shown), "candidate {shown} missing from the DOM");
    }
    for d in &report.dimensions {
        assert!(dom.contains(&d.title), "dimension {} missing from the DOM", d.title);
    }
    assert!(!dom.contains("<b>|"), "a candidate name became markup");
    assert_eq!(dom.matches("<svg").count(), report.distributions.len(), "one histogram per distribution");
    assert!(dom.matches("<rect class=\"bucket\"").count() >= model::BUCKETS * report.distributions.len());
    assert!(dom.contains("<g class=\"quartiles\">"));
}

#[test]
fn the_candidate_page_renders_in_chromium_with_trend_lines_and_score_bars() {
    let case = case("cohort");
    let report = case.candidate_report();
    let html = render::candidate(&report, ReportFormat::Html, Style::plain()).unwrap();
    let Some(dom) = chromium_dom(&html) else { return };
    assert!(dom.contains("Candidate report: ada"), "{dom}");
    for d in report.trends.iter().filter(|d| !d.points.is_empty()) {
        assert!(dom.contains(&d.title), "dimension {} missing", d.title);
    }
    assert_eq!(dom.matches("<svg").count(), 2);
    assert_eq!(dom.matches("<rect class=\"bar\"").count(), report.timeline.len());
    let lines = report.trends.iter().filter(|d| !d.points.is_empty()).count();
    assert_eq!(dom.matches("<polyline class=\"trend\"").count(), lines);
    assert!(dom.contains("pass mark 70"));
}
