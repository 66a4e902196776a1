//! A process's relations: its links, the monitors on it, the monitors it
//! holds, its registered name.
//!
//! Kept in hash sets and maps, so adding, removing and notifying cost the
//! same with one relation or a million, and made on first use (most
//! processes have none). The lock is also where signals are decided: a
//! link exit acts only if it removes the link on the receiving side, and a
//! `Down` is delivered only if it removes the monitor from the watcher's
//! side, both under this lock, so `unlink` and `demonitor` linearize with
//! them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::pid::{IdHash, Pid, Ref};
use crate::timer::TimerId;

#[derive(Default)]
pub(crate) struct Relations(Mutex<State>);

#[derive(Default)]
struct State {
    /// The process exited: nothing can be added any more.
    closed: bool,
    rel: Option<Box<Rel>>,
}

/// The relations of a process, as its exit hands them over.
#[derive(Default)]
pub(crate) struct Rel {
    pub(crate) links: HashSet<Pid, IdHash>,
    /// Monitors on this process: monitor ref → watcher.
    pub(crate) watchers: HashMap<Ref, Pid, IdHash>,
    /// Monitors this process holds: monitor ref → target.
    pub(crate) monitoring: HashMap<Ref, Pid, IdHash>,
    pub(crate) name: Option<Arc<str>>,
    /// Link exits that arrived and wait for the process to act on them
    /// (`from`, reason), in arrival order.
    pending: Vec<(Pid, crate::term::Term)>,
    /// Timers to cancel when the process exits: those that send to it, and
    /// the intervals it made; with the other process the timer is
    /// registered with (`Pid::NOBODY` if none).
    pub(crate) timers: HashMap<TimerId, Pid, IdHash>,
}

impl State {
    fn rel(&mut self) -> &mut Rel {
        self.rel.get_or_insert_with(Box::default)
    }
}

/// What adding a relation found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Added {
    /// Added now.
    New,
    /// It was there already.
    Existed,
    /// The process has exited.
    Closed,
}

impl Relations {
    fn lock(&self) -> MutexGuard<'_, State> {
        super::lock(&self.0)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    pub(crate) fn add_link(&self, pid: Pid) -> Added {
        let mut st = self.lock();
        if st.closed {
            Added::Closed
        } else if st.rel().links.insert(pid) {
            Added::New
        } else {
            Added::Existed
        }
    }

    pub(crate) fn remove_link(&self, pid: Pid) -> bool {
        let mut st = self.lock();
        st.rel.as_mut().is_some_and(|r| r.links.remove(&pid))
    }

    /// Queues a link exit from `pid` for the process to act on when it
    /// next runs; `false` when there is no such link (or it exited).
    pub(crate) fn queue_link_exit(&self, pid: Pid, reason: crate::term::Term) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        match st.rel.as_mut() {
            Some(r) if r.links.contains(&pid) => {
                r.pending.push((pid, reason));
                true
            }
            _ => false,
        }
    }

    /// Acts on the queued link exits, in order: each acts only if its link
    /// is still there (it is removed then), under the lock, as
    /// [`unlink_then`](Relations::unlink_then) does.
    pub(crate) fn act_on_link_exits(&self, mut act: impl FnMut(Pid, crate::term::Term)) {
        let mut st = self.lock();
        let Some(r) = st.rel.as_mut() else { return };
        for (pid, reason) in std::mem::take(&mut r.pending) {
            if r.links.remove(&pid) {
                act(pid, reason);
            }
        }
    }

    /// Removes the link to `pid` and, if there was one, runs `act` before
    /// anything else can change the links: how a link exit is received.
    pub(crate) fn unlink_then<R>(&self, pid: Pid, act: impl FnOnce() -> R) -> Option<R> {
        let mut st = self.lock();
        if st.rel.as_mut().is_some_and(|r| r.links.remove(&pid)) {
            Some(act())
        } else {
            None
        }
    }

    pub(crate) fn add_watcher(&self, reference: Ref, watcher: Pid) -> Added {
        let mut st = self.lock();
        if st.closed {
            return Added::Closed;
        }
        st.rel().watchers.insert(reference, watcher);
        Added::New
    }

    pub(crate) fn remove_watcher(&self, reference: Ref) {
        let mut st = self.lock();
        if let Some(r) = st.rel.as_mut() {
            r.watchers.remove(&reference);
        }
    }

    pub(crate) fn add_monitoring(&self, reference: Ref, target: Pid) {
        let mut st = self.lock();
        if !st.closed {
            st.rel().monitoring.insert(reference, target);
        }
    }

    pub(crate) fn remove_monitoring(&self, reference: Ref) -> Option<Pid> {
        let mut st = self.lock();
        st.rel.as_mut()?.monitoring.remove(&reference)
    }

    /// Removes the monitor `reference` this process holds and, if it held
    /// it, runs `act` under the lock: how a `Down` is received.
    pub(crate) fn demonitor_then<R>(&self, reference: Ref, act: impl FnOnce() -> R) -> Option<R> {
        let mut st = self.lock();
        st.rel
            .as_mut()?
            .monitoring
            .remove(&reference)
            .map(|_| act())
    }

    /// Registers a timer to cancel when the process exits; `false` when it
    /// has exited.
    pub(crate) fn add_timer(&self, id: TimerId, other: Pid) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        st.rel().timers.insert(id, other);
        true
    }

    /// Forgets a timer that ran or was cancelled.
    pub(crate) fn remove_timer(&self, id: TimerId) {
        if let Some(r) = self.lock().rel.as_mut() {
            r.timers.remove(&id);
        }
    }

    /// Runs `f` on the name slot, with whether the process has exited.
    pub(crate) fn with_name<R>(&self, f: impl FnOnce(bool, &mut Option<Arc<str>>) -> R) -> R {
        let mut st = self.lock();
        let closed = st.closed;
        if st.rel.is_none() && closed {
            return f(true, &mut None);
        }
        f(closed, &mut st.rel().name)
    }

    /// Links, monitors held (ref, target), monitors on it (ref, watcher)
    /// and name, for `process_info`.
    #[allow(clippy::type_complexity)]
    pub(crate) fn snapshot(
        &self,
    ) -> (Vec<Pid>, Vec<(Ref, Pid)>, Vec<(Ref, Pid)>, Option<Arc<str>>) {
        let st = self.lock();
        match st.rel.as_deref() {
            Some(r) => (
                r.links.iter().copied().collect(),
                r.monitoring.iter().map(|(r, p)| (*r, *p)).collect(),
                r.watchers.iter().map(|(r, p)| (*r, *p)).collect(),
                r.name.clone(),
            ),
            None => Default::default(),
        }
    }

    /// Marks the process exited and hands over its relations to notify.
    pub(crate) fn close(&self) -> Option<Option<Box<Rel>>> {
        let mut st = self.lock();
        if st.closed {
            return None;
        }
        st.closed = true;
        Some(st.rel.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_monitors_are_sets_and_close_hands_them_over() {
        let r = Relations::default();
        let (a, b) = (Pid::from_parts(1, 1), Pid::from_parts(1, 2));
        assert_eq!(r.add_link(a), Added::New);
        assert_eq!(r.add_link(a), Added::Existed);
        assert_eq!(r.add_link(b), Added::New);
        assert!(r.remove_link(b));
        assert!(!r.remove_link(b));
        let m = Ref::new();
        r.add_monitoring(m, b);
        assert_eq!(r.add_watcher(Ref::new(), b), Added::New);
        assert_eq!(r.demonitor_then(m, || 7), Some(7));
        assert_eq!(r.demonitor_then(m, || 7), None);
        assert_eq!(r.unlink_then(a, || "acted"), Some("acted"));
        assert_eq!(r.unlink_then(a, || "acted"), None);
        let rel = r.close().expect("first close").expect("has relations");
        assert_eq!(rel.watchers.len(), 1);
        assert!(r.close().is_none(), "closes once");
        assert_eq!(r.add_link(a), Added::Closed);
        assert_eq!(r.add_watcher(Ref::new(), a), Added::Closed);
    }

    #[test]
    fn a_million_links_cost_linear_time() {
        let r = Relations::default();
        for i in 0..1_000_000u64 {
            r.add_link(Pid::from_parts(7, i));
        }
        for i in 0..1_000_000u64 {
            assert!(r.remove_link(Pid::from_parts(7, i)));
        }
    }
}
