//! The quarterly simulation. Pure and deterministic: a scenario (and its seed)
//! goes in, a `Run` comes out. Every equation here is written out in
//! `docs/MODEL.md` under the section named in the comment above it.

use super::params::{HardwareGen, MarketKey, MarketParams, PricingPolicy, ProviderParams};
use super::run::{Event, EventKind, MarketQuarter, PriceLimit, ProviderQuarter, Run, Status};
use super::scenario::{ParamRef, Scenario};
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
    fn add(&mut self, o: &Vintage) {
        self.merchant_k += o.merchant_k;
        self.own_k += o.own_k;
        self.bw_merchant += o.bw_merchant;
        self.bw_own += o.bw_own;
        self.fl_merchant += o.fl_merchant;
        self.fl_own += o.fl_own;
        self.power += o.power;
        self.dep_q += o.dep_q;
        self.rent_q += o.rent_q;
    }

    fn sub(&mut self, o: &Vintage) {
        self.merchant_k -= o.merchant_k;
        self.own_k -= o.own_k;
        self.bw_merchant -= o.bw_merchant;
        self.bw_own -= o.bw_own;
        self.fl_merchant -= o.fl_merchant;
        self.fl_own -= o.fl_own;
        self.power -= o.power;
        self.dep_q -= o.dep_q;
        self.rent_q -= o.rent_q;
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
    /// [`learning_factor`] at `own_cum_k` and the exponent `learned_at.1`,
    /// recomputed only when either changes.
    learned: f64,
    learned_at: (f64, f64),
    breakeven: Option<bool>,
    below_cost: bool,
    /// Consecutive quarters in which its cap was below its unit cost (§9).
    capped_quarters: u32,
}

impl ProviderState {
    /// The state at the start of the run: the provider's starting balance
    /// sheet, ecosystem and share, with `fleet`, its `book` value and the
    /// slices of it that `retire` quarter by quarter.
    fn starting(p: &ProviderParams, fleet: Vintage, book: f64, retire: Vec<Vintage>) -> ProviderState {
        ProviderState {
            active: true,
            cash: p.initial_cash_musd,
            debt: p.initial_debt_musd,
            ecosystem: p.initial_ecosystem,
            share_prev: p.initial_share,
            pressure: 1.0,
            fleet,
            book,
            retire,
            own_cum_k: p.own_chip_cum_k,
            learned: 1.0,
            learned_at: (f64::NAN, f64::NAN),
            breakeven: None,
            below_cost: false,
            capped_quarters: 0,
        }
    }
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
fn base_demand(m: &MarketParams, usage: &Usage, t: u32) -> (f64, f64, f64) {
    let (pilots, production) = adoption(m, f64::from(t));
    let adopted = production + m.pilot_token_weight * pilots;
    let usage = usage.factor(f64::from(t) / 4.0);
    let mm = multimodal_share(m, t);
    let weight = 1.0 - mm + mm * m.multimodal_token_weight;
    (
        m.demand_at_full_adoption_mtok * adopted * usage * weight,
        production,
        mm,
    )
}

/// Usage growth's constants (§1): `ln g_∞`, `ln g_0 − ln g_∞` and `τ = h / ln 2`.
#[derive(Debug, Clone, Copy)]
struct Usage {
    g_end: f64,
    excess: f64,
    tau: f64,
}

impl Usage {
    fn of(m: &MarketParams) -> Usage {
        let g_end = m.usage_growth_final_per_year.ln();
        Usage {
            g_end,
            excess: m.usage_growth_per_year.ln() - g_end,
            tau: m.usage_growth_half_life_years / std::f64::consts::LN_2,
        }
    }

    /// Tokens per adopter after `years`, relative to the first quarter: the
    /// yearly growth factor starts at `usage_growth_per_year` and decays to
    /// `usage_growth_final_per_year`, its log excess halving every half-life.
    fn factor(&self, years: f64) -> f64 {
        (self.g_end * years + self.excess * self.tau * (1.0 - (-years / self.tau).exp())).exp()
    }
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

/// The own-chip learning-curve exponent `b = −log2(1 − learning rate)` (§3).
fn learning_exponent(m: &MarketParams) -> f64 {
    -(1.0 - m.own_chip_learning_rate).log2()
}

/// Wright's law (§3): the own-chip cost multiplier
/// `(cumulative / reference)^-b` after `own_cum_k` thousand own units, with
/// `b` the [`learning_exponent`].
fn learning_factor(m: &MarketParams, own_cum_k: f64, b: f64) -> f64 {
    let progress = (own_cum_k / m.own_chip_ref_volume_k).max(1.0);
    // Below the reference volume there is no learning yet (and 1 to any power is 1).
    if progress == 1.0 { 1.0 } else { progress.powf(-b) }
}

/// `learned` is the provider's [`learning_factor`].
fn unit_prices(m: &MarketParams, p: &ProviderParams, g: &HardwareGen, fleet_k: f64, learned: f64) -> UnitPrices {
    let discount = m.volume_discount_max * fleet_k / (fleet_k + m.volume_discount_half_k);
    let merchant_capex = merchant_capex(m, g, discount);
    let own_unit_cost = p.own_chip_unit_cost_usd * learned;
    // A smaller, cooler chip takes a proportionally smaller share of server and hall.
    let own_capex =
        own_unit_cost + (m.system_cost_usd + m.facility_capex_usd_per_kw * g.power_kw) * p.own_chip_power_ratio;
    UnitPrices {
        merchant_capex,
        own_capex,
        own_unit_cost,
    }
}

/// Purchase price of one merchant accelerator of generation `g` with its
/// server and hall share, at a volume discount (§2): `C_m`.
fn merchant_capex(m: &MarketParams, g: &HardwareGen, discount: f64) -> f64 {
    let list = g.build_cost_usd / (1.0 - m.vendor_gross_margin);
    list * (1.0 - discount) + m.system_cost_usd + m.facility_capex_usd_per_kw * g.power_kw
}

/// Purchase price of one new merchant accelerator of generation `g`, before
/// any volume discount, per token/s it serves at workload `w` (§5).
fn serving_cost_index(m: &MarketParams, g: &HardwareGen, w: &Workload) -> f64 {
    merchant_capex(m, g, 0.0) / w.tok_s(g.bandwidth_tb_s, g.tflops)
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

/// Figures that change only when a keyframe applies (parameters stand still
/// between keyframes), computed once per change instead of every quarter.
/// A provider whose cap stays below its unit cost this many quarters leaves (§9).
const CAPPED_EXIT_QUARTERS: u32 = 4;

struct Fixed {
    /// Depreciation life in quarters (§2).
    life: u32,
    /// Learning-curve exponent `b = −log2(1 − learning rate)` (§3).
    learning_b: f64,
    usage: Usage,
    /// The closed-model multiplier (§5).
    closed_mult: f64,
    /// Weight of the price in customer choice (§6).
    price_weight: f64,
    /// Per provider: own-chip programme cost per quarter (§3), the edge of
    /// its exclusive model (§5), its lock-in after the cap, the commitment
    /// discount that lock-in costs and the ecosystem its investment builds
    /// per quarter (§6).
    programme_q: Vec<f64>,
    edge: Vec<f64>,
    lock_in: Vec<f64>,
    commitment: Vec<f64>,
    invest_gain: Vec<f64>,
}

impl Fixed {
    fn of(m: &MarketParams, pp: &[ProviderParams]) -> Fixed {
        let mut f = Fixed {
            life: 1,
            learning_b: 0.0,
            usage: Usage::of(m),
            closed_mult: 1.0,
            price_weight: 0.0,
            programme_q: Vec::with_capacity(pp.len()),
            edge: Vec::with_capacity(pp.len()),
            lock_in: Vec::with_capacity(pp.len()),
            commitment: Vec::with_capacity(pp.len()),
            invest_gain: Vec::with_capacity(pp.len()),
        };
        f.refresh(m, pp);
        f
    }

    /// Recomputes every figure after a keyframe, reusing the vectors.
    fn refresh(&mut self, m: &MarketParams, pp: &[ProviderParams]) {
        let parity = m.open_source_parity;
        self.life = life_quarters(m);
        self.learning_b = learning_exponent(m);
        self.usage = Usage::of(m);
        self.closed_mult =
            (1.0 + m.closed_premium_at_parity).powf(parity) * (1.0 + m.closed_premium_max).powf(1.0 - parity);
        self.price_weight = m.price_sensitivity + m.parity_price_sensitivity * parity;
        self.programme_q.clear();
        self.programme_q.extend(pp.iter().map(|p| programme_cost_q(m, p)));
        self.edge.clear();
        self.edge.extend(pp.iter().map(|p| p.exclusive_model * (1.0 - parity)));
        self.lock_in.clear();
        self.lock_in
            .extend(pp.iter().map(|p| p.ecosystem_lock_in.min(m.lock_in_cap)));
        self.commitment.clear();
        self.commitment
            .extend(self.lock_in.iter().map(|&l| commitment_rate(m.commitment_discount, l)));
        self.invest_gain.clear();
        self.invest_gain.extend(pp.iter().map(|p| ecosystem_invest_gain(m, p)));
    }
}

/// What the market remembers from last quarter, and the flags that keep the
/// event log from repeating.
struct Memory {
    parity: f64,
    /// The serving-cost index when the price ceiling was last set (§5); NaN
    /// until the ceiling's first quarter and after a keyframe sets it.
    ceiling_index: f64,
    /// Served-weighted average price, lowest price of the providers still in, demand.
    avg_price: f64,
    min_price: f64,
    demand: f64,
    /// Demand over capacity; 1 before the first quarter (no scarcity).
    tightness: f64,
    /// Smoothed log demand growth (§10).
    log_growth: f64,
    price_war: bool,
    shortage: bool,
}

/// One provider's figures of the quarter being simulated.
#[derive(Clone, Copy)]
struct Slot {
    active: bool,
    cost: f64,
    cap: f64,
    price: f64,
    util: f64,
    fleet_cost: f64,
    penalty: f64,
    weight: f64,
    alloc: f64,
    served: f64,
    locked: f64,
    caps: f64,
    limit: PriceLimit,
}

impl Slot {
    const EMPTY: Slot = Slot {
        active: false,
        cost: 0.0,
        cap: 0.0,
        price: 0.0,
        util: 0.0,
        fleet_cost: 0.0,
        penalty: 0.0,
        weight: 0.0,
        alloc: 0.0,
        served: 0.0,
        locked: 0.0,
        caps: 0.0,
        limit: PriceLimit::Policy,
    };
}

/// Per-provider figures of the quarter being simulated, reused every quarter.
struct Scratch {
    s: Vec<Slot>,
    order: Vec<usize>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            s: vec![Slot::EMPTY; n],
            order: Vec::with_capacity(n),
        }
    }
}

/// The market-wide figures of one quarter that every provider's step reads.
struct QuarterMarket {
    demand: f64,
    avg_price: f64,
    production: f64,
    mm: f64,
    ceiling: f64,
    open_host: f64,
    served_total: f64,
    tightness: f64,
    growth: f64,
}

/// The whole simulation between quarters: parameters after keyframes, the
/// providers' and the market's state, and the output so far.
struct Sim<'a> {
    sc: &'a Scenario,
    n: usize,
    m: MarketParams,
    pp: Vec<ProviderParams>,
    fixed: Fixed,
    rng: ChaCha8Rng,
    /// Next keyframe to apply.
    kf: usize,
    states: Vec<ProviderState>,
    memory: Memory,
    q: Scratch,
    /// Next quarter's workload, computed by this quarter's planning.
    w_next: Option<(u32, Workload)>,
    rows: Vec<ProviderQuarter>,
    market_rows: Vec<MarketQuarter>,
    events: Vec<Event>,
}

/// Runs the scenario over its horizon. The scenario must be valid
/// (`Scenario::problems` empty); out-of-range values are clamped, never panicked on.
pub fn simulate(sc: &Scenario) -> Run {
    let quarters = sc.quarters.max(1);
    let mut sim = Sim::new(sc, quarters);
    for t in 0..quarters {
        sim.quarter(t);
    }
    Run {
        start: sc.start,
        quarters,
        providers: sim.n,
        market: sim.market_rows,
        rows: sim.rows,
        events: sim.events,
    }
}

impl<'a> Sim<'a> {
    /// Keyframes at quarter 0 belong to the starting position; then each
    /// provider's starting fleet is built (§10).
    fn new(sc: &'a Scenario, quarters: u32) -> Sim<'a> {
        let n = sc.providers.len();
        let mut m = sc.market.clone();
        let mut pp: Vec<ProviderParams> = sc.providers.iter().map(|p| p.params.clone()).collect();
        let mut kf = 0usize;
        while let Some(k) = sc.keyframes.get(kf).filter(|k| k.at == 0) {
            apply(&mut m, &mut pp, k.target, k.value);
            kf += 1;
        }
        let states = initial_states(sc, &m, &pp, quarters);
        Sim {
            sc,
            n,
            fixed: Fixed::of(&m, &pp),
            memory: Memory {
                parity: m.open_source_parity,
                ceiling_index: f64::NAN,
                avg_price: f64::NAN,
                min_price: f64::NAN,
                demand: f64::NAN,
                tightness: 1.0,
                log_growth: 0.0,
                price_war: false,
                shortage: false,
            },
            m,
            pp,
            rng: ChaCha8Rng::seed_from_u64(sc.seed),
            kf,
            states,
            q: Scratch::new(n),
            w_next: None,
            rows: Vec::with_capacity(quarters as usize * n),
            market_rows: Vec::with_capacity(quarters as usize),
            events: Vec::new(),
        }
    }

    fn event(&mut self, at: u32, kind: EventKind) {
        self.events.push(Event { at, kind });
    }

    /// One quarter, in the order of MODEL.md's "The quarterly loop".
    fn quarter(&mut self, t: u32) {
        let changed = self.keyframes(t);
        let gen_i = generation_at(self.sc, t);
        self.generation_and_parity_events(t, gen_i);
        let w = match self.w_next {
            Some((at, w)) if at == t && !changed => w,
            _ => Workload::at(&self.m, t),
        };
        self.unit_costs(t, &w, gen_i);
        let (ceiling, open_host) = self.ceilings(&w, gen_i);
        self.prices(t, ceiling, open_host);
        let (avg_price, demand, production, mm) = self.demand(t);
        self.choice(demand, avg_price);
        let (served_total, tightness) = self.overflow(t, demand);
        let growth = self.expected_growth(t, demand);
        let w_next = Workload::at(&self.m, t + 1);
        self.w_next = Some((t + 1, w_next));
        let qm = QuarterMarket {
            demand,
            avg_price,
            production,
            mm,
            ceiling,
            open_host,
            served_total,
            tightness,
            growth,
        };
        let gen_next = generation_at(self.sc, t + 1);
        let mut min_price = f64::INFINITY;
        for i in 0..self.n {
            if !self.states[i].active {
                self.rows.push(ProviderQuarter::EXITED);
                continue;
            }
            self.provider_quarter(t, i, &qm, &w_next, gen_next);
            if self.states[i].active {
                // The undercut reference: providers still in the market next quarter.
                min_price = min_price.min(self.q.s[i].price);
            }
        }
        self.close_quarter(&qm, &w, gen_i, min_price);
    }

    /// Step 1: keyframes at `t` set their parameters from now on. True when one applied.
    fn keyframes(&mut self, t: u32) -> bool {
        let mut changed = false;
        while let Some(k) = self.sc.keyframes.get(self.kf).filter(|k| k.at == t) {
            apply(&mut self.m, &mut self.pp, k.target, k.value);
            if k.target == ParamRef::Market(MarketKey::price_ceiling_usd_per_mtok) {
                // A ceiling set now is indexed from this quarter on (§5).
                self.memory.ceiling_index = f64::NAN;
            }
            self.events.push(Event {
                at: t,
                kind: EventKind::KeyframeApplied {
                    target: k.target,
                    value: k.value,
                },
            });
            self.kf += 1;
            changed = true;
        }
        if changed {
            self.fixed.refresh(&self.m, &self.pp);
            // The learning curve's reference volume or rate may have moved.
            for s in &mut self.states {
                s.learned_at = (f64::NAN, f64::NAN);
            }
        }
        changed
    }

    /// Step 1, events: a new hardware generation (§2) and parity thresholds crossed (§4).
    fn generation_and_parity_events(&mut self, t: u32, gen_i: usize) {
        if t > 0 && self.sc.hardware_from[gen_i] == i64::from(t) {
            self.event(t, EventKind::HardwareGeneration { generation: gen_i });
        }
        let now = self.m.open_source_parity;
        for &th in &PARITY_THRESHOLDS {
            let (a, b) = (self.memory.parity >= th, now >= th);
            if a != b {
                self.event(
                    t,
                    EventKind::ParityCrossed {
                        threshold: th,
                        rising: b,
                    },
                );
            }
        }
        self.memory.parity = now;
    }

    /// Step 2 (§2, §8): retirements leave each fleet; each active provider's
    /// software penalty, utilization, capacity, fleet cost and unit cost.
    fn unit_costs(&mut self, t: u32, w: &Workload, gen_i: usize) {
        let (m, q, fixed) = (&self.m, &mut self.q, &self.fixed);
        let hw = &self.sc.hardware[gen_i];
        for (i, s) in self.states.iter_mut().enumerate() {
            // Retirements due now leave before the quarter's service.
            let gone = s.retire[t as usize];
            s.fleet.sub(&gone);
            s.fleet.snap();
            q.s[i].active = s.active;
            if !s.active {
                continue;
            }
            let p = &self.pp[i];
            if s.learned_at != (s.own_cum_k, fixed.learning_b) {
                s.learned = learning_factor(m, s.own_cum_k, fixed.learning_b);
                s.learned_at = (s.own_cum_k, fixed.learning_b);
            }
            q.s[i].penalty = sw_penalty(m, p, s.own_cum_k);
            let fleet_k = s.fleet.merchant_k + s.fleet.own_k;
            q.s[i].util = utilization(m, fleet_k, s.ecosystem);
            let fc = fleet_costs(m, p, &s.fleet, w, q.s[i].penalty, q.s[i].util);
            q.s[i].cap = fc.capacity;
            q.s[i].fleet_cost = fc.cost;
            q.s[i].cost = if fc.capacity > 1e-9 {
                fc.cost * 1e6 / fc.capacity
            } else {
                marginal_cost(m, p, hw, w, s, q.s[i].util, fixed)
            };
        }
    }

    /// Step 3 (§4, §5): the user's price ceiling and the hosted-open-model price.
    fn ceilings(&mut self, w: &Workload, gen_i: usize) -> (f64, f64) {
        let q = &mut self.q;
        let host_cost = marginal_host_cost(&q.s, self.m.open_host_depth, &mut q.order);
        // When capacity ran short last quarter every host is full and the
        // open-model price rises with the shortage (§5). (1 to any power is 1.)
        let tight = self.memory.tightness.max(1.0);
        let scarcity = if tight == 1.0 {
            1.0
        } else {
            tight.powf(self.m.scarcity_price_exponent)
        };
        let open_host = if host_cost.is_finite() {
            host_cost * (1.0 + self.m.open_host_markup) * scarcity
        } else {
            0.0
        };
        // The ceiling is its set value in the quarter it is set and follows
        // the serving-cost index, raised to the indexation, after that (§5).
        let index = serving_cost_index(&self.m, &self.sc.hardware[gen_i], w);
        if self.memory.ceiling_index.is_nan() {
            self.memory.ceiling_index = index;
        }
        let k = self.m.price_ceiling_indexation;
        let ratio = index / self.memory.ceiling_index;
        let factor = if k == 0.0 || !ratio.is_finite() || ratio <= 0.0 {
            1.0
        } else if k == 1.0 {
            ratio
        } else {
            ratio.powf(k)
        };
        let ceiling = self.m.price_ceiling_usd_per_mtok * factor;
        (ceiling, open_host)
    }

    /// Step 4 (§7): each provider's price by its policy, pressure, floor and
    /// cap; ceiling-below-cost and price-war events.
    fn prices(&mut self, t: u32, ceiling: f64, open_host: f64) {
        let mut below_cost = 0;
        for i in 0..self.n {
            if !self.states[i].active {
                self.q.s[i].price = 0.0;
                continue;
            }
            let s = &self.states[i];
            let inputs = PriceInputs {
                cost: self.q.s[i].cost,
                edge: self.fixed.edge[i],
                closed_mult: self.fixed.closed_mult,
                ecosystem: s.ecosystem,
                pressure: s.pressure,
                avg_price_prev: self.memory.avg_price,
                min_price_prev: self.memory.min_price,
                ceiling,
                open_host,
            };
            let pr = price_of(&self.m, &self.pp[i], self.sc.providers[i].pricing, &inputs);
            self.q.s[i].price = pr.price;
            self.q.s[i].limit = pr.limit;
            self.q.s[i].caps = pr.cap;
            let capped = pr.cap < inputs.cost;
            if capped && !self.states[i].below_cost {
                self.event(
                    t,
                    EventKind::CeilingBelowCost {
                        provider: i,
                        ceiling: pr.ceiling_binds,
                    },
                );
            }
            self.states[i].below_cost = capped;
            self.states[i].capped_quarters = if capped { self.states[i].capped_quarters + 1 } else { 0 };
            if pr.price < inputs.cost {
                below_cost += 1;
            }
        }
        let now_war = below_cost >= 2;
        if now_war && !self.memory.price_war {
            self.event(t, EventKind::PriceWarStarted { below_cost });
        } else if !now_war && self.memory.price_war {
            self.event(t, EventKind::PriceWarEnded);
        }
        self.memory.price_war = now_war;
    }

    /// Step 5 (§1): the share-weighted average price and the quarter's demand.
    /// Returns (average price, demand, production adoption, multimodal share).
    fn demand(&mut self, t: u32) -> (f64, f64, f64, f64) {
        let avg_price = weighted_price(&self.states, &self.q.s, self.m.reference_price_usd_per_mtok);
        let (base, production, mm) = base_demand(&self.m, &self.fixed.usage, t);
        let shock = if self.m.demand_noise_sd > 0.0 {
            let z = standard_normal(&mut self.rng);
            (self.m.demand_noise_sd * z - 0.5 * self.m.demand_noise_sd * self.m.demand_noise_sd).exp()
        } else {
            1.0
        };
        let demand = base * price_factor(&self.m, avg_price) * shock;
        (avg_price, demand, production, mm)
    }

    /// Step 6 (§6, §7): locked-in customers stay, the rest choose by logit.
    /// Contracts hold last quarter's volume; growth beyond it is contested.
    fn choice(&mut self, demand: f64, avg_price: f64) {
        let held_base = if self.memory.demand.is_finite() {
            self.memory.demand
        } else {
            demand
        };
        let q = &mut self.q;
        let mut locked_total = 0.0;
        let mut max_u = f64::NEG_INFINITY;
        for (i, s) in self.states.iter().enumerate() {
            if !s.active {
                q.s[i].weight = 0.0;
                q.s[i].locked = 0.0;
                continue;
            }
            let u = utility(&self.m, &self.fixed, i, q.s[i].price, avg_price, s.ecosystem);
            q.s[i].weight = u;
            max_u = max_u.max(u);
            q.s[i].locked = self.fixed.lock_in[i] * s.share_prev * held_base;
            locked_total += q.s[i].locked;
        }
        // Demand that shrank below last quarter's contracts shrinks them alike.
        if locked_total > demand && locked_total > 0.0 {
            let f = demand / locked_total;
            for x in q.s.iter_mut() {
                x.locked *= f;
            }
            locked_total = demand;
        }
        for x in q.s.iter_mut() {
            x.alloc = x.locked;
        }
        let mut wtotal = 0.0;
        for (i, s) in self.states.iter().enumerate() {
            if s.active {
                q.s[i].weight = (q.s[i].weight - max_u).exp();
                wtotal += q.s[i].weight;
            }
        }
        let free = (demand - locked_total).max(0.0);
        for (i, s) in self.states.iter().enumerate() {
            if s.active && wtotal > 0.0 {
                q.s[i].alloc += free * q.s[i].weight / wtotal;
            }
            q.s[i].served = if s.active { q.s[i].alloc.min(q.s[i].cap) } else { 0.0 };
        }
    }

    /// Step 7 (§7): demand a full provider cannot serve goes to those with
    /// spare capacity; shortage events. Returns (served total, tightness).
    fn overflow(&mut self, t: u32, demand: f64) -> (f64, f64) {
        let q = &mut self.q;
        place_overflow(&mut q.s);
        let served_total: f64 = q.s.iter().map(|x| x.served).sum();
        let cap_total: f64 = q.s.iter().filter(|x| x.active).map(|x| x.cap).sum();
        let tightness = if cap_total > 1e-9 { demand / cap_total } else { 1.0 };
        let unserved_share = if demand > 0.0 {
            ((demand - served_total) / demand).max(0.0)
        } else {
            0.0
        };
        if unserved_share > SHORTAGE_SHARE && !self.memory.shortage {
            self.event(t, EventKind::CapacityShortage { unserved_share });
            self.memory.shortage = true;
        } else if unserved_share <= SHORTAGE_END_SHARE && self.memory.shortage {
            self.event(t, EventKind::ShortageEnded);
            self.memory.shortage = false;
        }
        (served_total, tightness)
    }

    /// Step 9, first part (§10): expected growth, a moving average of log
    /// growth, so one noisy quarter does not whip capacity orders up and down.
    fn expected_growth(&mut self, t: u32, demand: f64) -> f64 {
        let prev = self.memory.demand;
        if prev.is_finite() && prev > 0.0 && demand > 0.0 {
            self.memory.log_growth = smoothed_growth(self.memory.log_growth, demand / prev, t == 1);
        }
        self.memory.log_growth.exp()
    }

    /// Steps 8 to 12 for active provider `i`: revenue and margins, capacity
    /// purchase and financing, cash and fleet, the output row, ecosystem and
    /// price pressure, exit.
    fn provider_quarter(&mut self, t: u32, i: usize, qm: &QuarterMarket, w_next: &Workload, gen_next: usize) {
        let (m, p, fixed) = (&self.m, &self.pp[i], &self.fixed);
        let q = &self.q;
        let g = &self.sc.hardware[gen_next];
        let s = &mut self.states[i];
        let share = if qm.demand > 0.0 {
            (q.s[i].served / qm.demand).min(1.0)
        } else {
            0.0
        };
        let sales = Sales {
            locked: q.s[i].locked,
            served: q.s[i].served,
            price: q.s[i].price,
            fleet_cost: q.s[i].fleet_cost,
        };
        let r = revenue(p, fixed.commitment[i], s, &sales);
        let plan = PlanInputs {
            t,
            capped: s.below_cost,
            alloc: q.s[i].alloc,
            served: q.s[i].served,
            growth: qm.growth,
            util: q.s[i].util,
            penalty: q.s[i].penalty,
            ocf: r.ocf,
            life: fixed.life,
            programme_q: fixed.programme_q[i],
            w_next,
            hardware: g,
        };
        let buy = purchase(m, p, s, &plan);
        if p.self_chip_volume > 0.0 {
            let ok = p.self_chip_volume >= buy.breakeven_k;
            if s.breakeven != Some(ok) {
                let kind = if ok {
                    EventKind::OwnSiliconBreakEven { provider: i }
                } else {
                    EventKind::OwnSiliconBelowBreakEven { provider: i }
                };
                self.events.push(Event { at: t, kind });
                s.breakeven = Some(ok);
            }
        }
        let (cash, financing) = finance(p, s.cash, s.debt, r.ocf, buy.capex, buy.credit_limit);
        s.debt += financing;
        // The fleet grows; its retirement is booked `life` quarters ahead.
        s.fleet.add(&buy.vintage);
        s.book = (s.book + buy.capex - r.depreciation).max(0.0);
        if let Some(slot) = s.retire.get_mut((t + 1 + fixed.life) as usize) {
            slot.add(&buy.vintage);
        }
        s.own_cum_k += buy.own_k;
        let books = Books { share, cash, financing };
        let row = provider_row(p, s, q, i, &r, &buy, &books);
        self.rows.push(row);
        // Ecosystem strength (§6) and reaction to share loss (§7).
        s.ecosystem = next_ecosystem(m, fixed.invest_gain[i], s.ecosystem, share);
        s.pressure = next_pressure(p, s.pressure, s.share_prev, share, q.s[i].alloc, q.s[i].cap);
        s.share_prev = share;
        s.cash = cash;
        // Exit (§9): cash still negative after borrowing, or its cap below its
        // unit cost for CAPPED_EXIT_QUARTERS quarters in a row.
        let capped = cash >= 0.0 && s.capped_quarters >= CAPPED_EXIT_QUARTERS;
        if cash < 0.0 || capped {
            s.active = false;
            s.share_prev = 0.0;
            self.events.push(Event {
                at: t,
                kind: EventKind::ProviderExited { provider: i, capped },
            });
            if let Some(r) = self.rows.last_mut() {
                r.status = Status::Exited;
            }
        }
    }

    /// Step 13: the market row; last quarter's average and lowest prices and
    /// demand are remembered for the next quarter.
    fn close_quarter(&mut self, qm: &QuarterMarket, w: &Workload, gen_i: usize, min_price: f64) {
        let q = &self.q;
        self.market_rows.push(MarketQuarter {
            demand_mtok: qm.demand,
            served_mtok: qm.served_total,
            avg_price_usd_per_mtok: qm.avg_price,
            price_ceiling_usd_per_mtok: qm.ceiling,
            open_model_cap_usd_per_mtok: (qm.open_host * self.fixed.closed_mult).max(1e-6),
            open_host_price_usd_per_mtok: qm.open_host,
            tightness: qm.tightness,
            open_source_parity: self.m.open_source_parity,
            adoption: qm.production,
            multimodal_share: qm.mm,
            gb_per_token: w.gb_per_token,
            hardware_gen: gen_i,
            price_war: self.memory.price_war,
        });
        let traded: f64 = q.s.iter().map(|x| x.served * x.price).sum();
        self.memory.avg_price = if qm.served_total > 0.0 {
            traded / qm.served_total
        } else {
            qm.avg_price
        };
        self.memory.min_price = if min_price.is_finite() { min_price } else { f64::NAN };
        self.memory.demand = qm.demand;
        self.memory.tightness = qm.tightness;
    }
}

/// Capacity (Mtok per quarter) and cost (MUSD per quarter) of a fleet (§2).
struct FleetCost {
    capacity: f64,
    cost: f64,
}

/// A fleet's capacity at utilization `util` and its cost: depreciation,
/// rent, power and operations on every installed accelerator (§2).
fn fleet_costs(m: &MarketParams, p: &ProviderParams, f: &Vintage, w: &Workload, penalty: f64, util: f64) -> FleetCost {
    let fleet_k = f.merchant_k + f.own_k;
    let tok_s = fleet_tok_s(w, f, penalty, p.serving_efficiency);
    let capacity = (tok_s * 1000.0 * SECONDS_PER_QUARTER * util / 1e6).max(0.0);
    let power = f.power * 1000.0 * p.pue * p.electricity_usd_per_kwh * HOURS_PER_QUARTER / 1e6;
    let ops = fleet_k * 1000.0 * m.ops_usd_per_accel_hour * HOURS_PER_QUARTER / 1e6;
    FleetCost {
        capacity,
        cost: f.dep_q.max(0.0) + f.rent_q.max(0.0) + power + ops,
    }
}

/// What a provider's price depends on besides its parameters (§7).
struct PriceInputs {
    cost: f64,
    edge: f64,
    closed_mult: f64,
    ecosystem: f64,
    pressure: f64,
    avg_price_prev: f64,
    min_price_prev: f64,
    ceiling: f64,
    open_host: f64,
}

/// A provider's price, what set it, and its cap (§5, §7).
#[derive(Debug, Clone, Copy, PartialEq)]
struct PriceOutcome {
    price: f64,
    limit: PriceLimit,
    cap: f64,
    /// The user's price ceiling, not the open-model cap, is the lower cap.
    ceiling_binds: bool,
}

/// The policy price with its pressure, raised to the floor and held under the
/// lower of the price ceiling and the provider's open-model cap (§5, §7).
fn price_of(m: &MarketParams, p: &ProviderParams, pricing: PricingPolicy, x: &PriceInputs) -> PriceOutcome {
    let cost_plus = x.cost * (1.0 + p.markup) * (1.0 + m.exclusive_price_premium * x.edge);
    let policy = match pricing {
        PricingPolicy::CostPlus => cost_plus,
        PricingPolicy::Premium => cost_plus * (1.0 + p.policy_strength),
        PricingPolicy::Match => {
            if x.avg_price_prev.is_finite() {
                x.avg_price_prev * (1.0 - p.policy_strength)
            } else {
                cost_plus
            }
        }
        PricingPolicy::Undercut => {
            let reference = if x.min_price_prev.is_finite() {
                x.min_price_prev
            } else {
                cost_plus
            };
            reference * (1.0 - p.policy_strength)
        }
    };
    let floor = x.cost * p.price_floor_vs_cost;
    // The provider's open-model cap: hosted open models plus the premium its
    // exclusive model and its ecosystem still command (§5).
    let open_cap =
        x.open_host * (1.0 + p.exclusive_model * (x.closed_mult - 1.0) + m.ecosystem_price_premium * x.ecosystem);
    let cap = x.ceiling.min(open_cap).max(1e-6);
    let asked = policy * x.pressure;
    let wanted = asked.max(floor);
    let limit = if wanted <= cap {
        if asked >= floor {
            PriceLimit::Policy
        } else {
            PriceLimit::Floor
        }
    } else if x.ceiling <= open_cap {
        PriceLimit::Ceiling
    } else {
        PriceLimit::OpenModelCap
    };
    PriceOutcome {
        price: wanted.min(cap).max(1e-6),
        limit,
        cap,
        ceiling_binds: x.ceiling <= open_cap,
    }
}

/// This quarter's prices weighted by last quarter's shares over active
/// providers; their plain mean when no one had a share; `reference` when no
/// one is active (§1).
fn weighted_price(states: &[ProviderState], q: &[Slot], reference: f64) -> f64 {
    let (wsum, psum, cnt, psimple) =
        states
            .iter()
            .zip(q)
            .filter(|(s, _)| s.active)
            .fold((0.0, 0.0, 0u32, 0.0), |(ws, ps, c, pm), (s, x)| {
                let sh = s.share_prev;
                (ws + sh, ps + sh * x.price, c + 1, pm + x.price)
            });
    if wsum > 1e-12 {
        psum / wsum
    } else if cnt > 0 {
        psimple / f64::from(cnt)
    } else {
        reference
    }
}

/// A provider's utility in the logit choice (§6, §7).
fn utility(m: &MarketParams, fixed: &Fixed, i: usize, price: f64, avg_price: f64, ecosystem: f64) -> f64 {
    -fixed.price_weight * (price / avg_price.max(1e-9)).ln()
        + m.quality_weight * fixed.edge[i]
        + m.ecosystem_weight * ecosystem
        - m.lock_in_aversion * fixed.lock_in[i]
}

/// Moves demand that full providers cannot serve (`alloc` above `served`) to
/// active providers with spare capacity, in proportion to their choice
/// weights, in at most three rounds (§7).
fn place_overflow(q: &mut [Slot]) {
    let mut overflow: f64 = q.iter().map(|x| x.alloc - x.served).filter(|x| *x > 0.0).sum();
    for _ in 0..3 {
        if overflow <= 1e-9 {
            break;
        }
        let spare_w: f64 = q
            .iter()
            .filter(|x| x.active && x.cap - x.served > 1e-9)
            .map(|x| x.weight)
            .sum();
        if spare_w <= 0.0 {
            break;
        }
        let mut placed = 0.0;
        for x in q.iter_mut() {
            let spare = x.cap - x.served;
            if x.active && spare > 1e-9 {
                let take = (overflow * x.weight / spare_w).min(spare);
                x.served += take;
                placed += take;
            }
        }
        overflow -= placed;
    }
}

/// The moving average of log demand growth after a quarter whose demand is
/// `ratio` times the last; the first growth term is not smoothed (§10).
fn smoothed_growth(log_growth: f64, ratio: f64, first: bool) -> f64 {
    let g = ratio.clamp(0.5, 3.0).ln();
    if first {
        g
    } else {
        GROWTH_SMOOTHING * log_growth + (1.0 - GROWTH_SMOOTHING) * g
    }
}

/// What a provider sold this quarter.
struct Sales {
    locked: f64,
    served: f64,
    price: f64,
    fleet_cost: f64,
}

/// Revenue, costs, profit and operating cash flow of one provider-quarter (§6, §9).
struct Revenue {
    token_rev: f64,
    attached: f64,
    revenue: f64,
    cogs: f64,
    gross_margin: f64,
    opex: f64,
    operating_profit: f64,
    net_profit: f64,
    depreciation: f64,
    interest: f64,
    ocf: f64,
}

/// Revenue and margins: locked-in customers pay the commitment discount that
/// holds them (§6); attached revenue follows the ecosystem (§6); interest on
/// the opening debt (§9).
/// `commitment` is the [`commitment_rate`] of the provider's lock-in.
fn revenue(p: &ProviderParams, commitment: f64, s: &ProviderState, x: &Sales) -> Revenue {
    let discounted = x.locked.min(x.served) * commitment;
    let token_rev = (x.served - discounted) * x.price / 1e6;
    let attached = token_rev * p.attach_ratio * s.ecosystem;
    let revenue = token_rev + attached;
    let cogs = x.fleet_cost + attached * (1.0 - p.attached_margin);
    let gross_margin = if revenue > 1e-9 {
        (revenue - cogs) / revenue
    } else {
        0.0
    };
    let opex = p.overhead_musd + p.model_rnd_musd + p.ecosystem_invest_musd + p.sales_cost_share * revenue;
    let operating_profit = revenue - cogs - opex;
    let depreciation = s.fleet.dep_q.max(0.0);
    let interest = s.debt * p.interest_rate / 4.0;
    Revenue {
        token_rev,
        attached,
        revenue,
        cogs,
        gross_margin,
        opex,
        operating_profit,
        net_profit: operating_profit - interest,
        depreciation,
        interest,
        ocf: operating_profit + depreciation - interest,
    }
}

/// What capacity planning needs to know about the quarter (§10).
struct PlanInputs<'a> {
    t: u32,
    /// Its cap is below its unit cost this quarter (§5): it plans no growth.
    capped: bool,
    alloc: f64,
    served: f64,
    growth: f64,
    util: f64,
    penalty: f64,
    ocf: f64,
    life: u32,
    programme_q: f64,
    w_next: &'a Workload,
    hardware: &'a HardwareGen,
}

/// The quarter's purchase: the vintage bought, its capex, the own units in
/// it, the credit limit it was financed under, and the own-silicon figures.
struct Purchase {
    vintage: Vintage,
    capex: f64,
    own_k: f64,
    credit_limit: f64,
    breakeven_k: f64,
    own_unit_cost: f64,
}

/// Capacity for next quarter (§2, §3, §10): the throughput target, own chips
/// at the lever's volume and merchant chips for the rest, scaled down to the
/// budget (§9); capacity bought now comes online next quarter as next
/// quarter's generation.
fn purchase(m: &MarketParams, p: &ProviderParams, s: &ProviderState, x: &PlanInputs) -> Purchase {
    let (g, w_next) = (x.hardware, x.w_next);
    let fleet_k = s.fleet.merchant_k + s.fleet.own_k;
    let prices = unit_prices(m, p, g, fleet_k, s.learned);
    let pen_next = sw_penalty(m, p, s.own_cum_k + p.self_chip_volume);
    // A provider whose cap is below its unit cost loses money on every token
    // it sells; it keeps what it served and buys no growth or headroom (§10).
    let target_tok_s = if x.capped {
        0.0
    } else {
        x.alloc.max(x.served) * x.growth * (1.0 + p.capacity_headroom) * 1e6 / SECONDS_PER_QUARTER / x.util / 1000.0
    };
    let mut after = s.fleet;
    if let Some(r) = s.retire.get(x.t as usize + 1) {
        after.sub(r);
    }
    let existing = fleet_tok_s(w_next, &after, pen_next, p.serving_efficiency);
    // One own unit: its bandwidth and compute, as in `make_vintage`.
    let own_unit_tok_s = w_next.tok_s(
        g.bandwidth_tb_s * p.own_chip_perf_ratio,
        g.tflops * p.own_chip_perf_ratio,
    ) * (1.0 - pen_next)
        * p.serving_efficiency;
    let merchant_unit_tok_s = w_next.tok_s(g.bandwidth_tb_s, g.tflops) * p.serving_efficiency;
    let mut own_k = p.self_chip_volume;
    let need = (target_tok_s - existing - own_k * own_unit_tok_s).max(0.0);
    let mut merchant_k = if merchant_unit_tok_s > 0.0 {
        need / merchant_unit_tok_s
    } else {
        0.0
    };
    let (mut vintage, mut capex) = make_vintage(m, p, g, &prices, merchant_k, own_k, x.life);
    let credit_limit = p.credit_line_musd + m.asset_ltv * s.book;
    let budget = (s.cash + x.ocf + (credit_limit - s.debt).max(0.0) - p.min_cash_musd).max(0.0);
    if capex > budget {
        // The own-chip programme cost is fixed, so only the units scale down;
        // when not even the programme is affordable, no own chips are built.
        let programme = if own_k > 0.0 { x.programme_q } else { 0.0 };
        if budget > programme {
            let f = (budget - programme) / (capex - programme);
            merchant_k *= f;
            own_k *= f;
        } else {
            own_k = 0.0;
            let (_, merchant_capex) = make_vintage(m, p, g, &prices, merchant_k, 0.0, x.life);
            if merchant_capex > budget {
                merchant_k *= budget / merchant_capex;
            }
        }
        (vintage, capex) = make_vintage(m, p, g, &prices, merchant_k, own_k, x.life);
    }
    Purchase {
        vintage,
        capex,
        own_k,
        credit_limit,
        breakeven_k: breakeven_volume_k(&prices, p, x.penalty, x.programme_q),
        own_unit_cost: prices.own_unit_cost,
    }
}

/// Cash after the quarter and the financing that keeps it at the minimum:
/// borrowing within the credit limit, or repaying from cash above twice the
/// minimum (§9). Returns (cash, financing).
fn finance(p: &ProviderParams, cash0: f64, debt: f64, ocf: f64, capex: f64, credit_limit: f64) -> (f64, f64) {
    let mut cash = cash0 + ocf - capex;
    let mut financing = 0.0;
    if cash < p.min_cash_musd {
        let borrow = (p.min_cash_musd - cash).min((credit_limit - debt).max(0.0));
        financing += borrow;
    } else if debt > 0.0 && cash > 2.0 * p.min_cash_musd {
        financing -= (cash - 2.0 * p.min_cash_musd).min(debt);
    }
    cash += financing;
    (cash, financing)
}

/// Ecosystem strength the provider's investment builds per quarter, before
/// the room left to build (§6): it changes only at keyframes.
fn ecosystem_invest_gain(m: &MarketParams, p: &ProviderParams) -> f64 {
    let invest = p.ecosystem_invest_musd / (p.ecosystem_invest_musd + m.ecosystem_invest_half_musd);
    m.ecosystem_invest_gain * invest
}

/// Next quarter's ecosystem strength: investment ([`ecosystem_invest_gain`])
/// and share build it, it decays (§6).
fn next_ecosystem(m: &MarketParams, invest_gain: f64, ecosystem: f64, share: f64) -> f64 {
    let gain = (invest_gain + m.ecosystem_base_gain * share) * (1.0 - ecosystem);
    (ecosystem + gain - m.ecosystem_decay_per_quarter * ecosystem).clamp(0.0, 1.0)
}

/// Next quarter's price pressure: scarcity lets a full provider raise its
/// price, losing share makes it cut, otherwise it relaxes towards 1 (§7).
fn next_pressure(p: &ProviderParams, pressure: f64, share_prev: f64, share: f64, alloc: f64, cap: f64) -> f64 {
    let excess = if cap > 1e-9 { alloc / cap - 1.0 } else { 0.0 };
    if excess > 0.02 {
        (pressure * (1.0 + SCARCITY_RAISE * excess.min(1.0))).min(MAX_SCARCITY_PRESSURE)
    } else if share_prev > 1e-9 && (share_prev - share) / share_prev > 0.02 {
        let loss = (share_prev - share) / share_prev;
        (pressure * (1.0 - (p.price_reaction * loss).min(0.5))).max(0.2)
    } else {
        pressure + 0.25 * (1.0 - pressure)
    }
}

/// The provider's share, cash and financing after the quarter.
struct Books {
    share: f64,
    cash: f64,
    financing: f64,
}

/// The output row of an active provider (§9 and Outputs), written after its
/// purchase and financing, before its ecosystem and pressure move.
fn provider_row(
    p: &ProviderParams,
    s: &ProviderState,
    q: &Scratch,
    i: usize,
    r: &Revenue,
    buy: &Purchase,
    b: &Books,
) -> ProviderQuarter {
    let total_units = s.fleet.merchant_k + s.fleet.own_k;
    ProviderQuarter {
        status: Status::Active,
        share: b.share,
        price_usd_per_mtok: q.s[i].price,
        cap_usd_per_mtok: q.s[i].caps,
        price_limit: q.s[i].limit,
        cost_usd_per_mtok: q.s[i].cost,
        tokens_mtok: q.s[i].served,
        demand_mtok: q.s[i].alloc,
        capacity_mtok: q.s[i].cap,
        utilization: if q.s[i].cap > 0.0 {
            q.s[i].util * q.s[i].served / q.s[i].cap
        } else {
            0.0
        },
        token_revenue_musd: r.token_rev,
        attached_revenue_musd: r.attached,
        revenue_musd: r.revenue,
        cogs_musd: r.cogs,
        gross_margin: r.gross_margin,
        opex_musd: r.opex,
        operating_profit_musd: r.operating_profit,
        net_profit_musd: r.net_profit,
        depreciation_musd: r.depreciation,
        interest_musd: r.interest,
        operating_cash_flow_musd: r.ocf,
        capex_musd: buy.capex,
        financing_musd: b.financing,
        cash_musd: b.cash,
        debt_musd: s.debt,
        ecosystem: s.ecosystem,
        self_chip_share: if total_units > 0.0 {
            (s.fleet.own_k / total_units).clamp(0.0, 1.0)
        } else {
            0.0
        },
        fleet_k: total_units,
        own_chip_unit_cost_usd: buy.own_unit_cost,
        own_chip_breakeven_k: if buy.breakeven_k.is_finite() {
            buy.breakeven_k
        } else {
            -1.0
        },
        self_chip_volume: p.self_chip_volume,
        ecosystem_lock_in: p.ecosystem_lock_in,
    }
}

/// The unit cost of the marginal open-model host: active providers in order of
/// unit cost (ties by position in the file), the first at which their summed
/// capacity reaches `depth` of all active capacity (§5). Infinite when no
/// provider is active; the cheapest provider's cost when no one has capacity.
fn marginal_host_cost(q: &[Slot], depth: f64, order: &mut Vec<usize>) -> f64 {
    // Insertion in file order, shifting only past strictly dearer hosts, is
    // the sort by cost with ties by position (a handful of providers).
    order.clear();
    for (i, x) in q.iter().enumerate().filter(|(_, x)| x.active) {
        let mut j = order.len();
        order.push(i);
        while j > 0 && q[order[j - 1]].cost.total_cmp(&x.cost).is_gt() {
            order[j] = order[j - 1];
            j -= 1;
        }
        order[j] = i;
    }
    let total: f64 = order.iter().map(|&i| q[i].cap).sum();
    let mut covered = 0.0;
    for &i in order.iter() {
        covered += q[i].cap;
        if covered >= depth * total {
            return q[i].cost;
        }
    }
    order.first().map_or(f64::INFINITY, |&i| q[i].cost)
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

fn apply(m: &mut MarketParams, pp: &mut [ProviderParams], target: ParamRef, v: f64) {
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
    s: &ProviderState,
    u: f64,
    fixed: &Fixed,
) -> f64 {
    let fleet_k = s.fleet.merchant_k + s.fleet.own_k;
    let prices = unit_prices(m, p, g, fleet_k, s.learned);
    let life_q = f64::from(fixed.life);
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
    let (base, _, _) = base_demand(m, &Usage::of(m), 0);
    let demand0 = base * price_factor(m, m.reference_price_usd_per_mtok);
    let life = life_quarters(m);
    let b = learning_exponent(m);
    pp.iter()
        .map(|p| {
            let target_tok_s =
                p.initial_share * demand0 * (1.0 + p.capacity_headroom) * 1e6 / SECONDS_PER_QUARTER / 1000.0;
            let penalty = sw_penalty(m, p, p.own_chip_cum_k);
            let learned = learning_factor(m, p.own_chip_cum_k, b);
            // Utilization depends on fleet size and fleet size on utilization: iterate.
            let mut units_k = 1.0;
            let mut vintage = Vintage::default();
            let mut capex = 0.0;
            for _ in 0..4 {
                let u = utilization(m, units_k, p.initial_ecosystem);
                let prices = unit_prices(m, p, g, units_k, learned);
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
                    slot.add(&slice);
                }
            }
            ProviderState::starting(p, vintage, book, retire)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Each step of the quarter on its own, with the default scenario's
    //! parameters, against the equations of docs/MODEL.md.
    use super::*;

    #[derive(serde::Deserialize)]
    struct FixtureProvider {
        params: ProviderParams,
    }

    #[derive(serde::Deserialize)]
    struct Fixture {
        market: MarketParams,
        hardware: Vec<HardwareGen>,
        providers: Vec<FixtureProvider>,
    }

    /// The default scenario's market, hardware and provider parameters.
    fn fixture() -> (MarketParams, Vec<HardwareGen>, Vec<ProviderParams>) {
        let f: Fixture = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(include_str!("../../assets/scenarios/default.ron"))
            .expect("the default scenario parses");
        (
            f.market,
            f.hardware,
            f.providers.into_iter().map(|p| p.params).collect(),
        )
    }

    fn state(p: &ProviderParams) -> ProviderState {
        ProviderState::starting(p, Vintage::default(), 0.0, vec![Vintage::default(); 4])
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    // §1 Demand

    #[test]
    fn first_quarter_demand_is_the_worked_example() {
        let (m, _, _) = fixture();
        // MODEL.md §1: 3.6e8 × (0.0524 + 0.2 × 0.1151) × 1 × (0.95 + 0.05 × 3) = 2.99e7 Mtok.
        let (base, production, mm) = base_demand(&m, &Usage::of(&m), 0);
        assert!(close(base, 2.99e7, 0.005), "{base}");
        assert!(close(production, 0.0524, 0.01), "{production}");
        assert!(close(mm, 0.05, 1e-9), "{mm}");
    }

    #[test]
    fn usage_starts_at_one_and_grows_at_the_starting_rate() {
        let (m, _, _) = fixture();
        let u = Usage::of(&m);
        assert_eq!(u.factor(0.0), 1.0);
        // Over a short step the growth is the starting yearly rate.
        let g = (u.factor(0.01) / u.factor(0.0)).powf(100.0);
        assert!(close(g, m.usage_growth_per_year, 0.01), "{g}");
        // Far out it approaches the final rate.
        let late = u.factor(21.0) / u.factor(20.0);
        assert!(close(late, m.usage_growth_final_per_year, 0.01), "{late}");
    }

    #[test]
    fn the_average_price_weights_last_quarters_shares() {
        let (_, _, pp) = fixture();
        let mut states: Vec<ProviderState> = pp.iter().take(2).map(state).collect();
        states[0].share_prev = 0.75;
        states[1].share_prev = 0.25;
        let q = [
            Slot {
                price: 1.0,
                ..Slot::EMPTY
            },
            Slot {
                price: 3.0,
                ..Slot::EMPTY
            },
        ];
        assert_eq!(weighted_price(&states, &q, 9.0), 1.5);
        states[0].share_prev = 0.0;
        states[1].share_prev = 0.0;
        assert_eq!(weighted_price(&states, &q, 9.0), 2.0);
        states[0].active = false;
        states[1].active = false;
        assert_eq!(weighted_price(&states, &q, 9.0), 9.0);
    }

    // §2 Hardware and unit cost

    #[test]
    fn fleet_cost_is_capital_power_and_operations() {
        let (m, hw, pp) = fixture();
        let p = &pp[0];
        let w = Workload::at(&m, 0);
        let prices = unit_prices(&m, p, &hw[0], 100.0, learning_factor(&m, 0.0, learning_exponent(&m)));
        let (v, _) = make_vintage(&m, p, &hw[0], &prices, 100.0, 0.0, life_quarters(&m));
        let fc = fleet_costs(&m, p, &v, &w, 0.0, 0.5);
        let tok_s = w.tok_s(v.bw_merchant, v.fl_merchant) * p.serving_efficiency;
        assert!(close(
            fc.capacity,
            tok_s * 1000.0 * SECONDS_PER_QUARTER * 0.5 / 1e6,
            1e-12
        ));
        let power = v.power * 1000.0 * p.pue * p.electricity_usd_per_kwh * HOURS_PER_QUARTER / 1e6;
        let ops = 100.0 * 1000.0 * m.ops_usd_per_accel_hour * HOURS_PER_QUARTER / 1e6;
        assert!(close(fc.cost, v.dep_q + v.rent_q + power + ops, 1e-12));
        // Half the utilization, half the capacity, the same cost.
        let half = fleet_costs(&m, p, &v, &w, 0.0, 0.25);
        assert!(close(half.capacity * 2.0, fc.capacity, 1e-12) && half.cost == fc.cost);
    }

    // §5, §7 Prices

    fn inputs(cost: f64) -> PriceInputs {
        PriceInputs {
            cost,
            edge: 0.0,
            closed_mult: 1.0,
            ecosystem: 0.0,
            pressure: 1.0,
            avg_price_prev: f64::NAN,
            min_price_prev: f64::NAN,
            ceiling: 1e6,
            open_host: 1e6,
        }
    }

    #[test]
    fn a_price_says_what_set_it() {
        let (m, _, pp) = fixture();
        let mut p = pp[0].clone();
        p.markup = 0.5;
        p.price_floor_vs_cost = 0.9;
        let free = price_of(&m, &p, PricingPolicy::CostPlus, &inputs(2.0));
        assert_eq!((free.price, free.limit), (3.0, PriceLimit::Policy));
        let low = PriceInputs {
            pressure: 0.5,
            ..inputs(2.0)
        };
        let floor = price_of(&m, &p, PricingPolicy::CostPlus, &low);
        assert_eq!((floor.price, floor.limit), (1.8, PriceLimit::Floor));
        let ceiling = price_of(
            &m,
            &p,
            PricingPolicy::CostPlus,
            &PriceInputs {
                ceiling: 2.5,
                ..inputs(2.0)
            },
        );
        assert_eq!(
            (ceiling.price, ceiling.limit, ceiling.ceiling_binds),
            (2.5, PriceLimit::Ceiling, true)
        );
        let open = PriceInputs {
            open_host: 1.0,
            ..inputs(2.0)
        };
        let capped = price_of(&m, &p, PricingPolicy::CostPlus, &open);
        assert_eq!(capped.limit, PriceLimit::OpenModelCap);
        assert!(capped.price < capped.cap + 1e-12 && !capped.ceiling_binds);
        // Match follows last quarter's average less its strength.
        p.policy_strength = 0.1;
        let matched = price_of(
            &m,
            &p,
            PricingPolicy::Match,
            &PriceInputs {
                avg_price_prev: 4.0,
                ..inputs(2.0)
            },
        );
        assert!(close(matched.price, 3.6, 1e-12));
    }

    // §6, §7 Customer choice and overflow

    #[test]
    fn cheaper_is_chosen_more_and_overflow_goes_to_spare_capacity() {
        let (m, _, pp) = fixture();
        let fixed = Fixed::of(&m, &pp);
        let cheap = utility(&m, &fixed, 0, 1.0, 2.0, 0.3);
        let dear = utility(&m, &fixed, 0, 3.0, 2.0, 0.3);
        assert!(cheap > dear);
        let slot = |active, alloc, cap, served| Slot {
            active,
            alloc,
            cap,
            served,
            weight: 1.0,
            ..Slot::EMPTY
        };
        let mut q = [
            slot(true, 10.0, 4.0, 4.0),
            slot(true, 2.0, 20.0, 2.0),
            slot(false, 0.0, 50.0, 0.0),
        ];
        place_overflow(&mut q);
        // The 6 the first could not serve go to the second; the exited third takes nothing.
        assert_eq!(q.map(|x| x.served), [4.0, 8.0, 0.0]);
    }

    // §9 Finance

    #[test]
    fn financing_borrows_to_the_minimum_and_repays_from_a_surplus() {
        let (_, _, pp) = fixture();
        let mut p = pp[0].clone();
        p.min_cash_musd = 100.0;
        // Short by 150, credit room 100: borrows 100 and ends at 50.
        assert_eq!(finance(&p, 0.0, 0.0, 50.0, 100.0, 100.0), (50.0, 100.0));
        // 500 of cash with 120 of debt: repays down to twice the minimum, at most the debt.
        assert_eq!(finance(&p, 500.0, 120.0, 0.0, 0.0, 1000.0), (380.0, -120.0));
        // Between the minimum and twice it: nothing moves.
        assert_eq!(finance(&p, 150.0, 120.0, 0.0, 0.0, 1000.0), (150.0, 0.0));
    }

    #[test]
    fn revenue_charges_the_commitment_discount_on_locked_tokens() {
        let (m, _, pp) = fixture();
        let p = &pp[0];
        let mut s = state(p);
        s.ecosystem = 0.0;
        let sales = Sales {
            locked: 0.0,
            served: 2e6,
            price: 1.5,
            fleet_cost: 1.0,
        };
        let rate = commitment_rate(m.commitment_discount, 0.5);
        let free = revenue(p, rate, &s, &sales);
        assert!(close(free.token_rev, 3.0, 1e-12) && free.attached == 0.0);
        let held = revenue(p, rate, &s, &Sales { locked: 2e6, ..sales });
        assert!(close(held.token_rev, 3.0 * (1.0 - rate), 1e-12));
        assert!(close(held.net_profit, held.operating_profit - held.interest, 1e-12));
    }

    // §10 Fleet planning

    #[test]
    fn growth_is_smoothed_after_the_first_quarter_and_clamped() {
        assert!(close(smoothed_growth(0.0, 2.0, true), 2f64.ln(), 1e-12));
        assert!(close(smoothed_growth(0.0, 10.0, true), 3f64.ln(), 1e-12));
        let g = smoothed_growth(1.0, 1.0, false);
        assert!(close(g, GROWTH_SMOOTHING, 1e-12), "{g}");
    }

    #[test]
    fn a_purchase_fills_the_target_and_stays_within_the_budget() {
        let (m, hw, pp) = fixture();
        let mut p = pp[3].clone();
        p.self_chip_volume = 0.0;
        let fixed = Fixed::of(&m, std::slice::from_ref(&p));
        let w = Workload::at(&m, 1);
        let mut s = state(&p);
        s.cash = 1e9;
        let mut plan = PlanInputs {
            t: 0,
            capped: false,
            alloc: 1e7,
            served: 1e7,
            growth: 1.5,
            util: 0.7,
            penalty: 0.0,
            ocf: 0.0,
            life: fixed.life,
            programme_q: fixed.programme_q[0],
            w_next: &w,
            hardware: &hw[0],
        };
        let rich = purchase(&m, &p, &s, &plan);
        let bought = w.tok_s(rich.vintage.bw_merchant, rich.vintage.fl_merchant) * p.serving_efficiency;
        let target = 1e7 * 1.5 * (1.0 + p.capacity_headroom) * 1e6 / SECONDS_PER_QUARTER / 0.7 / 1000.0;
        assert!(close(bought, target, 1e-9), "{bought} against {target}");
        // Capped below its cost, it buys nothing for demand (§10).
        plan.capped = true;
        assert!(purchase(&m, &p, &s, &plan).capex <= 1e-9);
        plan.capped = false;
        // Without cash or credit the purchase shrinks to what the budget allows.
        s.cash = p.min_cash_musd;
        p.credit_line_musd = 0.0;
        let poor = purchase(&m, &p, &s, &plan);
        assert!(poor.capex <= 1e-9, "{}", poor.capex);
    }

    // §6, §7 Ecosystem and price pressure

    #[test]
    fn ecosystem_and_pressure_move_as_documented() {
        let (m, _, pp) = fixture();
        let p = &pp[1];
        let gain = ecosystem_invest_gain(&m, p);
        let e = next_ecosystem(&m, gain, 0.5, 0.3);
        assert!((0.0..=1.0).contains(&e));
        assert!(next_ecosystem(&m, gain, 0.5, 0.6) > e, "share builds the ecosystem");
        // Scarcity raises the price, at most to twice the policy price.
        assert!(close(
            next_pressure(p, 1.0, 0.2, 0.2, 15.0, 10.0),
            1.0 + SCARCITY_RAISE * 0.5,
            1e-12
        ));
        assert_eq!(next_pressure(p, 1.9, 0.2, 0.2, 100.0, 10.0), MAX_SCARCITY_PRESSURE);
        // Losing share cuts it; otherwise it relaxes a quarter of the way to 1.
        assert!(next_pressure(p, 1.0, 0.2, 0.1, 1.0, 10.0) < 1.0);
        assert!(close(next_pressure(p, 0.6, 0.2, 0.2, 1.0, 10.0), 0.7, 1e-12));
    }

    // Keyframe-constant figures

    #[test]
    fn fixed_figures_are_the_per_quarter_formulas() {
        let (mut m, _, pp) = fixture();
        m.open_source_parity = 0.4;
        let f = Fixed::of(&m, &pp);
        let closed = (1.0 + m.closed_premium_at_parity).powf(0.4) * (1.0 + m.closed_premium_max).powf(0.6);
        assert_eq!(f.closed_mult, closed);
        assert_eq!(f.learning_b, -(1.0 - m.own_chip_learning_rate).log2());
        assert_eq!(f.edge[2], pp[2].exclusive_model * 0.6);
        assert_eq!(f.programme_q[0], programme_cost_q(&m, &pp[0]));
        assert_eq!(f.commitment[1], commitment_rate(m.commitment_discount, f.lock_in[1]));
        let invest = pp[1].ecosystem_invest_musd / (pp[1].ecosystem_invest_musd + m.ecosystem_invest_half_musd);
        assert_eq!(f.invest_gain[1], m.ecosystem_invest_gain * invest);
        assert_eq!(f.life, life_quarters(&m));
    }

    #[test]
    fn a_keyframe_on_the_learning_curve_applies_from_its_quarter() {
        use crate::sim::scenario::Keyframe;
        let mut sc = crate::document::presets::default_scenario();
        // A provider that stopped making chips: its cumulative volume stands
        // still, so only the keyframe can move its learning curve.
        sc.providers[0].params.self_chip_volume = 0.0;
        sc.providers[0].params.own_chip_cum_k = 500.0;
        let at = 8;
        let pos = sc
            .keyframes
            .iter()
            .position(|k| k.at > at)
            .unwrap_or(sc.keyframes.len());
        sc.keyframes.insert(
            pos,
            Keyframe {
                at,
                target: ParamRef::Market(MarketKey::own_chip_ref_volume_k),
                value: 1.0,
            },
        );
        let mut sim = Sim::new(&sc, sc.quarters);
        for t in 0..at {
            sim.quarter(t);
        }
        let before: Vec<f64> = sim.states.iter().map(|s| s.own_cum_k).collect();
        sim.quarter(at);
        let b = learning_exponent(&sim.m);
        let mut learning = 0;
        for (i, p) in sim.pp.iter().enumerate() {
            let row = &sim.rows[at as usize * sim.n + i];
            if row.status != Status::Active {
                continue;
            }
            let factor = learning_factor(&sim.m, before[i], b);
            assert_eq!(
                row.own_chip_unit_cost_usd,
                p.own_chip_unit_cost_usd * factor,
                "provider {i}"
            );
            if factor < 1.0 {
                learning += 1;
            }
        }
        // The new reference volume puts the first provider on the learning curve.
        assert!(learning > 0);
    }
}
