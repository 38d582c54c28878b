//! Decision analysis on top of the engine: Monte Carlo percentiles, one-at-a-time
//! sensitivity, best-response search and attribution of a difference to levers.
//! Pure computation (parallel with rayon where it pays); no terminal code, no I/O.

pub mod attribution;
pub mod backtest;
pub mod calibrate;
pub mod montecarlo;
pub mod optimize;
pub mod sensitivity;
pub mod sweep;

use crate::sim::{Metric, ProviderQuarter, Run};
use std::fmt;
use std::str::FromStr;

/// An outcome measured for one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// Operating profit summed from the start to the quarter, million USD.
    CumulativeProfit,
    Share,
    /// Cash at the quarter, million USD.
    Cash,
    Price,
    Cost,
    /// Operating profit in the quarter, million USD.
    OperatingProfit,
    /// Net profit (operating profit less interest) summed from the start, million USD.
    CumulativeNetProfit,
    /// Net profit in the quarter, million USD.
    NetProfit,
    Ecosystem,
    SelfChipShare,
    /// Gross margin in the quarter, a fraction of revenue.
    GrossMargin,
}

impl Kpi {
    pub const ALL: [Kpi; 11] = [
        Kpi::CumulativeProfit,
        Kpi::CumulativeNetProfit,
        Kpi::NetProfit,
        Kpi::Share,
        Kpi::Cash,
        Kpi::Price,
        Kpi::Cost,
        Kpi::OperatingProfit,
        Kpi::Ecosystem,
        Kpi::SelfChipShare,
        Kpi::GrossMargin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kpi::CumulativeProfit => "cumulative_profit",
            Kpi::Share => "share",
            Kpi::Cash => "cash",
            Kpi::Price => "price",
            Kpi::Cost => "cost",
            Kpi::OperatingProfit => "operating_profit",
            Kpi::CumulativeNetProfit => "cumulative_net_profit",
            Kpi::NetProfit => "net_profit",
            Kpi::Ecosystem => "ecosystem",
            Kpi::SelfChipShare => "self_chip_share",
            Kpi::GrossMargin => "gross_margin",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Kpi::CumulativeProfit | Kpi::Cash | Kpi::OperatingProfit | Kpi::CumulativeNetProfit | Kpi::NetProfit => {
                "million USD"
            }
            Kpi::Price | Kpi::Cost => "USD per million tokens",
            Kpi::Share | Kpi::Ecosystem | Kpi::SelfChipShare | Kpi::GrossMargin => "fraction",
        }
    }

    fn of_row(self, r: &ProviderQuarter) -> f64 {
        match self {
            Kpi::Cost => r.cost_usd_per_mtok,
            Kpi::CumulativeProfit => r.operating_profit_musd,
            Kpi::NetProfit | Kpi::CumulativeNetProfit => r.net_profit_musd,
            Kpi::Share => Metric::Share.raw(r),
            Kpi::Cash => Metric::Cash.raw(r),
            Kpi::Price => Metric::PriceCost.raw(r),
            Kpi::OperatingProfit => Metric::OperatingProfit.raw(r),
            Kpi::Ecosystem => Metric::Ecosystem.raw(r),
            Kpi::SelfChipShare => Metric::SelfChipShare.raw(r),
            Kpi::GrossMargin => r.gross_margin,
        }
    }

    /// The KPI of provider `i` at quarter `t` of `run`.
    pub fn value(self, run: &Run, i: usize, t: u32) -> f64 {
        match self {
            Kpi::CumulativeProfit => run.cumulative_profit(i, t),
            Kpi::CumulativeNetProfit => run.cumulative_net_profit(i, t),
            _ => self.of_row(run.row(t.min(run.last()), i)),
        }
    }

    /// The KPI of provider `i` at every quarter.
    pub fn series(self, run: &Run, i: usize) -> Vec<f64> {
        let mut acc = 0.0;
        (0..run.quarters)
            .map(|t| {
                let v = self.of_row(run.row(t, i));
                if self.is_cumulative() {
                    acc += v;
                    acc
                } else {
                    v
                }
            })
            .collect()
    }
}

impl Kpi {
    /// Summed from the first quarter rather than read at one quarter.
    pub fn is_cumulative(self) -> bool {
        matches!(self, Kpi::CumulativeProfit | Kpi::CumulativeNetProfit)
    }
}

/// The KPI a chart plots (its fan bands): the six metrics are KPIs too.
impl From<Metric> for Kpi {
    fn from(m: Metric) -> Kpi {
        match m {
            Metric::Share => Kpi::Share,
            Metric::PriceCost => Kpi::Price,
            Metric::OperatingProfit => Kpi::OperatingProfit,
            Metric::Cash => Kpi::Cash,
            Metric::Ecosystem => Kpi::Ecosystem,
            Metric::SelfChipShare => Kpi::SelfChipShare,
        }
    }
}

impl fmt::Display for Kpi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kpi {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kpi::ALL.iter().copied().find(|k| k.name() == s).ok_or_else(|| {
            format!(
                "unknown KPI `{s}`{}; choose one of {}",
                crate::suggest::did_you_mean(s, Kpi::ALL.iter().map(|k| k.name())),
                Kpi::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
            )
        })
    }
}
