//! Loading the `kubernetes:` block and the live check keys: good content loads
//! into the model, bad content is refused with the file, line and column.

use std::path::{Path, PathBuf};

use faultline::catalog::{Catalog, ContentSource};
use faultline::model::CheckKind;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/k8s-live")
}

/// A copy of the fixture content with one file's text changed.
fn edited(file: &str, edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, Result<Catalog, String>) {
    let tmp = tempfile::tempdir().unwrap();
    copy(&fixture(), tmp.path());
    let path = tmp.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
    let r = Catalog::load(&ContentSource::Dir(tmp.path().to_path_buf())).map_err(|e| format!("{e:?}"));
    (tmp, r)
}

fn copy(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

const SCENARIO: &str = "scenarios/k8s/crashlab/scenario.yaml";

#[test]
fn the_kubernetes_block_and_live_checks_load_into_the_model() {
    let c = Catalog::load(&ContentSource::Dir(fixture())).unwrap();
    let sc = &c.scenarios["k8s/crashlab"];
    let k = sc.kubernetes.as_ref().unwrap();
    assert_eq!(k.manifests, "k8s");
    assert_eq!(k.workload.as_deref(), Some("@{app}"));
    assert!(k.recorded.as_ref().unwrap().contains("CrashLoopBackOff"));
    let kinds: Vec<&CheckKind> = sc.checks.iter().map(|c| &c.kind).collect();
    assert!(kinds.contains(&&CheckKind::K8sRollout { deployment: "@{app}".into(), within_secs: 90 }));
    assert!(kinds.contains(&&CheckKind::K8sPodsReady { selector: "app=@{app}".into(), within_secs: 60 }));
    assert!(kinds.contains(&&CheckKind::K8sRbacUnchanged));
    assert!(kinds
        .iter()
        .any(|k| matches!(k, CheckKind::K8sHttp { port: 80, expect_status: 200, within_secs: 30, .. })));
    assert_eq!(kinds.iter().filter(|k| k.is_live()).count(), 8);
}

#[test]
fn bad_live_check_settings_are_refused_where_they_are_written() {
    let (_t, r) = edited(SCENARIO, |s| s.replace("within_secs: 90", "within_secs: 0"));
    let e = r.unwrap_err();
    assert!(e.contains("within_secs must be between 1 and 900"), "{e}");

    let (_t, r) = edited(SCENARIO, |s| s.replace("\"ConfigMap/@{app}-config\"", "\"Widget/x\""));
    let e = r.unwrap_err();
    assert!(e.contains("`Widget/x` is not `Kind/name`"), "{e}");

    let (_t, r) = edited(SCENARIO, |s| {
        s.replace("k8s_no_bad_state: { selector: \"app=@{app}\" }", "k8s_no_bad_state: { selector: \"app in (web)\" }")
    });
    assert!(r.unwrap_err().contains("is not an equality label selector"));

    let (_t, r) = edited(SCENARIO, |s| s.replace("k8s_rbac_unchanged: {}", "k8s_rbac_unchanged: { strict: true }"));
    assert!(r.unwrap_err().contains("strict"));
}

#[test]
fn a_recorded_state_that_does_not_read_is_reported_with_its_line() {
    let (_t, r) = edited("scenarios/k8s/crashlab/recorded/state.yaml", |s| {
        s.replace("          restartCount: 6", "          restartCount: many")
    });
    let e = r.unwrap_err();
    assert!(e.contains("recorded/state.yaml\"") && e.contains("line: 22, column: 25"), "{e}");
    assert!(e.contains("recorded state: invalid i32"), "{e}");

    let (_t, r) = edited(SCENARIO, |s| s.replace("recorded/state.yaml", "recorded/missing.yaml"));
    assert!(r.unwrap_err().contains("kubernetes.recorded names no file"));

    let (_t, r) =
        edited("scenarios/k8s/crashlab/recorded/state.yaml", |s| s.replace("@{app}-7d9f8-abcde.1", "@{nope}"));
    assert!(r.unwrap_err().contains("`@{nope}` names no parameter"));
}
