// Extractors bound by type, in any order, with any pattern.
use actor::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(Default)]
struct Sums;

#[actor]
impl Sums {
    fn std(
        &mut self,
        r: Option<Ref>,
        Point { x, y }: Point,
        from: Pid,
        data: Term,
        msg: Message,
    ) -> i64 {
        assert_eq!(r, msg.reference);
        assert_eq!(from, msg.from);
        assert_eq!(data, msg.data);
        x + y
    }
    fn info(&mut self, _: Message, _from: Pid) {}
    fn err(&mut self, mut data: Term, reference: Option<Ref>) {
        data = Term::from((data, reference));
        let _ = data;
    }
}

fn main() {
    let _ = actor::spawn(Sums);
}
