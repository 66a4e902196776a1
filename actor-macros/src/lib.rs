//! `#[actor]`, `msg!`, `#[actor::test]`, `assert_receive!` and
//! `refute_receive!` for the `actor` crate. Depend on `actor`, which
//! re-exports them (`use actor::prelude::*;`).
//!
//! Each macro runs in phases: options (`attr`), a borrowing tree of the
//! input (`ast`, and `msg` for `msg!`'s grammar), the rules (`valid`), and
//! code generation (`expand`), which cannot fail once the rules hold.
//! Mistakes are `syn::Error`s spanned at the offending tokens, all reported
//! at once; `#[actor]` still emits the user's impl beside them.

mod ast;
mod attr;
mod errors;
mod expand;
mod kind;
mod msg;
mod receive;
mod valid;

use proc_macro::TokenStream;

/// Makes the methods of an inherent `impl` an actor's handlers.
///
/// ```
/// use actor::prelude::*;
///
/// #[derive(Default)]
/// struct Counter {
///     n: i64,
/// }
///
/// #[actor]
/// impl Counter {
///     // `std` messages: add the data to the count.
///     fn std(&mut self, n: i64) {
///         self.n += n;
///     }
///     // `info` messages: a returned value is the reply to a call.
///     fn info(&mut self) -> i64 {
///         self.n
///     }
/// }
///
/// let counter = actor::spawn(Counter::default()).unwrap();
/// msg!(std(2) > counter);
/// msg!(std(3) > counter);
/// let reply = msg!(info >> counter).wait().unwrap();
/// assert_eq!(reply.data, 5);
///
/// // The type is registered under its name, too.
/// let another = actor::spawn("Counter").unwrap();
/// assert_eq!(msg!(info >> another).wait().unwrap().data, 0);
/// ```
///
/// # Handlers
///
/// A method named after a message kind handles messages of that kind:
/// `std`, `info`, `death`, `down`, `err` and `reload`. It takes `&mut self`
/// and may be a plain `fn` or an `async fn`. A message of a kind the impl
/// has no handler for is logged (`tracing::warn!`) and dropped, as Erlang
/// drops an unexpected message; the actor keeps running. A call of such a
/// kind is answered at once with an `err` message `{no_handler, "kind"}`
/// instead of waiting out its timeout. (`kill`, `link` and
/// `unlink` are carried out by the runtime and never reach a handler; a
/// method named `kill`, `up` or anything else is left alone.)
///
/// # Parameters are extractors
///
/// Each parameter says what it wants by its type, in any order and with any
/// pattern:
///
/// | type           | receives                                      |
/// |----------------|-----------------------------------------------|
/// | `Message`      | the whole message                             |
/// | `Term`         | its data                                      |
/// | `Pid`          | the sender (`msg.from`)                       |
/// | `Option<Ref>`  | the call's reference (`None` for a cast)      |
/// | any `T: serde::de::DeserializeOwned` | the data, decoded       |
///
/// The types are recognised by how they are spelled (`Message`,
/// `actor::Message`, …). Each of the first four may appear once. When the
/// data does not decode into `T`, the handler does not run: a call gets an
/// `err` reply with `{badarg, "…"}` (naming the field) and a cast is logged;
/// either way the actor keeps running. A handler taking only a `Message`, or
/// only a `Term`, moves it out of the message: nothing is cloned.
///
/// ```
/// use actor::prelude::*;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Point {
///     x: i64,
///     y: i64,
/// }
///
/// #[derive(Default)]
/// struct Geometry;
///
/// #[actor]
/// impl Geometry {
///     fn std(&mut self, Point { x, y }: Point, r: Option<Ref>) -> i64 {
///         assert!(r.is_some(), "only called, never sent to, below");
///         x * y
///     }
/// }
///
/// let pid = actor::spawn(Geometry).unwrap();
/// assert_eq!(msg!(std { x: 6, y: 7 } >> pid).wait().unwrap().data, 42);
///
/// let reply = msg!(std { x: 6 } >> pid).wait().unwrap();
/// assert_eq!(reply.kind, Kind::Err);
/// assert_eq!(reply.data[0], Term::atom("badarg"));
/// ```
///
/// # Return values are replies
///
/// A handler returns
///
/// - nothing (or `()`): no reply is sent; reply yourself if you like, with
///   `msg!(std(data) ref msg.reference > msg.from)`;
/// - a value that converts into `Term`: when the message was a call (it has
///   a `Ref`), the value goes back to the caller with the message's kind and
///   `Ref`; after a cast it is dropped;
/// - `Result<T, E>` of either, with `E: Into<Term>`: `Ok` as above, `Err(e)`
///   as an `err` reply carrying `e` to a caller, or a log line after a cast
///   (a cast has nobody waiting, and answering it could make two actors
///   trade `err` messages forever).
///
/// The return type is read as written: a type alias of `Result` is a plain
/// value, so it must convert into `Term` itself.
///
/// ```
/// use actor::prelude::*;
///
/// #[derive(Default)]
/// struct Divider;
///
/// #[actor]
/// impl Divider {
///     async fn std(&mut self, [a, b]: [i64; 2]) -> Result<i64, String> {
///         a.checked_div(b).ok_or_else(|| format!("{a} / {b}"))
///     }
/// }
///
/// let pid = actor::spawn(Divider).unwrap();
/// let ok = msg!(std([7, 2]) >> pid).wait().unwrap();
/// assert_eq!((ok.kind, ok.data), (Kind::Std, Term::from(3)));
/// let err = msg!(std([7, 0]) >> pid).wait().unwrap();
/// assert_eq!((err.kind, err.data), (Kind::Err, Term::from("7 / 0")));
/// ```
///
/// # Lifecycle
///
/// - `fn start(&mut self)` runs before the first message. It may be `async`
///   and may return `Result<(), E>` with `E: Into<Term>`: an `Err` ends the
///   process with that reason.
/// - `fn stop(&mut self, reason: Term)` runs when the process ends, for any
///   reason but `kill`; the `reason` parameter may be left out.
/// - A `death` handler makes the actor trap exits: a linked process's
///   abnormal exit arrives as a `death` message (`from` the dead pid,
///   `data` `{reason: …}`) instead of killing it. Without one, the actor
///   dies with its links, as an Erlang process that does not trap exits.
///
/// # Spawning by name
///
/// The type is registered for `actor::spawn("Name")` (and the full path,
/// `"my_crate::module::Name"`). By default the value is built with
/// `Default`; an associated `fn init(args: Term) -> Self` in the impl is used
/// instead when present, and receives the arguments of
/// `actor::spawn_with_args(name, args)` (`Term::Nil` from a plain `spawn`).
///
/// ```
/// use actor::prelude::*;
///
/// struct Greeter {
///     greeting: String,
/// }
///
/// #[actor(name = "Hello")]
/// impl Greeter {
///     fn init(args: Term) -> Self {
///         let greeting = args.as_str().unwrap_or("hello").to_owned();
///         Greeter { greeting }
///     }
///     fn std(&mut self, name: String) -> String {
///         format!("{} {name}", self.greeting)
///     }
/// }
///
/// let pid = actor::spawn_with_args("Hello", "bonjour").unwrap();
/// assert_eq!(msg!(std("Ada") >> pid).wait().unwrap().data, "bonjour Ada");
/// ```
///
/// # Options
///
/// - `name = "…"`: register under this name instead of the type's.
/// - `crate = path`: reach the runtime through `path` instead of `::actor`,
///   for a crate that re-exports `actor` (`#[actor(crate = my::rt)]`, where
///   `my::rt` re-exports `actor::*`). `msg!` invocations inside the impl are
///   given the same path.
///
/// # What it generates
///
/// Beside the impl, unchanged (the recognised methods get
/// `#[allow(clippy::unused_self, clippy::needless_pass_by_value)]`, since
/// their signatures are the macro's), it generates `impl Actor` (dispatch on
/// the kind, extraction, replies, `TRAP_EXIT`), `impl IntoSpawn` (so
/// `spawn(value)` works) and the registration. The impl must not be generic
/// (a registered actor is one concrete type).
///
/// Mistakes are compile errors at the offending tokens, all reported at
/// once, with the impl still emitted so the rest of the crate type-checks:
///
/// ```compile_fail
/// use actor::prelude::*;
///
/// #[derive(Default)]
/// struct Counter;
///
/// #[actor]
/// impl Counter {
///     fn std(&self, msg: Message) {} // error: write `&mut self`
/// }
/// ```
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::actor(args.into(), input.into()).into()
}

/// Sends (`>`) or calls (`>>`): the seed's `std_msg(data=…) > pid`.
///
/// ```text
/// msg!( KIND [DATA] [ref EXPR] >  TARGET )    // send: returns ()
/// msg!( KIND [DATA] [ref EXPR] >> TARGET )    // call: returns a Call
///
/// KIND   = std | info | kill | death | up | err | link | unlink | reload | down
/// DATA   = { key: value, "key": value, … }    // a map; values may be maps too
///        | ( expr )                          // anything Into<Term>
/// TARGET = a Pid (or &Pid), a registered name (&str, String), or (name, node)
/// ```
///
/// - No DATA means an empty map.
/// - Map keys are identifiers or string literals and become string keys:
///   `{ hi: 1 }` and `{ "hi": 1 }` are the same map. A value that starts
///   with `{` is a nested map literal; put a block expression in
///   parentheses. Trailing commas are fine; a repeated key is an error.
/// - `ref EXPR` sets the message's reference: a `Ref` or an `Option<Ref>`,
///   typically `msg.reference` when answering a call by hand. The
///   expression ends at the first `>`: put one containing `>` in
///   parentheses.
/// - A send never blocks and is silent when the target is gone. A call
///   sends nothing until it is `.await`ed (async code) or `.wait()`ed
///   (blocking code); both give `Result<Message, CallError>`, and
///   `.timeout(d)` changes the 5 s default.
/// - `kill`, `link` and `unlink` act on the target as the seed's control
///   messages do. They are signals that nothing answers, so they can only
///   be sent: `msg!(kill >> pid)` is a compile error. `down` is accepted
///   for completeness; the runtime sends the real ones.
///
/// ```
/// use actor::prelude::*;
///
/// let me = actor::pid();
/// msg!(std { hi: "hey", nested: { n: 1 }, } > me);
/// let m = actor::pop_mailbox().unwrap();
/// assert_eq!((m.kind, m.from), (Kind::Std, me));
/// assert_eq!(m.data["hi"], "hey");
/// assert_eq!(m.data["nested"]["n"], 1);
///
/// let echo = actor::spawn("EchoActor").unwrap();
/// let reply = msg!(info([1, 2, 3]) >> echo).wait().unwrap();
/// assert_eq!(reply.data, Term::list([1, 2, 3]));
///
/// // answering a call by hand
/// let doubler = actor::spawn(|mut inbox: Inbox| async move {
///     let m = inbox.recv().await;
///     let n = m.data.as_int().unwrap_or(0);
///     msg!(std(n * 2) ref m.reference > m.from);
/// })
/// .unwrap();
/// assert_eq!(msg!(std(21) >> doubler).wait().unwrap().data, 42);
/// ```
///
/// Mistakes are spanned compile errors (an unknown kind lists the valid
/// ones; a missing operator, `>>>`, a malformed map or a target that is not
/// a pid or a name each say what to write):
///
/// ```compile_fail
/// use actor::prelude::*;
///
/// msg!(standard { hi: "hey" } > actor::pid()); // error: unknown message kind
/// ```
///
/// Inside the runtime crate itself, where `::actor` does not exist, a hidden
/// leading `crate = path;` names the crate: `msg!(crate = crate; std > pid)`.
#[proc_macro]
pub fn msg(input: TokenStream) -> TokenStream {
    expand::msg(input.into()).into()
}

/// Makes a function a test whose body runs as a fresh process, and leaves
/// nothing behind: `#[tokio::test]` for actors.
///
/// ```
/// use actor::prelude::*;
///
/// #[actor::test]
/// fn echo_answers() {
///     let echo = actor::spawn("EchoActor").unwrap();
///     msg!(std { hi: "hey" } > echo);
///     assert_receive!(Message { kind: Kind::Std, data, .. } if data["hi"] == "hey");
/// }
///
/// #[actor::test]
/// async fn echo_answers_calls() {
///     let echo = actor::spawn("EchoActor").unwrap();
///     let reply = msg!(info(1) >> echo).await.unwrap();
///     assert_eq!(reply.data, 1);
/// }
/// # fn main() {}
/// ```
///
/// - **A fresh process.** The body runs on a thread of its own, which is a
///   process like any plain thread: its own pid, an empty mailbox, and it
///   traps exits, so a linked process's exit arrives as a `Death` message
///   the test can [`assert_receive!`]. An `async fn` body is driven there
///   by the actor runtime (`actor::runtime().block_on`): `.await` calls,
///   `actor::recv()`, timers and `tokio::spawn` work, and a blocking
///   receive or `.wait()` in the body blocks only the body, never the
///   tasks it spawned. The future need not be `Send`; the return value
///   must be (it comes back from that thread).
/// - **Nothing left behind.** When the body returns or panics, every
///   process it spawned, and every process those spawned, transitively
///   (followed through `process_info(pid).parent`), is killed, and the test
///   waits (up to 5 s) until they are gone: their registered names are free
///   again when the test ends. A process still running after that (blocked
///   outside an await) loses its name and is reported on stderr. The walk
///   goes through live processes: one whose spawner exited before the end
///   of the test is not found, nor is one spawned from a plain thread or a
///   plain tokio task the test started (those are no process of its tree,
///   and are not touched either).
/// - **Linked crashes fail the test.** An abnormal exit of a process linked
///   to the test (one that would have killed a process not trapping exits
///   and written a crash report: any reason but `normal`, `killed`,
///   `shutdown` and `{shutdown, _}`) whose `Death` message the body did not
///   receive fails the test with the pid and the reason, once the body has
///   returned. A test that expects the crash receives the `Death`
///   (`assert_receive!(Message { kind: Kind::Death, .. })`) and passes. The
///   mailbox is looked at when the body returns: a crash still under way
///   then is cut short by the clean-up and not reported.
/// - **Panics are the test's.** A panic in the body fails the test with its
///   own payload, so `#[should_panic(expected = "…")]` works; write it
///   after `#[actor::test]`. A test may return `Result` as with `#[test]`.
///   An exit signal that ends the test process itself fails the test too.
///
/// Registered names are node-wide, as in Erlang, and tests run in
/// parallel: two tests that register the same name while both run
/// collide. Give each test its own names (the test's name in them does it);
/// `#[actor::test]` makes sure no name outlives the test that took it.
///
/// # Options
///
/// - `crate = path`: reach the runtime through `path` instead of `::actor`.
///
/// Mistakes are compile errors at the offending tokens: on something other
/// than a function, a function with parameters or generics, a `const`,
/// `unsafe` or `extern` one, a second test attribute (`#[test]` too), an
/// unknown option.
#[proc_macro_attribute]
pub fn test(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::test(args.into(), input.into()).into()
}

/// Asserts that a message matching a pattern arrives in the calling
/// process's mailbox, and returns it: ExUnit's `assert_receive`.
///
/// ```text
/// assert_receive!( PATTERN [if GUARD] [, timeout: Duration] )
/// ```
///
/// PATTERN meets each message as in `match &msg { PATTERN if GUARD => … }`:
/// match on the kind, on the sender, on the data's fields in the guard.
/// The first message in the mailbox that matches is taken and returned;
/// the others stay where they are, in order (a selective receive). It waits
/// up to the timeout (100 ms if none is given, as ExUnit) for one to
/// arrive; then it panics with a message that lists what the mailbox does
/// hold, one message a line.
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// let echo = actor::spawn("EchoActor").unwrap();
/// msg!(std { n: 1 } > echo);
/// msg!(info { n: 2 } > echo);
///
/// // the kind, and a field of the data in the guard
/// let m = assert_receive!(Message { kind: Kind::Info, data, .. } if data["n"] == 2);
/// assert_eq!(m.from, echo);
/// // the sender, and a longer wait
/// let m = assert_receive!(Message { from, .. } if *from == echo, timeout: Duration::from_secs(1));
/// assert_eq!(m.data["n"], 1);
///
/// let missing = std::panic::catch_unwind(|| {
///     msg!(info("unrelated") > actor::pid());
///     assert_receive!(Message { kind: Kind::Down, .. });
/// });
/// let text = *missing.unwrap_err().downcast::<String>().unwrap();
/// assert!(text.starts_with("assert_receive!: no message matching `Message"), "{text}");
/// assert!(text.contains("holds 1 message:\n    {'data': 'unrelated'"), "{text}");
/// ```
///
/// Give a longer timeout where what is awaited takes a while: the `Death`
/// or `Down` of a process that panicked comes once the panic hook has
/// printed the panic (with a backtrace under `RUST_BACKTRACE`, which can
/// take longer than 100 ms in a debug build).
///
/// It blocks the calling thread while it waits; in async code on the
/// actor runtime (an `#[actor::test] async fn`, a handler) the worker
/// hands its other tasks off first, as for `actor::receive_timeout`. Don't
/// use it where one thread runs everything (`#[tokio::test]`): a message
/// from a task of that runtime could not arrive.
///
/// Mistakes in its syntax (no pattern, `timeout = …`, a bare duration, an
/// unknown or repeated option) are compile errors at the offending tokens.
#[proc_macro]
pub fn assert_receive(input: TokenStream) -> TokenStream {
    expand::receive(input.into(), false).into()
}

/// Asserts that no message matching a pattern arrives in the calling
/// process's mailbox within the timeout: ExUnit's `refute_receive`.
///
/// ```text
/// refute_receive!( PATTERN [if GUARD] [, timeout: Duration] )
/// ```
///
/// The same pattern, guard and default timeout (100 ms) as
/// [`assert_receive!`]. It waits the whole timeout and takes nothing;
/// when a matching message arrives it panics with it, and the rest of the
/// mailbox.
///
/// ```
/// use actor::prelude::*;
///
/// let echo = actor::spawn("EchoActor").unwrap();
/// actor::link(echo);
/// msg!(std("hi") > echo);
/// refute_receive!(Message { kind: Kind::Death, .. });
/// // the echo was not taken
/// assert_receive!(Message { kind: Kind::Std, .. });
///
/// let found = std::panic::catch_unwind(|| {
///     msg!(info("here") > actor::pid());
///     refute_receive!(Message { kind: Kind::Info, .. });
/// });
/// let text = *found.unwrap_err().downcast::<String>().unwrap();
/// assert!(text.starts_with("refute_receive!: a message matching"), "{text}");
/// ```
#[proc_macro]
pub fn refute_receive(input: TokenStream) -> TokenStream {
    expand::receive(input.into(), true).into()
}
