use actor::prelude::*;

#[actor]
fn std(msg: Message) {
    let _ = msg;
}

fn main() {}
