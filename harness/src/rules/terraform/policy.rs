//! IAM policy documents, read from wherever Terraform code keeps them.
//!
//! A policy reaches a resource in one of several spellings: `jsonencode({...})`, a
//! heredoc or quoted JSON string, `jsondecode`, or a reference to a
//! `data "aws_iam_policy_document"` whose `statement` blocks say the same thing in
//! HCL. Both `tf.wildcard-iam` and `tf.public-bucket` care only about statements, so
//! this module turns every spelling into the same [`Statement`] list.

use super::eval::Value;
use super::syntax::{Block, Expr, Loc};
use super::{attr_value, TfModule};

/// One statement, reduced to what the rules judge.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Allow`/`Deny` as written; `None` when unknown.
    pub effect: Option<String>,
    pub actions: Strings,
    pub not_actions: Strings,
    pub resources: Strings,
    /// Whether the principal is everyone (`"*"` or `{"AWS": "*"}`).
    pub public_principal: bool,
    /// Whether any condition narrows the statement.
    pub has_condition: bool,
    /// Where the statement is written (the policy attribute for JSON documents).
    pub loc: Loc,
}

/// A string-or-list field: the known strings, whether some part was unknown, and
/// whether the field was present at all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Strings {
    pub items: Vec<String>,
    pub unknown: bool,
    pub present: bool,
}

impl Strings {
    fn from_value(value: Option<&Value>) -> Strings {
        match value {
            None | Some(Value::Null) => Strings::default(),
            Some(v) => {
                let (items, unknown) = v.string_items();
                Strings {
                    items,
                    unknown,
                    present: true,
                }
            }
        }
    }

    pub fn contains(&self, s: &str) -> bool {
        self.items.iter().any(|i| i == s)
    }
}

impl Statement {
    /// Whether the statement allows (a missing effect is unknown, not an allow).
    pub fn allows(&self) -> bool {
        self.effect
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("allow"))
    }
}

/// The statements of a policy expression, or `None` when the document cannot be
/// worked out. `loc` is where JSON-spelled statements are reported.
pub fn statements(module: &TfModule, expr: &Expr, loc: Loc) -> Option<Vec<Statement>> {
    if let Some([data, kind, name, attr]) = expr.reference() {
        if data == "data"
            && kind == "aws_iam_policy_document"
            && (attr == "json" || attr == "minified_json")
        {
            let source = module.data_source(kind, name)?;
            return Some(document_statements(module, source.block));
        }
    }
    json_statements(&module.eval(expr), loc)
}

/// Statements of a JSON-like policy value (an object, or a string holding JSON).
pub fn json_statements(value: &Value, loc: Loc) -> Option<Vec<Statement>> {
    let decoded;
    let doc = match value {
        Value::String(text) => {
            decoded = Value::from_json(&serde_json::from_str(text).ok()?);
            &decoded
        }
        Value::Object(_) => value,
        _ => return None,
    };
    let list = match doc.get("Statement")? {
        Value::List(items) => items.clone(),
        single @ Value::Object(_) => vec![single.clone()],
        _ => return None,
    };
    Some(
        list.iter()
            .filter(|s| matches!(s, Value::Object(_)))
            .map(|s| Statement {
                effect: s.get("Effect").and_then(Value::as_str).map(str::to_string),
                actions: Strings::from_value(s.get("Action")),
                not_actions: Strings::from_value(s.get("NotAction")),
                resources: Strings::from_value(s.get("Resource")),
                public_principal: s.get("Principal").is_some_and(is_public_principal),
                has_condition: s
                    .get("Condition")
                    .is_some_and(|c| !matches!(c, Value::Null)),
                loc,
            })
            .collect(),
    )
}

fn is_public_principal(principal: &Value) -> bool {
    match principal {
        Value::String(s) => s == "*",
        Value::Object(map) => map
            .get("AWS")
            .is_some_and(|aws| aws.string_items().0.iter().any(|s| s == "*")),
        _ => false,
    }
}

/// Statements of a `data "aws_iam_policy_document"` block.
pub fn document_statements(module: &TfModule, block: &Block) -> Vec<Statement> {
    block
        .body
        .blocks_of("statement")
        .map(|st| {
            let effect = match attr_value(module, st, "effect") {
                None => Some("Allow".to_string()),
                Some(v) => v.as_str().map(str::to_string),
            };
            let public_principal = st.body.blocks_of("principals").any(|p| {
                let kind = attr_value(module, p, "type");
                let ids = attr_value(module, p, "identifiers")
                    .map(|v| v.string_items().0)
                    .unwrap_or_default();
                let star = ids.iter().any(|i| i == "*");
                match kind.as_ref().and_then(Value::as_str) {
                    Some("*") => true,
                    Some("AWS") => star,
                    _ => false,
                }
            });
            let actions_loc = st
                .body
                .attr("actions")
                .or_else(|| st.body.attr("not_actions"))
                .map_or(st.loc, |a| a.loc);
            Statement {
                effect,
                actions: Strings::from_value(attr_value(module, st, "actions").as_ref()),
                not_actions: Strings::from_value(attr_value(module, st, "not_actions").as_ref()),
                resources: Strings::from_value(attr_value(module, st, "resources").as_ref()),
                public_principal,
                has_condition: st.body.blocks_of("condition").next().is_some(),
                loc: actions_loc,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terraform::syntax::parse_expr;

    fn module(text: &str) -> TfModule {
        let (m, problems) = TfModule::parse([("main.tf", text)]);
        assert!(problems.is_empty(), "{problems:?}");
        m
    }

    #[test]
    fn jsonencode_heredoc_and_document_spellings_give_the_same_statement() {
        let m = module(
            r#"data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}
"#,
        );
        let spellings = [
            r#"jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }] })"#,
            "<<EOF\n{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": [\"*\"]}}\nEOF",
            "data.aws_iam_policy_document.d.json",
        ];
        for text in spellings {
            let st = statements(&m, &parse_expr(text).unwrap(), Loc::default()).unwrap();
            assert_eq!(st.len(), 1, "{text}");
            assert!(st[0].allows(), "{text}");
            assert!(st[0].actions.contains("s3:*"), "{text}");
            assert!(st[0].resources.contains("*"), "{text}");
        }
    }

    #[test]
    fn a_public_principal_is_recognised_in_json_and_in_documents() {
        let m = module(
            r#"data "aws_iam_policy_document" "d" {
  statement {
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    actions = ["s3:GetObject"]
  }
}
"#,
        );
        let doc = statements(
            &m,
            &parse_expr("data.aws_iam_policy_document.d.json").unwrap(),
            Loc::default(),
        )
        .unwrap();
        assert!(doc[0].public_principal);
        let json = parse_expr(r#"jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" } }] })"#).unwrap();
        assert!(!statements(&m, &json, Loc::default()).unwrap()[0].public_principal);
    }

    #[test]
    fn an_unparseable_document_gives_no_statements() {
        let m = module("");
        assert_eq!(
            statements(&m, &parse_expr(r#""not json""#).unwrap(), Loc::default()),
            None
        );
        assert_eq!(
            statements(&m, &parse_expr("file(\"p.json\")").unwrap(), Loc::default()),
            None
        );
    }
}
