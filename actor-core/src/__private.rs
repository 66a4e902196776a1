//! Support for the code `#[actor]` and `msg!` generate. Not a public API:
//! nothing here is covered by semver.

mod handler;

pub use self::handler::*;
