use actor::prelude::*;

#[actor::test]
fn echoes(echo: Pid) {
    msg!(std > echo);
}

fn main() {}
