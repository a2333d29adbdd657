//! Terminal text for grades, verification runs, the catalog and stored results.

use std::fmt::Write as _;

use super::{table, Style};
use crate::catalog::Catalog;
use crate::model::grade::DimensionStatus;
use crate::model::{CheckStatus, Grade, Scorecard};
use crate::verify::VerifyRow;

fn status_label(s: CheckStatus, style: Style) -> String {
    match s {
        CheckStatus::Passed => style.green("PASS"),
        CheckStatus::Failed => style.red("FAIL"),
        CheckStatus::Skipped => style.yellow("SKIP"),
        CheckStatus::Error => style.yellow("ERR "),
    }
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Options for rendering a grade.
#[derive(Debug, Clone, Copy)]
pub struct GradeView {
    pub style: Style,
    /// Show evidence under passing checks too.
    pub verbose: bool,
}

/// A grade as a scorecard for the terminal.
pub fn grade(g: &Grade, card: &Scorecard, title: &str, view: GradeView) -> String {
    let s = view.style;
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.bold(&format!("{title} — {} (seed {})", g.candidate, g.seed)));
    let verdict = if g.passed { s.green("PASSED") } else { s.red("NOT PASSED") };
    let level = g
        .level
        .as_deref()
        .and_then(|l| card.levels.iter().find(|x| x.id == l))
        .map_or("-".to_string(), |l| l.title.clone());
    let _ = writeln!(
        out,
        "Score {} / 100   {verdict}   level: {level}   pass mark {}{}",
        s.bold(&num(g.score)),
        num(g.pass_mark),
        if g.mode == "check" { "   (formative: visible checks only)" } else { "" }
    );
    let gates: Vec<&str> =
        g.checks.iter().filter(|c| c.required && c.status == CheckStatus::Failed).map(|c| c.id.as_str()).collect();
    if !gates.is_empty() {
        let _ = writeln!(out, "{}", s.red(&format!("Not passed: required check(s) failed: {}", gates.join(", "))));
    }
    if !g.red_flags.is_empty() {
        let _ = writeln!(out);
        for r in &g.red_flags {
            let cap = card.levels.iter().find(|l| l.id == r.caps_at).map_or(r.caps_at.as_str(), |l| l.title.as_str());
            let _ = writeln!(
                out,
                "{} {} (from {}): the verdict cannot go above \"{cap}\"",
                s.alarm(" RED FLAG "),
                r.title,
                r.source
            );
        }
    }

    let _ = writeln!(out, "\n{}", s.bold("Dimensions"));
    let rows: Vec<Vec<String>> = g
        .dimensions
        .iter()
        .map(|d| {
            let score = match d.status {
                DimensionStatus::Scored => d.score.map_or("-".into(), num),
                DimensionStatus::AwaitingRating => s.yellow("awaiting rating"),
                DimensionStatus::NotAssessed => s.dim("not assessed here"),
            };
            let pts = if d.max_points > 0.0 { format!("{}/{}", num(d.points), num(d.max_points)) } else { "-".into() };
            vec![d.title.clone(), d.weight.to_string(), score, pts, d.rated_by.to_string()]
        })
        .collect();
    out.push_str(&indent(&table::render(&["dimension", "weight", "score", "points", "rated by"], &rows), 2));

    let _ = writeln!(out, "\n{}", s.bold("Checks"));
    for c in &g.checks {
        let pts = format!("{}/{}", num(c.points), num(c.max_points));
        let hidden = match (c.hidden, c.required) {
            (true, true) => s.dim(" (hidden, required)"),
            (true, false) => s.dim(" (hidden)"),
            (false, true) => s.dim(" (required)"),
            (false, false) => String::new(),
        };
        let _ = writeln!(out, "  {} {:<24} {:>7}  {}{hidden}", status_label(c.status, s), c.id, pts, c.title);
        if !c.message.is_empty() {
            let label = match c.status {
                CheckStatus::Skipped => "skipped: ",
                CheckStatus::Error => "infrastructure error: ",
                _ => "",
            };
            let _ = writeln!(out, "         {label}{}", c.message);
        }
        if c.status != CheckStatus::Passed || view.verbose {
            for e in c.evidence.iter().take(8) {
                let at = match (&e.file, e.line) {
                    (Some(f), Some(l)) if l > 0 => format!("{f}:{l}  "),
                    (Some(f), _) => format!("{f}  "),
                    _ => String::new(),
                };
                for (i, line) in e.text.lines().take(12).enumerate() {
                    let prefix = if i == 0 { at.clone() } else { " ".repeat(at.chars().count()) };
                    let _ = writeln!(out, "         {}", s.dim(&format!("{prefix}{line}")));
                }
            }
        }
    }
    if !g.hints_used.is_empty() {
        let _ = writeln!(out, "\nHints used: {} (−{} points)", g.hints_used.len(), num(g.hint_penalty));
    }
    let awaiting: Vec<&str> =
        g.dimensions.iter().filter(|d| d.status == DimensionStatus::AwaitingRating).map(|d| d.title.as_str()).collect();
    if !awaiting.is_empty() {
        let _ =
            writeln!(out, "\nAwaiting a person's rating (left out of the total until rated): {}", awaiting.join(", "));
    }
    if g.infra_errors > 0 {
        let _ = writeln!(
            out,
            "{}",
            s.yellow(&format!("{} check(s) hit an infrastructure error and were not counted.", g.infra_errors))
        );
    }
    out
}

fn indent(s: &str, n: usize) -> String {
    s.lines().map(|l| format!("{}{l}\n", " ".repeat(n))).collect()
}

/// The verification table and a summary line.
pub fn verify(rows: &[VerifyRow], style: Style) -> String {
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.target.clone(),
                r.seed.to_string(),
                r.state.clone(),
                r.score.map_or("-".into(), num),
                if r.ok { style.green("ok") } else { style.red("MISS") },
            ]
        })
        .collect();
    let mut out = table::render(&["target", "seed", "state", "score", "result"], &table_rows);
    for r in rows.iter().filter(|r| !r.ok) {
        for m in &r.misses {
            let _ = writeln!(out, "{} {} seed {} {}: {m}", style.red("miss:"), r.target, r.seed, r.state);
        }
    }
    let mut skipped: Vec<&String> = rows.iter().flat_map(|r| &r.skipped).collect();
    skipped.sort();
    skipped.dedup();
    for s in skipped {
        let _ = writeln!(out, "{} {s}", style.yellow("skipped:"));
    }
    let misses = rows.iter().filter(|r| !r.ok).count();
    let _ = writeln!(out, "{} passed, {} failed", rows.len() - misses, misses);
    out
}

/// The catalog listing.
pub fn list(catalog: &Catalog) -> String {
    let rows: Vec<Vec<String>> = catalog
        .exercises
        .iter()
        .map(|e| {
            let scenarios: Vec<_> = catalog.scenarios_of(e).collect();
            let domains = catalog.domains_of(e);
            vec![
                e.id.clone(),
                e.title.clone(),
                e.audience.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
                format!("{} min", e.time_box_minutes),
                domains.join(","),
                needs(&scenarios),
            ]
        })
        .collect();
    table::render(&["id", "title", "audience", "time box", "domains", "needs"], &rows)
}

/// What the scenarios need to run, in words.
pub fn needs(scenarios: &[&crate::model::Scenario]) -> String {
    let mut n: Vec<String> = scenarios
        .iter()
        .flat_map(|s| s.needs.iter())
        .map(|n| match n {
            crate::model::scenario::Need::Docker => "docker".to_string(),
            crate::model::scenario::Need::Cluster => "cluster".to_string(),
        })
        .collect();
    n.sort();
    n.dedup();
    if n.is_empty() {
        "nothing".to_string()
    } else {
        n.join(",")
    }
}
