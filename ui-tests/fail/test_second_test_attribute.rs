#[actor::test]
#[test]
fn doubly() {}

fn main() {}
