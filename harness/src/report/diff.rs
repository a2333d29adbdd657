//! Unified diffs between two snapshots, rendered with `similar` into a string.

use crate::model::Snapshot;

/// The unified diff from `old` to `new`, file by file (empty when identical).
pub fn snapshots(old: &Snapshot, new: &Snapshot, context: usize) -> String {
    let mut paths: Vec<&str> = old.paths().chain(new.paths()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut out = String::new();
    for p in paths {
        let (a, b) = (old.get(p), new.get(p));
        if a == b {
            continue;
        }
        let (from, to) = (
            if a.is_some() { format!("a/{p}") } else { "/dev/null".to_string() },
            if b.is_some() { format!("b/{p}") } else { "/dev/null".to_string() },
        );
        let diff = similar::TextDiff::from_lines(a.unwrap_or(""), b.unwrap_or(""));
        out.push_str(&diff.unified_diff().context_radius(context).header(&from, &to).to_string());
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Colour a unified diff for a terminal.
pub fn colorize(diff: &str, style: super::Style) -> String {
    diff.lines()
        .map(|l| {
            if l.starts_with("+++") || l.starts_with("---") {
                style.bold(l)
            } else if l.starts_with('+') {
                style.green(l)
            } else if l.starts_with('-') {
                style.red(l)
            } else if l.starts_with("@@") {
                style.dim(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if diff.is_empty() { "" } else { "\n" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_changed_added_and_removed_files() {
        let mut a = Snapshot::new();
        a.insert("main.tf", "a = 1\nb = 2\n");
        a.insert("gone.tf", "x\n");
        let mut b = Snapshot::new();
        b.insert("main.tf", "a = 1\nb = 3\n");
        b.insert("new.tf", "y\n");
        let d = snapshots(&a, &b, 3);
        assert!(d.contains("--- a/gone.tf\n+++ /dev/null"), "{d}");
        assert!(d.contains("-b = 2\n+b = 3"), "{d}");
        assert!(d.contains("+++ b/new.tf"), "{d}");
        assert_eq!(snapshots(&a, &a, 3), "");
    }
}
