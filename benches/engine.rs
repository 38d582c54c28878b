//! Engine speed: a full run of the default scenario, and a large market
//! (16 providers × 200 quarters).

use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::{Scenario, simulate};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn large() -> Scenario {
    let mut sc = default_scenario();
    sc.quarters = 200;
    let template = sc.providers.clone();
    sc.providers = (0..16)
        .map(|i| {
            let mut p = template[i % template.len()].clone();
            p.id = format!("p{i}");
            p.params.initial_share = 1.0 / 16.0;
            p
        })
        .collect();
    sc.keyframes.clear();
    sc
}

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
    g.bench_function("10000 runs of default", |b| {
        b.iter(|| cloudstrat::analysis::montecarlo::monte_carlo(black_box(&sc), 10_000, 1, &|_| {}, &cancel))
    });
    g.finish();
}

criterion_group!(benches, engine, montecarlo);
criterion_main!(benches);
