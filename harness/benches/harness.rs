//! Speed targets from the spine issue, measured (never asserted in tests):
//! - `grade/terraform-review`: grading the review exercise's native checks
//!   (target ≤ 20 ms; tool checks such as `terraform plan` are excluded, they are
//!   measured separately by `grade/terraform-review-with-tools`);
//! - `lint/all-terraform`: the rules over every Terraform state the content ships;
//! - `start/terraform-review`: building the workspace repository (target ≤ 200 ms).
//!
//! Run with `cargo bench -p faultline`.

use criterion::{criterion_group, criterion_main, Criterion};
use faultline::catalog::Catalog;
use faultline::checks::{run_checks, CheckContext};
use faultline::grade::{grade, GradeInput, Mode};
use faultline::inject::materialize;
use faultline::model::scenario::TerraformSettings;
use faultline::workspace::{self, NewWorkspace};

fn benches(c: &mut Criterion) {
    let catalog = Catalog::embedded().expect("content loads");
    let ex = catalog.exercise("terraform-review").expect("review exercise");
    let card = catalog.scorecard_of(ex);
    let m = materialize(&catalog, ex, 42).expect("materializes");

    c.bench_function("grade/terraform-review", |b| {
        b.iter(|| {
            let ctx = CheckContext::new(&m.solution, &m.base, &m.broken).with_tools(false);
            let results = run_checks(&ctx, &m.checks, true);
            grade(GradeInput {
                exercise: ex,
                scorecard: card,
                candidate: "bench",
                seed: 42,
                mode: Mode::Submit,
                checks: results,
                hints_used: vec![],
            })
        })
    });

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

/// `pipeline/container-overhead-per-job`: wall time of a one-step job minus the
/// step's own time (container start, workspace copy, exec setup, removal); target
/// ≤ 300 ms. Skipped when Docker or the runner image is absent.
fn pipeline_benches(c: &mut Criterion) {
    use faultline::runner::pipeline::{self as pr, Backend, RunOptions};
    if !pr::docker_status().available || !pr::image_present(&pr::resolve_image(None)).unwrap_or(false) {
        eprintln!("skipping pipeline benches: Docker or the runner image is absent");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("workflow dir");
    std::fs::write(wf.join("ci.yml"), "on: push\njobs:\n  one:\n    runs-on: x\n    steps:\n      - run: true\n")
        .expect("workflow");
    let opts =
        RunOptions::new(dir.path(), ".github/workflows/ci.yml", Backend::Container { image: pr::resolve_image(None) });
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.bench_function("container-overhead-per-job", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let report = pr::run(&opts).expect("runs");
                total += std::time::Duration::from_millis(report.jobs[0].overhead_ms as u64);
            }
            total
        })
    });
    group.finish();
}

criterion_group!(harness, benches, pipeline_benches);
criterion_main!(harness);
