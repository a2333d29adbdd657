//! Fault injection and the other file states of an exercise.
//!
//! From an exercise, its scenarios and a seed this module computes, as pure data:
//! the good base (`main`), each commit of the injected pull request, the broken
//! state the candidate starts from, the reference solution and every decoy. The
//! workspace module writes these to git; `verify` grades them directly.

use crate::catalog::Catalog;
use crate::model::snapshot::join;
use crate::model::{CheckSpec, Edit, Exercise, Hint, Scenario, Snapshot};
use crate::variant::{self, Params};

/// An edit that could not be applied (a content bug: `verify` catches it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InjectError {
    #[error("scenario `{scenario}`: cannot edit `{path}`: the file does not exist")]
    MissingFile { scenario: String, path: String },
    #[error("scenario `{scenario}`: in `{path}`, the text to replace was found {found} time(s), expected {expected}")]
    FindMismatch { scenario: String, path: String, found: usize, expected: String },
    #[error("scenario `{scenario}`: {message}")]
    Template { scenario: String, message: String },
    #[error("exercise `{exercise}`: unknown scenario `{scenario}`")]
    UnknownScenario { exercise: String, scenario: String },
}

/// One commit of the injected branch: its message, author and the whole tree after it.
#[derive(Debug, Clone)]
pub struct CommitState {
    pub message: String,
    pub author: String,
    pub tree: Snapshot,
}

/// A check bound to its scenario and rendered for one variant.
#[derive(Debug, Clone)]
pub struct PlannedCheck {
    pub scenario: String,
    /// Workspace folder of the scenario.
    pub mount: String,
    pub spec: CheckSpec,
    pub terraform: crate::model::scenario::TerraformSettings,
    /// The scenario's pipeline settings (secrets rendered for the seed).
    pub pipeline: Option<crate::model::scenario::PipelineSettings>,
}

/// A decoy, rendered: the tree a candidate would hand in with that wrong fix.
#[derive(Debug, Clone)]
pub struct DecoyState {
    pub scenario: String,
    pub id: String,
    pub title: String,
    pub must_fail: Vec<String>,
    pub tree: Snapshot,
}

/// Every state of an exercise for one seed.
#[derive(Debug, Clone)]
pub struct Materialized {
    pub exercise: String,
    pub seed: u64,
    pub branch: String,
    pub params: Vec<(String, Params)>,
    /// The good base: what `main` holds.
    pub base: Snapshot,
    /// Commits on the branch, oldest first (the last one's tree is `broken`).
    pub commits: Vec<CommitState>,
    /// What the candidate starts from.
    pub broken: Snapshot,
    /// Broken state plus every scenario's reference solution.
    pub solution: Snapshot,
    pub decoys: Vec<DecoyState>,
    pub checks: Vec<PlannedCheck>,
    /// Hints in exercise order.
    pub hints: Vec<Hint>,
    /// Check ids the broken state must fail.
    pub broken_fails: Vec<String>,
}

/// Apply edits (paths relative to `mount`) to a tree.
pub fn apply_edits(tree: &mut Snapshot, mount: &str, edits: &[Edit], scenario: &str) -> Result<(), InjectError> {
    for e in edits {
        let path = join(mount, e.path());
        match e {
            Edit::Replace { find, with, count, .. } => {
                let text = tree
                    .get(&path)
                    .ok_or_else(|| InjectError::MissingFile { scenario: scenario.into(), path: path.clone() })?;
                let found = text.matches(find.as_str()).count();
                let ok = match count {
                    Some(n) => found == *n,
                    None => found >= 1,
                };
                if !ok {
                    return Err(InjectError::FindMismatch {
                        scenario: scenario.into(),
                        path,
                        found,
                        expected: count.map_or("at least 1".to_string(), |n| n.to_string()),
                    });
                }
                let new = text.replace(find.as_str(), with);
                tree.insert(path, new);
            }
            Edit::Write { content, .. } => tree.insert(path, content.clone()),
            Edit::Append { content, .. } => {
                let mut text = tree.get(&path).unwrap_or_default().to_string();
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(content);
                tree.insert(path, text);
            }
            Edit::Delete { .. } => {
                tree.remove(&path)
                    .ok_or_else(|| InjectError::MissingFile { scenario: scenario.into(), path: path.clone() })?;
            }
        }
    }
    Ok(())
}

fn render<T: serde::Serialize + serde::de::DeserializeOwned>(
    v: &T,
    params: &Params,
    scenario: &str,
) -> Result<T, InjectError> {
    variant::render_value(v, params)
        .map_err(|e| InjectError::Template { scenario: scenario.into(), message: e.to_string() })
}

fn render_str(s: &str, params: &Params, scenario: &str) -> Result<String, InjectError> {
    variant::render(s, params).map_err(|e| InjectError::Template { scenario: scenario.into(), message: e.to_string() })
}

/// Compute every state of `exercise` for `seed`.
pub fn materialize(catalog: &Catalog, exercise: &Exercise, seed: u64) -> Result<Materialized, InjectError> {
    let scenarios: Vec<&Scenario> = exercise
        .scenarios
        .iter()
        .map(|id| {
            catalog
                .scenarios
                .get(id)
                .ok_or_else(|| InjectError::UnknownScenario { exercise: exercise.id.clone(), scenario: id.clone() })
        })
        .collect::<Result<_, _>>()?;
    materialize_scenarios(exercise, &scenarios, seed)
}

/// As [`materialize`], with the scenarios already looked up.
pub fn materialize_scenarios(
    exercise: &Exercise,
    scenarios: &[&Scenario],
    seed: u64,
) -> Result<Materialized, InjectError> {
    let mut params = Vec::new();
    let mut base = Snapshot::new();
    for sc in scenarios {
        let p = variant::choose(&sc.id, &sc.params, seed);
        for (path, text) in sc.base.iter() {
            base.insert(join(&sc.mount, path), render_str(text, &p, &sc.id)?);
        }
        params.push((sc.id.clone(), p));
    }

    let mut tree = base.clone();
    let mut commits = Vec::new();
    for (sc, (_, p)) in scenarios.iter().zip(&params) {
        for c in &sc.fault {
            let edits: Vec<Edit> = render(&c.edits, p, &sc.id)?;
            apply_edits(&mut tree, &sc.mount, &edits, &sc.id)?;
            commits.push(CommitState {
                message: render_str(&c.message, p, &sc.id)?,
                author: c.author.clone(),
                tree: tree.clone(),
            });
        }
    }
    // Recorded symptoms of Kubernetes scenarios arrive as the on-call notes would.
    if let Some(md) = recorded_symptoms(scenarios, &params)? {
        tree.insert(SYMPTOMS_FILE, md);
        commits.push(CommitState {
            message: format!("Add {SYMPTOMS_FILE}: what the cluster showed when the problem was reported"),
            author: "Faultline <faultline@localhost>".to_string(),
            tree: tree.clone(),
        });
    }
    // Deliverable templates arrive with the pull request, as a reviewer's checklist would.
    let templates: Vec<_> = exercise.deliverables.iter().filter_map(|d| d.template.as_ref().map(|t| (d, t))).collect();
    if !templates.is_empty() {
        for (d, t) in &templates {
            tree.insert(d.path.clone(), (*t).clone());
        }
        let names: Vec<&str> = templates.iter().map(|(d, _)| d.path.as_str()).collect();
        commits.push(CommitState {
            message: format!("Add {} for the reviewer's notes", names.join(", ")),
            author: "Faultline <faultline@localhost>".to_string(),
            tree: tree.clone(),
        });
    }
    let broken = tree;

    let mut solution = broken.clone();
    let mut decoys = Vec::new();
    let mut checks = Vec::new();
    let mut hints = Vec::new();
    let mut broken_fails = Vec::new();
    for (sc, (_, p)) in scenarios.iter().zip(&params) {
        let edits: Vec<Edit> = render(&sc.solution, p, &sc.id)?;
        apply_edits(&mut solution, &sc.mount, &edits, &sc.id)?;
        for d in &sc.decoys {
            let mut t = broken.clone();
            let edits: Vec<Edit> = render(&d.edits, p, &sc.id)?;
            apply_edits(&mut t, &sc.mount, &edits, &sc.id)?;
            decoys.push(DecoyState {
                scenario: sc.id.clone(),
                id: d.id.clone(),
                title: d.title.clone(),
                must_fail: d.must_fail.clone(),
                tree: t,
            });
        }
        for c in &sc.checks {
            checks.push(PlannedCheck {
                scenario: sc.id.clone(),
                mount: sc.mount.clone(),
                spec: render(c, p, &sc.id)?,
                terraform: render(&sc.terraform, p, &sc.id)?,
                pipeline: sc.pipeline.as_ref().map(|s| render(s, p, &sc.id)).transpose()?,
            });
        }
        for h in &sc.hints {
            hints.push(Hint { text: render_str(&h.text, p, &sc.id)?, cost: h.cost });
        }
        broken_fails.extend(sc.broken_fails.iter().cloned());
    }
    let branch = match scenarios.first() {
        Some(sc) => render_str(&sc.branch, &params[0].1, &sc.id)?,
        None => "change".to_string(),
    };
    Ok(Materialized {
        exercise: exercise.id.clone(),
        seed,
        branch,
        params,
        base,
        commits,
        broken,
        solution,
        decoys,
        checks,
        hints,
        broken_fails,
    })
}

/// Where the symptoms of Kubernetes scenarios are written, at the workspace root.
pub const SYMPTOMS_FILE: &str = "SYMPTOMS.md";

/// `SYMPTOMS.md` built from the scenarios' recorded states (one section per
/// scenario when there are several), or `None` when no scenario records one.
pub fn recorded_symptoms(scenarios: &[&Scenario], params: &[(String, Params)]) -> Result<Option<String>, InjectError> {
    let mut states = Vec::new();
    for (sc, (_, p)) in scenarios.iter().zip(params) {
        let Some(text) = sc.kubernetes.as_ref().and_then(|k| k.recorded.as_ref()) else { continue };
        let rendered = render_str(text, p, &sc.id)?;
        let state = crate::model::observed::ObservedState::from_yaml(&rendered)
            .map_err(|e| InjectError::Template { scenario: sc.id.clone(), message: format!("recorded state: {e}") })?;
        states.push((sc.title.clone(), state));
    }
    if states.is_empty() {
        return Ok(None);
    }
    let several = states.len() > 1;
    let sections: Vec<crate::report::symptoms::Section> = states
        .iter()
        .map(|(title, state)| crate::report::symptoms::Section {
            title: several.then_some(title.as_str()),
            state,
            source: "Recorded from the cluster when the problem was reported.",
        })
        .collect();
    Ok(Some(crate::report::symptoms::render(&sections)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_replace_write_append_and_delete_under_a_mount() {
        let mut t = Snapshot::new();
        t.insert("infra/main.tf", "a = 1\nb = 2\n");
        let edits = vec![
            Edit::Replace { path: "main.tf".into(), find: "b = 2".into(), with: "b = 3".into(), count: Some(1) },
            Edit::Append { path: "main.tf".into(), content: "c = 4\n".into() },
            Edit::Write { path: "extra.tf".into(), content: "x".into() },
            Edit::Delete { path: "extra.tf".into() },
        ];
        apply_edits(&mut t, "infra", &edits, "s").unwrap();
        assert_eq!(t.get("infra/main.tf"), Some("a = 1\nb = 3\nc = 4\n"));
        assert!(!t.contains("infra/extra.tf"));
    }

    #[test]
    fn a_replace_whose_text_is_missing_is_an_error_not_a_silent_no_op() {
        let mut t = Snapshot::new();
        t.insert("main.tf", "a = 1\n");
        let e = apply_edits(
            &mut t,
            ".",
            &[Edit::Replace { path: "main.tf".into(), find: "zzz".into(), with: "y".into(), count: None }],
            "s",
        )
        .unwrap_err();
        assert!(matches!(e, InjectError::FindMismatch { found: 0, .. }));
    }
}
