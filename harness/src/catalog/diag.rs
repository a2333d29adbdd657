//! Content diagnostics: every problem in a content file, with file, line and column,
//! rendered by miette with the offending line underlined.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

/// One problem in one content file.
#[derive(Debug, Clone)]
pub struct ContentDiagnostic {
    /// Path as shown to the user (relative to the content root, or `<embedded>/…`).
    pub file: String,
    /// 1-based; 0 when unknown.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    source: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl ContentDiagnostic {
    /// A problem at a position of a file whose text we have.
    pub fn at(file: &str, text: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        let span = offset_of(text, line, column).map(|o| SourceSpan::new(o.into(), token_len(text, o)));
        ContentDiagnostic {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            help: None,
            source: Some(NamedSource::new(file, text.to_string())),
            span,
        }
    }

    /// A problem with a whole file (missing, unreadable).
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        ContentDiagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            source: None,
            span: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col` (or just `file`).
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

impl fmt::Display for ContentDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

impl std::error::Error for ContentDiagnostic {}

impl Diagnostic for ContentDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("faultline::content"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some("here".into()), span))))
    }
}

/// All problems found while loading content.
#[derive(Debug, Clone, Default)]
pub struct ContentErrors {
    pub problems: Vec<ContentDiagnostic>,
}

impl ContentErrors {
    pub fn push(&mut self, d: ContentDiagnostic) {
        self.problems.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }
    pub fn extend(&mut self, other: ContentErrors) {
        self.problems.extend(other.problems);
    }
}

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "content has {n} problem{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for ContentErrors {}

impl Diagnostic for ContentErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("faultline::content"))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.problems.iter().map(|p| p as &dyn Diagnostic)))
    }
}

/// Byte offset of a 1-based line and (character) column.
pub fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1);
            let within: usize = l.chars().take(col).map(char::len_utf8).sum();
            return Some(offset + within.min(l.len()));
        }
        offset += l.len();
    }
    None
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn token_len(text: &str, offset: usize) -> usize {
    text[offset..]
        .find(['\n', ',', '}', ']'])
        .unwrap_or(text.len() - offset)
        .max(1)
        .min(text.len().saturating_sub(offset).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_positions_round_trip() {
        let t = "a: 1\nbé: 2\nc: 3\n";
        let o = offset_of(t, 2, 5).unwrap();
        assert_eq!(&t[o..o + 1], "2");
        assert_eq!(line_col(t, o), (2, 5));
        assert_eq!(offset_of(t, 9, 1), None);
    }
}
