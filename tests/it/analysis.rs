//! Decision analysis: Monte Carlo percentiles, sensitivity, best responses and
//! attribution behave as documented on constructed cases.

use cloudstrat::analysis::Kpi;
use cloudstrat::analysis::attribution::attribute;
use cloudstrat::analysis::montecarlo::monte_carlo;
use cloudstrat::analysis::optimize::{best_responses, optimize};
use cloudstrat::analysis::sensitivity::sensitivity;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::{Distribution, ParamRef, ProviderKey, Scenario, simulate};
use std::sync::atomic::AtomicBool;

fn mc(sc: &Scenario, runs: usize, threads: usize) -> cloudstrat::analysis::montecarlo::McResult {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let cancel = AtomicBool::new(false);
    pool.install(|| monte_carlo(sc, runs, 11, &|_| {}, &cancel))
        .expect("not cancelled")
}

#[test]
fn percentiles_are_ordered() {
    let sc = default_scenario();
    let r = mc(&sc, 300, 2);
    for (p, n) in r.pct.iter().zip(&r.samples) {
        // A cell without samples (a price after every run's exit) is NaN.
        assert_eq!(p.iter().all(|x| x.is_finite()), *n > 0, "{p:?} over {n}");
        if *n > 0 {
            assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
        }
    }
}

#[test]
fn the_thread_count_does_not_change_results() {
    let sc = default_scenario();
    assert_eq!(mc(&sc, 400, 1), mc(&sc, 400, 2));
}

#[test]
fn point_distributions_reproduce_the_deterministic_run() {
    let mut sc = default_scenario();
    let base = sc.clone();
    for u in &mut sc.uncertainty {
        let v = match u.at {
            None => base.base_value(u.target),
            Some(t) => base.value_at(u.target, t),
        };
        u.dist = Distribution::Uniform { min: v, max: v };
    }
    let run = simulate(&base);
    let r = mc(&sc, 50, 2);
    for t in 0..run.quarters {
        for i in 0..run.providers {
            let gone = t > 0 && run.row(t - 1, i).status == cloudstrat::sim::Status::Exited;
            for k in Kpi::ALL {
                if gone && matches!(k, Kpi::Price | Kpi::Cost | Kpi::GrossMargin) {
                    assert_eq!(r.samples_at(t, i, k), 0);
                    assert!(r.get(t, i, k).iter().all(|x| x.is_nan()));
                    continue;
                }
                let expect = k.value(&run, i, t);
                assert_eq!(r.get(t, i, k), [expect; 5], "{k} of provider {i} at {t}");
                assert_eq!(r.samples_at(t, i, k), 50);
            }
            let exited = run.row(t, i).status == cloudstrat::sim::Status::Exited;
            assert_eq!(r.exit_share(t, i), if exited { 1.0 } else { 0.0 });
        }
    }
}

/// A provider that exits in some runs: its price percentiles rest only on the
/// runs in which it is still in the market, and the exit share says how many.
#[test]
fn prices_after_an_exit_are_left_out_and_exits_are_counted() {
    let mut sc = default_scenario();
    let neo = sc.provider_index("neo").expect("neo");
    sc.uncertainty.clear();
    // Without credit, NeoCloud exits in some runs and not in others.
    sc.uncertainty.push(cloudstrat::sim::Uncertain {
        target: ParamRef::Provider(neo, ProviderKey::initial_cash_musd),
        at: None,
        dist: Distribution::Uniform { min: 0.0, max: 3000.0 },
    });
    sc.providers[neo].params.credit_line_musd = 0.0;
    let r = mc(&sc, 200, 2);
    let last = sc.quarters - 1;
    let share = r.exit_share(last, neo);
    assert!(share > 0.0 && share < 1.0, "exit share {share}");
    let n = r.samples_at(last, neo, Kpi::Price);
    assert!(n < 200 && n > 0, "{n}");
    // Every price percentile is a price someone charged, never the 0 of an exited row.
    assert!(
        r.get(last, neo, Kpi::Price).iter().all(|p| *p > 0.0),
        "{:?}",
        r.get(last, neo, Kpi::Price)
    );
    // Shares keep every run: an exited provider's share is 0.
    assert_eq!(r.samples_at(last, neo, Kpi::Share), 200);
}

#[test]
fn cancelling_returns_nothing() {
    let cancel = AtomicBool::new(true);
    assert!(monte_carlo(&default_scenario(), 100, 1, &|_| {}, &cancel).is_none());
}

/// Customers choose at random (no price, quality or ecosystem preference), so a
/// provider's share is decided by how many of its customers are locked in.
fn lock_in_market() -> (Scenario, usize) {
    let mut sc = default_scenario();
    sc.uncertainty.clear();
    sc.market.price_sensitivity = 0.0;
    sc.market.quality_weight = 0.0;
    sc.market.ecosystem_weight = 0.0;
    sc.market.parity_price_sensitivity = 0.0;
    // Lock-in without its costs: share can only rise with it, so the optimum is 1.
    sc.market.lock_in_aversion = 0.0;
    sc.market.commitment_discount = 0.0;
    sc.market.demand_noise_sd = 0.0;
    let eco = sc.provider_index("eco").expect("eco");
    (sc, eco)
}

#[test]
fn sensitivity_ranks_the_dominant_lever_first() {
    let (sc, eco) = lock_in_market();
    let t = sensitivity(&sc, eco, Kpi::Share, sc.quarters - 1);
    // The price ceiling's range reaches down to $0.001, where no provider
    // survives: it swings every share to zero. Among the others lock-in leads.
    let ceiling = &t.bars[0];
    assert_eq!(ceiling.input, "market.price_ceiling_usd_per_mtok");
    assert_eq!((ceiling.low_input, ceiling.low), (0.001, 0.0));
    assert_eq!(
        t.bars[1].input,
        "providers.eco.ecosystem_lock_in",
        "{:#?}",
        &t.bars[..3]
    );
    assert!(t.bars.windows(2).all(|w| w[0].swing >= w[1].swing));
    assert!(t.bars[1].high > t.bars[1].low);
}

#[test]
fn optimize_finds_the_known_optimum() {
    let (sc, eco) = lock_in_market();
    let o = optimize(&sc, eco, &[ProviderKey::ecosystem_lock_in], Kpi::Share, sc.quarters - 1);
    assert!((o.settings[0].1 - 1.0).abs() < 1e-9, "{:?}", o.settings);
    assert!(o.best > o.start);
}

#[test]
fn optimize_never_reports_worse_than_the_start() {
    let sc = default_scenario();
    for id in ["hyper", "neo", "open"] {
        let i = sc.provider_index(id).expect("provider");
        let o = optimize(
            &sc,
            i,
            &[ProviderKey::self_chip_volume, ProviderKey::ecosystem_lock_in],
            Kpi::Cash,
            31,
        );
        assert!(o.best >= o.start, "{id}: {} < {}", o.best, o.start);
        let mut applied = sc.clone();
        o.apply(&mut applied);
        let check = Kpi::Cash.value(&simulate(&applied), i, 31);
        assert!(o.gain() == 0.0 || (check - o.best).abs() <= 1e-9 * check.abs().max(1.0));
    }
}

#[test]
fn best_responses_stop_and_say_whether_they_converged() {
    let (sc, _) = lock_in_market();
    let eq = best_responses(&sc, &[ProviderKey::ecosystem_lock_in], Kpi::Share, sc.quarters - 1, 4);
    assert!(eq.rounds <= 4);
    assert_eq!(eq.optima.len(), sc.providers.len());
    if eq.converged {
        // At a converged point no provider gains by moving on its own.
        for i in 0..eq.scenario.providers.len() {
            let o = optimize(
                &eq.scenario,
                i,
                &[ProviderKey::ecosystem_lock_in],
                Kpi::Share,
                sc.quarters - 1,
            );
            assert!(o.gain() <= 1e-3, "{o:?}");
        }
    }
}

#[test]
fn attribution_adds_up_to_the_total_difference() {
    let base = default_scenario();
    let mut cur = base.clone();
    let hyper = cur.provider_index("hyper").expect("hyper");
    cur.set_lever(ParamRef::PARITY, 10, 0.95);
    cur.set_lever(ParamRef::self_chip_volume(hyper), 0, 5.0);
    cur.set_lever(ParamRef::lock_in(hyper), 12, 0.9);
    cur.set_lever(ParamRef::CEILING, 20, 1.0);
    for kpi in [Kpi::CumulativeProfit, Kpi::Share] {
        let a = attribute(&base, &cur, hyper, kpi, 31);
        assert_eq!(a.method, "shapley");
        assert_eq!(a.parts.len(), 4);
        let sum: f64 = a.parts.iter().map(|p| p.contribution).sum();
        let total = a.current - a.base;
        assert!((sum - total).abs() <= 1e-6 * total.abs().max(1.0), "{sum} vs {total}");
    }
}

#[test]
fn attribution_of_many_levers_falls_back_to_sequential_and_still_adds_up() {
    let base = default_scenario();
    let mut cur = base.clone();
    for (n, &k) in ProviderKey::ALL.iter().take(12).enumerate() {
        let spec = k.spec();
        let v = cur.providers[0].params.get(k);
        cur.providers[0]
            .params
            .set(k, (v * 1.1 + 0.01 * n as f64).clamp(spec.min, spec.max));
    }
    let a = attribute(&base, &cur, 0, Kpi::Cash, 31);
    assert_eq!(a.method, "sequential");
    let sum: f64 = a.parts.iter().map(|p| p.contribution).sum();
    assert!((sum - (a.current - a.base)).abs() <= 1e-6 * a.current.abs().max(1.0));
}

/// Regression: the first search round once covered only a window around the
/// starting value, so an optimum at the far end of the range was never tried.
#[test]
fn optimize_reaches_the_far_end_of_the_range() {
    let sc = default_scenario();
    let neo = sc.provider_index("neo").expect("neo");
    let o = optimize(&sc, neo, &[ProviderKey::ecosystem_lock_in], Kpi::CumulativeProfit, 31);
    let mut top = sc.clone();
    top.set_whole_run(ParamRef::lock_in(neo), 1.0);
    let at_top = Kpi::CumulativeProfit.value(&simulate(&top), neo, 31);
    assert!(
        o.best >= at_top - 1e-6 * at_top.abs(),
        "optimum {} below the range's end {at_top}",
        o.best
    );
}
