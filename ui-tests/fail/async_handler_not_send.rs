use std::rc::Rc;

use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    async fn std(&mut self) -> u32 {
        let local = Rc::new(1);
        tokio::task::yield_now().await;
        *local
    }
}

fn main() {}
