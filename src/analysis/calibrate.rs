//! Calibration: fit named parameters to the backtest observations by a bounded,
//! deterministic search. Coordinate descent: each parameter in turn is searched
//! over its whole allowed range (a grid, then golden-section refinement around
//! the best grid point), the others held; three sweeps. Ranges spanning more
//! than three decades with a positive lower end are searched on a log scale.
//! MODEL.md, "Calibration", states the same.

use super::backtest::{Observation, objective};
use crate::sim::{ParamRef, Scenario, simulate};

/// Grid points per parameter and sweep, refinement steps, sweeps.
pub const GRID: usize = 17;
pub const REFINE: usize = 24;
pub const SWEEPS: usize = 3;

/// One fitted parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub key: ParamRef,
    pub before: f64,
    pub after: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub scenario: Scenario,
    pub fitted: Vec<Fitted>,
    pub objective_before: f64,
    pub objective_after: f64,
    pub evaluations: usize,
}

/// Why a key cannot be calibrated.
pub fn check_key(sc: &Scenario, key: ParamRef) -> Result<(), String> {
    if let ParamRef::Provider(_, k) = key
        && k.is_start_only()
    {
        return Err(format!(
            "{} is a starting-position parameter; calibration fits parameters that act every quarter",
            sc.key_name(key)
        ));
    }
    Ok(())
}

fn set(sc: &mut Scenario, key: ParamRef, v: f64) {
    match key {
        ParamRef::Market(k) => sc.market.set(k, v),
        ParamRef::Provider(i, k) => {
            if let Some(p) = sc.providers.get_mut(i) {
                p.params.set(k, v);
            }
        }
    }
}

fn get(sc: &Scenario, key: ParamRef) -> f64 {
    match key {
        ParamRef::Market(k) => sc.market.get(k),
        ParamRef::Provider(i, k) => sc.providers.get(i).map_or(f64::NAN, |p| p.params.get(k)),
    }
}

/// Maps [0, 1] onto the parameter's range (log when it spans > 3 decades).
struct Axis {
    min: f64,
    max: f64,
    log: bool,
}

impl Axis {
    fn new(key: ParamRef) -> Axis {
        let spec = key.spec();
        let log = spec.min > 0.0 && spec.max / spec.min > 1000.0;
        Axis {
            min: spec.min,
            max: spec.max,
            log,
        }
    }

    fn value(&self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        let v = if self.log {
            (self.min.ln() + x * (self.max.ln() - self.min.ln())).exp()
        } else {
            self.min + x * (self.max - self.min)
        };
        v.clamp(self.min, self.max)
    }

    fn position(&self, v: f64) -> f64 {
        let p = if self.log {
            (v.ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
        } else {
            (v - self.min) / (self.max - self.min)
        };
        if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 }
    }
}

/// Fits `keys` to `observations`. `progress(done, total)` is called after each
/// evaluation. The result never scores worse than the start.
pub fn calibrate(
    sc: &Scenario,
    keys: &[ParamRef],
    observations: &[Observation],
    progress: &dyn Fn(usize, usize),
) -> Calibration {
    let total = SWEEPS * keys.len() * (GRID + REFINE) + 1;
    let mut evaluations = 0;
    let mut eval = |s: &Scenario| {
        evaluations += 1;
        progress(evaluations, total);
        let run = simulate(s);
        let f = objective(s, &run, observations);
        if f.is_finite() { f } else { f64::INFINITY }
    };
    let objective_before = eval(sc);
    let mut best = sc.clone();
    let mut best_f = objective_before;
    for _ in 0..SWEEPS {
        for &key in keys {
            let axis = Axis::new(key);
            let mut trial = best.clone();
            let mut try_at = |x: f64, trial: &mut Scenario| {
                set(trial, key, axis.value(x));
                eval(trial)
            };
            // Grid over the whole range.
            let mut grid_best = (axis.position(get(&best, key)), best_f);
            for g in 0..GRID {
                let x = g as f64 / (GRID - 1) as f64;
                let f = try_at(x, &mut trial);
                if f < grid_best.1 {
                    grid_best = (x, f);
                }
            }
            // Golden-section search in the cells around the best grid point.
            let cell = 1.0 / (GRID - 1) as f64;
            let (mut lo, mut hi) = ((grid_best.0 - cell).max(0.0), (grid_best.0 + cell).min(1.0));
            let phi = (5f64.sqrt() - 1.0) / 2.0;
            let mut a = hi - phi * (hi - lo);
            let mut b = lo + phi * (hi - lo);
            let mut fa = try_at(a, &mut trial);
            let mut fb = try_at(b, &mut trial);
            for _ in 2..REFINE {
                if fa <= fb {
                    hi = b;
                    (b, fb) = (a, fa);
                    a = hi - phi * (hi - lo);
                    fa = try_at(a, &mut trial);
                } else {
                    lo = a;
                    (a, fa) = (b, fb);
                    b = lo + phi * (hi - lo);
                    fb = try_at(b, &mut trial);
                }
            }
            for (x, f) in [grid_best, (a, fa), (b, fb)] {
                if f < best_f {
                    best_f = f;
                    set(&mut best, key, axis.value(x));
                }
            }
        }
    }
    let fitted = keys
        .iter()
        .map(|&key| {
            let spec = key.spec();
            Fitted {
                key,
                before: get(sc, key),
                after: get(&best, key),
                min: spec.min,
                max: spec.max,
            }
        })
        .collect();
    Calibration {
        scenario: best,
        fitted,
        objective_before,
        objective_after: best_f,
        evaluations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::backtest::{Measure, Observation};
    use crate::sim::MarketKey;

    #[test]
    fn recovers_a_known_value_and_never_worsens() {
        let sc = crate::document::presets::default_scenario();
        let mut truth = sc.clone();
        truth.market.vendor_gross_margin = 0.6;
        let obs = vec![Observation {
            series: "vendor".into(),
            measure: Measure::VendorGrossMargin,
            at: "2024Q1".into(),
            value: 0.6,
            tolerance: 0.05,
            source: "test".into(),
        }];
        let key = ParamRef::Market(MarketKey::vendor_gross_margin);
        let c = calibrate(&sc, &[key], &obs, &|_, _| {});
        assert!((c.fitted[0].after - 0.6).abs() < 1e-3, "{:?}", c.fitted);
        assert!(c.objective_after <= c.objective_before);
        let again = calibrate(&sc, &[key], &obs, &|_, _| {});
        assert_eq!(again.fitted, c.fitted, "deterministic");
    }

    #[test]
    fn starting_position_keys_are_refused() {
        let sc = crate::document::presets::default_scenario();
        let key = sc.parse_key("providers.neo.initial_cash_musd").unwrap();
        assert!(check_key(&sc, key).unwrap_err().contains("starting-position"));
    }
}
