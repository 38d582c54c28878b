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

/// Where [`Uncertain::apply`] puts a drawn value, once the structure it
/// creates (a keyframe it adds, one at the start it removes) is in place.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Base(ParamRef),
    /// Index in `Scenario::keyframes`.
    Keyframe(usize),
    /// A base value of a provider the scenario does not have: nothing is set.
    Nowhere,
}

/// Where one input's value goes, and the range `ParamSpec::check` allows it.
#[derive(Debug, Clone, Copy)]
struct Target {
    slot: Slot,
    min: f64,
    max: f64,
}

/// One scenario into which the inputs' values of one sample after another
/// (of a Monte Carlo, or a sweep's combinations) are written in place: the
/// rest of the scenario is not copied again, and once a sample has passed
/// every rule of `Scenario::problems`, only the rules the inputs take part in
/// are checked again. Samples differ only in these values, so a sample breaks
/// a rule exactly when an input's value is out of its range or a rule
/// relating values to one another (initial shares, the multimodal share)
/// fails.
#[derive(Debug, Clone)]
pub struct Overwrite {
    scenario: Scenario,
    targets: Vec<Target>,
    checked: bool,
}

impl Overwrite {
    /// `apply` sets every input once in a copy of `sc`: the structure it
    /// leaves (a keyframe added, one at the start removed) is the one any
    /// values leave. `inputs` are the inputs, as [`Uncertain::apply`] or
    /// `Scenario::set_lever` (`Some(t)`) and `Scenario::set_whole_run`
    /// (`None`) set them, in the order the values will be given.
    pub fn new(sc: &Scenario, inputs: &[(ParamRef, Option<u32>)], apply: impl FnOnce(&mut Scenario)) -> Overwrite {
        let mut scenario = sc.clone();
        apply(&mut scenario);
        let targets = inputs
            .iter()
            .map(|&(r, at)| {
                let t = if r.is_start_only() { 0 } else { at.unwrap_or(0) };
                let slot = match r {
                    _ if t > 0 => scenario
                        .keyframes
                        .iter()
                        .position(|k| k.target == r && k.at == t)
                        .map_or(Slot::Nowhere, Slot::Keyframe),
                    ParamRef::Provider(i, _) if i >= scenario.providers.len() => Slot::Nowhere,
                    _ => Slot::Base(r),
                };
                let spec = r.spec();
                Target {
                    slot,
                    min: spec.min,
                    max: spec.max,
                }
            })
            .collect();
        Overwrite {
            scenario,
            targets,
            checked: false,
        }
    }

    /// Writes one value per input, in order, and returns the scenario with
    /// whether it can be simulated (`Scenario::problems` finds nothing in it).
    pub fn write(&mut self, values: impl IntoIterator<Item = f64>) -> (&Scenario, bool) {
        for (t, v) in self.targets.iter().zip(values) {
            match t.slot {
                Slot::Base(r) => self.scenario.set_base_value(r, v),
                Slot::Keyframe(k) => self.scenario.keyframes[k].value = v,
                Slot::Nowhere => {}
            }
        }
        let ok = if self.checked {
            self.inputs_pass()
        } else {
            let ok = self.scenario.problems().is_empty();
            self.checked = ok;
            ok
        };
        (&self.scenario, ok)
    }

    /// The rules of `Scenario::problems` that an input takes part in.
    fn inputs_pass(&self) -> bool {
        let sc = &self.scenario;
        let in_range = self.targets.iter().all(|d| {
            let v = match d.slot {
                Slot::Base(r) => sc.base_value(r),
                Slot::Keyframe(k) => sc.keyframes[k].value,
                Slot::Nowhere => return true,
            };
            v.is_finite() && v >= d.min && v <= d.max
        });
        in_range && sc.related_values_hold()
    }
}

/// Draws the samples of a study into one scenario it keeps ([`Overwrite`]):
/// sample `index` is, bit for bit, what [`sample_scenario`] returns for it.
#[derive(Debug, Clone)]
pub struct Sampler {
    into: Overwrite,
    dists: Vec<Distribution>,
    /// The generator seeded with the study's seed, before any stream is chosen.
    seeded: ChaCha8Rng,
    /// This sample's drawn values.
    drawn: Vec<f64>,
}

impl Sampler {
    pub fn new(sc: &Scenario, seed: u64) -> Sampler {
        let inputs: Vec<(ParamRef, Option<u32>)> = sc.uncertainty.iter().map(|u| (u.target, u.at)).collect();
        let into = Overwrite::new(sc, &inputs, |s| {
            for u in &sc.uncertainty {
                u.apply(s, u.dist.centre());
            }
        });
        Sampler {
            into,
            dists: sc.uncertainty.iter().map(|u| u.dist).collect(),
            seeded: ChaCha8Rng::seed_from_u64(seed),
            drawn: Vec::with_capacity(sc.uncertainty.len()),
        }
    }

    /// Draws sample `index` and returns it with whether it can be simulated
    /// (`Scenario::problems` finds nothing in it).
    pub fn draw(&mut self, index: u64) -> (&Scenario, bool) {
        let mut rng = self.seeded.clone();
        rng.set_stream(index);
        self.drawn.clear();
        self.drawn.extend(self.dists.iter().map(|d| d.sample(&mut rng)));
        self.into.write(self.drawn.iter().copied())
    }
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

#[cfg(test)]
mod sampler_tests {
    use super::*;
    use crate::sim::params::{MarketKey, ProviderKey};
    use proptest::prelude::*;

    /// Every parameter of a scenario with `providers` providers, and one of a
    /// provider it does not have.
    fn params(providers: usize) -> Vec<ParamRef> {
        let market = MarketKey::ALL.iter().map(|&k| ParamRef::Market(k));
        let provider = (0..=providers).flat_map(|i| ProviderKey::ALL.iter().map(move |&k| ParamRef::Provider(i, k)));
        market.chain(provider).collect()
    }

    /// A distribution around the parameter's allowed range: inside it, past
    /// one end or both, or out to an infinity.
    fn around(r: ParamRef, kind: u8, reach: f64, skew: f64) -> Distribution {
        let spec = r.spec();
        let span = (spec.max - spec.min).min(1e6);
        let lo = spec.min + span * (skew - reach);
        let hi = (spec.max - span * skew + span * reach).max(lo);
        match kind % 5 {
            0 => Distribution::Uniform { min: lo, max: hi },
            1 => Distribution::Triangular {
                min: lo,
                mode: 0.5 * (lo + hi),
                max: hi,
            },
            2 => Distribution::Normal {
                mean: 0.5 * (lo + hi),
                sd: 0.3 * (hi - lo),
                min: lo,
                max: hi,
            },
            3 => Distribution::Lognormal {
                median: spec.max.max(1e-3),
                sigma: reach,
                min: lo,
                max: hi,
            },
            _ => Distribution::Uniform {
                min: lo,
                max: f64::INFINITY,
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// A sampler's draw is the scenario `sample_scenario` returns, bit for
        /// bit, and it is refused exactly when `Scenario::problems` finds
        /// something, whatever the inputs, their ranges and the order of draws.
        #[test]
        fn a_draw_is_the_sample_and_is_refused_as_problems_refuses_it(
            inputs in prop::collection::vec((0usize..10_000, prop::option::of(0u32..40), 0u8..5, 0.0f64..1.5, 0.0f64..0.6), 1..12),
            seed in any::<u64>(),
            start in 0u64..1_000_000,
        ) {
            let mut sc = crate::document::presets::default_scenario();
            let keys = params(sc.providers.len());
            sc.uncertainty.clear();
            for (k, at, kind, reach, skew) in inputs {
                let target = keys[k % keys.len()];
                sc.uncertainty.push(Uncertain { target, at, dist: around(target, kind, reach, skew) });
            }
            // The default's own inputs too, after these.
            sc.uncertainty.extend(crate::document::presets::default_scenario().uncertainty);
            let mut sampler = Sampler::new(&sc, seed);
            for index in (start..start + 40).chain([0, u64::MAX]) {
                let want = sample_scenario(&sc, seed, index);
                let (got, ok) = sampler.draw(index);
                prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
                prop_assert_eq!(ok, want.problems().is_empty(), "sample {}: {:?}", index, want.problems());
            }
        }
    }

    #[test]
    fn draws_are_refused_and_passed_in_one_study() {
        // The wide inputs above both refuse and pass samples in a study: check
        // that such a study exists (the property is not vacuous).
        let mut sc = crate::document::presets::default_scenario();
        let hyper = sc.provider_index("hyper").unwrap_or(0);
        sc.uncertainty.push(Uncertain {
            target: ParamRef::Provider(hyper, ProviderKey::initial_share),
            at: None,
            dist: Distribution::Uniform { min: 0.0, max: 1.0 },
        });
        sc.uncertainty.push(Uncertain {
            target: ParamRef::Market(MarketKey::multimodal_share_start),
            at: Some(0),
            dist: Distribution::Uniform { min: 0.0, max: 1.0 },
        });
        sc.uncertainty.push(Uncertain {
            target: ParamRef::Market(MarketKey::open_source_parity),
            at: Some(9),
            dist: Distribution::Uniform { min: 0.5, max: 1.2 },
        });
        let mut sampler = Sampler::new(&sc, 3);
        let mut seen = [false; 2];
        for index in 0..200 {
            let want = sample_scenario(&sc, 3, index).problems().is_empty();
            let (_, ok) = sampler.draw(index);
            assert_eq!(ok, want, "sample {index}");
            seen[usize::from(ok)] = true;
        }
        assert_eq!(seen, [true, true]);
    }
}
