//! `tf.wildcard-iam`: identity policies that grant far more than any workload needs.
//!
//! Statements are read from the `policy` of every `aws_iam_*` resource (including a
//! role's `inline_policy` blocks) when it is written inline, and from every
//! `data "aws_iam_policy_document"`. A policy that only references a document is not
//! read a second time: the finding belongs where the statement is written. Among
//! allowing statements, `Action = "*"` is administrator access whatever the resource
//! (critical); `service:*` on `Resource = "*"` hands over a whole service (high); and
//! `NotAction` with `Allow` grants everything except a list, which is almost always
//! broader than meant (high).

use crate::model::{Finding, Severity};

use super::policy::{self, Statement};
use super::syntax::Body;
use super::{Context, Hit};

pub const CLASS: &str = "tf.wildcard-iam";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let module = cx.module;
    for resource in module
        .resources()
        .filter(|r| r.type_name.starts_with("aws_iam_"))
    {
        let mut statements = Vec::new();
        collect_inline(module, &resource.block.body, &mut statements);
        report(&statements, resource.file, &resource.address(), out);
    }
    for source in module
        .data_sources()
        .filter(|d| d.type_name == "aws_iam_policy_document")
    {
        let statements = policy::document_statements(module, source.block);
        report(&statements, source.file, &source.address(), out);
    }
}

/// Statements of inline `policy` attributes in a body and its nested blocks.
fn collect_inline(module: &super::TfModule, body: &Body, statements: &mut Vec<Statement>) {
    if let Some(attr) = body.attr("policy") {
        let references_document = (attr.value.reference())
            .is_some_and(|parts| parts.first().is_some_and(|p| p == "data"));
        if !references_document {
            statements
                .extend(policy::statements(module, &attr.value, attr.loc).unwrap_or_default());
        }
    }
    for block in &body.blocks {
        collect_inline(module, &block.body, statements);
    }
}

fn report(statements: &[Statement], file: &str, subject: &str, out: &mut Vec<Finding>) {
    for st in statements.iter().filter(|s| s.allows()) {
        let Some((rule, severity, message)) = judge(st) else {
            continue;
        };
        out.push(
            Hit {
                class: CLASS,
                rule,
                severity,
                file,
                loc: st.loc,
                subject: subject.to_string(),
                message,
            }
            .into(),
        );
    }
}

fn judge(st: &Statement) -> Option<(&'static str, Severity, String)> {
    if st.actions.contains("*") {
        return Some((
            "action-wildcard",
            Severity::Critical,
            "allows every action (`Action = \"*\"`): administrator access".into(),
        ));
    }
    if st.not_actions.present {
        let listed = st.not_actions.items.join(", ");
        return Some((
            "not-action-allow",
            Severity::High,
            format!("allows everything except [{listed}] (`NotAction` with `Allow`); list the actions that are needed instead"),
        ));
    }
    let services: Vec<&str> = st
        .actions
        .items
        .iter()
        .filter(|a| is_service_wildcard(a))
        .map(String::as_str)
        .collect();
    if !services.is_empty() && st.resources.contains("*") {
        return Some((
            "service-wildcard",
            Severity::High,
            format!(
                "allows {} on every resource; name the actions and resources needed",
                services.join(", ")
            ),
        ));
    }
    None
}

/// `s3:*`, `iam:*`: every action of one service.
fn is_service_wildcard(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(service, rest)| !service.is_empty() && rest == "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_service_wildcards_count_as_service_wildcards() {
        assert!(is_service_wildcard("s3:*"));
        assert!(!is_service_wildcard("s3:Get*"));
        assert!(!is_service_wildcard("*"));
        assert!(!is_service_wildcard("s3:GetObject"));
    }
}
