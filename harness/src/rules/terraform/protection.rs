//! `tf.deletion-protection-off`: resources that one mistaken apply can delete for good.
//!
//! Databases are where this matters most, so `aws_db_instance` and `aws_rds_cluster`
//! must turn `deletion_protection` on: `false` is high, leaving it out (it defaults
//! to off) is medium. Load balancers and DynamoDB tables are recreated more easily
//! and their protection is off by default almost everywhere, so only an explicit
//! `false` there is reported. Separately, `skip_final_snapshot = true` on a database
//! means a delete leaves no backup behind.

use crate::model::{Finding, Severity};

use super::eval::Value;
use super::{Context, Hit, Resource};

pub const CLASS: &str = "tf.deletion-protection-off";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for resource in cx.module.resources() {
        match resource.type_name {
            "aws_db_instance" | "aws_rds_cluster" => {
                protection(cx, &resource, "deletion_protection", true, out);
                skip_final_snapshot(cx, &resource, out);
            }
            "aws_lb" | "aws_alb" => {
                protection(cx, &resource, "enable_deletion_protection", false, out)
            }
            "aws_dynamodb_table" => {
                protection(cx, &resource, "deletion_protection_enabled", false, out)
            }
            _ => {}
        }
    }
}

fn protection(
    cx: &Context<'_>,
    resource: &Resource<'_>,
    flag: &str,
    absence_counts: bool,
    out: &mut Vec<Finding>,
) {
    let address = resource.address();
    let (rule, severity, message) = match super::attr_value(cx.module, resource.block, flag) {
        Some(v) if v.as_bool() == Some(false) => {
            let severity = if absence_counts {
                Severity::High
            } else {
                Severity::Medium
            };
            (
                "deletion-protection-disabled",
                severity,
                format!("`{flag} = false`: {address} can be deleted by any apply that drops it"),
            )
        }
        None | Some(Value::Null) if absence_counts => (
            "deletion-protection-missing",
            Severity::Medium,
            format!("{address} does not set `{flag}`, which defaults to off"),
        ),
        _ => return,
    };
    out.push(
        Hit {
            class: CLASS,
            rule,
            severity,
            file: resource.file,
            loc: super::attr_loc(resource.block, flag),
            subject: address,
            message,
        }
        .into(),
    );
}

fn skip_final_snapshot(cx: &Context<'_>, resource: &Resource<'_>, out: &mut Vec<Finding>) {
    let skipped = super::attr_value(cx.module, resource.block, "skip_final_snapshot")
        .and_then(|v| v.as_bool());
    if skipped == Some(true) {
        out.push(
            Hit {
                class: CLASS,
                rule: "skip-final-snapshot",
                severity: Severity::Medium,
                file: resource.file,
                loc: super::attr_loc(resource.block, "skip_final_snapshot"),
                subject: resource.address(),
                message: format!(
                    "{} is deleted without a final snapshot (`skip_final_snapshot = true`)",
                    resource.address()
                ),
            }
            .into(),
        );
    }
}
