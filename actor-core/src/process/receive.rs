//! Taking messages out of a process's mailbox: in order, selectively, with
//! deadlines, in async code and in blocking code, around calls that wait
//! for their replies at the same time.
//!
//! Every envelope taken from the channel is sorted first (`sort`): a reply
//! or failure notice goes to the call it answers (or is dropped if that
//! call gave up), a call request is noted as owed, and whatever remains is
//! an ordinary message for a receive. A waiter that finds an ordinary
//! message it does not want holds it in the mailbox for a later receive.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use super::calls::{Deadline, Outcome, Routed, Waiter};
use super::{reasons, with_proc, Envelope, Proc};
use crate::message::Message;

/// The unwind payload that takes a task out of a blocking receive or
/// `.wait()` when an exit signal ends its process (with `panic = "unwind"`;
/// with `panic = "abort"` the blocking call returns instead).
pub(crate) struct ExitUnwind;

/// What a receive got.
pub(crate) enum Got {
    Msg(Message),
    Timeout,
    /// The process was told to exit while it waited (a thread's process,
    /// which is gone already; or a task under `panic = "abort"`).
    Exiting(crate::term::Term),
}

/// How the wait for a call's reply ended.
pub(crate) enum CallWait {
    Reply(Message),
    Failed(crate::term::Term),
    Timeout,
    /// As in [`Got::Exiting`].
    Exiting(crate::term::Term),
}

impl From<Outcome> for CallWait {
    fn from(o: Outcome) -> CallWait {
        match o {
            Outcome::Reply(m) => CallWait::Reply(m),
            Outcome::Failed(reason) => CallWait::Failed(reason),
        }
    }
}

/// An envelope, sorted for the waiter that took it.
enum Sorted {
    /// A message for a receive.
    Ordinary(Message),
    /// The outcome of the asking call.
    Outcome(Outcome),
    /// An exit was requested while the process blocked.
    Wake,
    /// Nothing for anyone here (routed to another call, or stale).
    Nothing,
}

impl Proc {
    /// Sorts an envelope taken from the channel by `asker`. Inlined into
    /// each receive: an envelope is 88 bytes, and a call would copy it in
    /// and out.
    #[inline(always)]
    fn sort(&self, env: Envelope, asker: Option<Waiter>) -> Sorted {
        match env {
            Envelope::Msg(m) => self.sort_msg(m, false, asker),
            Envelope::Call(m) => self.sort_msg(m, true, asker),
            Envelope::CallFailed { reference, reason } => {
                let seq = match reference.call_parts() {
                    Some((owner, seq)) if owner == self.key() => Some(seq),
                    _ => self.calls.foreign(reference),
                };
                match seq.map(|seq| self.calls.route(seq, Outcome::Failed(reason), asker)) {
                    Some(Routed::Mine(o)) => Sorted::Outcome(o),
                    Some(Routed::Parked) => {
                        self.mailbox.wake();
                        Sorted::Nothing
                    }
                    _ => Sorted::Nothing,
                }
            }
            Envelope::CallDropped { reference } => {
                self.calls.forget(reference);
                Sorted::Nothing
            }
            Envelope::Wake => Sorted::Wake,
        }
    }

    #[inline(always)]
    fn sort_msg(&self, m: Message, is_call: bool, asker: Option<Waiter>) -> Sorted {
        if let Some(r) = m.reference {
            let parts = r.call_parts();
            let seq = match parts {
                Some((owner, seq)) if owner == self.key() => Some(seq),
                _ if !is_call => self.calls.foreign(r),
                _ => None,
            };
            if let Some(seq) = seq {
                let from = m.from;
                return match self.calls.route(seq, Outcome::Reply(m), asker) {
                    Routed::Mine(o) => Sorted::Outcome(o),
                    Routed::Parked => {
                        self.mailbox.wake();
                        Sorted::Nothing
                    }
                    Routed::Delivered => Sorted::Nothing,
                    Routed::Stale => {
                        late_reply(self.pid, from, r);
                        Sorted::Nothing
                    }
                };
            }
            if is_call {
                self.calls.took(r, parts.map(|p| p.0), m.from);
            }
        }
        Sorted::Ordinary(m)
    }

    /// Holds a message a waiter does not want, for a later receive.
    fn hold(&self, m: Message) {
        self.mailbox.hold(m);
        self.calls.wake_receiver();
    }

    /// Makes sure the process's timer fires by `deadline`; `true` if the
    /// deadline has passed already.
    fn expired(&self, deadline: Deadline) -> bool {
        let d = deadline.ns;
        if self.calls.timer_covers(d) {
            return false;
        }
        if Instant::now() >= deadline.at {
            return true;
        }
        self.calls.timer_set(d);
        let pid = self.pid;
        crate::timer::start(
            deadline.at,
            Box::new(move || {
                with_proc(pid, |p| {
                    p.calls.timer_fired(d);
                    p.mailbox.wake();
                });
            }),
        );
        false
    }

    /// After `expired(deadline)` armed (or relied on) the timer and the
    /// waiter then registered its waker: whether the timer fired in
    /// between, when no waker was there to hear it (its wake-up is lost,
    /// so the waiter must look again instead of sleeping). The timer only
    /// ever stops covering a deadline by firing.
    #[inline]
    fn timer_fired_unheard(&self, deadline: Deadline) -> bool {
        !self.calls.timer_covers(deadline.ns)
    }

    /// A blocking wait was woken (or is about to block with a signal
    /// waiting): acts on queued link exits, then whether the process must
    /// stop.
    fn woken_to_stop(&self) -> bool {
        if let Some(me) = super::lookup(self.pid) {
            super::exit::act_on_link_exits(&me);
        }
        self.is_dead() || self.signals.interrupts()
    }

    /// The reason to give up a blocking wait for, once the process was
    /// told to exit: a task unwinds out of it where it can.
    fn exiting(&self) -> crate::term::Term {
        let reason = self.signals.requested().unwrap_or_else(reasons::killed);
        #[cfg(panic = "unwind")]
        if !self.is_thread() {
            std::panic::resume_unwind(Box::new(ExitUnwind));
        }
        reason
    }

    // ---- receives -------------------------------------------------------

    /// A message goes to the process's code: counted for `process_info`.
    #[inline]
    fn taken(&self, m: Message) -> Message {
        self.mailbox.count_taken();
        m
    }

    /// The first message `pred` accepts, without waiting.
    pub(crate) fn try_receive(&self, mut pred: impl FnMut(&Message) -> bool) -> Option<Message> {
        if let Some(m) = self.mailbox.take_held(&mut pred) {
            return Some(self.taken(m));
        }
        while let Some(env) = self.mailbox.try_pull() {
            if let Sorted::Ordinary(m) = self.sort(env, None) {
                if pred(&m) {
                    return Some(self.taken(m));
                }
                self.hold(m);
            }
        }
        None
    }

    /// The next message if one is already queued, without the machinery of
    /// an await: the actor loop's fast path while mail keeps coming. `None`
    /// when the mailbox is likely or really empty, when held messages come
    /// first, or when an exit is pending: the awaited path handles those.
    #[inline]
    pub(crate) fn next_queued(&self) -> Option<Message> {
        if !self.mailbox.expects_mail() || self.mailbox.has_held() || self.signals.interrupts() {
            return None;
        }
        loop {
            if let Sorted::Ordinary(m) = self.sort(self.mailbox.try_pull()?, None) {
                return Some(self.taken(m));
            }
        }
    }

    /// A future of the first message `pred` accepts, or `Got::Timeout` at
    /// `deadline`. `alone`: no call of this process can wait meanwhile (the
    /// actor loop's own receive), so it need not announce itself.
    pub(crate) fn receive<P: FnMut(&Message) -> bool>(
        self: &Arc<Self>,
        pred: P,
        deadline: Option<Instant>,
        alone: bool,
    ) -> Receive<'_, P> {
        Receive {
            proc: self,
            pred,
            deadline: deadline.map(Deadline::new),
            alone,
            begun: false,
            waited: false,
        }
    }

    /// Blocks until the first message `pred` accepts, or `deadline`.
    pub(crate) fn receive_blocking(
        &self,
        mut pred: impl FnMut(&Message) -> bool,
        deadline: Option<Instant>,
    ) -> Got {
        if let Some(m) = self.mailbox.take_held(&mut pred) {
            return Got::Msg(self.taken(m));
        }
        crate::runtime::blocking(|| {
            if self.signals.block() && self.woken_to_stop() {
                self.signals.unblock();
                return Got::Exiting(self.exiting());
            }
            let got = loop {
                let Some(env) = self.mailbox.pull_blocking(deadline) else {
                    break Got::Timeout;
                };
                match self.sort(env, None) {
                    Sorted::Ordinary(m) if pred(&m) => break Got::Msg(self.taken(m)),
                    Sorted::Ordinary(m) => self.hold(m),
                    Sorted::Wake if self.woken_to_stop() => break Got::Exiting(reasons::killed()),
                    _ => {}
                }
            };
            self.signals.unblock();
            match got {
                Got::Exiting(_) => Got::Exiting(self.exiting()),
                got => got,
            }
        })
    }

    /// Takes every message `pred` matches out of the mailbox, those still
    /// in the channel included (a `demonitor`'s flush).
    pub(crate) fn flush(&self, mut pred: impl FnMut(&Message) -> bool) {
        self.mailbox
            .pull_all_held(|env| match self.sort(env, None) {
                Sorted::Ordinary(m) => Some(m),
                _ => None,
            });
        self.mailbox.drop_held(&mut pred);
    }

    // ---- calls ----------------------------------------------------------

    /// Polls for the outcome of call `seq`. `fresh`: the request just went
    /// out, so park before the first look (the reply is not there yet).
    pub(crate) fn poll_call(
        &self,
        cx: &mut Context<'_>,
        seq: u64,
        deadline: Deadline,
        fresh: bool,
    ) -> Poll<CallWait> {
        let me = Some(Waiter::Call(seq));
        if self.calls.many() {
            if let Some(o) = self.calls.outcome(seq) {
                return Poll::Ready(o.into());
            }
        }
        let mut look = !fresh;
        loop {
            let env = if look {
                self.mailbox.try_pull()
            } else {
                look = true;
                None
            };
            let env = match env {
                Some(env) => env,
                None => {
                    if self.expired(deadline) {
                        return Poll::Ready(CallWait::Timeout);
                    }
                    if self.calls.many() && !self.calls.park(Waiter::Call(seq), cx.waker()) {
                        if self.timer_fired_unheard(deadline) {
                            continue;
                        }
                        return Poll::Pending;
                    }
                    self.mailbox.park(cx.waker());
                    match self.mailbox.try_pull() {
                        Some(env) => {
                            self.mailbox.unpark();
                            env
                        }
                        None if self.timer_fired_unheard(deadline) => {
                            self.mailbox.unpark();
                            continue;
                        }
                        None => return Poll::Pending,
                    }
                }
            };
            match self.sort(env, me) {
                Sorted::Outcome(o) => return Poll::Ready(o.into()),
                Sorted::Ordinary(m) => self.hold(m),
                // A task is stopped through its waker; a thread's process
                // is gone already.
                Sorted::Wake if self.is_thread() && self.is_dead() => {
                    return Poll::Ready(CallWait::Exiting(reasons::killed()));
                }
                Sorted::Wake | Sorted::Nothing => {}
            }
        }
    }

    /// Blocks until the outcome of call `seq`, or `deadline`.
    pub(crate) fn wait_call_blocking(&self, seq: u64, deadline: Instant) -> CallWait {
        let me = Some(Waiter::Call(seq));
        crate::runtime::blocking(|| {
            if self.signals.block() && self.woken_to_stop() {
                self.signals.unblock();
                return CallWait::Exiting(self.exiting());
            }
            let got = loop {
                let Some(env) = self.mailbox.pull_blocking(Some(deadline)) else {
                    break CallWait::Timeout;
                };
                match self.sort(env, me) {
                    Sorted::Outcome(o) => break o.into(),
                    Sorted::Ordinary(m) => self.hold(m),
                    Sorted::Wake if self.woken_to_stop() => {
                        break CallWait::Exiting(reasons::killed())
                    }
                    Sorted::Wake | Sorted::Nothing => {}
                }
            };
            self.signals.unblock();
            match got {
                CallWait::Exiting(_) => CallWait::Exiting(self.exiting()),
                got => got,
            }
        })
    }
}

/// A reply came for a call that no longer waits (it timed out, or its
/// future was dropped): dropped, with a `debug` event.
#[cold]
fn late_reply(to: crate::pid::Pid, from: crate::pid::Pid, reference: crate::pid::Ref) {
    tracing::debug!(
        pid = %to,
        %from,
        %reference,
        "dropped a reply to a call that no longer waits"
    );
}

/// The future of a receive (see [`Proc::receive`]).
pub(crate) struct Receive<'a, P> {
    proc: &'a Arc<Proc>,
    pred: P,
    deadline: Option<Deadline>,
    alone: bool,
    begun: bool,
    /// It returned `Pending` once: the mailbox was empty.
    waited: bool,
}

impl<P> Unpin for Receive<'_, P> {}

impl<P: FnMut(&Message) -> bool> Future for Receive<'_, P> {
    type Output = Got;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Got> {
        let this = &mut *self;
        let proc = this.proc;
        if !this.alone && !this.begun {
            this.begun = true;
            proc.calls.receive_begins(|| proc.mailbox.parked_waker());
        }
        proc.poll_receive(cx, &mut this.pred, this.deadline, &mut this.waited)
    }
}

/// The actor loop's receive: the next message, in arrival order, with no
/// deadline; no call of the process can wait meanwhile. Small, since every
/// idle actor holds one.
pub(crate) struct NextMessage<'a> {
    proc: &'a Proc,
    waited: bool,
}

impl Future for NextMessage<'_> {
    type Output = Message;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Message> {
        let this = &mut *self;
        loop {
            match std::task::ready!(this.proc.poll_receive(
                cx,
                &mut |_| true,
                None,
                &mut this.waited
            )) {
                Got::Msg(m) => return Poll::Ready(m),
                // A task is stopped through its waker, not by a wake-up.
                Got::Timeout | Got::Exiting(_) => {}
            }
        }
    }
}

impl Proc {
    /// The next message, in arrival order, for the actor loop.
    pub(crate) fn next_message(&self) -> NextMessage<'_> {
        NextMessage {
            proc: self,
            waited: false,
        }
    }

    /// Polls for the first message `pred` accepts. `waited`: whether an
    /// earlier poll of the same receive found the mailbox empty.
    fn poll_receive(
        &self,
        cx: &mut Context<'_>,
        pred: &mut impl FnMut(&Message) -> bool,
        deadline: Option<Deadline>,
        waited: &mut bool,
    ) -> Poll<Got> {
        if let Some(m) = self.mailbox.take_held(&mut *pred) {
            return Poll::Ready(Got::Msg(self.taken(m)));
        }
        // After a receive that found its message without waiting, look
        // before parking: mail keeps coming.
        let mut look = self.mailbox.expects_mail();
        loop {
            let env = if look {
                self.mailbox.try_pull()
            } else {
                look = true;
                None
            };
            let env = match env {
                Some(env) => env,
                None => {
                    if let Some(d) = deadline {
                        if self.expired(d) {
                            return Poll::Ready(Got::Timeout);
                        }
                    }
                    let unheard =
                        |d: Option<Deadline>| d.is_some_and(|d| self.timer_fired_unheard(d));
                    if self.calls.many() && !self.calls.park(Waiter::Receive, cx.waker()) {
                        if unheard(deadline) {
                            continue;
                        }
                        *waited = true;
                        return Poll::Pending;
                    }
                    self.mailbox.park(cx.waker());
                    match self.mailbox.try_pull() {
                        Some(env) => {
                            self.mailbox.unpark();
                            env
                        }
                        None if unheard(deadline) => {
                            self.mailbox.unpark();
                            continue;
                        }
                        None => {
                            *waited = true;
                            self.mailbox.set_expect(false);
                            return Poll::Pending;
                        }
                    }
                }
            };
            match self.sort(env, Some(Waiter::Receive)) {
                Sorted::Ordinary(m) if pred(&m) => {
                    self.mailbox.set_expect(!*waited);
                    return Poll::Ready(Got::Msg(self.taken(m)));
                }
                Sorted::Ordinary(m) => self.mailbox.hold(m),
                Sorted::Wake if self.is_thread() && self.is_dead() => {
                    return Poll::Ready(Got::Exiting(reasons::killed()));
                }
                Sorted::Wake | Sorted::Outcome(_) | Sorted::Nothing => {}
            }
        }
    }
}

impl<P> Drop for Receive<'_, P> {
    fn drop(&mut self) {
        if self.begun {
            if let Some(w) = self.proc.calls.receive_ends() {
                w.wake();
            }
        }
    }
}
