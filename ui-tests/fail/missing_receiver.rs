use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std(msg: Message) {
        let _ = msg;
    }
}

fn main() {}
