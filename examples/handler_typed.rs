//! A parameter of any `serde::Deserialize` type is decoded from the data;
//! data that does not decode gets an `err` reply and the actor keeps
//! running.
//!
//! Run it with `cargo run --example handler_typed`.

use actor::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Order {
    item: String,
    qty: u32,
}

#[derive(Default)]
struct Shop {
    sold: u32,
}

#[actor]
impl Shop {
    fn std(&mut self, order: Order) -> u32 {
        println!("selling {} × {}", order.qty, order.item);
        self.sold += order.qty;
        self.sold
    }
}

fn main() {
    let shop = actor::spawn(Shop::default()).unwrap();

    let reply = msg!(
        std {
            item: "apple",
            qty: 3
        } >> shop
    )
    .wait()
    .unwrap();
    println!("sold so far: {:?}", reply.data);

    // `qty` is missing: the caller gets `{badarg, "…"}` as an `err` reply.
    let reply = msg!(std { item: "pear" } >> shop).wait().unwrap();
    println!("{:?}: {:?}", reply.kind, reply.data);
    assert_eq!(reply.kind, Kind::Err);

    // The shop is still open.
    let reply = msg!(
        std {
            item: "plum",
            qty: 2
        } >> shop
    )
    .wait()
    .unwrap();
    assert_eq!(reply.data, 5);
}
