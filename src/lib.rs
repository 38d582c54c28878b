#![forbid(unsafe_code)]
//! cloudstrat: the AI cloud market as ecosystem versus cost.
//!
//! Layers, each importing only from the ones above it in this list:
//! - `sim` and `analysis`: the pure core (no terminal, no I/O);
//! - `document`: a strategy on disk (format, validation, presets, saves, notes file);
//! - `output`: text, CSV, JSON and exports of a run;
//! - `cli` and `ui`: the two shells, the command line and the dashboard.
//!
//! `text` (display-width wrap and truncate), `format` (money, percentages,
//! points, axis steps and labels) and `float` (shortest float text for CSV)
//! are leaves that every layer may use, and so is `suggest` (the nearest known
//! name to one typed wrong).

pub mod analysis;
pub mod cli;
pub mod document;
pub mod float;
pub mod format;
pub mod output;
pub mod sim;
pub mod suggest;
pub mod text;
pub mod ui;
pub mod wargame;
