#![doc = include_str!("../README.md")]

// The macros name the crate `::actor`, which must resolve inside it too
// (the observer sends messages).
#[cfg(feature = "observer")]
extern crate self as actor;

pub use actor_core::*;
pub use actor_macros::{actor, assert_receive, msg, refute_receive, test};

#[cfg(feature = "observer")]
pub mod observer;

/// Everything a program using actors needs: `use actor::prelude::*;`.
///
/// The macros, the message types, and the types that appear in handler
/// signatures and call results. Functions stay qualified (`actor::spawn`,
/// `actor::pid()`), as Erlang's BIFs read in code, and so does
/// `#[actor::test]` (a `test` here would clash with the built-in `#[test]`).
pub mod prelude {
    pub use actor_core::{
        Actor, Call, CallError, Inbox, Kind, Message, Pid, Ref, SpawnError, Term,
    };
    pub use actor_macros::{actor, assert_receive, msg, refute_receive};
}
