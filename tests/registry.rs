//! Registered names: `register`, `unregister`, `whereis`, their errors,
//! names dropped on exit, and names as send and call targets.

use std::time::Duration;

use actor::prelude::*;

mod common;
use actor::RegistryError;
use common::{isolated, recv, LONG};

#[actor::test]
fn register_whereis_unregister() {
    let echo = actor::spawn("EchoActor").unwrap();
    assert_eq!(actor::whereis("reg_basic"), None);
    actor::register("reg_basic", echo).unwrap();
    assert_eq!(actor::whereis("reg_basic"), Some(echo));
    assert!(actor::registered().contains(&"reg_basic".to_string()));
    assert!(actor::unregister("reg_basic"));
    assert!(!actor::unregister("reg_basic"));
    assert_eq!(actor::whereis("reg_basic"), None);
    assert!(!actor::registered().contains(&"reg_basic".to_string()));
    // The process may take a name again, and the name is free for others.
    actor::register("reg_basic", echo).unwrap();
    assert!(actor::unregister("reg_basic"));
    actor::register("reg_basic", actor::pid()).unwrap();
    assert_eq!(actor::whereis("reg_basic"), Some(actor::pid()));
    assert!(actor::unregister("reg_basic"));
}

#[actor::test]
fn a_taken_name_is_an_error() {
    let a = actor::spawn("EchoActor").unwrap();
    let b = actor::spawn("EchoActor").unwrap();
    actor::register("reg_taken", a).unwrap();
    let err = actor::register("reg_taken", b).unwrap_err();
    assert_eq!(
        err,
        RegistryError::Taken {
            name: "reg_taken".into(),
            holder: a
        }
    );
    assert!(err.to_string().contains("reg_taken"), "{err}");
    assert_eq!(actor::whereis("reg_taken"), Some(a));
    // One name per process.
    let err = actor::register("reg_taken_2", a).unwrap_err();
    assert!(
        matches!(err, RegistryError::AlreadyNamed { pid, .. } if pid == a),
        "{err:?}"
    );
    assert_eq!(actor::whereis("reg_taken_2"), None);
    assert!(actor::unregister("reg_taken"));
}

#[actor::test]
fn registering_a_dead_pid_is_an_error() {
    let (p, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
    assert_receive!(
        Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
        timeout: LONG
    );
    let err = actor::register("reg_dead", p).unwrap_err();
    assert_eq!(err, RegistryError::NoProcess(p));
    assert!(!err.to_string().is_empty());
    assert_eq!(actor::whereis("reg_dead"), None);
    // A pid of no node we know.
    let remote = Pid::from_parts(0x1234_5678_9abc_4def, 1);
    assert_eq!(
        actor::register("reg_dead", remote),
        Err(RegistryError::NoProcess(remote))
    );
}

#[actor::test]
fn the_name_is_dropped_when_its_process_exits() {
    for (i, how) in ["kill", "normal", "panic"].into_iter().enumerate() {
        let name = format!("reg_drop_{i}");
        let p = actor::spawn(|mut inbox: Inbox| async move {
            let m = inbox.recv().await;
            if m.data == "panic" {
                panic!("named");
            }
        })
        .unwrap();
        actor::register(name.clone(), p).unwrap();
        let r = actor::monitor(p);
        match how {
            "kill" => actor::kill(p),
            _ => msg!(std(how) > p),
        }
        assert_receive!(
            Message { kind: Kind::Down, reference, .. } if *reference == Some(r),
            timeout: LONG
        );
        // The name goes before the monitors hear of the exit.
        assert_eq!(actor::whereis(&name), None, "{how}");
        // ...and is free again.
        let q = actor::spawn("EchoActor").unwrap();
        actor::register(name.clone(), q).unwrap();
        assert_eq!(actor::whereis(&name), Some(q));
        actor::kill(q);
    }
}

#[test]
fn a_thread_process_name_is_dropped_when_the_thread_ends() {
    isolated(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        let t = std::thread::spawn(move || {
            actor::register("reg_thread", actor::pid()).unwrap();
            tx.send(actor::pid()).unwrap();
        });
        let p = rx.recv().unwrap();
        let r = actor::monitor(p);
        t.join().unwrap();
        let down = recv();
        assert_eq!(down.reference, Some(r));
        assert_eq!(actor::whereis("reg_thread"), None);
    });
}

#[actor::test]
fn names_are_send_and_call_targets() {
    let echo = actor::spawn("EchoActor").unwrap();
    actor::register("reg_target", echo).unwrap();
    msg!(info("by &str") > "reg_target");
    assert_receive!(
        Message { kind: Kind::Info, from, data, .. } if *from == echo && *data == "by &str",
        timeout: LONG
    );
    msg!(info("by String") > String::from("reg_target"));
    assert_receive!(
        Message { from, data, .. } if *from == echo && *data == "by String",
        timeout: LONG
    );

    let reply = msg!(std(1) >> "reg_target").wait().unwrap();
    assert_eq!((reply.from, reply.data), (echo, Term::from(1)));
    let name = String::from("reg_target");
    let reply = msg!(std(2) >> &name).wait().unwrap();
    assert_eq!(reply.data, 2);
    // A `String` by value.
    let reply = msg!(std(3) >> name.clone()).wait().unwrap();
    assert_eq!(reply.data, 3);
    // The local node's name is not set without distribution: a
    // `(name, node)` pair for another node is unreachable.
    let err = msg!(std(4) >> ("reg_target", "other@nowhere"))
        .timeout(LONG)
        .wait()
        .unwrap_err();
    assert_eq!(err, CallError::Exit(Term::atom("noconnection")));

    // Once unregistered, sends are silent and calls fail fast.
    assert!(actor::unregister("reg_target"));
    msg!(info("lost") > "reg_target");
    assert_eq!(
        msg!(std(5) >> "reg_target").wait(),
        Err(CallError::NoProcess)
    );
    refute_receive!(_, timeout: Duration::from_millis(50));
}

#[actor::test]
fn concurrent_registration_has_one_winner() {
    for round in 0..50 {
        let name = format!("reg_race_{round}");
        let pids: Vec<Pid> = (0..4).map(|_| actor::spawn("EchoActor").unwrap()).collect();
        let results: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = pids
                .iter()
                .map(|&p| {
                    let name = name.clone();
                    s.spawn(move || actor::register(name, p).is_ok())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{results:?}");
        let winner = pids[results.iter().position(|ok| *ok).unwrap()];
        assert_eq!(actor::whereis(&name), Some(winner));
        for p in pids {
            actor::kill(p);
        }
    }
}
