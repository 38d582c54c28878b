//! Property tests: whatever the (valid) scenario, the engine's output obeys the
//! accounting and market invariants.

use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::{MarketKey, ParamSpec, ProviderKey, Run, Scenario, Status, simulate};
use proptest::prelude::*;

/// Maps a fraction in [0, 1] onto a parameter's allowed range; wide positive
/// ranges are sampled on a log scale so small and large values both appear.
fn value_in(spec: ParamSpec, f: f64) -> f64 {
    if spec.min > 0.0 && spec.max / spec.min > 1e3 {
        (spec.min.ln() + f * (spec.max.ln() - spec.min.ln())).exp()
    } else {
        spec.min + f * (spec.max - spec.min)
    }
}

/// A random valid scenario built on the default one: every market parameter,
/// every provider parameter of 1 to 6 providers, the horizon and the seed vary.
fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    let n_market = MarketKey::ALL.len();
    let n_prov = ProviderKey::ALL.len();
    (
        prop::collection::vec(0.0..=1.0f64, n_market),
        prop::collection::vec(prop::collection::vec(0.0..=1.0f64, n_prov), 1..=6),
        4u32..=200,
        any::<u64>(),
        prop::collection::vec((0u32..200, 0usize..4, 0.0..=1.0f64), 0..6),
    )
        .prop_map(move |(mf, pf, quarters, seed, kfs)| {
            let mut sc = default_scenario();
            sc.quarters = quarters;
            sc.seed = seed;
            sc.keyframes.clear();
            for (&k, &f) in MarketKey::ALL.iter().zip(&mf) {
                sc.market.set(k, value_in(k.spec(), f));
            }
            sc.market.multimodal_share_start = sc.market.multimodal_share_start.min(sc.market.multimodal_share_max);
            let template = sc.providers[0].clone();
            sc.providers = pf
                .iter()
                .enumerate()
                .map(|(i, fs)| {
                    let mut p = template.clone();
                    p.id = format!("p{i}");
                    p.pricing = cloudstrat::sim::PricingPolicy::ALL[i % 4];
                    for (&k, &f) in ProviderKey::ALL.iter().zip(fs) {
                        p.params.set(k, value_in(k.spec(), f));
                    }
                    p
                })
                .collect();
            let total: f64 = sc.providers.iter().map(|p| p.params.initial_share).sum();
            if total > 1.0 {
                for p in &mut sc.providers {
                    p.params.initial_share /= total * (1.0 + 1e-9);
                }
            }
            let n = sc.providers.len();
            for (at, which, f) in kfs {
                let target = match which {
                    0 => cloudstrat::sim::ParamRef::PARITY,
                    1 => cloudstrat::sim::ParamRef::CEILING,
                    2 => cloudstrat::sim::ParamRef::self_chip_volume(at as usize % n),
                    _ => cloudstrat::sim::ParamRef::lock_in(at as usize % n),
                };
                sc.set_lever(target, at % quarters, value_in(target.spec(), f));
            }
            sc
        })
}

fn check_invariants(sc: &Scenario, run: &Run) -> Result<(), TestCaseError> {
    prop_assert!(
        sc.problems().is_empty(),
        "generated an invalid scenario: {:?}",
        sc.problems()
    );
    prop_assert_eq!(run.rows.len(), run.quarters as usize * sc.providers.len());
    for (t, m) in run.market.iter().enumerate() {
        for v in [
            m.demand_mtok,
            m.served_mtok,
            m.avg_price_usd_per_mtok,
            m.price_ceiling_usd_per_mtok,
            m.open_model_cap_usd_per_mtok,
            m.open_host_price_usd_per_mtok,
            m.tightness,
            m.adoption,
        ] {
            prop_assert!(v.is_finite(), "market value not finite at {t}: {m:?}");
        }
        prop_assert!(m.served_mtok <= m.demand_mtok * (1.0 + 1e-9) + 1e-6);
    }
    for t in 0..run.quarters {
        let mut total = 0.0;
        for i in 0..sc.providers.len() {
            let r = run.row(t, i);
            let json = serde_json::to_value(r).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for (k, v) in json.as_object().into_iter().flatten() {
                if let Some(x) = v.as_f64() {
                    prop_assert!(x.is_finite(), "{k} not finite at quarter {t}, provider {i}: {x}");
                }
            }
            prop_assert!((0.0..=1.0).contains(&r.share), "share {} at {t}", r.share);
            prop_assert!(
                (0.0..=1.0).contains(&r.self_chip_share),
                "own-silicon share {} at {t}",
                r.self_chip_share
            );
            for (what, v) in [
                ("unit cost", r.cost_usd_per_mtok),
                ("COGS", r.cogs_musd),
                ("fleet", r.fleet_k),
                ("capacity", r.capacity_mtok),
                ("depreciation", r.depreciation_musd),
                ("capex", r.capex_musd),
            ] {
                prop_assert!(v >= 0.0, "{what} {v} is negative at quarter {t}, provider {i}");
            }
            if r.status == Status::Active {
                prop_assert!(r.price_usd_per_mtok <= r.cap_usd_per_mtok * (1.0 + 1e-12) + 1e-12);
                prop_assert!(
                    (r.net_profit_musd - (r.operating_profit_musd - r.interest_musd)).abs()
                        <= 1e-9 * (1.0 + r.operating_profit_musd.abs())
                );
            }
            total += r.share;
            prop_assert!(
                r.tokens_mtok <= r.capacity_mtok * (1.0 + 1e-9) + 1e-6,
                "served above capacity"
            );
            if r.status == Status::Active || r.cash_musd != 0.0 {
                let before = if t == 0 {
                    sc.providers[i].params.initial_cash_musd
                } else {
                    run.row(t - 1, i).cash_musd
                };
                let flow = r.operating_cash_flow_musd - r.capex_musd + r.financing_musd;
                // Relative to every amount involved: large flows that cancel leave
                // rounding of their own size.
                let scale = 1.0
                    + before.abs()
                    + r.cash_musd.abs()
                    + r.operating_cash_flow_musd.abs()
                    + r.capex_musd.abs()
                    + r.financing_musd.abs();
                prop_assert!(
                    (r.cash_musd - before - flow).abs() <= 1e-9 * scale,
                    "cash moved by {} but flows add to {flow} (quarter {t}, provider {i})",
                    r.cash_musd - before
                );
            }
        }
        prop_assert!(total <= 1.0 + 1e-9, "shares add to {total} at {t}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn runs_obey_invariants(sc in scenario_strategy()) {
        let run = simulate(&sc);
        check_invariants(&sc, &run)?;
    }

    #[test]
    fn same_scenario_and_seed_give_the_same_run(sc in scenario_strategy()) {
        prop_assert_eq!(simulate(&sc), simulate(&sc));
    }
}

#[test]
fn every_preset_obeys_invariants() {
    for name in cloudstrat::document::presets::names() {
        let sc = match cloudstrat::document::presets::load(name) {
            Some(Ok(sc)) => sc,
            other => panic!("preset {name} does not load: {other:?}"),
        };
        let run = simulate(&sc);
        if let Err(e) = check_invariants(&sc, &run) {
            panic!("preset {name}: {e}");
        }
    }
}

#[test]
fn a_different_seed_changes_a_noisy_run() {
    let mut a = default_scenario();
    a.market.demand_noise_sd = 0.05;
    let mut b = a.clone();
    b.seed += 1;
    assert_ne!(simulate(&a).market, simulate(&b).market);
}
