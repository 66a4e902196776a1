use actor::prelude::*;

fn main() {
    let data = Term::from("hey");
    msg!(std data > actor::pid());
}
