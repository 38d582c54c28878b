//! Workloads the benchmarks and the `repeat` example share.

use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::Scenario;

/// The default scenario stretched to 16 providers (copies of its five, with
/// equal starting shares) and 200 quarters, without keyframes.
pub fn large() -> Scenario {
    let mut sc = default_scenario();
    sc.quarters = 200;
    let template = sc.providers.clone();
    sc.providers = (0..16)
        .map(|i| {
            let mut p = template[i % template.len()].clone();
            p.id = format!("p{i}");
            p.params.initial_share = 1.0 / 16.0;
            p
        })
        .collect();
    sc.keyframes.clear();
    sc
}
