//! Secret detection on the candidate's own changes: lines they added relative to
//! the state they started from. A credential committed by the candidate is a red
//! flag; one planted by the scenario is judged by the scenario's other checks.

use std::collections::BTreeSet;

use super::{CheckContext, Outcome};
use crate::model::Evidence;

/// 1-based numbers of lines in `new` that are not in `old` (a line diff).
pub(crate) fn added_lines(old: &str, new: &str) -> BTreeSet<usize> {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut added = BTreeSet::new();
    for change in diff.iter_all_changes() {
        if change.tag() == similar::ChangeTag::Insert {
            if let Some(i) = change.new_index() {
                added.insert(i + 1);
            }
        }
    }
    added
}

pub(super) fn no_secrets_in_diff(ctx: &CheckContext, mount: &str) -> Outcome {
    let mut evidence = Vec::new();
    for (path, text) in ctx.candidate.under(mount) {
        let before = ctx.broken.get(path).unwrap_or("");
        if before == text {
            continue;
        }
        let added = added_lines(before, text);
        for hit in crate::rules::secrets::scan(text) {
            if added.contains(&hit.line) {
                evidence.push(Evidence::at(path, hit.line, format!("[{}] {}", hit.rule, hit.snippet)));
            }
        }
    }
    if evidence.is_empty() {
        Outcome::pass(vec![Evidence::note("no credential-like strings in the lines you added")])
    } else {
        Outcome::fail(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_are_numbered_in_the_new_text() {
        let added = added_lines("a\nb\nc\n", "a\nx\nb\nc\ny\n");
        assert_eq!(added.into_iter().collect::<Vec<_>>(), vec![2, 5]);
    }
}
