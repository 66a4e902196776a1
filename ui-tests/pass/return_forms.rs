// A handler returns `()`, anything `Into<Term>`, or a `Result` of either.
use actor::prelude::*;

#[derive(Default)]
struct Returns;

#[actor]
impl Returns {
    fn std(&mut self) -> () {}
    fn info(&mut self, data: Term) -> Option<String> {
        data.as_str().map(str::to_owned)
    }
    fn err(&mut self) -> Result<(), String> {
        Err("nope".into())
    }
    fn reload(&mut self) -> std::result::Result<Vec<i64>, Term> {
        Ok(vec![1, 2])
    }
}

fn main() {
    let pid = actor::spawn(Returns).unwrap();
    assert_eq!(msg!(info("a") >> pid).wait().unwrap().data, "a");
    let e = msg!(err >> pid).wait().unwrap();
    assert_eq!((e.kind, e.data), (Kind::Err, Term::from("nope")));
    assert_eq!(msg!(reload >> pid).wait().unwrap().data, Term::list([1, 2]));
}
