//! The handshake between a mailbox's senders and its one receiving task.
//!
//! The receiver registers its waker, sets `parked`, and looks at the
//! mailbox once more; a sender pushes, then wakes the receiver if it finds
//! `parked` set. A SeqCst fence on each side makes the two orders
//! exclusive: either the sender sees `parked`, or the receiver's last look
//! sees the message. Lose either fence and a wake-up can be lost, leaving a
//! process asleep on a non-empty mailbox; the loom model below checks every
//! interleaving (`RUSTFLAGS="--cfg actor_loom" cargo test -p actor-core --release
//! --lib loom`).

#[cfg(not(actor_loom))]
use atomic_waker::AtomicWaker;
#[cfg(actor_loom)]
use loom::future::AtomicWaker;
#[cfg(actor_loom)]
use loom::sync::atomic::{fence, AtomicBool, Ordering};
#[cfg(not(actor_loom))]
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::task::Waker;

pub(crate) struct Parker {
    parked: AtomicBool,
    waker: AtomicWaker,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            parked: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }

    /// After a push: wakes the receiver if it parked.
    #[inline]
    pub(crate) fn notify(&self) {
        fence(Ordering::SeqCst);
        if self.parked.load(Ordering::Relaxed) && self.parked.swap(false, Ordering::AcqRel) {
            self.waker.wake();
        }
    }

    /// Before the receiver's last look at the mailbox: parks with `waker`.
    #[inline]
    pub(crate) fn park(&self, waker: &Waker) {
        #[cfg(not(actor_loom))]
        self.waker.register(waker);
        #[cfg(actor_loom)]
        self.waker.register_by_ref(waker);
        self.parked.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    /// The last look found mail: the receiver runs on without a wake-up.
    #[inline]
    pub(crate) fn unpark(&self) {
        self.parked.store(false, Ordering::Relaxed);
    }

    /// Wakes the receiver whatever its state (a call's reply was set aside
    /// for it by another wait of the same task).
    pub(crate) fn wake(&self) {
        self.waker.wake();
    }

    /// A copy of the waker the receiver parked with, left registered. For
    /// the receiving task only, while it runs: a notify that falls between
    /// the take and the re-register finds no waker, and the caller looks at
    /// the mailbox itself before it parks again.
    pub(crate) fn waker(&self) -> Option<Waker> {
        #[cfg(not(actor_loom))]
        let w = self.waker.take();
        #[cfg(actor_loom)]
        let w = self.waker.take_waker();
        if let Some(w) = &w {
            #[cfg(not(actor_loom))]
            self.waker.register(w);
            #[cfg(actor_loom)]
            self.waker.register_by_ref(w);
        }
        w
    }
}

#[cfg(all(test, actor_loom))]
mod loom_tests {
    use super::Parker;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::sync::Arc;
    use std::future::poll_fn;
    use std::task::Poll;

    /// A mailbox reduced to a count of queued messages, with the real
    /// `Parker`: a sender pushes one message (and wakes) while the receiver
    /// takes it with the receive loop's park-then-look. Every interleaving
    /// must end with the message received: a lost wake-up leaves `block_on`
    /// waiting with no one left to wake it, which loom reports as a
    /// deadlock. (One sender is the whole race: a push against a park.)
    #[test]
    fn no_wake_up_is_lost() {
        loom::model(|| {
            let queued = Arc::new(AtomicUsize::new(0));
            let parker = Arc::new(Parker::new());
            let sender = {
                let (queued, parker) = (queued.clone(), parker.clone());
                loom::thread::spawn(move || {
                    queued.fetch_add(1, Ordering::Relaxed);
                    parker.notify();
                })
            };
            let take = || {
                // A relaxed take, like the channel's lock-free empty check
                // would be: the fences must do the ordering.
                queued.load(Ordering::Relaxed) == 1
            };
            loom::future::block_on(poll_fn(|cx| {
                if take() {
                    return Poll::Ready(());
                }
                parker.park(cx.waker());
                if take() {
                    parker.unpark();
                    return Poll::Ready(());
                }
                Poll::Pending
            }));
            sender.join().unwrap();
        });
    }
}
