//! The `Actor` trait that `#[actor]` implements.

use std::future::Future;

use crate::message::Message;
use crate::term::Term;

/// A type whose values run as processes and handle messages.
///
/// Write a plain `impl` block and put `#[actor]` on it: the macro implements
/// this trait (dispatch by [`Kind`](crate::Kind), extractors, replies) and
/// registers the type for [`spawn`](crate::spawn) by name. Implementing it by
/// hand is possible but rarely needed.
pub trait Actor: Send + Sized + 'static {
    /// Whether the actor traps exits: `true` exactly when the impl has a
    /// `death` handler. A trapping actor receives linked processes' exits as
    /// [`Kind::Death`](crate::Kind::Death) messages instead of dying with them.
    const TRAP_EXIT: bool = false;

    /// Runs once before any message. An `Err(reason)` ends the process with
    /// that reason.
    fn start(&mut self) -> impl Future<Output = Result<(), Term>> + Send {
        async { Ok(()) }
    }

    /// Handles one message.
    fn handle(&mut self, msg: Message) -> impl Future<Output = ()> + Send;

    /// Handles one message at once if its handler is synchronous; gives
    /// it back for [`handle`](Actor::handle) otherwise. `#[actor]`
    /// implements it so that a synchronous handler costs no future.
    #[doc(hidden)]
    fn handle_now(&mut self, msg: Message) -> Result<(), Message> {
        Err(msg)
    }

    /// Runs when the process ends, with the reason: after any exit but
    /// `kill` or a failed `start` (as OTP skips `terminate` when `init` fails).
    fn stop(&mut self, reason: Term) -> impl Future<Output = ()> + Send {
        let _ = reason;
        async {}
    }
}
