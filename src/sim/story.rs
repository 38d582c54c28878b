//! Story beats: the steps of a presentation, stored in the strategy file.
//! Plain data; stepping through them is the dashboard's job.

use super::run::{ProviderQuarter, Run, Status};
use super::scenario::ParamRef;
use serde::{Deserialize, Serialize};

/// The six charts, in the order of the dashboard's tabs `1` to `6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Share,
    PriceCost,
    OperatingProfit,
    Cash,
    Ecosystem,
    SelfChipShare,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] = [
        ChartKind::Share,
        ChartKind::PriceCost,
        ChartKind::OperatingProfit,
        ChartKind::Cash,
        ChartKind::Ecosystem,
        ChartKind::SelfChipShare,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Share => "share",
            ChartKind::PriceCost => "price_cost",
            ChartKind::OperatingProfit => "operating_profit",
            ChartKind::Cash => "cash",
            ChartKind::Ecosystem => "ecosystem",
            ChartKind::SelfChipShare => "self_chip_share",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Share => "Market share",
            ChartKind::PriceCost => "Price vs unit cost",
            ChartKind::OperatingProfit => "Operating profit",
            ChartKind::Cash => "Cash",
            ChartKind::Ecosystem => "Ecosystem strength",
            ChartKind::SelfChipShare => "Own-silicon share",
        }
    }

    /// What the y axis measures.
    pub fn unit(self) -> &'static str {
        match self {
            ChartKind::Share => "% of tokens served",
            ChartKind::PriceCost => "USD per million tokens (log scale)",
            ChartKind::OperatingProfit => "USD per quarter",
            ChartKind::Cash => "USD at the end of each quarter",
            ChartKind::Ecosystem => "index, 0 to 1",
            ChartKind::SelfChipShare => "% of accelerators",
        }
    }

    pub fn log_scale(self) -> bool {
        self == ChartKind::PriceCost
    }

    /// The plotted value of a row (price for `PriceCost`; see `second`).
    pub fn value(self, r: &ProviderQuarter) -> f64 {
        match self {
            ChartKind::Share => r.share * 100.0,
            ChartKind::PriceCost => r.price_usd_per_mtok,
            ChartKind::OperatingProfit => r.operating_profit_musd,
            ChartKind::Cash => r.cash_musd,
            ChartKind::Ecosystem => r.ecosystem,
            ChartKind::SelfChipShare => r.self_chip_share * 100.0,
        }
    }

    /// A second line per provider, drawn dashed: unit cost on the price chart.
    pub fn second(self, r: &ProviderQuarter) -> Option<f64> {
        (self == ChartKind::PriceCost).then_some(r.cost_usd_per_mtok)
    }

    /// Provider `i`'s values, `None` after it exits (the exit quarter is kept).
    pub fn series(self, run: &Run, i: usize) -> Vec<Option<f64>> {
        let mut gone = false;
        (0..run.quarters)
            .map(|t| {
                let r = run.row(t, i);
                if gone {
                    return None;
                }
                gone = r.status == Status::Exited;
                Some(self.value(r))
            })
            .collect()
    }
}

/// One step of a story: where to be, what to show and what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Beat {
    /// Quarter index from the start.
    pub at: u32,
    pub title: String,
    pub narration: String,
    /// The presenter's private notes: shown in `cloudstrat notes`, never to the audience.
    pub notes: String,
    pub chart: ChartKind,
    /// Provider index whose figures are headlined.
    pub focus: usize,
    /// Lever values set (as keyframes at `at`) when the beat is reached.
    pub levers: Vec<(ParamRef, f64)>,
}
