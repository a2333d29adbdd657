//! Stage two of loading content: raw YAML shapes become validated domain types.
//! Every problem is collected (not only the first) with the line and column of the
//! value at fault, so an author fixes a file in one pass.

use std::collections::{BTreeMap, BTreeSet};

use super::diag::{line_col, ContentDiagnostic, ContentErrors};
use super::raw::{self, Sp};
use super::ContentTree;
use crate::model::check::{PathExpect, Risk};
use crate::model::finding::KNOWN_CLASSES;
use crate::model::scenario::{KubernetesSettings, PipelineSettings, TerraformSettings};
use crate::model::{
    CheckKind, CheckSpec, Decoy, Deliverable, Dimension, Edit, Exercise, FaultCommit, Hint, Level, ParamGen, ParamSpec,
    RedFlag, Scenario, Scorecard, Snapshot,
};
use crate::variant;

/// Collects problems for one file.
pub(crate) struct FileProblems<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub errors: ContentErrors,
}

impl<'a> FileProblems<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Self {
        FileProblems { file, text, errors: ContentErrors::default() }
    }
    pub fn at<T>(&mut self, sp: &Sp<T>, message: impl Into<String>) {
        self.errors.push(ContentDiagnostic::at(self.file, self.text, sp.line, sp.column, message));
    }
    pub fn at_help<T>(&mut self, sp: &Sp<T>, message: impl Into<String>, help: impl Into<String>) {
        self.errors.push(ContentDiagnostic::at(self.file, self.text, sp.line, sp.column, message).with_help(help));
    }
    pub fn whole(&mut self, message: impl Into<String>) {
        self.errors.push(ContentDiagnostic::file(self.file, message));
    }
}

pub(crate) fn scorecard(id: &str, raw: raw::RawScorecard, p: &mut FileProblems) -> Scorecard {
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for d in &raw.dimensions {
        if !seen.insert(d.id.value.clone()) {
            p.at(&d.id, format!("dimension `{}` is defined twice", d.id.value));
        }
        if d.weight.value == 0 {
            p.at(&d.weight, "a dimension's weight must be above 0");
        }
        total += d.weight.value;
    }
    if total != 100 {
        if let Some(first) = raw.dimensions.first() {
            p.at_help(
                &first.weight,
                format!("dimension weights sum to {total}, not 100"),
                "adjust the weights so they add up to 100",
            );
        } else {
            p.whole("a scorecard needs at least one dimension");
        }
    }
    if !(0.0..=100.0).contains(&raw.pass_mark.value) {
        p.at(&raw.pass_mark, "pass_mark must be between 0 and 100");
    }
    if raw.rating_scale.max.value <= raw.rating_scale.min {
        p.at(&raw.rating_scale.max, "rating_scale.max must be above rating_scale.min");
    }
    let mut level_ids = BTreeSet::new();
    let mut last = f64::NEG_INFINITY;
    for l in &raw.levels {
        if !level_ids.insert(l.id.value.clone()) {
            p.at(&l.id, format!("level `{}` is defined twice", l.id.value));
        }
        if l.min_score.value <= last {
            p.at(&l.min_score, "levels must be listed with strictly rising min_score");
        }
        last = l.min_score.value;
    }
    if raw.levels.is_empty() {
        p.whole("a scorecard needs at least one level");
    }
    let mut flags = BTreeSet::new();
    for r in &raw.red_flags {
        if !flags.insert(r.id.value.clone()) {
            p.at(&r.id, format!("red flag `{}` is defined twice", r.id.value));
        }
        if !level_ids.contains(&r.caps_at.value) {
            p.at_help(
                &r.caps_at,
                format!("caps_at names no level: `{}`", r.caps_at.value),
                format!("levels: {}", level_ids.iter().cloned().collect::<Vec<_>>().join(", ")),
            );
        }
    }
    Scorecard {
        id: id.to_string(),
        title: raw.title,
        pass_mark: raw.pass_mark.value,
        rating_scale: (raw.rating_scale.min, raw.rating_scale.max.value),
        dimensions: raw
            .dimensions
            .into_iter()
            .map(|d| Dimension {
                id: d.id.value,
                title: d.title,
                weight: d.weight.value,
                meets_bar: d.meets_bar,
                rated_by: d.rated_by,
            })
            .collect(),
        levels: raw
            .levels
            .into_iter()
            .map(|l| Level { id: l.id.value, title: l.title, min_score: l.min_score.value })
            .collect(),
        red_flags: raw
            .red_flags
            .into_iter()
            .map(|r| RedFlag { id: r.id.value, title: r.title, description: r.description, caps_at: r.caps_at.value })
            .collect(),
    }
}

/// Where scenario-level references point, for the exercise-level cross checks.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScenarioRefs {
    /// (check id, dimension, line, column)
    pub dimensions: Vec<(String, String, usize, usize)>,
    /// (check id, red flag, line, column)
    pub red_flags: Vec<(String, String, usize, usize)>,
}

pub(crate) fn scenario(
    id: &str,
    dir: &str,
    raw: raw::RawScenario,
    tree: &ContentTree,
    p: &mut FileProblems,
) -> (Scenario, ScenarioRefs) {
    let mut refs = ScenarioRefs::default();
    // Parameters.
    let mut params = Vec::new();
    let mut names = BTreeSet::new();
    for rp in raw.params {
        let valid_name = !rp.name.value.is_empty()
            && rp.name.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            p.at(&rp.name, format!("parameter name `{}` may use only letters, digits, `_` and `-`", rp.name.value));
        }
        if !names.insert(rp.name.value.clone()) {
            p.at(&rp.name, format!("parameter `{}` is defined twice", rp.name.value));
        }
        let gens = [rp.choice.is_some(), rp.int.is_some(), rp.hex.is_some()].iter().filter(|b| **b).count();
        if gens != 1 {
            p.at_help(
                &rp.name,
                format!("parameter `{}` needs exactly one generator", rp.name.value),
                "use one of: choice, int, hex",
            );
            continue;
        }
        let gen = if let Some(values) = rp.choice {
            if values.is_empty() {
                p.at(&rp.name, "choice needs at least one value");
            }
            ParamGen::Choice(values)
        } else if let Some(r) = rp.int {
            if r.min > r.max {
                p.at(&rp.name, "int range has min above max");
            }
            ParamGen::Int { min: r.min, max: r.max }
        } else {
            let len = rp.hex.unwrap_or(0);
            if len == 0 || len > 32 {
                p.at(&rp.name, "hex length must be between 1 and 32");
            }
            ParamGen::Hex { len }
        };
        params.push(ParamSpec { name: rp.name.value, gen });
    }
    let name_list: Vec<&str> = names.iter().map(String::as_str).collect();

    // Base files: the shared fixtures named by `base_from:` (folders under
    // `scenarios/`), in order, then everything under `<dir>/base/` laid over them.
    let mut base_prefixes = Vec::new();
    for from in &raw.base_from {
        let folder = from.value.trim_matches('/');
        let well_formed = !folder.is_empty()
            && !from.value.starts_with('/')
            && folder.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
        let prefix = format!("scenarios/{folder}/");
        if !well_formed {
            p.at(from, "`base_from` is a folder under `scenarios/`, such as `shared/ratecard-app`");
        } else if !tree.files.range(prefix.clone()..).next().is_some_and(|(path, _)| path.starts_with(&prefix)) {
            p.at(from, format!("no files under {prefix} for `base_from`"));
        } else {
            base_prefixes.push(prefix);
        }
    }
    let own_base = format!("{dir}/base/");
    base_prefixes.push(own_base.clone());
    let mut base = Snapshot::new();
    for base_prefix in &base_prefixes {
        for (path, text) in tree.files.range(base_prefix.clone()..) {
            let Some(rel) = path.strip_prefix(base_prefix.as_str()) else { break };
            for unknown in variant::unknown_placeholders(text, &name_list) {
                let (line, column) = line_col(text, unknown.offset);
                p.errors.push(ContentDiagnostic::at(
                    &tree.display(path),
                    text,
                    line,
                    column,
                    format!("placeholder `@{{{}}}` names no parameter of scenario `{id}`", unknown.name),
                ));
            }
            base.insert(rel, text.clone());
        }
    }
    if base.is_empty() && raw.base_from.is_empty() {
        p.whole(format!("scenario `{id}` has no base files (expected them under {own_base} or from `base_from`)"));
    }

    let edits_of = |list: Vec<Sp<raw::RawEdit>>, p: &mut FileProblems| -> Vec<Edit> {
        list.into_iter().filter_map(|e| edit(dir, &base, e, tree, &name_list, p)).collect()
    };

    let mut fault = Vec::new();
    for c in raw.fault.commits {
        let edits = edits_of(c.edits, p);
        if edits.is_empty() {
            p.whole(format!("a fault commit of `{id}` has no edits"));
        }
        fault.push(FaultCommit {
            message: c.message,
            author: c.author.unwrap_or_else(|| "Sam Rivera <sam.rivera@example.com>".to_string()),
            edits,
        });
    }
    if fault.is_empty() {
        p.whole(format!("scenario `{id}` injects nothing: fault.commits is empty"));
    }
    let solution = edits_of(raw.solution, p);

    // Checks.
    let mut check_ids = BTreeSet::new();
    let mut checks = Vec::new();
    for c in raw.checks {
        if !check_ids.insert(c.id.value.clone()) {
            p.at(&c.id, format!("check `{}` is defined twice", c.id.value));
        }
        refs.dimensions.push((c.id.value.clone(), c.dimension.value.clone(), c.dimension.line, c.dimension.column));
        if let Some(rf) = &c.red_flag {
            refs.red_flags.push((c.id.value.clone(), rf.value.clone(), rf.line, rf.column));
        }
        if let Some(kind) = check_kind(&c, &name_list, p) {
            checks.push(CheckSpec {
                id: c.id.value,
                title: c.title,
                kind,
                points: c.points,
                dimension: c.dimension.value,
                hidden: c.hidden,
                required: c.required,
                feedback: c.feedback,
                red_flag: c.red_flag.map(|r| r.value),
            });
        }
    }
    if checks.is_empty() {
        p.whole(format!("scenario `{id}` has no checks"));
    }

    let mut decoys = Vec::new();
    let mut decoy_ids = BTreeSet::new();
    for d in raw.decoys {
        if !decoy_ids.insert(d.id.value.clone()) {
            p.at(&d.id, format!("decoy `{}` is defined twice", d.id.value));
        }
        for m in &d.must_fail {
            if !check_ids.contains(&m.value) {
                p.at(m, format!("must_fail names no check of this scenario: `{}`", m.value));
            }
        }
        decoys.push(Decoy {
            id: d.id.value,
            title: d.title,
            edits: edits_of(d.edits, p),
            must_fail: d.must_fail.into_iter().map(|m| m.value).collect(),
        });
    }
    for b in &raw.verify.broken_fails {
        if !check_ids.contains(&b.value) {
            p.at(b, format!("broken_fails names no check of this scenario: `{}`", b.value));
        }
    }
    let mut hints = Vec::new();
    for h in raw.hints {
        if h.cost.value < 0.0 || h.cost.value > 100.0 {
            p.at(&h.cost, "a hint's cost must be between 0 and 100 points");
        }
        hints.push(Hint { text: h.text, cost: h.cost.value });
    }

    // Placeholders in YAML strings (branch, messages, checks, hints).
    let mut yaml_strings: Vec<String> = vec![raw.fault.branch.clone()];
    yaml_strings.extend(fault.iter().map(|c| c.message.clone()));
    yaml_strings.extend(hints.iter().map(|h| h.text.clone()));
    for c in &checks {
        yaml_strings.push(serde_json::to_string(c).unwrap_or_default());
    }
    for s in yaml_strings {
        for u in variant::unknown_placeholders(&s, &name_list) {
            p.whole(format!("placeholder `@{{{}}}` names no parameter of scenario `{id}`", u.name));
        }
    }

    let kubernetes = raw.kubernetes.map(|k| kubernetes_settings(id, dir, k, &params, tree, p));

    let domain = id.split('/').next().unwrap_or("").to_string();
    let terraform = raw
        .terraform
        .map(|t| TerraformSettings { required_tags: t.required_tags, stateful_types: t.stateful_types })
        .unwrap_or_default();
    let pipeline = raw.pipeline.map(|r| pipeline_settings(r, &base, p));
    for c in &checks {
        if let CheckKind::PipelineRun { workflow: None, .. } = c.kind {
            if pipeline.is_none() {
                p.whole(format!(
                    "check `{}` runs the pipeline but names no workflow and scenario `{id}` has no `pipeline:` settings",
                    c.id
                ));
            }
        }
    }
    let scenario = Scenario {
        id: id.to_string(),
        title: raw.title,
        domain,
        summary: raw.summary,
        needs: raw.needs,
        mount: raw.mount,
        params,
        base,
        branch: raw.fault.branch,
        fault,
        solution,
        decoys,
        hints,
        checks,
        broken_fails: raw.verify.broken_fails.into_iter().map(|b| b.value).collect(),
        terraform,
        kubernetes,
        pipeline,
    };
    (scenario, refs)
}

/// The `kubernetes:` block: the recorded state is read (relative to the scenario
/// folder), its placeholders checked, and it must parse for a sample variant.
fn kubernetes_settings(
    id: &str,
    dir: &str,
    k: raw::RawKubernetes,
    params: &[ParamSpec],
    tree: &ContentTree,
    p: &mut FileProblems,
) -> KubernetesSettings {
    if k.manifests.is_empty() || k.manifests.starts_with('/') || k.manifests.contains("..") {
        p.whole(format!("kubernetes.manifests of `{id}` must be a folder relative to the mount"));
    }
    let recorded = k.recorded.and_then(|r| {
        let full = format!("{dir}/{}", r.value);
        let Some(text) = tree.files.get(&full) else {
            p.at(&r, format!("kubernetes.recorded names no file (looked for {full})"));
            return None;
        };
        let names: Vec<&str> = params.iter().map(|x| x.name.as_str()).collect();
        let unknown = variant::unknown_placeholders(text, &names);
        for u in &unknown {
            let (line, column) = line_col(text, u.offset);
            p.errors.push(ContentDiagnostic::at(
                &tree.display(&full),
                text,
                line,
                column,
                format!("placeholder `@{{{}}}` names no parameter of scenario `{id}`", u.name),
            ));
        }
        if unknown.is_empty() {
            let sample = variant::render(text, &variant::choose(id, params, 1)).unwrap_or_else(|_| text.clone());
            if let Err(e) = crate::model::observed::ObservedState::from_yaml(&sample) {
                let d = if e.line == 0 {
                    ContentDiagnostic::file(&tree.display(&full), format!("recorded state: {}", e.message))
                } else {
                    ContentDiagnostic::at(
                        &tree.display(&full),
                        text,
                        e.line,
                        e.column,
                        format!("recorded state: {}", e.message),
                    )
                };
                p.errors.push(d.with_help(
                    "keys: deployments, pods, events, endpoint_slices (Kubernetes objects), logs ({pod, container, previous, text})",
                ));
            }
        }
        Some(text.clone())
    });
    KubernetesSettings { manifests: k.manifests, recorded, workload: k.workload }
}

fn pipeline_settings(r: raw::RawPipeline, base: &Snapshot, p: &mut FileProblems) -> PipelineSettings {
    if crate::pipeline::Dialect::of_path(&r.workflow.value).is_none() {
        p.at_help(
            &r.workflow,
            format!("`{}` is not a workflow file", r.workflow.value),
            "use .github/workflows/<name>.yml or .gitlab-ci.yml (relative to the mount)",
        );
    } else if !base.contains(&r.workflow.value) {
        p.at(&r.workflow, format!("the base files have no `{}`", r.workflow.value));
    }
    for name in r.secrets.keys() {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            p.at(&r.workflow, format!("secret name `{name}` may use only letters, digits and `_`"));
        }
    }
    if let Some(log) = &r.failing_log {
        if log.value.is_empty() || log.value.starts_with('/') || log.value.split('/').any(|s| s == "..") {
            p.at(log, "failing_log must be a relative path inside the workspace");
        }
    }
    PipelineSettings {
        workflow: r.workflow.value,
        secrets: r.secrets,
        image: r.image,
        network: r.network,
        failing_log: r.failing_log.map(|l| l.value),
    }
}

fn ci_class(c: &Sp<String>, p: &mut FileProblems) {
    class(c, p);
    if KNOWN_CLASSES.contains(&c.value.as_str()) && !c.value.starts_with("ci.") {
        p.at(c, format!("`{}` is not a pipeline class; ci_* checks take `ci.*` classes", c.value));
    }
}

/// One edit of a fault, solution or decoy. `from:` names a file in the scenario
/// folder; a `base/…` path that is not there is taken from the merged base (so a
/// scenario built on `base_from` can still name its base files).
fn edit(
    dir: &str,
    base: &Snapshot,
    e: Sp<raw::RawEdit>,
    tree: &ContentTree,
    names: &[&str],
    p: &mut FileProblems,
) -> Option<Edit> {
    let Sp { value, line, column } = e;
    let here = Sp { value: (), line, column };
    let contents = |w: raw::RawWrite, p: &mut FileProblems| -> Option<(String, String)> {
        match (w.content, w.from) {
            (Some(c), None) => Some((w.path, c)),
            (None, Some(from)) => {
                let full = format!("{dir}/{from}");
                match tree.files.get(&full) {
                    Some(text) => {
                        for u in variant::unknown_placeholders(text, names) {
                            let (l, c) = line_col(text, u.offset);
                            p.errors.push(ContentDiagnostic::at(
                                &tree.display(&full),
                                text,
                                l,
                                c,
                                format!("placeholder `@{{{}}}` names no parameter", u.name),
                            ));
                        }
                        Some((w.path, text.clone()))
                    }
                    None => match from.strip_prefix("base/").and_then(|rel| base.get(rel)) {
                        Some(text) => Some((w.path, text.to_string())),
                        None => {
                            p.at(&here, format!("`from: {from}` names no file (looked for {full})"));
                            None
                        }
                    },
                }
            }
            _ => {
                p.at(&here, "give exactly one of `content` and `from`");
                None
            }
        }
    };
    match value {
        raw::RawEdit::Replace(r) => {
            if r.find.is_empty() {
                p.at(&here, "replace.find must not be empty");
                return None;
            }
            Some(Edit::Replace { path: r.path, find: r.find, with: r.with, count: r.count })
        }
        raw::RawEdit::Write(w) => contents(w, p).map(|(path, content)| Edit::Write { path, content }),
        raw::RawEdit::Append(w) => contents(w, p).map(|(path, content)| Edit::Append { path, content }),
        raw::RawEdit::Delete(path) => Some(Edit::Delete { path }),
    }
}

fn expect(raw: raw::RawExpect, names: &[&str], p: &mut FileProblems) -> PathExpect {
    if let Some(m) = &raw.matches {
        regex_ok(m, names, p);
    }
    PathExpect {
        exists: raw.exists,
        equals: raw.equals,
        contains: raw.contains,
        not_contains: raw.not_contains,
        matches: raw.matches.map(|m| m.value),
    }
}

fn class(c: &Sp<String>, p: &mut FileProblems) {
    if !KNOWN_CLASSES.contains(&c.value.as_str()) {
        p.at_help(
            c,
            format!("unknown finding class `{}`", c.value),
            format!("known classes: {}", KNOWN_CLASSES.join(", ")),
        );
    }
}

fn regex_ok(r: &Sp<String>, names: &[&str], p: &mut FileProblems) {
    let filled: variant::Params = names.iter().map(|n| (n.to_string(), "x".to_string())).collect();
    let text = variant::render(&r.value, &filled).unwrap_or_else(|_| r.value.clone());
    if let Err(e) = regex::RegexBuilder::new(&text).case_insensitive(true).build() {
        p.at(r, format!("invalid regex: {e}"));
    }
}

fn check_kind(c: &raw::RawCheck, names: &[&str], p: &mut FileProblems) -> Option<CheckKind> {
    let mut kinds: Vec<CheckKind> = Vec::new();
    if let Some(f) = &c.tf_fixed {
        class(&f.class, p);
        kinds.push(CheckKind::TfFixed {
            class: f.class.value.clone(),
            subject: f.subject.clone(),
            dir: f.dir.clone(),
            new_findings: f.new_findings,
        });
    }
    if let Some(f) = &c.tf_absent {
        class(&f.class, p);
        kinds.push(CheckKind::TfAbsent {
            class: f.class.value.clone(),
            subject: f.subject.clone(),
            dir: f.dir.clone(),
        });
    }
    if let Some(f) = &c.tf_no_new_findings {
        f.classes.iter().for_each(|c| class(c, p));
        kinds.push(CheckKind::TfNoNewFindings {
            classes: f.classes.iter().map(|c| c.value.clone()).collect(),
            dir: f.dir.clone(),
        });
    }
    if let Some(d) = &c.tf_parses {
        kinds.push(CheckKind::TfParses { dir: d.dir.clone() });
    }
    if let Some(path) = &c.file_exists {
        kinds.push(CheckKind::FileExists { path: path.clone() });
    }
    if let Some(path) = &c.file_absent {
        kinds.push(CheckKind::FileAbsent { path: path.clone() });
    }
    if let Some(r) = &c.regex {
        regex_ok(&r.pattern, names, p);
        kinds.push(CheckKind::Regex {
            path: r.path.clone(),
            pattern: r.pattern.value.clone(),
            expect_match: r.expect_match,
        });
    }
    if let Some(y) = &c.yaml_path {
        let e = expect(clone_expect(&y.expect), names, p);
        kinds.push(CheckKind::YamlPath { path: y.path.clone(), query: y.query.clone(), expect: e });
    }
    if let Some(h) = &c.hcl_path {
        let e = expect(clone_expect(&h.expect), names, p);
        kinds.push(CheckKind::HclPath { dir: h.dir.clone(), query: h.query.clone(), expect: e });
    }
    if let Some(cmd) = &c.command {
        if cmd.run.is_empty() {
            p.at(&c.id, "command.run needs a program");
        }
        if cmd.timeout_secs == 0 || cmd.timeout_secs > 3600 {
            p.at(&c.id, "command.timeout_secs must be between 1 and 3600");
        }
        kinds.push(CheckKind::Command {
            run: cmd.run.clone(),
            requires: cmd.requires.clone(),
            timeout_secs: cmd.timeout_secs,
            expect_exit: cmd.expect_exit,
            dir: cmd.dir.clone(),
            network: cmd.network,
        });
    }
    if let Some(t) = &c.tf_plan {
        kinds.push(CheckKind::TfPlan { dir: t.dir.clone(), protect: t.protect.clone(), timeout_secs: t.timeout_secs });
    }
    if c.no_secrets_in_diff.is_some() {
        kinds.push(CheckKind::NoSecretsInDiff);
    }
    if let Some(w) = &c.written_answer {
        for r in &w.risks {
            for pat in &r.patterns {
                regex_ok(pat, names, p);
            }
        }
        if w.min_named.value > w.risks.len() {
            p.at(
                &w.min_named,
                format!("min_named is {} but only {} risks are listed", w.min_named.value, w.risks.len()),
            );
        }
        kinds.push(CheckKind::WrittenAnswer {
            path: w.path.clone(),
            risks: w
                .risks
                .iter()
                .map(|r| Risk {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    patterns: r.patterns.iter().map(|p| p.value.clone()).collect(),
                })
                .collect(),
            min_named: w.min_named.value,
            min_words: w.min_words,
        });
    }
    k8s_live_kinds(c, p, &mut kinds);
    k8s_kinds(c, names, p, &mut kinds);
    if let Some(f) = &c.ci_fixed {
        ci_class(&f.class, p);
        kinds.push(CheckKind::CiFixed {
            class: f.class.value.clone(),
            subject: f.subject.clone(),
            dir: f.dir.clone(),
            new_findings: f.new_findings,
        });
    }
    if let Some(f) = &c.ci_absent {
        ci_class(&f.class, p);
        kinds.push(CheckKind::CiAbsent {
            class: f.class.value.clone(),
            subject: f.subject.clone(),
            dir: f.dir.clone(),
        });
    }
    if let Some(f) = &c.ci_no_new_findings {
        f.classes.iter().for_each(|c| ci_class(c, p));
        kinds.push(CheckKind::CiNoNewFindings {
            classes: f.classes.iter().map(|c| c.value.clone()).collect(),
            dir: f.dir.clone(),
        });
    }
    if let Some(d) = &c.ci_valid {
        kinds.push(CheckKind::CiValid { dir: d.dir.clone() });
    }
    if let Some(r) = &c.pipeline_run {
        if r.timeout_secs == 0 || r.timeout_secs > 3600 {
            p.at(&c.id, "pipeline_run.timeout_secs must be between 1 and 3600");
        }
        if let Some(w) = &r.workflow {
            if crate::pipeline::Dialect::of_path(w).is_none() {
                p.at(&c.id, format!("pipeline_run.workflow `{w}` is not a workflow file"));
            }
        }
        kinds.push(CheckKind::PipelineRun {
            workflow: r.workflow.clone(),
            jobs: r.jobs.clone(),
            expect: r.expect,
            timeout_secs: r.timeout_secs,
        });
    }
    match kinds.len() {
        1 => kinds.pop(),
        0 => {
            p.at_help(
                &c.id,
                format!("check `{}` has no kind", c.id.value),
                "add exactly one of: tf_fixed, tf_absent, tf_no_new_findings, tf_parses, file_exists, file_absent, regex, \
                 yaml_path, hcl_path, command, tf_plan, no_secrets_in_diff, written_answer, k8s_fixed, k8s_absent, \
                 k8s_no_new_findings, k8s_valid, k8s_path, k8s_limits, k8s_rollout, k8s_pods_ready, k8s_restarts_stable, \
                 k8s_no_bad_state, k8s_endpoints, k8s_http, k8s_rbac_unchanged, k8s_protected, ci_fixed, ci_absent, \
                 ci_no_new_findings, ci_valid, pipeline_run",
            );
            None
        }
        n => {
            p.at(&c.id, format!("check `{}` has {n} kinds; give exactly one", c.id.value));
            None
        }
    }
}

/// Longest wait a live check may ask for.
const MAX_LIVE_SECS: u64 = 900;

fn live_bound(v: &Option<Sp<u64>>, default: u64, what: &str, p: &mut FileProblems) -> u64 {
    let Some(v) = v else { return default };
    if v.value == 0 || v.value > MAX_LIVE_SECS {
        p.at(v, format!("{what} must be between 1 and {MAX_LIVE_SECS} seconds"));
    }
    v.value
}

fn label_selector(s: &Sp<String>, p: &mut FileProblems) -> String {
    let ok = !s.value.trim().is_empty()
        && s.value.split(',').all(|t| {
            let t = t.trim();
            let key = t.split(['=', '!']).next().unwrap_or("").trim();
            !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_./@{}".contains(c))
                && !t.contains(" in ")
        });
    if !ok {
        p.at_help(
            s,
            format!("`{}` is not an equality label selector", s.value),
            "write terms like `app=web` or `app=web,tier=frontend`",
        );
    }
    s.value.clone()
}

/// Kinds of Kubernetes objects `k8s_protected` can look up.
pub const PROTECTABLE_KINDS: &[&str] = &[
    "ConfigMap",
    "Secret",
    "Service",
    "ServiceAccount",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "PersistentVolumeClaim",
    "Role",
    "RoleBinding",
    "NetworkPolicy",
    "Ingress",
];

fn k8s_live_kinds(c: &raw::RawCheck, p: &mut FileProblems, kinds: &mut Vec<CheckKind>) {
    if let Some(r) = &c.k8s_rollout {
        if r.deployment.trim().is_empty() {
            p.at(&c.id, "k8s_rollout.deployment needs a name");
        }
        let within_secs = live_bound(&r.within_secs, 90, "within_secs", p);
        kinds.push(CheckKind::K8sRollout { deployment: r.deployment.clone(), within_secs });
    }
    if let Some(r) = &c.k8s_pods_ready {
        let selector = label_selector(&r.selector, p);
        kinds.push(CheckKind::K8sPodsReady { selector, within_secs: live_bound(&r.within_secs, 60, "within_secs", p) });
    }
    if let Some(r) = &c.k8s_restarts_stable {
        let selector = label_selector(&r.selector, p);
        kinds.push(CheckKind::K8sRestartsStable {
            selector,
            window_secs: live_bound(&r.window_secs, 20, "window_secs", p),
        });
    }
    if let Some(r) = &c.k8s_no_bad_state {
        kinds.push(CheckKind::K8sNoBadState { selector: label_selector(&r.selector, p) });
    }
    if let Some(r) = &c.k8s_endpoints {
        if r.service.trim().is_empty() {
            p.at(&c.id, "k8s_endpoints.service needs a name");
        }
        let within_secs = live_bound(&r.within_secs, 60, "within_secs", p);
        kinds.push(CheckKind::K8sEndpoints { service: r.service.clone(), within_secs });
    }
    if let Some(r) = &c.k8s_http {
        if r.service.trim().is_empty() {
            p.at(&c.id, "k8s_http.service needs a name");
        }
        if !r.path.starts_with('/') {
            p.at(&c.id, format!("k8s_http.path must start with `/`, not `{}`", r.path));
        }
        if !(100..=599).contains(&r.expect_status) {
            p.at(&c.id, format!("k8s_http.expect_status {} is not an HTTP status", r.expect_status));
        }
        let within_secs = live_bound(&r.within_secs, 30, "within_secs", p);
        kinds.push(CheckKind::K8sHttp {
            service: r.service.clone(),
            port: r.port,
            path: r.path.clone(),
            expect_status: r.expect_status,
            body_contains: r.body_contains.clone(),
            within_secs,
        });
    }
    if c.k8s_rbac_unchanged.is_some() {
        kinds.push(CheckKind::K8sRbacUnchanged);
    }
    if let Some(r) = &c.k8s_protected {
        if r.objects.is_empty() {
            p.at(&c.id, "k8s_protected.objects needs at least one `Kind/name`");
        }
        for o in &r.objects {
            match o.value.split_once('/') {
                Some((kind, name)) if PROTECTABLE_KINDS.contains(&kind) && !name.is_empty() => {}
                _ => p.at_help(
                    o,
                    format!("`{}` is not `Kind/name` with a known kind", o.value),
                    format!("kinds: {}", PROTECTABLE_KINDS.join(", ")),
                ),
            }
        }
        kinds.push(CheckKind::K8sProtected { objects: r.objects.iter().map(|o| o.value.clone()).collect() });
    }
}

/// A class named by a `k8s_*` check: known, and one of the Kubernetes rules'.
fn k8s_class(c: &Sp<String>, p: &mut FileProblems) {
    class(c, p);
    if KNOWN_CLASSES.contains(&c.value.as_str()) && !c.value.starts_with("k8s.") {
        p.at(c, format!("`{}` is not a Kubernetes class; k8s_* checks take the k8s.* classes", c.value));
    }
}

/// `Kind/name`.
fn k8s_object(o: &Sp<String>, p: &mut FileProblems) {
    let ok = o.value.split_once('/').is_some_and(|(k, n)| !k.is_empty() && !n.is_empty() && !n.contains('/'));
    if !ok {
        p.at_help(o, format!("`{}` does not name an object", o.value), "write `Kind/name`, e.g. `Deployment/web`");
    }
}

fn k8s_quantity(q: &Option<Sp<String>>, p: &mut FileProblems) {
    let Some(q) = q else { return };
    if q.value.contains("@{") {
        return; // filled in per variant
    }
    if let Err(e) = crate::rules::kubernetes::quantity::Quantity::parse(&q.value) {
        p.at(q, e.to_string());
    }
}

fn k8s_kinds(c: &raw::RawCheck, names: &[&str], p: &mut FileProblems, kinds: &mut Vec<CheckKind>) {
    if let Some(f) = &c.k8s_fixed {
        k8s_class(&f.class, p);
        kinds.push(CheckKind::K8sFixed {
            class: f.class.value.clone(),
            subject: f.subject.clone(),
            dir: f.dir.clone(),
            new_findings: f.new_findings,
        });
    }
    if let Some(f) = &c.k8s_absent {
        k8s_class(&f.class, p);
        kinds.push(CheckKind::K8sAbsent {
            class: f.class.value.clone(),
            subject: f.subject.clone(),
            dir: f.dir.clone(),
        });
    }
    if let Some(f) = &c.k8s_no_new_findings {
        f.classes.iter().for_each(|c| k8s_class(c, p));
        kinds.push(CheckKind::K8sNoNewFindings {
            classes: f.classes.iter().map(|c| c.value.clone()).collect(),
            dir: f.dir.clone(),
        });
    }
    if let Some(d) = &c.k8s_valid {
        kinds.push(CheckKind::K8sValid { dir: d.dir.clone() });
    }
    if let Some(k) = &c.k8s_path {
        k8s_object(&k.object, p);
        if k.query.value.trim().is_empty() {
            p.at(&k.query, "k8s_path.query must name a field, e.g. `spec.replicas`");
        }
        let e = expect(clone_expect(&k.expect), names, p);
        kinds.push(CheckKind::K8sPath {
            dir: k.dir.clone(),
            object: k.object.value.clone(),
            query: k.query.value.clone(),
            expect: e,
        });
    }
    if let Some(l) = &c.k8s_limits {
        if let Some(o) = &l.object {
            k8s_object(o, p);
        }
        if l.max_memory.is_none() && l.max_cpu.is_none() && l.min_memory.is_none() && l.min_cpu.is_none() {
            p.at(&c.id, "k8s_limits needs at least one of max_memory, max_cpu, min_memory, min_cpu");
        }
        for q in [&l.max_memory, &l.max_cpu, &l.min_memory, &l.min_cpu] {
            k8s_quantity(q, p);
        }
        kinds.push(CheckKind::K8sLimits {
            dir: l.dir.clone(),
            object: l.object.as_ref().map(|o| o.value.clone()),
            max_memory: l.max_memory.as_ref().map(|q| q.value.clone()),
            max_cpu: l.max_cpu.as_ref().map(|q| q.value.clone()),
            min_memory: l.min_memory.as_ref().map(|q| q.value.clone()),
            min_cpu: l.min_cpu.as_ref().map(|q| q.value.clone()),
        });
    }
}

fn clone_expect(e: &raw::RawExpect) -> raw::RawExpect {
    raw::RawExpect {
        exists: e.exists,
        equals: e.equals.clone(),
        contains: e.contains.clone(),
        not_contains: e.not_contains.clone(),
        matches: e.matches.clone(),
    }
}

pub(crate) fn exercise(
    id: &str,
    raw: raw::RawExercise,
    scorecards: &BTreeMap<String, Scorecard>,
    scenarios: &BTreeMap<String, (Scenario, ScenarioRefs, String, String)>,
    broken_scenarios: &BTreeSet<String>,
    p: &mut FileProblems,
) -> Exercise {
    let scorecard = scorecards.get(&raw.scorecard.value);
    if scorecard.is_none() {
        p.at_help(
            &raw.scorecard,
            format!("unknown scorecard `{}`", raw.scorecard.value),
            format!("scorecards: {}", scorecards.keys().cloned().collect::<Vec<_>>().join(", ")),
        );
    }
    if raw.time_box_minutes.value == 0 {
        p.at(&raw.time_box_minutes, "time_box_minutes must be above 0");
    }
    if raw.audience.is_empty() {
        p.whole("audience needs at least one of day-30, day-60, day-90, interview");
    }
    if raw.scenarios.is_empty() {
        p.whole("an exercise needs at least one scenario");
    }
    let mut check_owner: BTreeMap<String, String> = BTreeMap::new();
    let mut mounts = BTreeSet::new();
    for s in &raw.scenarios {
        let Some((sc, refs, file, text)) = scenarios.get(&s.value) else {
            if broken_scenarios.contains(&s.value) {
                continue; // already reported in the scenario's own file
            }
            p.at_help(s, format!("unknown scenario `{}`", s.value), "scenarios must be listed in scenarios/index.yaml");
            continue;
        };
        if raw.scenarios.len() > 1 && !mounts.insert(sc.mount.clone()) {
            p.at(s, format!("two scenarios of this exercise share the mount `{}`; give each its own folder", sc.mount));
        }
        for c in &sc.checks {
            if let Some(other) = check_owner.insert(c.id.clone(), sc.id.clone()) {
                p.at(s, format!("check id `{}` is used by both `{other}` and `{}`", c.id, sc.id));
            }
        }
        if let Some(card) = scorecard {
            // Report a bad dimension or red flag in the scenario file, where it is written.
            let mut sp = FileProblems::new(file, text);
            for (check, dim, line, column) in &refs.dimensions {
                if card.dimension(dim).is_none() {
                    sp.errors.push(
                        ContentDiagnostic::at(
                            file,
                            text,
                            *line,
                            *column,
                            format!("check `{check}`: scorecard `{}` has no dimension `{dim}`", card.id),
                        )
                        .with_help(format!(
                            "dimensions: {}",
                            card.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
                        )),
                    );
                }
            }
            for (check, flag, line, column) in &refs.red_flags {
                if card.red_flag(flag).is_none() {
                    sp.errors.push(ContentDiagnostic::at(
                        file,
                        text,
                        *line,
                        *column,
                        format!("check `{check}`: scorecard `{}` has no red flag `{flag}`", card.id),
                    ));
                }
            }
            p.errors.extend(sp.errors);
        }
    }
    let mut deliverables = Vec::new();
    for d in raw.deliverables {
        if d.path.value.starts_with('/') || d.path.value.contains("..") {
            p.at(&d.path, "deliverable paths are relative to the workspace root");
        }
        deliverables.push(Deliverable { path: d.path.value, prompt: d.prompt, template: d.template });
    }
    Exercise {
        id: id.to_string(),
        title: raw.title,
        brief: raw.brief,
        time_box_minutes: raw.time_box_minutes.value,
        audience: raw.audience,
        scenarios: raw.scenarios.into_iter().map(|s| s.value).collect(),
        scorecard: raw.scorecard.value,
        deliverables,
    }
}
