//! A process's mailbox: the channel every sender pushes into, the parker
//! that wakes its one receiving task, and the messages the process has
//! taken out of the channel but not yet received (passed over by a
//! selective receive, or arrived while it waited for a call's reply).
//!
//! The held messages are older than anything in the channel: a receive
//! looks at them first, so arrival order holds.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::task::Waker;
use std::time::Instant;

use super::parker::Parker;
use crate::message::Message;
use crate::pid::Ref;
use crate::term::Term;

/// What travels through a mailbox.
pub(crate) enum Envelope {
    /// A message.
    Msg(Message),
    /// A call's request: the receiver owes the caller a reply, or an exit
    /// notice if it dies first.
    Call(Message),
    /// The process a call of ours was waiting on exited (or was never there).
    CallFailed { reference: Ref, reason: Term },
    /// The caller of a call we took gave up on it (timed out, or dropped its
    /// future): we no longer owe it anything.
    CallDropped { reference: Ref },
    /// A waiter should look again: an exit was requested while the
    /// process blocked its thread, or the process's timer fired.
    Wake,
}

/// Held messages exist.
const HELD: u64 = 1;
/// The last receive found a message without waiting: the next one looks
/// before it parks.
const EXPECT: u64 = 1 << 1;
/// The count of messages taken sits above the flags.
const ONE_TAKEN: u64 = 1 << 8;

pub(crate) struct Mailbox {
    tx: flume::Sender<Envelope>,
    rx: flume::Receiver<Envelope>,
    parker: Parker,
    /// Boxed: most processes never hold a message, and every one carries
    /// the slot (a `VecDeque` inline is 32 bytes, the box 8).
    #[allow(clippy::box_collection)]
    held: Mutex<Option<Box<VecDeque<Message>>>>,
    /// Flags in the low byte: `HELD` mirrors whether `held` is non-empty
    /// (kept under its lock), so a receive can skip the lock; `EXPECT` is
    /// the owner's hint. Above them, how many messages the process has
    /// taken (for `process_info`). Written by the owner only.
    flags: AtomicU64,
}

impl Mailbox {
    pub(crate) fn new() -> Mailbox {
        let (tx, rx) = flume::unbounded();
        Mailbox {
            tx,
            rx,
            parker: Parker::new(),
            held: Mutex::new(None),
            flags: AtomicU64::new(EXPECT),
        }
    }

    /// Puts an envelope in the mailbox and wakes the receiver if it parked.
    #[inline]
    pub(crate) fn push(&self, env: Envelope) {
        // The receiver lives in `self`, so the channel cannot be closed.
        let _ = self.tx.send(env);
        self.parker.notify();
    }

    /// The next envelope in the channel, without waiting.
    #[inline]
    pub(crate) fn try_pull(&self) -> Option<Envelope> {
        self.rx.try_recv().ok()
    }

    /// The next envelope in the channel, blocking the thread until
    /// `deadline` (or for ever). `None` at the deadline.
    pub(crate) fn pull_blocking(&self, deadline: Option<Instant>) -> Option<Envelope> {
        match deadline {
            Some(d) => self.rx.recv_deadline(d).ok(),
            None => self.rx.recv().ok(),
        }
    }

    /// Parks the receiving task with `waker` before its last look at the
    /// channel (see `Parker`).
    #[inline]
    pub(crate) fn park(&self, waker: &Waker) {
        self.parker.park(waker);
    }

    /// The last look found mail: no wake-up needed.
    #[inline]
    pub(crate) fn unpark(&self) {
        self.parker.unpark();
    }

    /// Wakes whichever waker the receiver parked with.
    pub(crate) fn wake(&self) {
        self.parker.wake();
    }

    /// The waker the receiver parked with, left in place.
    pub(crate) fn parked_waker(&self) -> Option<Waker> {
        self.parker.waker()
    }

    pub(crate) fn expects_mail(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & EXPECT != 0
    }

    pub(crate) fn set_expect(&self, on: bool) {
        let f = self.flags.load(Ordering::Relaxed);
        let next = if on { f | EXPECT } else { f & !EXPECT };
        if next != f {
            self.flags.store(next, Ordering::Relaxed);
        }
    }

    #[inline]
    pub(crate) fn has_held(&self) -> bool {
        self.flags.load(Ordering::Relaxed) & HELD != 0
    }

    fn set_held(&self, on: bool) {
        // Under the `held` lock: the owner is the only writer of both.
        let f = self.flags.load(Ordering::Relaxed);
        let next = if on { f | HELD } else { f & !HELD };
        self.flags.store(next, Ordering::Relaxed);
    }

    /// Keeps a message for a later receive, after those already held.
    pub(crate) fn hold(&self, m: Message) {
        let mut held = super::lock(&self.held);
        held.get_or_insert_with(Box::default).push_back(m);
        self.set_held(true);
    }

    /// The first held message that `pred` accepts.
    pub(crate) fn take_held(&self, mut pred: impl FnMut(&Message) -> bool) -> Option<Message> {
        if !self.has_held() {
            return None;
        }
        let mut guard = super::lock(&self.held);
        let held = guard.as_mut()?;
        let found = held.iter().position(&mut pred).and_then(|i| held.remove(i));
        if held.is_empty() {
            self.set_held(false);
        }
        found
    }

    /// Moves everything in the channel into the held queue, through `sort`
    /// (which keeps what it returns): a look at the whole mailbox.
    pub(crate) fn pull_all_held(&self, mut sort: impl FnMut(Envelope) -> Option<Message>) {
        while let Some(env) = self.try_pull() {
            if let Some(m) = sort(env) {
                self.hold(m);
            }
        }
    }

    /// Copies of the held messages, in order.
    pub(crate) fn held(&self) -> Vec<Message> {
        if !self.has_held() {
            return Vec::new();
        }
        super::lock(&self.held)
            .as_ref()
            .map_or_else(Vec::new, |h| h.iter().cloned().collect())
    }

    /// Drops the held messages `pred` matches; returns whether any was.
    pub(crate) fn drop_held(&self, mut pred: impl FnMut(&Message) -> bool) -> bool {
        if !self.has_held() {
            return false;
        }
        let mut guard = super::lock(&self.held);
        let Some(held) = guard.as_mut() else {
            return false;
        };
        let before = held.len();
        held.retain(|m| !pred(m));
        let dropped = held.len() != before;
        if held.is_empty() {
            self.set_held(false);
        }
        dropped
    }

    /// A message was taken by the process.
    #[inline]
    pub(crate) fn count_taken(&self) {
        // The owner is the only writer.
        let f = self.flags.load(Ordering::Relaxed);
        self.flags
            .store(f.wrapping_add(ONE_TAKEN), Ordering::Relaxed);
    }

    /// How many messages the process has taken.
    pub(crate) fn taken(&self) -> u64 {
        self.flags.load(Ordering::Relaxed) / ONE_TAKEN
    }

    /// Messages waiting: held ones and those in the channel. Read from
    /// another thread while the owner moves messages from one to the
    /// other, it is a snapshot, exact once the owner waits.
    pub(crate) fn len(&self) -> usize {
        let held = super::lock(&self.held).as_ref().map_or(0, |h| h.len());
        held + self.rx.len()
    }

    /// Empties the mailbox of a process that exited: its held messages and
    /// everything still in the channel.
    pub(crate) fn drain(&self) -> (VecDeque<Message>, Vec<Envelope>) {
        let held = if self.has_held() {
            let held = super::lock(&self.held).take();
            self.set_held(false);
            held.map(|b| *b).unwrap_or_default()
        } else {
            VecDeque::new()
        };
        let queued = if self.rx.is_empty() {
            Vec::new()
        } else {
            self.rx.drain().collect()
        };
        (held, queued)
    }
}
