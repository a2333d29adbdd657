//! `tf.missing-tags`: taggable AWS resources without the tags a scenario requires.
//!
//! Tags reach a resource from its own `tags` (a literal map, `merge(...)` of locals
//! and literals, a local) or from `default_tags` on the `aws` provider it uses. When
//! a module declares no `aws` provider (a child module), the provider blocks of its
//! parent directories stand in, as they would when Terraform passes providers down.
//! `aws_autoscaling_group` is the exception AWS itself makes: it takes `tag` blocks
//! and ignores `default_tags`. A tag set that cannot be worked out (a variable with no
//! default, say) might hold anything, so it is never reported.

use std::collections::BTreeSet;

use crate::model::{Finding, Severity};

use super::eval::Value;
use super::syntax::Block;
use super::{Context, Hit, Resource, TfModule};

pub const CLASS: &str = "tf.missing-tags";

/// Resource types that take tags even when a given block does not set any.
pub const TAGGABLE: &[&str] = &[
    "aws_autoscaling_group",
    "aws_cloudwatch_log_group",
    "aws_db_instance",
    "aws_db_subnet_group",
    "aws_dynamodb_table",
    "aws_ebs_volume",
    "aws_ecr_repository",
    "aws_ecs_cluster",
    "aws_ecs_service",
    "aws_efs_file_system",
    "aws_eip",
    "aws_eks_cluster",
    "aws_eks_node_group",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_iam_policy",
    "aws_iam_role",
    "aws_instance",
    "aws_internet_gateway",
    "aws_kms_key",
    "aws_lambda_function",
    "aws_launch_template",
    "aws_lb",
    "aws_lb_target_group",
    "aws_nat_gateway",
    "aws_rds_cluster",
    "aws_route_table",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_security_group",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_subnet",
    "aws_vpc",
];

/// What is known about the tags a resource ends up with.
enum TagSet {
    Known(BTreeSet<String>),
    /// Could hold any key.
    Unknown,
}

impl TagSet {
    fn extend(&mut self, found: impl IntoIterator<Item = String>) {
        if let TagSet::Known(keys) = self {
            keys.extend(found);
        }
    }

    /// Add the keys of a `tags` map value.
    fn add(&mut self, value: Option<Value>) {
        let TagSet::Known(keys) = self else { return };
        match value {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => keys.extend(map.into_keys()),
            Some(_) => *self = TagSet::Unknown,
        }
    }
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let required = &cx.settings.required_tags;
    if required.is_empty() {
        return;
    }
    let module = cx.module;
    for resource in module.resources() {
        if !resource.type_name.starts_with("aws_")
            || !(TAGGABLE.contains(&resource.type_name)
                || resource.block.body.attr("tags").is_some())
        {
            continue;
        }
        let TagSet::Known(have) = tags_of(cx, &resource) else {
            continue;
        };
        let missing: Vec<&str> = required
            .iter()
            .filter(|k| !have.contains(*k))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            continue;
        }
        out.push(
            Hit {
                class: CLASS,
                rule: "missing-required-tags",
                severity: Severity::Low,
                file: resource.file,
                loc: super::attr_loc(resource.block, "tags"),
                subject: resource.address(),
                message: format!("missing required tag(s): {}", missing.join(", ")),
            }
            .into(),
        );
    }
}

fn tags_of(cx: &Context<'_>, resource: &Resource<'_>) -> TagSet {
    let module = cx.module;
    let block = resource.block;
    let mut set = TagSet::Known(BTreeSet::new());
    set.add(super::attr_value(module, block, "tags"));
    if resource.type_name == "aws_autoscaling_group" {
        for tag in block.body.blocks_of("tag") {
            match super::attr_value(module, tag, "key") {
                Some(Value::String(key)) => set.extend([key]),
                _ => set = TagSet::Unknown,
            }
        }
        for dynamic in block.body.blocks_of("dynamic") {
            if dynamic.labels.first().is_some_and(|l| l == "tag") {
                match dynamic_tag_keys(module, dynamic) {
                    Some(found) => set.extend(found),
                    None => set = TagSet::Unknown,
                }
            }
        }
        return set;
    }
    if let Some((owner, provider)) = provider_for(cx, block) {
        for defaults in provider.body.blocks_of("default_tags") {
            set.add(super::attr_value(owner, defaults, "tags"));
        }
    }
    set
}

/// Keys produced by `dynamic "tag" { for_each = <map>, content { key = tag.key } }`,
/// or by a list of objects with `key = tag.value.key`; `None` when it cannot be told.
fn dynamic_tag_keys(module: &TfModule, dynamic: &Block) -> Option<Vec<String>> {
    let iterator = match dynamic.body.value("iterator").and_then(|e| e.reference()) {
        Some([name]) => name.clone(),
        _ => "tag".to_string(),
    };
    let for_each = super::attr_value(module, dynamic, "for_each")?;
    let content = dynamic.body.blocks_of("content").next()?;
    let key = content.body.value("key")?.reference()?;
    match (&for_each, key) {
        (Value::Object(map), [it, k]) if *it == iterator && k == "key" => {
            Some(map.keys().cloned().collect())
        }
        (Value::List(items), [it, v, k]) if *it == iterator && v == "value" => items
            .iter()
            .map(|item| item.get(k).and_then(Value::as_str).map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// The `aws` provider block a resource uses (and the module it is declared in, whose
/// variables its values refer to).
fn provider_for<'a>(cx: &Context<'a>, block: &Block) -> Option<(&'a TfModule, &'a Block)> {
    let alias = block
        .body
        .value("provider")
        .and_then(|e| e.reference())
        .and_then(|parts| match parts {
            [p, alias] if p == "aws" => Some(alias.as_str()),
            _ => None,
        });
    let owners = std::iter::once(cx.module)
        .chain(cx.parents.iter().copied())
        .find(|m| m.aws_providers().next().is_some())?;
    let mut providers = owners.aws_providers();
    let wanted = |b: &&Block| {
        let own_alias = b.body.value("alias").and_then(|e| e.as_str());
        own_alias == alias
    };
    providers.find(wanted).map(|p| (owners, p))
}
