//! Repeats one of the benchmarked workloads a given number of times, for
//! whole-process counters that a shared machine's load disturbs less than
//! wall time (`perf stat -e instructions,task-clock`, `/usr/bin/time -v`):
//!
//! `cargo run --release -p cloudstrat-bench --example repeat -- WORKLOAD N [THREADS]`
//!
//! WORKLOAD is `run-default`, `run-large` (16 providers × 200 quarters),
//! `parse` (the default strategy file), `csv` (the default run's CSV) or `mc`
//! (a Monte Carlo of N runs of the default scenario on THREADS threads).

#![allow(clippy::expect_used)] // A benchmark with bad arguments has nothing to measure.

use cloudstrat::document::file;
use cloudstrat::document::presets::{self, default_scenario};
use cloudstrat::sim::simulate;
use cloudstrat_bench::large;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("run-default");
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let threads: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let sc = default_scenario();
    match what {
        "run-default" => (0..n).for_each(|_| {
            black_box(simulate(black_box(&sc)));
        }),
        "run-large" => {
            let big = large();
            (0..n).for_each(|_| {
                black_box(simulate(black_box(&big)));
            })
        }
        "parse" => {
            let text = presets::text("default").expect("the default preset");
            (0..n).for_each(|_| {
                let _ = black_box(file::parse(black_box(text), "default.ron"));
            })
        }
        "csv" => {
            let run = simulate(&sc);
            (0..n).for_each(|_| {
                black_box(cloudstrat::output::report::csv(black_box(&sc), black_box(&run)));
            })
        }
        "mc" => {
            let cancel = std::sync::atomic::AtomicBool::new(false);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            pool.install(|| {
                black_box(cloudstrat::analysis::montecarlo::monte_carlo(
                    &sc,
                    n,
                    1,
                    &|_| {},
                    &cancel,
                ));
            });
        }
        other => panic!("unknown workload {other}"),
    }
}
