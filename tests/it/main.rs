//! The integration tests that run in this process or call the binary
//! headless, gathered into one test binary so the library is linked once.
//! Each module is one subject; the pseudo-terminal tests are in `tests/pty`.

// A failing test may panic; everything else in the crate may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod analysis;
mod baseline_section;
mod cli;
mod cli_analysis;
mod cli_polish;
mod export;
mod files;
mod hostile;
mod invariants;
mod migration;
mod model_doc;
mod model_v2;
mod narration;
mod numbers;
mod places;
mod positions;
mod presets;
mod reliability;
mod revisions;
mod thesis;
mod ui_analysis;
mod ui_app;
mod ui_controls;
mod ui_files;
mod ui_keymap;
mod ui_present;
mod ui_screens;
mod ui_widgets;
mod wargame;
mod wargame_net;
