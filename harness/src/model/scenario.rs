//! Scenarios: a good base state, a fault injected on a branch as a realistic pull
//! request, seeded variants, hints, a reference solution, decoys (plausible wrong
//! fixes that must fail) and the checks that tell them apart.

use serde::{Deserialize, Serialize};

use super::{CheckSpec, Snapshot};

/// How one seeded parameter is generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamGen {
    /// One of the listed values.
    Choice(Vec<String>),
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// `len` lowercase hex characters.
    Hex { len: usize },
}

/// A seeded parameter (`@{name}` in files, edits, checks and hints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    pub name: String,
    pub gen: ParamGen,
}

/// One change to the files of a scenario (relative to its mount).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Edit {
    /// Replace `find` with `with`; `find` must occur (exactly `count` times if given).
    Replace { path: String, find: String, with: String, count: Option<usize> },
    /// Create or overwrite a file.
    Write { path: String, content: String },
    /// Append text to a file (created if missing).
    Append { path: String, content: String },
    /// Delete a file.
    Delete { path: String },
}

impl Edit {
    pub fn path(&self) -> &str {
        match self {
            Edit::Replace { path, .. }
            | Edit::Write { path, .. }
            | Edit::Append { path, .. }
            | Edit::Delete { path } => path,
        }
    }
}

/// One commit of the injected pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultCommit {
    /// Commit message, as a colleague would have written it.
    pub message: String,
    /// Author shown in `git log` (`Name <email>`).
    pub author: String,
    pub edits: Vec<Edit>,
}

/// An ordered hint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    pub text: String,
    /// Points taken off the total when the hint is revealed.
    pub cost: f64,
}

/// A wrong fix that must not pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decoy {
    pub id: String,
    pub title: String,
    /// Applied on top of the broken state.
    pub edits: Vec<Edit>,
    /// Checks this decoy must fail (besides failing the exercise as a whole).
    pub must_fail: Vec<String>,
}

/// Where a scenario needs to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Need {
    Docker,
    Cluster,
}

/// Terraform rule settings for a scenario.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TerraformSettings {
    /// Tag keys every taggable resource must carry (directly or via `default_tags`).
    pub required_tags: Vec<String>,
    /// Resource types whose removal always counts as destructive.
    pub stateful_types: Vec<String>,
}

/// Kubernetes settings of a scenario.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KubernetesSettings {
    /// Folder of manifests relative to the mount, applied to a live session's namespace.
    pub manifests: String,
    /// The recorded broken state (YAML, templated), shown as `SYMPTOMS.md`.
    pub recorded: Option<String>,
    /// The Deployment whose symptoms are captured live (templated).
    pub workload: Option<String>,
}

/// Network a scenario's pipeline jobs get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PipelineNetwork {
    /// No network at all (the default).
    #[default]
    None,
    /// The host's loopback only (for services a job starts itself); containers use the
    /// host network namespace, so use it only for trusted fixture code.
    Loopback,
}

/// How a scenario's CI pipeline runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PipelineSettings {
    /// The workflow file, relative to the mount (`.github/workflows/ci.yml` or `.gitlab-ci.yml`).
    pub workflow: String,
    /// The repository's secret store: name → value (templated), injected and masked.
    pub secrets: std::collections::BTreeMap<String, String>,
    /// Runner image override.
    pub image: Option<String>,
    pub network: PipelineNetwork,
    /// File written into the workspace at `start`: the log of the broken pipeline's run.
    pub failing_log: Option<String>,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// `<domain>/<name>`, the scenario's folder under `scenarios/`.
    pub id: String,
    pub title: String,
    pub domain: String,
    pub summary: String,
    pub needs: Vec<Need>,
    /// Folder of the workspace the scenario's files live in (`.` for the root).
    pub mount: String,
    pub params: Vec<ParamSpec>,
    /// The good base files (templated), relative to the mount.
    pub base: Snapshot,
    /// Branch the injected change lives on.
    pub branch: String,
    pub fault: Vec<FaultCommit>,
    pub solution: Vec<Edit>,
    pub decoys: Vec<Decoy>,
    pub hints: Vec<Hint>,
    pub checks: Vec<CheckSpec>,
    /// Checks the broken state must fail; every other check must pass on it.
    pub broken_fails: Vec<String>,
    pub terraform: TerraformSettings,
    /// Present when the scenario is about a Kubernetes workload.
    #[serde(default)]
    pub kubernetes: Option<KubernetesSettings>,
    /// CI pipeline settings, for scenarios whose files hold a pipeline.
    #[serde(default)]
    pub pipeline: Option<PipelineSettings>,
}
