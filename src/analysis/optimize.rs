//! Best-response search: the whole-run lever settings that maximize one
//! provider's KPI with every competitor's strategy held fixed, and iterated best
//! responses for every provider.

use super::Kpi;
use super::sensitivity::lever_range;
use crate::sim::{ParamRef, ProviderKey, Scenario, simulate};
use rayon::prelude::*;

/// Grid points per lever in each refinement round.
const GRID: usize = 9;
const ROUNDS: usize = 5;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Optimum {
    pub provider: String,
    pub kpi: Kpi,
    /// (key, value) of each optimized lever.
    pub settings: Vec<(String, f64)>,
    #[serde(skip)]
    pub refs: Vec<ParamRef>,
    /// The range searched for each lever (whole-run values).
    pub ranges: Vec<(f64, f64)>,
    pub start: f64,
    pub best: f64,
    /// Points of the search that broke a rule `check` enforces (such as initial
    /// shares adding up to more than 1): never simulated, never chosen.
    pub skipped: usize,
}

impl Optimum {
    pub fn gain(&self) -> f64 {
        self.best - self.start
    }

    /// Applies the optimum to `sc` as whole-run values.
    pub fn apply(&self, sc: &mut Scenario) {
        for (r, (_, v)) in self.refs.iter().zip(&self.settings) {
            sc.set_whole_run(*r, *v);
        }
    }
}

/// Sets `r` to `v` from quarter `from` to the end: the whole run at 0,
/// otherwise a keyframe at `from` that replaces any later ones (what a war-game
/// seat's decision for a round means; quarters before `from` keep their history).
pub fn set_from(sc: &mut Scenario, r: ParamRef, from: u32, v: f64) {
    if from == 0 {
        sc.set_whole_run(r, v);
    } else {
        sc.keyframes.retain(|k| !(k.target == r && k.at > from));
        sc.set_lever(r, from, v);
    }
}

/// The KPI at point `x`, or `None` when the scenario there is not one `check` accepts.
fn objective(sc: &Scenario, refs: &[ParamRef], x: &[f64], at: (u32, u32, Kpi, usize)) -> Option<f64> {
    let (from, t, kpi, provider) = at;
    let mut s = sc.clone();
    for (r, v) in refs.iter().zip(x) {
        set_from(&mut s, *r, from, *v);
    }
    s.problems().is_empty().then(|| kpi.value(&simulate(&s), provider, t))
}

/// Maximizes `kpi` of `provider` at quarter `t` over `levers` (provider
/// parameters, set for the whole run). Coordinate search: the first round tries
/// a grid over each lever's whole range, later rounds narrow around the best point; the starting point (the scenario's values in
/// force at `t`) is always a candidate, so the result is never worse than it.
pub fn optimize(sc: &Scenario, provider: usize, levers: &[ProviderKey], kpi: Kpi, t: u32) -> Optimum {
    optimize_from(sc, provider, levers, kpi, t, 0)
}

/// [`optimize`] for settings that hold from quarter `from` on, history before
/// it fixed (see [`set_from`]): a war-game bot's decision for the round that
/// starts at `from`. At `from` 0 it is [`optimize`].
pub fn optimize_from(sc: &Scenario, provider: usize, levers: &[ProviderKey], kpi: Kpi, t: u32, from: u32) -> Optimum {
    let refs: Vec<ParamRef> = levers.iter().map(|&k| ParamRef::Provider(provider, k)).collect();
    // The values in force where the search sets them (at the start, the ones
    // in force at the measured quarter, as a whole-run setting would be).
    let start_x: Vec<f64> = refs
        .iter()
        .map(|&r| sc.value_at(r, if from == 0 { t } else { from }))
        .collect();
    let at = (from, t, kpi, provider);
    let start = kpi.value(&simulate(sc), provider, t);
    let mut best_x = start_x.clone();
    let mut skipped = 0;
    let mut best = objective(sc, &refs, &best_x, at).unwrap_or_else(|| {
        skipped += 1;
        f64::NEG_INFINITY
    });
    if start > best {
        // Keyframes made the start better than any whole-run setting tried so far.
        best = start;
    }
    let ranges: Vec<(f64, f64)> = refs.iter().map(|&r| lever_range(sc, r)).collect();
    let mut spans: Vec<f64> = ranges.iter().map(|(lo, hi)| hi - lo).collect();
    let mut improved_from_start = false;
    for round in 0..ROUNDS {
        for d in 0..refs.len() {
            let (lo, hi) = ranges[d];
            // The first round spans the whole range, ends included; later rounds
            // refine a window around the best point so far.
            let (a, b) = if round == 0 {
                (lo, hi)
            } else {
                (
                    (best_x[d] - spans[d] / 2.0).max(lo),
                    (best_x[d] + spans[d] / 2.0).min(hi),
                )
            };
            let candidates: Vec<f64> = (0..GRID).map(|g| a + (b - a) * g as f64 / (GRID - 1) as f64).collect();
            let values: Vec<(f64, Option<f64>)> = candidates
                .par_iter()
                .map(|&v| {
                    let mut x = best_x.clone();
                    x[d] = v;
                    (v, objective(sc, &refs, &x, at))
                })
                .collect();
            for (v, f) in values {
                let Some(f) = f else {
                    skipped += 1;
                    continue;
                };
                if f > best + 1e-12 * best.abs().max(1.0) {
                    best = f;
                    best_x[d] = v;
                    improved_from_start = true;
                }
            }
        }
        spans.iter_mut().for_each(|s| *s /= 3.0);
    }
    let x = if improved_from_start { best_x } else { start_x };
    Optimum {
        provider: sc.providers.get(provider).map_or_else(String::new, |p| p.id.clone()),
        kpi,
        settings: refs.iter().zip(&x).map(|(&r, &v)| (sc.key_name(r), v)).collect(),
        refs,
        ranges,
        start,
        best: if improved_from_start { best } else { start },
        skipped,
    }
}

/// Result of iterating best responses for every provider.
#[derive(Debug, Clone)]
pub struct Equilibrium {
    pub scenario: Scenario,
    pub rounds: usize,
    /// True when a full round changed no lever by more than 1 % of its range.
    pub converged: bool,
    pub optima: Vec<Optimum>,
}

/// Each active provider in turn best-responds to the others, round after round,
/// until no lever moves or `max_rounds` is reached.
pub fn best_responses(sc: &Scenario, levers: &[ProviderKey], kpi: Kpi, t: u32, max_rounds: usize) -> Equilibrium {
    let mut cur = sc.clone();
    let mut optima = Vec::new();
    for round in 1..=max_rounds.max(1) {
        let mut moved = false;
        optima.clear();
        for i in 0..cur.providers.len() {
            let before: Vec<f64> = levers
                .iter()
                .map(|&k| cur.value_at(ParamRef::Provider(i, k), t))
                .collect();
            let o = optimize(&cur, i, levers, kpi, t);
            for (d, (r, (_, v))) in o.refs.iter().zip(&o.settings).enumerate() {
                let (lo, hi) = lever_range(&cur, *r);
                if (v - before[d]).abs() > 0.01 * (hi - lo) {
                    moved = true;
                }
            }
            o.apply(&mut cur);
            optima.push(o);
        }
        if !moved {
            return Equilibrium {
                scenario: cur,
                rounds: round,
                converged: true,
                optima,
            };
        }
    }
    Equilibrium {
        scenario: cur,
        rounds: max_rounds.max(1),
        converged: false,
        optima,
    }
}
