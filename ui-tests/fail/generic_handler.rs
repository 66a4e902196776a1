use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std<T: serde::de::DeserializeOwned>(&mut self, data: T) {
        let _ = data;
    }
}

fn main() {}
