use actor::prelude::*;

#[derive(Default)]
struct Counter;

struct Oops;

#[actor]
impl Counter {
    fn std(&mut self, msg: Message) -> Result<(), Oops> {
        let _ = msg;
        Err(Oops)
    }
}

fn main() {}
