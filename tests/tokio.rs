//! Actors in a tokio application: plain tasks never share a mailbox, their
//! calls get their replies privately, `actor::scope` makes a task a
//! process, and blocking calls refuse a current-thread runtime.

use std::collections::HashSet;
use std::time::Duration;

use actor::prelude::*;

mod common;
use common::LONG;

/// The message a panic carried, for `catch_unwind` results.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_task_has_no_process_and_is_told_about_scope() {
    let err = tokio::spawn(async { actor::pid() }).await.unwrap_err();
    let text = panic_text(&*err.into_panic());
    assert!(text.contains("actor::scope"), "{text}");
    for (what, f) in [
        ("receive", (|| drop(actor::pop_mailbox())) as fn()),
        ("link", || actor::link(actor::Pid::NOBODY)),
        ("monitor", || {
            let _ = actor::monitor(actor::Pid::NOBODY);
        }),
    ] {
        let err = tokio::spawn(async move { f() }).await.unwrap_err();
        let text = panic_text(&*err.into_panic());
        assert!(text.contains("actor::scope"), "{what}: {text}");
    }
    let err = tokio::spawn(async { actor::spawn_link("EchoActor") })
        .await
        .unwrap_err();
    assert!(panic_text(&*err.into_panic()).contains("actor::scope"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tasks_call_at_once_while_another_drains_its_own_mailbox() {
    let echo = actor::spawn("EchoActor").unwrap();
    // A scoped task receives a stream of messages meant for it alone.
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let drainer = tokio::spawn(actor::scope(async move {
        ready_tx.send(actor::pid()).unwrap();
        let mut got = Vec::new();
        while got.len() < 500 {
            let m = actor::recv_timeout(LONG)
                .await
                .expect("the drainer's mail stopped");
            got.push(m.data.as_int().unwrap());
        }
        got
    }));
    let drainer_pid = ready_rx.await.unwrap();
    let feeder = tokio::spawn(async move {
        for i in 0..500 {
            msg!(std(i) > drainer_pid);
            if i % 50 == 0 {
                tokio::task::yield_now().await;
            }
        }
    });
    let callers: Vec<_> = (0..50i64)
        .map(|t| {
            tokio::spawn(async move {
                for i in 0..100i64 {
                    let n = t * 1000 + i;
                    let reply = msg!(std(n) >> echo).timeout(LONG).await.unwrap();
                    assert_eq!(reply.data, n, "task {t} got another's reply");
                }
            })
        })
        .collect();
    for c in callers {
        c.await.unwrap();
    }
    feeder.await.unwrap();
    let got = drainer.await.unwrap();
    assert_eq!(
        got,
        (0..500).collect::<Vec<i64>>(),
        "in order, nothing stolen"
    );
    actor::kill(echo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_tasks_sends_leave_nothing_behind() {
    let echo = actor::spawn("EchoActor").unwrap();
    let before: HashSet<Pid> = actor::processes().into_iter().collect();
    tokio::spawn(async move {
        for i in 0..10_000 {
            msg!(std(i) > echo);
        }
        // The last send's echo has gone (to nobody) once this answers.
        msg!(std("sync") >> echo).wait().unwrap();
    })
    .await
    .unwrap();
    let after: HashSet<Pid> = actor::processes().into_iter().collect();
    assert!(
        after.is_subset(&before),
        "a process appeared: {:?}",
        after.difference(&before).collect::<Vec<_>>()
    );
    for p in after {
        let info = actor::process_info(p);
        if let Some(info) = info {
            assert!(info.mailbox_len < 100, "echoes piled up in {p:?}: {info:?}");
        }
    }
    actor::kill(echo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scope_keeps_its_pid_across_awaits_and_threads_and_exits_normal() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let watcher = tokio::spawn(actor::scope(async move {
        let scoped = rx.await.unwrap();
        let r = actor::monitor(scoped);
        actor::recv_match(move |m| m.reference == Some(r)).await
    }));
    let task = tokio::spawn(actor::scope(async move {
        let me = actor::pid();
        tx.send(me).unwrap();
        let mut threads = HashSet::new();
        for _ in 0..200 {
            tokio::task::yield_now().await;
            assert_eq!(actor::pid(), me);
            threads.insert(std::thread::current().id());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        me
    }));
    let me = task.await.unwrap();
    let down = watcher.await.unwrap();
    assert_eq!((down.kind, down.from), (Kind::Down, me));
    assert_eq!(down.data["reason"], "normal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_scope_exits_with_the_panic_and_the_panic_goes_on() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(actor::scope(async move {
        tx.send(actor::pid()).unwrap();
        go_rx.await.unwrap();
        panic!("scoped boom");
    }));
    let scoped = rx.await.unwrap();
    let watcher = tokio::spawn(actor::scope(async move {
        let r = actor::monitor(scoped);
        go_tx.send(()).unwrap();
        actor::recv_match(move |m| m.reference == Some(r)).await
    }));
    let down = watcher.await.unwrap();
    assert_eq!(
        down.data["reason"],
        Term::from((Term::atom("panic"), "scoped boom"))
    );
    let err = task.await.unwrap_err();
    assert_eq!(panic_text(&*err.into_panic()), "scoped boom");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exit_signal_stops_a_scope_and_its_task_reports_why() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(actor::scope(async move {
        tx.send(actor::pid()).unwrap();
        std::future::pending::<()>().await;
    }));
    let scoped = rx.await.unwrap();
    actor::exit(scoped, "go away");
    let err = task.await.unwrap_err();
    let payload = err.into_panic();
    let exit = payload
        .downcast_ref::<actor::ScopeExit>()
        .expect("a ScopeExit payload");
    assert_eq!(exit.reason, "go away");
    assert!(!actor::is_alive(scoped));
}

#[test]
fn a_blocking_call_on_a_current_thread_runtime_is_refused_with_a_clear_message() {
    let echo = actor::spawn("EchoActor").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { msg!(std(1) >> echo).wait() })
    }))
    .unwrap_err();
    let text = panic_text(&*err);
    assert!(text.contains("current-thread"), "{text}");
    // The async form works there.
    let reply = rt.block_on(async { msg!(std(1) >> echo).await }).unwrap();
    assert_eq!(reply.data, 1);
    actor::kill(echo);
}
