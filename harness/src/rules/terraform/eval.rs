//! Evaluation of the simple expressions Terraform rules depend on.
//!
//! A rule asking "is this CIDR open to the world?" must see through
//! `cidr_blocks = [var.admin_cidr]` or `tags = merge(local.common_tags, {...})`, but a
//! linter cannot run Terraform. So this evaluator knows literals, lists and objects,
//! `var.x` (from auto-loaded `.tfvars`, else the variable's default), `local.x`,
//! interpolated strings whose parts are known, and a handful of pure functions
//! (`merge`, `concat`, `jsonencode`, `jsondecode`, the `to*` conversions, `lower`,
//! `upper`). Everything else evaluates to [`Value::Unknown`], carrying its source
//! text; rules treat unknown values as "cannot tell" and never as a violation.

use std::cell::Cell;
use std::collections::BTreeMap;

use super::syntax::{Expr, ExprKind, TemplatePart};

/// How deep `local` → `local` → `var` chains may go before evaluation gives up
/// (this also ends reference cycles).
const MAX_DEPTH: usize = 32;

/// A value as far as it could be worked out.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Object(BTreeMap<String, Value>),
    /// Not computable here; holds the source text of what was not understood.
    Unknown(String),
}

/// Where `var.` and `local.` references are looked up.
pub trait Scope {
    /// The value expression a variable takes (a `.tfvars` assignment or its default).
    fn variable(&self, name: &str) -> Option<&Expr>;
    /// The expression of a local value.
    fn local(&self, name: &str) -> Option<&Expr>;
    /// A value bound to a bare name, such as the iterator of a `dynamic` block.
    fn binding(&self, _name: &str) -> Option<&Value> {
        None
    }
}

/// A scope with one extra name bound (`ingress` inside `dynamic "ingress"`).
pub struct Bound<'a> {
    pub inner: &'a dyn Scope,
    pub name: &'a str,
    pub value: Value,
}

impl Scope for Bound<'_> {
    fn variable(&self, name: &str) -> Option<&Expr> {
        self.inner.variable(name)
    }
    fn local(&self, name: &str) -> Option<&Expr> {
        self.inner.local(name)
    }
    fn binding(&self, name: &str) -> Option<&Value> {
        if name == self.name {
            Some(&self.value)
        } else {
            self.inner.binding(name)
        }
    }
}

/// How many expression nodes one evaluation may visit; locals that fan out into
/// each other could otherwise take exponential time.
const MAX_STEPS: usize = 100_000;

/// One evaluation: the scope and the remaining step budget.
struct Cx<'a> {
    scope: &'a dyn Scope,
    steps: Cell<usize>,
}

/// Evaluate an expression in a scope.
pub fn eval(expr: &Expr, scope: &dyn Scope) -> Value {
    eval_at(
        expr,
        &Cx {
            scope,
            steps: Cell::new(MAX_STEPS),
        },
        0,
    )
}

fn eval_at(expr: &Expr, cx: &Cx<'_>, depth: usize) -> Value {
    let steps = cx.steps.get();
    if depth > MAX_DEPTH || steps == 0 {
        return Value::Unknown(expr.source().unwrap_or("<too complex>").to_string());
    }
    cx.steps.set(steps - 1);
    match &expr.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Number(n) => n
            .as_f64()
            .map_or(Value::Unknown(n.to_string()), Value::Number),
        ExprKind::String(s) => Value::String(s.clone()),
        ExprKind::List(items) => Value::List(items.iter().map(|e| eval_at(e, cx, depth)).collect()),
        ExprKind::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), eval_at(v, cx, depth)))
                .collect(),
        ),
        ExprKind::Reference { parts, source } => eval_reference(parts, source, cx, depth),
        ExprKind::Call { name, args, source } => eval_call(name, args, source, cx, depth),
        ExprKind::Template { parts, source } => {
            let mut out = String::new();
            for part in parts {
                match part {
                    TemplatePart::Literal(s) => out.push_str(s),
                    TemplatePart::Interpolation(e) => match eval_at(e, cx, depth).scalar_string() {
                        Some(s) => out.push_str(&s),
                        None => return Value::Unknown(source.clone()),
                    },
                }
            }
            Value::String(out)
        }
        ExprKind::Other { source } => Value::Unknown(source.clone()),
    }
}

fn eval_reference(parts: &[String], source: &str, cx: &Cx<'_>, depth: usize) -> Value {
    let unknown = || Value::Unknown(source.to_string());
    let (root, rest) = match parts {
        [kind, name, rest @ ..] if kind == "var" => match cx.scope.variable(name) {
            Some(e) => (eval_at(e, cx, depth + 1), rest),
            None => return unknown(),
        },
        [kind, name, rest @ ..] if kind == "local" => match cx.scope.local(name) {
            Some(e) => (eval_at(e, cx, depth + 1), rest),
            None => return unknown(),
        },
        [name, rest @ ..] => match cx.scope.binding(name) {
            Some(v) => (v.clone(), rest),
            None => return unknown(),
        },
        [] => return unknown(),
    };
    let mut value = root;
    for step in rest {
        value = match value.get(step) {
            Some(v) => v.clone(),
            None => return unknown(),
        };
    }
    value
}

fn eval_call(name: &str, args: &[Expr], source: &str, cx: &Cx<'_>, depth: usize) -> Value {
    let unknown = || Value::Unknown(source.to_string());
    let values: Vec<Value> = args.iter().map(|a| eval_at(a, cx, depth)).collect();
    match (name, values.as_slice()) {
        ("merge", _) => {
            let mut merged = BTreeMap::new();
            for v in values {
                match v {
                    Value::Object(map) => merged.extend(map),
                    Value::Null => {}
                    _ => return unknown(),
                }
            }
            Value::Object(merged)
        }
        ("concat", _) => {
            let mut all = Vec::new();
            for v in values {
                match v {
                    Value::List(items) => all.extend(items),
                    _ => return unknown(),
                }
            }
            Value::List(all)
        }
        // The structure is more useful to rules than the encoded string, and a policy
        // with one unknown ARN in it still has a readable `Effect` and `Principal`.
        ("jsonencode" | "tomap" | "tolist" | "toset" | "tostring" | "tonumber" | "tobool", [v]) => {
            v.clone()
        }
        ("jsondecode", [Value::String(s)]) => serde_json::from_str::<serde_json::Value>(s)
            .map_or_else(|_| unknown(), |j| Value::from_json(&j)),
        ("lower", [Value::String(s)]) => Value::String(s.to_lowercase()),
        ("upper", [Value::String(s)]) => Value::String(s.to_uppercase()),
        _ => unknown(),
    }
}

impl Value {
    /// Whether the value (and everything in it) is known.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(items) => items.iter().all(Value::is_known),
            Value::Object(map) => map.values().all(Value::is_known),
            _ => true,
        }
    }

    /// A string, or a number/bool rendered as Terraform would in a string.
    pub fn scalar_string(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A bool, accepting `"true"`/`"false"` as Terraform's conversion does.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// A number, accepting numeric strings as Terraform's conversion does.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Member of an object, or element of a list by index.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => map.get(key),
            Value::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }

    /// A field that may be a single string or a list of strings (IAM's `Action`,
    /// `Resource`): the known strings, and whether some part was unknown.
    pub fn string_items(&self) -> (Vec<String>, bool) {
        match self {
            Value::String(s) => (vec![s.clone()], false),
            Value::List(items) => {
                let mut unknown = false;
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        _ => unknown = true,
                    }
                }
                (out, unknown)
            }
            Value::Null => (Vec::new(), false),
            _ => (Vec::new(), true),
        }
    }

    /// Convert JSON (a decoded policy document) into a value.
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => n
                .as_f64()
                .map_or(Value::Unknown(n.to_string()), Value::Number),
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            J::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Convert to JSON; unknown parts become their source text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => serde_json::Number::from_f64(*n).map_or(J::Null, |num| {
                if n.fract() == 0.0 && n.abs() < 9e15 {
                    #[allow(clippy::cast_possible_truncation)]
                    J::from(*n as i64)
                } else {
                    J::Number(num)
                }
            }),
            Value::String(s) | Value::Unknown(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(map) => {
                J::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terraform::syntax::parse_expr;
    use std::collections::HashMap;

    /// A scope built from `name → expression text` pairs.
    #[derive(Default)]
    struct MapScope {
        vars: HashMap<String, Expr>,
        locals: HashMap<String, Expr>,
    }

    impl MapScope {
        fn var(mut self, name: &str, text: &str) -> Self {
            self.vars.insert(name.into(), parse_expr(text).unwrap());
            self
        }
        fn local(mut self, name: &str, text: &str) -> Self {
            self.locals.insert(name.into(), parse_expr(text).unwrap());
            self
        }
    }

    impl Scope for MapScope {
        fn variable(&self, name: &str) -> Option<&Expr> {
            self.vars.get(name)
        }
        fn local(&self, name: &str) -> Option<&Expr> {
            self.locals.get(name)
        }
    }

    fn eval_text(text: &str, scope: &dyn Scope) -> Value {
        eval(&parse_expr(text).unwrap(), scope)
    }

    #[test]
    fn literals_lists_and_objects_evaluate_to_themselves() {
        let v = eval_text(r#"{ a = [1, "x", true, null] }"#, &MapScope::default());
        assert_eq!(v.to_json(), serde_json::json!({"a": [1, "x", true, null]}));
    }

    #[test]
    fn variables_resolve_to_their_default_and_locals_to_their_value() {
        let scope = MapScope::default()
            .var("admin_cidr", r#""203.0.113.10/32""#)
            .local("cidrs", "[var.admin_cidr]");
        assert_eq!(
            eval_text("local.cidrs", &scope).to_json(),
            serde_json::json!(["203.0.113.10/32"])
        );
        assert_eq!(
            eval_text("local.cidrs[0]", &scope).as_str(),
            Some("203.0.113.10/32")
        );
    }

    #[test]
    fn merge_combines_maps_with_later_keys_winning() {
        let scope = MapScope::default().local("common", r#"{ Owner = "data", Env = "dev" }"#);
        let v = eval_text(r#"merge(local.common, { Env = "prod" })"#, &scope);
        assert_eq!(
            v.to_json(),
            serde_json::json!({"Owner": "data", "Env": "prod"})
        );
    }

    #[test]
    fn merge_with_an_unknown_argument_is_unknown() {
        let v = eval_text(
            r#"merge(var.extra, { Env = "prod" })"#,
            &MapScope::default(),
        );
        assert_eq!(
            v,
            Value::Unknown(r#"merge(var.extra, { Env = "prod" })"#.into())
        );
    }

    #[test]
    fn jsonencode_yields_the_encoded_structure() {
        let v = eval_text(
            r#"jsonencode({ Statement = [{ Effect = "Allow" }] })"#,
            &MapScope::default(),
        );
        assert_eq!(
            v.get("Statement")
                .and_then(|s| s.get("0"))
                .and_then(|s| s.get("Effect")),
            Some(&Value::String("Allow".into()))
        );
    }

    #[test]
    fn templates_with_known_parts_are_joined_and_others_stay_unknown() {
        let scope = MapScope::default().var("env", r#""prod""#);
        assert_eq!(
            eval_text(r#""${var.env}-logs-${2}""#, &scope).as_str(),
            Some("prod-logs-2")
        );
        assert!(matches!(
            eval_text(r#""${aws_s3_bucket.x.id}/a""#, &scope),
            Value::Unknown(_)
        ));
    }

    #[test]
    fn references_to_resources_and_unset_variables_are_unknown() {
        assert!(matches!(
            eval_text("aws_vpc.main.cidr_block", &MapScope::default()),
            Value::Unknown(_)
        ));
        assert!(matches!(
            eval_text("var.nothing", &MapScope::default()),
            Value::Unknown(_)
        ));
        assert!(matches!(
            eval_text("x > 1 ? 2 : 3", &MapScope::default()),
            Value::Unknown(_)
        ));
    }

    #[test]
    fn a_bound_iterator_resolves_its_key_and_value() {
        let outer = MapScope::default().var("port", "22");
        let mut item = BTreeMap::new();
        item.insert("key".to_string(), Value::Number(0.0));
        item.insert(
            "value".to_string(),
            eval_text(r#"{ cidr = "10.0.0.0/8" }"#, &outer),
        );
        let scope = Bound {
            inner: &outer,
            name: "ingress",
            value: Value::Object(item),
        };
        assert_eq!(
            eval_text("ingress.value.cidr", &scope).as_str(),
            Some("10.0.0.0/8")
        );
        assert_eq!(eval_text("var.port", &scope), Value::Number(22.0));
        assert!(!eval_text("egress.value", &scope).is_known());
    }

    #[test]
    fn a_reference_cycle_gives_up_instead_of_recursing_forever() {
        let scope = MapScope::default()
            .local("a", "local.b")
            .local("b", "local.a");
        assert!(matches!(eval_text("local.a", &scope), Value::Unknown(_)));
    }

    #[test]
    fn locals_that_fan_out_exponentially_stop_at_the_step_budget() {
        let mut scope = MapScope::default().local("l40", r#""leaf""#);
        for i in 0..40 {
            scope = scope.local(
                &format!("l{i}"),
                &format!("[local.l{n}, local.l{n}]", n = i + 1),
            );
        }
        assert!(!eval_text("local.l0", &scope).is_known());
    }

    #[test]
    fn jsondecode_of_a_heredoc_reads_the_json() {
        let v = eval_text(
            "jsondecode(<<EOF\n{\"a\": [1]}\nEOF\n)",
            &MapScope::default(),
        );
        assert_eq!(v.to_json(), serde_json::json!({"a": [1]}));
    }
}
