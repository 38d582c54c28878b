//! What the charts plot: six measures of a provider over a run, each with its
//! title, unit and series. The dashboard's tabs, the exported SVG charts and
//! the story beats all use this one type, so a line reads the same and ends
//! at the same quarter everywhere: an exiting provider's series keeps its
//! exit quarter and stops after it.

use super::run::{ProviderQuarter, Run, Status};
use serde::{Deserialize, Serialize};

/// The six plotted metrics, in the order of the dashboard's tabs `1` to `6`.
/// Stored by `name` in a story beat's `chart` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Share,
    PriceCost,
    OperatingProfit,
    Cash,
    Ecosystem,
    SelfChipShare,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::Share,
        Metric::PriceCost,
        Metric::OperatingProfit,
        Metric::Cash,
        Metric::Ecosystem,
        Metric::SelfChipShare,
    ];

    /// The name in strategy files and export file names.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Share => "share",
            Metric::PriceCost => "price_cost",
            Metric::OperatingProfit => "operating_profit",
            Metric::Cash => "cash",
            Metric::Ecosystem => "ecosystem",
            Metric::SelfChipShare => "self_chip_share",
        }
    }

    /// The full title: a chart's heading, the help.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Share => "Market share",
            Metric::PriceCost => "Price vs unit cost",
            Metric::OperatingProfit => "Operating profit",
            Metric::Cash => "Cash",
            Metric::Ecosystem => "Ecosystem strength",
            Metric::SelfChipShare => "Own-silicon share",
        }
    }

    /// A shorter title, for tabs when the full ones do not fit.
    pub fn medium(self) -> &'static str {
        match self {
            Metric::Share => "Share",
            Metric::PriceCost => "Price & cost",
            Metric::OperatingProfit => "Profit",
            Metric::Cash => "Cash",
            Metric::Ecosystem => "Ecosystem",
            Metric::SelfChipShare => "Own silicon",
        }
    }

    /// The shortest title, for the narrowest tabs.
    pub fn short(self) -> &'static str {
        match self {
            Metric::Share => "Share",
            Metric::PriceCost => "Price",
            Metric::OperatingProfit => "Profit",
            Metric::Cash => "Cash",
            Metric::Ecosystem => "Eco",
            Metric::SelfChipShare => "Chips",
        }
    }

    /// What the y axis measures.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Share => "share of demand",
            Metric::PriceCost => "USD per million tokens, log scale",
            Metric::OperatingProfit => "USD per quarter",
            Metric::Cash => "USD",
            Metric::Ecosystem => "index, 0 to 1",
            Metric::SelfChipShare => "% of fleet",
        }
    }

    /// The unit, abbreviated for narrow charts.
    pub fn unit_short(self) -> &'static str {
        match self {
            Metric::Share => "of demand",
            Metric::PriceCost => "$/Mtok, log",
            Metric::OperatingProfit => "$/quarter",
            Metric::Cash => "$",
            Metric::Ecosystem => "0 to 1",
            Metric::SelfChipShare => "% of fleet",
        }
    }

    /// 1-based number shown on the tab and used as its key.
    pub fn number(self) -> usize {
        Metric::ALL.iter().position(|&m| m == self).unwrap_or(0) + 1
    }

    pub fn log_scale(self) -> bool {
        self == Metric::PriceCost
    }

    /// True when the value is a fraction shown as a percentage.
    pub fn percent(self) -> bool {
        matches!(self, Metric::Share | Metric::SelfChipShare)
    }

    /// The row's value as the run stores it: shares as fractions, money in
    /// million USD, prices in USD per million tokens (the price, for
    /// `PriceCost`; see `second`).
    pub fn raw(self, r: &ProviderQuarter) -> f64 {
        match self {
            Metric::Share => r.share,
            Metric::PriceCost => r.price_usd_per_mtok,
            Metric::OperatingProfit => r.operating_profit_musd,
            Metric::Cash => r.cash_musd,
            Metric::Ecosystem => r.ecosystem,
            Metric::SelfChipShare => r.self_chip_share,
        }
    }

    /// The row's value in the unit of the axis: shares in percent.
    pub fn value(self, r: &ProviderQuarter) -> f64 {
        let v = self.raw(r);
        if self.percent() { v * 100.0 } else { v }
    }

    /// A second line per provider, drawn dashed: unit cost on the price chart.
    pub fn second(self, r: &ProviderQuarter) -> Option<f64> {
        (self == Metric::PriceCost).then_some(r.cost_usd_per_mtok)
    }

    /// On the share chart, the share of demand nobody served, in the axis
    /// unit (percent), so that it and the providers' shares add up to all of
    /// demand; `None` on other charts and when demand is met throughout.
    pub fn unserved(self, run: &Run) -> Option<Vec<Option<f64>>> {
        if self != Metric::Share {
            return None;
        }
        let values: Vec<f64> = run.market.iter().map(|m| m.unserved_share()).collect();
        values
            .iter()
            .any(|&v| v >= UNSERVED_SHOWN)
            .then(|| values.into_iter().map(|v| Some(v * 100.0)).collect())
    }

    /// Provider `i`'s values in the axis unit, `None` after it exits (the
    /// exit quarter is kept).
    pub fn series(self, run: &Run, i: usize) -> Vec<Option<f64>> {
        series_until_exit(run, i, |r| self.value(r))
    }
}

/// Below this share of demand unserved in every quarter, the share chart draws no unserved line.
pub const UNSERVED_SHOWN: f64 = 0.0005;

/// `f` of provider `i`'s row at every quarter, `None` after the quarter it
/// exits in: the one rule every chart follows for where a line ends.
pub fn series_until_exit(run: &Run, i: usize, f: impl Fn(&ProviderQuarter) -> f64) -> Vec<Option<f64>> {
    values_until_exit(run, i, |r| Some(f(r)))
}

/// Like [`series_until_exit`] for a measure that some rows lack (`f` gives `None`).
pub fn values_until_exit(run: &Run, i: usize, f: impl Fn(&ProviderQuarter) -> Option<f64>) -> Vec<Option<f64>> {
    let mut gone = false;
    (0..run.quarters)
        .map(|t| {
            let r = run.row(t, i);
            if gone {
                return None;
            }
            gone = r.status == Status::Exited;
            f(r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_tab_order_and_names_are_distinct() {
        for (k, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(m.number(), k + 1);
        }
        let mut names: Vec<_> = Metric::ALL.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 6);
    }
}
