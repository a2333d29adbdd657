//! A finding: one problem a rule found in a file (`tf.open-ingress` at `main.tf:12`).
//! The lint command prints findings; checks compare finding sets between the base
//! and the candidate's state.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// One rule hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Finding class, e.g. `tf.open-ingress`. Checks refer to findings by class.
    pub class: String,
    /// The specific rule inside the class that fired (e.g. `ssh-from-anywhere`).
    pub rule: String,
    /// File path relative to the linted root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    pub severity: Severity,
    pub message: String,
    /// The subject of the finding, stable across edits that move lines: a Terraform
    /// address such as `aws_security_group.web` (or `file:line` when there is none).
    pub subject: String,
}

impl Finding {
    /// The identity used to compare findings across two states of the same code:
    /// class and subject, not line numbers (which shift with any edit).
    pub fn key(&self) -> (&str, &str) {
        (&self.class, &self.subject)
    }
}

/// Every finding class the rules engine knows, as content may name them.
pub const KNOWN_CLASSES: &[&str] = &[
    "tf.open-ingress",
    "tf.missing-tags",
    "tf.destroy-without-moved",
    "tf.unencrypted-storage",
    "tf.public-bucket",
    "tf.hardcoded-secret",
    "tf.wildcard-iam",
    "tf.deletion-protection-off",
    "k8s.missing-config-ref",
    "k8s.probe-port-mismatch",
    "k8s.selector-mismatch",
    "k8s.target-port-mismatch",
    "k8s.image-tag",
    "k8s.missing-resources",
    "k8s.privileged",
    "k8s.run-as-root",
    "k8s.host-path",
    "k8s.secret-literal-env",
    "k8s.schema",
    "ci.hardcoded-secret",
    "ci.secret-echo",
    "ci.script-injection",
    "ci.unpinned-action",
    "ci.broad-permissions",
    "ci.missing-gate",
    "ci.undefined-secret",
    "ci.schema",
];
