use actor::prelude::*;

fn main() {
    let pid = actor::pid();
    let _ = msg!(std { hi: "hey" } >>> pid);
}
