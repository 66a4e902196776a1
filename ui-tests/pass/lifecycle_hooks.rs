// `start` returning `()` or `Result<(), E>`, `stop` with or without the reason.
use actor::prelude::*;

#[derive(Default)]
struct Plain;

#[actor]
impl Plain {
    fn start(&mut self) {}
    fn stop(&mut self) {}
}

#[derive(Default)]
struct Checked;

#[actor]
impl Checked {
    fn start(&mut self) -> Result<(), String> {
        Ok(())
    }
    fn stop(&mut self, reason: Term) -> () {
        let _ = reason;
    }
}

fn main() {
    let _ = actor::spawn(Plain);
    let _ = actor::spawn(Checked);
}
