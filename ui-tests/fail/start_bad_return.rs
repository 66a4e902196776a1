use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn start(&mut self) -> u32 {
        0
    }
}

fn main() {}
