// Generated code is clean under `#![deny(warnings)]` and the rustc lints
// this workspace turns on.
#![deny(warnings, missing_docs, unreachable_pub, missing_debug_implementations)]
#![deny(
    unused_qualifications,
    unused_results,
    trivial_casts,
    trivial_numeric_casts
)]
//! A crate with documented actors.

use actor::prelude::*;
use serde::Deserialize;

/// A point.
#[derive(Debug, Deserialize)]
pub struct Point {
    /// x
    pub x: i64,
}

/// An actor with every handler form.
#[derive(Debug)]
pub struct Linted {
    n: i64,
}

#[actor]
impl Linted {
    fn init(args: Term) -> Self {
        Linted {
            n: args.as_int().unwrap_or(0),
        }
    }
    fn start(&mut self) -> Result<(), String> {
        Ok(())
    }
    fn std(&mut self, msg: Message) {
        msg!(std(msg.data) ref msg.reference > msg.from);
    }
    async fn info(&mut self, p: Point, from: Pid) -> i64 {
        let _ = from;
        self.n + p.x
    }
    fn err(&mut self, data: Term, msg: Message) -> Result<Term, String> {
        let _ = msg;
        Ok(data)
    }
    fn death(&mut self, reference: Option<Ref>) -> Result<(), Term> {
        let _ = reference;
        Ok(())
    }
    async fn stop(&mut self, reason: Term) {
        let _ = reason;
    }
}

/// An actor without handlers.
#[derive(Debug, Default)]
pub struct Empty;

#[actor(name = "LintedEmpty")]
impl Empty {}

fn main() {
    let pid = actor::spawn_with_args("Linted", 1).unwrap();
    let reply = msg!(info { x: 2 } >> pid).wait().unwrap();
    assert_eq!(reply.data, 3);
    msg!(std { a: [1, 2], b: { c: "d" } } > pid);
    let _ = actor::spawn(Empty).unwrap();
}
