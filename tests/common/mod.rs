//! Helpers the integration tests share: bounded waits and a fresh process
//! per test.

#![allow(dead_code)] // each test file uses its own subset

use std::time::Duration;

use actor::prelude::*;

/// How long a test waits for something that should happen at once.
pub(crate) const LONG: Duration = Duration::from_secs(10);

/// The next message, or a test failure after [`LONG`].
pub(crate) fn recv() -> Message {
    actor::receive_timeout(LONG).expect("no message within 10 s")
}

/// Runs `f` in a fresh thread, so it is a fresh process with an empty
/// mailbox whatever thread the test harness uses.
pub(crate) fn isolated<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}
