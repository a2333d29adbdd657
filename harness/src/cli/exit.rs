//! Exit codes, named, with one mapping from outcomes and errors.

/// What a `faultline` process exit code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; for grading commands, the result passed.
    Ok = 0,
    /// Checks failed, the result did not pass, or verify found a miss.
    ChecksFailed = 1,
    /// Bad content or bad input (content YAML, arguments, workspace for another exercise).
    BadInput = 2,
    /// Something the machine must provide is missing (git, a writable data folder).
    Environment = 3,
    /// Anything else: an unexpected I/O or store failure.
    Internal = 4,
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it); what was half-made
    /// (containers, namespaces) was removed first.
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}
