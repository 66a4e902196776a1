use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std(&self, msg: Message) {
        let _ = msg;
    }
}

fn main() {}
