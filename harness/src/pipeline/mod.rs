//! CI pipelines as data: GitHub Actions workflows and `.gitlab-ci.yml` files read
//! into one model that keeps every line number, ordered into a plan of jobs.
//!
//! This layer is pure. [`parse`] turns YAML text into a [`Workflow`] plus the
//! structural problems it met (unknown keys, wrong types, `needs` naming no job);
//! [`expr`] evaluates `${{ … }}` and GitLab `rules: if:` expressions; [`plan`] orders
//! jobs by `needs` and stages and expands matrices. The lint rules in
//! [`crate::rules::pipeline`] and the runner in [`crate::runner::pipeline`] build
//! on it.

pub mod expr;
pub mod parse;
pub mod plan;

use crate::catalog::yamltree::Pos;

pub use parse::{parse_workflow, SchemaIssue};

/// Which CI system a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    GitHub,
    GitLab,
}

impl Dialect {
    /// The dialect of a file, from its path: `.github/workflows/*.yml` or `.gitlab-ci.yml`.
    pub fn of_path(path: &str) -> Option<Dialect> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
        let in_workflows = parent == ".github/workflows" || parent.ends_with("/.github/workflows");
        if in_workflows && (name.ends_with(".yml") || name.ends_with(".yaml")) {
            Some(Dialect::GitHub)
        } else if name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml" {
            Some(Dialect::GitLab)
        } else {
            None
        }
    }
}

/// A string value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub value: String,
    pub pos: Pos,
}

/// A name bound to a value (`env:`, `variables:`, `with:`, `outputs:`).
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: String,
    pub value: String,
    /// Where the name is written.
    pub pos: Pos,
    /// Where the value is written.
    pub value_pos: Pos,
}

/// What a job passes as secrets to a reusable workflow.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PassedSecrets {
    /// No `secrets:` key: the called workflow gets none.
    #[default]
    None,
    /// `secrets: inherit`.
    Inherit,
    /// `secrets: { NAME: ${{ secrets.X }} }`.
    Map(Vec<Binding>),
}

/// The `permissions:` of a workflow or job.
#[derive(Debug, Clone, PartialEq)]
pub enum Permissions {
    /// `read-all`, `write-all` or `{}`-style shorthand.
    Shorthand(Text),
    /// Scope → `read` / `write` / `none`.
    Scopes(Vec<Binding>, Pos),
}

impl Permissions {
    pub fn pos(&self) -> Pos {
        match self {
            Permissions::Shorthand(t) => t.pos,
            Permissions::Scopes(_, p) => *p,
        }
    }

    /// Whether it grants write on everything.
    pub fn is_write_all(&self) -> bool {
        matches!(self, Permissions::Shorthand(t) if t.value == "write-all")
    }
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum StepAction {
    /// A shell script (`run:` or GitLab `script:` lines joined).
    Run {
        script: Text,
        shell: Option<String>,
        working_directory: Option<String>,
        /// GitLab: the position of every script line, in order, for findings.
        lines: Vec<Text>,
    },
    /// `uses: owner/repo@ref`, `./local`, `docker://image`.
    Uses(Text),
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 0-based index within the job.
    pub index: usize,
    pub pos: Pos,
    pub id: Option<String>,
    pub name: Option<String>,
    pub condition: Option<Text>,
    pub env: Vec<Binding>,
    pub with: Vec<Binding>,
    pub action: StepAction,
    pub continue_on_error: bool,
    pub timeout_minutes: Option<f64>,
}

impl Step {
    /// A label for progress and evidence: the name, or what it runs.
    pub fn label(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        match &self.action {
            StepAction::Uses(u) => u.value.clone(),
            StepAction::Run { script, .. } => {
                let first = script.value.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                let short: String = first.chars().take(60).collect();
                format!("run: {short}")
            }
        }
    }
}

/// Strategy matrix: axes, plus `include` / `exclude` entries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    pub axes: Vec<(String, Vec<serde_json::Value>)>,
    pub include: Vec<serde_json::Map<String, serde_json::Value>>,
    pub exclude: Vec<serde_json::Map<String, serde_json::Value>>,
    /// A matrix given as a `${{ }}` expression; the runner evaluates it.
    pub expression: Option<Text>,
}

/// A GitLab `rules:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub condition: Option<Text>,
    /// `on_success` (default), `always`, `never`, `manual`, `on_failure`, `delayed`.
    pub when: Option<String>,
    pub allow_failure: Option<bool>,
    pub pos: Pos,
}

/// One job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub pos: Pos,
    pub name: Option<String>,
    pub needs: Vec<Text>,
    /// Whether `needs:` was written (GitLab `needs: []` differs from no `needs`).
    pub needs_given: bool,
    pub condition: Option<Text>,
    pub env: Vec<Binding>,
    pub steps: Vec<Step>,
    pub matrix: Option<Matrix>,
    pub permissions: Option<Permissions>,
    /// A reusable workflow the job calls (`uses:` at job level).
    pub uses: Option<Text>,
    pub with: Vec<Binding>,
    pub secrets: PassedSecrets,
    /// Position of the `secrets:` key, when written.
    pub secrets_pos: Option<Pos>,
    pub outputs: Vec<Binding>,
    pub timeout_minutes: Option<f64>,
    pub continue_on_error: bool,
    pub environment: Option<Text>,
    /// GitLab stage (default `test`).
    pub stage: Option<Text>,
    pub rules: Vec<Rule>,
    /// GitLab `when:` on the job.
    pub when: Option<String>,
    pub allow_failure: bool,
    /// GitLab `artifacts: paths:`.
    pub artifact_paths: Vec<String>,
    /// GitLab `dependencies:` (jobs whose artifacts to fetch); `None` = all earlier.
    pub dependencies: Option<Vec<String>>,
    /// GitLab `image:` / GitHub `container:` (informational: the runner image is used).
    pub image: Option<Text>,
    /// Service containers the job declares (GitHub `services:` keys, GitLab
    /// `services:` names), with where they are written. Not started offline.
    pub services: Vec<Text>,
}

impl Job {
    pub fn new(id: impl Into<String>, pos: Pos) -> Self {
        Job {
            id: id.into(),
            pos,
            name: None,
            needs: Vec::new(),
            needs_given: false,
            condition: None,
            env: Vec::new(),
            steps: Vec::new(),
            matrix: None,
            permissions: None,
            uses: None,
            with: Vec::new(),
            secrets: PassedSecrets::None,
            secrets_pos: None,
            outputs: Vec::new(),
            timeout_minutes: None,
            continue_on_error: false,
            environment: None,
            stage: None,
            rules: Vec::new(),
            when: None,
            allow_failure: false,
            artifact_paths: Vec::new(),
            dependencies: None,
            image: None,
            services: Vec::new(),
        }
    }

    /// The subject of findings about the whole job.
    pub fn subject(&self) -> String {
        format!("jobs.{}", self.id)
    }

    /// The subject of findings about one of its steps.
    pub fn step_subject(&self, index: usize) -> String {
        format!("jobs.{}.steps[{index}]", self.id)
    }

    /// Text to match job roles against: id and name.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{} {n}", self.id),
            None => self.id.clone(),
        }
    }
}

/// A parsed workflow file.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    /// Path of the file (snapshot key).
    pub file: String,
    pub dialect: Dialect,
    pub name: Option<String>,
    /// Events that trigger it (`push`, `workflow_call`, …).
    pub triggers: Vec<String>,
    pub env: Vec<Binding>,
    pub permissions: Option<Permissions>,
    /// Secrets declared under `on.workflow_call.secrets`, with `required`.
    pub call_secrets: Vec<(Text, bool)>,
    /// Inputs declared under `on.workflow_call.inputs`, with defaults.
    pub call_inputs: Vec<(String, Option<serde_json::Value>)>,
    /// GitLab `stages:` (defaults applied when absent).
    pub stages: Vec<Text>,
    pub jobs: Vec<Job>,
}

/// The workflow files under a folder of a snapshot, parsed.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub workflows: Vec<Workflow>,
    /// Structural issues, with the file they are in.
    pub issues: Vec<(String, SchemaIssue)>,
    /// Files that are not YAML.
    pub syntax: Vec<(String, crate::catalog::yamltree::YamlSyntaxError)>,
}

/// Parse every workflow file (`.github/workflows/*.yml`, `.gitlab-ci.yml`) under `dir`.
pub fn load(snapshot: &crate::model::Snapshot, dir: &str) -> Loaded {
    let dir = crate::model::snapshot::join(".", dir);
    let mut out = Loaded::default();
    for (path, text) in snapshot.under(&dir) {
        let Some(dialect) = Dialect::of_path(path) else { continue };
        match parse_workflow(path, text, dialect) {
            Ok((wf, issues)) => {
                out.issues.extend(issues.into_iter().map(|i| (path.to_string(), i)));
                out.workflows.push(wf);
            }
            Err(e) => out.syntax.push((path.to_string(), e)),
        }
    }
    out
}

impl Workflow {
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// Whether another workflow may call this one.
    pub fn is_reusable(&self) -> bool {
        self.triggers.iter().any(|t| t == "workflow_call")
    }
}
