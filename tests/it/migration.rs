//! Files of an older schema load through the migration step and are saved in the
//! current version.

use cloudstrat::document::file::{self, CURRENT_VERSION};
use std::path::Path;

const V1: &str = "tests/fixtures/old/v1_default.ron";

#[test]
fn a_version_1_file_loads_and_is_saved_as_the_current_version() {
    let text = std::fs::read_to_string(V1).expect("fixture");
    assert!(text.contains("version: 1,") && !text.contains("serving_efficiency"));
    let sc = file::load_path(Path::new(V1)).unwrap_or_else(|e| panic!("{e}"));
    assert!(sc.providers.iter().all(|p| p.params.serving_efficiency == 1.0));
    let saved = file::to_ron(&sc);
    assert!(saved.contains(&format!("version: {CURRENT_VERSION},")));
    assert!(saved.contains("serving_efficiency: 1.0"));
    // The saved file is a current-version file that reads back to the same scenario.
    assert_eq!(file::parse(&saved, "saved").unwrap_or_else(|e| panic!("{e}")), sc);
}

#[test]
fn errors_in_an_old_file_keep_their_line_numbers() {
    let text = std::fs::read_to_string(V1).expect("fixture");
    let line = text
        .lines()
        .position(|l| l.contains("initial_share: 0.35"))
        .expect("line")
        + 1;
    let broken = text.replace("initial_share: 0.35", "initial_share: 0.35 0.1");
    match file::parse(&broken, "old.ron") {
        Err(e @ file::LoadError::Syntax { .. }) => {
            assert!(e.to_string().starts_with(&format!("old.ron:{line}:")), "{e}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn a_newer_version_is_refused_with_a_clear_message() {
    let text = std::fs::read_to_string(V1)
        .expect("fixture")
        .replace("version: 1,", "version: 99,");
    let e = file::parse(&text, "new.ron").expect_err("newer version");
    assert!(e.to_string().contains("schema version 99"), "{e}");
}

#[test]
fn a_version_2_file_gets_the_default_values_of_parameters_added_in_version_3() {
    let path = "tests/fixtures/old/horizon_200_quarters_v2.ron";
    let text = std::fs::read_to_string(path).expect("fixture");
    assert!(text.contains("version: 2,") && !text.contains("lock_in_cap"));
    let sc = cloudstrat::document::file::parse(&text, path).unwrap_or_else(|e| panic!("{e}"));
    let def = cloudstrat::document::presets::default_scenario();
    for k in cloudstrat::sim::MarketKey::ADDED_IN_V3 {
        assert_eq!(sc.market.get(k), def.market.get(k), "{}", k.name());
    }
    // Saving writes version 3 with every parameter.
    let saved = cloudstrat::document::file::to_ron(&sc);
    assert!(saved.contains("version: 3,") && saved.contains("lock_in_cap:"));
}

#[test]
fn a_version_3_file_missing_an_added_parameter_names_it() {
    let text = cloudstrat::document::presets::text("default")
        .expect("default")
        .replace("        lock_in_cap: 1.0,\n", "");
    let err = cloudstrat::document::file::parse(&text, "gap.ron")
        .unwrap_err()
        .to_string();
    // The parameter is not written, so the place is the market section it belongs in.
    let market = 1 + text.lines().position(|l| l == "    market: (").expect("market section");
    assert!(
        err.contains(&format!("gap.ron:{market}:13: market.lock_in_cap: missing")),
        "{err}"
    );
}
