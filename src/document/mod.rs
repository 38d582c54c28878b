//! Everything about a strategy on disk: the file format and its validation
//! (`file`), migration of older files (`migrate`), the built-in presets
//! (`presets`), text from files made safe to show (`clean`), the saves folder, backups and autosaves (`storage`), atomic
//! writes (`save`), the speaker-notes file (`notes`), and where a scenario
//! came from (`source`).
//!
//! Imports only the pure core (`sim`) from inside the crate.

pub mod clean;
pub mod file;
pub mod migrate;
pub mod notes;
pub mod presets;
pub mod save;
pub mod source;
pub mod storage;

pub use source::{CliError, Source, resolve, resolve_document};
