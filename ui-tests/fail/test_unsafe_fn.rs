#[actor::test]
unsafe fn dangerous() {}

fn main() {}
