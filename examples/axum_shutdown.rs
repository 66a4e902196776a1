//! An axum server calling actors, and the two shutting down together on
//! Ctrl-C: the server stops taking requests and finishes the ones it has,
//! then `actor::shutdown_async` stops the supervision tree (children in
//! reverse start order, each `stop` hook to its end) and every other
//! process.
//!
//! Run it with `cargo run --example axum_shutdown`, then
//! `curl localhost:3000/hit` a few times and press Ctrl-C. `--port N`
//! picks the port (0: any free one).

use std::time::Duration;

use actor::prelude::*;
use actor::supervisor::{ChildSpec, SupervisorSpec};
use axum::routing::get;

/// Counts the hits.
#[derive(Default)]
struct Hits(i64);

#[actor]
impl Hits {
    /// Registered by name as it starts, so a restarted `hits` is found too.
    fn start(&mut self) {
        actor::register("hits", actor::pid()).expect("one hits at a time");
    }

    fn std(&mut self) -> i64 {
        self.0 += 1;
        if self.0 % 2 == 0 {
            // Every other hit is logged: a cast, no reply awaited.
            msg!(info(self.0) > "log");
        }
        self.0
    }

    fn stop(&mut self, reason: Term) {
        println!("hits: stopped ({reason}) after {} hits", self.0);
    }
}

/// Writes what it is sent, and flushes when stopped: the kind of actor
/// whose `stop` hook must not be cut off.
#[derive(Default)]
struct Log(Vec<i64>);

#[actor]
impl Log {
    fn start(&mut self) {
        actor::register("log", actor::pid()).expect("one log at a time");
    }

    fn info(&mut self, n: i64) {
        self.0.push(n);
    }

    async fn stop(&mut self, reason: Term) {
        println!("log: flushing {} entries ({reason})", self.0.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
        println!("log: flushed {:?}", self.0);
    }
}

async fn hit() -> String {
    match msg!(std >> "hits").decode::<i64>().await {
        Ok(n) => format!("hit {n}\n"),
        Err(e) => format!("error: {e}\n"),
    }
}

#[tokio::main]
async fn main() {
    let port: u16 = match std::env::args().skip_while(|a| a != "--port").nth(1) {
        Some(p) => p.parse().expect("--port takes a number"),
        None => 3000,
    };
    // One runtime for both: the actors run on this program's own.
    actor::Runtime::builder()
        .handle(tokio::runtime::Handle::current())
        .start()
        .expect("the actor runtime is configured before its first use");

    // `log` starts first, so it stops last: `hits` can log until the end.
    SupervisorSpec::one_for_one()
        .child(ChildSpec::worker_fn("log", Log::default))
        .child(ChildSpec::worker_fn("hits", Hits::default))
        .start_link()
        .expect("the tree starts");

    let router = axum::Router::new().route("/hit", get(hit));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the port is free");
    println!("listening on {}", listener.local_addr().expect("bound"));
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.expect("a Ctrl-C handler");
            println!("Ctrl-C: the server stops taking requests");
        })
        .await
        .expect("the server runs");

    let done = actor::shutdown_async(Duration::from_secs(5)).await;
    println!(
        "actors: {} stopped, {} killed at the timeout",
        done.stopped, done.killed
    );
}
