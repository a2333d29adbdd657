//! Reading workflow YAML into the [`Workflow`] model.
//!
//! The text is read with [`crate::catalog::yamltree`], so every job, step, key and
//! value keeps its line and column. Parsing never stops at the first structural
//! problem: an unknown key, a value of the wrong type, a `needs` naming no job or a
//! stage that `stages:` does not declare becomes a [`SchemaIssue`] (which the lint
//! reports as `ci.schema`), and the rest of the file is still read. Only text that
//! is not YAML at all is an error.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Binding, Dialect, Job, Matrix, PassedSecrets, Permissions, Rule, Step, StepAction, Text, Workflow};
use crate::catalog::yamltree::{self, KeyNode, Node, Pos, YamlSyntaxError};

/// A structural problem in a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    pub pos: Pos,
    pub message: String,
    /// `workflow`, `jobs.<job>` or `jobs.<job>.steps[<n>]`.
    pub subject: String,
    /// Short rule id: `unknown-key`, `wrong-type`, `unknown-need`, `unknown-stage`,
    /// `no-steps`, `step-action`, `need-cycle`, `bad-expression`.
    pub rule: &'static str,
}

const GH_TOP: &[&str] = &["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"];
const GH_JOB: &[&str] = &[
    "name",
    "permissions",
    "needs",
    "if",
    "runs-on",
    "environment",
    "concurrency",
    "outputs",
    "env",
    "defaults",
    "steps",
    "timeout-minutes",
    "strategy",
    "continue-on-error",
    "container",
    "services",
    "uses",
    "with",
    "secrets",
];
const GH_STEP: &[&str] = &[
    "id",
    "if",
    "name",
    "uses",
    "run",
    "working-directory",
    "shell",
    "with",
    "env",
    "continue-on-error",
    "timeout-minutes",
];
const GL_TOP: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
];
const GL_JOB: &[&str] = &[
    "script",
    "before_script",
    "after_script",
    "stage",
    "image",
    "services",
    "variables",
    "needs",
    "dependencies",
    "rules",
    "only",
    "except",
    "when",
    "allow_failure",
    "artifacts",
    "cache",
    "environment",
    "tags",
    "timeout",
    "retry",
    "parallel",
    "extends",
    "coverage",
    "interruptible",
    "resource_group",
    "release",
    "trigger",
    "secrets",
    "id_tokens",
    "inherit",
    "hooks",
    "pages",
    "start_in",
];
const GL_DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

struct Reader {
    issues: Vec<SchemaIssue>,
}

fn entries(node: &Node) -> &[(KeyNode, Node)] {
    match node {
        Node::Map(e, _) => e,
        _ => &[],
    }
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    entries(node).iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
}

fn key_pos(node: &Node, key: &str) -> Option<Pos> {
    entries(node).iter().find(|(k, _)| k.name == key).map(|(k, _)| k.pos)
}

/// A scalar as text (numbers and booleans as written); `None` for collections and null.
pub(crate) fn scalar(node: &Node) -> Option<String> {
    match node {
        Node::Str(s, _) => Some(s.clone()),
        Node::Int(i, _) => Some(i.to_string()),
        Node::Float(f, _) => Some(f.to_string()),
        Node::Bool(b, _) => Some(b.to_string()),
        _ => None,
    }
}

impl Reader {
    fn issue(&mut self, pos: Pos, subject: &str, rule: &'static str, message: impl Into<String>) {
        self.issues.push(SchemaIssue { pos, message: message.into(), subject: subject.to_string(), rule });
    }

    fn known_keys(&mut self, node: &Node, known: &[&str], what: &str, subject: &str) {
        for (k, _) in entries(node) {
            if !known.contains(&k.name.as_str()) {
                let near = closest(&k.name, known).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
                self.issue(k.pos, subject, "unknown-key", format!("unknown key `{}` in {what}{near}", k.name));
            }
        }
    }

    fn text(&mut self, node: &Node, what: &str, subject: &str) -> Option<Text> {
        match scalar(node) {
            Some(value) => Some(Text { value, pos: *node.pos() }),
            None if matches!(node, Node::Null(_)) => None,
            None => {
                self.issue(
                    *node.pos(),
                    subject,
                    "wrong-type",
                    format!("{what} must be a string, not a {}", node.kind()),
                );
                None
            }
        }
    }

    fn map_of<'n>(&mut self, node: &'n Node, what: &str, subject: &str) -> &'n [(KeyNode, Node)] {
        match node {
            Node::Map(e, _) => e,
            Node::Null(_) => &[],
            other => {
                self.issue(
                    *other.pos(),
                    subject,
                    "wrong-type",
                    format!("{what} must be a mapping, not a {}", other.kind()),
                );
                &[]
            }
        }
    }

    fn bindings(&mut self, node: &Node, what: &str, subject: &str) -> Vec<Binding> {
        let mut out = Vec::new();
        for (k, v) in self.map_of(node, what, subject) {
            let value = match v {
                Node::Map(..) if what == "variables" => {
                    // GitLab `variables: { X: { value: "...", description: "..." } }`.
                    get(v, "value").and_then(scalar).unwrap_or_default()
                }
                Node::Seq(..) | Node::Map(..) if what == "with" => {
                    serde_json::to_string(&v.to_json()).unwrap_or_default()
                }
                _ => match scalar(v) {
                    Some(s) => s,
                    None if matches!(v, Node::Null(_)) => String::new(),
                    None => {
                        self.issue(
                            *v.pos(),
                            subject,
                            "wrong-type",
                            format!("{what}.{} must be a string, number or boolean, not a {}", k.name, v.kind()),
                        );
                        continue;
                    }
                },
            };
            out.push(Binding { name: k.name.clone(), value, pos: k.pos, value_pos: *v.pos() });
        }
        out
    }

    fn bool_of(&mut self, node: &Node, what: &str, subject: &str) -> bool {
        match node {
            Node::Bool(b, _) => *b,
            // An expression is decided when the job runs; count it as set.
            Node::Str(s, _) if s.contains("${{") => true,
            other => {
                self.issue(
                    *other.pos(),
                    subject,
                    "wrong-type",
                    format!("{what} must be true or false, not a {}", other.kind()),
                );
                false
            }
        }
    }

    fn number_of(&mut self, node: &Node, what: &str, subject: &str) -> Option<f64> {
        match node {
            Node::Int(i, _) => Some(*i as f64),
            Node::Float(f, _) => Some(*f),
            Node::Str(s, _) if s.contains("${{") => None,
            other => {
                self.issue(
                    *other.pos(),
                    subject,
                    "wrong-type",
                    format!("{what} must be a number, not a {}", other.kind()),
                );
                None
            }
        }
    }

    fn string_list(&mut self, node: &Node, what: &str, subject: &str) -> Vec<Text> {
        match node {
            Node::Seq(items, _) => items.iter().filter_map(|i| self.text(i, what, subject)).collect(),
            Node::Null(_) => Vec::new(),
            other => self.text(other, what, subject).into_iter().collect(),
        }
    }

    fn permissions(&mut self, node: &Node, subject: &str) -> Option<Permissions> {
        match node {
            Node::Map(..) => Some(Permissions::Scopes(self.bindings(node, "permissions", subject), *node.pos())),
            other => self.text(other, "permissions", subject).map(Permissions::Shorthand),
        }
    }

    fn expressions(&mut self, text: &Text, subject: &str) {
        match super::expr::split_template(&text.value) {
            Err(e) => self.issue(text.pos, subject, "bad-expression", e.message),
            Ok(pieces) => {
                for p in pieces {
                    if let super::expr::Piece::Expr(inner, _) = p {
                        if let Err(e) = super::expr::parse(inner) {
                            self.issue(
                                text.pos,
                                subject,
                                "bad-expression",
                                format!("expression `{inner}`: {}", e.message),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    let normal = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], "");
    let w = normal(word);
    known
        .iter()
        .copied()
        .find(|k| normal(k) == w || (w.len() > 3 && (normal(k).starts_with(&w) || w.starts_with(&normal(k)))))
}

/// Parse a workflow file. `Err` only when the text is not YAML; structural problems
/// come back as issues beside the (partial) workflow.
pub fn parse_workflow(
    file: &str,
    text: &str,
    dialect: Dialect,
) -> Result<(Workflow, Vec<SchemaIssue>), YamlSyntaxError> {
    let root = yamltree::parse(text)?;
    let mut r = Reader { issues: Vec::new() };
    let mut wf = Workflow {
        file: file.to_string(),
        dialect,
        name: None,
        triggers: Vec::new(),
        env: Vec::new(),
        permissions: None,
        call_secrets: Vec::new(),
        call_inputs: Vec::new(),
        stages: Vec::new(),
        jobs: Vec::new(),
    };
    if !matches!(root, Node::Map(..)) {
        r.issue(*root.pos(), "workflow", "wrong-type", format!("a workflow must be a mapping, not a {}", root.kind()));
        return Ok((wf, r.issues));
    }
    match dialect {
        Dialect::GitHub => github(&mut r, &root, &mut wf),
        Dialect::GitLab => gitlab(&mut r, &root, &mut wf),
    }
    check_needs(&mut r, &wf);
    Ok((wf, r.issues))
}

fn github(r: &mut Reader, root: &Node, wf: &mut Workflow) {
    r.known_keys(root, GH_TOP, "the workflow", "workflow");
    wf.name = get(root, "name").and_then(scalar);
    match get(root, "on") {
        None => r.issue(*root.pos(), "workflow", "missing-key", "the workflow has no `on:` trigger"),
        Some(Node::Str(s, _)) => wf.triggers.push(s.clone()),
        Some(Node::Seq(items, _)) => wf.triggers.extend(items.iter().filter_map(scalar)),
        Some(on @ Node::Map(..)) => {
            for (k, _) in entries(on) {
                wf.triggers.push(k.name.clone());
            }
            if let Some(call) = get(on, "workflow_call") {
                if let Some(secrets) = get(call, "secrets") {
                    for (k, v) in r.map_of(secrets, "workflow_call.secrets", "workflow") {
                        let required = matches!(get(v, "required"), Some(Node::Bool(true, _)));
                        wf.call_secrets.push((Text { value: k.name.clone(), pos: k.pos }, required));
                    }
                }
                if let Some(inputs) = get(call, "inputs") {
                    for (k, v) in r.map_of(inputs, "workflow_call.inputs", "workflow") {
                        wf.call_inputs.push((k.name.clone(), get(v, "default").map(Node::to_json)));
                    }
                }
            }
        }
        Some(other) => r.issue(*other.pos(), "workflow", "wrong-type", format!("`on` must not be a {}", other.kind())),
    }
    if let Some(env) = get(root, "env") {
        wf.env = r.bindings(env, "env", "workflow");
    }
    if let Some(p) = get(root, "permissions") {
        wf.permissions = r.permissions(p, "workflow");
    }
    let Some(jobs) = get(root, "jobs") else {
        r.issue(*root.pos(), "workflow", "missing-key", "the workflow has no `jobs:`");
        return;
    };
    for (k, v) in r.map_of(jobs, "jobs", "workflow") {
        let job = github_job(r, k, v);
        wf.jobs.push(job);
    }
}

fn github_job(r: &mut Reader, key: &KeyNode, node: &Node) -> Job {
    let mut job = Job::new(key.name.clone(), key.pos);
    let subject = job.subject();
    if !matches!(node, Node::Map(..)) {
        r.issue(
            *node.pos(),
            &subject,
            "wrong-type",
            format!("job `{}` must be a mapping, not a {}", key.name, node.kind()),
        );
        return job;
    }
    r.known_keys(node, GH_JOB, &format!("job `{}`", key.name), &subject);
    job.name = get(node, "name").and_then(scalar);
    if let Some(n) = get(node, "needs") {
        job.needs_given = true;
        job.needs = r.string_list(n, "needs", &subject);
    }
    if let Some(c) = get(node, "if") {
        job.condition = r.text(c, "if", &subject);
    }
    if let Some(e) = get(node, "env") {
        job.env = r.bindings(e, "env", &subject);
    }
    if let Some(p) = get(node, "permissions") {
        job.permissions = r.permissions(p, &subject);
    }
    if let Some(o) = get(node, "outputs") {
        job.outputs = r.bindings(o, "outputs", &subject);
    }
    if let Some(t) = get(node, "timeout-minutes") {
        job.timeout_minutes = r.number_of(t, "timeout-minutes", &subject);
    }
    if let Some(c) = get(node, "continue-on-error") {
        job.continue_on_error = r.bool_of(c, "continue-on-error", &subject);
    }
    if let Some(e) = get(node, "environment") {
        job.environment = match e {
            Node::Map(..) => get(e, "name").and_then(|n| r.text(n, "environment.name", &subject)),
            other => r.text(other, "environment", &subject),
        };
    }
    if let Some(c) = get(node, "container") {
        job.image = match c {
            Node::Map(..) => get(c, "image").and_then(|n| r.text(n, "container.image", &subject)),
            other => r.text(other, "container", &subject),
        };
    }
    if let Some(s) = get(node, "services") {
        if !matches!(s, Node::Map(..)) {
            r.issue(*s.pos(), &subject, "wrong-type", format!("services must be a mapping, not a {}", s.kind()));
        }
        job.services = entries(s).iter().map(|(k, _)| Text { value: k.name.clone(), pos: k.pos }).collect();
    }
    if let Some(s) = get(node, "strategy") {
        r.known_keys(s, &["matrix", "fail-fast", "max-parallel"], "strategy", &subject);
        if let Some(m) = get(s, "matrix") {
            job.matrix = Some(matrix(r, m, &subject));
        }
    }
    if let Some(u) = get(node, "uses") {
        job.uses = r.text(u, "uses", &subject);
    }
    if let Some(w) = get(node, "with") {
        job.with = r.bindings(w, "with", &subject);
    }
    if let Some(s) = get(node, "secrets") {
        job.secrets_pos = key_pos(node, "secrets");
        job.secrets = match s {
            Node::Str(v, _) if v == "inherit" => PassedSecrets::Inherit,
            Node::Map(..) => PassedSecrets::Map(r.bindings(s, "secrets", &subject)),
            other => {
                r.issue(*other.pos(), &subject, "wrong-type", "secrets must be `inherit` or a mapping");
                PassedSecrets::None
            }
        };
    }
    match (get(node, "steps"), &job.uses) {
        (Some(steps), None) => match steps {
            Node::Seq(items, _) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(step) = github_step(r, &job, i, item) {
                        job.steps.push(step);
                    }
                }
            }
            other => r.issue(
                *other.pos(),
                &subject,
                "wrong-type",
                format!("steps must be a sequence, not a {}", other.kind()),
            ),
        },
        (Some(steps), Some(_)) => r.issue(
            *steps.pos(),
            &subject,
            "step-action",
            "a job that calls a reusable workflow (`uses:`) has no `steps:`",
        ),
        (None, None) => {
            r.issue(key.pos, &subject, "no-steps", format!("job `{}` has neither `steps:` nor `uses:`", key.name))
        }
        (None, Some(_)) => {}
    }
    if get(node, "runs-on").is_none() && job.uses.is_none() {
        r.issue(key.pos, &subject, "missing-key", format!("job `{}` has no `runs-on:`", key.name));
    }
    job
}

fn github_step(r: &mut Reader, job: &Job, index: usize, node: &Node) -> Option<Step> {
    let subject = job.step_subject(index);
    if !matches!(node, Node::Map(..)) {
        r.issue(*node.pos(), &subject, "wrong-type", format!("a step must be a mapping, not a {}", node.kind()));
        return None;
    }
    r.known_keys(node, GH_STEP, "a step", &subject);
    let action = match (get(node, "run"), get(node, "uses")) {
        (Some(run), None) => {
            let script = r.text(run, "run", &subject)?;
            r.expressions(&script, &subject);
            StepAction::Run {
                script,
                shell: get(node, "shell").and_then(scalar),
                working_directory: get(node, "working-directory").and_then(scalar),
                lines: Vec::new(),
            }
        }
        (None, Some(uses)) => StepAction::Uses(r.text(uses, "uses", &subject)?),
        (Some(_), Some(_)) => {
            r.issue(*node.pos(), &subject, "step-action", "a step has both `run:` and `uses:`; give one");
            return None;
        }
        (None, None) => {
            r.issue(*node.pos(), &subject, "step-action", "a step has neither `run:` nor `uses:`");
            return None;
        }
    };
    let condition = get(node, "if").and_then(|c| r.text(c, "if", &subject));
    let env = get(node, "env").map(|e| r.bindings(e, "env", &subject)).unwrap_or_default();
    let with = get(node, "with").map(|w| r.bindings(w, "with", &subject)).unwrap_or_default();
    for b in env.iter().chain(with.iter()) {
        r.expressions(&Text { value: b.value.clone(), pos: b.value_pos }, &subject);
    }
    let continue_on_error = get(node, "continue-on-error").is_some_and(|c| r.bool_of(c, "continue-on-error", &subject));
    let timeout_minutes = get(node, "timeout-minutes").and_then(|t| r.number_of(t, "timeout-minutes", &subject));
    Some(Step {
        index,
        pos: *node.pos(),
        id: get(node, "id").and_then(scalar),
        name: get(node, "name").and_then(scalar),
        condition,
        env,
        with,
        action,
        continue_on_error,
        timeout_minutes,
    })
}

fn matrix(r: &mut Reader, node: &Node, subject: &str) -> Matrix {
    let mut m = Matrix::default();
    match node {
        Node::Str(s, pos) => {
            m.expression = Some(Text { value: s.clone(), pos: *pos });
            return m;
        }
        Node::Map(..) => {}
        other => {
            r.issue(*other.pos(), subject, "wrong-type", format!("matrix must be a mapping, not a {}", other.kind()));
            return m;
        }
    }
    let objects = |r: &mut Reader, v: &Node, what: &str| -> Vec<serde_json::Map<String, Value>> {
        match v.to_json() {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|i| match i {
                    Value::Object(o) => Some(o),
                    _ => None,
                })
                .collect(),
            _ => {
                r.issue(*v.pos(), subject, "wrong-type", format!("matrix.{what} must be a sequence of mappings"));
                Vec::new()
            }
        }
    };
    for (k, v) in entries(node) {
        match k.name.as_str() {
            "include" => m.include = objects(r, v, "include"),
            "exclude" => m.exclude = objects(r, v, "exclude"),
            axis => match v.to_json() {
                Value::Array(values) => m.axes.push((axis.to_string(), values)),
                Value::String(s) if s.contains("${{") => m.expression = Some(Text { value: s, pos: *v.pos() }),
                _ => r.issue(
                    *v.pos(),
                    subject,
                    "wrong-type",
                    format!("matrix axis `{axis}` must be a sequence of values"),
                ),
            },
        }
    }
    m
}

/// GitLab: apply `extends:` (recursively, maps merged deeply, the job's own keys win).
fn extended(root: &Node, job: &Node, depth: usize) -> Node {
    let Some(ext) = get(job, "extends") else { return job.clone() };
    let parents: Vec<String> = match ext {
        Node::Seq(items, _) => items.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    };
    let mut merged = Node::Map(Vec::new(), *job.pos());
    for p in parents {
        if let Some(template) = get(root, &p) {
            let t = if depth < 10 { extended(root, template, depth + 1) } else { template.clone() };
            merged = merge(&merged, &t);
        }
    }
    let own = match job {
        Node::Map(e, pos) => Node::Map(e.iter().filter(|(k, _)| k.name != "extends").cloned().collect(), *pos),
        other => other.clone(),
    };
    let mut out = merge(&merged, &own);
    if let Node::Map(_, pos) = &mut out {
        *pos = *job.pos();
    }
    out
}

fn merge(base: &Node, over: &Node) -> Node {
    match (base, over) {
        (Node::Map(b, _), Node::Map(o, pos)) => {
            let mut out: Vec<(KeyNode, Node)> = Vec::new();
            for (k, v) in b {
                match o.iter().find(|(ok, _)| ok.name == k.name) {
                    Some((ok, ov)) => out.push((ok.clone(), merge(v, ov))),
                    None => out.push((k.clone(), v.clone())),
                }
            }
            for (k, v) in o {
                if !b.iter().any(|(bk, _)| bk.name == k.name) {
                    out.push((k.clone(), v.clone()));
                }
            }
            Node::Map(out, *pos)
        }
        (_, o) => o.clone(),
    }
}

fn gitlab(r: &mut Reader, root: &Node, wf: &mut Workflow) {
    // Top-level keys that are keywords; every other mapping is a job.
    if let Some(s) = get(root, "stages") {
        wf.stages = r.string_list(s, "stages", "workflow");
    } else {
        wf.stages = GL_DEFAULT_STAGES.iter().map(|s| Text { value: (*s).to_string(), pos: *root.pos() }).collect();
    }
    if let Some(v) = get(root, "variables") {
        wf.env = r.bindings(v, "variables", "workflow");
    }
    wf.triggers.push("push".into());
    let default = get(root, "default");
    if let Some(d) = default {
        r.known_keys(
            d,
            &[
                "after_script",
                "artifacts",
                "before_script",
                "cache",
                "hooks",
                "image",
                "interruptible",
                "retry",
                "services",
                "tags",
                "timeout",
                "id_tokens",
            ],
            "default",
            "workflow",
        );
    }
    for (k, v) in entries(root) {
        if GL_TOP.contains(&k.name.as_str()) || k.name.starts_with('.') {
            continue;
        }
        if !matches!(v, Node::Map(..)) {
            let near = closest(&k.name, GL_TOP).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
            r.issue(
                k.pos,
                "workflow",
                "unknown-key",
                format!("`{}` is neither a keyword nor a job (a job is a mapping){near}", k.name),
            );
            continue;
        }
        let node = extended(root, v, 0);
        let job = gitlab_job(r, k, &node, root, default, wf);
        wf.jobs.push(job);
    }
}

fn gitlab_job(r: &mut Reader, key: &KeyNode, node: &Node, root: &Node, default: Option<&Node>, wf: &Workflow) -> Job {
    let mut job = Job::new(key.name.clone(), key.pos);
    let subject = job.subject();
    r.known_keys(node, GL_JOB, &format!("job `{}`", key.name), &subject);
    let inherited =
        |name: &str| get(node, name).or_else(|| default.and_then(|d| get(d, name))).or_else(|| get(root, name));
    let stage = match get(node, "stage") {
        Some(s) => r.text(s, "stage", &subject),
        None => Some(Text { value: "test".into(), pos: key.pos }),
    };
    if let Some(s) = &stage {
        if !wf.stages.iter().any(|d| d.value == s.value) {
            let declared: Vec<&str> = wf.stages.iter().map(|t| t.value.as_str()).collect();
            r.issue(
                s.pos,
                &subject,
                "unknown-stage",
                format!(
                    "stage `{}` of job `{}` is not declared in `stages:` ({})",
                    s.value,
                    key.name,
                    declared.join(", ")
                ),
            );
        }
    }
    job.stage = stage;
    if let Some(v) = get(node, "variables") {
        job.env = r.bindings(v, "variables", &subject);
    }
    if let Some(n) = get(node, "needs") {
        job.needs_given = true;
        job.needs = match n {
            Node::Seq(items, _) => items
                .iter()
                .filter_map(|i| match i {
                    Node::Map(..) => get(i, "job").and_then(|j| r.text(j, "needs.job", &subject)),
                    other => r.text(other, "needs", &subject),
                })
                .collect(),
            other => {
                r.issue(
                    *other.pos(),
                    &subject,
                    "wrong-type",
                    format!("needs must be a sequence, not a {}", other.kind()),
                );
                Vec::new()
            }
        };
    }
    if let Some(d) = get(node, "dependencies") {
        job.dependencies = Some(r.string_list(d, "dependencies", &subject).into_iter().map(|t| t.value).collect());
    }
    if let Some(rules) = get(node, "rules") {
        match rules {
            Node::Seq(items, _) => {
                for item in items {
                    r.known_keys(
                        item,
                        &["if", "when", "allow_failure", "changes", "exists", "variables", "needs", "start_in"],
                        "a rule",
                        &subject,
                    );
                    job.rules.push(Rule {
                        condition: get(item, "if").and_then(|c| r.text(c, "rules.if", &subject)),
                        when: get(item, "when").and_then(scalar),
                        allow_failure: match get(item, "allow_failure") {
                            Some(Node::Bool(b, _)) => Some(*b),
                            _ => None,
                        },
                        pos: *item.pos(),
                    });
                }
            }
            other => r.issue(
                *other.pos(),
                &subject,
                "wrong-type",
                format!("rules must be a sequence, not a {}", other.kind()),
            ),
        }
    }
    job.when = get(node, "when").and_then(scalar);
    if let Some(a) = get(node, "allow_failure") {
        job.allow_failure = match a {
            Node::Bool(b, _) => *b,
            Node::Map(..) => true,
            other => r.bool_of(other, "allow_failure", &subject),
        };
    }
    if let Some(a) = get(node, "artifacts") {
        if let Some(p) = get(a, "paths") {
            job.artifact_paths = r.string_list(p, "artifacts.paths", &subject).into_iter().map(|t| t.value).collect();
        }
    }
    if let Some(e) = get(node, "environment") {
        job.environment = match e {
            Node::Map(..) => get(e, "name").and_then(|n| r.text(n, "environment.name", &subject)),
            other => r.text(other, "environment", &subject),
        };
    }
    if let Some(i) = inherited("image") {
        job.image = match i {
            Node::Map(..) => get(i, "name").and_then(|n| r.text(n, "image.name", &subject)),
            other => r.text(other, "image", &subject),
        };
    }
    if let Some(s) = inherited("services") {
        let items: &[Node] = match s {
            Node::Seq(items, _) => items,
            other => {
                r.issue(
                    *other.pos(),
                    &subject,
                    "wrong-type",
                    format!("services must be a list, not a {}", other.kind()),
                );
                &[]
            }
        };
        job.services = items
            .iter()
            .filter_map(|item| match item {
                Node::Map(..) => get(item, "name").and_then(|n| r.text(n, "services.name", &subject)),
                other => r.text(other, "services", &subject),
            })
            .collect();
    }
    if let Some(t) = get(node, "timeout") {
        job.timeout_minutes = scalar(t).and_then(|s| gitlab_duration_minutes(&s));
    }
    // Steps: before_script + script run in one shell; after_script in another.
    let mut lines: Vec<Text> = Vec::new();
    if let Some(b) = inherited("before_script") {
        lines.extend(script_lines(r, b, "before_script", &subject));
    }
    match get(node, "script") {
        Some(s) => lines.extend(script_lines(r, s, "script", &subject)),
        None if get(node, "trigger").is_none() => {
            r.issue(key.pos, &subject, "no-steps", format!("job `{}` has no `script:`", key.name))
        }
        None => {}
    }
    if !lines.is_empty() {
        job.steps.push(script_step(0, "script", lines, key.pos));
    }
    if let Some(a) = inherited("after_script") {
        let after = script_lines(r, a, "after_script", &subject);
        if !after.is_empty() {
            let mut step = script_step(job.steps.len(), "after_script", after, key.pos);
            step.condition = Some(Text { value: "always()".into(), pos: key.pos });
            job.steps.push(step);
        }
    }
    job
}

fn script_step(index: usize, name: &str, lines: Vec<Text>, pos: Pos) -> Step {
    let pos = lines.first().map_or(pos, |l| l.pos);
    let script = lines.iter().map(|l| l.value.as_str()).collect::<Vec<_>>().join("\n");
    Step {
        index,
        pos,
        id: None,
        name: Some(name.to_string()),
        condition: None,
        env: Vec::new(),
        with: Vec::new(),
        action: StepAction::Run { script: Text { value: script, pos }, shell: None, working_directory: None, lines },
        continue_on_error: false,
        timeout_minutes: None,
    }
}

fn script_lines(r: &mut Reader, node: &Node, what: &str, subject: &str) -> Vec<Text> {
    match node {
        Node::Seq(items, _) => items
            .iter()
            .flat_map(|i| match i {
                // Nested lists (from YAML anchors) are flattened like GitLab does.
                Node::Seq(..) => script_lines(r, i, what, subject),
                other => r.text(other, what, subject).into_iter().collect(),
            })
            .collect(),
        other => r.text(other, what, subject).into_iter().collect(),
    }
}

/// `1h 30m`, `90 minutes`, `10m` → minutes.
fn gitlab_duration_minutes(s: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut found = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        let mut unit = String::from(c);
        while let Some(n) = chars.peek().filter(|n| n.is_ascii_alphabetic()) {
            unit.push(*n);
            chars.next();
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        found = true;
        total += match unit.as_str() {
            "h" | "hr" | "hour" | "hours" => n * 60.0,
            "m" | "min" | "mins" | "minute" | "minutes" => n,
            "s" | "sec" | "secs" | "second" | "seconds" => n / 60.0,
            _ => return None,
        };
    }
    if !number.is_empty() {
        total += number.parse::<f64>().ok()? / 60.0;
        found = true;
    }
    found.then_some(total)
}

/// `needs` naming no job, and cycles.
fn check_needs(r: &mut Reader, wf: &Workflow) {
    let ids: BTreeSet<&str> = wf.jobs.iter().map(|j| j.id.as_str()).collect();
    for job in &wf.jobs {
        for n in &job.needs {
            if !ids.contains(n.value.as_str()) {
                let near = closest(&n.value, &ids.iter().copied().collect::<Vec<_>>())
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                r.issue(
                    n.pos,
                    &job.subject(),
                    "unknown-need",
                    format!("job `{}` needs `{}`, which is no job of this file{near}", job.id, n.value),
                );
            }
            if wf.dialect == Dialect::GitLab {
                if let (Some(mine), Some(other)) = (job.stage.as_ref(), wf.job(&n.value).and_then(|j| j.stage.as_ref()))
                {
                    let index = |s: &str| wf.stages.iter().position(|t| t.value == s);
                    if let (Some(a), Some(b)) = (index(&mine.value), index(&other.value)) {
                        if b > a {
                            r.issue(
                                n.pos,
                                &job.subject(),
                                "need-order",
                                format!("job `{}` needs `{}`, which runs in a later stage", job.id, n.value),
                            );
                        }
                    }
                }
            }
        }
    }
    if let Err(cycle) = super::plan::order(wf) {
        let pos = wf.job(&cycle[0]).map_or_else(Pos::default, |j| j.pos);
        r.issue(
            pos,
            &format!("jobs.{}", cycle[0]),
            "need-cycle",
            format!("jobs need each other in a cycle: {}", cycle.join(" → ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_durations_read_in_minutes() {
        assert_eq!(gitlab_duration_minutes("1h 30m"), Some(90.0));
        assert_eq!(gitlab_duration_minutes("10 minutes"), Some(10.0));
        assert_eq!(gitlab_duration_minutes("soon"), None);
    }

    #[test]
    fn the_dialect_comes_from_the_path() {
        assert_eq!(Dialect::of_path(".github/workflows/ci.yml"), Some(Dialect::GitHub));
        assert_eq!(Dialect::of_path("app/.github/workflows/deploy.yaml"), Some(Dialect::GitHub));
        assert_eq!(Dialect::of_path(".gitlab-ci.yml"), Some(Dialect::GitLab));
        assert_eq!(Dialect::of_path(".github/workflows/sub/x.yml"), None);
        assert_eq!(Dialect::of_path("ci.yml"), None);
    }
}
