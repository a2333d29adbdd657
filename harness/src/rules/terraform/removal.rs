//! `tf.destroy-without-moved`: changes that make Terraform destroy something the base
//! state manages.
//!
//! This family compares the candidate module with the same directory in the base.
//! An address that disappears is a destroy unless a `moved` block carries it to an
//! address that exists, or a `removed` block with `lifecycle { destroy = false }`
//! lets go of it without destroying it. Removing a stateful resource (a database, a
//! bucket, a key) loses data and is critical. Separately, editing an attribute that
//! forces replacement of a stateful resource (its name or identifier, its engine)
//! destroys it just the same, even though the address stays; the obvious cases of
//! that are reported too.

use std::collections::BTreeSet;

use crate::model::{Finding, Severity};

use super::eval::Value;
use super::syntax::Expr;
use super::{Context, Hit, Resource, TfModule};

pub const CLASS: &str = "tf.destroy-without-moved";

/// Stateful types used when a scenario lists none.
pub const DEFAULT_STATEFUL: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_s3_bucket",
    "aws_dynamodb_table",
    "aws_ebs_volume",
    "aws_efs_file_system",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_kms_key",
];

/// Attributes whose change replaces a stateful resource, per type.
const FORCES_REPLACEMENT: &[(&str, &[&str])] = &[
    (
        "aws_db_instance",
        &[
            "identifier",
            "identifier_prefix",
            "engine",
            "availability_zone",
        ],
    ),
    (
        "aws_rds_cluster",
        &[
            "cluster_identifier",
            "cluster_identifier_prefix",
            "engine",
            "database_name",
        ],
    ),
    ("aws_s3_bucket", &["bucket", "bucket_prefix"]),
    ("aws_dynamodb_table", &["name", "hash_key", "range_key"]),
    ("aws_ebs_volume", &["availability_zone", "snapshot_id"]),
    (
        "aws_efs_file_system",
        &["creation_token", "performance_mode"],
    ),
    ("aws_elasticache_cluster", &["cluster_id", "engine"]),
    (
        "aws_elasticache_replication_group",
        &["replication_group_id"],
    ),
    ("aws_kms_key", &["customer_master_key_spec", "key_usage"]),
];

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(base) = cx.base else { return };
    let module = cx.module;
    let stateful = |type_name: &str| {
        if cx.settings.stateful_types.is_empty() {
            DEFAULT_STATEFUL.contains(&type_name)
        } else {
            cx.settings.stateful_types.iter().any(|t| t == type_name)
        }
    };
    let current: BTreeSet<String> = module.addresses().into_iter().collect();
    let current_modules: BTreeSet<&str> = module_calls(module).collect();
    let moves = moves(module);
    let released = released(module);
    let base_addresses: BTreeSet<String> = base.addresses().into_iter().collect();

    for old in base.resources() {
        let address = old.address();
        if current.contains(&address) {
            if stateful(old.type_name) {
                replacement(cx, base, &old, &address, out);
            }
            continue;
        }
        let moved_to: Vec<&str> = moves
            .iter()
            .filter(|(from, _)| *from == address)
            .map(|(_, to)| to.as_str())
            .collect();
        if let Some(to) = moved_to.iter().find(|to| current.contains(**to)) {
            if stateful(old.type_name) {
                replacement(cx, base, &old, to, out);
            }
            continue;
        }
        if released.contains(&address) {
            continue;
        }
        // Point at the resource that probably replaced it (same type, new address), if any.
        let successor = module
            .resources()
            .find(|r| r.type_name == old.type_name && !base_addresses.contains(&r.address()));
        let mut message = match &successor {
            Some(new) => format!(
                "{address} is gone and {} is new: Terraform will destroy one and create the other; add `moved {{ from = {address}, to = {} }}`",
                new.address(),
                new.address()
            ),
            None => format!(
                "{address} was removed (it was declared at {}:{} in the base), so Terraform will destroy it",
                old.file,
                old.loc().line
            ),
        };
        if let Some(to) = moved_to.first() {
            message.push_str(&format!(
                " (a moved block points it at {to}, which does not exist)"
            ));
        }
        let (rule, severity) = if stateful(old.type_name) {
            ("stateful-removed", Severity::Critical)
        } else {
            ("resource-removed", Severity::High)
        };
        let (file, loc) = successor.map_or((old.file, old.loc()), |r| (r.file, r.loc()));
        out.push(
            Hit {
                class: CLASS,
                rule,
                severity,
                file,
                loc,
                subject: address,
                message,
            }
            .into(),
        );
    }

    for item in base.items_of("module") {
        let Some(name) = item.block.labels.first() else {
            continue;
        };
        let address = format!("module.{name}");
        let moved_ok = moves.iter().any(|(from, to)| {
            *from == address
                && to
                    .strip_prefix("module.")
                    .is_some_and(|n| current_modules.contains(n))
        });
        if current_modules.contains(name.as_str()) || moved_ok || released.contains(&address) {
            continue;
        }
        out.push(
            Hit {
                class: CLASS,
                rule: "module-removed",
                severity: Severity::High,
                file: &item.file,
                loc: item.block.loc,
                subject: address.clone(),
                message: format!(
                    "{address} was removed, so Terraform will destroy everything it manages"
                ),
            }
            .into(),
        );
    }
}

/// A stateful resource kept (at the same address, or moved to `new_address`) whose
/// identity-defining attribute changed. The subject stays the base address.
fn replacement(
    cx: &Context<'_>,
    base: &TfModule,
    old: &Resource<'_>,
    new_address: &str,
    out: &mut Vec<Finding>,
) {
    let address = old.address();
    let Some(new) = cx.module.resource(new_address) else {
        return;
    };
    let Some((_, attrs)) = FORCES_REPLACEMENT.iter().find(|(t, _)| *t == old.type_name) else {
        return;
    };
    for attr in *attrs {
        let before = value_of(base, old.block.body.value(attr));
        let after = value_of(cx.module, new.block.body.value(attr));
        if before.is_known() && after.is_known() && before != after {
            out.push(
                Hit {
                    class: CLASS,
                    rule: "stateful-replaced",
                    severity: Severity::Critical,
                    file: new.file,
                    loc: super::attr_loc(new.block, attr),
                    subject: address.clone(),
                    message: format!(
                        "changing `{attr}` of {address} from {} to {} forces Terraform to replace it, destroying its data",
                        describe(&before),
                        describe(&after)
                    ),
                }
                .into(),
            );
        }
    }
}

fn value_of(module: &TfModule, expr: Option<&Expr>) -> Value {
    expr.map_or(Value::Null, |e| module.eval(e))
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "unset".into(),
        other => other.to_json().to_string(),
    }
}

/// `moved` blocks as (from, to) addresses, without instance keys.
fn moves(module: &TfModule) -> Vec<(String, String)> {
    module
        .items_of("moved")
        .filter_map(|i| {
            let from = address_of(i.block.body.value("from")?)?;
            let to = address_of(i.block.body.value("to")?)?;
            Some((from, to))
        })
        .collect()
}

/// Addresses that `removed` blocks take out of state without destroying them.
fn released(module: &TfModule) -> BTreeSet<String> {
    module
        .items_of("removed")
        .filter(|i| {
            i.block.body.blocks_of("lifecycle").any(|l| {
                super::attr_value(module, l, "destroy").and_then(|v| v.as_bool()) == Some(false)
            })
        })
        .filter_map(|i| address_of(i.block.body.value("from")?))
        .collect()
}

/// The address a `from`/`to` reference names, with any `[key]` dropped.
fn address_of(expr: &Expr) -> Option<String> {
    let source = expr.source()?;
    let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
    let without_keys = compact.split('[').next().unwrap_or_default().to_string();
    (!without_keys.is_empty()).then_some(without_keys)
}

fn module_calls(module: &TfModule) -> impl Iterator<Item = &str> {
    module
        .items_of("module")
        .filter_map(|i| i.block.labels.first().map(String::as_str))
}
