use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std(&mut self, data: impl serde::de::DeserializeOwned) {
        let _ = data;
    }
}

fn main() {}
