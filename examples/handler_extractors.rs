//! Handler parameters are extractors bound by type, in any order:
//! `Message`, `Term` (the data), `Pid` (the sender) and `Option<Ref>`
//! (set on calls).
//!
//! Run it with `cargo run --example handler_extractors`.

use actor::prelude::*;

#[derive(Default)]
struct Inspector;

#[actor]
impl Inspector {
    fn std(&mut self, reference: Option<Ref>, data: Term, from: Pid) -> Term {
        println!("from {from:?}, ref {reference:?}, data {data:?}");
        Term::from_iter([("was_call", reference.is_some())])
    }

    // Taking both the message and its data clones the data once.
    fn info(&mut self, msg: Message, data: Term) {
        assert_eq!(msg.data, data);
        println!("info {:?}", msg.kind);
    }
}

fn main() {
    let pid = actor::spawn(Inspector).unwrap();

    msg!(std { n: 1 } > pid);
    let reply = msg!(std { n: 2 } >> pid).wait().unwrap();
    assert_eq!(reply.data["was_call"], true);

    msg!(info("hello") > pid);
    // A call after the casts: they have all been handled, in order.
    let _ = msg!(std >> pid).wait().unwrap();
}
