//! A thin wrapper over the `git` command line. Faultline shells out to git rather
//! than linking a git library: the candidate uses the same git, the repository is
//! exactly what `git` itself writes, and a missing git is reported plainly.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::WorkspaceError;

/// Runs git in one repository with a fixed identity and no user or system config,
/// so fixture repositories come out the same on every machine.
pub struct Git {
    pub dir: PathBuf,
}

/// Author or committer identity with a timestamp (seconds since the epoch).
pub struct Identity<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub when: i64,
}

impl Git {
    pub fn new(dir: &Path) -> Self {
        Git { dir: dir.to_path_buf() }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(program());
        c.current_dir(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", "-c", "init.defaultBranch=main"]);
        c
    }

    /// Run git with arguments; stdout on success.
    pub fn run(&self, args: &[&str]) -> Result<String, WorkspaceError> {
        self.run_with(args, None, None)
    }

    /// Run git with author and committer set.
    pub fn run_with(
        &self,
        args: &[&str],
        author: Option<&Identity>,
        committer: Option<&Identity>,
    ) -> Result<String, WorkspaceError> {
        let mut c = self.command();
        c.args(args);
        if let Some(a) = author {
            c.env("GIT_AUTHOR_NAME", a.name)
                .env("GIT_AUTHOR_EMAIL", a.email)
                .env("GIT_AUTHOR_DATE", format!("@{} +0000", a.when));
        }
        if let Some(a) = committer.or(author) {
            c.env("GIT_COMMITTER_NAME", a.name)
                .env("GIT_COMMITTER_EMAIL", a.email)
                .env("GIT_COMMITTER_DATE", format!("@{} +0000", a.when));
        }
        let out = c.output().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                WorkspaceError::GitMissing
            } else {
                WorkspaceError::Io { path: self.dir.clone(), message: format!("running git: {e}") }
            }
        })?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
        } else {
            Err(WorkspaceError::Git {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    }
}

/// The git program: `FAULTLINE_GIT` or `git` on PATH.
pub fn program() -> String {
    std::env::var("FAULTLINE_GIT").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| "git".to_string())
}

/// `git --version`, or why git cannot be used.
pub fn version() -> Result<String, WorkspaceError> {
    Git::new(&std::env::temp_dir()).run(&["--version"])
}

/// Split `Name <email>`.
pub fn parse_identity(s: &str) -> (String, String) {
    match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => (s[..a].trim().to_string(), s[a + 1..b].trim().to_string()),
        _ => (s.trim().to_string(), "dev@example.com".to_string()),
    }
}
