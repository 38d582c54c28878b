//! How a parameter's value maps onto a slider and moves by a step.
//!
//! Narrow ranges (open-source parity, 0 to 1) are linear. Ranges spanning
//! orders of magnitude (a price ceiling from $0.001 to $10 000, chip volumes
//! from 0 to 100 000) are logarithmic, so that a step is a proportion of the
//! value rather than a hundredth of a range nobody uses the top of.

use super::action::Step;
use crate::sim::ParamSpec;

/// Share of the slider moved by a small step.
const SMALL_LINEAR: f64 = 0.01;
const BIG_LINEAR: f64 = 0.10;
/// On a log slider the same keys move by ~1% and ~5% of the log range.
const SMALL_LOG: f64 = 0.01;
const BIG_LOG: f64 = 0.05;

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

    /// The value one step away from `v`, within range. Returns `v` itself only
    /// at the end of the range.
    pub fn step(self, v: f64, step: Step) -> f64 {
        let (min, max) = self.bounds();
        let (size, sign) = match (self, step) {
            (Scale::Linear { .. }, Step::Down) => (SMALL_LINEAR, -1.0),
            (Scale::Linear { .. }, Step::Up) => (SMALL_LINEAR, 1.0),
            (Scale::Linear { .. }, Step::BigDown) => (BIG_LINEAR, -1.0),
            (Scale::Linear { .. }, Step::BigUp) => (BIG_LINEAR, 1.0),
            (Scale::Log { .. }, Step::Down) => (SMALL_LOG, -1.0),
            (Scale::Log { .. }, Step::Up) => (SMALL_LOG, 1.0),
            (Scale::Log { .. }, Step::BigDown) => (BIG_LOG, -1.0),
            (Scale::Log { .. }, Step::BigUp) => (BIG_LOG, 1.0),
        };
        let v = if v.is_finite() { v.clamp(min, max) } else { min };
        let next = match self {
            // Snap to the step grid, so 0.30 + 0.01 is 0.31, not 0.31000000000000005.
            Scale::Linear { .. } => {
                let unit = size * (max - min);
                let k = ((v - min) / unit).round() + sign;
                self.round(min + k * unit)
            }
            Scale::Log { .. } => {
                let mut p = self.position(v) + sign * size;
                let mut next = self.value_at(p);
                // Rounding can land back on `v` near the bottom; keep going.
                while next == v && (0.0..=1.0).contains(&p) {
                    p += sign * size;
                    next = self.value_at(p);
                }
                next
            }
        };
        next.clamp(min, max)
    }

    /// Three significant digits (linear: to a thousandth of the range).
    fn round(self, v: f64) -> f64 {
        match self {
            Scale::Linear { min, max } => {
                // Multiply then divide by the inverse: exact for ranges like 0 to 1.
                let inv = 1000.0 / (max - min);
                if inv.is_finite() && inv > 0.0 {
                    (v * inv).round() / inv
                } else {
                    v
                }
            }
            Scale::Log { .. } => round_sig(v, 3),
        }
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
    fn parity_is_linear_in_hundredths() {
        let s = Scale::for_spec(&MarketKey::open_source_parity.spec());
        assert!(matches!(s, Scale::Linear { .. }));
        assert_eq!(s.step(0.3, Step::Up), 0.31);
        assert_eq!(s.step(0.3, Step::BigDown), 0.2);
        assert_eq!(s.step(1.0, Step::Up), 1.0);
        assert_eq!(s.step(0.0, Step::Down), 0.0);
    }

    #[test]
    fn volume_is_logarithmic_and_leaves_zero() {
        let s = Scale::for_spec(&ProviderKey::self_chip_volume.spec());
        assert!(matches!(s, Scale::Log { .. }));
        let up = s.step(15.0, Step::Up);
        assert!(up > 15.0 && up < 20.0, "{up}");
        assert!(s.step(0.0, Step::Up) > 0.0);
        assert_eq!(s.step(0.0, Step::Down), 0.0);
        let big = s.step(15.0, Step::BigUp);
        assert!(big > up);
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
