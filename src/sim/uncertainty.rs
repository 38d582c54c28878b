//! Uncertain parameters: a distribution per parameter (or per keyframe value),
//! sampled deterministically from a seed and a sample index.

use super::scenario::{ParamRef, Scenario};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A probability distribution for one parameter. Normal and lognormal samples are
/// clipped to `[min, max]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    },
    Lognormal {
        median: f64,
        sigma: f64,
        min: f64,
        max: f64,
    },
}

impl Distribution {
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { min, max }
            | Distribution::Triangular { min, max, .. }
            | Distribution::Normal { min, max, .. }
            | Distribution::Lognormal { min, max, .. } => (min, max),
        }
    }

    /// The most representative single value (mode, mean or median).
    pub fn centre(&self) -> f64 {
        match *self {
            Distribution::Uniform { min, max } => 0.5 * (min + max),
            Distribution::Triangular { mode, .. } => mode,
            Distribution::Normal { mean, .. } => mean,
            Distribution::Lognormal { median, .. } => median,
        }
    }

    /// Problems with the distribution's own numbers, if any.
    pub fn problem(&self) -> Option<String> {
        let (min, max) = self.bounds();
        let all = match *self {
            Distribution::Uniform { min, max } => vec![min, max],
            Distribution::Triangular { min, mode, max } => vec![min, mode, max],
            Distribution::Normal { mean, sd, min, max } => vec![mean, sd, min, max],
            Distribution::Lognormal {
                median,
                sigma,
                min,
                max,
            } => vec![median, sigma, min, max],
        };
        if all.iter().any(|v| !v.is_finite()) {
            return Some("every number of a distribution must be finite".into());
        }
        if min > max {
            return Some(format!("min {min} is above max {max}"));
        }
        match *self {
            Distribution::Triangular { mode, .. } if !(min..=max).contains(&mode) => {
                Some(format!("mode {mode} must lie between min {min} and max {max}"))
            }
            Distribution::Normal { sd, .. } if sd < 0.0 => Some(format!("sd {sd} must be at least 0")),
            Distribution::Lognormal { median, sigma, .. } if median <= 0.0 || sigma < 0.0 => Some(format!(
                "median ({median}) must be above 0 and sigma ({sigma}) at least 0"
            )),
            _ => None,
        }
    }

    pub fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        let u: f64 = rng.random();
        let v = match *self {
            Distribution::Uniform { min, max } => min + u * (max - min),
            Distribution::Triangular { min, mode, max } => {
                let span = max - min;
                if span <= 0.0 {
                    min
                } else {
                    let f = (mode - min) / span;
                    if u < f {
                        min + (u * span * (mode - min)).sqrt()
                    } else {
                        max - ((1.0 - u) * span * (max - mode)).sqrt()
                    }
                }
            }
            Distribution::Normal { mean, sd, .. } => mean + sd * normal(u, rng),
            Distribution::Lognormal { median, sigma, .. } => median * (sigma * normal(u, rng)).exp(),
        };
        let (min, max) = self.bounds();
        v.clamp(min, max)
    }
}

/// A standard normal draw by Box–Muller from `u` and one more uniform.
fn normal(u: f64, rng: &mut ChaCha8Rng) -> f64 {
    let u2: f64 = rng.random();
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// One uncertain input: a parameter's base value, or the value of one of its keyframes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uncertain {
    pub target: ParamRef,
    /// `Some(t)`: the keyframe at quarter index `t`; `None`: the base value.
    pub at: Option<u32>,
    pub dist: Distribution,
}

impl Uncertain {
    /// Sets the input to `v` in `sc`.
    pub fn apply(&self, sc: &mut Scenario, v: f64) {
        match self.at {
            None => sc.set_base_value(self.target, v),
            Some(t) => {
                sc.set_lever(self.target, t, v);
            }
        }
    }

    /// The parameter or keyframe this input moves.
    pub fn param(&self) -> super::scenario::ParamAt {
        super::scenario::ParamAt {
            target: self.target,
            at: self.at,
        }
    }

    /// Label such as `market.vendor_gross_margin` or `market.open_source_parity@2025Q1`.
    pub fn label(&self, sc: &Scenario) -> String {
        sc.param_at_key(self.param())
    }
}

/// Uncertain inputs whose range leaves out the value the scenario puts in force
/// there: `(index in the section, label, low, high, value)`. Such a range is
/// usually written for another parameter; `check` warns about it.
pub fn outside_their_value(sc: &Scenario) -> Vec<(usize, String, f64, f64, f64)> {
    sc.uncertainty
        .iter()
        .enumerate()
        .filter_map(|(i, u)| {
            let v = sc.value_at(u.target, u.at.unwrap_or(0));
            let (lo, hi) = u.dist.bounds();
            (v < lo || v > hi).then(|| (i, u.label(sc), lo, hi, v))
        })
        .collect()
}

/// The scenario with every uncertain input drawn for sample `index` of a study
/// seeded with `seed`. The result does not depend on which thread draws it.
pub fn sample_scenario(sc: &Scenario, seed: u64, index: u64) -> Scenario {
    let mut out = sc.clone();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    for u in &sc.uncertainty {
        let v = u.dist.sample(&mut rng);
        u.apply(&mut out, v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_stay_in_bounds_and_triangular_has_its_mode() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let d = Distribution::Triangular {
            min: 1.0,
            mode: 2.0,
            max: 5.0,
        };
        let xs: Vec<f64> = (0..20000).map(|_| d.sample(&mut rng)).collect();
        assert!(xs.iter().all(|x| (1.0..=5.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 8.0 / 3.0).abs() < 0.05, "{mean}");
        let n = Distribution::Normal {
            mean: 0.0,
            sd: 1.0,
            min: -0.5,
            max: 0.5,
        };
        assert!((0..1000).all(|_| n.sample(&mut rng).abs() <= 0.5));
    }

    #[test]
    fn bad_distributions_are_named() {
        assert!(Distribution::Uniform { min: 2.0, max: 1.0 }.problem().is_some());
        assert!(
            Distribution::Triangular {
                min: 0.0,
                mode: 3.0,
                max: 1.0
            }
            .problem()
            .is_some()
        );
        assert!(
            Distribution::Lognormal {
                median: 0.0,
                sigma: 1.0,
                min: 0.0,
                max: 1.0
            }
            .problem()
            .is_some()
        );
        assert!(
            Distribution::Normal {
                mean: 0.0,
                sd: 1.0,
                min: -1.0,
                max: 1.0
            }
            .problem()
            .is_none()
        );
    }
}
