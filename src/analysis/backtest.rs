//! The backtest: public observations of 2023 onwards, each mapped to the model
//! output it stands for, compared with a run. Pure: the built-in observations
//! are compiled into the program (`assets/backtest.ron`), parsing a string is
//! all the input there is. MODEL.md, "Backtest", states the mapping and the
//! thresholds.

use crate::sim::{Quarter, Run, Scenario};
use serde::{Deserialize, Serialize};

/// The built-in observations, as shipped.
pub const BUILTIN_TEXT: &str = include_str!("../../assets/backtest.ron");

/// One model output an observation is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    /// Share of the quarter's demand served by the provider.
    Share { provider: String },
    /// The provider's price, USD per million tokens.
    Price { provider: String },
    /// The provider's token revenue in the quarter, million USD.
    TokenRevenue { provider: String },
    /// Operating profit over revenue in the quarter.
    OperatingMargin { provider: String },
    /// Gross margin in the quarter.
    GrossMargin { provider: String },
    /// Net profit over revenue, both summed over the four quarters of `year`.
    NetMarginYear { provider: String, year: i32 },
    /// Revenue summed over the four quarters of `to_year` over the same for `from_year`.
    RevenueYearRatio {
        provider: String,
        from_year: i32,
        to_year: i32,
    },
    /// Revenue in the observation's quarter over the mean quarterly revenue of `from_year`.
    RevenueOverYear { provider: String, from_year: i32 },
    /// Market demand in the observation's quarter over market demand in `from`.
    DemandRatio { from: String },
    /// Yearly factor by which the market's average price fell from `from` to the
    /// observation's quarter: (p_from / p_at)^(4 / quarters between).
    AvgPriceFallPerYear { from: String },
    /// The merchant vendor's gross margin in force (a parameter).
    VendorGrossMargin,
}

impl Measure {
    /// Ratios and levels are compared on a log scale (the error is a factor);
    /// shares and margins by their difference.
    pub fn is_log(&self) -> bool {
        !matches!(
            self,
            Measure::Share { .. }
                | Measure::OperatingMargin { .. }
                | Measure::GrossMargin { .. }
                | Measure::NetMarginYear { .. }
                | Measure::VendorGrossMargin
        )
    }

    fn provider(&self) -> Option<&str> {
        match self {
            Measure::Share { provider }
            | Measure::Price { provider }
            | Measure::TokenRevenue { provider }
            | Measure::OperatingMargin { provider }
            | Measure::GrossMargin { provider }
            | Measure::NetMarginYear { provider, .. }
            | Measure::RevenueYearRatio { provider, .. }
            | Measure::RevenueOverYear { provider, .. } => Some(provider),
            _ => None,
        }
    }
}

/// One public observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The series it belongs to, as printed ("Hyperscaler share vs AWS").
    pub series: String,
    pub measure: Measure,
    /// Calendar quarter of the observation, like "2024Q3".
    pub at: String,
    pub value: f64,
    /// Largest error that passes: a difference (shares, margins) or a factor ≥ 1
    /// (log measures).
    pub tolerance: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObservationFile {
    observations: Vec<Observation>,
}

/// Parses an observations file.
pub fn parse(text: &str) -> Result<Vec<Observation>, String> {
    let file: ObservationFile = ron::from_str(text).map_err(|e| e.to_string())?;
    for o in &file.observations {
        o.at.parse::<Quarter>().map_err(|e| format!("{}: {e}", o.series))?;
        let tol_ok = if o.measure.is_log() {
            o.tolerance > 1.0
        } else {
            o.tolerance > 0.0
        };
        if !tol_ok || !o.value.is_finite() || (o.measure.is_log() && o.value <= 0.0) {
            return Err(format!("{}: value or tolerance out of range", o.series));
        }
    }
    Ok(file.observations)
}

/// The built-in observations. They ship with the program and a test parses
/// them, so an error here is a build defect; it yields no observations.
pub fn builtin() -> Vec<Observation> {
    parse(BUILTIN_TEXT).unwrap_or_default()
}

/// One observation against the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub series: String,
    pub at: String,
    pub observed: f64,
    /// `None` when the run does not cover the observation (a quarter outside
    /// the horizon, a provider the scenario lacks, or a provider that has exited).
    pub model: Option<f64>,
    /// Difference, or factor ≥ 1 for log measures.
    pub error: Option<f64>,
    pub tolerance: f64,
    pub log: bool,
    pub pass: Option<bool>,
    pub source: String,
}

impl Comparison {
    /// Error over tolerance: 1 is exactly at the threshold.
    pub fn normalized(&self) -> Option<f64> {
        let e = self.error?;
        Some(if self.log {
            e.ln() / self.tolerance.ln()
        } else {
            e / self.tolerance
        })
    }
}

/// All comparisons and the overall score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    pub comparisons: Vec<Comparison>,
    /// Root mean square of the normalized errors of the covered observations
    /// (1 = on average exactly at the thresholds); `None` when none is covered.
    pub score: Option<f64>,
    pub passed: usize,
    pub covered: usize,
}

/// Compares a run of `sc` with the observations.
pub fn evaluate(sc: &Scenario, run: &Run, observations: &[Observation]) -> Backtest {
    let comparisons: Vec<Comparison> = observations
        .iter()
        .map(|o| {
            let model = model_value(sc, run, o).filter(|v| v.is_finite() && (!o.measure.is_log() || *v > 0.0));
            let error = model.map(|m| {
                if o.measure.is_log() {
                    let r = m / o.value;
                    r.max(1.0 / r)
                } else {
                    (m - o.value).abs()
                }
            });
            let log = o.measure.is_log();
            let pass = error.map(|e| e <= o.tolerance);
            Comparison {
                series: o.series.clone(),
                at: o.at.clone(),
                observed: o.value,
                model,
                error,
                tolerance: o.tolerance,
                log,
                pass,
                source: o.source.clone(),
            }
        })
        .collect();
    let normalized: Vec<f64> = comparisons.iter().filter_map(Comparison::normalized).collect();
    let score = (!normalized.is_empty())
        .then(|| (normalized.iter().map(|x| x * x).sum::<f64>() / normalized.len() as f64).sqrt());
    Backtest {
        passed: comparisons.iter().filter(|c| c.pass == Some(true)).count(),
        covered: normalized.len(),
        comparisons,
        score,
    }
}

/// The sum of squared normalized errors: what calibration minimizes. An
/// observation the run no longer covers (its provider exited) counts as four
/// times its threshold, so a fit cannot improve by killing a provider.
pub fn objective(sc: &Scenario, run: &Run, observations: &[Observation]) -> f64 {
    let b = evaluate(sc, run, observations);
    observations
        .iter()
        .zip(&b.comparisons)
        .map(|(o, c)| {
            let covered_by_design = quarter_index(sc, &o.at).is_some()
                && o.measure.provider().is_none_or(|id| sc.provider_index(id).is_some());
            match c.normalized() {
                Some(x) => x * x,
                None if covered_by_design => 16.0,
                None => 0.0,
            }
        })
        .sum()
}

fn quarter_index(sc: &Scenario, text: &str) -> Option<u32> {
    sc.index_of(text.parse::<Quarter>().ok()?)
}

/// Quarter indices of calendar `year` within the horizon; `None` unless all four are in it.
fn year_quarters(sc: &Scenario, year: i32) -> Option<[u32; 4]> {
    let q = |n: u8| Quarter::new(year, n).and_then(|q| sc.index_of(q));
    Some([q(1)?, q(2)?, q(3)?, q(4)?])
}

fn model_value(sc: &Scenario, run: &Run, o: &Observation) -> Option<f64> {
    let t = quarter_index(sc, &o.at)?;
    let provider = match o.measure.provider() {
        Some(id) => Some(sc.provider_index(id)?),
        None => None,
    };
    let active = |i: usize, t: u32| run.row(t, i).status == crate::sim::Status::Active;
    let revenue_year = |i: usize, year: i32| -> Option<f64> {
        let qs = year_quarters(sc, year)?;
        Some(qs.iter().map(|&q| run.row(q, i).revenue_musd).sum())
    };
    match &o.measure {
        Measure::Share { .. } => provider.map(|i| run.row(t, i).share),
        Measure::Price { .. } => provider
            .filter(|&i| active(i, t))
            .map(|i| run.row(t, i).price_usd_per_mtok),
        Measure::TokenRevenue { .. } => provider.map(|i| run.row(t, i).token_revenue_musd),
        Measure::OperatingMargin { .. } | Measure::GrossMargin { .. } => {
            let r = run.row(t, provider?);
            if r.status != crate::sim::Status::Active || r.revenue_musd <= 1e-9 {
                return None;
            }
            Some(match o.measure {
                Measure::GrossMargin { .. } => r.gross_margin,
                _ => r.operating_profit_musd / r.revenue_musd,
            })
        }
        Measure::NetMarginYear { year, .. } => {
            let i = provider?;
            let qs = year_quarters(sc, *year)?;
            let revenue: f64 = qs.iter().map(|&q| run.row(q, i).revenue_musd).sum();
            let net: f64 = qs.iter().map(|&q| run.row(q, i).net_profit_musd).sum();
            (revenue > 1e-9).then_some(net / revenue)
        }
        Measure::RevenueYearRatio { from_year, to_year, .. } => {
            let i = provider?;
            let (a, b) = (revenue_year(i, *from_year)?, revenue_year(i, *to_year)?);
            (a > 1e-9).then_some(b / a)
        }
        Measure::RevenueOverYear { from_year, .. } => {
            let i = provider?;
            let a = revenue_year(i, *from_year)? / 4.0;
            (a > 1e-9 && active(i, t)).then_some(run.row(t, i).revenue_musd / a)
        }
        Measure::DemandRatio { from } => {
            let f = quarter_index(sc, from)?;
            let a = run.market[f as usize].demand_mtok;
            (a > 0.0).then_some(run.market[t as usize].demand_mtok / a)
        }
        Measure::AvgPriceFallPerYear { from } => {
            let f = quarter_index(sc, from)?;
            if f >= t {
                return None;
            }
            let (a, b) = (
                run.market[f as usize].avg_price_usd_per_mtok,
                run.market[t as usize].avg_price_usd_per_mtok,
            );
            (a > 0.0 && b > 0.0).then(|| (a / b).powf(4.0 / f64::from(t - f)))
        }
        Measure::VendorGrossMargin => Some(parameter_in_force(sc, t)),
    }
}

/// The vendor margin in force at quarter `t`, keyframes included.
fn parameter_in_force(sc: &Scenario, t: u32) -> f64 {
    use crate::sim::{MarketKey, ParamRef};
    let key = ParamRef::Market(MarketKey::vendor_gross_margin);
    sc.keyframes
        .iter()
        .rfind(|k| k.target == key && k.at <= t)
        .map_or(sc.market.vendor_gross_margin, |k| k.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_observations_parse() {
        let obs = parse(BUILTIN_TEXT).expect("assets/backtest.ron parses");
        assert!(obs.len() >= 15);
        assert!(obs.iter().all(|o| !o.source.is_empty()));
    }

    #[test]
    fn errors_are_factors_or_differences() {
        let sc = crate::document::presets::default_scenario();
        let run = crate::sim::simulate(&sc);
        let obs = vec![
            Observation {
                series: "s".into(),
                measure: Measure::Share {
                    provider: "hyper".into(),
                },
                at: "2023Q1".into(),
                value: run.row(0, 0).share + 0.05,
                tolerance: 0.1,
                source: "test".into(),
            },
            Observation {
                series: "d".into(),
                measure: Measure::DemandRatio { from: "2023Q1".into() },
                at: "2024Q1".into(),
                value: run.market[4].demand_mtok / run.market[0].demand_mtok * 2.0,
                tolerance: 3.0,
                source: "test".into(),
            },
            Observation {
                series: "outside".into(),
                measure: Measure::VendorGrossMargin,
                at: "2040Q1".into(),
                value: 0.7,
                tolerance: 0.1,
                source: "test".into(),
            },
        ];
        let b = evaluate(&sc, &run, &obs);
        assert!((b.comparisons[0].error.unwrap() - 0.05).abs() < 1e-12);
        assert!((b.comparisons[1].error.unwrap() - 2.0).abs() < 1e-9);
        assert_eq!(b.comparisons[2].model, None);
        assert_eq!(b.covered, 2);
        assert_eq!(b.passed, 2);
        let want = ((0.5f64.powi(2) + (2f64.ln() / 3f64.ln()).powi(2)) / 2.0).sqrt();
        assert!((b.score.unwrap() - want).abs() < 1e-12);
    }
}
