struct Suite;

#[actor::test]
impl Suite {}

fn main() {}
