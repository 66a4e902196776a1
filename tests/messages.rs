//! Sending: the seed's mailbox functions, selective receive, sends that
//! never block and are silent to dead pids, per-pair order, and a stress
//! test of senders racing kills.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actor::prelude::*;

mod common;
use common::LONG;

#[actor::test]
fn the_seed_session() {
    let me = actor::pid();
    let hi: Term = [("hi", "hey")].into_iter().collect();
    msg!(std(hi.clone()) > me);
    let m = actor::pop_mailbox().unwrap();
    assert_eq!(
        (m.kind, m.data.clone(), m.reference, m.from),
        (Kind::Std, hi.clone(), None, me)
    );

    let n_pid = actor::spawn("actor.actors.EchoActor").unwrap();
    msg!(std(hi.clone()) > n_pid);
    assert_receive!(
        Message { kind: Kind::Std, data, reference: None, from } if *data == hi && *from == n_pid,
        timeout: LONG
    );

    let m = msg!(std(hi.clone()) >> n_pid).wait().unwrap();
    assert_eq!((m.kind, m.data, m.from), (Kind::Std, hi, n_pid));
    assert!(m.reference.is_some());
}

#[actor::test]
fn selective_receive_keeps_the_others_in_order() {
    let me = actor::pid();
    for i in 0..5 {
        msg!(std(i) > me);
    }
    msg!(info("wanted") > me);
    msg!(std(5) > me);
    let m = actor::receive_match_timeout(|m| m.kind == Kind::Info, LONG).unwrap();
    assert_eq!(m.data, "wanted");
    // Nothing matches: the wait ends, and nothing is lost.
    assert!(actor::receive_match_timeout(|m| m.data == 99, Duration::from_millis(20)).is_none());
    let m = actor::receive_match_timeout(|m| m.data == 3, LONG).unwrap();
    assert_eq!(m.data, 3);
    let rest: Vec<Term> = std::iter::from_fn(actor::pop_mailbox)
        .map(|m| m.data)
        .collect();
    assert_eq!(rest, [0, 1, 2, 4, 5].map(Term::from));
    // Messages set aside come before newer ones.
    msg!(std("a") > me);
    msg!(std("b") > me);
    assert_eq!(
        actor::receive_match_timeout(|m| m.data == "b", LONG)
            .unwrap()
            .data,
        "b"
    );
    msg!(std("c") > me);
    assert_eq!(actor::receive().data, "a");
    assert_eq!(actor::receive_timeout(LONG).unwrap().data, "c");
}

#[actor::test]
fn sending_never_blocks_and_is_silent_to_the_dead() {
    let me = actor::pid();
    // A process that never reads its mailbox.
    let sink = actor::spawn(|_inbox: Inbox| std::future::pending::<()>()).unwrap();
    for i in 0..100_000 {
        msg!(std(i) > sink);
    }
    actor::kill(sink);

    let (dead, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    msg!(std("to the dead") > dead);
    msg!(std("to nobody") > "messages_nobody_has_this_name");
    msg!(std("to another node") > Pid::from_parts(0x1234_5678_9abc_4def, 1));
    // Control kinds to the dead are silent too.
    msg!(kill > dead);
    msg!(unlink > dead);
    assert!(actor::is_alive(me));
    refute_receive!(_, timeout: Duration::from_millis(50));
}

/// A process that checks, per sender, that the integers it gets come in
/// order from 0; a call answers the sender with how many it got in order
/// (or `-1` after a gap or a reordering).
fn order_checker() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        let mut next: HashMap<Pid, i64> = HashMap::new();
        loop {
            let m = inbox.recv().await;
            let n = next.entry(m.from).or_insert(0);
            if m.reference.is_some() {
                msg!(std(*n) ref m.reference > m.from);
            } else if *n >= 0 {
                *n = if m.data == *n { *n + 1 } else { -1 };
            }
        }
    })
    .unwrap()
}

#[actor::test]
fn messages_between_a_pair_arrive_in_the_order_sent() {
    const N: i64 = 20_000;
    let checker = order_checker();
    let senders: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                for i in 0..N {
                    msg!(std(i) > checker);
                }
                msg!(std("count") >> checker)
                    .timeout(LONG)
                    .wait()
                    .unwrap()
                    .data
            })
        })
        .collect();
    // And from a task process.
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |_inbox: Inbox| async move {
        for i in 0..N {
            msg!(std(i) > checker);
        }
        let n = msg!(std("count") >> checker).timeout(LONG).await;
        tx.send(n.map(|m| m.data)).unwrap();
    })
    .unwrap();
    for s in senders {
        assert_eq!(s.join().unwrap(), N);
    }
    assert_eq!(rx.recv_timeout(LONG).unwrap(), Ok(Term::from(N)));
}

/// Sender threads send numbered messages to live checkers and to victims,
/// while another thread keeps spawning and killing victims. Every checker
/// must get every message from every sender, in order; sends to killed
/// victims must neither block nor fail.
#[actor::test]
fn stress_sends_from_many_threads_while_processes_are_killed() {
    const SENDERS: usize = 6;
    const PER_TARGET: i64 = 3_000;
    let checkers: Vec<Pid> = (0..4).map(|_| order_checker()).collect();
    let victims: Arc<std::sync::Mutex<Vec<Pid>>> = Arc::new(std::sync::Mutex::new(
        (0..8).map(|_| order_checker()).collect(),
    ));
    let stop = Arc::new(AtomicBool::new(false));

    let killer = {
        let victims = victims.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut rounds = 0;
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let fresh = order_checker();
                let old = std::mem::replace(&mut victims.lock().unwrap()[i % 8], fresh);
                actor::kill(old);
                i += 1;
                rounds += 1;
                std::thread::yield_now();
            }
            rounds
        })
    };

    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let checkers = checkers.clone();
            let victims = victims.clone();
            std::thread::spawn(move || {
                for i in 0..PER_TARGET {
                    for &c in &checkers {
                        msg!(std(i) > c);
                    }
                    let v = victims.lock().unwrap()[i as usize % 8];
                    msg!(std(i) > v);
                }
                checkers
                    .iter()
                    .map(|&c| msg!(std("count") >> c).timeout(LONG).wait().map(|m| m.data))
                    .collect::<Vec<_>>()
            })
        })
        .collect();

    for s in senders {
        let counts = s.join().unwrap();
        for count in counts {
            assert_eq!(count, Ok(Term::from(PER_TARGET)));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let rounds = killer.join().unwrap();
    assert!(rounds > 0);
    for c in checkers {
        assert!(actor::is_alive(c));
        actor::kill(c);
    }
    for v in victims.lock().unwrap().iter() {
        actor::kill(*v);
    }
}

/// A receiver that keeps emptying its mailbox and parking, fed by senders
/// that pause at random: every push must wake it (no lost wake-up between
/// "the mailbox looked empty" and "parked"), or the count stalls.
#[actor::test]
fn a_parking_receiver_never_misses_a_wake_up() {
    const SENDERS: u64 = 4;
    const EACH: u64 = 20_000;
    let me = actor::pid();
    let counter = actor::spawn(move |mut inbox: Inbox| async move {
        let mut seen = 0;
        while seen < SENDERS * EACH {
            inbox.recv().await;
            seen += 1;
        }
        msg!(std(seen) > me);
    })
    .unwrap();
    // Some senders are threads, some are processes on the runtime.
    let threads: Vec<_> = (0..SENDERS / 2)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..EACH {
                    msg!(info(i) > counter);
                    if (i * 7 + t) % 97 == 0 {
                        std::thread::yield_now();
                    }
                }
            })
        })
        .collect();
    for t in 0..SENDERS / 2 {
        actor::spawn(move |_inbox: Inbox| async move {
            for i in 0..EACH {
                msg!(info(i) > counter);
                if (i * 13 + t) % 89 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
        .unwrap();
    }
    for t in threads {
        t.join().unwrap();
    }
    let done = actor::receive_timeout(LONG).expect("the receiver stalled: a lost wake-up");
    assert_eq!(done.data, SENDERS * EACH);
}

/// Calls park the caller and the callee once per round trip; many rounds
/// between several pairs at once must all complete.
#[actor::test]
fn many_round_trips_between_many_pairs_all_complete() {
    let me = actor::pid();
    for _ in 0..4 {
        let echo = actor::spawn("EchoActor").unwrap();
        actor::spawn(move |_inbox: Inbox| async move {
            for i in 0..5_000i64 {
                let reply = msg!(std(i) >> echo).await.unwrap();
                assert_eq!(reply.data, i);
            }
            msg!(std("done") > me);
        })
        .unwrap();
    }
    for _ in 0..4 {
        assert_receive!(Message { data, .. } if *data == "done", timeout: LONG);
    }
}
