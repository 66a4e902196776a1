use actor::prelude::*;

fn main() {
    msg!(std { 1: "one" } > actor::pid());
}
