use actor::prelude::*;

#[derive(Default)]
struct Counter;

struct NotData;

#[actor]
impl Counter {
    fn std(&mut self, data: NotData) {
        let _ = data;
    }
}

fn main() {}
