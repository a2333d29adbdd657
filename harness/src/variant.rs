//! Seeded variants. A scenario declares parameters (resource names, CIDR octets,
//! ports, tag keys); a session's seed picks their values, so two candidates get
//! different files while every run with the same seed is identical.
//!
//! Values are drawn from a small fixed generator (SplitMix64) rather than a library
//! RNG whose algorithm could change between versions: a stored seed must reproduce
//! the same workspace forever. Placeholders are written `@{name}` (a syntax that
//! clashes with neither HCL's `${…}` nor GitHub Actions' `${{ … }}`); `@@{` writes a
//! literal `@{`.

use std::collections::BTreeMap;

use crate::model::{ParamGen, ParamSpec};

/// Parameter name → chosen value.
pub type Params = BTreeMap<String, String>;

/// Deterministic 64-bit generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // Rejection sampling keeps the distribution exact.
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % n;
            }
        }
    }
}

/// Stable 64-bit FNV-1a hash, used to derive per-scenario seeds.
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Choose every parameter of a scenario for a session seed.
pub fn choose(scenario_id: &str, specs: &[ParamSpec], seed: u64) -> Params {
    let mut rng = SplitMix::new(seed ^ stable_hash(scenario_id));
    let mut out = Params::new();
    for spec in specs {
        let value = match &spec.gen {
            ParamGen::Choice(values) => {
                let i = rng.below(values.len().max(1) as u64) as usize;
                values.get(i).cloned().unwrap_or_default()
            }
            ParamGen::Int { min, max } => {
                let span = (max - min) as u64 + 1;
                (min + rng.below(span) as i64).to_string()
            }
            ParamGen::Hex { len } => {
                (0..*len).map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0')).collect()
            }
        };
        out.insert(spec.name.clone(), value);
    }
    out
}

/// A placeholder that names no parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown parameter `{name}` at byte {offset}")]
pub struct UnknownParam {
    pub name: String,
    /// Byte offset of the `@{` in the template.
    pub offset: usize,
}

/// Fill `@{name}` placeholders.
pub fn render(template: &str, params: &Params) -> Result<String, UnknownParam> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    let mut consumed = 0;
    while let Some(i) = rest.find('@') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(lit) = after.strip_prefix("@@{") {
            out.push_str("@{");
            consumed += i + 3;
            rest = lit;
            continue;
        }
        if let Some(inner) = after.strip_prefix("@{") {
            if let Some(end) = inner.find('}') {
                let name = inner[..end].trim();
                match params.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        return Err(UnknownParam { name: name.to_string(), offset: consumed + i });
                    }
                }
                consumed += i + 2 + end + 1;
                rest = &inner[end + 1..];
                continue;
            }
        }
        out.push('@');
        consumed += i + 1;
        rest = &after[1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every unknown placeholder in a template (for content validation).
pub fn unknown_placeholders(template: &str, names: &[&str]) -> Vec<UnknownParam> {
    let params: Params = names.iter().map(|n| (n.to_string(), String::new())).collect();
    let mut found = Vec::new();
    let mut start = 0;
    while start <= template.len() {
        match render(&template[start..], &params) {
            Ok(_) => break,
            Err(mut e) => {
                e.offset += start;
                start = e.offset + 2;
                found.push(e);
            }
        }
    }
    found
}

/// Render every string inside a serializable value (used to instantiate checks,
/// edits and hints for one variant without a hand-written walker per type).
pub fn render_value<T>(value: &T, params: &Params) -> Result<T, UnknownParam>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut json = serde_json::to_value(value).map_err(|e| UnknownParam { name: e.to_string(), offset: 0 })?;
    render_json(&mut json, params)?;
    serde_json::from_value(json).map_err(|e| UnknownParam { name: e.to_string(), offset: 0 })
}

fn render_json(v: &mut serde_json::Value, params: &Params) -> Result<(), UnknownParam> {
    match v {
        serde_json::Value::String(s) => *s = render(s, params)?,
        serde_json::Value::Array(items) => {
            for item in items {
                render_json(item, params)?;
            }
        }
        serde_json::Value::Object(map) => {
            for (_, item) in map.iter_mut() {
                render_json(item, params)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec {
                name: "db".into(),
                gen: ParamGen::Choice(vec!["orders".into(), "ledger".into(), "billing".into()]),
            },
            ParamSpec { name: "octet".into(), gen: ParamGen::Int { min: 10, max: 250 } },
            ParamSpec { name: "suffix".into(), gen: ParamGen::Hex { len: 6 } },
        ]
    }

    #[test]
    fn same_seed_gives_same_values_and_other_seeds_differ() {
        let a = choose("terraform/x", &specs(), 7);
        assert_eq!(a, choose("terraform/x", &specs(), 7));
        let distinct: std::collections::BTreeSet<_> =
            (0..20).map(|s| choose("terraform/x", &specs(), s)["suffix"].clone()).collect();
        assert!(distinct.len() > 15, "hex suffixes should rarely collide: {distinct:?}");
        let o: i64 = a["octet"].parse().unwrap();
        assert!((10..=250).contains(&o));
        assert_eq!(a["suffix"].len(), 6);
    }

    #[test]
    fn placeholders_render_and_unknown_ones_are_reported_with_offsets() {
        let p: Params = [("name".to_string(), "web".to_string())].into();
        assert_eq!(render("aws_sg.@{name} ${var.x} @@{lit} a@b", &p).unwrap(), "aws_sg.web ${var.x} @{lit} a@b");
        let err = render("x @{nope}", &p).unwrap_err();
        assert_eq!((err.name.as_str(), err.offset), ("nope", 2));
        let all = unknown_placeholders("@{a} @{name} @{b}", &["name"]);
        assert_eq!(all.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }
}
