#[actor::test]
extern "C" fn foreign() {}

fn main() {}
