use actor::prelude::*;

fn main() {
    assert_receive!(Message { kind: Kind::Info, .. }, timeout = std::time::Duration::from_secs(1));
}
