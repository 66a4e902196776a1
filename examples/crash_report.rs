//! Crash reports through `tracing`: an actor that crashes logs one `error`
//! event (pid, actor, registered name, reason: Erlang's crash report),
//! inside its `process` span; the handler's own log lines carry the same
//! span; a call that times out shows as a `debug` event.
//!
//! Run with `cargo run --example crash_report`. The output (pids cut
//! short):
//!
//! ```text
//!  INFO process{pid=ab17d3f1-… actor="crash_report::Payments"}: charging order=16
//! order 16: Ok(16)
//!  INFO process{pid=ab17d3f1-… actor="crash_report::Payments"}: charging order=17
//! order 17: Err(Exit((panic, 'card number missing in order 17')))
//! ERROR process{pid=ab17d3f1-… actor="crash_report::Payments"}: process exited abnormally pid=ab17d3f1-… actor="crash_report::Payments" name="payments" reason={panic, "card number missing in order 17"}
//! payments exited: {panic, "card number missing in order 17"}
//! DEBUG a call timed out; a reply that comes later is dropped pid=… callee=Some(Pid('…')) reference=…
//! a call to a silent process: Err(Timeout)
//! ```

use std::time::Duration;

use actor::prelude::*;

#[derive(Default)]
struct Payments {
    charged: u64,
}

#[actor]
impl Payments {
    fn std(&mut self, order: Term) -> i64 {
        let id = order["id"].as_int().unwrap_or(0);
        tracing::info!(order = id, "charging");
        if order["card"].is_nil() {
            panic!("card number missing in order {id}");
        }
        self.charged += 1;
        id
    }
}

fn main() {
    // Install the subscriber first: a process gets its span when it first
    // runs, if a subscriber wants one then.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_target(false)
        .without_time()
        .init();
    // Panics are reported as exit reasons; keep the default hook's message
    // and backtrace out of the way.
    std::panic::set_hook(Box::new(|_| {}));

    let payments = actor::spawn(Payments::default()).expect("spawn");
    actor::register("payments", payments).expect("register");
    let down = actor::monitor(payments);

    let ok = msg!(
        std {
            id: 16,
            card: "4111…"
        } >> payments
    )
    .wait();
    println!("order 16: {:?}", ok.map(|m| m.data));
    let crashed = msg!(std { id: 17 } >> payments).wait();
    println!("order 17: {crashed:?}");
    let m = actor::receive_match_timeout(|m| m.reference == Some(down), Duration::from_secs(5))
        .expect("the Down message");
    println!("payments exited: {}", m.data["reason"]);

    // A call that gives up: a `debug` event.
    let silent = actor::spawn(|mut inbox: Inbox| async move {
        loop {
            inbox.recv().await;
        }
    })
    .expect("spawn");
    let timed_out = msg!(std >> silent)
        .timeout(Duration::from_millis(50))
        .wait();
    println!("a call to a silent process: {timed_out:?}");
    actor::kill(silent);
}
