//! 1 000 supervised workers crashing at random while calls flow: every
//! supervisor ends in its declared state.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor::prelude::*;
use actor::supervisor::{self, ChildSpec, Strategy, SupervisorSpec};

const WORKERS_PER_GROUP: usize = 100;
const CRASHES: usize = 2_000;

/// A small deterministic PRNG (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Echoes calls; exits with reason `crash` when asked.
fn worker_spec(id: String) -> ChildSpec {
    ChildSpec::worker_fn(id, || {
        |mut inbox: Inbox| async move {
            loop {
                let m = inbox.recv().await;
                if m.data["crash"] == true {
                    actor::exit(actor::pid(), "crash");
                    std::future::pending::<()>().await;
                }
                msg!(std(m.data) ref m.reference > m.from);
            }
        }
    })
}

fn group(strategy: Strategy, exits: Arc<AtomicU64>) -> SupervisorSpec {
    let spec = SupervisorSpec::new(strategy)
        .intensity(1_000_000, Duration::from_secs(1))
        .on_event(move |e| {
            if let supervisor::Event::Exited { .. } = e {
                exits.fetch_add(1, Ordering::Relaxed);
            }
        });
    if strategy == Strategy::SimpleOneForOne {
        return spec.child(worker_spec("pooled".into()));
    }
    spec.children((0..WORKERS_PER_GROUP).map(|i| worker_spec(format!("w{i}"))))
}

fn running(sup: Pid) -> Vec<Pid> {
    supervisor::which_children(sup)
        .unwrap()
        .iter()
        .filter_map(|c| c.pid())
        .collect()
}

#[actor::test]
fn a_thousand_workers_crash_at_random_under_traffic() {
    let strategies = [
        Strategy::OneForOne,
        Strategy::OneForOne,
        Strategy::OneForOne,
        Strategy::OneForOne,
        Strategy::OneForOne,
        Strategy::OneForOne,
        Strategy::RestForOne,
        Strategy::RestForOne,
        Strategy::OneForAll,
        Strategy::SimpleOneForOne,
    ];
    let exits = Arc::new(AtomicU64::new(0));
    let root_restarts = Arc::new(AtomicU64::new(0));
    let counter = root_restarts.clone();
    let root = SupervisorSpec::one_for_one()
        .intensity(10, Duration::from_secs(60))
        .children(
            strategies
                .iter()
                .enumerate()
                .map(|(i, &s)| ChildSpec::supervisor(format!("group{i}"), group(s, exits.clone()))),
        )
        .on_event(move |e| {
            if let supervisor::Event::Started { restart: true, .. } = e {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        })
        .start_link()
        .unwrap();
    let groups: Vec<Pid> = running(root);
    assert_eq!(groups.len(), strategies.len());
    let pool = groups[strategies.len() - 1];
    for _ in 0..WORKERS_PER_GROUP {
        supervisor::start_child(pool, Term::Nil).unwrap();
    }
    for &g in &groups {
        assert_eq!(running(g).len(), WORKERS_PER_GROUP);
    }

    // traffic: two client threads calling random workers
    let stop = Arc::new(AtomicBool::new(false));
    let ok_calls = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..2u64)
        .map(|n| {
            let (stop, ok_calls, groups) = (stop.clone(), ok_calls.clone(), groups.clone());
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n + 1));
                let mut pids = Vec::new();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if i.is_multiple_of(64) {
                        pids = running(groups[rng.below(groups.len())]);
                    }
                    i += 1;
                    if pids.is_empty() {
                        continue;
                    }
                    let pid = pids[rng.below(pids.len())];
                    let payload = Term::from(i as i64);
                    match msg!(std(payload.clone()) >> pid)
                        .timeout(Duration::from_secs(5))
                        .wait()
                    {
                        Ok(reply) => {
                            assert_eq!(reply.data, payload);
                            ok_calls.fetch_add(1, Ordering::Relaxed);
                        }
                        // the worker died before or while it was called
                        Err(CallError::NoProcess | CallError::Exit(_)) => {}
                        Err(e) => panic!("a live worker never answered: {e}"),
                    }
                }
            })
        })
        .collect();

    // chaos: kills, exit signals and crash requests at random workers
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut snapshot: Vec<Vec<Pid>> = groups.iter().map(|&g| running(g)).collect();
    for n in 0..CRASHES {
        let g = rng.below(groups.len());
        if n.is_multiple_of(25) {
            snapshot[g] = running(groups[g]);
        }
        if snapshot[g].is_empty() {
            continue;
        }
        let pid = snapshot[g][rng.below(snapshot[g].len())];
        match rng.below(3) {
            0 => actor::kill(pid),
            1 => actor::exit(pid, "chaos"),
            _ => msg!(std { crash: true } > pid),
        }
        if n.is_multiple_of(100) {
            std::thread::yield_now();
        }
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let (ok_calls, exits) = (
        ok_calls.load(Ordering::Relaxed),
        exits.load(Ordering::Relaxed),
    );
    eprintln!("{exits} worker exits, {ok_calls} successful calls");
    assert!(ok_calls > 0, "no call ever succeeded");
    assert!(exits as usize > CRASHES / 4, "only {exits} workers crashed");

    // every supervisor gets back to its declared state
    let deadline = Instant::now() + Duration::from_secs(60);
    for (&g, &strategy) in groups.iter().zip(&strategies) {
        loop {
            let children = supervisor::which_children(g).unwrap();
            let live = children
                .iter()
                .filter_map(|c| c.pid())
                .filter(|&p| actor::is_alive(p))
                .count();
            if children.len() == WORKERS_PER_GROUP && live == WORKERS_PER_GROUP {
                if strategy != Strategy::SimpleOneForOne {
                    let ids: Vec<String> = children.iter().map(|c| c.id.clone()).collect();
                    let declared: Vec<String> =
                        (0..WORKERS_PER_GROUP).map(|i| format!("w{i}")).collect();
                    assert_eq!(ids, declared, "children stay in start order");
                }
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{strategy:?} group stuck at {live}/{} live",
                children.len()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    // no group supervisor gave up: the root never had to restart one
    assert_eq!(running(root), groups);
    assert_eq!(root_restarts.load(Ordering::Relaxed), 0);
    let count = supervisor::count_children(root).unwrap();
    assert_eq!((count.active, count.supervisors), (10, 10));

    let every: Vec<Pid> = groups.iter().flat_map(|&g| running(g)).collect();
    supervisor::stop(root).unwrap();
    assert!(every.iter().all(|&p| !actor::is_alive(p)));
    assert!(groups.iter().all(|&g| !actor::is_alive(g)));
}
