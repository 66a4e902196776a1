use actor::prelude::*;

fn main() {
    assert_receive!();
}
