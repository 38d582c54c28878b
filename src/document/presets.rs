//! Built-in scenarios, embedded in the binary so they run from any folder.

use crate::document::file::{self, LoadError};
use crate::sim::Scenario;

/// (name, RON text) of every built-in preset; `default` first.
pub const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../../assets/scenarios/default.ron")),
    ("parity-shock", include_str!("../../assets/scenarios/parity-shock.ron")),
    ("no-parity", include_str!("../../assets/scenarios/no-parity.ron")),
    (
        "chips-at-scale",
        include_str!("../../assets/scenarios/chips-at-scale.ron"),
    ),
    (
        "stuck-in-the-middle",
        include_str!("../../assets/scenarios/stuck-in-the-middle.ron"),
    ),
    (
        "slow-adoption",
        include_str!("../../assets/scenarios/slow-adoption.ron"),
    ),
    (
        "multimodal-boom",
        include_str!("../../assets/scenarios/multimodal-boom.ron"),
    ),
];

pub fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(n, _)| *n)
}

/// The preset's text, if `name` is a preset.
pub fn text(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Loads a preset by name. `None` when there is no such preset.
pub fn load(name: &str) -> Option<Result<Scenario, LoadError>> {
    text(name).map(|t| file::parse(t, &format!("preset:{name}")))
}

/// The built-in default scenario. Its text ships with the program and is
/// checked by the test suite, so failing to parse it is a build defect.
pub fn default_scenario() -> Scenario {
    match load("default") {
        Some(Ok(s)) => s,
        Some(Err(e)) => panic!("built-in default scenario is invalid: {e}"),
        None => panic!("built-in default scenario is missing"),
    }
}
