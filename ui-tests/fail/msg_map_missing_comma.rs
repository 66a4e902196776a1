use actor::prelude::*;

fn main() {
    msg!(std { hi: "hey" n: 1 } > actor::pid());
}
