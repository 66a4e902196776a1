use actor::prelude::*;

fn main() {
    refute_receive!(
        Message { kind: Kind::Info, .. },
        timeout: std::time::Duration::from_secs(1),
        timeout: std::time::Duration::from_secs(2),
    );
}
