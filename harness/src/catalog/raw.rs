//! Stage one of loading content: the YAML shapes exactly as authors write them.
//!
//! These structs mirror the files one to one, reject unknown keys, and keep source
//! positions on the fields that stage two ([`super::validate`]) checks against other
//! files (dimension ids, scenario ids, red flags). They also generate the JSON
//! schemas editors use for completion (see [`super::schema`]).

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use crate::model::exercise::Audience;
use crate::model::scenario::Need;
use crate::model::scorecard::RatedBy;

/// A value with the line and column it was written at.
#[derive(Debug, Clone)]
pub struct Sp<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

impl<T> Sp<T> {
    pub fn get(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Sp { line: s.referenced.line() as usize, column: s.referenced.column() as usize, value: s.value })
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

fn dot() -> String {
    ".".to_string()
}
fn yes() -> bool {
    true
}
fn thirty() -> u64 {
    30
}
fn plan_timeout() -> u64 {
    300
}

// ---------------------------------------------------------------- indexes

/// `scorecards/index.yaml`: the scorecards, in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardIndex {
    /// Content format version; this build reads format 1.
    pub format: Sp<u32>,
    /// Scorecard ids; each is `scorecards/<id>.yaml`.
    pub scorecards: Vec<Sp<String>>,
}

/// `scenarios/index.yaml`: the scenarios, in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioIndex {
    /// Content format version; this build reads format 1.
    pub format: Sp<u32>,
    /// Scenario ids `<domain>/<name>`; each is `scenarios/<domain>/<name>/scenario.yaml`.
    pub scenarios: Vec<Sp<String>>,
}

/// `exercises/index.yaml`: the exercises, in the order `faultline list` shows them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExerciseIndex {
    /// Content format version; this build reads format 1.
    pub format: Sp<u32>,
    /// Exercise ids; each is `exercises/<id>.yaml`.
    pub exercises: Vec<Sp<String>>,
}

// ---------------------------------------------------------------- scorecard

/// `scorecards/<id>.yaml`: the rubric grades are expressed in.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScorecard {
    /// Human title, e.g. the role the scorecard assesses.
    pub title: String,
    /// Total (0–100) needed to pass.
    pub pass_mark: Sp<f64>,
    /// The scale people rate on; mapped linearly onto 0–100.
    pub rating_scale: RawRatingScale,
    /// Score bands, lowest first.
    pub levels: Vec<RawLevel>,
    /// Weighted dimensions; weights sum to 100.
    pub dimensions: Vec<RawDimension>,
    /// Behaviours that cap the verdict whatever the score.
    #[serde(default)]
    pub red_flags: Vec<RawRedFlag>,
}

/// Lowest and highest rating a person may give.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRatingScale {
    pub min: u32,
    pub max: Sp<u32>,
}

/// A score band.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLevel {
    /// Short id, e.g. `meets`.
    pub id: Sp<String>,
    pub title: String,
    /// Lowest total that reaches this level.
    pub min_score: Sp<f64>,
}

/// One dimension of the scorecard.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDimension {
    /// Stable id that checks refer to.
    pub id: Sp<String>,
    pub title: String,
    /// Relative weight (all weights sum to 100).
    pub weight: Sp<u32>,
    /// What meeting the bar looks like.
    pub meets_bar: String,
    /// `checks` or `person`.
    pub rated_by: RatedBy,
}

/// A red flag.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRedFlag {
    pub id: Sp<String>,
    pub title: String,
    pub description: String,
    /// Highest level a result carrying this flag can reach.
    pub caps_at: Sp<String>,
}

// ---------------------------------------------------------------- exercise

/// `exercises/<id>.yaml`: what a person is asked to do.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExercise {
    pub title: String,
    /// Markdown brief shown when the exercise starts.
    pub brief: String,
    /// Minutes the exercise is meant to take.
    pub time_box_minutes: Sp<u32>,
    /// `day-30`, `day-60`, `day-90`, `interview`.
    pub audience: Vec<Audience>,
    /// Scorecard id.
    pub scorecard: Sp<String>,
    /// Scenario ids combined into one workspace, in commit order.
    pub scenarios: Vec<Sp<String>>,
    /// Written deliverables handed in with the fix.
    #[serde(default)]
    pub deliverables: Vec<RawDeliverable>,
}

/// A written deliverable.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDeliverable {
    /// Path relative to the workspace root.
    pub path: Sp<String>,
    /// What the file should contain.
    pub prompt: String,
    /// Starting text (headings only) placed in the workspace.
    #[serde(default)]
    pub template: Option<String>,
}

// ---------------------------------------------------------------- scenario

/// `scenarios/<domain>/<name>/scenario.yaml`. The good base state lives beside it
/// in `base/` (laid over the shared fixtures named by `base_from:`); files named by
/// `from:` are read relative to the scenario folder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub title: String,
    /// One paragraph for catalog listings (never shown as a hint).
    pub summary: String,
    /// What the scenario needs to run beyond files: `docker`, `cluster`.
    #[serde(default)]
    pub needs: Vec<Need>,
    /// Workspace folder the scenario's files live in.
    #[serde(default = "dot")]
    pub mount: String,
    /// Shared fixture folders under `scenarios/` (e.g. `[shared/ratecard-app,
    /// shared/ratecard-actions]`) whose files start the base, each laid over the
    /// one before; the scenario's own `base/` files go on top. Lets several
    /// scenarios break one app.
    #[serde(default)]
    pub base_from: Vec<Sp<String>>,
    /// Seeded parameters, used as `@{name}` in files, edits, checks and hints.
    #[serde(default)]
    pub params: Vec<RawParam>,
    /// The injected change, as a pull-request branch.
    pub fault: RawFault,
    /// The reference solution, applied on top of the broken state.
    pub solution: Vec<Sp<RawEdit>>,
    /// Wrong fixes that must fail.
    #[serde(default)]
    pub decoys: Vec<RawDecoy>,
    /// Ordered hints.
    #[serde(default)]
    pub hints: Vec<RawHint>,
    pub checks: Vec<RawCheck>,
    /// What `faultline verify` expects of the broken state.
    pub verify: RawVerify,
    /// Settings for the Terraform rules.
    #[serde(default)]
    pub terraform: Option<RawTerraform>,
    /// Kubernetes settings: which manifests are applied to a live session's
    /// namespace, and the recorded broken state shown as `SYMPTOMS.md`.
    #[serde(default)]
    pub kubernetes: Option<RawKubernetes>,
    /// How the scenario's CI pipeline runs.
    #[serde(default)]
    pub pipeline: Option<RawPipeline>,
}

/// CI pipeline settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    /// Workflow file relative to the mount: `.github/workflows/<name>.yml` or `.gitlab-ci.yml`.
    pub workflow: Sp<String>,
    /// The repository's secret store, name → value (may use `@{param}`); injected into jobs and masked in all output.
    #[serde(default)]
    pub secrets: std::collections::BTreeMap<String, String>,
    /// Runner image (default: `FAULTLINE_RUNNER_IMAGE` or `local/faultline-runner:bookworm`).
    #[serde(default)]
    pub image: Option<String>,
    /// `none` (default) or `loopback`.
    #[serde(default)]
    pub network: crate::model::scenario::PipelineNetwork,
    /// File written into the workspace at `start` with the log of the broken pipeline's run.
    #[serde(default)]
    pub failing_log: Option<Sp<String>>,
}

/// A seeded parameter: give `name` and exactly one generator.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawParam {
    pub name: Sp<String>,
    /// Pick one of these values.
    #[serde(default)]
    pub choice: Option<Vec<String>>,
    /// Pick an integer in this inclusive range.
    #[serde(default)]
    pub int: Option<RawIntRange>,
    /// This many random lowercase hex characters.
    #[serde(default)]
    pub hex: Option<usize>,
}

/// Inclusive integer range.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIntRange {
    pub min: i64,
    pub max: i64,
}

/// The injected change.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    /// Branch name of the pull request (templated).
    pub branch: String,
    /// Commits on the branch, oldest first.
    pub commits: Vec<RawCommit>,
}

/// One commit of the pull request.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCommit {
    /// Commit message, as a colleague would write it.
    pub message: String,
    /// `Name <email>` shown as the author.
    #[serde(default)]
    pub author: Option<String>,
    pub edits: Vec<Sp<RawEdit>>,
}

/// A change to the scenario's files (paths relative to the mount).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum RawEdit {
    /// Replace text; `find` must occur.
    Replace(RawReplace),
    /// Create or overwrite a file, from inline `content` or a file (`from`).
    Write(RawWrite),
    /// Append to a file.
    Append(RawWrite),
    /// Delete a file.
    Delete(String),
}

/// Text replacement.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReplace {
    pub path: String,
    pub find: String,
    pub with: String,
    /// Exact number of occurrences expected (all are replaced).
    #[serde(default)]
    pub count: Option<usize>,
}

/// File contents, inline or from a file in the scenario folder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWrite {
    pub path: String,
    #[serde(default)]
    pub content: Option<String>,
    /// Path relative to the scenario folder.
    #[serde(default)]
    pub from: Option<String>,
}

/// A wrong fix.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDecoy {
    pub id: Sp<String>,
    pub title: String,
    pub edits: Vec<Sp<RawEdit>>,
    /// Checks this decoy must fail.
    #[serde(default)]
    pub must_fail: Vec<Sp<String>>,
}

/// A hint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHint {
    pub text: String,
    /// Points taken off the total when revealed.
    #[serde(default)]
    pub cost: Sp<f64>,
}

impl Default for Sp<f64> {
    fn default() -> Self {
        Sp { value: 0.0, line: 0, column: 0 }
    }
}

/// Verification expectations.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVerify {
    /// Check ids the broken state must fail; all others must pass on it.
    pub broken_fails: Vec<Sp<String>>,
}

/// Terraform rule settings.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTerraform {
    /// Tag keys every taggable resource must carry.
    #[serde(default)]
    pub required_tags: Vec<String>,
    /// Resource types whose removal is always destructive (defaults apply when empty).
    #[serde(default)]
    pub stateful_types: Vec<String>,
}

/// One check: common fields plus exactly one kind key.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// Unique within the exercise.
    pub id: Sp<String>,
    pub title: String,
    pub points: u32,
    /// Scorecard dimension the points feed.
    pub dimension: Sp<String>,
    /// Hidden checks run only on submit.
    #[serde(default)]
    pub hidden: bool,
    /// Failing a required check fails the exercise whatever the score.
    #[serde(default)]
    pub required: bool,
    /// Shown when the check fails. Point at the problem, not the answer.
    pub feedback: String,
    /// Red flag raised when the check fails.
    #[serde(default)]
    pub red_flag: Option<Sp<String>>,

    /// A Terraform finding is gone and the candidate introduced no other finding.
    #[serde(default)]
    pub tf_fixed: Option<RawFinding>,
    /// No finding of a class (optionally one subject).
    #[serde(default)]
    pub tf_absent: Option<RawFinding>,
    /// No finding the candidate introduced (one in neither the base nor the starting state).
    #[serde(default)]
    pub tf_no_new_findings: Option<RawNoNew>,
    /// Every `.tf` file in a folder parses.
    #[serde(default)]
    pub tf_parses: Option<RawDir>,
    /// A file must exist.
    #[serde(default)]
    pub file_exists: Option<String>,
    /// A file must not exist.
    #[serde(default)]
    pub file_absent: Option<String>,
    /// A regex over one file.
    #[serde(default)]
    pub regex: Option<RawRegex>,
    /// A dotted path into a YAML file.
    #[serde(default)]
    pub yaml_path: Option<RawYamlPath>,
    /// A dotted path into a folder's Terraform.
    #[serde(default)]
    pub hcl_path: Option<RawHclPath>,
    /// A command with a time limit.
    #[serde(default)]
    pub command: Option<RawCommand>,
    /// Terraform's own plan: protected addresses are not destroyed or replaced.
    #[serde(default)]
    pub tf_plan: Option<RawTfPlan>,
    /// No credential added in the candidate's diff.
    #[serde(default)]
    pub no_secrets_in_diff: Option<RawEmpty>,
    /// Which planted risks a written deliverable names.
    #[serde(default)]
    pub written_answer: Option<RawWrittenAnswer>,
    /// Live: a Deployment is Available with every replica updated, within a bound.
    #[serde(default)]
    pub k8s_rollout: Option<RawK8sRollout>,
    /// Live: every pod matching a selector is Ready, within a bound.
    #[serde(default)]
    pub k8s_pods_ready: Option<RawK8sPodsReady>,
    /// Live: no container of the selected pods restarts during a window.
    #[serde(default)]
    pub k8s_restarts_stable: Option<RawK8sRestartsStable>,
    /// Live: no selected container is OOMKilled or waiting in a failure state.
    #[serde(default)]
    pub k8s_no_bad_state: Option<RawK8sSelector>,
    /// Live: a Service has ready endpoints, within a bound.
    #[serde(default)]
    pub k8s_endpoints: Option<RawK8sEndpoints>,
    /// Live: an HTTP GET through a port-forward to a pod behind a Service.
    #[serde(default)]
    pub k8s_http: Option<RawK8sHttp>,
    /// Live: no Role, RoleBinding or ClusterRoleBinding was created or widened.
    #[serde(default)]
    pub k8s_rbac_unchanged: Option<RawEmpty>,
    /// Live: the listed objects still exist in the session namespace.
    #[serde(default)]
    pub k8s_protected: Option<RawK8sProtected>,
    /// A Kubernetes finding (`k8s.*`) is gone and the candidate introduced no other finding.
    #[serde(default)]
    pub k8s_fixed: Option<RawFinding>,
    /// No Kubernetes finding of a class (optionally one object).
    #[serde(default)]
    pub k8s_absent: Option<RawFinding>,
    /// No Kubernetes finding the candidate introduced.
    #[serde(default)]
    pub k8s_no_new_findings: Option<RawNoNew>,
    /// Every manifest in a folder parses and matches the Kubernetes schema.
    #[serde(default)]
    pub k8s_valid: Option<RawDir>,
    /// A dotted path into one Kubernetes object.
    #[serde(default)]
    pub k8s_path: Option<RawK8sPath>,
    /// No container's requests or limits above a bound.
    #[serde(default)]
    pub k8s_limits: Option<RawK8sLimits>,
    /// A pipeline finding (`ci.*`) is gone and the candidate introduced no other.
    #[serde(default)]
    pub ci_fixed: Option<RawFinding>,
    /// No pipeline finding of a class (optionally one subject: `jobs.<job>` or `jobs.<job>.steps[<n>]`).
    #[serde(default)]
    pub ci_absent: Option<RawFinding>,
    /// No pipeline finding the candidate introduced.
    #[serde(default)]
    pub ci_no_new_findings: Option<RawNoNew>,
    /// Every pipeline file parses and has no `ci.schema` finding.
    #[serde(default)]
    pub ci_valid: Option<RawDir>,
    /// Run the candidate's pipeline for real and expect success or failure.
    #[serde(default)]
    pub pipeline_run: Option<RawPipelineRun>,
}

/// A pipeline run check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPipelineRun {
    /// Workflow file relative to the mount (default: the scenario's `pipeline.workflow`).
    #[serde(default)]
    pub workflow: Option<String>,
    /// Jobs to run, with the jobs they need (default: all).
    #[serde(default)]
    pub jobs: Vec<String>,
    /// `success` (default) or `failure`.
    #[serde(default)]
    pub expect: crate::model::check::PipelineExpect,
    /// Limit for the whole run.
    #[serde(default = "plan_timeout")]
    pub timeout_secs: u64,
}

/// No settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEmpty {}

/// A folder relative to the scenario mount.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDir {
    #[serde(default = "dot")]
    pub dir: String,
}

/// A finding class of the check's family (`tf_*`, `k8s_*`, `ci_*`), optionally
/// for one subject.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFinding {
    /// e.g. `tf.open-ingress`, `k8s.image-tag`, `ci.secret-echo`.
    pub class: Sp<String>,
    /// What the finding is about: a Terraform address, a Kubernetes `Kind/name`,
    /// or a pipeline job or step, as the rule names it.
    #[serde(default)]
    pub subject: Option<String>,
    /// Folder relative to the scenario mount.
    #[serde(default = "dot")]
    pub dir: String,
    /// `*_fixed` only: which new findings fail it — `any` class (default) or `same-class`.
    #[serde(default)]
    pub new_findings: crate::model::check::NewFindings,
}

/// Classes of the check's family to compare against the base (all when empty).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNoNew {
    #[serde(default)]
    pub classes: Vec<Sp<String>>,
    /// Folder relative to the scenario mount.
    #[serde(default = "dot")]
    pub dir: String,
}

/// A regex assertion.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRegex {
    pub path: String,
    pub pattern: Sp<String>,
    /// `true` (default): must match. `false`: must not.
    #[serde(default = "yes")]
    pub expect_match: bool,
}

/// What the value at a path must be.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    #[serde(default)]
    pub exists: Option<bool>,
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
    #[serde(default)]
    pub contains: Option<serde_json::Value>,
    #[serde(default)]
    pub not_contains: Option<serde_json::Value>,
    #[serde(default)]
    pub matches: Option<Sp<String>>,
}

/// A YAML path assertion.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawYamlPath {
    pub path: String,
    /// Dotted path; numbers index lists.
    pub query: String,
    pub expect: RawExpect,
}

/// An HCL path assertion.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHclPath {
    #[serde(default = "dot")]
    pub dir: String,
    /// e.g. `resource.aws_db_instance.main.deletion_protection`.
    pub query: String,
    pub expect: RawExpect,
}

/// A command check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCommand {
    /// Program and arguments.
    pub run: Vec<String>,
    /// Programs that must be on PATH; otherwise the check is skipped.
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default = "thirty")]
    pub timeout_secs: u64,
    #[serde(default)]
    pub expect_exit: i32,
    #[serde(default = "dot")]
    pub dir: String,
    /// Allow network access (default: isolated where possible).
    #[serde(default)]
    pub network: bool,
}

/// A plan check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTfPlan {
    #[serde(default = "dot")]
    pub dir: String,
    /// Addresses that must not be destroyed or replaced.
    pub protect: Vec<String>,
    #[serde(default = "plan_timeout")]
    pub timeout_secs: u64,
}

/// A written-answer check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWrittenAnswer {
    pub path: String,
    pub risks: Vec<RawRisk>,
    /// How many risks must be named to pass.
    pub min_named: Sp<usize>,
    #[serde(default)]
    pub min_words: usize,
}

/// A planted risk and the phrases that name it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRisk {
    pub id: String,
    pub title: String,
    /// Case-insensitive regexes.
    pub patterns: Vec<Sp<String>>,
}

// ---------------------------------------------------------------- kubernetes

fn k8s_manifests() -> String {
    "k8s".to_string()
}
fn http_port() -> u16 {
    80
}
fn slash() -> String {
    "/".to_string()
}
fn ok_status() -> u16 {
    200
}

/// Kubernetes settings of a scenario.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawKubernetes {
    /// Folder of manifests, relative to the scenario mount, applied to the session
    /// namespace (base state first, then the broken state's differences as the fault).
    #[serde(default = "k8s_manifests")]
    pub manifests: String,
    /// Recorded broken state (pods, events, logs, endpoint slices), a file relative
    /// to the scenario folder, `@{param}`-templated; rendered into `SYMPTOMS.md`.
    #[serde(default)]
    pub recorded: Option<Sp<String>>,
    /// The Deployment whose symptoms are captured in live mode (templated).
    #[serde(default)]
    pub workload: Option<String>,
}

/// A Deployment rollout check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sRollout {
    pub deployment: String,
    /// Seconds to wait (default 90).
    #[serde(default)]
    pub within_secs: Option<Sp<u64>>,
}

/// A pods-ready check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sPodsReady {
    /// Label selector, e.g. `app=web`.
    pub selector: Sp<String>,
    /// Seconds to wait (default 60).
    #[serde(default)]
    pub within_secs: Option<Sp<u64>>,
}

/// A restart-stability check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sRestartsStable {
    pub selector: Sp<String>,
    /// How long restart counts must stay unchanged, in seconds (default 20).
    #[serde(default)]
    pub window_secs: Option<Sp<u64>>,
}

/// Pods chosen by a label selector.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sSelector {
    pub selector: Sp<String>,
}

/// A Service-endpoints check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sEndpoints {
    pub service: String,
    /// Seconds to wait (default 60).
    #[serde(default)]
    pub within_secs: Option<Sp<u64>>,
}

/// An HTTP check through a port-forward.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sHttp {
    pub service: String,
    /// Service port (mapped to the pod's target port).
    #[serde(default = "http_port")]
    pub port: u16,
    #[serde(default = "slash")]
    pub path: String,
    #[serde(default = "ok_status")]
    pub expect_status: u16,
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Seconds to wait (default 30).
    #[serde(default)]
    pub within_secs: Option<Sp<u64>>,
}

/// Objects that must still exist.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sProtected {
    /// `Kind/name`, e.g. `ConfigMap/web-config`.
    pub objects: Vec<Sp<String>>,
}

/// A path assertion on one Kubernetes object.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sPath {
    #[serde(default = "dot")]
    pub dir: String,
    /// `Kind/name`, e.g. `Deployment/web`.
    pub object: Sp<String>,
    /// e.g. `spec.template.spec.containers.web.image` (a name picks the list item with that `name`).
    pub query: Sp<String>,
    pub expect: RawExpect,
}

/// Bounds on containers' requests and limits (give at least one).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawK8sLimits {
    #[serde(default = "dot")]
    pub dir: String,
    /// `Kind/name`; every object with pods when absent.
    #[serde(default)]
    pub object: Option<Sp<String>>,
    /// Largest memory a container may request or be limited to, e.g. `2Gi`.
    #[serde(default)]
    pub max_memory: Option<Sp<String>>,
    /// Largest CPU a container may request or be limited to, e.g. `2` or `1500m`.
    #[serde(default)]
    pub max_cpu: Option<Sp<String>>,
    /// Smallest memory limit a container may have, e.g. `256Mi` (too low is OOMKilled).
    #[serde(default)]
    pub min_memory: Option<Sp<String>>,
    /// Smallest CPU limit a container may have, e.g. `100m`.
    #[serde(default)]
    pub min_cpu: Option<Sp<String>>,
}
