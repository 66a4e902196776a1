//! Criterion benches of the five workloads, each beside its raw tokio+flume
//! baseline (small sizes; `examples/bench.rs` prints the full ratio table).
//!
//! ```text
//! cargo bench --bench runtime
//! cargo bench --bench runtime -- pingpong
//! ```

#[path = "common/workloads.rs"]
#[allow(dead_code)]
mod workloads;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

/// Per round trip: `iters` sequential calls.
fn pingpong(c: &mut Criterion) {
    let mut g = c.benchmark_group("pingpong");
    g.throughput(Throughput::Elements(1));
    g.bench_function("actor", |b| b.iter_custom(workloads::pingpong));
    g.bench_function("raw", |b| b.iter_custom(workloads::pingpong_raw));
    g.finish();
}

/// Per message: `iters` sends, then one call.
fn throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("throughput");
    g.throughput(Throughput::Elements(1));
    g.bench_function("actor", |b| b.iter_custom(workloads::throughput));
    g.bench_function("raw", |b| b.iter_custom(workloads::throughput_raw));
    g.finish();
}

/// Per actor: spawn `iters` idle actors, then stop them.
fn spawn(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn+stop");
    g.throughput(Throughput::Elements(1));
    let total = |s: workloads::SpawnStats| s.spawn + s.stop;
    g.bench_function("actor", |b| {
        b.iter_custom(|n| total(workloads::spawn(n as usize)))
    });
    g.bench_function("raw", |b| {
        b.iter_custom(|n| total(workloads::spawn_raw(n as usize)))
    });
    g.finish();
}

/// Per hop: a ring of 100 passes the token `iters` hops.
fn ring(c: &mut Criterion) {
    const N: usize = 100;
    let mut g = c.benchmark_group("ring");
    g.throughput(Throughput::Elements(1));
    g.bench_with_input(BenchmarkId::new("actor", N), &N, |b, &n| {
        b.iter_custom(|hops| workloads::ring(n, hops.max(1)))
    });
    g.bench_with_input(BenchmarkId::new("raw", N), &N, |b, &n| {
        b.iter_custom(|hops| workloads::ring_raw(n, hops.max(1)))
    });
    g.finish();
}

/// Per round: one request to each of 100 workers and the 100 replies.
fn fanout(c: &mut Criterion) {
    const K: usize = 100;
    let mut g = c.benchmark_group("fanout");
    g.throughput(Throughput::Elements(K as u64));
    g.bench_with_input(BenchmarkId::new("actor", K), &K, |b, &k| {
        b.iter_custom(|rounds| workloads::fanout(k, rounds))
    });
    g.bench_with_input(BenchmarkId::new("actor joined calls", K), &K, |b, &k| {
        b.iter_custom(|rounds| workloads::fanout_calls(k, rounds))
    });
    g.bench_with_input(BenchmarkId::new("raw", K), &K, |b, &k| {
        b.iter_custom(|rounds| workloads::fanout_raw(k, rounds))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = pingpong, throughput, spawn, ring, fanout
}
criterion_main!(benches);
