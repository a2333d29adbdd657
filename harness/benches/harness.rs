//! Speed targets from the spine issue, measured (never asserted in tests):
//! - `grade/terraform-review`: grading the review exercise's native checks
//!   (target ≤ 20 ms; tool checks such as `terraform plan` are excluded, they are
//!   measured separately by `grade/terraform-review-with-tools`);
//! - `lint/all-terraform`: the rules over every Terraform state the content ships;
//! - `start/terraform-review`: building the workspace repository (target ≤ 200 ms).
//! - `report/cohort-10000`: `report cohort` over 10,000 results stored in SQLite: one
//!   store query, the cohort model, and both the terminal table and the HTML page
//!   (target ≤ 1 s); `report/cohort-10000-query` and `report/cohort-10000-render` split
//!   that time between reading the store and building plus rendering;
//!   `report/cohort-10000-postgres` is the same over PostgreSQL (when
//!   `FAULTLINE_TEST_POSTGRES` names a server).
//!
//! - `lint/k8s-20-objects`: the Kubernetes rules (schema included) over 21 objects;
//! - `grade/k8s-static-checks`: four static k8s checks over the same set, the shape of
//!   a static grade of a troubleshooting exercise (target ≤ 20 ms).
//!
//! Run with `cargo bench -p faultline`.

use criterion::{criterion_group, criterion_main, Criterion};
use faultline::catalog::Catalog;
use faultline::checks::{run_checks, CheckContext};
use faultline::grade::{grade, GradeInput, Mode};
use faultline::inject::{materialize, Materialized};
use faultline::model::scenario::TerraformSettings;
use faultline::model::{Exercise, Grade};
use faultline::report::model::{self, CohortScope};
use faultline::report::render::{self, ReportFormat};
use faultline::report::{source, Style};
use faultline::store::{NewResult, SqliteStore, Store};
use faultline::workspace::{self, NewWorkspace};

/// The submit grade of an exercise's reference solution as materialized in `m`
/// (seed 42): every check run, tools (terraform, containers) on or off.
fn solution_grade(catalog: &Catalog, ex: &Exercise, m: &Materialized, tools: bool) -> Grade {
    let ctx = CheckContext::new(&m.solution, &m.base, &m.broken).with_tools(tools);
    grade(GradeInput {
        exercise: ex,
        scorecard: catalog.scorecard_of(ex),
        candidate: "bench",
        seed: 42,
        mode: Mode::Submit,
        checks: run_checks(&ctx, &m.checks, true),
        hints_used: vec![],
    })
}

fn benches(c: &mut Criterion) {
    let catalog = Catalog::embedded().expect("content loads");
    let ex = catalog.exercise("terraform-review").expect("review exercise");
    let m = materialize(&catalog, ex, 42).expect("materializes");

    c.bench_function("grade/terraform-review", |b| b.iter(|| solution_grade(&catalog, ex, &m, false)));

    // The static grade of the other two blueprint exercises (no cluster, no containers):
    // what `submit` costs in static mode and with tools off.
    for id in ["k8s-troubleshooting", "pipeline-triage"] {
        let ex = catalog.exercise(id).expect("exercise");
        let m = materialize(&catalog, ex, 42).expect("materializes");
        c.bench_function(&format!("grade/{id}-static"), |b| b.iter(|| solution_grade(&catalog, ex, &m, false)));
    }

    // Every Terraform tree the content produces: base, broken, solution, decoys.
    let mut trees = Vec::new();
    for e in &catalog.exercises {
        let m = materialize(&catalog, e, 1).expect("materializes");
        trees.push((m.broken.clone(), m.base.clone()));
        trees.push((m.solution.clone(), m.base.clone()));
        for d in &m.decoys {
            trees.push((d.tree.clone(), m.base.clone()));
        }
    }
    let settings =
        TerraformSettings { required_tags: vec!["Owner".into(), "Environment".into()], stateful_types: vec![] };
    c.bench_function("lint/all-terraform", |b| {
        b.iter(|| {
            trees
                .iter()
                .map(|(t, base)| faultline::rules::lint_terraform(t, Some(base), ".", &settings).findings.len())
                .sum::<usize>()
        })
    });

    let mut group = c.benchmark_group("start");
    group.sample_size(20);
    group.bench_function("terraform-review", |b| {
        let key = [7u8; 32];
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                let m = materialize(&catalog, ex, 42).expect("materializes");
                let ws = dir.path().join("ws");
                let new =
                    NewWorkspace { session: "bench", candidate: "bench", started_at: time::OffsetDateTime::now_utc() };
                workspace::create(&ws, &m, &new, &key).expect("workspace");
                dir
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("grade");
    group.sample_size(10);
    group.bench_function("terraform-review-with-tools", |b| {
        b.iter(|| {
            let ctx = CheckContext::new(&m.solution, &m.base, &m.broken);
            run_checks(&ctx, &m.checks, true).len()
        })
    });
    group.finish();
}

/// 21 Kubernetes objects: seven copies of the lint fixtures' Deployment, Service and
/// ConfigMap, each copy in its own folder with one planted problem.
fn k8s_set() -> faultline::model::Snapshot {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint-k8s");
    let cases = [
        "clean",
        "missing-config-ref/fixed",
        "probe-port-mismatch/broken",
        "selector-mismatch/fixed",
        "image-tag/broken",
        "privileged/fixed",
        "target-port-mismatch/broken",
    ];
    let mut snap = faultline::model::Snapshot::new();
    for (i, case) in cases.iter().enumerate() {
        for name in ["deployment.yaml", "service.yaml", "config.yaml"] {
            let text = std::fs::read_to_string(root.join(case).join(name)).expect("fixture reads");
            snap.insert(format!("k8s/app{i}/{name}"), text);
        }
    }
    snap
}

fn k8s_benches(c: &mut Criterion) {
    use faultline::inject::PlannedCheck;
    use faultline::model::check::NewFindings;
    use faultline::model::{CheckKind, CheckSpec};
    use faultline::rules::{lint, Family, LintSettings};

    let snap = k8s_set();
    let settings = LintSettings::default();
    c.bench_function("lint/k8s-20-objects", |b| {
        b.iter(|| lint(Family::Kubernetes, &snap, None, ".", &settings).findings.len())
    });

    let kinds = [
        CheckKind::K8sFixed {
            class: "k8s.target-port-mismatch".into(),
            subject: None,
            dir: "k8s".into(),
            new_findings: NewFindings::Any,
        },
        CheckKind::K8sValid { dir: "k8s".into() },
        CheckKind::K8sNoNewFindings { classes: vec![], dir: "k8s".into() },
        CheckKind::K8sLimits {
            dir: "k8s".into(),
            object: None,
            max_memory: Some("2Gi".into()),
            min_memory: Some("64Mi".into()),
            min_cpu: None,
            max_cpu: Some("2".into()),
        },
    ];
    let checks: Vec<PlannedCheck> = kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| PlannedCheck {
            scenario: "bench".into(),
            mount: ".".into(),
            terraform: TerraformSettings::default(),
            pipeline: None,
            spec: CheckSpec {
                id: format!("c{i}"),
                title: "bench".into(),
                kind,
                points: 10,
                dimension: "d".into(),
                hidden: false,
                required: false,
                feedback: String::new(),
                red_flag: None,
            },
        })
        .collect();
    c.bench_function("grade/k8s-static-checks", |b| {
        b.iter(|| {
            // A fresh context per grade: nothing cached between iterations.
            let ctx = CheckContext::new(&snap, &snap, &snap).with_tools(false);
            run_checks(&ctx, &checks, true).len()
        })
    });
}

/// Writes `count` results into `store`: 250 candidates, every exercise of the content,
/// scores spread over 0–100, each grade a real grade of the review exercise.
fn seed_results(store: &dyn Store, count: usize) {
    let catalog = Catalog::embedded().expect("content loads");
    let ex = catalog.exercise("terraform-review").expect("review exercise");
    let m = materialize(&catalog, ex, 42).expect("materializes");
    let template = solution_grade(&catalog, ex, &m, false);
    let exercises: Vec<&str> = catalog.exercises.iter().map(|e| e.id.as_str()).collect();
    let start = time::macros::datetime!(2026-09-01 09:00 UTC);
    for i in 0..count {
        let candidate = format!("candidate-{:03}", i % 250);
        let exercise = exercises[(i / 250) % exercises.len()];
        let score = ((i * 37) % 101) as f64;
        let mut g = template.clone();
        g.candidate.clone_from(&candidate);
        g.exercise = exercise.to_owned();
        g.seed = i as u64;
        g.score = score;
        g.passed = score >= g.pass_mark;
        for (n, d) in g.dimensions.iter_mut().enumerate() {
            if d.score.is_some() {
                d.score = Some(((i * 13 + n * 29) % 101) as f64);
            }
        }
        let submitted_at = start + time::Duration::minutes(i as i64 * 7);
        store
            .save_result(&NewResult {
                session_id: None,
                candidate,
                exercise: exercise.to_owned(),
                seed: i as u64,
                started_at: Some(submitted_at - time::Duration::minutes(45)),
                submitted_at,
                hints_used: i % 3,
                grade: g,
                workspace: None,
                diff: None,
            })
            .expect("save");
    }
}

/// A new SQLite store holding `count` results.
fn seeded_store(count: usize) -> (tempfile::TempDir, SqliteStore) {
    // A RAM-backed folder keeps the 10,000 synchronous commits of the setup quick; the
    // measured reads come from the page cache either way.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.expect("temp dir");
    let store = SqliteStore::open_in(dir.path()).expect("store");
    seed_results(&store, count);
    (dir, store)
}

/// The measured work of `report cohort`: one store query, the cohort model, and both
/// the terminal table and the HTML page.
fn cohort_report_once(store: &dyn Store, catalog: &Catalog, scope: &CohortScope) -> usize {
    let results = source::cohort_results(store, Some(catalog), scope).expect("results");
    let report = model::cohort_report(scope, &results);
    let table = render::cohort(&report, ReportFormat::Table, Style::plain()).expect("table");
    let html = render::cohort(&report, ReportFormat::Html, Style::plain()).expect("html");
    table.len() + html.len()
}

fn report_benches(c: &mut Criterion) {
    let (_dir, store) = seeded_store(10_000);
    let catalog = Catalog::embedded().expect("content loads");
    let scope = CohortScope::default();
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.bench_function("cohort-10000", |b| b.iter(|| cohort_report_once(&store, &catalog, &scope)));
    group.bench_function("cohort-10000-query", |b| {
        b.iter(|| source::cohort_results(&store, Some(&catalog), &scope).expect("results").len())
    });
    let results = source::cohort_results(&store, Some(&catalog), &scope).expect("results");
    assert_eq!(results.len(), 10_000);
    group.bench_function("cohort-10000-render", |b| {
        b.iter(|| {
            let report = model::cohort_report(&scope, &results);
            let table = render::cohort(&report, ReportFormat::Table, Style::plain()).expect("table");
            let html = render::cohort(&report, ReportFormat::Html, Style::plain()).expect("html");
            table.len() + html.len()
        })
    });
    group.finish();
}

/// `report/cohort-10000-postgres`: the same report over 10,000 results in PostgreSQL.
/// Runs when `FAULTLINE_TEST_POSTGRES` names a server on which the bench may create
/// (and afterwards drops) a database; skipped with a reason otherwise.
fn report_benches_postgres(c: &mut Criterion) {
    use faultline::store::PostgresStore;
    let Some(admin_url) = std::env::var("FAULTLINE_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipping report/cohort-10000-postgres: FAULTLINE_TEST_POSTGRES is not set");
        return;
    };
    let name = format!("fl_bench_{}", std::process::id());
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).expect("connect to the server");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the bench database");
    let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
    {
        let store = PostgresStore::open(&format!("{base}/{name}")).expect("store");
        seed_results(&store, 10_000);
        let catalog = Catalog::embedded().expect("content loads");
        let scope = CohortScope::default();
        let mut group = c.benchmark_group("report");
        group.sample_size(10);
        group.bench_function("cohort-10000-postgres", |b| b.iter(|| cohort_report_once(&store, &catalog, &scope)));
        group.finish();
    }
    admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).expect("drop the bench database");
}

fn rating_benches(c: &mut Criterion) {
    use faultline::grade::with_ratings;
    use faultline::model::Rating;

    let catalog = Catalog::embedded().expect("content loads");
    let ex = catalog.exercise("terraform-review").expect("review exercise");
    let card = catalog.scorecard_of(ex);
    let m = materialize(&catalog, ex, 42).expect("materializes");
    let g = solution_grade(&catalog, ex, &m, false);
    let ratings: Vec<Rating> = ["grace", "alan", "edsger"]
        .iter()
        .enumerate()
        .map(|(i, rater)| Rating {
            id: format!("r{i}"),
            result_id: 1,
            dimension: Some("communication".into()),
            score: Some(2 + i as u32 % 3),
            red_flag: None,
            note: "bench".into(),
            rater: (*rater).into(),
            rated_at: time::OffsetDateTime::UNIX_EPOCH,
        })
        .collect();
    let grades = vec![g; 10_000];
    c.bench_function("ratings/with-ratings-10k", |b| {
        b.iter(|| grades.iter().map(|g| with_ratings(g, &ratings, card).score).sum::<f64>())
    });
}

/// Answer every request of a live start as a healthy cluster would (watches stay open).
async fn healthy_api(
    mut handle: tower_test::mock::Handle<http::Request<kube::client::Body>, http::Response<kube::client::Body>>,
) {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kube/healthy");
    let read = |f: &str| std::fs::read(fixtures.join(f)).expect("fixture");
    let mut parked = Vec::new();
    while let Some((req, send)) = handle.next_request().await {
        let (parts, body) = req.into_parts();
        let body = body.collect_bytes().await.unwrap_or_default().to_vec();
        let path = parts.uri.path().to_string();
        if parts.uri.query().unwrap_or("").contains("watch=true") {
            parked.push(send);
            continue;
        }
        let list =
            |kind: &str| format!(r#"{{"kind":"{kind}","apiVersion":"v1","metadata":{{}},"items":[]}}"#).into_bytes();
        let out: Vec<u8> = match parts.method.as_str() {
            "PATCH" => body,
            "POST" => br#"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{},"status":{"token":"t","expirationTimestamp":"2026-11-28T00:00:00Z"}}"#.to_vec(),
            _ if path.ends_with("/deployments") => read("deployments.json"),
            _ if path.contains("/deployments/") => {
                let list: serde_json::Value = serde_json::from_slice(&read("deployments.json")).expect("json");
                serde_json::to_vec(&list["items"][0]).expect("json")
            }
            _ if path.ends_with("/pods") => read("pods.json"),
            _ if path.ends_with("/events") => read("events.json"),
            _ if path.ends_with("/endpointslices") => read("endpointslices.json"),
            _ if path.ends_with("/roles") => list("RoleList"),
            _ if path.ends_with("/rolebindings") => list("RoleBindingList"),
            _ => list("List"),
        };
        send.send_response(
            http::Response::builder().status(200).body(kube::client::Body::from(out)).expect("response"),
        );
    }
}

/// Issue 3's "session ready" time, for the harness's own overhead: namespace,
/// quota, account, base manifests, fault, symptom watch, capture and kubeconfig
/// against a mock API that answers at once.
fn live_benches(c: &mut Criterion) {
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/k8s-live");
    let catalog = Catalog::load(&faultline::catalog::ContentSource::Dir(content)).expect("fixture content");
    let ex = catalog.exercise("crashlab").expect("lab");
    let m = materialize(&catalog, ex, 1).expect("materializes");
    let scenarios = faultline::session::k8s_scenarios(&catalog, ex);
    let rt = faultline::cluster::runtime().expect("runtime");
    let info = faultline::cluster::live::ServerInfo { server: "https://127.0.0.1:6443".into(), ..Default::default() };
    let mut group = c.benchmark_group("session-ready");
    group.sample_size(20);
    group.bench_function("mock-api", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (service, handle) =
                    tower_test::mock::pair::<http::Request<kube::client::Body>, http::Response<kube::client::Body>>();
                let server = tokio::spawn(healthy_api(handle));
                let client = kube::Client::new(service, "default");
                let quiet = |_: &str| {};
                let p = faultline::cluster::live::prepare_on(
                    &client,
                    &info,
                    &quiet,
                    &m,
                    &scenarios,
                    "bench",
                    "faultline-bench-1",
                    std::time::Duration::from_secs(5),
                )
                .await
                .expect("ready");
                server.abort();
                p.symptoms.len()
            })
        })
    });
    group.finish();
}

/// `pipeline/container-overhead-per-job`: the wall time of a whole run of a chain of
/// four one-step jobs (as build → test → publish → deploy), minus the steps' own
/// time, per job: workspace copy, container start, exec set-up and removal (which
/// overlaps the next job, and the last of which the run waits for); target ≤ 300 ms.
/// `pipeline/container-overhead-single-job` is the same for a lone job, where
/// nothing overlaps. `pipeline/triage-grade-with-containers`: the wall time of
/// grading the triage exercise's reference solution with its pipelines run for
/// real. Skipped when Docker or the runner image is absent.
fn pipeline_benches(c: &mut Criterion) {
    use faultline::runner::pipeline::{self as pr, Backend, RunOptions};
    if !pr::docker_status().available || !pr::image_present(&pr::resolve_image(None)).unwrap_or(false) {
        eprintln!("skipping pipeline benches: Docker or the runner image is absent");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("workflow dir");
    let chain = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: true\n  b:\n    needs: a\n    runs-on: x\n    steps:\n      - run: true\n  c:\n    needs: b\n    runs-on: x\n    steps:\n      - run: true\n  d:\n    needs: c\n    runs-on: x\n    steps:\n      - run: true\n";
    std::fs::write(wf.join("chain.yml"), chain).expect("workflow");
    std::fs::write(wf.join("one.yml"), "on: push\njobs:\n  one:\n    runs-on: x\n    steps:\n      - run: true\n")
        .expect("workflow");
    let image = pr::resolve_image(None);
    // Wall time of the whole run minus the steps' own time, per job.
    let overhead = |workflow: &str| {
        let opts = RunOptions::new(dir.path(), workflow, Backend::Container { image: image.clone() });
        move |iters: u64| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let started = std::time::Instant::now();
                let report = pr::run(&opts).expect("runs");
                let wall = started.elapsed();
                assert!(report.succeeded(), "{}", report.log());
                let steps: u128 = report.jobs.iter().flat_map(|j| &j.steps).map(|s| s.duration_ms).sum();
                let jobs = report.jobs.len() as u32;
                total += wall.saturating_sub(std::time::Duration::from_millis(steps as u64)) / jobs;
            }
            total
        }
    };
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.bench_function("container-overhead-per-job", |b| b.iter_custom(overhead(".github/workflows/chain.yml")));
    group.bench_function("container-overhead-single-job", |b| b.iter_custom(overhead(".github/workflows/one.yml")));
    // Issue 4's "whole triage exercise grade": every check of `pipeline-triage` on the
    // reference solution, the pipelines really run in containers.
    let catalog = Catalog::embedded().expect("content loads");
    let ex = catalog.exercise("pipeline-triage").expect("triage exercise");
    let m = materialize(&catalog, ex, 42).expect("materializes");
    group.bench_function("triage-grade-with-containers", |b| {
        b.iter(|| {
            let g = solution_grade(&catalog, ex, &m, true);
            assert!(g.checks.iter().all(|c| c.status != faultline::model::CheckStatus::Error), "grade ran");
            g.score
        })
    });
    group.finish();
}

criterion_group!(
    harness,
    benches,
    k8s_benches,
    report_benches,
    report_benches_postgres,
    rating_benches,
    live_benches,
    pipeline_benches
);
criterion_main!(harness);
