//! Monte Carlo: run many samples of the uncertain inputs and report, for every
//! quarter, provider and KPI, the 5th, 25th, 50th, 75th and 95th percentiles.
//!
//! Memory stays bounded whatever the number of runs: a pilot of the first runs
//! fixes a value range per cell, then every run adds to one fixed-size
//! histogram that all worker threads share (atomic counters), so memory does
//! not grow with the thread count either: each worker holds only the run it is
//! adding. Counts are integers, so adding in any order gives the same result,
//! and sample `i` is always drawn from stream `i` of the seed: the output does
//! not depend on the number of threads. A cell whose pilot values are all
//! equal and that never leaves that value reports it exactly. A run whose
//! histogram and pilot would not fit in [`MEMORY_BUDGET`] is refused before it
//! starts ([`check_memory`]).

use super::Kpi;
use crate::sim::{Scenario, sample_scenario, simulate};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

pub const PERCENTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];
const BINS: usize = 1024;
const PILOT_RUNS: usize = 256;
/// Most memory a Monte Carlo may plan to use (histogram, pilot and results): 1 GiB.
pub const MEMORY_BUDGET: u64 = 1 << 30;

/// Bytes a Monte Carlo of `runs` runs of `sc` needs, whatever the thread
/// count (each worker adds only the one run it holds, counted once per core).
pub fn memory_needed(sc: &Scenario, runs: usize) -> u64 {
    let cells = sc.quarters as u64 * sc.providers.len() as u64 * Kpi::ALL.len() as u64;
    let pilot = runs.clamp(1, PILOT_RUNS) as u64;
    let per_cell = BINS as u64 * 4 + 2 * 8 + 2 * 8 + 5 * 8 + pilot * 8;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    cells * per_cell + cores * cells * 8
}

/// Refuses, with a message naming the figures, a Monte Carlo that would need
/// more than [`MEMORY_BUDGET`].
pub fn check_memory(sc: &Scenario, runs: usize) -> Result<(), String> {
    let need = memory_needed(sc, runs);
    if need <= MEMORY_BUDGET {
        return Ok(());
    }
    Err(format!(
        "a Monte Carlo of this scenario needs about {} MiB ({} quarters × {} providers × {} KPIs), more than the limit of {} MiB; shorten the horizon or simulate fewer providers",
        need.div_ceil(1 << 20),
        sc.quarters,
        sc.providers.len(),
        Kpi::ALL.len(),
        MEMORY_BUDGET >> 20
    ))
}

/// Percentiles per (quarter, provider, KPI).
#[derive(Debug, Clone, PartialEq)]
pub struct McResult {
    pub runs: usize,
    /// Samples left out because they broke a rule `check` enforces (such as
    /// initial shares adding up to more than 1); the percentiles are over the rest.
    /// When every sample is left out, every percentile is NaN.
    pub skipped: usize,
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

/// One histogram per cell, shared by every worker: counts and the observed
/// range, all atomic, so adding runs in any order on any thread gives the same result.
struct Hist {
    counts: Vec<AtomicU32>,
    min: Vec<AtomicU64>,
    max: Vec<AtomicU64>,
}

impl Hist {
    fn new(cells: usize) -> Hist {
        Hist {
            counts: (0..cells * BINS).map(|_| AtomicU32::new(0)).collect(),
            min: (0..cells).map(|_| AtomicU64::new(f64::INFINITY.to_bits())).collect(),
            max: (0..cells)
                .map(|_| AtomicU64::new(f64::NEG_INFINITY.to_bits()))
                .collect(),
        }
    }
}

/// Lowers (`below`) or raises the `f64` held in `cell` to `x`.
fn extend(cell: &AtomicU64, x: f64, below: bool) {
    let beyond = |bits: u64| {
        let cur = f64::from_bits(bits);
        if below { x < cur } else { x > cur }
    };
    let mut bits = cell.load(Ordering::Relaxed);
    while beyond(bits) {
        match cell.compare_exchange_weak(bits, x.to_bits(), Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(now) => bits = now,
        }
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
    // A sample the file format would reject is not simulated.
    let sample = |i: usize| {
        let s = sample_scenario(sc, seed, i as u64);
        s.problems().is_empty().then(|| outcomes(&s))
    };

    // Pilot: the value range of each cell over the first runs.
    let pilot_n = runs.min(PILOT_RUNS);
    let pilot: Vec<Option<Vec<f64>>> = (0..pilot_n).into_par_iter().map(sample).collect();
    let mut lo = vec![f64::INFINITY; cells];
    let mut hi = vec![f64::NEG_INFINITY; cells];
    for p in pilot.iter().flatten() {
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
    let skipped = AtomicUsize::new(0);
    let hist = Hist::new(cells);
    let add = |v: &[f64]| {
        for c in 0..cells {
            let x = v[c];
            extend(&hist.min[c], x, true);
            extend(&hist.max[c], x, false);
            let width = hi[c] - lo[c];
            let b = if width > 0.0 {
                (((x - lo[c]) / width) * BINS as f64).floor()
            } else {
                0.0
            };
            hist.counts[c * BINS + (b.max(0.0) as usize).min(BINS - 1)].fetch_add(1, Ordering::Relaxed);
        }
    };
    (0..runs).into_par_iter().for_each(|i| {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let drawn;
        let v = if i < pilot_n {
            pilot[i].as_deref()
        } else {
            drawn = sample(i);
            drawn.as_deref()
        };
        match v {
            Some(v) => add(v),
            None => {
                skipped.fetch_add(1, Ordering::Relaxed);
            }
        }
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(64) || n == runs {
            progress(n);
        }
    });
    drop(pilot);
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let counts: Vec<u32> = hist.counts.into_iter().map(AtomicU32::into_inner).collect();
    let min: Vec<f64> = hist.min.into_iter().map(|m| f64::from_bits(m.into_inner())).collect();
    let max: Vec<f64> = hist.max.into_iter().map(|m| f64::from_bits(m.into_inner())).collect();
    let skipped = skipped.into_inner();
    let counted = runs - skipped;
    let pct = (0..cells)
        .map(|c| {
            let counts = &counts[c * BINS..(c + 1) * BINS];
            if counted == 0 {
                return [f64::NAN; 5];
            }
            PERCENTILES.map(|p| percentile(counts, counted, lo[c], hi[c], min[c], max[c], p))
        })
        .collect();
    Some(McResult {
        runs,
        skipped,
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
