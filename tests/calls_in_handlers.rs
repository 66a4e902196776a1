//! `.wait()` inside handlers never exhausts the runtime: hundreds of actors
//! blocked at once in a sync handler's `.wait()` all get their replies, and
//! the rest of the system answers meanwhile.
//!
//! A file of its own: a runtime that runs out of threads here stalls every
//! other test in the same binary.

use std::time::{Duration, Instant};

use actor::prelude::*;

mod common;
use common::LONG;

/// How many actors block at once: more than tokio's default 512 blocking
/// threads.
const BLOCKED: usize = 600;

/// Holds every call until it gets `info "release"`, then answers them all
/// (and later ones at once). Tells `observer` `"all held"` once it holds
/// `BLOCKED` calls.
fn holder(observer: Pid) -> Pid {
    actor::spawn(move |mut inbox: Inbox| async move {
        let mut held = Vec::new();
        loop {
            let m = inbox.recv().await;
            if m.reference.is_some() {
                held.push(m);
                if held.len() == BLOCKED {
                    msg!(info("all held") > observer);
                }
            } else if m.data == "release" {
                break;
            }
        }
        for m in &held {
            actor::reply(m, m.data.clone());
        }
        loop {
            let m = inbox.recv().await;
            actor::reply(&m, m.data.clone());
        }
    })
    .unwrap()
}

/// An actor whose sync `std` handler calls `server` with `.wait()` and
/// reports the outcome to `observer` as `{n, ok}`.
struct Waiter {
    server: Pid,
    observer: Pid,
}

#[actor]
impl Waiter {
    /// `spawn_with_args("Waiter", {server: Pid, observer: Pid})`.
    fn init(args: Term) -> Self {
        let pid = |key: &str| args[key].as_pid().expect("spawn a Waiter with its pids");
        Waiter {
            server: pid("server"),
            observer: pid("observer"),
        }
    }

    fn std(&mut self, n: Term) {
        let res = msg!(std(n.clone()) >> self.server)
            .timeout(Duration::from_secs(120))
            .wait();
        let ok = res.is_ok_and(|m| m.data == n);
        msg!(info { n: n, ok: ok } > self.observer);
    }
}

// issue 9, item 1
#[actor::test]
fn six_hundred_handlers_blocked_in_wait_all_succeed_and_others_answer_meanwhile() {
    let me = actor::pid();
    let server = holder(me);
    for n in 0..BLOCKED {
        let w = actor::spawn(Waiter {
            server,
            observer: me,
        })
        .unwrap();
        msg!(std(n) > w);
    }
    let all_held = actor::receive_match_timeout(|m| m.from == server, Duration::from_secs(30));
    assert!(
        all_held.is_some(),
        "the server did not get all {BLOCKED} calls within 30 s"
    );

    // Every waiter is blocked now; an unrelated spawn and call answer at
    // once (a generous bound: a stalled runtime takes many seconds).
    let started = Instant::now();
    let echo = actor::start("EchoActor").wait().unwrap();
    let reply = msg!(std("at once") >> echo).timeout(LONG).wait();
    let took = started.elapsed();
    assert_eq!(reply.unwrap().data, "at once");
    assert!(
        took < Duration::from_secs(3),
        "an unrelated spawn and call took {took:?} while {BLOCKED} handlers wait"
    );

    msg!(info("release") > server);
    for reported in 0..BLOCKED {
        let m = actor::receive_match_timeout(|m| !m.data["ok"].is_nil(), LONG * 3)
            .unwrap_or_else(|| panic!("{reported} of {BLOCKED} waiters reported within 30 s"));
        assert_eq!(m.data["ok"], true, "{m:?}");
    }
}
