// Every handler kind, written as a plain `fn`.
use actor::prelude::*;

#[derive(Default)]
struct Everything;

#[actor]
impl Everything {
    fn std(&mut self, msg: Message) {
        msg!(std(msg.data) ref msg.reference > msg.from);
    }
    fn info(&mut self, data: Term) -> Term {
        data
    }
    fn death(&mut self, from: Pid) {
        let _ = from;
    }
    fn down(&mut self, reference: Option<Ref>) {
        let _ = reference;
    }
    fn err(&mut self, msg: Message) {
        let _ = msg;
    }
    fn reload(&mut self) {}
}

fn main() {
    const _: () = assert!(<Everything as Actor>::TRAP_EXIT);
    let pid = actor::spawn(Everything).unwrap();
    let reply = msg!(info { n: 1 } >> pid).wait().unwrap();
    assert_eq!(reply.data["n"], 1);
}
