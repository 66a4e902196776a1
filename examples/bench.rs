//! The speed table: runs each workload on `actor` and on a raw tokio+flume
//! baseline in the same run and prints ours, the baseline and the ratio.
//!
//! ```text
//! cargo run --release --example bench -- all
//! cargo run --release --example bench -- pingpong 100000
//! cargo run --release --example bench -- ring 1000 1000 --runs 5
//! ACTOR_WORKER_THREADS=1 cargo run --release --example bench -- pingpong
//! ```
//!
//! Workloads (sizes optional, defaults shown): `pingpong N=100000`,
//! `throughput N=1000000`, `spawn N=100000`, `ring N=1000 M=1000`,
//! `fanout K=1000 R=1000`, `fanout-calls K=1000 R=1000` (the same fanout
//! as K calls joined with `join_all`), `info N=100000` (a snapshot of every
//! process with `process_info`, as the observer takes one; no baseline),
//! or `all`; and, not part of `all`, `peer N=20000` (peer nodes: the time to
//! start a peer and make the first call, and N calls to an `EchoActor` on
//! a peer beside N to a local one). `--runs R` (default 5) repeats each
//! measurement and reports medians; `--only actor|raw` runs one side once
//! (for profilers). See BENCHMARKS.md.

#[path = "../benches/common/workloads.rs"]
#[allow(dead_code)]
mod workloads;

use std::process::Command;
use std::time::Duration;

const USAGE: &str = "usage: bench [pingpong [N] | throughput [N] | spawn [N] | ring [N [M]] | fanout [K [R]] | fanout-calls [K [R]] | timers [N] | info [N] | all | peer [N]] [--runs R]";

fn main() {
    // The `peer` workload's peers are this program again.
    #[cfg(feature = "dist")]
    actor::node::peer_main();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // Internal: one spawn measurement in a fresh process, for a clean RSS.
    if args.first().map(String::as_str) == Some("__spawn_child") {
        spawn_child(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("__timers_child") {
        timers_child(&args[1..]);
        return;
    }
    let mut runs = 5usize;
    if let Some(i) = args.iter().position(|a| a == "--runs") {
        runs = args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .filter(|&r| r > 0)
            .unwrap_or_else(|| fail("--runs takes a positive number"));
        args.drain(i..i + 2);
    }
    // `--only actor|raw` runs one side, once, without warm-up: for profilers.
    let mut only = None;
    if let Some(i) = args.iter().position(|a| a == "--only") {
        only = Some(args.get(i + 1).cloned().unwrap_or_default() == "actor");
        args.drain(i..(i + 2).min(args.len()));
        runs = 1;
    }
    ONLY.with(|o| o.set(only));
    let workload = args.first().cloned().unwrap_or_else(|| "all".to_owned());
    let sizes: Vec<u64> = args[1.min(args.len())..]
        .iter()
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| fail(&format!("bad size `{a}`")))
        })
        .collect();
    let size = |i: usize, default: u64| sizes.get(i).copied().unwrap_or(default);

    println!(
        "actor vs raw tokio+flume, {} worker threads, median of {runs} runs",
        workloads::workers()
    );
    println!(
        "{:<34} {:>14} {:>14} {:>8}  target",
        "workload", "actor", "raw", "ratio"
    );
    let all = workload == "all";
    let mut known = all;
    if all || workload == "pingpong" {
        known = true;
        pingpong(size(0, 100_000), runs);
    }
    if all || workload == "throughput" {
        known = true;
        throughput(size(0, 1_000_000), runs);
    }
    if all || workload == "spawn" {
        known = true;
        spawn(size(0, 100_000), runs);
    }
    if all || workload == "ring" {
        known = true;
        ring(size(0, 1000), size(1, 1000), runs);
    }
    if all || workload == "fanout" {
        known = true;
        fanout(size(0, 1000), size(1, 1000), runs, false);
    }
    if all || workload == "fanout-calls" {
        known = true;
        fanout(size(0, 1000), size(1, 1000), runs, true);
    }
    if all || workload == "timers" {
        known = true;
        timers(size(0, 100_000), runs);
    }
    if all || workload == "info" {
        known = true;
        info(size(0, 100_000), runs);
    }
    #[cfg(feature = "dist")]
    if workload == "peer" {
        known = true;
        peer(size(0, 20_000), runs);
    }
    if !known {
        fail(&format!("unknown workload `{workload}`"));
    }
}

fn fail(why: &str) -> ! {
    eprintln!("{why}\n{USAGE}");
    std::process::exit(2)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

thread_local! {
    static ONLY: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Runs ours and the baseline alternately `runs` times after one warm-up
/// of each at a tenth of the size; medians of `per_op(duration)`.
fn measure(
    runs: usize,
    warm: impl Fn(bool),
    run: impl Fn(bool) -> Duration,
    per_op: impl Fn(Duration) -> f64,
) -> (f64, f64) {
    if let Some(o) = ONLY.with(|o| o.get()) {
        let v = per_op(run(o));
        return (v, v);
    }
    warm(true);
    warm(false);
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(per_op(run(true)));
        raw.push(per_op(run(false)));
    }
    (median(ours), median(raw))
}

fn row(name: &str, unit: &str, ours: f64, raw: f64, ratio: f64, target: &str) {
    let ok = if target.is_empty() { "" } else { target };
    println!(
        "{name:<34} {:>14} {:>14} {ratio:>7.2}x  {ok}",
        format!("{ours:.1} {unit}"),
        format!("{raw:.1} {unit}"),
    );
}

fn pingpong(n: u64, runs: usize) {
    let (ours, raw) = measure(
        runs,
        |o| {
            if o {
                workloads::pingpong(n / 10 + 1);
            } else {
                workloads::pingpong_raw(n / 10 + 1);
            }
        },
        |o| {
            if o {
                workloads::pingpong(n)
            } else {
                workloads::pingpong_raw(n)
            }
        },
        |d| d.as_nanos() as f64 / n as f64,
    );
    row(
        &format!("pingpong N={n}"),
        "ns/rt",
        ours,
        raw,
        ours / raw,
        "<= 1.1x",
    );
}

fn throughput(n: u64, runs: usize) {
    let (ours, raw) = measure(
        runs,
        |o| {
            if o {
                workloads::throughput(n / 10 + 1);
            } else {
                workloads::throughput_raw(n / 10 + 1);
            }
        },
        |o| {
            if o {
                workloads::throughput(n)
            } else {
                workloads::throughput_raw(n)
            }
        },
        |d| n as f64 / d.as_secs_f64() / 1e6,
    );
    // A rate: the ratio is ours over the baseline's, higher is better.
    row(
        &format!("throughput N={n}"),
        "M/s",
        ours,
        raw,
        ours / raw,
        ">= 0.5x (rate)",
    );
}

fn ring(n: u64, m: u64, runs: usize) {
    let hops = n * m;
    let (ours, raw) = measure(
        runs,
        |o| {
            if o {
                workloads::ring(n as usize, hops / 10 + 1);
            } else {
                workloads::ring_raw(n as usize, hops / 10 + 1);
            }
        },
        |o| {
            if o {
                workloads::ring(n as usize, hops)
            } else {
                workloads::ring_raw(n as usize, hops)
            }
        },
        |d| d.as_nanos() as f64 / hops as f64,
    );
    row(
        &format!("ring N={n} M={m}"),
        "ns/hop",
        ours,
        raw,
        ours / raw,
        "<= 1.1x",
    );
}

/// `joined`: the driver joins K calls (`join_all`) rather than sending K
/// requests and then receiving K replies; the baseline is the same.
fn fanout(k: u64, r: u64, runs: usize, joined: bool) {
    let ours_fn = if joined {
        workloads::fanout_calls
    } else {
        workloads::fanout
    };
    let (ours, raw) = measure(
        runs,
        |o| {
            if o {
                ours_fn(k as usize, r / 10 + 1);
            } else {
                workloads::fanout_raw(k as usize, r / 10 + 1);
            }
        },
        |o| {
            if o {
                ours_fn(k as usize, r)
            } else {
                workloads::fanout_raw(k as usize, r)
            }
        },
        |d| d.as_nanos() as f64 / (k * r) as f64,
    );
    let (name, target) = if joined {
        (format!("fanout, joined calls K={k} R={r}"), "<= 1.5x")
    } else {
        (format!("fanout K={k} R={r}"), "<= 1.3x")
    };
    row(&name, "ns/req", ours, raw, ours / raw, target);
}

/// Timers run in child processes, one measurement each, for a clean RSS.
fn timers(n: u64, runs: usize) {
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(child("__timers_child", "ours", n));
        raw.push(child("__timers_child", "raw", n));
    }
    let med = |v: &[[f64; 3]], i: usize| median(v.iter().map(|s| s[i]).collect());
    let (os, oc, om) = (med(&ours, 0), med(&ours, 1), med(&ours, 2));
    let (rs, rc, rm) = (med(&raw, 0), med(&raw, 1), med(&raw, 2));
    row(
        &format!("timer start N={n}"),
        "ns/timer",
        os,
        rs,
        os / rs,
        "",
    );
    row(
        &format!("timer cancel N={n}"),
        "ns/timer",
        oc,
        rc,
        oc / rc,
        "",
    );
    row(
        &format!("timer memory N={n}"),
        "B/timer",
        om,
        rm,
        om / rm,
        "",
    );
}

/// A snapshot of every process (`processes()` + `process_info` each) with
/// `n` idle actors alive: the observer's cost, which must stay under a
/// second at 100 000 processes. Ours alone: there is no baseline.
fn info(n: u64, runs: usize) {
    let (times, seen) = workloads::process_info_all(n as usize, runs);
    let ms = median(times.iter().map(|d| d.as_secs_f64() * 1e3).collect());
    println!(
        "{:<34} {:>14} {:>14} {:>8}  target < 1000 ms",
        format!("process_info, all N={n}"),
        format!("{ms:.1} ms"),
        format!("{:.0} ns/proc", ms * 1e6 / seen as f64),
        "-",
    );
}

/// Spawn runs in child processes, one measurement each, so that every RSS
/// figure starts from a fresh heap.
fn spawn(n: u64, runs: usize) {
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(spawn_in_child("ours", n));
        raw.push(spawn_in_child("raw", n));
    }
    let med = |v: &[[f64; 3]], i: usize| median(v.iter().map(|s| s[i]).collect());
    let (os, oe, om) = (med(&ours, 0), med(&ours, 1), med(&ours, 2));
    let (rs, re, rm) = (med(&raw, 0), med(&raw, 1), med(&raw, 2));
    row(
        &format!("spawn N={n}"),
        "us/spawn",
        os,
        rs,
        os / rs,
        "<= 1.3x",
    );
    row(
        &format!("stop N={n}"),
        "us/stop",
        oe,
        re,
        oe / re,
        "<= 1.5x",
    );
    row(
        &format!("memory N={n}"),
        "B/actor",
        om,
        rm,
        om / rm,
        "<= 900 B/actor",
    );
}

fn spawn_in_child(which: &str, n: u64) -> [f64; 3] {
    child("__spawn_child", which, n)
}

/// Runs one measurement in a fresh copy of this binary; its three figures.
fn child(mode: &str, which: &str, n: u64) -> [f64; 3] {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let out = Command::new(exe)
        .args([mode, which, &n.to_string()])
        .output()
        .expect("could not run the measurement child");
    if !out.status.success() {
        panic!(
            "measurement child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    [v[0], v[1], v[2]]
}

/// Prints `start_ns cancel_ns rss_bytes_per_timer`.
fn timers_child(args: &[String]) {
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let s = match args.first().map(String::as_str) {
        Some("ours") => workloads::timers(n),
        _ => workloads::timers_raw(n),
    };
    println!(
        "{} {} {}",
        s.start.as_nanos(),
        s.cancel.as_nanos(),
        s.rss_per_timer
    );
}

/// Prints `spawn_us stop_us rss_bytes_per_actor`.
fn spawn_child(args: &[String]) {
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let s = match args.first().map(String::as_str) {
        Some("ours") => workloads::spawn(n),
        _ => workloads::spawn_raw(n),
    };
    println!(
        "{} {} {}",
        s.spawn.as_secs_f64() * 1e6 / n as f64,
        s.stop.as_secs_f64() * 1e6 / n as f64,
        s.rss_per_actor
    );
}

/// Peer nodes: starting one (this program again) until the first call to
/// an actor spawned there has answered, then stopping it, `runs` times; and
/// `n` sequential calls to an `EchoActor` on a peer (ours) beside `n` to a
/// local one (the "raw" column: the baseline is the local call).
#[cfg(feature = "dist")]
fn peer(n: u64, runs: usize) {
    use actor::node::{EpmdStart, Node, Peer};
    use actor::{msg, Pid};
    use std::time::Instant;

    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let epmd = free.local_addr().unwrap();
    drop(free);
    Node::builder(format!("bench{}@localhost", std::process::id()))
        .cookie("bench_peer")
        .epmd(epmd)
        .epmd_start(EpmdStart::InProcess)
        .start()
        .unwrap_or_else(|e| fail(&format!("this program cannot be a node: {e}")));

    let mut starts = Vec::new();
    for _ in 0..runs.max(1) + 1 {
        let t = Instant::now();
        let peer = Peer::builder()
            .start()
            .unwrap_or_else(|e| fail(&e.to_string()));
        let echo = actor::spawn_on(peer.node(), "EchoActor").unwrap();
        msg!(std(1) >> echo).wait().unwrap();
        starts.push(t.elapsed().as_secs_f64() * 1e3);
        peer.stop().unwrap();
    }
    starts.remove(0); // the first start also warms the page cache
    let start_ms = median(starts);
    println!(
        "{:<34} {:>14} {:>14} {:>8}",
        "peer start + first call",
        format!("{start_ms:.1} ms"),
        "-",
        "-"
    );

    let peer = Peer::builder()
        .start()
        .unwrap_or_else(|e| fail(&e.to_string()));
    let remote = actor::spawn_on(peer.node(), "EchoActor").unwrap();
    let local = actor::spawn("EchoActor").unwrap();
    let calls = |to: Pid, n: u64| {
        let t = Instant::now();
        for i in 0..n {
            msg!(std(i as i64) >> to).wait().unwrap();
        }
        t.elapsed()
    };
    let (ours, raw) = measure(
        runs,
        |remote_side| {
            calls(if remote_side { remote } else { local }, n / 10 + 1);
        },
        |remote_side| calls(if remote_side { remote } else { local }, n),
        |d| d.as_secs_f64() * 1e6 / n as f64,
    );
    row(
        &format!("call round trip, peer vs local N={n}"),
        "µs",
        ours,
        raw,
        ours / raw,
        "",
    );
    peer.stop().unwrap();
}
