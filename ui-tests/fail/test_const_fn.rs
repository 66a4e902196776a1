#[actor::test]
const fn constant() {}

fn main() {}
