//! The five benchmark workloads, each written twice: once on `actor` (what
//! users write: actors answering `std` messages, calls, sends) and once as
//! the raw baseline (bare tokio tasks looping on unbounded flume channels,
//! replies into the caller's own channel) on a runtime with the same number
//! of worker threads. In both, the driver runs as a task (a process) on the
//! runtime; each function returns the time measured inside the driver.
//!
//! Shared by `benches/runtime.rs` (criterion) and `examples/bench.rs` (the
//! ratio table) through `#[path]`.

use std::future::{Future, IntoFuture};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use actor::prelude::*;

/// Worker threads of both runtimes: whatever `actor::runtime()` chose
/// (`ACTOR_WORKER_THREADS`, else the cores), read back from it.
pub(crate) fn workers() -> usize {
    actor::runtime().metrics().num_workers()
}

/// The baseline's runtime: multi-thread tokio with `workers()` threads.
fn raw_rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers())
            .enable_all()
            .build()
            .expect("the baseline runtime could not start")
    })
}

/// Runs `body` as a raw task on the baseline runtime and waits for it.
fn raw_driver<T: Send + 'static>(body: impl Future<Output = T> + Send + 'static) -> T {
    let rt = raw_rt();
    rt.block_on(rt.spawn(body))
        .expect("the baseline driver panicked")
}

/// Runs `body` as a process on the actor runtime and waits for it.
fn driver<T, F, Fut>(body: F) -> T
where
    T: Send + 'static,
    F: FnOnce(Inbox) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    actor::spawn(move |inbox: Inbox| async move {
        let _ = tx.send(body(inbox).await);
    })
    .expect("spawning a closure cannot fail");
    rx.recv().expect("the driver process died")
}

/// Echoes `std` data back to the caller: what users write.
#[derive(Default)]
struct Echo;

#[actor]
impl Echo {
    fn std(&mut self, data: Term) -> Term {
        data
    }
}

fn spawn_value(a: impl actor::IntoSpawn) -> Pid {
    actor::spawn(a).expect("spawning a value cannot fail")
}

// ---------------------------------------------------------------- pingpong

/// `n` sequential calls from one process to one echo actor.
pub(crate) fn pingpong(n: u64) -> Duration {
    let echo = spawn_value(Echo);
    let d = driver(move |_inbox| async move {
        let t = Instant::now();
        for i in 0..n {
            let reply = msg!(std(i as i64) >> echo).await;
            assert!(reply.is_ok(), "echo call failed: {reply:?}");
        }
        t.elapsed()
    });
    actor::kill(echo);
    d
}

/// Baseline: `n` request/reply round trips between two tasks.
pub(crate) fn pingpong_raw(n: u64) -> Duration {
    let (req_tx, req_rx) = flume::unbounded::<u64>();
    let (rep_tx, rep_rx) = flume::unbounded::<u64>();
    raw_rt().spawn(async move {
        while let Ok(v) = req_rx.recv_async().await {
            if rep_tx.send(v).is_err() {
                break;
            }
        }
    });
    raw_driver(async move {
        let t = Instant::now();
        for i in 0..n {
            req_tx.send(i).expect("echo task gone");
            let v = rep_rx.recv_async().await.expect("echo task gone");
            assert_eq!(v, i);
        }
        t.elapsed()
    })
}

// ---------------------------------------------------------------- throughput

/// Counts messages; answers a call with the count.
#[derive(Default)]
struct Counter(i64);

#[actor]
impl Counter {
    fn std(&mut self) -> i64 {
        self.0 += 1;
        self.0
    }
}

/// `n` sends to a counting actor, then one call that returns once all are
/// counted.
pub(crate) fn throughput(n: u64) -> Duration {
    let counter = spawn_value(Counter::default());
    let d = driver(move |_inbox| async move {
        let t = Instant::now();
        for i in 0..n {
            msg!(std(i as i64) > counter);
        }
        let reply = msg!(std >> counter)
            .timeout(Duration::from_secs(600))
            .await
            .expect("counter call failed");
        let elapsed = t.elapsed();
        assert_eq!(reply.data, Term::Int(n as i64 + 1));
        elapsed
    });
    actor::kill(counter);
    d
}

enum RawCount {
    Count(u64),
    Sync,
}

/// Baseline: `n` sends into a counting task's channel, then a sync message
/// it answers with the count.
pub(crate) fn throughput_raw(n: u64) -> Duration {
    let (tx, rx) = flume::unbounded::<RawCount>();
    let (rep_tx, rep_rx) = flume::unbounded::<u64>();
    raw_rt().spawn(async move {
        let (mut count, mut last) = (0u64, 0u64);
        while let Ok(m) = rx.recv_async().await {
            count += 1;
            match m {
                RawCount::Count(v) => last = v,
                RawCount::Sync => {
                    let _ = rep_tx.send(count);
                }
            }
        }
        std::hint::black_box(last);
    });
    raw_driver(async move {
        let t = Instant::now();
        for i in 0..n {
            tx.send(RawCount::Count(i)).expect("counter task gone");
        }
        tx.send(RawCount::Sync).expect("counter task gone");
        let count = rep_rx.recv_async().await.expect("counter task gone");
        let elapsed = t.elapsed();
        assert_eq!(count, n + 1);
        elapsed
    })
}

// ---------------------------------------------------------------- spawn

/// What the spawn workload measured.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpawnStats {
    /// Spawning all, until the last one ran its start.
    pub(crate) spawn: Duration,
    /// Stopping all, until the last one finished.
    pub(crate) stop: Duration,
    /// `VmRSS` growth while all were alive, per actor (bytes).
    pub(crate) rss_per_actor: f64,
}

/// Counts starts and stops; wakes the driver when all `n` did.
struct Tally {
    n: usize,
    started: AtomicUsize,
    stopped: AtomicUsize,
    all_started: tokio::sync::Notify,
    all_stopped: tokio::sync::Notify,
}

impl Tally {
    fn new(n: usize) -> Arc<Tally> {
        Arc::new(Tally {
            n,
            started: AtomicUsize::new(0),
            stopped: AtomicUsize::new(0),
            all_started: tokio::sync::Notify::new(),
            all_stopped: tokio::sync::Notify::new(),
        })
    }

    fn start(&self) {
        if self.started.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            self.all_started.notify_one();
        }
    }

    fn stop(&self) {
        if self.stopped.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            self.all_stopped.notify_one();
        }
    }
}

/// An idle actor: bumps the start count, then waits for messages forever.
#[derive(Default)]
struct Idle(Option<Arc<Tally>>);

#[actor]
impl Idle {
    fn start(&mut self) {
        if let Some(t) = &self.0 {
            t.start();
        }
    }

    fn std(&mut self) {}
}

impl Drop for Idle {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            t.stop();
        }
    }
}

/// The resident set size of this process, in bytes.
pub(crate) fn vm_rss() -> u64 {
    proc_status_kb("VmRSS:") * 1024
}

fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Spawns `n` idle actors and waits until all started, then stops them all
/// (exit signal `shutdown`) and waits until all are gone.
pub(crate) fn spawn(n: usize) -> SpawnStats {
    let tally = Tally::new(n);
    driver(move |_inbox| async move {
        let rss0 = vm_rss();
        let t = Instant::now();
        let pids: Vec<Pid> = (0..n)
            .map(|_| spawn_value(Idle(Some(tally.clone()))))
            .collect();
        tally.all_started.notified().await;
        let spawn = t.elapsed();
        let rss = vm_rss().saturating_sub(rss0) as f64 / n as f64;
        let t = Instant::now();
        for pid in pids {
            actor::exit(pid, Term::atom("shutdown"));
        }
        tally.all_stopped.notified().await;
        SpawnStats {
            spawn,
            stop: t.elapsed(),
            rss_per_actor: rss,
        }
    })
}

/// Looking inside: with `n` idle actors alive, times `runs` full snapshots
/// of the system (`actor::processes()`, then `actor::process_info` for
/// each), as the observer takes one a second. Returns each snapshot's time
/// and how many processes the last one saw. No baseline: nothing to
/// compare with.
pub(crate) fn process_info_all(n: usize, runs: usize) -> (Vec<Duration>, usize) {
    let tally = Tally::new(n);
    driver(move |_inbox| async move {
        let pids: Vec<Pid> = (0..n)
            .map(|_| spawn_value(Idle(Some(tally.clone()))))
            .collect();
        tally.all_started.notified().await;
        let mut times = Vec::with_capacity(runs);
        let mut seen = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let infos: Vec<actor::ProcessInfo> = actor::processes()
                .into_iter()
                .filter_map(actor::process_info)
                .collect();
            times.push(t.elapsed());
            seen = std::hint::black_box(infos).len();
        }
        for pid in pids {
            actor::exit(pid, Term::atom("shutdown"));
        }
        tally.all_stopped.notified().await;
        (times, seen)
    })
}

/// Baseline: `n` tasks, each with its own channel, that bump the start
/// count and wait for a stop message.
pub(crate) fn spawn_raw(n: usize) -> SpawnStats {
    let tally = Tally::new(n);
    raw_driver(async move {
        let rss0 = vm_rss();
        let t = Instant::now();
        let senders: Vec<flume::Sender<()>> = (0..n)
            .map(|_| {
                let (tx, rx) = flume::unbounded::<()>();
                let tally = tally.clone();
                tokio::spawn(async move {
                    tally.start();
                    let _ = rx.recv_async().await;
                    tally.stop();
                });
                tx
            })
            .collect();
        tally.all_started.notified().await;
        let spawn = t.elapsed();
        let rss = vm_rss().saturating_sub(rss0) as f64 / n as f64;
        let t = Instant::now();
        for tx in &senders {
            let _ = tx.send(());
        }
        tally.all_stopped.notified().await;
        SpawnStats {
            spawn,
            stop: t.elapsed(),
            rss_per_actor: rss,
        }
    })
}

// ---------------------------------------------------------------- ring

/// A ring member: learns its successor and the driver from an `info`
/// message, then passes the token (a hop count) on; the last hop goes to
/// the driver.
#[derive(Default)]
struct RingNode {
    next: Option<Pid>,
    driver: Option<Pid>,
}

#[actor]
impl RingNode {
    fn info(&mut self, data: Term) {
        self.next = data["next"].as_pid();
        self.driver = data["driver"].as_pid();
    }

    fn std(&mut self, data: Term) {
        match (data.as_int(), self.next, self.driver) {
            (Some(0), _, Some(driver)) => msg!(std > driver),
            (Some(k), Some(next), _) => msg!(std(k - 1) > next),
            _ => {}
        }
    }
}

/// `n` actors in a ring pass one token `hops` times in all.
pub(crate) fn ring(n: usize, hops: u64) -> Duration {
    let (d, nodes) = driver(move |mut inbox: Inbox| async move {
        let me = inbox.pid();
        let nodes: Vec<Pid> = (0..n).map(|_| spawn_value(RingNode::default())).collect();
        for (i, &node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % n];
            msg!(
                info {
                    next: next,
                    driver: me
                } > node
            );
        }
        let t = Instant::now();
        msg!(std(hops as i64 - 1) > nodes[0]);
        inbox.recv().await;
        (t.elapsed(), nodes)
    });
    for node in nodes {
        actor::kill(node);
    }
    d
}

/// Baseline: `n` tasks, each looping on its channel and sending the token to
/// the next one's.
pub(crate) fn ring_raw(n: usize, hops: u64) -> Duration {
    raw_driver(async move {
        let (done_tx, done_rx) = flume::unbounded::<()>();
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..n).map(|_| flume::unbounded::<u64>()).unzip();
        for (i, rx) in rxs.into_iter().enumerate() {
            let next = txs[(i + 1) % n].clone();
            let done = done_tx.clone();
            tokio::spawn(async move {
                while let Ok(k) = rx.recv_async().await {
                    if k == 0 {
                        let _ = done.send(());
                        break;
                    }
                    if next.send(k - 1).is_err() {
                        break;
                    }
                }
            });
        }
        let t = Instant::now();
        txs[0].send(hops - 1).expect("ring task gone");
        done_rx.recv_async().await.expect("ring task gone");
        let d = t.elapsed();
        // Dropping the senders ends the other tasks.
        drop(txs);
        d
    })
}

// ---------------------------------------------------------------- fanout

/// One driver sends a request (with a fresh ref, as a call does) to each of
/// `k` echo actors, then collects the `k` replies; `rounds` times. This is
/// Erlang's way to call many processes at once: send all, then receive.
pub(crate) fn fanout(k: usize, rounds: u64) -> Duration {
    let workers: Vec<Pid> = (0..k).map(|_| spawn_value(Echo)).collect();
    let ws = workers.clone();
    let d = driver(move |mut inbox: Inbox| async move {
        let t = Instant::now();
        for round in 0..rounds {
            for &w in &ws {
                msg!(std(round as i64) ref Ref::new() > w);
            }
            for _ in 0..k {
                let m = inbox.recv().await;
                debug_assert_eq!(m.data, Term::Int(round as i64));
            }
        }
        t.elapsed()
    });
    for w in workers {
        actor::kill(w);
    }
    d
}

/// The driver calls each of `k` echo actors at once and joins the `k`
/// calls (`futures::future::join_all`, what users write); `rounds` times.
/// Measured against the same baseline as [`fanout`].
pub(crate) fn fanout_calls(k: usize, rounds: u64) -> Duration {
    let workers: Vec<Pid> = (0..k).map(|_| spawn_value(Echo)).collect();
    let ws = workers.clone();
    let d = driver(move |_inbox: Inbox| async move {
        let t = Instant::now();
        for round in 0..rounds {
            let calls = ws
                .iter()
                .map(|&w| msg!(std(round as i64) >> w).into_future());
            for reply in futures::future::join_all(calls).await {
                let reply = reply.expect("echo call failed");
                debug_assert_eq!(reply.data, Term::Int(round as i64));
            }
        }
        t.elapsed()
    });
    for w in workers {
        actor::kill(w);
    }
    d
}

/// Baseline: `k` echo tasks that reply into the driver's channel.
pub(crate) fn fanout_raw(k: usize, rounds: u64) -> Duration {
    raw_driver(async move {
        let (rep_tx, rep_rx) = flume::unbounded::<u64>();
        let txs: Vec<flume::Sender<u64>> = (0..k)
            .map(|_| {
                let (tx, rx) = flume::unbounded::<u64>();
                let rep = rep_tx.clone();
                tokio::spawn(async move {
                    while let Ok(v) = rx.recv_async().await {
                        if rep.send(v).is_err() {
                            break;
                        }
                    }
                });
                tx
            })
            .collect();
        let t = Instant::now();
        for round in 0..rounds {
            for tx in &txs {
                tx.send(round).expect("echo task gone");
            }
            for _ in 0..k {
                let v = rep_rx.recv_async().await.expect("echo task gone");
                debug_assert_eq!(v, round);
            }
        }
        t.elapsed()
    })
}

// ---------------------------------------------------------------- timers

/// What the timers workload measured.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimerStats {
    /// Starting all `n`, per timer.
    pub(crate) start: Duration,
    /// Cancelling all `n`, per timer.
    pub(crate) cancel: Duration,
    /// `VmRSS` growth while all were pending, per timer (bytes).
    pub(crate) rss_per_timer: f64,
}

/// `n` pending `send_after` timers (10 minutes away) to one process, then
/// all cancelled.
pub(crate) fn timers(n: usize) -> TimerStats {
    driver(move |inbox: Inbox| async move {
        let me = inbox.pid();
        let rss0 = vm_rss();
        let t = Instant::now();
        let timers: Vec<actor::TimerRef> = (0..n)
            .map(|i| actor::send_after(Duration::from_secs(600), me, Kind::Info, i as i64))
            .collect();
        let start = t.elapsed() / n as u32;
        let rss = vm_rss().saturating_sub(rss0) as f64 / n as f64;
        let t = Instant::now();
        for timer in timers {
            assert!(actor::cancel_timer(timer));
        }
        TimerStats {
            start,
            cancel: t.elapsed() / n as u32,
            rss_per_timer: rss,
        }
    })
}

/// Baseline: a tokio task per timer (sleep, then send), cancelled by
/// aborting it.
pub(crate) fn timers_raw(n: usize) -> TimerStats {
    raw_driver(async move {
        let (tx, _rx) = flume::unbounded::<u64>();
        let rss0 = vm_rss();
        let t = Instant::now();
        let tasks: Vec<tokio::task::JoinHandle<()>> = (0..n as u64)
            .map(|i| {
                let tx = tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(600)).await;
                    let _ = tx.send(i);
                })
            })
            .collect();
        // Let every task reach its sleep.
        tokio::task::yield_now().await;
        let start = t.elapsed() / n as u32;
        let rss = vm_rss().saturating_sub(rss0) as f64 / n as f64;
        let t = Instant::now();
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
        TimerStats {
            start,
            cancel: t.elapsed() / n as u32,
            rss_per_timer: rss,
        }
    })
}
