//! The `Actor` trait that `#[actor]` implements.

use std::future::Future;
use std::sync::Mutex;

use crate::message::{Kind, Message};
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

    /// The actor's state as its `Debug` prints it, for tools that look at a
    /// running system (Erlang's `sys:get_state`); `None` when the type has
    /// no `Debug`. `#[actor]` implements it.
    #[doc(hidden)]
    fn debug_state(&self) -> Option<String> {
        None
    }
}

/// A look at an actor's state from outside its handlers (Erlang's
/// `sys:get_state` and `sys:get_status`): delivered as the data of an
/// `info` message, it is answered by the actor loop between messages with
/// [`Actor::debug_state`], and never reaches a handler.
pub(crate) struct StateProbe(Mutex<Option<Answer>>);

/// What a [`StateProbe`] does with the state.
type Answer = Box<dyn FnOnce(Option<String>) + Send>;

impl StateProbe {
    #[cfg_attr(not(feature = "dist"), allow(dead_code))]
    pub(crate) fn new(answer: impl FnOnce(Option<String>) + Send + 'static) -> StateProbe {
        StateProbe(Mutex::new(Some(Box::new(answer))))
    }

    /// The probe `msg` carries, if it is one.
    pub(crate) fn of(msg: &Message) -> Option<&StateProbe> {
        match (&msg.data, msg.kind) {
            (Term::Local(v), Kind::Info) => v.downcast_ref(),
            _ => None,
        }
    }

    /// Answers with the actor's state; only the first answer counts.
    pub(crate) fn answer(&self, state: Option<String>) {
        let answer = crate::process::lock(&self.0).take();
        if let Some(answer) = answer {
            answer(state);
        }
    }
}
