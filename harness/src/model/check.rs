//! Check specifications: what a scenario asks the grader to verify. A check has a
//! kind (what to look at), points, the scorecard dimension it feeds, whether the
//! candidate may see it before submitting, and the feedback shown when it fails.
//!
//! String fields may contain `@{param}` placeholders; they are filled in from the
//! session's variant before the check runs (see [`crate::variant`]).

use serde::{Deserialize, Serialize};

/// One check of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSpec {
    /// Unique within an exercise.
    pub id: String,
    /// Short human title.
    pub title: String,
    pub kind: CheckKind,
    /// Points awarded when it passes.
    pub points: u32,
    /// Scorecard dimension the points count towards.
    pub dimension: String,
    /// Hidden checks run only on submit and are never shown before it.
    pub hidden: bool,
    /// A required check gates the result: failing it fails the exercise whatever
    /// the score (used for the intent of a change, so deleting the feature is no fix).
    pub required: bool,
    /// Shown when the check fails (formative feedback, never the answer).
    pub feedback: String,
    /// Red flag raised when this check fails.
    pub red_flag: Option<String>,
}

/// Expected value at a YAML or HCL path.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PathExpect {
    /// `true`: the path must exist; `false`: it must not.
    pub exists: Option<bool>,
    /// The value must equal this (strings, numbers, booleans, lists compare as JSON).
    pub equals: Option<serde_json::Value>,
    /// A list value must contain this element, or a string value this substring.
    pub contains: Option<serde_json::Value>,
    /// A list value must not contain this element / a string this substring.
    pub not_contains: Option<serde_json::Value>,
    /// The value, rendered as a string, must match this regex.
    pub matches: Option<String>,
}

/// Which findings introduced by the candidate fail a `tf-fixed` check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NewFindings {
    /// A new finding of any class.
    #[default]
    Any,
    /// Only a new finding of the target's class.
    SameClass,
}

/// What a `pipeline-run` check expects of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PipelineExpect {
    /// Every selected job succeeds.
    #[default]
    Success,
    /// At least one selected job fails.
    Failure,
}

/// A risk a written answer is expected to name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub id: String,
    pub title: String,
    /// Case-insensitive regexes; any one matching counts as naming the risk.
    pub patterns: Vec<String>,
}

/// What a check looks at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum CheckKind {
    /// A Terraform finding is gone, and the candidate introduced no finding of any
    /// class (one in neither the base nor the state they started from): "fixed, and
    /// nothing new broken".
    TfFixed {
        class: String,
        /// Finding subject (a resource address) to target; any subject when absent.
        subject: Option<String>,
        /// Directory of Terraform files, relative to the scenario mount.
        dir: String,
        /// Which new findings fail the check: any class (the default), or only the
        /// target's own class (so one slip elsewhere does not cost every fix; pair
        /// it with a `tf-no-new-findings` guard).
        new_findings: NewFindings,
    },
    /// No finding of a class (optionally for one subject) in the candidate's state.
    TfAbsent {
        class: String,
        subject: Option<String>,
        dir: String,
    },
    /// The candidate introduced no finding (all classes, or the listed ones) that
    /// neither the base nor the state they started from had.
    TfNoNewFindings {
        classes: Vec<String>,
        dir: String,
    },
    /// Every `.tf` file parses.
    TfParses {
        dir: String,
    },
    FileExists {
        path: String,
    },
    FileAbsent {
        path: String,
    },
    /// A regex over one file.
    Regex {
        path: String,
        pattern: String,
        /// `true`: must match; `false`: must not match.
        expect_match: bool,
    },
    /// A dotted path into a YAML file (`spec.template.spec.containers.0.image`).
    YamlPath {
        path: String,
        query: String,
        expect: PathExpect,
    },
    /// A dotted path into the Terraform files of a directory
    /// (`resource.aws_db_instance.main.deletion_protection`).
    HclPath {
        dir: String,
        query: String,
        expect: PathExpect,
    },
    /// Run a command in the workspace with a time limit.
    Command {
        run: Vec<String>,
        /// Programs that must be on PATH; when one is missing the check is skipped.
        requires: Vec<String>,
        timeout_secs: u64,
        expect_exit: i32,
        /// Working directory relative to the scenario mount.
        dir: String,
        /// Allow network access (off by default where the platform can enforce it).
        network: bool,
    },
    /// `terraform plan` against a state built from the base: no protected address
    /// may be destroyed or replaced.
    TfPlan {
        dir: String,
        protect: Vec<String>,
        timeout_secs: u64,
    },
    /// No credential-looking strings added in the candidate's diff against the base.
    NoSecretsInDiff,
    /// Which of the planted risks a written deliverable names.
    WrittenAnswer {
        path: String,
        risks: Vec<Risk>,
        /// How many risks must be named for the check to pass.
        min_named: usize,
        /// Minimum word count.
        min_words: usize,
    },
    /// Live: the Deployment is Available with every replica updated within the bound.
    K8sRollout {
        deployment: String,
        within_secs: u64,
    },
    /// Live: every pod matching the selector is Ready within the bound.
    K8sPodsReady {
        selector: String,
        within_secs: u64,
    },
    /// Live: no container of the selected pods restarts during the window.
    K8sRestartsStable {
        selector: String,
        window_secs: u64,
    },
    /// Live: no selected container terminated OOMKilled or waiting in CrashLoopBackOff,
    /// ImagePullBackOff, ErrImagePull or CreateContainerConfigError.
    K8sNoBadState {
        selector: String,
    },
    /// Live: the Service has ready endpoints (EndpointSlices) within the bound.
    K8sEndpoints {
        service: String,
        within_secs: u64,
    },
    /// Live: an HTTP GET through a port-forward to a ready pod behind the Service.
    K8sHttp {
        service: String,
        port: u16,
        path: String,
        expect_status: u16,
        body_contains: Option<String>,
        within_secs: u64,
    },
    /// Live: no Role, RoleBinding or ClusterRoleBinding created or widened since the start.
    K8sRbacUnchanged,
    /// Live: these objects (`Kind/name`) still exist in the session namespace.
    K8sProtected {
        objects: Vec<String>,
    },
    /// A Kubernetes finding (`k8s.*`) is gone, and the candidate introduced no other
    /// finding: `tf-fixed` for manifests.
    K8sFixed {
        class: String,
        /// `Kind/name` (e.g. `Deployment/web`); any object when absent.
        subject: Option<String>,
        /// Folder of manifests, relative to the scenario mount.
        dir: String,
        new_findings: NewFindings,
    },
    /// No Kubernetes finding of a class (optionally for one object).
    K8sAbsent {
        class: String,
        subject: Option<String>,
        dir: String,
    },
    /// A pipeline finding (`ci.*`) is gone, and the candidate introduced no other.
    CiFixed {
        class: String,
        /// `jobs.<job>` or `jobs.<job>.steps[<n>]`; any subject when absent.
        subject: Option<String>,
        /// Folder holding the pipeline files, relative to the scenario mount.
        dir: String,
        new_findings: NewFindings,
    },
    /// No pipeline finding of a class (optionally one subject).
    CiAbsent {
        class: String,
        subject: Option<String>,
        dir: String,
    },
    /// The candidate introduced no Kubernetes finding (all classes, or the listed ones).
    K8sNoNewFindings {
        classes: Vec<String>,
        dir: String,
    },
    /// Every manifest parses and no object breaks the Kubernetes schema.
    K8sValid {
        dir: String,
    },
    /// A dotted path into one object (`Deployment/web`) found among the manifests.
    K8sPath {
        dir: String,
        /// `Kind/name`.
        object: String,
        /// e.g. `spec.template.spec.containers.web.image`: numbers index lists, and a
        /// name picks the list item with that `name`.
        query: String,
        expect: PathExpect,
    },
    /// No container requests or is limited to more than the maximums, and no
    /// container's limit is below the minimums.
    K8sLimits {
        dir: String,
        /// `Kind/name`; every object with pods when absent.
        object: Option<String>,
        /// e.g. `2Gi`.
        max_memory: Option<String>,
        /// e.g. `2` or `1500m`.
        max_cpu: Option<String>,
        /// Every memory limit must be at least this (a limit too low is OOMKilled).
        min_memory: Option<String>,
        /// Every CPU limit must be at least this.
        min_cpu: Option<String>,
    },
    /// The candidate introduced no pipeline finding (all `ci.*` classes, or the listed ones).
    CiNoNewFindings {
        classes: Vec<String>,
        dir: String,
    },
    /// Every pipeline file parses and has no `ci.schema` finding.
    CiValid {
        dir: String,
    },
    /// Run the candidate's pipeline for real (in containers) and expect success or failure.
    PipelineRun {
        /// Workflow file relative to the mount; the scenario's `pipeline.workflow` when absent.
        workflow: Option<String>,
        /// Jobs to run (with the jobs they need); all when empty.
        jobs: Vec<String>,
        expect: PipelineExpect,
        timeout_secs: u64,
    },
}

impl CheckKind {
    /// The kind's name as written in YAML.
    pub fn name(&self) -> &'static str {
        match self {
            CheckKind::TfFixed { .. } => "tf-fixed",
            CheckKind::TfAbsent { .. } => "tf-absent",
            CheckKind::TfNoNewFindings { .. } => "tf-no-new-findings",
            CheckKind::TfParses { .. } => "tf-parses",
            CheckKind::FileExists { .. } => "file-exists",
            CheckKind::FileAbsent { .. } => "file-absent",
            CheckKind::Regex { .. } => "regex",
            CheckKind::YamlPath { .. } => "yaml-path",
            CheckKind::HclPath { .. } => "hcl-path",
            CheckKind::Command { .. } => "command",
            CheckKind::TfPlan { .. } => "tf-plan",
            CheckKind::NoSecretsInDiff => "no-secrets-in-diff",
            CheckKind::WrittenAnswer { .. } => "written-answer",
            CheckKind::K8sRollout { .. } => "k8s-rollout",
            CheckKind::K8sPodsReady { .. } => "k8s-pods-ready",
            CheckKind::K8sRestartsStable { .. } => "k8s-restarts-stable",
            CheckKind::K8sNoBadState { .. } => "k8s-no-bad-state",
            CheckKind::K8sEndpoints { .. } => "k8s-endpoints",
            CheckKind::K8sHttp { .. } => "k8s-http",
            CheckKind::K8sRbacUnchanged => "k8s-rbac-unchanged",
            CheckKind::K8sProtected { .. } => "k8s-protected",
            CheckKind::K8sFixed { .. } => "k8s-fixed",
            CheckKind::K8sAbsent { .. } => "k8s-absent",
            CheckKind::K8sNoNewFindings { .. } => "k8s-no-new-findings",
            CheckKind::K8sValid { .. } => "k8s-valid",
            CheckKind::K8sPath { .. } => "k8s-path",
            CheckKind::K8sLimits { .. } => "k8s-limits",
            CheckKind::CiFixed { .. } => "ci-fixed",
            CheckKind::CiAbsent { .. } => "ci-absent",
            CheckKind::CiNoNewFindings { .. } => "ci-no-new-findings",
            CheckKind::CiValid { .. } => "ci-valid",
            CheckKind::PipelineRun { .. } => "pipeline-run",
        }
    }

    /// Whether the check needs to run external programs (and so may be skipped).
    pub fn is_external(&self) -> bool {
        matches!(self, CheckKind::Command { .. } | CheckKind::TfPlan { .. } | CheckKind::PipelineRun { .. })
    }

    /// Whether the check looks at a live cluster (skipped in static mode).
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            CheckKind::K8sRollout { .. }
                | CheckKind::K8sPodsReady { .. }
                | CheckKind::K8sRestartsStable { .. }
                | CheckKind::K8sNoBadState { .. }
                | CheckKind::K8sEndpoints { .. }
                | CheckKind::K8sHttp { .. }
                | CheckKind::K8sRbacUnchanged
                | CheckKind::K8sProtected { .. }
        )
    }
}
