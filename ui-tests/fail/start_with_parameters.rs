use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn start(&mut self, args: Term) {
        let _ = args;
    }
}

fn main() {}
