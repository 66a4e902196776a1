use actor::prelude::*;

// A type alias hides `Result` from the macro: it is taken as a value, and
// `Result<i64, String>` does not convert into `Term`.
type Answer = Result<i64, String>;

#[derive(Default)]
struct Counter;

#[actor]
impl Counter {
    fn std(&mut self) -> Answer {
        Ok(1)
    }
}

fn main() {}
