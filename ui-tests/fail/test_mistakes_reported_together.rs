#[actor::test(name = "x")]
#[tokio::test]
unsafe fn everything<T>(_x: T) {}

fn main() {}
