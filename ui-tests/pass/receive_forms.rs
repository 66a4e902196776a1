// Every form of `assert_receive!` and `refute_receive!`.
use actor::prelude::*;
use std::time::Duration;

mod reexport {
    pub use ::actor::*;
}

fn main() {
    let me = actor::pid();
    let r = Ref::new();
    for n in 0..8 {
        msg!(info { n: n } ref r > me);
    }
    // a pattern alone, with `ref`, with a guard
    let _: Message = assert_receive!(Message { kind: Kind::Info, .. });
    assert_receive!(Message { kind: Kind::Info, ref data, .. } if data["n"] == 1);
    // bindings as `match &msg` makes them, and a leading `|`
    assert_receive!(| Message { from, reference: Some(got), .. } if *from == me && *got == r);
    // or-patterns, a timeout, trailing commas
    assert_receive!(
        Message { kind: Kind::Std, .. } | Message { kind: Kind::Info, .. },
        timeout: Duration::from_secs(1),
    );
    assert_receive!(_, timeout: Duration::from_secs(1));
    let m = assert_receive!(m if m.data["n"] == 5,);
    assert_eq!(m.data["n"], 5);
    // the runtime's path, for use inside it
    assert_receive!(crate = crate::reexport; _);
    refute_receive!(crate = reexport; Message { kind: Kind::Std, .. }, timeout: Duration::ZERO);
    refute_receive!(Message { kind: Kind::Down, .. });
    refute_receive!(Message { data, .. } if data["n"] == 99, timeout: Duration::from_millis(1),);
    assert_eq!(actor::peek_mailbox().len(), 1);
}
