//! Receiving: the calling process's mailbox, from blocking code and from
//! async code.

use std::time::{Duration, Instant};

use crate::message::{Kind, Message};
use crate::process::{current, Got};
use crate::term::Term;

/// What a blocking receive gives when its process was told to exit while
/// it waited and cannot unwind (`panic = "abort"`): a `Kill` message
/// carrying the reason.
fn exiting_message(reason: Term) -> Message {
    Message {
        kind: Kind::Kill,
        data: Term::from_iter([("reason", reason)]),
        reference: None,
        from: crate::process::current_pid(),
    }
}

/// Takes the first message from the calling process's mailbox without
/// waiting: the seed's `pop_mailbox()`.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// assert!(actor::pop_mailbox().is_none());
/// msg!(info { n: 1 } > actor::pid());
/// assert_eq!(actor::pop_mailbox().unwrap().data["n"], 1);
/// ```
pub fn pop_mailbox() -> Option<Message> {
    current().try_receive(|_| true)
}

/// Copies of every message waiting in the calling process's mailbox, in
/// arrival order, without taking any: Erlang's
/// `process_info(self(), messages)`.
///
/// A snapshot: what arrives after it is not in it. The messages stay where
/// they are, for the receives to come.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let me = actor::pid();
/// msg!(std("first") > me);
/// msg!(info("second") > me);
/// let held: Vec<Term> = actor::peek_mailbox().into_iter().map(|m| m.data).collect();
/// assert_eq!(held, [Term::from("first"), Term::from("second")]);
/// // nothing was taken
/// assert_eq!(actor::pop_mailbox().unwrap().data, "first");
/// assert_eq!(actor::peek_mailbox().len(), 1);
/// ```
pub fn peek_mailbox() -> Vec<Message> {
    current().peek()
}

/// Waits for the next message: the seed's `MAILBOX.get(block=True)`.
///
/// Blocks the calling thread; inside a process on the runtime, the worker
/// hands its other tasks off first, so nothing else stalls.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let me = actor::pid();
/// std::thread::spawn(move || msg!(std("hello") > me));
/// assert_eq!(actor::receive().data, "hello");
/// ```
pub fn receive() -> Message {
    loop {
        let proc = current();
        match proc.receive_blocking(|_| true, None) {
            Got::Msg(m) => return m,
            // A task's process told to exit, without unwinding.
            Got::Exiting(reason) if !proc.is_thread() => return exiting_message(reason),
            // A thread's process was killed: carry on as the new one.
            Got::Exiting(_) | Got::Timeout => {}
        }
    }
}

/// Waits up to `timeout` for the next message.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// assert!(actor::receive_timeout(Duration::from_millis(10)).is_none());
/// ```
pub fn receive_timeout(timeout: Duration) -> Option<Message> {
    receive_match_timeout(|_| true, timeout)
}

/// Waits up to `timeout` for the first message `pred` accepts; the others
/// stay in the mailbox, in order (Erlang's selective `receive … after`).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// let me = actor::pid();
/// msg!(std("first") > me);
/// msg!(info("second") > me);
/// let m = actor::receive_match_timeout(|m| m.kind == Kind::Info, Duration::from_secs(1));
/// assert_eq!(m.unwrap().data, "second");
/// assert_eq!(actor::pop_mailbox().unwrap().data, "first");
/// ```
pub fn receive_match_timeout(
    mut pred: impl FnMut(&Message) -> bool,
    timeout: Duration,
) -> Option<Message> {
    let deadline = Instant::now() + timeout;
    loop {
        let proc = current();
        match proc.receive_blocking(&mut pred, Some(deadline)) {
            Got::Msg(m) => return Some(m),
            Got::Timeout => return None,
            Got::Exiting(_) if !proc.is_thread() => return None,
            Got::Exiting(_) => {}
        }
    }
}

/// Waits for the next message of the calling process, from async code:
/// an `async` handler, a raw-function process, any async code running as a
/// process. The async twin of [`receive`].
///
/// A process receives in one place at a time: don't poll two receives of
/// the same process at once (a raw process's [`Inbox`](crate::Inbox) has
/// the same methods).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let pid = actor::spawn(|_inbox: Inbox| async {
///     let m = actor::recv().await;
///     msg!(std(m.data) > m.from);
/// }).unwrap();
/// msg!(std("ping") > pid);
/// assert_eq!(actor::receive().data, "ping");
/// ```
pub async fn recv() -> Message {
    recv_match(|_| true).await
}

/// [`recv`], or `None` after `timeout`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let got = actor::runtime().block_on(actor::recv_timeout(Duration::from_millis(10)));
/// assert!(got.is_none());
/// ```
pub async fn recv_timeout(timeout: Duration) -> Option<Message> {
    recv_match_timeout(|_| true, timeout).await
}

/// Waits for the first message `pred` accepts; the others stay in the
/// mailbox, in order (Erlang's selective `receive`). The async twin of
/// [`receive_match_timeout`] without a timeout.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let pid = actor::spawn(|_inbox: Inbox| async {
///     let second = actor::recv_match(|m| m.kind == Kind::Info).await;
///     let first = actor::recv().await;
///     msg!(std([second.data, first.data]) > first.from);
/// }).unwrap();
/// msg!(std("a") > pid);
/// msg!(info("b") > pid);
/// assert_eq!(actor::receive().data, actor::Term::list(["b", "a"]));
/// ```
pub async fn recv_match(mut pred: impl FnMut(&Message) -> bool) -> Message {
    loop {
        let proc = current();
        if let Got::Msg(m) = proc.receive(&mut pred, None, false).await {
            return m;
        }
        // The thread's process was killed: carry on as the new one. (A
        // task's process is stopped through its waker.)
    }
}

/// [`recv_match`], or `None` after `timeout`.
pub async fn recv_match_timeout(
    mut pred: impl FnMut(&Message) -> bool,
    timeout: Duration,
) -> Option<Message> {
    let deadline = Instant::now() + timeout;
    loop {
        let proc = current();
        match proc.receive(&mut pred, Some(deadline), false).await {
            Got::Msg(m) => return Some(m),
            Got::Timeout => return None,
            Got::Exiting(_) => {}
        }
    }
}
