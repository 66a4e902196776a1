use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std(&mut self, data: &Term) {
        let _ = data;
    }
}

fn main() {}
