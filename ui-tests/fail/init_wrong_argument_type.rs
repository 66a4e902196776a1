use actor::prelude::*;

struct Counter {
    start: u32,
}

#[actor]
impl Counter {
    fn init(start: u32) -> Self {
        Counter { start }
    }
    fn std(&mut self) -> u32 {
        self.start
    }
}

fn main() {}
