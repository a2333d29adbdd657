//! `faultline lint PATH [--base PATH] [--family F]`: the rules engine on its own. Without
//! `--family`, every family whose files the folder holds is run.

use std::path::Path;

use super::{Ctx, Failure};
use crate::cli::{Exit, LintFamily};
use crate::model::scenario::TerraformSettings;
use crate::model::Snapshot;
use crate::report::table;
use crate::rules::{Family, LintReport, LintSettings};
use crate::workspace;

fn read(path: &Path) -> Result<Snapshot, Failure> {
    if path.is_file() {
        let text = fs_err::read_to_string(path).map_err(|e| Failure::new(Exit::BadInput, e.to_string()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let mut s = Snapshot::new();
        s.insert(name, text);
        return Ok(s);
    }
    if !path.is_dir() {
        return Err(Failure::new(Exit::BadInput, format!("{}: no such file or folder", path.display())));
    }
    let (snap, _) = workspace::snapshot(path)?;
    Ok(snap)
}

/// The families whose files a snapshot holds; Terraform when it holds none.
fn detect(snap: &Snapshot) -> Vec<Family> {
    let mut found = Vec::new();
    if snap.paths().any(|p| p.ends_with(".tf") && !p.split('/').any(|part| part == ".terraform")) {
        found.push(Family::Terraform);
    }
    if crate::rules::kubernetes::has_manifests(snap, ".") {
        found.push(Family::Kubernetes);
    }
    if snap.paths().any(|p| crate::pipeline::Dialect::of_path(p).is_some()) {
        found.push(Family::Pipeline);
    }
    if found.is_empty() {
        found.push(Family::Terraform);
    }
    found
}

pub fn run(
    ctx: &Ctx,
    path: &Path,
    base: Option<&Path>,
    required_tags: Vec<String>,
    families: Vec<LintFamily>,
) -> Result<Exit, Failure> {
    let snap = read(path)?;
    let base = base.map(read).transpose()?;
    let settings = LintSettings {
        terraform: TerraformSettings { required_tags, stateful_types: Vec::new() },
        ..LintSettings::default()
    };
    let families: Vec<Family> =
        if families.is_empty() { detect(&snap) } else { families.into_iter().map(Family::from).collect() };
    let mut report = LintReport::default();
    for family in families {
        let r = crate::rules::lint(family, &snap, base.as_ref(), ".", &settings);
        report.findings.extend(r.findings);
        report.problems.extend(r.problems);
    }
    report.findings.sort_by(|a, b| (&a.file, a.line, a.column, &a.class).cmp(&(&b.file, b.line, b.column, &b.class)));
    report.problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let shown = |f: &str| path.join(f).display().to_string();
    if ctx.json() {
        let findings: Vec<_> = report
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "class": f.class, "rule": f.rule, "file": shown(&f.file), "line": f.line,
                    "column": f.column, "severity": f.severity, "message": f.message, "subject": f.subject,
                })
            })
            .collect();
        let problems: Vec<_> = report
            .problems
            .iter()
            .map(|p| serde_json::json!({"file": shown(&p.file), "line": p.line, "column": p.column, "message": p.message}))
            .collect();
        ctx.print_json(&serde_json::json!({"findings": findings, "problems": problems}));
    } else {
        for p in &report.problems {
            eprintln!("error: {}:{}:{}: {}", shown(&p.file), p.line, p.column, p.message);
        }
        if report.findings.is_empty() {
            println!("No findings.");
        } else {
            let rows: Vec<Vec<String>> = report
                .findings
                .iter()
                .map(|f| {
                    vec![
                        format!("{}:{}:{}", shown(&f.file), f.line, f.column),
                        f.severity.to_string(),
                        f.class.clone(),
                        f.rule.clone(),
                        f.message.clone(),
                    ]
                })
                .collect();
            print!("{}", table::render(&["location", "severity", "class", "rule", "message"], &rows));
            println!("{} finding(s)", report.findings.len());
        }
    }
    Ok(if !report.problems.is_empty() {
        Exit::BadInput
    } else if report.findings.is_empty() {
        Exit::Ok
    } else {
        Exit::ChecksFailed
    })
}
