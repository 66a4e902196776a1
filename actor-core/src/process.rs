//! Processes: the table of live processes, their mailboxes, the current
//! process, and what happens when one exits.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::task::{Context, Poll};

use atomic_waker::AtomicWaker;
use sharded_slab::Slab;

use crate::message::Message;
use crate::pid::{Pid, Ref};
use crate::term::Term;

mod exit;
mod receive;

pub(crate) use self::exit::{
    add_link, add_watcher, deliver_down, deliver_remote_exit, forget_monitor, link_procs,
    monitor_from, panic_reason, reasons, remove_link, remove_watcher, send_call_failed,
    signal_exit,
};
pub use self::exit::{demonitor, exit, kill, link, monitor, unlink};
pub(crate) use self::receive::Reply;

/// What travels through a mailbox.
pub(crate) enum Envelope {
    /// A message for the process.
    Msg(Message),
    /// The process a call of ours was waiting on exited (or was never there).
    CallFailed { reference: Ref, reason: Term },
    /// A thread's process was killed: wake its blocked receive so the thread
    /// carries on as a fresh process.
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
    exit: Mutex<Option<Term>>,
    /// Wakes the process's task so it sees `exiting`.
    waker: AtomicWaker,
    rel: Mutex<Relations>,
    /// State only the process itself touches: messages set aside by a
    /// selective receive, refs of calls that timed out. The flags let the
    /// hot path skip the lock when both are empty.
    local: Mutex<Local>,
    has_saved: AtomicBool,
    has_abandoned: AtomicBool,
}

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
    abandoned: HashSet<Ref>,
    /// The last calls a raw process or thread took out of its mailbox:
    /// their callers hear of its exit at once, like a `gen_server:call`'s
    /// monitor would tell them. (Actors track their one current call.)
    taken_calls: VecDeque<(Ref, Pid)>,
}

/// How many taken calls a raw process remembers.
const TAKEN_CALLS: usize = 16;

static TABLE: LazyLock<Slab<Arc<Proc>>> = LazyLock::new(Slab::new);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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
            rel: Mutex::new(Relations::default()),
            local: Mutex::new(Local::default()),
            has_saved: AtomicBool::new(false),
            has_abandoned: AtomicBool::new(false),
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
    pub(crate) fn exit_requested(&self) -> Option<Term> {
        if self.exiting.load(Ordering::Acquire) {
            lock(&self.exit).clone()
        } else {
            None
        }
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
                *exit = Some(reason);
            }
        }
        self.exiting.store(true, Ordering::Release);
        self.waker.wake();
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
    fn push(&self, env: Envelope) {
        // The receiver lives in `self`, so the channel cannot be closed.
        let _ = self.tx.send(env);
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
                terminate(this.proc, panic_reason(payload.as_ref()));
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
        rel.dead = true;
        std::mem::take(&mut *rel)
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
            Err(payload) => Poll::Ready(Err(panic_reason(payload.as_ref()))),
        }
    }
}
