//! End-to-end tests: the real binary in a real pseudo-terminal, one module
//! per area. The harness is `tests/common`.

// A failing test may panic; everything else in the crate may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod dashboard;
mod files;
mod places;
mod present;
mod signals;
mod wargame;
