//! A small running system to look inside with the observer: a supervision
//! tree (a worker that keeps crashing, a pool, a nested supervisor), a
//! consumer whose mailbox floods because its producer is faster, and the
//! seed's `Supervisor`; crash reports go to the terminal through
//! `tracing-subscriber`.
//!
//! ```text
//! cargo run --features observer --example observer                   # http://127.0.0.1:7070/
//! cargo run --features observer --example observer -- 127.0.0.1:8080
//! cargo run --features observer --example observer -- 127.0.0.1:8080 --allow-actions
//! cargo run --release --features observer --example observer -- --idle 100000
//! ```
//!
//! It serves until stopped (Ctrl-C). `--allow-actions` lets the page kill
//! processes: kill `db` and watch its supervisor start a new one.
//! `--idle N` adds N idle processes, to see the page with many.

use std::time::Duration;

use actor::observer::Observer;
use actor::prelude::*;
use actor::supervisor::{ChildSpec, Restart, SupervisorSpec};

const DEFAULT_ADDR: &str = "127.0.0.1:7070";
const USAGE: &str = "usage: observer [ADDR (default 127.0.0.1:7070)] [--allow-actions] [--idle N]";

fn fail(why: &str) -> ! {
    eprintln!("{why}\n{USAGE}");
    std::process::exit(2)
}

/// How far the producer lets the consumer fall behind before it waits.
const BACKLOG_CAP: usize = 200_000;

/// A consumer that takes 20 ms per message: 50 a second.
#[derive(Default)]
struct Ingest {
    stored: u64,
}

#[actor]
impl Ingest {
    fn start(&mut self) {
        // The supervisor restarts it under the same name.
        let _ = actor::register("ingest", actor::pid());
    }

    async fn std(&mut self, _record: Term) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.stored += 1;
    }
}

/// A database stand-in that answers queries; registers itself, so its
/// clients find the one the supervisor restarted.
#[derive(Default)]
struct Db {
    queries: u64,
}

#[actor]
impl Db {
    fn start(&mut self) {
        let _ = actor::register("db", actor::pid());
    }

    fn std(&mut self, _query: Term) -> Term {
        self.queries += 1;
        Term::from_iter([
            ("rows", Term::from(1)),
            ("served", Term::from(self.queries)),
        ])
    }
}

/// Sends records to `ingest` far faster than it takes them (5000 a
/// second), pausing while the backlog is at its cap; watches `ingest` with
/// a monitor.
async fn producer(_inbox: Inbox) {
    let mut watched = None;
    let mut n: i64 = 0;
    loop {
        if let Some(ingest) = actor::whereis("ingest") {
            if watched != Some(ingest) {
                actor::monitor(ingest);
                watched = Some(ingest);
            }
            let backlog = actor::process_info(ingest).map_or(0, |i| i.mailbox_len);
            if backlog < BACKLOG_CAP {
                for _ in 0..500 {
                    n += 1;
                    msg!(
                        std {
                            record: n,
                            payload: "sensor reading"
                        } > ingest
                    );
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Calls `db` now and then, as an application would.
async fn client(_inbox: Inbox) {
    loop {
        let _ = msg!(std { query: "select 1" } >> "db").await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn main() {
    let mut addr = DEFAULT_ADDR.to_owned();
    let mut allow_actions = false;
    let mut idle = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--allow-actions" => allow_actions = true,
            "--idle" => {
                idle = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| fail("--idle takes a number"));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other if other.starts_with('-') => fail(&format!("unknown option `{other}`")),
            other => addr = other.to_owned(),
        }
    }
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .init();

    let workers = SupervisorSpec::one_for_one()
        .intensity(5, Duration::from_secs(30))
        .child(ChildSpec::worker("parser", "EchoActor"))
        .child(ChildSpec::worker("indexer", "EchoActor"))
        // Fails every few seconds: a restart, and a crash report in the
        // terminal.
        .child(ChildSpec::worker_fn("flaky", || {
            |_inbox: Inbox| async move {
                tokio::time::sleep(Duration::from_secs(7)).await;
                actor::exit_self(Term::tuple([
                    Term::atom("gateway_timeout"),
                    Term::from("payments.example:443"),
                ]));
                std::future::pending::<()>().await;
            }
        }));
    let pool = SupervisorSpec::simple_one_for_one(
        ChildSpec::worker("connection", "EchoActor").restart(Restart::Temporary),
    );
    let root = SupervisorSpec::one_for_one()
        .name("app")
        .child(ChildSpec::worker("config", "EchoActor"))
        .child(ChildSpec::worker_fn("db", Db::default))
        .child(ChildSpec::worker_fn("ingest", Ingest::default))
        .child(ChildSpec::supervisor("workers", workers))
        .child(ChildSpec::supervisor("pool", pool))
        .start_link()
        .expect("the supervision tree starts");
    let pool = actor::supervisor::which_children(root).expect("the root answers")[4]
        .pid()
        .expect("the pool runs");
    for _ in 0..3 {
        actor::supervisor::start_child(pool, Term::Nil).expect("a pool child starts");
    }
    // The seed's supervisor, beside the OTP tree.
    let seed = actor::spawn("Supervisor").expect("the seed's supervisor starts");
    actor::register("seed_supervisor", seed).expect("the name is free");
    msg!(
        std {
            spawn: "EchoActor",
            desired: 2
        } >> seed
    )
    .wait()
    .expect("the seed's supervisor scales");

    let producer = actor::spawn(producer).expect("the producer starts");
    actor::register("producer", producer).expect("the name is free");
    for _ in 0..2 {
        actor::spawn(client).expect("a client starts");
    }
    for _ in 0..idle {
        actor::spawn("EchoActor").expect("an idle process starts");
    }

    let observer = Observer::builder()
        .allow_actions(allow_actions)
        .serve(addr.as_str())
        .unwrap_or_else(|e| fail(&e.to_string()));
    println!("observer: {}", observer.url());
    println!(
        "{}; Ctrl-C stops",
        if allow_actions {
            "actions are on: the page can kill processes"
        } else {
            "read-only (--allow-actions lets the page kill processes)"
        }
    );
    loop {
        std::thread::park();
    }
}
