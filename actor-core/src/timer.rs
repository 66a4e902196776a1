//! One timer for the whole runtime: a thread that sleeps until the
//! earliest deadline in a heap of entries and runs what is due.
//!
//! An entry is a slot in a slab (its id is the slot's index and
//! generation, so a cancel is a lookup, not a search) plus a heap item.
//! A cancel frees the slot at once; its heap item is skipped when it comes
//! up, and the heap is rebuilt without the dead items when they outnumber
//! the live ones, so a storm of cancelled timers costs no lasting memory.
//!
//! The actions run on the timer thread and must be short: they wake a
//! process or put a message in a mailbox.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};
use std::time::Instant;

/// What an entry does when it is due (each time, for a repeating one).
pub(crate) type Action = Box<dyn FnMut() + Send>;

/// Names a pending entry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct TimerId {
    index: u32,
    gen: u32,
}

struct Entry {
    gen: u32,
    action: Option<Action>,
    /// For a repeating entry, the time between runs.
    period: Option<std::time::Duration>,
}

#[derive(Default)]
struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u32, u32)>>,
    entries: Vec<Entry>,
    free: Vec<u32>,
    live: usize,
    thread_started: bool,
}

struct Shared {
    timers: Mutex<Timers>,
    wake: Condvar,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| Shared {
    timers: Mutex::new(Timers::default()),
    wake: Condvar::new(),
});

fn timers() -> MutexGuard<'static, Timers> {
    SHARED.timers.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `action` at `deadline` (at once if it has passed).
pub(crate) fn start(deadline: Instant, action: impl FnOnce() + Send + 'static) -> TimerId {
    start_with(deadline, None, |_| {
        let mut action = Some(action);
        Box::new(move || {
            if let Some(f) = action.take() {
                f()
            }
        })
    })
}

/// Runs the action `make` builds from its entry's id at `deadline`, and
/// every `period` after it if there is one, until cancelled.
pub(crate) fn start_with(
    deadline: Instant,
    period: Option<std::time::Duration>,
    make: impl FnOnce(TimerId) -> Action,
) -> TimerId {
    let period = period.map(|p| p.max(std::time::Duration::from_micros(1)));
    insert(deadline, period, make)
}

/// Runs `action` every `period`, the first time at `first`, until
/// cancelled. Runs keep to the schedule (a late run does not shift the
/// next); runs a late timer missed are skipped, not bunched.
#[cfg(test)]
fn start_repeating(first: Instant, period: std::time::Duration, action: Action) -> TimerId {
    start_with(first, Some(period), |_| action)
}

fn insert(
    deadline: Instant,
    period: Option<std::time::Duration>,
    make: impl FnOnce(TimerId) -> Action,
) -> TimerId {
    let mut t = timers();
    if !t.thread_started {
        t.thread_started = true;
        std::thread::Builder::new()
            .name("actor-timer".into())
            .spawn(run)
            .expect("the actor timer thread could not start");
    }
    let index = match t.free.pop() {
        Some(i) => i,
        None => {
            t.entries.push(Entry {
                gen: 0,
                action: None,
                period: None,
            });
            (t.entries.len() - 1) as u32
        }
    };
    let entry = &mut t.entries[index as usize];
    let gen = entry.gen;
    entry.action = Some(make(TimerId { index, gen }));
    entry.period = period;
    let earliest = t
        .heap
        .peek()
        .is_none_or(|Reverse((at, _, _))| deadline < *at);
    t.heap.push(Reverse((deadline, index, gen)));
    t.live += 1;
    drop(t);
    if earliest {
        SHARED.wake.notify_one();
    }
    TimerId { index, gen }
}

/// Cancels a pending entry; `false` if it already ran or was cancelled.
pub(crate) fn cancel(id: TimerId) -> bool {
    let mut t = timers();
    let t = &mut *t;
    let Some(entry) = t.entries.get_mut(id.index as usize) else {
        return false;
    };
    if entry.gen != id.gen {
        return false;
    }
    // A repeating entry that is running has no action in its slot, but is
    // still live: cancelling it frees the slot, and the run does not go
    // back. Dropped outside the lock: an action may own a message.
    let running = entry.action.is_none() && entry.period.is_some();
    if entry.action.is_none() && !running {
        return false;
    }
    let action = entry.action.take();
    entry.period = None;
    free(t, id.index);
    if t.heap.len() > 64 && t.heap.len() > 2 * t.live {
        let entries = &t.entries;
        t.heap
            .retain(|Reverse((_, i, g))| entries[*i as usize].gen == *g);
    }
    drop(action);
    true
}

fn free(t: &mut Timers, index: u32) {
    let entry = &mut t.entries[index as usize];
    entry.gen = entry.gen.wrapping_add(1);
    t.free.push(index);
    t.live -= 1;
}

fn run() {
    // Due entries run outside the lock; a repeating one goes back to its
    // slot afterwards (if it was not cancelled meanwhile).
    let mut due: Vec<(Action, u32, u32, Option<Instant>)> = Vec::new();
    let mut t = timers();
    loop {
        let now = Instant::now();
        while let Some(&Reverse((at, index, gen))) = t.heap.peek() {
            if at > now {
                break;
            }
            t.heap.pop();
            let entry = &mut t.entries[index as usize];
            if entry.gen != gen {
                continue;
            }
            let Some(action) = entry.action.take() else {
                continue;
            };
            match entry.period {
                Some(period) => {
                    let mut next = at + period;
                    if next <= now {
                        // Skip the runs it missed.
                        let behind = now.duration_since(at).as_nanos() / period.as_nanos();
                        next = at + period * (behind as u32 + 1);
                    }
                    due.push((action, index, gen, Some(next)));
                }
                None => {
                    due.push((action, index, gen, None));
                    free(&mut t, index);
                }
            }
        }
        if !due.is_empty() {
            drop(t);
            for (action, _, _, _) in due.iter_mut() {
                action();
            }
            t = timers();
            for (action, index, gen, next) in due.drain(..) {
                let Some(next) = next else { continue };
                let entry = &mut t.entries[index as usize];
                if entry.gen == gen && entry.action.is_none() {
                    entry.action = Some(action);
                    t.heap.push(Reverse((next, index, gen)));
                }
            }
            continue;
        }
        t = match t.heap.peek() {
            Some(&Reverse((at, _, _))) => {
                let wait = at.saturating_duration_since(now);
                SHARED
                    .wake
                    .wait_timeout(t, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => SHARED.wake.wait(t).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn entries_run_in_deadline_order_and_cancelled_ones_never() {
        let (tx, rx) = mpsc::channel();
        let now = Instant::now();
        let mut ids = Vec::new();
        for (ms, tag) in [(30u64, 3), (10, 1), (20, 2), (15, 99)] {
            let tx = tx.clone();
            ids.push(start(now + Duration::from_millis(ms), move || {
                let _ = tx.send(tag);
            }));
        }
        assert!(cancel(ids[3]));
        assert!(!cancel(ids[3]), "a cancel works once");
        let got: Vec<i32> = (0..3)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
            .collect();
        assert_eq!(got, [1, 2, 3]);
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        assert!(!cancel(ids[0]), "it ran");
    }

    #[test]
    fn a_repeating_entry_runs_until_cancelled() {
        let (tx, rx) = mpsc::channel();
        let id = start_repeating(
            Instant::now() + Duration::from_millis(5),
            Duration::from_millis(5),
            Box::new(move || {
                let _ = tx.send(());
            }),
        );
        for _ in 0..3 {
            rx.recv_timeout(Duration::from_secs(5)).unwrap();
        }
        assert!(cancel(id));
        // At most one run was under way.
        let _ = rx.recv_timeout(Duration::from_millis(50));
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        assert!(!cancel(id));
    }

    #[test]
    fn cancelled_entries_leave_no_heap_behind() {
        let far = Instant::now() + Duration::from_secs(3600);
        let ids: Vec<TimerId> = (0..10_000).map(|_| start(far, || {})).collect();
        for id in ids {
            assert!(cancel(id));
        }
        assert!(timers().heap.len() < 1000, "dead items are swept");
    }
}
