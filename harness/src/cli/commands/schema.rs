//! `faultline schema [--check]`: write or compare the content JSON schemas.

use std::path::PathBuf;

use super::{Ctx, Failure};
use crate::catalog::{schema, ContentSource};
use crate::cli::Exit;

pub fn run(ctx: &Ctx, check: bool, out: Option<PathBuf>) -> Result<Exit, Failure> {
    let root = match (out, &ctx.content) {
        (Some(o), _) => o,
        (None, ContentSource::Dir(d)) => d.clone(),
        (None, ContentSource::Embedded) => PathBuf::from("."),
    };
    let mut stale = Vec::new();
    for (rel, value) in schema::all() {
        let path = root.join(rel);
        let want = schema::render(&value);
        if check {
            let have = fs_err::read_to_string(&path).unwrap_or_default();
            if have != want {
                stale.push(path.display().to_string());
            }
        } else {
            if let Some(parent) = path.parent() {
                fs_err::create_dir_all(parent).map_err(|e| Failure::new(Exit::Environment, e.to_string()))?;
            }
            fs_err::write(&path, want).map_err(|e| Failure::new(Exit::Environment, e.to_string()))?;
            println!("wrote {}", path.display());
        }
    }
    if stale.is_empty() {
        if check {
            println!("schemas are up to date");
        }
        Ok(Exit::Ok)
    } else {
        for s in &stale {
            eprintln!("stale: {s}");
        }
        eprintln!("run `cargo run -p faultline -- schema` to regenerate");
        Ok(Exit::ChecksFailed)
    }
}
