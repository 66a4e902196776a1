//! Calls (`>>`): the reply with the same `Ref`, other messages kept in
//! order, timeouts and late replies, `NoProcess` and `Exit`, `.wait()` and
//! `.await`, and blocking waits inside processes.

use std::future::{Future, IntoFuture};
use std::task::Poll;
use std::time::{Duration, Instant};

use actor::prelude::*;
use actor::{IntoSpawn, IntoTarget};

const LONG: Duration = Duration::from_secs(10);

// The function API `msg!` expands to.
fn send(to: impl IntoTarget, kind: Kind, data: impl Into<Term>) {
    actor::__private::send(to, kind, data.into(), None);
}

fn reply_to(m: &Message, data: impl Into<Term>) {
    actor::__private::send(m.from, Kind::Std, data.into(), m.reference);
}

fn call(to: impl IntoTarget, kind: Kind, data: impl Into<Term>) -> Call {
    actor::__private::call(to, kind, data.into(), None)
}

fn recv() -> Message {
    actor::receive_timeout(LONG).expect("no message within 10 s")
}

/// Runs `f` in a fresh thread, so it is a fresh process with an empty
/// mailbox whatever thread the test harness uses.
fn isolated<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A process that ignores everything.
fn silent() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        loop {
            inbox.recv().await;
        }
    })
    .unwrap()
}

fn wait_down(pid: Pid, r: Ref) -> Message {
    let m = actor::receive_match_timeout(|m| m.kind == Kind::Down && m.reference == Some(r), LONG)
        .expect("no Down within 10 s");
    assert_eq!(m.from, pid);
    m
}

#[test]
fn reply_carries_the_calls_ref() {
    isolated(|| {
        let echo = actor::spawn("EchoActor").unwrap();
        let reply = call(echo, Kind::Std, "hey").wait().unwrap();
        assert_eq!(reply.kind, Kind::Std);
        assert_eq!(reply.data, "hey");
        assert_eq!(reply.from, echo);
        assert!(reply.reference.is_some());

        let r = Ref::new();
        let reply = actor::__private::call(echo, Kind::Info, Term::from(7), Some(r))
            .wait()
            .unwrap();
        assert_eq!(reply.kind, Kind::Info);
        assert_eq!(reply.reference, Some(r));
        assert_eq!(reply.data, 7);
        assert!(actor::pop_mailbox().is_none());
    });
}

#[test]
fn a_reply_with_another_ref_does_not_answer_the_call() {
    isolated(|| {
        // Answers with a wrong ref first, then the right one.
        let server = actor::spawn(|mut inbox: Inbox| async move {
            let m = inbox.recv().await;
            actor::__private::send(m.from, Kind::Std, "wrong".into(), Some(Ref::new()));
            reply_to(&m, "right");
        })
        .unwrap();
        let reply = call(server, Kind::Std, Term::map())
            .timeout(LONG)
            .wait()
            .unwrap();
        assert_eq!(reply.data, "right");
        assert_eq!(actor::pop_mailbox().unwrap().data, "wrong");
    });
}

#[test]
fn other_messages_stay_queued_in_order() {
    isolated(|| {
        let me = actor::pid();
        send(me, Kind::Info, "before 1");
        send(me, Kind::Std, "before 2");
        // Sends three messages to the caller before it replies.
        let server = actor::spawn(|mut inbox: Inbox| async move {
            let m = inbox.recv().await;
            for i in 1..=3 {
                send(m.from, Kind::Info, format!("during {i}"));
            }
            reply_to(&m, "reply");
        })
        .unwrap();
        let reply = call(server, Kind::Std, Term::map())
            .timeout(LONG)
            .wait()
            .unwrap();
        assert_eq!(reply.data, "reply");
        let rest: Vec<Term> = std::iter::from_fn(actor::pop_mailbox)
            .map(|m| m.data)
            .collect();
        assert_eq!(
            rest,
            ["before 1", "before 2", "during 1", "during 2", "during 3"].map(Term::from)
        );
    });
}

#[test]
fn awaited_call_keeps_other_messages_in_order() {
    isolated(|| {
        let server = actor::spawn(|mut inbox: Inbox| async move {
            let m = inbox.recv().await;
            send(m.from, Kind::Info, "during");
            reply_to(&m, "reply");
        })
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |mut inbox: Inbox| async move {
            let me = inbox.pid();
            send(me, Kind::Info, "before");
            let reply = call(server, Kind::Std, Term::map()).timeout(LONG).await;
            let first = inbox.try_recv().map(|m| m.data);
            let second = inbox.try_recv().map(|m| m.data);
            tx.send((reply.map(|m| m.data), first, second)).unwrap();
        })
        .unwrap();
        let (reply, first, second) = rx.recv_timeout(LONG).unwrap();
        assert_eq!(reply, Ok(Term::from("reply")));
        assert_eq!(first, Some(Term::from("before")));
        assert_eq!(second, Some(Term::from("during")));
    });
}

/// A server that takes a call, tells `observer` it has it, waits for `go`,
/// then replies and sends `done` after the reply.
fn late_replier(observer: Pid) -> Pid {
    actor::spawn(move |mut inbox: Inbox| async move {
        let call = inbox.recv_match(|m| m.reference.is_some()).await;
        send(observer, Kind::Info, "got the call");
        inbox.recv_match(|m| m.data == "go").await;
        reply_to(&call, "late");
        send(call.from, Kind::Info, "done");
    })
    .unwrap()
}

#[test]
fn timed_out_call_drops_the_late_reply() {
    isolated(|| {
        let me = actor::pid();
        let server = late_replier(me);
        let res = call(server, Kind::Std, Term::map())
            .timeout(Duration::from_millis(50))
            .wait();
        assert_eq!(res.unwrap_err(), CallError::Timeout);
        assert_eq!(recv().data, "got the call");
        send(server, Kind::Info, "go");
        // The reply was sent before `done`: had it been kept, it would come first.
        let m = recv();
        assert_eq!(m.data, "done", "the late reply reached the mailbox: {m:?}");
        assert!(actor::pop_mailbox().is_none());
        // The process still calls fine.
        let echo = actor::spawn("EchoActor").unwrap();
        assert_eq!(call(echo, Kind::Std, 1).wait().unwrap().data, 1);
    });
}

#[test]
fn timed_out_call_drops_the_late_reply_in_a_later_call() {
    isolated(|| {
        let me = actor::pid();
        let server = late_replier(me);
        let res = call(server, Kind::Std, Term::map())
            .timeout(Duration::from_millis(50))
            .wait();
        assert_eq!(res, Err(CallError::Timeout));
        assert_eq!(recv().data, "got the call");
        send(server, Kind::Info, "go");
        // Wait for `done` inside another call: the late reply arrives while
        // that call is waiting and must not be set aside for later.
        let _ = call(silent(), Kind::Std, Term::map())
            .timeout(Duration::from_millis(200))
            .wait();
        let m = recv();
        assert_eq!(m.data, "done", "the late reply reached the mailbox: {m:?}");
        assert!(actor::pop_mailbox().is_none());
    });
}

#[test]
fn awaited_call_times_out_and_drops_the_late_reply() {
    isolated(|| {
        let me = actor::pid();
        let server = late_replier(me);
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |mut inbox: Inbox| async move {
            let res = call(server, Kind::Std, Term::map())
                .timeout(Duration::from_millis(50))
                .await;
            tx.send(res.map(|m| m.data)).unwrap();
            let m = inbox.recv_timeout(LONG).await;
            tx.send(Ok(m.map_or(Term::from("nothing"), |m| m.data)))
                .unwrap();
        })
        .unwrap();
        assert_eq!(rx.recv_timeout(LONG).unwrap(), Err(CallError::Timeout));
        assert_eq!(recv().data, "got the call");
        send(server, Kind::Info, "go");
        assert_eq!(rx.recv_timeout(LONG).unwrap(), Ok(Term::from("done")));
    });
}

#[test]
fn default_timeout_is_five_seconds() {
    assert_eq!(Call::DEFAULT_TIMEOUT, Duration::from_secs(5));
    isolated(|| {
        let start = Instant::now();
        let res = call(silent(), Kind::Std, Term::map()).wait();
        let waited = start.elapsed();
        assert_eq!(res, Err(CallError::Timeout));
        assert!(waited >= Duration::from_millis(4900), "{waited:?}");
    });
}

#[test]
fn call_to_a_dead_pid_or_unknown_name_is_noprocess() {
    isolated(|| {
        let (pid, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
        wait_down(pid, r);
        assert_eq!(
            call(pid, Kind::Std, Term::map()).wait(),
            Err(CallError::NoProcess)
        );
        assert_eq!(
            call("calls_nobody_has_this_name", Kind::Std, Term::map()).wait(),
            Err(CallError::NoProcess)
        );
        let awaited = actor::runtime().block_on(call(pid, Kind::Std, Term::map()).into_future());
        assert_eq!(awaited, Err(CallError::NoProcess));
    });
}

#[test]
fn callee_dying_mid_call_gives_exit_with_its_reason() {
    isolated(|| {
        // Panics while handling the call.
        let p = actor::spawn(|mut inbox: Inbox| async move {
            inbox.recv().await;
            panic!("boom in call");
        })
        .unwrap();
        let err = call(p, Kind::Std, Term::map())
            .timeout(LONG)
            .wait()
            .unwrap_err();
        assert_eq!(
            err,
            CallError::Exit(Term::from((Term::atom("panic"), "boom in call")))
        );

        // Ends normally without replying.
        let p = actor::spawn(|mut inbox: Inbox| async move {
            inbox.recv().await;
        })
        .unwrap();
        let err = call(p, Kind::Std, Term::map())
            .timeout(LONG)
            .wait()
            .unwrap_err();
        assert_eq!(err, CallError::Exit(Term::atom("normal")));

        // Killed by someone else while it holds the call.
        let me = actor::pid();
        let p = actor::spawn(move |mut inbox: Inbox| async move {
            let _call = inbox.recv().await;
            send(me, Kind::Info, "holding");
            std::future::pending::<()>().await;
        })
        .unwrap();
        let caller =
            std::thread::spawn(move || call(p, Kind::Std, Term::map()).timeout(LONG).wait());
        assert_eq!(recv().data, "holding");
        actor::kill(p);
        let err = caller.join().unwrap().unwrap_err();
        assert_eq!(err, CallError::Exit(Term::atom("killed")));
    });
}

/// A process that makes one call to `to`, tells `observer` once the request
/// is sent, and hands the result to `tx`.
fn caller(to: Pid, observer: Pid, tx: std::sync::mpsc::Sender<Result<Message, CallError>>) {
    actor::spawn(move |_inbox: Inbox| async move {
        let mut fut = Box::pin(call(to, Kind::Std, Term::map()).timeout(LONG).into_future());
        // The first poll sends the request.
        let first = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
        send(observer, Kind::Info, "sent");
        let res = match first {
            Poll::Ready(res) => res,
            Poll::Pending => fut.await,
        };
        tx.send(res).unwrap();
    })
    .unwrap();
}

#[test]
fn queued_calls_fail_when_the_callee_dies() {
    isolated(|| {
        let me = actor::pid();
        // Takes one call and holds it; the others stay queued.
        let p = actor::spawn(move |mut inbox: Inbox| async move {
            let _first = inbox.recv().await;
            send(me, Kind::Info, "holding");
            std::future::pending::<()>().await;
        })
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..5 {
            caller(p, me, tx.clone());
        }
        let mut notes: Vec<Term> = (0..6).map(|_| recv().data).collect();
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
    });
}

/// An actor written against the trait: `{hang: Observer}` never finishes, `panic` panics,
/// anything else is echoed.
#[derive(Default)]
struct Moody;

impl Actor for Moody {
    async fn handle(&mut self, msg: Message) {
        if let Some(observer) = msg.data["hang"].as_pid() {
            send(observer, Kind::Info, "hanging");
            std::future::pending::<()>().await;
        } else if msg.data == "panic" {
            panic!("moody");
        } else {
            reply_to(&msg, msg.data.clone());
        }
    }
}

impl IntoSpawn for Moody {
    fn into_spawn(
        self,
        opts: actor::__private::SpawnOpts,
    ) -> Result<(Pid, Option<Ref>), SpawnError> {
        Ok(actor::__private::spawn_actor(self, opts))
    }
}

#[test]
fn actor_dying_mid_call_gives_exit() {
    isolated(|| {
        let a = actor::spawn(Moody).unwrap();
        assert_eq!(call(a, Kind::Std, "hi").wait().unwrap().data, "hi");
        let err = call(a, Kind::Std, "panic")
            .timeout(LONG)
            .wait()
            .unwrap_err();
        assert_eq!(
            err,
            CallError::Exit(Term::from((Term::atom("panic"), "moody")))
        );

        let a = actor::spawn(Moody).unwrap();
        let me = actor::pid();
        let hang: Term = [("hang", me)].into_iter().collect();
        let caller = std::thread::spawn(move || call(a, Kind::Std, hang).timeout(LONG).wait());
        assert_eq!(recv().data, "hanging");
        actor::kill(a);
        let err = caller.join().unwrap().unwrap_err();
        assert_eq!(err, CallError::Exit(Term::atom("killed")));
    });
}

#[test]
fn await_and_wait_give_the_same_result() {
    isolated(|| {
        let echo = actor::spawn("EchoActor").unwrap();
        let waited = call(echo, Kind::Std, "x").wait().unwrap();
        let awaited = actor::runtime()
            .block_on(call(echo, Kind::Std, "x").into_future())
            .unwrap();
        assert_eq!(waited.data, awaited.data);
        assert_eq!(waited.from, awaited.from);
        // In a raw process too.
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |_inbox: Inbox| async move {
            let r = call(echo, Kind::Info, "from a task").await;
            tx.send(r.map(|m| (m.kind, m.data))).unwrap();
        })
        .unwrap();
        assert_eq!(
            rx.recv_timeout(LONG).unwrap(),
            Ok((Kind::Info, Term::from("from a task")))
        );
    });
}

#[test]
fn concurrent_awaited_calls_in_one_process_each_get_their_reply() {
    isolated(|| {
        // Takes two calls, then answers the second first.
        let server = actor::spawn(|mut inbox: Inbox| async move {
            let a = inbox.recv().await;
            let b = inbox.recv().await;
            reply_to(&b, b.data.clone());
            reply_to(&a, a.data.clone());
        })
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |mut inbox: Inbox| async move {
            let a = call(server, Kind::Std, "a").timeout(LONG);
            let b = call(server, Kind::Std, "b").timeout(LONG);
            let (a, b) = tokio::join!(a.into_future(), b.into_future());
            tx.send((a.map(|m| m.data), b.map(|m| m.data), inbox.try_recv()))
                .unwrap();
        })
        .unwrap();
        let (a, b, left) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(a, Ok(Term::from("a")));
        assert_eq!(b, Ok(Term::from("b")));
        assert!(left.is_none(), "a reply was left in the mailbox: {left:?}");
    });
}

#[test]
fn concurrent_awaited_calls_each_hear_of_the_callees_exit() {
    isolated(|| {
        let me = actor::pid();
        let server = actor::spawn(move |mut inbox: Inbox| async move {
            inbox.recv().await;
            inbox.recv().await;
            send(me, Kind::Info, "holding both");
            std::future::pending::<()>().await;
        })
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |_inbox: Inbox| async move {
            let a = call(server, Kind::Std, "a").timeout(LONG);
            let b = call(server, Kind::Std, "b").timeout(LONG);
            let (a, b) = tokio::join!(a.into_future(), b.into_future());
            tx.send((a.map(|m| m.data), b.map(|m| m.data))).unwrap();
        })
        .unwrap();
        assert_eq!(recv().data, "holding both");
        actor::exit(server, "stop");
        let (a, b) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(a, Err(CallError::Exit(Term::from("stop"))));
        assert_eq!(b, Err(CallError::Exit(Term::from("stop"))));
    });
}

#[test]
fn wait_inside_processes_does_not_deadlock_the_runtime() {
    isolated(|| {
        // A chain of 8 processes (more than the worker count), each blocking
        // in `.wait()` on the next; the last one answers.
        let mut next = actor::spawn(|mut inbox: Inbox| async move {
            loop {
                let m = inbox.recv().await;
                reply_to(&m, 0);
            }
        })
        .unwrap();
        for _ in 0..8 {
            let to = next;
            next = actor::spawn(move |mut inbox: Inbox| async move {
                loop {
                    let m = inbox.recv().await;
                    let n = call(to, Kind::Std, Term::map()).timeout(LONG).wait();
                    let n = n.map_or(-1000, |r| r.data.as_int().unwrap_or(-1000));
                    reply_to(&m, n + 1);
                }
            })
            .unwrap();
        }
        // All eight block at once while an unrelated process keeps working.
        let echo = actor::spawn("EchoActor").unwrap();
        let head = next;
        let callers: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(move || call(head, Kind::Std, Term::map()).timeout(LONG).wait())
            })
            .collect();
        assert_eq!(
            call(echo, Kind::Std, 5).timeout(LONG).wait().unwrap().data,
            5
        );
        for c in callers {
            assert_eq!(c.join().unwrap().unwrap().data, 8);
        }
    });
}

#[test]
fn wait_inside_an_actor_handler_does_not_deadlock() {
    /// Forwards each call to `to` with `.wait()` and answers with its reply.
    struct Relay {
        to: Pid,
    }
    impl Actor for Relay {
        async fn handle(&mut self, msg: Message) {
            let r = call(self.to, Kind::Std, msg.data.clone())
                .timeout(LONG)
                .wait();
            reply_to(&msg, r.map_or(Term::from("failed"), |m| m.data));
        }
    }
    impl IntoSpawn for Relay {
        fn into_spawn(
            self,
            opts: actor::__private::SpawnOpts,
        ) -> Result<(Pid, Option<Ref>), SpawnError> {
            Ok(actor::__private::spawn_actor(self, opts))
        }
    }
    isolated(|| {
        let mut to = actor::spawn("EchoActor").unwrap();
        for _ in 0..8 {
            to = actor::spawn(Relay { to }).unwrap();
        }
        let reply = call(to, Kind::Std, "through 8")
            .timeout(LONG)
            .wait()
            .unwrap();
        assert_eq!(reply.data, "through 8");
    });
}

#[test]
fn a_process_blocked_in_wait_dies_when_killed() {
    isolated(|| {
        let me = actor::pid();
        let target = silent();
        let blocked = actor::spawn(move |_inbox: Inbox| async move {
            send(me, Kind::Info, "waiting");
            let _ = call(target, Kind::Std, Term::map())
                .timeout(Duration::from_secs(120))
                .wait();
            send(me, Kind::Info, "woke up");
        })
        .unwrap();
        let r = actor::monitor(blocked);
        assert_eq!(recv().data, "waiting");
        actor::kill(blocked);
        let down = actor::receive_match_timeout(|m| m.kind == Kind::Down, Duration::from_secs(20))
            .expect("a process blocked in `.wait()` did not die when killed");
        assert_eq!(down.reference, Some(r));
        assert_eq!(down.data["reason"], Term::atom("killed"));
        assert!(actor::pop_mailbox().is_none(), "it ran on after the kill");
    });
}

#[test]
fn a_process_blocked_in_receive_dies_when_killed() {
    isolated(|| {
        let me = actor::pid();
        let blocked = actor::spawn(move |_inbox: Inbox| async move {
            send(me, Kind::Info, "waiting");
            actor::receive();
            send(me, Kind::Info, "woke up");
        })
        .unwrap();
        let r = actor::monitor(blocked);
        assert_eq!(recv().data, "waiting");
        actor::exit(blocked, "go away");
        let down = actor::receive_match_timeout(|m| m.kind == Kind::Down, Duration::from_secs(20))
            .expect("a process blocked in `receive()` did not die on an exit signal");
        assert_eq!(down.reference, Some(r));
        assert_eq!(down.data["reason"], "go away");
        assert!(actor::pop_mailbox().is_none(), "it ran on after the exit");
    });
}

#[test]
fn a_dropped_call_future_drops_the_late_reply() {
    isolated(|| {
        let me = actor::pid();
        let server = late_replier(me);
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |mut inbox: Inbox| async move {
            // The caller's own timeout drops the call's future.
            let fut = call(server, Kind::Std, Term::map())
                .timeout(LONG)
                .into_future();
            let res = tokio::time::timeout(Duration::from_millis(50), fut).await;
            tx.send(Term::from(res.is_err())).unwrap();
            let m = inbox.recv_timeout(LONG).await;
            tx.send(m.map_or(Term::from("nothing"), |m| m.data))
                .unwrap();
        })
        .unwrap();
        assert_eq!(rx.recv_timeout(LONG).unwrap(), true);
        assert_eq!(recv().data, "got the call");
        send(server, Kind::Info, "go");
        assert_eq!(rx.recv_timeout(LONG).unwrap(), "done");
    });
}

#[test]
fn many_concurrent_awaited_calls_answered_out_of_order() {
    isolated(|| {
        // Takes 8 calls, then answers them last first.
        let server = actor::spawn(|mut inbox: Inbox| async move {
            loop {
                let mut calls = Vec::new();
                for _ in 0..8 {
                    calls.push(inbox.recv().await);
                }
                for m in calls.iter().rev() {
                    reply_to(m, m.data.clone());
                }
            }
        })
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |mut inbox: Inbox| async move {
            for _ in 0..20 {
                let calls = (0..8)
                    .map(|i| Box::pin(call(server, Kind::Std, i).timeout(LONG).into_future()));
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
    });
}

/// An actor whose handler blocks in `.wait()` on a silent process, and whose
/// `stop` hook makes a call and reports its result to `observer`.
struct Blocker {
    observer: Pid,
    silent: Pid,
}

impl Actor for Blocker {
    async fn handle(&mut self, _msg: Message) {
        send(self.observer, Kind::Info, "blocking");
        let _ = call(self.silent, Kind::Std, Term::map())
            .timeout(Duration::from_secs(120))
            .wait();
        send(self.observer, Kind::Info, "woke up");
    }

    async fn stop(&mut self, reason: Term) {
        let echo = actor::spawn("EchoActor").unwrap();
        let r = call(echo, Kind::Std, reason).timeout(LONG).wait();
        send(
            self.observer,
            Kind::Info,
            r.map_or(Term::from("failed"), |m| m.data),
        );
    }
}

impl IntoSpawn for Blocker {
    fn into_spawn(
        self,
        opts: actor::__private::SpawnOpts,
    ) -> Result<(Pid, Option<Ref>), SpawnError> {
        Ok(actor::__private::spawn_actor(self, opts))
    }
}

#[test]
fn an_actor_blocked_in_wait_stops_on_an_exit_signal_and_its_stop_hook_still_calls() {
    isolated(|| {
        let me = actor::pid();
        let a = actor::spawn(Blocker {
            observer: me,
            silent: silent(),
        })
        .unwrap();
        let r = actor::monitor(a);
        send(a, Kind::Std, "go");
        assert_eq!(recv().data, "blocking");
        actor::exit(a, "enough");
        // The stop hook ran, and its own `.wait()` worked.
        assert_eq!(recv().data, "enough");
        let down = recv();
        assert_eq!((down.kind, down.reference), (Kind::Down, Some(r)));
        assert_eq!(down.data["reason"], "enough");
        assert!(actor::pop_mailbox().is_none(), "it ran on after the exit");
    });
}

#[test]
fn concurrent_awaited_calls_keep_their_own_timeouts() {
    isolated(|| {
        let me = actor::pid();
        let server = late_replier(me);
        let quiet = silent();
        let (tx, rx) = std::sync::mpsc::channel();
        actor::spawn(move |_inbox: Inbox| async move {
            // The long call starts first, the short one beside it.
            let long = call(server, Kind::Std, Term::map()).timeout(LONG);
            let short = call(quiet, Kind::Std, Term::map()).timeout(Duration::from_millis(50));
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
        assert_eq!(recv().data, "got the call");
        send(server, Kind::Info, "go");
        assert_eq!(rx.recv_timeout(LONG).unwrap(), Ok(Term::from("late")));
    });
}
