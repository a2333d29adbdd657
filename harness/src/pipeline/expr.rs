//! Expressions of both CI dialects, evaluated over JSON values.
//!
//! GitHub Actions writes `${{ github.ref == 'refs/heads/main' && success() }}`;
//! GitLab CI writes `$CI_COMMIT_BRANCH == "main" && $DEPLOY =~ /^yes/`. One small
//! Pratt parser reads both: single- or double-quoted strings, numbers, `true`,
//! `false`, `null`, context paths (`needs.build.outputs.tag`, `matrix['os']`,
//! `steps.*.outcome`), `$NAME` variables, `/regex/` literals, the operators
//! `! == != < <= > >= =~ !~ && ||`, parentheses and function calls.
//!
//! Values follow GitHub's rules: `false`, `0`, `''` and `null` are falsy; `==`
//! compares strings case-insensitively and coerces mixed types to numbers; `&&` and
//! `||` return one of their operands. A GitLab `$NAME` that is not set is `null`.
//!
//! Status functions (`success()`, `failure()`, `always()`, `cancelled()`) read the
//! [`Status`] of the job so far. The evaluator is pure: it never touches the world,
//! and `hashFiles()` returns an empty string rather than reading files.

use serde_json::{Map, Value};

/// An expression that does not parse or cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {offset} of `{text}`)")]
pub struct ExprError {
    pub text: String,
    /// 0-based character offset where the problem is.
    pub offset: usize,
    pub message: String,
}

/// How the job (or pipeline) stands when an expression is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// A previous step (or a needed job) failed.
    pub failed: bool,
    /// The run was cancelled (Ctrl-C).
    pub cancelled: bool,
}

/// What names mean while evaluating.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Named contexts: `github`, `env`, `secrets`, `matrix`, `needs`, `steps`, `inputs`, `vars`, `runner`, `job`.
    pub contexts: Map<String, Value>,
    /// GitLab `$NAME` variables.
    pub variables: Map<String, Value>,
    pub status: Status,
}

impl Scope {
    pub fn set(&mut self, context: &str, value: Value) {
        self.contexts.insert(context.to_string(), value);
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Var(String),
    Regex(String),
    Op(&'static str),
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Value),
    /// A context name, e.g. `github`.
    Name(String),
    /// A GitLab `$NAME`.
    Var(String),
    Regex(String),
    /// `a.b` or `a['b']`.
    Index(Box<Expr>, Box<Expr>),
    /// `a.*`: every value of an object or array.
    Star(Box<Expr>),
    Not(Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let err = |offset: usize, message: &str| ExprError { text: text.to_string(), offset, message: message.to_string() };
    let mut out = Vec::new();
    let mut i = 0;
    // A `/` starts a regex only where an operand is expected (after `=~`, `!~`, `(`, `,`).
    let operand_expected = |out: &Vec<(Tok, usize)>| {
        matches!(out.last(), None | Some((Tok::Op("=~" | "!~" | "(" | "," | "&&" | "||" | "!" | "==" | "!="), _)))
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated string")),
                    // GitHub escapes a quote by doubling it.
                    Some(&q) if q == c && chars.get(i + 1) == Some(&c) && c == '\'' => {
                        s.push(c);
                        i += 2;
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some('\\') if c == '"' && i + 1 < chars.len() => {
                        s.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(&other) => {
                        s.push(other);
                        i += 1;
                    }
                }
            }
            out.push((Tok::Str(s), start));
            continue;
        }
        if c == '/' && operand_expected(&out) {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated /regex/")),
                    Some('\\') if chars.get(i + 1) == Some(&'/') => {
                        s.push('/');
                        i += 2;
                    }
                    Some('/') => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        s.push(other);
                        i += 1;
                    }
                }
            }
            // Flags such as `i` follow the closing slash.
            let mut flags = String::new();
            while let Some(f) = chars.get(i).filter(|f| f.is_ascii_alphabetic()) {
                flags.push(*f);
                i += 1;
            }
            if flags.contains('i') {
                s = format!("(?i){s}");
            }
            out.push((Tok::Regex(s), start));
            continue;
        }
        if c == '$' {
            i += 1;
            let braced = chars.get(i) == Some(&'{');
            if braced {
                i += 1;
            }
            let name_start = i;
            while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') {
                i += 1;
            }
            if i == name_start {
                return Err(err(start, "`$` must be followed by a variable name"));
            }
            let name: String = chars[name_start..i].iter().collect();
            if braced {
                if chars.get(i) != Some(&'}') {
                    return Err(err(start, "`${` is not closed"));
                }
                i += 1;
            }
            out.push((Tok::Var(name), start));
            continue;
        }
        if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            i += 1;
            while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let n = parse_number(&s).ok_or_else(|| err(start, "not a number"))?;
            out.push((Tok::Num(n), start));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), start));
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op = ["==", "!=", "<=", ">=", "&&", "||", "=~", "!~"].into_iter().find(|o| *o == two);
        if let Some(op) = op {
            out.push((Tok::Op(op), start));
            i += 2;
            continue;
        }
        let one = ["!", "<", ">", "(", ")", "[", "]", ",", ".", "*"].into_iter().find(|o| o.starts_with(c));
        match one {
            Some(op) => {
                out.push((Tok::Op(op), start));
                i += 1;
            }
            None => return Err(err(start, &format!("unexpected character `{c}`"))),
        }
    }
    Ok(out)
}

fn parse_number(s: &str) -> Option<f64> {
    if let Some(hex) = s.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    s.parse::<f64>().ok()
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<(Tok, usize)>,
    at: usize,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> ExprError {
        let offset = self.toks.get(self.at).map_or(self.text.chars().count(), |t| t.1);
        ExprError { text: self.text.to_string(), offset, message: message.into() }
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.at) {
            Some((Tok::Op(o), _)) => Some(o),
            _ => None,
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek_op() == Some(op) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn binding(op: &str) -> Option<u8> {
        Some(match op {
            "||" => 1,
            "&&" => 2,
            "==" | "!=" => 3,
            "<" | "<=" | ">" | ">=" | "=~" | "!~" => 4,
            _ => return None,
        })
    }

    fn expr(&mut self, min: u8) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while let Some(op) = self.peek_op() {
            let Some(power) = Self::binding(op) else { break };
            if power < min {
                break;
            }
            self.at += 1;
            let right = self.expr(power + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                if self.eat("*") {
                    e = Expr::Star(Box::new(e));
                    continue;
                }
                match self.toks.get(self.at).cloned() {
                    Some((Tok::Ident(name), _)) => {
                        self.at += 1;
                        e = Expr::Index(Box::new(e), Box::new(Expr::Lit(Value::String(name))));
                    }
                    _ => return Err(self.err("expected a property name after `.`")),
                }
            } else if self.eat("[") {
                if self.eat("*") {
                    e = Expr::Star(Box::new(e));
                } else {
                    let key = self.expr(0)?;
                    e = Expr::Index(Box::new(e), Box::new(key));
                }
                if !self.eat("]") {
                    return Err(self.err("expected `]`"));
                }
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let Some((tok, _)) = self.toks.get(self.at).cloned() else {
            return Err(self.err("expression ends too early"));
        };
        self.at += 1;
        match tok {
            Tok::Str(s) => Ok(Expr::Lit(Value::String(s))),
            Tok::Num(n) => Ok(Expr::Lit(number(n))),
            Tok::Var(v) => Ok(Expr::Var(v)),
            Tok::Regex(r) => Ok(Expr::Regex(r)),
            Tok::Op("(") => {
                let e = self.expr(0)?;
                if !self.eat(")") {
                    return Err(self.err("expected `)`"));
                }
                Ok(e)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Lit(Value::Bool(true))),
                "false" => Ok(Expr::Lit(Value::Bool(false))),
                "null" => Ok(Expr::Lit(Value::Null)),
                _ if self.eat("(") => {
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.expr(0)?);
                            if self.eat(")") {
                                break;
                            }
                            if !self.eat(",") {
                                return Err(self.err("expected `,` or `)` in the argument list"));
                            }
                        }
                    }
                    Ok(Expr::Call(name, args))
                }
                _ => Ok(Expr::Name(name)),
            },
            Tok::Op(op) => {
                self.at -= 1;
                Err(self.err(format!("unexpected `{op}`")))
            }
        }
    }
}

/// Parse one expression (without `${{ }}`).
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    let toks = lex(text)?;
    let mut p = Parser { text, toks, at: 0 };
    let e = p.expr(0)?;
    if p.at < p.toks.len() {
        return Err(p.err("unexpected text after the expression"));
    }
    Ok(e)
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// GitHub's truthiness.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// How a value is written into text (`${{ }}` in a script, a GitLab variable).
pub fn to_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s.trim().is_empty() => 0.0,
        Value::String(s) => parse_number(s.trim()).unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Null, Value::Null) => true,
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => a == b,
        _ => to_number(a) == to_number(b),
    }
}

impl Scope {
    /// Evaluate a parsed expression.
    pub fn eval(&self, e: &Expr) -> Result<Value, String> {
        Ok(match e {
            Expr::Lit(v) => v.clone(),
            Expr::Name(n) => self.contexts.get(n).cloned().unwrap_or(Value::Null),
            Expr::Var(n) => self.variables.get(n).cloned().unwrap_or(Value::Null),
            Expr::Regex(r) => Value::String(r.clone()),
            Expr::Index(base, key) => {
                let base = self.eval(base)?;
                let key = self.eval(key)?;
                index(&base, &key)
            }
            Expr::Star(base) => match self.eval(base)? {
                Value::Object(m) => Value::Array(m.into_iter().map(|(_, v)| v).collect()),
                Value::Array(a) => Value::Array(a),
                _ => Value::Array(Vec::new()),
            },
            Expr::Not(inner) => Value::Bool(!truthy(&self.eval(inner)?)),
            Expr::Binary(op, l, r) => self.binary(op, l, r)?,
            Expr::Call(name, args) => self.call(name, args)?,
        })
    }

    fn binary(&self, op: &str, l: &Expr, r: &Expr) -> Result<Value, String> {
        let left = self.eval(l)?;
        match op {
            "&&" => return if truthy(&left) { self.eval(r) } else { Ok(left) },
            "||" => return if truthy(&left) { Ok(left) } else { self.eval(r) },
            _ => {}
        }
        let right = self.eval(r)?;
        Ok(Value::Bool(match op {
            "==" => loose_eq(&left, &right),
            "!=" => !loose_eq(&left, &right),
            "<" | "<=" | ">" | ">=" => {
                let ordering = match (&left, &right) {
                    (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
                    _ => to_number(&left).partial_cmp(&to_number(&right)),
                };
                match ordering {
                    None => false,
                    Some(o) => match op {
                        "<" => o.is_lt(),
                        "<=" => o.is_le(),
                        ">" => o.is_gt(),
                        _ => o.is_ge(),
                    },
                }
            }
            "=~" | "!~" => {
                let re = regex::Regex::new(&to_text(&right)).map_err(|e| format!("invalid regex: {e}"))?;
                let hit = !left.is_null() && re.is_match(&to_text(&left));
                if op == "=~" {
                    hit
                } else {
                    !hit
                }
            }
            _ => return Err(format!("unknown operator `{op}`")),
        }))
    }

    fn call(&self, name: &str, args: &[Expr]) -> Result<Value, String> {
        let lower = name.to_ascii_lowercase();
        let arity = |n: usize| -> Result<(), String> {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!("`{name}()` takes {n} argument(s), got {}", args.len()))
            }
        };
        let values = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<_>, _>>()?;
        Ok(match lower.as_str() {
            "success" => {
                arity(0)?;
                Value::Bool(!self.status.failed && !self.status.cancelled)
            }
            "failure" => {
                arity(0)?;
                Value::Bool(self.status.failed)
            }
            "always" => {
                arity(0)?;
                Value::Bool(true)
            }
            "cancelled" => {
                arity(0)?;
                Value::Bool(self.status.cancelled)
            }
            "contains" => {
                arity(2)?;
                Value::Bool(match &values[0] {
                    Value::Array(items) => items.iter().any(|i| loose_eq(i, &values[1])),
                    other => to_text(other).to_lowercase().contains(&to_text(&values[1]).to_lowercase()),
                })
            }
            "startswith" => {
                arity(2)?;
                Value::Bool(to_text(&values[0]).to_lowercase().starts_with(&to_text(&values[1]).to_lowercase()))
            }
            "endswith" => {
                arity(2)?;
                Value::Bool(to_text(&values[0]).to_lowercase().ends_with(&to_text(&values[1]).to_lowercase()))
            }
            "format" => {
                let Some((template, rest)) = values.split_first() else {
                    return Err("`format()` needs a template".into());
                };
                let mut out = to_text(template);
                for (i, v) in rest.iter().enumerate() {
                    out = out.replace(&format!("{{{i}}}"), &to_text(v));
                }
                Value::String(out)
            }
            "join" => {
                let sep = values.get(1).map_or_else(|| ",".to_string(), to_text);
                match values.first() {
                    Some(Value::Array(items)) => {
                        Value::String(items.iter().map(to_text).collect::<Vec<_>>().join(&sep))
                    }
                    Some(other) => Value::String(to_text(other)),
                    None => return Err("`join()` needs an array".into()),
                }
            }
            "tojson" => {
                arity(1)?;
                Value::String(serde_json::to_string_pretty(&values[0]).unwrap_or_default())
            }
            "fromjson" => {
                arity(1)?;
                serde_json::from_str(&to_text(&values[0])).map_err(|e| format!("fromJSON: {e}"))?
            }
            "hashfiles" => Value::String(String::new()),
            _ => return Err(format!("unknown function `{name}()`")),
        })
    }

    /// Evaluate expression text.
    pub fn eval_text(&self, text: &str) -> Result<Value, String> {
        let e = parse(text).map_err(|e| e.to_string())?;
        self.eval(&e)
    }

    /// Evaluate a GitHub `if:` condition: `${{ }}` is optional, and a condition that
    /// calls no status function is implicitly `success() && (…)`.
    pub fn condition(&self, text: &str) -> Result<bool, String> {
        let inner = strip_braces(text);
        let e = parse(inner).map_err(|e| e.to_string())?;
        let value = truthy(&self.eval(&e)?);
        if calls_status(&e) {
            Ok(value)
        } else {
            Ok(value && !self.status.failed && !self.status.cancelled)
        }
    }

    /// Replace every `${{ … }}` in text with its value.
    pub fn interpolate(&self, text: &str) -> Result<String, String> {
        let mut out = String::new();
        for piece in split_template(text).map_err(|e| e.to_string())? {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Expr(e, _) => out.push_str(&to_text(&self.eval_text(e)?)),
            }
        }
        Ok(out)
    }
}

fn index(base: &Value, key: &Value) -> Value {
    match (base, key) {
        (Value::Object(m), k) => {
            let k = to_text(k);
            m.get(&k)
                .or_else(|| m.iter().find(|(name, _)| name.eq_ignore_ascii_case(&k)).map(|(_, v)| v))
                .cloned()
                .unwrap_or(Value::Null)
        }
        (Value::Array(items), Value::Number(n)) => {
            n.as_u64().and_then(|i| items.get(usize::try_from(i).ok()?)).cloned().unwrap_or(Value::Null)
        }
        // `steps.*.outcome`: a property of every element.
        (Value::Array(items), k) => Value::Array(items.iter().map(|i| index(i, k)).collect()),
        _ => Value::Null,
    }
}

/// `${{ x }}` → `x`; anything else unchanged.
pub fn strip_braces(text: &str) -> &str {
    let t = text.trim();
    match t.strip_prefix("${{").and_then(|r| r.strip_suffix("}}")) {
        Some(inner) if !inner.contains("${{") => inner.trim(),
        _ => t,
    }
}

fn calls_status(e: &Expr) -> bool {
    match e {
        Expr::Call(name, args) => {
            matches!(name.to_ascii_lowercase().as_str(), "success" | "failure" | "always" | "cancelled")
                || args.iter().any(calls_status)
        }
        Expr::Index(a, b) | Expr::Binary(_, a, b) => calls_status(a) || calls_status(b),
        Expr::Star(a) | Expr::Not(a) => calls_status(a),
        _ => false,
    }
}

/// Part of a templated string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'t> {
    Text(&'t str),
    /// The expression inside `${{ }}` and its byte offset in the text.
    Expr(&'t str, usize),
}

/// Split text into literal parts and `${{ … }}` expressions.
pub fn split_template(text: &str) -> Result<Vec<Piece<'_>>, ExprError> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("${{") {
        let open = rest + found;
        if open > rest {
            out.push(Piece::Text(&text[rest..open]));
        }
        let body = open + 3;
        // The closing `}}` outside quotes.
        let mut quote: Option<char> = None;
        let mut close = None;
        let bytes: Vec<(usize, char)> = text[body..].char_indices().collect();
        let mut k = 0;
        while k < bytes.len() {
            let (i, c) = bytes[k];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '\'' || c == '"' => quote = Some(c),
                None if c == '}' && bytes.get(k + 1).is_some_and(|(_, n)| *n == '}') => {
                    close = Some(body + i);
                    break;
                }
                None => {}
            }
            k += 1;
        }
        let Some(close) = close else {
            return Err(ExprError {
                text: text.to_string(),
                offset: text[..open].chars().count(),
                message: "`${{` is not closed with `}}`".into(),
            });
        };
        out.push(Piece::Expr(text[body..close].trim(), body));
        rest = close + 2;
    }
    if rest < text.len() {
        out.push(Piece::Text(&text[rest..]));
    }
    Ok(out)
}

/// Every context path (`secrets.TOKEN`, `github.event.issue.title`) read by an
/// expression, as dotted text; `a['b']` is written `a.b`.
pub fn paths(e: &Expr) -> Vec<String> {
    fn path_of(e: &Expr) -> Option<String> {
        match e {
            Expr::Name(n) => Some(n.clone()),
            Expr::Index(base, key) => {
                let base = path_of(base)?;
                match key.as_ref() {
                    Expr::Lit(Value::String(k)) => Some(format!("{base}.{k}")),
                    Expr::Lit(Value::Number(n)) => Some(format!("{base}.{n}")),
                    _ => Some(format!("{base}.*")),
                }
            }
            Expr::Star(base) => Some(format!("{}.*", path_of(base)?)),
            _ => None,
        }
    }
    fn walk(e: &Expr, out: &mut Vec<String>) {
        if let Some(p) = path_of(e) {
            out.push(p);
            if let Expr::Index(_, key) = e {
                walk(key, out);
            }
            return;
        }
        match e {
            Expr::Binary(_, a, b) | Expr::Index(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Expr::Not(a) | Expr::Star(a) => walk(a, out),
            Expr::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(e, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        let mut s = Scope::default();
        s.set("github", json!({"ref": "refs/heads/main", "event_name": "push", "event": {"issue": {"title": "x"}}}));
        s.set("matrix", json!({"python": "3.11", "os": "linux"}));
        s.set("needs", json!({"build": {"result": "success", "outputs": {"tag": "v1"}}}));
        s.set("steps", json!({"a": {"outcome": "success"}, "b": {"outcome": "failure"}}));
        s.variables.insert("CI_COMMIT_BRANCH".into(), json!("main"));
        s
    }

    #[test]
    fn github_operators_and_contexts_evaluate() {
        let s = scope();
        assert_eq!(s.eval_text("github.ref == 'refs/heads/MAIN'").unwrap(), json!(true));
        assert_eq!(s.eval_text("needs.build.outputs.tag").unwrap(), json!("v1"));
        assert_eq!(s.eval_text("matrix['python']").unwrap(), json!("3.11"));
        assert_eq!(s.eval_text("!(github.event_name != 'push')").unwrap(), json!(true));
        assert_eq!(s.eval_text("github.missing || 'fallback'").unwrap(), json!("fallback"));
        assert_eq!(s.eval_text("contains(steps.*.outcome, 'failure')").unwrap(), json!(true));
        assert_eq!(s.eval_text("startsWith(github.ref, 'refs/heads/')").unwrap(), json!(true));
        assert_eq!(s.eval_text("format('{0}-{1}', matrix.os, 2)").unwrap(), json!("linux-2"));
        assert_eq!(s.eval_text("1 < 2 && '10' == 10").unwrap(), json!(true));
    }

    #[test]
    fn conditions_add_success_unless_a_status_function_is_called() {
        let mut s = scope();
        s.status.failed = true;
        assert!(!s.condition("github.event_name == 'push'").unwrap());
        assert!(s.condition("${{ always() }}").unwrap());
        assert!(s.condition("failure()").unwrap());
        s.status.failed = false;
        assert!(s.condition("${{ github.ref == 'refs/heads/main' }}").unwrap());
        assert!(!s.condition("failure()").unwrap());
    }

    #[test]
    fn gitlab_variables_and_regex_matches_evaluate() {
        let s = scope();
        assert_eq!(s.eval_text(r#"$CI_COMMIT_BRANCH == "main""#).unwrap(), json!(true));
        assert_eq!(s.eval_text("$CI_COMMIT_BRANCH =~ /^ma/").unwrap(), json!(true));
        assert_eq!(s.eval_text("$CI_COMMIT_TAG").unwrap(), json!(null));
        assert_eq!(s.eval_text("$CI_COMMIT_TAG || $CI_COMMIT_BRANCH !~ /dev/").unwrap(), json!(true));
    }

    #[test]
    fn interpolation_replaces_each_expression_and_keeps_braces_inside_strings() {
        let s = scope();
        assert_eq!(s.interpolate("tag=${{ needs.build.outputs.tag }} os=${{ matrix.os }}").unwrap(), "tag=v1 os=linux");
        assert_eq!(s.interpolate("${{ format('{0}}}', 'a') }}").unwrap(), "a}}");
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = parse("github.ref == ").unwrap_err();
        assert!(e.message.contains("ends too early"), "{e}");
        let e = parse("a ? b").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(split_template("echo ${{ github.ref").is_err());
    }

    #[test]
    fn paths_lists_every_context_read() {
        let e = parse("secrets.TOKEN != '' && contains(github.event.issue.title, matrix['os'])").unwrap();
        assert_eq!(paths(&e), ["secrets.TOKEN", "github.event.issue.title", "matrix.os"]);
    }
}
