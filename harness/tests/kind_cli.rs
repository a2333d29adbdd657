//! The kind backend and the Kubernetes side of the CLI without a cluster: a fake
//! `kind` script (tests/fixtures/fake-kind/kind) placed first on PATH records its
//! arguments, and static mode runs a Kubernetes lab end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

struct Env {
    tmp: tempfile::TempDir,
    /// PATH for the child: the fake kind first, or no kind at all.
    path: String,
}

impl Env {
    fn with_fake_kind() -> Self {
        let path = format!("{}:{}", fixtures().join("fake-kind").display(), std::env::var("PATH").unwrap_or_default());
        Env { tmp: tempfile::tempdir().unwrap(), path }
    }
    fn without_kind() -> Self {
        // Only folders that hold git and sh, none of which holds kind.
        let path: Vec<String> = std::env::var("PATH")
            .unwrap_or_default()
            .split(':')
            .filter(|d| !Path::new(d).join("kind").exists())
            .map(str::to_string)
            .collect();
        Env { tmp: tempfile::tempdir().unwrap(), path: path.join(":") }
    }
    fn log(&self) -> PathBuf {
        self.tmp.path().join("kind.log")
    }
    fn state(&self) -> PathBuf {
        self.tmp.path().join("kind.state")
    }
    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.log()).unwrap_or_default().lines().map(str::to_string).collect()
    }
    fn run(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
        c.args(args)
            .env("PATH", &self.path)
            .env("FAULTLINE_DATA_DIR", self.tmp.path().join("data"))
            .env("FAKE_KIND_LOG", self.log())
            .env("FAKE_KIND_STATE", self.state())
            .env("KUBECONFIG", self.tmp.path().join("no-kubeconfig"))
            .env("NO_COLOR", "1")
            .env_remove("FAULTLINE_KIND")
            .env_remove("FAULTLINE_KIND_IMAGE")
            .env_remove("FAULTLINE_CLUSTER")
            .env_remove("FAULTLINE_CONTENT")
            .current_dir(self.tmp.path());
        for (k, v) in extra {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn content() -> String {
    fixtures().join("content/k8s-live").display().to_string()
}

#[test]
fn cluster_up_creates_the_warm_cluster_once_with_a_generated_config_and_pinned_image() {
    let env = Env::with_fake_kind();
    let out = env.run(&["cluster", "up"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let data = env.tmp.path().join("data/clusters");
    let config = data.join("faultline-warm.kind.yaml");
    assert_eq!(
        env.calls(),
        [
            "get clusters".to_string(),
            format!(
                "create cluster --name faultline-warm --config {} --image kindest/node:v1.33.1 --wait 180s",
                config.display()
            ),
            "get kubeconfig --name faultline-warm".to_string(),
        ]
    );
    let used = std::fs::read_to_string(format!("{}.config", env.log().display())).unwrap();
    assert!(used.contains("kind: Cluster") && used.contains("name: faultline-warm"), "{used}");
    assert!(std::fs::read_to_string(data.join("faultline-warm.kubeconfig")).unwrap().contains("kind-faultline-warm"));

    // Up again: already there, nothing is created.
    std::fs::remove_file(env.log()).unwrap();
    let out = env.run(&["cluster", "up"], &[]);
    assert!(text(&out.stdout).contains("already up"), "{}", text(&out.stdout));
    assert!(!env.calls().iter().any(|c| c.starts_with("create")), "{:?}", env.calls());

    let out = env.run(&["cluster", "down"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(env.calls().contains(&"delete cluster --name faultline-warm".to_string()), "{:?}", env.calls());
}

#[test]
fn the_node_image_and_cluster_name_are_configurable_but_the_prefix_is_kept() {
    let env = Env::with_fake_kind();
    let out = env.run(&["cluster", "up", "--name", "lab"], &[("FAULTLINE_KIND_IMAGE", "kindest/node:v1.32.5")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let create = env.calls().into_iter().find(|c| c.starts_with("create")).unwrap();
    assert!(create.contains("--name faultline-lab") && create.contains("--image kindest/node:v1.32.5"), "{create}");
}

#[test]
fn clean_all_deletes_only_faultline_clusters() {
    let env = Env::with_fake_kind();
    std::fs::write(env.state(), "faultline-warm\nteam-shared\n").unwrap();
    let out = env.run(&["clean", "--all"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let calls = env.calls();
    assert!(calls.contains(&"delete cluster --name faultline-warm".to_string()), "{calls:?}");
    assert!(!calls.iter().any(|c| c.contains("team-shared") && c.starts_with("delete")), "{calls:?}");
    // The warm cluster's fake API is unreachable: said, not fatal.
    assert!(text(&out.stdout).contains("removed kind cluster faultline-warm"), "{}", text(&out.stdout));
}

#[test]
fn doctor_lists_kind_with_its_version() {
    let env = Env::with_fake_kind();
    let out = env.run(&["--format", "json", "doctor"], &[]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kind = rows.as_array().unwrap().iter().find(|r| r["name"] == "kind").unwrap();
    assert_eq!(kind["ok"], true);
    assert!(kind["detail"].as_str().unwrap().contains("kind v0.29.0"));
    for name in ["kubectl", "docker", "k3s image", "kube context"] {
        assert!(rows.as_array().unwrap().iter().any(|r| r["name"] == name), "{name}");
    }
}

#[test]
fn asking_for_kind_without_kind_names_what_is_missing() {
    let env = Env::without_kind();
    let out = env.run(&["--content", &content(), "start", "crashlab", "--cluster", "kind", "--dir", "ws"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("`kind` is not installed"), "{}", text(&out.stderr));
    assert!(!env.tmp.path().join("ws").exists(), "nothing half-made is left");
}

#[test]
fn an_unreachable_context_is_an_environment_error_with_the_reason() {
    let env = Env::without_kind();
    let kc = env.tmp.path().join("kc.yaml");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n\
         users: [{name: u, user: {token: t}}]\ncontexts: [{name: team, context: {cluster: c, user: u}}]\n\
         current-context: team\n",
    )
    .unwrap();
    let kc = kc.display().to_string();
    let out = env.run(
        &["--content", &content(), "start", "crashlab", "--cluster", "kubeconfig", "--dir", "ws"],
        &[("KUBECONFIG", kc.as_str())],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("cannot be reached") && err.contains("team"), "{err}");
}

#[test]
fn without_a_cluster_a_kubernetes_lab_runs_in_static_mode_end_to_end() {
    let env = Env::without_kind();
    let out = env.run(&["--content", &content(), "start", "crashlab", "--seed", "4", "--dir", "ws"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("static mode: no cluster backend (") && stdout.contains("grading the manifests only"),
        "{stdout}"
    );
    let symptoms = std::fs::read_to_string(env.tmp.path().join("ws/SYMPTOMS.md")).unwrap();
    assert!(symptoms.contains("CrashLoopBackOff") && symptoms.contains("BackOff"), "{symptoms}");
    assert!(symptoms.contains("daemon of"), "the recorded log is shown: {symptoms}");
    assert!(!symptoms.contains("@{app}"), "recorded state is templated: {symptoms}");

    let out = env.run(&["--format", "json", "--content", &content(), "check", "--dir", "ws"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["grade"]["checks"].as_array().unwrap();
    let rolled = checks.iter().find(|c| c["id"] == "rolled-out").unwrap();
    assert_eq!(rolled["status"], "skipped");
    assert_eq!(rolled["message"], "static mode: no cluster");
    let regex = checks.iter().find(|c| c["id"] == "args-regex").unwrap();
    assert_eq!(regex["status"], "failed");

    let out = env.run(&["--content", &content(), "start", "crashlab", "--static", "--dir", "ws2"], &[]);
    assert!(text(&out.stdout).contains("static mode: no cluster backend (--static)"), "{}", text(&out.stdout));
}

#[test]
fn verify_covers_the_kubernetes_lab_in_static_mode() {
    let env = Env::without_kind();
    let out = env.run(&["--content", &content(), "verify", "crashlab"], &[]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn a_k3s_server_that_cannot_start_is_an_environment_error_naming_why() {
    let env = Env::without_kind();
    let out =
        env.run(&["cluster", "up", "--backend", "k3s"], &[("FAULTLINE_K3S_IMAGE", "local/faultline-no-such-k3s:none")]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("cannot start K3s") || err.contains("`docker` is not installed"), "{err}");
    assert!(!env.tmp.path().join("data/clusters/k3s.json").exists(), "nothing is recorded");
}

#[test]
fn an_interview_on_a_kubernetes_exercise_takes_the_same_cluster_options_and_says_static_mode() {
    let env = Env::without_kind();
    let args = ["--content", &content(), "--format", "json", "interview", "start", "--candidate", "ada"];
    let out = env.run(&[&args[..], &["--exercise", "crashlab", "--dir", "iv", "--static"]].concat(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["static_mode"], "--static", "{v}");
    assert!(v["cluster"].is_null(), "{v}");
    let symptoms = std::fs::read_to_string(env.tmp.path().join("iv/SYMPTOMS.md")).unwrap();
    assert!(symptoms.contains("CrashLoopBackOff"), "{symptoms}");

    // Asking for a backend whose tool is missing is an environment error, not a silent static start.
    let out = env.run(&[&args[..], &["--exercise", "crashlab", "--dir", "iv2", "--cluster", "kind"]].concat(), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(!env.tmp.path().join("iv2").exists(), "nothing is left half-made");
}
