use actor::prelude::*;

fn main() {
    refute_receive!(Message { kind: Kind::Death, .. }, std::time::Duration::from_millis(5));
}
