//! A small, owned syntax tree for Terraform files, built from `hcl-edit`'s parse.
//!
//! The rules need three things from a parse: the shape (blocks, attributes, nested
//! blocks), simple literal values, and a position for everything so a finding can
//! point at a line and column. `hcl-edit` keeps byte spans, which this module turns
//! into 1-based lines and columns once, at parse time. Expressions the rules never
//! evaluate (conditionals, arithmetic, `for` expressions) are kept only as their
//! source text, which is also what [`TfModule::query`](super::TfModule::query)
//! returns for them.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;

/// A 1-based position in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    pub line: usize,
    pub column: usize,
}

/// The contents of a block (or of a whole file).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

/// `name = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub value: Expr,
    /// Where the attribute's name starts.
    pub loc: Loc,
}

/// `kind "label" "label" { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    /// Where the block's keyword starts.
    pub loc: Loc,
    /// The line of the closing brace.
    pub end_line: usize,
}

/// An expression, with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub loc: Loc,
}

/// What an expression is, as far as the rules care.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    /// A quoted string or heredoc with no interpolation.
    String(String),
    List(Vec<Expr>),
    /// Object entries in source order. Keys written as expressions other than
    /// plain strings keep their source text.
    Object(Vec<(String, Expr)>),
    /// `var.x`, `local.tags["Name"]`, `aws_s3_bucket.logs.id`: the root name and
    /// each step (attribute names, literal indexes, `*` for splats).
    Reference {
        parts: Vec<String>,
        source: String,
    },
    /// `merge(a, b)`, `jsonencode({...})`.
    Call {
        name: String,
        args: Vec<Expr>,
        source: String,
    },
    /// A string with interpolations (`"${var.env}-logs"`).
    Template {
        parts: Vec<TemplatePart>,
        source: String,
    },
    /// Anything else: conditionals, operators, `for` expressions, directives.
    Other {
        source: String,
    },
}

/// One piece of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Literal(String),
    Interpolation(Expr),
}

impl Body {
    /// The attribute called `name`, if any.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The value of the attribute called `name`, if any.
    pub fn value(&self, name: &str) -> Option<&Expr> {
        self.attr(name).map(|a| &a.value)
    }

    /// Nested blocks of one kind, in order.
    pub fn blocks_of<'a, 'k>(
        &'a self,
        kind: &'k str,
    ) -> impl Iterator<Item = &'a Block> + use<'a, 'k> {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

impl Expr {
    /// The literal string, when the expression is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The reference parts (`["var", "region"]`), when the expression is a reference.
    pub fn reference(&self) -> Option<&[String]> {
        match &self.kind {
            ExprKind::Reference { parts, .. } => Some(parts),
            _ => None,
        }
    }

    /// Source text of a non-literal expression; `None` for literals.
    pub fn source(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Reference { source, .. }
            | ExprKind::Call { source, .. }
            | ExprKind::Template { source, .. }
            | ExprKind::Other { source } => Some(source),
            _ => None,
        }
    }

    /// The expression as JSON: literals become JSON values, anything else becomes
    /// its source text as a JSON string.
    pub fn to_literal_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            ExprKind::Null => J::Null,
            ExprKind::Bool(b) => J::Bool(*b),
            ExprKind::Number(n) => J::Number(n.clone()),
            ExprKind::String(s) => J::String(s.clone()),
            ExprKind::List(items) => J::Array(items.iter().map(Expr::to_literal_json).collect()),
            ExprKind::Object(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_literal_json()))
                    .collect(),
            ),
            ExprKind::Reference { source, .. }
            | ExprKind::Call { source, .. }
            | ExprKind::Template { source, .. }
            | ExprKind::Other { source } => J::String(source.clone()),
        }
    }
}

/// Byte offsets to lines and columns for one text.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The 1-based line and (character) column of a byte offset.
    pub fn loc(&self, offset: usize) -> Loc {
        let offset = offset.min(self.text.len());
        let line0 = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line0).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Loc {
            line: line0 + 1,
            column: column + 1,
        }
    }

    /// Location of the start of an optional span (line 1 when unknown).
    fn start_of(&self, span: Option<std::ops::Range<usize>>) -> Loc {
        span.map_or(Loc { line: 1, column: 1 }, |s| self.loc(s.start))
    }

    /// Source text of a span, trimmed.
    fn slice(&self, span: Option<std::ops::Range<usize>>) -> String {
        span.and_then(|s| self.text.get(s))
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

/// A parse failure with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub loc: Loc,
    pub message: String,
}

/// Parse one file's text into a [`Body`].
pub fn parse_body(text: &str) -> Result<Body, SyntaxError> {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(convert_body(&body, &LineIndex::new(text))),
        Err(err) => Err(SyntaxError {
            loc: Loc {
                line: err.location().line(),
                column: err.location().column(),
            },
            message: err.message().to_string(),
        }),
    }
}

/// Parse a single expression (used by tests and by callers that hold expression text).
pub fn parse_expr(text: &str) -> Result<Expr, SyntaxError> {
    match hcl_edit::parser::parse_expr(text) {
        Ok(expr) => Ok(convert_expr(&expr, &LineIndex::new(text))),
        Err(err) => Err(SyntaxError {
            loc: Loc {
                line: err.location().line(),
                column: err.location().column(),
            },
            message: err.message().to_string(),
        }),
    }
}

fn convert_body(body: &hcl_edit::structure::Body, idx: &LineIndex<'_>) -> Body {
    let mut out = Body::default();
    for structure in body.iter() {
        match structure {
            hcl_edit::structure::Structure::Attribute(attr) => out.attrs.push(Attr {
                name: attr.key.as_str().to_string(),
                value: convert_expr(&attr.value, idx),
                loc: idx.start_of(attr.span()),
            }),
            hcl_edit::structure::Structure::Block(block) => {
                let span = block.span();
                out.blocks.push(Block {
                    kind: block.ident.as_str().to_string(),
                    labels: block
                        .labels
                        .iter()
                        .map(|l| l.as_str().to_string())
                        .collect(),
                    body: convert_body(&block.body, idx),
                    loc: idx.start_of(span.clone()),
                    end_line: span.map_or(1, |s| idx.loc(s.end.saturating_sub(1)).line),
                });
            }
        }
    }
    out
}

fn convert_expr(expr: &Expression, idx: &LineIndex<'_>) -> Expr {
    let loc = idx.start_of(expr.span());
    let source = || idx.slice(expr.span());
    let kind = match expr {
        Expression::Null(_) => ExprKind::Null,
        Expression::Bool(b) => ExprKind::Bool(*b.value()),
        Expression::Number(n) => {
            number(n.value()).map_or_else(|| ExprKind::Other { source: source() }, ExprKind::Number)
        }
        Expression::String(s) => ExprKind::String(s.value().clone()),
        Expression::Array(items) => {
            ExprKind::List(items.iter().map(|e| convert_expr(e, idx)).collect())
        }
        Expression::Object(obj) => ExprKind::Object(
            obj.iter()
                .map(|(key, value)| {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(other) => idx.slice(other.span()),
                    };
                    (key, convert_expr(value.expr(), idx))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => convert_template(t, idx, source),
        Expression::HeredocTemplate(h) => convert_template(&h.template, idx, source),
        Expression::Parenthesis(p) => return convert_expr(p.inner(), idx),
        Expression::Variable(v) => ExprKind::Reference {
            parts: vec![v.as_str().to_string()],
            source: source(),
        },
        Expression::Traversal(t) => match reference_parts(t) {
            Some(parts) => ExprKind::Reference {
                parts,
                source: source(),
            },
            None => ExprKind::Other { source: source() },
        },
        Expression::FuncCall(call) => {
            let mut name: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
            name.push(call.name.name.as_str());
            ExprKind::Call {
                name: name.join("::"),
                args: call.args.iter().map(|e| convert_expr(e, idx)).collect(),
                source: source(),
            }
        }
        Expression::UnaryOp(op) => {
            let inner = convert_expr(&op.expr, idx);
            match (op.operator.value(), inner.kind) {
                (UnaryOperator::Neg, ExprKind::Number(n)) => negate(&n)
                    .map_or_else(|| ExprKind::Other { source: source() }, ExprKind::Number),
                (UnaryOperator::Not, ExprKind::Bool(b)) => ExprKind::Bool(!b),
                _ => ExprKind::Other { source: source() },
            }
        }
        Expression::Conditional(_) | Expression::BinaryOp(_) | Expression::ForExpr(_) => {
            ExprKind::Other { source: source() }
        }
    };
    Expr { kind, loc }
}

/// A quoted or heredoc template: a plain string when it has no interpolation.
fn convert_template(
    template: &Template,
    idx: &LineIndex<'_>,
    source: impl Fn() -> String,
) -> ExprKind {
    let mut parts = Vec::new();
    for element in template.iter() {
        match element {
            Element::Literal(text) => parts.push(TemplatePart::Literal(text.value().clone())),
            Element::Interpolation(interp) => {
                parts.push(TemplatePart::Interpolation(convert_expr(&interp.expr, idx)));
            }
            Element::Directive(_) => return ExprKind::Other { source: source() },
        }
    }
    if parts.iter().all(|p| matches!(p, TemplatePart::Literal(_))) {
        let text = parts
            .into_iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => s,
                TemplatePart::Interpolation(_) => String::new(),
            })
            .collect();
        ExprKind::String(text)
    } else {
        ExprKind::Template {
            parts,
            source: source(),
        }
    }
}

/// `a.b[0].c` → `["a", "b", "0", "c"]`; `None` when the root is not a name or an
/// index is not a literal.
fn reference_parts(traversal: &hcl_edit::expr::Traversal) -> Option<Vec<String>> {
    let root = traversal.expr.as_variable()?;
    let mut parts = vec![root.as_str().to_string()];
    for op in &traversal.operators {
        match op.value() {
            TraversalOperator::GetAttr(name) => parts.push(name.as_str().to_string()),
            TraversalOperator::LegacyIndex(i) => parts.push(i.value().to_string()),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                parts.push("*".into())
            }
            TraversalOperator::Index(Expression::Number(n)) => parts.push(n.value().to_string()),
            TraversalOperator::Index(Expression::String(s)) => parts.push(s.value().clone()),
            TraversalOperator::Index(_) => return None,
        }
    }
    Some(parts)
}

fn number(n: &hcl_edit::Number) -> Option<serde_json::Number> {
    if let Some(u) = n.as_u64() {
        Some(u.into())
    } else if let Some(i) = n.as_i64() {
        Some(i.into())
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64)
    }
}

fn negate(n: &serde_json::Number) -> Option<serde_json::Number> {
    if let Some(i) = n.as_i64() {
        i.checked_neg().map(Into::into)
    } else {
        n.as_f64().and_then(|f| serde_json::Number::from_f64(-f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_positions_are_one_based_lines_and_character_columns() {
        let body =
            parse_body("# é comment\nresource \"a\" \"b\" {\n  name = \"é\"\n  size = 5\n}\n")
                .unwrap();
        let block = &body.blocks[0];
        assert_eq!(block.loc, Loc { line: 2, column: 1 });
        assert_eq!(block.end_line, 5);
        assert_eq!(
            block.body.attr("size").unwrap().loc,
            Loc { line: 4, column: 3 }
        );
        assert_eq!(block.body.value("name").unwrap().as_str(), Some("é"));
    }

    #[test]
    fn references_keep_their_steps_and_source_text() {
        let expr = parse_expr("aws_subnet.private[0].id").unwrap();
        assert_eq!(
            expr.reference().unwrap(),
            ["aws_subnet", "private", "0", "id"]
        );
        assert_eq!(expr.source(), Some("aws_subnet.private[0].id"));
    }

    #[test]
    fn heredocs_and_plain_templates_become_strings_but_interpolations_do_not() {
        let expr = parse_expr("<<-EOT\n    hello\n    EOT").unwrap();
        assert_eq!(expr.as_str(), Some("hello\n"));
        let expr = parse_expr("\"${var.env}-logs\"").unwrap();
        assert!(matches!(expr.kind, ExprKind::Template { .. }));
        assert_eq!(
            expr.to_literal_json(),
            serde_json::json!("\"${var.env}-logs\"")
        );
    }

    #[test]
    fn negative_numbers_and_parentheses_are_literals() {
        assert_eq!(
            parse_expr("-1").unwrap().to_literal_json(),
            serde_json::json!(-1)
        );
        assert_eq!(parse_expr("(\"x\")").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn a_syntax_error_carries_its_line_and_column() {
        let err = parse_body("a = 1\nb = \n").unwrap_err();
        assert_eq!(err.loc.line, 2);
        assert!(!err.message.is_empty());
    }
}
