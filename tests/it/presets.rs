//! Every built-in preset loads, is written in the canonical format (so saving it
//! unchanged gives the same bytes) and runs.

use cloudstrat::document::{file, presets};

#[test]
fn presets_are_canonical_and_valid() {
    for (name, text) in presets::PRESETS {
        let sc = match file::parse(text, name) {
            Ok(sc) => sc,
            Err(e) => panic!("{e}"),
        };
        let again = file::to_ron(&sc);
        if again != *text {
            let line = again.lines().zip(text.lines()).position(|(a, b)| a != b);
            panic!("preset {name} is not in canonical form; first differing line: {line:?}\n{again}");
        }
    }
}

#[test]
fn there_are_at_least_five_presets_with_default_first() {
    let names: Vec<_> = presets::names().collect();
    assert_eq!(names.first(), Some(&"default"));
    assert!(names.len() >= 5, "{names:?}");
}

#[test]
fn the_stuck_in_the_middle_preset_makes_its_claim() {
    // NeoCloud, given more money but no edge, outlives the run and still earns
    // the worst cumulative margin of all five.
    let sc = presets::load("stuck-in-the-middle").expect("preset").expect("valid");
    let run = cloudstrat::sim::simulate(&sc);
    let neo = sc.provider_index("neo").expect("neo");
    assert_eq!(run.row(run.last(), neo).status, cloudstrat::sim::Status::Active);
    let stuck = run.cumulative_margin(neo);
    for i in (0..sc.providers.len()).filter(|&i| i != neo) {
        assert!(
            stuck < run.cumulative_margin(i),
            "neo {stuck} vs {}",
            sc.providers[i].id
        );
    }
}

#[test]
fn the_parity_and_adoption_presets_leave_the_reseller_with_a_net_loss() {
    for name in ["parity-shock", "slow-adoption"] {
        let sc = presets::load(name).expect("preset").expect("valid");
        let run = cloudstrat::sim::simulate(&sc);
        let neo = sc.provider_index("neo").expect("neo");
        let t = run.last();
        assert!(run.cumulative_profit(neo, t) > 0.0, "{name}: operating profit");
        assert!(run.cumulative_net_profit(neo, t) < 0.0, "{name}: net profit");
    }
}

#[test]
fn every_presets_uncertain_ranges_include_the_value_in_force() {
    for name in presets::names() {
        let sc = presets::load(name).expect("preset").expect("valid");
        let outside = cloudstrat::sim::uncertainty::outside_their_value(&sc);
        assert!(outside.is_empty(), "{name}: {outside:?}");
    }
}
