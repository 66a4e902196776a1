//! Pids and refs, message fields, plain threads as processes (panicking
//! ones too), and exit signals in a `panic = "abort"` build.

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use actor::prelude::*;

mod common;
use common::{isolated, recv, LONG};

fn assert_id_traits<T: Copy + Eq + Hash + Ord + Debug + Send + Sync + 'static>() {}

/// `Pid('…')` / `Ref('…')` around a lowercase hyphenated UUID.
fn assert_seed_debug(text: &str, prefix: &str) {
    let inner = text
        .strip_prefix(&format!("{prefix}('"))
        .and_then(|s| s.strip_suffix("')"))
        .unwrap_or_else(|| panic!("not {prefix}('…'): {text}"));
    let groups: Vec<&str> = inner.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{text}"
    );
    assert!(
        inner
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{text}"
    );
}

#[actor::test]
fn pid_and_ref_are_copy_ids_that_print_like_the_seed() {
    assert_id_traits::<Pid>();
    assert_id_traits::<Ref>();
    let me = actor::pid();
    let copy = me;
    assert_eq!(me, copy);
    assert_seed_debug(&format!("{me:?}"), "Pid");
    let echo = actor::spawn("EchoActor").unwrap();
    assert_seed_debug(&format!("{echo:?}"), "Pid");
    assert_ne!(me, echo);
    let r = Ref::new();
    assert_seed_debug(&format!("{r:?}"), "Ref");
    // Display is the bare UUID.
    assert_eq!(format!("Pid('{me}')"), format!("{me:?}"));
    assert_eq!(format!("Ref('{r}')"), format!("{r:?}"));
}

#[test]
fn refs_are_unique_across_threads() {
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| (0..25_000).map(|_| Ref::new()).collect::<Vec<_>>()))
        .collect();
    let mut all = HashSet::new();
    for h in handles {
        for r in h.join().unwrap() {
            assert!(all.insert(r), "{r:?} made twice");
        }
    }
    assert_eq!(all.len(), 100_000);
}

#[actor::test]
fn pids_are_unique_even_after_their_processes_exit() {
    let mut seen = HashSet::new();
    seen.insert(actor::pid());
    for _ in 0..20_000 {
        let (pid, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
        assert_receive!(
            Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
            timeout: LONG
        );
        assert!(seen.insert(pid), "{pid:?} given twice");
    }
    // Threads' processes too.
    let threads: Vec<Pid> = (0..16)
        .map(|_| std::thread::spawn(actor::pid).join().unwrap())
        .collect();
    for pid in threads {
        assert!(seen.insert(pid), "{pid:?} given twice");
    }
}

#[actor::test]
fn message_fields_and_debug() {
    let me = actor::pid();
    let data: Term = [("hi", "hey")].into_iter().collect();
    msg!(std(data.clone()) > me);
    let m = actor::pop_mailbox().unwrap();
    assert_eq!(m.kind, Kind::Std);
    assert_eq!(m.data, data);
    assert_eq!(m.data["hi"], "hey");
    assert_eq!(m.reference, None);
    assert_eq!(m.from, me);
    assert_eq!(
        format!("{m:?}"),
        format!("{{'data': {{'hi': 'hey'}}, 'msg_type': 'std_msg', 'ref': None, 'r_pid': {me:?}}}")
    );

    let r = Ref::new();
    msg!(info(1) ref r > me);
    let m = actor::pop_mailbox().unwrap();
    assert_eq!((m.kind, m.reference), (Kind::Info, Some(r)));
    assert!(format!("{m:?}").contains(&format!("'ref': {r:?}")));

    // From another process, `from` is that process.
    let echo = actor::spawn("EchoActor").unwrap();
    msg!(info("back") > echo);
    assert_receive!(
        Message { kind: Kind::Info, from, data, .. } if *from == echo && *data == "back",
        timeout: LONG
    );
}

#[test]
fn a_thread_becomes_a_process_on_first_use() {
    isolated(|| {
        let me = actor::pid();
        assert_eq!(actor::pid(), me, "a thread keeps its pid");
        assert!(actor::is_alive(me));
        assert!(actor::pop_mailbox().is_none());
        assert!(actor::receive_timeout(Duration::from_millis(20)).is_none());

        // Another thread is another process, and can reach this one.
        let other = std::thread::spawn(move || {
            msg!(std("from a thread") > me);
            actor::pid()
        })
        .join()
        .unwrap();
        assert_ne!(other, me);
        let m = actor::receive();
        assert_eq!(m.data, "from a thread");
        assert_eq!(m.from, other);
    });
}

#[actor::test]
fn receive_blocks_until_a_message_arrives() {
    let me = actor::pid();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        msg!(std("later") > me);
        // A watchdog, so a broken receive fails instead of hanging.
        std::thread::sleep(LONG);
        msg!(std("watchdog") > me);
    });
    assert_eq!(actor::receive().data, "later");
    let m = actor::receive_timeout(Duration::from_millis(30));
    assert!(m.is_none(), "{m:?}");
}

#[test]
fn a_thread_exits_normal_when_it_ends() {
    isolated(|| {
        let me = actor::pid();
        let (tx, rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            tx.send(actor::pid()).unwrap();
            go_rx.recv().unwrap();
        });
        let thread_pid = rx.recv().unwrap();
        assert!(actor::is_alive(thread_pid));

        // A monitor from this process, and a link from a process that does
        // not trap exits (a normal exit must not kill it).
        let r = actor::monitor(thread_pid);
        let linked = actor::spawn(move |mut inbox: Inbox| async move {
            actor::link(thread_pid);
            msg!(info("linked") > me);
            loop {
                let m = inbox.recv().await;
                msg!(std(m.data) ref m.reference > m.from);
            }
        })
        .unwrap();
        assert_eq!(recv().data, "linked");
        // And a trapping one, which hears the normal exit.
        let trapper = actor::spawn(move |mut inbox: Inbox| async move {
            inbox.trap_exit(true);
            actor::link(thread_pid);
            msg!(info("trapping") > me);
            let m = inbox.recv().await;
            msg!(
                info {
                    kind: m.kind.name(),
                    reason: m.data["reason"].clone()
                } > me
            );
        })
        .unwrap();
        assert_eq!(recv().data, "trapping");

        go_tx.send(()).unwrap();
        t.join().unwrap();
        let down = actor::receive_match_timeout(|m| m.kind == Kind::Down, LONG).unwrap();
        assert_eq!((down.from, down.reference), (thread_pid, Some(r)));
        assert_eq!(down.data["reason"], Term::atom("normal"));
        assert!(!actor::is_alive(thread_pid));

        let heard = actor::receive_match_timeout(|m| m.from == trapper, LONG).unwrap();
        assert_eq!(heard.data["kind"], "death");
        assert_eq!(heard.data["reason"], Term::atom("normal"));
        // The non-trapping linked process is alive and answers.
        assert!(actor::is_alive(linked));
        let reply = msg!(std("still here") >> linked).timeout(LONG).wait();
        assert_eq!(reply.unwrap().data, "still here");
    });
}

#[test]
fn a_killed_thread_carries_on_as_a_fresh_process() {
    isolated(|| {
        let (tx, rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            let first = actor::pid();
            tx.send(first).unwrap();
            go_rx.recv().unwrap();
            let second = actor::pid();
            (first, second, actor::is_alive(second))
        });
        let first = rx.recv().unwrap();
        let r = actor::monitor(first);
        actor::kill(first);
        let down = recv();
        assert_eq!((down.kind, down.reference), (Kind::Down, Some(r)));
        assert_eq!(down.data["reason"], Term::atom("killed"));
        go_tx.send(()).unwrap();
        let (first2, second, alive) = t.join().unwrap();
        assert_eq!(first2, first);
        assert_ne!(second, first);
        assert!(alive);
    });
}

#[test]
fn a_killed_thread_blocked_in_receive_wakes_as_a_fresh_process() {
    isolated(|| {
        let (tx, rx) = mpsc::channel();
        let t = std::thread::spawn(move || {
            let first = actor::pid();
            tx.send(first).unwrap();
            // Receive across the kill until the thread has a new process.
            let mut got = Vec::new();
            for _ in 0..100 {
                if let Some(m) = actor::receive_timeout(Duration::from_millis(100)) {
                    got.push(m.data);
                }
                if actor::pid() != first {
                    break;
                }
            }
            (actor::pid(), got)
        });
        let first = rx.recv().unwrap();
        let r = actor::monitor(first);
        actor::kill(first);
        assert_eq!(recv().reference, Some(r));
        msg!(std("to the dead pid") > first);
        let (second, got) = t.join().unwrap();
        assert_ne!(second, first);
        assert!(got.is_empty(), "{got:?}");
    });
}

// issue 9, item 10
#[test]
fn a_thread_that_panics_exits_with_a_panic_reason() {
    isolated(|| {
        let me = actor::pid();
        let (tx, rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            tx.send(actor::pid()).unwrap();
            go_rx.recv().unwrap();
            panic!("the thread panics");
        });
        let thread_pid = rx.recv_timeout(LONG).unwrap();
        let r = actor::monitor(thread_pid);
        // Linked and not trapping: dies of it.
        let (linked, rl) = actor::spawn_monitor(move |_inbox: Inbox| async move {
            actor::link(thread_pid);
            msg!(info("linked") > me);
            std::future::pending::<()>().await;
        })
        .unwrap();
        let m = actor::receive_match_timeout(|m| m.from == linked, LONG).unwrap();
        assert_eq!(m.data, "linked");
        // Linked and trapping: hears of it.
        let trapper = actor::spawn(move |mut inbox: Inbox| async move {
            inbox.trap_exit(true);
            actor::link(thread_pid);
            msg!(info("trapping") > me);
            let m = inbox.recv_match(|m| m.kind == Kind::Death).await;
            msg!(
                info {
                    from: m.from,
                    reason: m.data["reason"].clone()
                } > me
            );
        })
        .unwrap();
        let m = actor::receive_match_timeout(|m| m.from == trapper, LONG).unwrap();
        assert_eq!(m.data, "trapping");

        go_tx.send(()).unwrap();
        assert!(t.join().is_err());
        let expected = Term::from((Term::atom("panic"), "the thread panics"));
        let down = actor::receive_match_timeout(|m| m.reference == Some(r), LONG)
            .expect("no Down for the thread");
        assert_eq!(down.data["reason"], expected, "the monitor's Down");
        let death = actor::receive_match_timeout(|m| m.from == trapper, LONG)
            .expect("the trapping process heard nothing");
        assert_eq!(death.data["from"], thread_pid);
        assert_eq!(death.data["reason"], expected, "the trapping link's Death");
        let down = actor::receive_match_timeout(|m| m.reference == Some(rl), LONG)
            .expect("the linked process that does not trap did not die");
        assert_eq!(down.data["reason"], expected, "the linked process's exit");
    });
}

// issue 9, item 2
#[test]
fn exit_signals_never_abort_a_panic_abort_build() {
    // examples/panic_abort.rs stops actors blocked in `.wait()`, `receive`
    // and `receive_timeout` with exit signals, in a build where unwinding
    // is not available. Its own target directory: this cargo holds the
    // workspace's while the tests run.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .args([
            "run",
            "--profile",
            "panic-abort",
            "--example",
            "panic_abort",
        ])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target").join("panic-abort"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the panic-abort example failed: {}\n--- stdout\n{}\n--- stderr (tail)\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        tail(&String::from_utf8_lossy(&out.stderr), 20),
    );
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[actor::test]
fn processes_and_process_info_show_what_each_process_is_doing() {
    let me = actor::pid();
    let echo = actor::spawn_link("EchoActor").unwrap();
    actor::register("info_test_echo", echo).unwrap();
    let watcher = actor::spawn(move |mut inbox: Inbox| async move {
        actor::monitor(echo);
        msg!(info("watching") > me);
        inbox.recv_match(|m| m.kind == Kind::Kill).await;
    })
    .unwrap();
    assert_receive!(Message { data, .. } if *data == "watching", timeout: LONG);
    for i in 0..3 {
        msg!(std(i) >> echo).wait().unwrap();
    }
    // A message the raw process passes over.
    msg!(info(1) > watcher);
    let all = actor::processes();
    assert!(all.contains(&me) && all.contains(&echo) && all.contains(&watcher));

    let info = actor::process_info(echo).unwrap();
    assert_eq!(info.pid, echo);
    assert_eq!(info.name.as_deref(), Some("info_test_echo"));
    assert_eq!(info.actor, Some("actor_core::actors::echo::EchoActor"));
    assert_eq!(info.links, vec![me]);
    assert_eq!(info.monitored_by, vec![watcher]);
    assert!(info.monitors.is_empty());
    assert_eq!(info.handled, 3);
    assert_eq!(info.parent, Some(me));
    assert!(!info.trap_exit && !info.thread);

    let w = actor::process_info(watcher).unwrap();
    assert_eq!((w.actor, w.monitors.clone()), (None, vec![echo]));
    assert_eq!(w.handled, 0);
    let mine = actor::process_info(me).unwrap();
    assert!(mine.thread && mine.trap_exit && mine.parent.is_none());
    assert_eq!(mine.links, vec![echo]);

    actor::unlink(echo);
    actor::kill(echo);
    let r = actor::monitor(echo);
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    assert_eq!(actor::process_info(echo), None);
    assert!(!actor::processes().contains(&echo));
    actor::kill(watcher);
}

#[actor::test]
fn process_info_counts_a_flooded_mailbox() {
    let sleeper = actor::spawn(|mut inbox: Inbox| async move {
        inbox.recv_match(|m| m.kind == Kind::Kill).await;
    })
    .unwrap();
    for i in 0..1000 {
        msg!(std(i) > sleeper);
    }
    // The process moves what its selective receive passes over out of
    // the channel while we look: a snapshot settles once it waits.
    let deadline = std::time::Instant::now() + LONG;
    let len = loop {
        let len = actor::process_info(sleeper).unwrap().mailbox_len;
        if len == 1000 || std::time::Instant::now() > deadline {
            break len;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(len, 1000);
    // The memory estimate grows with the queued messages.
    let idle = actor::spawn("EchoActor").unwrap();
    let empty = actor::process_info(idle).unwrap().memory;
    let full = actor::process_info(sleeper).unwrap().memory;
    assert!(empty > 0);
    assert!(
        full >= empty + 1000 * 64,
        "{full} for 1000 messages, {empty} for none"
    );
    actor::kill(idle);
    actor::kill(sleeper);
}
