use actor::prelude::*;

#[derive(Default)]
struct Holder<T>(T);

#[actor]
impl<T: Send + 'static> Holder<T> {
    fn std(&mut self, msg: Message) {
        let _ = msg;
    }
}

fn main() {}
