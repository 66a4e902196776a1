#[actor::test]
struct NotATest;

fn main() {}
