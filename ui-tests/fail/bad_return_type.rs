use actor::prelude::*;

#[derive(Default)]
struct Counter;

struct Reply;

#[actor]
impl Counter {
    fn std(&mut self, msg: Message) -> Reply {
        let _ = msg;
        Reply
    }
}

fn main() {}
