//! Taking messages out of a process's mailbox: in order, selectively, with
//! timeouts; and setting aside what a selective receive passes over.

use std::sync::atomic::Ordering;
use std::task::Waker;
use std::time::Instant;

use super::{lock, rare, Envelope, Flavor, Proc};
use crate::message::Message;
use crate::pid::Ref;
use crate::term::Term;

/// What a receive makes of an envelope.
pub(crate) enum Taken {
    /// A message for the process.
    Msg(Message),
    /// Nothing for the process (a stale reply or notice, dropped).
    Nothing,
    /// The (thread) process was killed while it waited.
    Killed,
}

/// How a call's wait ended.
pub(crate) enum Reply {
    Msg(Message),
    Failed(Term),
    Killed,
    Timeout,
}

impl Proc {
    /// Sorts an envelope that no call is waiting for: stale replies to calls
    /// that timed out, and failure notices for them, are dropped.
    pub(crate) fn take(&self, env: Envelope) -> Taken {
        match env {
            Envelope::Msg(m) => {
                if let Some(r) = m.reference {
                    if self.has_abandoned.load(Ordering::Relaxed) && self.forget_abandoned(r) {
                        return Taken::Nothing;
                    }
                }
                Taken::Msg(m)
            }
            Envelope::CallFailed { reference, .. } => {
                if self.has_abandoned.load(Ordering::Relaxed) {
                    self.forget_abandoned(reference);
                }
                Taken::Nothing
            }
            Envelope::Killed => Taken::Killed,
        }
    }

    fn forget_abandoned(&self, r: Ref) -> bool {
        let mut local = lock(&self.local);
        let abandoned = &mut rare(&mut local.rare).abandoned;
        let was = abandoned.remove(&r);
        if abandoned.is_empty() {
            self.has_abandoned.store(false, Ordering::Relaxed);
        }
        was
    }

    /// Remembers that the call `r` timed out (or was given up), so its
    /// reply is dropped; a reply already set aside is dropped now.
    pub(crate) fn abandon(&self, r: Ref) {
        let mut local = lock(&self.local);
        if self.has_parked.load(Ordering::Relaxed) {
            rare(&mut local.rare)
                .parked_failures
                .retain(|(f, _)| *f != r);
        }
        if let Some(i) = local.saved.iter().position(|m| m.reference == Some(r)) {
            local.saved.remove(i);
            if local.saved.is_empty() {
                self.has_saved.store(false, Ordering::Relaxed);
            }
            return;
        }
        rare(&mut local.rare).abandoned.insert(r);
        self.has_abandoned.store(true, Ordering::Relaxed);
    }

    /// Enters an awaited call in the list of waiting calls.
    /// Returns how many are waiting now, this one included.
    pub(crate) fn start_waiting(&self, r: Ref) -> usize {
        let mut local = lock(&self.local);
        let waiting = &mut rare(&mut local.rare).waiting;
        waiting.push((r, None));
        let n = waiting.len();
        self.n_waiting.store(n as u32, Ordering::Relaxed);
        n
    }

    /// Remembers the waker of the waiting call `r`.
    pub(crate) fn set_waker(&self, r: Ref, waker: &Waker) {
        let mut local = lock(&self.local);
        if let Some((_, w)) = rare(&mut local.rare)
            .waiting
            .iter_mut()
            .find(|(wr, _)| *wr == r)
        {
            if !w.as_ref().is_some_and(|w| w.will_wake(waker)) {
                *w = Some(waker.clone());
            }
        }
    }

    /// Takes the call `r` off the list of waiting calls.
    pub(crate) fn stop_waiting(&self, r: Ref) {
        let mut local = lock(&self.local);
        let waiting = &mut rare(&mut local.rare).waiting;
        waiting.retain(|(wr, _)| *wr != r);
        let n = waiting.len();
        self.n_waiting.store(n as u32, Ordering::Relaxed);
        if self.has_parked.load(Ordering::Relaxed) {
            rare(&mut local.rare)
                .parked_failures
                .retain(|(f, _)| *f != r);
            if rare(&mut local.rare).parked_failures.is_empty() {
                self.has_parked.store(false, Ordering::Relaxed);
            }
        }
    }

    /// The reply or failure notice for call `r` that another wait of this
    /// process took from the mailbox and set aside.
    pub(crate) fn take_parked(&self, r: Ref) -> Option<Reply> {
        if let Some(m) = self.take_saved(|m| m.reference == Some(r)) {
            return Some(Reply::Msg(m));
        }
        if !self.has_parked.load(Ordering::Relaxed) {
            return None;
        }
        let mut local = lock(&self.local);
        let i = rare(&mut local.rare)
            .parked_failures
            .iter()
            .position(|(f, _)| *f == r)?;
        let (_, reason) = rare(&mut local.rare).parked_failures.swap_remove(i);
        if rare(&mut local.rare).parked_failures.is_empty() {
            self.has_parked.store(false, Ordering::Relaxed);
        }
        Some(Reply::Failed(reason))
    }

    /// Wakes the waiting call `r`, if there is one, after its reply was set
    /// aside by another wait.
    fn wake_waiting(&self, r: Ref) {
        if self.n_waiting.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut local = lock(&self.local);
        match rare(&mut local.rare)
            .waiting
            .iter()
            .find(|(wr, _)| *wr == r)
        {
            Some((_, Some(w))) => w.wake_by_ref(),
            // A call that waits alone keeps its waker in the mail parker.
            Some((_, None)) => self.mail.wake(),
            None => {}
        }
    }

    /// A failure notice for a call other than the one being waited for:
    /// parked when that call is waiting too, else dropped.
    fn park_failure(&self, reference: Ref, reason: Term) {
        let mut local = lock(&self.local);
        let r = rare(&mut local.rare);
        if let Some((_, w)) = r.waiting.iter().find(|(wr, _)| *wr == reference) {
            match w {
                Some(w) => w.wake_by_ref(),
                // A call that waits alone keeps its waker in the mail parker.
                None => self.mail.wake(),
            }
            r.parked_failures.push((reference, reason));
            self.has_parked.store(true, Ordering::Relaxed);
        } else if !self.has_abandoned.load(Ordering::Relaxed) {
            // Nothing given up: a stray notice, dropped.
        } else {
            let abandoned = &mut rare(&mut local.rare).abandoned;
            if abandoned.remove(&reference) && abandoned.is_empty() {
                self.has_abandoned.store(false, Ordering::Relaxed);
            }
        }
    }

    /// Sets a message aside for a later receive, keeping arrival order.
    pub(crate) fn save(&self, m: Message) {
        lock(&self.local).saved.push_back(m);
        self.has_saved.store(true, Ordering::Relaxed);
    }

    /// The first set-aside message that `pred` accepts.
    pub(crate) fn take_saved(&self, mut pred: impl FnMut(&Message) -> bool) -> Option<Message> {
        if !self.has_saved.load(Ordering::Relaxed) {
            return None;
        }
        let mut local = lock(&self.local);
        let found = local
            .saved
            .iter()
            .position(&mut pred)
            .and_then(|i| local.saved.remove(i));
        if local.saved.is_empty() {
            self.has_saved.store(false, Ordering::Relaxed);
        }
        found
    }

    /// Sorts an envelope that arrived during a selective receive: a match
    /// is returned, anything else for the process is set aside.
    fn sift(&self, env: Envelope, pred: &mut impl FnMut(&Message) -> bool) -> Taken {
        match self.take(env) {
            Taken::Msg(m) if pred(&m) => Taken::Msg(m),
            Taken::Msg(m) => {
                self.save(m);
                Taken::Nothing
            }
            other => other,
        }
    }

    /// The next message that `pred` accepts, waiting until `deadline`.
    /// `Err(())` when the (thread) process was killed meanwhile.
    pub(crate) async fn recv_match(
        &self,
        mut pred: impl FnMut(&Message) -> bool,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<Option<Message>, ()> {
        if let Some(m) = self.take_saved(&mut pred) {
            return Ok(Some(m));
        }
        let sleep = tokio::time::sleep_until(deadline.unwrap_or_else(far_future));
        tokio::pin!(sleep);
        loop {
            let env = tokio::select! {
                biased;
                env = std::future::poll_fn(|cx| self.poll_mail(cx, true)) => env,
                () = &mut sleep, if deadline.is_some() => return Ok(None),
            };
            match self.sift(env, &mut pred) {
                Taken::Msg(m) => return Ok(Some(m)),
                Taken::Nothing => {}
                // A task is stopped through its waker.
                Taken::Killed if self.flavor == Flavor::Task => {}
                Taken::Killed => return Err(()),
            }
        }
    }

    /// The next message, in arrival order, waiting as long as it takes: the
    /// actor loop's receive.
    pub(crate) async fn recv_next(&self) -> Message {
        if let Some(m) = self.take_saved(|_| true) {
            return m;
        }
        loop {
            let mut polls = 0;
            let env = std::future::poll_fn(|cx| {
                polls += 1;
                self.poll_mail(cx, polls > 1 || self.expect_mail.load(Ordering::Relaxed))
            })
            .await;
            self.expect_mail.store(polls == 1, Ordering::Relaxed);
            if let Taken::Msg(m) = self.take(env) {
                return m;
            }
        }
    }

    /// The next message if one is already queued, without the machinery of
    /// an await: the actor loop's fast path while mail keeps coming (the
    /// last receive found mail waiting). `None` when the mailbox is likely
    /// or really empty, when set-aside messages come first, or when an exit
    /// is pending: the awaited path handles those.
    #[inline]
    pub(crate) fn next_queued(&self) -> Option<Message> {
        if !self.expect_mail.load(Ordering::Relaxed)
            || self.has_saved.load(Ordering::Relaxed)
            || self.exiting.load(Ordering::Acquire)
        {
            return None;
        }
        loop {
            match self.take(self.rx.try_recv().ok()?) {
                Taken::Msg(m) => return Some(m),
                Taken::Nothing => {}
                // A task is stopped through its waker, not this notice.
                Taken::Killed => {}
            }
        }
    }

    /// The next message that `pred` accepts, blocking until `deadline`.
    pub(crate) fn recv_match_blocking(
        &self,
        mut pred: impl FnMut(&Message) -> bool,
        deadline: Option<Instant>,
    ) -> Result<Option<Message>, ()> {
        if let Some(m) = self.take_saved(&mut pred) {
            return Ok(Some(m));
        }
        crate::runtime::blocking(|| loop {
            let env = match deadline {
                Some(d) => match self.rx.recv_deadline(d) {
                    Ok(env) => env,
                    Err(_) => return Ok(None),
                },
                None => match self.rx.recv() {
                    Ok(env) => env,
                    Err(_) => return Ok(None),
                },
            };
            match self.sift(env, &mut pred) {
                Taken::Msg(m) => return Ok(Some(m)),
                Taken::Nothing => {}
                Taken::Killed if self.flavor == Flavor::Task => self.unwind_if_exiting(),
                Taken::Killed => return Err(()),
            }
        })
    }

    /// The next message without waiting.
    pub(crate) fn try_recv(&self) -> Result<Option<Message>, ()> {
        if let Some(m) = self.take_saved(|_| true) {
            return Ok(Some(m));
        }
        while let Ok(env) = self.rx.try_recv() {
            match self.take(env) {
                Taken::Msg(m) => return Ok(Some(m)),
                Taken::Nothing => {}
                Taken::Killed if self.flavor == Flavor::Task => {}
                Taken::Killed => return Err(()),
            }
        }
        Ok(None)
    }

    /// Sorts an envelope during the wait for the reply to call `r`.
    pub(crate) fn sift_reply(&self, env: Envelope, r: Ref) -> Option<Reply> {
        match env {
            Envelope::Msg(m) if m.reference == Some(r) => Some(Reply::Msg(m)),
            Envelope::CallFailed { reference, reason } if reference == r => {
                Some(Reply::Failed(reason))
            }
            Envelope::CallFailed { reference, reason } => {
                self.park_failure(reference, reason);
                None
            }
            env => match self.take(env) {
                Taken::Msg(m) => {
                    let reference = m.reference;
                    self.save(m);
                    if let Some(other) = reference {
                        self.wake_waiting(other);
                    }
                    None
                }
                Taken::Nothing => None,
                Taken::Killed => Some(Reply::Killed),
            },
        }
    }

    /// Blocks until the reply to call `r` arrives or `deadline` passes.
    pub(crate) fn wait_reply_blocking(&self, r: Ref, deadline: Instant) -> Reply {
        if let Some(reply) = self.take_parked(r) {
            return reply;
        }
        crate::runtime::blocking(|| loop {
            match self.rx.recv_deadline(deadline) {
                Ok(env) => match self.sift_reply(env, r) {
                    Some(Reply::Killed) if self.flavor == Flavor::Task => self.unwind_if_exiting(),
                    Some(reply) => return reply,
                    None => {}
                },
                Err(_) => {
                    self.abandon(r);
                    return Reply::Timeout;
                }
            }
        })
    }
}

/// A deadline that never comes, for receives without a timeout.
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + std::time::Duration::from_secs(86400 * 365 * 30)
}
