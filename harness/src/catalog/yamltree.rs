//! A YAML document as a tree of nodes that remember where they came from.
//!
//! serde stops at the first error and forgets positions once a value is built, so a
//! content linter that wants to report *every* problem needs its own view of the
//! document. This module turns YAML text into a small [`Node`] tree in which every
//! scalar, sequence, mapping and mapping key carries a [`Pos`]: a 1-based line and
//! column for people, and a byte offset and length for `miette` spans.
//!
//! It reads events from the parser that `serde-saphyr` already uses (granit), so the
//! tree sees the same syntax the loader sees. Resolution rules:
//!
//! - Plain scalars resolve with the YAML 1.2 core schema: `~`, `null`, `Null`, `NULL` and
//!   the empty scalar are null; `true`/`false` (also `True`, `TRUE`, …) are booleans;
//!   decimal, `0o` octal and `0x` hex integers are integers; decimals, exponents, `.inf`
//!   and `.nan` are floats. Everything else, and every quoted or block scalar, is a
//!   string. An integer too large for `i64` becomes a float.
//! - The core tags `!!str`, `!!null`, `!!bool`, `!!int` and `!!float` force their type
//!   (a value that does not fit is a syntax error); the non-specific tag `!` forces a
//!   string. Other tags are ignored. A tagged node's position starts at its tag.
//! - Aliases are expanded into copies of their anchored node. Nodes inside the copy keep
//!   the positions of the anchored definition (that is where a fix goes); the copy's own
//!   root takes the alias's position. Expansion is bounded by [`MAX_NODES`] and
//!   [`MAX_DEPTH`] so that an "alias bomb" is an error rather than an out-of-memory.
//! - Merge keys (`<<: *base` or `<<: [*a, *b]`, plain `<<` only) are expanded like
//!   serde-saphyr does by default: keys written in the mapping win over merged ones, and
//!   earlier merged mappings win over later ones. Merged entries appear where the `<<`
//!   key was written.
//! - Only scalar mapping keys are accepted, and the text must hold exactly one document.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Marker, Options, Parser, ScalarStyle, ScanError, Span, Tag};

/// Most nodes a document may hold once aliases are expanded (serde-saphyr's default
/// budget).
pub const MAX_NODES: usize = 250_000;

/// Deepest nesting of sequences and mappings a document may have once aliases are
/// expanded. serde-saphyr's default budget refuses anything deeper, so the tree does
/// too, and it bounds the checker's recursion.
pub const MAX_DEPTH: usize = 64;

/// Where a node sits in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Pos {
    /// Line, counted from 1.
    pub line: usize,
    /// Column in characters, counted from 1.
    pub column: usize,
    /// Byte offset of the node's first byte.
    pub offset: usize,
    /// Length of the node's source text in bytes (may be 0, e.g. for an empty value).
    pub len: usize,
}

impl Pos {
    /// The byte range as a `miette` span.
    pub fn span(&self) -> miette::SourceSpan {
        (self.offset, self.len).into()
    }

    fn end(&self) -> usize {
        self.offset + self.len
    }
}

/// The name and position of a mapping key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyNode {
    /// The key's text as written (after quote and escape processing).
    pub name: String,
    /// Where the key is written.
    pub pos: Pos,
}

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `~`, `null` or an empty value.
    Null(Pos),
    /// `true` or `false`.
    Bool(bool, Pos),
    /// A whole number that fits `i64`.
    Int(i64, Pos),
    /// A number with a fraction or exponent, `.inf`, `.nan`, or an integer too large for `i64`.
    Float(f64, Pos),
    /// Any other scalar, and every quoted or block scalar.
    Str(String, Pos),
    /// A sequence, in order.
    Seq(Vec<Node>, Pos),
    /// A mapping, keys in source order (duplicates are kept so that a checker can report them).
    Map(Vec<(KeyNode, Node)>, Pos),
}

impl Node {
    /// The node as JSON, positions dropped (for path checks, matrices, `with:` values).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null(_) => Value::Null,
            Node::Bool(b, _) => Value::Bool(*b),
            Node::Int(i, _) => Value::from(*i),
            Node::Float(f, _) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Str(s, _) => Value::String(s.clone()),
            Node::Seq(items, _) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(entries, _) => {
                Value::Object(entries.iter().map(|(k, v)| (k.name.clone(), v.to_json())).collect())
            }
        }
    }

    /// The node's position.
    pub fn pos(&self) -> &Pos {
        match self {
            Node::Null(p)
            | Node::Bool(_, p)
            | Node::Int(_, p)
            | Node::Float(_, p)
            | Node::Str(_, p)
            | Node::Seq(_, p)
            | Node::Map(_, p) => p,
        }
    }

    fn pos_mut(&mut self) -> &mut Pos {
        match self {
            Node::Null(p)
            | Node::Bool(_, p)
            | Node::Int(_, p)
            | Node::Float(_, p)
            | Node::Str(_, p)
            | Node::Seq(_, p)
            | Node::Map(_, p) => p,
        }
    }

    /// A word for the node's kind, as used in messages: `null`, `boolean`, `integer`,
    /// `float`, `string`, `sequence` or `mapping`.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null(_) => "null",
            Node::Bool(..) => "boolean",
            Node::Int(..) => "integer",
            Node::Float(..) => "float",
            Node::Str(..) => "string",
            Node::Seq(..) => "sequence",
            Node::Map(..) => "mapping",
        }
    }

    /// Number of nodes in this subtree (mapping keys not counted).
    fn size(&self) -> usize {
        match self {
            Node::Seq(items, _) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Node::Map(entries, _) => 1 + entries.iter().map(|(_, v)| v.size()).sum::<usize>(),
            _ => 1,
        }
    }

    /// Levels of collections in this subtree: 0 for a scalar.
    fn height(&self) -> usize {
        match self {
            Node::Seq(items, _) => 1 + items.iter().map(Node::height).max().unwrap_or(0),
            Node::Map(entries, _) => 1 + entries.iter().map(|(_, v)| v.height()).max().unwrap_or(0),
            _ => 0,
        }
    }
}

/// The text is not YAML this module accepts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} at line {}, column {}", pos.line, pos.column)]
pub struct YamlSyntaxError {
    /// Where the parser stopped.
    pub pos: Pos,
    /// What went wrong, without the position.
    pub message: String,
}

/// Parses one YAML document into a tree with positions.
///
/// An empty text (or one holding only comments) is a [`Node::Null`] at line 1, column 1.
pub fn parse(text: &str) -> Result<Node, YamlSyntaxError> {
    let mut options = Options::default();
    options.emit_comments = false;
    let mut builder = Builder::new(text);
    for item in Parser::new_from_str_with_options(text, options) {
        match item {
            Ok((event, span)) => {
                if builder.event(event, span)? {
                    break;
                }
            }
            Err(error) => return Err(builder.scan_error(&error)),
        }
    }
    Ok(builder.finish())
}

/// Parses a stream of YAML documents (`---`-separated, as Kubernetes manifests are
/// written) into one tree per document, in order. Empty documents (nothing but
/// comments, or a bare `---`) are left out. Anchors do not reach across documents.
pub fn parse_stream(text: &str) -> Result<Vec<Node>, YamlSyntaxError> {
    let mut options = Options::default();
    options.emit_comments = false;
    let mut builder = Builder::new(text);
    builder.multi = true;
    for item in Parser::new_from_str_with_options(text, options) {
        match item {
            Ok((event, span)) => {
                if builder.event(event, span)? {
                    break;
                }
            }
            Err(error) => return Err(builder.scan_error(&error)),
        }
    }
    Ok(builder.docs)
}

/// A collection being read.
struct Frame {
    kind: FrameKind,
    start: Pos,
    flow: bool,
    anchor: usize,
    /// End offset of the last finished child, for the collection's length.
    end: usize,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(KeyNode, Node)>,
        /// The key waiting for its value, and whether it is a plain `<<`.
        key: Option<(KeyNode, bool)>,
        /// Mappings to merge in, with the index in `entries` where `<<` was written.
        merges: Vec<(usize, Vec<Node>)>,
    },
}

/// Turns parser events into a [`Node`] tree.
struct Builder<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    /// Finished anchored nodes with their size and height.
    anchors: HashMap<usize, (Node, usize, usize)>,
    nodes: usize,
    /// Accept several documents, collected in `docs` ([`parse_stream`]).
    multi: bool,
    docs: Vec<Node>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder {
            text,
            stack: Vec::new(),
            root: None,
            documents: 0,
            anchors: HashMap::new(),
            nodes: 0,
            multi: false,
            docs: Vec::new(),
        }
    }

    fn finish(self) -> Node {
        self.root.unwrap_or(Node::Null(Pos { line: 1, column: 1, offset: 0, len: 0 }))
    }

    fn offset(&self, marker: &Marker) -> usize {
        marker
            .byte_offset()
            .unwrap_or_else(|| self.text.char_indices().nth(marker.index()).map_or(self.text.len(), |(byte, _)| byte))
    }

    /// The position of an event's node, starting at its tag (`!!str 5`) if it has one.
    fn pos(&self, span: &Span) -> Pos {
        let start = match span.tag_start {
            Some(tag) if self.offset(&tag) < self.offset(&span.start) => tag,
            _ => span.start,
        };
        let offset = self.offset(&start);
        let end = self.offset(&span.end).max(offset);
        Pos { line: start.line().max(1), column: start.col() + 1, offset, len: end - offset }
    }

    fn scan_error(&self, error: &ScanError) -> YamlSyntaxError {
        let marker = error.marker();
        let mut message = error.info();
        if message.is_empty() {
            message = "invalid YAML".to_owned();
        }
        YamlSyntaxError {
            pos: Pos {
                line: marker.line().max(1),
                column: marker.col() + 1,
                offset: self.offset(marker).min(self.text.len()),
                len: 0,
            },
            message,
        }
    }

    fn error(pos: Pos, message: impl Into<String>) -> YamlSyntaxError {
        YamlSyntaxError { pos, message: message.into() }
    }

    /// Handles one event; returns `true` when the stream has ended.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<bool, YamlSyntaxError> {
        let pos = self.pos(&span);
        match event {
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 && !self.multi {
                    return Err(Self::error(
                        pos,
                        "a second YAML document starts here; a content file holds exactly one",
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if self.expects_key() {
                    let plain_merge = style == ScalarStyle::Plain && tag.is_none() && value == "<<";
                    let name = value.into_owned();
                    if anchor != 0 {
                        self.anchors.insert(anchor, (Node::Str(name.clone(), pos), 1, 0));
                    }
                    self.set_key(KeyNode { name, pos }, plain_merge);
                } else {
                    let node = resolve_scalar(&value, style, tag.as_deref(), pos)?;
                    if anchor != 0 {
                        self.anchors.insert(anchor, (node.clone(), 1, 0));
                    }
                    self.count(1, pos)?;
                    self.push(node)?;
                }
            }
            Event::Alias(id) => self.alias(id, pos)?,
            Event::SequenceStart(style, anchor, _) => {
                self.open(FrameKind::Seq(Vec::new()), style, anchor, pos)?;
            }
            Event::MappingStart(style, anchor, _) => {
                let kind = FrameKind::Map { entries: Vec::new(), key: None, merges: Vec::new() };
                self.open(kind, style, anchor, pos)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(pos)?,
            Event::DocumentEnd if self.multi => {
                self.anchors.clear();
                match self.root.take() {
                    None | Some(Node::Null(_)) => {}
                    Some(doc) => self.docs.push(doc),
                }
            }
            _ => {}
        }
        Ok(false)
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { kind: FrameKind::Map { key: None, .. }, .. }))
    }

    fn set_key(&mut self, key: KeyNode, plain_merge: bool) {
        if let Some(frame) = self.stack.last_mut() {
            frame.end = frame.end.max(key.pos.end());
            if let FrameKind::Map { key: slot, .. } = &mut frame.kind {
                *slot = Some((key, plain_merge));
            }
        }
    }

    fn count(&mut self, added: usize, pos: Pos) -> Result<(), YamlSyntaxError> {
        self.nodes += added;
        if self.nodes > MAX_NODES {
            return Err(Self::error(
                pos,
                format!("the document grows past {MAX_NODES} nodes once aliases are expanded"),
            ));
        }
        Ok(())
    }

    fn open(
        &mut self,
        kind: FrameKind,
        style: serde_saphyr::granit_parser::StructureStyle,
        anchor: usize,
        pos: Pos,
    ) -> Result<(), YamlSyntaxError> {
        if self.expects_key() {
            return Err(Self::error(
                pos,
                "a sequence or mapping used as a mapping key is not supported; use a plain key",
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(Self::error(pos, format!("sequences and mappings nest deeper than {MAX_DEPTH} levels")));
        }
        let flow = style == serde_saphyr::granit_parser::StructureStyle::Flow;
        let start = Pos { len: 0, ..pos };
        self.stack.push(Frame { kind, start, flow, anchor, end: start.offset });
        Ok(())
    }

    fn close(&mut self, end_pos: Pos) -> Result<(), YamlSyntaxError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let end = if frame.flow { end_pos.end() } else { frame.end };
        let mut pos = frame.start;
        pos.len = end.saturating_sub(pos.offset);
        let node = match frame.kind {
            FrameKind::Seq(items) => Node::Seq(items, pos),
            FrameKind::Map { entries, merges, .. } => Node::Map(apply_merges(entries, merges), pos),
        };
        if frame.anchor != 0 {
            let (size, height) = (node.size(), node.height());
            self.anchors.insert(frame.anchor, (node.clone(), size, height));
        }
        self.count(1, pos)?;
        self.push(node)
    }

    fn alias(&mut self, id: usize, pos: Pos) -> Result<(), YamlSyntaxError> {
        let Some((node, size, height)) = self.anchors.get(&id) else {
            let inside = self.stack.iter().any(|f| f.anchor == id);
            let message = if inside {
                "this alias refers to a node that contains it"
            } else {
                "this alias refers to an unknown anchor"
            };
            return Err(Self::error(pos, message));
        };
        if self.stack.len() + height > MAX_DEPTH {
            return Err(Self::error(
                pos,
                format!("sequences and mappings nest deeper than {MAX_DEPTH} levels once aliases are expanded"),
            ));
        }
        let (mut node, size) = (node.clone(), *size);
        *node.pos_mut() = pos;
        if self.expects_key() {
            let name = match &node {
                Node::Null(_) => "null".to_owned(),
                Node::Bool(b, _) => b.to_string(),
                Node::Int(i, _) => i.to_string(),
                Node::Float(f, _) => f.to_string(),
                Node::Str(s, _) => s.clone(),
                Node::Seq(..) | Node::Map(..) => {
                    return Err(Self::error(
                        pos,
                        "a sequence or mapping used as a mapping key is not supported; use a plain key",
                    ))
                }
            };
            self.set_key(KeyNode { name, pos }, false);
            return Ok(());
        }
        self.count(size, pos)?;
        self.push(node)
    }

    /// Places a finished node into its parent, or makes it the root.
    fn push(&mut self, node: Node) -> Result<(), YamlSyntaxError> {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return Ok(());
        };
        frame.end = frame.end.max(node.pos().end());
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, key, merges } => match key.take() {
                Some((_, true)) => {
                    let sources = match node {
                        Node::Map(..) => vec![node],
                        Node::Seq(items, _) if items.iter().all(|n| matches!(n, Node::Map(..))) => items,
                        other => {
                            return Err(Self::error(
                                *other.pos(),
                                "a merge key `<<` takes a mapping or a sequence of mappings",
                            ))
                        }
                    };
                    merges.push((entries.len(), sources));
                }
                Some((key, false)) => entries.push((key, node)),
                // A value always follows a key in the event stream; treat a stray one as a key.
                None => {
                    let name = match &node {
                        Node::Str(s, _) => s.clone(),
                        _ => String::new(),
                    };
                    *key = Some((KeyNode { name, pos: *node.pos() }, false));
                }
            },
        }
        Ok(())
    }
}

/// Expands merge keys: written keys win, then earlier merged mappings over later ones.
fn apply_merges(entries: Vec<(KeyNode, Node)>, merges: Vec<(usize, Vec<Node>)>) -> Vec<(KeyNode, Node)> {
    if merges.is_empty() {
        return entries;
    }
    let mut taken: std::collections::HashSet<String> = entries.iter().map(|(k, _)| k.name.clone()).collect();
    let mut inserts: Vec<(usize, Vec<(KeyNode, Node)>)> = Vec::new();
    for (at, sources) in merges {
        let mut merged = Vec::new();
        for source in sources {
            if let Node::Map(source_entries, _) = source {
                for (key, value) in source_entries {
                    if taken.insert(key.name.clone()) {
                        merged.push((key, value));
                    }
                }
            }
        }
        inserts.push((at, merged));
    }
    let mut out = Vec::with_capacity(entries.len());
    let mut inserts = inserts.into_iter().peekable();
    for (index, entry) in entries.into_iter().enumerate() {
        while let Some((_, merged)) = inserts.next_if(|(at, _)| *at <= index) {
            out.extend(merged);
        }
        out.push(entry);
    }
    for (_, merged) in inserts {
        out.extend(merged);
    }
    out
}

/// Resolves a scalar's type from its style, tag and text.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>, pos: Pos) -> Result<Node, YamlSyntaxError> {
    if let Some(tag) = tag {
        if tag.handle() == "!" && tag.suffix().is_empty() {
            return Ok(Node::Str(text.to_owned(), pos));
        }
        if let Some(core) = tag.core_suffix() {
            let forced = match core {
                "str" => Some(Node::Str(text.to_owned(), pos)),
                "null" => plain_null(text).then_some(Node::Null(pos)),
                "bool" => plain_bool(text).map(|b| Node::Bool(b, pos)),
                "int" => plain_int(text).map(|n| n.into_node(pos)),
                "float" => {
                    plain_float(text).or_else(|| plain_int(text).map(Number::as_f64)).map(|f| Node::Float(f, pos))
                }
                _ => None,
            };
            return forced.ok_or_else(|| Builder::error(pos, format!("`{text}` is not a valid `!!{core}` value")));
        }
    }
    if style != ScalarStyle::Plain {
        return Ok(Node::Str(text.to_owned(), pos));
    }
    Ok(if plain_null(text) {
        Node::Null(pos)
    } else if let Some(b) = plain_bool(text) {
        Node::Bool(b, pos)
    } else if let Some(n) = plain_int(text) {
        n.into_node(pos)
    } else if let Some(f) = plain_float(text) {
        Node::Float(f, pos)
    } else {
        Node::Str(text.to_owned(), pos)
    })
}

fn plain_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn plain_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A core-schema integer: fits `i64`, or is too big and kept as a float.
#[derive(Clone, Copy)]
enum Number {
    Small(i64),
    Big(f64),
}

impl Number {
    fn into_node(self, pos: Pos) -> Node {
        match self {
            Number::Small(i) => Node::Int(i, pos),
            Number::Big(f) => Node::Float(f, pos),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            // Precision loss past 2^53 is acceptable for a float-tagged value.
            #[allow(clippy::cast_precision_loss)]
            Number::Small(i) => i as f64,
            Number::Big(f) => f,
        }
    }
}

/// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
fn plain_int(text: &str) -> Option<Number> {
    let (negative, digits, radix) = if let Some(octal) = text.strip_prefix("0o") {
        (false, octal, 8)
    } else if let Some(hex) = text.strip_prefix("0x") {
        (false, hex, 16)
    } else if let Some(rest) = text.strip_prefix('-') {
        (true, rest, 10)
    } else {
        (false, text.strip_prefix('+').unwrap_or(text), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = match u128::from_str_radix(digits, radix) {
        Ok(m) => m,
        // Longer than u128: only decimals get here; let the float parser take it.
        Err(_) => return text.parse::<f64>().ok().map(Number::Big),
    };
    let signed = if negative { 0i128.checked_sub_unsigned(magnitude) } else { i128::try_from(magnitude).ok() };
    match signed.and_then(|s| i64::try_from(s).ok()) {
        Some(small) => Some(Number::Small(small)),
        #[allow(clippy::cast_precision_loss)]
        None => {
            let big = magnitude as f64;
            Some(Number::Big(if negative { -big } else { big }))
        }
    }
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf` or `.nan`.
fn plain_float(text: &str) -> Option<f64> {
    match text {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(f) => all_digits(whole) && all_digits(f) && !(whole.is_empty() && f.is_empty()),
        None => !whole.is_empty() && all_digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    if mantissa_ok && exponent_ok {
        text.parse::<f64>().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(node: &Node) -> &[(KeyNode, Node)] {
        match node {
            Node::Map(entries, _) => entries,
            other => panic!("expected a mapping, got {other:?}"),
        }
    }

    #[test]
    fn plain_scalars_resolve_with_the_core_schema_and_quoted_ones_stay_strings() {
        let doc = parse("a: ~\nb: True\nc: -12\nd: 0x1F\ne: 1.5e3\nf: .inf\ng: '12'\nh: yes\ni:\n").unwrap();
        let values: Vec<&Node> = map(&doc).iter().map(|(_, v)| v).collect();
        assert!(matches!(values[0], Node::Null(_)));
        assert!(matches!(values[1], Node::Bool(true, _)));
        assert!(matches!(values[2], Node::Int(-12, _)));
        assert!(matches!(values[3], Node::Int(31, _)));
        assert!(matches!(values[4], Node::Float(f, _) if (*f - 1500.0).abs() < 1e-9));
        assert!(matches!(values[5], Node::Float(f, _) if f.is_infinite()));
        assert!(matches!(values[6], Node::Str(s, _) if s == "12"));
        assert!(matches!(values[7], Node::Str(s, _) if s == "yes"));
        assert!(matches!(values[8], Node::Null(_)));
    }

    #[test]
    fn integers_too_large_for_i64_become_floats() {
        let doc = parse("- 18446744073709551615\n- -9223372036854775808\n").unwrap();
        let Node::Seq(items, _) = doc else { panic!() };
        assert!(matches!(items[0], Node::Float(f, _) if f > 1.8e19));
        assert!(matches!(items[1], Node::Int(i64::MIN, _)));
    }

    #[test]
    fn positions_are_one_based_and_carry_byte_spans() {
        let text = "name: x\nlist:\n  - é: \"q\"\n";
        let doc = parse(text).unwrap();
        let entries = map(&doc);
        assert_eq!(entries[1].0.pos.line, 2);
        let Node::Seq(items, seq_pos) = &entries[1].1 else { panic!() };
        assert_eq!((seq_pos.line, seq_pos.column), (3, 3));
        let inner = map(&items[0]);
        assert_eq!((inner[0].0.pos.line, inner[0].0.pos.column), (3, 5));
        let value = inner[0].1.pos();
        assert_eq!((value.line, value.column), (3, 8));
        assert_eq!(&text[value.offset..value.offset + value.len], "\"q\"");
        assert_eq!(doc.pos().offset, 0);
    }

    #[test]
    fn aliases_expand_and_their_root_takes_the_alias_position() {
        let doc = parse("base: &b {x: 1}\ncopy: *b\n").unwrap();
        let entries = map(&doc);
        assert_eq!(entries[1].1.pos().line, 2);
        let inner = map(&entries[1].1);
        assert_eq!(inner[0].0.pos.line, 1);
    }

    #[test]
    fn merge_keys_expand_with_written_keys_winning() {
        let doc = parse("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n").unwrap();
        let thing = map(&map(&doc)[1].1);
        let names: Vec<&str> = thing.iter().map(|(k, _)| k.name.as_str()).collect();
        assert_eq!(names, ["x", "y"]);
        assert!(matches!(thing[1].1, Node::Int(3, _)));
    }

    #[test]
    fn an_alias_bomb_is_an_error_not_an_allocation() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = level - 1;
            text.push_str(&format!("a{level}: &a{level} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("nodes"), "{error}");
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let error = parse("a: 1\nb: \"open\n").unwrap_err();
        assert_eq!(error.pos.line, 2);
        assert!(!error.message.contains("line"), "{}", error.message);
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_an_error() {
        let error = parse("a: &x [1, *x]\n").unwrap_err();
        assert!(error.message.contains("contains it"), "{error}");
        assert_eq!((error.pos.line, error.pos.column), (1, 11));
    }

    #[test]
    fn a_second_document_is_rejected() {
        let error = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(error.pos.line, 2);
    }

    #[test]
    fn a_stream_yields_one_tree_per_document_with_file_positions() {
        let docs = parse_stream("# lead\n---\na: 1\n---\n---\n# only a comment\n---\nb: &x 2\nc: *x\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(map(&docs[0])[0].0.pos.line, 3);
        assert_eq!(map(&docs[1])[1].0.pos.line, 9);
        let error = parse_stream("a: 1\n---\nb: [\n").unwrap_err();
        assert!(error.pos.line >= 3, "{error}");
        let error = parse_stream("a: &x 1\n---\nb: *x\n").unwrap_err();
        assert!(error.message.contains("unknown anchor"), "{error}");
    }

    #[test]
    fn an_empty_text_is_null() {
        assert!(matches!(parse("# nothing\n").unwrap(), Node::Null(_)));
    }
}
