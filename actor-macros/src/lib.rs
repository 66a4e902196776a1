//! `#[actor]` and `msg!` for the `actor` crate.
