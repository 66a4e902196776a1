//! Sending (`>`) and calling (`>>`).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::names::whereis;
use crate::process::{self, reasons, CallWait, Deadline, Envelope, Proc};
use crate::remote::RemoteError;
use crate::term::{Term, TermError};

/// Where a message goes: a pid, a registered name, or a name on a node.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A process.
    Pid(Pid),
    /// A name registered on this node.
    Name(String),
    /// A name registered on another node: `(name, node)`.
    Remote(String, String),
}

/// Anything `msg!` can send to: a [`Pid`], a registered name (`&str`,
/// `String`), or a `(name, node)` pair for a name on another node.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a message target",
    label = "expected a `Pid`, a registered name, or a `(name, node)` pair",
    note = "send to a pid (`actor::pid()`, a spawned process) or to a name given to `actor::register`"
)]
pub trait IntoTarget {
    /// The target.
    #[doc(hidden)]
    fn into_target(self) -> Target;
}

impl IntoTarget for Pid {
    fn into_target(self) -> Target {
        Target::Pid(self)
    }
}

impl IntoTarget for &Pid {
    fn into_target(self) -> Target {
        Target::Pid(*self)
    }
}

impl IntoTarget for &str {
    fn into_target(self) -> Target {
        Target::Name(self.to_owned())
    }
}

impl IntoTarget for String {
    fn into_target(self) -> Target {
        Target::Name(self)
    }
}

impl IntoTarget for &String {
    fn into_target(self) -> Target {
        Target::Name(self.clone())
    }
}

impl<N: AsRef<str>, M: AsRef<str>> IntoTarget for (N, M) {
    fn into_target(self) -> Target {
        let (name, node) = (self.0.as_ref(), self.1.as_ref());
        if crate::remote::node_name() == Some(node) {
            Target::Name(name.to_owned())
        } else {
            Target::Remote(name.to_owned(), node.to_owned())
        }
    }
}

impl IntoTarget for Target {
    fn into_target(self) -> Target {
        self
    }
}

/// Why a call got no reply.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CallError {
    /// No reply came within the timeout (5 s unless `.timeout(d)` said
    /// otherwise). A reply that comes later is dropped.
    Timeout,
    /// The target does not exist (a dead pid, an unregistered name).
    NoProcess,
    /// The target exited, with this reason, before it replied.
    Exit(Term),
    /// The target is the calling process itself (its pid, or a name
    /// registered to it): nobody could answer while it waits. Erlang's
    /// `gen_server:call` exits with `calling_self` in this case.
    CallingSelf,
    /// The calling process was itself told to exit, with this reason,
    /// while it waited: a plain thread's process that was killed (the
    /// thread carries on as a fresh process), or, in a program built with
    /// `panic = "abort"`, a process blocked in `.wait()` (with unwinding
    /// it stops there instead; see the crate docs on panic strategies).
    Stopped(Term),
    /// The handler answered with an error (an `err` reply, such as a
    /// handler's `Err`), with this data. Only [`Call::decode`] reports it;
    /// a plain call gives the `err` message as its reply.
    Handler(Term),
    /// The reply's data did not decode into the type [`Call::decode`]
    /// asked for.
    Decode(TermError),
    /// The request was not sent: its data did not encode into a term (a
    /// `Serialize` value that refused), or it holds what the callee's node
    /// cannot hold (to a process on another node: a NaN or infinite float,
    /// which Erlang has not, or a [`Term::Local`]).
    Encode(TermError),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Timeout => f.write_str("the call timed out"),
            CallError::NoProcess => f.write_str("no such process (noproc)"),
            CallError::Exit(reason) => write!(f, "the process exited before replying: {reason:?}"),
            CallError::CallingSelf => {
                f.write_str("a process cannot call itself (it would wait for its own reply)")
            }
            CallError::Stopped(reason) => {
                write!(f, "the calling process was told to exit: {reason:?}")
            }
            CallError::Handler(data) => write!(f, "the handler failed: {data}"),
            CallError::Decode(e) => write!(f, "the reply did not decode: {e}"),
            CallError::Encode(e) => write!(f, "the request was not sent: {e}"),
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallError::Decode(e) | CallError::Encode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CallError> for Term {
    /// `timeout`, `noproc`, `{exit, Reason}`, `calling_self`,
    /// `{stopped, Reason}`, `{error, Data}` for the handler's error,
    /// `{decode, "…"}`, or `{badarg, "…"}` for a request that could not be
    /// sent.
    fn from(e: CallError) -> Term {
        match e {
            CallError::Timeout => Term::atom("timeout"),
            CallError::NoProcess => reasons::noproc(),
            CallError::Exit(reason) => Term::Tuple(vec![Term::atom("exit"), reason]),
            CallError::CallingSelf => Term::atom("calling_self"),
            CallError::Stopped(reason) => Term::Tuple(vec![Term::atom("stopped"), reason]),
            CallError::Handler(data) => Term::Tuple(vec![Term::atom("error"), data]),
            CallError::Decode(e) => Term::Tuple(vec![Term::atom("decode"), Term::from(e)]),
            CallError::Encode(e) => e.into(),
        }
    }
}

/// Resolves a target to a pid; `Err(())` for a remote name (no pid here).
fn resolve(target: &Target) -> Option<Result<Pid, ()>> {
    match target {
        Target::Pid(p) => Some(Ok(*p)),
        Target::Name(n) => whereis(n).map(Ok),
        Target::Remote(..) => Some(Err(())),
    }
}

/// Delivers `msg`; `false` when nobody was there to take it.
#[inline]
fn deliver(target: &Target, msg: Message) -> bool {
    match target {
        Target::Pid(pid) => deliver_to(*pid, msg),
        Target::Name(name) => match whereis(name) {
            Some(pid) => deliver_to(pid, msg),
            None => false,
        },
        Target::Remote(name, node) => crate::remote::send_named(name, node, msg).is_ok(),
    }
}

#[inline]
fn deliver_to(pid: Pid, msg: Message) -> bool {
    if pid.is_local() {
        process::deliver(pid, Envelope::Msg(msg)).is_ok()
    } else {
        crate::remote::send(pid, msg).is_ok()
    }
}

/// The sender of a message with `reference`: the current process, which
/// no longer owes the call it answers (if it is one).
#[inline]
fn sender(reference: Option<Ref>) -> Pid {
    match reference {
        None => process::current_pid(),
        Some(r) => process::with_current(|p| match p {
            Some(p) => {
                p.calls.answered(r);
                p.pid
            }
            None => Pid::NOBODY,
        }),
    }
}

/// Sends a message: `msg!(KIND DATA > target)`. Never blocks; silent when
/// the target is gone. The kinds `kill`, `link` and `unlink` act as the
/// seed's control messages: they kill, link or unlink the target.
#[doc(hidden)]
#[inline]
pub fn send<T: IntoTarget>(target: T, kind: Kind, data: Term, reference: Option<Ref>) {
    let target = target.into_target();
    match kind {
        Kind::Kill | Kind::Link | Kind::Unlink => {
            if let Some(Ok(pid)) = resolve(&target) {
                match kind {
                    Kind::Kill => process::kill(pid),
                    Kind::Link => process::link(pid),
                    _ => process::unlink(pid),
                }
            }
        }
        _ => {
            let msg = Message {
                kind,
                data,
                reference,
                from: sender(reference),
            };
            deliver(&target, msg);
        }
    }
}

/// Answers `request`: sends `data` to its sender with the same kind and
/// reference, which is what a call waits for. The same as
/// `msg!(KIND(data) ref request.reference > request.from)`.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let doubler = actor::spawn(|mut inbox: Inbox| async move {
///     let m = inbox.recv().await;
///     actor::reply(&m, m.data.as_int().unwrap_or(0) * 2);
/// }).unwrap();
/// assert_eq!(msg!(std(21) >> doubler).wait().unwrap().data, 42);
/// ```
pub fn reply(request: &Message, data: impl Into<Term>) {
    send(request.from, request.kind, data.into(), request.reference);
}

/// Sends a message to a pid: the fast path of `msg!(… > pid)`.
#[doc(hidden)]
#[inline]
pub fn send_pid(to: Pid, kind: Kind, data: Term, reference: Option<Ref>) {
    send(to, kind, data, reference)
}

/// Sends `msg!` data, which may have failed to encode (then nothing is
/// sent, and the failure is logged: a send has nobody to tell).
#[doc(hidden)]
#[inline]
pub fn send_data<T: IntoTarget>(
    target: T,
    kind: Kind,
    data: Result<Term, TermError>,
    reference: Option<Ref>,
) {
    match data {
        Ok(data) => send(target, kind, data, reference),
        Err(e) => tracing::error!(error = %e, "msg! data did not encode; nothing was sent"),
    }
}

/// Starts a call: `msg!(KIND DATA >> target)`.
#[doc(hidden)]
pub fn call<T: IntoTarget>(
    target: T,
    kind: Kind,
    data: Result<Term, TermError>,
    reference: Option<Ref>,
) -> Call {
    Call {
        target: target.into_target(),
        kind,
        data,
        reference,
        timeout: Call::DEFAULT_TIMEOUT,
    }
}

/// A call: a request that waits for the reply carrying the same [`Ref`].
///
/// Made by `msg!(… >> target)`. Nothing is sent until it is awaited
/// (`.await` in async code) or waited for (`.wait()` in blocking code);
/// both give `Result<Message, CallError>`. While it waits, other messages
/// stay in the mailbox, in order. `.wait()` inside a handler does not block
/// the runtime: the worker thread hands its other tasks off first.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// let echo = actor::spawn("EchoActor").unwrap();
/// let reply = msg!(std { hi: "hey" } >> echo).wait().unwrap();
/// assert_eq!(reply.data["hi"], "hey");
/// assert_eq!(reply.from, echo);
///
/// // a process that never answers
/// let silent = actor::spawn(|mut inbox: Inbox| async move {
///     loop { inbox.recv().await; }
/// }).unwrap();
/// let err = msg!(std >> silent).timeout(Duration::from_millis(50)).wait();
/// assert_eq!(err, Err(CallError::Timeout));
///
/// // awaited from async code
/// let reply = actor::runtime().block_on(async move { msg!(info(7) >> echo).await });
/// assert_eq!(reply.unwrap().data, 7);
/// ```
#[must_use = "a call sends nothing until it is awaited or `.wait()`ed"]
#[derive(Debug)]
pub struct Call {
    target: Target,
    kind: Kind,
    data: Result<Term, TermError>,
    reference: Option<Ref>,
    timeout: Duration,
}

impl Call {
    /// The default timeout, as `gen_server:call`'s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Sets how long to wait for the reply.
    pub fn timeout(mut self, timeout: Duration) -> Call {
        self.timeout = timeout;
        self
    }

    /// Sends the request from `proc`: the call is waiting from here on.
    fn start(self, proc: &Proc) -> Result<Waiting, CallError> {
        let data = self.data.map_err(CallError::Encode)?;
        let to = match resolve(&self.target) {
            Some(Ok(pid)) if pid == proc.pid => return Err(CallError::CallingSelf),
            // Nobody is a process on no node: there is no one to call.
            Some(Ok(pid)) if pid == Pid::NOBODY => return Err(CallError::NoProcess),
            Some(Ok(pid)) => Some(pid),
            Some(Err(())) => None,
            None => return Err(CallError::NoProcess),
        };
        let (seq, minted) = proc.calls.begin(proc.key(), || proc.mailbox.parked_waker());
        let reference = match self.reference {
            Some(r) => {
                proc.calls.wait_foreign(r, seq);
                r
            }
            None => minted,
        };
        let waiting = Waiting { seq, reference, to };
        let msg = Message {
            kind: self.kind,
            data,
            reference: Some(reference),
            from: proc.pid,
        };
        let sent = match (to, &self.target) {
            (Some(pid), _) if pid.is_local() => {
                process::deliver(pid, Envelope::Call(msg)).map_err(|_| CallError::NoProcess)
            }
            (Some(pid), _) => crate::remote::call(pid, msg).map_err(remote_error),
            (None, Target::Remote(name, node)) => {
                crate::remote::call_named(name, node, msg).map_err(remote_error)
            }
            (None, _) => Err(CallError::NoProcess),
        };
        if let Err(e) = sent {
            waiting.end(proc, false);
            return Err(e);
        }
        Ok(waiting)
    }

    /// The reply's data decoded into `T`: awaited or `.wait()`ed like the
    /// call, it gives `Result<T, CallError>`. An `err` reply (a handler's
    /// `Err`) is [`CallError::Handler`] with its data; data that does not
    /// decode is [`CallError::Decode`].
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::prelude::*;
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize, Debug, PartialEq)]
    /// struct Total {
    ///     sum: i64,
    /// }
    ///
    /// #[derive(Default)]
    /// struct Adder;
    ///
    /// #[actor]
    /// impl Adder {
    ///     fn std(&mut self, numbers: Vec<i64>) -> Result<Total, String> {
    ///         if numbers.is_empty() {
    ///             return Err("nothing to add".into());
    ///         }
    ///         Ok(Total { sum: numbers.iter().sum() })
    ///     }
    /// }
    ///
    /// let adder = actor::spawn(Adder).unwrap();
    /// let total = msg!(std(vec![1, 2, 3]) >> adder).decode::<Total>().wait();
    /// assert_eq!(total, Ok(Total { sum: 6 }));
    /// let empty: Vec<i64> = Vec::new();
    /// let err = msg!(std(empty) >> adder).decode::<Total>().wait();
    /// assert_eq!(err, Err(CallError::Handler(Term::from("nothing to add"))));
    /// let wrong = msg!(std(vec![1]) >> adder).decode::<String>().wait();
    /// assert!(matches!(wrong, Err(CallError::Decode(_))));
    /// ```
    pub fn decode<T: DeserializeOwned>(self) -> Decode<T> {
        Decode {
            call: self,
            _type: PhantomData,
        }
    }

    /// Sends the request and blocks until the reply, the timeout, or the
    /// target's exit.
    ///
    /// Inside a handler the worker thread hands its other tasks off first,
    /// so nothing else stalls; each process blocked this way holds one
    /// thread of the runtime's blocking pool until its reply comes. Async
    /// handlers that `.await` the call hold none.
    pub fn wait(self) -> Result<Message, CallError> {
        let caller = Caller::new();
        let deadline = Instant::now() + self.timeout;
        let waiting = self.start(&caller)?;
        let outcome = caller.wait_call_blocking(waiting.seq, deadline);
        waiting.end_with(&caller, &outcome);
        finish(outcome)
    }
}

/// The process a call waits in: the caller's own, or, in a tokio task that
/// is not a process, a private one made for the call alone, so the reply
/// is the task's and nobody else's.
struct Caller {
    proc: Arc<Proc>,
    private: bool,
}

impl Caller {
    fn new() -> Caller {
        match process::caller() {
            Some(proc) => Caller {
                proc,
                private: false,
            },
            None => Caller {
                proc: process::private(),
                private: true,
            },
        }
    }
}

impl std::ops::Deref for Caller {
    type Target = Proc;

    fn deref(&self) -> &Proc {
        &self.proc
    }
}

impl Drop for Caller {
    fn drop(&mut self) {
        if self.private {
            process::terminate(&self.proc, reasons::normal());
        }
    }
}

/// Why a call to another node did not leave.
fn remote_error(e: RemoteError) -> CallError {
    match e {
        RemoteError::Unreachable => CallError::Exit(reasons::noconnection()),
        RemoteError::Unencodable(e) => CallError::Encode(e),
    }
}

/// A call that was sent and waits for its outcome.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    seq: u64,
    reference: Ref,
    /// The callee, when it is known by pid (it hears if the call gives up).
    to: Option<Pid>,
}

impl Waiting {
    /// The call stops waiting with `outcome`: a timeout is a `debug`
    /// event, and the callee hears that the caller gave up unless the
    /// call got its reply or failed.
    #[inline]
    fn end_with(self, proc: &Proc, outcome: &CallWait) {
        let gave_up = match outcome {
            CallWait::Reply(_) | CallWait::Failed(_) => false,
            CallWait::Timeout => {
                self.timed_out(proc);
                true
            }
            CallWait::Exiting(_) => true,
        };
        self.end(proc, gave_up);
    }

    /// The call stops waiting; `gave_up` (a timeout, an exit, a dropped
    /// future) tells the callee it need not answer any more.
    fn end(self, proc: &Proc, gave_up: bool) {
        if let Some(successor) = proc.calls.end(self.seq) {
            successor.wake();
        }
        if gave_up {
            if let Some(to) = self.to.filter(|p| p.is_local()) {
                let reference = self.reference;
                let _ = process::deliver(to, Envelope::CallDropped { reference });
            }
        }
    }

    /// Out of line: the event's machinery stays off the path of calls
    /// that get their reply.
    #[cold]
    #[inline(never)]
    fn timed_out(&self, proc: &Proc) {
        tracing::debug!(
            pid = %proc.pid,
            callee = ?self.to,
            reference = %self.reference,
            "a call timed out; a reply that comes later is dropped"
        );
    }
}

fn finish(outcome: CallWait) -> Result<Message, CallError> {
    match outcome {
        CallWait::Reply(m) => Ok(m),
        CallWait::Failed(reason) if reason == reasons::noproc() => Err(CallError::NoProcess),
        CallWait::Failed(reason) => Err(CallError::Exit(reason)),
        CallWait::Timeout => Err(CallError::Timeout),
        CallWait::Exiting(reason) => Err(CallError::Stopped(reason)),
    }
}

/// A call whose reply is decoded into `T`: made by [`Call::decode`].
#[must_use = "a call sends nothing until it is awaited or `.wait()`ed"]
pub struct Decode<T> {
    call: Call,
    _type: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Decode<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decode")
            .field("call", &self.call)
            .field("into", &std::any::type_name::<T>())
            .finish()
    }
}

impl<T: DeserializeOwned> Decode<T> {
    /// Sets how long to wait for the reply.
    pub fn timeout(mut self, timeout: Duration) -> Decode<T> {
        self.call.timeout = timeout;
        self
    }

    /// Sends the request and blocks until the reply, decoded.
    pub fn wait(self) -> Result<T, CallError> {
        decoded(self.call.wait())
    }
}

fn decoded<T: DeserializeOwned>(reply: Result<Message, CallError>) -> Result<T, CallError> {
    let m = reply?;
    if m.kind == Kind::Err {
        return Err(CallError::Handler(m.data));
    }
    m.data.decode().map_err(CallError::Decode)
}

impl<T: DeserializeOwned> IntoFuture for Decode<T> {
    type Output = Result<T, CallError>;
    type IntoFuture = DecodeFuture<T>;

    fn into_future(self) -> DecodeFuture<T> {
        DecodeFuture {
            call: self.call.into_future(),
            _type: PhantomData,
        }
    }
}

/// The future of an awaited [`Decode`].
#[must_use = "futures do nothing unless awaited"]
pub struct DecodeFuture<T> {
    call: CallFuture,
    _type: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for DecodeFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeFuture")
            .field("call", &self.call)
            .finish()
    }
}

impl<T: DeserializeOwned> Future for DecodeFuture<T> {
    type Output = Result<T, CallError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.call).poll(cx).map(decoded)
    }
}

impl IntoFuture for Call {
    type Output = Result<Message, CallError>;
    type IntoFuture = CallFuture;

    fn into_future(self) -> CallFuture {
        CallFuture {
            call: Some(self),
            wait: None,
        }
    }
}

/// The future of an awaited [`Call`].
///
/// Dropping it before it completes gives the call up: a reply that comes
/// later is dropped, as after a timeout.
#[must_use = "futures do nothing unless awaited"]
pub struct CallFuture {
    call: Option<Call>,
    wait: Option<(Caller, Waiting, Deadline)>,
}

impl Drop for CallFuture {
    fn drop(&mut self) {
        if let Some((proc, waiting, _)) = self.wait.take() {
            waiting.end(&proc, true);
        }
    }
}

impl fmt::Debug for CallFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallFuture")
            .field("waiting", &self.wait.as_ref().map(|w| w.1))
            .finish()
    }
}

impl Future for CallFuture {
    type Output = Result<Message, CallError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut fresh = false;
        if let Some(call) = this.call.take() {
            let proc = Caller::new();
            let deadline = Deadline::new(Instant::now() + call.timeout);
            match call.start(&proc) {
                Ok(waiting) => this.wait = Some((proc, waiting, deadline)),
                Err(e) => return Poll::Ready(Err(e)),
            }
            fresh = true;
        }
        let Some((proc, waiting, deadline)) = &this.wait else {
            panic!("a CallFuture polled after it completed");
        };
        let outcome = std::task::ready!(proc.poll_call(cx, waiting.seq, *deadline, fresh));
        let (proc, waiting, _) = this.wait.take().expect("checked above");
        waiting.end_with(&proc, &outcome);
        Poll::Ready(finish(outcome))
    }
}
