//! Engine and analysis speed, one bench per row of issue 11's table: a run of
//! the default scenario, a large market (16 providers × 200 quarters),
//! Monte Carlo of 10,000 runs on one and on two threads (and 1,000 runs, where
//! a second thread must not be slower), parsing a strategy file, and the CSV
//! of a run.

#![allow(clippy::expect_used)] // A benchmark without its thread pool has nothing to measure.

use cloudstrat::document::file;
use cloudstrat::document::presets::{self, default_scenario};
use cloudstrat::sim::simulate;
use cloudstrat_bench::large;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn engine(c: &mut Criterion) {
    let default = default_scenario();
    c.bench_function("run default (5 providers x 32 quarters)", |b| {
        b.iter(|| simulate(black_box(&default)))
    });
    let big = large();
    c.bench_function("run 16 providers x 200 quarters", |b| {
        b.iter(|| simulate(black_box(&big)))
    });
}

fn montecarlo(c: &mut Criterion) {
    let sc = default_scenario();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut g = c.benchmark_group("montecarlo");
    g.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        for runs in [1_000, 10_000] {
            g.bench_function(format!("{runs} runs of default, {threads} thread(s)"), |b| {
                b.iter(|| {
                    pool.install(|| {
                        cloudstrat::analysis::montecarlo::monte_carlo(black_box(&sc), runs, 1, &|_| {}, &cancel)
                    })
                })
            });
        }
    }
    g.finish();
}

fn files(c: &mut Criterion) {
    let text = presets::text("default").expect("the default preset");
    c.bench_function("parse the default strategy file", |b| {
        b.iter(|| file::parse(black_box(text), "default.ron"))
    });
    let sc = default_scenario();
    let run = simulate(&sc);
    c.bench_function("CSV of the default run", |b| {
        b.iter(|| cloudstrat::output::report::csv(black_box(&sc), black_box(&run)))
    });
}

criterion_group!(benches, engine, montecarlo, files);
criterion_main!(benches);
