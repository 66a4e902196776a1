use actor::prelude::*;

fn main() {
    msg!(std ref > actor::pid());
}
