//! `tf.public-bucket`: S3 buckets explicitly opened to the public.
//!
//! Only explicit openings count: a public canned ACL (inline or in
//! `aws_s3_bucket_acl`), a grant to the AllUsers or AuthenticatedUsers groups, a
//! public access block that switches a protection off (its flags default to `false`,
//! so a missing flag switches it off too), and a bucket policy that allows everyone
//! (`Principal = "*"`) without a narrowing condition. A bucket that simply has no
//! public access block is not reported; account-level blocks and S3's own defaults
//! usually cover it, and flagging every such bucket would bury the real cases.

use crate::model::{Finding, Severity};

use super::eval::Value;
use super::policy;
use super::syntax::Body;
use super::{Context, Hit, Resource, TfModule};

pub const CLASS: &str = "tf.public-bucket";

const PROTECTIONS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let module = cx.module;
    for resource in module.resources() {
        match resource.type_name {
            "aws_s3_bucket" => {
                public_acl(module, &resource, out);
                public_grant(module, &resource, out);
                public_policy(module, &resource, out);
            }
            "aws_s3_bucket_acl" => {
                public_acl(module, &resource, out);
                public_grant(module, &resource, out);
            }
            "aws_s3_bucket_policy" => public_policy(module, &resource, out),
            "aws_s3_bucket_public_access_block" | "aws_s3_account_public_access_block" => {
                access_block(module, &resource, out);
            }
            _ => {}
        }
    }
}

fn push(
    resource: &Resource<'_>,
    rule: &str,
    severity: Severity,
    loc: super::syntax::Loc,
    message: String,
    out: &mut Vec<Finding>,
) {
    out.push(
        Hit {
            class: CLASS,
            rule,
            severity,
            file: resource.file,
            loc,
            subject: resource.address(),
            message,
        }
        .into(),
    );
}

fn public_acl(module: &TfModule, resource: &Resource<'_>, out: &mut Vec<Finding>) {
    let Some(Value::String(acl)) = super::attr_value(module, resource.block, "acl") else {
        return;
    };
    let severity = match acl.as_str() {
        "public-read-write" => Severity::Critical,
        "public-read" => Severity::High,
        "authenticated-read" => Severity::Medium,
        _ => return,
    };
    let loc = super::attr_loc(resource.block, "acl");
    let (who, what) = match acl.as_str() {
        "authenticated-read" => ("any AWS account", "read"),
        "public-read-write" => ("anyone on the internet", "read and write"),
        _ => ("anyone on the internet", "read"),
    };
    let message = format!(
        "`acl = \"{acl}\"` on {} lets {who} {what} its objects",
        resource.address()
    );
    push(resource, "public-acl", severity, loc, message, out);
}

fn public_grant(module: &TfModule, resource: &Resource<'_>, out: &mut Vec<Finding>) {
    if let Some((group, loc)) = public_group_uri(module, &resource.block.body) {
        let message = format!("{} grants access to the {group} group", resource.address());
        push(resource, "public-grant", Severity::High, loc, message, out);
    }
}

/// The first `uri` anywhere in a body that names a public S3 group.
fn public_group_uri(module: &TfModule, body: &Body) -> Option<(&'static str, super::syntax::Loc)> {
    for attr in &body.attrs {
        if attr.name == "uri" {
            if let Value::String(uri) = module.eval(&attr.value) {
                for group in ["AllUsers", "AuthenticatedUsers"] {
                    if uri.ends_with(&format!("/groups/global/{group}")) {
                        return Some((group, attr.loc));
                    }
                }
            }
        }
    }
    body.blocks
        .iter()
        .find_map(|b| public_group_uri(module, &b.body))
}

fn public_policy(module: &TfModule, resource: &Resource<'_>, out: &mut Vec<Finding>) {
    let Some(attr) = resource.block.body.attr("policy") else {
        return;
    };
    let Some(statements) = policy::statements(module, &attr.value, attr.loc) else {
        return;
    };
    if let Some(st) = statements
        .iter()
        .find(|s| s.allows() && s.public_principal && !s.has_condition)
    {
        let message = format!(
            "the policy of {} allows {} to anyone (`Principal = \"*\"`) with no condition",
            resource.address(),
            if st.actions.items.is_empty() {
                "actions".to_string()
            } else {
                st.actions.items.join(", ")
            }
        );
        push(
            resource,
            "public-policy",
            Severity::High,
            st.loc,
            message,
            out,
        );
    }
}

fn access_block(module: &TfModule, resource: &Resource<'_>, out: &mut Vec<Finding>) {
    let block = resource.block;
    let off: Vec<&str> = PROTECTIONS
        .into_iter()
        .filter(|flag| match super::attr_value(module, block, flag) {
            None | Some(Value::Null) => true,
            Some(v) => v.as_bool() == Some(false),
        })
        .collect();
    let Some(first) = off.first() else { return };
    let message = format!(
        "{} leaves {} switched off (a missing flag defaults to false)",
        resource.address(),
        off.join(", ")
    );
    push(
        resource,
        "public-access-block-disabled",
        Severity::Medium,
        super::attr_loc(block, first),
        message,
        out,
    );
}
