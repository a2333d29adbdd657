//! `tf.unencrypted-storage`: data stores that keep data unencrypted at rest.
//!
//! RDS instances and clusters, EBS volumes and EFS file systems are unencrypted
//! unless told otherwise, so a missing flag is as bad as `false` (high). Exceptions
//! the provider itself makes: a read replica inherits its source's encryption,
//! Aurora Serverless v1 is always encrypted, and an `aws_ebs_encryption_by_default`
//! that is enabled covers volumes that say nothing. S3 has encrypted new objects by
//! default since January 2023, so a bucket with no encryption configuration of its
//! own is only worth a low note.

use crate::model::{Finding, Severity};

use super::eval::Value;
use super::{Context, Hit, Resource, TfModule};

pub const CLASS: &str = "tf.unencrypted-storage";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let module = cx.module;
    let ebs_default = module.resources().any(|r| {
        r.type_name == "aws_ebs_encryption_by_default"
            && super::attr_value(module, r.block, "enabled")
                .is_none_or(|v| v.as_bool() == Some(true))
    });
    for resource in module.resources() {
        let block = resource.block;
        let has = |name: &str| block.body.attr(name).is_some();
        match resource.type_name {
            "aws_db_instance" if !has("replicate_source_db") => {
                flag_off(
                    cx,
                    &resource,
                    "storage_encrypted",
                    "rds-unencrypted",
                    false,
                    out,
                );
            }
            "aws_rds_cluster" => {
                let serverless_v1 = super::attr_value(module, block, "engine_mode")
                    .is_some_and(|v| v.as_str() == Some("serverless"));
                if !serverless_v1 {
                    flag_off(
                        cx,
                        &resource,
                        "storage_encrypted",
                        "rds-unencrypted",
                        false,
                        out,
                    );
                }
            }
            "aws_ebs_volume" => flag_off(
                cx,
                &resource,
                "encrypted",
                "ebs-unencrypted",
                ebs_default,
                out,
            ),
            "aws_efs_file_system" => {
                flag_off(cx, &resource, "encrypted", "efs-unencrypted", false, out)
            }
            "aws_s3_bucket" if !has_sse(module, &resource) => out.push(s3_note(&resource)),
            _ => {}
        }
    }
}

fn s3_note(bucket: &Resource<'_>) -> Finding {
    let address = bucket.address();
    let message = format!(
        "{address} has no server-side encryption configuration; S3 encrypts with its own \
         key by default, but an explicit setting (or a KMS key) states the intent"
    );
    Finding::from(Hit {
        class: CLASS,
        rule: "s3-no-encryption-config",
        severity: Severity::Low,
        file: bucket.file,
        loc: bucket.loc(),
        subject: address,
        message,
    })
}

/// Report a flag that is `false`, or absent when absence means unencrypted.
fn flag_off(
    cx: &Context<'_>,
    resource: &Resource<'_>,
    flag: &str,
    rule: &str,
    absent_is_fine: bool,
    out: &mut Vec<Finding>,
) {
    let message = match super::attr_value(cx.module, resource.block, flag) {
        None | Some(Value::Null) if absent_is_fine => return,
        None | Some(Value::Null) => format!(
            "`{flag}` is not set, so {} stores data unencrypted",
            resource.address()
        ),
        Some(v) if v.as_bool() == Some(false) => format!(
            "`{flag} = false`: {} stores data unencrypted",
            resource.address()
        ),
        Some(_) => return,
    };
    out.push(
        Hit {
            class: CLASS,
            rule,
            severity: Severity::High,
            file: resource.file,
            loc: super::attr_loc(resource.block, flag),
            subject: resource.address(),
            message,
        }
        .into(),
    );
}

/// Whether a bucket has an encryption configuration: inline, or an
/// `aws_s3_bucket_server_side_encryption_configuration` that targets it.
fn has_sse(module: &TfModule, bucket: &Resource<'_>) -> bool {
    let inline = bucket
        .block
        .body
        .blocks_of("server_side_encryption_configuration");
    if inline.count() > 0 {
        return true;
    }
    let name = super::attr_value(module, bucket.block, "bucket");
    module
        .resources()
        .filter(|r| r.type_name == "aws_s3_bucket_server_side_encryption_configuration")
        .any(|r| targets_bucket(module, r.block.body.value("bucket"), bucket, name.as_ref()))
}

/// Whether a `bucket = ...` argument refers to `bucket`: by reference
/// (`aws_s3_bucket.x.id`, `.bucket`, with or without an instance key) or by the
/// same literal name.
pub(crate) fn targets_bucket(
    module: &TfModule,
    expr: Option<&super::syntax::Expr>,
    bucket: &Resource<'_>,
    bucket_name: Option<&Value>,
) -> bool {
    let Some(expr) = expr else { return false };
    if let Some(source) = expr.source() {
        let prefix = format!("{}.{}", bucket.type_name, bucket.name);
        if let Some(rest) = source.strip_prefix(&prefix) {
            // `aws_s3_bucket.x.id`, `.bucket`, or `aws_s3_bucket.x[each.key].id`.
            return rest.starts_with('.') || rest.starts_with('[');
        }
    }
    match (module.eval(expr), bucket_name) {
        (Value::String(a), Some(Value::String(b))) => a == *b,
        _ => false,
    }
}
