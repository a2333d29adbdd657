//! The container side: Docker checks and one container per job through
//! testcontainers, removed when the job ends, on a timeout and on Ctrl-C.
//!
//! Starting a container costs Docker about a third of a second here, so while a
//! job runs, the container of the next one is started beside it (a "spare" with
//! its own empty workspace and runner folders, filled when a job takes it), and a
//! finished job's container is removed beside the next job. The run waits for
//! every removal, spare included, before it returns.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use testcontainers::bollard::Docker as Bollard;
use testcontainers::core::{ExecCommand, Mount};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ContainerRequest, GenericImage, ImageExt};
use tokio::io::AsyncReadExt;

use super::exec::{Capture, StepRun};
use super::{PipelineError, RunOptions};
use crate::model::scenario::PipelineNetwork;

/// What `faultline doctor` says about Docker.
#[derive(Debug, Clone)]
pub struct DockerStatus {
    pub available: bool,
    /// Engine version and API version, when it answered.
    pub version: Option<String>,
    /// Why it is not available.
    pub detail: String,
}

fn runtime() -> Result<tokio::runtime::Runtime, PipelineError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| PipelineError::Container(format!("cannot start an async runtime: {e}")))
}

async fn ping(client: &Bollard) -> Result<String, String> {
    let answer = tokio::time::timeout(Duration::from_secs(5), client.version()).await;
    match answer {
        Ok(Ok(v)) => Ok(format!(
            "{} (API {})",
            v.version.unwrap_or_else(|| "?".into()),
            v.api_version.unwrap_or_else(|| "?".into())
        )),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the Docker daemon did not answer within 5 s".into()),
    }
}

/// Whether a Docker engine answers here, and its version.
pub fn docker_status() -> DockerStatus {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => return DockerStatus { available: false, version: None, detail: e.to_string() },
    };
    rt.block_on(async {
        match Bollard::connect_with_local_defaults() {
            Err(e) => DockerStatus { available: false, version: None, detail: e.to_string() },
            Ok(client) => match ping(&client).await {
                Ok(v) => DockerStatus { available: true, version: Some(v), detail: String::new() },
                Err(e) => DockerStatus { available: false, version: None, detail: e },
            },
        }
    })
}

/// Whether the image is present locally (no pull is ever attempted).
pub fn image_present(image: &str) -> Result<bool, String> {
    let rt = runtime().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let client = Bollard::connect_with_local_defaults().map_err(|e| e.to_string())?;
        ping(&client).await?;
        Ok(client.inspect_image(image).await.is_ok())
    })
}

async fn start(request: ContainerRequest<GenericImage>) -> Result<ContainerAsync<GenericImage>, PipelineError> {
    request.start().await.map_err(|e| PipelineError::Container(e.to_string()))
}

fn make_dirs(dir: &Path) -> Result<(), PipelineError> {
    for sub in ["workspace", "runner"] {
        fs_err::create_dir_all(dir.join(sub))
            .map_err(|source| PipelineError::Io { context: "create a job folder".into(), source })?;
    }
    Ok(())
}

/// `name:tag` split the way Docker does (a `:` after the last `/`).
fn split_image(image: &str) -> (String, String) {
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (image[..slash + i].to_string(), image[slash + i + 1..].to_string()),
        None => (image.to_string(), "latest".to_string()),
    }
}

/// A connection to Docker for one run.
pub(super) struct Docker {
    rt: tokio::runtime::Runtime,
    image: String,
    /// Removals of finished jobs' containers, running while the next job starts;
    /// all are awaited before the run ends (also when it fails or is interrupted).
    removing: Vec<tokio::task::JoinHandle<()>>,
    /// The next job's container, being started while this one runs.
    spare: Option<Spare>,
}

type Starting = tokio::task::JoinHandle<Result<ContainerAsync<GenericImage>, PipelineError>>;

/// A container started ahead of its job, and the folder whose `workspace/` and
/// `runner/` it mounts.
struct Spare {
    dir: PathBuf,
    task: Starting,
}

impl Drop for Docker {
    fn drop(&mut self) {
        self.finish();
    }
}

pub(super) struct JobContainer {
    inner: Option<ContainerAsync<GenericImage>>,
}

impl Docker {
    pub fn connect(image: &str, _opts: &RunOptions) -> Result<Self, PipelineError> {
        let rt = runtime()?;
        rt.block_on(async {
            let client = Bollard::connect_with_local_defaults()
                .map_err(|e| PipelineError::DockerUnavailable { reason: e.to_string() })?;
            ping(&client).await.map_err(|reason| PipelineError::DockerUnavailable { reason })?;
            if client.inspect_image(image).await.is_err() {
                return Err(PipelineError::ImageMissing { image: image.to_string() });
            }
            Ok(())
        })?;
        Ok(Docker { rt, image: image.to_string(), removing: Vec::new(), spare: None })
    }

    /// A started container for a job and the folder it mounts (`dir/workspace`,
    /// `dir/runner`, empty): the spare when one was started, else one started now
    /// in `fresh`. With `another_likely`, the next job's spare is started in
    /// `next` before this returns (it starts while the job runs).
    pub fn take(
        &mut self,
        fresh: &Path,
        next: &Path,
        another_likely: bool,
        opts: &RunOptions,
    ) -> Result<(PathBuf, JobContainer), PipelineError> {
        let (dir, task) = match self.spare.take() {
            Some(spare) => (spare.dir, spare.task),
            None => {
                make_dirs(fresh)?;
                let request = self.request(fresh, opts);
                (fresh.to_path_buf(), self.rt.spawn(async move { start(request).await }))
            }
        };
        if another_likely {
            make_dirs(next)?;
            let request = self.request(next, opts);
            self.spare =
                Some(Spare { dir: next.to_path_buf(), task: self.rt.spawn(async move { start(request).await }) });
        }
        let mut task = task;
        let started = self.rt.block_on(async {
            tokio::select! {
                c = &mut task => Some(c.unwrap_or_else(|e| Err(PipelineError::Container(e.to_string())))),
                _ = tokio::signal::ctrl_c() => None,
            }
        });
        match started {
            Some(container) => Ok((dir, JobContainer { inner: Some(container?) })),
            None => {
                // Interrupted while it started: remove it once it is up.
                self.removing.push(self.rt.spawn(async move {
                    if let Ok(Ok(c)) = task.await {
                        let _ = c.rm().await;
                    }
                }));
                Err(PipelineError::Interrupted)
            }
        }
    }

    /// The container of a job whose folder mounts at `dir`.
    fn request(&self, dir: &Path, opts: &RunOptions) -> ContainerRequest<GenericImage> {
        let (ws, runner) = (dir.join("workspace"), dir.join("runner"));
        let (name, tag) = split_image(&self.image);
        let network = match opts.network {
            PipelineNetwork::None => "none",
            PipelineNetwork::Loopback => "host",
        };
        let (memory, cpus, pids) = (opts.limits.memory_bytes, opts.limits.nano_cpus, opts.limits.pids);
        GenericImage::new(name, tag)
            .with_cmd(["sleep", "infinity"])
            .with_network(network)
            .with_label("faultline.pipeline", "1")
            .with_mount(Mount::bind_mount(ws.display().to_string(), "/workspace"))
            .with_mount(Mount::bind_mount(runner.display().to_string(), "/runner"))
            .with_working_dir("/workspace")
            .with_host_config_modifier(move |hc| {
                hc.memory = Some(memory);
                hc.memory_swap = Some(memory);
                hc.nano_cpus = Some(cpus);
                hc.pids_limit = Some(pids);
            })
    }

    /// Removes the job's container in the background (see [`Docker::finish`]).
    pub fn remove(&mut self, mut job: JobContainer) {
        if let Some(c) = job.inner.take() {
            // `rm` forces removal, so a PID 1 that ignores SIGTERM does not cost 10 s.
            self.removing.push(self.rt.spawn(async move {
                let _ = c.rm().await;
            }));
        }
    }

    /// Removes an unused spare and waits until every container removed so far is gone.
    pub fn finish(&mut self) {
        if let Some(spare) = self.spare.take() {
            self.removing.push(self.rt.spawn(async move {
                if let Ok(Ok(c)) = spare.task.await {
                    let _ = c.rm().await;
                }
            }));
        }
        let pending = std::mem::take(&mut self.removing);
        if !pending.is_empty() {
            self.rt.block_on(async {
                for p in pending {
                    let _ = p.await;
                }
            });
        }
    }

    pub fn exec(
        &mut self,
        job: &mut JobContainer,
        wrapper: &str,
        limit: Duration,
        output_limit: usize,
    ) -> Result<StepRun, PipelineError> {
        let Some(container) = job.inner.as_ref() else {
            return Err(PipelineError::Container("the job's container is gone".into()));
        };
        let started = Instant::now();
        let work = async {
            let mut res = container
                .exec(ExecCommand::new(["bash", wrapper]))
                .await
                .map_err(|e| PipelineError::Container(e.to_string()))?;
            let mut capture = Capture::new(output_limit);
            {
                let mut out = res.stdout();
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match out.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => capture.push(&buf[..n]),
                    }
                }
            }
            let _ = res.stderr_to_vec().await;
            let mut code = None;
            for _ in 0..100 {
                code = res.exit_code().await.map_err(|e| PipelineError::Container(e.to_string()))?;
                if code.is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Ok::<_, PipelineError>((code, capture))
        };
        // `timeout` inside the container ends the step; this deadline is the backstop.
        let outcome = self.rt.block_on(async {
            tokio::select! {
                r = tokio::time::timeout(limit + Duration::from_secs(10), work) => Ok(r),
                _ = tokio::signal::ctrl_c() => Err(PipelineError::Interrupted),
            }
        });
        let duration = started.elapsed();
        match outcome {
            Err(e) => {
                let job_container = JobContainer { inner: job.inner.take() };
                self.remove(job_container);
                Err(e)
            }
            Ok(Err(_elapsed)) => {
                // The step outlived its limit and the in-container kill: stop the container.
                let job_container = JobContainer { inner: job.inner.take() };
                self.remove(job_container);
                Ok(StepRun {
                    exit_code: None,
                    timed_out: true,
                    output: "[faultline: the step did not end at its limit; its container was removed]\n".into(),
                    truncated: false,
                    duration,
                })
            }
            Ok(Ok(result)) => {
                let (code, capture) = result?;
                let (output, truncated) = capture.finish();
                Ok(StepRun {
                    exit_code: code.and_then(|c| i32::try_from(c).ok()),
                    timed_out: false,
                    output,
                    truncated,
                    duration,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_split_at_the_tag_not_the_registry_port() {
        assert_eq!(
            split_image("local/faultline-runner:bookworm"),
            ("local/faultline-runner".into(), "bookworm".into())
        );
        assert_eq!(split_image("registry:5000/x"), ("registry:5000/x".into(), "latest".into()));
        assert_eq!(split_image("debian"), ("debian".into(), "latest".into()));
    }
}
