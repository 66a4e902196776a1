// `crate = path` for a crate that reaches `actor` through a re-export.
mod runtime {
    pub use ::actor::*;
}

use runtime::{actor, msg, Message};

#[derive(Default)]
struct Echo;

#[actor(crate = crate::runtime)]
impl Echo {
    fn std(&mut self, msg: Message) {
        // `msg!` inside the impl is told the path too.
        msg!(std(msg.data) ref msg.reference > msg.from);
    }
}

fn main() {
    let pid = runtime::spawn(Echo).unwrap();
    let reply = msg!(crate = crate::runtime; std(1) >> pid).wait().unwrap();
    assert_eq!(reply.data, 1);
}
