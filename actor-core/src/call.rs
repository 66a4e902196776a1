//! Sending (`>`) and calling (`>>`).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::{self, current, current_pid, lock, reasons, Envelope, Flavor, Proc, Reply};

/// The timer a task process's calls wait on, kept from call to call.
///
/// It only has to fire no later than the waiting call's deadline. Deadlines
/// of successive calls grow, so it is left where it is (resetting it costs
/// more than the rest of a short call) until it fires early, for a call
/// that has since ended, and is then moved to the current deadline. Nor
/// is it polled again while the same task's waker is registered with it.
#[derive(Default)]
pub(crate) struct CallTimer(
    // Boxed: most processes never call, and this sits in every process.
    Option<Box<TimerState>>,
);

struct TimerState {
    sleep: Pin<Box<tokio::time::Sleep>>,
    /// The waker the timer will wake, if it has not fired or moved since.
    waker: Option<std::task::Waker>,
}

impl CallTimer {
    /// Whether `deadline` has passed; if not, the timer will wake `cx` by then.
    fn timed_out(&mut self, deadline: tokio::time::Instant, cx: &mut Context<'_>) -> bool {
        let TimerState { sleep, waker } = &mut **self.0.get_or_insert_with(|| {
            Box::new(TimerState {
                sleep: Box::pin(tokio::time::sleep_until(deadline)),
                waker: None,
            })
        });
        if sleep.deadline() > deadline {
            sleep.as_mut().reset(deadline);
            *waker = None;
        }
        if !sleep.is_elapsed() && waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            return false;
        }
        loop {
            match sleep.as_mut().poll(cx) {
                Poll::Pending => {
                    *waker = Some(cx.waker().clone());
                    return false;
                }
                Poll::Ready(()) if sleep.deadline() >= deadline => return true,
                // It fired for an earlier call: move it to this one's deadline.
                Poll::Ready(()) => sleep.as_mut().reset(deadline),
            }
        }
    }
}
use crate::registry::whereis;
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
                from: current_pid(),
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

    /// Sends the request from `proc`; the ref to wait on, or the error.
    fn start(self, proc: &Proc) -> Result<Ref, CallError> {
        let reference = self.reference.unwrap_or_default();
        if let Some(Ok(to)) = resolve(&self.target) {
            if to == proc.pid {
                return Err(CallError::CallingSelf);
            }
        }
        let msg = Message {
            kind: self.kind,
            data: self.data,
            reference: Some(reference),
            from: proc.pid,
        };
        if let Target::Remote(..) = self.target {
            if !deliver(&self.target, msg) {
                return Err(CallError::Exit(reasons::noconnection()));
            }
        } else if !deliver(&self.target, msg) {
            return Err(CallError::NoProcess);
        }
        Ok(reference)
    }

    /// Sends the request and blocks until the reply, the timeout, or the
    /// target's exit.
    pub fn wait(self) -> Result<Message, CallError> {
        let proc = current();
        let deadline = Instant::now() + self.timeout;
        let r = self.start(&proc)?;
        finish(proc.wait_reply_blocking(r, deadline))
    }
}

fn finish(reply: Reply) -> Result<Message, CallError> {
    match reply {
        Reply::Msg(m) => Ok(m),
        Reply::Failed(reason) if reason == reasons::noproc() => Err(CallError::NoProcess),
        Reply::Failed(reason) => Err(CallError::Exit(reason)),
        Reply::Killed => Err(CallError::Exit(reasons::killed())),
        Reply::Timeout => Err(CallError::Timeout),
    }
}

impl IntoFuture for Call {
    type Output = Result<Message, CallError>;
    type IntoFuture = CallFuture;

    fn into_future(self) -> CallFuture {
        CallFuture {
            call: Some(self),
            wait: None,
            recv: None,
            shared_timer: false,
            sleep: None,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of an awaited [`Call`].
    ///
    /// Dropping it before it completes gives the call up: a reply that
    /// comes later is dropped, as after a timeout.
    #[must_use = "futures do nothing unless awaited"]
    pub struct CallFuture {
        call: Option<Call>,
        wait: Option<(Arc<Proc>, Ref, tokio::time::Instant)>,
        recv: Option<flume::r#async::RecvFut<'static, Envelope>>,
        // Whether this call waits on its process's call timer and mail
        // waker: a task's only waiting call does; calls that wait beside it
        // have their own timer and wait through flume.
        shared_timer: bool,
        // A timer of our own, where the process's is not ours to use (a
        // thread's process awaited from async code outside any process, or
        // several calls waiting at once).
        #[pin]
        sleep: Option<tokio::time::Sleep>,
    }

    impl PinnedDrop for CallFuture {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some((proc, r, _)) = this.wait.take() {
                proc.stop_waiting(r);
                proc.abandon(r);
            }
        }
    }
}

impl fmt::Debug for CallFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallFuture")
            .field("reference", &self.wait.as_ref().map(|w| w.1))
            .finish()
    }
}

impl Future for CallFuture {
    type Output = Result<Message, CallError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // Right after the request went out, the reply is most likely not
        // there yet: park before looking.
        let mut look_first = true;
        if let Some(call) = this.call.take() {
            look_first = false;
            let proc = current();
            let deadline = tokio::time::Instant::now() + call.timeout;
            match call.start(&proc) {
                Ok(r) => {
                    let alone = proc.start_waiting(r) == 1;
                    *this.shared_timer = alone && proc.flavor == Flavor::Task;
                    *this.wait = Some((proc, r, deadline));
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        let Some((proc, r, deadline)) = this.wait.as_ref() else {
            panic!("a CallFuture polled after it completed");
        };
        let r = *r;
        // Another call of this process may have taken our reply.
        if let Some(reply) = proc.take_parked(r) {
            proc.stop_waiting(r);
            *this.wait = None;
            *this.recv = None;
            return Poll::Ready(finish(reply));
        }
        loop {
            let polled = if *this.shared_timer {
                proc.poll_mail(cx, std::mem::replace(&mut look_first, true))
                    .map(Ok)
            } else {
                // A thread's process, awaited from async code (its thread
                // may block on the same mailbox later), or calls waiting
                // together, each with its own waker: flume wakes each kind
                // of waiter, where the process keeps a single waker.
                let recv = this
                    .recv
                    .get_or_insert_with(|| proc.rx.clone().into_recv_async());
                Pin::new(recv).poll(cx)
            };
            match polled {
                Poll::Ready(Ok(env)) => {
                    *this.recv = None;
                    let reply = match proc.sift_reply(env, r) {
                        // A task is stopped through its waker.
                        Some(Reply::Killed) if proc.flavor == Flavor::Task => None,
                        reply => reply,
                    };
                    if let Some(reply) = reply {
                        proc.stop_waiting(r);
                        *this.wait = None;
                        return Poll::Ready(finish(reply));
                    }
                }
                // The process holds a sender of its mailbox: it never closes.
                Poll::Ready(Err(_)) => return Poll::Pending,
                Poll::Pending => {
                    let timed_out = if *this.shared_timer {
                        lock(&proc.call_timer).timed_out(*deadline, cx)
                    } else {
                        if this.sleep.is_none() {
                            // The runtime's timer, whichever executor polls us.
                            let _in_runtime = tokio::runtime::Handle::try_current()
                                .is_err()
                                .then(|| crate::runtime::runtime().enter());
                            this.sleep.set(Some(tokio::time::sleep_until(*deadline)));
                        }
                        this.sleep
                            .as_mut()
                            .as_pin_mut()
                            .is_some_and(|s| s.poll(cx).is_ready())
                    };
                    if !timed_out {
                        // A call waiting alone is woken through the
                        // process's mail waker, set by `poll_mail`.
                        if !*this.shared_timer {
                            proc.set_waker(r, cx.waker());
                        }
                        return Poll::Pending;
                    }
                    proc.stop_waiting(r);
                    proc.abandon(r);
                    *this.wait = None;
                    *this.recv = None;
                    return Poll::Ready(Err(CallError::Timeout));
                }
            }
        }
    }
}
