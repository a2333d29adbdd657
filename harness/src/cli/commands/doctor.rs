//! `faultline doctor`: what this machine offers Faultline.

use super::{Ctx, Failure};
use crate::cli::Exit;
use crate::report::table;

pub fn run(ctx: &Ctx) -> Result<Exit, Failure> {
    let mut rows: Vec<(String, bool, String)> = Vec::new();
    match crate::workspace::git::version() {
        Ok(v) => rows.push(("git".into(), true, v)),
        Err(e) => rows.push(("git".into(), false, e.to_string())),
    }
    match crate::runner::terraform::discover() {
        Ok(t) => {
            rows.push(("terraform".into(), true, format!("{} ({})", t.version, t.binary.display())));
            match &t.plugin_dir {
                Some(p) => rows.push(("terraform providers".into(), true, format!("plugin dir {}", p.display()))),
                None => {
                    rows.push(("terraform providers".into(), false, "no plugin dir: plan checks are skipped".into()))
                }
            }
        }
        Err(reason) => rows.push(("terraform".into(), false, format!("{reason} (fmt and plan checks are skipped)"))),
    }
    let docker = crate::runner::pipeline::docker_status();
    match &docker.version {
        Some(v) if docker.available => rows.push(("docker".into(), true, v.clone())),
        _ => rows.push((
            "docker".into(),
            false,
            format!("{} (pipeline_run checks report an infrastructure error; use --no-container)", docker.detail),
        )),
    }
    let image = crate::runner::pipeline::resolve_image(None);
    if docker.available {
        match crate::runner::pipeline::image_present(&image) {
            Ok(true) => rows.push(("runner image".into(), true, image)),
            Ok(false) => rows.push((
                "runner image".into(),
                false,
                format!("{image} is missing: run scripts/build-runner-image.sh"),
            )),
            Err(e) => rows.push(("runner image".into(), false, e)),
        }
    }
    match ctx.data_dir() {
        Ok(d) => match ctx.store() {
            Ok(_) => rows.push(("results store".into(), true, d.join("faultline.db").display().to_string())),
            Err(f) => rows.push(("results store".into(), false, f.report.to_string())),
        },
        Err(f) => rows.push(("data folder".into(), false, f.report.to_string())),
    }
    match ctx.catalog() {
        Ok(c) => rows.push((
            "content".into(),
            true,
            format!("{} ({} exercises, {} scenarios)", c.label, c.exercises.len(), c.scenarios.len()),
        )),
        Err(_) => rows.push(("content".into(), false, "content has problems: run `faultline list` to see them".into())),
    }
    rows.extend(super::cluster::doctor_rows());
    if ctx.json() {
        let items: Vec<_> =
            rows.iter().map(|(n, ok, d)| serde_json::json!({"name": n, "ok": ok, "detail": d})).collect();
        ctx.print_json(&items);
    } else {
        let t: Vec<Vec<String>> = rows
            .iter()
            .map(|(n, ok, d)| {
                vec![n.clone(), if *ok { ctx.style.green("ok") } else { ctx.style.yellow("missing") }, d.clone()]
            })
            .collect();
        print!("{}", table::render(&["component", "status", "detail"], &t));
    }
    let git_ok = rows.first().is_some_and(|r| r.1);
    Ok(if git_ok { Exit::Ok } else { Exit::Environment })
}
