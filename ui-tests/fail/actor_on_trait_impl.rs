use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Clone for Counter {
    fn clone(&self) -> Self {
        Counter
    }
}

fn main() {}
