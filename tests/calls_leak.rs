//! Calls that time out leak nothing: neither a server that never replies
//! nor one that replies after the timeout leaves memory behind in the
//! caller, nor late replies in its mailbox.
//!
//! A file of its own: it counts the live heap with a global allocator, and
//! runs its tests one at a time so they do not count each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use actor::prelude::*;

mod common;
use common::LONG;

/// The system allocator, counting the bytes live.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to `System` unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as `alloc`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes live on the heap now.
fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// One test at a time: each measures the whole heap.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Far below what a leak of even a few bytes per call adds up to.
const BUDGET: isize = 64 * 1024;

/// A server that drops every message except `std "sync"` calls, which it
/// answers; with `late`, it holds each other call and answers it when told
/// `info "answer"` (after the caller gave up on it).
fn server(late: bool) -> Pid {
    actor::spawn(move |mut inbox: Inbox| async move {
        let mut held = None;
        loop {
            let m = inbox.recv().await;
            if m.data == "sync" {
                actor::reply(&m, "synced");
            } else if m.data == "answer" {
                if let Some(call) = held.take() {
                    actor::reply(&call, "late");
                }
            } else if late && m.reference.is_some() {
                held = Some(m);
            }
        }
    })
    .unwrap()
}

/// Waits until `server` has taken everything sent to it before (and, for
/// late replies, until they have all reached the caller: the answer to
/// `sync` comes after them).
fn sync(server: Pid) {
    let reply = msg!(std("sync") >> server).timeout(LONG).wait();
    assert_eq!(reply.unwrap().data, "synced");
}

/// Floods `server` with `n` messages at once, so its mailbox has grown to
/// any backlog the measured phase can make before measuring starts.
fn widen_mailbox(server: Pid, n: usize) {
    for _ in 0..n {
        msg!(info("flood") > server);
    }
    sync(server);
}

// issue 9, item 12
#[actor::test]
fn calls_that_time_out_on_a_silent_server_leak_nothing() {
    const CALLS: usize = 20_000;
    let _serial = serial();
    let server = server(false);
    let call = || {
        let res = msg!(std("drop me") >> server)
            .timeout(Duration::from_micros(100))
            .wait();
        assert_eq!(res, Err(CallError::Timeout));
    };
    widen_mailbox(server, 2 * CALLS);
    (0..1_000).for_each(|_| call());
    sync(server);
    let before = live();
    (0..CALLS).for_each(|_| call());
    sync(server);
    let grown = live() - before;
    assert!(
        grown < BUDGET,
        "{grown} bytes more live after {CALLS} timed-out calls ({} per call)",
        grown / CALLS as isize
    );
}

// issue 9, item 12
#[actor::test]
fn awaited_calls_that_time_out_on_a_silent_server_leak_nothing() {
    const CALLS: usize = 5_000;
    let _serial = serial();
    let server = server(false);
    widen_mailbox(server, 2 * CALLS);
    let me = actor::pid();
    // Calls a batch each time it is told `go`, and reports how many
    // timed out; then waits to be killed.
    let caller = actor::spawn(move |mut inbox: Inbox| async move {
        for batch in [1_000, CALLS] {
            inbox.recv_match(|m| m.data == "go").await;
            let mut timeouts = 0;
            for _ in 0..batch {
                let res = msg!(std("drop me") >> server)
                    .timeout(Duration::from_millis(1))
                    .await;
                timeouts += usize::from(res == Err(CallError::Timeout));
            }
            msg!(info(timeouts) > me);
        }
        // Alive while measured: its exit would free what it leaked.
        std::future::pending::<()>().await;
    })
    .unwrap();
    let batch = |n: usize, patience: Duration| {
        msg!(info("go") > caller);
        let m = actor::receive_match_timeout(|m| m.from == caller, patience)
            .expect("the calling process did not report");
        assert_eq!(m.data, n);
    };
    // Warm up, then measure.
    // Bounds for liveness only: each call waits out its 1 ms timeout, and
    // a loaded machine stretches that.
    batch(1_000, LONG * 12);
    sync(server);
    let before = live();
    batch(CALLS, LONG * 30);
    sync(server);
    let grown = live() - before;
    actor::kill(caller);
    assert!(
        grown < BUDGET,
        "{grown} bytes more live after {CALLS} timed-out awaited calls ({} per call)",
        grown / CALLS as isize
    );
}

// issue 9, item 12
#[actor::test]
fn late_replies_to_timed_out_calls_leave_nothing_behind() {
    const CALLS: usize = 20_000;
    let _serial = serial();
    let server = server(true);
    let call = || {
        let res = msg!(std("hold me") >> server)
            .timeout(Duration::from_micros(100))
            .wait();
        assert_eq!(res, Err(CallError::Timeout));
        // Answered now, after the caller gave up: the reply arrives
        // while the next call waits, or later.
        msg!(info("answer") > server);
    };
    widen_mailbox(server, 2 * CALLS);
    (0..1_000).for_each(|_| call());
    sync(server);
    let before = live();
    (0..CALLS).for_each(|_| call());
    sync(server);
    let grown = live() - before;
    let left = actor::pop_mailbox();
    assert!(left.is_none(), "a late reply reached the mailbox: {left:?}");
    assert!(
        grown < BUDGET,
        "{grown} bytes more live after {CALLS} calls answered late ({} per call)",
        grown / CALLS as isize
    );
}
