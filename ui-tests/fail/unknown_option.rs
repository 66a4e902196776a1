use actor::prelude::*;

#[derive(Default)]
struct Counter;

#[actor(nmae = "Counter")]
impl Counter {}

fn main() {}
