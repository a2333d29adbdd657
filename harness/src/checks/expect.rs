//! Comparing a value found at a YAML or HCL path with what a check expects.

use serde_json::Value;

use crate::model::check::PathExpect;

/// `Ok(())` when `found` satisfies `expect`, else why not.
pub(crate) fn satisfied(found: Option<&Value>, expect: &PathExpect) -> Result<(), String> {
    if let Some(want) = expect.exists {
        if want != found.is_some() {
            return Err(if want {
                "the value is missing".to_string()
            } else {
                format!("the value is present: {}", show(found))
            });
        }
    }
    let needs_value = expect.equals.is_some()
        || expect.contains.is_some()
        || expect.not_contains.is_some()
        || expect.matches.is_some();
    let Some(v) = found else {
        return if needs_value { Err("the value is missing".to_string()) } else { Ok(()) };
    };
    if let Some(eq) = &expect.equals {
        if !loosely_equal(v, eq) {
            return Err(format!("expected {eq}, found {}", show(found)));
        }
    }
    if let Some(c) = &expect.contains {
        if !contains(v, c) {
            return Err(format!("expected it to contain {c}, found {}", show(found)));
        }
    }
    if let Some(c) = &expect.not_contains {
        if contains(v, c) {
            return Err(format!("expected it not to contain {c}, found {}", show(found)));
        }
    }
    if let Some(m) = &expect.matches {
        let re = regex::Regex::new(m).map_err(|e| format!("invalid regex in check: {e}"))?;
        let text = as_text(v);
        if !re.is_match(&text) {
            return Err(format!("`{text}` does not match /{m}/"));
        }
    }
    Ok(())
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "nothing".to_string(), |v| v.to_string())
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Equality that treats `"5432"` and `5432`, `"true"` and `true` alike (HCL and YAML
/// authors write both).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    a == b || as_text(a) == as_text(b)
}

fn contains(v: &Value, needle: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().any(|i| loosely_equal(i, needle)),
        Value::String(s) => s.contains(&as_text(needle)),
        Value::Object(map) => map.contains_key(&as_text(needle)),
        _ => false,
    }
}

/// Walk a dotted path (`a.b.0.c`) into a JSON value.
pub(crate) fn walk<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = v;
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expectations_compare_loosely_and_explain_mismatches() {
        let v = json!({"a": {"ports": [22, 443], "on": "true", "name": "web-1"}});
        let ports = walk(&v, "a.ports");
        assert!(satisfied(ports, &PathExpect { contains: Some(json!(443)), ..Default::default() }).is_ok());
        let e = satisfied(ports, &PathExpect { not_contains: Some(json!(22)), ..Default::default() }).unwrap_err();
        assert!(e.contains("not to contain 22"), "{e}");
        assert!(satisfied(walk(&v, "a.on"), &PathExpect { equals: Some(json!(true)), ..Default::default() }).is_ok());
        assert!(
            satisfied(walk(&v, "a.ports.1"), &PathExpect { equals: Some(json!("443")), ..Default::default() }).is_ok()
        );
        assert!(satisfied(walk(&v, "a.nope"), &PathExpect { exists: Some(false), ..Default::default() }).is_ok());
        assert!(satisfied(walk(&v, "a.name"), &PathExpect { matches: Some("^web-\\d$".into()), ..Default::default() })
            .is_ok());
        assert!(satisfied(None, &PathExpect { equals: Some(json!(1)), ..Default::default() }).is_err());
    }
}
