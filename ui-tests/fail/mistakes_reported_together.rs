use actor::prelude::*;

#[derive(Default)]
struct Counter {
    n: u64,
}

// Every mistake is reported at once, and the impl is still there: `main`
// below type-checks and raises no error of its own.
#[actor(name = "A", name = "B")]
impl Counter {
    fn start(&mut self, extra: u8) {
        let _ = extra;
    }
    fn std(self, msg: Message) {
        let _ = msg;
    }
    fn info(&mut self, a: Pid, b: Pid) {
        let _ = (a, b);
    }
    fn count(&self) -> u64 {
        self.n
    }
}

fn main() {
    let c = Counter::default();
    let _: u64 = c.count();
    let _ = actor::spawn(c);
}
