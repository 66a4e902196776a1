//! Calls (`>>`): the reply with the same `Ref`, other messages kept in
//! order, timeouts and late replies, `NoProcess` and `Exit`, `.wait()` and
//! `.await`, and blocking waits inside processes.

use std::future::{Future, IntoFuture};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use actor::prelude::*;

mod common;
use common::LONG;

/// A process that ignores everything.
fn silent() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        loop {
            inbox.recv().await;
        }
    })
    .unwrap()
}

#[track_caller]
fn wait_down(pid: Pid, r: Ref) -> Message {
    assert_receive!(
        Message { kind: Kind::Down, from, reference, .. } if *from == pid && *reference == Some(r),
        timeout: LONG
    )
}

#[actor::test]
fn reply_carries_the_calls_ref() {
    let echo = actor::spawn("EchoActor").unwrap();
    let reply = msg!(std("hey") >> echo).wait().unwrap();
    assert_eq!(reply.kind, Kind::Std);
    assert_eq!(reply.data, "hey");
    assert_eq!(reply.from, echo);
    assert!(reply.reference.is_some());

    let r = Ref::new();
    let reply = msg!(info(7) ref r >> echo).wait().unwrap();
    assert_eq!(reply.kind, Kind::Info);
    assert_eq!(reply.reference, Some(r));
    assert_eq!(reply.data, 7);
    assert!(actor::pop_mailbox().is_none());
}

#[actor::test]
fn a_reply_with_another_ref_does_not_answer_the_call() {
    // Answers with a wrong ref first, then the right one.
    let server = actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        msg!(std("wrong") ref Ref::new() > m.from);
        msg!(std("right") ref m.reference > m.from);
    })
    .unwrap();
    let reply = msg!(std >> server).timeout(LONG).wait().unwrap();
    assert_eq!(reply.data, "right");
    assert_eq!(actor::pop_mailbox().unwrap().data, "wrong");
}

#[actor::test]
fn other_messages_stay_queued_in_order() {
    let me = actor::pid();
    msg!(info("before 1") > me);
    msg!(std("before 2") > me);
    // Sends three messages to the caller before it replies.
    let server = actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        for i in 1..=3 {
            msg!(info(format!("during {i}")) > m.from);
        }
        msg!(std("reply") ref m.reference > m.from);
    })
    .unwrap();
    let reply = msg!(std >> server).timeout(LONG).wait().unwrap();
    assert_eq!(reply.data, "reply");
    let rest: Vec<Term> = std::iter::from_fn(actor::pop_mailbox)
        .map(|m| m.data)
        .collect();
    assert_eq!(
        rest,
        ["before 1", "before 2", "during 1", "during 2", "during 3"].map(Term::from)
    );
}

#[actor::test]
fn awaited_call_keeps_other_messages_in_order() {
    let server = actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        msg!(info("during") > m.from);
        msg!(std("reply") ref m.reference > m.from);
    })
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |mut inbox: Inbox| async move {
        let me = inbox.pid();
        msg!(info("before") > me);
        let reply = msg!(std >> server).timeout(LONG).await;
        let first = inbox.try_recv().map(|m| m.data);
        let second = inbox.try_recv().map(|m| m.data);
        tx.send((reply.map(|m| m.data), first, second)).unwrap();
    })
    .unwrap();
    let (reply, first, second) = rx.recv_timeout(LONG).unwrap();
    assert_eq!(reply, Ok(Term::from("reply")));
    assert_eq!(first, Some(Term::from("before")));
    assert_eq!(second, Some(Term::from("during")));
}

/// A server that takes a call, tells `observer` it has it, waits for `go`,
/// then replies and sends `done` after the reply.
fn late_replier(observer: Pid) -> Pid {
    actor::spawn(move |mut inbox: Inbox| async move {
        let call = inbox.recv_match(|m| m.reference.is_some()).await;
        msg!(info("got the call") > observer);
        inbox.recv_match(|m| m.data == "go").await;
        msg!(std("late") ref call.reference > call.from);
        msg!(info("done") > call.from);
    })
    .unwrap()
}

#[actor::test]
fn timed_out_call_drops_the_late_reply() {
    let me = actor::pid();
    let server = late_replier(me);
    let res = msg!(std >> server)
        .timeout(Duration::from_millis(50))
        .wait();
    assert_eq!(res.unwrap_err(), CallError::Timeout);
    assert_receive!(Message { data, .. } if *data == "got the call", timeout: LONG);
    msg!(info("go") > server);
    // The reply was sent before `done`: had it been kept, it would come first.
    let m = assert_receive!(_, timeout: LONG);
    assert_eq!(m.data, "done", "the late reply reached the mailbox: {m:?}");
    assert!(actor::pop_mailbox().is_none());
    // The process still calls fine.
    let echo = actor::spawn("EchoActor").unwrap();
    assert_eq!(msg!(std(1) >> echo).wait().unwrap().data, 1);
}

#[actor::test]
fn timed_out_call_drops_the_late_reply_in_a_later_call() {
    let me = actor::pid();
    let server = late_replier(me);
    let res = msg!(std >> server)
        .timeout(Duration::from_millis(50))
        .wait();
    assert_eq!(res, Err(CallError::Timeout));
    assert_receive!(Message { data, .. } if *data == "got the call", timeout: LONG);
    msg!(info("go") > server);
    // Wait for `done` inside another call: the late reply arrives while
    // that call is waiting and must not be set aside for later.
    let _ = msg!(std >> silent())
        .timeout(Duration::from_millis(200))
        .wait();
    let m = assert_receive!(_, timeout: LONG);
    assert_eq!(m.data, "done", "the late reply reached the mailbox: {m:?}");
    assert!(actor::pop_mailbox().is_none());
}

#[actor::test]
fn awaited_call_times_out_and_drops_the_late_reply() {
    let me = actor::pid();
    let server = late_replier(me);
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |mut inbox: Inbox| async move {
        let res = msg!(std >> server).timeout(Duration::from_millis(50)).await;
        tx.send(res.map(|m| m.data)).unwrap();
        let m = inbox.recv_timeout(LONG).await;
        tx.send(Ok(m.map_or(Term::from("nothing"), |m| m.data)))
            .unwrap();
    })
    .unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), Err(CallError::Timeout));
    assert_receive!(Message { data, .. } if *data == "got the call", timeout: LONG);
    msg!(info("go") > server);
    assert_eq!(rx.recv_timeout(LONG).unwrap(), Ok(Term::from("done")));
}

#[actor::test]
fn default_timeout_is_five_seconds() {
    assert_eq!(Call::DEFAULT_TIMEOUT, Duration::from_secs(5));
    let start = Instant::now();
    let res = msg!(std >> silent()).wait();
    let waited = start.elapsed();
    assert_eq!(res, Err(CallError::Timeout));
    assert!(waited >= Duration::from_millis(4900), "{waited:?}");
}

#[actor::test]
fn call_to_a_dead_pid_or_unknown_name_is_noprocess() {
    let (pid, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
    wait_down(pid, r);
    assert_eq!(msg!(std >> pid).wait(), Err(CallError::NoProcess));
    assert_eq!(
        msg!(std >> "calls_nobody_has_this_name").wait(),
        Err(CallError::NoProcess)
    );
    let awaited = actor::runtime().block_on(msg!(std >> pid).into_future());
    assert_eq!(awaited, Err(CallError::NoProcess));
}

#[actor::test]
fn callee_dying_mid_call_gives_exit_with_its_reason() {
    // Panics while handling the call.
    let p = actor::spawn(|mut inbox: Inbox| async move {
        inbox.recv().await;
        panic!("boom in call");
    })
    .unwrap();
    let err = msg!(std >> p).timeout(LONG).wait().unwrap_err();
    assert_eq!(
        err,
        CallError::Exit(Term::from((Term::atom("panic"), "boom in call")))
    );

    // Ends normally without replying.
    let p = actor::spawn(|mut inbox: Inbox| async move {
        inbox.recv().await;
    })
    .unwrap();
    let err = msg!(std >> p).timeout(LONG).wait().unwrap_err();
    assert_eq!(err, CallError::Exit(Term::atom("normal")));

    // Killed by someone else while it holds the call.
    let me = actor::pid();
    let p = actor::spawn(move |mut inbox: Inbox| async move {
        let _call = inbox.recv().await;
        msg!(info("holding") > me);
        std::future::pending::<()>().await;
    })
    .unwrap();
    let caller = std::thread::spawn(move || msg!(std >> p).timeout(LONG).wait());
    assert_receive!(Message { data, .. } if *data == "holding", timeout: LONG);
    actor::kill(p);
    let err = caller.join().unwrap().unwrap_err();
    assert_eq!(err, CallError::Exit(Term::atom("killed")));
}

/// A process that makes one call to `to`, tells `observer` once the request
/// is sent, and hands the result to `tx`.
fn caller(to: Pid, observer: Pid, tx: std::sync::mpsc::Sender<Result<Message, CallError>>) {
    actor::spawn(move |_inbox: Inbox| async move {
        let mut fut = Box::pin(msg!(std >> to).timeout(LONG).into_future());
        // The first poll sends the request.
        let first = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
        msg!(info("sent") > observer);
        let res = match first {
            Poll::Ready(res) => res,
            Poll::Pending => fut.await,
        };
        tx.send(res).unwrap();
    })
    .unwrap();
}

#[actor::test]
fn queued_calls_fail_when_the_callee_dies() {
    let me = actor::pid();
    // Takes one call and holds it; the others stay queued.
    let p = actor::spawn(move |mut inbox: Inbox| async move {
        let _first = inbox.recv().await;
        msg!(info("holding") > me);
        std::future::pending::<()>().await;
    })
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..5 {
        caller(p, me, tx.clone());
    }
    let mut notes: Vec<Term> = (0..6)
        .map(|_| assert_receive!(_, timeout: LONG).data)
        .collect();
    notes.sort();
    assert_eq!(
        notes,
        ["holding", "sent", "sent", "sent", "sent", "sent"].map(Term::from)
    );
    let r = actor::monitor(p);
    actor::exit(p, Term::atom("shutdown"));
    assert_eq!(wait_down(p, r).data["reason"], Term::atom("shutdown"));
    for _ in 0..5 {
        let res = rx.recv_timeout(LONG).unwrap();
        assert_eq!(res.unwrap_err(), CallError::Exit(Term::atom("shutdown")));
    }
}

/// An actor: `{hang: Observer}` never finishes, `panic` panics, anything
/// else is echoed.
#[derive(Default)]
struct Moody;

#[actor]
impl Moody {
    async fn std(&mut self, msg: Message) {
        if let Some(observer) = msg.data["hang"].as_pid() {
            msg!(info("hanging") > observer);
            std::future::pending::<()>().await;
        } else if msg.data == "panic" {
            panic!("moody");
        } else {
            msg!(std(msg.data.clone()) ref msg.reference > msg.from);
        }
    }
}

#[actor::test]
fn actor_dying_mid_call_gives_exit() {
    let a = actor::spawn(Moody).unwrap();
    assert_eq!(msg!(std("hi") >> a).wait().unwrap().data, "hi");
    let err = msg!(std("panic") >> a).timeout(LONG).wait().unwrap_err();
    assert_eq!(
        err,
        CallError::Exit(Term::from((Term::atom("panic"), "moody")))
    );

    let a = actor::spawn(Moody).unwrap();
    let me = actor::pid();
    let caller = std::thread::spawn(move || msg!(std { hang: me } >> a).timeout(LONG).wait());
    assert_receive!(Message { data, .. } if *data == "hanging", timeout: LONG);
    actor::kill(a);
    let err = caller.join().unwrap().unwrap_err();
    assert_eq!(err, CallError::Exit(Term::atom("killed")));
}

#[actor::test]
fn await_and_wait_give_the_same_result() {
    let echo = actor::spawn("EchoActor").unwrap();
    let waited = msg!(std("x") >> echo).wait().unwrap();
    let awaited = actor::runtime()
        .block_on(msg!(std("x") >> echo).into_future())
        .unwrap();
    assert_eq!(waited.data, awaited.data);
    assert_eq!(waited.from, awaited.from);
    // In a raw process too.
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |_inbox: Inbox| async move {
        let r = msg!(info("from a task") >> echo).await;
        tx.send(r.map(|m| (m.kind, m.data))).unwrap();
    })
    .unwrap();
    assert_eq!(
        rx.recv_timeout(LONG).unwrap(),
        Ok((Kind::Info, Term::from("from a task")))
    );
}

#[actor::test]
fn concurrent_awaited_calls_in_one_process_each_get_their_reply() {
    // Takes two calls, then answers the second first.
    let server = actor::spawn(|mut inbox: Inbox| async move {
        let a = inbox.recv().await;
        let b = inbox.recv().await;
        msg!(std(b.data.clone()) ref b.reference > b.from);
        msg!(std(a.data.clone()) ref a.reference > a.from);
    })
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |mut inbox: Inbox| async move {
        let a = msg!(std("a") >> server).timeout(LONG);
        let b = msg!(std("b") >> server).timeout(LONG);
        let (a, b) = tokio::join!(a.into_future(), b.into_future());
        tx.send((a.map(|m| m.data), b.map(|m| m.data), inbox.try_recv()))
            .unwrap();
    })
    .unwrap();
    let (a, b, left) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(a, Ok(Term::from("a")));
    assert_eq!(b, Ok(Term::from("b")));
    assert!(left.is_none(), "a reply was left in the mailbox: {left:?}");
}

#[actor::test]
fn concurrent_awaited_calls_each_hear_of_the_callees_exit() {
    let me = actor::pid();
    let server = actor::spawn(move |mut inbox: Inbox| async move {
        inbox.recv().await;
        inbox.recv().await;
        msg!(info("holding both") > me);
        std::future::pending::<()>().await;
    })
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |_inbox: Inbox| async move {
        let a = msg!(std("a") >> server).timeout(LONG);
        let b = msg!(std("b") >> server).timeout(LONG);
        let (a, b) = tokio::join!(a.into_future(), b.into_future());
        tx.send((a.map(|m| m.data), b.map(|m| m.data))).unwrap();
    })
    .unwrap();
    assert_receive!(Message { data, .. } if *data == "holding both", timeout: LONG);
    actor::exit(server, "stop");
    let (a, b) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(a, Err(CallError::Exit(Term::from("stop"))));
    assert_eq!(b, Err(CallError::Exit(Term::from("stop"))));
}

#[actor::test]
fn wait_inside_processes_does_not_deadlock_the_runtime() {
    // A chain of 8 processes (more than the worker count), each blocking
    // in `.wait()` on the next; the last one answers.
    let mut next = actor::spawn(|mut inbox: Inbox| async move {
        loop {
            let m = inbox.recv().await;
            msg!(std(0) ref m.reference > m.from);
        }
    })
    .unwrap();
    for _ in 0..8 {
        let to = next;
        next = actor::spawn(move |mut inbox: Inbox| async move {
            loop {
                let m = inbox.recv().await;
                let n = msg!(std >> to).timeout(LONG).wait();
                let n = n.map_or(-1000, |r| r.data.as_int().unwrap_or(-1000));
                msg!(std(n + 1) ref m.reference > m.from);
            }
        })
        .unwrap();
    }
    // All eight block at once while an unrelated process keeps working.
    let echo = actor::spawn("EchoActor").unwrap();
    let head = next;
    let callers: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(move || msg!(std >> head).timeout(LONG).wait()))
        .collect();
    assert_eq!(msg!(std(5) >> echo).timeout(LONG).wait().unwrap().data, 5);
    for c in callers {
        assert_eq!(c.join().unwrap().unwrap().data, 8);
    }
}

#[actor::test]
fn wait_inside_an_actor_handler_does_not_deadlock() {
    /// Forwards each call to `to` with `.wait()` and answers with its reply.
    struct Relay {
        to: Pid,
    }
    #[actor]
    impl Relay {
        /// `spawn_with_args("Relay", to)`.
        fn init(args: Term) -> Self {
            let to = args
                .as_pid()
                .expect("spawn a Relay with the pid to forward to");
            Relay { to }
        }
        async fn std(&mut self, msg: Message) {
            let r = msg!(std(msg.data.clone()) >> self.to).timeout(LONG).wait();
            msg!(std(r.map_or(Term::from("failed"), |m| m.data)) ref msg.reference > msg.from);
        }
    }
    let mut to = actor::spawn("EchoActor").unwrap();
    for _ in 0..8 {
        to = actor::spawn(Relay { to }).unwrap();
    }
    let reply = msg!(std("through 8") >> to).timeout(LONG).wait().unwrap();
    assert_eq!(reply.data, "through 8");
}

#[actor::test]
fn a_process_blocked_in_wait_dies_when_killed() {
    let me = actor::pid();
    let target = silent();
    let blocked = actor::spawn(move |_inbox: Inbox| async move {
        msg!(info("waiting") > me);
        let _ = msg!(std >> target).timeout(Duration::from_secs(120)).wait();
        msg!(info("woke up") > me);
    })
    .unwrap();
    let r = actor::monitor(blocked);
    assert_receive!(Message { data, .. } if *data == "waiting", timeout: LONG);
    actor::kill(blocked);
    let down = actor::receive_match_timeout(|m| m.kind == Kind::Down, Duration::from_secs(20))
        .expect("a process blocked in `.wait()` did not die when killed");
    assert_eq!(down.reference, Some(r));
    assert_eq!(down.data["reason"], Term::atom("killed"));
    assert!(actor::pop_mailbox().is_none(), "it ran on after the kill");
}

#[actor::test]
fn a_process_blocked_in_receive_dies_when_killed() {
    let me = actor::pid();
    let blocked = actor::spawn(move |_inbox: Inbox| async move {
        msg!(info("waiting") > me);
        actor::receive();
        msg!(info("woke up") > me);
    })
    .unwrap();
    let r = actor::monitor(blocked);
    assert_receive!(Message { data, .. } if *data == "waiting", timeout: LONG);
    actor::exit(blocked, "go away");
    let down = actor::receive_match_timeout(|m| m.kind == Kind::Down, Duration::from_secs(20))
        .expect("a process blocked in `receive()` did not die on an exit signal");
    assert_eq!(down.reference, Some(r));
    assert_eq!(down.data["reason"], "go away");
    assert!(actor::pop_mailbox().is_none(), "it ran on after the exit");
}

#[actor::test]
fn a_dropped_call_future_drops_the_late_reply() {
    let me = actor::pid();
    let server = late_replier(me);
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |mut inbox: Inbox| async move {
        // The caller's own timeout drops the call's future.
        let fut = msg!(std >> server).timeout(LONG).into_future();
        let res = tokio::time::timeout(Duration::from_millis(50), fut).await;
        tx.send(Term::from(res.is_err())).unwrap();
        let m = inbox.recv_timeout(LONG).await;
        tx.send(m.map_or(Term::from("nothing"), |m| m.data))
            .unwrap();
    })
    .unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), true);
    assert_receive!(Message { data, .. } if *data == "got the call", timeout: LONG);
    msg!(info("go") > server);
    assert_eq!(rx.recv_timeout(LONG).unwrap(), "done");
}

#[actor::test]
fn many_concurrent_awaited_calls_answered_out_of_order() {
    // Takes 8 calls, then answers them last first.
    let server = actor::spawn(|mut inbox: Inbox| async move {
        loop {
            let mut calls = Vec::new();
            for _ in 0..8 {
                calls.push(inbox.recv().await);
            }
            for m in calls.iter().rev() {
                msg!(std(m.data.clone()) ref m.reference > m.from);
            }
        }
    })
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |mut inbox: Inbox| async move {
        for _ in 0..20 {
            let calls =
                (0..8).map(|i| Box::pin(msg!(std(i) >> server).timeout(LONG).into_future()));
            let mut results = Vec::new();
            // Poll them together, as `join_all` would.
            let mut pending: Vec<_> = calls.map(Some).collect();
            std::future::poll_fn(|cx| {
                for (i, slot) in pending.iter_mut().enumerate() {
                    if let Some(fut) = slot {
                        if let Poll::Ready(r) = fut.as_mut().poll(cx) {
                            results.push((i, r.map(|m| m.data)));
                            *slot = None;
                        }
                    }
                }
                if pending.iter().all(Option::is_none) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            results.sort_by_key(|(i, _)| *i);
            tx.send(results).unwrap();
        }
        tx.send(vec![(99, Ok(Term::from(inbox.try_recv().is_none())))])
            .unwrap();
    })
    .unwrap();
    for _ in 0..20 {
        let results = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        let expected: Vec<_> = (0..8).map(|i| (i, Ok(Term::from(i)))).collect();
        assert_eq!(results, expected);
    }
    let last = rx.recv_timeout(LONG).unwrap();
    assert_eq!(
        last,
        vec![(99, Ok(Term::from(true)))],
        "a reply was left over"
    );
}

/// An actor whose handler blocks in `.wait()` on a silent process, and whose
/// `stop` hook makes a call and reports its result to `observer`.
struct Blocker {
    observer: Pid,
    silent: Pid,
}

#[actor]
impl Blocker {
    /// `spawn_with_args("Blocker", {observer: Pid, silent: Pid})`.
    fn init(args: Term) -> Self {
        let pid = |key: &str| args[key].as_pid().expect("spawn a Blocker with its pids");
        Blocker {
            observer: pid("observer"),
            silent: pid("silent"),
        }
    }

    async fn std(&mut self) {
        msg!(info("blocking") > self.observer);
        let _ = msg!(std >> self.silent)
            .timeout(Duration::from_secs(120))
            .wait();
        msg!(info("woke up") > self.observer);
    }

    async fn stop(&mut self, reason: Term) {
        let echo = actor::spawn("EchoActor").unwrap();
        let r = msg!(std(reason) >> echo).timeout(LONG).wait();
        msg!(info(r.map_or(Term::from("failed"), |m| m.data)) > self.observer);
    }
}

#[actor::test]
fn an_actor_blocked_in_wait_stops_on_an_exit_signal_and_its_stop_hook_still_calls() {
    let me = actor::pid();
    let a = actor::spawn(Blocker {
        observer: me,
        silent: silent(),
    })
    .unwrap();
    let r = actor::monitor(a);
    msg!(std("go") > a);
    assert_receive!(Message { data, .. } if *data == "blocking", timeout: LONG);
    actor::exit(a, "enough");
    // The stop hook ran, and its own `.wait()` worked; then the Down.
    let m = assert_receive!(_, timeout: LONG);
    assert_eq!((m.kind, m.data), (Kind::Info, Term::from("enough")));
    let down = assert_receive!(_, timeout: LONG);
    assert_eq!((down.kind, down.reference), (Kind::Down, Some(r)));
    assert_eq!(down.data["reason"], "enough");
    assert!(actor::pop_mailbox().is_none(), "it ran on after the exit");
}

#[actor::test]
fn concurrent_awaited_calls_keep_their_own_timeouts() {
    let me = actor::pid();
    let server = late_replier(me);
    let quiet = silent();
    let (tx, rx) = std::sync::mpsc::channel();
    actor::spawn(move |_inbox: Inbox| async move {
        // The long call starts first, the short one beside it.
        let long = msg!(std >> server).timeout(LONG);
        let short = msg!(std >> quiet).timeout(Duration::from_millis(50));
        let (long, short) = tokio::join!(long.into_future(), async {
            let r = short.await;
            tx.send(r.clone().map(|m| m.data)).unwrap();
            r
        });
        let _ = short;
        tx.send(long.map(|m| m.data)).unwrap();
    })
    .unwrap();
    // The short one times out on its own deadline, the long one waits on.
    assert_eq!(rx.recv_timeout(LONG).unwrap(), Err(CallError::Timeout));
    assert_receive!(Message { data, .. } if *data == "got the call", timeout: LONG);
    msg!(info("go") > server);
    assert_eq!(rx.recv_timeout(LONG).unwrap(), Ok(Term::from("late")));
}

/// A call's result as a term: the reply's data, or the error's term
/// (`calling_self`, `timeout`, …).
fn outcome(res: Result<Message, CallError>) -> Term {
    match res {
        Ok(m) => Term::from((Term::atom("reply"), m.data)),
        Err(e) => Term::from(e),
    }
}

/// Calls to its own pid and to a name registered to it, from an actor's
/// sync handler (`.wait()`) and async handler (`.await`).
#[derive(Default)]
struct SelfCaller;

#[actor]
impl SelfCaller {
    fn std(&mut self, name: String) -> Term {
        actor::register(name.clone(), actor::pid()).unwrap();
        let by_pid = msg!(std >> actor::pid()).timeout(LONG).wait();
        let by_name = msg!(std >> name.as_str()).timeout(LONG).wait();
        actor::unregister(&name);
        Term::list([outcome(by_pid), outcome(by_name)])
    }

    async fn info(&mut self, name: String) -> Term {
        actor::register(name.clone(), actor::pid()).unwrap();
        let by_pid = msg!(std >> actor::pid()).timeout(LONG).await;
        let by_name = msg!(std >> name.as_str()).timeout(LONG).await;
        actor::unregister(&name);
        Term::list([outcome(by_pid), outcome(by_name)])
    }
}

// issue 9, item 5
#[actor::test]
fn a_call_to_oneself_fails_at_once_with_calling_self() {
    let both = || Term::list([Term::atom("calling_self"), Term::atom("calling_self")]);
    // A thread.
    let me = actor::pid();
    let started = Instant::now();
    assert_eq!(
        msg!(std >> me).timeout(LONG).wait(),
        Err(CallError::CallingSelf)
    );
    actor::register("calls_self_thread", me).unwrap();
    assert_eq!(
        msg!(std >> "calls_self_thread").timeout(LONG).wait(),
        Err(CallError::CallingSelf)
    );
    actor::unregister("calls_self_thread");
    assert!(started.elapsed() < LONG / 2, "{:?}", started.elapsed());

    // An actor's sync and async handlers.
    let a = actor::spawn(SelfCaller).unwrap();
    let sync = msg!(std("calls_self_sync") >> a).timeout(LONG * 3).wait();
    assert_eq!(sync.unwrap().data, both(), "from a sync handler");
    let awaited = msg!(info("calls_self_async") >> a).timeout(LONG * 3).wait();
    assert_eq!(awaited.unwrap().data, both(), "from an async handler");

    // A raw process, awaiting and waiting.
    let raw = actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        let me = actor::pid();
        actor::register("calls_self_raw", me).unwrap();
        let results = [
            outcome(msg!(std >> me).timeout(LONG).await),
            outcome(msg!(std >> "calls_self_raw").timeout(LONG).await),
            outcome(msg!(std >> me).timeout(LONG).wait()),
            outcome(msg!(std >> "calls_self_raw").timeout(LONG).wait()),
        ];
        actor::unregister("calls_self_raw");
        actor::reply(&m, Term::list(results));
    })
    .unwrap();
    let reply = msg!(std >> raw).timeout(LONG * 5).wait().unwrap();
    assert_eq!(
        reply.data,
        Term::list(std::array::from_fn::<_, 4, _>(|_| Term::atom(
            "calling_self"
        ))),
        "from a raw process"
    );
}

// issue 9, item 9
#[actor::test]
fn every_call_a_dying_process_took_fails_at_once_with_its_reason() {
    // Erlang: each gen_server:call monitors the callee, so every caller
    // hears of its exit, however many calls it had taken.
    const CALLS: usize = 100;
    // Takes every call without replying, then exits with `bye`.
    let server = actor::spawn(|mut inbox: Inbox| async move {
        let mut taken = Vec::new();
        while taken.len() < CALLS {
            taken.push(inbox.recv().await);
        }
        actor::exit_self("bye");
        std::future::pending::<()>().await;
    })
    .unwrap();
    let r = actor::monitor(server);
    let (tx, rx) = std::sync::mpsc::channel();
    // Half from threads (`.wait()`), half from processes (`.await`),
    // each with a timeout far beyond the test's patience.
    let patience = Duration::from_secs(120);
    for i in 0..CALLS {
        let tx = tx.clone();
        if i % 2 == 0 {
            std::thread::spawn(move || {
                let _ = tx.send((i, msg!(std(i) >> server).timeout(patience).wait()));
            });
        } else {
            actor::spawn(move |_inbox: Inbox| async move {
                let _ = tx.send((i, msg!(std(i) >> server).timeout(patience).await));
            })
            .unwrap();
        }
    }
    assert_eq!(wait_down(server, r).data["reason"], "bye");
    let deadline = Instant::now() + LONG;
    let mut heard = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(res) => heard.push(res),
            Err(_) => break,
        }
        if heard.len() == CALLS {
            break;
        }
    }
    assert_eq!(
        heard.len(),
        CALLS,
        "only {} of the {CALLS} callers heard of the exit within 10 s",
        heard.len()
    );
    for (i, res) in heard {
        assert_eq!(res, Err(CallError::Exit(Term::from("bye"))), "caller {i}");
    }
}

// issue 9, item 9 (stress)
#[actor::test]
fn callers_racing_a_dying_process_all_hear_at_once() {
    // The callee takes some of the calls and exits while the others are
    // queued or still on their way: each caller gets Exit (its call was
    // taken or queued) or NoProcess (it arrived after the exit), at once.
    const ROUNDS: usize = 100;
    const CALLERS: usize = 20;
    let (tx, rx) = std::sync::mpsc::channel();
    for round in 0..ROUNDS {
        let take = round % (CALLERS + 1);
        let reason = Term::from(("bye", round));
        let why = reason.clone();
        let server = actor::spawn(move |mut inbox: Inbox| async move {
            let mut taken = Vec::new();
            while taken.len() < take {
                taken.push(inbox.recv().await);
            }
            actor::exit_self(why);
            std::future::pending::<()>().await;
        })
        .unwrap();
        for _ in 0..CALLERS {
            let tx = tx.clone();
            actor::spawn(move |_inbox: Inbox| async move {
                let res = msg!(std >> server).timeout(Duration::from_secs(120)).await;
                let _ = tx.send(res);
            })
            .unwrap();
        }
        let mut exits = 0;
        for n in 0..CALLERS {
            let res = rx.recv_timeout(LONG).unwrap_or_else(|_| {
                panic!("round {round} (takes {take}): caller {n} of {CALLERS} heard nothing within 10 s")
            });
            match res {
                Err(CallError::Exit(r)) if r == reason => exits += 1,
                Err(CallError::NoProcess) => {}
                other => panic!("round {round} (takes {take}): {other:?}"),
            }
        }
        assert!(exits >= take, "round {round}: {exits} exits, {take} taken");
    }
}

#[test]
fn calls_joined_in_one_task_all_complete_without_waiting_for_their_timeouts() {
    // Calls polled together (`join_all` polls up to 30 together and more
    // through a FuturesUnordered, each with a waker of its own) share one
    // mailbox: none may miss its wake-up and wait out its timeout.
    const TIMEOUT: Duration = Duration::from_secs(10);
    let started = std::time::Instant::now();
    for k in [2usize, 31, 40, 300] {
        let echoes: Vec<Pid> = (0..k).map(|_| actor::spawn("EchoActor").unwrap()).collect();
        let ws = echoes.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |_inbox: Inbox| async move {
            for round in 0..50i64 {
                let calls = ws.iter().map(|&w| {
                    std::future::IntoFuture::into_future(msg!(std(round) >> w).timeout(TIMEOUT))
                });
                let replies = futures::future::join_all(calls).await;
                for r in replies {
                    let _ = tx.send(r.map(|m| m.data));
                }
            }
        })
        .unwrap();
        for _ in 0..50 * k {
            let got = rx
                .recv_timeout(TIMEOUT * 2)
                .expect("the joined calls stalled");
            assert!(got.is_ok(), "a joined call failed: {got:?}");
        }
        for e in echoes {
            actor::kill(e);
        }
    }
    assert!(
        started.elapsed() < TIMEOUT,
        "joined calls waited for a timeout: {:?}",
        started.elapsed()
    );
}

// A call's timer can fire between being armed and the caller's parking,
// when no waker is registered to hear it: the caller must look again, not
// sleep for ever (about one awaited call in 15 000 did, on 2 cores). The
// window is a worker thread preempted right there, so threads that spin
// beside the callers make it likelier.
#[actor::test]
fn awaited_calls_never_sleep_through_their_timeout() {
    const CALLERS: usize = 16;
    const CALLS: usize = 4000;
    /// Spins on 4 threads until dropped (a failed test included).
    struct Spinners(Arc<AtomicBool>);
    impl Drop for Spinners {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let spin = Spinners(Arc::new(AtomicBool::new(false)));
    for _ in 0..4 {
        let stop = spin.0.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        });
    }
    let server = silent();
    let me = actor::pid();
    for _ in 0..CALLERS {
        actor::spawn(move |_inbox: Inbox| async move {
            let mut timeouts = 0;
            for _ in 0..CALLS {
                let res = msg!(std >> server).timeout(Duration::from_millis(1)).await;
                timeouts += usize::from(res == Err(CallError::Timeout));
            }
            msg!(info(timeouts) > me);
        })
        .unwrap();
    }
    for _ in 0..CALLERS {
        let m = actor::receive_timeout(LONG * 6).expect("a caller slept through a call's timeout");
        assert_eq!(m.data, CALLS);
    }
    drop(spin);
    actor::kill(server);
}

// ---- a synchronous handler told to exit (found by a stranger's test) ------

/// A synchronous handler that blocks its thread for 300 ms: an exit signal
/// cannot stop it mid-way.
struct Sluggish;

#[actor]
impl Sluggish {
    fn std(&mut self) -> &'static str {
        std::thread::sleep(Duration::from_millis(300));
        "done"
    }
}

/// A process killed (or told to exit) while a synchronous handler ran
/// never answers: its caller hears the exit, as from Erlang, where the
/// process would have died at once.
#[actor::test]
fn a_process_told_to_exit_during_a_sync_handler_never_replies() {
    for (signal, reason) in [
        (None, Term::atom("killed")),
        (Some(Term::atom("shutdown")), Term::atom("shutdown")),
    ] {
        let slow = actor::spawn(Sluggish).unwrap();
        let call = std::thread::spawn(move || {
            msg!(std >> slow)
                .timeout(Duration::from_secs(10))
                .wait()
                .map(|m| m.data)
        });
        std::thread::sleep(Duration::from_millis(100));
        match &signal {
            None => actor::kill(slow),
            Some(r) => actor::exit(slow, r.clone()),
        }
        assert_eq!(call.join().unwrap(), Err(CallError::Exit(reason)));
    }
}

/// Only `std`: a call of another kind is answered at once with an `err`
/// rather than left to time out.
struct StdOnly;

#[actor]
impl StdOnly {
    fn std(&mut self) -> i64 {
        1
    }
}

#[actor::test]
fn a_call_of_a_kind_with_no_handler_gets_an_err_at_once() {
    let p = actor::spawn(StdOnly).unwrap();
    let t = Instant::now();
    let reply = msg!(info(5) >> p).timeout(LONG).wait().unwrap();
    assert!(t.elapsed() < Duration::from_secs(2), "answered at once");
    assert_eq!(reply.kind, Kind::Err);
    assert_eq!(
        reply.data,
        Term::tuple([Term::atom("no_handler"), Term::from("info")])
    );
    // and a call to nobody fails at once
    assert_eq!(msg!(std >> Pid::NOBODY).wait(), Err(CallError::NoProcess));
    // the actor keeps running; a cast of that kind is still only dropped
    msg!(info(5) > p);
    assert_eq!(msg!(std >> p).wait().unwrap().data, 1);
}
