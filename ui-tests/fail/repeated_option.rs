use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor(name = "One", name = "Two")]
impl Counter {}

fn main() {}
