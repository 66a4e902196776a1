// Any `T: DeserializeOwned` is decoded from the data.
use std::collections::HashMap;

use actor::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Order {
    item: String,
    qty: u32,
}

#[derive(Default)]
struct Shop;

#[actor]
impl Shop {
    fn std(&mut self, order: Order) -> u32 {
        let _ = order.item;
        order.qty
    }
    fn info(&mut self, n: i64, from: Pid) {
        let _ = (n, from);
    }
    fn reload(&mut self, config: HashMap<String, String>, again: Option<Vec<u8>>) {
        let _ = (config, again);
    }
}

fn main() {
    let _ = actor::spawn(Shop);
}
