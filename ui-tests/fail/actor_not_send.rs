use std::rc::Rc;

use actor::prelude::*;

#[derive(Default)]
struct Shared {
    data: Rc<u32>,
}

#[actor]
impl Shared {
    fn std(&mut self) -> u32 {
        *self.data
    }
}

fn main() {}
