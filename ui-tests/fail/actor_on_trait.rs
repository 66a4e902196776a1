use actor::prelude::*;

#[actor]
trait Handler {
    fn std(&mut self, msg: Message);
}

fn main() {}
