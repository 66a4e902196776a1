//! Processes: the table of live processes, what one process is made of,
//! the current process, and what happens when one exits.
//!
//! A process is a handful of parts, each keeping its own invariants:
//!
//! - [`Mailbox`](mailbox::Mailbox): the channel, the parker that wakes the
//!   receiving task, the messages held for a later receive;
//! - [`Calls`](calls::Calls): calls in flight, as caller and as callee;
//! - [`Signals`](signals::Signals): exit requests, the phase, trapping;
//! - [`Relations`](links::Relations): links, monitors, the name.
//!
//! The table (`table`) maps pids to processes without locks. `receive`
//! takes messages out of a mailbox (in order, selectively, with
//! deadlines, around waiting calls) and `exit` carries exit signals, links
//! and monitors.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use crate::pid::Pid;
use crate::term::Term;

mod calls;
mod exit;
mod links;
mod mailbox;
pub(crate) mod names;
mod parker;
mod receive;
mod signals;
mod table;

#[cfg_attr(not(feature = "dist"), allow(unused_imports))]
pub(crate) use self::exit::{
    deliver_down, link_procs, monitor_from, panic_reason, reasons, send_call_failed, signal_exit,
};
// Hooks for distribution: links, monitors and exits from other nodes.
pub(crate) use self::calls::Deadline;
#[cfg(feature = "dist")]
pub(crate) use self::exit::{
    add_link, add_watcher, deliver_remote_exit, forget_monitor, remove_link, remove_watcher,
};
pub use self::exit::{demonitor, exit, exit_self, kill, link, monitor, unlink};
pub(crate) use self::mailbox::Envelope;
pub(crate) use self::receive::{CallWait, ExitUnwind, Got};
pub(crate) use self::signals::{Birth, Phase};

use self::calls::Calls;
use self::links::Relations;
use self::mailbox::Mailbox;
use self::signals::Signals;
use self::table::Table;

/// A process, shared between the table, the process itself and whoever
/// sends to it.
pub(crate) struct Proc {
    pub(crate) pid: Pid,
    /// Who spawned it (`Pid::NOBODY` for a plain thread's process).
    parent: Pid,
    /// The actor type's name, for actors.
    actor: Option<fn() -> &'static str>,
    pub(crate) mailbox: Mailbox,
    pub(crate) calls: Calls,
    pub(crate) signals: Signals,
    pub(crate) relations: Relations,
}

#[cfg(not(actor_loom))]
static TABLE: Table<Arc<Proc>> = Table::new();
// Loom builds only run the loom models, which make tables of their own;
// this one just has to compile.
#[cfg(actor_loom)]
static TABLE: std::sync::LazyLock<Table<Arc<Proc>>> = std::sync::LazyLock::new(Table::new);

/// One place for the runtime's "lock, and carry on if a panic poisoned
/// it": no user code runs under these locks, but stay usable if one did.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Proc {
    /// Makes a process and enters it in the table.
    pub(crate) fn new(birth: Birth, parent: Pid) -> Arc<Proc> {
        TABLE.insert_with(|key| {
            let proc = Arc::new(Proc {
                pid: Pid::local(key),
                parent,
                actor: birth.actor,
                mailbox: Mailbox::new(),
                calls: Calls::new(),
                signals: Signals::new(birth),
                relations: Relations::default(),
            });
            (proc.clone(), proc)
        })
    }

    /// The slot key in the table (the pid, unscrambled).
    #[inline]
    pub(crate) fn key(&self) -> u64 {
        self.pid.key()
    }

    pub(crate) fn parent(&self) -> Option<Pid> {
        (self.parent != Pid::NOBODY).then_some(self.parent)
    }

    /// The actor type's name, for actors.
    pub(crate) fn actor(&self) -> Option<&'static str> {
        self.actor.map(|name| name())
    }

    pub(crate) fn is_thread(&self) -> bool {
        self.signals.is_thread()
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.relations.is_closed()
    }

    /// Puts an envelope in the mailbox.
    #[inline]
    pub(crate) fn push(&self, env: Envelope) {
        self.mailbox.push(env);
    }

    /// Asks the process to exit with `reason` (`killed` for a kill).
    pub(crate) fn request_exit(self: &Arc<Self>, reason: Term) {
        if self.is_thread() {
            // A thread cannot be stopped from outside: its process ends
            // here, and the thread carries on as a new process when it
            // next asks for one.
            terminate(self, reason);
            self.push(Envelope::Wake);
            return;
        }
        let killed = reason == reasons::killed();
        if self.signals.request(reason, killed) {
            self.push(Envelope::Wake);
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

/// Runs `f` on the local process `pid` without taking a reference to it.
#[inline]
pub(crate) fn with_proc<R>(pid: Pid, f: impl FnOnce(&Arc<Proc>) -> R) -> Option<R> {
    if !pid.is_local() {
        return None;
    }
    TABLE.get(pid.key()).map(|p| f(&p))
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

/// Every live local process, in table order.
pub(crate) fn all() -> Vec<Pid> {
    TABLE.keys().into_iter().map(Pid::local).collect()
}

/// Whether a pid names a live local process.
pub(crate) fn is_alive(pid: Pid) -> bool {
    with_proc(pid, |p| !p.is_dead()).unwrap_or(false)
}

thread_local! {
    /// The process whose code runs on this thread now: set by its task's
    /// poll for the length of the poll (and so for a `block_in_place`
    /// inside it), null otherwise. Cheaper than a tokio task-local, and the
    /// same rule: a task spawned from a process is not that process.
    static CURRENT: Cell<*const Proc> = const { Cell::new(std::ptr::null()) };
}

/// Makes `proc` the current process until dropped (then the one before).
struct Enter {
    previous: *const Proc,
}

impl Enter {
    #[inline]
    fn new(proc: &Arc<Proc>) -> Enter {
        Enter {
            previous: CURRENT.with(|c| c.replace(Arc::as_ptr(proc))),
        }
    }
}

impl Drop for Enter {
    #[inline]
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

/// The current task process, if code runs in one.
#[inline]
fn current_task() -> Option<*const Proc> {
    let p = CURRENT.with(Cell::get);
    (!p.is_null()).then_some(p)
}

/// A thread's own process; ends when the thread does.
struct ThreadProc {
    proc: Arc<Proc>,
    /// The message of a panic on the thread since it last used its process
    /// (kept here, not in a thread-local of its own, which the thread's
    /// end may drop first).
    panic: Option<String>,
}

impl Drop for ThreadProc {
    fn drop(&mut self) {
        let reason = match self.panic.take() {
            Some(message) => Term::tuple([Term::atom("panic"), Term::from(message)]),
            None => reasons::normal(),
        };
        terminate(&self.proc, reason);
    }
}

thread_local! {
    static THREAD_PROC: RefCell<Option<ThreadProc>> = const { RefCell::new(None) };
}

/// The process of the running code: the task's, or else the thread's own,
/// made on first use (and made again if it was killed).
///
/// # Panics
///
/// In a tokio task that is not a process (see [`caller`]).
pub(crate) fn current() -> Arc<Proc> {
    match caller() {
        Some(p) => p,
        None => not_a_process(),
    }
}

/// The process of the running code, or `None` in a tokio task that is not
/// a process: a task the program spawned itself, outside `actor::scope`.
/// Such a task never shares a process with another task, so it has none
/// (a plain thread keeps the seed's rule: it is a process).
pub(crate) fn caller() -> Option<Arc<Proc>> {
    match current_task() {
        // SAFETY: `CURRENT` points into an `Arc` that the polling
        // `ProcessTask` holds for as long as it is set.
        Some(p) => Some(unsafe {
            Arc::increment_strong_count(p);
            Arc::from_raw(p)
        }),
        None if in_plain_task() => None,
        None => Some(thread_proc()),
    }
}

/// Whether the running code is a tokio task that is not a process.
#[inline]
fn in_plain_task() -> bool {
    tokio::task::try_id().is_some()
}

#[cold]
#[track_caller]
fn not_a_process() -> ! {
    panic!(
        "this actor function needs a process of its own, and a tokio task spawned by the \
         program is not one (two tasks never share a mailbox): run the task's future in \
         `actor::scope(future)` to make it a process, or spawn a process with `actor::spawn`"
    )
}

/// A process of its own for code that has none (a call from a plain tokio
/// task): no task runs it; whoever made it ends it with `terminate`.
pub(crate) fn private() -> Arc<Proc> {
    Proc::new(Birth::default(), Pid::NOBODY)
}

fn thread_proc() -> Arc<Proc> {
    THREAD_PROC.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &mut *slot {
            Some(tp) if !tp.proc.is_dead() => {
                // The thread is running again: a panic it caught earlier
                // did not end it.
                if tp.panic.is_some() {
                    tp.panic = None;
                }
                tp.proc.clone()
            }
            _ => {
                panic_hook::install();
                let p = Proc::new(
                    Birth {
                        thread: true,
                        trap_exit: true,
                        ..Birth::default()
                    },
                    Pid::NOBODY,
                );
                *slot = Some(ThreadProc {
                    proc: p.clone(),
                    panic: None,
                });
                p
            }
        }
    })
}

/// Runs `f` with the current process (`None` in a plain tokio task),
/// without cloning its handle when it runs in a task.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Proc>) -> R) -> R {
    match current_task() {
        // SAFETY: as in `caller`.
        Some(p) => f(Some(unsafe { &*p })),
        None if in_plain_task() => f(None),
        None => f(Some(&thread_proc())),
    }
}

/// Whether the running process has been told to exit (killed, or an exit
/// signal it does not trap) while it could not stop: a synchronous handler
/// blocks its thread, so the signal is acted on when the handler returns.
/// Such a process sends no reply: in Erlang it would have died before
/// answering, and its caller hears the exit instead.
/// (A thread's process is never told to wait: an exit ends it at once.)
#[inline]
pub(crate) fn told_to_exit() -> bool {
    // SAFETY: as in `caller`: the task's process outlives its polls.
    current_task().is_some_and(|p| unsafe { (*p).signals.interrupts() })
}

/// The pid of the running code; [`Pid::NOBODY`] in a plain tokio task (the
/// sender of what it sends: replies to it go nowhere).
#[inline]
pub(crate) fn current_pid() -> Pid {
    match current_task() {
        // SAFETY: as in `caller`.
        Some(p) => unsafe { (*p).pid },
        None if in_plain_task() => Pid::NOBODY,
        None => thread_proc().pid,
    }
}

/// Erlang's `self()`: the pid of the calling process.
///
/// In a thread that is not running a process yet, this makes the thread one
/// (it traps exits and ends `normal` when the thread does, or
/// `{panic, Message}` when it panics).
///
/// # Panics
///
/// In a tokio task that the program spawned itself (not a process, not in
/// [`scope`](crate::scope)): two tasks never share a process, so such a
/// task has none. Wrap its future in `actor::scope` to give it one.
///
/// # Examples
///
/// ```
/// let me = actor::pid();
/// std::thread::spawn(move || assert_ne!(actor::pid(), me)).join().unwrap();
/// ```
#[track_caller]
pub fn pid() -> Pid {
    match current_task() {
        // SAFETY: as in `caller`.
        Some(p) => unsafe { (*p).pid },
        None if in_plain_task() => not_a_process(),
        None => thread_proc().pid,
    }
}

/// Remembers the message of a panic on a thread, so the thread's process
/// exits with it: a thread that unwinds to its end has stopped panicking
/// by the time its thread-locals (and its process) are dropped.
mod panic_hook {
    use std::sync::Once;

    /// Chains a hook that records the message, once per program.
    pub(super) fn install() {
        static ONCE: Once = Once::new();
        if std::thread::panicking() {
            return;
        }
        ONCE.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let _ = super::THREAD_PROC.try_with(|slot| {
                    if let Ok(mut slot) = slot.try_borrow_mut() {
                        if let Some(tp) = slot.as_mut() {
                            tp.panic = Some(super::exit::panic_text(info.payload()));
                        }
                    }
                });
                previous(info);
            }));
        });
    }
}

pin_project_lite::pin_project! {
    /// Runs a process's body: keeps its process current while polled, turns
    /// a panic into an exit reason, stops it when a signal says so, and runs
    /// the exit when it ends.
    struct ProcessTask<F> {
        proc: Arc<Proc>,
        // The `process` span the body runs in, made on the first poll if a
        // subscriber is interested then (boxed: most programs trace at a
        // level that leaves it off, and every process carries the slot).
        // Looked for once: asking again on every poll cost ~25
        // instructions a poll, 4 % of a call's round trip.
        span: Option<Box<tracing::Span>>,
        span_looked: bool,
        // Whether the body watches for exit requests itself (actors do, to
        // run `stop`); otherwise this wrapper stops it.
        body_handles_exit: bool,
        ended: bool,
        #[pin]
        body: F,
    }

    impl<F> PinnedDrop for ProcessTask<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.ended {
                // Dropped unfinished: its runtime shut down. The process
                // is gone; its links and monitors hear of it.
                terminate(this.proc, reasons::killed());
            }
        }
    }
}

impl<F: Future<Output = Term>> Future for ProcessTask<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let _current = Enter::new(this.proc);
        if !*this.span_looked {
            *this.span_looked = true;
            *this.span = process_span(this.proc);
        }
        let _span = this.span.as_deref().map(tracing::Span::enter);
        this.proc.signals.register(cx.waker());
        exit::act_on_link_exits(this.proc);
        if !*this.body_handles_exit {
            if let Some(reason) = this.proc.signals.pending() {
                *this.ended = true;
                terminate(this.proc, reason);
                return Poll::Ready(());
            }
        }
        let body = this.body;
        let reason = match std::panic::catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            // A body that told itself to exit (`exit_self`) and then ended
            // ends with that reason, as Erlang's `exit(self(), Reason)`.
            Ok(Poll::Ready(reason)) if !*this.body_handles_exit => {
                this.proc.signals.pending().unwrap_or(reason)
            }
            Ok(Poll::Ready(reason)) => reason,
            Err(payload) => unwound_reason(this.proc, payload.as_ref()),
        };
        *this.ended = true;
        terminate(this.proc, reason);
        Poll::Ready(())
    }
}

/// The `process` span of `proc`, if a subscriber wants it.
#[cold]
fn process_span(proc: &Proc) -> Option<Box<tracing::Span>> {
    let span = tracing::info_span!(
        "process",
        pid = %proc.pid,
        actor = proc.actor().unwrap_or(""),
    );
    (!span.is_disabled()).then(|| Box::new(span))
}

/// The reason a body that unwound with `payload` ends with: the requested
/// exit when that is what unwound it (or when a panic followed it), else
/// the panic.
pub(crate) fn unwound_reason(proc: &Proc, payload: &(dyn std::any::Any + Send)) -> Term {
    match proc.signals.requested() {
        Some(reason) => reason,
        None if payload.is::<ExitUnwind>() => reasons::killed(),
        None => panic_reason(payload),
    }
}

pin_project_lite::pin_project! {
    /// The future of [`scope`](crate::scope): runs its future as a process
    /// of its own.
    #[must_use = "futures do nothing unless awaited"]
    pub struct Scope<F> {
        proc: Option<Arc<Proc>>,
        span: Option<Box<tracing::Span>>,
        ended: bool,
        #[pin]
        fut: F,
    }

    impl<F> PinnedDrop for Scope<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let (Some(proc), false) = (this.proc.as_ref(), *this.ended) {
                // Dropped before it finished (a cancelled task): the
                // process is gone, and its links and monitors hear why.
                terminate(proc, reasons::killed());
            }
        }
    }
}

impl<F> std::fmt::Debug for Scope<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("pid", &self.proc.as_ref().map(|p| p.pid))
            .finish()
    }
}

/// Runs `fut` as a fresh process, on whatever runtime polls it: Erlang's
/// `spawn` for the async code a program already has (a request handler, a
/// `#[tokio::main]`, a task it spawns).
///
/// Inside, `fut` has a pid and a mailbox of its own, the same across awaits
/// and worker threads: `actor::pid()`, the receives, links, monitors and
/// calls all act for it. The process starts when the scope is first polled
/// and exits `normal` when `fut` completes (the scope's output is `fut`'s)
/// or `{panic, Message}` when it panics (the panic goes on to the caller);
/// its links and monitors fire as for any process. Dropped before it
/// finishes, it exits `killed`.
///
/// An exit signal that stops the process (from a link, or `actor::exit`,
/// unless it traps exits: see [`trap_exit`](crate::trap_exit)) ends the
/// scope too: it stops polling `fut` and unwinds with a [`ScopeExit`]
/// payload carrying the reason, which a `tokio::spawn`ed scope's
/// `JoinHandle` reports as a panic. (Built with `panic = "abort"`, it
/// cannot unwind and stays pending instead.)
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// # actor::runtime().block_on(async {
/// let echo = actor::spawn("EchoActor").unwrap();
/// let task = tokio::spawn(actor::scope(async move {
///     let me = actor::pid();
///     msg!(info("hello") > echo);
///     let m = actor::recv().await; // the echo, in this task's own mailbox
///     assert_eq!((m.data, m.from), (Term::from("hello"), echo));
///     me
/// }));
/// let pid = task.await.unwrap();
/// assert!(!actor::is_alive(pid)); // it exited when the future completed
/// # });
/// ```
pub fn scope<F: Future>(fut: F) -> Scope<F> {
    Scope {
        proc: None,
        span: None,
        ended: false,
        fut,
    }
}

/// The payload a [`scope`](crate::scope) unwinds with when an exit signal
/// stops its process.
#[derive(Debug, Clone)]
pub struct ScopeExit {
    /// Why the process exited.
    pub reason: Term,
}

impl<F: Future> Future for Scope<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        assert!(!*this.ended, "an actor::scope polled after it finished");
        // The parent is whoever polls it first.
        if this.proc.is_none() {
            let proc = Proc::new(Birth::default(), current_pid());
            // Its span is looked for once, at its birth.
            *this.span = process_span(&proc);
            *this.proc = Some(proc);
        }
        let proc = this.proc.as_ref().expect("born above");
        let _current = Enter::new(proc);
        let _span = this.span.as_deref().map(tracing::Span::enter);
        proc.signals.register(cx.waker());
        exit::act_on_link_exits(proc);
        if let Some(reason) = proc.signals.pending() {
            *this.ended = true;
            terminate(proc, reason.clone());
            #[cfg(panic = "unwind")]
            std::panic::resume_unwind(Box::new(ScopeExit { reason }));
            #[cfg(not(panic = "unwind"))]
            return Poll::Pending;
        }
        let fut = this.fut;
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(out)) => {
                *this.ended = true;
                terminate(proc, reasons::normal());
                Poll::Ready(out)
            }
            Err(payload) => {
                *this.ended = true;
                terminate(proc, unwound_reason(proc, payload.as_ref()));
                std::panic::resume_unwind(payload)
            }
        }
    }
}

/// Turns exit trapping on or off for the calling process (Erlang's
/// `process_flag(trap_exit, On)`): when on, exits of linked processes
/// arrive as [`Kind::Death`](crate::Kind::Death) messages instead of
/// ending it. An actor traps exits exactly when its impl has a `death`
/// handler; a plain thread always traps.
///
/// # Panics
///
/// In a tokio task that is not a process (see [`scope`](crate::scope)).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// # actor::runtime().block_on(async {
/// let got = actor::scope(async {
///     actor::trap_exit(true);
///     let doomed = actor::spawn_link(|_inbox: Inbox| async { panic!("boom") }).unwrap();
///     let m = actor::recv_match(|m| m.kind == Kind::Death).await;
///     (m.from == doomed, m.data["reason"][0].clone())
/// })
/// .await;
/// assert_eq!(got, (true, Term::atom("panic")));
/// # });
/// ```
#[track_caller]
pub fn trap_exit(on: bool) {
    current().signals.set_trap_exit(on);
}

/// Starts `body` as the process `proc` on the runtime.
pub(crate) fn start_task<F>(proc: Arc<Proc>, body_handles_exit: bool, body: F)
where
    F: Future<Output = Term> + Send + 'static,
{
    let task = ProcessTask {
        proc: proc.clone(),
        span: None,
        span_looked: false,
        body_handles_exit,
        ended: false,
        body,
    };
    drop(crate::runtime::runtime().spawn(task));
}

/// Runs the exit of `proc` once: takes it out of the table and the name
/// registry, fails the calls owed by it, and signals its links and
/// monitors.
pub(crate) fn terminate(proc: &Arc<Proc>, reason: Term) {
    let Some(rel) = proc.relations.close() else {
        return;
    };
    // `remove` waits for senders that hold the slot, so nothing reaches
    // the mailbox after this and the drain below sees every call owed.
    TABLE.remove(proc.key());
    let name = rel.as_ref().and_then(|r| r.name.as_deref());
    if let Some(name) = name {
        names::drop_name(name, proc.pid);
    }
    if !is_clean_exit(&reason) {
        crash_report(proc, name, &reason);
    }
    exit::fail_owed_calls(proc, &reason);
    if let Some(rel) = rel {
        exit::notify(proc.pid, *rel, &reason);
    }
}

/// Exits nobody needs to hear about: `normal`, `shutdown`, `{shutdown, _}`
/// (a supervisor's orderly stop), and `killed` (OTP writes no report for a
/// process killed outright).
pub(crate) fn is_clean_exit(reason: &Term) -> bool {
    reason.is_atom("normal")
        || reason.is_atom("shutdown")
        || reason.is_atom("killed")
        || matches!(reason, Term::Tuple(t) if t.len() == 2 && t[0].is_atom("shutdown"))
}

/// Erlang's crash report: one `error` event for an abnormal exit.
#[cold]
fn crash_report(proc: &Proc, name: Option<&str>, reason: &Term) {
    tracing::error!(
        pid = %proc.pid,
        actor = proc.actor().unwrap_or(""),
        name = name.unwrap_or(""),
        %reason,
        "process exited abnormally"
    );
}

pin_project_lite::pin_project! {
    /// A step of an actor's life: ends early with the exit reason when a
    /// signal stops the process, or with `{panic, …}` when the step panics.
    pub(crate) struct Guarded<'a, F> {
        proc: &'a Proc,
        #[pin]
        fut: F,
    }
}

/// Runs `fut` as a step that exit signals (as the process's phase allows)
/// and panics interrupt.
pub(crate) fn guarded<F: Future>(proc: &Proc, fut: F) -> Guarded<'_, F> {
    Guarded { proc, fut }
}

impl<F: Future> Future for Guarded<'_, F> {
    type Output = Result<F::Output, Term>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(reason) = this.proc.signals.pending() {
            return Poll::Ready(Err(reason));
        }
        let fut = this.fut;
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(unwound_reason(this.proc, payload.as_ref()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-process record every idle actor carries (with the `Arc`'s
    /// counts, a 240-byte heap chunk). A change that makes it bigger costs
    /// memory per process: update the bound knowingly, and BENCHMARKS.md's
    /// memory figure with it.
    #[test]
    fn the_process_record_stays_small() {
        let size = std::mem::size_of::<Proc>();
        assert!(
            size <= 216,
            "Proc is {size} bytes: mailbox {}, calls {}, signals {}, relations {}",
            std::mem::size_of::<Mailbox>(),
            std::mem::size_of::<Calls>(),
            std::mem::size_of::<Signals>(),
            std::mem::size_of::<Relations>()
        );
    }
}
