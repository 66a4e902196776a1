//! What `#[actor]` and `msg!` expansions call: extractors, replies, the
//! spawn-by-name glue and `msg!`'s conversions.
//!
//! The traits here exist for their `on_unimplemented` messages: a bound on
//! one of them, placed by the macro at the user's span, turns "the trait
//! bound `X: Deserialize` is not satisfied" into a sentence about handlers.

use serde::de::DeserializeOwned;

use super::{send, spawn_actor, SpawnOpts};
pub use crate::{Actor, IntoSpawn, Kind, Message, Pid, Ref, SpawnError, Term, TermError};

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
/// like an unexpected message in an Erlang receive loop. A call of that
/// kind is answered at once with an `err` `{no_handler, Kind}` rather than
/// left to wait out its timeout.
pub fn unhandled<A>(msg: Message) {
    tracing::warn!(
        actor = std::any::type_name::<A>(),
        kind = %msg.kind,
        from = ?msg.from,
        "no handler for this kind of message; dropped"
    );
    if msg.reference.is_some() {
        let why = Term::tuple([Term::atom("no_handler"), Term::from(msg.kind.to_string())]);
        reply_err(msg.from, msg.reference, why);
    }
}

// ---- conversions ----------------------------------------------------------
//
// A handler's value, a handler's error and `msg!` data take whichever
// conversion their type has, picked at the expansion site by autoref
// specialization: `(&&Wrap::new(value)).convert()` finds the impl on
// `&&Wrap<T>` (the first choice) when its bound holds, else the one on
// `&Wrap<T>`, else the inherent method on `Wrap<T>`, whose bound no type
// meets and whose message says what would have worked.

macro_rules! wrapper {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T>(std::cell::Cell<Option<T>>);

        impl<T> std::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl<T> $name<T> {
            /// Wraps `value` for the conversion.
            #[inline]
            pub fn new(value: T) -> $name<T> {
                $name(std::cell::Cell::new(Some(value)))
            }

            #[inline]
            fn take(&self) -> T {
                self.0.take().expect("a wrapped value is converted once")
            }
        }
    };
}

wrapper!(
    /// A handler's value, on its way into a reply.
    Reply
);
wrapper!(
    /// `msg!` data, on its way into a message.
    Data
);
wrapper!(
    /// The `Err` of a handler's `Result`, on its way into an `err` reply.
    Error
);

/// A reply or data value by `Term: From<T>` (the first choice).
pub trait ViaFrom {
    /// The term.
    fn convert(self) -> Result<Term, TermError>;
}

/// A reply or data value by `T: Serialize` (when `Term: From<T>` fails).
pub trait ViaSerialize {
    /// The term, or why it does not encode.
    fn convert(self) -> Result<Term, TermError>;
}

/// An error by `Term: From<E>` (the first choice).
pub trait ErrorViaFrom {
    /// The `err` reply's data.
    fn convert(self) -> Term;
}

/// An error by `E: Display` (`anyhow::Error`, `std::io::Error`, ...): its
/// text, with `{:#}` so that chains of causes show.
pub trait ErrorViaDisplay {
    /// The `err` reply's data.
    fn convert(self) -> Term;
}

macro_rules! via {
    ($wrap:ident) => {
        impl<T: Into<Term>> ViaFrom for &&$wrap<T> {
            #[inline]
            fn convert(self) -> Result<Term, TermError> {
                Ok(self.take().into())
            }
        }

        impl<T: serde::Serialize> ViaSerialize for &$wrap<T> {
            fn convert(self) -> Result<Term, TermError> {
                Term::encode(&self.take())
            }
        }
    };
}

via!(Reply);
via!(Data);

/// A handler's value that is a `Result` the macro did not see as one (a
/// type alias hides it): an error, or its `Err` would be a value.
pub trait ViaAliasedResult {
    /// Never called: its bound is never met.
    fn convert(self) -> Result<Term, TermError>
    where
        Self: ResultInDisguise;
}

impl<T, E> ViaAliasedResult for &&&Reply<Result<T, E>> {
    fn convert(self) -> Result<Term, TermError>
    where
        Self: ResultInDisguise,
    {
        unreachable!("nothing implements `ResultInDisguise`")
    }
}

/// Nothing implements it: its message explains a `Result` behind an alias.
#[diagnostic::on_unimplemented(
    message = "a handler returns a `Result` through a type alias",
    label = "`#[actor]` sees the alias, not a `Result`, so an `Err` would be sent as a value",
    note = "write the `Result<T, E>` type in the handler's signature, so that an `Err` becomes an `err` reply"
)]
pub trait ResultInDisguise {}

impl<E: Into<Term>> ErrorViaFrom for &&Error<E> {
    fn convert(self) -> Term {
        self.take().into()
    }
}

impl<E: std::fmt::Display> ErrorViaDisplay for &Error<E> {
    fn convert(self) -> Term {
        Term::Str(format!("{:#}", self.take()))
    }
}

/// What a handler may return: nothing implements it; it only names what
/// would have worked when neither conversion does.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a handler",
    label = "neither converts into `Term` nor implements `Serialize`",
    note = "a handler returns `()`, a value that converts into `Term` or implements `serde::Serialize` (the reply to a call), or a `Result` of either"
)]
pub trait ReplyValue {}

/// What `msg!` data may be: nothing implements it (see [`ReplyValue`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be message data",
    label = "neither converts into `Term` nor implements `Serialize`",
    note = "`msg!` data and map values convert into `Term` (implement `From<{Self}> for Term`) or implement `serde::Serialize`"
)]
pub trait DataValue {}

/// What a handler's error may be: nothing implements it (see
/// [`ReplyValue`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler's error",
    label = "neither converts into `Term` nor implements `Display`",
    note = "the `Err` of a handler's `Result` is the data of an `err` reply: a type that converts into `Term`, or any `std::fmt::Display` (such as `anyhow::Error`), whose text is sent"
)]
pub trait ErrorValue {}

impl<T> Reply<T> {
    /// Reached when neither conversion applies: reports why.
    pub fn convert(self) -> Result<Term, TermError>
    where
        T: ReplyValue,
    {
        unreachable!("no type implements `ReplyValue`")
    }
}

impl<T> Data<T> {
    /// Reached when neither conversion applies: reports why.
    pub fn convert(self) -> Result<Term, TermError>
    where
        T: DataValue,
    {
        unreachable!("no type implements `DataValue`")
    }
}

impl<E> Error<E> {
    /// Reached when neither conversion applies: reports why.
    pub fn convert(self) -> Term
    where
        E: ErrorValue,
    {
        unreachable!("no type implements `ErrorValue`")
    }
}

// ---- replies --------------------------------------------------------------

/// Replies with a handler's value when the message was a call. A value that
/// does not encode gets the caller an `err` reply saying why.
pub fn reply(from: Pid, kind: Kind, reference: Option<Ref>, value: Result<Term, TermError>) {
    let Some(r) = reference else { return };
    if crate::process::told_to_exit() {
        return;
    }
    match value {
        Ok(term) => send(from, kind, term, Some(r)),
        Err(e) => {
            tracing::warn!(%from, error = %e, "a handler's reply did not encode");
            send(from, Kind::Err, Term::from(e), Some(r));
        }
    }
}

/// An `err` reply to a call; for a cast, a log line (answering a cast would
/// let two actors that both fail on `err` messages loop forever).
pub fn reply_err(from: Pid, reference: Option<Ref>, error: Term) {
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
//
// An actor type without `init` is spawnable by name when it has `Default`;
// which applies is picked at the expansion site by autoref specialization,
// as the conversions above are.

/// Spawns `A` by name, as its registration does.
pub struct ByName<A>(std::marker::PhantomData<fn() -> A>);

impl<A> std::fmt::Debug for ByName<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByName")
    }
}

impl<A> ByName<A> {
    /// The spawner of `A`.
    pub fn new() -> ByName<A> {
        ByName(std::marker::PhantomData)
    }
}

impl<A> Default for ByName<A> {
    fn default() -> ByName<A> {
        ByName::new()
    }
}

/// `A: Default`: built with `Default`; spawn arguments are ignored.
pub trait ByDefault {
    /// Spawns one.
    fn spawn(self, name: &'static str, args: Term, opts: SpawnOpts) -> SpawnResult;
}

/// Neither `Default` nor `init`: spawned by value only; by name, an error
/// that says why.
pub trait ByValueOnly {
    /// The error.
    fn spawn(self, name: &'static str, args: Term, opts: SpawnOpts) -> SpawnResult;
}

/// What a registration's spawn gives.
pub type SpawnResult = Result<(Pid, Option<Ref>), SpawnError>;

impl<A: Actor + Default> ByDefault for &&ByName<A> {
    fn spawn(self, _name: &'static str, _args: Term, opts: SpawnOpts) -> SpawnResult {
        Ok(spawn_actor(build_actor(A::default)?, opts))
    }
}

/// Builds an actor spawned by name (its `init(args)`, or `Default`). That
/// code runs on the spawner's stack, so its panic is the new actor's failed
/// start, `{panic, Text}`, never the spawner's own (a supervisor, a
/// connection's reader).
pub fn build_actor<A>(build: impl FnOnce() -> A) -> Result<A, SpawnError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(build))
        .map_err(|payload| SpawnError::StartFailed(crate::process::panic_reason(&*payload)))
}

impl<A: Actor> ByValueOnly for &ByName<A> {
    fn spawn(self, name: &'static str, _args: Term, _opts: SpawnOpts) -> SpawnResult {
        Err(SpawnError::NeedsValue {
            name: name.to_owned(),
        })
    }
}

// ---- msg! -----------------------------------------------------------------

/// A map literal's value.
pub fn map<const N: usize>(
    entries: [(&'static str, Result<Term, TermError>); N],
) -> Result<Term, TermError> {
    entries
        .into_iter()
        .map(|(k, v)| v.map(|v| (k, v)))
        .collect()
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
        let m = map([("hi", Ok("hey".into())), ("n", Ok(3.into()))]).unwrap();
        assert_eq!(m["hi"], "hey");
        assert_eq!(m["n"], 3);
        assert_eq!(map([]), Ok(Term::map()));
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrows are how the choice is made
    fn conversions_prefer_from_then_serialize() {
        #[derive(serde::Serialize)]
        struct Point {
            x: i64,
        }
        // `Term: From` first: a `Term` stays itself (a local value too).
        let local = Term::local(5u8);
        assert_eq!((&&Data::new(local.clone())).convert(), Ok(local));
        assert_eq!((&&&Reply::new(3)).convert(), Ok(Term::from(3)));
        // Then `Serialize`.
        let p = (&&&Reply::new(Point { x: 1 })).convert().unwrap();
        assert_eq!(p["x"], 1);
        assert!(
            (&&Data::new(u64::MAX)).convert().is_ok(),
            "u64 converts by From"
        );
        // Errors: `From`, then `Display`.
        assert_eq!((&&Error::new("bad")).convert(), Term::from("bad"));
        let io = std::io::Error::other("disk full");
        assert_eq!((&&Error::new(io)).convert(), Term::from("disk full"));
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
