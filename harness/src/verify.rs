//! `faultline verify`: the content's own test. For every exercise (and every
//! scenario no exercise uses) and several seeds, it builds the broken state, the
//! reference solution and each decoy, grades them all, and checks that the broken
//! state fails exactly the checks it should, every decoy fails, the solution gets
//! full marks, and different seeds give different files.

use crate::catalog::Catalog;
use crate::checks::{run_checks, CheckContext};
use crate::grade::{grade, GradeInput, Mode};
use crate::inject::{materialize_scenarios, Materialized};
use crate::model::{CheckStatus, Exercise, Grade, Scenario, Snapshot};

/// What to verify and how.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub seeds: Vec<u64>,
    /// Run `command` and `tf-plan` checks (skipped with a reason when off or unavailable).
    pub run_tools: bool,
    /// Run tool checks on the first this-many seeds only (`None`: all). Terraform
    /// plans take seconds each, and seeds change names and ranges, not the shape
    /// Terraform judges.
    pub tool_seeds: Option<usize>,
    /// Only these exercise or scenario ids (all when empty).
    pub only: Vec<String>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { seeds: vec![1, 2, 3], run_tools: true, tool_seeds: None, only: Vec::new() }
    }
}

/// One verified state.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyRow {
    /// Exercise id, or `scenario:<id>` for a scenario verified on its own.
    pub target: String,
    pub seed: u64,
    /// `broken`, `solution`, `decoy:<id>` or `variants`.
    pub state: String,
    pub score: Option<f64>,
    pub ok: bool,
    /// Why not, one line per miss.
    pub misses: Vec<String>,
    /// Checks skipped (tool missing), with reasons.
    pub skipped: Vec<String>,
}

/// Run verification.
pub fn verify(catalog: &Catalog, opts: &VerifyOptions) -> Vec<VerifyRow> {
    let mut rows = Vec::new();
    let wanted = |id: &str| opts.only.is_empty() || opts.only.iter().any(|o| o == id);
    let mut covered = std::collections::BTreeSet::new();
    for ex in &catalog.exercises {
        covered.extend(ex.scenarios.iter().cloned());
        if !wanted(&ex.id) && !ex.scenarios.iter().any(|s| wanted(s)) {
            continue;
        }
        let scenarios: Vec<&Scenario> = catalog.scenarios_of(ex).collect();
        rows.extend(verify_target(catalog, ex, &scenarios, &ex.id, opts));
    }
    for (id, sc) in &catalog.scenarios {
        if covered.contains(id) || !wanted(id) {
            continue;
        }
        let Some(card) = catalog.scorecards.keys().next() else { continue };
        let ex = Exercise {
            id: format!("scenario:{id}"),
            title: sc.title.clone(),
            brief: String::new(),
            time_box_minutes: 60,
            audience: Vec::new(),
            scenarios: vec![id.clone()],
            scorecard: card.clone(),
            deliverables: Vec::new(),
        };
        rows.extend(verify_target(catalog, &ex, &[sc], &ex.id, opts));
    }
    rows
}

fn grade_state(catalog: &Catalog, ex: &Exercise, m: &Materialized, tree: &Snapshot, run_tools: bool) -> Grade {
    let ctx = CheckContext::new(tree, &m.base, &m.broken).with_tools(run_tools);
    let results = run_checks(&ctx, &m.checks, true);
    let card = &catalog.scorecards[&ex.scorecard];
    grade(GradeInput {
        exercise: ex,
        scorecard: card,
        candidate: "verify",
        seed: m.seed,
        mode: Mode::Submit,
        checks: results,
        hints_used: Vec::new(),
    })
}

fn skipped(g: &Grade) -> Vec<String> {
    g.checks.iter().filter(|c| c.status == CheckStatus::Skipped).map(|c| format!("{}: {}", c.id, c.message)).collect()
}

fn errors(g: &Grade, misses: &mut Vec<String>) {
    for c in g.checks.iter().filter(|c| c.status == CheckStatus::Error) {
        misses.push(format!("check `{}` errored: {}", c.id, c.message));
    }
}

fn verify_target(
    catalog: &Catalog,
    ex: &Exercise,
    scenarios: &[&Scenario],
    target: &str,
    opts: &VerifyOptions,
) -> Vec<VerifyRow> {
    let mut rows = Vec::new();
    let mut brokens: Vec<(u64, Snapshot)> = Vec::new();
    for (i, &seed) in opts.seeds.iter().enumerate() {
        let run_tools = opts.run_tools && opts.tool_seeds.is_none_or(|n| i < n);
        let row = |state: &str, score: Option<f64>, misses: Vec<String>, skipped: Vec<String>| VerifyRow {
            target: target.to_string(),
            seed,
            state: state.to_string(),
            score,
            ok: misses.is_empty(),
            misses,
            skipped,
        };
        let m = match materialize_scenarios(ex, scenarios, seed) {
            Ok(m) => m,
            Err(e) => {
                rows.push(row("materialize", None, vec![e.to_string()], Vec::new()));
                continue;
            }
        };

        // Broken: exactly the listed checks fail.
        let g = grade_state(catalog, ex, &m, &m.broken, run_tools);
        let mut misses = Vec::new();
        errors(&g, &mut misses);
        for c in &g.checks {
            let should_fail = m.broken_fails.contains(&c.id);
            match (should_fail, c.status) {
                (true, CheckStatus::Passed) => {
                    misses.push(format!("check `{}` passes on the broken state but should fail", c.id))
                }
                (false, CheckStatus::Failed) => misses.push(format!(
                    "check `{}` fails on the broken state but is not in broken_fails: {}",
                    c.id, c.message
                )),
                _ => {}
            }
        }
        if g.passed {
            misses.push(format!("the broken state passes the exercise (score {})", g.score));
        }
        rows.push(row("broken", Some(g.score), misses, skipped(&g)));

        // Solution: full marks.
        let g = grade_state(catalog, ex, &m, &m.solution, run_tools);
        let mut misses = Vec::new();
        errors(&g, &mut misses);
        for c in g.checks.iter().filter(|c| c.status == CheckStatus::Failed) {
            let where_ = c.evidence.first().map(|e| e.text.clone()).unwrap_or_default();
            misses.push(format!("check `{}` fails on the reference solution: {} {}", c.id, c.message, where_));
        }
        // When every check that carries points was skipped (tools off for this seed),
        // there is nothing to score; failing checks are reported above either way.
        let assessable: f64 = g
            .checks
            .iter()
            .filter(|c| matches!(c.status, CheckStatus::Passed | CheckStatus::Failed))
            .map(|c| c.max_points)
            .sum();
        if assessable > 0.0 && g.score < 100.0 {
            misses.push(format!("the reference solution scores {} (expected 100)", g.score));
        }
        if !g.red_flags.is_empty() {
            misses.push("the reference solution raises a red flag".to_string());
        }
        rows.push(row("solution", Some(g.score), misses, skipped(&g)));

        // Decoys: each must fail.
        for d in &m.decoys {
            let g = grade_state(catalog, ex, &m, &d.tree, run_tools);
            let mut misses = Vec::new();
            errors(&g, &mut misses);
            if g.passed {
                misses.push(format!("decoy `{}` passes the exercise (score {})", d.id, g.score));
            }
            for id in &d.must_fail {
                match g.check(id).map(|c| c.status) {
                    // A skipped check (tool missing) is listed under `skipped`.
                    Some(CheckStatus::Failed | CheckStatus::Skipped) => {}
                    Some(s) => misses.push(format!("decoy `{}`: check `{id}` should fail but is {s}", d.id)),
                    None => misses.push(format!("decoy `{}`: check `{id}` did not run", d.id)),
                }
            }
            rows.push(row(&format!("decoy:{}", d.id), Some(g.score), misses, skipped(&g)));
        }
        brokens.push((seed, m.broken));
    }
    // Variants: different seeds must not give identical workspaces.
    for (i, (a_seed, a)) in brokens.iter().enumerate() {
        for (b_seed, b) in &brokens[i + 1..] {
            if a == b {
                rows.push(VerifyRow {
                    target: target.to_string(),
                    seed: *a_seed,
                    state: "variants".to_string(),
                    score: None,
                    ok: false,
                    misses: vec![format!("seeds {a_seed} and {b_seed} produce identical files; add or widen params")],
                    skipped: Vec::new(),
                });
            }
        }
    }
    rows
}
