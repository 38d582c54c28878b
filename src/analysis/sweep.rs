//! Parameter sweeps: every combination of a grid of parameter values, each
//! simulated once, with each provider's KPIs at one quarter. Combinations are
//! numbered with the first axis varying slowest (as nested loops in the order
//! the axes are given), so any slice of the numbers (a shard) is computed the
//! same way on any machine.

use super::Kpi;
use crate::sim::uncertainty::Overwrite;
use crate::sim::{ParamRef, Scenario, Status, simulate};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// One axis of a grid: a parameter (or one keyframe of it) and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub target: ParamRef,
    /// `Some(t)`: a keyframe at quarter index `t`; `None`: the whole run.
    pub at: Option<u32>,
    pub values: Vec<f64>,
}

impl Axis {
    /// Sets the axis's parameter to `v` in `s`.
    fn apply(&self, s: &mut Scenario, v: f64) {
        match self.at {
            None => s.set_whole_run(self.target, v),
            Some(t) => {
                s.set_lever(self.target, t, v);
            }
        }
    }

    /// `n` evenly spaced values from `lo` to `hi`, both included (`lo` alone when `n` is 1).
    pub fn spaced(target: ParamRef, at: Option<u32>, lo: f64, hi: f64, n: usize) -> Axis {
        let values = (0..n)
            .map(|j| {
                if j + 1 == n && n > 1 {
                    hi
                } else if j == 0 {
                    lo
                } else {
                    lo + (hi - lo) * (j as f64 / (n - 1) as f64)
                }
            })
            .collect();
        Axis { target, at, values }
    }
}

/// Every combination of the axes' values.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub axes: Vec<Axis>,
}

impl Grid {
    /// Number of combinations (saturating).
    pub fn len(&self) -> usize {
        self.axes.iter().fold(1usize, |n, a| n.saturating_mul(a.values.len()))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each axis's value in combination `c`.
    pub fn point(&self, c: usize) -> Vec<f64> {
        let mut rest = c;
        let mut out = vec![0.0; self.axes.len()];
        for (k, a) in self.axes.iter().enumerate().rev() {
            let n = a.values.len().max(1);
            out[k] = a.values[rest % n];
            rest /= n;
        }
        out
    }

    /// `sc` with combination `c` applied.
    pub fn scenario(&self, sc: &Scenario, c: usize) -> Scenario {
        let mut s = sc.clone();
        for (a, v) in self.axes.iter().zip(self.point(c)) {
            a.apply(&mut s, v);
        }
        s
    }

    /// One scenario per worker into which combination after combination is
    /// written: combination `c` written into it is [`Grid::scenario`] of `c`.
    fn overwrite(&self, sc: &Scenario) -> Overwrite {
        let inputs: Vec<(ParamRef, Option<u32>)> = self.axes.iter().map(|a| (a.target, a.at)).collect();
        Overwrite::new(sc, &inputs, |s| {
            for a in &self.axes {
                if let Some(&v) = a.values.first() {
                    a.apply(s, v);
                }
            }
        })
    }
}

/// One provider's outcome in one combination.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderOutcome {
    pub status: Status,
    /// Quarter index of its exit, if it exited by the measured quarter.
    pub exit_at: Option<u32>,
    /// One value per requested KPI; NaN for price, unit cost and gross
    /// margin when it had left the market before the measured quarter.
    pub values: Vec<f64>,
}

/// One combination's outcome: `None` when the combination breaks a rule the
/// file format enforces (such as initial shares adding up to more than 1).
pub type Outcome = Option<Vec<ProviderOutcome>>;

/// KPIs a provider that has left the market no longer has.
fn needs_presence(k: Kpi) -> bool {
    matches!(k, Kpi::Price | Kpi::Cost | Kpi::GrossMargin)
}

/// Simulates combination `c` and reads `kpis` at quarter `t`.
pub fn outcome(sc: &Scenario, grid: &Grid, c: usize, kpis: &[Kpi], t: u32) -> Outcome {
    let s = grid.scenario(sc, c);
    s.problems().is_empty().then(|| read(&s, kpis, t))
}

/// Simulates `s` and reads `kpis` at quarter `t`.
fn read(s: &Scenario, kpis: &[Kpi], t: u32) -> Vec<ProviderOutcome> {
    let run = simulate(s);
    let t = t.min(run.last());
    (0..run.providers)
        .map(|i| {
            let exit_at = (0..=t).find(|&q| run.row(q, i).status == Status::Exited);
            let gone_before = exit_at.is_some_and(|q| q < t);
            ProviderOutcome {
                status: run.row(t, i).status,
                exit_at,
                values: kpis
                    .iter()
                    .map(|&k| {
                        if gone_before && needs_presence(k) {
                            f64::NAN
                        } else {
                            k.value(&run, i, t)
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The outcomes of combinations `range`, in order, computed in parallel.
/// `progress` is told the number finished now and then; `cancel` stops early
/// with `None`.
pub fn sweep(
    sc: &Scenario,
    grid: &Grid,
    kpis: &[Kpi],
    t: u32,
    range: Range<usize>,
    progress: &(dyn Fn(usize) + Sync),
    cancel: &AtomicBool,
) -> Option<Vec<Outcome>> {
    let done = AtomicUsize::new(0);
    let out: Vec<Outcome> = range
        .into_par_iter()
        .map_init(
            || grid.overwrite(sc),
            |into, c| {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                let (s, ok) = into.write(grid.point(c));
                let o = ok.then(|| read(s, kpis, t));
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                o
            },
        )
        .collect();
    (!cancel.load(Ordering::Relaxed)).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::MarketKey;

    fn parity() -> ParamRef {
        ParamRef::Market(MarketKey::open_source_parity)
    }

    #[test]
    fn a_combination_written_in_place_is_the_combination() {
        use crate::sim::ProviderKey;
        let sc = crate::document::presets::default_scenario();
        let hyper = sc.provider_index("hyper").unwrap_or(0);
        let volume = ParamRef::self_chip_volume(hyper);
        let g = Grid {
            axes: vec![
                // Initial shares that break the sum for some values.
                Axis::spaced(ParamRef::Provider(hyper, ProviderKey::initial_share), None, 0.1, 0.9, 4),
                // A whole-run value that drops the parameter's keyframes, then one of them set again.
                Axis::spaced(volume, None, 0.0, 200.0, 3),
                Axis::spaced(volume, Some(8), 10.0, 90.0, 2),
                // A keyframe the scenario does not have, in and out of range.
                Axis::spaced(parity(), Some(13), 0.5, 1.5, 3),
                Axis::spaced(ParamRef::Market(MarketKey::multimodal_share_start), None, 0.0, 0.9, 3),
            ],
        };
        let mut into = g.overwrite(&sc);
        let mut seen = [false; 2];
        for c in (0..g.len()).chain((0..g.len()).rev()) {
            let want = g.scenario(&sc, c);
            let (got, ok) = into.write(g.point(c));
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "combination {c}");
            assert_eq!(ok, want.problems().is_empty(), "combination {c}: {:?}", want.problems());
            seen[usize::from(ok)] = true;
        }
        assert_eq!(seen, [true, true]);
    }

    #[test]
    fn spaced_values_include_both_ends() {
        let a = Axis::spaced(parity(), None, 0.1, 0.7, 4);
        assert_eq!(a.values.len(), 4);
        assert_eq!(a.values[0], 0.1);
        assert_eq!(a.values[3], 0.7);
        assert!((a.values[1] - 0.3).abs() < 1e-12);
        assert_eq!(Axis::spaced(parity(), None, 0.2, 0.9, 1).values, vec![0.2]);
    }

    #[test]
    fn the_first_axis_varies_slowest() {
        let g = Grid {
            axes: vec![
                Axis {
                    target: parity(),
                    at: None,
                    values: vec![1.0, 2.0],
                },
                Axis {
                    target: ParamRef::CEILING,
                    at: None,
                    values: vec![10.0, 20.0, 30.0],
                },
            ],
        };
        assert_eq!(g.len(), 6);
        assert_eq!(g.point(0), vec![1.0, 10.0]);
        assert_eq!(g.point(2), vec![1.0, 30.0]);
        assert_eq!(g.point(3), vec![2.0, 10.0]);
        assert_eq!(g.point(5), vec![2.0, 30.0]);
    }
}
