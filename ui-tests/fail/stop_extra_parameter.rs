use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn stop(&mut self, reason: Term, extra: u32) {
        let _ = (reason, extra);
    }
}

fn main() {}
