//! Links and exit signals: symmetry, the exit reasons, `kill`, `normal`,
//! trapping, links to dead pids, panics, and a 10 000-process link test.

use std::collections::HashSet;
use std::time::Duration;

use actor::prelude::*;

mod common;
use common::{isolated, recv, LONG};

fn recv_from(pid: Pid) -> Message {
    actor::receive_match_timeout(|m| m.from == pid, LONG).expect("no message within 10 s")
}

fn reason(m: &Message) -> &Term {
    &m.data["reason"]
}

fn panic_reason(text: &str) -> Term {
    Term::from((Term::atom("panic"), text))
}

/// A process that answers calls with their data; does not trap exits.
fn server() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        loop {
            let m = inbox.recv().await;
            msg!(std(m.data) ref m.reference > m.from);
        }
    })
    .unwrap()
}

/// Whether `pid` is alive and answers a call.
fn answers(pid: Pid) -> bool {
    msg!(std("ping") >> pid).timeout(LONG).wait().is_ok()
}

/// A process that traps exits and reports each `Death` to `observer` as
/// `{from, reason}`; `link` first links it to that pid.
fn trapper(observer: Pid, link: Option<Pid>) -> Pid {
    let pid = actor::spawn(move |mut inbox: Inbox| async move {
        inbox.trap_exit(true);
        if let Some(p) = link {
            actor::link(p);
        }
        msg!(info("ready") > observer);
        loop {
            let m = inbox.recv().await;
            if m.kind == Kind::Death {
                msg!(
                    info {
                        from: m.from,
                        reason: m.data["reason"].clone()
                    } > observer
                );
            }
        }
    })
    .unwrap();
    assert_eq!(recv_from(pid).data, "ready");
    pid
}

#[test]
fn links_are_symmetric() {
    isolated(|| {
        let me = actor::pid();
        // b links to a: when a dies, b hears of it...
        let a = server();
        let b = trapper(me, Some(a));
        actor::exit(a, "a goes");
        let report = recv_from(b).data;
        assert_eq!(
            (report["from"].clone(), report["reason"].clone()),
            (a.into(), "a goes".into())
        );

        // ...and when the linking side dies, the linked side hears of it.
        let c = trapper(me, None);
        let d = actor::spawn(move |mut inbox: Inbox| async move {
            actor::link(c);
            inbox.recv().await;
            panic!("d panics");
        })
        .unwrap();
        msg!(std("go") > d);
        let report = recv_from(c).data;
        assert_eq!(report["from"], d);
        assert_eq!(report["reason"], panic_reason("d panics"));
    });
}

#[test]
fn a_trapping_thread_receives_every_exit_reason_as_death() {
    isolated(|| {
        let check = |pid: Pid, expected: Term| {
            let m = recv_from(pid);
            assert_eq!(m.kind, Kind::Death, "{m:?}");
            assert_eq!(*reason(&m), expected, "{m:?}");
        };

        let normal = actor::spawn_link(|mut inbox: Inbox| async move {
            inbox.recv().await;
        })
        .unwrap();
        msg!(std("end") > normal);
        check(normal, Term::atom("normal"));

        let killed = server();
        actor::link(killed);
        actor::kill(killed);
        check(killed, Term::atom("killed"));

        let shut = server();
        actor::link(shut);
        actor::exit(shut, Term::atom("shutdown"));
        check(shut, Term::atom("shutdown"));

        let custom = server();
        actor::link(custom);
        let why = Term::from((Term::atom("bad_thing"), 42, "text"));
        actor::exit(custom, why.clone());
        check(custom, why);

        let panicker = actor::spawn_link(|mut inbox: Inbox| async move {
            inbox.recv().await;
            panic!("boom");
        })
        .unwrap();
        msg!(std("go") > panicker);
        check(panicker, panic_reason("boom"));

        let (dead, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
        assert_eq!(recv_from(dead).reference, Some(r));
        actor::link(dead);
        check(dead, Term::atom("noproc"));

        assert!(actor::pop_mailbox().is_none());
    });
}

#[test]
fn a_linked_process_that_does_not_trap_dies_with_the_same_reason() {
    isolated(|| {
        let me = actor::pid();
        for why in [
            Term::atom("shutdown"),
            Term::from("custom"),
            Term::from([1, 2, 3]),
        ] {
            let bystander = server();
            let b = server();
            // c links to b, d links to c: b - c - d.
            let chained = |to: Pid| {
                let (p, r) = actor::spawn_monitor(move |mut inbox: Inbox| async move {
                    actor::link(to);
                    msg!(info("linked") > me);
                    inbox.recv().await;
                })
                .unwrap();
                assert_eq!(recv_from(p).data, "linked");
                (p, r)
            };
            let (c, rc) = chained(b);
            let (d, rd) = chained(c);
            let rb = actor::monitor(b);
            actor::exit(b, why.clone());
            for (p, r) in [(b, rb), (c, rc), (d, rd)] {
                let down = recv_from(p);
                assert_eq!(
                    (down.reference, reason(&down).clone()),
                    (Some(r), why.clone())
                );
            }
            assert!(answers(bystander));
        }
    });
}

#[test]
fn kill_cannot_be_trapped() {
    isolated(|| {
        let me = actor::pid();
        let t = trapper(me, None);
        let r = actor::monitor(t);
        // Other reasons arrive as Death messages, and it lives on.
        actor::exit(t, "not fatal");
        let report = recv_from(t).data;
        assert_eq!(report["reason"], "not fatal");
        assert_eq!(report["from"], me);
        assert!(actor::is_alive(t));
        actor::kill(t);
        let down = recv_from(t);
        assert_eq!((down.kind, down.reference), (Kind::Down, Some(r)));
        assert_eq!(*reason(&down), Term::atom("killed"));

        // The seed's `kill_msg() > pid` does the same.
        let t = trapper(me, None);
        let r = actor::monitor(t);
        msg!(kill > t);
        let down = recv_from(t);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(r), Term::atom("killed"))
        );
    });
}

#[test]
fn a_linked_process_killed_sends_killed_not_kill() {
    isolated(|| {
        // Erlang: a process killed with `kill` exits `killed`, and its links
        // get `killed`, which a non-trapping process dies of (and can trap).
        let me = actor::pid();
        let victim = server();
        let t = trapper(me, Some(victim));
        let (linked, r) = actor::spawn_monitor(move |mut inbox: Inbox| async move {
            actor::link(victim);
            msg!(info("linked") > me);
            inbox.recv().await;
        })
        .unwrap();
        assert_eq!(recv_from(linked).data, "linked");
        actor::kill(victim);
        let report = recv_from(t).data;
        assert_eq!(report["reason"], Term::atom("killed"));
        let down = recv_from(linked);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(r), Term::atom("killed"))
        );
        assert!(actor::is_alive(t));
    });
}

#[test]
fn a_normal_exit_kills_nobody() {
    isolated(|| {
        let me = actor::pid();
        let survivor = server();
        let ending = actor::spawn(move |mut inbox: Inbox| async move {
            actor::link(survivor);
            msg!(info("linked") > me);
            inbox.recv().await;
        })
        .unwrap();
        assert_eq!(recv_from(ending).data, "linked");
        let r = actor::monitor(ending);
        msg!(std("end") > ending);
        let down = recv_from(ending);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(r), Term::atom("normal"))
        );
        assert!(answers(survivor));

        // `exit(pid, normal)` from another process is ignored too.
        actor::exit(survivor, Term::atom("normal"));
        assert!(answers(survivor));
        // ...but a process may end itself with it.
        let (selfish, r) = actor::spawn_monitor(|_inbox: Inbox| async {
            actor::exit(actor::pid(), Term::atom("normal"));
            std::future::pending::<()>().await;
        })
        .unwrap();
        let down = recv_from(selfish);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(r), Term::atom("normal"))
        );
    });
}

#[test]
fn linking_to_a_dead_pid_gives_noproc() {
    isolated(|| {
        let me = actor::pid();
        let (dead, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
        assert_eq!(recv_from(dead).reference, Some(r));
        // A trapping process gets a Death message.
        let t = trapper(me, Some(dead));
        let report = recv_from(t).data;
        assert_eq!(
            (report["from"].clone(), report["reason"].clone()),
            (dead.into(), Term::atom("noproc"))
        );
        // A process that does not trap dies with noproc.
        let (p, r) = actor::spawn_monitor(move |_inbox: Inbox| async move {
            actor::link(dead);
            std::future::pending::<()>().await;
        })
        .unwrap();
        let down = recv_from(p);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(r), Term::atom("noproc"))
        );
    });
}

#[test]
fn unlink_stops_the_signal() {
    isolated(|| {
        let p = server();
        actor::link(p);
        actor::unlink(p);
        let r = actor::monitor(p);
        actor::kill(p);
        let down = recv_from(p);
        assert_eq!(
            down.kind,
            Kind::Down,
            "a Death came through an unlinked link"
        );
        assert_eq!(down.reference, Some(r));
        assert!(actor::receive_timeout(Duration::from_millis(50)).is_none());

        // Unlinked from the other side too.
        let q = actor::spawn(|mut inbox: Inbox| async move {
            let m = inbox.recv().await;
            actor::unlink(m.from);
            msg!(std("unlinked") ref m.reference > m.from);
            std::future::pending::<()>().await;
        })
        .unwrap();
        actor::link(q);
        assert_eq!(
            msg!(std("unlink") >> q).timeout(LONG).wait().unwrap().data,
            "unlinked"
        );
        let r = actor::monitor(q);
        actor::kill(q);
        let down = recv_from(q);
        assert_eq!((down.kind, down.reference), (Kind::Down, Some(r)));
        assert!(actor::receive_timeout(Duration::from_millis(50)).is_none());
    });
}

#[test]
fn a_panic_ends_only_that_process() {
    isolated(|| {
        let bystanders: Vec<Pid> = (0..5).map(|_| server()).collect();
        let echo = actor::spawn("EchoActor").unwrap();
        let (p, r) = actor::spawn_monitor(|mut inbox: Inbox| async move {
            inbox.recv().await;
            panic!("only me");
        })
        .unwrap();
        msg!(std("go") > p);
        let down = recv_from(p);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(r), panic_reason("only me"))
        );
        for b in bystanders {
            assert!(answers(b));
        }
        assert_eq!(msg!(std(1) >> echo).wait().unwrap().data, 1);
        // A non-string payload has a reason too.
        let (p, _) = actor::spawn_monitor(|_inbox: Inbox| async move {
            std::panic::panic_any(17_u8);
        })
        .unwrap();
        let down = recv_from(p);
        assert_eq!(reason(&down)[0], Term::atom("panic"));
        assert!(reason(&down)[1].as_str().is_some(), "{down:?}");
    });
}

/// 100 link sets of 100 processes, each set a chain of links; one process in
/// one set panics: exactly its set dies, with the panic's reason, and every
/// other process lives on.
#[test]
fn ten_thousand_linked_processes_one_panic_takes_down_exactly_its_link_set() {
    const SETS: usize = 100;
    const PER_SET: usize = 100;
    isolated(|| {
        let me = actor::pid();
        let member = |prev: Option<Pid>| {
            actor::spawn(move |mut inbox: Inbox| async move {
                if let Some(prev) = prev {
                    actor::link(prev);
                }
                msg!(info("linked") > me);
                loop {
                    let m = inbox.recv().await;
                    if m.data == "panic" {
                        panic!("set member");
                    }
                    msg!(std(m.data) ref m.reference > m.from);
                }
            })
            .unwrap()
        };
        let mut sets: Vec<Vec<Pid>> = Vec::with_capacity(SETS);
        for _ in 0..SETS {
            let mut set = Vec::with_capacity(PER_SET);
            let mut prev = None;
            for _ in 0..PER_SET {
                let p = member(prev);
                prev = Some(p);
                set.push(p);
            }
            sets.push(set);
        }
        // Every link is in place once every member said so.
        for _ in 0..SETS * PER_SET {
            assert_eq!(recv().data, "linked");
        }
        let mut refs = HashSet::new();
        for p in sets.iter().flatten() {
            refs.insert(actor::monitor(*p));
        }
        // Panic one in the middle of set 37.
        let doomed: HashSet<Pid> = sets[37].iter().copied().collect();
        msg!(std("panic") > sets[37][PER_SET / 2]);
        let mut died = HashSet::new();
        while died.len() < PER_SET {
            let down = recv();
            assert_eq!(down.kind, Kind::Down, "{down:?}");
            assert!(refs.contains(&down.reference.unwrap()));
            assert!(
                doomed.contains(&down.from),
                "{:?} outside the set died: {down:?}",
                down.from
            );
            assert_eq!(*reason(&down), panic_reason("set member"), "{down:?}");
            assert!(died.insert(down.from));
        }
        // The exits have all been signalled (each process signals its links
        // before its monitors): nobody else dies.
        assert!(actor::receive_timeout(Duration::from_millis(100)).is_none());
        for (i, set) in sets.iter().enumerate() {
            for &p in set {
                assert_eq!(actor::is_alive(p), i != 37, "{p:?} in set {i}");
            }
        }
        // Spot-check that the others still work, then clean up.
        for set in sets.iter().step_by(10) {
            assert!(answers(set[0]));
        }
        for (i, set) in sets.iter().enumerate() {
            if i != 37 {
                actor::kill(set[0]);
            }
        }
        let mut gone = 0;
        while gone < (SETS - 1) * PER_SET {
            let down = recv();
            assert_eq!(down.kind, Kind::Down);
            gone += 1;
        }
    });
}
