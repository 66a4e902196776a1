//! Sending (`>`) and calling (`>>`).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::names::whereis;
use crate::process::{self, current, reasons, CallWait, Deadline, Envelope, Proc};
use crate::term::Term;

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
        }
    }
}

impl std::error::Error for CallError {}

impl From<CallError> for Term {
    /// `timeout`, `noproc`, or `{exit, Reason}`.
    fn from(e: CallError) -> Term {
        match e {
            CallError::Timeout => Term::atom("timeout"),
            CallError::NoProcess => reasons::noproc(),
            CallError::Exit(reason) => Term::Tuple(vec![Term::atom("exit"), reason]),
            CallError::CallingSelf => Term::atom("calling_self"),
            CallError::Stopped(reason) => Term::Tuple(vec![Term::atom("stopped"), reason]),
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
        Target::Remote(name, node) => crate::remote::send_named(name, node, msg),
    }
}

#[inline]
fn deliver_to(pid: Pid, msg: Message) -> bool {
    if pid.is_local() {
        process::deliver(pid, Envelope::Msg(msg)).is_ok()
    } else {
        crate::remote::send(pid, msg)
    }
}

/// The sender of a message with `reference`: the current process, which
/// no longer owes the call it answers (if it is one).
#[inline]
fn sender(reference: Option<Ref>) -> Pid {
    match reference {
        None => process::current_pid(),
        Some(r) => process::with_current(|p| {
            p.calls.answered(r);
            p.pid
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

/// Starts a call: `msg!(KIND DATA >> target)`.
#[doc(hidden)]
pub fn call<T: IntoTarget>(target: T, kind: Kind, data: Term, reference: Option<Ref>) -> Call {
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
    data: Term,
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
        let to = match resolve(&self.target) {
            Some(Ok(pid)) if pid == proc.pid => return Err(CallError::CallingSelf),
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
            data: self.data,
            reference: Some(reference),
            from: proc.pid,
        };
        let sent = match (to, &self.target) {
            (Some(pid), _) if pid.is_local() => process::deliver(pid, Envelope::Call(msg)).is_ok(),
            (Some(pid), _) => crate::remote::send(pid, msg),
            (None, Target::Remote(name, node)) => crate::remote::send_named(name, node, msg),
            (None, _) => false,
        };
        if !sent {
            waiting.end(proc, false);
            return Err(match to {
                Some(pid) if pid.is_local() => CallError::NoProcess,
                _ => CallError::Exit(reasons::noconnection()),
            });
        }
        Ok(waiting)
    }

    /// Sends the request and blocks until the reply, the timeout, or the
    /// target's exit.
    ///
    /// Inside a handler the worker thread hands its other tasks off first,
    /// so nothing else stalls; each process blocked this way holds one
    /// thread of the runtime's blocking pool until its reply comes. Async
    /// handlers that `.await` the call hold none.
    pub fn wait(self) -> Result<Message, CallError> {
        let proc = current();
        let deadline = Instant::now() + self.timeout;
        let waiting = self.start(&proc)?;
        let outcome = proc.wait_call_blocking(waiting.seq, deadline);
        waiting.end_with(&proc, &outcome);
        finish(outcome)
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
    wait: Option<(Arc<Proc>, Waiting, Deadline)>,
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
            let proc = current();
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
