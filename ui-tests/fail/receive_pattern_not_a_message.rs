use actor::prelude::*;

fn main() {
    assert_receive!(Some(Message { kind: Kind::Info, .. }));
}
