//! Erlang/OTP for Rust.

pub use actor_core::*;
