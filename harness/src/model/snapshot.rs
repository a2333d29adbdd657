//! A snapshot of a workspace's text files, keyed by their path relative to the
//! workspace root (always with `/` separators). Checks and rules run over snapshots,
//! never over the live filesystem, so grading is deterministic and cheap to test.

use std::collections::BTreeMap;

/// Relative path → file contents. Binary or unreadable files are not included.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Snapshot {
    files: BTreeMap<String, String>,
}

impl Snapshot {
    /// An empty snapshot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert or replace a file.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        self.files.insert(normalize(&path.into()), contents.into());
    }

    /// Remove a file, returning its contents if it existed.
    pub fn remove(&mut self, path: &str) -> Option<String> {
        self.files.remove(&normalize(path))
    }

    /// Contents of a file.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(&normalize(path)).map(String::as_str)
    }

    /// Whether a file exists.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(&normalize(path))
    }

    /// All files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Files whose path ends with `suffix` (e.g. `.tf`), in path order.
    pub fn with_suffix<'a>(&'a self, suffix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.iter().filter(move |(p, _)| p.ends_with(suffix))
    }

    /// Files under a directory prefix (`""` or `"."` means all).
    pub fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        let dir = dir.trim_matches('/');
        let dir = if dir == "." { "" } else { dir };
        self.iter()
            .filter(move |(p, _)| dir.is_empty() || p.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/')))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Paths in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

impl FromIterator<(String, String)> for Snapshot {
    fn from_iter<T: IntoIterator<Item = (String, String)>>(iter: T) -> Self {
        let mut s = Snapshot::new();
        for (k, v) in iter {
            s.insert(k, v);
        }
        s
    }
}

/// Join a directory and a relative path the way snapshots key files.
pub fn join(dir: &str, path: &str) -> String {
    if let Some(abs) = path.strip_prefix('/') {
        return normalize(abs);
    }
    let dir = dir.trim_matches('/');
    if dir.is_empty() || dir == "." {
        normalize(path)
    } else {
        normalize(&format!("{dir}/{path}"))
    }
}

fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_and_joined_under_a_mount() {
        assert_eq!(join("infra", "./main.tf"), "infra/main.tf");
        assert_eq!(join(".", "a/../b.tf"), "b.tf");
        assert_eq!(join("infra", "/REVIEW.md"), "REVIEW.md");
        let mut s = Snapshot::new();
        s.insert("infra/main.tf", "x");
        s.insert("infrastructure/x.tf", "y");
        assert_eq!(s.under("infra").count(), 1);
        assert_eq!(s.under(".").count(), 2);
    }
}
