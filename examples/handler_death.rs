//! A `death` handler makes an actor trap exits: a linked process's crash
//! arrives as a message instead of killing it. A `down` handler hears
//! about monitored processes.
//!
//! Run it with `cargo run --example handler_death`.

use actor::prelude::*;

struct Guardian {
    owner: Pid,
}

#[actor]
impl Guardian {
    fn init(args: Term) -> Self {
        Guardian {
            owner: args.as_pid().unwrap_or_else(actor::pid),
        }
    }

    // `std {watch: pid}` links, `std {monitor: pid}` monitors.
    fn std(&mut self, data: Term) -> bool {
        if let Some(pid) = data["watch"].as_pid() {
            actor::link(pid);
        }
        if let Some(pid) = data["monitor"].as_pid() {
            actor::monitor(pid);
        }
        true
    }

    // Having this handler is what makes the actor trap exits.
    fn death(&mut self, from: Pid, data: Term) {
        println!("linked {from:?} died: {}", data["reason"]);
        msg!(info { died: from } > self.owner);
    }

    fn down(&mut self, from: Pid, data: Term) {
        println!("monitored {from:?} went down: {}", data["reason"]);
        msg!(info { down: from } > self.owner);
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

fn main() {
    const { assert!(<Guardian as Actor>::TRAP_EXIT) };
    let guardian = actor::spawn_with_args("Guardian", actor::pid()).unwrap();

    let linked = idle();
    let monitored = idle();
    // A call, so the link and the monitor are in place once it returns.
    let done = msg!(
        std {
            watch: linked,
            monitor: monitored
        } >> guardian
    )
    .wait();
    assert_eq!(done.unwrap().data, true);

    actor::exit(linked, Term::atom("crashed"));
    actor::kill(monitored);
    for _ in 0..2 {
        println!("guardian says {:?}", actor::receive().data);
    }
    assert!(actor::is_alive(guardian));
}
