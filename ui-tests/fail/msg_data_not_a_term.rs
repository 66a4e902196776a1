use actor::prelude::*;

struct Secret;

fn main() {
    msg!(std { key: Secret } > actor::pid());
}
