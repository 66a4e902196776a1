//! Calls in flight, on both sides of a process.
//!
//! As a caller, a process mints a reference per call that names itself
//! and the call's number (`Ref::call`), so any message it receives tells
//! by its reference alone whether it is the reply to one of its calls. A
//! reply for a call that is no longer waiting (it timed out, or its future
//! was dropped) is dropped on sight: there is nothing to remember about
//! calls that gave up, and nothing leaks however many do.
//!
//! The common case, one call waiting alone, lives in one word (`word`):
//! its mode and number, changed by the owner only. Several waiters at
//! once (calls joined in one task, or a receive beside a call) move to the
//! slow state, where each keeps its waker and the reply routed to it; the
//! mailbox's parker then holds the waker of the last one to park, the
//! "drainer", which hands over when it leaves.
//!
//! As a callee, a process remembers the calls it took from its mailbox
//! and has not answered, so their callers hear at once if it dies: the
//! last one taken in two words (`handling`), any others in a map. Sending
//! the reply forgets a call; so does the caller's notice that it gave up.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::task::Waker;
use std::time::Instant;

use crate::message::Message;
use crate::pid::{IdHash, Pid, Ref};
use crate::term::Term;

const SEQ: u64 = (1 << 59) - 1;
const ONE: u64 = 1 << 62;
const MANY: u64 = 2 << 62;
const MODE: u64 = 3 << 62;

/// The slow state's map of taken calls is not empty.
const TAKEN: u64 = 1 << 59;
/// Some call waits on a reference it did not mint (`msg!(… ref r >> …)`).
const FOREIGN: u64 = 1 << 60;
/// A receive is waiting (the process's one other kind of waiter).
const RECEIVING: u64 = 1 << 61;
const FLAGS: u64 = TAKEN | FOREIGN | RECEIVING;

/// How a call ended, as routed to it.
#[derive(Debug)]
pub(crate) enum Outcome {
    Reply(Message),
    Failed(Term),
}

/// Who is waiting in a process.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Waiter {
    Call(u64),
    Receive,
}

/// What became of a reply or failure notice taken from the mailbox.
#[derive(Debug)]
pub(crate) enum Routed {
    /// For the waiter that looked.
    Mine(Outcome),
    /// Given to another waiting call (and that call woken).
    Delivered,
    /// For a call that is no longer waiting: dropped.
    Stale,
    /// Given to the call waiting alone, which parked last: wake the
    /// parker's waker.
    Parked,
}

#[derive(Default)]
struct Slow {
    /// Calls waiting in "many" mode, by number.
    waiting: HashMap<u64, Slot, IdHash>,
    /// The receive waiting beside calls, in "many" mode.
    receiver: Option<Waker>,
    /// Whose waker the mailbox's parker holds, in "many" mode.
    drainer: Option<Waiter>,
    /// Waiting calls by a reference they did not mint.
    foreign: HashMap<Ref, u64, IdHash>,
    /// Calls taken from the mailbox and not answered: reference → caller.
    taken: HashMap<Ref, Pid, IdHash>,
}

#[derive(Default)]
struct Slot {
    waker: Option<Waker>,
    outcome: Option<Outcome>,
}

pub(crate) struct Calls {
    /// `[mode: 2 bits][flags: 3 bits][number: 59 bits]`: the number of the
    /// last call minted; whether none, one (that one) or many calls wait;
    /// and flags that mirror the slow state, so the common paths skip its
    /// lock. Written by the owner only, so loads and stores will do.
    word: AtomicU64,
    /// The last call taken and not answered (its reference); zeros: none.
    handling: [AtomicU64; 2],
    /// The deadline the process's timer is set for (see `time`); 0: unset.
    timer: AtomicU64,
    slow: Mutex<Option<Box<Slow>>>,
}

/// A deadline, and the same as nanoseconds since the first use so that
/// one word holds it (what the process's timer is set for).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    pub(crate) ns: u64,
}

impl Deadline {
    pub(crate) fn new(at: Instant) -> Deadline {
        static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
        let ns = (at.saturating_duration_since(*EPOCH).as_nanos() as u64).max(1);
        Deadline { at, ns }
    }
}

impl Calls {
    pub(crate) fn new() -> Calls {
        Calls {
            word: AtomicU64::new(0),
            handling: [AtomicU64::new(0), AtomicU64::new(0)],
            timer: AtomicU64::new(0),
            slow: Mutex::new(None),
        }
    }

    fn slow(&self) -> MutexGuard<'_, Option<Box<Slow>>> {
        super::lock(&self.slow)
    }

    #[inline]
    fn flag(&self, f: u64) -> bool {
        self.word.load(Ordering::Relaxed) & f != 0
    }

    fn set_flag(&self, f: u64, on: bool) {
        let now = self.word.load(Ordering::Relaxed);
        let next = if on { now | f } else { now & !f };
        if next != now {
            self.word.store(next, Ordering::Relaxed);
        }
    }

    /// Sets the mode and the number, keeping the flags.
    #[inline]
    fn set_mode(&self, word: u64, mode: u64, seq: u64) {
        self.word
            .store((word & FLAGS) | mode | (seq & SEQ), Ordering::Relaxed);
    }

    // ---- the caller's side ----------------------------------------------

    /// Starts a call: its number and reference. `parked` gives the waker
    /// of the one waiter already parked, when this call joins it.
    pub(crate) fn begin(&self, owner: u64, parked: impl FnOnce() -> Option<Waker>) -> (u64, Ref) {
        let word = self.word.load(Ordering::Relaxed);
        let seq = (word & SEQ).wrapping_add(1) & SEQ;
        let r = Ref::call(owner, seq);
        if word & MODE == 0 && word & RECEIVING == 0 {
            self.set_mode(word, ONE, seq);
        } else {
            let mut guard = self.slow();
            let slow = guard.get_or_insert_with(Box::default);
            if word & MODE == ONE {
                // The call waiting alone parked last: its waker is the
                // parker's.
                let first = word & SEQ;
                slow.waiting.insert(
                    first,
                    Slot {
                        waker: parked(),
                        outcome: None,
                    },
                );
                slow.drainer = Some(Waiter::Call(first));
            } else if word & MODE == 0 {
                // A receive waits alone: it parked last.
                slow.receiver = parked();
                slow.drainer = Some(Waiter::Receive);
            }
            slow.waiting.insert(seq, Slot::default());
            self.set_mode(word, MANY, seq);
        }
        (seq, r)
    }

    /// Waits on `r`, a reference the caller chose, for call `seq`.
    pub(crate) fn wait_foreign(&self, r: Ref, seq: u64) {
        let mut guard = self.slow();
        guard
            .get_or_insert_with(Box::default)
            .foreign
            .insert(r, seq);
        self.set_flag(FOREIGN, true);
    }

    /// Ends call `seq`. Returns a waiter to wake when this one held the
    /// parker and others still wait (it must look at the mailbox for them).
    pub(crate) fn end(&self, seq: u64) -> Option<Waker> {
        if self.flag(FOREIGN) {
            if let Some(slow) = self.slow().as_mut() {
                slow.foreign.retain(|_, s| *s != seq);
                if slow.foreign.is_empty() {
                    self.set_flag(FOREIGN, false);
                }
            }
        }
        let word = self.word.load(Ordering::Relaxed);
        if word & MODE == ONE && word & SEQ == seq {
            self.set_mode(word, 0, seq);
            return None;
        }
        if word & MODE != MANY {
            return None;
        }
        let mut guard = self.slow();
        let slow = guard.as_mut()?;
        slow.waiting.remove(&seq);
        self.leave(slow, Waiter::Call(seq))
    }

    /// A waiter left the slow state: back to no waiter when it was the
    /// last; else, when it held the parker (or nobody does), a successor to
    /// wake, which looks at the mailbox for the others before it parks.
    /// One still waiting for its outcome is preferred: one whose outcome is
    /// there may complete without looking, and then hands over again.
    fn leave(&self, slow: &mut Slow, who: Waiter) -> Option<Waker> {
        if slow.waiting.is_empty() && slow.receiver.is_none() {
            slow.drainer = None;
            let word = self.word.load(Ordering::Relaxed);
            self.set_mode(word, 0, word & SEQ);
            return None;
        }
        if slow.drainer.is_some_and(|d| d != who) {
            return None;
        }
        let call = |pending: bool| {
            slow.waiting
                .iter()
                .filter(|(_, s)| !pending || s.outcome.is_none())
                .find_map(|(seq, s)| Some((Waiter::Call(*seq), s.waker.clone()?)))
        };
        let next = call(true)
            .or_else(|| Some((Waiter::Receive, slow.receiver.clone()?)))
            .or_else(|| call(false));
        slow.drainer = next.as_ref().map(|(w, _)| *w);
        next.map(|(_, w)| w)
    }

    /// Routes the outcome of call `seq` found by `asker`.
    pub(crate) fn route(&self, seq: u64, outcome: Outcome, asker: Option<Waiter>) -> Routed {
        let word = self.word.load(Ordering::Relaxed);
        match word & MODE {
            ONE if word & SEQ == seq => {
                if asker == Some(Waiter::Call(seq)) {
                    return Routed::Mine(outcome);
                }
                // Found by someone else (a receive in the same process):
                // hand it to the call, which parked last.
                let mut guard = self.slow();
                let slow = guard.get_or_insert_with(Box::default);
                slow.waiting.insert(
                    seq,
                    Slot {
                        waker: None,
                        outcome: Some(outcome),
                    },
                );
                slow.drainer = Some(Waiter::Call(seq));
                self.set_mode(word, MANY, seq);
                Routed::Parked
            }
            MANY => {
                if asker == Some(Waiter::Call(seq)) {
                    return Routed::Mine(outcome);
                }
                let mut guard = self.slow();
                let Some(slot) = guard.as_mut().and_then(|s| s.waiting.get_mut(&seq)) else {
                    return Routed::Stale;
                };
                slot.outcome = Some(outcome);
                if let Some(w) = &slot.waker {
                    w.wake_by_ref();
                }
                Routed::Delivered
            }
            _ => Routed::Stale,
        }
    }

    /// The number of the call waiting on the foreign reference `r`.
    pub(crate) fn foreign(&self, r: Ref) -> Option<u64> {
        if !self.flag(FOREIGN) {
            return None;
        }
        self.slow().as_ref()?.foreign.get(&r).copied()
    }

    /// The outcome another waiter routed to call `seq`.
    pub(crate) fn outcome(&self, seq: u64) -> Option<Outcome> {
        if self.word.load(Ordering::Relaxed) & MODE != MANY {
            return None;
        }
        self.slow().as_mut()?.waiting.get_mut(&seq)?.outcome.take()
    }

    /// Whether several waiters share the mailbox.
    #[inline]
    pub(crate) fn many(&self) -> bool {
        self.word.load(Ordering::Relaxed) & MODE == MANY
    }

    /// Records `waiter`'s waker before it waits, in "many" mode. Returns
    /// whether it must park with the mailbox's parker too: when it is the
    /// drainer, or there is none (it becomes the drainer). The others are
    /// woken by the drainer's routing, not by the parker.
    pub(crate) fn park(&self, waiter: Waiter, waker: &Waker) -> bool {
        let mut guard = self.slow();
        let Some(slow) = guard.as_mut() else {
            return true;
        };
        let slot = match waiter {
            Waiter::Call(seq) => match slow.waiting.get_mut(&seq) {
                Some(s) => &mut s.waker,
                None => return true,
            },
            Waiter::Receive => &mut slow.receiver,
        };
        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
        match slow.drainer {
            Some(d) if d != waiter => false,
            _ => {
                slow.drainer = Some(waiter);
                true
            }
        }
    }

    /// A receive starts waiting: alone it needs nothing; beside calls it
    /// joins the slow state.
    pub(crate) fn receive_begins(&self, parked: impl FnOnce() -> Option<Waker>) {
        self.set_flag(RECEIVING, true);
        let word = self.word.load(Ordering::Relaxed);
        if word & MODE == 0 {
            return;
        }
        let mut guard = self.slow();
        let slow = guard.get_or_insert_with(Box::default);
        if word & MODE == ONE {
            let first = word & SEQ;
            slow.waiting.insert(
                first,
                Slot {
                    waker: parked(),
                    outcome: None,
                },
            );
            slow.drainer = Some(Waiter::Call(first));
            let word = self.word.load(Ordering::Relaxed);
            self.set_mode(word, MANY, first);
        }
    }

    /// The receive stopped waiting; a successor to wake as in `end`.
    pub(crate) fn receive_ends(&self) -> Option<Waker> {
        self.set_flag(RECEIVING, false);
        if !self.many() {
            return None;
        }
        let mut guard = self.slow();
        let slow = guard.as_mut()?;
        slow.receiver = None;
        self.leave(slow, Waiter::Receive)
    }

    /// Wakes the receive waiting beside calls (a call's look at the
    /// mailbox held a message for it).
    pub(crate) fn wake_receiver(&self) {
        if !self.flag(RECEIVING) || !self.many() {
            return;
        }
        if let Some(w) = self.slow().as_ref().and_then(|s| s.receiver.as_ref()) {
            w.wake_by_ref();
        }
    }

    // ---- the timer ------------------------------------------------------

    /// Whether the process timer will fire no later than `deadline`.
    #[inline]
    pub(crate) fn timer_covers(&self, deadline: u64) -> bool {
        let at = self.timer.load(Ordering::Acquire);
        at != 0 && at <= deadline
    }

    /// Notes that the timer is now set for `deadline`.
    pub(crate) fn timer_set(&self, deadline: u64) {
        self.timer.store(deadline, Ordering::Release);
    }

    /// The timer set for `deadline` fired (on the timer thread): in "many"
    /// mode every waiter looks at its deadline; otherwise the one waiter,
    /// woken through the parker, does.
    pub(crate) fn timer_fired(&self, deadline: u64) {
        let _ = self
            .timer
            .compare_exchange(deadline, 0, Ordering::AcqRel, Ordering::Acquire);
        if !self.many() {
            return;
        }
        if let Some(slow) = self.slow().as_ref() {
            for w in slow.waiting.values().filter_map(|s| s.waker.as_ref()) {
                w.wake_by_ref();
            }
            if let Some(w) = &slow.receiver {
                w.wake_by_ref();
            }
        }
    }

    // ---- the callee's side ----------------------------------------------

    /// A call request `r` from `caller` was taken from the mailbox;
    /// `owner` is the caller's key when `r` is a call reference.
    #[inline]
    pub(crate) fn took(&self, r: Ref, owner: Option<u64>, caller: Pid) {
        // A local caller's reference names it: the handled call needs no
        // more than the reference. Others (remote callers, references the
        // caller chose) go to the map with their caller.
        if owner.is_some_and(|owner| caller.is_local() && caller.key() == owner) {
            let old = self.handled();
            if let Some(old) = old {
                self.spill(old);
            }
            let (hi, lo) = r.to_parts();
            self.handling[0].store(hi, Ordering::Relaxed);
            self.handling[1].store(lo, Ordering::Relaxed);
        } else {
            self.insert_taken(r, caller);
        }
    }

    /// The call in `handling`, if any.
    #[inline]
    fn handled(&self) -> Option<Ref> {
        let hi = self.handling[0].load(Ordering::Relaxed);
        let lo = self.handling[1].load(Ordering::Relaxed);
        (hi != 0 || lo != 0).then(|| Ref::from_parts(hi, lo))
    }

    /// Moves the handled call `r` to the map of taken calls.
    #[cold]
    fn spill(&self, r: Ref) {
        if let Some((owner, _)) = r.call_parts() {
            self.insert_taken(r, Pid::local(owner));
        }
    }

    fn insert_taken(&self, r: Ref, caller: Pid) {
        let mut guard = self.slow();
        guard
            .get_or_insert_with(Box::default)
            .taken
            .insert(r, caller);
        self.set_flag(TAKEN, true);
    }

    /// A message with reference `r` is being sent: if it answers a call
    /// this process took, that call is no longer owed.
    #[inline]
    pub(crate) fn answered(&self, r: Ref) {
        let (hi, lo) = r.to_parts();
        if self.handling[0].load(Ordering::Relaxed) == hi
            && self.handling[1].load(Ordering::Relaxed) == lo
        {
            self.handling[0].store(0, Ordering::Relaxed);
            self.handling[1].store(0, Ordering::Relaxed);
        } else if self.flag(TAKEN) {
            self.forget_taken(r);
        }
    }

    /// The caller of `r` gave up on it: nothing is owed any more.
    pub(crate) fn forget(&self, r: Ref) {
        self.answered(r);
    }

    #[cold]
    fn forget_taken(&self, r: Ref) {
        let mut guard = self.slow();
        if let Some(slow) = guard.as_mut() {
            slow.taken.remove(&r);
            if slow.taken.is_empty() {
                self.set_flag(TAKEN, false);
            }
        }
    }

    /// Every call taken and not answered, with its caller, for the exit to
    /// fail.
    pub(crate) fn drain_taken(&self) -> Vec<(Ref, Pid)> {
        let mut out = Vec::new();
        if let Some(r) = self.handled() {
            self.handling[0].store(0, Ordering::Relaxed);
            self.handling[1].store(0, Ordering::Relaxed);
            if let Some((owner, _)) = r.call_parts() {
                out.push((r, Pid::local(owner)));
            }
        }
        if self.flag(TAKEN) {
            self.set_flag(TAKEN, false);
            if let Some(slow) = self.slow().as_mut() {
                out.extend(slow.taken.drain());
            }
        }
        out
    }
}
