//! Support for the code `#[actor]`, `msg!`, `#[actor::test]`,
//! `assert_receive!` and `refute_receive!` generate. Not a public API:
//! nothing here is covered by semver.

mod handler;
mod testing;

pub use self::handler::*;
pub use self::testing::*;
pub use crate::call::{call, send, send_data, send_pid, Target};
pub use crate::spawn::{spawn_actor, Registration, SpawnOpts};
pub use inventory;
