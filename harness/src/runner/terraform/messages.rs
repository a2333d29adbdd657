//! Reading Terraform's machine-readable output: the JSON lines that `init -json`
//! and `plan -json` print (diagnostics, planned changes, the summary), and the
//! `resource_changes` of `show -json`.
//!
//! Diagnostics decide who is to blame when a step fails: an error that points at a
//! line of the user's configuration means the configuration is wrong (the candidate
//! fails); one that points nowhere, or at a file we generated, means the tool or the
//! machine is (the check errors). Pure functions, so they are tested on stored lines.

use serde_json::Value;

use super::PlanChange;

/// Files we add to a working copy; errors in them are ours, not the user's.
pub(crate) const GENERATED_PREFIX: &str = "zz_faultline_";

/// One diagnostic from Terraform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnostic {
    pub severity: String,
    pub summary: String,
    pub detail: String,
    /// File (relative to the working directory) and line, when it points at one.
    pub location: Option<(String, u64)>,
    /// The offending source line(s), when Terraform quoted them.
    pub code: Option<String>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }

    /// Whether it points at a line of the user's configuration.
    pub fn in_user_config(&self) -> bool {
        self.location.as_ref().is_some_and(|(file, _)| {
            let name = file.rsplit('/').next().unwrap_or(file);
            !name.starts_with(GENERATED_PREFIX)
        })
    }

    /// Whether it reports a request to a remote API that failed (no network, no
    /// credentials) rather than a problem in the configuration.
    pub fn is_failed_api_call(&self) -> bool {
        const SIGNS: &[&str] = &[
            "request send failed",
            "operation error ",
            "dial tcp",
            "no such host",
            "network is unreachable",
            "connection refused",
            "i/o timeout",
            "no valid credential sources",
        ];
        let text = format!("{} {}", self.summary, self.detail).to_lowercase();
        SIGNS.iter().any(|sign| text.contains(sign))
    }

    fn from_json(d: &Value) -> Self {
        let text = |key: &str| d.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let location = d.get("range").and_then(|r| {
            Some((
                r.get("filename")?.as_str()?.to_string(),
                r.pointer("/start/line").and_then(Value::as_u64).unwrap_or(0),
            ))
        });
        let code = d.pointer("/snippet/code").and_then(Value::as_str).map(str::to_string);
        Self { severity: text("severity"), summary: text("summary"), detail: text("detail"), location, code }
    }

    /// Render like Terraform's own human output, without colour or boxes.
    pub fn render(&self) -> String {
        let label = if self.is_error() { "Error" } else { "Warning" };
        let mut out = format!("{label}: {}\n", self.summary.trim());
        if let Some((file, line)) = &self.location {
            out.push_str(&format!("  on {file} line {line}:\n"));
            if let Some(code) = &self.code {
                for (i, text) in code.lines().enumerate() {
                    out.push_str(&format!("  {:>4}: {text}\n", line + i as u64));
                }
            }
        }
        if !self.detail.trim().is_empty() {
            out.push_str(self.detail.trim());
            out.push('\n');
        }
        out
    }
}

/// What a stream of Terraform JSON lines said.
#[derive(Debug, Default, Clone)]
pub(crate) struct Stream {
    pub diagnostics: Vec<Diagnostic>,
    /// Planned changes as `(address, previous address, action)`, action as Terraform
    /// names it in this stream (`create`, `replace`, `move`, …).
    pub planned: Vec<(String, Option<String>, String)>,
    /// The "Plan: …" line.
    pub summary: Option<String>,
    /// Whether any line was JSON at all (older Terraform may not support `-json`).
    pub was_json: bool,
}

impl Stream {
    pub fn parse(text: &str) -> Self {
        let mut out = Stream::default();
        for line in text.lines() {
            let Ok(msg) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            out.was_json = true;
            match msg.get("type").and_then(Value::as_str) {
                Some("diagnostic") => {
                    if let Some(d) = msg.get("diagnostic") {
                        out.diagnostics.push(Diagnostic::from_json(d));
                    }
                }
                Some("planned_change") => {
                    let change = msg.get("change").unwrap_or(&Value::Null);
                    let address = change.pointer("/resource/addr").and_then(Value::as_str);
                    let previous =
                        change.pointer("/previous_resource/addr").and_then(Value::as_str).map(str::to_string);
                    let action = change.get("action").and_then(Value::as_str);
                    if let (Some(address), Some(action)) = (address, action) {
                        out.planned.push((address.to_string(), previous, action.to_string()));
                    }
                }
                Some("change_summary") => {
                    out.summary = msg.get("@message").and_then(Value::as_str).map(str::to_string);
                }
                _ => {}
            }
        }
        out
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// Whether the errors are the configuration's fault: one points at the user's
    /// files, and none is a failed call to a cloud API (a data source that has to
    /// ask AWS points at the user's file too, but cannot be judged offline).
    pub fn blames_config(&self) -> bool {
        self.errors().any(Diagnostic::in_user_config) && !self.errors().any(Diagnostic::is_failed_api_call)
    }

    /// The error diagnostics rendered as text. When some point at a file, only
    /// those are shown: the others are then banners such as "Terraform encountered
    /// problems during initialisation".
    pub fn render_errors(&self) -> String {
        let located = self.errors().any(|d| d.location.is_some());
        self.errors()
            .filter(|d| !located || d.location.is_some())
            .map(Diagnostic::render)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Planned changes in the shape of `show -json`'s `actions`. A pure move
    /// (`move`) becomes `["no-op"]` with its previous address; `replace` cannot be
    /// told apart from its order here and becomes `["delete", "create"]` — callers
    /// that need the order ask `show -json` (see [`Self::has_replace`]).
    pub fn changes(&self) -> Vec<PlanChange> {
        self.planned
            .iter()
            .filter(|(_, _, action)| action != "noop")
            .map(|(address, previous, action)| {
                let actions: Vec<String> = match action.as_str() {
                    "move" | "import" => vec!["no-op".into()],
                    "replace" => vec!["delete".into(), "create".into()],
                    "remove" => vec!["forget".into()],
                    other => vec![other.to_string()],
                };
                PlanChange { address: address.clone(), actions, previous_address: previous.clone() }
            })
            .collect()
    }

    pub fn has_replace(&self) -> bool {
        self.planned.iter().any(|(_, _, action)| action == "replace")
    }
}

/// Resource changes from `show -json`, leaving out pure no-ops that did not move.
pub(crate) fn changes_from_show(plan: &Value) -> Vec<PlanChange> {
    plan.get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rc| {
            let address = rc.get("address")?.as_str()?.to_string();
            let previous_address = rc.get("previous_address").and_then(Value::as_str).map(str::to_string);
            let actions: Vec<String> = rc
                .pointer("/change/actions")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let noop = actions.iter().all(|a| a == "no-op");
            (!noop || previous_address.is_some()).then_some(PlanChange { address, actions, previous_address })
        })
        .collect()
}

/// Managed resources whose planned actions are anything but a no-op.
pub(crate) fn unsettled(plan: &Value) -> Vec<PlanChange> {
    plan.get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|rc| rc.get("mode").and_then(Value::as_str) == Some("managed"))
        .filter_map(|rc| {
            let actions: Vec<String> = rc
                .pointer("/change/actions")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            (!actions.iter().all(|a| a == "no-op")).then(|| PlanChange {
                address: rc.get("address").and_then(Value::as_str).unwrap_or_default().to_string(),
                actions,
                previous_address: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_in_a_user_file_blames_the_configuration() {
        let stream = Stream::parse(include_str!("test_data/init-syntax-error.jsonl"));
        assert!(stream.was_json);
        assert!(stream.blames_config());
        let text = stream.render_errors();
        assert!(text.contains("Error: Invalid expression\n  on main.tf line 66:"), "{text}");
    }

    #[test]
    fn errors_in_generated_files_or_without_a_location_do_not_blame_the_configuration() {
        let located = Diagnostic {
            severity: "error".into(),
            summary: "x".into(),
            detail: String::new(),
            location: Some(("zz_faultline_override.tf".into(), 2)),
            code: None,
        };
        assert!(!located.in_user_config());
        let nowhere = Diagnostic { location: None, ..located };
        assert!(!nowhere.in_user_config());
    }

    #[test]
    fn a_data_source_that_cannot_reach_aws_does_not_blame_the_configuration() {
        let stream = Stream::parse(include_str!("test_data/plan-data-source-offline.jsonl"));
        assert!(stream.errors().any(Diagnostic::in_user_config));
        assert!(!stream.blames_config());
    }

    #[test]
    fn planned_changes_map_to_show_json_actions() {
        let stream = Stream::parse(include_str!("test_data/plan-changes.jsonl"));
        let changes = stream.changes();
        let find = |a: &str| changes.iter().find(|c| c.address == a).map(|c| c.actions.join(","));
        assert_eq!(find("aws_db_instance.primary").as_deref(), Some("update"));
        assert_eq!(find("aws_s3_bucket.assets").as_deref(), Some("delete"));
        assert!(stream.has_replace());
        assert_eq!(find("aws_security_group.db").as_deref(), Some("delete,create"));
        assert_eq!(stream.summary.as_deref(), Some("Plan: 1 to add, 1 to change, 2 to destroy."));
        let moved = changes.iter().find(|c| c.address == "aws_db_instance.primary");
        assert_eq!(moved.and_then(|c| c.previous_address.as_deref()), Some("aws_db_instance.main"));
    }
}
