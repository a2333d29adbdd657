//! Terraform as a judge: finding the tool, `fmt -check`, and the plan check that
//! asks Terraform itself whether a candidate's configuration would destroy or
//! replace what the base configuration deployed.
//!
//! Nothing is deployed and no cloud is reachable, so [`plan_against_base`] works in
//! temporary copies (the user's folders are only read):
//!
//! 1. Each copy gets generated files (named `zz_faultline_*`): an `_override.tf`
//!    that gives the AWS provider fake credentials, one retry and every "skip"
//!    switch so it never waits on the network, and a local backend if the
//!    configuration names another one. Every Terraform command runs in a fresh
//!    network namespace when the machine allows it (see [`super`]).
//! 2. `terraform init` (with the plugin directory, if there is one).
//! 3. A state is synthesised from the base (module `synth`): plan the base against an
//!    empty state, turn the planned values into a state with stand-ins for values
//!    only known after apply, plan the base against that state, and repeat until
//!    the base plans nothing (a few rounds at most). Attribute types and schema
//!    versions come from `terraform providers schema -json`, slimmed and cached per
//!    provider version; finished states are cached by the content of the base, so
//!    grading the same exercise again skips this step entirely.
//! 4. The candidate's copy is planned against that state with `-refresh=false`, and
//!    the resource changes are Terraform's own verdict, `moved` blocks included.
//!
//! Failures are sorted by blame: a diagnostic pointing into the candidate's files
//! is [`PlanError::Invalid`] (the candidate fails), unless it reports a failed call
//! to AWS (a data source that must ask the cloud); a missing provider plugin is
//! [`PlanError::NoProviders`] (the check is skipped); anything else is
//! [`PlanError::Tool`] (the check errors, the candidate is not blamed).

mod messages;
mod synth;

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use self::messages::Stream;
use self::synth::{Schemas, StateMeta};
use super::{find_program, run_with, CommandOutcome, CommandSpec, RunnerError};

/// Bump when the synthesised state or the cache layout changes, so old cache
/// entries are ignored.
const CACHE_FORMAT: &str = "faultline-tfplan-v2";
/// Most rounds of "plan the base against the synthesised state"; fewer when a
/// round plans exactly what the one before did (more would not help).
const MAX_ROUNDS: u32 = 5;
/// The plugin directory used when none is configured and it exists.
const DEFAULT_PLUGIN_DIR: &str = "/opt/tf-plugins";
/// Output kept from ordinary Terraform commands.
const LOG_LIMIT: usize = 1024 * 1024;
/// Output kept from commands whose stdout is a large JSON document.
const JSON_LIMIT: usize = 512 * 1024 * 1024;
/// Name of the plan file written in working copies.
const PLAN_FILE: &str = "zz_faultline.tfplan";
/// Files and folders never copied into a working copy.
const SKIPPED_NAMES: &[&str] =
    &[".git", ".terraform", "terraform.tfstate", "terraform.tfstate.backup", "node_modules", "target"];
/// Most files a working copy may have; more means we were pointed at the wrong folder.
const MAX_COPIED_FILES: usize = 20_000;

/// Settings given to every AWS provider configuration so that it never waits on
/// the network or looks for credentials.
const AWS_SETTINGS: &str = r#"  max_retries                 = 1
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  access_key                  = "faultline"
  secret_key                  = "faultline"
  profile                     = ""
"#;

/// A usable Terraform installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terraform {
    /// The `terraform` executable.
    pub binary: PathBuf,
    /// Its version, e.g. `1.11.4`.
    pub version: String,
    /// A provider plugin directory for offline `init -plugin-dir`; without one,
    /// `init` installs providers the usual way (which needs the network).
    pub plugin_dir: Option<PathBuf>,
    /// Where provider schemas and synthesised states are cached; `None` disables
    /// the cache.
    pub cache_dir: Option<PathBuf>,
}

/// Find Terraform: `FAULTLINE_TERRAFORM` or `PATH`; a plugin directory from
/// `FAULTLINE_TF_PLUGIN_DIR`, else `/opt/tf-plugins` if it exists; a cache under
/// `FAULTLINE_CACHE_DIR`, else the user's cache folder. The error is a reason to
/// show as "skipped: …".
pub fn discover() -> Result<Terraform, String> {
    let binary = find_program("terraform").ok_or_else(|| match std::env::var("FAULTLINE_TERRAFORM") {
        Ok(v) if !v.is_empty() => {
            format!("FAULTLINE_TERRAFORM={v} is not an executable program")
        }
        _ => "terraform is not installed (not on PATH; FAULTLINE_TERRAFORM can point at it)".to_string(),
    })?;
    let version = probe_version(&binary)?;
    let plugin_dir = match std::env::var_os("FAULTLINE_TF_PLUGIN_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if !dir.is_dir() {
                return Err(format!("FAULTLINE_TF_PLUGIN_DIR={} is not a directory", dir.display()));
            }
            Some(dir)
        }
        _ => Some(PathBuf::from(DEFAULT_PLUGIN_DIR)).filter(|d| d.is_dir()),
    };
    let cache_dir = match std::env::var_os("FAULTLINE_CACHE_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|d| d.join("faultline")),
    };
    Ok(Terraform { binary, version, plugin_dir, cache_dir })
}

fn probe_version(binary: &Path) -> Result<String, String> {
    let mut spec = CommandSpec::new(binary.display().to_string(), ["version", "-json"], std::env::temp_dir());
    spec.timeout = Duration::from_secs(60);
    spec.env = vec![("CHECKPOINT_DISABLE".into(), "1".into())];
    let out = run_with(&spec, &["TF_CLI_ARGS*"]).map_err(|e| format!("terraform could not be run: {e}"))?;
    let parsed: Option<String> = serde_json::from_str::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.get("terraform_version")?.as_str().map(str::to_string));
    parsed.ok_or_else(|| format!("`{} version -json` did not say its version: {}", binary.display(), out.stderr.trim()))
}

/// `terraform fmt -check -diff -recursive` in `dir`, without network. Exit code 3
/// means some file is not formatted; the diff is on stdout.
pub fn fmt_check(tf: &Terraform, dir: &Path, timeout: Duration) -> Result<CommandOutcome, RunnerError> {
    let mut spec =
        CommandSpec::new(tf.binary.display().to_string(), ["fmt", "-check", "-diff", "-recursive", "-no-color"], dir);
    spec.timeout = timeout;
    spec.env = vec![("CHECKPOINT_DISABLE".into(), "1".into()), ("TF_IN_AUTOMATION".into(), "1".into())];
    run_with(&spec, &["TF_CLI_ARGS*", "TF_LOG*"])
}

/// One resource change in a plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlanChange {
    /// The resource instance address, e.g. `aws_db_instance.main`.
    pub address: String,
    /// Terraform's actions: `["create"]`, `["delete"]`, `["update"]`,
    /// `["delete", "create"]` / `["create", "delete"]` (replace), `["no-op"]` (only
    /// for moves), `["read"]`, `["forget"]`.
    pub actions: Vec<String>,
    /// Where a `moved` block moved it from.
    pub previous_address: Option<String>,
}

impl PlanChange {
    /// The object at this address would be destroyed (deleted or replaced).
    pub fn destroys(&self) -> bool {
        self.actions.iter().any(|a| a == "delete")
    }

    /// Delete and create in one change.
    pub fn is_replace(&self) -> bool {
        self.destroys() && self.actions.iter().any(|a| a == "create")
    }

    /// Same kind of change to the same object (a replacement in either order
    /// counts as the same).
    fn same_as(&self, other: &PlanChange) -> bool {
        let mut a = self.actions.clone();
        let mut b = other.actions.clone();
        a.sort();
        b.sort();
        let here = [Some(&self.address), self.previous_address.as_ref()];
        a == b && here.contains(&Some(&other.address))
    }
}

/// Terraform's verdict on the candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVerdict {
    /// Every planned resource change except plain no-ops, and except those in
    /// [`Self::unsettled`].
    pub changes: Vec<PlanChange>,
    /// Changes the base itself still plans against the synthesised state, because
    /// the provider rejects some stand-in value (e.g. an enum it would have
    /// defaulted). The same changes in the candidate's plan are not the candidate's
    /// doing and are left out of [`Self::changes`]; these addresses cannot be
    /// judged by this check. Usually empty.
    pub unsettled: Vec<PlanChange>,
    /// A short human summary to show as evidence.
    pub log: String,
}

impl PlanVerdict {
    /// Changes that destroy (delete or replace) something.
    pub fn destroyed(&self) -> impl Iterator<Item = &PlanChange> {
        self.changes.iter().filter(|c| c.destroys())
    }
}

/// Why there is no verdict.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A provider the configuration needs cannot be installed here; report the
    /// check as skipped.
    #[error("terraform providers are not available: {reason}")]
    NoProviders {
        /// What Terraform said.
        reason: String,
    },
    /// A step failed for reasons not in the candidate's files; report an error.
    #[error("terraform {step} failed")]
    Tool {
        /// Which step (`base init`, `candidate plan`, …).
        step: String,
        /// Terraform's diagnostics or output.
        output: String,
    },
    /// Terraform rejects the candidate's configuration; the candidate fails with
    /// this as evidence.
    #[error("terraform rejects the candidate configuration")]
    Invalid {
        /// The diagnostics, rendered as text.
        output: String,
    },
    /// The time budget ran out during a step.
    #[error("terraform {step} did not finish within the time limit")]
    Timeout {
        /// Which step.
        step: String,
    },
    /// Terraform could not be started.
    #[error("terraform could not be run for {step}")]
    Run {
        /// Which step.
        step: String,
        /// Why.
        #[source]
        source: RunnerError,
    },
    /// Reading the configuration or writing a working copy failed.
    #[error("file system error at {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> PlanError + '_ {
    move |source| PlanError::Io { path: path.to_path_buf(), source }
}

/// Plan `candidate_dir` against a state built from `base_dir` and return the
/// resource changes. `timeout` bounds the whole operation. Both folders are only
/// read; all work happens in temporary copies.
pub fn plan_against_base(
    tf: &Terraform,
    base_dir: &Path,
    candidate_dir: &Path,
    timeout: Duration,
) -> Result<PlanVerdict, PlanError> {
    let started = Instant::now();
    let scratch = scratch_dir()?;
    let session = Session::new(tf, scratch.path(), started + timeout)?;

    let (base, candidate) = std::thread::scope(|s| {
        let candidate = s.spawn(|| session.prepare(candidate_dir, Role::Candidate));
        let base = session.base_state(base_dir);
        let candidate = candidate.join().unwrap_or_else(|_| {
            Err(PlanError::Tool { step: "candidate init".into(), output: "the preparing thread panicked".into() })
        });
        (base, candidate)
    });
    // A broken candidate is the candidate's verdict whatever happened to the base.
    let candidate = candidate?;
    let base = base?;

    let state_path = candidate.join("terraform.tfstate");
    let text = serde_json::to_string_pretty(&base.state).map_err(|e| io_at(&state_path)(io::Error::other(e)))?;
    std::fs::write(&state_path, text).map_err(io_at(&state_path))?;

    let step = "candidate plan";
    let out = session.terraform(&candidate, step, &plan_args(), LOG_LIMIT, false)?;
    let stream = Stream::parse(&out.stdout);
    if !out.success() {
        return Err(if stream.blames_config() {
            PlanError::Invalid { output: stream.render_errors() }
        } else {
            tool_error(step, &stream, &out)
        });
    }
    let planned = if stream.has_replace() {
        // Only `show -json` says whether a replacement deletes or creates first.
        messages::changes_from_show(&session.show(&candidate, "candidate show")?)
    } else {
        stream.changes()
    };
    let (ignored, changes): (Vec<PlanChange>, Vec<PlanChange>) =
        planned.into_iter().partition(|c| base.residual.iter().any(|r| c.same_as(r)));
    let log = summarize(tf, &base, (&changes, &ignored), stream.summary.as_deref(), started.elapsed());
    Ok(PlanVerdict { changes, unsettled: base.residual.clone(), log })
}

/// Build the state for `base_dir` now and cache it, so that a later
/// [`plan_against_base`] with the same base only has to plan the candidate (a few
/// seconds instead of tens). Useful when an exercise starts, long before grading.
/// The state is kept in `tf.cache_dir` and, for this process, in memory.
pub fn prepare_base(tf: &Terraform, base_dir: &Path, timeout: Duration) -> Result<(), PlanError> {
    let scratch = scratch_dir()?;
    let session = Session::new(tf, scratch.path(), Instant::now() + timeout)?;
    session.base_state(base_dir).map(|_| ())
}

/// A temporary folder for working copies. With `FAULTLINE_KEEP_TEMP` set it is
/// kept afterwards (and its path logged), to look at what Terraform was given.
fn scratch_dir() -> Result<tempfile::TempDir, PlanError> {
    let mut dir =
        tempfile::Builder::new().prefix("faultline-tfplan-").tempdir().map_err(io_at(&std::env::temp_dir()))?;
    if std::env::var_os("FAULTLINE_KEEP_TEMP").is_some_and(|v| !v.is_empty()) {
        dir.disable_cleanup(true);
        tracing::info!(path = %dir.path().display(), "keeping terraform working copies");
    }
    Ok(dir)
}

fn plan_args() -> Vec<String> {
    ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-json"]
        .into_iter()
        .map(str::to_string)
        .chain([format!("-out={PLAN_FILE}")])
        .collect()
}

fn summarize(
    tf: &Terraform,
    base: &BaseState,
    (changes, ignored): (&[PlanChange], &[PlanChange]),
    summary: Option<&str>,
    took: Duration,
) -> String {
    let mut log = String::new();
    let origin = if base.cached { "cached".to_string() } else { format!("{} round(s)", base.rounds) };
    let _ = writeln!(
        log,
        "terraform {} plan of the candidate against a state built from the base ({} resource instance(s), {origin}); refresh off, fake credentials{}:",
        tf.version,
        base.instances,
        if super::network_isolation_available() { ", no network" } else { "" },
    );
    if changes.is_empty() && ignored.is_empty() {
        log.push_str("  no changes\n");
    }
    let marked =
        changes.iter().map(|c| (c, "")).chain(ignored.iter().map(|c| (c, " [not judged: the base plans it too]")));
    for (change, mark) in marked {
        let moved = change.previous_address.as_deref().map(|p| format!(" (moved from {p})")).unwrap_or_default();
        let _ = writeln!(log, "  {}: {}{moved}{mark}", change.address, change.actions.join(", "));
    }
    if let Some(summary) = summary {
        let _ = writeln!(log, "terraform says: {summary}");
    }
    if !base.residual.is_empty() {
        let noise: Vec<String> =
            base.residual.iter().map(|c| format!("{} ({})", c.address, c.actions.join(", "))).collect();
        let _ = writeln!(
            log,
            "not judged: the base itself plans {} against its synthesised state (a stand-in value the provider rejects); the same changes in the candidate's plan are left out",
            noise.join("; ")
        );
    }
    let _ = write!(log, "took {:.1}s", took.as_secs_f64());
    log
}

fn tool_error(step: &str, stream: &Stream, out: &CommandOutcome) -> PlanError {
    let rendered = stream.render_errors();
    let output = if rendered.trim().is_empty() { format!("{}{}", out.stdout, out.stderr) } else { rendered };
    PlanError::Tool { step: step.to_string(), output }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Base,
    Candidate,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::Candidate => "candidate",
        }
    }
}

/// A state synthesised from the base, with how it was obtained.
#[derive(Debug, Clone)]
struct BaseState {
    state: Value,
    instances: usize,
    rounds: u32,
    cached: bool,
    /// Changes the base still plans against its own synthesised state.
    residual: Vec<PlanChange>,
}

/// Everything shared by the Terraform commands of one [`plan_against_base`] call.
struct Session<'a> {
    tf: &'a Terraform,
    scratch: &'a Path,
    deadline: Instant,
    env: Vec<(String, String)>,
    env_remove: Vec<&'static str>,
}

impl<'a> Session<'a> {
    fn new(tf: &'a Terraform, scratch: &'a Path, deadline: Instant) -> Result<Self, PlanError> {
        let mut env: Vec<(String, String)> = [
            ("TF_IN_AUTOMATION", "1"),
            ("TF_INPUT", "0"),
            ("CHECKPOINT_DISABLE", "1"),
            ("AWS_ACCESS_KEY_ID", "faultline"),
            ("AWS_SECRET_ACCESS_KEY", "faultline"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_MAX_ATTEMPTS", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        // Point the AWS SDK away from the user's profiles and credentials.
        for (var, file) in [("AWS_CONFIG_FILE", "aws-config"), ("AWS_SHARED_CREDENTIALS_FILE", "aws-credentials")] {
            env.push((var.into(), scratch.join(file).display().to_string()));
        }
        let mut env_remove = vec!["TF_LOG*", "TF_CLI_ARGS*", "TF_DATA_DIR", "TF_WORKSPACE", "TF_VAR_*", "AWS_*"];
        if tf.plugin_dir.is_some() {
            // Providers come from the plugin directory: no user CLI config needed.
            let rc = scratch.join("terraform.rc");
            std::fs::write(&rc, "").map_err(io_at(&rc))?;
            env.push(("TF_CLI_CONFIG_FILE".into(), rc.display().to_string()));
            env_remove.push("TF_PLUGIN_CACHE_DIR");
        }
        Ok(Self { tf, scratch, deadline, env, env_remove })
    }

    /// Run `terraform ARGS` in `dir` within what is left of the time budget.
    fn terraform(
        &self,
        dir: &Path,
        step: &str,
        args: &[String],
        output_limit: usize,
        network: bool,
    ) -> Result<CommandOutcome, PlanError> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(PlanError::Timeout { step: step.to_string() });
        }
        let spec = CommandSpec {
            program: self.tf.binary.display().to_string(),
            args: args.to_vec(),
            cwd: dir.to_path_buf(),
            env: self.env.clone(),
            timeout: remaining,
            network,
            output_limit,
        };
        tracing::debug!(step, ?args, dir = %dir.display(), "running terraform");
        let out =
            run_with(&spec, &self.env_remove).map_err(|source| PlanError::Run { step: step.to_string(), source })?;
        tracing::debug!(step, code = ?out.exit_code, took = ?out.duration, "terraform finished");
        if out.timed_out {
            return Err(PlanError::Timeout { step: step.to_string() });
        }
        Ok(out)
    }

    /// Copy a configuration, add our generated files, and `terraform init` it.
    fn prepare(&self, source: &Path, role: Role) -> Result<PathBuf, PlanError> {
        let dest = self.scratch.join(role.name());
        let work = copy_config(source, &dest, self.tf.plugin_dir.is_some())?;
        inject_overrides(&work)?;
        self.init(&work, role)?;
        Ok(work)
    }

    fn init(&self, dir: &Path, role: Role) -> Result<(), PlanError> {
        let step = format!("{} init", role.name());
        let mut args: Vec<String> = ["init", "-input=false", "-no-color", "-json"].map(str::to_string).to_vec();
        if let Some(plugins) = &self.tf.plugin_dir {
            args.push(format!("-plugin-dir={}", plugins.display()));
        }
        // Without a plugin directory, init may download providers: the only step
        // that gets the network.
        let network = self.tf.plugin_dir.is_none();
        let mut out = self.terraform(dir, &step, &args, LOG_LIMIT, network)?;
        let mut stream = Stream::parse(&out.stdout);
        if !out.success() && !stream.was_json && out.stderr.contains("-json") {
            // Terraform before 1.9 has no `init -json`.
            args.retain(|a| a != "-json");
            out = self.terraform(dir, &step, &args, LOG_LIMIT, network)?;
            stream = Stream::default();
        }
        if out.success() {
            return Ok(());
        }
        let text = format!("{}{}", out.stdout, out.stderr);
        let blames_config = if stream.was_json { stream.blames_config() } else { text_blames_config(&text) };
        if blames_config {
            let output = if stream.was_json { stream.render_errors() } else { text };
            return Err(match role {
                Role::Candidate => PlanError::Invalid { output },
                Role::Base => PlanError::Tool { step, output },
            });
        }
        let provider_error = stream.errors().find(|d| d.summary.to_lowercase().contains("provider"));
        if let Some(d) = provider_error {
            let detail = d.detail.split("\n\n").next().unwrap_or_default().trim();
            return Err(PlanError::NoProviders { reason: format!("{}: {detail}", d.summary.trim()) });
        }
        if !stream.was_json && text.contains("Failed to query available provider packages") {
            return Err(PlanError::NoProviders { reason: text });
        }
        Err(tool_error(&step, &stream, &out))
    }

    /// Plan `dir` into the plan file and return `show -json` of it.
    fn plan_and_show(&self, dir: &Path, step: &str) -> Result<Value, PlanError> {
        self.plan(dir, step)?;
        self.show(dir, &format!("{step} (show)"))
    }

    /// Plan `dir` into the plan file; what the streamed output said.
    fn plan(&self, dir: &Path, step: &str) -> Result<Stream, PlanError> {
        let out = self.terraform(dir, step, &plan_args(), LOG_LIMIT, false)?;
        let stream = Stream::parse(&out.stdout);
        if !out.success() {
            return Err(tool_error(step, &stream, &out));
        }
        Ok(stream)
    }

    fn show(&self, dir: &Path, step: &str) -> Result<Value, PlanError> {
        let args = ["show", "-json", "-no-color", PLAN_FILE].map(str::to_string);
        let out = self.terraform(dir, step, &args, JSON_LIMIT, false)?;
        if !out.success() {
            return Err(tool_error(step, &Stream::default(), &out));
        }
        serde_json::from_str(&out.stdout)
            .map_err(|e| PlanError::Tool { step: step.to_string(), output: format!("unreadable JSON: {e}") })
    }

    /// The state the base would have after an apply, from the cache or built now.
    fn base_state(&self, base_dir: &Path) -> Result<BaseState, PlanError> {
        let dest = self.scratch.join("base");
        let work = copy_config(base_dir, &dest, self.tf.plugin_dir.is_some())?;
        let key = self.cache_key(&dest)?;
        let lock = key_lock(&key);
        let _guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(cached) = self.cached_state(&key) {
            return Ok(cached);
        }
        inject_overrides(&work)?;
        self.init(&work, Role::Base)?;
        let providers = locked_providers(&work);
        let (schemas, first) = std::thread::scope(|s| {
            let schemas = s.spawn(|| self.schemas(&work, &providers));
            let first = self.plan_and_show(&work, "base plan (round 1)");
            let schemas = schemas.join().unwrap_or_else(|_| {
                Err(PlanError::Tool { step: "providers schema".into(), output: "the schema thread panicked".into() })
            });
            (schemas, first)
        });
        let schemas = schemas?;
        let mut plan = first?;
        let lineage = format!("faultline-{}", &key[..16.min(key.len())]);
        let mut state = synth::state_from_plan(&Value::Null, &schemas, &self.meta(0, &lineage));
        let mut previous: Option<Vec<PlanChange>> = None;
        let mut round = 1;
        let settle = |state: Value, rounds: u32, residual: Vec<PlanChange>| {
            let built = BaseState { instances: count_instances(&state), state, rounds, cached: false, residual };
            self.store_state(&key, &built);
            built
        };
        loop {
            let unsettled = messages::unsettled(&plan);
            // When a round plans exactly what the last one did, the provider keeps
            // rejecting some stand-in; more rounds would not change that.
            let stuck = previous.as_ref() == Some(&unsettled);
            if unsettled.is_empty() || stuck || round == MAX_ROUNDS {
                if !unsettled.is_empty() {
                    tracing::warn!(?unsettled, round, "the base does not settle against its synthesised state");
                }
                return Ok(settle(state, round, unsettled));
            }
            previous = Some(unsettled);
            state = synth::state_from_plan(&plan, &schemas, &self.meta(u64::from(round), &lineage));
            let path = work.join("terraform.tfstate");
            let text = serde_json::to_string_pretty(&state).map_err(|e| io_at(&path)(io::Error::other(e)))?;
            std::fs::write(&path, text).map_err(io_at(&path))?;
            round += 1;
            let step = format!("base plan (round {round})");
            // The streamed plan tells whether anything is left; the planned values
            // (`show -json`, another provider start) are only needed when it is.
            let stream = self.plan(&work, &step)?;
            if stream.planned.iter().all(|(_, _, action)| action == "noop" || action == "read") {
                return Ok(settle(state, round, Vec::new()));
            }
            plan = self.show(&work, &format!("{step} (show)"))?;
        }
    }

    fn meta<'m>(&'m self, serial: u64, lineage: &'m str) -> StateMeta<'m> {
        StateMeta { terraform_version: &self.tf.version, serial, lineage }
    }

    /// Provider schemas, from the cache where possible.
    fn schemas(&self, dir: &Path, providers: &[(String, String)]) -> Result<Schemas, PlanError> {
        let mut out = Schemas::new();
        let mut missing = providers.is_empty();
        for (address, version) in providers {
            match self.cached_schema(address, version) {
                Some(schema) => {
                    out.insert(address.clone(), schema);
                }
                None => missing = true,
            }
        }
        if !missing {
            return Ok(out);
        }
        let step = "providers schema";
        let args = ["providers", "schema", "-json"].map(str::to_string);
        let result = self.terraform(dir, step, &args, JSON_LIMIT, false)?;
        if !result.success() {
            return Err(tool_error(step, &Stream::default(), &result));
        }
        let full: Value = serde_json::from_str(&result.stdout)
            .map_err(|e| PlanError::Tool { step: step.to_string(), output: format!("unreadable JSON: {e}") })?;
        let versions: HashMap<&str, &str> = providers.iter().map(|(a, v)| (a.as_str(), v.as_str())).collect();
        for (address, schema) in synth::slim_schemas(&full) {
            if let Some(version) = versions.get(address.as_str()) {
                self.store_schema(&address, version, &schema);
            }
            out.insert(address, schema);
        }
        Ok(out)
    }

    fn schema_path(&self, address: &str, version: &str) -> Option<PathBuf> {
        let name = format!("{}@{version}.json", address.replace(['/', '\\', ':'], "_"));
        Some(self.tf.cache_dir.as_ref()?.join("terraform").join(CACHE_FORMAT).join("schemas").join(name))
    }

    fn cached_schema(&self, address: &str, version: &str) -> Option<Arc<Value>> {
        let memo_key = format!("{address}@{version}");
        if let Some(hit) = schema_memo().lock().ok()?.get(&memo_key) {
            return Some(hit.clone());
        }
        let text = std::fs::read_to_string(self.schema_path(address, version)?).ok()?;
        let value = Arc::new(serde_json::from_str::<Value>(&text).ok()?);
        schema_memo().lock().ok()?.insert(memo_key, value.clone());
        Some(value)
    }

    fn store_schema(&self, address: &str, version: &str, schema: &Arc<Value>) {
        if let Ok(mut memo) = schema_memo().lock() {
            memo.insert(format!("{address}@{version}"), schema.clone());
        }
        if let Some(path) = self.schema_path(address, version) {
            write_atomically(&path, &schema.to_string());
        }
    }

    fn state_path(&self, key: &str) -> Option<PathBuf> {
        Some(
            self.tf.cache_dir.as_ref()?.join("terraform").join(CACHE_FORMAT).join("states").join(format!("{key}.json")),
        )
    }

    fn cached_state(&self, key: &str) -> Option<BaseState> {
        if let Some(hit) = state_memo().lock().ok()?.get(key) {
            return Some(BaseState { cached: true, ..hit.clone() });
        }
        let text = std::fs::read_to_string(self.state_path(key)?).ok()?;
        let entry: Value = serde_json::from_str(&text).ok()?;
        let state = entry.get("state")?.clone();
        let residual: Vec<PlanChange> = serde_json::from_value(entry.get("residual")?.clone()).ok()?;
        Some(BaseState {
            instances: count_instances(&state),
            rounds: entry.get("rounds").and_then(Value::as_u64).and_then(|r| u32::try_from(r).ok()).unwrap_or(0),
            state,
            cached: true,
            residual,
        })
    }

    fn store_state(&self, key: &str, built: &BaseState) {
        if let Ok(mut memo) = state_memo().lock() {
            memo.insert(key.to_string(), built.clone());
        }
        if let Some(path) = self.state_path(key) {
            let entry = serde_json::json!({ "state": built.state, "rounds": built.rounds, "residual": built.residual });
            write_atomically(&path, &entry.to_string());
        }
    }

    /// A digest of everything the synthesised state depends on: the copied base
    /// files, the Terraform version, the plugin directory's contents, and our format.
    fn cache_key(&self, copied_root: &Path) -> Result<String, PlanError> {
        let mut hash = Sha256::new();
        hash.update(CACHE_FORMAT.as_bytes());
        hash.update([0]);
        hash.update(self.tf.version.as_bytes());
        hash.update([0]);
        if let Some(plugins) = &self.tf.plugin_dir {
            let mut listing = Vec::new();
            list_files(plugins, plugins, &mut listing, 6)?;
            for (rel, path) in listing {
                let len = path.metadata().map(|m| m.len()).unwrap_or(0);
                hash.update(format!("plugin {rel} {len}\n").as_bytes());
            }
        }
        let mut files = Vec::new();
        list_files(copied_root, copied_root, &mut files, 64)?;
        for (rel, path) in files {
            let bytes = std::fs::read(&path).map_err(io_at(&path))?;
            hash.update(format!("file {rel} {}\n", bytes.len()).as_bytes());
            hash.update(&bytes);
        }
        Ok(hex::encode(hash.finalize()))
    }
}

fn count_instances(state: &Value) -> usize {
    state
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| r.get("instances").and_then(Value::as_array).map_or(0, Vec::len))
        .sum()
}

/// Base states built or read by this process, by cache key.
fn state_memo() -> &'static Mutex<HashMap<String, BaseState>> {
    static MEMO: OnceLock<Mutex<HashMap<String, BaseState>>> = OnceLock::new();
    MEMO.get_or_init(Default::default)
}

fn schema_memo() -> &'static Mutex<HashMap<String, Arc<Value>>> {
    static MEMO: OnceLock<Mutex<HashMap<String, Arc<Value>>>> = OnceLock::new();
    MEMO.get_or_init(Default::default)
}

/// One lock per base-state cache key, so concurrent calls for the same base build
/// it once and the others take it from the cache.
fn key_lock(key: &str) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    locks.entry(key.to_string()).or_default().clone()
}

/// Best effort: a cache that cannot be written only costs time.
fn write_atomically(path: &Path, text: &str) {
    let Some(parent) = path.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let Ok(mut temp) = tempfile::NamedTempFile::new_in(parent) else {
        return;
    };
    if io::Write::write_all(&mut temp, text.as_bytes()).is_ok() {
        if let Err(e) = temp.persist(path) {
            tracing::debug!(path = %path.display(), error = %e.error, "could not write a cache entry");
        }
    }
}

/// `provider "ADDRESS" { version = "V" … }` entries of `.terraform.lock.hcl`.
fn locked_providers(dir: &Path) -> Vec<(String, String)> {
    static PATTERN: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let Some(pattern) = PATTERN
        .get_or_init(|| regex::Regex::new(r#"(?s)provider\s+"([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)""#).ok())
        .as_ref()
    else {
        return Vec::new();
    };
    let text = std::fs::read_to_string(dir.join(".terraform.lock.hcl")).unwrap_or_default();
    pattern.captures_iter(&text).map(|c| (c[1].to_string(), c[2].to_string())).collect()
}

/// In text output (no `-json`): does an error point at a user file?
fn text_blames_config(text: &str) -> bool {
    text.lines().filter_map(|l| l.trim().strip_prefix("on ")).any(|rest| {
        rest.split_once(" line ")
            .is_some_and(|(file, _)| !file.rsplit('/').next().unwrap_or(file).starts_with(messages::GENERATED_PREFIX))
    })
}

/// Regular files under `dir` (relative path with `/`, full path), sorted, skipping
/// [`SKIPPED_NAMES`] and symlinked folders.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>, depth: usize) -> Result<(), PlanError> {
    if depth == 0 {
        return Ok(());
    }
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map_err(io_at(dir))?.collect::<Result<_, _>>().map_err(io_at(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if SKIPPED_NAMES.iter().any(|s| name == *s) {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(io_at(&path))?;
        if kind.is_dir() {
            list_files(root, &path, out, depth - 1)?;
        } else if path.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push((rel, path));
        }
        if out.len() > MAX_COPIED_FILES {
            return Err(PlanError::Tool {
                step: "copy".into(),
                output: format!(
                    "{} has more than {MAX_COPIED_FILES} files; is it really a Terraform configuration?",
                    root.display()
                ),
            });
        }
    }
    Ok(())
}

/// Copy `source` into `dest` and return the working directory inside the copy. When
/// local modules live outside `source` (`source = "../modules/db"`), the copy starts
/// at the closest folder holding them all, so their relative paths still work.
fn copy_config(source: &Path, dest: &Path, drop_lock_file: bool) -> Result<PathBuf, PlanError> {
    let source = source.canonicalize().map_err(io_at(source))?;
    let mut root = source.clone();
    for module in local_module_dirs(&source) {
        while !module.starts_with(&root) {
            match root.parent() {
                Some(parent) => root = parent.to_path_buf(),
                None => break,
            }
        }
    }
    let mut files = Vec::new();
    list_files(&root, &root, &mut files, 64)?;
    for (rel, from) in files {
        if drop_lock_file && rel.rsplit('/').next() == Some(".terraform.lock.hcl") {
            // Providers come from the plugin directory; a lock for other versions
            // or platforms would only make init fail.
            continue;
        }
        let to = dest.join(&rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io_at(parent))?;
        }
        std::fs::copy(&from, &to).map_err(io_at(&from))?;
    }
    let work = dest.join(source.strip_prefix(&root).unwrap_or(Path::new("")));
    std::fs::create_dir_all(&work).map_err(io_at(&work))?;
    Ok(work)
}

/// Folders of local modules (`source = "./…"` or `"../…"`) used from `dir`, followed
/// transitively. Unparseable files are ignored here; `init` reports them.
fn local_module_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut queue = vec![dir.to_path_buf()];
    while let Some(current) = queue.pop() {
        for body in parse_tf_files(&current).into_iter().flatten() {
            for block in body.blocks().filter(|b| b.identifier() == "module") {
                let source = block.body().attributes().find(|a| a.key() == "source").and_then(|a| match a.expr() {
                    hcl::Expression::String(s) => Some(s.clone()),
                    _ => None,
                });
                let Some(source) = source.filter(|s| s.starts_with("./") || s.starts_with("../")) else {
                    continue;
                };
                if let Ok(target) = current.join(&source).canonicalize() {
                    if seen.insert(target.clone()) {
                        queue.push(target);
                    }
                }
            }
        }
    }
    seen.into_iter().collect()
}

/// Parse every `.tf` file directly in `dir`; `None` for a file that does not parse.
fn parse_tf_files(dir: &Path) -> Vec<Option<hcl::Body>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read_to_string(p).ok().and_then(|text| hcl::parse(&text).ok())).collect()
}

/// What the root module of a configuration declares, as far as overrides care.
#[derive(Debug, Default, PartialEq, Eq)]
struct RootFacts {
    /// Aliases of `provider "aws"` blocks (`None` for the default one).
    aws_providers: BTreeSet<Option<String>>,
    /// Whether any module of the configuration uses AWS resources or data sources.
    uses_aws: bool,
    /// Whether a `backend` or `cloud` block is declared.
    has_backend: bool,
}

fn root_facts(dir: &Path) -> RootFacts {
    let mut facts = RootFacts::default();
    let bodies = parse_tf_files(dir);
    let mut parsed_all = true;
    for body in &bodies {
        let Some(body) = body else {
            parsed_all = false;
            continue;
        };
        for block in body.blocks() {
            let label = block.labels().first().map(|l| l.as_str().to_string());
            match block.identifier() {
                "provider" if label.as_deref() == Some("aws") => {
                    let alias = block.body().attributes().find(|a| a.key() == "alias").and_then(|a| match a.expr() {
                        hcl::Expression::String(s) => Some(s.clone()),
                        _ => None,
                    });
                    facts.aws_providers.insert(alias);
                }
                "terraform" => {
                    facts.has_backend |=
                        block.body().blocks().any(|b| b.identifier() == "backend" || b.identifier() == "cloud");
                }
                _ => {}
            }
        }
    }
    if !parsed_all {
        // Fall back to a textual look; init will report the syntax error anyway.
        let text: String = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect::<Vec<_>>()
            .join("\n");
        if text.lines().any(|l| l.trim_start().starts_with("provider \"aws\"")) {
            facts.aws_providers.insert(None);
        }
        facts.has_backend |=
            text.lines().any(|l| l.trim_start().starts_with("backend \"") || l.trim_start().starts_with("cloud {"));
    }
    facts.uses_aws = !facts.aws_providers.is_empty() || uses_aws_anywhere(dir);
    facts
}

fn uses_aws_anywhere(dir: &Path) -> bool {
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(local_module_dirs(dir));
    dirs.iter().any(|d| {
        std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .any(|text| text.contains("\"aws_") || text.contains("hashicorp/aws"))
    })
}

/// Write the generated files that keep providers and backends offline.
fn inject_overrides(dir: &Path) -> Result<(), PlanError> {
    let facts = root_facts(dir);
    let write = |name: &str, text: String| -> Result<(), PlanError> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io_at(&path))
    };
    if !facts.aws_providers.is_empty() {
        let mut text = String::from("# Generated by faultline: keeps the AWS provider offline.\n");
        for alias in &facts.aws_providers {
            text.push_str("provider \"aws\" {\n");
            if let Some(alias) = alias {
                let _ = writeln!(text, "  alias                       = {}", serde_json::Value::String(alias.clone()));
            }
            text.push_str(AWS_SETTINGS);
            text.push_str("}\n");
        }
        write(&format!("{}override.tf", messages::GENERATED_PREFIX), text)?;
    }
    if facts.uses_aws && !facts.aws_providers.contains(&None) {
        let text = format!(
            "# Generated by faultline: keeps the AWS provider offline.\nprovider \"aws\" {{\n{AWS_SETTINGS}}}\n"
        );
        write(&format!("{}provider.tf", messages::GENERATED_PREFIX), text)?;
    }
    if facts.has_backend {
        let text =
            "# Generated by faultline: state stays in this temporary folder.\nterraform {\n  backend \"local\" {}\n}\n";
        write(&format!("{}backend_override.tf", messages::GENERATED_PREFIX), text.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_output_blames_config_only_for_user_files() {
        assert!(text_blames_config("Error: Invalid expression\n\n  on main.tf line 3:\n"));
        assert!(!text_blames_config("Error: x\n\n  on zz_faultline_override.tf line 3:\n"));
        assert!(!text_blames_config("Error: Failed to query available provider packages\n"));
    }
}
