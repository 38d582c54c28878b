//! Why did it move: the difference in a KPI between a baseline and the current
//! scenario, split into the contribution of each changed lever (Shapley values:
//! each lever's marginal effect averaged over every order of applying the changes).

use super::Kpi;
use crate::sim::{ParamRef, Scenario, simulate};
use rayon::prelude::*;
use std::collections::BTreeSet;

/// Exact Shapley values up to this many changed levers (2^n runs); above it the
/// changes are applied in a fixed order (sequential attribution).
const MAX_SHAPLEY: usize = 10;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attribution {
    pub base: f64,
    pub current: f64,
    /// Each changed lever's contribution; they add up to `current − base`.
    pub parts: Vec<Part>,
    pub method: &'static str,
}

/// One lever's share of the change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Part {
    /// The lever's key, as files and the command line write it.
    pub key: String,
    /// The same lever, typed.
    #[serde(skip)]
    pub param: ParamRef,
    pub contribution: f64,
}

/// Parameters whose base value or keyframes differ between the two scenarios.
pub fn changed_levers(base: &Scenario, cur: &Scenario) -> Vec<ParamRef> {
    let mut refs: BTreeSet<ParamRef> = BTreeSet::new();
    refs.extend(base.keyframes.iter().map(|k| k.target));
    refs.extend(cur.keyframes.iter().map(|k| k.target));
    for &k in crate::sim::MarketKey::ALL {
        refs.insert(ParamRef::Market(k));
    }
    for i in 0..cur.providers.len().min(base.providers.len()) {
        for &k in crate::sim::ProviderKey::ALL {
            refs.insert(ParamRef::Provider(i, k));
        }
    }
    refs.into_iter()
        .filter(|&r| {
            base.base_value(r) != cur.base_value(r)
                || base
                    .keyframes
                    .iter()
                    .filter(|k| k.target == r)
                    .ne(cur.keyframes.iter().filter(|k| k.target == r))
        })
        .collect()
}

/// `base` with the levers in `subset` (bit i = `levers[i]`) taken from `cur`.
fn mix(base: &Scenario, cur: &Scenario, levers: &[ParamRef], subset: usize) -> Scenario {
    let mut s = base.clone();
    for (i, &r) in levers.iter().enumerate() {
        if subset & (1 << i) != 0 {
            s.set_base_value(r, cur.base_value(r));
            s.keyframes.retain(|k| k.target != r);
            s.keyframes
                .extend(cur.keyframes.iter().filter(|k| k.target == r).copied());
        }
    }
    s.sort_keyframes();
    s
}

/// Splits the change in `kpi` of `provider` at quarter `t` from `base` to `cur`
/// among the changed levers. The scenarios must have the same providers.
pub fn attribute(base: &Scenario, cur: &Scenario, provider: usize, kpi: Kpi, t: u32) -> Attribution {
    let levers = changed_levers(base, cur);
    let value = |s: &Scenario| kpi.value(&simulate(s), provider, t);
    let (b, c) = (value(base), value(cur));
    let n = levers.len();
    let part = |r: ParamRef, contribution: f64| Part {
        key: cur.key_name(r),
        param: r,
        contribution,
    };
    if n == 0 {
        return Attribution {
            base: b,
            current: c,
            parts: Vec::new(),
            method: "none",
        };
    }
    if n <= MAX_SHAPLEY {
        let values: Vec<f64> = (0..1usize << n)
            .into_par_iter()
            .map(|s| value(&mix(base, cur, &levers, s)))
            .collect();
        // Weight of a coalition of size s (excluding the lever): s! (n-s-1)! / n!.
        let fact = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
        let parts = (0..n)
            .map(|i| {
                let phi: f64 = (0..1usize << n)
                    .filter(|s| s & (1 << i) == 0)
                    .map(|s| {
                        let size = s.count_ones() as usize;
                        fact(size) * fact(n - size - 1) / fact(n) * (values[s | (1 << i)] - values[s])
                    })
                    .sum();
                part(levers[i], phi)
            })
            .collect();
        Attribution {
            base: b,
            current: c,
            parts,
            method: "shapley",
        }
    } else {
        let mut prev = b;
        let mut parts = Vec::with_capacity(n);
        for i in 0..n {
            let v = if i + 1 == n {
                c
            } else {
                value(&mix(base, cur, &levers, (1 << (i + 1)) - 1))
            };
            parts.push(part(levers[i], v - prev));
            prev = v;
        }
        Attribution {
            base: b,
            current: c,
            parts,
            method: "sequential",
        }
    }
}
