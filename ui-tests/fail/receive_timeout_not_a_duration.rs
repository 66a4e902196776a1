use actor::prelude::*;

fn main() {
    assert_receive!(Message { kind: Kind::Info, .. }, timeout: 100);
}
