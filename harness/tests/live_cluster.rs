//! Against a real cluster, opt-in: `FAULTLINE_LIVE_CLUSTER=1` (backend from
//! `FAULTLINE_CLUSTER`: kind (default; a warm cluster is created when missing),
//! k3s or kubeconfig with `FAULTLINE_LIVE_CONTEXT`). The cluster must be able to
//! pull `nginx:1.27.3`. Without the opt-in the test says why and returns.

use std::path::Path;

use faultline::catalog::{Catalog, ContentSource};
use faultline::cluster::{self, apply, Choice, KubeSession, Selected};
use faultline::grade::Mode;
use faultline::model::CheckStatus;
use faultline::session::{self, LivePlan, StartOptions};
use faultline::store::SqliteStore;

#[test]
fn a_live_lab_breaks_for_real_and_the_reference_fix_passes_every_live_check() {
    if std::env::var("FAULTLINE_LIVE_CLUSTER").as_deref() != Ok("1") {
        eprintln!("skipping: set FAULTLINE_LIVE_CLUSTER=1 (and FAULTLINE_CLUSTER=kind|k3s|kubeconfig) to run against a cluster");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let choice: Choice = std::env::var("FAULTLINE_CLUSTER").unwrap_or_else(|_| "kind".into()).parse().unwrap();
    let context = std::env::var("FAULTLINE_LIVE_CONTEXT").ok();
    let access = match cluster::select(Some(choice), context.as_deref(), &data, &|m| eprintln!("{m}")) {
        Ok(Selected::Live(a)) => a,
        Ok(Selected::Static(why)) => panic!("asked for a live cluster, got static mode: {why}"),
        Err(e) => panic!("FAULTLINE_LIVE_CLUSTER=1 but no cluster: {e}"),
    };
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/k8s-live");
    let catalog = Catalog::load(&ContentSource::Dir(content)).unwrap();
    let store = SqliteStore::open_in(&data).unwrap();
    let key = [9u8; 32];
    let ws = tmp.path().join("ws");
    let progress = |m: &str| eprintln!("{m}");
    let plan = LivePlan { access: &access, progress: &progress };
    let opts = StartOptions {
        exercise: "crashlab",
        dir: &ws,
        candidate: "live",
        seed: 1,
        mode: "lab",
        now: time::OffsetDateTime::now_utc(),
    };
    let (started, live) = session::start_with_cluster(&catalog, &store, &key, &opts, Some(&plan)).unwrap();
    let live = live.expect("a live session");
    let symptoms = std::fs::read_to_string(ws.join("SYMPTOMS.md")).unwrap();
    assert!(symptoms.contains("Captured live"), "{symptoms}");
    assert!(live.kubeconfig.is_file());
    let record = started.marker.cluster.clone().expect("cluster recorded in the marker");

    let s = KubeSession::open(&record.access, &record.namespace).unwrap().with_baseline(Some(record.rbac.clone()));
    let eval = session::evaluate_live(&catalog, &ws, &started.marker, Mode::Submit, vec![], false, Some(&s)).unwrap();
    let rolled = eval.grade.checks.iter().find(|c| c.id == "rolled-out").unwrap();
    assert_eq!(rolled.status, CheckStatus::Failed, "the broken workload does not roll out: {}", rolled.message);

    // The reference fix, applied as the candidate would.
    let m = &started.materialized;
    let fixed = apply::manifests(&m.solution, "k8s").unwrap();
    for obj in &fixed {
        s.block_on(apply::apply(&s.client, &record.namespace, &started.marker.session, obj)).unwrap();
    }
    let eval = session::evaluate_live(&catalog, &ws, &started.marker, Mode::Submit, vec![], false, Some(&s)).unwrap();
    for c in eval.grade.checks.iter().filter(|c| c.kind.starts_with("k8s-")) {
        assert_eq!(c.status, CheckStatus::Passed, "{}: {} {:?}", c.id, c.message, c.evidence);
    }
    assert!(s.block_on(cluster::namespace::delete(&s.client, &record.namespace)).unwrap());
}
