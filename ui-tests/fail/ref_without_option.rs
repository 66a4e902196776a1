use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std(&mut self, reference: Ref) {
        let _ = reference;
    }
}

fn main() {}
