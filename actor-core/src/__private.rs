//! Support for the code `#[actor]` and `msg!` generate. Not a public API:
//! nothing here is covered by semver.

mod handler;

pub use self::handler::*;
pub use crate::call::{call, send, send_data, send_pid, Target};
pub use crate::spawn::{spawn_actor, Registration, SpawnOpts};
pub use inventory;
