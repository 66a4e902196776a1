//! What `#[actor]` and `msg!` expansions call: extractors, replies, the
//! spawn-by-name glue and `msg!`'s conversions.
//!
//! The traits here exist for their `on_unimplemented` messages: a bound on
//! one of them, placed by the macro at the user's span, turns "the trait
//! bound `X: Deserialize` is not satisfied" into a sentence about handlers.

use serde::de::DeserializeOwned;

use super::{send, spawn_actor, SpawnOpts};
pub use crate::{Actor, IntoSpawn, Kind, Message, Pid, Ref, SpawnError, Term};

// ---- sys -------------------------------------------------------------------

/// An actor's value, asked for its `Debug` text: `(&StateOf(&actor))
/// .debug_state()` picks [`DebugState`] when the type has `Debug` and
/// [`NoDebugState`] when not (method lookup tries the receiver as it is
/// before it adds a reference).
#[derive(Debug)]
pub struct StateOf<'a, T>(pub &'a T);

/// The state of an actor whose type has `Debug`.
pub trait DebugState {
    /// Its `Debug` text.
    fn debug_state(&self) -> Option<String>;
}

impl<T: std::fmt::Debug> DebugState for StateOf<'_, T> {
    fn debug_state(&self) -> Option<String> {
        Some(format!("{:?}", self.0))
    }
}

/// The state of an actor whose type has no `Debug`.
pub trait NoDebugState {
    /// Nothing to show.
    fn debug_state(&self) -> Option<String>;
}

impl<T> NoDebugState for &StateOf<'_, T> {
    fn debug_state(&self) -> Option<String> {
        None
    }
}

// ---- extractors -----------------------------------------------------------

/// A handler parameter decoded from the message's data.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler parameter",
    label = "not an extractor",
    note = "expected `Message`, `Term`, `Pid`, `Option<Ref>` or a type implementing `Deserialize` (decoded from the data)"
)]
pub trait HandlerParam: DeserializeOwned {}

impl<T: DeserializeOwned> HandlerParam for T {}

/// Decodes a handler parameter; the error (`{badarg, "…"}`) is the `err`
/// reply's data.
pub fn decode<T: HandlerParam>(data: &Term) -> Result<T, Term> {
    data.decode::<T>().map_err(Term::from)
}

/// A parameter did not decode: the handler does not run. A caller gets an
/// `err` reply; a cast has nobody to tell, so it is logged.
pub fn decode_failed<A>(kind: Kind, from: Pid, reference: Option<Ref>, error: Term) {
    match reference {
        Some(r) => send(from, Kind::Err, error, Some(r)),
        None => tracing::warn!(
            actor = std::any::type_name::<A>(),
            %kind,
            ?from,
            ?error,
            "a message's data did not decode into the handler's parameter; dropped"
        ),
    }
}

/// A message of a kind the actor has no handler for: logged and dropped,
/// like an unexpected message in an Erlang receive loop.
pub fn unhandled<A>(msg: Message) {
    tracing::warn!(
        actor = std::any::type_name::<A>(),
        kind = %msg.kind,
        from = ?msg.from,
        "no handler for this kind of message; dropped"
    );
}

// ---- replies --------------------------------------------------------------
//
// The conversion traits are implemented for `Term` with the user's type as
// a parameter: a failed `Term: From<X>` bound is then reported with these
// traits' messages, which a bound `X: Into<Term>` would not get.

/// A handler's return value, sent back when the message was a call.
#[diagnostic::on_unimplemented(
    message = "`{T}` cannot be returned from a handler",
    label = "does not convert into `Term`",
    note = "a handler returns `()`, a value that converts into `Term` (the reply to a call), or a `Result` of either"
)]
pub trait ReplyFrom<T> {
    /// The reply's data.
    fn reply_from(value: T) -> Term;
}

impl<T> ReplyFrom<T> for Term
where
    Term: From<T>,
{
    fn reply_from(value: T) -> Term {
        value.into()
    }
}

/// The `Err` of a handler's `Result`, sent back as an `err` reply.
#[diagnostic::on_unimplemented(
    message = "`{E}` cannot be a handler's error",
    label = "does not convert into `Term`",
    note = "the `Err` of a handler's `Result` is the data of an `err` reply: implement `From<{E}> for Term`"
)]
pub trait ErrorFrom<E> {
    /// The `err` reply's data.
    fn error_from(error: E) -> Term;
}

impl<E> ErrorFrom<E> for Term
where
    Term: From<E>,
{
    fn error_from(error: E) -> Term {
        error.into()
    }
}

/// Replies with a handler's value when the message was a call.
pub fn reply<T>(from: Pid, kind: Kind, reference: Option<Ref>, value: T)
where
    Term: ReplyFrom<T>,
{
    if let Some(r) = reference {
        send(from, kind, Term::reply_from(value), Some(r));
    }
}

/// Replies for a handler returning `Result<T, E>`: `Ok` as [`reply`],
/// `Err` as an `err` reply.
pub fn reply_result<T, E>(from: Pid, kind: Kind, reference: Option<Ref>, result: Result<T, E>)
where
    Term: ReplyFrom<T> + ErrorFrom<E>,
{
    match result {
        Ok(value) => reply(from, kind, reference, value),
        Err(e) => reply_err(from, reference, Term::error_from(e)),
    }
}

/// Replies for a handler returning `Result<(), E>`: only an `Err`, as an
/// `err` reply.
pub fn reply_unit_result<E>(from: Pid, reference: Option<Ref>, result: Result<(), E>)
where
    Term: ErrorFrom<E>,
{
    if let Err(e) = result {
        reply_err(from, reference, Term::error_from(e));
    }
}

/// An `err` reply to a call; for a cast, a log line (answering a cast would
/// let two actors that both fail on `err` messages loop forever).
fn reply_err(from: Pid, reference: Option<Ref>, error: Term) {
    match reference {
        Some(r) => send(from, Kind::Err, error, Some(r)),
        None => tracing::warn!(
            ?from,
            ?error,
            "a handler failed on a message that was not a call"
        ),
    }
}

// ---- lifecycle ------------------------------------------------------------

/// What `start` may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from `start`",
    label = "expected `()` or `Result<(), E>`",
    note = "`start` returns `()`, or `Result<(), E>` with `E: Into<Term>` (an `Err` ends the process with that reason)"
)]
pub trait StartResult {
    /// `Ok(())`, or the reason to exit with.
    fn into_start(self) -> Result<(), Term>;
}

impl StartResult for () {
    fn into_start(self) -> Result<(), Term> {
        Ok(())
    }
}

impl<E: Into<Term>> StartResult for Result<(), E> {
    fn into_start(self) -> Result<(), Term> {
        self.map_err(Into::into)
    }
}

/// Converts the result of the user's `start`.
pub fn start_result<R: StartResult>(result: R) -> Result<(), Term> {
    result.into_start()
}

/// What `stop` may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from `stop`",
    label = "expected `()`",
    note = "`stop` runs as the process ends: there is nobody to return a value to"
)]
pub trait StopResult {}

impl StopResult for () {}

/// Checks the result of the user's `stop`.
pub fn stop_result<R: StopResult>(_: R) {}

// ---- spawn by name --------------------------------------------------------

/// An actor type `spawn("Name")` can build without arguments.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be spawned by name: it has no `Default` and no `init`",
    label = "needs `Default` or an `init` function",
    note = "derive or implement `Default`, or add `fn init(args: Term) -> Self` to the `#[actor]` impl"
)]
pub trait SpawnDefault: Default {}

impl<T: Default> SpawnDefault for T {}

/// The registered `spawn` of an actor without `init`: the spawn arguments
/// are ignored.
pub fn spawn_default<A: Actor + SpawnDefault>(_args: Term, opts: SpawnOpts) -> (Pid, Option<Ref>) {
    spawn_actor(A::default(), opts)
}

// ---- msg! -----------------------------------------------------------------

/// A value in `msg!`'s data.
#[diagnostic::on_unimplemented(
    message = "`{T}` cannot be message data",
    label = "does not convert into `Term`",
    note = "`msg!` data and map values convert into `Term`: implement `From<{T}> for Term`, or encode the value with `Term::encode`"
)]
pub trait DataFrom<T> {
    /// The value as a term.
    fn data_from(value: T) -> Term;
}

impl<T: Into<Term>> DataFrom<T> for Term {
    fn data_from(value: T) -> Term {
        value.into()
    }
}

/// Converts a `msg!` value.
pub fn data<T>(value: T) -> Term
where
    Term: DataFrom<T>,
{
    Term::data_from(value)
}

/// A map literal's value.
pub fn map<const N: usize>(entries: [(&'static str, Term); N]) -> Term {
    entries.into_iter().collect()
}

/// What may follow `ref` in `msg!`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a message reference",
    label = "expected `Ref` or `Option<Ref>`",
    note = "`msg!(… ref EXPR > target)` takes the reference of the call being answered, such as `msg.reference`"
)]
pub trait IntoRef {
    /// The message's `reference`.
    fn into_ref(self) -> Option<Ref>;
}

impl IntoRef for Ref {
    fn into_ref(self) -> Option<Ref> {
        Some(self)
    }
}

impl IntoRef for Option<Ref> {
    fn into_ref(self) -> Option<Ref> {
        self
    }
}

impl IntoRef for &Ref {
    fn into_ref(self) -> Option<Ref> {
        Some(*self)
    }
}

impl IntoRef for &Option<Ref> {
    fn into_ref(self) -> Option<Ref> {
        *self
    }
}

/// Converts `msg!`'s `ref` expression.
pub fn into_ref<R: IntoRef>(reference: R) -> Option<Ref> {
    reference.into_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_literals_have_string_keys() {
        let m = map([("hi", "hey".into()), ("n", 3.into())]);
        assert_eq!(m["hi"], "hey");
        assert_eq!(m["n"], 3);
        assert_eq!(map([]), Term::map());
    }

    #[test]
    fn refs_convert() {
        let r = Ref::new();
        assert_eq!(into_ref(r), Some(r));
        let (borrowed, none) = (&r, &None);
        assert_eq!(into_ref(borrowed), Some(r));
        assert_eq!(into_ref(Some(r)), Some(r));
        assert_eq!(into_ref(none), None);
    }

    #[test]
    fn start_results() {
        assert_eq!(start_result(()), Ok(()));
        assert_eq!(start_result(Ok::<(), &str>(())), Ok(()));
        assert_eq!(start_result(Err::<(), _>("bad")), Err(Term::from("bad")));
    }
}

/// The macros used inside this crate, as the built-in actors use them.
#[cfg(test)]
mod in_this_crate {
    use std::time::Duration;

    use actor_macros::{actor, msg};

    use crate::{Kind, Message, Term};

    #[derive(Default)]
    struct Internal;

    #[actor(crate = crate, name = "ActorCoreInternalTest")]
    impl Internal {
        fn std(&mut self, msg: Message) {
            // Plain `msg!`: the impl's `crate = crate` is passed on.
            msg!(std(msg.data) ref msg.reference > msg.from);
        }
        async fn info(&mut self, data: Term) -> Result<Term, Term> {
            Err(data)
        }
    }

    #[test]
    fn expansions_work_with_crate_paths() {
        let pid = crate::spawn(Internal).unwrap();
        let wait = Duration::from_secs(5);
        let reply = msg!(crate = crate; std { n: 1 } >> pid)
            .timeout(wait)
            .wait();
        assert_eq!(reply.unwrap().data["n"], 1);
        let reply = msg!(crate = crate; info(2) >> pid).timeout(wait).wait();
        let reply = reply.unwrap();
        assert_eq!((reply.kind, reply.data), (Kind::Err, Term::from(2)));
        let pid = crate::spawn("ActorCoreInternalTest").unwrap();
        assert!(crate::is_alive(pid));
    }
}
