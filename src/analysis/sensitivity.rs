//! One-at-a-time sensitivity: move each lever and each uncertain input to the low
//! and high ends of its range, others unchanged, and record the KPI.

use super::Kpi;
use crate::sim::{ParamAt, ParamRef, Scenario, Uncertain, simulate};
use rayon::prelude::*;

/// One bar of a tornado chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bar {
    /// The input's key, as files and the command line write it.
    pub input: String,
    /// The same input, typed.
    #[serde(skip)]
    pub param: ParamAt,
    pub low_input: f64,
    pub high_input: f64,
    /// KPI with the input at its low end.
    pub low: f64,
    pub high: f64,
    /// |high − low|.
    pub swing: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tornado {
    pub kpi: Kpi,
    pub provider: String,
    pub quarter: String,
    pub base: f64,
    /// Sorted by swing, largest first.
    pub bars: Vec<Bar>,
    /// Inputs left out because moving them to an end of their range makes a
    /// scenario `check` rejects (for example initial shares above 1), with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<(String, String)>,
}

/// Where a lever is swept: its one allowed range (`sim::levers` for the
/// mission levers), the same the slider spans and `--set` checks.
pub fn lever_range(_sc: &Scenario, r: ParamRef) -> (f64, f64) {
    let spec = r.spec();
    (spec.min, spec.max)
}

/// The four mission levers of every provider and the market.
pub fn mission_levers(sc: &Scenario) -> Vec<ParamRef> {
    let mut out = vec![ParamRef::PARITY, ParamRef::CEILING];
    for i in 0..sc.providers.len() {
        out.push(ParamRef::self_chip_volume(i));
        out.push(ParamRef::lock_in(i));
    }
    out
}

enum Input {
    Lever(ParamRef),
    Uncertain(Uncertain),
}

impl Input {
    fn range(&self, sc: &Scenario) -> (f64, f64) {
        match self {
            Input::Lever(r) => lever_range(sc, *r),
            Input::Uncertain(u) => u.dist.bounds(),
        }
    }

    fn set(&self, sc: &mut Scenario, v: f64) {
        match self {
            Input::Lever(r) => sc.set_whole_run(*r, v),
            Input::Uncertain(u) => u.apply(sc, v),
        }
    }

    fn param(&self) -> ParamAt {
        match self {
            Input::Lever(r) => ParamAt::base(*r),
            Input::Uncertain(u) => u.param(),
        }
    }

    fn label(&self, sc: &Scenario) -> String {
        sc.param_at_key(self.param())
    }
}

/// Sensitivity of `kpi` of provider `provider` at quarter `t` to every mission
/// lever and every uncertain input of the scenario.
pub fn sensitivity(sc: &Scenario, provider: usize, kpi: Kpi, t: u32) -> Tornado {
    let mut inputs: Vec<Input> = mission_levers(sc).into_iter().map(Input::Lever).collect();
    for u in &sc.uncertainty {
        // A lever that is also uncertain is swept once, over its distribution.
        if u.at.is_none() {
            inputs.retain(|i| !matches!(i, Input::Lever(r) if *r == u.target));
        }
        inputs.push(Input::Uncertain(*u));
    }
    let base = kpi.value(&simulate(sc), provider, t);
    let results: Vec<Result<Bar, (String, String)>> = inputs
        .par_iter()
        .map(|input| {
            let (lo, hi) = input.range(sc);
            let at = |v: f64| {
                let mut s = sc.clone();
                input.set(&mut s, v);
                match s.problems().first() {
                    Some((path, why)) => Err((input.label(sc), format!("at {v}: {path}: {why}"))),
                    None => Ok(kpi.value(&simulate(&s), provider, t)),
                }
            };
            let (low, high) = (at(lo)?, at(hi)?);
            Ok(Bar {
                input: input.label(sc),
                param: input.param(),
                low_input: lo,
                high_input: hi,
                low,
                high,
                swing: (high - low).abs(),
            })
        })
        .collect();
    let mut bars = Vec::new();
    let mut skipped = Vec::new();
    for r in results {
        match r {
            Ok(b) => bars.push(b),
            Err(s) => skipped.push(s),
        }
    }
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then_with(|| a.input.cmp(&b.input)));
    Tornado {
        kpi,
        provider: sc.providers.get(provider).map_or_else(String::new, |p| p.id.clone()),
        quarter: sc.quarter_at(t).to_string(),
        base,
        bars,
        skipped,
    }
}
