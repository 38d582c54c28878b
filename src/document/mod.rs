//! Everything about a strategy on disk: the file format and its validation
//! (`file`), where a value is written in a file's text (`locate`), migration of older files (`migrate`), the built-in presets
//! (`presets`), text from files made safe to show (`clean`), the saves folder, backups and autosaves (`storage`), atomic
//! writes (`save`), the speaker-notes file (`notes`), where a scenario
//! came from (`source`), and the machine's folders and the config file (`places`).
//!
//! Imports only the pure core (`sim`) from inside the crate.

pub mod clean;
pub mod file;
pub mod locate;
pub mod migrate;
pub mod notes;
pub mod places;
pub mod presets;
pub mod save;
pub mod source;
pub mod storage;

pub use source::{CliError, Source, resolve, resolve_document};

/// FNV-1a, 64 bits: a stable hash (unlike `DefaultHasher`, whose output may change between releases).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
