//! Where a strategy comes from and how a command-line argument names one:
//! an existing file, else a built-in preset. Also the error every headless
//! command reports, which maps to an exit code.
//!
//! These sit here rather than in `cli` because the dashboard, the saves
//! folder and the speaker notes all need them, and none of those may import
//! the command line.

use super::file::{self, LoadError};
use super::presets;
use crate::sim::Scenario;
use std::path::{Path, PathBuf};

/// A failure that maps to an exit code: 1 for bad input, 2 for usage.
#[derive(Debug)]
pub enum CliError {
    Input(String),
    Usage(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 1,
            CliError::Usage(_) => 2,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CliError::Input(m) | CliError::Usage(m) => m,
        }
    }
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        CliError::Input(e.to_string())
    }
}

/// Where a scenario came from, so saving knows whether it may write back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Preset(String),
    File(PathBuf),
}

/// Loads SCENARIO: an existing path, else a preset name.
pub fn resolve(arg: &str) -> Result<(Scenario, Source), CliError> {
    resolve_document(arg).map(|(d, s)| (d.scenario, s))
}

/// Like [`resolve`], keeping the file's pinned baseline.
pub fn resolve_document(arg: &str) -> Result<(file::Document, Source), CliError> {
    let path = Path::new(arg);
    if path.exists() {
        return Ok((file::load_document(path)?, Source::File(path.to_path_buf())));
    }
    match presets::load(arg) {
        Some(r) => Ok((
            file::Document {
                scenario: r?,
                baseline: None,
            },
            Source::Preset(arg.to_string()),
        )),
        None => Err(CliError::Input(format!(
            "{arg}: no such file, and no preset of that name{} (presets: {})",
            crate::suggest::did_you_mean(arg, presets::names()),
            presets::names().collect::<Vec<_>>().join(", ")
        ))),
    }
}
