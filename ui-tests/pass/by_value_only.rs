//! An actor without `Default` or `init` compiles: it is spawned by value
//! (spawning it by name is a runtime error that says why).

use actor::prelude::*;

struct Counter {
    n: u64,
}

#[actor]
impl Counter {
    fn std(&mut self, msg: Message) {
        self.n += 1;
        let _ = msg;
    }
}

fn main() {
    let _ = actor::spawn(Counter { n: 0 });
}
