//! The thesis as stylized facts. Each test shows a claim of the essay holding in
//! the model, and where practical that a lever or parameter can switch it off.

use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::{ParamRef, PricingPolicy, Run, Scenario, Status, simulate};

fn idx(sc: &Scenario, id: &str) -> usize {
    sc.provider_index(id).unwrap_or_else(|| panic!("no provider {id}"))
}

/// Share-weighted market price averaged over the run's quarters.
fn mean_market_price(run: &Run) -> f64 {
    run.market.iter().map(|m| m.avg_price_usd_per_mtok).sum::<f64>() / run.market.len() as f64
}

fn with_parity(p: f64) -> Scenario {
    let mut sc = default_scenario();
    sc.set_whole_run(ParamRef::PARITY, p);
    sc
}

#[test]
fn a_higher_parity_lowers_the_market_price_and_the_neoclouds_profit() {
    let (low, high) = (with_parity(0.2), with_parity(0.95));
    let neo = idx(&low, "neo");
    let (rl, rh) = (simulate(&low), simulate(&high));
    assert!(mean_market_price(&rh) < mean_market_price(&rl) * 0.9);
    let last = rl.last();
    assert!(rh.cumulative_profit(neo, last) < rl.cumulative_profit(neo, last));
}

#[test]
fn parity_stops_mattering_when_closed_models_keep_their_premium() {
    // Reverse of the claim: no quality weight, no exclusive price premium and a
    // closed premium that does not shrink with parity.
    let mut low = with_parity(0.2);
    low.market.quality_weight = 0.0;
    low.market.exclusive_price_premium = 0.0;
    low.market.closed_premium_at_parity = low.market.closed_premium_max;
    low.market.parity_price_sensitivity = 0.0;
    let mut high = low.clone();
    high.set_whole_run(ParamRef::PARITY, 0.95);
    let (rl, rh) = (simulate(&low), simulate(&high));
    let (pl, ph) = (mean_market_price(&rl), mean_market_price(&rh));
    assert!((pl - ph).abs() <= 1e-9 * pl, "{pl} vs {ph}");
}

fn with_hyper_volume(v: f64) -> (Scenario, usize) {
    let mut sc = default_scenario();
    let h = idx(&sc, "hyper");
    sc.set_whole_run(ParamRef::self_chip_volume(h), v);
    (sc, h)
}

#[test]
fn own_silicon_above_break_even_lowers_cost_per_token() {
    let (a, h) = with_hyper_volume(40.0);
    let (b, _) = with_hyper_volume(120.0);
    let (ra, rb) = (simulate(&a), simulate(&b));
    let t = ra.last();
    assert!(ra.row(t, h).own_chip_breakeven_k > 0.0 && ra.row(t, h).own_chip_breakeven_k < 40.0);
    assert!(rb.row(t, h).cost_usd_per_mtok < ra.row(t, h).cost_usd_per_mtok);
}

#[test]
fn own_silicon_far_below_break_even_loses_money_against_merchant_chips() {
    let (none, h) = with_hyper_volume(0.0);
    let (tiny, _) = with_hyper_volume(0.5);
    let (rn, rt) = (simulate(&none), simulate(&tiny));
    let t = rn.last();
    assert!(rt.cumulative_profit(h, t) < rn.cumulative_profit(h, t));
    // Reverse: with no design or software cost, even a small programme pays.
    let (mut none_free, _) = with_hyper_volume(0.0);
    let (mut tiny_free, _) = with_hyper_volume(0.5);
    for sc in [&mut none_free, &mut tiny_free] {
        sc.providers[h].params.own_chip_nre_musd = 0.0;
        sc.providers[h].params.own_chip_software_musd_per_year = 0.0;
        sc.providers[h].params.own_chip_sw_penalty = 0.0;
    }
    let (rn, rt) = (simulate(&none_free), simulate(&tiny_free));
    assert!(rt.cumulative_profit(h, t) >= rn.cumulative_profit(h, t));
}

/// The default market with OpenHost starting a price war: undercutting hard
/// with a low price floor.
fn price_war(eco_lock_in: f64) -> (Scenario, usize) {
    let mut sc = default_scenario();
    let open = idx(&sc, "open");
    sc.providers[open].pricing = PricingPolicy::Undercut;
    sc.providers[open].params.policy_strength = 0.5;
    sc.providers[open].params.price_floor_vs_cost = 0.3;
    sc.providers[open].params.initial_cash_musd = 20000.0;
    sc.providers[open].params.credit_line_musd = 20000.0;
    // Lock-in's costs (buyers' aversion, commitment discounts) are switched off:
    // this tests only what it holds; tests/it/model_v2.rs tests the trade-off.
    sc.market.lock_in_aversion = 0.0;
    sc.market.commitment_discount = 0.0;
    let eco = idx(&sc, "eco");
    sc.set_whole_run(ParamRef::lock_in(eco), eco_lock_in);
    (sc, eco)
}

#[test]
fn against_an_undercutting_rival_higher_lock_in_keeps_more_share() {
    let (loose, eco) = price_war(0.1);
    let (tight, _) = price_war(0.9);
    let (rl, rt) = (simulate(&loose), simulate(&tight));
    let open = idx(&loose, "open");
    assert!(
        rl.series(open, |x| x.share).iter().sum::<f64>() > 0.0,
        "the undercutting rival should be in the market"
    );
    let mean_share = |r: &Run| r.series(eco, |x| x.share).iter().sum::<f64>() / f64::from(r.quarters);
    assert!(
        mean_share(&rt) > mean_share(&rl),
        "{} vs {}",
        mean_share(&rt),
        mean_share(&rl)
    );
}

/// Two providers identical but for their starting size.
fn twins() -> Scenario {
    let mut sc = default_scenario();
    sc.keyframes.clear();
    let mut big = sc.providers[idx(&sc, "neo")].clone();
    big.params.initial_cash_musd = 5000.0;
    big.params.initial_debt_musd = 0.0;
    big.params.credit_line_musd = 5000.0;
    let mut small = big.clone();
    big.id = "big".into();
    small.id = "small".into();
    big.params.initial_share = 0.6;
    small.params.initial_share = 0.1;
    sc.providers = vec![big, small];
    sc
}

#[test]
fn of_two_identical_providers_the_bigger_has_the_lower_unit_cost() {
    let sc = twins();
    let run = simulate(&sc);
    assert!(run.row(0, 0).cost_usd_per_mtok < run.row(0, 1).cost_usd_per_mtok * 0.95);
    // Reverse: without scale effects the two cost the same.
    let mut flat = sc.clone();
    flat.market.scale_utilization_k = 0.0;
    flat.market.volume_discount_max = 0.0;
    let run = simulate(&flat);
    let (a, b) = (run.row(0, 0).cost_usd_per_mtok, run.row(0, 1).cost_usd_per_mtok);
    assert!((a - b).abs() <= 1e-9 * a, "{a} vs {b}");
}

#[test]
fn stuck_in_the_middle_earns_the_worst_cumulative_margin() {
    let sc = default_scenario();
    let run = simulate(&sc);
    let neo = idx(&sc, "neo");
    let stuck = run.cumulative_margin(neo);
    for focused in ["eco", "lab", "open", "hyper"] {
        let m = run.cumulative_margin(idx(&sc, focused));
        assert!(stuck < m, "neo margin {stuck} should be below {focused}'s {m}");
    }
}

#[test]
fn a_price_ceiling_below_cost_drives_a_provider_to_losses_and_out() {
    let mut sc = default_scenario();
    let neo = idx(&sc, "neo");
    sc.set_whole_run(ParamRef::CEILING, 0.5);
    let run = simulate(&sc);
    assert!(run.row(0, neo).cost_usd_per_mtok > 0.5);
    assert!(run.row(0, neo).operating_profit_musd < 0.0);
    assert_eq!(run.row(run.last(), neo).status, Status::Exited);
}

fn hyper_cost_at_start(f: impl Fn(&mut Scenario)) -> f64 {
    let mut sc = default_scenario();
    f(&mut sc);
    let run = simulate(&sc);
    run.row(0, idx(&sc, "hyper")).cost_usd_per_mtok
}

#[test]
fn doubling_bandwidth_cuts_cost_far_more_than_doubling_compute() {
    let base = hyper_cost_at_start(|_| {});
    let bw = hyper_cost_at_start(|sc| sc.hardware.iter_mut().for_each(|g| g.bandwidth_tb_s *= 2.0));
    let fl = hyper_cost_at_start(|sc| sc.hardware.iter_mut().for_each(|g| g.tflops *= 2.0));
    assert!(bw < 0.75 * base, "bandwidth: {bw} vs {base}");
    assert!(fl > 0.97 * base, "compute: {fl} vs {base}");
    // Reverse: with huge batches decode becomes compute-bound and FLOPs matter.
    let batch = |sc: &mut Scenario| sc.market.decode_batch = 4096.0;
    let base = hyper_cost_at_start(batch);
    let fl = hyper_cost_at_start(|sc| {
        batch(sc);
        sc.hardware.iter_mut().for_each(|g| g.tflops *= 2.0);
    });
    assert!(fl < 0.8 * base, "compute-bound: {fl} vs {base}");
}

#[test]
fn a_longer_adoption_lag_delays_demand() {
    let demand = |lag: f64| {
        let mut sc = default_scenario();
        sc.market.adoption_lag_quarters = lag;
        sc.market.demand_noise_sd = 0.0;
        simulate(&sc).market.iter().map(|m| m.demand_mtok).collect::<Vec<_>>()
    };
    let (short, long) = (demand(2.0), demand(12.0));
    assert!(long[12] < short[12] * 0.8);
    let threshold = short[12];
    let reach = |d: &[f64]| d.iter().position(|&x| x >= threshold);
    assert!(reach(&long) > reach(&short));
}

// The nine claims of PRODUCT.md, each holding in the default scenario and
// failing under the setting MODEL.md's thesis table names.

#[test]
fn claim_1_parity_shrinks_the_closed_premium_and_lowers_the_cap() {
    // The open-model cap over the hosted-open price, before and at the 2025Q1 parity keyframe.
    let premium = |sc: &Scenario| {
        let run = simulate(sc);
        let ratio = |t: usize| run.market[t].open_model_cap_usd_per_mtok / run.market[t].open_host_price_usd_per_mtok;
        (ratio(7), ratio(8))
    };
    let sc = default_scenario();
    let (before, at) = premium(&sc);
    assert!(at < 0.5 * before, "{before} then {at}");
    // Fails when closed models keep their premium at parity.
    let mut kept = sc.clone();
    kept.market.closed_premium_at_parity = kept.market.closed_premium_max;
    let (before, at) = premium(&kept);
    assert!((at - before).abs() <= 1e-9 * before);
}

#[test]
fn claim_3_unit_cost_keeps_falling_and_demand_is_bounded_by_adoption() {
    let sc = default_scenario();
    let run = simulate(&sc);
    let hyper = idx(&sc, "hyper");
    let cost = |r: &Run, t: u32| r.row(t, hyper).cost_usd_per_mtok;
    assert!(
        cost(&run, 12) < cost(&run, 0) / 8.0,
        "{} → {}",
        cost(&run, 0),
        cost(&run, 12)
    );
    assert!(run.market.iter().all(|m| m.adoption < 1.0));
    // Fails without model, software and hardware progress.
    let mut still = sc.clone();
    still.market.active_params_decline_per_year = 0.0;
    still.market.serving_gain_per_year = 1.0;
    let first = still.hardware[0].clone();
    for g in still.hardware.iter_mut() {
        (g.bandwidth_tb_s, g.tflops, g.power_kw, g.build_cost_usd) =
            (first.bandwidth_tb_s, first.tflops, first.power_kw, first.build_cost_usd);
    }
    let r = simulate(&still);
    assert!(cost(&r, 12) > cost(&r, 0) * 0.7, "{} → {}", cost(&r, 0), cost(&r, 12));
}

#[test]
fn claim_4_the_pure_reseller_does_not_cover_its_costs() {
    let sc = default_scenario();
    let run = simulate(&sc);
    let neo = idx(&sc, "neo");
    let t = run.last();
    assert!(run.cumulative_net_profit(neo, t) < 0.0);
    // Fails with a cost edge and cheap money.
    let mut edge = sc.clone();
    edge.providers[neo].params.serving_efficiency = 2.5;
    edge.providers[neo].params.interest_rate = 0.03;
    let run = simulate(&edge);
    assert!(
        run.cumulative_net_profit(neo, t) > 0.0,
        "{}",
        run.cumulative_net_profit(neo, t)
    );
}

#[test]
fn claim_5_an_ecosystem_is_worth_money() {
    let sc = default_scenario();
    let eco = idx(&sc, "eco");
    let t = sc.quarters - 1;
    let with = simulate(&sc).cumulative_net_profit(eco, t);
    let mut without = sc.clone();
    without.providers[eco].params.attach_ratio = 0.0;
    without.providers[eco].params.initial_ecosystem = 0.0;
    without.providers[eco].params.ecosystem_invest_musd = 0.0;
    let no = simulate(&without).cumulative_net_profit(eco, t);
    assert!(with > no * 1.2, "{with} vs {no}");
}

#[test]
fn claim_7_adoption_lag_and_abandonment_hold_demand_back() {
    let demand = |lag: f64, abandon: f64| {
        let mut sc = default_scenario();
        sc.market.adoption_lag_quarters = lag;
        sc.market.abandonment = abandon;
        sc.market.demand_noise_sd = 0.0;
        simulate(&sc).market[4].demand_mtok
    };
    assert!(demand(4.0, 0.3) < 0.8 * demand(0.0, 0.0));
}

#[test]
fn claim_8_multimodal_requests_add_demand_and_switch_off_at_weight_one() {
    let demand = |w: f64| {
        let mut sc = default_scenario();
        sc.market.multimodal_token_weight = w;
        sc.market.demand_noise_sd = 0.0;
        simulate(&sc).market[20].demand_mtok
    };
    assert!(demand(3.0) > 1.2 * demand(1.0));
    let mut sc = default_scenario();
    sc.market.multimodal_token_weight = 1.0;
    sc.market.multimodal_share_growth_per_year = 0.3;
    let mut flat = sc.clone();
    flat.market.multimodal_share_growth_per_year = 0.0;
    assert_eq!(
        simulate(&sc).market[20].demand_mtok,
        simulate(&flat).market[20].demand_mtok
    );
}

/// OpenHost's share at the horizon with parity held at `parity` for the whole
/// run and a $5B credit line, after `f` changes the market.
fn funded_host_share(parity: f64, f: impl Fn(&mut Scenario)) -> f64 {
    let mut sc = default_scenario();
    let open = idx(&sc, "open");
    sc.providers[open].params.credit_line_musd = 5000.0;
    f(&mut sc);
    sc.set_whole_run(ParamRef::PARITY, parity);
    let run = simulate(&sc);
    run.row(run.last(), open).share
}

#[test]
fn parity_helps_a_well_funded_open_model_host_take_share() {
    let (low, high) = (funded_host_share(0.1, |_| {}), funded_host_share(0.95, |_| {}));
    assert!(high > low, "{high} vs {low}");
    // Switched off: without the quality edge, the parity price weight and a
    // shrinking closed premium, parity cannot move buyers towards open models.
    let off = |sc: &mut Scenario| {
        sc.market.quality_weight = 0.0;
        sc.market.parity_price_sensitivity = 0.0;
        sc.market.exclusive_price_premium = 0.0;
        sc.market.closed_premium_at_parity = sc.market.closed_premium_max;
    };
    assert!((funded_host_share(0.95, off) - funded_host_share(0.1, off)).abs() < 1e-9);
}
