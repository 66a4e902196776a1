//! Erlang/OTP for Rust.

pub use actor_core::*;

/// Everything a program using actors needs: `use actor::prelude::*;`.
pub mod prelude {
    pub use actor_core::{
        Actor, Call, CallError, Inbox, Kind, Message, Pid, Ref, SpawnError, Term,
    };
}
