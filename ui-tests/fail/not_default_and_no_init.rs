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

fn main() {}
