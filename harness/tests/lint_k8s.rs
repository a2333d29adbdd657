//! Fixture-driven tests of the Kubernetes rules: each finding class has a `broken`
//! folder that must produce it (at the right file, line and subject) and a `fixed`
//! folder that must not. Fixtures live under `tests/fixtures/lint-k8s/<class>/`.

use std::path::Path;

use faultline::model::Snapshot;
use faultline::rules::{lint, Family, LintReport, LintSettings};

fn fixture(case: &str) -> Snapshot {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint-k8s").join(case);
    // The same reader a workspace is graded with.
    let (snapshot, skipped) = faultline::workspace::snapshot(&root).expect("fixture folder is readable");
    assert!(skipped.is_empty(), "fixture {case} has files a grade would skip: {skipped:?}");
    assert!(!snapshot.is_empty(), "fixture {case} has no files");
    snapshot
}

fn run(case: &str) -> LintReport {
    lint(Family::Kubernetes, &fixture(case), None, ".", &LintSettings::default())
}

/// `"file:line:column rule subject"` for each finding of one class, in report order.
fn hits(report: &LintReport, class: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.class == class)
        .map(|f| format!("{}:{}:{} {} {}", f.file, f.line, f.column, f.rule, f.subject))
        .collect()
}

/// Lint a `broken` fixture (which must parse) and its `fixed` twin (which must carry no
/// finding of the class), returning the broken hits.
fn broken_and_fixed(class: &str) -> Vec<String> {
    let case = class.trim_start_matches("k8s.");
    let broken = run(&format!("{case}/broken"));
    assert_eq!(broken.problems, [], "{case}/broken should parse");
    let fixed = run(&format!("{case}/fixed"));
    assert_eq!(fixed.problems, [], "{case}/fixed should parse");
    assert_eq!(hits(&fixed, class), Vec::<String>::new(), "{case}/fixed still has {class}");
    hits(&broken, class)
}

#[test]
fn the_clean_fixture_has_no_finding_at_all() {
    let report = run("clean");
    assert_eq!(report.problems, []);
    assert_eq!(report.findings, []);
}

#[test]
fn config_maps_secrets_and_keys_that_nothing_defines_are_missing_refs() {
    assert_eq!(
        broken_and_fixed("k8s.missing-config-ref"),
        [
            "deployment.yaml:23:19 missing-configmap Deployment/web",
            "deployment.yaml:38:24 missing-configmap-key Deployment/web",
            // `feature-flags` is optional, so only the secret is reported.
            "deployment.yaml:41:23 missing-secret Deployment/web",
        ]
    );
}

#[test]
fn probes_on_undeclared_ports_numeric_or_named_are_mismatches() {
    assert_eq!(
        broken_and_fixed("k8s.probe-port-mismatch"),
        [
            "deployment.yaml:35:21 port-not-declared Deployment/web",
            "deployment.yaml:38:21 named-port-undeclared Deployment/web",
        ]
    );
}

#[test]
fn selectors_that_miss_the_pod_template_are_mismatches() {
    assert_eq!(
        broken_and_fixed("k8s.selector-mismatch"),
        [
            "deployment.yaml:10:5 workload-selector Deployment/web",
            "service.yaml:7:5 service-selects-nothing Service/web",
        ]
    );
}

#[test]
fn target_ports_numeric_named_or_defaulted_must_be_container_ports() {
    let report = run("target-port-mismatch/broken");
    let messages: Vec<&str> =
        report.findings.iter().filter(|f| f.class == "k8s.target-port-mismatch").map(|f| f.message.as_str()).collect();
    assert!(messages[2].contains("defaults to port 9090"), "{messages:?}");
    assert_eq!(
        broken_and_fixed("k8s.target-port-mismatch"),
        [
            "service.yaml:11:19 target-port Service/web",
            "service.yaml:14:19 target-port Service/web",
            "service.yaml:16:13 target-port Service/web",
        ]
    );
}

#[test]
fn untagged_and_latest_images_are_flagged_but_registry_ports_and_digests_are_not() {
    assert_eq!(
        broken_and_fixed("k8s.image-tag"),
        ["deployment.yaml:22:18 latest-tag Deployment/web", "deployment.yaml:28:18 missing-tag Deployment/web"]
    );
}

#[test]
fn containers_without_requests_or_limits_are_flagged() {
    assert_eq!(
        broken_and_fixed("k8s.missing-resources"),
        [
            "deployment.yaml:21:11 no-requests-or-limits Deployment/web",
            "deployment.yaml:38:11 no-limits Deployment/web"
        ]
    );
}

#[test]
fn privileged_containers_dangerous_capabilities_and_host_namespaces_are_flagged() {
    assert_eq!(
        broken_and_fixed("k8s.privileged"),
        [
            "deployment.yaml:17:7 host-namespace Deployment/web",
            "deployment.yaml:38:13 privileged Deployment/web",
            "deployment.yaml:40:41 dangerous-capability Deployment/web",
        ]
    );
}

#[test]
fn uid_0_run_as_non_root_false_and_no_user_at_all_run_as_root() {
    assert_eq!(
        broken_and_fixed("k8s.run-as-root"),
        [
            "deployment.yaml:19:20 run-as-uid-0 Deployment/web",
            "pod.yaml:7:13 no-run-as-non-root Pod/debug",
            "pod.yaml:15:23 run-as-non-root-false Pod/debug",
        ]
    );
}

#[test]
fn host_paths_are_flagged_and_the_docker_socket_is_critical() {
    assert_eq!(
        broken_and_fixed("k8s.host-path"),
        [
            "deployment.yaml:23:19 container-runtime-socket Deployment/web",
            "deployment.yaml:27:19 host-path Deployment/web"
        ]
    );
    let report = run("host-path/broken");
    assert_eq!(
        report.findings.iter().find(|f| f.rule == "container-runtime-socket").map(|f| f.severity),
        Some(faultline::model::Severity::Critical)
    );
}

#[test]
fn literal_credentials_in_env_are_flagged_but_file_paths_are_not() {
    assert_eq!(
        broken_and_fixed("k8s.secret-literal-env"),
        [
            "deployment.yaml:33:22 password-assignment Deployment/web",
            "deployment.yaml:35:22 github-token Deployment/web"
        ]
    );
    let report = run("secret-literal-env/broken");
    assert!(report.findings.iter().all(|f| !f.message.contains("s3cr3t-prod-pass")), "secrets are masked");
}

#[test]
fn schema_errors_point_at_the_exact_node() {
    assert_eq!(
        broken_and_fixed("k8s.schema"),
        [
            "deployment.yaml:8:13 wrong-type Deployment/web",
            "deployment.yaml:23:11 unknown-field Deployment/web",
            "deployment.yaml:26:30 wrong-type Deployment/web",
            "deployment.yaml:43:23 invalid-quantity Deployment/web",
            "extra.yaml:1:13 unknown-api-version Ingress/web",
            "extra.yaml:7:7 not-validated ServiceMonitor/web",
        ]
    );
    let report = run("schema/broken");
    let find = |rule: &str| report.findings.iter().find(|f| f.rule == rule).expect(rule);
    assert!(find("unknown-field").message.contains("did you mean `imagePullPolicy`"));
    assert!(find("invalid-quantity").message.contains("`256MB` is not a valid quantity"));
    assert_eq!(find("not-validated").severity, faultline::model::Severity::Low);
}

#[test]
fn bad_yaml_and_non_objects_are_problems_with_file_line_and_column() {
    let report = run("parse-error");
    let shown: Vec<String> = report.problems.iter().map(|p| format!("{}:{}:{}", p.file, p.line, p.column)).collect();
    assert_eq!(shown, ["bad.yaml:6:8", "helm.yaml:4:10", "list.yaml:6:1", "nokind.yaml:1:1", "scalar.yaml:5:1"]);
    assert!(report.problems[0].message.starts_with("not valid YAML"));
    assert!(report.problems[3].message.contains("`kind` is missing"));
}

#[test]
fn truncated_and_garbled_manifests_never_panic() {
    let base = fixture("missing-config-ref/broken");
    for (path, text) in base.iter() {
        for cut in (0..text.len()).step_by(7).filter(|c| text.is_char_boundary(*c)) {
            let mut garbled = base.clone();
            garbled.insert(path, &text[..cut]);
            let _ = lint(Family::Kubernetes, &garbled, None, ".", &LintSettings::default());
            let mut swapped = base.clone();
            swapped.insert(path, text[..cut].replace(':', "[").replace("- ", "{"));
            let _ = lint(Family::Kubernetes, &swapped, None, ".", &LintSettings::default());
        }
    }
}

#[test]
fn a_sub_folder_limits_what_is_linted() {
    let mut snap = fixture("image-tag/broken");
    for (p, t) in fixture("clean").iter() {
        snap.insert(format!("good/{p}"), t);
    }
    let all = lint(Family::Kubernetes, &snap, None, ".", &LintSettings::default());
    let good = lint(Family::Kubernetes, &snap, None, "./good/", &LintSettings::default());
    assert!(!all.findings.is_empty());
    assert_eq!(good.findings, []);
}

#[test]
fn a_service_left_without_any_pods_selects_nothing() {
    // The decoy "delete the Deployment" must not make a Service look healthy.
    let report = run("selector-mismatch/deployment-deleted");
    assert_eq!(hits(&report, "k8s.selector-mismatch"), ["service.yaml:7:5 service-selects-nothing Service/web"]);
}

#[test]
fn a_realistic_set_of_every_supported_kind_has_no_finding() {
    let report = run("schema/realistic");
    assert_eq!(report.problems, []);
    let shown: Vec<String> =
        report.findings.iter().map(|f| format!("{}:{} {} {} {}", f.file, f.line, f.class, f.rule, f.message)).collect();
    assert_eq!(shown, Vec::<String>::new());
}
