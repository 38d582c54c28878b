//! The engine's output: one row per provider per quarter, one market row per
//! quarter, and the events, all plain data for the dashboard, the CLI and tests.

use super::quarter::Quarter;
use super::scenario::{ParamRef, Scenario};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Exited,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Exited => "exited",
        }
    }
}

/// One provider in one quarter. Money in million USD per quarter, prices in USD
/// per million tokens, tokens in million tokens per quarter, shares as fractions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProviderQuarter {
    pub status: Status,
    pub share: f64,
    pub price_usd_per_mtok: f64,
    /// The provider's cap this quarter: the lower of the user's price ceiling and
    /// its open-model cap (MODEL.md §5).
    pub cap_usd_per_mtok: f64,
    /// What set the price: the policy, the floor, the open-model cap or the ceiling.
    pub price_limit: PriceLimit,
    pub cost_usd_per_mtok: f64,
    pub tokens_mtok: f64,
    pub demand_mtok: f64,
    pub capacity_mtok: f64,
    pub utilization: f64,
    pub token_revenue_musd: f64,
    pub attached_revenue_musd: f64,
    pub revenue_musd: f64,
    pub cogs_musd: f64,
    pub gross_margin: f64,
    pub opex_musd: f64,
    pub operating_profit_musd: f64,
    /// Operating profit less interest.
    pub net_profit_musd: f64,
    pub depreciation_musd: f64,
    pub interest_musd: f64,
    pub operating_cash_flow_musd: f64,
    pub capex_musd: f64,
    pub financing_musd: f64,
    pub cash_musd: f64,
    pub debt_musd: f64,
    pub ecosystem: f64,
    pub self_chip_share: f64,
    pub fleet_k: f64,
    pub own_chip_unit_cost_usd: f64,
    pub own_chip_breakeven_k: f64,
    pub self_chip_volume: f64,
    pub ecosystem_lock_in: f64,
}

impl ProviderQuarter {
    pub(crate) const EXITED: ProviderQuarter = ProviderQuarter {
        status: Status::Exited,
        share: 0.0,
        price_usd_per_mtok: 0.0,
        cap_usd_per_mtok: 0.0,
        price_limit: PriceLimit::Policy,
        cost_usd_per_mtok: 0.0,
        tokens_mtok: 0.0,
        demand_mtok: 0.0,
        capacity_mtok: 0.0,
        utilization: 0.0,
        token_revenue_musd: 0.0,
        attached_revenue_musd: 0.0,
        revenue_musd: 0.0,
        cogs_musd: 0.0,
        gross_margin: 0.0,
        opex_musd: 0.0,
        operating_profit_musd: 0.0,
        net_profit_musd: 0.0,
        depreciation_musd: 0.0,
        interest_musd: 0.0,
        operating_cash_flow_musd: 0.0,
        capex_musd: 0.0,
        financing_musd: 0.0,
        cash_musd: 0.0,
        debt_musd: 0.0,
        ecosystem: 0.0,
        self_chip_share: 0.0,
        fleet_k: 0.0,
        own_chip_unit_cost_usd: 0.0,
        own_chip_breakeven_k: 0.0,
        self_chip_volume: 0.0,
        ecosystem_lock_in: 0.0,
    };
}

/// The market in one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MarketQuarter {
    pub demand_mtok: f64,
    pub served_mtok: f64,
    pub avg_price_usd_per_mtok: f64,
    /// The user's price ceiling in force (the lever).
    pub price_ceiling_usd_per_mtok: f64,
    /// The market's open-model cap: what a fully exclusive model without an
    /// ecosystem could charge over hosted open models.
    pub open_model_cap_usd_per_mtok: f64,
    pub open_host_price_usd_per_mtok: f64,
    /// Demand over the capacity of active providers (above 1: a shortage).
    pub tightness: f64,
    pub open_source_parity: f64,
    pub adoption: f64,
    pub multimodal_share: f64,
    pub gb_per_token: f64,
    pub hardware_gen: usize,
    pub price_war: bool,
}

impl MarketQuarter {
    /// The share of demand no provider served (0 when demand is met).
    pub fn unserved_share(&self) -> f64 {
        if self.demand_mtok > 0.0 {
            ((self.demand_mtok - self.served_mtok) / self.demand_mtok).max(0.0)
        } else {
            0.0
        }
    }
}

/// What decided a provider's price in a quarter (MODEL.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceLimit {
    /// The pricing policy (with its pressure) set the price.
    Policy,
    /// The policy price was below the provider's floor.
    Floor,
    /// The provider's open-model cap was the lower cap and bound.
    OpenModelCap,
    /// The user's price ceiling was the lower cap and bound.
    Ceiling,
}

impl PriceLimit {
    pub fn name(self) -> &'static str {
        match self {
            PriceLimit::Policy => "policy",
            PriceLimit::Floor => "floor",
            PriceLimit::OpenModelCap => "open-model cap",
            PriceLimit::Ceiling => "price ceiling",
        }
    }

    /// The name in CSV and JSON.
    pub fn key(self) -> &'static str {
        match self {
            PriceLimit::Policy => "policy",
            PriceLimit::Floor => "floor",
            PriceLimit::OpenModelCap => "open_model_cap",
            PriceLimit::Ceiling => "ceiling",
        }
    }

    /// True when a cap, not the provider's own choice, set the price.
    pub fn is_cap(self) -> bool {
        matches!(self, PriceLimit::OpenModelCap | PriceLimit::Ceiling)
    }
}

/// Something worth a line in the event log.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    KeyframeApplied {
        target: ParamRef,
        value: f64,
    },
    HardwareGeneration {
        generation: usize,
    },
    ParityCrossed {
        threshold: f64,
        rising: bool,
    },
    PriceWarStarted {
        below_cost: usize,
    },
    PriceWarEnded,
    OwnSiliconBreakEven {
        provider: usize,
    },
    OwnSiliconBelowBreakEven {
        provider: usize,
    },
    /// The provider's cap fell below its unit cost; `ceiling` when the user's
    /// price ceiling, not the open-model cap, is that cap.
    CeilingBelowCost {
        provider: usize,
        ceiling: bool,
    },
    CapacityShortage {
        unserved_share: f64,
    },
    ShortageEnded,
    /// The provider left the market: `capped` when its cap stayed below its
    /// unit cost too long (§9), otherwise its cash and credit ran out.
    ProviderExited {
        provider: usize,
        capped: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Event {
    /// Quarter index from the start.
    pub at: u32,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Serialize for ParamRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = match self {
            ParamRef::Market(k) => format!("market.{}", k.name()),
            ParamRef::Provider(i, k) => format!("providers[{i}].{}", k.name()),
        };
        s.serialize_str(&text)
    }
}

impl Event {
    /// One line for the log, e.g. "NeoCloud exits: cash and credit run out".
    pub fn message(&self, sc: &Scenario) -> String {
        let name = |i: usize| sc.providers.get(i).map_or("?", |p| p.name.as_str()).to_string();
        match self.kind {
            // In the unit the lever shows: "set to 85%", "set to $12.0/Mtok".
            EventKind::KeyframeApplied { target, value } => {
                format!("{} set to {}", sc.param_label(target), target.spec().unit.format(value))
            }
            EventKind::HardwareGeneration { generation } => {
                let g = sc.hardware.get(generation);
                g.map_or_else(String::new, |g| {
                    format!("{} available: {} TB/s, {} GB", g.name, g.bandwidth_tb_s, g.hbm_gb)
                })
            }
            EventKind::ParityCrossed { threshold, rising } => format!(
                "open-source parity {} {:.0}%",
                if rising { "rises above" } else { "falls below" },
                threshold * 100.0
            ),
            EventKind::PriceWarStarted { below_cost } => {
                format!("price war: {below_cost} providers price below unit cost")
            }
            EventKind::PriceWarEnded => "price war ends".to_string(),
            EventKind::OwnSiliconBreakEven { provider } => {
                format!(
                    "{}: own silicon passes break-even against merchant chips",
                    name(provider)
                )
            }
            EventKind::OwnSiliconBelowBreakEven { provider } => {
                format!(
                    "{}: own silicon below break-even, dearer than merchant chips",
                    name(provider)
                )
            }
            EventKind::CeilingBelowCost { provider, ceiling } => {
                let cap = if ceiling { "price ceiling" } else { "open-model cap" };
                format!("{}: the {cap} is below its unit cost", name(provider))
            }
            EventKind::CapacityShortage { unserved_share } => {
                format!("capacity shortage: {:.0}% of demand unserved", unserved_share * 100.0)
            }
            EventKind::ShortageEnded => "capacity shortage ends".to_string(),
            EventKind::ProviderExited {
                provider,
                capped: false,
            } => {
                format!("{} exits: cash and credit run out", name(provider))
            }
            EventKind::ProviderExited { provider, capped: true } => {
                format!(
                    "{} exits: its cap has been below its unit cost for a year",
                    name(provider)
                )
            }
        }
    }
}

/// A whole simulated horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub start: Quarter,
    pub quarters: u32,
    pub providers: usize,
    pub market: Vec<MarketQuarter>,
    /// Quarter-major: row of provider `i` at quarter `t` is `rows[t * providers + i]`.
    pub rows: Vec<ProviderQuarter>,
    pub events: Vec<Event>,
}

impl Run {
    pub fn row(&self, t: u32, i: usize) -> &ProviderQuarter {
        &self.rows[t as usize * self.providers + i]
    }

    /// All rows of quarter `t`.
    pub fn quarter_rows(&self, t: u32) -> &[ProviderQuarter] {
        let s = t as usize * self.providers;
        &self.rows[s..s + self.providers]
    }

    /// One value per quarter for provider `i`.
    pub fn series(&self, i: usize, f: impl Fn(&ProviderQuarter) -> f64) -> Vec<f64> {
        (0..self.quarters).map(|t| f(self.row(t, i))).collect()
    }

    pub fn quarter(&self, t: u32) -> Quarter {
        self.start.offset(i64::from(t))
    }

    /// Operating profit summed over quarters `0..=t`.
    pub fn cumulative_profit(&self, i: usize, t: u32) -> f64 {
        (0..=t.min(self.quarters.saturating_sub(1)))
            .map(|q| self.row(q, i).operating_profit_musd)
            .sum()
    }

    /// Net profit (after interest) summed over quarters `0..=t`.
    pub fn cumulative_net_profit(&self, i: usize, t: u32) -> f64 {
        (0..=t.min(self.quarters.saturating_sub(1)))
            .map(|q| self.row(q, i).net_profit_musd)
            .sum()
    }

    /// Operating profit over revenue, both summed over the run.
    pub fn cumulative_margin(&self, i: usize) -> f64 {
        let (p, r) = (0..self.quarters).fold((0.0, 0.0), |(p, r), q| {
            let row = self.row(q, i);
            (p + row.operating_profit_musd, r + row.revenue_musd)
        });
        if r > 0.0 { p / r } else { 0.0 }
    }

    pub fn events_until(&self, t: u32) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(move |e| e.at <= t)
    }

    pub fn last(&self) -> u32 {
        self.quarters - 1
    }
}
