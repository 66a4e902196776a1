//! The runtime of the `actor` crate. Depend on `actor`, not on this crate.

mod actor;
mod message;
mod pid;
mod term;

#[doc(hidden)]
pub mod __private;

pub use crate::actor::Actor;
pub use crate::message::{Kind, Message};
pub use crate::pid::{Pid, Ref};
pub use crate::term::{Atom, Term};
