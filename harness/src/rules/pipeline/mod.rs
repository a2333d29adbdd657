//! Rules over CI pipelines (GitHub Actions workflows and `.gitlab-ci.yml`).
//!
//! | class | what it flags |
//! |---|---|
//! | `ci.hardcoded-secret` | a credential written into `env:`/`variables:`/`with:` or a script |
//! | `ci.secret-echo` | a script that prints a secret (`echo $TOKEN`, `printenv`, `env`) |
//! | `ci.script-injection` | `${{ github.event… }}` text an outsider controls, pasted into `run:` |
//! | `ci.unpinned-action` | a third-party action or reusable workflow not pinned to a commit SHA |
//! | `ci.broad-permissions` | `permissions: write-all`, or a publishing job with no `permissions:` |
//! | `ci.missing-gate` | a deploy job that does not wait for a test job that can fail |
//! | `ci.undefined-secret` | a secret read where the job is not given it |
//! | `ci.schema` | unknown keys, wrong types, `needs` naming no job, undeclared stages |
//!
//! Pinning policy: actions published by GitHub itself (`actions/*`, `github/*`) may
//! be pinned to a tag (`actions/checkout@v4`); every other action and reusable
//! workflow must name a full 40-character commit SHA, and `docker://` images a
//! `@sha256:` digest. Local actions (`./…`) are part of the repository.
//!
//! Subjects: `jobs.<job>` for a job, `jobs.<job>.steps[<n>]` for its `n`-th step
//! (0-based; for GitLab, step 0 is `before_script` + `script` and step 1 is
//! `after_script`), and `workflow` for the file's top level.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{LintReport, ParseProblem};
use crate::catalog::yamltree::Pos;
use crate::model::finding::Severity;
use crate::model::{Finding, Snapshot};
use crate::pipeline::expr::{self, Piece};
use crate::pipeline::{plan, Dialect, Job, PassedSecrets, Step, StepAction, Text, Workflow};

/// The pipeline finding classes.
pub const CLASSES: &[&str] = &[
    "ci.hardcoded-secret",
    "ci.secret-echo",
    "ci.script-injection",
    "ci.unpinned-action",
    "ci.broad-permissions",
    "ci.missing-gate",
    "ci.undefined-secret",
    "ci.schema",
];

/// Extra knowledge for the rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The secrets the repository provides (the exercise's secret store). When given,
    /// reading any other secret is `ci.undefined-secret`.
    pub known_secrets: Option<Vec<String>>,
}

/// Lint the pipelines under `dir`. `base` is accepted for symmetry with the other
/// families; no pipeline rule is diff-aware.
pub fn lint(snapshot: &Snapshot, _base: Option<&Snapshot>, dir: &str) -> LintReport {
    lint_with(snapshot, dir, &Settings::default())
}

/// [`lint`] with settings.
pub fn lint_with(snapshot: &Snapshot, dir: &str, settings: &Settings) -> LintReport {
    let loaded = crate::pipeline::load(snapshot, dir);
    let mut report = LintReport::default();
    for (file, e) in &loaded.syntax {
        report.problems.push(ParseProblem {
            file: file.clone(),
            line: e.pos.line,
            column: e.pos.column,
            message: format!("not valid YAML: {}", e.message),
        });
    }
    for (file, issue) in &loaded.issues {
        report.findings.push(Finding {
            class: "ci.schema".into(),
            rule: issue.rule.into(),
            file: file.clone(),
            line: issue.pos.line,
            column: issue.pos.column,
            severity: Severity::High,
            message: issue.message.clone(),
            subject: issue.subject.clone(),
        });
    }
    for wf in &loaded.workflows {
        let text = snapshot.get(&wf.file).unwrap_or("");
        let mut cx = Cx { wf, text, all: &loaded.workflows, settings, out: &mut report.findings };
        cx.hardcoded_secrets();
        cx.secret_echo();
        cx.script_injection();
        cx.unpinned_actions();
        cx.broad_permissions();
        cx.missing_gate();
        cx.undefined_secrets();
    }
    report.findings.sort_by(|a, b| {
        (&a.file, a.line, &a.class, a.column, &a.rule, &a.subject)
            .cmp(&(&b.file, b.line, &b.class, b.column, &b.rule, &b.subject))
    });
    report.findings.dedup();
    report.problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    report
}

struct Cx<'a> {
    wf: &'a Workflow,
    text: &'a str,
    all: &'a [Workflow],
    settings: &'a Settings,
    out: &'a mut Vec<Finding>,
}

/// One line of a script with where it is in the file.
struct Line<'s> {
    text: &'s str,
    line: usize,
    column: usize,
}

static ECHO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[;&|(]\s*|\bthen\s+|\bdo\s+)(?:echo|printf|print|cat\s*<<<|write-host|write-output|console\.log)\b",
    )
    .expect("valid regex")
});
static DUMP_ENV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:printenv|env|export\s+-p|set)\s*(?:[;|#]|$)").expect("valid regex"));
static SHELL_VAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?").expect("valid regex"));
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(password|passwd|secret|token|api_?key|private_?key|access_?key|credentials?)")
        .expect("valid regex")
});
static TEST_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(pytest|unittest|make\s+(?:test|check)|npm\s+(?:run\s+)?test|go\s+test|cargo\s+test|mvn\s+\S*\s*test|gradle\w*\s+test|tox|nox|bats|rspec|phpunit)\b")
        .expect("valid regex")
});
static TEST_JOB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(^|[^a-z])(test|tests|unit|check|verify|ci)([^a-z]|$)").expect("valid regex"));
static DEPLOY_JOB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(deploy|release|rollout|promote|production|prod)").expect("valid regex"));
static PUBLISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(docker\s+push|npm\s+publish|twine\s+upload|cargo\s+publish|gh\s+release|git\s+push|helm\s+push|gem\s+push|kubectl\s+apply|oras\s+push)\b")
        .expect("valid regex")
});
static SWALLOWED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\|\|\s*(?:true|:|exit\s+0)\b|;\s*(?:true|exit\s+0)\s*$").expect("valid regex"));
static SHA: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9a-f]{40}$").expect("valid regex"));

/// `github.event` fields an outsider can write (titles, bodies, branch names, messages).
const UNTRUSTED: &[&str] = &[
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.commits",
    "github.event.pages",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.event.inputs",
    "inputs",
];

impl Cx<'_> {
    fn push(
        &mut self,
        class: &str,
        rule: &str,
        pos: (usize, usize),
        severity: Severity,
        subject: String,
        message: String,
    ) {
        self.out.push(Finding {
            class: class.into(),
            rule: rule.into(),
            file: self.wf.file.clone(),
            line: pos.0,
            column: pos.1,
            severity,
            message,
            subject,
        });
    }

    /// The lines of a run step's script with their file positions.
    fn lines<'s>(&self, step: &'s Step) -> Vec<Line<'s>> {
        let StepAction::Run { script, lines, .. } = &step.action else { return Vec::new() };
        if !lines.is_empty() {
            return lines
                .iter()
                .map(|l| Line { text: l.value.as_str(), line: l.pos.line, column: l.pos.column })
                .collect();
        }
        let block = matches!(self.text.as_bytes().get(script.pos.offset), Some(b'|' | b'>'));
        let source: Vec<&str> = self.text.lines().collect();
        script
            .value
            .lines()
            .enumerate()
            .map(|(i, text)| {
                if block {
                    let line = script.pos.line + 1 + i;
                    let indent = source.get(line - 1).map_or(0, |l| l.len() - l.trim_start().len());
                    Line { text, line, column: indent + 1 }
                } else {
                    Line { text, line: script.pos.line + i, column: script.pos.column }
                }
            })
            .collect()
    }

    fn run_steps(&self) -> impl Iterator<Item = (&Job, &Step)> {
        self.wf.jobs.iter().flat_map(|j| j.steps.iter().map(move |s| (j, s)))
    }

    fn hardcoded_secrets(&mut self) {
        let wf = self.wf;
        let mut scopes: Vec<(String, &[crate::pipeline::Binding])> = vec![("workflow".into(), &wf.env)];
        for job in &wf.jobs {
            scopes.push((job.subject(), &job.env));
            scopes.push((job.subject(), &job.with));
            if let PassedSecrets::Map(m) = &job.secrets {
                scopes.push((job.subject(), m));
            }
            for s in &job.steps {
                scopes.push((job.step_subject(s.index), &s.env));
                scopes.push((job.step_subject(s.index), &s.with));
            }
        }
        for (subject, bindings) in scopes {
            for b in bindings {
                if b.value.contains("${{") || b.value.contains('$') && b.value.trim_start().starts_with('$') {
                    continue;
                }
                let probe = format!("{}: \"{}\"", b.name, b.value.replace('"', ""));
                if let Some(hit) = crate::rules::secrets::scan(&probe).into_iter().next() {
                    self.push(
                        "ci.hardcoded-secret",
                        &hit.rule,
                        (b.value_pos.line, b.value_pos.column),
                        Severity::Critical,
                        subject.clone(),
                        format!(
                            "`{}` holds a literal credential ({}); read it from `secrets` instead",
                            b.name, hit.snippet
                        ),
                    );
                }
            }
        }
        #[allow(clippy::type_complexity)]
        let steps: Vec<(String, Vec<(usize, usize, String, String)>)> = self
            .run_steps()
            .map(|(j, s)| {
                let hits = self
                    .lines(s)
                    .iter()
                    .flat_map(|l| {
                        crate::rules::secrets::scan(l.text)
                            .into_iter()
                            .map(|h| (l.line, l.column + h.column - 1, h.rule, h.snippet))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                (j.step_subject(s.index), hits)
            })
            .collect();
        for (subject, hits) in steps {
            for (line, column, rule, snippet) in hits {
                self.push(
                    "ci.hardcoded-secret",
                    &rule,
                    (line, column),
                    Severity::Critical,
                    subject.clone(),
                    format!("a literal credential in the script ({snippet}); read it from `secrets` instead"),
                );
            }
        }
    }

    /// Names of environment variables that carry a secret for a step.
    fn secret_vars(&self, job: &Job, step: &Step) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for b in self.wf.env.iter().chain(&job.env).chain(&step.env) {
            if b.value.contains("secrets.") {
                out.insert(b.name.clone());
            }
        }
        if self.wf.dialect == Dialect::GitLab {
            // CI/CD variables come from the project settings: any variable the file does not
            // define itself, named like a credential (or known to the secret store).
            let defined: BTreeSet<&str> = self.wf.env.iter().chain(&job.env).map(|b| b.name.as_str()).collect();
            for l in self.lines(step) {
                for c in SHELL_VAR.captures_iter(l.text) {
                    let name = &c[1];
                    let known = self.settings.known_secrets.as_ref().is_some_and(|k| k.iter().any(|s| s == name));
                    if !defined.contains(name) && (known || SECRET_NAME.is_match(name)) {
                        out.insert(name.to_string());
                    }
                }
            }
        }
        out
    }

    fn secret_echo(&mut self) {
        let mut found = Vec::new();
        for (job, step) in self.run_steps() {
            let vars = self.secret_vars(job, step);
            for l in self.lines(step) {
                let code = l.text.split(" #").next().unwrap_or(l.text);
                if DUMP_ENV.is_match(code) && !vars.is_empty() {
                    found.push((
                        l.line,
                        l.column,
                        job.step_subject(step.index),
                        "dump-env",
                        format!(
                            "`{}` prints the whole environment, including the secret(s) {}",
                            code.trim(),
                            vars.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                    continue;
                }
                let Some(m) = ECHO.find(code) else { continue };
                // The printed part: up to a pipe into another command or a redirect to a file.
                let rest = &code[m.start()..];
                // A pipe or redirect inside `$( … )` belongs to the substitution, whose
                // output is printed: only one outside it ends what is printed.
                let printed = &rest[..outside_substitution(rest, &['|', '>']).unwrap_or(rest.len())];
                let after = &rest[printed.len()..];
                // Piped into another command or redirected to a file: not printed to the log.
                if (after.starts_with('|') && !after.starts_with("||")) || after.starts_with('>') {
                    continue;
                }
                let mut named: Vec<String> = Vec::new();
                if let Ok(pieces) = expr::split_template(printed) {
                    for p in pieces {
                        if let Piece::Expr(inner, _) = p {
                            if let Ok(e) = expr::parse(inner) {
                                named.extend(expr::paths(&e).into_iter().filter(|p| p.starts_with("secrets.")));
                            }
                        }
                    }
                }
                for c in SHELL_VAR.captures_iter(printed) {
                    if vars.contains(&c[1]) {
                        named.push(format!("${}", &c[1]));
                    }
                }
                if !named.is_empty() {
                    found.push((
                        l.line,
                        l.column,
                        job.step_subject(step.index),
                        "print",
                        format!(
                            "the script prints {} to the log; masking is not a guarantee (encodings, substrings)",
                            named.join(", ")
                        ),
                    ));
                }
            }
        }
        for (line, column, subject, rule, message) in found {
            self.push("ci.secret-echo", rule, (line, column), Severity::High, subject, message);
        }
    }

    fn script_injection(&mut self) {
        if self.wf.dialect != Dialect::GitHub {
            return;
        }
        let mut found = Vec::new();
        for (job, step) in self.run_steps() {
            for l in self.lines(step) {
                found.extend(
                    untrusted_in(l.text).into_iter().map(|p| (l.line, l.column, job.step_subject(step.index), p)),
                );
            }
        }
        for job in &self.wf.jobs {
            for step in &job.steps {
                let StepAction::Uses(u) = &step.action else { continue };
                if !u.value.starts_with("actions/github-script") {
                    continue;
                }
                for b in step.with.iter().filter(|b| b.name == "script") {
                    for p in untrusted_in(&b.value) {
                        found.push((b.value_pos.line, b.value_pos.column, job.step_subject(step.index), p));
                    }
                }
            }
        }
        for (line, column, subject, path) in found {
            self.push(
                "ci.script-injection",
                "untrusted-expression",
                (line, column),
                Severity::High,
                subject,
                format!("`${{{{ {path} }}}}` is pasted into the script before it runs; pass it through `env:` and quote the variable"),
            );
        }
    }

    fn unpinned_actions(&mut self) {
        let mut found: Vec<(Pos, String, String)> = Vec::new();
        for job in &self.wf.jobs {
            if let Some(u) = &job.uses {
                if let Some(why) = unpinned(&u.value) {
                    found.push((u.pos, job.subject(), why));
                }
            }
            for step in &job.steps {
                if let StepAction::Uses(u) = &step.action {
                    if let Some(why) = unpinned(&u.value) {
                        found.push((u.pos, job.step_subject(step.index), why));
                    }
                }
            }
        }
        for (pos, subject, why) in found {
            self.push("ci.unpinned-action", "not-a-sha", (pos.line, pos.column), Severity::Medium, subject, why);
        }
    }

    fn publishes(job: &Job) -> bool {
        job.environment.is_some()
            || job.steps.iter().any(|s| match &s.action {
                StepAction::Uses(u) => {
                    let a = u.value.to_ascii_lowercase();
                    a.starts_with("docker/login-action")
                        || a.starts_with("docker/build-push-action")
                        || a.contains("release")
                        || a.contains("publish")
                        || a.contains("deploy")
                }
                StepAction::Run { script, .. } => PUBLISH.is_match(&script.value),
            })
    }

    fn broad_permissions(&mut self) {
        if self.wf.dialect != Dialect::GitHub {
            return;
        }
        if let Some(p) = self.wf.permissions.as_ref().filter(|p| p.is_write_all()) {
            let pos = p.pos();
            self.push(
                "ci.broad-permissions",
                "write-all",
                (pos.line, pos.column),
                Severity::Medium,
                "workflow".into(),
                "`permissions: write-all` gives every job write access to everything; grant each job only the scopes it needs".into(),
            );
        }
        let mut found = Vec::new();
        for job in &self.wf.jobs {
            match &job.permissions {
                Some(p) if p.is_write_all() => found.push((p.pos(), job.subject(), "write-all", format!(
                    "job `{}` has `permissions: write-all`; grant only the scopes it needs", job.id
                ))),
                None if self.wf.permissions.is_none() && job.uses.is_none() && Self::publishes(job) => {
                    found.push((job.pos, job.subject(), "missing-least-privilege", format!(
                        "job `{}` publishes or deploys but neither it nor the workflow sets `permissions:`, so it runs with the token's default (often write) scopes",
                        job.id
                    )))
                }
                _ => {}
            }
        }
        for (pos, subject, rule, message) in found {
            self.push("ci.broad-permissions", rule, (pos.line, pos.column), Severity::Medium, subject, message);
        }
    }

    fn is_test_job(job: &Job) -> bool {
        TEST_JOB.is_match(&job.label()) || job.steps.iter().any(|s| Self::test_step(s).is_some())
    }

    /// The test command line of a step, if it runs tests.
    fn test_step(step: &Step) -> Option<&str> {
        let StepAction::Run { script, .. } = &step.action else { return None };
        script.value.lines().find(|l| TEST_COMMAND.is_match(l))
    }

    /// Why a test job cannot stop a deploy, if it cannot.
    fn cannot_fail(job: &Job) -> Option<String> {
        if job.continue_on_error {
            return Some(format!("test job `{}` has `continue-on-error: true`", job.id));
        }
        if job.allow_failure {
            return Some(format!("test job `{}` has `allow_failure: true`", job.id));
        }
        for s in &job.steps {
            if let Some(line) = Self::test_step(s) {
                if s.continue_on_error {
                    return Some(format!("the test step of `{}` has `continue-on-error: true`", job.id));
                }
                if SWALLOWED.is_match(line) {
                    return Some(format!("the test command of `{}` swallows its failure (`{}`)", job.id, line.trim()));
                }
            }
        }
        None
    }

    fn is_deploy_job(job: &Job) -> bool {
        job.environment.is_some() || DEPLOY_JOB.is_match(&job.label())
    }

    fn missing_gate(&mut self) {
        let wf = self.wf;
        let tests: Vec<&Job> = wf.jobs.iter().filter(|j| Self::is_test_job(j) && !Self::is_deploy_job(j)).collect();
        if tests.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for job in wf.jobs.iter().filter(|j| Self::is_deploy_job(j)) {
            let before = plan::ancestors(wf, job);
            let gates: Vec<&Job> = tests.iter().copied().filter(|t| before.contains(&t.id)).collect();
            if gates.is_empty() {
                let names: Vec<&str> = tests.iter().map(|t| t.id.as_str()).collect();
                found.push((
                    job.pos,
                    job.subject(),
                    "no-test-dependency",
                    format!(
                        "deploy job `{}` does not wait for the tests ({}); add them to its `needs`",
                        job.id,
                        names.join(", ")
                    ),
                ));
                continue;
            }
            let open: Vec<String> = gates.iter().filter_map(|t| Self::cannot_fail(t)).collect();
            if open.len() == gates.len() {
                found.push((
                    job.pos,
                    job.subject(),
                    "test-cannot-fail",
                    format!("deploy job `{}` waits for tests that cannot fail: {}", job.id, open.join("; ")),
                ));
                continue;
            }
            if let Some(c) = &job.condition {
                if let Ok(e) = expr::parse(expr::strip_braces(&c.value)) {
                    let text = format!("{e:?}").to_ascii_lowercase();
                    if text.contains("\"always\"") || text.contains("\"failure\"") {
                        found.push((
                            c.pos,
                            job.subject(),
                            "runs-despite-failure",
                            format!("deploy job `{}` runs even when its tests fail (`if: {}`)", job.id, c.value),
                        ));
                    }
                }
            }
            if job.when.as_deref() == Some("always") {
                found.push((
                    job.pos,
                    job.subject(),
                    "runs-despite-failure",
                    format!("deploy job `{}` has `when: always`, so it runs even when the tests fail", job.id),
                ));
            }
        }
        for (pos, subject, rule, message) in found {
            self.push("ci.missing-gate", rule, (pos.line, pos.column), Severity::High, subject, message);
        }
    }

    /// `secrets.X` read anywhere in a job, with positions.
    fn secret_reads(job: &Job) -> Vec<(String, Pos, String)> {
        let mut texts: Vec<(&Text, String)> = Vec::new();
        let owned: Vec<(Text, String)> = job
            .env
            .iter()
            .chain(&job.with)
            .map(|b| (Text { value: b.value.clone(), pos: b.value_pos }, job.subject()))
            .chain(job.steps.iter().flat_map(|s| {
                s.env
                    .iter()
                    .chain(&s.with)
                    .map(move |b| (Text { value: b.value.clone(), pos: b.value_pos }, job.step_subject(s.index)))
            }))
            .collect();
        for (t, s) in &owned {
            texts.push((t, s.clone()));
        }
        for s in &job.steps {
            if let StepAction::Run { script, .. } = &s.action {
                texts.push((script, job.step_subject(s.index)));
            }
            if let Some(c) = &s.condition {
                texts.push((c, job.step_subject(s.index)));
            }
        }
        if let Some(c) = &job.condition {
            texts.push((c, job.subject()));
        }
        let mut out = Vec::new();
        for (t, subject) in texts {
            let Ok(pieces) = expr::split_template(&t.value) else { continue };
            let mut exprs: Vec<&str> =
                pieces.iter().filter_map(|p| if let Piece::Expr(e, _) = p { Some(*e) } else { None }).collect();
            if exprs.is_empty() && t.value.contains("secrets.") && !t.value.contains("${{") {
                // A bare `if:` condition.
                exprs.push(t.value.as_str());
            }
            for e in exprs {
                if let Ok(parsed) = expr::parse(e) {
                    for p in expr::paths(&parsed) {
                        if let Some(name) = p.strip_prefix("secrets.") {
                            out.push((name.to_string(), t.pos, subject.clone()));
                        }
                    }
                }
            }
        }
        out
    }

    fn callee(&self, uses: &str) -> Option<&Workflow> {
        let path = uses.strip_prefix("./")?;
        self.all.iter().find(|w| w.file == path || w.file.ends_with(&format!("/{path}")))
    }

    fn undefined_secrets(&mut self) {
        if self.wf.dialect != Dialect::GitHub {
            return;
        }
        let wf = self.wf;
        let mut found: Vec<(Pos, String, &str, String)> = Vec::new();
        let declared: BTreeSet<&str> = wf.call_secrets.iter().map(|(t, _)| t.value.as_str()).collect();
        let store = self.settings.known_secrets.as_ref();
        // A caller that passes `secrets: inherit` lets the called workflow read any of its
        // secrets, declared or not.
        let inherited = self.all.iter().flat_map(|w| &w.jobs).any(|j| {
            matches!(j.secrets, PassedSecrets::Inherit)
                && j.uses.as_ref().and_then(|u| self.callee(&u.value)).is_some_and(|c| c.file == wf.file)
        });
        for job in &wf.jobs {
            for (name, pos, subject) in Self::secret_reads(job) {
                if name == "GITHUB_TOKEN" || name == "*" {
                    continue;
                }
                if wf.is_reusable() {
                    if !inherited && !declared.contains(name.as_str()) {
                        found.push((pos, subject, "not-declared", format!(
                            "`secrets.{name}` is read, but this reusable workflow does not declare it under `on.workflow_call.secrets`"
                        )));
                    }
                } else if store.is_some_and(|s| !s.contains(&name)) {
                    found.push((
                        pos,
                        subject,
                        "not-in-store",
                        format!(
                            "`secrets.{name}` is not a secret of this repository ({})",
                            store.map(|s| s.join(", ")).unwrap_or_default()
                        ),
                    ));
                }
            }
            // A caller must hand a reusable workflow the secrets it needs.
            let Some(uses) = &job.uses else { continue };
            let Some(callee) = self.callee(&uses.value) else { continue };
            let mut needed: BTreeSet<String> =
                callee.call_secrets.iter().filter(|(_, required)| *required).map(|(t, _)| t.value.clone()).collect();
            for j in &callee.jobs {
                needed.extend(Self::secret_reads(j).into_iter().map(|(n, _, _)| n).filter(|n| n != "GITHUB_TOKEN"));
            }
            let at = job.secrets_pos.unwrap_or(uses.pos);
            for name in needed {
                let missing = match &job.secrets {
                    PassedSecrets::Inherit => false,
                    PassedSecrets::None => true,
                    PassedSecrets::Map(m) => !m.iter().any(|b| b.name == name),
                };
                if missing {
                    found.push((at, job.subject(), "not-passed", format!(
                        "job `{}` calls `{}`, which reads `secrets.{name}`, but does not pass it (add it under `secrets:`)",
                        job.id, uses.value
                    )));
                }
            }
        }
        for (pos, subject, rule, message) in found {
            self.push("ci.undefined-secret", rule, (pos.line, pos.column), Severity::High, subject, message);
        }
    }
}

/// Untrusted context paths read by the `${{ }}` expressions of a text.
fn untrusted_in(text: &str) -> Vec<String> {
    let Ok(pieces) = expr::split_template(text) else { return Vec::new() };
    let mut out = Vec::new();
    for p in pieces {
        let Piece::Expr(inner, _) = p else { continue };
        let Ok(e) = expr::parse(inner) else { continue };
        for path in expr::paths(&e) {
            let hit = UNTRUSTED.iter().any(|u| path == *u || path.starts_with(&format!("{u}.")));
            if hit && !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// Why a `uses:` reference is not pinned, or `None` when it is acceptable.
pub fn unpinned(uses: &str) -> Option<String> {
    if uses.starts_with("./") || uses.starts_with("../") {
        return None;
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        return (!image.contains("@sha256:"))
            .then(|| format!("`{uses}` names an image by tag; pin it with `@sha256:<digest>`"));
    }
    let Some((name, reference)) = uses.rsplit_once('@') else {
        return Some(format!("`{uses}` names no version at all; pin it to a full commit SHA"));
    };
    let owner = name.split('/').next().unwrap_or("").to_ascii_lowercase();
    if owner == "actions" || owner == "github" {
        return None;
    }
    (!SHA.is_match(reference)).then(|| {
        format!("third-party `{name}` is pinned to `{reference}`, which its owner can move; pin a full 40-character commit SHA")
    })
}

/// Byte offset of the first of `stops` that is not inside a `$( … )` command substitution.
fn outside_substitution(text: &str, stops: &[char]) -> Option<usize> {
    let mut depth = 0usize;
    let mut prev = '\0';
    for (i, ch) in text.char_indices() {
        match ch {
            '(' if prev == '$' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            c if depth == 0 && stops.contains(&c) => return Some(i),
            _ => {}
        }
        prev = ch;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_inside_a_command_substitution_do_not_end_what_is_printed() {
        let line = r#"echo "in use: $(echo "$TOKEN" | cut -c1-8)..." | tee log"#;
        let at = outside_substitution(line, &['|', '>']).unwrap();
        assert_eq!(&line[at..], "| tee log");
        assert_eq!(outside_substitution("echo $(a | b)", &['|']), None);
    }

    #[test]
    fn pinning_policy() {
        assert_eq!(unpinned("actions/checkout@v4"), None);
        assert_eq!(unpinned("./.github/actions/setup"), None);
        assert_eq!(unpinned("docker/login-action@0123456789abcdef0123456789abcdef01234567"), None);
        assert!(unpinned("docker/login-action@v3").is_some());
        assert!(unpinned("someone/thing").is_some());
        assert!(unpinned("docker://alpine:3").is_some());
        assert_eq!(unpinned("docker://alpine@sha256:abc"), None);
    }

    #[test]
    fn untrusted_event_text_is_recognised_and_trusted_context_is_not() {
        assert_eq!(untrusted_in("echo ${{ github.event.issue.title }}"), ["github.event.issue.title"]);
        assert_eq!(
            untrusted_in("echo ${{ github.event.pull_request.head.ref }}"),
            ["github.event.pull_request.head.ref"]
        );
        assert!(untrusted_in("echo ${{ github.sha }} ${{ github.event.pull_request.number }}").is_empty());
    }
}
