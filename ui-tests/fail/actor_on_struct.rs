use actor::prelude::*;

#[actor]
#[derive(Default)]
struct Counter;

fn main() {
    // The struct is still there.
    let _ = Counter;
}
