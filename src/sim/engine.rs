//! The quarterly simulation. Pure and deterministic: a scenario (and its seed)
//! goes in, a `Run` comes out. Every equation here is written out in
//! `docs/MODEL.md` under the section named in the comment above it.

use super::params::{HardwareGen, MarketParams, PricingPolicy, ProviderParams};
use super::run::{Event, EventKind, MarketQuarter, PriceLimit, ProviderQuarter, Run, Status};
use super::scenario::Scenario;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Hours in a quarter (365 × 24 / 4).
pub const HOURS_PER_QUARTER: f64 = 2190.0;
const SECONDS_PER_QUARTER: f64 = HOURS_PER_QUARTER * 3600.0;
/// Parity thresholds reported in the event log.
const PARITY_THRESHOLDS: [f64; 3] = [0.5, 0.8, 0.95];
/// Unserved share of demand that counts as a capacity shortage.
const SHORTAGE_SHARE: f64 = 0.05;
/// Unserved share below which a shortage is over (hysteresis keeps the log calm).
const SHORTAGE_END_SHARE: f64 = 0.02;
/// Price rise per quarter per unit of excess demand over capacity.
const SCARCITY_RAISE: f64 = 0.15;
/// Highest multiple of the policy price that scarcity can reach.
const MAX_SCARCITY_PRESSURE: f64 = 2.0;
/// Weight of the past in the moving average of demand growth used for planning.
const GROWTH_SMOOTHING: f64 = 0.6;

/// Capacity bought in one quarter, or its retirement; k = thousands.
#[derive(Debug, Clone, Copy, Default)]
struct Vintage {
    merchant_k: f64,
    own_k: f64,
    /// Aggregate memory bandwidth, thousand TB/s.
    bw_merchant: f64,
    bw_own: f64,
    /// Aggregate peak compute, thousand TFLOPs.
    fl_merchant: f64,
    fl_own: f64,
    /// Aggregate power, thousand kW (accelerator plus server share).
    power: f64,
    /// Straight-line depreciation of the owned part, MUSD per quarter.
    dep_q: f64,
    /// Rent of the rented part, MUSD per quarter.
    rent_q: f64,
}

impl Vintage {
    fn add(&mut self, o: &Vintage, sign: f64) {
        self.merchant_k += sign * o.merchant_k;
        self.own_k += sign * o.own_k;
        self.bw_merchant += sign * o.bw_merchant;
        self.bw_own += sign * o.bw_own;
        self.fl_merchant += sign * o.fl_merchant;
        self.fl_own += sign * o.fl_own;
        self.power += sign * o.power;
        self.dep_q += sign * o.dep_q;
        self.rent_q += sign * o.rent_q;
    }

    /// Totals that retirements left at rounding residue (|x| < 1e-9 of a
    /// thousand units, or negative) are set to exactly zero, so an emptied fleet
    /// has no phantom power, depreciation or bandwidth.
    fn snap(&mut self) {
        for x in [
            &mut self.merchant_k,
            &mut self.own_k,
            &mut self.bw_merchant,
            &mut self.bw_own,
            &mut self.fl_merchant,
            &mut self.fl_own,
            &mut self.power,
            &mut self.dep_q,
            &mut self.rent_q,
        ] {
            if *x < 1e-9 {
                *x = 0.0;
            }
        }
    }

    fn scaled(&self, f: f64) -> Vintage {
        Vintage {
            merchant_k: self.merchant_k * f,
            own_k: self.own_k * f,
            bw_merchant: self.bw_merchant * f,
            bw_own: self.bw_own * f,
            fl_merchant: self.fl_merchant * f,
            fl_own: self.fl_own * f,
            power: self.power * f,
            dep_q: self.dep_q * f,
            rent_q: self.rent_q * f,
        }
    }
}

/// A provider's running state between quarters.
struct ProviderState {
    active: bool,
    cash: f64,
    debt: f64,
    ecosystem: f64,
    /// Share served last quarter (fraction of that quarter's demand).
    share_prev: f64,
    /// Multiplier on the policy price after share losses (1 = no pressure).
    pressure: f64,
    fleet: Vintage,
    /// Book value of owned hardware, MUSD.
    book: f64,
    /// Capacity leaving the fleet at each quarter index.
    retire: Vec<Vintage>,
    own_cum_k: f64,
    breakeven: Option<bool>,
    below_cost: bool,
}

/// Per-quarter workload figures shared by every provider.
#[derive(Clone, Copy)]
struct Workload {
    /// Tokens per second per TB/s of memory bandwidth (bandwidth bound).
    tok_s_per_tbs: f64,
    /// Tokens per second per TFLOP/s (compute bound).
    tok_s_per_tflops: f64,
    gb_per_token: f64,
}

impl Workload {
    fn at(m: &MarketParams, t: u32) -> Workload {
        let years = f64::from(t) / 4.0;
        let params_b = m.active_params_b * (1.0 - m.active_params_decline_per_year).powf(years);
        let gb_per_token = params_b * m.bytes_per_param / m.decode_batch + m.kv_gb_per_sequence;
        // Serving software (batching, quantisation, speculative decoding, caching)
        // multiplies what every accelerator delivers.
        let gain = m.serving_gain_per_year.powf(years);
        Workload {
            tok_s_per_tbs: 1000.0 * m.bandwidth_utilization / gb_per_token * gain,
            tok_s_per_tflops: 1e12 * m.compute_utilization / (2.0 * params_b * 1e9) * gain,
            gb_per_token,
        }
    }

    /// Tokens per second (thousands) of a fleet part with given bandwidth and FLOPs
    /// (thousands of TB/s and TFLOPs): the slower of the two bounds.
    fn tok_s(&self, bw: f64, fl: f64) -> f64 {
        (bw * self.tok_s_per_tbs).min(fl * self.tok_s_per_tflops)
    }
}

/// Adoption S-curve: pilots, and production after the lag, net of abandonment.
fn adoption(m: &MarketParams, t: f64) -> (f64, f64) {
    let logistic =
        |x: f64| m.adoption_ceiling / (1.0 + (-m.adoption_steepness * (x - m.pilot_midpoint_quarters)).exp());
    let pilots = logistic(t);
    let production = logistic(t - m.adoption_lag_quarters) * (1.0 - m.abandonment);
    (pilots, production)
}

fn multimodal_share(m: &MarketParams, t: u32) -> f64 {
    (m.multimodal_share_start + m.multimodal_share_growth_per_year * f64::from(t) / 4.0)
        .min(m.multimodal_share_max)
        .max(0.0)
}

/// Token demand before price: adoption × usage × request weight.
fn base_demand(m: &MarketParams, t: u32) -> (f64, f64, f64) {
    let (pilots, production) = adoption(m, f64::from(t));
    let adopted = production + m.pilot_token_weight * pilots;
    let usage = usage_factor(m, f64::from(t) / 4.0);
    let mm = multimodal_share(m, t);
    let weight = 1.0 - mm + mm * m.multimodal_token_weight;
    (
        m.demand_at_full_adoption_mtok * adopted * usage * weight,
        production,
        mm,
    )
}

/// Tokens per adopter after `years`, relative to the first quarter: the yearly
/// growth factor starts at `usage_growth_per_year` and decays to
/// `usage_growth_final_per_year`, its log excess halving every half-life.
fn usage_factor(m: &MarketParams, years: f64) -> f64 {
    let g_end = m.usage_growth_final_per_year.ln();
    let excess = m.usage_growth_per_year.ln() - g_end;
    let tau = m.usage_growth_half_life_years / std::f64::consts::LN_2;
    (g_end * years + excess * tau * (1.0 - (-years / tau).exp())).exp()
}

fn price_factor(m: &MarketParams, price: f64) -> f64 {
    (price / m.reference_price_usd_per_mtok)
        .max(1e-4)
        .powf(-m.price_elasticity)
}

/// Generation available at quarter `t` (the newest whose start has passed).
fn generation_at(sc: &Scenario, t: u32) -> usize {
    sc.hardware_from.iter().rposition(|&f| f <= i64::from(t)).unwrap_or(0)
}

fn life_quarters(m: &MarketParams) -> u32 {
    (m.depreciation_years * 4.0).round().max(1.0) as u32
}

/// Purchase prices of one unit of each kind at quarter `t`, USD, and the own-chip
/// learning-curve unit cost.
struct UnitPrices {
    merchant_capex: f64,
    own_capex: f64,
    own_unit_cost: f64,
}

fn unit_prices(m: &MarketParams, p: &ProviderParams, g: &HardwareGen, fleet_k: f64, own_cum_k: f64) -> UnitPrices {
    let list = g.build_cost_usd / (1.0 - m.vendor_gross_margin);
    let discount = m.volume_discount_max * fleet_k / (fleet_k + m.volume_discount_half_k);
    let merchant_capex = list * (1.0 - discount) + m.system_cost_usd + m.facility_capex_usd_per_kw * g.power_kw;
    // Wright's law: cost × (cumulative / reference)^-b, b = -log2(1 - learning rate).
    let b = -(1.0 - m.own_chip_learning_rate).log2();
    let progress = (own_cum_k / m.own_chip_ref_volume_k).max(1.0);
    let own_unit_cost = p.own_chip_unit_cost_usd * progress.powf(-b);
    // A smaller, cooler chip takes a proportionally smaller share of server and hall.
    let own_capex =
        own_unit_cost + (m.system_cost_usd + m.facility_capex_usd_per_kw * g.power_kw) * p.own_chip_power_ratio;
    UnitPrices {
        merchant_capex,
        own_capex,
        own_unit_cost,
    }
}

fn sw_penalty(m: &MarketParams, p: &ProviderParams, own_cum_k: f64) -> f64 {
    p.own_chip_sw_penalty * m.sw_maturity_half_volume_k / (m.sw_maturity_half_volume_k + own_cum_k)
}

/// Own-silicon programme cost per quarter (design spread over a generation, plus software).
fn programme_cost_q(m: &MarketParams, p: &ProviderParams) -> f64 {
    p.own_chip_nre_musd / m.generation_cadence_quarters + p.own_chip_software_musd_per_year / 4.0
}

/// Own-chip volume (thousands per quarter) at which own silicon costs the same per unit
/// of effective bandwidth as merchant chips; infinite when it never does.
fn breakeven_volume_k(prices: &UnitPrices, p: &ProviderParams, penalty: f64, programme_q: f64) -> f64 {
    let saving = prices.merchant_capex * p.own_chip_perf_ratio * (1.0 - penalty) - prices.own_capex;
    if saving <= 0.0 {
        f64::INFINITY
    } else {
        programme_q * 1e6 / saving / 1000.0
    }
}

fn utilization(m: &MarketParams, fleet_k: f64, ecosystem: f64) -> f64 {
    let scale = 1.0 - m.scale_utilization_k / fleet_k.max(1e-6).sqrt();
    (m.max_utilization * scale + m.ecosystem_utilization_bonus * ecosystem).clamp(0.02, 0.98)
}

/// A vintage of `merchant_k` merchant and `own_k` own units of generation `g`.
fn make_vintage(
    m: &MarketParams,
    p: &ProviderParams,
    g: &HardwareGen,
    prices: &UnitPrices,
    merchant_k: f64,
    own_k: f64,
    life: u32,
) -> (Vintage, f64) {
    let life = f64::from(life);
    let rented_k = merchant_k * p.rented_fraction;
    // The own-chip programme (design and software) is capitalised into the
    // quarter's own-chip cohort, so its cost is spread over the units it made.
    let programme = if own_k > 0.0 { programme_cost_q(m, p) } else { 0.0 };
    let owned_capex = ((merchant_k - rented_k) * prices.merchant_capex + own_k * prices.own_capex) / 1000.0 + programme;
    let rent_q = rented_k * prices.merchant_capex / 1000.0 / life * (1.0 + m.rental_markup);
    let v = Vintage {
        merchant_k,
        own_k,
        bw_merchant: merchant_k * g.bandwidth_tb_s,
        bw_own: own_k * g.bandwidth_tb_s * p.own_chip_perf_ratio,
        fl_merchant: merchant_k * g.tflops,
        fl_own: own_k * g.tflops * p.own_chip_perf_ratio,
        power: (merchant_k + own_k * p.own_chip_power_ratio) * g.power_kw,
        dep_q: owned_capex / life,
        rent_q,
    };
    (v, owned_capex)
}

/// Tokens per second (thousands) of a fleet at 100 % utilization.
fn fleet_tok_s(w: &Workload, f: &Vintage, penalty: f64, efficiency: f64) -> f64 {
    (w.tok_s(f.bw_merchant, f.fl_merchant) + w.tok_s(f.bw_own, f.fl_own) * (1.0 - penalty)) * efficiency
}

/// Runs the scenario over its horizon. The scenario must be valid
/// (`Scenario::problems` empty); out-of-range values are clamped, never panicked on.
pub fn simulate(sc: &Scenario) -> Run {
    let n = sc.providers.len();
    let quarters = sc.quarters.max(1);
    let mut m = sc.market.clone();
    let mut pp: Vec<ProviderParams> = sc.providers.iter().map(|p| p.params.clone()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(sc.seed);
    let mut rows = Vec::with_capacity(quarters as usize * n);
    let mut market_rows = Vec::with_capacity(quarters as usize);
    let mut events = Vec::new();
    let mut kf = 0usize;

    // Keyframes at quarter 0 belong to the starting position.
    while let Some(k) = sc.keyframes.get(kf).filter(|k| k.at == 0) {
        apply(&mut m, &mut pp, k.target, k.value);
        kf += 1;
    }

    let mut states = initial_states(sc, &m, &pp, quarters);
    let mut parity_prev = m.open_source_parity;
    let mut avg_price_prev = f64::NAN;
    let mut min_price_prev = f64::NAN;
    let mut demand_prev = f64::NAN;
    // Last quarter's demand over capacity; 1 before the first quarter (no scarcity).
    let mut tightness_prev: f64 = 1.0;
    let mut log_growth = 0.0;
    let mut price_war = false;
    let mut shortage = false;

    // Scratch buffers reused every quarter.
    let mut cost = vec![0.0; n];
    let mut cap = vec![0.0; n];
    let mut price = vec![0.0; n];
    let mut util = vec![0.0; n];
    let mut fleet_cost = vec![0.0; n];
    let mut penalty = vec![0.0; n];
    let mut weight = vec![0.0; n];
    let mut alloc = vec![0.0; n];
    let mut served = vec![0.0; n];
    let mut locked = vec![0.0; n];
    let mut caps = vec![0.0; n];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    let mut limit = vec![PriceLimit::Policy; n];

    for t in 0..quarters {
        while let Some(k) = sc.keyframes.get(kf).filter(|k| k.at == t) {
            apply(&mut m, &mut pp, k.target, k.value);
            events.push(Event {
                at: t,
                kind: EventKind::KeyframeApplied {
                    target: k.target,
                    value: k.value,
                },
            });
            kf += 1;
        }
        let gen_i = generation_at(sc, t);
        let hw = &sc.hardware[gen_i];
        if t > 0 && sc.hardware_from[gen_i] == i64::from(t) {
            events.push(Event {
                at: t,
                kind: EventKind::HardwareGeneration { generation: gen_i },
            });
        }
        for &th in &PARITY_THRESHOLDS {
            let (a, b) = (parity_prev >= th, m.open_source_parity >= th);
            if a != b {
                events.push(Event {
                    at: t,
                    kind: EventKind::ParityCrossed {
                        threshold: th,
                        rising: b,
                    },
                });
            }
        }
        parity_prev = m.open_source_parity;
        let w = Workload::at(&m, t);

        // Unit cost at each provider's utilization (MODEL.md §2, §8).
        for i in 0..n {
            let s = &mut states[i];
            // Retirements due now leave before the quarter's service.
            let gone = std::mem::take(&mut s.retire[t as usize]);
            s.fleet.add(&gone, -1.0);
            s.fleet.snap();
            if !s.active {
                continue;
            }
            let p = &pp[i];
            penalty[i] = sw_penalty(&m, p, s.own_cum_k);
            let fleet_k = s.fleet.merchant_k + s.fleet.own_k;
            util[i] = utilization(&m, fleet_k, s.ecosystem);
            let tok_s = fleet_tok_s(&w, &s.fleet, penalty[i], p.serving_efficiency);
            cap[i] = (tok_s * 1000.0 * SECONDS_PER_QUARTER * util[i] / 1e6).max(0.0);
            let power = s.fleet.power * 1000.0 * p.pue * p.electricity_usd_per_kwh * HOURS_PER_QUARTER / 1e6;
            let ops = fleet_k * 1000.0 * m.ops_usd_per_accel_hour * HOURS_PER_QUARTER / 1e6;
            fleet_cost[i] = s.fleet.dep_q.max(0.0) + s.fleet.rent_q.max(0.0) + power + ops;
            cost[i] = if cap[i] > 1e-9 {
                fleet_cost[i] * 1e6 / cap[i]
            } else {
                marginal_cost(&m, p, hw, &w, fleet_k, s.own_cum_k, util[i])
            };
        }

        // Ceilings: the user's cap and the open-model ceiling (§4, §5).
        let host_cost = marginal_host_cost(&states, &cost, &cap, m.open_host_depth, &mut order);
        // When capacity ran short last quarter every host is full and the
        // open-model price rises with the shortage (§5).
        let scarcity = tightness_prev.max(1.0).powf(m.scarcity_price_exponent);
        let open_host = if host_cost.is_finite() {
            host_cost * (1.0 + m.open_host_markup) * scarcity
        } else {
            0.0
        };
        let parity = m.open_source_parity;
        let closed_mult =
            (1.0 + m.closed_premium_at_parity).powf(parity) * (1.0 + m.closed_premium_max).powf(1.0 - parity);
        let ceiling = m.price_ceiling_usd_per_mtok;

        // Prices by policy (§7).
        let mut below_cost = 0;
        for i in 0..n {
            let s = &mut states[i];
            if !s.active {
                price[i] = 0.0;
                continue;
            }
            let p = &pp[i];
            let edge = p.exclusive_model * (1.0 - parity);
            let cost_plus = cost[i] * (1.0 + p.markup) * (1.0 + m.exclusive_price_premium * edge);
            let policy = match sc.providers[i].pricing {
                PricingPolicy::CostPlus => cost_plus,
                PricingPolicy::Premium => cost_plus * (1.0 + p.policy_strength),
                PricingPolicy::Match => {
                    if avg_price_prev.is_finite() {
                        avg_price_prev * (1.0 - p.policy_strength)
                    } else {
                        cost_plus
                    }
                }
                PricingPolicy::Undercut => {
                    let reference = if min_price_prev.is_finite() {
                        min_price_prev
                    } else {
                        cost_plus
                    };
                    reference * (1.0 - p.policy_strength)
                }
            };
            let floor = cost[i] * p.price_floor_vs_cost;
            // The provider's open-model cap: hosted open models plus the premium its
            // exclusive model and its ecosystem still command (§5).
            let open_cap =
                open_host * (1.0 + p.exclusive_model * (closed_mult - 1.0) + m.ecosystem_price_premium * s.ecosystem);
            let cap_i = ceiling.min(open_cap).max(1e-6);
            let asked = policy * s.pressure;
            let wanted = asked.max(floor);
            price[i] = wanted.min(cap_i).max(1e-6);
            limit[i] = if wanted <= cap_i {
                if asked >= floor {
                    PriceLimit::Policy
                } else {
                    PriceLimit::Floor
                }
            } else if ceiling <= open_cap {
                PriceLimit::Ceiling
            } else {
                PriceLimit::OpenModelCap
            };
            caps[i] = cap_i;
            let capped = cap_i < cost[i];
            if capped && !s.below_cost {
                events.push(Event {
                    at: t,
                    kind: EventKind::CeilingBelowCost {
                        provider: i,
                        ceiling: ceiling <= open_cap,
                    },
                });
            }
            s.below_cost = capped;
            if price[i] < cost[i] {
                below_cost += 1;
            }
        }
        let now_war = below_cost >= 2;
        if now_war && !price_war {
            events.push(Event {
                at: t,
                kind: EventKind::PriceWarStarted { below_cost },
            });
        } else if !now_war && price_war {
            events.push(Event {
                at: t,
                kind: EventKind::PriceWarEnded,
            });
        }
        price_war = now_war;

        // Market price and demand (§1).
        let (wsum, psum, cnt, psimple) =
            (0..n)
                .filter(|&i| states[i].active)
                .fold((0.0, 0.0, 0, 0.0), |(ws, ps, c, pm), i| {
                    let sh = states[i].share_prev;
                    (ws + sh, ps + sh * price[i], c + 1, pm + price[i])
                });
        let avg_price = if wsum > 1e-12 {
            psum / wsum
        } else if cnt > 0 {
            psimple / f64::from(cnt)
        } else {
            m.reference_price_usd_per_mtok
        };
        let (base, production, mm) = base_demand(&m, t);
        let shock = if m.demand_noise_sd > 0.0 {
            let z = standard_normal(&mut rng);
            (m.demand_noise_sd * z - 0.5 * m.demand_noise_sd * m.demand_noise_sd).exp()
        } else {
            1.0
        };
        let demand = base * price_factor(&m, avg_price) * shock;

        // Customer choice: locked-in customers stay, the rest choose by logit (§6, §7).
        // Contracts hold last quarter's volume; growth beyond it is contested.
        let held_base = if demand_prev.is_finite() { demand_prev } else { demand };
        let price_weight = m.price_sensitivity + m.parity_price_sensitivity * parity;
        let mut locked_total = 0.0;
        let mut max_u = f64::NEG_INFINITY;
        for i in 0..n {
            if !states[i].active {
                weight[i] = 0.0;
                locked[i] = 0.0;
                continue;
            }
            let p = &pp[i];
            let edge = p.exclusive_model * (1.0 - parity);
            let lock_in = p.ecosystem_lock_in.min(m.lock_in_cap);
            let u = -price_weight * (price[i] / avg_price.max(1e-9)).ln()
                + m.quality_weight * edge
                + m.ecosystem_weight * states[i].ecosystem
                - m.lock_in_aversion * lock_in;
            weight[i] = u;
            max_u = max_u.max(u);
            locked[i] = lock_in * states[i].share_prev * held_base;
            locked_total += locked[i];
        }
        // Demand that shrank below last quarter's contracts shrinks them alike.
        if locked_total > demand && locked_total > 0.0 {
            let f = demand / locked_total;
            for x in locked.iter_mut() {
                *x *= f;
            }
            locked_total = demand;
        }
        alloc.copy_from_slice(&locked);
        let mut wtotal = 0.0;
        for i in 0..n {
            if states[i].active {
                weight[i] = (weight[i] - max_u).exp();
                wtotal += weight[i];
            }
        }
        let free = (demand - locked_total).max(0.0);
        for i in 0..n {
            if states[i].active && wtotal > 0.0 {
                alloc[i] += free * weight[i] / wtotal;
            }
            served[i] = if states[i].active { alloc[i].min(cap[i]) } else { 0.0 };
        }
        // Demand a full provider cannot serve goes to those with spare capacity (§7).
        let mut overflow: f64 = (0..n).map(|i| alloc[i] - served[i]).filter(|x| *x > 0.0).sum();
        for _ in 0..3 {
            if overflow <= 1e-9 {
                break;
            }
            let spare_w: f64 = (0..n)
                .filter(|&i| states[i].active && cap[i] - served[i] > 1e-9)
                .map(|i| weight[i])
                .sum();
            if spare_w <= 0.0 {
                break;
            }
            let mut placed = 0.0;
            for i in 0..n {
                let spare = cap[i] - served[i];
                if states[i].active && spare > 1e-9 {
                    let take = (overflow * weight[i] / spare_w).min(spare);
                    served[i] += take;
                    placed += take;
                }
            }
            overflow -= placed;
        }
        let served_total: f64 = served.iter().sum();
        let cap_total: f64 = (0..n).filter(|&i| states[i].active).map(|i| cap[i]).sum();
        let tightness_now = if cap_total > 1e-9 { demand / cap_total } else { 1.0 };
        let unserved_share = if demand > 0.0 {
            ((demand - served_total) / demand).max(0.0)
        } else {
            0.0
        };
        if unserved_share > SHORTAGE_SHARE && !shortage {
            events.push(Event {
                at: t,
                kind: EventKind::CapacityShortage { unserved_share },
            });
            shortage = true;
        } else if unserved_share <= SHORTAGE_END_SHARE && shortage {
            events.push(Event {
                at: t,
                kind: EventKind::ShortageEnded,
            });
            shortage = false;
        }

        // Expected growth: a moving average of log growth, so one noisy quarter
        // does not whip capacity orders up and down.
        if demand_prev.is_finite() && demand_prev > 0.0 && demand > 0.0 {
            let g = (demand / demand_prev).clamp(0.5, 3.0).ln();
            log_growth = if t == 1 {
                g
            } else {
                GROWTH_SMOOTHING * log_growth + (1.0 - GROWTH_SMOOTHING) * g
            };
        }
        let growth = log_growth.exp();
        let w_next = Workload::at(&m, t + 1);
        let gen_next = &sc.hardware[generation_at(sc, t + 1)];
        let life = life_quarters(&m);
        let mut min_price = f64::INFINITY;
        for i in 0..n {
            if !states[i].active {
                rows.push(ProviderQuarter::EXITED);
                continue;
            }
            let p = &pp[i];
            let s = &mut states[i];
            let share = if demand > 0.0 {
                (served[i] / demand).min(1.0)
            } else {
                0.0
            };

            // Revenue and margins (§6, §9).
            // Locked-in customers pay the commitment discount that holds them (§6).
            let lock_in = p.ecosystem_lock_in.min(m.lock_in_cap);
            let discounted = locked[i].min(served[i]) * commitment_rate(m.commitment_discount, lock_in);
            let token_rev = (served[i] - discounted) * price[i] / 1e6;
            let attached = token_rev * p.attach_ratio * s.ecosystem;
            let revenue = token_rev + attached;
            let cogs = fleet_cost[i] + attached * (1.0 - p.attached_margin);
            let gross_margin = if revenue > 1e-9 {
                (revenue - cogs) / revenue
            } else {
                0.0
            };
            let opex = p.overhead_musd + p.model_rnd_musd + p.ecosystem_invest_musd + p.sales_cost_share * revenue;
            let operating_profit = revenue - cogs - opex;
            let depreciation = s.fleet.dep_q.max(0.0);
            let interest = s.debt * p.interest_rate / 4.0;
            let ocf = operating_profit + depreciation - interest;
            let net_profit = operating_profit - interest;

            // Capacity for next quarter (§2, §3, §10).
            let fleet_k = s.fleet.merchant_k + s.fleet.own_k;
            // Capacity bought now comes online next quarter, as next quarter's generation.
            let prices = unit_prices(&m, p, gen_next, fleet_k, s.own_cum_k);
            let pen_next = sw_penalty(&m, p, s.own_cum_k + p.self_chip_volume);
            let u_next = util[i];
            let target_tok_s = alloc[i].max(served[i]) * growth * (1.0 + p.capacity_headroom) * 1e6
                / SECONDS_PER_QUARTER
                / u_next
                / 1000.0;
            let mut after = s.fleet;
            if let Some(r) = s.retire.get(t as usize + 1) {
                after.add(r, -1.0);
            }
            let existing = fleet_tok_s(&w_next, &after, pen_next, p.serving_efficiency);
            let (own_v, _) = make_vintage(&m, p, gen_next, &prices, 0.0, 1.0, life);
            let own_unit_tok_s = w_next.tok_s(own_v.bw_own, own_v.fl_own) * (1.0 - pen_next) * p.serving_efficiency;
            let own_k = p.self_chip_volume;
            let merchant_unit_tok_s = w_next.tok_s(gen_next.bandwidth_tb_s, gen_next.tflops) * p.serving_efficiency;
            let need = (target_tok_s - existing - own_k * own_unit_tok_s).max(0.0);
            let mut merchant_k = if merchant_unit_tok_s > 0.0 {
                need / merchant_unit_tok_s
            } else {
                0.0
            };
            let mut own_k = own_k;
            let (mut vintage, mut capex) = make_vintage(&m, p, gen_next, &prices, merchant_k, own_k, life);
            let credit_limit = p.credit_line_musd + m.asset_ltv * s.book;
            let budget = (s.cash + ocf + (credit_limit - s.debt).max(0.0) - p.min_cash_musd).max(0.0);
            if capex > budget {
                // The own-chip programme cost is fixed, so only the units scale down;
                // when not even the programme is affordable, no own chips are built.
                let programme = if own_k > 0.0 { programme_cost_q(&m, p) } else { 0.0 };
                if budget > programme {
                    let f = (budget - programme) / (capex - programme);
                    merchant_k *= f;
                    own_k *= f;
                } else {
                    own_k = 0.0;
                    let (_, merchant_capex) = make_vintage(&m, p, gen_next, &prices, merchant_k, 0.0, life);
                    if merchant_capex > budget {
                        merchant_k *= budget / merchant_capex;
                    }
                }
                (vintage, capex) = make_vintage(&m, p, gen_next, &prices, merchant_k, own_k, life);
            }
            let programme_q = programme_cost_q(&m, p);
            let breakeven_k = breakeven_volume_k(&prices, p, penalty[i], programme_q);
            if p.self_chip_volume > 0.0 {
                let ok = p.self_chip_volume >= breakeven_k;
                if s.breakeven != Some(ok) {
                    let kind = if ok {
                        EventKind::OwnSiliconBreakEven { provider: i }
                    } else {
                        EventKind::OwnSiliconBelowBreakEven { provider: i }
                    };
                    events.push(Event { at: t, kind });
                    s.breakeven = Some(ok);
                }
            }

            // Cash and financing (§9).
            let mut cash = s.cash + ocf - capex;
            let mut financing = 0.0;
            if cash < p.min_cash_musd {
                let borrow = (p.min_cash_musd - cash).min((credit_limit - s.debt).max(0.0));
                financing += borrow;
            } else if s.debt > 0.0 && cash > 2.0 * p.min_cash_musd {
                financing -= (cash - 2.0 * p.min_cash_musd).min(s.debt);
            }
            cash += financing;
            s.debt += financing;

            // The fleet grows; its retirement is booked `life` quarters ahead.
            s.fleet.add(&vintage, 1.0);
            s.book = (s.book + capex - depreciation).max(0.0);
            if let Some(slot) = s.retire.get_mut((t + 1 + life) as usize) {
                slot.add(&vintage, 1.0);
            }
            s.own_cum_k += own_k;

            let total_units = s.fleet.merchant_k + s.fleet.own_k;
            let row = ProviderQuarter {
                status: Status::Active,
                share,
                price_usd_per_mtok: price[i],
                cap_usd_per_mtok: caps[i],
                price_limit: limit[i],
                cost_usd_per_mtok: cost[i],
                tokens_mtok: served[i],
                demand_mtok: alloc[i],
                capacity_mtok: cap[i],
                utilization: if cap[i] > 0.0 {
                    util[i] * served[i] / cap[i]
                } else {
                    0.0
                },
                token_revenue_musd: token_rev,
                attached_revenue_musd: attached,
                revenue_musd: revenue,
                cogs_musd: cogs,
                gross_margin,
                opex_musd: opex,
                operating_profit_musd: operating_profit,
                net_profit_musd: net_profit,
                depreciation_musd: depreciation,
                interest_musd: interest,
                operating_cash_flow_musd: ocf,
                capex_musd: capex,
                financing_musd: financing,
                cash_musd: cash,
                debt_musd: s.debt,
                ecosystem: s.ecosystem,
                self_chip_share: if total_units > 0.0 {
                    (s.fleet.own_k / total_units).clamp(0.0, 1.0)
                } else {
                    0.0
                },
                fleet_k: total_units,
                own_chip_unit_cost_usd: prices.own_unit_cost,
                own_chip_breakeven_k: if breakeven_k.is_finite() { breakeven_k } else { -1.0 },
                self_chip_volume: p.self_chip_volume,
                ecosystem_lock_in: p.ecosystem_lock_in,
            };
            rows.push(row);

            // Ecosystem strength (§6) and reaction to share loss (§7).
            let invest = p.ecosystem_invest_musd / (p.ecosystem_invest_musd + m.ecosystem_invest_half_musd);
            let gain = (m.ecosystem_invest_gain * invest + m.ecosystem_base_gain * share) * (1.0 - s.ecosystem);
            s.ecosystem = (s.ecosystem + gain - m.ecosystem_decay_per_quarter * s.ecosystem).clamp(0.0, 1.0);
            // Scarcity lets a full provider raise its price; losing share makes it cut.
            let excess = if cap[i] > 1e-9 { alloc[i] / cap[i] - 1.0 } else { 0.0 };
            if excess > 0.02 {
                s.pressure = (s.pressure * (1.0 + SCARCITY_RAISE * excess.min(1.0))).min(MAX_SCARCITY_PRESSURE);
            } else if s.share_prev > 1e-9 && (s.share_prev - share) / s.share_prev > 0.02 {
                let loss = (s.share_prev - share) / s.share_prev;
                s.pressure = (s.pressure * (1.0 - (p.price_reaction * loss).min(0.5))).max(0.2);
            } else {
                s.pressure += 0.25 * (1.0 - s.pressure);
            }
            s.share_prev = share;
            s.cash = cash;
            if cash < 0.0 {
                s.active = false;
                s.share_prev = 0.0;
                events.push(Event {
                    at: t,
                    kind: EventKind::ProviderExited { provider: i },
                });
                if let Some(r) = rows.last_mut() {
                    r.status = Status::Exited;
                }
            } else {
                // The undercut reference: providers still in the market next quarter.
                min_price = min_price.min(price[i]);
            }
        }
        market_rows.push(MarketQuarter {
            demand_mtok: demand,
            served_mtok: served_total,
            avg_price_usd_per_mtok: avg_price,
            price_ceiling_usd_per_mtok: ceiling,
            open_model_cap_usd_per_mtok: (open_host * closed_mult).max(1e-6),
            open_host_price_usd_per_mtok: open_host,
            tightness: tightness_now,
            open_source_parity: parity,
            adoption: production,
            multimodal_share: mm,
            gb_per_token: w.gb_per_token,
            hardware_gen: gen_i,
            price_war: now_war,
        });
        let traded: f64 = served.iter().zip(&price).map(|(q, p)| q * p).sum();
        avg_price_prev = if served_total > 0.0 {
            traded / served_total
        } else {
            avg_price
        };
        min_price_prev = if min_price.is_finite() { min_price } else { f64::NAN };
        demand_prev = demand;
        tightness_prev = tightness_now;
    }

    Run {
        start: sc.start,
        quarters,
        providers: n,
        market: market_rows,
        rows,
        events,
    }
}

/// The unit cost of the marginal open-model host: active providers in order of
/// unit cost (ties by position in the file), the first at which their summed
/// capacity reaches `depth` of all active capacity (§5). Infinite when no
/// provider is active; the cheapest provider's cost when no one has capacity.
fn marginal_host_cost(states: &[ProviderState], cost: &[f64], cap: &[f64], depth: f64, order: &mut Vec<usize>) -> f64 {
    order.clear();
    order.extend((0..states.len()).filter(|&i| states[i].active));
    order.sort_by(|&a, &b| cost[a].total_cmp(&cost[b]).then(a.cmp(&b)));
    let total: f64 = order.iter().map(|&i| cap[i]).sum();
    let mut covered = 0.0;
    for &i in order.iter() {
        covered += cap[i];
        if covered >= depth * total {
            return cost[i];
        }
    }
    order.first().map_or(f64::INFINITY, |&i| cost[i])
}

/// Discount on locked-in tokens that holds a share `lock_in` of customers:
/// `d × λ / (1 − λ)`, at most 1. The last customers are the dearest to hold:
/// 10% at λ = 0.5 with d = 0.1, 40% at 0.8, all of the price at λ ≥ 1/(1 + d) (§6).
fn commitment_rate(d: f64, lock_in: f64) -> f64 {
    if lock_in >= 1.0 {
        return if d > 0.0 { 1.0 } else { 0.0 };
    }
    (d * lock_in / (1.0 - lock_in)).min(1.0)
}

fn apply(m: &mut MarketParams, pp: &mut [ProviderParams], target: super::scenario::ParamRef, v: f64) {
    use super::scenario::ParamRef;
    match target {
        ParamRef::Market(k) => m.set(k, k.spec().check(v).map_or(v, |_| clamp_to(k.spec(), v))),
        ParamRef::Provider(i, k) => {
            if let Some(p) = pp.get_mut(i) {
                p.set(k, k.spec().check(v).map_or(v, |_| clamp_to(k.spec(), v)));
            }
        }
    }
}

fn clamp_to(spec: super::params::ParamSpec, v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(spec.min, spec.max)
    } else {
        spec.min
    }
}

/// Unit cost of a provider without capacity: a new merchant unit at utilization `u`.
fn marginal_cost(
    m: &MarketParams,
    p: &ProviderParams,
    g: &HardwareGen,
    w: &Workload,
    fleet_k: f64,
    own_cum_k: f64,
    u: f64,
) -> f64 {
    let prices = unit_prices(m, p, g, fleet_k, own_cum_k);
    let life_q = f64::from(life_quarters(m));
    let per_q = prices.merchant_capex / life_q * (1.0 + p.rented_fraction * m.rental_markup)
        + g.power_kw * p.pue * p.electricity_usd_per_kwh * HOURS_PER_QUARTER
        + m.ops_usd_per_accel_hour * HOURS_PER_QUARTER;
    let mtok = w.tok_s(g.bandwidth_tb_s, g.tflops) * p.serving_efficiency * SECONDS_PER_QUARTER * u / 1e6;
    if mtok > 0.0 { per_q / mtok } else { 0.0 }
}

fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Starting fleets sized to each provider's initial share of first-quarter demand.
fn initial_states(sc: &Scenario, m: &MarketParams, pp: &[ProviderParams], quarters: u32) -> Vec<ProviderState> {
    let w = Workload::at(m, 0);
    let g = &sc.hardware[generation_at(sc, 0)];
    let (base, _, _) = base_demand(m, 0);
    let demand0 = base * price_factor(m, m.reference_price_usd_per_mtok);
    let life = life_quarters(m);
    pp.iter()
        .map(|p| {
            let target_tok_s =
                p.initial_share * demand0 * (1.0 + p.capacity_headroom) * 1e6 / SECONDS_PER_QUARTER / 1000.0;
            let penalty = sw_penalty(m, p, p.own_chip_cum_k);
            // Utilization depends on fleet size and fleet size on utilization: iterate.
            let mut units_k = 1.0;
            let mut vintage = Vintage::default();
            let mut capex = 0.0;
            for _ in 0..4 {
                let u = utilization(m, units_k, p.initial_ecosystem);
                let prices = unit_prices(m, p, g, units_k, p.own_chip_cum_k);
                let (unit, _) = make_vintage(
                    m,
                    p,
                    g,
                    &prices,
                    1.0 - p.initial_own_chip_share,
                    p.initial_own_chip_share,
                    life,
                );
                let per_unit = fleet_tok_s(&w, &unit, penalty, p.serving_efficiency) * u;
                units_k = if per_unit > 0.0 { target_tok_s / per_unit } else { 0.0 };
                let own = units_k * p.initial_own_chip_share;
                (vintage, capex) = make_vintage(m, p, g, &prices, units_k - own, own, life);
            }
            // Spread the fleet evenly over ages so one slice retires each quarter.
            let mut retire = vec![Vintage::default(); quarters as usize + 1];
            let slice = vintage.scaled(1.0 / f64::from(life));
            let mut book = 0.0;
            for r in 1..=life {
                let remaining = capex / f64::from(life) * f64::from(r) / f64::from(life);
                book += remaining;
                if let Some(slot) = retire.get_mut(r as usize) {
                    slot.add(&slice, 1.0);
                }
            }
            ProviderState {
                active: true,
                cash: p.initial_cash_musd,
                debt: p.initial_debt_musd,
                ecosystem: p.initial_ecosystem,
                share_prev: p.initial_share,
                pressure: 1.0,
                fleet: vintage,
                book,
                retire,
                own_cum_k: p.own_chip_cum_k,
                breakeven: None,
                below_cost: false,
            }
        })
        .collect()
}
