//! What `#[actor]` and `msg!` expansions do at run time: dispatch by kind,
//! extractors, replies, decode failures, unhandled kinds, exit trapping,
//! registration by name and `init(args)`.

use std::time::Duration;

use actor::prelude::*;
use serde::Deserialize;

const WAIT: Duration = Duration::from_secs(5);
const SHORT: Duration = Duration::from_millis(200);

fn call(c: Call) -> Message {
    c.timeout(WAIT).wait().expect("a reply")
}

// ---- extractors -----------------------------------------------------------

#[derive(Deserialize)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(Default)]
struct Extract;

#[actor]
impl Extract {
    // Every extractor, in an order unlike the one they are filled in.
    fn std(&mut self, msg: Message, r: Option<Ref>, p: Point, data: Term, from: Pid) -> Term {
        assert_eq!(msg.data, data);
        assert_eq!((msg.from, msg.reference), (from, r));
        Term::from_iter([
            ("sum", Term::from(p.x + p.y)),
            ("from", from.into()),
            ("ref", r.into()),
            ("kind", msg.kind.name().into()),
        ])
    }
    fn info(&mut self, from: Pid, n: i64) -> Term {
        Term::from((from, n * 2))
    }
}

#[actor::test]
fn extractors_are_bound_by_type_in_any_order() {
    let pid = actor::spawn(Extract).unwrap();
    let r = Ref::new();
    let reply = call(msg!(std { x: 1, y: 2 } ref r >> pid));
    assert_eq!(reply.kind, Kind::Std);
    assert_eq!(reply.reference, Some(r));
    assert_eq!(reply.from, pid);
    assert_eq!(reply.data["sum"], 3);
    assert_eq!(reply.data["from"], actor::pid());
    assert_eq!(reply.data["ref"], r);
    assert_eq!(reply.data["kind"], "std");

    let reply = call(msg!(info(21) >> pid));
    assert_eq!(reply.data, Term::from((actor::pid(), 42)));
}

// ---- async handlers and hooks -------------------------------------------------

struct Hooks {
    owner: Pid,
    log: Vec<&'static str>,
}

#[actor]
impl Hooks {
    fn init(args: Term) -> Self {
        Hooks {
            owner: args.as_pid().expect("the owner's pid"),
            log: Vec::new(),
        }
    }
    async fn start(&mut self) {
        tokio::task::yield_now().await;
        self.log.push("start");
    }
    async fn std(&mut self, data: Term) -> Term {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.log.push("std");
        data
    }
    fn info(&mut self) -> Vec<&'static str> {
        self.log.clone()
    }
    async fn stop(&mut self, reason: Term) {
        tokio::task::yield_now().await;
        msg!(info { stopped: reason } > self.owner);
    }
}

#[actor::test]
fn async_handlers_and_hooks_run_in_order() {
    let pid = actor::spawn_with_args("Hooks", actor::pid()).unwrap();
    assert_eq!(call(msg!(std("a") >> pid)).data, "a");
    assert_eq!(call(msg!(info >> pid)).data, Term::list(["start", "std"]));
    let reply = actor::runtime().block_on(async move { msg!(std(7) >> pid).await });
    assert_eq!(reply.unwrap().data, 7);

    actor::exit(pid, Term::atom("shutdown"));
    let m = assert_receive!(Message { kind: Kind::Info, from, .. } if *from == pid, timeout: WAIT);
    assert_eq!(m.data["stopped"], Term::atom("shutdown"));
}

struct FailingStart;

#[actor]
impl FailingStart {
    fn init(_args: Term) -> Self {
        FailingStart
    }
    fn start(&mut self) -> Result<(), String> {
        Err("no config".to_owned())
    }
}

#[actor::test]
fn start_error_ends_the_process_with_that_reason() {
    let (pid, r) = actor::spawn_monitor("FailingStart").unwrap();
    let down = assert_receive!(
        Message { kind: Kind::Down, from, reference, .. } if *from == pid && *reference == Some(r),
        timeout: WAIT
    );
    assert_eq!(down.data["reason"], "no config");
}

// ---- replies ----------------------------------------------------------------

#[derive(Default)]
struct Replies {
    n: i64,
}

#[actor]
impl Replies {
    // `()`: never an automatic reply.
    fn std(&mut self, n: i64) {
        self.n += n;
    }
    // A value: the reply to a call.
    fn info(&mut self) -> i64 {
        self.n
    }
    // `Result<(), E>`: a reply only on `Err`.
    fn reload(&mut self, n: i64) -> Result<(), String> {
        if n < 0 {
            return Err(format!("{n} is negative"));
        }
        self.n = n;
        Ok(())
    }
}

#[derive(Default)]
struct Divider;

#[actor]
impl Divider {
    // `Result<T, E>`: `Ok` answers with the same kind, `Err` with `err`.
    async fn std(&mut self, [a, b]: [i64; 2]) -> Result<i64, Term> {
        match b {
            0 => Err(Term::atom("badarith")),
            b => Ok(a / b),
        }
    }
}

#[actor::test]
fn replies_follow_the_return_type() {
    let pid = actor::spawn(Replies::default()).unwrap();

    // `()`: a call gets no reply and times out; a cast changes the state.
    msg!(std(5) > pid);
    let e = msg!(std(1) >> pid).timeout(SHORT).wait();
    assert_eq!(e, Err(CallError::Timeout));

    // A value answers calls with the same kind...
    let reply = call(msg!(info >> pid));
    assert_eq!((reply.kind, reply.data), (Kind::Info, Term::from(6)));
    // ...and a cast gets nothing back.
    msg!(info > pid);
    refute_receive!(_, timeout: SHORT);

    // `Result<(), E>`: `Ok` is silent, `Err` is an `err` reply to a call.
    let e = msg!(reload(10) >> pid).timeout(SHORT).wait();
    assert_eq!(e, Err(CallError::Timeout));
    let reply = call(msg!(reload(-1) >> pid));
    assert_eq!(
        (reply.kind, reply.data),
        (Kind::Err, Term::from("-1 is negative"))
    );
    // An `Err` on a cast is logged, not sent.
    msg!(reload(-1) > pid);
    refute_receive!(_, timeout: SHORT);

    assert_eq!(call(msg!(info >> pid)).data, 10);

    // `Result<T, E>`.
    let pid = actor::spawn(Divider).unwrap();
    let reply = call(msg!(std([10, 2]) >> pid));
    assert_eq!((reply.kind, reply.data), (Kind::Std, Term::from(5)));
    let reply = call(msg!(std([1, 0]) >> pid));
    assert_eq!(
        (reply.kind, reply.data),
        (Kind::Err, Term::atom("badarith"))
    );
    msg!(std([1, 0]) > pid);
    refute_receive!(_, timeout: SHORT);
}

// ---- decode failures and unhandled kinds --------------------------------------

#[derive(Default)]
struct Typed;

#[actor]
impl Typed {
    fn std(&mut self, p: Point) -> i64 {
        p.x * p.y
    }
}

#[actor::test]
fn a_decode_failure_answers_err_and_the_actor_keeps_running() {
    let pid = actor::spawn(Typed).unwrap();
    let reply = call(msg!(std { x: 2, y: "three" } >> pid));
    assert_eq!(reply.kind, Kind::Err);
    assert!(reply.reference.is_some());
    assert_eq!(reply.data[0], Term::atom("badarg"));
    let why = reply.data[1].as_str().unwrap_or_default().to_owned();
    assert!(why.contains('y'), "the error names the field: {why}");

    // A cast that does not decode is logged and dropped.
    msg!(std("nonsense") > pid);
    refute_receive!(_, timeout: SHORT);

    assert!(actor::is_alive(pid));
    assert_eq!(call(msg!(std { x: 2, y: 3 } >> pid)).data, 6);
}

#[actor::test]
fn a_kind_without_handler_is_dropped() {
    let pid = actor::spawn(Typed).unwrap();
    msg!(info { x: 1 } > pid);
    msg!(reload > pid);
    msg!(up > pid);
    // a call of such a kind is answered at once with an `err`
    let e = msg!(err >> pid)
        .timeout(Duration::from_secs(10))
        .wait()
        .unwrap();
    assert_eq!(
        (e.kind, e.data),
        (
            Kind::Err,
            Term::tuple([Term::atom("no_handler"), Term::from("err")])
        )
    );
    assert!(actor::is_alive(pid));
    assert_eq!(call(msg!(std { x: 4, y: 5 } >> pid)).data, 20);
}

// ---- exits ------------------------------------------------------------------

/// Links to the pid it is told, reports deaths to its owner.
struct Trapper {
    owner: Pid,
}

#[actor]
impl Trapper {
    fn init(args: Term) -> Self {
        Trapper {
            owner: args.as_pid().expect("the owner's pid"),
        }
    }
    fn std(&mut self, data: Term) -> bool {
        data.as_pid().map(actor::link).is_some()
    }
    fn death(&mut self, from: Pid, data: Term) {
        msg!(
            info {
                dead: from,
                reason: data["reason"].clone()
            } > self.owner
        );
    }
}

/// The same, without a `death` handler.
struct NoTrap;

#[actor]
impl NoTrap {
    fn init(_args: Term) -> Self {
        NoTrap
    }
    fn std(&mut self, data: Term) -> bool {
        data.as_pid().map(actor::link).is_some()
    }
}

fn idle() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        loop {
            inbox.recv().await;
        }
    })
    .unwrap()
}

#[actor::test]
fn a_death_handler_traps_exits() {
    const _: () = assert!(<Trapper as Actor>::TRAP_EXIT);
    let trapper = actor::spawn_with_args("Trapper", actor::pid()).unwrap();
    let victim = idle();
    assert_eq!(call(msg!(std(victim) >> trapper)).data, true);

    actor::exit(victim, Term::atom("boom"));
    let m =
        assert_receive!(Message { kind: Kind::Info, from, .. } if *from == trapper, timeout: WAIT);
    assert_eq!(m.data["dead"], victim);
    assert_eq!(m.data["reason"], Term::atom("boom"));
    assert!(actor::is_alive(trapper));
}

#[actor::test]
fn no_death_handler_means_linked_exits_kill() {
    const _: () = assert!(!<NoTrap as Actor>::TRAP_EXIT);
    let (pid, r) = actor::spawn_monitor("NoTrap").unwrap();
    let victim = idle();
    assert_eq!(call(msg!(std(victim) >> pid)).data, true);

    actor::exit(victim, Term::atom("boom"));
    let down = assert_receive!(
        Message { kind: Kind::Down, from, reference, .. } if *from == pid && *reference == Some(r),
        timeout: WAIT
    );
    assert_eq!(down.data["reason"], Term::atom("boom"));
}

// ---- registration -----------------------------------------------------------

#[derive(Default)]
struct Named;

#[actor(name = "MacrosTestRenamed")]
impl Named {
    fn std(&mut self) -> &'static str {
        "renamed"
    }
}

#[derive(Default)]
struct ByDefault {
    n: i64,
}

#[actor]
impl ByDefault {
    fn std(&mut self) -> i64 {
        self.n += 1;
        self.n
    }
}

struct WithArgs {
    greeting: String,
}

#[actor]
impl WithArgs {
    fn init(args: Term) -> Self {
        WithArgs {
            greeting: args["greeting"].as_str().unwrap_or("hello").to_owned(),
        }
    }
    fn std(&mut self, name: String) -> String {
        format!("{} {name}", self.greeting)
    }
}

#[actor::test]
fn types_register_under_their_name_or_the_given_one() {
    let pid = actor::spawn("ByDefault").unwrap();
    assert_eq!(call(msg!(std >> pid)).data, 1);
    let pid = actor::spawn("macros::ByDefault").unwrap();
    assert_eq!(call(msg!(std >> pid)).data, 1);

    let pid = actor::spawn("MacrosTestRenamed").unwrap();
    assert_eq!(call(msg!(std >> pid)).data, "renamed");
    assert!(actor::spawn("Named").is_err());
    assert!(actor::registered_actors().contains(&"macros::MacrosTestRenamed".to_owned()));
}

#[actor::test]
fn init_gets_the_spawn_arguments() {
    let pid =
        actor::spawn_with_args("WithArgs", Term::from_iter([("greeting", "bonjour")])).unwrap();
    assert_eq!(call(msg!(std("Ada") >> pid)).data, "bonjour Ada");
    let pid = actor::spawn("WithArgs").unwrap();
    assert_eq!(call(msg!(std("Ada") >> pid)).data, "hello Ada");
}

// ---- msg! ---------------------------------------------------------------------

#[actor::test]
fn msg_builds_the_message() {
    let me = actor::pid();
    let r = Ref::new();
    let n = 2;
    msg!(info {
        hi: "hey",
        "two words": n + 1,
        nested: { list: [1, 2], none: None::<i64>, },
    } ref r > me);
    // A send to oneself is in the mailbox at once.
    let m = assert_receive!(
        Message { kind: Kind::Info, from, reference, .. } if *from == me && *reference == Some(r)
    );
    assert_eq!(m.data["hi"], "hey");
    assert_eq!(m.data["two words"], 3);
    assert_eq!(m.data["nested"]["list"], Term::list([1, 2]));
    assert_eq!(m.data["nested"]["none"], Term::Nil);

    msg!(std > me);
    assert_receive!(Message { kind: Kind::Std, data, reference: None, .. } if *data == Term::map());

    msg!(err((1, "a")) ref Some(r) > &me);
    assert_receive!(
        Message { kind: Kind::Err, data, reference: Some(got), .. }
            if *data == Term::from((1, "a")) && *got == r
    );
}

#[actor::test]
fn msg_reaches_registered_names() {
    let echo = actor::spawn("EchoActor").unwrap();
    actor::register("macros-test-echo", echo).unwrap();
    let reply = call(msg!(std { via: "name" } >> "macros-test-echo"));
    assert_eq!(
        (reply.from, reply.data["via"].clone()),
        (echo, Term::from("name"))
    );
    let name = String::from("macros-test-echo");
    msg!(info(1) > name);
    assert_receive!(Message { from, data, .. } if *from == echo && *data == 1, timeout: WAIT);
    assert_eq!(
        msg!(std >> "macros-test-nobody").timeout(SHORT).wait(),
        Err(CallError::NoProcess)
    );
}

#[actor::test]
fn msg_to_a_name_on_another_node_fails_without_distribution() {
    let e = msg!(std >> ("nobody", "elsewhere@nowhere"))
        .timeout(SHORT)
        .wait();
    assert!(e.is_err(), "{e:?}");
}
