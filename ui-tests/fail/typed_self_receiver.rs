use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn info(self: Box<Self>, data: Term) {
        let _ = data;
    }
}

fn main() {}
