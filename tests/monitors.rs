//! Monitors: one `Down` per monitor, `noproc` for dead targets, `demonitor`,
//! monitors held by processes, and watchers that die first.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use actor::prelude::*;

mod common;
use common::LONG;

/// A process that waits for one message and then ends with the reason it
/// carries (`normal` for anything but a map with `exit`).
fn waiter() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        if !m.data["exit"].is_nil() {
            actor::exit(actor::pid(), m.data["exit"].clone());
            std::future::pending::<()>().await;
        }
    })
    .unwrap()
}

#[actor::test]
fn down_arrives_exactly_once_per_monitor() {
    let p = waiter();
    let r1 = actor::monitor(p);
    let r2 = actor::monitor(p);
    assert_ne!(r1, r2);
    msg!(std { exit: "bye" } > p);
    for r in [r1, r2] {
        let down = assert_receive!(
            Message { kind: Kind::Down, from, reference, .. }
                if *from == p && *reference == Some(r),
            timeout: LONG
        );
        assert_eq!(down.data["reason"], "bye");
    }
    // A later exit signal to the dead pid brings nothing more.
    actor::kill(p);
    refute_receive!(_, timeout: Duration::from_millis(50));
}

#[actor::test]
fn down_carries_each_exit_reason() {
    let p = waiter();
    let r = actor::monitor(p);
    msg!(std("end") > p);
    let down = assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    assert_eq!(down.data["reason"], Term::atom("normal"));

    let p = waiter();
    let r = actor::monitor(p);
    actor::kill(p);
    let down = assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    assert_eq!(down.data["reason"], Term::atom("killed"));

    let p = actor::spawn(|mut inbox: Inbox| async move {
        inbox.recv().await;
        panic!("watched");
    })
    .unwrap();
    let r = actor::monitor(p);
    msg!(std("go") > p);
    let down = assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    assert_eq!(
        down.data["reason"],
        Term::from((Term::atom("panic"), "watched"))
    );
}

#[actor::test]
fn monitoring_a_dead_pid_gives_noproc_at_once() {
    let (p, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    let r2 = actor::monitor(p);
    // Already in the mailbox: no wait needed.
    let down = actor::pop_mailbox().expect("noproc Down is not there at once");
    assert_eq!(
        (down.kind, down.from, down.reference),
        (Kind::Down, p, Some(r2))
    );
    assert_eq!(down.data["reason"], Term::atom("noproc"));
    // A pid of another node without distribution: noconnection, at once.
    let remote = Pid::from_parts(0x1234_5678_9abc_4def, 1);
    let r3 = actor::monitor(remote);
    let down = actor::pop_mailbox().expect("Down for an unreachable node");
    assert_eq!(down.reference, Some(r3));
    assert_eq!(down.data["reason"], Term::atom("noconnection"));
    assert!(actor::pop_mailbox().is_none());
}

#[actor::test]
fn demonitor_turns_a_monitor_off() {
    let p = waiter();
    let r = actor::monitor(p);
    let kept = actor::monitor(p);
    assert!(actor::demonitor(r));
    assert!(!actor::demonitor(r), "a second demonitor found it again");
    actor::kill(p);
    // The demonitored Down never comes: it would be left in the mailbox.
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(kept),
        timeout: LONG
    );
    refute_receive!(_, timeout: Duration::from_millis(50));
    assert!(!actor::demonitor(kept), "a fired monitor is not active");
    assert!(!actor::demonitor(Ref::new()));
}

#[actor::test]
fn a_process_monitors_too_and_does_not_die_with_the_target() {
    let me = actor::pid();
    let target = waiter();
    let watcher = actor::spawn(move |mut inbox: Inbox| async move {
        let r = actor::monitor(target);
        msg!(info("watching") > me);
        let down = inbox.recv_match(|m| m.kind == Kind::Down).await;
        let ok = down.reference == Some(r) && down.from == target;
        msg!(
            info {
                ok: ok,
                reason: down.data["reason"].clone()
            } > me
        );
    })
    .unwrap();
    assert_receive!(Message { data, .. } if *data == "watching", timeout: LONG);
    actor::exit(target, "boom");
    let report = assert_receive!(Message { from, .. } if *from == watcher, timeout: LONG);
    assert_eq!(report.data["ok"], true);
    assert_eq!(report.data["reason"], "boom");
}

#[actor::test]
fn a_watcher_that_dies_first_leaves_no_trace() {
    let target = waiter();
    let (watcher, rw) = actor::spawn_monitor(move |mut inbox: Inbox| async move {
        actor::monitor(target);
        inbox.recv().await;
    })
    .unwrap();
    msg!(std("end") > watcher);
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(rw),
        timeout: LONG
    );
    let rt = actor::monitor(target);
    actor::kill(target);
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(rt),
        timeout: LONG
    );
    refute_receive!(_, timeout: Duration::from_millis(50));
}

#[actor::test]
fn spawn_monitor_watches_from_before_the_process_runs() {
    // A process that ends at once still gives its Down with its reason.
    for _ in 0..10 {
        let (p, r) = actor::spawn_monitor(|_inbox: Inbox| async {
            panic!("early");
        })
        .unwrap();
        let down = assert_receive!(
            Message { kind: Kind::Down, from, reference, .. }
                if *from == p && *reference == Some(r),
            timeout: LONG
        );
        assert_eq!(
            down.data["reason"],
            Term::from((Term::atom("panic"), "early"))
        );
    }
}

/// How a demonitor race ends: whether the demonitored `Down` was seen.
/// `gap` is synchronous work between the target's exit and `demonitor`;
/// `None` demonitors only once the target is surely gone (its `Down` is
/// in the mailbox already, unless flushed).
fn demonitor_race(gap: Option<Duration>) -> bool {
    let p = waiter();
    let r = actor::monitor(p);
    let kept = actor::monitor(p);
    msg!(std("end") > p);
    let mut seen = Vec::new();
    match gap {
        Some(gap) => {
            let until = Instant::now() + gap;
            while Instant::now() < until {
                std::hint::spin_loop();
            }
        }
        None => seen.push(
            actor::receive_match_timeout(|m| m.reference == Some(kept), LONG)
                .expect("no Down for the kept monitor"),
        ),
    }
    actor::demonitor(r);
    if gap.is_some() {
        seen.push(
            actor::receive_match_timeout(|m| m.reference == Some(kept), LONG)
                .expect("no Down for the kept monitor"),
        );
    }
    // Everything the exit brought is here now: the kept Down has come, and
    // a runtime that still delivered the other one did so at the same time.
    seen.extend(std::iter::from_fn(actor::pop_mailbox));
    seen.iter().any(|m| m.reference == Some(r))
}

/// `rounds` demonitor races: the target exits at the same moment (gaps up
/// to 1 ms) or before (every third round). Returns a failure report, if
/// any `Down` of a demonitored monitor was received.
fn demonitor_races(rounds: usize) -> Option<String> {
    let (mut racing, mut racing_seen, mut after, mut after_seen) = (0, 0, 0, 0);
    for i in 0..rounds {
        if i % 3 == 0 {
            after += 1;
            after_seen += usize::from(demonitor_race(None));
        } else {
            racing += 1;
            let gap = Duration::from_micros(50 * (i % 21) as u64);
            racing_seen += usize::from(demonitor_race(Some(gap)));
        }
    }
    (racing_seen + after_seen > 0).then(|| {
        format!(
            "the Down of a demonitored monitor was received in {racing_seen} of {racing} \
             rounds where the target exited at the same moment, and in {after_seen} of \
             {after} where it had exited before (not flushed)"
        )
    })
}

// issue 9, item 8
#[actor::test]
fn after_demonitor_returns_no_down_for_it_is_ever_received() {
    // Erlang's demonitor(Ref, [flush]): once it has returned, the monitor's
    // 'DOWN' is neither delivered later nor left in the mailbox.
    if let Some(report) = demonitor_races(1_000) {
        panic!("{report}");
    }
}

// issue 9, item 8 (stress)
#[test]
fn demonitor_races_on_four_threads_at_once() {
    let reports: Vec<String> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4).map(|_| s.spawn(|| demonitor_races(250))).collect();
        threads
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect()
    });
    assert!(reports.is_empty(), "{reports:#?}");
}

// issue 9, item 14
#[actor::test]
fn a_process_monitoring_400_000_processes_gets_every_down_in_linear_time() {
    // Quadratic bookkeeping (a scan of the monitor list per Down) takes many
    // minutes here; linear takes seconds.
    const N: usize = 400_000;
    const BOUND: Duration = Duration::from_secs(60);
    let deadline = Instant::now() + BOUND;
    let mut pids = Vec::with_capacity(N);
    let mut refs = HashSet::with_capacity(N);
    for i in 0..N {
        let p = actor::spawn(|mut inbox: Inbox| async move {
            inbox.recv().await;
        })
        .unwrap();
        refs.insert(actor::monitor(p));
        pids.push(p);
        if i % 1000 == 0 {
            assert!(
                Instant::now() < deadline,
                "monitoring {i} of {N} processes took over {BOUND:?}"
            );
        }
    }
    for &p in &pids {
        msg!(info("end") > p);
    }
    let mut downs = 0;
    while downs < N {
        let m = deadline
            .checked_duration_since(Instant::now())
            .and_then(actor::receive_timeout)
            .unwrap_or_else(|| panic!("{downs} of {N} Down messages within {BOUND:?}"));
        assert_eq!(m.kind, Kind::Down, "{m:?}");
        assert!(
            refs.remove(&m.reference.unwrap()),
            "an unknown or second Down: {m:?}"
        );
        downs += 1;
    }
}
