//! Spawning: by registered name (short, full path, seed style), by actor
//! value, by closure with an `Inbox`; `spawn_link`, `spawn_monitor`; the
//! unknown-name error; 100 000 idle actors.

use std::time::Duration;

use actor::actors::EchoActor;
use actor::prelude::*;

mod common;
use common::LONG;

fn echoes(pid: Pid) {
    let reply = msg!(std("echo?") >> pid).timeout(LONG).wait().unwrap();
    assert_eq!((reply.from, reply.data), (pid, Term::from("echo?")));
}

#[actor::test]
fn spawn_by_name_path_and_value() {
    for name in [
        "EchoActor",
        "actor::actors::EchoActor",
        "actor.actors.EchoActor",
    ] {
        let pid = actor::spawn(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        echoes(pid);
    }
    echoes(actor::spawn(String::from("EchoActor")).unwrap());
    echoes(actor::spawn(EchoActor::default()).unwrap());
    echoes(actor::spawn_with_args("EchoActor", Term::Nil).unwrap());
    assert!(actor::registered_actors().contains(&"actor::actors::EchoActor".to_string()));
}

#[test]
fn an_unknown_name_is_a_clear_error() {
    for name in [
        "NoSuchActor",
        "actor::actors::NoSuchActor",
        "actor.actors.Nope",
        "EchoActo",
    ] {
        let err = actor::spawn(name).unwrap_err();
        match &err {
            SpawnError::UnknownActor { name: n, known } => {
                assert_eq!(n, name);
                assert!(known.contains(&"actor::actors::EchoActor".to_string()));
            }
            other => panic!("{name}: {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains(&format!("`{name}`")), "{text}");
        assert!(text.contains("actor::actors::EchoActor"), "{text}");
        assert!(actor::spawn_link(name).is_err());
        assert!(actor::spawn_monitor(name).is_err());
    }
}

#[actor::test]
fn spawn_a_closure_with_an_inbox() {
    let me = actor::pid();
    let pid = actor::spawn(move |mut inbox: Inbox| async move {
        msg!(info(inbox.pid()) > me);
        let m = inbox.recv().await;
        msg!(std(m.data) > m.from);
    })
    .unwrap();
    assert_receive!(
        Message { from, data, .. } if *from == pid && data.as_pid() == Some(pid),
        timeout: LONG
    );
    msg!(std("back") > pid);
    assert_receive!(Message { from, data, .. } if *from == pid && *data == "back", timeout: LONG);
}

#[actor::test]
fn inbox_receives() {
    let me = actor::pid();
    let pid = actor::spawn(move |mut inbox: Inbox| async move {
        let report = |what: &str, m: Option<Message>| {
            let data = m.map_or(Term::from("none"), |m| m.data);
            msg!(info((what, data)) > me);
        };
        report("try_recv empty", inbox.try_recv());
        report(
            "recv_timeout empty",
            inbox.recv_timeout(Duration::from_millis(20)).await,
        );
        msg!(info("ready") > me);
        // The test sends: std 1, std 2, info 3, std 4.
        let m = inbox.recv_match(|m| m.kind == Kind::Info).await;
        report("recv_match info", Some(m));
        let none = inbox
            .recv_match_timeout(|m| m.data == 99, Duration::from_millis(20))
            .await;
        report("recv_match_timeout miss", none);
        let m = inbox.recv_match_timeout(|m| m.data == 2, LONG).await;
        report("recv_match_timeout 2", m);
        report("recv", Some(inbox.recv().await));
        report("try_recv", inbox.try_recv());
        report("recv_timeout", inbox.recv_timeout(LONG).await);
    })
    .unwrap();
    let expect = |what: &str, data: Term| {
        let m = assert_receive!(Message { from, .. } if *from == pid, timeout: LONG);
        assert_eq!(m.data, Term::from((what, data)));
    };
    expect("try_recv empty", "none".into());
    expect("recv_timeout empty", "none".into());
    assert_receive!(Message { data, .. } if *data == "ready", timeout: LONG);
    msg!(std(1) > pid);
    msg!(std(2) > pid);
    msg!(info(3) > pid);
    msg!(std(4) > pid);
    expect("recv_match info", 3.into());
    expect("recv_match_timeout miss", "none".into());
    expect("recv_match_timeout 2", 2.into());
    expect("recv", 1.into());
    expect("try_recv", 4.into());
    msg!(std(5) > pid);
    expect("recv_timeout", 5.into());
}

#[actor::test]
fn inbox_trap_exit() {
    let me = actor::pid();
    let pid = actor::spawn(move |mut inbox: Inbox| async move {
        inbox.trap_exit(true);
        msg!(info("trapping") > me);
        loop {
            let m = inbox.recv().await;
            if m.kind == Kind::Death {
                msg!(info((Term::from(m.from), m.data["reason"].clone())) > me);
            }
            if m.data == "stop trapping" {
                inbox.trap_exit(false);
                msg!(info("not trapping") > me);
            }
        }
    })
    .unwrap();
    let r = actor::monitor(pid);
    assert_receive!(Message { data, .. } if *data == "trapping", timeout: LONG);
    actor::exit(pid, "first");
    assert_receive!(Message { data, .. } if *data == Term::from((me, "first")), timeout: LONG);
    msg!(std("stop trapping") > pid);
    assert_receive!(Message { data, .. } if *data == "not trapping", timeout: LONG);
    actor::exit(pid, "second");
    let down = assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    assert_eq!(down.data["reason"], "second");
}

#[actor::test]
fn spawn_link_takes_names_values_and_closures() {
    let a = actor::spawn_link("EchoActor").unwrap();
    let b = actor::spawn_link(EchoActor::default()).unwrap();
    let c = actor::spawn_link(|mut inbox: Inbox| async move {
        inbox.recv().await;
    })
    .unwrap();
    for p in [a, b, c] {
        actor::exit(p, "linked");
        let m =
            assert_receive!(Message { kind: Kind::Death, from, .. } if *from == p, timeout: LONG);
        assert_eq!(m.data["reason"], "linked");
    }
    // The link is in place before the child runs: a child that dies at
    // once is still heard of.
    let d = actor::spawn_link(|_inbox: Inbox| async { panic!("at once") }).unwrap();
    let m = assert_receive!(Message { kind: Kind::Death, from, .. } if *from == d, timeout: LONG);
    assert_eq!(
        m.data["reason"],
        Term::from((Term::atom("panic"), "at once"))
    );
}

#[actor::test]
fn spawn_monitor_takes_names_values_and_closures() {
    let (a, ra) = actor::spawn_monitor("actor::actors::EchoActor").unwrap();
    let (b, rb) = actor::spawn_monitor(EchoActor::default()).unwrap();
    let (c, rc) = actor::spawn_monitor(|mut inbox: Inbox| async move {
        inbox.recv().await;
    })
    .unwrap();
    echoes(a);
    echoes(b);
    actor::kill(a);
    actor::exit(b, Term::atom("shutdown"));
    msg!(std("end") > c);
    for (p, r, why) in [
        (a, ra, Term::atom("killed")),
        (b, rb, Term::atom("shutdown")),
        (c, rc, Term::atom("normal")),
    ] {
        let m = assert_receive!(
            Message { kind: Kind::Down, from, reference, .. }
                if *from == p && *reference == Some(r),
            timeout: LONG
        );
        assert_eq!(m.data["reason"], why);
    }
    // A monitor, not a link: the test process got no Death.
    refute_receive!(_, timeout: Duration::from_millis(50));
}

#[actor::test]
fn spawning_100_000_idle_actors() {
    const N: usize = 100_000;
    let pids: Vec<Pid> = (0..N)
        .map(|_| actor::spawn(EchoActor::default()).unwrap())
        .collect();
    let unique: std::collections::HashSet<Pid> = pids.iter().copied().collect();
    assert_eq!(unique.len(), N);
    assert!(pids.iter().all(|&p| actor::is_alive(p)));
    for &p in pids.iter().step_by(N / 20) {
        echoes(p);
    }
    echoes(*pids.last().unwrap());
    // Clean up, and see the first and the last go.
    let first = actor::monitor(pids[0]);
    let last = actor::monitor(*pids.last().unwrap());
    for &p in &pids {
        actor::kill(p);
    }
    for r in [first, last] {
        assert_receive!(
            Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
            timeout: LONG
        );
    }
    assert!(!actor::is_alive(pids[0]));
}

mod first {
    use actor::prelude::*;

    #[derive(Default)]
    pub(crate) struct Twin;

    #[actor]
    impl Twin {
        fn std(&mut self) -> Term {
            Term::from("first")
        }
    }
}

mod second {
    use actor::prelude::*;

    #[derive(Default)]
    pub(crate) struct Twin;

    #[actor]
    impl Twin {
        fn std(&mut self) -> Term {
            Term::from("second")
        }
    }
}

#[test]
fn a_short_name_two_actors_share_is_ambiguous_and_full_paths_pick_one() {
    std::thread::spawn(|| {
        let err = actor::spawn("Twin").unwrap_err();
        let actor::SpawnError::Ambiguous { name, candidates } = &err else {
            panic!("expected Ambiguous, got {err:?}");
        };
        assert_eq!(name, "Twin");
        assert_eq!(candidates, &["spawn::first::Twin", "spawn::second::Twin"]);
        let text = err.to_string();
        assert!(
            text.contains("spawn::first::Twin") && text.contains("full path"),
            "{text}"
        );

        for (path, answer) in [
            ("spawn::first::Twin", "first"),
            ("spawn.second.Twin", "second"),
        ] {
            let pid = actor::spawn(path).unwrap();
            let reply = msg!(std >> pid)
                .timeout(Duration::from_secs(5))
                .wait()
                .unwrap();
            assert_eq!(reply.data, answer);
        }
    })
    .join()
    .unwrap();
}

/// An actor whose `start` fails with the reason in its field, or waits
/// `delay` and succeeds.
#[derive(Default)]
struct Starter {
    fail: Option<&'static str>,
    delay: Duration,
}

#[actor]
impl Starter {
    async fn start(&mut self) -> Result<(), Term> {
        tokio::time::sleep(self.delay).await;
        match self.fail {
            Some(why) => Err(Term::atom(why)),
            None => Ok(()),
        }
    }

    fn std(&mut self, data: Term) -> Term {
        data
    }
}

#[actor::test]
fn start_waits_for_the_start_hook_and_reports_its_failure() {
    let ok = actor::start(Starter {
        fail: None,
        delay: Duration::from_millis(50),
    })
    .wait()
    .unwrap();
    echoes(ok);
    let err = actor::start(Starter {
        fail: Some("no_db"),
        delay: Duration::ZERO,
    })
    .wait();
    assert_eq!(err, Err(SpawnError::StartFailed(Term::atom("no_db"))));
    assert!(actor::start("NoSuchActor").wait().is_err());
}

#[actor::test]
fn a_failed_start_link_is_an_error_not_an_exit_signal() {
    // The caller is a raw process that does not trap exits: a link exit
    // from the failed child would kill it.
    let (tx, rx) = std::sync::mpsc::channel();
    let (caller, _mref) = actor::spawn_monitor(move |_inbox: Inbox| async move {
        let res = actor::start_link(Starter {
            fail: Some("bad_config"),
            delay: Duration::ZERO,
        })
        .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = tx.send(res);
    })
    .unwrap();
    let res = rx.recv_timeout(LONG).expect("the caller died");
    assert_eq!(res, Err(SpawnError::StartFailed(Term::atom("bad_config"))));
    let down =
        assert_receive!(Message { kind: Kind::Down, from, .. } if *from == caller, timeout: LONG);
    assert_eq!(down.data["reason"], "normal");
}

#[actor::test]
fn exit_self_stops_even_a_trapping_actor_and_runs_stop() {
    #[derive(Default)]
    struct Quits(Option<std::sync::mpsc::Sender<Term>>);

    #[actor]
    impl Quits {
        fn std(&mut self, data: Term) {
            actor::exit_self(data);
        }
        fn death(&mut self) {}
        fn stop(&mut self, reason: Term) {
            if let Some(tx) = &self.0 {
                let _ = tx.send(reason);
            }
        }
    }

    let (tx, rx) = std::sync::mpsc::channel();
    let (pid, r) = actor::spawn_monitor(Quits(Some(tx))).unwrap();
    msg!(std("enough") > pid);
    assert_eq!(rx.recv_timeout(LONG).unwrap(), "enough");
    let down = assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    assert_eq!(down.data["reason"], "enough");
}

#[actor::test]
fn async_receive_and_reply_from_a_raw_process() {
    let pid = actor::spawn(|_inbox: Inbox| async {
        let first = actor::recv_match(|m| m.kind == Kind::Info).await;
        let m = actor::recv().await;
        actor::reply(&m, Term::list([first.data, m.data.clone()]));
        assert!(actor::recv_timeout(Duration::from_millis(20))
            .await
            .is_none());
    })
    .unwrap();
    let me = actor::pid();
    msg!(info("b") > pid);
    let reply = msg!(std("a") >> pid).timeout(LONG).wait().unwrap();
    assert_eq!(reply.data, Term::list(["b", "a"]));
    assert_eq!(reply.from, pid);
    let _ = me;
}

/// An actor that reports the end of its `start` (`{n, hook: "start"}`) and
/// its `stop` (`{n, hook: "stop", reason}`) on `tx`; with `yields`, its
/// `start` awaits once before it ends.
#[derive(Default)]
struct Hooks {
    n: usize,
    yields: bool,
    tx: Option<std::sync::mpsc::Sender<Term>>,
}

impl Hooks {
    fn report(&self, hook: &str, reason: Term) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Term::from_iter([
                ("n", Term::from(self.n)),
                ("hook", Term::from(hook)),
                ("reason", reason),
            ]));
        }
    }
}

#[actor]
impl Hooks {
    async fn start(&mut self) {
        if self.yields {
            tokio::task::yield_now().await;
        }
        self.report("start", Term::Nil);
    }

    fn stop(&mut self, reason: Term) {
        self.report("stop", reason);
    }
}

/// Spawns a `Hooks` actor and at once sends it `signal` (`None`: kill).
/// Returns its exit reason and the hooks it reported (`"start"`,
/// `"stop shutdown"`), in order.
fn spawn_then_signal(n: usize, signal: Option<Term>) -> (Term, Vec<String>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (pid, r) = actor::spawn_monitor(Hooks {
        n,
        yields: n % 2 == 1,
        tx: Some(tx),
    })
    .unwrap();
    match signal {
        Some(reason) => actor::exit(pid, reason),
        None => actor::kill(pid),
    }
    let down = actor::receive_match_timeout(|m| m.reference == Some(r), LONG)
        .unwrap_or_else(|| panic!("round {n}: no Down within 10 s"));
    // The hooks ran before the process exited, so before its Down.
    let hooks = rx
        .try_iter()
        .map(|t| {
            assert_eq!(t["n"], n);
            match t["reason"].as_atom() {
                Some(reason) => format!("{} {reason}", t["hook"].as_str().unwrap()),
                None => t["hook"].as_str().unwrap().to_owned(),
            }
        })
        .collect();
    (down.data["reason"].clone(), hooks)
}

/// `rounds` spawns each followed at once by `exit(pid, shutdown)`; the
/// rounds whose hooks were not `start` then `stop shutdown`.
fn exits_right_after_spawn(rounds: usize) -> Vec<(usize, Term, Vec<String>)> {
    (0..rounds)
        .map(|n| {
            let (reason, hooks) = spawn_then_signal(n, Some(Term::atom("shutdown")));
            (n, reason, hooks)
        })
        .filter(|(_, reason, hooks)| {
            *reason != Term::atom("shutdown") || hooks[..] != ["start", "stop shutdown"]
        })
        .collect()
}

// issue 9, item 13
#[actor::test]
fn start_runs_before_an_exit_signal_so_stop_always_pairs_with_it() {
    // The docs: `start` runs once, before the first message; `stop` runs
    // once when the process ends (not after `kill` or a failed `start`).
    // An exit signal that comes while `start` runs (even across an await in
    // it) is acted on after it.
    const ROUNDS: usize = 2_000;
    let wrong = exits_right_after_spawn(ROUNDS);
    assert!(
        wrong.is_empty(),
        "{} of {ROUNDS} rounds did not run start then stop(shutdown); first: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(3)]
    );
}

// issue 9, item 13
#[actor::test]
fn kill_right_after_spawn_never_runs_stop() {
    const ROUNDS: usize = 2_000;
    for n in 0..ROUNDS {
        let (reason, hooks) = spawn_then_signal(n, None);
        assert_eq!(reason, Term::atom("killed"), "round {n}");
        assert!(
            hooks.is_empty() || hooks[..] == ["start"],
            "round {n}: {hooks:?}"
        );
    }
}

// issue 9, item 13 (stress)
#[test]
fn exits_right_after_spawn_on_four_threads_at_once() {
    const ROUNDS: usize = 500;
    let wrong: Vec<_> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4)
            .map(|_| s.spawn(|| exits_right_after_spawn(ROUNDS)))
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    assert!(
        wrong.is_empty(),
        "{} of {} rounds did not run start then stop(shutdown); first: {:?}",
        wrong.len(),
        4 * ROUNDS,
        &wrong[..wrong.len().min(3)]
    );
}

// ---- a panic in `init(args)` (found by a stranger's test) ------------------

/// An actor whose `init(args)` panics unless given an integer.
struct WantsInt {
    n: i64,
}

#[actor]
impl WantsInt {
    fn init(args: Term) -> Self {
        WantsInt {
            n: args.as_int().expect("init wants an int"),
        }
    }

    fn std(&mut self) -> i64 {
        self.n
    }
}

#[actor::test]
fn a_panic_in_init_is_a_failed_start_not_the_callers_panic() {
    let failed = Err(SpawnError::StartFailed(Term::tuple([
        Term::atom("panic"),
        Term::from("init wants an int"),
    ])));
    let wants_ints = || {
        actor::processes()
            .into_iter()
            .filter_map(actor::process_info)
            .filter(|i| i.actor.is_some_and(|a| a.ends_with("WantsInt")))
            .count()
    };
    assert_eq!(actor::spawn_with_args("WantsInt", "not an int"), failed);
    assert_eq!(
        actor::start("WantsInt").args("x").wait().map(|_| ()),
        failed.clone().map(|_: Pid| ())
    );
    assert_eq!(
        actor::start_link("WantsInt").args("x").wait().map(|_| ()),
        failed.map(|_: Pid| ())
    );
    assert_eq!(wants_ints(), 0, "no process was left behind");
    // the caller is unharmed, and a good start still works
    let ok = actor::spawn_with_args("WantsInt", 5).unwrap();
    assert_eq!(msg!(std >> ok).wait().unwrap().data, 5);
}

/// A `stop` hook that panics.
#[derive(Default)]
struct BadStop;

#[actor]
impl BadStop {
    fn std(&mut self) {}

    fn stop(&mut self, _reason: Term) {
        panic!("cleanup failed");
    }
}

/// A panic in `stop` is the process's exit reason, as a crash in a
/// gen_server's `terminate` replaces the reason it was stopping with.
#[actor::test]
fn a_panic_in_stop_is_the_exit_reason() {
    let p = actor::spawn(BadStop).unwrap();
    let r = actor::monitor(p);
    actor::exit(p, Term::atom("bye"));
    let down = assert_receive!(Message { kind: Kind::Down, reference: Some(rr), .. } if *rr == r, timeout: LONG);
    assert_eq!(
        down.data["reason"],
        Term::tuple([Term::atom("panic"), Term::from("cleanup failed")])
    );
}
