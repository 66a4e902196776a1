//! Exit signals stop processes without unwinding, so a program built with
//! `panic = "abort"` survives them: actors blocked inside sync handlers in
//! `.wait()`, `actor::receive_timeout` and `actor::receive()` are stopped by
//! `actor::exit(pid, shutdown)` and by `actor::kill(pid)`, their monitors see
//! `shutdown` and `killed`, and the program exits 0.
//!
//! Run it with `cargo run --profile panic-abort --example panic_abort` (the
//! `panic-abort` profile is `dev` with `panic = "abort"`); it behaves the
//! same under `cargo run --example panic_abort`.

use std::process::ExitCode;
use std::time::Duration;

use actor::prelude::*;

/// How long the example waits for anything that should happen at once.
const WAIT: Duration = Duration::from_secs(20);

/// Where a [`Blocked`] actor's handler blocks.
#[derive(Clone, Copy, Debug)]
enum Block {
    /// In a call's `.wait()` to a process that never answers.
    Wait,
    /// In `actor::receive_timeout` with a long timeout.
    ReceiveTimeout,
    /// In `actor::receive()`.
    Receive,
}

/// An actor whose `std` handler says so to `observer` and then blocks.
struct Blocked {
    how: Block,
    observer: Pid,
    silent: Pid,
}

#[actor]
impl Blocked {
    /// `spawn_with_args("Blocked", {how: "wait" | "receive_timeout" |
    /// "receive", observer: Pid, silent: Pid})`; `main` spawns by value.
    fn init(args: Term) -> Self {
        let how = match args["how"].as_str() {
            Some("receive_timeout") => Block::ReceiveTimeout,
            Some("receive") => Block::Receive,
            _ => Block::Wait,
        };
        let pid = |key: &str| args[key].as_pid().expect("spawn a Blocked with its pids");
        Blocked {
            how,
            observer: pid("observer"),
            silent: pid("silent"),
        }
    }

    fn std(&mut self) {
        msg!(info("blocking") > self.observer);
        match self.how {
            Block::Wait => {
                let _ = msg!(std >> self.silent)
                    .timeout(Duration::from_secs(600))
                    .wait();
            }
            Block::ReceiveTimeout => {
                let _ = actor::receive_timeout(Duration::from_secs(600));
            }
            Block::Receive => {
                let _ = actor::receive();
            }
        }
    }
}

/// Blocks an actor `how`, sends it `signal` (`None`: kill) and returns the
/// reason its monitor reports.
fn stop_blocked(how: Block, silent: Pid, signal: Option<Term>) -> Result<Term, String> {
    let me = actor::pid();
    let (pid, r) = actor::spawn_monitor(Blocked {
        how,
        observer: me,
        silent,
    })
    .map_err(|e| e.to_string())?;
    msg!(std > pid);
    actor::receive_match_timeout(|m| m.from == pid && m.data == "blocking", WAIT)
        .ok_or("the actor never reached its blocking call")?;
    // Let it get into the blocking call itself.
    std::thread::sleep(Duration::from_millis(50));
    match signal {
        Some(reason) => actor::exit(pid, reason),
        None => actor::kill(pid),
    }
    let down = actor::receive_match_timeout(|m| m.reference == Some(r), WAIT)
        .ok_or("no Down: the actor did not stop")?;
    Ok(down.data["reason"].clone())
}

fn main() -> ExitCode {
    let silent = actor::spawn(|mut inbox: Inbox| async move {
        loop {
            inbox.recv().await;
        }
    })
    .expect("a raw process spawns");
    let mut failed = false;
    for how in [Block::Wait, Block::ReceiveTimeout, Block::Receive] {
        for (signal, expected) in [
            (Some(Term::atom("shutdown")), Term::atom("shutdown")),
            (None, Term::atom("killed")),
        ] {
            let what = match &signal {
                Some(reason) => format!("exit(pid, {reason})"),
                None => "kill(pid)".to_owned(),
            };
            // Said first: a build that cannot stop it without unwinding
            // aborts here.
            println!("an actor blocked in {how:?} gets {what}");
            match stop_blocked(how, silent, signal) {
                Ok(reason) if reason == expected => println!("  down with {reason}"),
                Ok(reason) => {
                    println!("  down with {reason}, expected {expected}");
                    failed = true;
                }
                Err(why) => {
                    println!("  {why}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        println!("every blocked actor stopped with the right reason");
        ExitCode::SUCCESS
    }
}
