//! The engine's decisions, strategy by strategy, without a process: pids
//! are made up and time is whatever the test says it is.

use std::time::{Duration, Instant};

use super::*;

fn pid(n: u64) -> Pid {
    Pid::from_parts(0x5eed, n)
}

fn spec(id: &str) -> ChildSpec {
    ChildSpec::worker(id, "EchoActor")
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn boom() -> Term {
    Term::from("boom")
}

/// An engine with a generous intensity and the children `ids`, all
/// running: child `i` as `pid(i + 1)`.
fn running(strategy: Strategy, ids: &[&str]) -> (Engine, Vec<Key>) {
    let mut e = Engine::new(strategy, 100, Duration::from_secs(60), None);
    let keys = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let key = e.add_child(spec(id)).unwrap();
            e.started(key, pid(i as u64 + 1));
            key
        })
        .collect();
    (e, keys)
}

fn states(e: &Engine) -> Vec<(String, ChildState)> {
    e.which_children()
        .into_iter()
        .map(|c| (c.id, c.state))
        .collect()
}

fn ids(e: &Engine) -> Vec<String> {
    e.which_children().into_iter().map(|c| c.id).collect()
}

/// The plan of a restart decision.
fn plan(exit: Option<Exit>) -> Plan {
    match exit.expect("a child exited").decision {
        Decision::Restart(plan) => plan,
        other => panic!("expected a restart, got {other:?}"),
    }
}

/// The restart plan after the child running as `p` crashed.
fn crash(e: &mut Engine, p: Pid, now: Instant) -> Plan {
    plan(e.exited(p, &boom(), now))
}

/// Schedules a plan as the server does: stops the siblings first.
fn schedule(e: &mut Engine, plan: Plan, now: Instant) -> Scheduled {
    for &(key, _) in &plan.stop {
        e.terminated(key);
    }
    e.schedule(plan, now)
}

/// Carries out a plan as the server does: stops the siblings, schedules,
/// fires; the children to start, in order.
fn carry_out(e: &mut Engine, plan: Plan, now: Instant) -> Vec<Key> {
    let s = schedule(e, plan, now);
    e.fire(s.token)
}

/// Crashes the child running as `p`, schedules its restart and fires it.
fn crash_and_restart(e: &mut Engine, p: Pid, now: Instant) -> (Scheduled, Vec<Key>) {
    let plan = crash(e, p, now);
    let s = schedule(e, plan, now);
    let keys = e.fire(s.token);
    (s, keys)
}

#[test]
fn specs_with_a_repeated_id_or_a_pool_without_one_template_are_refused() {
    let ok = SupervisorSpec::one_for_one()
        .child(spec("a"))
        .child(spec("b"));
    assert_eq!(validate(&ok), Ok(()));
    let dup = SupervisorSpec::one_for_all()
        .child(spec("a"))
        .child(spec("a"));
    assert!(matches!(validate(&dup), Err(SupervisorError::BadSpec(why)) if why.contains("`a`")));
    let empty_pool = SupervisorSpec::new(Strategy::SimpleOneForOne);
    assert!(matches!(
        validate(&empty_pool),
        Err(SupervisorError::BadSpec(_))
    ));
    let two_templates = SupervisorSpec::simple_one_for_one(spec("a")).child(spec("b"));
    assert!(matches!(
        validate(&two_templates),
        Err(SupervisorError::BadSpec(_))
    ));
    assert_eq!(
        validate(&SupervisorSpec::simple_one_for_one(spec("a"))),
        Ok(())
    );
}

#[test]
fn one_for_one_restarts_the_failed_child_alone() {
    let (mut e, k) = running(Strategy::OneForOne, &["a", "b", "c"]);
    let now = Instant::now();
    let exit = e.exited(pid(2), &boom(), now).unwrap();
    assert_eq!(exit.id, "b");
    let Decision::Restart(plan) = exit.decision else {
        panic!("b restarts")
    };
    assert!(plan.stop.is_empty());
    let s = e.schedule(plan, now);
    assert_eq!(
        (s.id.as_str(), s.attempt, s.delay),
        ("b", 1, Duration::ZERO)
    );
    assert_eq!(states(&e)[1].1, ChildState::Restarting);
    assert_eq!(e.fire(s.token), [k[1]]);
    assert!(e.is_stopped(k[1]));
    e.started(k[1], pid(20));
    assert_eq!(
        states(&e),
        [
            ("a".into(), ChildState::Running(pid(1))),
            ("b".into(), ChildState::Running(pid(20))),
            ("c".into(), ChildState::Running(pid(3))),
        ]
    );
}

#[test]
fn one_for_all_stops_the_others_last_first_and_restarts_all_in_order() {
    let (mut e, k) = running(Strategy::OneForAll, &["a", "b", "c"]);
    let now = Instant::now();
    let plan = plan(e.exited(pid(2), &boom(), now));
    assert_eq!(plan.stop, [(k[2], pid(3)), (k[0], pid(1))]);
    assert_eq!(carry_out(&mut e, plan, now), k);
}

#[test]
fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    let (mut e, k) = running(Strategy::RestForOne, &["a", "b", "c"]);
    let now = Instant::now();
    let plan_b = plan(e.exited(pid(2), &boom(), now));
    assert_eq!(plan_b.stop, [(k[2], pid(3))]);
    assert_eq!(carry_out(&mut e, plan_b, now), [k[1], k[2]]);
    e.started(k[1], pid(20));
    e.started(k[2], pid(30));
    // the first child's failure takes everything after it along
    let plan_a = plan(e.exited(pid(1), &boom(), now));
    assert_eq!(plan_a.stop, [(k[2], pid(30)), (k[1], pid(20))]);
    assert_eq!(carry_out(&mut e, plan_a, now), k);
    // the last child's failure, nothing else
    for (i, &key) in k.iter().enumerate() {
        e.started(key, pid(100 + i as u64));
    }
    let plan_c = plan(e.exited(pid(102), &boom(), now));
    assert!(plan_c.stop.is_empty());
    assert_eq!(carry_out(&mut e, plan_c, now), [k[2]]);
}

#[test]
fn a_group_restart_leaves_terminated_children_stopped_and_drops_temporary_ones() {
    let mut e = Engine::new(Strategy::OneForAll, 100, Duration::from_secs(60), None);
    let a = e.add_child(spec("a")).unwrap();
    let tmp = e
        .add_child(spec("tmp").restart(Restart::Temporary))
        .unwrap();
    let off = e.add_child(spec("off")).unwrap();
    let d = e.add_child(spec("d")).unwrap();
    for (i, key) in [a, tmp, off, d].into_iter().enumerate() {
        e.started(key, pid(i as u64 + 1));
    }
    let now = Instant::now();
    e.terminated(off);
    let plan = crash(&mut e, pid(4), now);
    assert_eq!(plan.stop, [(tmp, pid(2)), (a, pid(1))]);
    assert_eq!(carry_out(&mut e, plan, now), [a, d]);
    assert_eq!(ids(&e), ["a", "off", "d"]);
    assert_eq!(states(&e)[1].1, ChildState::Stopped);
}

#[test]
fn a_group_restart_takes_children_still_waiting_for_a_restart_along() {
    let (mut e, k) = running(Strategy::OneForAll, &["a", "w", "d"]);
    let now = Instant::now();
    let (_, keys) = crash_and_restart(&mut e, pid(2), now);
    assert_eq!(keys, k);
    // `a` starts, `w` does not: `w` and `d` wait for a retry
    e.started(k[0], pid(10));
    let retry = e.restart_failed(&keys[1..], now).unwrap();
    assert_eq!(states(&e)[2].1, ChildState::Restarting);
    // then `a` fails: nothing else runs, all three restart together
    let plan = crash(&mut e, pid(10), now);
    assert!(plan.stop.is_empty());
    assert_eq!(carry_out(&mut e, plan, now), k);
    // the retry's timer finds nothing left to do
    assert!(e.fire(retry.token).is_empty());
}

/// What becomes of a lone child of `restart` type that exits with `reason`.
fn outcome(restart: Restart, reason: Term) -> &'static str {
    let mut e = Engine::new(Strategy::OneForOne, 100, Duration::from_secs(60), None);
    let key = e.add_child(spec("w").restart(restart)).unwrap();
    e.started(key, pid(1));
    let exit = e.exited(pid(1), &reason, Instant::now()).unwrap();
    match (exit.decision, e.which_children().as_slice()) {
        (Decision::Restart(_), [c]) if c.state == ChildState::Stopped => "restarted",
        (Decision::Nothing, []) => "removed",
        (Decision::Nothing, [c]) if c.state == ChildState::Stopped => "stopped",
        (d, children) => panic!("unexpected {d:?} with {children:?}"),
    }
}

#[test]
fn restart_types_against_exit_reasons() {
    let normal = || Term::atom("normal");
    let shutdown = || Term::atom("shutdown");
    let shutdown_why = || Term::tuple([Term::atom("shutdown"), Term::from("why")]);
    let killed = || Term::atom("killed");
    let panic = || Term::tuple([Term::atom("panic"), Term::from("oops")]);
    for reason in [
        normal(),
        shutdown(),
        shutdown_why(),
        boom(),
        killed(),
        panic(),
    ] {
        assert_eq!(outcome(Restart::Permanent, reason), "restarted");
    }
    for reason in [normal(), shutdown(), shutdown_why()] {
        assert_eq!(outcome(Restart::Transient, reason), "stopped");
    }
    for reason in [boom(), killed(), panic(), Term::from("normal")] {
        assert_eq!(outcome(Restart::Transient, reason), "restarted");
    }
    for reason in [normal(), shutdown(), boom(), killed()] {
        assert_eq!(outcome(Restart::Temporary, reason), "removed");
    }
}

#[test]
fn more_restarts_than_the_intensity_allows_give_up() {
    let mut e = Engine::new(Strategy::OneForOne, 2, Duration::from_secs(10), None);
    let a = e.add_child(spec("a")).unwrap();
    let b = e.add_child(spec("b")).unwrap();
    e.started(a, pid(1));
    e.started(b, pid(2));
    let t0 = Instant::now();
    let mut n = 10;
    for s in [0, 1] {
        let now = t0 + Duration::from_secs(s);
        let running = e.pid(b).unwrap();
        let (_, restart) = crash_and_restart(&mut e, running, now);
        assert_eq!(restart, [b]);
        n += 1;
        e.started(b, pid(n));
    }
    let exit = e
        .exited(pid(n), &boom(), t0 + Duration::from_secs(2))
        .unwrap();
    assert_eq!(exit.decision, Decision::GiveUp);
    // the others are left for the shutdown, last first
    assert_eq!(e.shutdown_order(), [(a, pid(1))]);
    assert_eq!(e.intensity(), (2, Duration::from_secs(10)));
}

#[test]
fn restarts_older_than_the_period_are_forgotten() {
    let mut e = Engine::new(Strategy::OneForOne, 1, Duration::from_secs(5), None);
    let w = e.add_child(spec("w")).unwrap();
    let t0 = Instant::now();
    // one restart every 5 s never exceeds one within 5 s ...
    for s in [0, 6, 12, 18] {
        e.started(w, pid(s + 1));
        let now = t0 + Duration::from_secs(s);
        assert!(matches!(
            e.exited(pid(s + 1), &boom(), now).unwrap().decision,
            Decision::Restart(_)
        ));
        e.cancel_restarts();
    }
    // ... a period is inclusive: exactly 5 s later still counts
    e.started(w, pid(100));
    let exit = e.exited(pid(100), &boom(), t0 + Duration::from_secs(23));
    assert_eq!(exit.unwrap().decision, Decision::GiveUp);
}

#[test]
fn an_intensity_of_zero_gives_up_at_the_first_restart_but_not_at_a_clean_exit() {
    let mut e = Engine::new(Strategy::OneForOne, 0, Duration::from_secs(5), None);
    let t = e.add_child(spec("t").restart(Restart::Transient)).unwrap();
    e.started(t, pid(1));
    let now = Instant::now();
    let exit = e.exited(pid(1), &Term::atom("normal"), now).unwrap();
    assert_eq!(exit.decision, Decision::Nothing);
    e.started(t, pid(2));
    let exit = e.exited(pid(2), &boom(), now).unwrap();
    assert_eq!(exit.decision, Decision::GiveUp);
}

#[test]
fn a_group_restart_counts_once() {
    let (mut e, k) = running(Strategy::OneForAll, &["a", "b", "c"]);
    e.max_restarts = 1;
    let now = Instant::now();
    let (_, restart) = crash_and_restart(&mut e, pid(1), now);
    assert_eq!(restart, k);
    for (i, &key) in k.iter().enumerate() {
        e.started(key, pid(10 + i as u64));
    }
    assert_eq!(
        e.exited(pid(11), &boom(), now).unwrap().decision,
        Decision::GiveUp
    );
}

#[test]
fn backoff_attempts_grow_per_child_and_reset_after_a_calm_period() {
    let backoff = Backoff::exponential(ms(10), ms(50));
    let mut e = Engine::new(
        Strategy::OneForOne,
        100,
        Duration::from_secs(5),
        Some(backoff),
    );
    let a = e.add_child(spec("a")).unwrap();
    let b = e.add_child(spec("b")).unwrap();
    e.started(b, pid(1000));
    let t0 = Instant::now();
    let mut n = 0;
    let mut fail = |e: &mut Engine, key: Key, at: Duration| {
        n += 1;
        e.started(key, pid(n));
        let now = t0 + at;
        let (s, restart) = crash_and_restart(e, pid(n), now);
        assert_eq!(restart, [key]);
        (s.attempt, s.delay)
    };
    assert_eq!(fail(&mut e, a, ms(0)), (1, ms(10)));
    assert_eq!(fail(&mut e, a, ms(10)), (2, ms(20)));
    assert_eq!(fail(&mut e, a, ms(30)), (3, ms(40)));
    assert_eq!(fail(&mut e, a, ms(70)), (4, ms(50)));
    assert_eq!(fail(&mut e, a, ms(120)), (5, ms(50)));
    // another child's failures are its own
    assert_eq!(fail(&mut e, b, ms(130)), (1, ms(10)));
    // a period without failures: back to the first delay
    assert_eq!(fail(&mut e, a, ms(6000)), (1, ms(10)));
}

#[test]
fn without_backoff_restarts_are_immediate() {
    let (mut e, _) = running(Strategy::OneForOne, &["a"]);
    let now = Instant::now();
    for n in 1..=5 {
        let running = e.pid(Key(1)).unwrap();
        let (s, restart) = crash_and_restart(&mut e, running, now);
        assert_eq!((s.attempt, s.delay), (n, Duration::ZERO));
        assert_eq!(restart, [Key(1)]);
        e.started(Key(1), pid(100 + u64::from(n)));
    }
}

#[test]
fn a_failed_restart_counts_as_a_restart_and_retries_the_rest_in_order() {
    let (mut e, k) = running(Strategy::OneForAll, &["a", "b", "c"]);
    e.max_restarts = 2;
    e.backoff = Some(Backoff::exponential(ms(10), ms(1000)));
    let now = Instant::now();
    let (first, keys) = crash_and_restart(&mut e, pid(1), now);
    assert_eq!((first.id.as_str(), first.attempt), ("a", 1));
    assert_eq!(keys, k);
    // `a` starts, `b` fails: `b` and `c` are tried again
    e.started(k[0], pid(10));
    let retry = e
        .restart_failed(&keys[1..], now)
        .expect("within the intensity");
    assert_eq!(
        (retry.id.as_str(), retry.attempt, retry.delay),
        ("b", 1, ms(10))
    );
    assert_eq!(
        states(&e).iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [
            ChildState::Running(pid(10)),
            ChildState::Restarting,
            ChildState::Restarting
        ]
    );
    // `b` fails again: the third restart within the period is one too many
    let keys = e.fire(retry.token);
    assert_eq!(keys, [k[1], k[2]]);
    assert_eq!(e.restart_failed(&keys, now), None);
    assert!(e.restart_failed(&[], now).is_none());
}

#[test]
fn a_terminate_during_backoff_cancels_the_restart() {
    let mut e = Engine::new(
        Strategy::OneForOne,
        100,
        Duration::from_secs(60),
        Some(Backoff::exponential(
            Duration::from_secs(3600),
            Duration::from_secs(3600),
        )),
    );
    let w = e.add_child(spec("w")).unwrap();
    e.started(w, pid(1));
    let now = Instant::now();
    let plan = crash(&mut e, pid(1), now);
    let s = schedule(&mut e, plan, now);
    assert_eq!(s.delay, Duration::from_secs(3600));
    assert_eq!(e.stopped_child("w"), Err(SupervisorError::Restarting));
    assert_eq!(e.find(&ChildKey::from("w")), Ok(w));
    e.terminated(w);
    assert_eq!(states(&e), [("w".into(), ChildState::Stopped)]);
    assert!(e.fire(s.token).is_empty());
    assert_eq!(e.stopped_child("w"), Ok(w));
}

#[test]
fn cancelled_restarts_never_fire() {
    let (mut e, _) = running(Strategy::OneForAll, &["a", "b"]);
    let now = Instant::now();
    let plan = crash(&mut e, pid(1), now);
    let s = schedule(&mut e, plan, now);
    e.cancel_restarts();
    assert!(e.fire(s.token).is_empty());
    assert!(e.shutdown_order().is_empty());
}

#[test]
fn a_pool_adds_children_from_its_template_and_names_them_by_pid() {
    let template = spec("conn").restart(Restart::Transient);
    let mut e = Engine::new(
        Strategy::SimpleOneForOne,
        100,
        Duration::from_secs(60),
        None,
    )
    .template(template);
    let k1 = e.add_pool_child(Term::from(1)).unwrap();
    let k2 = e.add_pool_child(Term::from(2)).unwrap();
    let k3 = e.add_pool_child(Term::from(3)).unwrap();
    for (n, key) in [k1, k2, k3].into_iter().enumerate() {
        e.started(key, pid(n as u64 + 1));
    }
    assert_eq!(ids(&e), ["conn", "conn", "conn"]);
    assert_eq!(e.spec(k2).unwrap().1, Term::from(2));
    assert_eq!(e.add_child(spec("x")), Err(SupervisorError::WrongStrategy));
    assert_eq!(e.stopped_child("conn"), Err(SupervisorError::WrongStrategy));
    assert_eq!(
        e.find(&ChildKey::from("conn")),
        Err(SupervisorError::NotFound)
    );
    assert_eq!(e.find(&ChildKey::from(pid(2))), Ok(k2));
    assert_eq!(
        e.find(&ChildKey::from(pid(99))),
        Err(SupervisorError::NotFound)
    );

    // a crash restarts that child alone, with its own arguments
    let now = Instant::now();
    let p = plan(e.exited(pid(2), &boom(), now));
    assert!(p.stop.is_empty());
    assert_eq!(carry_out(&mut e, p, now), [k2]);
    assert_eq!(e.spec(k2).unwrap().1, Term::from(2));
    e.started(k2, pid(20));
    // a clean exit, or a terminate, removes the child
    assert_eq!(
        e.exited(pid(1), &Term::atom("normal"), now)
            .unwrap()
            .decision,
        Decision::Nothing
    );
    e.terminated(k3);
    assert_eq!(states(&e), [("conn".into(), ChildState::Running(pid(20)))]);
    assert_eq!(e.count_children().specs, 1);
}

#[test]
fn pool_arguments_only_go_to_a_pool() {
    let mut e = Engine::new(Strategy::OneForOne, 1, Duration::from_secs(5), None);
    assert_eq!(
        e.add_pool_child(Term::Nil),
        Err(SupervisorError::WrongStrategy)
    );
    // a pool's template is no child of its own
    let mut pool =
        Engine::new(Strategy::SimpleOneForOne, 1, Duration::from_secs(5), None).template(spec("t"));
    assert!(pool.which_children().is_empty());
    assert!(pool.add_pool_child(Term::Nil).is_ok());
    assert!(e.which_children().is_empty());
}

#[test]
fn dynamic_children_bookkeeping() {
    let (mut e, k) = running(Strategy::OneForOne, &["a"]);
    assert_eq!(
        e.add_child(spec("a")),
        Err(SupervisorError::AlreadyStarted(pid(1)))
    );
    assert_eq!(e.stopped_child("a"), Err(SupervisorError::Running));
    assert_eq!(e.stopped_child("nope"), Err(SupervisorError::NotFound));
    assert_eq!(
        e.find(&ChildKey::from("nope")),
        Err(SupervisorError::NotFound)
    );
    assert_eq!(
        e.find(&ChildKey::from(pid(1))),
        Err(SupervisorError::NotFound)
    );

    let sub = e
        .add_child(ChildSpec::supervisor("sub", SupervisorSpec::one_for_one()))
        .unwrap();
    assert!(e.is_stopped(sub));
    assert_eq!(
        e.count_children(),
        ChildCount {
            specs: 2,
            active: 1,
            supervisors: 1,
            workers: 1
        }
    );
    e.started(sub, pid(2));
    assert_eq!(e.count_children().active, 2);
    assert_eq!(e.shutdown_order(), [(sub, pid(2)), (k[0], pid(1))]);

    e.terminated(k[0]);
    assert_eq!(e.add_child(spec("a")), Err(SupervisorError::AlreadyPresent));
    assert_eq!(e.stopped_child("a"), Ok(k[0]));
    assert_eq!(e.exited(pid(1), &boom(), Instant::now()), None);
    e.remove(k[0]);
    assert_eq!(ids(&e), ["sub"]);
    assert_eq!(e.stopped_child("a"), Err(SupervisorError::NotFound));
    assert_eq!(e.spec(k[0]).map(|(s, _)| s.id.clone()), None);
    assert_eq!(e.pid(k[0]), None);
    // a removed child is nobody's: neither running nor stopped
    assert!(!e.is_stopped(k[0]));

    // a temporary child that is terminated is gone
    let t = e.add_child(spec("t").restart(Restart::Temporary)).unwrap();
    e.started(t, pid(3));
    e.terminated(t);
    assert_eq!(ids(&e), ["sub"]);
    // and a new id goes last
    let z = e.add_child(spec("z")).unwrap();
    assert_eq!(ids(&e), ["sub", "z"]);
    assert_ne!(z, t);
}

#[test]
fn an_exit_of_a_process_that_is_no_child_is_no_decision() {
    let (mut e, _) = running(Strategy::OneForAll, &["a"]);
    assert_eq!(e.exited(pid(42), &boom(), Instant::now()), None);
    assert_eq!(e.count_children().active, 1);
}
