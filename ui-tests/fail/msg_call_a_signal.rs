use actor::prelude::*;

fn kill(p: Pid) {
    let _ = msg!(kill >> p);
}

fn link(p: Pid) {
    let _ = msg!(link >> p);
}

fn unlink(p: Pid) {
    let _ = msg!(unlink { why: "no" } >> p);
}

fn main() {
    let p = actor::pid();
    kill(p);
    link(p);
    unlink(p);
    // sending them is fine
    msg!(link > p);
}
