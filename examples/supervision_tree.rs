//! A supervision tree: prints it, kills a worker, and shows the supervisor
//! restarting it (with backoff) while the rest of the tree stays put.
//!
//! Run with `cargo run --example supervision_tree`.

use std::sync::mpsc;
use std::time::Duration;

use actor::prelude::*;
use actor::supervisor::{
    self, Backoff, ChildInfo, ChildSpec, ChildState, ChildType, Event, Restart, Shutdown,
    SupervisorSpec,
};

/// Prints the tree under `sup`, one line per child.
fn print_tree(sup: Pid, depth: usize) {
    for child in supervisor::which_children(sup).unwrap_or_default() {
        let ChildInfo {
            id,
            state,
            child_type,
            restart,
            ..
        } = &child;
        let state = match state {
            ChildState::Running(pid) => format!("{pid:?}"),
            ChildState::Restarting => "restarting".to_owned(),
            ChildState::Stopped => "stopped".to_owned(),
        };
        let kind = match child_type {
            ChildType::Worker => "worker",
            ChildType::Supervisor => "supervisor",
        };
        println!(
            "{:indent$}├─ {id} ({kind}, {restart:?}) {state}",
            "",
            indent = depth * 3
        );
        if let (ChildType::Supervisor, Some(pid)) = (child_type, child.pid()) {
            print_tree(pid, depth + 1);
        }
    }
}

fn main() {
    // A raw-function worker: a fresh closure process for every (re)start.
    let listener = ChildSpec::worker_fn("listener", || {
        |mut inbox: Inbox| async move {
            loop {
                let m = inbox.recv().await;
                println!("  listener got {:?}", m.data);
            }
        }
    })
    .shutdown(Shutdown::BrutalKill);

    let (tx, events) = mpsc::channel();
    let workers = SupervisorSpec::one_for_one()
        .intensity(3, Duration::from_secs(5))
        .backoff(
            Backoff::exponential(Duration::from_millis(100), Duration::from_secs(2)).jitter(0.1),
        )
        .child(ChildSpec::worker("echo", "EchoActor"))
        .child(listener)
        .on_event(move |e| {
            let _ = tx.send(e.clone());
        });
    let pool = SupervisorSpec::simple_one_for_one(
        ChildSpec::worker("connection", "EchoActor").restart(Restart::Transient),
    );
    let root = SupervisorSpec::rest_for_one()
        .name("app")
        .child(ChildSpec::worker("config", "EchoActor"))
        .child(ChildSpec::supervisor("workers", workers))
        .child(ChildSpec::supervisor("pool", pool))
        .start_link()
        .expect("the tree starts");

    let pool = supervisor::which_children(root).unwrap()[2].pid().unwrap();
    for _ in 0..2 {
        supervisor::start_child(pool, Term::Nil).unwrap();
    }

    println!("app {root:?}");
    print_tree(root, 0);

    let workers = supervisor::which_children(root).unwrap()[1].pid().unwrap();
    let echo = supervisor::which_children(workers).unwrap()[0]
        .pid()
        .unwrap();
    println!("\nkilling workers/echo {echo:?}");
    actor::kill(echo);

    // Follow the restart through the supervisor's events.
    for event in events.iter() {
        match event {
            Event::Exited { id, reason, .. } => println!("  {id} exited: {reason}"),
            Event::RestartScheduled { id, delay, .. } => {
                println!("  {id} restarts in {delay:?}");
                print_tree(root, 1);
            }
            Event::Started {
                id,
                pid,
                restart: true,
                ..
            } => {
                println!("  {id} restarted as {pid:?}");
                break;
            }
            _ => {}
        }
    }

    println!("\nafter the restart:");
    print_tree(root, 0);

    supervisor::stop(root).unwrap();
    println!("\nstopped: every process of the tree is gone");
}
