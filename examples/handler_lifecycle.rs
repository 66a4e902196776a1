//! `init(args)` builds an actor spawned by name, `start` runs before the
//! first message (an `Err` ends the process) and `stop` gets the exit
//! reason.
//!
//! Run it with `cargo run --example handler_lifecycle`.

use actor::prelude::*;

struct Worker {
    name: String,
}

#[actor(name = "Worker")]
impl Worker {
    // Used by `spawn("Worker")` and `spawn_with_args("Worker", args)`.
    fn init(args: Term) -> Self {
        Worker {
            name: args["name"].as_str().unwrap_or("anonymous").to_owned(),
        }
    }

    fn start(&mut self) -> Result<(), String> {
        println!("{:?} starting", self.name);
        if self.name.is_empty() {
            return Err("a worker needs a name".into());
        }
        Ok(())
    }

    fn std(&mut self) -> String {
        format!("{} at work", self.name)
    }

    fn stop(&mut self, reason: Term) {
        println!("{:?} stopping: {reason}", self.name);
    }
}

fn main() {
    let worker = actor::spawn_with_args("Worker", Term::from_iter([("name", "ada")])).unwrap();
    println!("{}", msg!(std >> worker).wait().unwrap().data);

    let monitor = actor::monitor(worker);
    actor::exit(worker, Term::atom("shutdown"));
    let down = actor::receive();
    assert_eq!((down.kind, down.reference), (Kind::Down, Some(monitor)));
    println!("down: {}", down.data["reason"]);

    // `start` failing ends the process with its error as the reason.
    let nameless = Worker::init(Term::from_iter([("name", "")]));
    let (_, monitor) = actor::spawn_monitor(nameless).unwrap();
    let down = actor::receive();
    assert_eq!(down.reference, Some(monitor));
    println!("down: {}", down.data["reason"]);
}
