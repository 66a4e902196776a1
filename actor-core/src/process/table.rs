//! The table of live local processes: a pid's slot key to its process,
//! read without locks.
//!
//! A slab of slots in pages that are allocated as the table grows and never
//! freed (a page `p` holds `BASE << p` slots, so 27 pages hold more slots
//! than a key can name). A slot's state word packs a generation, a
//! "present" bit and a count of readers:
//!
//! ```text
//! bits 32..62  generation (30 bits)
//! bit  31      present
//! bits  0..31  readers
//! ```
//!
//! A key is `generation << 32 | index`. A reader adds itself to the count
//! with a compare-and-swap that also checks the generation and the present
//! bit, so it can never hold a slot that was emptied or reused; removal
//! clears "present" first (no new readers), waits for the readers already
//! inside to leave (they only push a message), then takes the value and
//! bumps the generation. Nothing limits the number of threads, unlike a
//! per-thread sharded slab.

#[cfg(actor_loom)]
use loom::cell::{ConstPtr, UnsafeCell};
#[cfg(actor_loom)]
use loom::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
#[cfg(not(actor_loom))]
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

#[cfg(not(actor_loom))]
use self::cell::UnsafeCell;

/// std's `UnsafeCell` with loom's pointer API, so the code below is the
/// same in both builds (loom's `ConstPtr` tracks a read for as long as it
/// lives).
#[cfg(not(actor_loom))]
mod cell {
    pub(super) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(super) fn new(v: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(v))
        }

        pub(super) fn get(&self) -> ConstPtr<T> {
            ConstPtr(self.0.get())
        }

        pub(super) fn get_mut(&self) -> MutPtr<T> {
            MutPtr(self.0.get())
        }
    }

    pub(super) struct ConstPtr<T>(*const T);

    impl<T> ConstPtr<T> {
        /// The pointee, for as long as the caller knows it stays.
        pub(super) unsafe fn deref_unbound<'a>(self) -> &'a T {
            // SAFETY: the caller's.
            unsafe { &*self.0 }
        }
    }

    pub(super) struct MutPtr<T>(*mut T);

    impl<T> MutPtr<T> {
        #[allow(clippy::mut_from_ref)]
        pub(super) unsafe fn deref(&self) -> &mut T {
            // SAFETY: the caller's.
            unsafe { &mut *self.0 }
        }
    }
}

use std::sync::Mutex;

/// Slots in the first page; page `p` has `BASE << p`.
const BASE: usize = 32;
/// Enough pages for every index below 2^32.
const PAGES: usize = 28;

const PRESENT: u64 = 1 << 31;
const READERS: u64 = PRESENT - 1;
const GEN_SHIFT: u32 = 32;
/// Generations wrap at 2^30, so that a key fits in 62 bits (call
/// references carry their caller's key; see `calls`).
const GEN_MASK: u64 = (1 << 30) - 1;

/// Keys fit in 62 bits.
#[cfg(all(test, not(actor_loom)))]
const KEY_BITS: u32 = 62;

struct Slot<T> {
    state: AtomicU64,
    value: UnsafeCell<Option<T>>,
}

// The value is written only by the inserter before "present" is published
// and taken only by the remover after every reader left; readers share it.
unsafe impl<T: Send + Sync> Sync for Slot<T> {}
unsafe impl<T: Send> Send for Slot<T> {}

pub(crate) struct Table<T> {
    pages: [AtomicPtr<Slot<T>>; PAGES],
    /// Indices of empty slots, reused last-freed first (warm in cache).
    free: Mutex<Vec<u32>>,
    /// How many indices `free` holds: a table that is only growing takes
    /// fresh indices without its lock.
    freed: AtomicU64,
    /// The next never-used index.
    next: AtomicU64,
}

/// A reader's hold on a slot: the value stays in place until it is dropped.
pub(crate) struct Guard<'a, T> {
    slot: &'a Slot<T>,
    /// loom checks the read for as long as the guard lives.
    #[cfg(actor_loom)]
    read: ConstPtr<Option<T>>,
}

impl<T> std::ops::Deref for Guard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: a guard exists only while the slot counts this reader,
        // and the value is neither written nor taken while any reader is
        // counted (see `remove`).
        #[cfg(not(actor_loom))]
        let value = unsafe { self.slot.value.get().deref_unbound() };
        #[cfg(actor_loom)]
        let value = unsafe { self.read.deref() };
        value.as_ref().expect("a counted slot holds a value")
    }
}

impl<T> Drop for Guard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.slot.state.fetch_sub(1, Ordering::Release);
    }
}

/// The page and the offset in it of slot `index`.
#[inline]
fn locate(index: usize) -> (usize, usize) {
    let x = index + BASE;
    let page = (usize::BITS - 1 - x.leading_zeros()) as usize - BASE.trailing_zeros() as usize;
    (page, x - (BASE << page))
}

#[inline]
fn generation(state: u64) -> u64 {
    state >> GEN_SHIFT
}

impl<T> Table<T> {
    #[cfg(not(actor_loom))]
    pub(crate) const fn new() -> Table<T> {
        Table {
            pages: [const { AtomicPtr::new(std::ptr::null_mut()) }; PAGES],
            free: Mutex::new(Vec::new()),
            freed: AtomicU64::new(0),
            next: AtomicU64::new(0),
        }
    }

    #[cfg(actor_loom)]
    pub(crate) fn new() -> Table<T> {
        Table {
            pages: std::array::from_fn(|_| AtomicPtr::new(std::ptr::null_mut())),
            free: Mutex::new(Vec::new()),
            freed: AtomicU64::new(0),
            next: AtomicU64::new(0),
        }
    }

    #[inline]
    fn slot(&self, index: usize) -> Option<&Slot<T>> {
        let (page, offset) = locate(index);
        let base = self.pages.get(page)?.load(Ordering::Acquire);
        if base.is_null() {
            return None;
        }
        // SAFETY: pages are never freed while the table lives, and `offset`
        // is below the page's length by `locate`.
        Some(unsafe { &*base.add(offset) })
    }

    /// The page holding `index`, allocated if it is not yet.
    fn slot_or_grow(&self, index: usize) -> &Slot<T> {
        let (page, offset) = locate(index);
        let cell = &self.pages[page];
        let mut base = cell.load(Ordering::Acquire);
        if base.is_null() {
            let len = BASE << page;
            let fresh: Box<[Slot<T>]> = (0..len)
                .map(|_| Slot {
                    state: AtomicU64::new(0),
                    value: UnsafeCell::new(None),
                })
                .collect();
            let fresh = Box::into_raw(fresh) as *mut Slot<T>;
            match cell.compare_exchange(
                std::ptr::null_mut(),
                fresh,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => base = fresh,
                Err(other) => {
                    // SAFETY: ours, never published.
                    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(fresh, len)) });
                    base = other;
                }
            }
        }
        // SAFETY: as in `slot`.
        unsafe { &*base.add(offset) }
    }

    /// Puts `value` in an empty slot; returns its key.
    #[cfg(test)]
    pub(crate) fn insert(&self, value: T) -> u64 {
        self.insert_with(|key| (value, key))
    }

    /// Puts the value `make` builds from its key in an empty slot; returns
    /// what `make` returns beside the value.
    pub(crate) fn insert_with<R>(&self, make: impl FnOnce(u64) -> (T, R)) -> R {
        let reused = if self.freed.load(Ordering::Acquire) > 0 {
            let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
            let i = free.pop();
            self.freed.store(free.len() as u64, Ordering::Release);
            i
        } else {
            None
        };
        let index = match reused {
            Some(i) => i,
            None => {
                let i = self.next.fetch_add(1, Ordering::Relaxed);
                u32::try_from(i).expect("the process table is full (2^32 live processes)")
            }
        };
        let slot = self.slot_or_grow(index as usize);
        let state = slot.state.load(Ordering::Acquire);
        debug_assert_eq!(state & (PRESENT | READERS), 0, "a free slot is empty");
        let gen = generation(state);
        let key = (gen << GEN_SHIFT) | index as u64;
        let (value, out) = make(key);
        // SAFETY: the slot is not present, so no reader can hold it, and
        // the free list gave its index to this inserter alone.
        unsafe { *slot.value.get_mut().deref() = Some(value) };
        slot.state
            .store((gen << GEN_SHIFT) | PRESENT, Ordering::Release);
        out
    }

    /// A hold on the value under `key`, if it is still there.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<Guard<'_, T>> {
        let slot = self.slot((key & u32::MAX as u64) as usize)?;
        let want = key >> GEN_SHIFT;
        let mut state = slot.state.load(Ordering::Acquire);
        loop {
            if generation(state) != want || state & PRESENT == 0 {
                return None;
            }
            match slot.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    return Some(Guard {
                        slot,
                        #[cfg(actor_loom)]
                        read: slot.value.get(),
                    })
                }
                Err(now) => state = now,
            }
        }
    }

    /// Takes the value under `key` out of the table: after this returns no
    /// reader holds it and no `get` finds it. `None` if it was not there.
    pub(crate) fn remove(&self, key: u64) -> Option<T> {
        let index = (key & u32::MAX as u64) as usize;
        let slot = self.slot(index)?;
        let want = key >> GEN_SHIFT;
        let mut state = slot.state.load(Ordering::Acquire);
        loop {
            if generation(state) != want || state & PRESENT == 0 {
                return None;
            }
            match slot.state.compare_exchange_weak(
                state,
                state & !PRESENT,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        // Readers that got in before still push their message; wait them out.
        let mut spins = 0u32;
        while slot.state.load(Ordering::Acquire) & READERS != 0 {
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                #[cfg(not(actor_loom))]
                std::thread::yield_now();
                #[cfg(actor_loom)]
                loom::thread::yield_now();
            }
        }
        // SAFETY: not present and no readers: nobody else can reach it.
        let value = unsafe { slot.value.get_mut().deref() }.take();
        let next = (want + 1) & GEN_MASK;
        slot.state.store(next << GEN_SHIFT, Ordering::Release);
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        free.push(index as u32);
        self.freed.store(free.len() as u64, Ordering::Release);
        drop(free);
        value
    }
}

impl<T> Table<T> {
    /// The keys of every value in the table now (values may come and go
    /// while it looks: a snapshot, not a lock).
    pub(crate) fn keys(&self) -> Vec<u64> {
        let mut keys = Vec::new();
        for (page, cell) in self.pages.iter().enumerate() {
            let base = cell.load(Ordering::Acquire);
            if base.is_null() {
                break;
            }
            for offset in 0..(BASE << page) {
                // SAFETY: as in `slot`.
                let slot = unsafe { &*base.add(offset) };
                let state = slot.state.load(Ordering::Acquire);
                if state & PRESENT != 0 {
                    let index = (BASE << page) - BASE + offset;
                    keys.push((generation(state) << GEN_SHIFT) | index as u64);
                }
            }
        }
        keys
    }
}

impl<T> Drop for Table<T> {
    fn drop(&mut self) {
        for (page, cell) in self.pages.iter_mut().enumerate() {
            let base = cell.load(Ordering::Acquire);
            if !base.is_null() {
                // SAFETY: allocated in `slot_or_grow` with this length; the
                // table is going away, so nobody holds a slot.
                drop(unsafe {
                    Box::from_raw(std::ptr::slice_from_raw_parts_mut(base, BASE << page))
                });
            }
        }
    }
}

#[cfg(all(test, not(actor_loom)))]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_indices_without_gaps() {
        let mut expect = (0, 0);
        for index in 0..100_000usize {
            let got = locate(index);
            assert_eq!(got, expect, "index {index}");
            expect.1 += 1;
            if expect.1 == BASE << expect.0 {
                expect = (expect.0 + 1, 0);
            }
        }
        assert!(locate(u32::MAX as usize).0 < PAGES);
    }

    #[test]
    fn keys_lists_what_is_present() {
        let t: Table<u32> = Table::new();
        let ks: Vec<u64> = (0..100).map(|i| t.insert(i)).collect();
        for k in &ks[..50] {
            t.remove(*k);
        }
        let mut got = t.keys();
        got.sort();
        assert_eq!(got, ks[50..]);
    }

    #[test]
    fn a_removed_key_is_gone_and_its_slot_comes_back_under_a_new_key() {
        let t: Table<u32> = Table::new();
        let a = t.insert(1);
        assert_eq!(*t.get(a).unwrap(), 1);
        assert_eq!(t.remove(a), Some(1));
        assert!(t.get(a).is_none());
        assert_eq!(t.remove(a), None);
        let b = t.insert(2);
        assert_eq!(
            a & u32::MAX as u64,
            b & u32::MAX as u64,
            "the slot is reused"
        );
        assert_ne!(a, b);
        assert!(t.get(a).is_none());
        assert_eq!(*t.get(b).unwrap(), 2);
        assert!(b < 1 << KEY_BITS);
    }

    #[test]
    fn a_reused_slot_gets_a_fresh_key_for_a_long_time() {
        let t: Table<()> = Table::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100_000 {
            let key = t.insert(());
            assert!(seen.insert(key), "key {key:#x} came back");
            t.remove(key);
        }
    }

    #[test]
    fn many_threads_insert_look_up_and_remove() {
        let t: std::sync::Arc<Table<u64>> = std::sync::Arc::new(Table::new());
        let handles: Vec<_> = (0..8u64)
            .map(|n| {
                let t = t.clone();
                std::thread::spawn(move || {
                    for i in 0..20_000u64 {
                        let v = n << 32 | i;
                        let k = t.insert(v);
                        assert_eq!(*t.get(k).unwrap(), v);
                        assert_eq!(t.remove(k), Some(v));
                        assert!(t.get(k).is_none());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }

    #[test]
    fn remove_waits_for_readers() {
        let t: std::sync::Arc<Table<String>> = std::sync::Arc::new(Table::new());
        let k = t.insert("here".to_owned());
        let guard = t.get(k).unwrap();
        let remover = {
            let t = t.clone();
            std::thread::spawn(move || t.remove(k))
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!remover.is_finished(), "remove must wait for the reader");
        assert_eq!(&*guard, "here");
        drop(guard);
        assert_eq!(remover.join().unwrap().as_deref(), Some("here"));
    }
}

#[cfg(all(test, actor_loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;

    /// A reader racing a remover and a re-insert: the reader either sees
    /// the old value whole (and the remover waits for it) or nothing; it
    /// never sees the new value under the old key. loom checks every
    /// interleaving and every access to the slot's cell.
    #[test]
    fn lookup_races_removal_and_reuse() {
        loom::model(|| {
            let t: Arc<Table<u32>> = Arc::new(Table::new());
            let old = t.insert(1);
            let reader = {
                let t = t.clone();
                loom::thread::spawn(move || t.get(old).map(|g| *g))
            };
            assert_eq!(t.remove(old), Some(1));
            let new = t.insert(2);
            assert_ne!(new, old);
            let seen = reader.join().unwrap();
            assert!(seen.is_none() || seen == Some(1), "{seen:?}");
            assert_eq!(t.get(new).map(|g| *g), Some(2));
        });
    }
}
