// An impl without handlers is an actor that drops every message; methods
// with other names, associated consts and types are left alone.
use actor::prelude::*;

#[derive(Default)]
struct Quiet {
    n: u32,
}

#[actor]
impl Quiet {
    const LIMIT: u32 = 3;

    pub fn bump(&mut self) -> u32 {
        self.n += 1;
        self.n.min(Self::LIMIT)
    }

    fn handle(&self) -> &'static str {
        "an inherent method named like the trait's"
    }

    fn kill(self) {}
}

fn main() {
    let mut q = Quiet::default();
    assert_eq!(q.bump(), 1);
    assert_eq!(q.handle(), "an inherent method named like the trait's");
    q.kill();
    const _: () = assert!(!<Quiet as Actor>::TRAP_EXIT);
    let pid = actor::spawn(Quiet::default()).unwrap();
    msg!(std > pid);
}
