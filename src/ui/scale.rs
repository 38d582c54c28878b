//! How a parameter's value maps onto a slider and moves by a step.
//!
//! Narrow ranges (open-source parity, 0 to 1) are linear. Ranges spanning
//! orders of magnitude (a price ceiling from $0.001 to $1 000, chip volumes
//! from 0 to 10 million a quarter) are logarithmic, so that a step is a
//! proportion of the value rather than a hundredth of a range nobody uses the
//! top of. Every key step lands on a round value (see [`Scale::step`]).

use super::action::Step;
use crate::sim::ParamSpec;

/// A linear lever's small step is the round number nearest below 1 % of
/// its range, its big step the one nearest below 5 % (parity: 1 and 5
/// points), and every step lands on a multiple of the step.
const SMALL_LINEAR: f64 = 0.01;
const BIG_LINEAR: f64 = 0.05;
/// A log lever steps through round values: small steps through these
/// mantissas, 5 to 20 % apart (1, 1.1, ... 2, 2.2, ... 3, 3.5, ... 5, 6, ...),
/// big steps through 1, 2, 5, 10, 20, 50, ... (docs/MODEL.md, "Lever ranges").
const SMALL_MANTISSAS: [f64; 25] = [
    1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0,
    9.0, 10.0,
];
const BIG_MANTISSAS: [f64; 4] = [1.0, 2.0, 5.0, 10.0];

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    Linear {
        min: f64,
        max: f64,
    },
    /// `position = ln(1 + (v - min) / knee) / ln(1 + (max - min) / knee)`:
    /// logarithmic above `knee`, close to linear below it, and defined at zero.
    Log {
        min: f64,
        max: f64,
        knee: f64,
    },
}

impl Scale {
    pub fn for_spec(spec: &ParamSpec) -> Scale {
        let (min, max) = (spec.min, spec.max);
        let width = max - min;
        let wide = min >= 0.0 && width > 20.0 && (min == 0.0 || max / min > 100.0);
        if wide {
            Scale::Log {
                min,
                max,
                knee: (max * 1e-5).max(f64::MIN_POSITIVE),
            }
        } else {
            Scale::Linear { min, max }
        }
    }

    fn bounds(self) -> (f64, f64) {
        match self {
            Scale::Linear { min, max } | Scale::Log { min, max, .. } => (min, max),
        }
    }

    /// Where `v` sits on the slider, 0 to 1.
    pub fn position(self, v: f64) -> f64 {
        let (min, max) = self.bounds();
        if !v.is_finite() || max <= min {
            return 0.0;
        }
        let v = v.clamp(min, max);
        let p = match self {
            Scale::Linear { .. } => (v - min) / (max - min),
            Scale::Log { knee, .. } => ((v - min) / knee).ln_1p() / ((max - min) / knee).ln_1p(),
        };
        if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 }
    }

    /// The value at slider position `p`, rounded to a readable precision.
    pub fn value_at(self, p: f64) -> f64 {
        let (min, max) = self.bounds();
        let p = if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 };
        let raw = match self {
            Scale::Linear { .. } => min + p * (max - min),
            Scale::Log { knee, .. } => min + knee * (p * ((max - min) / knee).ln_1p()).exp_m1(),
        };
        self.round(raw).clamp(min, max)
    }

    /// The value one step away from `v`, within range: the next round value
    /// in the step's direction, so a run of steps never overshoots one
    /// (85 % → 90 % → 95 %). Returns `v` itself only at the end of the range.
    pub fn step(self, v: f64, step: Step) -> f64 {
        let (min, max) = self.bounds();
        let big = matches!(step, Step::BigDown | Step::BigUp);
        let up = matches!(step, Step::Up | Step::BigUp);
        let v = if v.is_finite() { v.clamp(min, max) } else { min };
        let next = match self {
            Scale::Linear { .. } => {
                let unit = round_below((max - min) * if big { BIG_LINEAR } else { SMALL_LINEAR });
                // The grid is multiples of the unit; a value off the grid goes to its neighbour on it.
                let k = v / unit;
                let eps = 1e-9;
                let to = if up {
                    (k + eps).floor() + 1.0
                } else {
                    (k - eps).ceil() - 1.0
                };
                snap(to * unit, unit)
            }
            Scale::Log { knee, .. } => {
                let mantissas: &[f64] = if big { &BIG_MANTISSAS } else { &SMALL_MANTISSAS };
                // Below the smallest round value the lever steps to it or to the minimum.
                let lowest = if min > 0.0 { min } else { round_below(knee * 10.0) };
                if up && v < lowest {
                    lowest
                } else if !up && v <= lowest {
                    min
                } else {
                    log_grid_next(v, up, mantissas).max(if up { lowest } else { min })
                }
            }
        };
        next.clamp(min, max)
    }

    /// A slider position's value on the small steps' grid: a multiple of
    /// the small step (linear), two significant digits (log).
    fn round(self, v: f64) -> f64 {
        match self {
            Scale::Linear { min, max } => {
                let unit = round_below((max - min) * SMALL_LINEAR);
                snap((v / unit).round() * unit, unit)
            }
            Scale::Log { .. } => round_sig(v, 2),
        }
    }
}

/// The round number (1, 2 or 5 times a power of ten) at or below `x`.
fn round_below(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    let f = x / mag;
    let m = if f >= 5.0 - 1e-9 {
        5.0
    } else if f >= 2.0 - 1e-9 {
        2.0
    } else {
        1.0
    };
    m * mag
}

/// `v` rounded to a multiple of `unit`, without float noise (0.9500000000000001 → 0.95).
fn snap(v: f64, unit: f64) -> f64 {
    let decimals = (-unit.log10().floor()).max(0.0) as i32 + 1;
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// The next value of the grid `mantissa × 10^k` above (or below) `v > 0`.
fn log_grid_next(v: f64, up: bool, mantissas: &[f64]) -> f64 {
    let mag = v.log10().floor() as i32;
    let mut candidates: Vec<f64> = Vec::new();
    for d in (mag - 1)..=(mag + 1) {
        let p = 10f64.powi(d);
        candidates.extend(mantissas.iter().map(|m| round_sig(m * p, 3)));
    }
    let tol = v * 1e-9;
    if up {
        candidates
            .into_iter()
            .filter(|&c| c > v + tol)
            .fold(f64::INFINITY, f64::min)
    } else {
        candidates
            .into_iter()
            .filter(|&c| c < v - tol)
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = v.abs().log10().floor() as i32;
    let shift = digits - 1 - mag;
    if shift >= 0 {
        let factor = 10f64.powi(shift);
        (v * factor).round() / factor
    } else {
        let factor = 10f64.powi(-shift);
        (v / factor).round() * factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{MarketKey, ProviderKey};

    #[test]
    fn parity_steps_land_on_round_points() {
        let s = Scale::for_spec(&MarketKey::open_source_parity.spec());
        assert!(matches!(s, Scale::Linear { .. }));
        assert_eq!(s.step(0.3, Step::Up), 0.31);
        assert_eq!(s.step(0.85, Step::BigUp), 0.9);
        assert_eq!(s.step(0.9, Step::BigUp), 0.95);
        assert_eq!(s.step(0.95, Step::BigUp), 1.0);
        assert_eq!(s.step(0.49, Step::BigUp), 0.5);
        assert_eq!(s.step(0.49, Step::BigDown), 0.45);
        assert_eq!(s.step(0.3, Step::BigDown), 0.25);
        assert_eq!(s.step(0.333, Step::Up), 0.34);
        assert_eq!(s.step(1.0, Step::Up), 1.0);
        assert_eq!(s.step(0.0, Step::Down), 0.0);
    }

    #[test]
    fn volume_steps_through_round_values_from_zero() {
        let s = Scale::for_spec(&ProviderKey::self_chip_volume.spec());
        assert!(matches!(s, Scale::Log { .. }));
        assert_eq!(s.step(0.0, Step::Up), 1.0);
        assert_eq!(s.step(1.0, Step::Down), 0.0);
        assert_eq!(s.step(0.0, Step::Down), 0.0);
        assert_eq!(s.step(15.0, Step::Up), 16.0);
        assert_eq!(s.step(15.0, Step::BigUp), 20.0);
        assert_eq!(s.step(20.0, Step::BigUp), 50.0);
        assert_eq!(s.step(40.0, Step::Down), 35.0);
        assert_eq!(s.step(4060.0, Step::BigDown), 2000.0);
        assert_eq!(s.step(5000.0, Step::BigUp), 10000.0);
        assert_eq!(s.step(10000.0, Step::Up), 10000.0);
    }

    #[test]
    fn every_step_is_a_round_value() {
        for spec in [
            MarketKey::price_ceiling_usd_per_mtok.spec(),
            ProviderKey::self_chip_volume.spec(),
        ] {
            let s = Scale::for_spec(&spec);
            let mut v = spec.min;
            for _ in 0..200 {
                let n = s.step(v, Step::Up);
                assert!(n > v || n == spec.max, "{} {v} -> {n}", spec.name);
                assert_eq!(n, round_sig(n, 2), "{} {n} is not round", spec.name);
                v = n;
            }
            assert_eq!(v, spec.max, "{}", spec.name);
        }
    }

    #[test]
    fn positions_round_trip() {
        for k in MarketKey::ALL {
            let spec = k.spec();
            let s = Scale::for_spec(&spec);
            for p in [0.0, 0.25, 0.5, 1.0] {
                let v = s.value_at(p);
                assert!(v >= spec.min && v <= spec.max, "{} {v}", spec.name);
                assert!((s.position(v) - p).abs() < 0.02, "{} {p} {v}", spec.name);
            }
        }
    }
}
