//! Monte Carlo: run many samples of the uncertain inputs and report, for every
//! quarter, provider and KPI, the 5th, 25th, 50th, 75th and 95th percentiles,
//! how many samples each rests on, and the share of runs in which each
//! provider has exited by each quarter (docs/MODEL.md, "Monte Carlo
//! percentiles").
//!
//! A pilot of the first runs fixes a value range per cell; then each worker
//! thread takes runs a few at a time and adds each run's outcomes, as soon as
//! it is simulated, to a histogram of its own (allocated once, on its first
//! run), keeping the values outside the pilot's range exactly (the most
//! extreme few per cell and side). The workers'
//! histograms are merged once at the end. Counts are integers and the kept
//! extremes are "the most extreme k", so any split of the runs among workers,
//! or among machines ([`McPartial`], `--shard`), gives the same result; sample
//! `i` is always drawn from stream `i` of the seed. The number of worker
//! histograms is limited so that the whole study fits in [`MEMORY_BUDGET`];
//! a study in which not even one fits is refused before it starts
//! ([`check_memory`]).
//!
//! Price, unit cost and gross margin are undefined once a provider has left
//! the market: a sample counts for them at quarter `t` only if the provider
//! was still in the market at the start of `t` (its exit quarter is kept, as
//! the charts keep it).

use super::Kpi;
use crate::sim::uncertainty::Sampler;
use crate::sim::{ProviderQuarter, Run, Scenario, Status, simulate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering as CmpOrdering, Reverse};
use std::collections::BinaryHeap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub const PERCENTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];
/// [`PERCENTILES`] in thousandths, so that ranks are computed exactly.
const PER_MILLE: [u64; 5] = [50, 250, 500, 750, 950];
/// Histogram bins per cell.
pub const BINS: usize = 1024;
/// Runs whose values set the histogram ranges.
pub const PILOT_RUNS: usize = 256;
/// Most memory a Monte Carlo may plan to use (histograms, pilot and results): 1 GiB.
pub const MEMORY_BUDGET: u64 = 1 << 30;
/// Memory one worker may spend on exact values outside the pilot's range.
const EXTREMES_BYTES: u64 = 32 << 20;
/// Most values kept exactly per cell and side.
const MAX_KEEP: usize = 1024;
/// Fewest values kept exactly per cell and side.
const MIN_KEEP: usize = 16;
/// Most runs a worker takes at a time (and between two reports of progress).
const MAX_TAKE: usize = 64;
/// Fewest runs a worker is started for: below it the second thread's
/// histogram, start and merge cost more than the runs it would take over.
const MIN_RUNS_PER_WORKER: usize = 250;

/// The cells of a study: quarters × providers × KPIs, flattened as
/// `(t × providers + i) × KPIs + k`, followed by one exit flag per
/// (quarter, provider) in each run's outcome vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    quarters: usize,
    providers: usize,
}

impl Shape {
    fn of(sc: &Scenario) -> Shape {
        Shape {
            quarters: sc.quarters as usize,
            providers: sc.providers.len(),
        }
    }

    fn cells(self) -> usize {
        self.quarters * self.providers * Kpi::ALL.len()
    }

    fn slots(self) -> usize {
        self.quarters * self.providers
    }

    /// Length of one run's outcome vector: the cells, then the exit flags.
    fn width(self) -> usize {
        self.cells() + self.slots()
    }

    /// Values kept exactly per cell and side.
    fn keep(self) -> usize {
        let per = EXTREMES_BYTES / (self.cells().max(1) as u64 * 2 * 8);
        (per as usize).clamp(MIN_KEEP, MAX_KEEP)
    }
}

/// Bytes of the pilot and of the ranges, shared by all workers.
fn fixed_bytes(shape: Shape, runs: usize) -> u64 {
    let pilot = runs.clamp(1, PILOT_RUNS) as u64;
    let cells = shape.cells() as u64;
    // Pilot outcomes; ranges (lo, hi, scale); the result (percentiles, samples)
    // and exit counts.
    pilot * shape.width() as u64 * 8 + cells * 24 + cells * (5 * 8 + 4) + shape.slots() as u64 * 4
}

/// Bytes one worker needs: its histogram, its kept extremes at most, the
/// run it simulates and that run's outcomes. A `compact` histogram counts in bytes
/// beside its four-byte counts ([`Acc`]).
fn worker_bytes(shape: Shape, compact: bool) -> u64 {
    let cells = shape.cells() as u64;
    let per_bin = if compact { 5 } else { 4 };
    // Bins; samples, under, over (u32); min, max (f64); two heap headers.
    let hist = cells * (BINS as u64 * per_bin + 3 * 4 + 2 * 8 + 2 * 24);
    let extremes = cells * 2 * shape.keep() as u64 * 8;
    let outcomes = shape.width() as u64 * 8;
    let run = shape.slots() as u64 * std::mem::size_of::<crate::sim::ProviderQuarter>() as u64;
    hist + extremes + outcomes + run + shape.slots() as u64 * 4
}

/// Bytes a Monte Carlo of `runs` runs of `sc` needs with one worker; each
/// further worker adds [`worker_bytes`] while the budget allows.
pub fn memory_needed(sc: &Scenario, runs: usize) -> u64 {
    let shape = Shape::of(sc);
    fixed_bytes(shape, runs) + worker_bytes(shape, false)
}

/// How many workers may hold a histogram of their own within the budget
/// (at least one, at most `threads`), and whether their histograms are
/// compact: they are unless that would leave fewer workers.
fn workers_within_budget(shape: Shape, runs: usize, threads: usize) -> (usize, bool) {
    let spare = MEMORY_BUDGET.saturating_sub(fixed_bytes(shape, runs));
    let fit = |compact| ((spare / worker_bytes(shape, compact).max(1)) as usize).min(threads.max(1));
    let (compact, plain) = (fit(true), fit(false));
    if compact >= plain.max(1) {
        (compact, true)
    } else {
        (plain.max(1), false)
    }
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
    /// Indexed by `cell(t, i, k)`. NaN where no sample counts (a provider
    /// that has left the market in every run has no price).
    pub pct: Vec<[f64; 5]>,
    /// Samples each cell's percentiles rest on, indexed like `pct`.
    pub samples: Vec<u32>,
    /// Runs in which provider `i` has exited by the end of quarter `t`,
    /// indexed `t × providers + i`.
    pub exited: Vec<u32>,
}

impl McResult {
    pub fn cell(&self, t: u32, i: usize, k: Kpi) -> usize {
        let kidx = Kpi::ALL.iter().position(|x| *x == k).unwrap_or(0);
        (t as usize * self.providers + i) * Kpi::ALL.len() + kidx
    }

    pub fn get(&self, t: u32, i: usize, k: Kpi) -> [f64; 5] {
        self.pct[self.cell(t, i, k)]
    }

    /// Samples the percentiles of provider `i`'s KPI `k` at quarter `t` rest on.
    pub fn samples_at(&self, t: u32, i: usize, k: Kpi) -> u32 {
        self.samples[self.cell(t, i, k)]
    }

    /// Share of the counted runs in which provider `i` has exited by the end of quarter `t`.
    pub fn exit_share(&self, t: u32, i: usize) -> f64 {
        let counted = self.runs - self.skipped;
        if counted == 0 {
            return f64::NAN;
        }
        f64::from(self.exited[t as usize * self.providers + i]) / counted as f64
    }
}

/// True for the KPIs a provider that has left the market does not have.
#[cfg(test)]
fn needs_presence(k: Kpi) -> bool {
    matches!(k, Kpi::Price | Kpi::Cost | Kpi::GrossMargin)
}

/// Writes every KPI of every provider at every quarter of `run` into
/// `out[c]` for cell `c` (NaN where the sample does not count), then the exit
/// flags (1 or 0) as `out[cells + t × providers + i]`.
fn write_outcomes(run: &Run, shape: Shape, out: &mut [f64]) {
    let kpis = Kpi::ALL.len();
    let (cells, flags) = out.split_at_mut(shape.cells());
    for i in 0..shape.providers {
        let (mut cum_op, mut cum_net) = (0.0, 0.0);
        let mut present = true;
        for t in 0..shape.quarters {
            let slot = t * shape.providers + i;
            let row = &run.rows[slot];
            cum_op += row.operating_profit_musd;
            cum_net += row.net_profit_musd;
            cells[slot * kpis..(slot + 1) * kpis].copy_from_slice(&kpi_values(row, cum_op, cum_net, present));
            let exited = row.status == Status::Exited;
            flags[slot] = if exited { 1.0 } else { 0.0 };
            present = !exited;
        }
    }
}

/// Every KPI of one row, in the order of [`Kpi::ALL`], given the running
/// sums and whether the provider was in the market at the quarter's start.
fn kpi_values(row: &ProviderQuarter, cum_op: f64, cum_net: f64, present: bool) -> [f64; Kpi::ALL.len()] {
    let absent = |v: f64| if present { v } else { f64::NAN };
    [
        cum_op,
        cum_net,
        row.net_profit_musd,
        row.share,
        row.cash_musd,
        absent(row.price_usd_per_mtok),
        absent(row.cost_usd_per_mtok),
        row.operating_profit_musd,
        row.ecosystem,
        row.self_chip_share,
        absent(row.gross_margin),
    ]
}

/// Every outcome of one sample, `None` when the sample breaks a rule the file
/// format enforces (it is not simulated).
fn sample_outcomes(sampler: &mut Sampler, shape: Shape, index: usize) -> Option<Vec<f64>> {
    let (s, ok) = sampler.draw(index as u64);
    if !ok {
        return None;
    }
    let mut out = vec![0.0; shape.width()];
    write_outcomes(&simulate(s), shape, &mut out);
    Some(out)
}

/// The histogram range of each cell, set by the pilot and padded by 5% of its
/// width on each side; `scale` is bins per unit of value.
#[derive(Debug, Clone, PartialEq)]
struct Ranges {
    lo: Vec<f64>,
    hi: Vec<f64>,
    scale: Vec<f64>,
}

impl Ranges {
    /// The ranges `lo[c]` to `hi[c]`, with their scales (0 for a range that is
    /// empty, a point or unbounded).
    fn new(lo: Vec<f64>, hi: Vec<f64>) -> Ranges {
        let scale = lo
            .iter()
            .zip(&hi)
            .map(|(l, h)| {
                let w = h - l;
                if w > 0.0 && w.is_finite() { BINS as f64 / w } else { 0.0 }
            })
            .collect();
        Ranges { lo, hi, scale }
    }

    /// From the cells' first `cells` values of each outcome vector (NaNs ignored).
    /// A cell without a value has the empty range `(+∞, −∞)`: every value of
    /// it is kept exactly.
    fn from_pilot<'a>(cells: usize, pilot: impl Iterator<Item = &'a [f64]>) -> Ranges {
        let mut lo = vec![f64::INFINITY; cells];
        let mut hi = vec![f64::NEG_INFINITY; cells];
        for p in pilot {
            for c in 0..cells {
                let x = p[c];
                if x < lo[c] {
                    lo[c] = x;
                }
                if x > hi[c] {
                    hi[c] = x;
                }
            }
        }
        for c in 0..cells {
            if lo[c] <= hi[c] {
                let pad = 0.05 * (hi[c] - lo[c]);
                lo[c] -= pad;
                hi[c] += pad;
            }
        }
        Ranges::new(lo, hi)
    }
}

/// An `f64` ordered by `total_cmp`, for the heaps of kept extremes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ord64(f64);

impl Eq for Ord64 {}

impl PartialOrd for Ord64 {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ord64 {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        self.0.total_cmp(&other.0)
    }
}

/// The bin of a value `x` of a cell's range `[lo, hi]` with `scale` bins per
/// unit. `as` saturates: a value a rounding below `lo` is bin 0, a NaN (a range
/// too narrow for its scale) is bin 0 too; to 32 bits, as the last bin is far below.
#[inline]
fn bin(x: f64, lo: f64, scale: f64) -> usize {
    (((x - lo) * scale) as u32 as usize).min(BINS - 1)
}

/// The smaller of two values that are not NaN, −0 below 0, so a cell's
/// smallest value is the same whatever the order its runs arrive in.
fn lower(a: f64, b: f64) -> f64 {
    if b.total_cmp(&a).is_lt() { b } else { a }
}

/// The larger of two values that are not NaN, 0 above −0 (see [`lower`]).
fn higher(a: f64, b: f64) -> f64 {
    if b.total_cmp(&a).is_gt() { b } else { a }
}

/// Keeps `x` in `heap` if it is among the `keep` smallest values seen.
fn keep_low(heap: &mut BinaryHeap<Ord64>, keep: usize, x: f64) {
    if heap.len() < keep {
        heap.push(Ord64(x));
    } else if heap.peek().is_some_and(|top| x < top.0) {
        heap.pop();
        heap.push(Ord64(x));
    }
}

/// Keeps `x` in `heap` if it is among the `keep` largest values seen.
fn keep_high(heap: &mut BinaryHeap<Reverse<Ord64>>, keep: usize, x: f64) {
    if heap.len() < keep {
        heap.push(Reverse(Ord64(x)));
    } else if heap.peek().is_some_and(|top| x > top.0.0) {
        heap.pop();
        heap.push(Reverse(Ord64(x)));
    }
}

/// One worker's (or one shard's, or the merged) counts.
#[derive(Debug, Clone)]
struct Acc {
    keep: usize,
    /// `cells × BINS` bin counts. In a compact accumulator each bin's count
    /// is `counts[b] + small[b]`: a value is counted in the one-byte `small`,
    /// so that a worker's bins stay small enough for its cache, and each time a
    /// byte wraps 256 are carried into `counts` (whose pages are touched only
    /// where that happens, or on a merge). Otherwise `small` is empty.
    counts: Vec<u32>,
    small: Vec<u8>,
    /// Per cell of a compact accumulator: whether `counts` holds anything for
    /// it, so that merging and reading leave the other cells' pages untouched.
    carried: Vec<bool>,
    /// Samples per cell (values that count).
    n: Vec<u32>,
    /// Samples below and above the cell's range.
    under: Vec<u32>,
    over: Vec<u32>,
    /// The `keep` smallest values below the range (a max-heap) and the `keep`
    /// largest above it (a min-heap).
    low: Vec<BinaryHeap<Ord64>>,
    high: Vec<BinaryHeap<Reverse<Ord64>>>,
    min: Vec<f64>,
    max: Vec<f64>,
    /// Runs with the provider exited, per (quarter, provider).
    exited: Vec<u32>,
    counted: usize,
    skipped: usize,
}

impl Acc {
    fn new(cells: usize, slots: usize, keep: usize) -> Acc {
        Acc::with_bins(cells, slots, keep, false)
    }

    /// A compact accumulator (see `counts`), as a worker has.
    #[cfg(test)]
    fn compact(cells: usize, slots: usize, keep: usize) -> Acc {
        Acc::with_bins(cells, slots, keep, true)
    }

    fn with_bins(cells: usize, slots: usize, keep: usize, compact: bool) -> Acc {
        Acc {
            keep,
            counts: vec![0; cells * BINS],
            small: if compact { vec![0; cells * BINS] } else { Vec::new() },
            carried: if compact { vec![false; cells] } else { Vec::new() },
            n: vec![0; cells],
            under: vec![0; cells],
            over: vec![0; cells],
            low: (0..cells).map(|_| BinaryHeap::new()).collect(),
            high: (0..cells).map(|_| BinaryHeap::new()).collect(),
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            exited: vec![0; slots],
            counted: 0,
            skipped: 0,
        }
    }

    fn cells(&self) -> usize {
        self.n.len()
    }

    /// The count of bin `b` of cell `c`.
    #[cfg(test)]
    fn count(&self, c: usize, b: usize) -> u32 {
        let i = c * BINS + b;
        self.counts[i] + self.small.get(i).map_or(0, |&s| u32::from(s))
    }

    /// Every bin's count, cell by cell.
    fn bin_counts(&self) -> Vec<u32> {
        (0..self.cells()).flat_map(|c| self.cell_counts(c)).collect()
    }

    /// The bin counts of cell `c`.
    fn cell_counts(&self, c: usize) -> Vec<u32> {
        let range = c * BINS..(c + 1) * BINS;
        let Some(small) = self.small.get(range.clone()) else {
            return self.counts[range].to_vec();
        };
        if !self.carried[c] {
            return small.iter().map(|&b| u32::from(b)).collect();
        }
        self.counts[range]
            .iter()
            .zip(small)
            .map(|(&a, &b)| a + u32::from(b))
            .collect()
    }

    fn keep_low(&mut self, c: usize, x: f64) {
        keep_low(&mut self.low[c], self.keep, x);
    }

    fn keep_high(&mut self, c: usize, x: f64) {
        keep_high(&mut self.high[c], self.keep, x);
    }

    /// Adds one run's outcomes, laid out as [`write_outcomes`] writes them:
    /// the cells, then the exit flags.
    fn add_run(&mut self, r: &Ranges, run: &[f64]) {
        let cells = self.cells();
        let (values, flags) = run.split_at(cells.min(run.len()));
        let (counts, _) = self.counts.as_chunks_mut::<BINS>();
        let (small, _) = self.small.as_chunks_mut::<BINS>();
        let spans = values.iter().zip(r.lo.iter().zip(&r.hi).zip(&r.scale));
        let stats = self.n.iter_mut().zip(self.min.iter_mut().zip(self.max.iter_mut()));
        let cell = spans.zip(stats).enumerate();
        // A value outside the range, or NaN (which does not count).
        let mut outside = |c: usize, x: f64| {
            if x < r.lo[c] {
                self.under[c] += 1;
                keep_low(&mut self.low[c], self.keep, x);
            } else if x > r.hi[c] {
                self.over[c] += 1;
                keep_high(&mut self.high[c], self.keep, x);
            }
            !x.is_nan()
        };
        let seen = |x: f64, (n, (min, max)): (&mut u32, (&mut f64, &mut f64))| {
            *n += 1;
            *min = lower(*min, x);
            *max = higher(*max, x);
        };
        if small.is_empty() {
            for ((c, ((&x, ((&lo, &hi), &scale)), stat)), bins) in cell.zip(counts.iter_mut()) {
                if x >= lo && x <= hi {
                    bins[bin(x, lo, scale)] += 1;
                } else if !outside(c, x) {
                    continue;
                }
                seen(x, stat);
            }
        } else {
            for ((c, ((&x, ((&lo, &hi), &scale)), stat)), bytes) in cell.zip(small.iter_mut()) {
                if x >= lo && x <= hi {
                    let b = bin(x, lo, scale);
                    let (v, wrapped) = bytes[b].overflowing_add(1);
                    bytes[b] = v;
                    if wrapped {
                        // Rare: the byte has counted 256 more.
                        counts[c][b] += 256;
                        self.carried[c] = true;
                    }
                } else if !outside(c, x) {
                    continue;
                }
                seen(x, stat);
            }
        }
        for (e, f) in self.exited.iter_mut().zip(flags) {
            if *f > 0.5 {
                *e += 1;
            }
        }
        self.counted += 1;
    }

    /// Adds `other`'s counts to these.
    fn merge(&mut self, other: Acc) {
        for c in 0..self.cells() {
            let range = c * BINS..(c + 1) * BINS;
            // Counts `other` holds in its four-byte bins for this cell, if any.
            let whole = other.small.is_empty() || other.carried[c];
            match (self.small.get_mut(range.clone()), other.small.get(range.clone())) {
                (Some(mine), Some(theirs)) => {
                    // Bytes add into bytes; what passes 255 is carried.
                    for (b, (a, &t)) in mine.iter_mut().zip(theirs).enumerate() {
                        let sum = u32::from(*a) + u32::from(t);
                        *a = (sum & 0xff) as u8;
                        if sum > 0xff {
                            self.counts[c * BINS + b] += sum & !0xff;
                            self.carried[c] = true;
                        }
                    }
                }
                (None, Some(theirs)) => {
                    for (a, &t) in self.counts[range.clone()].iter_mut().zip(theirs) {
                        *a += u32::from(t);
                    }
                }
                (_, None) => {}
            }
            if whole {
                for (a, &b) in self.counts[range.clone()].iter_mut().zip(&other.counts[range]) {
                    *a += b;
                }
                if let Some(flag) = self.carried.get_mut(c) {
                    *flag = true;
                }
            }
        }
        for c in 0..self.cells() {
            self.n[c] += other.n[c];
            self.under[c] += other.under[c];
            self.over[c] += other.over[c];
            self.min[c] = lower(self.min[c], other.min[c]);
            self.max[c] = higher(self.max[c], other.max[c]);
        }
        for (c, h) in other.low.into_iter().enumerate() {
            for x in h {
                self.keep_low(c, x.0);
            }
        }
        for (c, h) in other.high.into_iter().enumerate() {
            for x in h {
                self.keep_high(c, x.0.0);
            }
        }
        for (a, b) in self.exited.iter_mut().zip(&other.exited) {
            *a += b;
        }
        self.counted += other.counted;
        self.skipped += other.skipped;
    }

    /// The five percentiles of cell `c`.
    fn percentiles(&self, r: &Ranges, c: usize) -> [f64; 5] {
        let n = u64::from(self.n[c]);
        if n == 0 {
            return [f64::NAN; 5];
        }
        let (min, max) = (self.min[c], self.max[c]);
        if min == max {
            return [min; 5];
        }
        let mut low: Vec<f64> = self.low[c].iter().map(|x| x.0).collect();
        low.sort_by(f64::total_cmp);
        let mut high: Vec<f64> = self.high[c].iter().map(|x| x.0.0).collect();
        high.sort_by(f64::total_cmp);
        let bins = self.cell_counts(c);
        let cell = Cell {
            binned: bins.iter().map(|&x| u64::from(x)).sum(),
            bins: &bins,
            lo: r.lo[c],
            hi: r.hi[c],
            min,
            max,
            under: u64::from(self.under[c]),
            over: u64::from(self.over[c]),
            low: &low,
            high: &high,
        };
        // The ranks rise with the percentile, so one scan of the bins serves all five.
        let mut cursor = (0, 0);
        PER_MILLE.map(|pm| cell.quantile(rank(pm, n), &mut cursor))
    }

    fn finish(&self, r: &Ranges, shape: Shape, runs: usize) -> McResult {
        let pct = (0..self.cells())
            .into_par_iter()
            .with_min_len(64)
            .map(|c| self.percentiles(r, c))
            .collect();
        McResult {
            runs,
            skipped: self.skipped,
            quarters: shape.quarters as u32,
            providers: shape.providers,
            pct,
            samples: self.n.clone(),
            exited: self.exited.clone(),
        }
    }
}

/// The 1-based rank of the `pm`‰ sample quantile of `n` sorted samples: the
/// smallest `k` with `k ≥ pm × n / 1000`, at least 1.
fn rank(pm: u64, n: u64) -> u64 {
    (pm * n).div_ceil(1000).max(1)
}

/// One cell's counts, read for a quantile.
struct Cell<'a> {
    bins: &'a [u32],
    /// The sum of `bins`.
    binned: u64,
    lo: f64,
    hi: f64,
    min: f64,
    max: f64,
    under: u64,
    over: u64,
    /// The smallest values below `lo`, ascending.
    low: &'a [f64],
    /// The largest values above `hi`, ascending.
    high: &'a [f64],
}

impl Cell<'_> {
    /// The `k`-th smallest sample (1-based): exact among the kept extremes,
    /// within one bin width inside the range. `cursor` is where the scan of
    /// the bins stands (bin, values before it): `(0, 0)` at first, then left
    /// as the last call put it, for ranks that do not fall.
    fn quantile(&self, k: u64, cursor: &mut (usize, u64)) -> f64 {
        if k <= self.under {
            if let Some(&x) = self.low.get((k - 1) as usize) {
                return x;
            }
            // Beyond the kept values: between the last of them and the range.
            let last = self.low.last().copied().unwrap_or(self.min);
            let top = if self.lo.is_finite() { self.lo } else { self.max };
            let f = (k - self.low.len() as u64) as f64 / (self.under - self.low.len() as u64 + 1) as f64;
            return (last + f * (top - last)).clamp(self.min, self.max);
        }
        let k = k - self.under;
        let binned = self.binned;
        if k <= binned {
            let width = (self.hi - self.lo) / BINS as f64;
            let (mut b, mut seen) = *cursor;
            while let Some(&c) = self.bins.get(b) {
                let c = u64::from(c);
                if c > 0 && seen + c >= k {
                    *cursor = (b, seen);
                    // The k-th value is one of this bin's c; place it at its
                    // share of the bin, counting each value at its middle.
                    let frac = ((k - seen) as f64 - 0.5) / c as f64;
                    return (self.lo + (b as f64 + frac) * width).clamp(self.min, self.max);
                }
                seen += c;
                b += 1;
            }
            *cursor = (b, seen);
            return self.max;
        }
        // Among the values above the range: the j-th largest, 0-based.
        let j = (self.over - (k - binned)) as usize;
        if j < self.high.len() {
            return self.high[self.high.len() - 1 - j];
        }
        let first = self.high.first().copied().unwrap_or(self.max);
        let f = (j + 1 - self.high.len()) as f64 / (self.over as usize + 1 - self.high.len()) as f64;
        (first - f * (first - self.hi)).clamp(self.min, self.max)
    }
}

/// What a study needs before runs are added: the pilot's outcomes and the ranges.
struct Plan<'a> {
    sc: &'a Scenario,
    shape: Shape,
    runs: usize,
    seed: u64,
    pilot: Vec<Option<Vec<f64>>>,
    ranges: Ranges,
}

impl<'a> Plan<'a> {
    fn new(sc: &'a Scenario, runs: usize, seed: u64, cancel: &AtomicBool) -> Option<Plan<'a>> {
        let shape = Shape::of(sc);
        let pilot_n = runs.min(PILOT_RUNS);
        let pilot: Vec<Option<Vec<f64>>> = (0..pilot_n)
            .into_par_iter()
            .map_init(
                || Sampler::new(sc, seed),
                |sampler, i| {
                    if cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    sample_outcomes(sampler, shape, i)
                },
            )
            .collect();
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let ranges = Ranges::from_pilot(shape.cells(), pilot.iter().flatten().map(|p| p.as_slice()));
        Some(Plan {
            sc,
            shape,
            runs,
            seed,
            pilot,
            ranges,
        })
    }

    /// Adds the runs in `range`, spread over the pool's threads (each with a
    /// histogram of its own, as many as the memory budget allows), merged once.
    fn accumulate(&self, range: Range<usize>, progress: &(dyn Fn(usize) + Sync), cancel: &AtomicBool) -> Option<Acc> {
        let shape = self.shape;
        let start = range.start;
        let total = range.len();
        let threads = rayon::current_num_threads()
            .min(total.div_ceil(MIN_RUNS_PER_WORKER))
            .max(1);
        let (workers, compact) = workers_within_budget(shape, self.runs, threads);
        // Takes small enough that the workers finish together.
        let batch = total.div_ceil(workers * 8).clamp(1, MAX_TAKE);
        let batches = total.div_ceil(batch);
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let workers = workers.min(batches.max(1));
        let worker = |_| -> Option<Acc> {
            let mut acc: Option<Acc> = None;
            let mut out: Vec<f64> = Vec::new();
            let mut sampler: Option<Sampler> = None;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return acc;
                }
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= batches {
                    return acc;
                }
                let a = acc.get_or_insert_with(|| Acc::with_bins(shape.cells(), shape.slots(), shape.keep(), compact));
                if out.is_empty() {
                    out = vec![0.0; shape.width()];
                }
                let first = start + b * batch;
                let last = (first + batch).min(start + total);
                for i in first..last {
                    if let Some(Some(p)) = self.pilot.get(i) {
                        a.add_run(&self.ranges, p);
                        continue;
                    }
                    if i < self.pilot.len() {
                        a.skipped += 1;
                        continue;
                    }
                    let sampler = sampler.get_or_insert_with(|| Sampler::new(self.sc, self.seed));
                    let (s, ok) = sampler.draw(i as u64);
                    if !ok {
                        a.skipped += 1;
                        continue;
                    }
                    write_outcomes(&simulate(s), shape, &mut out);
                    a.add_run(&self.ranges, &out);
                }
                let n = done.fetch_add(last - first, Ordering::Relaxed) + (last - first);
                progress(n);
            }
        };
        let accs: Vec<Acc> = (0..workers).into_par_iter().filter_map(worker).collect();
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let mut it = accs.into_iter();
        let mut total_acc = it
            .next()
            .unwrap_or_else(|| Acc::new(shape.cells(), shape.slots(), shape.keep()));
        for a in it {
            total_acc.merge(a);
        }
        Some(total_acc)
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
    let plan = Plan::new(sc, runs, seed, cancel)?;
    let acc = plan.accumulate(0..runs, progress, cancel)?;
    Some(acc.finish(&plan.ranges, plan.shape, runs))
}

/// Shard `index` (0-based) of `count`: the runs `[index × runs / count,
/// (index + 1) × runs / count)`.
pub fn shard_range(runs: usize, index: usize, count: usize) -> Range<usize> {
    let at = |k: usize| ((k as u128 * runs as u128) / count.max(1) as u128) as usize;
    at(index)..at(index + 1)
}

/// One shard's counts, to be merged with the other shards' into the result
/// a single machine gives ([`merge`]). Values are kept as their bits so that
/// a text form carries them exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McPartial {
    pub shard: usize,
    pub shards: usize,
    pub runs: usize,
    pub seed: u64,
    pub quarters: u32,
    pub providers: usize,
    pub keep: usize,
    /// Range bits per cell (`f64::to_bits`).
    pub lo: Vec<u64>,
    pub hi: Vec<u64>,
    /// Non-zero bins as `(cell × BINS + bin, count)` pairs, flattened.
    pub bins: Vec<u64>,
    pub n: Vec<u32>,
    pub under: Vec<u32>,
    pub over: Vec<u32>,
    pub min: Vec<u64>,
    pub max: Vec<u64>,
    /// Kept extremes per cell, as bits.
    pub low: Vec<Vec<u64>>,
    pub high: Vec<Vec<u64>>,
    pub exited: Vec<u32>,
    pub counted: usize,
    pub skipped: usize,
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn unbits(v: &[u64]) -> Vec<f64> {
    v.iter().map(|&b| f64::from_bits(b)).collect()
}

/// Shard `shard` of `shards` of a study of `runs` runs: only its slice of the
/// runs is simulated (and the pilot, which every shard needs for the ranges).
pub fn monte_carlo_shard(
    sc: &Scenario,
    runs: usize,
    seed: u64,
    shard: usize,
    shards: usize,
    progress: &(dyn Fn(usize) + Sync),
    cancel: &AtomicBool,
) -> Option<McPartial> {
    let runs = runs.max(1);
    let plan = Plan::new(sc, runs, seed, cancel)?;
    let acc = plan.accumulate(shard_range(runs, shard, shards), progress, cancel)?;
    let mut flat = Vec::new();
    for (i, c) in acc.bin_counts().into_iter().enumerate() {
        if c > 0 {
            flat.push(i as u64);
            flat.push(u64::from(c));
        }
    }
    let sorted = |v: Vec<f64>| {
        let mut v = v;
        v.sort_by(f64::total_cmp);
        bits(&v)
    };
    Some(McPartial {
        shard,
        shards,
        runs,
        seed,
        quarters: sc.quarters,
        providers: sc.providers.len(),
        keep: acc.keep,
        lo: bits(&plan.ranges.lo),
        hi: bits(&plan.ranges.hi),
        bins: flat,
        n: acc.n.clone(),
        under: acc.under.clone(),
        over: acc.over.clone(),
        min: bits(&acc.min),
        max: bits(&acc.max),
        low: acc
            .low
            .iter()
            .map(|h| sorted(h.iter().map(|x| x.0).collect()))
            .collect(),
        high: acc
            .high
            .iter()
            .map(|h| sorted(h.iter().map(|x| x.0.0).collect()))
            .collect(),
        exited: acc.exited.clone(),
        counted: acc.counted,
        skipped: acc.skipped,
    })
}

impl McPartial {
    fn shape(&self) -> Shape {
        Shape {
            quarters: self.quarters as usize,
            providers: self.providers,
        }
    }

    /// The counts back as an accumulator, checking that the sizes agree.
    fn to_acc(&self) -> Result<Acc, String> {
        let shape = self.shape();
        let cells = shape.cells();
        let sized = [
            self.lo.len(),
            self.hi.len(),
            self.n.len(),
            self.under.len(),
            self.over.len(),
        ]
        .into_iter()
        .chain([self.min.len(), self.max.len(), self.low.len(), self.high.len()])
        .all(|l| l == cells);
        if !sized || self.exited.len() != shape.slots() || !self.bins.len().is_multiple_of(2) {
            return Err(format!(
                "shard {} of {}: the counts do not match {} quarters × {} providers",
                self.shard + 1,
                self.shards,
                self.quarters,
                self.providers
            ));
        }
        let mut acc = Acc::new(cells, shape.slots(), self.keep);
        for pair in self.bins.chunks_exact(2) {
            let (i, c) = (pair[0] as usize, pair[1]);
            let slot = acc
                .counts
                .get_mut(i)
                .ok_or_else(|| format!("shard {} of {}: a bin beyond the cells", self.shard + 1, self.shards))?;
            *slot = u32::try_from(c).map_err(|_| format!("shard {}: a count beyond 2^32", self.shard + 1))?;
        }
        acc.n.clone_from(&self.n);
        acc.under.clone_from(&self.under);
        acc.over.clone_from(&self.over);
        acc.min = unbits(&self.min);
        acc.max = unbits(&self.max);
        for c in 0..cells {
            for &b in &self.low[c] {
                acc.keep_low(c, f64::from_bits(b));
            }
            for &b in &self.high[c] {
                acc.keep_high(c, f64::from_bits(b));
            }
        }
        acc.exited.clone_from(&self.exited);
        acc.counted = self.counted;
        acc.skipped = self.skipped;
        Ok(acc)
    }
}

/// Combines every shard of one study into the result one machine gives.
/// Refuses partials of different studies, a missing shard or a repeated one.
pub fn merge(parts: &[McPartial]) -> Result<McResult, String> {
    let first = parts.first().ok_or("no partial results to merge")?;
    let shards = first.shards;
    let mut seen = vec![false; shards];
    for p in parts {
        if p.shards != shards
            || p.runs != first.runs
            || p.seed != first.seed
            || p.quarters != first.quarters
            || p.providers != first.providers
            || p.keep != first.keep
        {
            return Err(format!(
                "shard {} of {} belongs to another study (runs, seed, shard count or scenario differ)",
                p.shard + 1,
                p.shards
            ));
        }
        if p.lo != first.lo || p.hi != first.hi {
            return Err(format!(
                "shard {} of {} used other histogram ranges (another scenario or program version)",
                p.shard + 1,
                shards
            ));
        }
        match seen.get_mut(p.shard) {
            Some(s) if !*s => *s = true,
            Some(_) => return Err(format!("shard {} of {} is given twice", p.shard + 1, shards)),
            None => return Err(format!("shard {} is beyond the {shards} shards", p.shard + 1)),
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(format!("shard {} of {shards} is missing", missing + 1));
    }
    let mut acc: Option<Acc> = None;
    for p in parts {
        let a = p.to_acc()?;
        match &mut acc {
            None => acc = Some(a),
            Some(t) => t.merge(a),
        }
    }
    let acc = acc.ok_or("no partial results to merge")?;
    let shape = first.shape();
    let ranges = Ranges::new(unbits(&first.lo), unbits(&first.hi));
    Ok(acc.finish(&ranges, shape, first.runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Percentiles of `values` (one cell, no exits) as the study computes
    /// them: the first `PILOT_RUNS` set the range, then each value is a run.
    fn study(values: &[f64]) -> ([f64; 5], f64) {
        let pilot: Vec<[f64; 1]> = values.iter().take(PILOT_RUNS).map(|&v| [v]).collect();
        let r = Ranges::from_pilot(1, pilot.iter().map(|p| p.as_slice()));
        let mut acc = Acc::compact(1, 0, 64);
        add_all(&mut acc, &r, values);
        (acc.percentiles(&r, 0), (r.hi[0] - r.lo[0]) / BINS as f64)
    }

    /// Adds each of `values` as one run of a one-cell study.
    fn add_all(acc: &mut Acc, r: &Ranges, values: &[f64]) {
        for &x in values {
            acc.add_run(r, &[x]);
        }
    }

    /// The exact sample quantile: the `rank`-th smallest value.
    fn exact(values: &[f64], pm: u64) -> f64 {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        v[rank(pm, v.len() as u64) as usize - 1]
    }

    fn lcg(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 11) as f64) * (1.0 / (1u64 << 53) as f64)
            })
            .collect()
    }

    fn assert_within(values: &[f64], tol_bins: f64) {
        let (p, width) = study(values);
        for (k, pm) in PER_MILLE.iter().enumerate() {
            let e = exact(values, *pm);
            assert!(
                (p[k] - e).abs() <= tol_bins * width,
                "p{}: {} against exact {e} (bin width {width})",
                pm / 10,
                p[k]
            );
        }
    }

    #[test]
    fn ranks_are_exact_sample_quantiles() {
        assert_eq!(rank(500, 10), 5);
        assert_eq!(rank(500, 11), 6);
        assert_eq!(rank(50, 10_000), 500);
        assert_eq!(rank(950, 10_000), 9500);
        assert_eq!(rank(50, 3), 1);
    }

    #[test]
    fn uniform_samples_agree_with_exact_and_known_quantiles() {
        let u = lcg(20_000, 7);
        assert_within(&u, 1.0);
        let (p, _) = study(&u);
        for (k, q) in PERCENTILES.iter().enumerate() {
            assert!((p[k] - q).abs() < 0.02, "p{q}: {}", p[k]);
        }
    }

    #[test]
    fn normal_and_skewed_samples_agree_with_exact_quantiles() {
        let u = lcg(20_000, 3);
        let w = lcg(20_000, 4);
        let normal: Vec<f64> = u
            .iter()
            .zip(&w)
            .map(|(a, b)| (-2.0 * (1.0 - a).ln()).sqrt() * (std::f64::consts::TAU * b).cos())
            .collect();
        assert_within(&normal, 1.0);
        let (p, _) = study(&normal);
        assert!((p[2]).abs() < 0.03 && (p[4] - 1.645).abs() < 0.06, "{p:?}");
        // A heavy tail: most of it beyond the pilot's range, kept exactly.
        let heavy: Vec<f64> = normal.iter().map(|z| (3.0 * z).exp()).collect();
        assert_within(&heavy, 1.0);
    }

    #[test]
    fn a_two_valued_distribution_reads_its_two_values() {
        // 30% at 10, 70% at 20: p5 and p25 are 10, p50 to p95 are 20.
        let v: Vec<f64> = lcg(10_000, 9)
            .iter()
            .map(|u| if *u < 0.3 { 10.0 } else { 20.0 })
            .collect();
        assert_within(&v, 1.0);
        let (p, width) = study(&v);
        assert!(width < 0.011, "{width}");
        for (k, want) in [10.0, 10.0, 20.0, 20.0, 20.0].iter().enumerate() {
            assert!((p[k] - want).abs() <= width, "{p:?}");
        }
        // Exactly half and half: the median is the lower value (rank n/2).
        let half: Vec<f64> = (0..1000)
            .map(|i: u32| if i.is_multiple_of(2) { 1.0 } else { 2.0 })
            .collect();
        let (p, width) = study(&half);
        assert!((p[2] - 1.0).abs() <= width && (p[3] - 2.0).abs() <= width, "{p:?}");
    }

    #[test]
    fn values_the_pilot_never_saw_are_exact() {
        // The pilot sees only zeros; later values spread out and are kept exactly.
        let mut v = vec![0.0; PILOT_RUNS];
        v.extend((0..40).map(|i| f64::from(i) + 1.0));
        let (p, _) = study(&v);
        for (k, pm) in PER_MILLE.iter().enumerate() {
            assert_eq!(p[k], exact(&v, *pm), "p{}", pm / 10);
        }
    }

    #[test]
    fn a_cell_without_samples_is_nan_and_excluded_values_do_not_count() {
        let r = Ranges::from_pilot(1, std::iter::empty());
        let mut acc = Acc::new(1, 0, 16);
        add_all(&mut acc, &r, &[f64::NAN, f64::NAN]);
        assert!(acc.percentiles(&r, 0).iter().all(|x| x.is_nan()));
        add_all(&mut acc, &r, &[f64::NAN, 3.0, 5.0]);
        assert_eq!(acc.n[0], 2);
        assert_eq!(acc.percentiles(&r, 0), [3.0, 3.0, 3.0, 5.0, 5.0]);
    }

    #[test]
    fn any_split_of_the_runs_gives_the_same_counts() {
        let v: Vec<f64> = lcg(3000, 5).iter().map(|u| (4.0 * u).exp()).collect();
        let pilot: Vec<[f64; 1]> = v.iter().take(PILOT_RUNS).map(|&x| [x]).collect();
        let r = Ranges::from_pilot(1, pilot.iter().map(|p| p.as_slice()));
        let whole = {
            let mut a = Acc::new(1, 0, 16);
            add_all(&mut a, &r, &v);
            a
        };
        let mut parts = Acc::new(1, 0, 16);
        for chunk in v.chunks(333) {
            // Workers count compactly; the merged counts are whole.
            let mut a = Acc::compact(1, 0, 16);
            add_all(&mut a, &r, chunk);
            parts.merge(a);
        }
        assert_eq!(whole.percentiles(&r, 0), parts.percentiles(&r, 0));
        assert_eq!(whole.bin_counts(), parts.bin_counts());
        assert_eq!(whole.under, parts.under);
        assert_eq!(whole.over, parts.over);
    }

    #[test]
    fn zero_and_minus_zero_give_the_same_extremes_in_any_order_and_split() {
        let r = Ranges::from_pilot(1, [[-1.0], [1.0]].iter().map(|p| p.as_slice()));
        let extremes = |v: &[f64], chunk: usize| {
            let mut all = Acc::new(1, 0, 16);
            for part in v.chunks(chunk) {
                let mut a = Acc::compact(1, 0, 16);
                add_all(&mut a, &r, part);
                all.merge(a);
            }
            (all.min[0].to_bits(), all.max[0].to_bits())
        };
        let want = ((-0.0f64).to_bits(), 0.0f64.to_bits());
        for v in [[0.0, -0.0, 0.0], [-0.0, 0.0, -0.0]] {
            for chunk in 1..=3 {
                assert_eq!(extremes(&v, chunk), want, "{v:?} in parts of {chunk}");
            }
        }
    }

    #[test]
    fn a_compact_bin_counts_past_a_byte() {
        // 1000 values in one bin: the byte wraps three times.
        let r = Ranges::from_pilot(1, [[0.0], [1.0]].iter().map(|p| p.as_slice()));
        let v = vec![0.5; 1000];
        let mut compact = Acc::compact(1, 0, 16);
        let mut plain = Acc::new(1, 0, 16);
        for c in v.chunks(17) {
            add_all(&mut compact, &r, c);
            add_all(&mut plain, &r, c);
        }
        assert_eq!(compact.count(0, BINS / 2), 1000);
        assert_eq!(compact.bin_counts(), plain.bin_counts());
        assert_eq!(compact.percentiles(&r, 0), [0.5; 5]);
        // Merged, compact into compact (bytes that carry) and into whole counts.
        let two = |n: usize| {
            let mut a = Acc::compact(1, 0, 16);
            add_all(&mut a, &r, &vec![0.5; n]);
            a
        };
        let mut into_compact = two(200);
        into_compact.merge(two(100));
        into_compact.merge(compact.clone());
        let mut into_plain = Acc::new(1, 0, 16);
        into_plain.merge(two(200));
        into_plain.merge(two(100));
        into_plain.merge(compact);
        assert_eq!(into_compact.count(0, BINS / 2), 1300);
        assert_eq!(into_compact.bin_counts(), into_plain.bin_counts());
    }

    #[test]
    fn outcomes_are_each_kpi_of_each_row() {
        let mut sc = crate::document::presets::default_scenario();
        // A provider that exits, so that absent values are written too.
        let neo = sc.provider_index("neo").unwrap_or(0);
        sc.providers[neo].params.initial_cash_musd = 0.0;
        sc.providers[neo].params.credit_line_musd = 0.0;
        let run = simulate(&sc);
        let shape = Shape::of(&sc);
        let mut out = vec![0.0; shape.width()];
        write_outcomes(&run, shape, &mut out);
        let mut exits = 0;
        for i in 0..shape.providers {
            let mut present = true;
            let (mut cum_op, mut cum_net) = (0.0, 0.0);
            for t in 0..shape.quarters {
                let row = run.row(t as u32, i);
                cum_op += row.operating_profit_musd;
                cum_net += row.net_profit_musd;
                for (k, kpi) in Kpi::ALL.iter().enumerate() {
                    let want = match kpi {
                        Kpi::CumulativeProfit => cum_op,
                        Kpi::CumulativeNetProfit => cum_net,
                        _ if needs_presence(*kpi) && !present => f64::NAN,
                        _ => kpi.of_row(row),
                    };
                    let got = out[(t * shape.providers + i) * Kpi::ALL.len() + k];
                    assert_eq!(got.to_bits(), want.to_bits(), "{kpi:?} of provider {i} at {t}");
                }
                let exited = row.status == Status::Exited;
                assert_eq!(
                    out[shape.cells() + t * shape.providers + i],
                    f64::from(u8::from(exited))
                );
                present = !exited;
                exits += usize::from(exited);
            }
        }
        assert!(exits > 0, "no provider exits: absent values are not tested");
    }

    #[test]
    fn shards_cover_the_runs_once() {
        for (runs, n) in [(10, 3), (7, 7), (5, 8), (10_000, 16)] {
            let mut covered = 0;
            for k in 0..n {
                let r = shard_range(runs, k, n);
                assert_eq!(r.start, covered);
                covered = r.end;
            }
            assert_eq!(covered, runs);
        }
    }
}
