use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn init(&mut self, args: Term) -> Self {
        let _ = args;
        Counter
    }
}

fn main() {}
