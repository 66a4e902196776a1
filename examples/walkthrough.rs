//! The seed README's session, step by step, in Rust: send to yourself, pop
//! the mailbox, spawn an `EchoActor`, send and call it, write your own
//! actor, link and monitor.
//!
//! Run it with `cargo run --example walkthrough`.

use std::time::Duration;

use actor::prelude::*;

/// The seed's `EchoActor`, written with `#[actor]`.
#[derive(Default)]
struct MyEcho {
    msg_cnt: u64,
}

#[actor]
impl MyEcho {
    // start is run before any message processing occurs
    fn start(&mut self) {
        println!("test");
    }

    // run whenever a standard message is received: echo it with its ref
    fn std(&mut self, msg: Message) {
        self.msg_cnt += 1;
        msg!(std(msg.data) ref msg.reference > msg.from);
    }

    // run whenever an info message is received; a returned value is the
    // reply to a call
    async fn info(&mut self, data: Term) -> Term {
        self.msg_cnt += 1;
        data
    }
}

fn step(code: &str) {
    println!(">>> {code}");
}

fn main() {
    println!("# nothing to load: the first actor call makes this thread a process");
    step("msg!(std { hi: \"hey\" } > actor::pid())");
    msg!(std { hi: "hey" } > actor::pid());

    step("actor::pop_mailbox()");
    println!(
        "{:?}",
        actor::pop_mailbox().expect("the message we sent ourselves")
    );

    step("let n_pid = actor::spawn(\"actor::actors::EchoActor\")?");
    let n_pid = actor::spawn("actor::actors::EchoActor").expect("EchoActor is built in");
    step("n_pid");
    println!("{n_pid:?}");

    step("msg!(std { hi: \"hey\" } > n_pid)");
    msg!(std { hi: "hey" } > n_pid);
    step("actor::receive()  // the echo, from n_pid");
    let echoed = actor::receive();
    println!("{echoed:?}");
    assert_eq!(echoed.from, n_pid);

    step("msg!(std { hi: \"hey\" } >> n_pid).wait()?");
    let reply = msg!(std { hi: "hey" } >> n_pid)
        .wait()
        .expect("the echo replies");
    println!("{reply:?}");
    assert!(reply.reference.is_some());

    println!("\n# Implementing an actor: #[actor] on a plain impl");
    step("let mine = actor::spawn(MyEcho::default())?  // prints `test` from start()");
    let mine = actor::spawn(MyEcho::default()).expect("spawn by value");
    step("msg!(info { n: 1 } >> mine).wait()?");
    let reply = msg!(info { n: 1 } >> mine).wait().expect("info replies");
    println!("{reply:?}");

    println!("\n# Links: a linked process's death arrives as a death message");
    step("let child = actor::spawn_link(\"EchoActor\")?");
    let child = actor::spawn_link("EchoActor").expect("spawn_link by name");
    step("msg!(kill > child)");
    msg!(kill > child);
    step("actor::receive()");
    let death = actor::receive_timeout(Duration::from_secs(5)).expect("a death message");
    println!("{death:?}");
    assert_eq!(death.kind, Kind::Death);

    println!("\n# Monitors, and calls to a process that is gone");
    step("let r = actor::monitor(n_pid); actor::exit(n_pid, \"bye\")");
    let r = actor::monitor(n_pid);
    actor::exit(n_pid, "bye");
    let down = actor::receive_timeout(Duration::from_secs(5)).expect("a down message");
    println!("{down:?}");
    assert_eq!(down.reference, Some(r));
    step("msg!(std >> n_pid).wait()");
    println!("{:?}", msg!(std >> n_pid).wait());
}
