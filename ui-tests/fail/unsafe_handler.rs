use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    unsafe fn std(&mut self, msg: Message) {
        let _ = msg;
    }
}

fn main() {}
