use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn stop(&mut self, reason: Term) -> Term {
        reason
    }
}

fn main() {}
