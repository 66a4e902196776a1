//! Taking messages out of a process's mailbox: in order, selectively, with
//! timeouts; and setting aside what a selective receive passes over.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{lock, Envelope, Proc};
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
        let was = match local.abandoned.iter().position(|a| *a == r) {
            Some(i) => {
                local.abandoned.swap_remove(i);
                true
            }
            None => false,
        };
        if local.abandoned.is_empty() {
            self.has_abandoned.store(false, Ordering::Relaxed);
        }
        was
    }

    /// Remembers that the call `r` timed out, so its reply is dropped.
    pub(crate) fn abandon(&self, r: Ref) {
        lock(&self.local).abandoned.push(r);
        self.has_abandoned.store(true, Ordering::Relaxed);
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
            env => match self.take(env) {
                Taken::Msg(m) => {
                    self.save(m);
                    None
                }
                Taken::Nothing => None,
                Taken::Killed => Some(Reply::Killed),
            },
        }
    }

    /// Blocks until the reply to call `r` arrives or `deadline` passes.
    pub(crate) fn wait_reply_blocking(&self, r: Ref, deadline: Instant) -> Reply {
        crate::runtime::blocking(|| loop {
            match self.rx.recv_deadline(deadline) {
                Ok(env) => {
                    if let Some(reply) = self.sift_reply(env, r) {
                        return reply;
                    }
                }
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
