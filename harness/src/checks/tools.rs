//! Check kinds that run tools: commands with a time limit, and Terraform's own plan.
//! A missing tool skips the check with the reason; a broken tool is an error, not
//! the candidate's failure.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{CheckContext, Outcome};
use crate::model::snapshot::join;
use crate::model::{Evidence, Snapshot};
use crate::runner::{self, terraform as tf, CommandSpec};

/// Write a snapshot (or the part under `dir`) into a folder.
pub(crate) fn write_tree(snapshot: &Snapshot, dir: &str, dest: &Path) -> std::io::Result<()> {
    let prefix = match dir.trim_matches('/') {
        "" | "." => String::new(),
        d => format!("{d}/"),
    };
    for (path, text) in snapshot.under(dir) {
        let target = dest.join(path.strip_prefix(&prefix).unwrap_or(path));
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(&target, text)?;
    }
    Ok(())
}

fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[allow(clippy::too_many_arguments)]
pub(super) fn command(
    ctx: &CheckContext,
    mount: &str,
    dir: &str,
    run: &[String],
    requires: &[String],
    timeout_secs: u64,
    expect_exit: i32,
    network: bool,
) -> Outcome {
    if !ctx.run_tools {
        return Outcome::skipped("tool checks are turned off for this run");
    }
    for r in requires {
        if runner::find_program(r).is_none() {
            return Outcome::skipped(format!("`{r}` is not installed"));
        }
    }
    let Some((program, args)) = run.split_first() else {
        return Outcome::error("the check names no program", Vec::new());
    };
    let temp;
    let cwd: PathBuf = match ctx.workdir {
        Some(w) => w.join(join(mount, dir)),
        None => {
            temp = match tempfile::tempdir() {
                Ok(t) => t,
                Err(e) => return Outcome::error(format!("cannot create a temporary folder: {e}"), Vec::new()),
            };
            if let Err(e) = write_tree(ctx.candidate, ".", temp.path()) {
                return Outcome::error(format!("cannot copy the files: {e}"), Vec::new());
            }
            temp.path().join(join(mount, dir))
        }
    };
    let program = runner::find_program(program).map_or_else(|| program.clone(), |p| p.display().to_string());
    let spec = CommandSpec {
        program,
        args: args.to_vec(),
        cwd,
        env: Vec::new(),
        timeout: Duration::from_secs(timeout_secs),
        network,
        output_limit: 64 * 1024,
    };
    match runner::run(&spec) {
        Ok(out) => {
            let shown = format!("$ {}\n{}", run.join(" "), tail(&format!("{}{}", out.stdout, out.stderr), 30));
            let mut evidence = vec![Evidence::note(shown)];
            if !network && !out.isolated {
                evidence.push(Evidence::note("network isolation was not available on this machine"));
            }
            if out.timed_out {
                let mut o = Outcome::fail(evidence);
                o.message = format!("timed out after {timeout_secs}s and was stopped");
                return o;
            }
            let ok = out.exit_code == Some(expect_exit);
            let mut o = Outcome::from_bool(ok, evidence);
            if !ok {
                o.message = format!("exit code {:?}, expected {expect_exit}", out.exit_code);
            }
            o
        }
        Err(runner::RunnerError::NotFound { program }) => Outcome::skipped(format!("`{program}` is not installed")),
        #[allow(unreachable_patterns)]
        Err(e) => Outcome::error(format!("could not run the command: {e}"), Vec::new()),
    }
}

pub(super) fn tf_plan(ctx: &CheckContext, mount: &str, dir: &str, protect: &[String], timeout_secs: u64) -> Outcome {
    if !ctx.run_tools {
        return Outcome::skipped("tool checks are turned off for this run");
    }
    let terraform = match tf::discover() {
        Ok(t) => t,
        Err(reason) => return Outcome::skipped(reason),
    };
    let dir = join(mount, dir);
    let temp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => return Outcome::error(format!("cannot create a temporary folder: {e}"), Vec::new()),
    };
    let (base_dir, cand_dir) = (temp.path().join("base"), temp.path().join("candidate"));
    let only_tf = |s: &Snapshot| -> Snapshot {
        s.under(&dir)
            .filter(|(p, _)| p.ends_with(".tf") || p.ends_with(".tfvars"))
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    };
    if let Err(e) = write_tree(&only_tf(ctx.base), &dir, &base_dir)
        .and_then(|_| write_tree(&only_tf(ctx.candidate), &dir, &cand_dir))
    {
        return Outcome::error(format!("cannot copy the files: {e}"), Vec::new());
    }
    let timeout = Duration::from_secs(timeout_secs);
    let mut verdict = tf::plan_against_base(&terraform, &base_dir, &cand_dir, timeout);
    if let Err(tf::PlanError::Tool { step, .. }) = &verdict {
        // A provider start can fail for reasons of the moment; one retry keeps a
        // passing candidate from being reported as an infrastructure error.
        tracing::warn!(%step, "terraform failed; retrying once");
        verdict = tf::plan_against_base(&terraform, &base_dir, &cand_dir, timeout);
    }
    match verdict {
        Ok(verdict) => {
            let mut evidence = Vec::new();
            for c in verdict.destroyed() {
                if protect.iter().any(|p| p == &c.address) {
                    let what = if c.is_replace() { "replace" } else { "destroy" };
                    evidence.push(Evidence::note(format!("terraform plan would {what} {}", c.address)));
                }
            }
            if !evidence.is_empty() {
                evidence.push(Evidence::note(tail(&verdict.log, 15)));
                return Outcome::fail(evidence);
            }
            // An address Terraform could not settle against the synthesised base
            // cannot be judged either way: say so instead of passing it.
            let unjudged: Vec<&str> = verdict
                .unsettled
                .iter()
                .filter(|c| protect.iter().any(|p| p == &c.address))
                .map(|c| c.address.as_str())
                .collect();
            if !unjudged.is_empty() {
                return Outcome::error(
                    format!("terraform could not judge {} against the synthesised base", unjudged.join(", ")),
                    vec![Evidence::note(tail(&verdict.log, 15))],
                );
            }
            Outcome::pass(vec![Evidence::note(format!(
                "terraform plan destroys or replaces none of: {}\n{}",
                protect.join(", "),
                tail(&verdict.log, 15)
            ))])
        }
        Err(tf::PlanError::NoProviders { reason }) => Outcome::skipped(reason),
        Err(tf::PlanError::Invalid { output }) => {
            let mut o = Outcome::fail(vec![Evidence::note(tail(&output, 20))]);
            o.message = "terraform rejects the configuration".into();
            o
        }
        Err(tf::PlanError::Timeout { step }) => Outcome::error(format!("terraform {step} timed out"), Vec::new()),
        Err(tf::PlanError::Tool { step, output }) => {
            Outcome::error(format!("terraform {step} failed"), vec![Evidence::note(tail(&output, 20))])
        }
        #[allow(unreachable_patterns)]
        Err(e) => Outcome::error(format!("terraform plan could not run: {e:?}"), Vec::new()),
    }
}
