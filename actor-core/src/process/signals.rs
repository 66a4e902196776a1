//! A process's exit signalling: whether it has been asked to exit and why,
//! which exits it acts on in its current phase, whether it traps exits,
//! and how to wake it.
//!
//! Everything that decides "does this process stop now" sits in one state
//! word, changed only by atomic read-modify-writes, so no flag can drift
//! from another:
//!
//! - `EXITING`: an exit was requested; the reason is in `reason`, or is
//!   `killed` when `KILLED` is set too (a kill overrides any reason).
//! - `STARTING`, `STOPPING`: the actor runs its `start` or `stop` hook;
//!   only a kill interrupts it. A request made meanwhile waits: it is acted
//!   on after `start`, so `stop` always pairs with `start`.
//! - `TRAP_EXIT`: exits of linked processes arrive as `Death` messages.
//! - `BLOCKED`: the process blocks its thread in a receive or `.wait()`,
//!   so a request must also put a wake-up in its mailbox.
//! - `LINK_EXITS`: link exits wait in the relations for the process to
//!   act on them (see `exit`).
//! - `THREAD`, `OBEYS_PARENT`: fixed at birth (a plain thread's process;
//!   an actor that stops when its parent sends it an exit signal).
//!
//! The exit request and the block flag meet in the same word: whichever
//! read-modify-write comes second sees the other, so a blocking wait can
//! never miss the wake-up for a request (the loom model below checks it).

#[cfg(actor_loom)]
use loom::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
#[cfg(not(actor_loom))]
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

use std::task::Waker;

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;

use crate::term::Term;

const EXITING: u32 = 1;
const KILLED: u32 = 1 << 1;
const STARTING: u32 = 1 << 2;
const STOPPING: u32 = 1 << 3;
const TRAP_EXIT: u32 = 1 << 4;
const BLOCKED: u32 = 1 << 5;
const THREAD: u32 = 1 << 6;
const OBEYS_PARENT: u32 = 1 << 7;
const LINK_EXITS: u32 = 1 << 8;
/// `waker` is set.
const WAKER: u32 = 1 << 10;
/// `waker` is being read or replaced (a spin lock: held for a clone).
const WAKER_LOCK: u32 = 1 << 11;
/// The reason is `shutdown`: the commonest one, kept without a box.
const SHUTDOWN: u32 = 1 << 9;

/// Which part of its life an actor is in after `start` (a process is born
/// in `start` with [`Birth::starting`]), for which requests interrupt it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Phase {
    /// Handling messages: every request interrupts.
    Running,
    /// Running `stop`: only a kill interrupts.
    Stopping,
}

/// What a process is, fixed when it is made.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Birth {
    /// The actor type's name, for actors.
    pub(crate) actor: Option<fn() -> &'static str>,
    pub(crate) thread: bool,
    pub(crate) trap_exit: bool,
    pub(crate) obeys_parent: bool,
    pub(crate) starting: bool,
}

pub(crate) struct Signals {
    state: AtomicU32,
    /// The first reason asked for, boxed: set once and freed with the
    /// process (a later kill shows through `KILLED` instead of replacing
    /// it), so a reader may follow it for as long as it holds `self`.
    reason: AtomicPtr<Term>,
    /// The process's task: woken so it sees a request. Set by the owner
    /// when it runs (a tokio task's waker stays the same for the task's
    /// life, so a process task sets it once; a scope may be polled by
    /// another task and sets it again), published by `WAKER`. Others read
    /// it under `WAKER_LOCK`. (A `Mutex<Option<Waker>>` would take 8 bytes
    /// more.)
    waker: UnsafeCell<MaybeUninit<Waker>>,
}

// SAFETY: `waker` is written only by the owner under `WAKER_LOCK`, and read
// by others only under `WAKER_LOCK` after `WAKER` is seen; the owner, the
// only writer, may also read it without the lock. `Waker` is `Send + Sync`.
unsafe impl Sync for Signals {}
unsafe impl Send for Signals {}

impl Signals {
    pub(crate) fn new(birth: Birth) -> Signals {
        let mut state = 0;
        for (on, bit) in [
            (birth.thread, THREAD),
            (birth.trap_exit, TRAP_EXIT),
            (birth.obeys_parent, OBEYS_PARENT),
            (birth.starting, STARTING),
        ] {
            if on {
                state |= bit;
            }
        }
        Signals {
            state: AtomicU32::new(state),
            reason: AtomicPtr::new(std::ptr::null_mut()),
            waker: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    #[inline]
    fn load(&self) -> u32 {
        self.state.load(Ordering::Acquire)
    }

    pub(crate) fn is_thread(&self) -> bool {
        self.load() & THREAD != 0
    }

    pub(crate) fn traps_exit(&self) -> bool {
        self.load() & TRAP_EXIT != 0
    }

    pub(crate) fn obeys_parent(&self) -> bool {
        self.load() & OBEYS_PARENT != 0
    }

    pub(crate) fn set_trap_exit(&self, on: bool) {
        if on {
            self.state.fetch_or(TRAP_EXIT, Ordering::AcqRel);
        } else {
            self.state.fetch_and(!TRAP_EXIT, Ordering::AcqRel);
        }
    }

    fn lock_waker(&self) -> u32 {
        loop {
            let before = self.state.fetch_or(WAKER_LOCK, Ordering::Acquire);
            if before & WAKER_LOCK == 0 {
                return before;
            }
            std::hint::spin_loop();
        }
    }

    fn unlock_waker(&self, set: bool) {
        if set {
            self.state.fetch_or(WAKER, Ordering::Release);
        }
        self.state.fetch_and(!WAKER_LOCK, Ordering::Release);
    }

    /// Registers the task to wake for requests. By the owner only.
    pub(crate) fn register(&self, waker: &Waker) {
        if self.load() & WAKER != 0 {
            // SAFETY: the owner is the only writer, and it is us.
            if unsafe { (*self.waker.get()).assume_init_ref() }.will_wake(waker) {
                return;
            }
        }
        let before = self.lock_waker();
        // SAFETY: under the lock; a set waker is replaced, not leaked.
        unsafe {
            let cell = &mut *self.waker.get();
            if before & WAKER != 0 {
                cell.assume_init_drop();
            }
            cell.write(waker.clone());
        }
        self.unlock_waker(true);
    }

    fn wake(&self) {
        if self.load() & WAKER == 0 {
            return;
        }
        let before = self.lock_waker();
        // SAFETY: under the lock, and set (`WAKER` is never cleared).
        let waker =
            (before & WAKER != 0).then(|| unsafe { (*self.waker.get()).assume_init_ref() }.clone());
        self.unlock_waker(false);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Asks the process to exit with `reason` (`killed` for a kill).
    /// Returns whether it blocks its thread and so needs a wake-up in its
    /// mailbox as well.
    pub(crate) fn request(&self, reason: Term, killed: bool) -> bool {
        let mut bits = EXITING;
        if killed {
            bits |= KILLED;
        } else if reason.is_atom("shutdown") {
            if self.reason.load(Ordering::Acquire).is_null() && self.load() & SHUTDOWN == 0 {
                bits |= SHUTDOWN;
            }
        } else if self.load() & SHUTDOWN == 0 {
            // The first reason wins.
            let boxed = Box::into_raw(Box::new(reason));
            if self
                .reason
                .compare_exchange(
                    std::ptr::null_mut(),
                    boxed,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_err()
            {
                // SAFETY: ours, never published.
                drop(unsafe { Box::from_raw(boxed) });
            }
        }
        let before = self.state.fetch_or(bits, Ordering::SeqCst);
        self.wake();
        before & BLOCKED != 0
    }

    /// Link exits were queued for the process: wake it to act on them.
    /// Returns whether it blocks its thread (and needs a wake-up in its
    /// mailbox).
    pub(crate) fn link_exits_queued(&self) -> bool {
        let before = self.state.fetch_or(LINK_EXITS, Ordering::SeqCst);
        self.wake();
        before & BLOCKED != 0
    }

    /// Whether link exits wait; clears the mark (the caller acts on them).
    #[inline]
    pub(crate) fn take_link_exits(&self) -> bool {
        self.load() & LINK_EXITS != 0
            && self.state.fetch_and(!LINK_EXITS, Ordering::AcqRel) & LINK_EXITS != 0
    }

    /// Whether a request asks the process to stop now, in its phase.
    #[inline]
    pub(crate) fn interrupts(&self) -> bool {
        interrupts(self.load())
    }

    /// The reason to stop with now, if a request asks it to in its phase.
    #[inline]
    pub(crate) fn pending(&self) -> Option<Term> {
        let state = self.load();
        if interrupts(state) {
            Some(self.reason_of(state))
        } else {
            None
        }
    }

    /// The requested reason, in any phase (for a thread's process, and for
    /// a body that ends while a request waits for the phase to change).
    pub(crate) fn requested(&self) -> Option<Term> {
        let state = self.load();
        (state & EXITING != 0).then(|| self.reason_of(state))
    }

    #[cold]
    #[inline(never)]
    fn reason_of(&self, state: u32) -> Term {
        if state & KILLED != 0 {
            return super::reasons::killed();
        }
        if state & SHUTDOWN != 0 {
            return Term::atom("shutdown");
        }
        let reason = self.reason.load(Ordering::Acquire);
        if reason.is_null() {
            return super::reasons::killed();
        }
        // SAFETY: set once, freed only by `drop`, which cannot run while
        // `self` is borrowed.
        unsafe { Term::clone(&*reason) }
    }

    pub(crate) fn set_phase(&self, phase: Phase) {
        match phase {
            Phase::Running => self
                .state
                .fetch_and(!(STARTING | STOPPING), Ordering::AcqRel),
            Phase::Stopping => self.state.fetch_or(STOPPING, Ordering::AcqRel),
        };
    }

    /// The process is about to block its thread: from now on a request
    /// puts a wake-up in its mailbox. Returns whether a request already
    /// asks it to stop, or link exits wait, in which case it must not
    /// block before it looked at them.
    pub(crate) fn block(&self) -> bool {
        let before = self.state.fetch_or(BLOCKED, Ordering::SeqCst);
        interrupts(before) || before & LINK_EXITS != 0
    }

    pub(crate) fn unblock(&self) {
        self.state.fetch_and(!BLOCKED, Ordering::AcqRel);
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        if self.load() & WAKER != 0 {
            // SAFETY: set once, and nobody else holds `self` now.
            unsafe { self.waker.get_mut().assume_init_drop() };
        }
        #[cfg(not(actor_loom))]
        let reason = *self.reason.get_mut();
        #[cfg(actor_loom)]
        let reason = unsafe { self.reason.unsync_load() };
        if !reason.is_null() {
            // SAFETY: boxed by `request`, and nobody else holds it now.
            drop(unsafe { Box::from_raw(reason) });
        }
    }
}

#[inline]
fn interrupts(state: u32) -> bool {
    state & EXITING != 0 && (state & KILLED != 0 || state & (STARTING | STOPPING) == 0)
}

#[cfg(all(test, not(actor_loom)))]
mod tests {
    use super::*;
    use crate::process::reasons;

    #[test]
    fn the_first_reason_wins_and_a_kill_overrides_it() {
        let s = Signals::new(Birth::default());
        assert_eq!(s.pending(), None);
        s.request(Term::from("first"), false);
        s.request(Term::from("second"), false);
        assert_eq!(s.pending(), Some(Term::from("first")));
        s.request(reasons::killed(), true);
        assert_eq!(s.pending(), Some(reasons::killed()));
    }

    #[test]
    fn start_and_stop_are_interrupted_by_a_kill_only() {
        let s = Signals::new(Birth {
            starting: true,
            ..Birth::default()
        });
        s.request(Term::from("shutdown"), false);
        assert_eq!(s.pending(), None, "start runs to its end");
        assert_eq!(s.requested(), Some(Term::from("shutdown")));
        s.set_phase(Phase::Running);
        assert_eq!(s.pending(), Some(Term::from("shutdown")));
        s.set_phase(Phase::Stopping);
        assert!(!s.interrupts());
        s.request(reasons::killed(), true);
        assert!(s.interrupts());
    }

    #[test]
    fn a_blocked_process_is_told_to_wake() {
        let s = Signals::new(Birth::default());
        assert!(!s.request(Term::from("x"), false), "not blocked");
        assert!(s.block(), "a pending request forbids blocking");
        let s = Signals::new(Birth::default());
        assert!(!s.block());
        assert!(s.request(Term::from("x"), false), "blocked: wake it");
        s.unblock();
    }

    #[test]
    fn birth_flags() {
        let s = Signals::new(Birth {
            thread: true,
            trap_exit: true,
            obeys_parent: true,
            ..Birth::default()
        });
        assert!(s.is_thread() && s.traps_exit() && s.obeys_parent());
        s.set_trap_exit(false);
        assert!(!s.traps_exit());
    }
}

#[cfg(all(test, actor_loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::AtomicBool;
    use loom::sync::Arc;

    /// A request racing a thread that is about to block: either the
    /// request sees the block flag (and would push a wake-up), or the block
    /// sees the request (and does not block). Never neither.
    #[test]
    fn a_block_never_misses_a_request() {
        loom::model(|| {
            let s = Arc::new(Signals::new(Birth::default()));
            let woken = Arc::new(AtomicBool::new(false));
            let signaller = {
                let (s, woken) = (s.clone(), woken.clone());
                loom::thread::spawn(move || {
                    if s.request(Term::Nil, true) {
                        woken.store(true, Ordering::Release);
                    }
                })
            };
            let saw_request = s.block();
            signaller.join().unwrap();
            assert!(saw_request || woken.load(Ordering::Acquire));
        });
    }
}
