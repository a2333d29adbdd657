//! File, regex and YAML-path assertions.

use super::{expect, line_of, CheckContext, Outcome};
use crate::model::check::PathExpect;
use crate::model::snapshot::join;
use crate::model::Evidence;

pub(super) fn exists(ctx: &CheckContext, mount: &str, path: &str, want: bool) -> Outcome {
    let full = join(mount, path);
    let present = ctx.candidate.contains(&full);
    let note = if present { format!("{full} exists") } else { format!("{full} does not exist") };
    Outcome::from_bool(present == want, vec![Evidence::note(note)])
}

pub(super) fn regex(ctx: &CheckContext, mount: &str, path: &str, pattern: &str, expect_match: bool) -> Outcome {
    let full = join(mount, path);
    let Some(text) = ctx.candidate.get(&full) else {
        return Outcome::fail(vec![Evidence::note(format!("{full} does not exist"))]);
    };
    let re = match regex::RegexBuilder::new(pattern).multi_line(true).build() {
        Ok(r) => r,
        Err(e) => return Outcome::error(format!("the check's regex is invalid: {e}"), Vec::new()),
    };
    match re.find(text) {
        Some(m) => {
            let line = text[..m.start()].matches('\n').count() + 1;
            Outcome::from_bool(expect_match, vec![Evidence::at(&full, line, line_of(text, line))])
        }
        None => Outcome::from_bool(!expect_match, vec![Evidence::note(format!("/{pattern}/ does not match {full}"))]),
    }
}

pub(super) fn yaml_path(ctx: &CheckContext, mount: &str, path: &str, query: &str, want: &PathExpect) -> Outcome {
    let full = join(mount, path);
    let Some(text) = ctx.candidate.get(&full) else {
        return Outcome::fail(vec![Evidence::note(format!("{full} does not exist"))]);
    };
    let docs: Vec<serde_json::Value> = match serde_saphyr::from_multiple(text) {
        Ok(d) => d,
        Err(e) => {
            let (line, col) = e.location().map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
            let msg = e.to_string().lines().next().unwrap_or("invalid YAML").to_string();
            return Outcome::fail(vec![Evidence::at(
                &full,
                line,
                format!("not valid YAML ({full}:{line}:{col}): {msg}"),
            )]);
        }
    };
    // With several documents the first segment picks the document.
    let (doc, rest) = if docs.len() > 1 {
        let (first, rest) = query.split_once('.').unwrap_or((query, ""));
        (first.parse::<usize>().ok().and_then(|i| docs.get(i)), rest)
    } else {
        (docs.first(), query)
    };
    let found = doc.and_then(|d| expect::walk(d, rest));
    let evidence = vec![Evidence::note(match found {
        Some(v) => format!("{full}: {query} = {v}"),
        None => format!("{full}: {query} is not set"),
    })];
    match expect::satisfied(found, want) {
        Ok(()) => Outcome::pass(evidence),
        Err(why) => {
            let mut o = Outcome::fail(evidence);
            o.message = why;
            o
        }
    }
}
