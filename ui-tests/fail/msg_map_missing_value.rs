use actor::prelude::*;

fn main() {
    msg!(std { hi: , n: 1 } > actor::pid());
}
