use actor::prelude::*;

fn main() {
    msg!(std { hi: "hey", nested: { n: 1, "n": 2 }, "hi": "again" } > actor::pid());
}
