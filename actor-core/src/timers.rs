//! Timers: a message later, or every so often (Erlang's
//! `erlang:send_after/3` and `timer:send_interval/3`).
//!
//! Every timer is one entry in the runtime's shared timer, not a task: a
//! pending timer costs a slot, a heap item and its message.

use std::time::{Duration, Instant};

use crate::message::{Kind, Message};
use crate::pid::Pid;
use crate::process::{self, Envelope};
use crate::term::Term;
use crate::timer::{self, TimerId};

/// A pending timer, made by [`send_after`] or [`send_interval`]; give it to
/// [`cancel_timer`] to stop it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TimerRef {
    id: TimerId,
    target: Pid,
    /// The process that made an interval (it stops with it); `NOBODY` for
    /// a one-shot timer.
    maker: Pid,
}

/// Sends `target` a message of `kind` with `data` after `delay`, from the
/// calling process. The timer is dropped if `target` exits first (at once,
/// if it is not alive now).
///
/// A `kill` kind kills `target` then, as `msg!(kill > target)` does; every
/// other kind arrives as a message.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// let me = actor::pid();
/// actor::send_after(Duration::from_millis(10), me, Kind::Info, "tick");
/// let m = actor::receive_timeout(Duration::from_secs(5)).unwrap();
/// assert_eq!((m.kind, m.data, m.from), (Kind::Info, Term::from("tick"), me));
/// ```
pub fn send_after(delay: Duration, target: Pid, kind: Kind, data: impl Into<Term>) -> TimerRef {
    start(delay, None, target, kind, data.into())
}

/// Sends `target` a message of `kind` with `data` every `period`, the first
/// after one period, until [`cancel_timer`], or until `target` or the
/// calling process exits. A run the timer missed (a very busy machine) is
/// skipped, not sent twice.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// let me = actor::pid();
/// let t = actor::send_interval(Duration::from_millis(5), me, Kind::Info, "tick");
/// for _ in 0..3 {
///     assert_eq!(actor::receive_timeout(Duration::from_secs(5)).unwrap().data, "tick");
/// }
/// assert!(actor::cancel_timer(t));
/// ```
pub fn send_interval(period: Duration, target: Pid, kind: Kind, data: impl Into<Term>) -> TimerRef {
    start(period, Some(period), target, kind, data.into())
}

/// Stops a timer; `true` if it was still pending (for an interval: had not
/// been stopped), `false` if it had run or was stopped already.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// let t = actor::send_after(Duration::from_secs(60), actor::pid(), Kind::Info, "late");
/// assert!(actor::cancel_timer(t));
/// assert!(!actor::cancel_timer(t));
/// ```
pub fn cancel_timer(t: TimerRef) -> bool {
    if !timer::cancel(t.id) {
        return false;
    }
    for p in [t.target, t.maker] {
        if p.is_local() {
            process::with_proc(p, |p| p.relations.remove_timer(t.id));
        }
    }
    true
}

fn start(
    delay: Duration,
    period: Option<Duration>,
    target: Pid,
    kind: Kind,
    data: Term,
) -> TimerRef {
    let from = process::current_pid();
    let maker = if period.is_some() && from.is_local() {
        from
    } else {
        Pid::NOBODY
    };
    let repeats = period.is_some();
    let id = timer::start_with(Instant::now() + delay, period, |id| {
        let mut data = Some(data);
        Box::new(move || {
            let data = if repeats {
                data.clone().unwrap_or_default()
            } else {
                data.take().unwrap_or_default()
            };
            fire(id, target, from, kind, data, repeats);
        })
    });
    let t = TimerRef { id, target, maker };
    // Registered with the processes whose exit stops it; a dead one stops
    // it now.
    let registered = |p: Pid, other: Pid| {
        !p.is_local() || process::with_proc(p, |p| p.relations.add_timer(id, other)) == Some(true)
    };
    if !registered(target, maker) || (maker != Pid::NOBODY && !registered(maker, target)) {
        cancel_timer(t);
    }
    t
}

/// A timer is due: its message goes out (from the timer thread, which is
/// not a process: the sender is the maker).
fn fire(id: TimerId, target: Pid, from: Pid, kind: Kind, data: Term, repeats: bool) {
    if !repeats && target.is_local() {
        process::with_proc(target, |p| p.relations.remove_timer(id));
    }
    if kind == Kind::Kill {
        process::signal_exit(target, from, process::reasons::kill());
        return;
    }
    let msg = Message {
        kind,
        data,
        reference: None,
        from,
    };
    if target.is_local() {
        let _ = process::deliver(target, Envelope::Msg(msg));
    } else {
        // Unreachable or unencodable: dropped, as a send is (the
        // distribution layer logs why).
        let _ = crate::remote::send(target, msg);
    }
}
