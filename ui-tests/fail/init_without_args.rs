use actor::prelude::*;

struct Counter;

#[actor]
impl Counter {
    fn init() -> Self {
        Counter
    }
}

fn main() {}
