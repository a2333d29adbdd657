//! The `k3s` backend: a K3s server in Docker, started through testcontainers with
//! a small in-tree image definition (privileged, ready when the node controller
//! has synced). The container outlives the command that started it, so `cluster
//! down --backend k3s` (or `clean --all`) removes it; its id and kubeconfig are
//! kept under `<data dir>/clusters/`.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use testcontainers::core::{ContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{Image, ImageExt};

use super::{BackendKind, ClusterAccess, ClusterError};
use crate::runner::{self, CommandSpec};

/// Image used unless `FAULTLINE_K3S_IMAGE` says otherwise (`name:tag`).
pub const DEFAULT_IMAGE: &str = "rancher/k3s:v1.33.1-k3s1";
const API_PORT: u16 = 6443;

/// The K3s server image.
#[derive(Debug, Clone)]
pub struct K3sImage {
    name: String,
    tag: String,
    ports: Vec<ContainerPort>,
}

impl K3sImage {
    /// From `name:tag` (the tag after the last `:` that follows the last `/`).
    pub fn new(reference: &str) -> Self {
        let (name, tag) = match reference.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n.to_string(), t.to_string()),
            _ => (reference.to_string(), "latest".to_string()),
        };
        K3sImage { name, tag, ports: vec![ContainerPort::Tcp(API_PORT)] }
    }
}

impl Image for K3sImage {
    fn name(&self) -> &str {
        &self.name
    }
    fn tag(&self) -> &str {
        &self.tag
    }
    fn ready_conditions(&self) -> Vec<WaitFor> {
        vec![WaitFor::message_on_stderr("Node controller sync successful")]
    }
    fn cmd(&self) -> impl IntoIterator<Item = impl Into<Cow<'_, str>>> {
        ["server", "--disable=traefik", "--disable=metrics-server", "--tls-san=127.0.0.1"]
    }
    fn expose_ports(&self) -> &[ContainerPort] {
        &self.ports
    }
}

/// What is remembered about the running server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct K3sRecord {
    pub container: String,
    pub image: String,
    pub kubeconfig: PathBuf,
}

/// The K3s backend.
pub struct K3sBackend {
    pub image: String,
    pub state_dir: PathBuf,
    /// `host` to use the host network (for Docker daemons without a bridge).
    pub network: Option<String>,
}

impl K3sBackend {
    pub fn new(data_dir: &Path) -> Self {
        K3sBackend {
            image: std::env::var("FAULTLINE_K3S_IMAGE").ok().filter(|s| !s.is_empty()).unwrap_or(DEFAULT_IMAGE.into()),
            state_dir: data_dir.join("clusters"),
            network: std::env::var("FAULTLINE_K3S_NETWORK").ok().filter(|s| !s.is_empty()),
        }
    }

    fn record_path(&self) -> PathBuf {
        self.state_dir.join("k3s.json")
    }

    /// The recorded server, if its container is still running.
    pub fn running(&self) -> Option<K3sRecord> {
        let text = std::fs::read_to_string(self.record_path()).ok()?;
        let rec: K3sRecord = serde_json::from_str(&text).ok()?;
        let out = docker(&["inspect", "-f", "{{.State.Running}}", &rec.container]).ok()?;
        (out.trim() == "true").then_some(rec)
    }

    fn access(rec: &K3sRecord) -> ClusterAccess {
        ClusterAccess {
            backend: BackendKind::K3s,
            cluster: format!("k3s {}", &rec.container[..rec.container.len().min(12)]),
            kubeconfig: Some(rec.kubeconfig.clone()),
            context: None,
        }
    }

    /// Start a server unless one is running; return how to reach it.
    pub fn up(&self, progress: &dyn Fn(&str)) -> Result<ClusterAccess, ClusterError> {
        if let Some(rec) = self.running() {
            return Ok(Self::access(&rec));
        }
        if runner::find_program("docker").is_none() {
            return Err(ClusterError::ToolMissing {
                tool: "docker".into(),
                why: "the k3s backend runs K3s in Docker; install Docker or use --cluster kind|kubeconfig|none".into(),
            });
        }
        progress(&format!("starting K3s ({})", self.image));
        let rt = super::runtime()?;
        let image = K3sImage::new(&self.image);
        let network = self.network.clone();
        let (container_id, kubeconfig_text) = rt.block_on(async move {
            let mut req = image.with_privileged(true).with_startup_timeout(Duration::from_secs(180));
            if let Some(n) = &network {
                req = req.with_network(n.clone());
            }
            let c = req.start().await.map_err(|e| ClusterError::Other(format!("cannot start K3s: {e}")))?;
            let port = if network.as_deref() == Some("host") {
                API_PORT
            } else {
                c.get_host_port_ipv4(API_PORT).await.map_err(|e| ClusterError::Other(e.to_string()))?
            };
            let bytes = c
                .copy_file_from("/etc/rancher/k3s/k3s.yaml", Vec::<u8>::new())
                .await
                .map_err(|e| ClusterError::Other(format!("cannot read the K3s kubeconfig: {e}")))?;
            let text =
                String::from_utf8_lossy(&bytes).replace("https://127.0.0.1:6443", &format!("https://127.0.0.1:{port}"));
            let id = c.id().to_string();
            // The server stays up after this command; `cluster down` removes it.
            std::mem::forget(c);
            Ok::<_, ClusterError>((id, text))
        })?;
        let kubeconfig = self.state_dir.join("k3s.kubeconfig");
        let io = |e: std::io::Error| ClusterError::Other(format!("{}: {e}", self.state_dir.display()));
        std::fs::create_dir_all(&self.state_dir).map_err(io)?;
        std::fs::write(&kubeconfig, kubeconfig_text).map_err(io)?;
        let rec = K3sRecord { container: container_id, image: self.image.clone(), kubeconfig };
        std::fs::write(self.record_path(), serde_json::to_string_pretty(&rec).unwrap_or_default()).map_err(io)?;
        Ok(Self::access(&rec))
    }

    /// Remove the recorded server.
    pub fn down(&self) -> Result<bool, ClusterError> {
        let Ok(text) = std::fs::read_to_string(self.record_path()) else { return Ok(false) };
        let Ok(rec) = serde_json::from_str::<K3sRecord>(&text) else { return Ok(false) };
        docker(&["rm", "-f", "-v", &rec.container])?;
        let _ = std::fs::remove_file(self.record_path());
        let _ = std::fs::remove_file(&rec.kubeconfig);
        Ok(true)
    }
}

fn docker(args: &[&str]) -> Result<String, ClusterError> {
    let program = runner::find_program("docker")
        .ok_or_else(|| ClusterError::ToolMissing { tool: "docker".into(), why: "needed for the k3s backend".into() })?;
    let mut spec = CommandSpec::new(program.display().to_string(), args.iter().copied(), std::env::temp_dir());
    spec.timeout = Duration::from_secs(60);
    spec.network = true;
    let out = runner::run(&spec)
        .map_err(|e| ClusterError::Command { command: format!("docker {}", args.join(" ")), stderr: e.to_string() })?;
    if out.success() {
        Ok(out.stdout)
    } else {
        Err(ClusterError::Command {
            command: format!("docker {}", args.join(" ")),
            stderr: out.stderr.trim().to_string(),
        })
    }
}

/// Whether the K3s image is present locally (for doctor): `Ok(id)` or why not.
pub fn image_present(image: &str) -> Result<String, ClusterError> {
    docker(&["image", "inspect", "-f", "{{.Id}}", image]).map(|s| s.trim().chars().take(19).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_split_into_name_and_tag() {
        let i = K3sImage::new("rancher/k3s:v1.33.1-k3s1");
        assert_eq!((i.name(), i.tag()), ("rancher/k3s", "v1.33.1-k3s1"));
        let i = K3sImage::new("localhost:5000/k3s");
        assert_eq!((i.name(), i.tag()), ("localhost:5000/k3s", "latest"));
        assert!(i.cmd().into_iter().map(Into::into).any(|a: Cow<str>| a == "server"));
    }
}
