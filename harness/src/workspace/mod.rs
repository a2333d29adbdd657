//! Workspaces: real git repositories a candidate works in.
//!
//! `main` holds the good base; a branch holds the injected change as one or more
//! commits that read like a colleague's pull request; the working copy is checked
//! out on that branch. What the harness needs to remember (exercise, seed, session)
//! sits in `.git/faultline/session.json`, signed with a key from the user's data
//! folder so that editing it is detected. Checks, hidden checks and solutions are
//! never written into the workspace.

pub mod git;

use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::inject::Materialized;
use crate::model::Snapshot;
use git::{parse_identity, Git, Identity};

/// Problems creating or reading a workspace.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("git is not installed or not on PATH; Faultline needs it to build and read workspaces (set FAULTLINE_GIT to its path)")]
    GitMissing,
    #[error("git {args} failed: {stderr}")]
    Git { args: String, stderr: String },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path} already exists and is not empty; choose another --dir")]
    NotEmpty { path: PathBuf },
    #[error("{path} is not a Faultline workspace (no .git/faultline/session.json here or above); start one with `faultline start`")]
    NotAWorkspace { path: PathBuf },
    #[error("{path}: the workspace's session file was edited or comes from another installation (signature mismatch)")]
    Tampered { path: PathBuf },
    #[error("this workspace was made for exercise `{found}`, not `{expected}`")]
    WrongExercise { expected: String, found: String },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> WorkspaceError + '_ {
    move |e| WorkspaceError::Io { path: path.to_path_buf(), message: e.to_string() }
}

/// What a workspace remembers about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub session: String,
    pub exercise: String,
    pub candidate: String,
    pub seed: u64,
    /// RFC 3339.
    pub started_at: String,
    pub branch: String,
    /// Commit the candidate started from (tip of the injected branch).
    pub start_commit: String,
    /// HMAC-SHA256 over the fields above, hex.
    #[serde(default)]
    pub signature: String,
    /// The live cluster and namespace of the session, when it has one (signed too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterRecord>,
}

/// Where a live session runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRecord {
    pub access: crate::cluster::ClusterAccess,
    pub namespace: String,
    /// Roles and bindings at the start, for `k8s-rbac-unchanged`.
    #[serde(default)]
    pub rbac: crate::cluster::RbacBaseline,
}

impl Marker {
    /// When the session started, if the recorded time reads.
    pub fn started(&self) -> Option<time::OffsetDateTime> {
        time::OffsetDateTime::parse(&self.started_at, &time::format_description::well_known::Rfc3339).ok()
    }

    fn payload(&self) -> String {
        let mut p = format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.session, self.exercise, self.candidate, self.seed, self.started_at, self.branch, self.start_commit
        );
        if let Some(c) = &self.cluster {
            p.push('\n');
            p.push_str(&serde_json::to_string(c).unwrap_or_default());
        }
        p
    }

    fn sign(&mut self, key: &[u8]) {
        self.signature = mac(key, &self.payload());
    }

    fn verify(&self, key: &[u8]) -> bool {
        let Ok(sig) = hex::decode(&self.signature) else { return false };
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else { return false };
        m.update(self.payload().as_bytes());
        m.verify_slice(&sig).is_ok()
    }
}

fn mac(key: &[u8], payload: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(payload.as_bytes());
            hex::encode(m.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The per-installation signing key (`<data dir>/workspace.key`), created on first use.
pub fn signing_key(data_dir: &Path) -> Result<Vec<u8>, WorkspaceError> {
    let path = data_dir.join("workspace.key");
    if let Ok(text) = fs_err::read_to_string(&path) {
        if let Ok(k) = hex::decode(text.trim()) {
            if k.len() >= 16 {
                return Ok(k);
            }
        }
    }
    fs_err::create_dir_all(data_dir).map_err(io(data_dir))?;
    let key: [u8; 32] = rand::random();
    fs_err::write(&path, hex::encode(key)).map_err(io(&path))?;
    Ok(key.to_vec())
}

const MARKER: &str = ".git/faultline/session.json";

/// Identity for the base commit.
const BASE_AUTHOR: &str = "Platform Team <platform-team@example.com>";

/// Session details stored in a new workspace.
pub struct NewWorkspace<'a> {
    pub session: &'a str,
    pub candidate: &'a str,
    pub started_at: time::OffsetDateTime,
}

/// Make the files under `root` match `tree`: write what differs from `previous`
/// and delete what `previous` had and `tree` lacks (`.git` is never touched).
pub fn write_snapshot(root: &Path, tree: &Snapshot, previous: Option<&Snapshot>) -> Result<(), WorkspaceError> {
    if let Some(prev) = previous {
        for p in prev.paths() {
            if !tree.contains(p) {
                let path = root.join(p);
                fs_err::remove_file(&path).map_err(io(&path))?;
            }
        }
    }
    for (p, text) in tree.iter() {
        if previous.and_then(|s| s.get(p)) == Some(text) {
            continue;
        }
        let path = root.join(p);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).map_err(io(parent))?;
        }
        fs_err::write(&path, text).map_err(io(&path))?;
    }
    Ok(())
}

/// Build the repository for a materialized exercise in `dir` (created if needed;
/// must be empty) and return its marker.
pub fn create(dir: &Path, m: &Materialized, new: &NewWorkspace, key: &[u8]) -> Result<Marker, WorkspaceError> {
    if dir.exists() {
        let mut entries = fs_err::read_dir(dir).map_err(io(dir))?;
        if entries.next().is_some() {
            return Err(WorkspaceError::NotEmpty { path: dir.to_path_buf() });
        }
    }
    fs_err::create_dir_all(dir).map_err(io(dir))?;
    let git = Git::new(dir);
    git.run(&["init", "-q", "-b", "main"])?;

    // History reads as real work: the base a few days ago, the PR in the last hours.
    let now = new.started_at.unix_timestamp();
    let mut when = now - 3 * 24 * 3600;
    let (bn, be) = parse_identity(BASE_AUTHOR);
    write_snapshot(dir, &m.base, None)?;
    git.run(&["add", "-A"])?;
    git.run_with(
        &["commit", "-q", "-m", "Initial import of the service's infrastructure"],
        Some(&Identity { name: &bn, email: &be, when }),
        None,
    )?;
    git.run(&["checkout", "-q", "-b", &m.branch])?;
    when = now - 3600 * (m.commits.len() as i64 + 1);
    let mut prev = m.base.clone();
    for c in &m.commits {
        write_snapshot(dir, &c.tree, Some(&prev))?;
        git.run(&["add", "-A"])?;
        let (n, e) = parse_identity(&c.author);
        git.run_with(
            &["commit", "-q", "--allow-empty", "-m", c.message.trim()],
            Some(&Identity { name: &n, email: &e, when }),
            None,
        )?;
        when += 3600;
        prev = c.tree.clone();
    }
    let start_commit = git.run(&["rev-parse", "HEAD"])?;
    let mut marker = Marker {
        session: new.session.to_string(),
        exercise: m.exercise.clone(),
        candidate: new.candidate.to_string(),
        seed: m.seed,
        started_at: new.started_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        branch: m.branch.clone(),
        start_commit,
        signature: String::new(),
        cluster: None,
    };
    marker.sign(key);
    write_marker(dir, &marker)?;
    Ok(marker)
}

fn write_marker(root: &Path, marker: &Marker) -> Result<(), WorkspaceError> {
    let path = root.join(MARKER);
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(io(parent))?;
    }
    let text = serde_json::to_string_pretty(marker).unwrap_or_default();
    fs_err::write(&path, text).map_err(io(&path))
}

/// The workspace root at or above `start`.
pub fn find_root(start: &Path) -> Result<PathBuf, WorkspaceError> {
    let start = start.canonicalize().map_err(io(start))?;
    let mut cur = Some(start.as_path());
    while let Some(dir) = cur {
        if dir.join(MARKER).is_file() {
            return Ok(dir.to_path_buf());
        }
        cur = dir.parent();
    }
    Err(WorkspaceError::NotAWorkspace { path: start })
}

/// Read and verify a workspace's marker. `key: None` skips the signature check
/// (an interviewer grading a workspace made on another machine).
pub fn read_marker(root: &Path, key: Option<&[u8]>) -> Result<Marker, WorkspaceError> {
    let path = root.join(MARKER);
    let text = fs_err::read_to_string(&path).map_err(|_| WorkspaceError::NotAWorkspace { path: root.to_path_buf() })?;
    let marker: Marker = serde_json::from_str(&text).map_err(|_| WorkspaceError::Tampered { path: path.clone() })?;
    if let Some(k) = key {
        if !marker.verify(k) {
            return Err(WorkspaceError::Tampered { path });
        }
    }
    Ok(marker)
}

/// Files skipped while reading a workspace, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Largest file read into a snapshot.
pub const MAX_FILE: u64 = 1024 * 1024;

/// Read the workspace's text files (not `.git`). Symlinks are never followed, so a
/// link pointing outside the workspace cannot pull other files into a grade.
pub fn snapshot(root: &Path) -> Result<(Snapshot, Vec<Skipped>), WorkspaceError> {
    let mut snap = Snapshot::new();
    let mut skipped = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs_err::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if rel == ".git" || rel == LIVE_DIR || rel.starts_with(".terraform") || rel.ends_with("/.terraform") {
                continue;
            }
            let ft = entry.file_type().map_err(io(&path))?;
            if ft.is_symlink() {
                skipped.push(Skipped { path: rel, reason: "symbolic link (not followed)".into() });
            } else if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                if len > MAX_FILE {
                    skipped.push(Skipped { path: rel, reason: format!("larger than {} KiB", MAX_FILE / 1024) });
                    continue;
                }
                let bytes = fs_err::read(&path).map_err(io(&path))?;
                match String::from_utf8(bytes) {
                    Ok(text) => snap.insert(rel, text),
                    Err(_) => skipped.push(Skipped { path: rel, reason: "not UTF-8 text".into() }),
                }
            }
        }
    }
    Ok((snap, skipped))
}

/// Folder (git-ignored, never graded) holding what a live session hands the
/// candidate, such as the namespace's kubeconfig.
pub const LIVE_DIR: &str = ".faultline";

/// Record a live session in a workspace: write the captured `SYMPTOMS.md` (as a
/// commit on the branch, which becomes the start), the candidate's kubeconfig under
/// [`LIVE_DIR`] (git-ignored), and the cluster in the signed marker.
pub fn record_live(
    root: &Path,
    key: &[u8],
    record: ClusterRecord,
    symptoms: Option<&str>,
    kubeconfig: &str,
    now: time::OffsetDateTime,
) -> Result<Marker, WorkspaceError> {
    let mut marker = read_marker(root, Some(key))?;
    let git = Git::new(root);
    if let Some(text) = symptoms {
        let path = root.join(crate::inject::SYMPTOMS_FILE);
        fs_err::write(&path, text).map_err(io(&path))?;
        git.run(&["add", "-A"])?;
        if !git.run(&["status", "--porcelain"])?.is_empty() {
            git.run_with(
                &["commit", "-q", "-m", "Update SYMPTOMS.md with what the live cluster shows"],
                Some(&Identity { name: "Faultline", email: "faultline@localhost", when: now.unix_timestamp() }),
                None,
            )?;
        }
        marker.start_commit = git.run(&["rev-parse", "HEAD"])?;
    }
    let dir = root.join(LIVE_DIR);
    fs_err::create_dir_all(&dir).map_err(io(&dir))?;
    let kc = dir.join("kubeconfig");
    fs_err::write(&kc, kubeconfig).map_err(io(&kc))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(&kc, std::fs::Permissions::from_mode(0o600)).map_err(io(&kc))?;
    }
    let exclude = root.join(".git/info/exclude");
    let mut ex = fs_err::read_to_string(&exclude).unwrap_or_default();
    if !ex.lines().any(|l| l.trim() == format!("/{LIVE_DIR}/")) {
        if !ex.is_empty() && !ex.ends_with('\n') {
            ex.push('\n');
        }
        ex.push_str(&format!("/{LIVE_DIR}/\n"));
        if let Some(parent) = exclude.parent() {
            fs_err::create_dir_all(parent).map_err(io(parent))?;
        }
        fs_err::write(&exclude, ex).map_err(io(&exclude))?;
    }
    marker.cluster = Some(record);
    marker.sign(key);
    write_marker(root, &marker)?;
    Ok(marker)
}

/// Put the workspace back to the broken start. Current work (committed or not) is
/// kept first on a backup branch, so nothing is lost; returns that branch's name.
pub fn reset(root: &Path, marker: &Marker, now: time::OffsetDateTime) -> Result<String, WorkspaceError> {
    let git = Git::new(root);
    let backup = format!("faultline/backup-{}", now.unix_timestamp());
    git.run(&["checkout", "-q", "-B", &backup])?;
    git.run(&["add", "-A"])?;
    let (n, e) = ("Faultline", "faultline@localhost");
    // Commit only when there is something to keep.
    if !git.run(&["status", "--porcelain"])?.is_empty() {
        git.run_with(
            &["commit", "-q", "-m", "Work saved by faultline reset"],
            Some(&Identity { name: n, email: e, when: now.unix_timestamp() }),
            None,
        )?;
    }
    git.run(&["checkout", "-q", "-f", &marker.branch])?;
    git.run(&["reset", "-q", "--hard", &marker.start_commit])?;
    git.run(&["clean", "-q", "-fd"])?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_marker_verifies_and_any_edit_breaks_it() {
        let key = b"0123456789abcdef0123456789abcdef";
        let mut m = Marker {
            session: "s1".into(),
            exercise: "terraform-review".into(),
            candidate: "ada".into(),
            seed: 7,
            started_at: "2026-11-27T10:00:00Z".into(),
            branch: "feature/x".into(),
            start_commit: "abc".into(),
            signature: String::new(),
            cluster: None,
        };
        m.sign(key);
        assert!(m.verify(key));
        let mut edited = m.clone();
        edited.seed = 8;
        assert!(!edited.verify(key));
        assert!(!m.verify(b"another key of sixteen+ bytes!!"));
    }
}
