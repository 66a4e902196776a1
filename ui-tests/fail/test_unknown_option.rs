#[actor::test(timeout = 5)]
fn slow() {}

fn main() {}
