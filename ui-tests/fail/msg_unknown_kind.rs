use actor::prelude::*;

fn main() {
    msg!(standard { hi: "hey" } > actor::pid());
}
