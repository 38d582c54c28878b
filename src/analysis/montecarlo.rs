//! Monte Carlo: run many samples of the uncertain inputs and report, for every
//! quarter, provider and KPI, the 5th, 25th, 50th, 75th and 95th percentiles.
//!
//! Memory stays bounded whatever the number of runs: a pilot of the first runs
//! fixes a value range per cell, then every run adds to fixed-size histograms.
//! Counts are integers, so merging partial histograms in any order gives the same
//! result, and sample `i` is always drawn from stream `i` of the seed: the output
//! does not depend on the number of threads. A cell whose pilot values are all
//! equal and that never leaves that value reports it exactly.

use super::Kpi;
use crate::sim::{Scenario, sample_scenario, simulate};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub const PERCENTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];
const BINS: usize = 1024;
const PILOT_RUNS: usize = 256;

/// Percentiles per (quarter, provider, KPI).
#[derive(Debug, Clone, PartialEq)]
pub struct McResult {
    pub runs: usize,
    pub quarters: u32,
    pub providers: usize,
    /// Indexed by `cell(t, i, k)`.
    pub pct: Vec<[f64; 5]>,
}

impl McResult {
    pub fn cell(&self, t: u32, i: usize, k: Kpi) -> usize {
        let kidx = Kpi::ALL.iter().position(|x| *x == k).unwrap_or(0);
        (t as usize * self.providers + i) * Kpi::ALL.len() + kidx
    }

    pub fn get(&self, t: u32, i: usize, k: Kpi) -> [f64; 5] {
        self.pct[self.cell(t, i, k)]
    }
}

/// Every KPI of every provider at every quarter, flattened like `McResult::pct`.
fn outcomes(sc: &Scenario) -> Vec<f64> {
    let run = simulate(sc);
    let mut out = vec![0.0; run.quarters as usize * run.providers * Kpi::ALL.len()];
    for (k, kpi) in Kpi::ALL.iter().enumerate() {
        for i in 0..run.providers {
            for (t, v) in kpi.series(&run, i).into_iter().enumerate() {
                out[(t * run.providers + i) * Kpi::ALL.len() + k] = v;
            }
        }
    }
    out
}

#[derive(Clone)]
struct Hist {
    counts: Vec<u32>,
    min: Vec<f64>,
    max: Vec<f64>,
}

impl Hist {
    fn new(cells: usize) -> Hist {
        Hist {
            counts: vec![0; cells * BINS],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
        }
    }

    fn merge(mut self, o: Hist) -> Hist {
        self.counts.iter_mut().zip(&o.counts).for_each(|(a, b)| *a += b);
        self.min.iter_mut().zip(&o.min).for_each(|(a, b)| *a = a.min(*b));
        self.max.iter_mut().zip(&o.max).for_each(|(a, b)| *a = a.max(*b));
        self
    }
}

/// Runs `runs` samples of `sc`'s uncertain inputs. `progress` is told the number
/// of finished runs now and then; setting `cancel` stops early with `None`.
pub fn monte_carlo(
    sc: &Scenario,
    runs: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
    cancel: &AtomicBool,
) -> Option<McResult> {
    let runs = runs.max(1);
    let cells = sc.quarters as usize * sc.providers.len() * Kpi::ALL.len();
    let sample = |i: usize| outcomes(&sample_scenario(sc, seed, i as u64));

    // Pilot: the value range of each cell over the first runs.
    let pilot_n = runs.min(PILOT_RUNS);
    let pilot: Vec<Vec<f64>> = (0..pilot_n).into_par_iter().map(sample).collect();
    let mut lo = vec![f64::INFINITY; cells];
    let mut hi = vec![f64::NEG_INFINITY; cells];
    for p in &pilot {
        for c in 0..cells {
            lo[c] = lo[c].min(p[c]);
            hi[c] = hi[c].max(p[c]);
        }
    }
    // Widen a little so later runs rarely fall outside.
    for c in 0..cells {
        let pad = 0.05 * (hi[c] - lo[c]);
        lo[c] -= pad;
        hi[c] += pad;
    }
    let done = AtomicUsize::new(0);
    let add = |mut h: Hist, v: &[f64]| {
        for c in 0..cells {
            let x = v[c];
            h.min[c] = h.min[c].min(x);
            h.max[c] = h.max[c].max(x);
            let width = hi[c] - lo[c];
            let b = if width > 0.0 {
                (((x - lo[c]) / width) * BINS as f64).floor()
            } else {
                0.0
            };
            h.counts[c * BINS + (b.max(0.0) as usize).min(BINS - 1)] += 1;
        }
        h
    };
    let hist = (0..runs)
        .into_par_iter()
        .fold(
            || Hist::new(cells),
            |h, i| {
                if cancel.load(Ordering::Relaxed) {
                    return h;
                }
                let v = if i < pilot_n { pilot[i].clone() } else { sample(i) };
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_multiple_of(64) || n == runs {
                    progress(n);
                }
                add(h, &v)
            },
        )
        .reduce(|| Hist::new(cells), Hist::merge);
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let pct = (0..cells)
        .map(|c| {
            let counts = &hist.counts[c * BINS..(c + 1) * BINS];
            PERCENTILES.map(|p| percentile(counts, runs, lo[c], hi[c], hist.min[c], hist.max[c], p))
        })
        .collect();
    Some(McResult {
        runs,
        quarters: sc.quarters,
        providers: sc.providers.len(),
        pct,
    })
}

/// The `p` quantile from a histogram over `[lo, hi]`, interpolating inside the bin
/// and never outside the observed `[min, max]`.
fn percentile(counts: &[u32], n: usize, lo: f64, hi: f64, min: f64, max: f64, p: f64) -> f64 {
    if min == max {
        return min;
    }
    let target = p * n as f64;
    let width = (hi - lo) / BINS as f64;
    let mut seen = 0.0;
    for (b, &c) in counts.iter().enumerate() {
        let c = f64::from(c);
        if c > 0.0 && seen + c >= target {
            let frac = ((target - seen) / c).clamp(0.0, 1.0);
            return (lo + (b as f64 + frac) * width).clamp(min, max);
        }
        seen += c;
    }
    max
}
