//! What the integration tests share: the bound for waits that should end
//! at once. Tests run as `#[actor::test]` and wait with `assert_receive!`;
//! the helpers below are for the tests about plain threads as processes,
//! which make their own threads processes on purpose.

#![allow(dead_code)] // each test file uses its own subset

use std::time::Duration;

use actor::prelude::*;

/// How long a test waits for something that should happen at once.
pub(crate) const LONG: Duration = Duration::from_secs(10);

/// The next message of this thread's process, or a test failure after
/// [`LONG`].
pub(crate) fn recv() -> Message {
    actor::receive_timeout(LONG).expect("no message within 10 s")
}

/// Runs `f` in a fresh plain thread, so it is a fresh thread process with
/// an empty mailbox whatever thread the test harness uses.
pub(crate) fn isolated<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}
