//! PLACEHOLDER
use std::path::{Path, PathBuf};
use std::time::Duration;
pub struct Terraform {
    pub binary: PathBuf,
    pub version: String,
    pub plugin_dir: Option<PathBuf>,
}
pub fn discover() -> Result<Terraform, String> {
    Err("placeholder".into())
}
pub struct PlanChange {
    pub address: String,
    pub actions: Vec<String>,
}
pub struct PlanVerdict {
    pub changes: Vec<PlanChange>,
    pub log: String,
}
#[derive(Debug)]
pub enum PlanError {
    NoProviders { reason: String },
    Tool { step: String, output: String },
    Invalid { output: String },
    Timeout { step: String },
    Io(std::io::Error),
}
pub fn plan_against_base(_tf: &Terraform, _b: &Path, _c: &Path, _t: Duration) -> Result<PlanVerdict, PlanError> {
    Err(PlanError::NoProviders { reason: "placeholder".into() })
}
