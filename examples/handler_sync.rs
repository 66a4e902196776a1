//! A plain `fn` handler taking the whole `Message` and answering by hand,
//! like the seed's `EchoActor`.
//!
//! Run it with `cargo run --example handler_sync`.

use actor::prelude::*;

#[derive(Default)]
struct Echo {
    count: u64,
}

#[actor]
impl Echo {
    // The whole message is moved in: nothing is cloned.
    fn std(&mut self, msg: Message) {
        self.count += 1;
        // Keep the reference so a call (`>>`) gets its answer.
        msg!(std(msg.data) ref msg.reference > msg.from);
    }
}

fn main() {
    let echo = actor::spawn(Echo::default()).unwrap();

    // A send: the echo lands in our mailbox.
    msg!(std { hi: "hey" } > echo);
    let m = actor::receive();
    println!("sent, got back: {m:?}");

    // A call: waits for the reply carrying the same `Ref`.
    let reply = msg!(std { hi: "again" } >> echo).wait().unwrap();
    println!("called, got: {reply:?}");
    assert_eq!(reply.data["hi"], "again");
}
