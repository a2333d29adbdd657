//! `tf.hardcoded-secret`: credentials written into Terraform code.
//!
//! Three structural checks and one textual one. Structurally: an attribute (or an
//! object key, or an ECS-style `{ name = "DB_PASSWORD", value = "..." }` pair) whose
//! name says secret holding a literal string; a secret-named `variable` or `local`
//! with a literal value; and literal credentials in an `aws` provider block. Textually,
//! [`crate::rules::secrets::scan`] runs over each file, auto-loaded `.tfvars`
//! included, to catch token formats and secret assignments wherever they hide
//! (heredoc user data, comments, committed variable values). A line reported by the
//! structural checks is not reported again by the scan.
//!
//! References (`var.x`, `random_password.x.result`, `data.aws_secretsmanager_...`)
//! and interpolations are how secrets should arrive, so they never count; neither do
//! empty strings and obvious placeholders.

use std::collections::BTreeSet;

use crate::model::{Finding, Severity};
use crate::rules::secrets;

use super::syntax::{Block, Body, Expr, ExprKind, Loc};
use super::{Context, Hit};

pub const CLASS: &str = "tf.hardcoded-secret";

/// Names that hold a secret outright.
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwd",
    "master_password",
    "secret",
    "secret_key",
    "secret_string",
    "access_key",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "client_secret",
];

/// Name endings that hold a secret.
const SECRET_SUFFIXES: &[&str] = &[
    "_password",
    "_passwd",
    "_secret",
    "_token",
    "_api_key",
    "_apikey",
    "_secret_key",
    "_access_key",
    "_private_key",
];

/// Names that end like a secret but are identifiers AWS asks for (idempotency
/// tokens and the like).
const NOT_SECRETS: &[&str] = &[
    "creation_token",
    "client_token",
    "client_request_token",
    "idempotency_token",
];

/// Whether an attribute, key or variable name says it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    !NOT_SECRETS.contains(&lower.as_str())
        && (SECRET_NAMES.contains(&lower.as_str())
            || SECRET_SUFFIXES.iter().any(|s| lower.ends_with(s)))
}

/// A finding under construction: where, about what, which rule.
struct Spot {
    file: String,
    loc: Loc,
    subject: String,
    rule: String,
    severity: Severity,
    message: String,
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let module = cx.module;
    let mut spots = Vec::new();
    for item in module.items() {
        let block = &item.block;
        let file = item.file.as_str();
        let label = |i: usize| block.labels.get(i).map_or("", String::as_str);
        match block.kind.as_str() {
            "resource" | "data" | "module" | "output" => {
                let subject = match block.kind.as_str() {
                    "resource" => format!("{}.{}", label(0), label(1)),
                    "data" => format!("data.{}.{}", label(0), label(1)),
                    kind => format!("{kind}.{}", label(0)),
                };
                walk_body(&block.body, file, &subject, &mut spots);
            }
            "provider" => provider_credentials(block, file, label(0), &mut spots),
            "variable" => {
                if let Some(default) = block.body.attr("default") {
                    if is_secret_name(label(0)) && literal(&default.value).is_some() {
                        spots.push(Spot {
                            file: file.into(),
                            loc: default.loc,
                            subject: format!("var.{}", label(0)),
                            rule: "secret-variable-default".into(),
                            severity: Severity::High,
                            message: format!(
                                "variable `{}` has a literal default, so the secret is committed with the code; drop the default and supply it at apply time",
                                label(0)
                            ),
                        });
                    }
                }
            }
            "locals" => {
                for attr in &block.body.attrs {
                    if is_secret_name(&attr.name) && literal(&attr.value).is_some() {
                        spots.push(Spot {
                            file: file.into(),
                            loc: attr.loc,
                            subject: format!("local.{}", attr.name),
                            rule: "secret-local".into(),
                            severity: Severity::High,
                            message: format!("local `{}` holds a literal secret", attr.name),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    let flagged: BTreeSet<(String, usize)> =
        spots.iter().map(|s| (s.file.clone(), s.loc.line)).collect();
    for (file, text) in module.sources() {
        for hit in secrets::scan(text) {
            if flagged.contains(&(file.clone(), hit.line)) {
                continue;
            }
            let severity = match hit.rule.as_str() {
                "aws-access-key-id" | "aws-secret-access-key" | "private-key" => Severity::Critical,
                _ => Severity::High,
            };
            let subject = module
                .items()
                .iter()
                .find(|i| {
                    i.file == *file && (i.block.loc.line..=i.block.end_line).contains(&hit.line)
                })
                .map_or_else(
                    || format!("{file}:{}", hit.line),
                    |i| item_address(&i.block),
                );
            spots.push(Spot {
                file: file.clone(),
                loc: Loc {
                    line: hit.line,
                    column: hit.column,
                },
                subject,
                message: format!(
                    "text that looks like a credential ({}): {}",
                    hit.rule, hit.snippet
                ),
                rule: hit.rule,
                severity,
            });
        }
    }

    out.extend(spots.into_iter().map(|s| {
        Finding::from(Hit {
            class: CLASS,
            rule: &s.rule,
            severity: s.severity,
            file: &s.file,
            loc: s.loc,
            subject: s.subject,
            message: s.message,
        })
    }));
}

/// Literal AWS credentials in a provider block.
fn provider_credentials(block: &Block, file: &str, name: &str, spots: &mut Vec<Spot>) {
    if name != "aws" {
        walk_body(&block.body, file, &format!("provider.{name}"), spots);
        return;
    }
    for attr in &block.body.attrs {
        if matches!(attr.name.as_str(), "access_key" | "secret_key" | "token")
            && literal(&attr.value).is_some()
        {
            spots.push(Spot {
                file: file.into(),
                loc: attr.loc,
                subject: "provider.aws".into(),
                rule: "provider-credentials".into(),
                severity: Severity::Critical,
                message: format!(
                    "the aws provider has a literal `{}`; use a profile, environment variables or an assumed role",
                    attr.name
                ),
            });
        }
    }
}

/// Secret-named attributes with literal values anywhere in a body.
fn walk_body(body: &Body, file: &str, subject: &str, spots: &mut Vec<Spot>) {
    for attr in &body.attrs {
        if attr.name == "tags" || attr.name == "tags_all" {
            continue;
        }
        if is_secret_name(&attr.name) && literal(&attr.value).is_some() {
            spots.push(attribute_spot(file, attr.loc, subject, &attr.name));
        } else {
            walk_expr(&attr.value, file, subject, spots);
        }
    }
    for block in &body.blocks {
        walk_body(&block.body, file, subject, spots);
    }
}

/// Secret-named keys with literal values inside objects, lists and calls.
fn walk_expr(expr: &Expr, file: &str, subject: &str, spots: &mut Vec<Spot>) {
    match &expr.kind {
        ExprKind::Object(entries) => {
            // `{ name = "DB_PASSWORD", value = "..." }`, as in ECS container definitions.
            let get = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| v);
            if let (Some(name), Some(value)) = (get("name").and_then(Expr::as_str), get("value")) {
                if is_secret_name(name) && literal(value).is_some() {
                    spots.push(attribute_spot(file, value.loc, subject, name));
                }
            }
            for (key, value) in entries {
                if is_secret_name(key) && literal(value).is_some() {
                    spots.push(attribute_spot(file, value.loc, subject, key));
                } else {
                    walk_expr(value, file, subject, spots);
                }
            }
        }
        ExprKind::List(items) => items
            .iter()
            .for_each(|e| walk_expr(e, file, subject, spots)),
        ExprKind::Call { args, .. } => args.iter().for_each(|e| walk_expr(e, file, subject, spots)),
        _ => {}
    }
}

fn attribute_spot(file: &str, loc: Loc, subject: &str, name: &str) -> Spot {
    Spot {
        file: file.into(),
        loc,
        subject: subject.into(),
        rule: "secret-attribute".into(),
        severity: Severity::High,
        message: format!(
            "`{name}` is a literal string in {subject}; {}",
            advice(subject)
        ),
    }
}

/// Where the secret should come from instead.
fn advice(subject: &str) -> &'static str {
    if subject.starts_with("aws_db_instance.") || subject.starts_with("aws_rds_cluster.") {
        "let RDS manage it (`manage_master_user_password = true`) or pass it from a secret store"
    } else {
        "read it from a secret store (SSM, Secrets Manager) or a sensitive variable"
    }
}

/// The string, when an expression is a literal that is not a placeholder.
fn literal(expr: &Expr) -> Option<&str> {
    expr.as_str().filter(|s| !secrets::is_placeholder(s))
}

fn item_address(block: &Block) -> String {
    let label = |i: usize| block.labels.get(i).map_or("", String::as_str);
    match block.kind.as_str() {
        "resource" => format!("{}.{}", label(0), label(1)),
        "data" => format!("data.{}.{}", label(0), label(1)),
        "variable" => format!("var.{}", label(0)),
        "locals" => "locals".into(),
        kind if block.labels.is_empty() => kind.to_string(),
        kind => format!("{kind}.{}", label(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_match_exact_names_and_suffixes_only() {
        for name in [
            "password",
            "master_password",
            "db_password",
            "client_secret",
            "github_token",
            "API_KEY",
            "private_key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "password_length",
            "secret_arn",
            "token_ttl",
            "kms_key_id",
            "manage_master_user_password_rotation",
            "name",
            "creation_token",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
