//! `faultline watch`: re-run `check` whenever a workspace file is saved, the way
//! rustlings keeps feedback one save away.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use super::{workspace_root, Ctx, Failure};
use crate::cli::Exit;

pub fn run(ctx: &Ctx, dir: Option<&Path>) -> Result<Exit, Failure> {
    let root = workspace_root(dir)?;
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            let _ = tx.send(ev);
        }
    })
    .map_err(|e| Failure::new(Exit::Environment, format!("cannot watch files: {e}")))?;
    watcher
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| Failure::new(Exit::Environment, format!("cannot watch {}: {e}", root.display())))?;
    let relevant = |ev: &notify::Event| {
        matches!(ev.kind, notify::EventKind::Create(_) | notify::EventKind::Modify(_) | notify::EventKind::Remove(_))
            && ev.paths.iter().any(|p| {
                let rel = p.strip_prefix(&root).unwrap_or(p);
                !rel.starts_with(".git") && !rel.components().any(|c| c.as_os_str() == ".terraform")
            })
    };
    loop {
        print!("\x1b[2J\x1b[H");
        if let Err(f) = super::session::check(ctx, Some(&root), true, true) {
            eprintln!("error: {}", f.report);
        }
        eprintln!("\nWatching {} — save a file to re-check, Ctrl-C to stop.", root.display());
        // Wait for a relevant change, then let a burst of saves settle.
        loop {
            match rx.recv() {
                Ok(ev) if relevant(&ev) => break,
                Ok(_) => continue,
                Err(_) => return Ok(Exit::Ok),
            }
        }
        std::thread::sleep(Duration::from_millis(250));
        while rx.try_recv().is_ok() {}
    }
}
