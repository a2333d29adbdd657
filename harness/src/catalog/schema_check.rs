//! Every problem of a YAML document measured against the JSON Schema of its target type.
//!
//! serde stops at the first error; content authors want the whole list. So before a file
//! is deserialized, [`check`] walks its [`yamltree`](super::yamltree) against the schema
//! that `schemars::schema_for!(T)` produces for the content type, and returns one
//! [`Problem`] per mistake: unknown keys (with a did-you-mean), missing required keys,
//! wrong types, values outside an enum or an integer range, duplicate keys.
//!
//! It understands the shapes schemars 1.x emits for serde types: `$ref` into `$defs`,
//! `properties`/`required`/`additionalProperties`, `type` (one or several), `enum` and
//! `const`, `items`/`prefixItems`, `minItems`/`maxItems`, `minLength`/`maxLength`,
//! `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum`, integer `format`s (`uint8`
//! … `int64`), `allOf`, and `oneOf`/`anyOf`. An alternative is chosen by its tag when it
//! has one (an externally tagged enum variant is a mapping with one required key; an
//! internally tagged one has a key such as `kind` whose value is a `const`), otherwise by
//! the branch with the fewest problems.
//!
//! Scalars are judged the way serde-saphyr reads them with default options, so that the
//! checker neither misses what the loader rejects nor flags what it accepts. Read
//! directly, a string field takes any non-null scalar (the loader keeps the text), an
//! integer or number field takes a quoted number, and a boolean field takes YAML 1.1
//! spellings such as `yes` and `off`. Inside an internally tagged or untagged enum serde
//! reads through a buffer in which scalars are already typed, and the checker follows
//! that too. The tests hold the two to the same verdict on every fixture, every prefix of
//! one, and hundreds of single-value edits of valid files.
//!
//! Where the tree has lost the spelling, the checker accepts what the loader refuses (it
//! never the other way round): `-0` or `010` for an integer, `0x10` for a float, and
//! `!!str 5` for a number. The loader's own error then still stops the load.
//!
//! Not checked: `pattern`, `patternProperties` (keys they could match are not reported
//! as unknown), `unevaluatedProperties`, `propertyNames`, `uniqueItems`, `multipleOf`,
//! `not`, `if`/`then`/`else`, and `$ref`s outside the document. `default` needs no check:
//! a field with one is simply not in `required`.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::{Map, Value};

use super::yamltree::{KeyNode, Node, Pos, YamlSyntaxError};

/// One thing wrong with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where to look: the offending key or value, or the mapping that lacks a key.
    pub pos: Pos,
    /// Where in the document, e.g. `checks[2].points`; empty for the document itself.
    pub path: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl Problem {
    fn new(pos: Pos, path: &str, message: impl Into<String>) -> Self {
        Problem { pos, path: path.to_owned(), message: message.into(), help: None }
    }

    fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// A syntax error is the one problem of a document that cannot be read, so callers can
/// report both the same way.
impl From<YamlSyntaxError> for Problem {
    fn from(error: YamlSyntaxError) -> Self {
        Problem { pos: error.pos, path: String::new(), message: error.message, help: None }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Problem {}

impl miette::Diagnostic for Problem {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let label = miette::LabeledSpan::new_primary_with_span(None, self.pos.span());
        Some(Box::new(std::iter::once(label)))
    }
}

/// All problems of one file, ready for a `miette` report: the file is the source code
/// and each [`Problem`] a related diagnostic with its own label.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{name}: {count} problem(s) against the schema", count = problems.len())]
pub struct FileProblems {
    /// The file's name as shown to the author.
    pub name: String,
    #[source_code]
    src: miette::NamedSource<String>,
    /// The problems, in source order.
    #[related]
    pub problems: Vec<Problem>,
}

impl FileProblems {
    /// Bundles `problems` found in the file `name` whose text is `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>, problems: Vec<Problem>) -> Self {
        let name = name.into();
        FileProblems { src: miette::NamedSource::new(name.clone(), text.into()), name, problems }
    }
}

/// Every problem of `doc` against `schema` (a JSON Schema as produced by
/// `schemars::schema_for!(T)` turned into a `serde_json::Value`), in source order.
pub fn check(doc: &Node, schema: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    duplicate_keys(doc, "", &mut problems);
    Checker { root: schema }.node(doc, schema, &At::root(), &mut problems);
    // A node reached through several aliases would otherwise report the same mistake once
    // per alias.
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert((p.pos.offset, p.pos.len, p.message.clone())));
    problems.sort_by_key(|p| p.pos.offset);
    problems
}

/// Every problem of `doc` against `schema`, resolving `$ref`s in `root`, with scalars
/// judged as already typed by their YAML spelling: a plain `8080` is an integer and not
/// a string, a quoted `"3"` is a string and not a number, a plain `yes` is a boolean.
/// That is how Kubernetes reads a manifest (YAML turned into JSON, then decoded
/// strictly), so manifests are checked with this rather than with [`check`].
pub fn check_typed(doc: &Node, root: &Value, schema: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    duplicate_keys(doc, "", &mut problems);
    let at = At { path: String::new(), depth: 0, buffered: true };
    Checker { root }.node(doc, schema, &at, &mut problems);
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert((p.pos.offset, p.pos.len, p.message.clone())));
    problems.sort_by_key(|p| p.pos.offset);
    problems
}

/// How deep the schema walk may recurse (nodes plus `$ref` and alternative hops).
const MAX_WALK_DEPTH: usize = 1024;

/// How many `$ref`s may be followed in a row without reaching a schema.
const MAX_REF_HOPS: usize = 32;

/// Where the walk is: the path for messages, how deep it has recursed, and whether serde
/// reads this part of the document through its buffered `Content`. It does so inside an
/// internally tagged or untagged enum, and there scalars keep their YAML types: a plain
/// `10` is no longer accepted as a string, nor a quoted `"10"` as a number.
#[derive(Clone)]
struct At {
    path: String,
    depth: usize,
    buffered: bool,
}

impl At {
    fn root() -> At {
        At { path: String::new(), depth: 0, buffered: false }
    }

    fn key(&self, key: &str) -> At {
        At { path: join_key(&self.path, key), ..self.hop() }
    }

    fn index(&self, index: usize) -> At {
        At { path: format!("{}[{index}]", self.path), ..self.hop() }
    }

    fn hop(&self) -> At {
        At { path: self.path.clone(), depth: self.depth + 1, buffered: self.buffered }
    }

    fn buffered(&self) -> At {
        At { buffered: true, ..self.hop() }
    }
}

struct Checker<'s> {
    root: &'s Value,
}

impl<'s> Checker<'s> {
    fn node(&self, node: &Node, schema: &'s Value, at: &At, out: &mut Vec<Problem>) {
        if at.depth > MAX_WALK_DEPTH {
            out.push(Problem::new(*node.pos(), &at.path, "nested too deeply to check any further"));
            return;
        }
        let obj = match schema {
            Value::Bool(false) => {
                out.push(Problem::new(*node.pos(), &at.path, "no value is allowed here"));
                return;
            }
            Value::Object(obj) => obj,
            _ => return,
        };
        if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
            if let Some(target) = self.resolve(target) {
                self.node(node, target, &at.hop(), out);
            }
        }
        if let Some(branches) = obj.get("oneOf").and_then(Value::as_array) {
            self.alternatives(node, branches, &at.hop(), out);
        }
        if let Some(branches) = obj.get("anyOf").and_then(Value::as_array) {
            // schemars writes `Option<T>` as `anyOf: [T, null]`; any other `anyOf` is an
            // untagged enum, which serde reads through its buffer.
            let inner = if is_option(branches) { at.hop() } else { at.buffered() };
            self.alternatives(node, branches, &inner, out);
        }
        if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.node(node, part, &at.hop(), out);
            }
        }
        if let Some(types) = obj.get("type") {
            let types = type_names(types);
            if !types.iter().any(|t| accepts(t, node, at.buffered)) {
                let expected: Vec<&str> = types.iter().map(|t| type_word(t)).collect();
                out.push(mismatch(node, &at.path, &expected));
                return;
            }
        }
        if let Some(allowed) = allowed_values(obj) {
            if !allowed.iter().any(|v| matches_value(node, v, at.buffered)) {
                out.push(value_problem(node, &at.path, &allowed, &[]));
                return;
            }
        }
        match node {
            Node::Map(entries, pos) => self.object(entries, pos, obj, at, out),
            Node::Seq(items, pos) => self.array(items, pos, obj, at, out),
            Node::Int(..) | Node::Float(..) => number(node, obj, &at.path, out),
            Node::Str(text, pos) => {
                // A quoted number read for a numeric field still has to be in range.
                number(node, obj, &at.path, out);
                string(text, pos, obj, &at.path, out);
            }
            Node::Null(_) | Node::Bool(..) => {}
        }
    }

    fn object(
        &self,
        entries: &[(KeyNode, Node)],
        pos: &Pos,
        obj: &'s Map<String, Value>,
        at: &At,
        out: &mut Vec<Problem>,
    ) {
        let properties = obj.get("properties").and_then(Value::as_object);
        if let Some(required) = obj.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !entries.iter().any(|(k, _)| k.name == name) {
                    let help = properties
                        .and_then(|p| p.get(name))
                        .and_then(|s| self.description(s))
                        .map(|d| format!("`{name}`: {d}"));
                    out.push(
                        Problem::new(
                            head(entries, pos),
                            &join_key(&at.path, name),
                            format!("missing required key `{name}`"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
        let has_patterns = obj.contains_key("patternProperties");
        for (key, value) in entries {
            let child = at.key(&key.name);
            if let Some(schema) = properties.and_then(|p| p.get(&key.name)) {
                self.node(value, schema, &child, out);
                continue;
            }
            if has_patterns {
                continue;
            }
            match obj.get("additionalProperties") {
                Some(Value::Bool(false)) => out.push(unknown_key(key, properties, &child.path)),
                Some(schema @ Value::Object(_)) => self.node(value, schema, &child, out),
                _ => {}
            }
        }
        let count = entries.len();
        if let Some(min) = obj.get("minProperties").and_then(Value::as_u64) {
            if (count as u64) < min {
                out.push(Problem::new(
                    head(entries, pos),
                    &at.path,
                    format!("expected at least {min} key(s), found {count}"),
                ));
            }
        }
    }

    fn array(&self, items: &[Node], pos: &Pos, obj: &'s Map<String, Value>, at: &At, out: &mut Vec<Problem>) {
        let prefix = obj.get("prefixItems").and_then(Value::as_array);
        for (index, item) in items.iter().enumerate() {
            let child = at.index(index);
            match (prefix.and_then(|p| p.get(index)), obj.get("items")) {
                (Some(schema), _) => self.node(item, schema, &child, out),
                (None, Some(Value::Bool(false))) => {
                    let most = prefix.map_or(0, Vec::len);
                    out.push(Problem::new(
                        *item.pos(),
                        &child.path,
                        format!("unexpected item: at most {most} item(s) are allowed here"),
                    ));
                }
                (None, Some(schema)) => self.node(item, schema, &child, out),
                (None, None) => {}
            }
        }
        let count = items.len() as u64;
        let at_head = Pos { len: pos.len.min(1), ..*pos };
        if let Some(min) = obj.get("minItems").and_then(Value::as_u64) {
            if count < min {
                out.push(Problem::new(at_head, &at.path, format!("expected at least {min} item(s), found {count}")));
            }
        }
        if let Some(max) = obj.get("maxItems").and_then(Value::as_u64) {
            // Surplus items are already reported one by one when `items` is `false`.
            if count > max && !matches!(obj.get("items"), Some(Value::Bool(false))) {
                out.push(Problem::new(at_head, &at.path, format!("expected at most {max} item(s), found {count}")));
            }
        }
    }

    /// Picks the alternative of a `oneOf`/`anyOf` that the author most likely meant and
    /// reports its problems.
    fn alternatives(&self, node: &Node, branches: &'s [Value], at: &At, out: &mut Vec<Problem>) {
        let resolved: Vec<Option<&'s Map<String, Value>>> = branches.iter().map(|b| self.deref(b)).collect();
        if let Node::Map(entries, pos) = node {
            if self.by_external_tag(node, entries, pos, branches, &resolved, at, out)
                || self.by_internal_tag(node, entries, pos, branches, &resolved, at, out)
            {
                return;
            }
        }
        let candidates: Vec<&'s Value> = branches.iter().filter(|b| self.may_accept(b, node, at.buffered, 0)).collect();
        if candidates.is_empty() {
            let mut expected = Vec::new();
            for branch in branches {
                self.expected_kinds(branch, &mut expected, 0);
            }
            out.push(mismatch(node, &at.path, &expected));
            return;
        }
        if !matches!(node, Node::Map(..) | Node::Seq(..)) {
            let sets: Option<Vec<Vec<&Value>>> =
                candidates.iter().map(|b| self.deref(b).and_then(allowed_values)).collect();
            if let Some(sets) = sets {
                let allowed: Vec<&Value> = sets.into_iter().flatten().collect();
                if !allowed.iter().any(|v| matches_value(node, v, at.buffered)) {
                    let tags = external_tags(&resolved);
                    out.push(value_problem(node, &at.path, &allowed, &tags));
                }
                return;
            }
        }
        let mut best: Option<Vec<Problem>> = None;
        for branch in candidates {
            let mut found = Vec::new();
            self.node(node, branch, &at.hop(), &mut found);
            if found.is_empty() {
                return;
            }
            if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
        }
        out.extend(best.unwrap_or_default());
    }

    /// An externally tagged enum variant is a mapping with exactly one required key, the
    /// variant's name. Returns `true` when it has dealt with the node.
    #[allow(clippy::too_many_arguments)]
    fn by_external_tag(
        &self,
        node: &Node,
        entries: &[(KeyNode, Node)],
        pos: &Pos,
        branches: &'s [Value],
        resolved: &[Option<&'s Map<String, Value>>],
        at: &At,
        out: &mut Vec<Problem>,
    ) -> bool {
        let tags = external_tags(resolved);
        if tags.is_empty() {
            return false;
        }
        for (key, _) in entries {
            if let Some(index) = resolved.iter().position(|b| b.and_then(external_tag) == Some(key.name.as_str())) {
                self.node(node, &branches[index], &at.hop(), out);
                return true;
            }
        }
        // Claim the mapping only if no other alternative could take a mapping.
        let others_take_maps = branches
            .iter()
            .zip(resolved)
            .any(|(b, r)| r.and_then(|r| external_tag(r)).is_none() && self.may_accept(b, node, at.buffered, 0));
        if others_take_maps {
            return false;
        }
        let units: Vec<&str> =
            resolved.iter().filter_map(|r| r.and_then(allowed_values)).flatten().filter_map(Value::as_str).collect();
        let listed = backticked(&tags);
        let Some((key, _)) = entries.first() else {
            out.push(
                Problem::new(*pos, &at.path, "expected a mapping with one variant key")
                    .with_help(Some(format!("variants: {listed}"))),
            );
            return true;
        };
        let child = join_key(&at.path, &key.name);
        let problem = if units.contains(&key.name.as_str()) {
            Problem::new(
                key.pos,
                &child,
                format!("`{}` takes no settings; write it as a plain value, not as a key", key.name),
            )
        } else {
            let message = match closest(&key.name, tags.iter().copied()) {
                Some(best) => format!("unknown variant `{}`; did you mean `{best}`?", key.name),
                None => format!("unknown variant `{}`", key.name),
            };
            let mut help = format!("variants written as a mapping: {listed}");
            if !units.is_empty() {
                help.push_str(&format!("; as a plain value: {}", backticked(&units)));
            }
            Problem::new(key.pos, &child, message).with_help(Some(help))
        };
        out.push(problem);
        true
    }

    /// An internally (or adjacently) tagged enum variant is a mapping whose tag key, such
    /// as `kind`, holds a `const` naming the variant. Returns `true` when it has dealt
    /// with the node.
    #[allow(clippy::too_many_arguments)]
    fn by_internal_tag(
        &self,
        node: &Node,
        entries: &[(KeyNode, Node)],
        pos: &Pos,
        branches: &'s [Value],
        resolved: &[Option<&'s Map<String, Value>>],
        at: &At,
        out: &mut Vec<Problem>,
    ) -> bool {
        let objects: Vec<(usize, &'s Map<String, Value>)> = resolved
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.and_then(|r| r.get("properties")).and_then(Value::as_object).map(|p| (i, p)))
            .collect();
        let Some((_, first)) = objects.first() else {
            return false;
        };
        let tag_of = |props: &'s Map<String, Value>, key: &str| self.tag_value(props, key);
        let is_required = |i: usize, key: &str| {
            resolved[i]
                .and_then(|r| r.get("required"))
                .and_then(Value::as_array)
                .is_some_and(|req| req.iter().any(|r| r.as_str() == Some(key)))
        };
        let Some(tag) =
            first.keys().find(|key| objects.iter().all(|(i, p)| tag_of(p, key).is_some() && is_required(*i, key)))
        else {
            return false;
        };
        // Alternatives without the tag that could take a mapping make the tag ambiguous.
        let others_take_maps = branches
            .iter()
            .enumerate()
            .any(|(i, b)| !objects.iter().any(|(j, _)| *j == i) && self.may_accept(b, node, at.buffered, 0));
        if others_take_maps {
            return false;
        }
        let names: Vec<&str> = objects.iter().filter_map(|(_, p)| tag_of(p, tag)).collect();
        let listed = backticked(&names);
        let Some((_, value)) = entries.iter().find(|(k, _)| &k.name == tag) else {
            out.push(
                Problem::new(head(entries, pos), &join_key(&at.path, tag), format!("missing required key `{tag}`"))
                    .with_help(Some(format!("`{tag}` is one of {listed}"))),
            );
            return true;
        };
        let text = scalar_text(value);
        if let Some((index, _)) = objects.iter().find(|(_, p)| text.is_some() && tag_of(p, tag) == text.as_deref()) {
            self.node(node, &branches[*index], &at.buffered(), out);
            return true;
        }
        let child = join_key(&at.path, tag);
        let problem = match text {
            Some(text) => {
                let message = match closest(&text, names.iter().copied()) {
                    Some(best) => format!("unknown {tag} `{text}`; did you mean `{best}`?"),
                    None => format!("unknown {tag} `{text}`"),
                };
                Problem::new(*value.pos(), &child, message)
            }
            None => mismatch(value, &child, &["string"]),
        };
        out.push(problem.with_help(Some(format!("`{tag}` is one of {listed}"))));
        true
    }

    /// The `const` string of property `key` in `properties`, if it has one.
    fn tag_value(&self, properties: &'s Map<String, Value>, key: &str) -> Option<&'s str> {
        properties.get(key).and_then(|s| self.deref(s)).and_then(single_string)
    }

    /// Whether `schema` could accept the node's kind (scalar, sequence or mapping type),
    /// without looking inside it.
    fn may_accept(&self, schema: &'s Value, node: &Node, buffered: bool, hops: usize) -> bool {
        let obj = match schema {
            Value::Bool(b) => return *b,
            Value::Object(obj) => obj,
            _ => return true,
        };
        if hops > MAX_REF_HOPS {
            return true;
        }
        if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
            if let Some(target) = self.resolve(target) {
                if !self.may_accept(target, node, buffered, hops + 1) {
                    return false;
                }
            }
        }
        if let Some(types) = obj.get("type") {
            return type_names(types).iter().any(|t| accepts(t, node, buffered));
        }
        if let Some(values) = allowed_values(obj) {
            return values.iter().any(|v| accepts(json_type(v), node, buffered));
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = obj.get(keyword).and_then(Value::as_array) {
                return branches.iter().any(|b| self.may_accept(b, node, buffered, hops + 1));
            }
        }
        if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
            return all.iter().all(|b| self.may_accept(b, node, buffered, hops + 1));
        }
        if ["properties", "required", "additionalProperties"].iter().any(|k| obj.contains_key(*k)) {
            return matches!(node, Node::Map(..));
        }
        if ["items", "prefixItems"].iter().any(|k| obj.contains_key(*k)) {
            return matches!(node, Node::Seq(..));
        }
        true
    }

    /// The kinds of value `schema` takes, in words, added to `out` without repeats.
    fn expected_kinds(&self, schema: &'s Value, out: &mut Vec<&'static str>, hops: usize) {
        let Some(obj) = schema.as_object() else {
            return;
        };
        if hops > MAX_REF_HOPS {
            return;
        }
        let mut add = |word: &'static str| {
            if !out.contains(&word) {
                out.push(word);
            }
        };
        if let Some(types) = obj.get("type") {
            for t in type_names(types) {
                add(type_word(t));
            }
        } else if let Some(values) = allowed_values(obj) {
            for v in values {
                add(type_word(json_type(v)));
            }
        } else if obj.contains_key("properties") {
            add("mapping");
        } else if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
            if let Some(target) = self.resolve(target) {
                self.expected_kinds(target, out, hops + 1);
            }
        } else {
            for keyword in ["oneOf", "anyOf"] {
                for branch in obj.get(keyword).and_then(Value::as_array).into_iter().flatten() {
                    self.expected_kinds(branch, out, hops + 1);
                }
            }
        }
    }

    fn resolve(&self, reference: &str) -> Option<&'s Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// Follows `$ref`s until a schema object that is not only a reference.
    fn deref(&self, schema: &'s Value) -> Option<&'s Map<String, Value>> {
        let mut current = schema.as_object()?;
        for _ in 0..MAX_REF_HOPS {
            match current.get("$ref").and_then(Value::as_str) {
                Some(target) => current = self.resolve(target)?.as_object()?,
                None => return Some(current),
            }
        }
        None
    }

    /// First paragraph of the schema's description, if any.
    fn description(&self, schema: &'s Value) -> Option<String> {
        let own = schema.get("description").and_then(Value::as_str);
        let text = own.or_else(|| self.deref(schema)?.get("description").and_then(Value::as_str))?;
        let first = text.split("\n\n").next().unwrap_or(text).trim();
        (!first.is_empty()).then(|| first.replace('\n', " "))
    }
}

/// Reports every repeated key in every mapping of the tree.
fn duplicate_keys(node: &Node, path: &str, out: &mut Vec<Problem>) {
    match node {
        Node::Map(entries, _) => {
            let mut seen: HashMap<&str, &Pos> = HashMap::new();
            for (key, value) in entries {
                let child = join_key(path, &key.name);
                if let Some(first) = seen.get(key.name.as_str()) {
                    out.push(
                        Problem::new(key.pos, &child, format!("duplicate key `{}`", key.name))
                            .with_help(Some(format!("first written at line {}, column {}", first.line, first.column))),
                    );
                } else {
                    seen.insert(&key.name, &key.pos);
                }
                duplicate_keys(value, &child, out);
            }
        }
        Node::Seq(items, _) => {
            for (index, item) in items.iter().enumerate() {
                duplicate_keys(item, &format!("{path}[{index}]"), out);
            }
        }
        _ => {}
    }
}

fn number(node: &Node, obj: &Map<String, Value>, path: &str, out: &mut Vec<Problem>) {
    let Some(value) = numeric(node) else {
        return;
    };
    let bound = |key: &str| obj.get(key).and_then(Value::as_f64);
    let (format_low, format_high) = obj.get("format").and_then(Value::as_str).and_then(format_range).unzip();
    let low = max_option(bound("minimum"), format_low);
    let high = min_option(bound("maximum"), format_high);
    let out_of_range = low.is_some_and(|l| value < l) || high.is_some_and(|h| value > h);
    if out_of_range {
        let shown = shown_value(node);
        let range = match (low, high) {
            (Some(l), Some(h)) => format!("from {l} to {h}"),
            (Some(l), None) => format!("of at least {l}"),
            (None, Some(h)) => format!("of at most {h}"),
            (None, None) => String::new(),
        };
        let what = if obj.get("type").is_some_and(|t| type_names(t).contains(&"integer")) {
            "a whole number"
        } else {
            "a number"
        };
        out.push(Problem::new(*node.pos(), path, format!("`{shown}` is out of range: expected {what} {range}")));
        return;
    }
    if let Some(limit) = bound("exclusiveMinimum").filter(|l| value <= *l) {
        out.push(Problem::new(*node.pos(), path, format!("`{}` must be greater than {limit}", shown_value(node))));
    }
    if let Some(limit) = bound("exclusiveMaximum").filter(|l| value >= *l) {
        out.push(Problem::new(*node.pos(), path, format!("`{}` must be less than {limit}", shown_value(node))));
    }
}

fn string(text: &str, pos: &Pos, obj: &Map<String, Value>, path: &str, out: &mut Vec<Problem>) {
    let length = text.chars().count() as u64;
    if let Some(min) = obj.get("minLength").and_then(Value::as_u64) {
        if length < min {
            out.push(Problem::new(*pos, path, format!("expected at least {min} character(s), found {length}")));
        }
    }
    if let Some(max) = obj.get("maxLength").and_then(Value::as_u64) {
        if length > max {
            out.push(Problem::new(*pos, path, format!("expected at most {max} character(s), found {length}")));
        }
    }
}

/// The range of an integer `format` as schemars writes it (`uint32`, `int64`, …).
#[allow(clippy::cast_precision_loss)]
fn format_range(format: &str) -> Option<(f64, f64)> {
    Some(match format {
        "uint8" => (0.0, f64::from(u8::MAX)),
        "uint16" => (0.0, f64::from(u16::MAX)),
        "uint32" => (0.0, f64::from(u32::MAX)),
        "uint64" | "uint" => (0.0, u64::MAX as f64),
        "int8" => (f64::from(i8::MIN), f64::from(i8::MAX)),
        "int16" => (f64::from(i16::MIN), f64::from(i16::MAX)),
        "int32" => (f64::from(i32::MIN), f64::from(i32::MAX)),
        "int64" | "int" => (i64::MIN as f64, i64::MAX as f64),
        _ => return None,
    })
}

fn max_option(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_option(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The node as a number, for range checks. Integers above 2^53 lose precision, which is
/// acceptable for the bounds schemars writes.
#[allow(clippy::cast_precision_loss)]
fn numeric(node: &Node) -> Option<f64> {
    match node {
        Node::Int(i, _) => Some(*i as f64),
        Node::Float(f, _) if f.is_finite() => Some(*f),
        Node::Str(s, _) => loose_int(s).map(|i| i as f64).or_else(|| loose_float(s)),
        _ => None,
    }
}

/// The schema's `type` as a list of names.
fn type_names(types: &Value) -> Vec<&str> {
    match types {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether serde-saphyr, reading `node` for a field of JSON type `ty`, would take it.
///
/// Read directly, a field takes the scalar's text and parses it for its own type; read
/// through serde's buffer (`buffered`), the scalar arrives already typed.
fn accepts(ty: &str, node: &Node, buffered: bool) -> bool {
    match (ty, node) {
        ("number", Node::Float(f, _)) if buffered => f.is_finite(),
        // Through the buffer, serde-saphyr types a plain `yes` or `1_000` itself, as a
        // YAML 1.1 boolean or an integer, where the YAML 1.2 tree sees a string.
        ("string", Node::Str(s, pos)) if buffered => {
            !(written_plain(s, pos) && (loose_bool(s) || loose_int(s).is_some()))
        }
        ("boolean", Node::Str(s, pos)) if buffered => written_plain(s, pos) && loose_bool(s),
        ("integer" | "number", Node::Str(s, pos)) if buffered => written_plain(s, pos) && loose_int(s).is_some(),
        ("null", Node::Null(_))
        | ("boolean", Node::Bool(..))
        | ("integer", Node::Int(..))
        | ("number", Node::Int(..) | Node::Float(..))
        | ("string", Node::Str(..))
        | ("object", Node::Map(..))
        | ("array", Node::Seq(..)) => true,
        // An integer too large for i64 is read as a float by the tree.
        ("integer", Node::Float(f, _)) => f.fract() == 0.0 && f.abs() >= 9.2e18,
        _ if buffered => false,
        // Read directly, serde-saphyr takes YAML 1.1 booleans such as `yes` and `off`.
        ("boolean", Node::Str(s, _)) => loose_bool(s),
        ("string", Node::Bool(..) | Node::Int(..) | Node::Float(..)) => true,
        ("integer", Node::Str(s, _)) => loose_int(s).is_some(),
        ("number", Node::Str(s, _)) => loose_float(s).is_some(),
        _ => false,
    }
}

/// Whether a string node was written as a plain scalar. The tree does not keep the
/// style, but a quoted or block scalar always spans more bytes than its text, while a
/// one-line plain scalar spans exactly its text.
fn written_plain(text: &str, pos: &Pos) -> bool {
    pos.len == text.len()
}

/// Whether an `anyOf` is how schemars writes `Option<T>`: `[T, {"type": "null"}]`.
fn is_option(branches: &[Value]) -> bool {
    let is_null = |b: &Value| b.as_object().is_some_and(|o| o.get("type") == Some(&Value::String("null".to_owned())));
    branches.len() == 2 && branches.iter().filter(|b| is_null(b)).count() == 1
}

/// The JSON type of a literal value in a schema.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSON type in the words YAML authors use.
fn type_word(ty: &str) -> &'static str {
    match ty {
        "object" => "mapping",
        "array" => "sequence",
        "integer" => "integer",
        "number" => "number",
        "string" => "string",
        "boolean" => "boolean",
        "null" => "null",
        _ => "another type",
    }
}

/// The YAML 1.1 booleans serde-saphyr accepts by default.
fn loose_bool(text: &str) -> bool {
    let t = text.trim();
    ["true", "false", "yes", "no", "y", "n", "on", "off"].iter().any(|b| t.eq_ignore_ascii_case(b))
}

/// An integer as serde-saphyr reads one: optional sign, `0x`/`0o`/`0b` or decimal
/// digits, underscores between digits.
fn loose_int(text: &str) -> Option<i128> {
    let t = text.trim();
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(d) = rest.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = rest.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = rest.strip_prefix("0b") {
        (2, d)
    } else {
        (10, rest)
    };
    if digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// A float as written in YAML, including `.inf` and `.nan`.
fn loose_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    match lower.trim_start_matches(['+', '-']) {
        ".inf" | ".nan" => return Some(0.0),
        "inf" | "infinity" | "nan" => return None,
        _ => {}
    }
    t.parse::<f64>().ok()
}

/// The values an `enum` or `const` allows, if the schema restricts values.
fn allowed_values(obj: &Map<String, Value>) -> Option<Vec<&Value>> {
    if let Some(value) = obj.get("const") {
        return Some(vec![value]);
    }
    obj.get("enum").and_then(Value::as_array).map(|values| values.iter().collect())
}

/// The single string a schema allows (`const`, or an `enum` of one).
fn single_string(obj: &Map<String, Value>) -> Option<&str> {
    match allowed_values(obj)?.as_slice() {
        [Value::String(s)] => Some(s),
        _ => None,
    }
}

/// The variant name of an externally tagged variant: an object schema with exactly one
/// property, which is required.
fn external_tag(obj: &Map<String, Value>) -> Option<&str> {
    let properties = obj.get("properties")?.as_object()?;
    let required = obj.get("required")?.as_array()?;
    match (properties.len(), required.as_slice()) {
        (1, [Value::String(name)]) if properties.contains_key(name) => Some(name),
        _ => None,
    }
}

fn external_tags<'a>(resolved: &[Option<&'a Map<String, Value>>]) -> Vec<&'a str> {
    resolved.iter().filter_map(|r| r.and_then(|r| external_tag(r))).collect()
}

/// Whether the node equals a literal from the schema, as the loader would read it.
fn matches_value(node: &Node, value: &Value, buffered: bool) -> bool {
    match (node, value) {
        (Node::Null(_), Value::Null) => true,
        (Node::Bool(b, _), Value::Bool(v)) => b == v,
        (Node::Int(i, _), Value::Number(n)) => n.as_i64() == Some(*i) || (n.is_f64() && n.as_f64() == numeric(node)),
        (Node::Float(f, _), Value::Number(n)) => n.as_f64() == Some(*f),
        (Node::Str(s, _), Value::String(v)) => s == v,
        // The loader reads any plain scalar as text when a string is expected.
        (Node::Bool(..) | Node::Int(..) | Node::Float(..), Value::String(v)) if !buffered => {
            scalar_text(node).as_deref() == Some(v.as_str())
        }
        (Node::Seq(items, _), Value::Array(values)) => {
            items.len() == values.len() && items.iter().zip(values).all(|(n, v)| matches_value(n, v, buffered))
        }
        (Node::Map(entries, _), Value::Object(fields)) => {
            entries.len() == fields.len()
                && entries.iter().all(|(k, n)| fields.get(&k.name).is_some_and(|v| matches_value(n, v, buffered)))
        }
        _ => false,
    }
}

/// The scalar's text as the loader would see it for a string field.
fn scalar_text(node: &Node) -> Option<String> {
    match node {
        Node::Str(s, _) => Some(s.clone()),
        Node::Bool(b, _) => Some(b.to_string()),
        Node::Int(i, _) => Some(i.to_string()),
        Node::Float(f, _) => Some(float_text(*f)),
        _ => None,
    }
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.to_owned()
    } else {
        f.to_string()
    }
}

/// The node's value, shortened for a message.
fn shown_value(node: &Node) -> String {
    let text = scalar_text(node).unwrap_or_else(|| "null".to_owned());
    let first_line = text.lines().next().unwrap_or("");
    let mut shown: String = first_line.chars().take(40).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

/// The node's kind and value for "found …" in messages.
fn describe(node: &Node) -> String {
    match node {
        Node::Null(_) => "null".to_owned(),
        Node::Seq(..) => "a sequence".to_owned(),
        Node::Map(..) => "a mapping".to_owned(),
        _ => format!("{} `{}`", node.kind(), shown_value(node)),
    }
}

fn mismatch(node: &Node, path: &str, expected: &[&str]) -> Problem {
    Problem::new(*node.pos(), path, format!("expected {}, found {}", or_list(expected), describe(node)))
}

/// A scalar outside the values an enum allows. `tags` names variants that are written as
/// a mapping instead, to mention them in the help.
fn value_problem(node: &Node, path: &str, allowed: &[&Value], tags: &[&str]) -> Problem {
    let names: Vec<String> = allowed.iter().map(|v| literal(v)).collect();
    let shown = match node {
        Node::Seq(..) | Node::Map(..) => describe(node),
        _ => format!("`{}`", shown_value(node)),
    };
    let text = scalar_text(node).unwrap_or_default();
    if tags.contains(&text.as_str()) {
        return Problem::new(*node.pos(), path, format!("`{text}` takes settings, so it is written as a mapping"))
            .with_help(Some(format!("write `{text}:` and its settings indented below it")));
    }
    if let ([one], []) = (names.as_slice(), tags) {
        return Problem::new(*node.pos(), path, format!("expected `{one}`, found {shown}"));
    }
    let candidates = names.iter().map(String::as_str).chain(tags.iter().copied());
    let message = match closest(&text, candidates) {
        Some(best) => format!("unknown value {shown}; did you mean `{best}`?"),
        None => format!("unknown value {shown}"),
    };
    let mut help = format!("expected one of {}", backticked(&names));
    if !tags.is_empty() {
        help.push_str(&format!(", or a mapping with one key of {}", backticked(tags)));
    }
    Problem::new(*node.pos(), path, message).with_help(Some(help))
}

fn unknown_key(key: &KeyNode, properties: Option<&Map<String, Value>>, path: &str) -> Problem {
    let valid: Vec<&str> = properties.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
    let message = match closest(&key.name, valid.iter().copied()) {
        Some(best) => format!("unknown key `{}`; did you mean `{best}`?", key.name),
        None => format!("unknown key `{}`", key.name),
    };
    let help = if valid.is_empty() {
        "no keys are allowed here".to_owned()
    } else {
        format!("valid keys here: {}", backticked(&valid))
    };
    Problem::new(key.pos, path, message).with_help(Some(help))
}

/// The span to point at for a problem about a whole mapping: its start up to the end of
/// its first key, rather than every line of it.
fn head(entries: &[(KeyNode, Node)], pos: &Pos) -> Pos {
    match entries.first() {
        Some((key, _)) if key.pos.offset >= pos.offset => {
            Pos { len: (key.pos.offset + key.pos.len - pos.offset).min(pos.len.max(key.pos.len)), ..*pos }
        }
        _ => *pos,
    }
}

/// `path.key`, or `path["odd key"]` when the key is not a plain word.
fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", Value::String(key.to_owned())),
    }
}

fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn backticked<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|n| format!("`{}`", n.as_ref())).collect::<Vec<_>>().join(", ")
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(words: &[&str]) -> String {
    match words {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    let allowed = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (edit_distance(&word_lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edits (insert, delete, substitute, swap two neighbours) to turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        table[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        table[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[at(i - 1, j)] + 1).min(table[at(i, j - 1)] + 1).min(table[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[at(i - 2, j - 2)] + 1);
            }
            table[at(i, j)] = best;
        }
    }
    table[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_a_swap_as_one_edit() {
        assert_eq!(edit_distance("pionts", "points"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_ignores_candidates_that_are_too_far() {
        let keys = ["points", "probe", "hidden"];
        assert_eq!(closest("pionts", keys.iter().copied()), Some("points"));
        assert_eq!(closest("zzz", keys.iter().copied()), None);
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        assert_eq!(join_key("", "checks"), "checks");
        assert_eq!(join_key("a[1]", "time-limit"), "a[1].time-limit");
        assert_eq!(join_key("a", "x.y"), "a[\"x.y\"]");
    }

    #[test]
    fn loose_numbers_follow_the_loader() {
        assert_eq!(loose_int("1_000"), Some(1000));
        assert_eq!(loose_int("-0x10"), Some(-16));
        assert_eq!(loose_int("1__0"), None);
        assert!(loose_bool("Off"));
        assert!(loose_float("inf").is_none());
    }
}
