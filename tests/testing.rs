//! Testing actor code: `#[actor::test]` (sync and async bodies as fresh
//! processes, nothing left behind, linked crashes fail the test),
//! `assert_receive!`, `refute_receive!` and `actor::peek_mailbox()`.

use std::panic::{catch_unwind, UnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actor::__private::run_test;
use actor::prelude::*;

const LONG: Duration = Duration::from_secs(10);

/// The text of the panic `f` ends with.
fn panic_text<R>(f: impl FnOnce() -> R + UnwindSafe) -> String {
    match catch_unwind(f) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => match payload.downcast::<String>() {
            Ok(text) => *text,
            Err(payload) => payload
                .downcast::<&str>()
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
        },
    }
}

// ---- #[actor::test] ---------------------------------------------------------

#[actor::test]
fn a_sync_test_is_a_fresh_process() {
    let me = actor::pid();
    let info = actor::process_info(me).unwrap();
    assert!(info.thread && info.trap_exit, "{info:?}");
    assert_eq!((info.mailbox_len, info.handled), (0, 0));
    assert!(info.links.is_empty() && info.monitors.is_empty());
    assert_eq!(info.parent, None);
}

#[actor::test]
async fn an_async_test_awaits_calls_and_receives() {
    let me = actor::pid();
    assert!(actor::process_info(me).unwrap().trap_exit);
    let echo = actor::spawn("EchoActor").unwrap();
    let reply = msg!(std { n: 1 } >> echo).await.unwrap();
    assert_eq!(reply.data["n"], 1);
    msg!(info("ping") > echo);
    let m = actor::recv().await;
    assert_eq!(
        (m.kind, m.from, m.data),
        (Kind::Info, echo, Term::from("ping"))
    );
    // The pid stays the same across awaits.
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(actor::pid(), me);
}

#[actor::test]
async fn a_blocking_receive_in_an_async_test_starves_nothing() {
    let me = actor::pid();
    // A plain tokio task sends while the body blocks: it runs on the
    // actor runtime's workers, not on the body's thread.
    let task = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        msg!(info("from a task") > me);
    });
    assert_eq!(actor::receive_timeout(LONG).unwrap().data, "from a task");
    let pinger = actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        msg!(std("pong") ref m.reference > m.from);
    })
    .unwrap();
    // `.wait()` blocks too.
    assert_eq!(msg!(std >> pinger).wait().unwrap().data, "pong");
    task.await.unwrap();
}

#[actor::test]
async fn an_async_test_body_need_not_be_send() {
    let local = std::rc::Rc::new(5);
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(*local, 5);
}

#[actor::test]
fn a_test_may_return_a_result() -> Result<(), actor::TermError> {
    let n: i64 = Term::from(3).decode()?;
    assert_eq!(n, 3);
    Ok(())
}

#[actor::test]
async fn an_async_test_may_return_a_result() -> Result<(), CallError> {
    let echo = actor::spawn("EchoActor").unwrap();
    let reply = msg!(std(2) >> echo).await?;
    assert_eq!(reply.data, 2);
    Ok(())
}

#[test]
fn an_err_result_is_returned_as_is() {
    let got = run_test(|| -> Result<(), String> { Err("no".into()) });
    assert_eq!(got, Err("no".to_owned()));
}

// What `leaves_processes_behind` left, by the test it ran for: the body
// runs on a thread named after the calling test's thread, so a test that
// calls it finds its own run's processes, even while the function also
// runs as a test of its own.
static LEFT: Mutex<Vec<(String, Pid, String)>> = Mutex::new(Vec::new());
static RUN: AtomicUsize = AtomicUsize::new(0);

fn test_name() -> String {
    std::thread::current().name().unwrap_or_default().to_owned()
}

/// The processes and names `leaves_processes_behind` left for this test.
fn left_for_me() -> Vec<(Pid, String)> {
    let me = test_name();
    let mut left = LEFT.lock().unwrap();
    let (mine, others): (Vec<_>, Vec<_>) = left.drain(..).partition(|(test, ..)| *test == me);
    *left = others;
    mine.into_iter().map(|(_, pid, name)| (pid, name)).collect()
}

/// Spawns a tree (a named child, a grandchild it spawned, a supervisor
/// with a worker), registers names and records them in `LEFT`. It is a
/// test itself, and the tests below call it.
#[actor::test]
fn leaves_processes_behind() {
    let run = RUN.fetch_add(1, Ordering::Relaxed);
    let name = |what: &str| format!("testing_left_{what}_{run}");
    let me = actor::pid();
    let child = actor::spawn(|mut inbox: Inbox| async move {
        let grandchild = actor::spawn("EchoActor").unwrap();
        msg!(info(grandchild) > inbox.recv().await.from);
        std::future::pending::<()>().await;
    })
    .unwrap();
    msg!(std > child);
    let grandchild = assert_receive!(Message { from, .. } if *from == child, timeout: LONG)
        .data
        .as_pid()
        .unwrap();
    let linked = actor::spawn_link("EchoActor").unwrap();
    let sup = actor::supervisor::SupervisorSpec::one_for_one()
        .child(actor::supervisor::ChildSpec::worker("w", "EchoActor"))
        .start_link()
        .unwrap();
    let worker = actor::supervisor::which_children(sup).unwrap()[0]
        .pid()
        .unwrap();
    let mut left = LEFT.lock().unwrap();
    for (pid, what) in [
        (child, "child"),
        (grandchild, "grandchild"),
        (linked, "linked"),
        (sup, "sup"),
        (worker, "worker"),
        (me, "me"),
    ] {
        actor::register(name(what), pid).unwrap();
        assert_eq!(actor::process_info(pid).unwrap().name, Some(name(what)));
        left.push((test_name(), pid, name(what)));
    }
}

#[test]
fn everything_a_test_spawned_is_killed_and_its_names_dropped() {
    leaves_processes_behind();
    let left = left_for_me();
    assert_eq!(left.len(), 6);
    let live = actor::processes();
    for (pid, name) in &left {
        assert!(!live.contains(pid), "{name} {pid:?} outlived the test");
        assert!(!actor::is_alive(*pid), "{name}");
        assert_eq!(actor::whereis(name), None, "{name}");
        assert!(!actor::registered().contains(name), "{name}");
    }
}

#[actor::test]
fn a_test_called_from_a_test_cleans_up_only_after_itself() {
    let mine = actor::spawn("EchoActor").unwrap();
    leaves_processes_behind();
    let left = left_for_me();
    assert_eq!(left.len(), 6);
    for (pid, _) in left {
        assert!(!actor::is_alive(pid));
    }
    // The inner test was a process of its own, spawned by nobody: the
    // outer test's processes are untouched.
    assert!(actor::is_alive(mine));
    assert_eq!(msg!(std(1) >> mine).wait().unwrap().data, 1);
}

/// A name of this test's own: tests run at the same time, names are
/// node-wide.
fn cleanup_name() -> String {
    format!("testing_cleanup_{}", test_name())
}

#[actor::test]
fn registers_a_name() {
    let echo = actor::spawn("EchoActor").unwrap();
    actor::register(cleanup_name(), echo).unwrap();
}

#[actor::test]
async fn registers_a_name_async() {
    let echo = actor::spawn("EchoActor").unwrap();
    actor::register(cleanup_name(), echo).unwrap();
    tokio::task::yield_now().await;
}

#[test]
fn a_test_leaves_no_name_behind() {
    // Twice in a row, sync and async: each registration finds the name
    // free again.
    for _ in 0..2 {
        registers_a_name();
        assert_eq!(actor::whereis(&cleanup_name()), None);
        registers_a_name_async();
        assert_eq!(actor::whereis(&cleanup_name()), None);
    }
}

/// Spawns a process linked to the caller and monitored by it, which then
/// panics with `text`.
fn linked_panic(text: &'static str) -> (Pid, Ref) {
    let pid = actor::spawn(move |mut inbox: Inbox| async move {
        inbox.recv().await;
        panic!("{text}");
    })
    .unwrap();
    actor::link(pid);
    let r = actor::monitor(pid);
    msg!(std > pid);
    (pid, r)
}

/// Waits for the `Down` of monitor `r`. The `Death` of a link to the same
/// process comes before it.
fn down(r: Ref) -> Message {
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    )
}

#[actor::test]
#[should_panic(expected = "exited with {panic, \"linked boom\"}")]
fn a_panic_in_a_linked_process_fails_the_test() {
    let (_, r) = linked_panic("linked boom");
    down(r);
}

#[actor::test]
#[should_panic(expected = "exited with {panic, \"async boom\"}")]
async fn a_panic_in_a_linked_process_fails_an_async_test() {
    let (_, r) = linked_panic("async boom");
    let down = actor::recv_match(|m| m.kind == Kind::Down).await;
    assert_eq!(down.reference, Some(r));
}

#[test]
fn a_linked_crash_names_the_process_and_its_reason() {
    let text = panic_text(|| {
        run_test(|| {
            let (_, r) = linked_panic("one");
            down(r);
            let echo = actor::spawn_link("EchoActor").unwrap();
            let r = actor::monitor(echo);
            actor::exit(echo, Term::atom("custom"));
            down(r);
        })
    });
    assert!(
        text.starts_with(
            "a process linked to the test exited abnormally, and the test did not receive its \
             `Death` message:\n    Pid('"
        ),
        "{text}"
    );
    assert!(
        text.contains("exited with {panic, \"one\"}\n    Pid('"),
        "{text}"
    );
    assert!(text.ends_with("exited with custom"), "{text}");
}

#[actor::test]
fn a_linked_crash_the_test_receives_passes() {
    let (pid, r) = linked_panic("expected");
    let death = assert_receive!(
        Message { kind: Kind::Death, from, .. } if *from == pid,
        timeout: LONG
    );
    assert_eq!(
        death.data["reason"],
        Term::from((Term::atom("panic"), "expected"))
    );
    down(r);
}

#[actor::test]
fn orderly_exits_of_linked_processes_pass() {
    for reason in [
        Term::atom("normal"),
        Term::atom("shutdown"),
        Term::from((Term::atom("shutdown"), "bye")),
    ] {
        let pid = actor::spawn_link(|mut inbox: Inbox| async move {
            let m = inbox.recv().await;
            actor::exit_self(m.data);
            std::future::pending::<()>().await;
        })
        .unwrap();
        let r = actor::monitor(pid);
        msg!(std(reason) > pid);
        down(r);
    }
    let killed = actor::spawn_link("EchoActor").unwrap();
    let r = actor::monitor(killed);
    actor::kill(killed);
    down(r);
    // Every Death is still in the mailbox: none fails the test.
    let deaths = actor::peek_mailbox();
    assert!(deaths.iter().all(|m| m.kind == Kind::Death), "{deaths:?}");
}

#[actor::test]
#[should_panic(expected = "the body's own message")]
fn a_panic_in_the_body_fails_the_test_with_its_payload() {
    let _ = actor::spawn_link("EchoActor").unwrap();
    panic!("the body's own message");
}

#[test]
fn a_panicking_body_still_cleans_up() {
    static PID: Mutex<Option<Pid>> = Mutex::new(None);
    let text = panic_text(|| {
        run_test(|| {
            let pid = actor::spawn("EchoActor").unwrap();
            *PID.lock().unwrap() = Some(pid);
            panic!("after spawning");
        })
    });
    assert_eq!(text, "after spawning");
    assert!(!actor::is_alive(PID.lock().unwrap().unwrap()));
}

#[test]
fn a_killed_test_process_fails_the_test() {
    let text = panic_text(|| {
        run_test(|| {
            let me = actor::pid();
            actor::exit(me, Term::atom("kill"));
        })
    });
    assert!(text.starts_with("the test process Pid('"), "{text}");
    assert!(
        text.ends_with("was ended by an exit signal before its body returned"),
        "{text}"
    );
}

// ---- assert_receive! ----------------------------------------------------

#[actor::test]
fn assert_receive_takes_the_first_match_and_leaves_the_rest_in_order() {
    let me = actor::pid();
    msg!(std { n: 1 } > me);
    msg!(info { n: 1 } > me);
    msg!(info { n: 2 } > me);
    let m = assert_receive!(Message { kind: Kind::Info, ref data, .. } if data["n"] == 2);
    assert_eq!((m.kind, m.data["n"].clone()), (Kind::Info, Term::from(2)));
    // A pattern alone, bindings that are not used, or-patterns.
    let m = assert_receive!(Message {
        kind: Kind::Info,
        data,
        ..
    });
    assert_eq!(m.data["n"], 1);
    let m = assert_receive!(Message {
        kind: Kind::Std | Kind::Err,
        ..
    });
    assert_eq!(m.data["n"], 1);
    assert!(actor::peek_mailbox().is_empty());
}

#[actor::test]
fn assert_receive_matches_the_sender_and_the_reference() {
    let echo = actor::spawn("EchoActor").unwrap();
    let r = Ref::new();
    msg!(std("first") > echo);
    msg!(std("second") ref r > echo);
    let m = assert_receive!(
        Message { from, reference: Some(got), .. } if *from == echo && *got == r,
        timeout: LONG
    );
    assert_eq!(m.data, "second");
    let m = assert_receive!(_, timeout: LONG);
    assert_eq!(m.data, "first");
}

#[actor::test]
fn assert_receive_waits_for_a_message_to_arrive() {
    let me = actor::pid();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        msg!(info("late") > me);
    });
    let m = assert_receive!(Message { kind: Kind::Info, .. }, timeout: LONG,);
    assert_eq!(m.data, "late");
}

#[actor::test]
fn assert_receive_waits_100_ms_by_default() {
    let started = Instant::now();
    let _ = panic_text(|| assert_receive!(Message { kind: Kind::Up, .. }));
    assert!(started.elapsed() >= Duration::from_millis(100));
    let started = Instant::now();
    let _ = panic_text(|| assert_receive!(_, timeout: Duration::from_millis(250)));
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[actor::test]
fn assert_receive_failure_lists_the_mailbox() {
    let me = actor::pid();
    let text = panic_text(|| {
        assert_receive!(Message {
            kind: Kind::Down,
            ..
        })
    });
    assert_eq!(
        text,
        format!(
            "assert_receive!: no message matching `Message {{ kind: Kind::Down, .. }}` within \
             100ms\nthe mailbox of {me:?} is empty"
        )
    );
    let r = Ref::new();
    msg!(std { hi: "hey" } > me);
    msg!(info([1, 2]) ref r > me);
    let text = panic_text(|| {
        assert_receive!(
            Message { kind: Kind::Info, ref data, .. } if data[0] == 2,
            timeout: Duration::from_millis(10)
        )
    });
    assert_eq!(
        text,
        format!(
            "assert_receive!: no message matching `Message {{ kind: Kind::Info, ref data, .. }} \
             if data[0] == 2` within 10ms\nthe mailbox of {me:?} holds 2 messages:\n    \
             {{'data': {{'hi': 'hey'}}, 'msg_type': 'std_msg', 'ref': None, 'r_pid': {me:?}}}\n    \
             {{'data': [1, 2], 'msg_type': 'info_msg', 'ref': {r:?}, 'r_pid': {me:?}}}"
        )
    );
    // Listing took nothing.
    assert_eq!(actor::peek_mailbox().len(), 2);
}

#[actor::test]
fn a_long_mailbox_is_listed_in_part() {
    let me = actor::pid();
    for i in 0..60 {
        msg!(info(i) > me);
    }
    let text =
        panic_text(|| assert_receive!(Message { kind: Kind::Std, .. }, timeout: Duration::ZERO));
    assert!(text.contains("holds 60 messages:"), "{text}");
    assert_eq!(text.lines().count(), 2 + 50 + 1, "{text}");
    assert!(text.ends_with("\n    … and 10 more"), "{text}");
}

#[actor::test]
async fn assert_receive_in_an_async_test() {
    let me = actor::pid();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        msg!(info("via a task") > me);
    });
    let m = assert_receive!(
        Message { kind: Kind::Info, ref data, .. } if data == "via a task",
        timeout: LONG
    );
    assert_eq!(m.data, "via a task");
}

// ---- refute_receive! --------------------------------------------------------

#[actor::test]
fn refute_receive_passes_when_nothing_matches_and_takes_nothing() {
    let me = actor::pid();
    msg!(std("kept") > me);
    let started = Instant::now();
    refute_receive!(Message {
        kind: Kind::Info,
        ..
    });
    assert!(started.elapsed() >= Duration::from_millis(100));
    refute_receive!(
        Message { kind: Kind::Std, ref data, .. } if data == "other",
        timeout: Duration::from_millis(5)
    );
    assert_eq!(actor::pop_mailbox().unwrap().data, "kept");
}

#[actor::test]
fn refute_receive_fails_on_a_match_and_shows_it() {
    let me = actor::pid();
    msg!(std("unrelated") > me);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tx.send(actor::pid()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        msg!(info("unwanted") > me);
    });
    let sender = rx.recv().unwrap();
    let text = panic_text(|| refute_receive!(Message { kind: Kind::Info, .. }, timeout: LONG));
    assert_eq!(
        text,
        format!(
            "refute_receive!: a message matching `Message {{ kind: Kind::Info, .. }}` arrived \
             within 10s:\n    {{'data': 'unwanted', 'msg_type': 'info_msg', 'ref': None, \
             'r_pid': {sender:?}}}\nthe mailbox of {me:?} also holds 1 message:\n    \
             {{'data': 'unrelated', 'msg_type': 'std_msg', 'ref': None, 'r_pid': {me:?}}}"
        )
    );
}

#[actor::test]
async fn refute_receive_in_an_async_test() {
    let echo = actor::spawn("EchoActor").unwrap();
    actor::link(echo);
    msg!(info("hi") > echo);
    refute_receive!(Message {
        kind: Kind::Death,
        ..
    });
    assert_eq!(actor::recv().await.data, "hi");
}

// ---- peek_mailbox -----------------------------------------------------------

#[actor::test]
fn peek_mailbox_sees_held_and_queued_messages_around_a_call() {
    let me = actor::pid();
    let slow = actor::spawn(|mut inbox: Inbox| async move {
        let m = inbox.recv().await;
        msg!(info("during the call") > m.from);
        msg!(std("reply") ref m.reference > m.from);
    })
    .unwrap();
    msg!(std(1) > me);
    // Held by a selective receive that passed it over.
    assert!(actor::receive_match_timeout(|m| m.kind == Kind::Err, Duration::ZERO).is_none());
    msg!(std(2) > me);
    let reply = msg!(std >> slow).wait().unwrap();
    assert_eq!(reply.data, "reply");
    let held: Vec<Term> = actor::peek_mailbox().into_iter().map(|m| m.data).collect();
    assert_eq!(
        held,
        [Term::from(1), Term::from(2), Term::from("during the call")]
    );
    assert_eq!(actor::process_info(me).unwrap().mailbox_len, 3);
    assert_eq!(actor::pop_mailbox().unwrap().data, 1);
    assert_eq!(actor::receive_timeout(LONG).unwrap().data, 2);
    assert_eq!(
        actor::receive_timeout(LONG).unwrap().data,
        "during the call"
    );
    assert!(actor::peek_mailbox().is_empty());
}
