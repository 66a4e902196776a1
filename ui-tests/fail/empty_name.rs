use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor(name = "")]
impl Counter {}

fn main() {}
