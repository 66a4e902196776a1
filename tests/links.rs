//! Links and exit signals: symmetry, the exit reasons, `kill`, `normal`,
//! trapping, links to dead pids, panics, and a 10 000-process link test.

use std::collections::HashSet;
use std::time::Duration;

use actor::prelude::*;

mod common;
use common::{isolated, LONG};

/// The first message from `pid`.
#[track_caller]
fn recv_from(pid: Pid) -> Message {
    assert_receive!(Message { from, .. } if *from == pid, timeout: LONG)
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

#[actor::test]
fn links_are_symmetric() {
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

#[actor::test]
fn a_linked_process_that_does_not_trap_dies_with_the_same_reason() {
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
}

#[actor::test]
fn kill_cannot_be_trapped() {
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
}

#[actor::test]
fn a_linked_process_killed_sends_killed_not_kill() {
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
}

#[actor::test]
fn a_normal_exit_kills_nobody() {
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
}

#[actor::test]
fn linking_to_a_dead_pid_gives_noproc() {
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
}

#[actor::test]
fn unlink_stops_the_signal() {
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
    refute_receive!(_, timeout: Duration::from_millis(50));

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
    refute_receive!(_, timeout: Duration::from_millis(50));
}

#[actor::test]
fn a_panic_ends_only_that_process() {
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
}

/// 100 link sets of 100 processes, each set a chain of links; one process in
/// one set panics: exactly its set dies, with the panic's reason, and every
/// other process lives on.
#[actor::test]
fn ten_thousand_linked_processes_one_panic_takes_down_exactly_its_link_set() {
    const SETS: usize = 100;
    const PER_SET: usize = 100;
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
        assert_receive!(Message { data, .. } if *data == "linked", timeout: LONG);
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
        let down = assert_receive!(Message { kind: Kind::Down, .. }, timeout: LONG);
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
    // before its monitors): nobody else dies, and nothing else came.
    refute_receive!(_, timeout: Duration::from_millis(100));
    for (i, set) in sets.iter().enumerate() {
        for &p in set {
            assert_eq!(actor::is_alive(p), i != 37, "{p:?} in set {i}");
        }
    }
    // Spot-check that the others still work (`#[actor::test]` kills them
    // all at the end).
    for set in sets.iter().step_by(10) {
        assert!(answers(set[0]));
    }
}

/// An actor that traps exits (it has a `death` handler) and tells
/// `observer` of each `death` (`{death: from, reason}`) and of its `stop`
/// (`{stopped: reason}`); `std {link: pid}` links it to `pid`.
struct Trapping {
    observer: Pid,
}

#[actor]
impl Trapping {
    /// `spawn_with_args("Trapping", observer)`.
    fn init(args: Term) -> Self {
        Trapping {
            observer: args.as_pid().expect("a Trapping's observer"),
        }
    }

    fn std(&mut self, data: Term) -> bool {
        data["link"].as_pid().map(actor::link).is_some()
    }

    fn death(&mut self, from: Pid, data: Term) {
        msg!(
            info {
                death: from,
                reason: data["reason"].clone()
            } > self.observer
        );
    }

    fn stop(&mut self, reason: Term) {
        msg!(info { stopped: reason } > self.observer);
    }
}

// issue 9, item 6 (c)
#[actor::test]
fn a_trapping_actor_stops_with_its_parents_exit_reason_and_hears_others_as_death() {
    // OTP: a gen_server that traps exits terminates with the reason of an
    // exit signal from its parent (the process that spawned it linked), and
    // gets every other one as an `'EXIT'` message.
    let me = actor::pid();
    let parent = actor::spawn(move |_inbox: Inbox| async move {
        let child = actor::spawn_link(Trapping { observer: me }).unwrap();
        msg!(info { child: child } > me);
        std::future::pending::<()>().await;
    })
    .unwrap();
    let child = recv_from(parent).data["child"].as_pid().unwrap();
    let r = actor::monitor(child);

    // Another linked process's exit is a Death message.
    let other = server();
    let linked = msg!(std { link: other } >> child).timeout(LONG).wait();
    assert_eq!(linked.unwrap().data, true);
    actor::exit(other, "other");
    let m = recv_from(child);
    assert_eq!(
        (m.data["death"].clone(), m.data["reason"].clone()),
        (other.into(), "other".into()),
        "{m:?}"
    );
    assert!(answers(child));

    // The parent's exit stops it, through its stop, with that reason.
    actor::exit(parent, "boom");
    let m = recv_from(child);
    assert_eq!(
        m.data["stopped"], "boom",
        "the parent's exit did not stop the child: {m:?}"
    );
    let down = recv_from(child);
    assert_eq!(
        (down.reference, reason(&down).clone()),
        (Some(r), "boom".into())
    );
}

/// A raw process that exits with the reason it is sent, through
/// `exit_self` (Erlang's `exit(Reason)`).
fn exits_when_told() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        actor::exit_self(m.data);
        std::future::pending::<()>().await;
    })
    .unwrap()
}

/// An actor that exits with the reason it is sent, through `exit_self`.
#[derive(Default)]
struct ExitsWhenTold;

#[actor]
impl ExitsWhenTold {
    fn std(&mut self, reason: Term) {
        actor::exit_self(reason);
    }
}

// issue 9, item 7
#[actor::test]
fn an_exit_with_reason_kill_reaches_links_as_an_ordinary_signal() {
    // Erlang: `exit(kill)` ends a process with reason `kill`, and its links
    // get an exit signal with reason `kill`, which is trapped (or kills with
    // reason `kill`) like any other. Only `exit(Pid, kill)` is untrappable.
    let me = actor::pid();
    for raw in [true, false] {
        let who = if raw { "a raw process" } else { "an actor" };
        let spawn = || {
            if raw {
                exits_when_told()
            } else {
                actor::spawn(ExitsWhenTold).unwrap()
            }
        };
        let dying = spawn();
        let r = actor::monitor(dying);
        let t = trapper(me, Some(dying));
        let rt = actor::monitor(t);
        let (plain, rp) = actor::spawn_monitor(move |_inbox: Inbox| async move {
            actor::link(dying);
            msg!(info("linked") > me);
            std::future::pending::<()>().await;
        })
        .unwrap();
        assert_eq!(recv_from(plain).data, "linked");

        msg!(std(Term::atom("kill")) > dying);
        let down = recv_from(dying);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(r), Term::atom("kill")),
            "{who}'s own exit reason"
        );
        let m = actor::receive_match_timeout(|m| m.from == t || m.reference == Some(rt), LONG)
            .expect("the trapping process heard nothing");
        assert_eq!(
            (m.kind, m.data["reason"].clone()),
            (Kind::Info, Term::atom("kill")),
            "a trapping process linked to {who}: {m:?}"
        );
        let down = recv_from(plain);
        assert_eq!(
            (down.reference, reason(&down).clone()),
            (Some(rp), Term::atom("kill")),
            "a process linked to {who} that does not trap"
        );
        assert!(actor::is_alive(t), "the trapping process survives");
        actor::kill(t);
        assert_eq!(recv_from(t).reference, Some(rt));
    }
}

/// A process that answers calls with their data, waiting for them in a
/// blocking `actor::receive()` rather than an await; does not trap exits.
fn blocking_server() -> Pid {
    actor::spawn(|_inbox: Inbox| async move {
        loop {
            let m = actor::receive();
            actor::reply(&m, m.data.clone());
        }
    })
    .unwrap()
}

/// When the racing process of an [`unlink_race`] unlinks.
#[derive(Clone, Copy)]
enum Unlink {
    /// After this much synchronous work (no await, no receive) following
    /// the exit signal it sent.
    After(Duration),
    /// Once the other side is dead and its exit signal has had time to
    /// arrive (still without waiting for messages).
    OnceItDied,
}

/// One round of the unlink race, observed from the calling process: `q`
/// links to a server `p` (one that blocks in `receive()`, so its exit runs
/// beside `q`, or one that awaits), sends it an exit signal and unlinks
/// (`when`). Returns how `q` ended when killed afterwards: `killed`, unless
/// `p`'s exit reached it through the link it had removed (then `{exit,
/// boom}`: a call to it failed).
fn unlink_race(blocking: bool, when: Unlink) -> Term {
    let me = actor::pid();
    let p = if blocking {
        blocking_server()
    } else {
        server()
    };
    let rp = actor::monitor(p);
    // Waiting for its next message from here on.
    assert!(answers(p));
    let (q, rq) = actor::spawn_monitor(move |mut inbox: Inbox| async move {
        actor::link(p);
        actor::exit(p, "boom");
        let spin = |until: std::time::Instant, done: &dyn Fn() -> bool| {
            while std::time::Instant::now() < until && !done() {
                std::hint::spin_loop();
            }
        };
        let now = std::time::Instant::now();
        match when {
            Unlink::After(gap) => spin(now + gap, &|| false),
            Unlink::OnceItDied => {
                // Bounded: a runtime may run `p` only once `q` yields.
                spin(now + Duration::from_millis(100), &|| !actor::is_alive(p));
                spin(
                    std::time::Instant::now() + Duration::from_millis(1),
                    &|| false,
                );
            }
        }
        actor::unlink(p);
        msg!(info("unlinked") > me);
        loop {
            let m = inbox.recv().await;
            // A pending exit signal is acted on at an await, if at all.
            tokio::task::yield_now().await;
            actor::reply(&m, m.data.clone());
        }
    })
    .unwrap();
    let down = assert_receive!(Message { reference, .. } if *reference == Some(rp), timeout: LONG);
    assert_eq!(down.data["reason"], "boom");
    // Give a signal in flight every chance to land before the kill.
    let _ = actor::receive_match_timeout(|m| m.from == q && m.kind == Kind::Info, LONG);
    if let Err(e) = msg!(std("ping") >> q).timeout(LONG).wait() {
        return Term::from(e);
    }
    actor::kill(q);
    let down = assert_receive!(Message { reference, .. } if *reference == Some(rq), timeout: LONG);
    down.data["reason"].clone()
}

/// `rounds` unlink races: a third unlink once the other side died (the
/// signal has arrived but is not acted on yet), the others after gaps from
/// none to 1 ms, with both kinds of server. Returns a failure report, if
/// the unlinked process died of the exit in any round.
fn unlink_races(rounds: usize) -> Option<String> {
    let (mut racing, mut racing_died, mut after, mut after_died) = (0, 0, 0, 0);
    for i in 0..rounds {
        let died = |reason: Term| usize::from(reason != Term::atom("killed"));
        if i % 3 == 0 {
            after += 1;
            after_died += died(unlink_race(true, Unlink::OnceItDied));
        } else {
            racing += 1;
            let gap = Duration::from_micros(50 * (i % 21) as u64);
            racing_died += died(unlink_race(i % 2 == 0, Unlink::After(gap)));
        }
    }
    (racing_died + after_died > 0).then(|| {
        format!(
            "the unlinked process died of the exit in {racing_died} of {racing} rounds \
             that unlinked at once or after a gap, and in {after_died} of {after} that \
             unlinked once the other side had died"
        )
    })
}

// issue 9, item 8
#[actor::test]
fn after_unlink_returns_the_other_sides_exit_no_longer_matters() {
    // Erlang: once unlink(Id) has returned, the link has no effect on the
    // caller. A process acts on exit signals when it waits (an await, a
    // receive), not in the middle of synchronous code: a signal that came
    // through the link before the unlink but is acted on after it finds no
    // link and is dropped.
    if let Some(report) = unlink_races(1_000) {
        panic!("{report}");
    }
}

// issue 9, item 8 (stress)
#[test]
fn unlink_races_on_four_threads_at_once() {
    let reports: Vec<String> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4).map(|_| s.spawn(|| unlink_races(250))).collect();
        threads
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect()
    });
    assert!(reports.is_empty(), "{reports:#?}");
}

// issue 9, item 14
#[actor::test]
fn a_trapping_process_linked_to_400_000_processes_gets_every_death_in_linear_time() {
    // Quadratic bookkeeping (a scan of the link list per link or per exit)
    // takes many minutes here; linear takes seconds.
    const N: usize = 400_000;
    const BOUND: Duration = Duration::from_secs(60);
    let started = std::time::Instant::now();
    let deadline = started + BOUND;
    let mut pids = Vec::with_capacity(N);
    for i in 0..N {
        let p = actor::spawn_link(|mut inbox: Inbox| async move {
            inbox.recv().await;
        })
        .unwrap();
        pids.push(p);
        if i % 1000 == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "linking to {i} of {N} processes took over {BOUND:?}"
            );
        }
    }
    for &p in &pids {
        msg!(info("end") > p);
    }
    let mut dead = HashSet::with_capacity(N);
    while dead.len() < N {
        let m = deadline
            .checked_duration_since(std::time::Instant::now())
            .and_then(actor::receive_timeout)
            .unwrap_or_else(|| panic!("{} of {N} Death messages within {BOUND:?}", dead.len()));
        assert_eq!(m.kind, Kind::Death, "{m:?}");
        assert_eq!(*reason(&m), Term::atom("normal"), "{m:?}");
        assert!(dead.insert(m.from), "a second Death from {:?}", m.from);
    }
}

// ---- reasons written as strings (found by a stranger's test) ---------------

/// Exits itself with the `&str` it is sent.
struct Quitter;

#[actor]
impl Quitter {
    fn std(&mut self, why: String) {
        actor::exit_self(why.as_str());
    }
}

/// `"normal"`, `"kill"` and `"shutdown"` as `&str` mean Erlang's atoms: a
/// Rust user writing `exit(pid, "normal")` means `normal`, not a string
/// that kills.
#[actor::test]
fn the_special_reasons_written_as_strings_are_the_atoms() {
    // "normal" kills nobody
    let echo = actor::spawn("EchoActor").unwrap();
    actor::exit(echo, "normal");
    assert_eq!(msg!(std(1) >> echo).wait().unwrap().data, 1);
    // "kill" cannot be trapped: the process dies with `killed`
    let trapping = actor::spawn_with_args("Trapping", actor::pid()).unwrap();
    let r = actor::monitor(trapping);
    actor::exit(trapping, "kill");
    let down = assert_receive!(Message { kind: Kind::Down, reference: Some(rr), .. } if *rr == r, timeout: LONG);
    assert_eq!(down.data["reason"], Term::atom("killed"));
    refute_receive!(Message {
        kind: Kind::Info,
        ..
    });
    // "shutdown" from exit_self is the atom a supervisor reads
    let quitter = actor::spawn(Quitter).unwrap();
    let r = actor::monitor(quitter);
    msg!(std("shutdown") > quitter);
    let down = assert_receive!(Message { kind: Kind::Down, reference: Some(rr), .. } if *rr == r, timeout: LONG);
    assert_eq!(down.data["reason"], Term::atom("shutdown"));
    assert!(down.data["reason"].is_atom("shutdown"));
    // any other string stays a string
    let echo = actor::spawn("EchoActor").unwrap();
    let r = actor::monitor(echo);
    actor::exit(echo, "bad config");
    let down = assert_receive!(Message { kind: Kind::Down, reference: Some(rr), .. } if *rr == r, timeout: LONG);
    assert_eq!(down.data["reason"], Term::from("bad config"));
}

/// A raw process that tells itself to exit and then ends exits with that
/// reason (it ended `normal`).
#[actor::test]
fn a_body_that_exits_itself_and_ends_exits_with_that_reason() {
    let (_, r) = actor::spawn_monitor(|_inbox: Inbox| async {
        actor::exit_self(Term::from("x"));
    })
    .unwrap();
    let down = assert_receive!(Message { kind: Kind::Down, reference: Some(rr), .. } if *rr == r, timeout: LONG);
    assert_eq!(down.data["reason"], Term::from("x"));
}
