use actor::prelude::*;

fn main() {
    let pid = actor::pid();
    msg!(std { hi: "hey" } pid);
}
