//! `async fn` handlers and hooks: a handler may await (timers, other
//! calls) without blocking other processes.
//!
//! Run it with `cargo run --example handler_async`.

use std::time::Duration;

use actor::prelude::*;

#[derive(Default)]
struct Slow {
    served: u64,
}

#[actor]
impl Slow {
    async fn start(&mut self) {
        println!("warming up…");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The returned value is the reply to a call.
    async fn std(&mut self, data: Term) -> Term {
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.served += 1;
        Term::from_iter([("echo", data), ("served", self.served.into())])
    }

    // An async handler can call other processes and await their replies.
    async fn info(&mut self, name: String) -> Term {
        let echo = actor::spawn("EchoActor").unwrap();
        match msg!(info(name) >> echo).await {
            Ok(reply) => reply.data,
            Err(e) => e.into(),
        }
    }
}

fn main() {
    let pid = actor::spawn(Slow::default()).unwrap();

    // From blocking code: `.wait()`.
    let reply = msg!(std("one") >> pid).wait().unwrap();
    println!("{:?}", reply.data);

    // From async code: `.await`.
    let reply = actor::runtime()
        .block_on(async move { msg!(info("via echo") >> pid).await })
        .unwrap();
    println!("{:?}", reply.data);
    assert_eq!(reply.data, "via echo");
}
