//! Every numeric parameter of the model, with its unit, allowed range and meaning.
//!
//! One table per owner (the market, a provider) generates the struct, a key enum,
//! and `get`/`set` by key, so the strategy-file format, `--set`, keyframes, the
//! dashboard's parameter view and `docs/MODEL.md` all read the same list.
//! Defaults are not here: they live in the built-in default scenario
//! (`assets/scenarios/default.ron`), the single place a default is written down.

use super::levers as L;
use super::unit::Unit;
use super::unit::Unit as U;
use serde::{Deserialize, Serialize};

/// What the program knows about one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub unit: Unit,
    pub min: f64,
    pub max: f64,
    pub doc: &'static str,
}

impl ParamSpec {
    /// `Some(message)` when `v` is not allowed.
    pub fn check(&self, v: f64) -> Option<String> {
        if !v.is_finite() {
            return Some(format!("{v} is not a number; allowed {}", self.range_text()));
        }
        if v < self.min || v > self.max {
            return Some(format!("{v} is out of range; allowed {}", self.range_text()));
        }
        None
    }

    pub fn range_text(&self) -> String {
        if self.unit.label().is_empty() {
            format!("{} to {}", fmt_num(self.min), fmt_num(self.max))
        } else {
            format!("{} to {} ({})", fmt_num(self.min), fmt_num(self.max), self.unit.label())
        }
    }
}

fn fmt_num(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

macro_rules! param_table {
    (
        $(#[$smeta:meta])*
        struct $name:ident, key $key:ident {
            $( $(#[$fmeta:meta])* $field:ident : $unit:expr, [$min:expr, $max:expr], $doc:literal; )*
        }
    ) => {
        $(#[$smeta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( #[doc = $doc] $(#[$fmeta])* pub $field: f64, )*
        }

        /// Names one field of the parameter struct.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $key {
            $( $field, )*
        }

        impl $key {
            pub const ALL: &'static [$key] = &[$($key::$field),*];

            pub fn spec(self) -> ParamSpec {
                match self {
                    $( $key::$field => ParamSpec {
                        name: stringify!($field),
                        unit: $unit,
                        min: $min,
                        max: $max,
                        doc: $doc,
                    }, )*
                }
            }

            pub fn name(self) -> &'static str {
                self.spec().name
            }

            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.name() == name)
            }
        }

        impl $name {
            pub fn get(&self, k: $key) -> f64 {
                match k { $( $key::$field => self.$field, )* }
            }

            pub fn set(&mut self, k: $key, v: f64) {
                match k { $( $key::$field => self.$field = v, )* }
            }

            /// Every field that is out of range, as (key, message).
            pub fn problems(&self) -> Vec<($key, String)> {
                $key::ALL
                    .iter()
                    .filter_map(|&k| k.spec().check(self.get(k)).map(|m| (k, m)))
                    .collect()
            }
        }
    };
}

param_table! {
    /// Market-wide parameters: demand, the inference workload, hardware economics,
    /// open-source parity, the price ceiling, customer choice and scale effects.
    struct MarketParams, key MarketKey {
        open_source_parity: U::Fraction, [L::PARITY.min, L::PARITY.max], "How close the best open model is to the best closed one (1 = parity).";
        price_ceiling_usd_per_mtok: U::UsdPerMtok, [L::CEILING.min, L::CEILING.max], "Cap above which no provider can price inference, at the quarter it is set (the start, or a keyframe's quarter); indexation moves it with the cost of serving after that.";
        #[serde(default)]
        price_ceiling_indexation: U::Fraction, [0.0, 1.0], "How far the price ceiling follows the hardware cost of serving a token after it is set, as a regulated cap follows productivity (RPI−X): 0 holds it fixed in dollars, 1 moves it in proportion.";
        demand_at_full_adoption_mtok: U::MtokPerQuarter, [1.0, 1e13], "Token demand in the first quarter if every enterprise were in production, at the reference price.";
        reference_price_usd_per_mtok: U::UsdPerMtok, [0.001, 10000.0], "Price at which base demand is measured (elasticity pivot).";
        price_elasticity: U::Number, [0.0, 3.0], "Demand ∝ (price / reference price)^-elasticity.";
        usage_growth_per_year: U::Times("× per year"), [0.5, 100.0], "Growth of tokens per adopting enterprise in the first quarter (reasoning, agents, more use cases).";
        #[serde(default = "added_in_v3")]
        usage_growth_final_per_year: U::Times("× per year"), [0.5, 100.0], "Growth of tokens per adopting enterprise in the long run.";
        #[serde(default = "added_in_v3")]
        usage_growth_half_life_years: U::Years, [0.1, 100.0], "Years in which the excess of usage growth over its long-run value halves.";
        pilot_midpoint_quarters: U::QuartersFromStart, [-40.0, 200.0], "Quarter at which half of the adoption ceiling has started pilots.";
        adoption_steepness: U::PerQuarter, [0.01, 2.0], "Steepness of the pilot S-curve.";
        adoption_lag_quarters: U::Quarters, [0.0, 40.0], "Delay from pilot to production (data preparation, process change).";
        adoption_ceiling: U::Share("share of enterprises"), [0.01, 1.0], "Share of enterprises that eventually pilot AI.";
        abandonment: U::Share("share of pilots"), [0.0, 0.95], "Share of pilots abandoned before production.";
        pilot_token_weight: U::Times("× production use"), [0.0, 1.0], "Tokens a pilot uses relative to a production deployment.";
        multimodal_share_start: U::Share("share of requests"), [0.0, 1.0], "Share of requests that are multimodal in the first quarter.";
        multimodal_share_growth_per_year: U::PerYear, [0.0, 0.5], "Yearly rise of the multimodal share of requests.";
        multimodal_share_max: U::Share("share of requests"), [0.0, 1.0], "Upper bound of the multimodal share.";
        multimodal_token_weight: U::Times("× a text request"), [1.0, 50.0], "Tokens of a multimodal request relative to a text request.";
        demand_noise_sd: U::LogUnits, [0.0, 0.5], "Standard deviation of the quarterly demand shock (seeded).";
        active_params_b: U::BillionParams, [0.1, 10000.0], "Active parameters read per decoded token, traffic-weighted, first quarter.";
        active_params_decline_per_year: U::Share("share per year"), [0.0, 0.9], "Yearly fall of active parameters per token (distillation, mixture of experts).";
        #[serde(default = "added_in_v3")]
        serving_gain_per_year: U::Times("× per year"), [0.5, 10.0], "Yearly gain in tokens per second per accelerator from serving software (batching, quantisation, speculative decoding, caching).";
        bytes_per_param: U::Bytes, [0.125, 8.0], "Bytes per weight (2 = FP16, 1 = FP8).";
        decode_batch: U::Sequences, [1.0, 4096.0], "Sequences decoded together; weights are read once per step for the whole batch.";
        kv_gb_per_sequence: U::Gigabytes, [0.0, 1000.0], "Key-value cache read per sequence per decode step.";
        bandwidth_utilization: U::Fraction, [0.01, 1.0], "Share of peak memory bandwidth reached in decode (MBU).";
        compute_utilization: U::Fraction, [0.01, 1.0], "Share of peak FLOPs reached (MFU).";
        vendor_gross_margin: U::Fraction, [0.0, 0.95], "Merchant chip vendor's gross margin; price = build cost / (1 - margin).";
        system_cost_usd: U::UsdPerAccelerator, [0.0, 1e6], "Server, network and storage around each accelerator.";
        facility_capex_usd_per_kw: U::UsdPerKw, [0.0, 1e6], "Data-centre build cost per kW of IT load.";
        depreciation_years: U::Years, [1.0, 15.0], "Useful life of accelerators and servers; retired after it.";
        ops_usd_per_accel_hour: U::UsdPerAcceleratorHour, [0.0, 100.0], "Operations staff and maintenance per accelerator.";
        generation_cadence_quarters: U::Quarters, [1.0, 40.0], "Quarters between chip generations; own-chip design cost is spread over one generation.";
        closed_premium_at_parity: U::Times("× open price"), [0.0, 100.0], "Premium a closed model still commands over hosted open models at full parity.";
        closed_premium_max: U::Times("× open price"), [0.0, 10000.0], "Premium a closed model can command over hosted open models at zero parity.";
        open_host_markup: U::Share("share of cost"), [0.0, 10.0], "Markup of the marginal open-model host over its unit cost.";
        #[serde(default = "added_in_v3")]
        open_host_depth: U::Share("share of capacity"), [0.0, 1.0], "Share of the market's capacity, cheapest first, that open-model hosting needs; the host where it is reached sets the open-model price.";
        #[serde(default = "added_in_v3")]
        scarcity_price_exponent: U::Number, [0.0, 10.0], "Open-model price rises as (last quarter's demand / capacity)^exponent when capacity is short.";
        #[serde(default = "added_in_v3")]
        ecosystem_price_premium: U::Times("× open price"), [0.0, 10.0], "Premium over hosted open models that a full ecosystem commands (integration, support, data gravity).";
        price_sensitivity: U::Number, [0.0, 50.0], "Logit weight on log price in customer choice.";
        #[serde(default = "added_in_v3")]
        parity_price_sensitivity: U::Number, [0.0, 50.0], "Extra logit weight on log price at full parity (models become interchangeable).";
        #[serde(default = "added_in_v3")]
        lock_in_aversion: U::Number, [0.0, 50.0], "Logit penalty per unit of lock-in: free buyers avoid providers that press lock-in.";
        #[serde(default = "added_in_v3")]
        commitment_discount: U::Share("share of price"), [0.0, 1.0], "Discount on locked-in customers' tokens per unit of lock-in (the commitment deal that buys it).";
        #[serde(default = "added_in_v3")]
        lock_in_cap: U::Fraction, [0.0, 1.0], "Highest lock-in that switching rules allow (regulation); effective lock-in is the lower of it and the provider's.";
        quality_weight: U::Number, [0.0, 50.0], "Logit weight on effective exclusive-model edge.";
        ecosystem_weight: U::Number, [0.0, 50.0], "Logit weight on ecosystem strength.";
        exclusive_price_premium: U::Times("× cost-plus price"), [0.0, 100.0], "Extra price an exclusive model earns per unit of effective edge.";
        max_utilization: U::Fraction, [0.05, 1.0], "Highest average fleet utilization a very large provider reaches.";
        scale_utilization_k: U::Number, [0.0, 10.0], "Utilization = max × (1 - k / sqrt(fleet in thousands)).";
        ecosystem_utilization_bonus: U::Fraction, [0.0, 0.5], "Extra utilization at full ecosystem strength (steady attached workloads).";
        volume_discount_max: U::Fraction, [0.0, 0.9], "Largest discount on merchant chips for the biggest buyers.";
        volume_discount_half_k: U::KAccelerators, [0.001, 1e6], "Fleet size at which half the largest discount is reached.";
        asset_ltv: U::Fraction, [0.0, 1.0], "Credit available against the book value of owned hardware.";
        rental_markup: U::Share("share of owner cost"), [0.0, 10.0], "Markup of rented capacity over the cost of owning it.";
        ecosystem_decay_per_quarter: U::Share("share per quarter"), [0.0, 1.0], "Ecosystem strength lost each quarter without renewal.";
        ecosystem_invest_gain: U::PerQuarter, [0.0, 1.0], "Ecosystem gain at saturated investment.";
        ecosystem_invest_half_musd: U::MusdPerQuarter, [0.001, 1e6], "Investment that reaches half the saturated gain.";
        ecosystem_base_gain: U::PerQuarterPerShare, [0.0, 1.0], "Ecosystem gain from the installed base (market share).";
        own_chip_learning_rate: U::Share("share per doubling"), [0.0, 0.9], "Wright's law: own-chip unit cost falls by this share per doubling of cumulative volume.";
        own_chip_ref_volume_k: U::KUnits, [0.001, 1e7], "Cumulative own-chip volume up to which a chip costs `own_chip_unit_cost_usd`; learning lowers the cost beyond it.";
        sw_maturity_half_volume_k: U::KUnits, [0.001, 1e7], "Cumulative own-chip volume that halves the software-maturity penalty.";
    }
}

param_table! {
    /// One provider's parameters: starting position, own-silicon programme,
    /// pricing, ecosystem, cost structure and financing.
    struct ProviderParams, key ProviderKey {
        self_chip_volume: U::KAcceleratorsPerQuarter, [L::CHIP_VOLUME.min, L::CHIP_VOLUME.max], "Own-silicon accelerators deployed per quarter.";
        ecosystem_lock_in: U::Fraction, [L::LOCK_IN.min, L::LOCK_IN.max], "Share of last quarter's customers held by contracts and switching costs, whatever the prices.";
        initial_share: U::Fraction, [0.0, 1.0], "Share of token demand served in the first quarter.";
        initial_cash_musd: U::Musd, [0.0, 1e7], "Cash at the start.";
        initial_debt_musd: U::Musd, [0.0, 1e7], "Debt at the start.";
        initial_ecosystem: U::Fraction, [0.0, 1.0], "Ecosystem strength at the start.";
        initial_own_chip_share: U::Fraction, [0.0, 1.0], "Share of the starting fleet that is own silicon.";
        own_chip_cum_k: U::KUnits, [0.0, 1e7], "Own-silicon units built before the start (learning-curve position).";
        own_chip_unit_cost_usd: U::Usd, [100.0, 1e6], "Own-chip unit cost of a programme's first units (up to the reference volume), design partner's margin included.";
        own_chip_perf_ratio: U::Times("× merchant bandwidth"), [0.05, 5.0], "Own chip's memory bandwidth and FLOPs relative to the current merchant generation.";
        own_chip_power_ratio: U::Times("× merchant power"), [0.05, 5.0], "Own chip's power relative to the current merchant generation.";
        own_chip_nre_musd: U::MusdPerGeneration, [0.0, 1e5], "Design (NRE) cost of one own-chip generation.";
        own_chip_software_musd_per_year: U::MusdPerYear, [0.0, 1e5], "Compiler, kernels and framework support for own silicon.";
        own_chip_sw_penalty: U::Fraction, [0.0, 0.95], "Throughput lost to immature software on a young own-chip programme.";
        exclusive_model: U::Fraction, [0.0, 1.0], "Quality edge of the provider's exclusive models over open ones at zero parity.";
        model_rnd_musd: U::MusdPerQuarter, [0.0, 1e5], "Spending to keep an exclusive model at the frontier.";
        markup: U::Share("share of cost"), [0.0, 50.0], "Target markup over unit cost.";
        policy_strength: U::Fraction, [0.0, 1.0], "Undercut depth or premium size, depending on the pricing policy.";
        price_reaction: U::Number, [0.0, 10.0], "How hard the provider cuts price per unit of relative share lost.";
        price_floor_vs_cost: U::Times("× unit cost"), [0.0, 5.0], "Lowest price the provider accepts, relative to its unit cost.";
        serving_efficiency: U::Times("× tokens per second"), [0.1, 10.0], "Serving-software throughput relative to the market's baseline (batching, quantization, caching).";
        rented_fraction: U::Fraction, [0.0, 1.0], "Share of new capacity rented instead of bought.";
        pue: U::Ratio, [1.0, 3.0], "Power usage effectiveness of the provider's data centres.";
        electricity_usd_per_kwh: U::UsdPerKwh, [0.0, 2.0], "Electricity price.";
        overhead_musd: U::MusdPerQuarter, [0.0, 1e5], "Fixed overhead (staff, sales organisation, offices).";
        sales_cost_share: U::Share("share of revenue"), [0.0, 0.9], "Selling and support cost that scales with revenue.";
        ecosystem_invest_musd: U::MusdPerQuarter, [0.0, 1e5], "Spending on developer tools, services and partners.";
        attach_ratio: U::Times("× token revenue"), [0.0, 50.0], "Attached cloud revenue per dollar of token revenue at full ecosystem strength.";
        attached_margin: U::Fraction, [0.0, 1.0], "Gross margin of attached cloud services.";
        capacity_headroom: U::Share("share of demand"), [0.0, 5.0], "Spare capacity bought above expected demand.";
        interest_rate: U::PerYear, [0.0, 1.0], "Interest on debt.";
        credit_line_musd: U::Musd, [0.0, 1e7], "Unsecured credit available on top of asset-backed borrowing.";
        min_cash_musd: U::Musd, [0.0, 1e7], "Cash kept on hand; the provider borrows to stay above it.";
    }
}

impl MarketKey {
    /// Parameters added in schema version 3 (see [`added_in_v3`]).
    pub const ADDED_IN_V3: [MarketKey; 10] = [
        MarketKey::serving_gain_per_year,
        MarketKey::open_host_depth,
        MarketKey::usage_growth_final_per_year,
        MarketKey::usage_growth_half_life_years,
        MarketKey::scarcity_price_exponent,
        MarketKey::ecosystem_price_premium,
        MarketKey::parity_price_sensitivity,
        MarketKey::lock_in_aversion,
        MarketKey::commitment_discount,
        MarketKey::lock_in_cap,
    ];
}

impl ProviderKey {
    /// Parameters that describe the starting position: they act only at the first
    /// quarter, so they are set for the whole run and never keyframed.
    pub fn is_start_only(self) -> bool {
        matches!(
            self,
            ProviderKey::initial_share
                | ProviderKey::initial_cash_musd
                | ProviderKey::initial_debt_musd
                | ProviderKey::initial_ecosystem
                | ProviderKey::initial_own_chip_share
                | ProviderKey::own_chip_cum_k
        )
    }
}

/// How a provider sets its price each quarter (before the ceilings apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingPolicy {
    /// Unit cost × (1 + markup), times the exclusive-model premium.
    CostPlus,
    /// Last quarter's served-weighted market price, less `policy_strength`.
    Match,
    /// Last quarter's lowest price minus `policy_strength`.
    Undercut,
    /// Cost-plus raised by `policy_strength`.
    Premium,
}

impl PricingPolicy {
    pub const ALL: [PricingPolicy; 4] = [Self::CostPlus, Self::Match, Self::Undercut, Self::Premium];

    pub fn name(self) -> &'static str {
        match self {
            Self::CostPlus => "cost_plus",
            Self::Match => "match",
            Self::Undercut => "undercut",
            Self::Premium => "premium",
        }
    }
}

/// Serde default of parameters added in schema version 3: "not written". A
/// file of an older version gets the built-in default scenario's value
/// (`file::fill_added_parameters`); in a version-3 file the gap is an error.
pub fn added_in_v3() -> f64 {
    f64::NAN
}

/// One merchant accelerator generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareGen {
    pub name: String,
    /// First quarter it can be bought, like "2025Q1".
    pub available: String,
    pub bandwidth_tb_s: f64,
    pub hbm_gb: f64,
    pub tflops: f64,
    /// Accelerator plus its share of the server, in kW.
    pub power_kw: f64,
    /// Vendor's cost to build one; the list price adds the vendor's margin.
    pub build_cost_usd: f64,
}

/// Allowed ranges of the hardware fields, as (field, min, max, unit).
pub const HARDWARE_RANGES: [(&str, f64, f64, &str); 5] = [
    ("bandwidth_tb_s", 0.01, 1000.0, "TB/s"),
    ("hbm_gb", 1.0, 100000.0, "GB"),
    ("tflops", 1.0, 1e7, "TFLOPs"),
    ("power_kw", 0.01, 100.0, "kW"),
    ("build_cost_usd", 10.0, 1e7, "USD"),
];

impl HardwareGen {
    pub fn field(&self, name: &str) -> f64 {
        match name {
            "bandwidth_tb_s" => self.bandwidth_tb_s,
            "hbm_gb" => self.hbm_gb,
            "tflops" => self.tflops,
            "power_kw" => self.power_kw,
            _ => self.build_cost_usd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_round_trips_by_name() {
        for &k in MarketKey::ALL {
            assert_eq!(MarketKey::from_name(k.name()), Some(k));
            assert!(k.spec().min < k.spec().max, "{}", k.name());
        }
        for &k in ProviderKey::ALL {
            assert_eq!(ProviderKey::from_name(k.name()), Some(k));
            assert!(k.spec().min < k.spec().max, "{}", k.name());
        }
    }

    #[test]
    fn check_names_the_range() {
        let s = MarketKey::open_source_parity.spec();
        assert_eq!(s.check(0.5), None);
        assert!(s.check(1.5).unwrap().contains("0 to 1"));
        assert!(s.check(f64::NAN).unwrap().contains("not a number"));
    }
}
