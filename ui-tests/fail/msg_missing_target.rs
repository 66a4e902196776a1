use actor::prelude::*;

fn main() {
    msg!(std { hi: "hey" } >);
}
