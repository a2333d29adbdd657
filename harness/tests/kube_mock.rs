//! The live Kubernetes code against a mock API server: `tower_test::mock::pair`
//! feeds `kube::Client::new`, and a task answers each request from recorded
//! objects under `tests/fixtures/kube/<shape>/` (one shape per failure). Watches
//! are left unanswered, so a check that waits reaches its bound and decides on
//! what it listed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use faultline::cluster::{self, KubeSession, LiveCluster};
use faultline::model::{CheckKind, CheckStatus};
use http::{Request, Response, StatusCode};
use kube::client::Body;

const NS: &str = "faultline-t-1";

/// One request the mock saw.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    content_type: String,
    body: String,
}

#[derive(Clone, Default)]
struct Options {
    /// Answer the namespace lookup with 404.
    namespace_gone: bool,
    /// Objects (`configmaps/name`) that exist for GETs by name.
    existing: Vec<String>,
    /// Roles in the namespace (name, verbs).
    roles: Vec<(String, Vec<String>)>,
}

fn shape_dir(shape: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kube").join(shape)
}

fn json(status: StatusCode, v: &serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(v).unwrap()))
        .unwrap()
}

fn not_found(what: &str) -> Response<Body> {
    json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
            "message": format!("{what} not found"), "code": 404}),
    )
}

fn fixture(shape: &str, file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(shape_dir(shape).join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn empty_list(kind: &str, av: &str) -> serde_json::Value {
    serde_json::json!({"kind": kind, "apiVersion": av, "metadata": {"resourceVersion": "1"}, "items": []})
}

/// Answer one request from the shape's recorded objects.
fn answer(shape: &str, opts: &Options, method: &str, path: &str, body: &str) -> Option<Response<Body>> {
    let ns_path = format!("/api/v1/namespaces/{NS}");
    let apps = format!("/apis/apps/v1/namespaces/{NS}");
    let rbac = format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{NS}");
    let r = match (method, path) {
        ("PATCH", _) => {
            // Server-side apply: echo the object back.
            let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            json(StatusCode::OK, &v)
        }
        ("DELETE", _) => {
            json(StatusCode::OK, &serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Success"}))
        }
        ("POST", p) if p.ends_with("/token") => json(
            StatusCode::CREATED,
            &serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "spec": {"audiences": []}, "status": {"token": "mock-token", "expirationTimestamp": "2026-11-28T10:00:00Z"}}),
        ),
        ("GET", p) if p == ns_path => {
            if opts.namespace_gone {
                not_found("namespaces \"faultline-t-1\"")
            } else {
                json(
                    StatusCode::OK,
                    &serde_json::json!({"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": NS, "labels": {"faultline.dev/managed": "true", "faultline.dev/session": "s1"}}}),
                )
            }
        }
        ("GET", p) if p == format!("{apps}/deployments") => json(StatusCode::OK, &fixture(shape, "deployments.json")),
        ("GET", p) if p == format!("{ns_path}/pods") => json(StatusCode::OK, &fixture(shape, "pods.json")),
        ("GET", p) if p == format!("{ns_path}/events") => json(StatusCode::OK, &fixture(shape, "events.json")),
        ("GET", p) if p == format!("/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices") => {
            json(StatusCode::OK, &fixture(shape, "endpointslices.json"))
        }
        ("GET", p) if p == format!("{ns_path}/services/web") => json(StatusCode::OK, &fixture(shape, "service.json")),
        ("GET", p) if p.starts_with(&format!("{ns_path}/services/")) => not_found("service"),
        ("GET", p) if p.starts_with(&format!("{ns_path}/pods/")) && p.ends_with("/log") => {
            let text = std::fs::read_to_string(shape_dir(shape).join("web.log")).unwrap_or_default();
            Response::builder()
                .status(200)
                .header("content-type", "text/plain")
                .body(Body::from(text.into_bytes()))
                .unwrap()
        }
        ("GET", p) if p == format!("{rbac}/roles") => {
            let items: Vec<_> = opts
                .roles
                .iter()
                .map(|(n, verbs)| {
                    serde_json::json!({"metadata": {"name": n}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": verbs}]})
                })
                .collect();
            json(
                StatusCode::OK,
                &serde_json::json!({"kind": "RoleList", "apiVersion": "rbac.authorization.k8s.io/v1",
                    "metadata": {"resourceVersion": "1"}, "items": items}),
            )
        }
        ("GET", p) if p == format!("{rbac}/rolebindings") => {
            json(StatusCode::OK, &empty_list("RoleBindingList", "rbac.authorization.k8s.io/v1"))
        }
        ("GET", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings") => {
            json(StatusCode::OK, &empty_list("ClusterRoleBindingList", "rbac.authorization.k8s.io/v1"))
        }
        ("GET", p) => {
            // A named object: configmaps/web-config, deployments/web, …
            let tail = p.rsplitn(3, '/').take(2).collect::<Vec<_>>();
            let key = format!("{}/{}", tail.get(1).unwrap_or(&""), tail.first().unwrap_or(&""));
            if opts.existing.contains(&key) {
                json(
                    StatusCode::OK,
                    &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": tail[0]}}),
                )
            } else {
                not_found(&key)
            }
        }
        _ => return None,
    };
    Some(r)
}

/// A session on a mock API answering with `shape`; returns it and the request log.
fn mock(shape: &'static str, opts: Options) -> (KubeSession, Arc<Mutex<Vec<Seen>>>) {
    let rt = cluster::runtime().unwrap();
    let (service, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    rt.spawn(async move {
        // Unanswered watches are kept here so their connections stay open.
        let mut parked = Vec::new();
        while let Some((req, send)) = handle.next_request().await {
            let (parts, body) = req.into_parts();
            let bytes = body.collect_bytes().await.unwrap_or_default();
            let body = String::from_utf8_lossy(&bytes).to_string();
            let path = parts.uri.path().to_string();
            let query = parts.uri.query().unwrap_or("").to_string();
            let content_type =
                parts.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            seen.lock().unwrap().push(Seen {
                method: parts.method.to_string(),
                path: path.clone(),
                query: query.clone(),
                content_type,
                body: body.clone(),
            });
            if query.contains("watch=true") {
                parked.push(send);
                continue;
            }
            match answer(shape, &opts, parts.method.as_str(), &path, &body) {
                Some(r) => send.send_response(r),
                None => send.send_response(not_found(&path)),
            }
        }
    });
    let client = {
        let _guard = rt.enter();
        kube::Client::new(service, "default")
    };
    (KubeSession::new(rt, client, NS), log)
}

fn rollout() -> CheckKind {
    CheckKind::K8sRollout { deployment: "web".into(), within_secs: 1 }
}
fn ready() -> CheckKind {
    CheckKind::K8sPodsReady { selector: "app=web".into(), within_secs: 1 }
}
fn no_bad() -> CheckKind {
    CheckKind::K8sNoBadState { selector: "app=web".into() }
}
fn endpoints() -> CheckKind {
    CheckKind::K8sEndpoints { service: "web".into(), within_secs: 1 }
}
fn stable() -> CheckKind {
    CheckKind::K8sRestartsStable { selector: "app=web".into(), window_secs: 1 }
}

fn verdicts(shape: &'static str) -> Vec<(CheckStatus, String, String)> {
    let (s, _) = mock(shape, Options::default());
    [rollout(), ready(), no_bad(), endpoints(), stable()]
        .iter()
        .map(|k| {
            let o = s.run(k);
            let ev: Vec<String> = o.evidence.iter().map(|e| e.text.clone()).collect();
            (o.status, o.message, ev.join("\n"))
        })
        .collect()
}

fn statuses(v: &[(CheckStatus, String, String)]) -> Vec<CheckStatus> {
    v.iter().map(|x| x.0).collect()
}

use CheckStatus::{Failed as F, Passed as P};

#[test]
fn crash_loop_fails_every_workload_check_with_events_and_logs_as_evidence() {
    let v = verdicts("crashloop");
    assert_eq!(statuses(&v), [F, F, F, F, F], "{v:#?}");
    assert!(v[0].1.contains("0/1 available"), "{}", v[0].1);
    assert!(v[2].1.contains("CrashLoopBackOff"), "{}", v[2].1);
    let evidence = &v[2].2;
    assert!(evidence.contains("restarts 5") && evidence.contains("last ended Error"), "{evidence}");
    assert!(evidence.contains("event BackOff Pod/web-6c9f7b5d4-x2k8p"), "{evidence}");
    assert!(evidence.contains("invalid number of arguments"), "the crashed container's log is evidence: {evidence}");
}

#[test]
fn image_pull_back_off_is_a_bad_state() {
    let v = verdicts("imagepull");
    assert_eq!(statuses(&v)[..4], [F, F, F, F], "{v:#?}");
    assert!(v[2].1.contains("ImagePullBackOff"), "{}", v[2].1);
    assert!(v[2].2.contains("Failed to pull image"), "{}", v[2].2);
    // Never started, so no restarts: stability alone does not catch it.
    assert_eq!(v[4].0, P, "{:?}", v[4]);
}

#[test]
fn a_missing_config_map_is_a_bad_state() {
    let v = verdicts("configerror");
    assert_eq!(statuses(&v)[..4], [F, F, F, F], "{v:#?}");
    assert!(v[2].1.contains("CreateContainerConfigError"), "{}", v[2].1);
    assert!(v[2].2.contains("configmap \\\"web-config\\\" not found") || v[2].2.contains("web-config"), "{}", v[2].2);
}

#[test]
fn an_oom_killed_container_is_named_as_such() {
    let v = verdicts("oomkilled");
    assert_eq!(statuses(&v), [F, F, F, F, F], "{v:#?}");
    assert!(v[2].2.contains("last ended OOMKilled"), "{}", v[2].2);
}

#[test]
fn healthy_pods_behind_a_selector_that_matches_nothing_fail_only_the_endpoints_check() {
    let v = verdicts("no-endpoints");
    assert_eq!(statuses(&v), [P, P, P, F, P], "{v:#?}");
    assert!(v[3].1.contains("no ready endpoints"), "{}", v[3].1);
}

#[test]
fn a_healthy_workload_passes_every_check() {
    let v = verdicts("healthy");
    assert_eq!(statuses(&v), [P, P, P, P, P], "{v:#?}");
    assert!(v[3].1.contains("10.244.0.7 (web-6c9f7b5d4-x2k8p)"), "{}", v[3].1);
}

#[test]
fn watches_are_used_and_scoped_to_the_namespace_and_selector() {
    let (s, log) = mock("healthy", Options::default());
    assert_eq!(s.run(&CheckKind::K8sRestartsStable { selector: "app=web".into(), window_secs: 1 }).status, P);
    let log = log.lock().unwrap();
    let pods: Vec<&Seen> = log.iter().filter(|r| r.path == format!("/api/v1/namespaces/{NS}/pods")).collect();
    assert!(pods.iter().any(|r| r.query.contains("watch=true")), "a watch follows the list: {pods:#?}");
    assert!(pods.iter().all(|r| r.query.contains("labelSelector=app%3Dweb")), "{pods:#?}");
}

#[test]
fn a_deleted_namespace_fails_with_a_clear_message() {
    let (s, _) = mock("healthy", Options { namespace_gone: true, ..Default::default() });
    for k in [rollout(), no_bad(), CheckKind::K8sProtected { objects: vec!["ConfigMap/web-config".into()] }] {
        let o = s.run(&k);
        assert_eq!(o.status, F, "{k:?}");
        assert!(o.message.contains("no longer exists") && o.message.contains(NS), "{}", o.message);
    }
}

#[test]
fn protected_objects_must_still_exist() {
    let opts = Options { existing: vec!["configmaps/web-config".into()], ..Default::default() };
    let (s, log) = mock("healthy", opts);
    let ok = s.run(&CheckKind::K8sProtected { objects: vec!["ConfigMap/web-config".into()] });
    assert_eq!(ok.status, P, "{}", ok.message);
    let gone =
        s.run(&CheckKind::K8sProtected { objects: vec!["ConfigMap/web-config".into(), "Deployment/web".into()] });
    assert_eq!(gone.status, F);
    assert!(gone.message.contains("Deployment/web was deleted"), "{}", gone.message);
    assert!(log.lock().unwrap().iter().any(|r| r.path == format!("/apis/apps/v1/namespaces/{NS}/deployments/web")));
}

#[test]
fn rbac_is_compared_with_the_start() {
    let opts = Options { roles: vec![("faultline-candidate".into(), vec!["get".into()])], ..Default::default() };
    let (s, _) = mock("healthy", opts.clone());
    let baseline = s.block_on(cluster::namespace::rbac_state(&s.client, NS)).unwrap();
    let s = s.with_baseline(Some(baseline.clone()));
    assert_eq!(s.run(&CheckKind::K8sRbacUnchanged).status, P);

    let widened = Options { roles: vec![("faultline-candidate".into(), vec!["*".into()])], ..Default::default() };
    let (s, _) = mock("healthy", widened);
    let o = s.with_baseline(Some(baseline.clone())).run(&CheckKind::K8sRbacUnchanged);
    assert_eq!(o.status, F);
    assert!(o.message.contains("Role/faultline-candidate was changed"), "{}", o.message);

    let added = Options {
        roles: vec![("faultline-candidate".into(), vec!["get".into()]), ("admin-all".into(), vec!["*".into()])],
        ..Default::default()
    };
    let (s, _) = mock("healthy", added);
    let o = s.with_baseline(Some(baseline)).run(&CheckKind::K8sRbacUnchanged);
    assert!(o.message.contains("Role/admin-all was created"), "{}", o.message);

    let (s, _) = mock("healthy", Options::default());
    assert_eq!(s.run(&CheckKind::K8sRbacUnchanged).status, CheckStatus::Skipped);
}

#[test]
fn without_a_cluster_live_checks_are_skipped_in_static_mode() {
    use faultline::checks::{run_check, CheckContext};
    use faultline::inject::PlannedCheck;
    use faultline::model::{CheckSpec, Snapshot};
    let snap = Snapshot::new();
    let planned = PlannedCheck {
        scenario: "k8s/x".into(),
        mount: ".".into(),
        spec: CheckSpec {
            id: "rolled-out".into(),
            title: "t".into(),
            kind: rollout(),
            points: 5,
            dimension: "d".into(),
            hidden: false,
            required: false,
            feedback: "f".into(),
            red_flag: None,
        },
        terraform: Default::default(),
        pipeline: None,
    };
    let r = run_check(&CheckContext::new(&snap, &snap, &snap), &planned);
    assert_eq!(r.status, CheckStatus::Skipped);
    assert_eq!(r.message, "static mode: no cluster");
    let (s, _) = mock("healthy", Options::default());
    let r = run_check(&CheckContext::new(&snap, &snap, &snap).with_live(Some(&s)), &planned);
    assert_eq!(r.status, P);
    assert_eq!(r.kind, "k8s-rollout");
}

#[test]
fn injection_applies_the_base_then_patches_the_fault_server_side() {
    use faultline::cluster::apply;
    use faultline::model::Snapshot;
    let mut base = Snapshot::new();
    base.insert(
        "k8s/app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {PORT: \"8080\"}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n",
    );
    let mut broken = Snapshot::new();
    broken.insert(
        "k8s/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata: {name: extra}\n",
    );
    let base = apply::manifests(&base, "k8s").unwrap();
    let broken = apply::manifests(&broken, "k8s").unwrap();
    let (s, log) = mock("healthy", Options::default());
    let patch = s.block_on(apply::inject(&s.client, NS, "s1", &base, &broken)).unwrap();
    assert_eq!(patch.apply.len(), 1);
    let log = log.lock().unwrap();
    let calls: Vec<String> = log.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        calls,
        [
            format!("PATCH /api/v1/namespaces/{NS}/configmaps/web-config"),
            format!("PATCH /apis/apps/v1/namespaces/{NS}/deployments/web"),
            format!("PATCH /api/v1/namespaces/{NS}/secrets/extra"),
            format!("DELETE /api/v1/namespaces/{NS}/configmaps/web-config"),
            format!("PATCH /apis/apps/v1/namespaces/{NS}/deployments/web"),
        ]
    );
    // The Deployment waits, paused, until the fault is in, then resumes.
    let paused = |i: usize| serde_json::from_str::<serde_json::Value>(&log[i].body).unwrap()["spec"]["paused"].clone();
    assert_eq!((paused(1), paused(4)), (serde_json::json!(true), serde_json::json!(false)));
    let first = &log[0];
    assert!(first.query.contains("fieldManager=faultline") && first.query.contains("force=true"), "{}", first.query);
    assert_eq!(first.content_type, "application/apply-patch+yaml");
    let body: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["metadata"]["namespace"], NS);
    assert_eq!(body["metadata"]["labels"]["faultline.dev/session"], "s1");
    assert_eq!(body["data"]["PORT"], "8080");
}

#[test]
fn a_session_namespace_is_created_labelled_with_quota_limits_and_a_scoped_account() {
    let (s, log) = mock("healthy", Options::default());
    s.block_on(cluster::namespace::create(&s.client, NS, "s1")).unwrap();
    let token = s.block_on(cluster::namespace::candidate_token(&s.client, NS, 12)).unwrap();
    assert_eq!(token, "mock-token");
    let log = log.lock().unwrap();
    let paths: Vec<&str> = log.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths[0], format!("/api/v1/namespaces/{NS}"));
    let ns: serde_json::Value = serde_json::from_str(&log[0].body).unwrap();
    assert_eq!(ns["metadata"]["labels"]["faultline.dev/managed"], "true");
    for want in
        ["resourcequotas/faultline-quota", "limitranges/faultline-limits", "serviceaccounts/faultline-candidate"]
    {
        assert!(paths.iter().any(|p| p.ends_with(want)), "{want} in {paths:?}");
    }
    assert!(paths
        .iter()
        .any(|p| p == &format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{NS}/roles/faultline-candidate")));
    let token_req = log.iter().find(|r| r.path.ends_with("/token")).unwrap();
    assert_eq!(token_req.path, format!("/api/v1/namespaces/{NS}/serviceaccounts/faultline-candidate/token"));
}

#[test]
fn clean_deletes_only_namespaces_faultline_manages() {
    let (s, log) = mock("healthy", Options::default());
    assert!(s.block_on(cluster::namespace::delete(&s.client, NS)).unwrap());
    let log = log.lock().unwrap();
    assert_eq!(log.last().map(|r| r.method.as_str()), Some("DELETE"));
}

#[test]
fn http_responses_are_read_over_a_stream() {
    let rt = cluster::runtime().unwrap();
    rt.block_on(async {
        let (mut client, mut server) = tokio::io::duplex(4096);
        let srv = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut buf = vec![0u8; 1024];
            let n = server.read(&mut buf).await.unwrap();
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            server.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy!").await.unwrap();
            drop(server);
            req
        });
        let (status, body) = cluster::checks::http_get(&mut client, "web", "/healthz").await.unwrap();
        assert_eq!((status, body.as_str()), (503, "busy!"));
        let req = srv.await.unwrap();
        assert!(req.starts_with("GET /healthz HTTP/1.1\r\nHost: web\r\n"), "{req}");
    });
}

#[test]
fn a_rollout_past_its_progress_deadline_fails_without_waiting_out_the_bound() {
    let (s, _) = mock("deadline", Options::default());
    let o = s.run(&CheckKind::K8sRollout { deployment: "web".into(), within_secs: 600 });
    assert_eq!(o.status, F);
    assert!(o.message.contains("passed its progress deadline"), "{}", o.message);
}
