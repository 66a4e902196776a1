use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std(&mut self, first: Message, second: Message) {
        let _ = (first, second);
    }
}

fn main() {}
