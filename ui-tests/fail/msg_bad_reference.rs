use actor::prelude::*;

fn main() {
    msg!(std ref 7 > actor::pid());
}
