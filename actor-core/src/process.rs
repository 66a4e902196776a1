//! Processes: the table of live processes, their mailboxes, the current
//! process, and what happens when one exits.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::task::{Context, Poll};

use self::parker::Parker;
use atomic_waker::AtomicWaker;
use sharded_slab::Slab;

use crate::message::Message;
use crate::pid::{Pid, Ref};
use crate::term::Term;

mod exit;
mod parker;
mod receive;

pub(crate) use self::exit::{
    deliver_down, link_procs, monitor_from, panic_reason, reasons, send_call_failed, signal_exit,
};
// Hooks for distribution: links, monitors and exits from other nodes.
#[cfg(feature = "dist")]
pub(crate) use self::exit::{
    add_link, add_watcher, deliver_remote_exit, forget_monitor, remove_link, remove_watcher,
};
pub use self::exit::{demonitor, exit, exit_self, kill, link, monitor, unlink};
pub(crate) use self::receive::Reply;

/// What travels through a mailbox.
pub(crate) enum Envelope {
    /// A message for the process.
    Msg(Message),
    /// The process a call of ours was waiting on exited (or was never there).
    CallFailed { reference: Ref, reason: Term },
    /// The process was told to exit: wakes a blocking receive or `.wait()`,
    /// so a thread carries on as a fresh process and a task unwinds out of
    /// the blocking call and ends (a task awaiting is stopped through its
    /// waker instead, and skips this).
    Killed,
}

/// Whether the process runs as a task (and can be stopped by a signal) or is
/// a plain thread (which always traps exits).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flavor {
    Task,
    Thread,
}

/// A process, shared between the table, the process itself and whoever
/// links to or monitors it.
pub(crate) struct Proc {
    pub(crate) pid: Pid,
    pub(crate) flavor: Flavor,
    tx: flume::Sender<Envelope>,
    pub(crate) rx: flume::Receiver<Envelope>,
    /// Exits arrive as `Death` messages instead of killing the process.
    pub(crate) trap_exit: AtomicBool,
    /// Set when a signal asks the process to exit; the reason is in `exit`.
    exiting: AtomicBool,
    /// Boxed: set at most a few times in a process's life, and every
    /// process carries the slot.
    exit: Mutex<Option<Box<Term>>>,
    /// Wakes the process's task so it sees `exiting`.
    waker: AtomicWaker,
    /// Parks the process's task while it waits for mail; a sender that
    /// finds it parked wakes it. Cheaper than flume's receive futures, which
    /// allocate and unlink a hook per wait.
    pub(crate) mail: Parker,
    /// The actor loop's last receive found its message without waiting, so
    /// the next looks in the mailbox before parking.
    expect_mail: AtomicBool,
    rel: Mutex<Relations>,
    /// State only the process itself touches: messages set aside by a
    /// selective receive, refs of calls that timed out. The flags let the
    /// hot path skip the lock when both are empty.
    local: Mutex<Local>,
    has_saved: AtomicBool,
    has_abandoned: AtomicBool,
    has_parked: AtomicBool,
    /// How many awaited calls are in `local.rare.waiting`.
    n_waiting: AtomicU32,
    /// An actor runs its `stop` hook: only `kill` interrupts it now.
    stopping: AtomicBool,
    /// The timer a task process's calls wait on, kept from call to call: a
    /// new timer per call costs more than the rest of the call.
    pub(crate) call_timer: Mutex<crate::call::CallTimer>,
}

/// The unwind payload that takes a task out of a blocking receive or
/// `.wait()` when an exit signal ends its process.
pub(crate) struct ExitUnwind;

#[derive(Default)]
struct Relations {
    dead: bool,
    links: Vec<Pid>,
    /// Monitors on this process: (monitor ref, watcher).
    watchers: Vec<(Ref, Pid)>,
    /// Monitors this process holds: (monitor ref, target).
    monitoring: Vec<(Ref, Pid)>,
    name: Option<Arc<str>>,
}

#[derive(Default)]
struct Local {
    saved: VecDeque<Message>,
    /// Awaited calls, refs of given-up calls, parked failure notices: only
    /// processes that call need them, so boxed and made on first use
    /// rather than carried by every process.
    rare: Option<Box<Rare>>,
    /// The last calls a raw process or thread took out of its mailbox:
    /// their callers hear of its exit at once, like a `gen_server:call`'s
    /// monitor would tell them. (Actors track their one current call.)
    taken_calls: VecDeque<(Ref, Pid)>,
}

#[derive(Default)]
struct Rare {
    /// Awaited calls of this process still waiting, with their wakers:
    /// several can wait at once (`join!` of calls in one task), and the
    /// one that takes another's reply from the mailbox parks it here.
    waiting: Vec<(Ref, Option<std::task::Waker>)>,
    /// Calls that timed out or were given up: their replies are dropped.
    /// A set, not a list: a process whose calls keep timing out against a
    /// hung server checks every later reply against it.
    abandoned: std::collections::HashSet<Ref>,
    /// Failure notices parked for waiting calls (replies park in `saved`).
    parked_failures: Vec<(Ref, Term)>,
}

/// The rare part of a process's local state, made on first use.
fn rare(slot: &mut Option<Box<Rare>>) -> &mut Rare {
    slot.get_or_insert_with(Box::default)
}

/// How many taken calls a raw process remembers.
const TAKEN_CALLS: usize = 16;

/// The process table's layout. A pid's low half is the slot key, whose
/// generation bits are all that tell a dead pid from a later process in the
/// same slot. sharded-slab's default (32 pages, 4096 threads) leaves 14 of
/// them, and a slot came back under the same pid after about 250 000 spawns;
/// 20 pages (33 million live processes per spawning thread) leave 26, so a
/// pid recurs only after about 2^25 reuses of one slot.
struct TableConfig;

impl sharded_slab::Config for TableConfig {
    const MAX_THREADS: usize = 4096;
    const MAX_PAGES: usize = 20;
    const INITIAL_PAGE_SIZE: usize = 32;
}

static TABLE: LazyLock<Slab<Arc<Proc>, TableConfig>> = LazyLock::new(Slab::new_with_config);

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic never happens while these locks are held (no user code runs
    // under them), but stay usable even if one did.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Proc {
    /// Allocates a process and enters it in the table.
    pub(crate) fn new(flavor: Flavor, trap_exit: bool) -> Arc<Proc> {
        let entry = TABLE
            .vacant_entry()
            .expect("the process table is full (sharded-slab's thread or page limit)");
        let (tx, rx) = flume::unbounded();
        let proc = Arc::new(Proc {
            pid: Pid::local(entry.key() as u64),
            flavor,
            tx,
            rx,
            trap_exit: AtomicBool::new(trap_exit),
            exiting: AtomicBool::new(false),
            exit: Mutex::new(None),
            waker: AtomicWaker::new(),
            mail: Parker::new(),
            expect_mail: AtomicBool::new(true),
            rel: Mutex::new(Relations::default()),
            local: Mutex::new(Local::default()),
            has_saved: AtomicBool::new(false),
            has_abandoned: AtomicBool::new(false),
            has_parked: AtomicBool::new(false),
            n_waiting: AtomicU32::new(0),
            stopping: AtomicBool::new(false),
            call_timer: Mutex::new(crate::call::CallTimer::default()),
        });
        entry.insert(proc.clone());
        proc
    }

    pub(crate) fn traps_exit(&self) -> bool {
        self.trap_exit.load(Ordering::Relaxed)
    }

    pub(crate) fn is_dead(&self) -> bool {
        lock(&self.rel).dead
    }

    /// The pending exit reason, if a signal asked the process to exit.
    /// Checked twice per message by the actor loop: the check is inlined,
    /// the rare taking of the reason is not.
    #[inline]
    pub(crate) fn exit_requested(&self) -> Option<Term> {
        if self.exiting.load(Ordering::Acquire) {
            self.exit_reason()
        } else {
            None
        }
    }

    #[cold]
    #[inline(never)]
    fn exit_reason(&self) -> Option<Term> {
        lock(&self.exit).as_deref().cloned()
    }

    /// Asks the process to exit with `reason`. `killed` overrides any reason
    /// already pending; otherwise the first reason wins.
    pub(crate) fn request_exit(self: &Arc<Self>, reason: Term) {
        if self.flavor == Flavor::Thread {
            // A thread cannot be stopped from outside: its process ends here
            // and the thread carries on as a new process when it next asks.
            terminate(self, reason);
            let _ = self.tx.send(Envelope::Killed);
            return;
        }
        {
            let mut exit = lock(&self.exit);
            if exit.is_none() || reason == reasons::killed() {
                *exit = Some(Box::new(reason));
            }
        }
        self.exiting.store(true, Ordering::Release);
        self.waker.wake();
        // A task blocked in a receive or `.wait()` is not polled: wake it.
        self.push(Envelope::Killed);
    }

    /// The actor enters its `stop` hook, which only `kill` interrupts.
    pub(crate) fn enter_stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// Called by a blocking receive or `.wait()` of a task that found
    /// [`Envelope::Killed`]: unwinds out of it when a pending exit signal
    /// should stop the process now.
    pub(crate) fn unwind_if_exiting(&self) {
        if let Some(reason) = self.exit_requested() {
            if !self.stopping.load(Ordering::Relaxed) || reason == reasons::killed() {
                std::panic::resume_unwind(Box::new(ExitUnwind));
            }
        }
    }

    /// The reason a body that unwound with `payload` ends with.
    fn unwound_reason(&self, payload: &(dyn std::any::Any + Send)) -> Term {
        if payload.is::<ExitUnwind>() {
            self.exit_requested().unwrap_or_else(reasons::killed)
        } else {
            panic_reason(payload)
        }
    }

    /// Remembers a call that a raw process or thread took from its mailbox.
    pub(crate) fn note_taken(&self, m: &Message) {
        if let Some(r) = m.reference {
            let mut local = lock(&self.local);
            if local.taken_calls.len() == TAKEN_CALLS {
                local.taken_calls.pop_front();
            }
            local.taken_calls.push_back((r, m.from));
        }
    }

    /// Puts an envelope in this process's mailbox.
    #[inline]
    fn push(&self, env: Envelope) {
        // The receiver lives in `self`, so the channel cannot be closed.
        let _ = self.tx.send(env);
        self.mail.notify();
    }

    /// The next envelope in the mailbox, or `Pending` with the task set to
    /// be woken by the next [`Proc::push`]. For the process's own task only:
    /// one waker is kept. `look_first` takes a queued envelope without
    /// parking; without it the channel is looked at once, after parking
    /// (cheaper when the mailbox is most likely empty, as right after a call
    /// was sent).
    pub(crate) fn poll_mail(&self, cx: &mut Context<'_>, look_first: bool) -> Poll<Envelope> {
        if look_first {
            if let Ok(env) = self.rx.try_recv() {
                return Poll::Ready(env);
            }
        }
        self.mail.park(cx.waker());
        match self.rx.try_recv() {
            Ok(env) => {
                self.mail.unpark();
                Poll::Ready(env)
            }
            Err(_) => Poll::Pending,
        }
    }
}

/// Looks a local process up.
pub(crate) fn lookup(pid: Pid) -> Option<Arc<Proc>> {
    if !pid.is_local() {
        return None;
    }
    TABLE.get(pid.key()).map(|p| Arc::clone(&p))
}

/// Delivers an envelope to a local process; gives it back when there is no
/// such process.
#[inline]
pub(crate) fn deliver(pid: Pid, env: Envelope) -> Result<(), Envelope> {
    if !pid.is_local() {
        return Err(env);
    }
    match TABLE.get(pid.key()) {
        Some(p) => {
            p.push(env);
            Ok(())
        }
        None => Err(env),
    }
}

/// Whether a pid names a live process (local, or remote as far as known).
pub(crate) fn is_alive(pid: Pid) -> bool {
    lookup(pid).is_some_and(|p| !p.is_dead())
}

tokio::task_local! {
    static CURRENT: Arc<Proc>;
}

/// A thread's own process; ends `normal` when the thread does.
struct ThreadProc(Arc<Proc>);

impl Drop for ThreadProc {
    fn drop(&mut self) {
        terminate(&self.0, reasons::normal());
    }
}

thread_local! {
    static THREAD_PROC: RefCell<Option<ThreadProc>> = const { RefCell::new(None) };
}

/// The process of the running code: the task's, or else the thread's own,
/// made on first use (and made again if it was killed).
pub(crate) fn current() -> Arc<Proc> {
    if let Ok(p) = CURRENT.try_with(Arc::clone) {
        return p;
    }
    THREAD_PROC.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &*slot {
            Some(tp) if !tp.0.is_dead() => tp.0.clone(),
            _ => {
                let p = Proc::new(Flavor::Thread, true);
                *slot = Some(ThreadProc(p.clone()));
                p
            }
        }
    })
}

/// The pid of the running code, without cloning the process handle when it
/// runs in a task.
#[inline]
pub(crate) fn current_pid() -> Pid {
    CURRENT
        .try_with(|p| p.pid)
        .unwrap_or_else(|_| current().pid)
}

/// Erlang's `self()`: the pid of the calling process.
///
/// In a thread that is not running a process yet, this makes the thread one
/// (it traps exits and ends `normal` when the thread does).
///
/// # Examples
///
/// ```
/// let me = actor::pid();
/// std::thread::spawn(move || assert_ne!(actor::pid(), me)).join().unwrap();
/// ```
pub fn pid() -> Pid {
    current_pid()
}

pin_project_lite::pin_project! {
    /// Runs a process's body: keeps its process current while polled, turns
    /// a panic into an exit reason, stops it when a signal says so, and runs
    /// the exit when it ends.
    struct ProcessTask<F> {
        proc: Arc<Proc>,
        registered: bool,
        // Whether the body watches for exit requests itself (actors do, to
        // run `stop`); otherwise this wrapper stops it.
        body_handles_exit: bool,
        #[pin]
        body: F,
    }
}

impl<F: Future<Output = Term>> Future for ProcessTask<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if !*this.registered {
            // A tokio task's waker stays valid for the task's life.
            this.proc.waker.register(cx.waker());
            *this.registered = true;
        }
        if !*this.body_handles_exit {
            if let Some(reason) = this.proc.exit_requested() {
                terminate(this.proc, reason);
                return Poll::Ready(());
            }
        }
        let body = this.body;
        match std::panic::catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(reason)) => {
                terminate(this.proc, reason);
                Poll::Ready(())
            }
            Err(payload) => {
                terminate(this.proc, this.proc.unwound_reason(payload.as_ref()));
                Poll::Ready(())
            }
        }
    }
}

/// Starts `body` as the process `proc` on the runtime.
pub(crate) fn start_task<F>(proc: Arc<Proc>, body_handles_exit: bool, body: F)
where
    F: Future<Output = Term> + Send + 'static,
{
    let task = ProcessTask {
        proc: proc.clone(),
        registered: false,
        body_handles_exit,
        body,
    };
    drop(crate::runtime::runtime().spawn(CURRENT.scope(proc, task)));
}

/// Runs the exit of `proc` once: takes it out of the table and the name
/// registry, fails the calls waiting on it, and signals its links and
/// monitors.
pub(crate) fn terminate(proc: &Arc<Proc>, reason: Term) {
    let rel = {
        let mut rel = lock(&proc.rel);
        if rel.dead {
            return;
        }
        // Leave `dead` set behind: the process is dead from here on.
        std::mem::replace(
            &mut *rel,
            Relations {
                dead: true,
                ..Relations::default()
            },
        )
    };
    // `take` waits for senders that hold the entry, so nothing reaches the
    // mailbox after this and the drain below sees every pending call.
    TABLE.take(proc.pid.key());
    if let Some(name) = rel.name {
        crate::registry::drop_name(&name, proc.pid);
    }
    exit::fail_pending_calls(proc, &reason);
    exit::notify(proc.pid, rel.links, rel.watchers, rel.monitoring, &reason);
}

/// Runs `f` on the process's name slot, with whether it is dead, under its
/// lock (the registry keeps the name and the process in step).
pub(crate) fn lock_rel_name<R>(proc: &Proc, f: impl FnOnce(bool, &mut Option<Arc<str>>) -> R) -> R {
    let mut rel = lock(&proc.rel);
    let dead = rel.dead;
    f(dead, &mut rel.name)
}

pin_project_lite::pin_project! {
    /// A step of an actor's life: ends early with the exit reason when a
    /// signal stops the process, or with `{panic, …}` when the step panics.
    pub(crate) struct Guarded<'a, F> {
        proc: &'a Proc,
        only_kill: bool,
        #[pin]
        fut: F,
    }
}

/// Runs `fut` as a step that exit signals and panics interrupt.
pub(crate) fn guarded<F: Future>(proc: &Proc, fut: F) -> Guarded<'_, F> {
    Guarded {
        proc,
        only_kill: false,
        fut,
    }
}

/// Runs `fut` (the `stop` hook) so that only `kill` and panics interrupt it.
pub(crate) fn guarded_stop<F: Future>(proc: &Proc, fut: F) -> Guarded<'_, F> {
    Guarded {
        proc,
        only_kill: true,
        fut,
    }
}

impl<F: Future> Future for Guarded<'_, F> {
    type Output = Result<F::Output, Term>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(reason) = this.proc.exit_requested() {
            if !*this.only_kill || reason == reasons::killed() {
                return Poll::Ready(Err(reason));
            }
        }
        let fut = this.fut;
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(this.proc.unwound_reason(payload.as_ref()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashSet;

    #[test]
    fn a_reused_slot_gets_a_fresh_key_for_a_long_time() {
        // Freed and taken again by the same thread, a slot is reused at once;
        // its key must not repeat (the default layout repeated after 16 384).
        let slab: Slab<(), TableConfig> = Slab::new_with_config();
        let mut seen = HashSet::new();
        for _ in 0..100_000 {
            let key = slab.insert(()).unwrap();
            assert!(seen.insert(key), "slot key {key:#x} came back");
            slab.remove(key);
        }
    }
}
