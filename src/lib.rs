#![forbid(unsafe_code)]
//! cloudstrat: the AI cloud market as ecosystem versus cost.
//!
//! `sim` is the pure simulation core; `file` reads and writes strategy files;
//! `report` turns runs into text; `cli` is the command line; `ui` is the
//! interactive dashboard.

pub mod analysis;
pub mod cli;
pub mod cli_model;
pub mod export;
pub mod file;
pub mod migrate;
pub mod notes;
pub mod presets;
pub mod report;
pub mod save;
pub mod sim;
pub mod storage;
pub mod ui;
