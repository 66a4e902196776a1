//! OTP supervisors: strategies, restart types, intensity, backoff, shutdown
//! order, dynamic children, nested trees. Every wait is for an event (a
//! supervisor event, a Down or Death message) with a bound, never a sleep.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use actor::prelude::*;
use actor::supervisor::{
    self, Backoff, ChildSpec, ChildState, Event, Restart, Shutdown, Strategy, SupervisorError,
    SupervisorSpec,
};

const WAIT: Duration = Duration::from_secs(10);

/// A worker that tells `observer` when it starts and stops, echoes `std`
/// calls, and exits with `R` when sent `{exit: R}`.
struct Worker {
    id: String,
    observer: Pid,
}

fn note(to: Pid, what: &str, id: &str, extra: Term) {
    msg!(
        info {
            what: what,
            id: id,
            extra: extra
        } > to
    );
}

#[actor]
impl Worker {
    /// `spawn_with_args("Worker", {id: "…", observer: Pid})`.
    fn init(args: Term) -> Self {
        Worker {
            id: args["id"].as_str().expect("a Worker's id").to_owned(),
            observer: args["observer"].as_pid().expect("a Worker's observer"),
        }
    }

    fn start(&mut self) {
        note(self.observer, "started", &self.id, Term::Pid(actor::pid()));
    }

    fn std(&mut self, msg: Message) {
        if let Some(reason) = msg.data.get("exit") {
            actor::exit(actor::pid(), reason.clone());
        } else if msg.reference.is_some() {
            msg!(std(msg.data) ref msg.reference > msg.from);
        }
    }

    fn stop(&mut self, reason: Term) {
        note(self.observer, "stopped", &self.id, reason);
    }
}

fn worker(id: &'static str) -> ChildSpec {
    let observer = actor::pid();
    ChildSpec::worker_fn(id, move || Worker {
        id: id.to_owned(),
        observer,
    })
}

/// Makes `pid` exit with `reason` (through its own message handler).
fn crash(pid: Pid, reason: impl Into<Term>) {
    let reason: Term = reason.into();
    msg!(std { exit: reason } > pid);
}

/// A spec whose events arrive on a channel.
fn observed(spec: SupervisorSpec) -> (SupervisorSpec, mpsc::Receiver<(Instant, Event)>) {
    let (tx, rx) = mpsc::channel();
    let spec = spec.on_event(move |e| {
        let _ = tx.send((Instant::now(), e.clone()));
    });
    (spec, rx)
}

fn next(rx: &mpsc::Receiver<(Instant, Event)>) -> Event {
    rx.recv_timeout(WAIT).expect("a supervisor event").1
}

/// `(kind, id)` of an event, for comparing sequences.
fn tag(e: &Event) -> (&'static str, String) {
    match e {
        Event::Started {
            id, restart: false, ..
        } => ("started", id.clone()),
        Event::Started {
            id, restart: true, ..
        } => ("restarted", id.clone()),
        Event::StartFailed { id, .. } => ("start_failed", id.clone()),
        Event::Exited { id, .. } => ("exited", id.clone()),
        Event::RestartScheduled { id, .. } => ("scheduled", id.clone()),
        Event::Terminated { id, .. } => ("terminated", id.clone()),
        Event::IntensityExceeded { .. } => ("intensity", String::new()),
        Event::Shutdown { .. } => ("shutdown", String::new()),
        _ => ("other", String::new()),
    }
}

fn tags(rx: &mpsc::Receiver<(Instant, Event)>, n: usize) -> Vec<(&'static str, String)> {
    (0..n).map(|_| tag(&next(rx))).collect()
}

fn t(kind: &'static str, id: &str) -> (&'static str, String) {
    (kind, id.to_owned())
}

fn pid_of(sup: Pid, id: &str) -> Pid {
    supervisor::which_children(sup)
        .unwrap()
        .into_iter()
        .find(|c| c.id == id)
        .and_then(|c| c.pid())
        .unwrap_or_else(|| panic!("child {id} is not running"))
}

/// The next note of kind `what` (others are skipped).
fn next_note_of(what: &str) -> (String, Term) {
    let m = assert_receive!(
        Message { kind: Kind::Info, ref data, .. } if data["what"] == what,
        timeout: WAIT
    );
    (
        m.data["id"].as_str().unwrap().to_owned(),
        m.data["extra"].clone(),
    )
}

/// Throws away the notes already in the mailbox.
fn drain_notes() {
    while actor::receive_match_timeout(|m| !m.data["what"].is_nil(), Duration::ZERO).is_some() {}
}

fn three(strategy: Strategy) -> (Pid, mpsc::Receiver<(Instant, Event)>, [Pid; 3]) {
    let (spec, rx) = observed(
        SupervisorSpec::new(strategy)
            .intensity(10, Duration::from_secs(60))
            .child(worker("a"))
            .child(worker("b"))
            .child(worker("c")),
    );
    let sup = spec.start_link().unwrap();
    assert_eq!(
        tags(&rx, 3),
        [t("started", "a"), t("started", "b"), t("started", "c")]
    );
    let pids = [pid_of(sup, "a"), pid_of(sup, "b"), pid_of(sup, "c")];
    (sup, rx, pids)
}

#[actor::test]
fn one_for_one_restarts_only_the_failed_child() {
    let (sup, rx, [a, b, c]) = three(Strategy::OneForOne);
    crash(b, "boom");
    assert_eq!(
        tags(&rx, 3),
        [t("exited", "b"), t("scheduled", "b"), t("restarted", "b")]
    );
    assert_eq!(pid_of(sup, "a"), a);
    assert_ne!(pid_of(sup, "b"), b);
    assert_eq!(pid_of(sup, "c"), c);
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order() {
    let (sup, rx, [a, b, c]) = three(Strategy::OneForAll);
    crash(b, "boom");
    assert_eq!(
        tags(&rx, 7),
        [
            t("exited", "b"),
            t("terminated", "c"),
            t("terminated", "a"),
            t("scheduled", "b"),
            t("restarted", "a"),
            t("restarted", "b"),
            t("restarted", "c"),
        ]
    );
    let now = [pid_of(sup, "a"), pid_of(sup, "b"), pid_of(sup, "c")];
    for (old, new) in [a, b, c].iter().zip(&now) {
        assert_ne!(old, new);
        assert!(!actor::is_alive(*old));
    }
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    let (sup, rx, [a, b, c]) = three(Strategy::RestForOne);
    crash(b, "boom");
    assert_eq!(
        tags(&rx, 5),
        [
            t("exited", "b"),
            t("terminated", "c"),
            t("scheduled", "b"),
            t("restarted", "b"),
            t("restarted", "c"),
        ]
    );
    assert_eq!(pid_of(sup, "a"), a);
    assert_ne!(pid_of(sup, "b"), b);
    assert_ne!(pid_of(sup, "c"), c);
    // the first child's failure restarts everything after it
    crash(a, "boom");
    assert_eq!(
        tags(&rx, 7),
        [
            t("exited", "a"),
            t("terminated", "c"),
            t("terminated", "b"),
            t("scheduled", "a"),
            t("restarted", "a"),
            t("restarted", "b"),
            t("restarted", "c"),
        ]
    );
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn group_restarts_leave_terminated_children_stopped_and_drop_temporary_ones() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_all()
            .intensity(10, Duration::from_secs(60))
            .child(worker("a"))
            .child(worker("tmp").restart(Restart::Temporary))
            .child(worker("off"))
            .child(worker("d")),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 4);
    supervisor::terminate_child(sup, "off").unwrap();
    assert_eq!(tags(&rx, 1), [t("terminated", "off")]);
    crash(pid_of(sup, "d"), "boom");
    assert_eq!(
        tags(&rx, 6),
        [
            t("exited", "d"),
            t("terminated", "tmp"),
            t("terminated", "a"),
            t("scheduled", "d"),
            t("restarted", "a"),
            t("restarted", "d"),
        ]
    );
    let ids: Vec<(String, bool)> = supervisor::which_children(sup)
        .unwrap()
        .into_iter()
        .map(|c| (c.id.clone(), c.pid().is_some()))
        .collect();
    assert_eq!(
        ids,
        [
            ("a".to_owned(), true),
            ("off".to_owned(), false),
            ("d".to_owned(), true)
        ]
    );
    supervisor::stop(sup).unwrap();
}

/// What a child of `restart` type does after exiting with `reason`:
/// restarted, kept stopped, or removed.
fn after_exit(restart: Restart, reason: Term) -> &'static str {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(10, Duration::from_secs(60))
            .child(worker("w").restart(restart)),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    let w = pid_of(sup, "w");
    crash(w, reason.clone());
    match next(&rx) {
        Event::Exited {
            id,
            pid,
            reason: why,
            ..
        } => {
            assert_eq!((id.as_str(), pid), ("w", w));
            assert_eq!(why, reason);
        }
        other => panic!("unexpected {other:?}"),
    }
    // the supervisor handled the exit before it answers this
    let children = supervisor::which_children(sup).unwrap();
    let outcome = match children.as_slice() {
        [] => "removed",
        [c] if c.state == ChildState::Stopped => "stopped",
        [c] => {
            assert_eq!(tags(&rx, 2), [t("scheduled", "w"), t("restarted", "w")]);
            assert_ne!(c.pid(), Some(w));
            "restarted"
        }
        more => panic!("unexpected children {more:?}"),
    };
    supervisor::stop(sup).unwrap();
    outcome
}

#[actor::test]
fn restart_types_against_exit_reasons() {
    let normal = || Term::atom("normal");
    let shutdown = || Term::atom("shutdown");
    let shutdown_why = || Term::tuple([Term::atom("shutdown"), Term::from("why")]);
    let abnormal = || Term::from("boom");
    let killed = || Term::atom("killed");

    for reason in [normal(), shutdown(), shutdown_why(), abnormal(), killed()] {
        assert_eq!(after_exit(Restart::Permanent, reason), "restarted");
    }
    for reason in [normal(), shutdown(), shutdown_why()] {
        assert_eq!(after_exit(Restart::Transient, reason), "stopped");
    }
    for reason in [abnormal(), killed()] {
        assert_eq!(after_exit(Restart::Transient, reason), "restarted");
    }
    for reason in [normal(), shutdown(), abnormal(), killed()] {
        assert_eq!(after_exit(Restart::Temporary, reason), "removed");
    }
}

#[actor::test]
fn exceeding_the_intensity_stops_the_children_and_exits_with_shutdown() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(2, Duration::from_secs(60))
            .child(worker("a"))
            .child(worker("b")),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 2);
    let a = pid_of(sup, "a");
    for _ in 0..2 {
        crash(pid_of(sup, "b"), "boom");
        assert_eq!(
            tags(&rx, 3),
            [t("exited", "b"), t("scheduled", "b"), t("restarted", "b")]
        );
    }
    crash(pid_of(sup, "b"), "boom");
    assert_eq!(
        tags(&rx, 4),
        [
            t("exited", "b"),
            t("intensity", ""),
            t("terminated", "a"),
            t("shutdown", ""),
        ]
    );
    // the linked test process (its parent) hears `shutdown`
    let death =
        assert_receive!(Message { kind: Kind::Death, from, .. } if *from == sup, timeout: WAIT);
    assert_eq!(death.data["reason"], "shutdown");
    assert!(!actor::is_alive(a));
}

#[actor::test]
fn restarts_older_than_the_period_are_forgotten() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(1, Duration::from_millis(50))
            .child(worker("w")),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    for _ in 0..3 {
        assert!(rx.try_recv().is_err(), "no events between crashes");
        let first = Instant::now();
        crash(pid_of(sup, "w"), "boom");
        assert_eq!(
            tags(&rx, 3),
            [t("exited", "w"), t("scheduled", "w"), t("restarted", "w")]
        );
        // let the period pass (a supervisor-independent wait: its only
        // effect is that the previous restart is forgotten)
        while first.elapsed() <= Duration::from_millis(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    assert!(actor::is_alive(sup));
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn an_exceeded_intensity_escalates_to_the_parent_supervisor() {
    let (sub, sub_rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(1, Duration::from_secs(60))
            .child(worker("w")),
    );
    let (root, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(5, Duration::from_secs(60))
            .child(worker("sibling"))
            .child(ChildSpec::supervisor("sub", sub)),
    );
    let root = root.start_link().unwrap();
    assert_eq!(tags(&rx, 2), [t("started", "sibling"), t("started", "sub")]);
    assert_eq!(tags(&sub_rx, 1), [t("started", "w")]);
    let sibling = pid_of(root, "sibling");
    let sub1 = pid_of(root, "sub");

    crash(pid_of(sub1, "w"), "boom");
    assert_eq!(
        tags(&sub_rx, 3),
        [t("exited", "w"), t("scheduled", "w"), t("restarted", "w")]
    );
    crash(pid_of(sub1, "w"), "boom");
    assert_eq!(
        tags(&sub_rx, 3),
        [t("exited", "w"), t("intensity", ""), t("shutdown", "")]
    );
    // the parent sees its child supervisor exit with `shutdown`, and
    // restarts it (a permanent child) with a fresh tree
    match next(&rx) {
        Event::Exited {
            id, pid, reason, ..
        } => {
            assert_eq!((id.as_str(), pid), ("sub", sub1));
            assert_eq!(reason, "shutdown");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(tags(&rx, 2), [t("scheduled", "sub"), t("restarted", "sub")]);
    assert_eq!(tags(&sub_rx, 1), [t("started", "w")]);
    let sub2 = pid_of(root, "sub");
    assert_ne!(sub2, sub1);
    assert_eq!(pid_of(root, "sibling"), sibling);
    assert!(actor::is_alive(pid_of(sub2, "w")));
    supervisor::stop(root).unwrap();
}

#[actor::test]
fn backoff_delays_grow_exponentially_to_the_cap() {
    let min = Duration::from_millis(20);
    let max = Duration::from_millis(80);
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(100, Duration::from_secs(60))
            .backoff(Backoff::exponential(min, max))
            .child(worker("w")),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    let expected = [20, 40, 80, 80].map(Duration::from_millis);
    for (n, want) in expected.into_iter().enumerate() {
        let w = pid_of(sup, "w");
        crash(w, "boom");
        assert_eq!(tag(&next(&rx)), t("exited", "w"));
        let (scheduled_at, e) = rx.recv_timeout(WAIT).unwrap();
        match e {
            Event::RestartScheduled { attempt, delay, .. } => {
                assert_eq!(attempt as usize, n + 1);
                assert_eq!(delay, want);
            }
            other => panic!("unexpected {other:?}"),
        }
        // while it waits, the child shows as restarting
        let state = supervisor::which_children(sup).unwrap()[0].state;
        assert!(
            matches!(state, ChildState::Restarting | ChildState::Running(_)),
            "{state:?}"
        );
        let (started_at, e) = rx.recv_timeout(WAIT).unwrap();
        assert_eq!(tag(&e), t("restarted", "w"));
        // the timer never fires early (both instants taken in the
        // supervisor's process, at its events)
        assert!(started_at.duration_since(scheduled_at) >= want);
    }
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn backoff_jitter_stays_within_its_band() {
    let base = Duration::from_millis(10);
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(100, Duration::from_secs(60))
            .backoff(Backoff::exponential(base, Duration::from_millis(40)).jitter(0.5))
            .child(worker("w")),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    for n in 0..4u32 {
        crash(pid_of(sup, "w"), "boom");
        assert_eq!(tag(&next(&rx)), t("exited", "w"));
        match next(&rx) {
            Event::RestartScheduled { delay, .. } => {
                let nominal = (base * 2u32.pow(n)).min(Duration::from_millis(40));
                assert!(delay >= nominal / 2, "{delay:?} < {nominal:?}/2");
                assert!(
                    delay <= Duration::from_millis(40),
                    "{delay:?} above the cap"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(tag(&next(&rx)), t("restarted", "w"));
    }
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn a_terminate_during_backoff_cancels_the_restart() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(100, Duration::from_secs(60))
            .backoff(Backoff::exponential(
                Duration::from_secs(3600),
                Duration::from_secs(3600),
            ))
            .child(worker("w")),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    crash(pid_of(sup, "w"), "boom");
    assert_eq!(tags(&rx, 2), [t("exited", "w"), t("scheduled", "w")]);
    assert_eq!(
        supervisor::which_children(sup).unwrap()[0].state,
        ChildState::Restarting
    );
    assert_eq!(
        supervisor::restart_child(sup, "w"),
        Err(SupervisorError::Restarting)
    );
    supervisor::terminate_child(sup, "w").unwrap();
    assert_eq!(
        supervisor::which_children(sup).unwrap()[0].state,
        ChildState::Stopped
    );
    let w = supervisor::restart_child(sup, "w").unwrap();
    assert!(actor::is_alive(w));
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn shutdown_stops_children_in_reverse_start_order_running_their_stop() {
    let sup = SupervisorSpec::one_for_one()
        .child(worker("first"))
        .child(worker("second"))
        .child(worker("third"))
        .start_link()
        .unwrap();
    // (starts run concurrently: their notes come in any order)
    let mut started: Vec<String> = (0..3).map(|_| next_note_of("started").0).collect();
    started.sort();
    assert_eq!(started, ["first", "second", "third"]);
    supervisor::stop(sup).unwrap();
    // each stop finishes before the next child is told to stop
    for id in ["third", "second", "first"] {
        let (who, reason) = next_note_of("stopped");
        assert_eq!(who, id);
        assert_eq!(reason, "shutdown");
    }
}

#[actor::test]
fn shutdown_kills_a_child_that_outlives_its_timeout_and_brutal_kill_skips_stop() {
    let observer = actor::pid();
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .child(worker("polite").shutdown(Shutdown::BrutalKill))
            .child(
                // traps exits and ignores them: only a kill stops it
                ChildSpec::worker_fn("stubborn", move || {
                    move |mut inbox: Inbox| async move {
                        inbox.trap_exit(true);
                        note(observer, "started", "stubborn", Term::Nil);
                        loop {
                            inbox.recv().await;
                        }
                    }
                })
                .shutdown(Shutdown::Timeout(Duration::from_millis(50))),
            ),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 2);
    let mut started = [next_note_of("started").0, next_note_of("started").0];
    started.sort();
    assert_eq!(started, ["polite", "stubborn"]);
    supervisor::stop(sup).unwrap();
    let mut terminated = Vec::new();
    for _ in 0..2 {
        match next(&rx) {
            Event::Terminated { id, reason, .. } => terminated.push((id, reason)),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        terminated,
        [
            ("stubborn".to_owned(), Term::atom("killed")),
            ("polite".to_owned(), Term::atom("killed")),
        ]
    );
    // the brutally killed worker's stop never ran
    refute_receive!(
        Message { kind: Kind::Info, ref data, .. } if data["what"] == "stopped",
        timeout: Duration::from_millis(50)
    );
}

#[actor::test]
fn dynamic_children() {
    let sup = SupervisorSpec::rest_for_one()
        .intensity(5, Duration::from_secs(60))
        .start_link()
        .unwrap();
    assert!(supervisor::which_children(sup).unwrap().is_empty());
    let a = supervisor::start_child(sup, worker("a")).unwrap();
    let b = supervisor::start_child(sup, worker("b")).unwrap();
    assert_eq!(
        supervisor::start_child(sup, worker("a")),
        Err(SupervisorError::AlreadyStarted(a))
    );
    let children = supervisor::which_children(sup).unwrap();
    assert_eq!(
        children.iter().map(|c| c.pid()).collect::<Vec<_>>(),
        [Some(a), Some(b)]
    );
    let count = supervisor::count_children(sup).unwrap();
    assert_eq!((count.specs, count.active, count.workers), (2, 2, 2));

    // dynamic children follow the strategy too: `a` restarts `b`
    crash(a, "boom");
    let deadline = Instant::now() + WAIT;
    while supervisor::which_children(sup)
        .unwrap()
        .iter()
        .any(|c| c.pid() == Some(a) || c.pid() == Some(b) || c.pid().is_none())
    {
        assert!(Instant::now() < deadline);
        std::thread::yield_now();
    }

    assert_eq!(
        supervisor::delete_child(sup, "a"),
        Err(SupervisorError::Running)
    );
    supervisor::terminate_child(sup, "a").unwrap();
    assert_eq!(
        supervisor::start_child(sup, worker("a")),
        Err(SupervisorError::AlreadyPresent)
    );
    let count = supervisor::count_children(sup).unwrap();
    assert_eq!((count.specs, count.active), (2, 1));
    supervisor::delete_child(sup, "a").unwrap();
    assert_eq!(
        supervisor::delete_child(sup, "a"),
        Err(SupervisorError::NotFound)
    );
    assert_eq!(
        supervisor::restart_child(sup, "a"),
        Err(SupervisorError::NotFound)
    );
    assert_eq!(
        supervisor::start_child(sup, Term::Nil),
        Err(SupervisorError::WrongStrategy)
    );
    let e = supervisor::start_child(sup, ChildSpec::worker("bad", "NoSuchActor")).unwrap_err();
    assert!(matches!(e, SupervisorError::StartFailed(_)), "{e:?}");
    assert_eq!(supervisor::count_children(sup).unwrap().specs, 1);
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn a_simple_one_for_one_pool() {
    let template = ChildSpec::worker_with_args("adder", |args: Term| {
        let n = args.as_int().unwrap_or(0);
        move |mut inbox: Inbox| async move {
            loop {
                let m = inbox.recv().await;
                if m.data["crash"] == true {
                    panic!("asked to crash");
                }
                let x = m.data.as_int().unwrap_or(0);
                msg!(std(x + n) ref m.reference > m.from);
            }
        }
    })
    .restart(Restart::Transient);
    let (spec, rx) = observed(
        SupervisorSpec::simple_one_for_one(template).intensity(10, Duration::from_secs(60)),
    );
    let pool = spec.start_link().unwrap();
    let add = |pid: Pid, x: i64| msg!(std(x) >> pid).wait().unwrap().data.as_int().unwrap();
    let workers: Vec<Pid> = (1..=3)
        .map(|n| supervisor::start_child(pool, Term::from(n)).unwrap())
        .collect();
    assert_eq!(
        tags(&rx, 3),
        [
            t("started", "adder"),
            t("started", "adder"),
            t("started", "adder")
        ]
    );
    assert_eq!(add(workers[1], 10), 12);
    assert_eq!(supervisor::count_children(pool).unwrap().active, 3);

    // a crash restarts that child, with its own arguments
    msg!(std { crash: true } > workers[1]);
    assert_eq!(
        tags(&rx, 3),
        [
            t("exited", "adder"),
            t("scheduled", "adder"),
            t("restarted", "adder")
        ]
    );
    let children = supervisor::which_children(pool).unwrap();
    let pids: Vec<Pid> = children.iter().filter_map(|c| c.pid()).collect();
    assert_eq!(pids.len(), 3);
    assert_eq!((pids[0], pids[2]), (workers[0], workers[2]));
    assert_eq!(add(pids[1], 10), 12);

    // terminate by pid removes; ids and specs do not apply to a pool
    supervisor::terminate_child(pool, workers[0]).unwrap();
    assert_eq!(supervisor::count_children(pool).unwrap().specs, 2);
    assert_eq!(
        supervisor::terminate_child(pool, workers[0]),
        Err(SupervisorError::NotFound)
    );
    assert_eq!(
        supervisor::start_child(pool, worker("x")),
        Err(SupervisorError::WrongStrategy)
    );
    assert_eq!(
        supervisor::delete_child(pool, "adder"),
        Err(SupervisorError::WrongStrategy)
    );
    supervisor::stop(pool).unwrap();
}

#[actor::test]
fn a_tree_three_levels_deep() {
    let leaf = SupervisorSpec::one_for_all()
        .intensity(5, Duration::from_secs(60))
        .child(worker("l1"))
        .child(worker("l2"));
    let (leaf, leaf_rx) = observed(leaf);
    let middle = SupervisorSpec::one_for_one()
        .intensity(5, Duration::from_secs(60))
        .child(worker("m1"))
        .child(ChildSpec::supervisor("leaf", leaf));
    let root = SupervisorSpec::one_for_one()
        .intensity(5, Duration::from_secs(60))
        .child(worker("r1"))
        .child(ChildSpec::supervisor("middle", middle))
        .start_link()
        .unwrap();
    tags(&leaf_rx, 2);
    let middle = pid_of(root, "middle");
    let leaf = pid_of(middle, "leaf");
    let everyone = [
        pid_of(root, "r1"),
        middle,
        pid_of(middle, "m1"),
        leaf,
        pid_of(leaf, "l1"),
        pid_of(leaf, "l2"),
    ];
    assert!(everyone.iter().all(|&p| actor::is_alive(p)));

    // a crash at the bottom is handled at the bottom
    crash(pid_of(leaf, "l2"), "boom");
    assert_eq!(
        tags(&leaf_rx, 5),
        [
            t("exited", "l2"),
            t("terminated", "l1"),
            t("scheduled", "l2"),
            t("restarted", "l1"),
            t("restarted", "l2"),
        ]
    );
    assert_eq!(pid_of(root, "middle"), middle);
    assert_eq!(pid_of(middle, "leaf"), leaf);

    // stopping the root stops the whole tree, bottom-up within each level
    let everyone: Vec<Pid> = [
        pid_of(root, "r1"),
        middle,
        pid_of(middle, "m1"),
        leaf,
        pid_of(leaf, "l1"),
        pid_of(leaf, "l2"),
    ]
    .into();
    let monitors: Vec<Ref> = everyone.iter().map(|&p| actor::monitor(p)).collect();
    // the restart's notes were sent before the events above
    drain_notes();
    supervisor::stop(root).unwrap();
    for (&p, &r) in everyone.iter().zip(&monitors) {
        let m = assert_receive!(Message { reference, .. } if *reference == Some(r), timeout: WAIT);
        assert_eq!(m.from, p);
        assert_eq!(m.data["reason"], "shutdown");
    }
    // the leaf's workers, then the leaf, then middle's worker, then middle,
    // then the root's worker: each stop note arrives in that order
    let mut stopped = Vec::new();
    while let Some(m) = actor::receive_match_timeout(
        |m| m.kind == Kind::Info && m.data["what"] == "stopped",
        Duration::from_millis(200),
    ) {
        stopped.push(m.data["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(stopped, ["l2", "l1", "m1", "r1"]);
}

#[actor::test]
fn a_child_that_fails_to_start_fails_the_start_and_stops_the_others() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .child(worker("ok"))
            .child(ChildSpec::worker("bad", "NoSuchActor")),
    );
    let err = spec.start_link().unwrap_err();
    let SupervisorError::StartFailed(reason) = &err else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(reason[0], "shutdown");
    assert_eq!(reason[1][0], "failed_to_start_child");
    assert_eq!(reason[1][1], "bad");
    assert_eq!(
        tags(&rx, 3),
        [
            t("started", "ok"),
            t("start_failed", "bad"),
            t("terminated", "ok")
        ]
    );
    // children start with `start_link`: `ok` had run `start`, so it ran
    // `stop` too
    assert_eq!(
        next_note_of("stopped"),
        ("ok".to_owned(), Term::atom("shutdown"))
    );
}

#[actor::test]
fn bad_specs_are_refused() {
    assert!(matches!(
        SupervisorSpec::one_for_one()
            .child(worker("x"))
            .child(worker("x"))
            .start_link(),
        Err(SupervisorError::BadSpec(_))
    ));
    assert!(matches!(
        SupervisorSpec::new(Strategy::SimpleOneForOne).start_link(),
        Err(SupervisorError::BadSpec(_))
    ));
}

#[actor::test]
fn a_named_supervisor_and_its_parent_exit() {
    let parent = actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        let sup = SupervisorSpec::one_for_one()
            .name("named_sup_test")
            .child(ChildSpec::worker("echo", "EchoActor"))
            .start_link()
            .unwrap();
        msg!(std(sup) ref m.reference > m.from);
        // wait to be told to crash
        inbox.recv().await;
        panic!("the parent crashes");
    })
    .unwrap();
    let sup = msg!(std(Term::Nil) >> parent)
        .wait()
        .unwrap()
        .data
        .as_pid()
        .unwrap();
    assert_eq!(actor::whereis("named_sup_test"), Some(sup));
    assert!(matches!(
        SupervisorSpec::one_for_one().name("named_sup_test").start(),
        Err(SupervisorError::StartFailed(_))
    ));
    let echo = pid_of(sup, "echo");
    let r = actor::monitor(sup);
    let e = actor::monitor(echo);
    msg!(info(Term::Nil) > parent);
    // the supervisor exits with its parent's reason, after stopping its child
    let m = assert_receive!(Message { reference, .. } if *reference == Some(e), timeout: WAIT);
    assert_eq!(m.data["reason"], "shutdown");
    let m = assert_receive!(Message { reference, .. } if *reference == Some(r), timeout: WAIT);
    assert_eq!(m.data["reason"][0], "panic");
    assert_eq!(actor::whereis("named_sup_test"), None);
}

/// A child whose starts succeed or fail as `plan` says, in turn (then succeed).
fn flaky(plan: &'static [bool]) -> ChildSpec {
    let starts = std::sync::atomic::AtomicUsize::new(0);
    ChildSpec::worker_fn("flaky", move || {
        let n = starts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if plan.get(n).copied().unwrap_or(true) {
            "EchoActor".to_owned()
        } else {
            "NoSuchActor".to_owned()
        }
    })
}

#[actor::test]
fn a_failed_restart_is_retried_and_counts_as_a_restart() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(5, Duration::from_secs(60))
            .child(flaky(&[true, false, false, true])),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    actor::kill(pid_of(sup, "flaky"));
    assert_eq!(
        tags(&rx, 7),
        [
            t("exited", "flaky"),
            t("scheduled", "flaky"),
            t("start_failed", "flaky"),
            t("scheduled", "flaky"),
            t("start_failed", "flaky"),
            t("scheduled", "flaky"),
            t("restarted", "flaky"),
        ]
    );
    assert!(actor::is_alive(pid_of(sup, "flaky")));
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn failing_restarts_exhaust_the_intensity() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(3, Duration::from_secs(60))
            .child(flaky(&[true, false, false, false, false])),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    let r = actor::monitor(sup);
    actor::kill(pid_of(sup, "flaky"));
    assert_eq!(
        tags(&rx, 9),
        [
            t("exited", "flaky"),
            t("scheduled", "flaky"),
            t("start_failed", "flaky"),
            t("scheduled", "flaky"),
            t("start_failed", "flaky"),
            t("scheduled", "flaky"),
            t("start_failed", "flaky"),
            t("intensity", ""),
            t("shutdown", ""),
        ]
    );
    let down = assert_receive!(Message { reference, .. } if *reference == Some(r), timeout: WAIT);
    assert_eq!(down.data["reason"], "shutdown");
}

/// An actor whose `start` fails with `no_config` when `refuse` says so
/// (telling `observer` of every attempt), and that else works as an echo.
struct Picky {
    id: String,
    observer: Pid,
    refuse: bool,
}

#[actor]
impl Picky {
    fn init(args: Term) -> Self {
        Picky {
            id: args["id"].as_str().unwrap_or("picky").to_owned(),
            observer: args["observer"].as_pid().expect("a Picky's observer"),
            refuse: args["refuse"] == true,
        }
    }

    fn start(&mut self) -> Result<(), Term> {
        note(
            self.observer,
            "start_attempt",
            &self.id,
            Term::from(self.refuse),
        );
        if self.refuse {
            Err(Term::atom("no_config"))
        } else {
            Ok(())
        }
    }

    fn std(&mut self, data: Term) -> Term {
        data
    }
}

/// A child whose every start fails.
fn refuser(id: &'static str) -> ChildSpec {
    let observer = actor::pid();
    ChildSpec::worker_fn(id, move || Picky {
        id: id.to_owned(),
        observer,
        refuse: true,
    })
}

/// `{shutdown, {failed_to_start_child, Id, Reason}}`.
fn failed_to_start(id: &str, reason: Term) -> Term {
    Term::tuple([
        Term::atom("shutdown"),
        Term::tuple([Term::atom("failed_to_start_child"), Term::from(id), reason]),
    ])
}

/// How many start attempts were noted (waiting briefly for late ones).
fn start_attempts(id: &str) -> usize {
    let mut n = 0;
    while actor::receive_match_timeout(
        |m| m.data["what"] == "start_attempt" && m.data["id"] == id,
        Duration::from_millis(50),
    )
    .is_some()
    {
        n += 1;
    }
    n
}

#[actor::test]
fn a_child_whose_start_fails_fails_the_start_and_is_never_restarted() {
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(10, Duration::from_secs(60))
            .child(worker("ok"))
            .child(refuser("bad"))
            .child(worker("never")),
    );
    let err = spec.start_link().unwrap_err();
    assert_eq!(
        err,
        SupervisorError::StartFailed(failed_to_start("bad", Term::atom("no_config")))
    );
    let events: Vec<Event> = (0..3).map(|_| next(&rx)).collect();
    assert_eq!(
        events.iter().map(tag).collect::<Vec<_>>(),
        [
            t("started", "ok"),
            t("start_failed", "bad"),
            t("terminated", "ok")
        ]
    );
    match &events[1] {
        Event::StartFailed { reason, .. } => assert_eq!(reason, &Term::atom("no_config")),
        other => panic!("unexpected {other:?}"),
    }
    // `ok` had started (start_link waits for that), so its stop ran
    assert_eq!(
        next_note_of("stopped"),
        ("ok".to_owned(), Term::atom("shutdown"))
    );
    // `bad` was tried once, `never` not at all, and nothing else happened
    assert_eq!(start_attempts("bad"), 1);
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
    // the failed start sent the caller no exit signal
    refute_receive!(Message { kind: Kind::Death, .. }, timeout: Duration::from_millis(50));
}

#[actor::test]
fn a_nested_supervisor_whose_child_fails_to_start_fails_its_parent() {
    let (sub, sub_rx) = observed(SupervisorSpec::one_for_one().child(refuser("bad")));
    let (root, rx) = observed(
        SupervisorSpec::one_for_one()
            .child(worker("a"))
            .child(ChildSpec::supervisor("sub", sub))
            .child(worker("b")),
    );
    let err = root.start_link().unwrap_err();
    let inner = failed_to_start("bad", Term::atom("no_config"));
    assert_eq!(
        err,
        SupervisorError::StartFailed(failed_to_start("sub", inner))
    );
    assert_eq!(tags(&sub_rx, 1), [t("start_failed", "bad")]);
    assert_eq!(
        tags(&rx, 3),
        [
            t("started", "a"),
            t("start_failed", "sub"),
            t("terminated", "a")
        ]
    );
    assert_eq!(start_attempts("bad"), 1);
}

#[actor::test]
fn start_child_with_a_child_whose_start_fails_adds_nothing() {
    let (spec, rx) = observed(SupervisorSpec::one_for_one().intensity(10, Duration::from_secs(60)));
    let sup = spec.start_link().unwrap();
    assert_eq!(
        supervisor::start_child(sup, refuser("bad")),
        Err(SupervisorError::StartFailed(Term::atom("no_config")))
    );
    assert_eq!(tags(&rx, 1), [t("start_failed", "bad")]);
    assert!(supervisor::which_children(sup).unwrap().is_empty());
    // the id is free again, and nothing restarts
    assert_eq!(start_attempts("bad"), 1);
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
    let ok = supervisor::start_child(sup, worker("bad")).unwrap();
    assert_eq!(pid_of(sup, "bad"), ok);
    supervisor::stop(sup).unwrap();
}

#[actor::test]
fn a_pool_child_whose_start_fails_adds_nothing() {
    let observer = actor::pid();
    let template = ChildSpec::worker_with_args("conn", move |args: Term| Picky {
        id: "conn".to_owned(),
        observer,
        refuse: args == "bad",
    });
    let pool = SupervisorSpec::simple_one_for_one(template)
        .start_link()
        .unwrap();
    assert_eq!(
        supervisor::start_child(pool, Term::from("bad")),
        Err(SupervisorError::StartFailed(Term::atom("no_config")))
    );
    assert_eq!(supervisor::count_children(pool).unwrap().specs, 0);
    let good = supervisor::start_child(pool, Term::from("good")).unwrap();
    assert_eq!(msg!(std("hi") >> good).wait().unwrap().data, "hi");
    assert_eq!(supervisor::count_children(pool).unwrap().active, 1);
    assert_eq!(start_attempts("conn"), 2);
    supervisor::stop(pool).unwrap();
}

#[actor::test]
fn a_start_hook_that_fails_at_a_restart_counts_as_a_restart_and_is_retried() {
    let observer = actor::pid();
    // starts: fine, then two refusals, then fine again
    let plan = [false, true, true, false];
    let starts = std::sync::atomic::AtomicUsize::new(0);
    let child = ChildSpec::worker_fn("picky", move || {
        let n = starts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Picky {
            id: "picky".to_owned(),
            observer,
            refuse: plan.get(n).copied().unwrap_or(false),
        }
    });
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(3, Duration::from_secs(60))
            .child(child),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 1);
    actor::exit(pid_of(sup, "picky"), "boom");
    let events: Vec<Event> = (0..7).map(|_| next(&rx)).collect();
    assert_eq!(
        events.iter().map(tag).collect::<Vec<_>>(),
        [
            t("exited", "picky"),
            t("scheduled", "picky"),
            t("start_failed", "picky"),
            t("scheduled", "picky"),
            t("start_failed", "picky"),
            t("scheduled", "picky"),
            t("restarted", "picky"),
        ]
    );
    let attempts: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Event::RestartScheduled { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert_eq!(start_attempts("picky"), 4);
    // three restarts of the three allowed: one more crash is too many
    let r = actor::monitor(sup);
    actor::exit(pid_of(sup, "picky"), "boom");
    assert_eq!(
        tags(&rx, 3),
        [t("exited", "picky"), t("intensity", ""), t("shutdown", "")]
    );
    let down = assert_receive!(Message { reference, .. } if *reference == Some(r), timeout: WAIT);
    assert_eq!(down.data["reason"], "shutdown");
}

#[actor::test]
fn an_exit_signal_from_the_parent_stops_an_unlinked_supervisor_and_others_are_ignored() {
    let sup = SupervisorSpec::one_for_one()
        .child(worker("w"))
        .start()
        .unwrap();
    let w = pid_of(sup, "w");
    let (r, rw) = (actor::monitor(sup), actor::monitor(w));
    // a process that is not its parent: trapped and ignored
    let stranger = actor::spawn(move |mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        actor::exit(sup, "stranger");
        actor::reply(&m, Term::Nil);
    })
    .unwrap();
    msg!(std(Term::Nil) >> stranger).wait().unwrap();
    assert_eq!(supervisor::count_children(sup).unwrap().active, 1);
    // its parent's exit signal: it stops its children and exits with it
    actor::exit(sup, "bye");
    let m = assert_receive!(Message { reference, .. } if *reference == Some(rw), timeout: WAIT);
    assert_eq!(m.data["reason"], "shutdown");
    let m = assert_receive!(Message { reference, .. } if *reference == Some(r), timeout: WAIT);
    assert_eq!(m.data["reason"], "bye");
}

#[actor::test]
fn api_calls_to_a_process_that_is_no_supervisor_fail_at_once() {
    let echo = actor::spawn("EchoActor").unwrap();
    assert_eq!(
        supervisor::which_children(echo),
        Err(SupervisorError::NoProcess)
    );
    assert_eq!(supervisor::stop(echo), Err(SupervisorError::NoProcess));
    assert!(actor::is_alive(echo));
    actor::kill(echo);
}

/// A worker that traps exits (it has a `death` handler): notes `started`,
/// each `death` as `{from, reason}`, and `stopped` with its reason.
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

    fn start(&mut self) {
        note(
            self.observer,
            "started",
            "trapping",
            Term::Pid(actor::pid()),
        );
    }

    fn death(&mut self, from: Pid, data: Term) {
        let what = Term::from_iter([
            ("from", Term::Pid(from)),
            ("reason", data["reason"].clone()),
        ]);
        note(self.observer, "death", "trapping", what);
    }

    fn stop(&mut self, reason: Term) {
        note(self.observer, "stopped", "trapping", reason);
    }
}

fn trapping(shutdown: Shutdown) -> ChildSpec {
    let observer = actor::pid();
    ChildSpec::worker_fn("trapping", move || Trapping { observer }).shutdown(shutdown)
}

// issue 9, item 6 (a)
#[actor::test]
fn stop_ends_a_trapping_child_through_its_stop_without_waiting_out_the_shutdown() {
    // OTP: a gen_server that traps exits terminates on its parent's exit
    // signal; the supervisor's 30 s shutdown timeout is for children that
    // do not.
    let sup = SupervisorSpec::one_for_one()
        .child(trapping(Shutdown::Timeout(Duration::from_secs(30))))
        .start_link()
        .unwrap();
    let (_, child) = next_note_of("started");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(supervisor::stop(sup)));
    let res = rx.recv_timeout(WAIT).expect(
        "supervisor::stop did not return within 10 s (the child's shutdown timeout is 30 s)",
    );
    assert_eq!(res, Ok(()));
    let (_, reason) = next_note_of("stopped");
    assert_eq!(reason, Term::atom("shutdown"), "the child's stop");
    assert!(!actor::is_alive(child.as_pid().unwrap()));
    // the parent's exit signal did not reach the death handler
    refute_receive!(Message { ref data, .. } if data["what"] == "death", timeout: Duration::ZERO);
}

// issue 9, item 6 (b)
#[actor::test]
fn a_killed_supervisor_takes_its_trapping_children_with_it() {
    let sup = SupervisorSpec::one_for_one()
        .child(trapping(Shutdown::Timeout(Duration::from_secs(30))))
        .start()
        .unwrap();
    let (_, child) = next_note_of("started");
    let child = child.as_pid().unwrap();
    let r = actor::monitor(child);
    actor::kill(sup);
    let down = actor::receive_match_timeout(|m| m.reference == Some(r), WAIT)
        .expect("the trapping child outlived its killed supervisor");
    assert_eq!(down.data["reason"], Term::atom("killed"));
}

// issue 9, item 7
#[actor::test]
fn a_child_exiting_with_reason_kill_is_restarted_and_the_supervisor_lives() {
    // Reason `kill` in a link's exit signal is an ordinary reason; only
    // `exit(pid, kill)` itself cannot be trapped.
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(5, Duration::from_secs(60))
            .child(ChildSpec::worker_fn("k", || {
                |mut inbox: Inbox| async move {
                    let m = inbox.recv().await;
                    actor::exit_self(m.data);
                    std::future::pending::<()>().await;
                }
            })),
    );
    let sup = spec.start().unwrap();
    assert_eq!(tags(&rx, 1), [t("started", "k")]);
    let r = actor::monitor(sup);
    let k = pid_of(sup, "k");
    msg!(std(Term::atom("kill")) > k);
    match rx.recv_timeout(WAIT).map(|(_, e)| e) {
        Ok(Event::Exited { id, reason, .. }) => {
            assert_eq!((id.as_str(), reason), ("k", Term::atom("kill")));
        }
        Ok(other) => panic!("unexpected {other:?}"),
        Err(_) => {
            let down = actor::receive_match_timeout(|m| m.reference == Some(r), WAIT);
            panic!(
                "no event within 10 s; the supervisor is alive: {}, its Down: {:?}, the child is alive: {}",
                actor::is_alive(sup),
                down.map(|m| m.data),
                actor::is_alive(k),
            );
        }
    }
    assert_eq!(tags(&rx, 2), [t("scheduled", "k"), t("restarted", "k")]);
    assert_ne!(pid_of(sup, "k"), k);
    refute_receive!(Message { reference, .. } if *reference == Some(r), timeout: Duration::ZERO);
    supervisor::stop(sup).unwrap();
}

/// An actor whose `start` fails with `no_db`, counting its starts.
struct NoDb {
    starts: Arc<AtomicUsize>,
}

#[actor]
impl NoDb {
    /// `spawn("NoDb")`: a counter of its own.
    fn init(_args: Term) -> Self {
        NoDb {
            starts: Arc::default(),
        }
    }

    fn start(&mut self) -> Result<(), Term> {
        self.starts.fetch_add(1, Ordering::SeqCst);
        Err(Term::atom("no_db"))
    }
}

// issue 9, item 11
#[actor::test]
fn a_child_whose_start_fails_fails_the_supervisor_start_and_is_not_restarted() {
    // OTP: supervisor:start_link returns
    // {error, {shutdown, {failed_to_start_child, Id, Reason}}}, with the
    // child's own reason, after one attempt.
    let starts = Arc::new(AtomicUsize::new(0));
    let counter = starts.clone();
    let res = SupervisorSpec::one_for_one()
        .child(ChildSpec::worker_fn("db", move || NoDb {
            starts: counter.clone(),
        }))
        .start_link();
    // Any restart would have happened by now.
    std::thread::sleep(Duration::from_millis(200));
    let ran = starts.load(Ordering::SeqCst);
    let reason = match res {
        Err(SupervisorError::StartFailed(reason)) => reason,
        Ok(sup) => {
            let _ = supervisor::stop(sup);
            panic!("start_link succeeded though the child's start failed (it ran {ran} times)");
        }
        Err(other) => panic!("unexpected {other:?}"),
    };
    assert_eq!(reason[0], Term::atom("shutdown"), "{reason}");
    assert_eq!(
        reason[1][0],
        Term::atom("failed_to_start_child"),
        "{reason}"
    );
    assert_eq!(reason[1][1], "db", "{reason}");
    assert_eq!(reason[1][2], Term::atom("no_db"), "{reason}");
    assert_eq!(ran, 1, "the child's start ran {ran} times");
}

#[test]
fn is_supervisor_tells_supervisors_from_the_rest() {
    let leaf = SupervisorSpec::one_for_one().child(ChildSpec::worker("w", "EchoActor"));
    let root = SupervisorSpec::one_for_one()
        .child(ChildSpec::supervisor("leaf", leaf))
        .start_link()
        .unwrap();
    let leaf = pid_of(root, "leaf");
    let w = pid_of(leaf, "w");
    assert!(supervisor::is_supervisor(root));
    assert!(
        supervisor::is_supervisor(leaf),
        "a nested supervisor is one"
    );
    assert!(!supervisor::is_supervisor(w), "a worker is not");
    assert!(!supervisor::is_supervisor(actor::pid()), "a thread is not");
    // The seed's supervisor speaks its own protocol: not one of these.
    let seed = actor::spawn("Supervisor").unwrap();
    assert!(!supervisor::is_supervisor(seed));
    actor::kill(seed);
    let r = actor::monitor(leaf);
    supervisor::stop(root).unwrap();
    actor::receive_match_timeout(|m| m.reference == Some(r), WAIT).unwrap();
    assert!(!supervisor::is_supervisor(root), "a dead one is not");
    assert!(!supervisor::is_supervisor(leaf));
}

// ---- a panic while building a child (found by a stranger's test) -----------

/// An actor whose `init(args)` panics unless given an integer.
struct IntOnly {
    n: i64,
}

#[actor]
impl IntOnly {
    fn init(args: Term) -> Self {
        IntOnly {
            n: args.as_int().expect("an IntOnly wants an int"),
        }
    }

    fn std(&mut self) -> i64 {
        self.n
    }
}

fn init_panic(text: &str) -> Term {
    Term::tuple([Term::atom("panic"), Term::from(text)])
}

#[actor::test]
fn a_pool_child_whose_init_panics_adds_nothing_and_harms_nobody() {
    let template = ChildSpec::worker_with_args("n", |args: Term| IntOnly {
        n: args.as_int().expect("an IntOnly wants an int"),
    });
    let pool = SupervisorSpec::simple_one_for_one(template)
        .start_link()
        .unwrap();
    let healthy = supervisor::start_child(pool, Term::from(7)).unwrap();
    assert_eq!(
        supervisor::start_child(pool, Term::from("oops")),
        Err(SupervisorError::StartFailed(init_panic(
            "an IntOnly wants an int"
        )))
    );
    assert!(actor::is_alive(pool));
    assert_eq!(msg!(std >> healthy).wait().unwrap().data, 7);
    assert_eq!(supervisor::count_children(pool).unwrap().active, 1);
    // by name, through `init(args)`
    let by_name = SupervisorSpec::simple_one_for_one(ChildSpec::worker("n", "IntOnly"))
        .start_link()
        .unwrap();
    assert_eq!(
        supervisor::start_child(by_name, Term::from("oops")),
        Err(SupervisorError::StartFailed(init_panic(
            "an IntOnly wants an int"
        )))
    );
    assert_eq!(
        msg!(std >> supervisor::start_child(by_name, Term::from(3)).unwrap())
            .wait()
            .unwrap()
            .data,
        3
    );
    supervisor::stop(pool).unwrap();
    supervisor::stop(by_name).unwrap();
}

#[actor::test]
fn a_factory_that_panics_at_a_restart_counts_as_a_failed_restart_and_is_retried() {
    // builds: fine, then two panics, then fine again
    let plan = [false, true, true, false];
    let builds = AtomicUsize::new(0);
    let child = ChildSpec::worker_fn("flaky", move || {
        let n = builds.fetch_add(1, Ordering::SeqCst);
        if plan.get(n).copied().unwrap_or(false) {
            panic!("config went bad");
        }
        IntOnly { n: n as i64 }
    });
    let (spec, rx) = observed(
        SupervisorSpec::one_for_one()
            .intensity(3, Duration::from_secs(60))
            .child(child)
            .child(worker("sibling")),
    );
    let sup = spec.start_link().unwrap();
    tags(&rx, 2);
    let sibling = pid_of(sup, "sibling");
    actor::exit(pid_of(sup, "flaky"), "boom");
    let events: Vec<Event> = (0..7).map(|_| next(&rx)).collect();
    assert_eq!(
        events.iter().map(tag).collect::<Vec<_>>(),
        [
            t("exited", "flaky"),
            t("scheduled", "flaky"),
            t("start_failed", "flaky"),
            t("scheduled", "flaky"),
            t("start_failed", "flaky"),
            t("scheduled", "flaky"),
            t("restarted", "flaky"),
        ]
    );
    assert!(actor::is_alive(sup));
    assert_eq!(
        pid_of(sup, "sibling"),
        sibling,
        "the sibling was not touched"
    );
    assert_eq!(msg!(std >> pid_of(sup, "flaky")).wait().unwrap().data, 3);
    supervisor::stop(sup).unwrap();
}
