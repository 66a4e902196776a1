//! Starting processes: actors by value or by registered type name, and raw
//! functions with an [`Inbox`].

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use crate::actor::{Actor, StateProbe};
use crate::message::Message;
use crate::pid::{Pid, Ref};
use crate::process::{
    self, current, current_pid, link_procs, monitor_from, reasons, Birth, Got, Phase, Proc,
};
use crate::term::Term;
use std::panic::AssertUnwindSafe;

/// Why a spawn failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpawnError {
    /// No actor type is registered under that name.
    UnknownActor {
        /// The name asked for.
        name: String,
        /// The registered names, for the error message.
        known: Vec<String>,
    },
    /// Several actor types have that short name; use a full path.
    Ambiguous {
        /// The name asked for.
        name: String,
        /// The full paths that match.
        candidates: Vec<String>,
    },
    /// The remote node could not be reached, or refused the spawn.
    Remote(String),
    /// The actor's `start` failed (or it exited before `start` finished),
    /// with this reason: what [`start`] and [`start_link`] report. Also
    /// what any spawn by name reports when the actor's `init(args)`
    /// panics, with the reason `{panic, Text}`: no process was made, and
    /// the spawner (a supervisor, say) is unharmed.
    StartFailed(Term),
    /// The actor type has no `Default` and no `init(args)`: nothing can
    /// build one from a name. Spawn a value of it instead.
    NeedsValue {
        /// The name asked for.
        name: String,
    },
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::UnknownActor { name, known } => {
                write!(f, "no actor is registered as `{name}`")?;
                if known.is_empty() {
                    write!(f, " (no actor types are registered)")
                } else {
                    write!(f, "; registered actors: {}", known.join(", "))
                }
            }
            SpawnError::Ambiguous { name, candidates } => write!(
                f,
                "`{name}` names several actors, spawn one by full path: {}",
                candidates.join(", ")
            ),
            SpawnError::Remote(why) => write!(f, "remote spawn failed: {why}"),
            SpawnError::StartFailed(reason) => write!(f, "the actor's start failed: {reason}"),
            SpawnError::NeedsValue { name } => write!(
                f,
                "`{name}` has no `Default` and no `init(args)`, so it cannot be spawned by \
                 name: spawn a value of it (`actor::spawn({name} {{ .. }})`), or give it one"
            ),
        }
    }
}

impl std::error::Error for SpawnError {}

/// How to start a process: linked to the caller, monitored by it.
#[doc(hidden)]
#[derive(Default, Debug)]
pub struct SpawnOpts {
    /// Link the new process and the caller before it runs.
    pub link: bool,
    /// Monitor the new process from the caller before it runs.
    pub monitor: bool,
    /// Told when the actor's `start` has run (or failed).
    pub ack: Option<StartAck>,
}

/// The channel an actor reports its `start` on, for [`start`] and
/// [`start_link`].
#[doc(hidden)]
#[derive(Debug)]
pub struct StartAck(flume::Sender<Result<(), Term>>);

impl StartAck {
    fn send(self, res: Result<(), Term>) {
        let _ = self.0.send(res);
    }
}

/// Anything [`spawn`] can start: a registered actor name (`&str`,
/// `String`), an actor value (for types with `#[actor]`), or a closure
/// `|inbox: Inbox| async move { … }` for a raw-function process.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be spawned",
    label = "expected an actor name, a value of an `#[actor]` type, or a closure `|inbox: Inbox| async move {{ … }}`"
)]
pub trait IntoSpawn {
    /// Starts the process.
    #[doc(hidden)]
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError>;

    /// Starts the process with `init` arguments: a registered name passes
    /// them on; anything else ignores them.
    #[doc(hidden)]
    fn into_spawn_with_args(
        self,
        args: Term,
        opts: SpawnOpts,
    ) -> Result<(Pid, Option<Ref>), SpawnError>
    where
        Self: Sized,
    {
        let _ = args;
        self.into_spawn(opts)
    }
}

impl IntoSpawn for &str {
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError> {
        spawn_registered(self, Term::Nil, opts)
    }

    fn into_spawn_with_args(
        self,
        args: Term,
        opts: SpawnOpts,
    ) -> Result<(Pid, Option<Ref>), SpawnError> {
        spawn_registered(self, args, opts)
    }
}

impl IntoSpawn for String {
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError> {
        spawn_registered(&self, Term::Nil, opts)
    }
}

impl IntoSpawn for &String {
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError> {
        spawn_registered(self, Term::Nil, opts)
    }
}

impl<F, Fut> IntoSpawn for F
where
    F: FnOnce(Inbox) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError> {
        let (proc, mref) = prepare(Birth::default(), &opts);
        // A raw process has no `start`: it has started as soon as it exists.
        if let Some(ack) = opts.ack {
            ack.send(Ok(()));
        }
        let pid = proc.pid;
        let body = self(Inbox { proc: proc.clone() });
        process::start_task(proc, false, async move {
            body.await;
            reasons::normal()
        });
        Ok((pid, mref))
    }
}

/// Makes a process and links/monitors it from the caller, before it runs.
fn prepare(birth: Birth, opts: &SpawnOpts) -> (Arc<Proc>, Option<Ref>) {
    let proc = Proc::new(birth, current_pid());
    let mut mref = None;
    if opts.link || opts.monitor {
        let me = current();
        if opts.link {
            link_procs(&me, proc.pid);
        }
        if opts.monitor {
            mref = Some(monitor_from(&me, proc.pid));
        }
    }
    (proc, mref)
}

/// Starts an actor value as a process.
#[doc(hidden)]
pub fn spawn_actor<A: Actor>(actor: A, opts: SpawnOpts) -> (Pid, Option<Ref>) {
    let birth = Birth {
        actor: Some(std::any::type_name::<A>),
        trap_exit: A::TRAP_EXIT,
        // A gen_server stops when the process that started it linked sends
        // it an exit signal.
        obeys_parent: opts.link,
        starting: true,
        ..Birth::default()
    };
    let (proc, mref) = prepare(birth, &opts);
    let pid = proc.pid;
    let starter = opts.ack.map(|ack| {
        Box::new(Starter {
            ack,
            linked: opts.link.then(current_pid),
        })
    });
    process::start_task(proc.clone(), true, run_actor(actor, proc, starter));
    (pid, mref)
}

/// Who waits for an actor's `start` ([`start`], [`start_link`]).
struct Starter {
    ack: StartAck,
    /// The starter, when it linked: a failed start unlinks it first.
    linked: Option<Pid>,
}

/// An actor's life: `start`, then one message at a time, then `stop`
/// (except after `kill` or a failed `start`). Exit signals interrupt it
/// between and during handlers; a panic in a handler ends it with
/// `{panic, …}`.
///
/// Every idle actor is this future, so it is kept small: the hooks and
/// async handlers run in futures of their own (boxed: made once, or once
/// per message an `async` handler takes), and synchronous handlers run
/// inline, holding nothing across an await.
async fn run_actor<A: Actor>(mut actor: A, proc: Arc<Proc>, starter: Option<Box<Starter>>) -> Term {
    if let Err(reason) = Box::pin(start_actor(&mut actor, &proc, starter)).await {
        return reason;
    }
    proc.signals.set_phase(Phase::Running);
    // In a block, so the exit reason is not kept beside the stop hook's
    // future across its await.
    let stopping = {
        let reason = 'life: loop {
            // The handler's await is outside the block: nothing of the message
            // or the dispatch stays in this future while an async handler runs
            // (only its box), which keeps every actor's future small.
            let handling = {
                // Not a `match` on `next_queued()`: its value would be kept
                // across the await of the other arm.
                let msg = 'got: {
                    if let Some(m) = proc.next_queued() {
                        break 'got m;
                    }
                    match process::guarded(&proc, proc.next_message()).await {
                        Ok(m) => m,
                        Err(reason) => break 'life reason,
                    }
                };
                if let Some(probe) = StateProbe::of(&msg) {
                    probe.answer(actor.debug_state());
                    continue;
                }
                let call = msg.reference.map(|r| (r, msg.from));
                match std::panic::catch_unwind(AssertUnwindSafe(|| actor.handle_now(msg))) {
                    Ok(Ok(())) => continue,
                    Ok(Err(msg)) => Box::pin(handle_async(&mut actor, &proc, msg)),
                    Err(payload) => {
                        let reason = process::unwound_reason(&proc, payload.as_ref());
                        fail_call(&proc, call, &reason);
                        break reason;
                    }
                }
            };
            if let Err(reason) = handling.await {
                break reason;
            }
        };
        if reason == reasons::killed() {
            return reason;
        }
        Box::pin(stop_actor(&mut actor, &proc, reason))
    };
    stopping.await
}

/// Runs an async handler; its exit reason if a signal or a panic ended
/// it, and then its caller has been told.
async fn handle_async<A: Actor>(actor: &mut A, proc: &Proc, msg: Message) -> Result<(), Term> {
    let call = msg.reference.map(|r| (r, msg.from));
    let res = process::guarded(proc, actor.handle(msg)).await;
    if let Err(reason) = &res {
        fail_call(proc, call, reason);
    }
    res
}

/// The caller of the message being handled when the process ended gets
/// the reason now rather than a timeout later (the exit fails the other
/// calls owed).
fn fail_call(proc: &Proc, call: Option<(Ref, Pid)>, reason: &Term) {
    if let Some((r, from)) = call {
        proc.calls.answered(r);
        process::send_call_failed(from, r, reason.clone());
    }
}

/// Runs `start`, which only a kill interrupts (exit requests wait for it,
/// so `stop` always pairs with it), and tells the starter how it went. A
/// failed start ends the process without `stop`, as a failed `init` does
/// in OTP: there is nothing to clean up.
async fn start_actor<A: Actor>(
    actor: &mut A,
    proc: &Proc,
    starter: Option<Box<Starter>>,
) -> Result<(), Term> {
    match process::guarded(proc, actor.start()).await {
        Ok(Ok(())) => {
            if let Some(s) = starter {
                s.ack.send(Ok(()));
            }
            Ok(())
        }
        Ok(Err(reason)) | Err(reason) => {
            if let Some(s) = starter {
                // The starter hears of the failure from `start_link`'s
                // result, not from the link as well.
                if let Some(starter) = s.linked {
                    crate::process::unlink(starter);
                }
                s.ack.send(Err(reason.clone()));
            }
            Err(reason)
        }
    }
}

/// Runs `stop` with `reason` (only a kill interrupts it); the reason the
/// process exits with.
async fn stop_actor<A: Actor>(actor: &mut A, proc: &Proc, reason: Term) -> Term {
    proc.signals.set_phase(Phase::Stopping);
    let hook = StopHook {
        fut: actor.stop(reason.clone()),
    };
    match process::guarded(proc, hook).await {
        Err(r) if r == reasons::killed() => r,
        Ok(Some(panicked)) => panicked,
        _ => reason,
    }
}

pin_project_lite::pin_project! {
    /// A `stop` hook's future; its panic becomes the process's exit reason,
    /// as a crash in a gen_server's `terminate` replaces the reason it was
    /// stopping with. (An exit that unwinds a blocking wait in it is let
    /// through, for `guarded` to read.)
    struct StopHook<F> {
        #[pin]
        fut: F,
    }
}

impl<F: Future<Output = ()>> Future for StopHook<F> {
    type Output = Option<Term>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Term>> {
        let fut = self.project().fut;
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(std::task::Poll::Ready(())) => std::task::Poll::Ready(None),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(payload) if payload.is::<process::ExitUnwind>() => {
                std::panic::resume_unwind(payload)
            }
            Err(payload) => std::task::Poll::Ready(Some(process::panic_reason(&*payload))),
        }
    }
}

/// A registered actor type, as `#[actor]` submits it.
#[doc(hidden)]
#[derive(Debug)]
pub struct Registration {
    /// The short name (`"EchoActor"`, or `#[actor(name = …)]`).
    pub name: &'static str,
    /// `module_path!()` where the type is defined.
    pub module: &'static str,
    /// Builds the actor from spawn arguments and starts it; or says why it
    /// cannot be spawned by name.
    pub spawn: fn(Term, SpawnOpts) -> crate::__private::SpawnResult,
}

inventory::collect!(Registration);

impl Registration {
    /// The module users see the type in. Types of the runtime crate answer
    /// to the facade's path (`actor::actors`).
    fn public_module(&self) -> String {
        match self.module.strip_prefix("actor_core") {
            Some(rest) => format!("actor{rest}"),
            None => self.module.to_owned(),
        }
    }

    /// The full path users may spawn by.
    fn full_path(&self) -> String {
        format!("{}::{}", self.public_module(), self.name)
    }
}

struct Index {
    by_name: HashMap<&'static str, Vec<&'static Registration>>,
    by_path: HashMap<String, &'static Registration>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut by_name: HashMap<&'static str, Vec<&'static Registration>> = HashMap::new();
    let mut by_path = HashMap::new();
    for reg in inventory::iter::<Registration> {
        by_name.entry(reg.name).or_default().push(reg);
        by_path.insert(reg.full_path(), reg);
    }
    Index { by_name, by_path }
});

/// Finds a registered actor type by short name or full path (`::` or the
/// seed's `.` separators).
fn find(name: &str) -> Result<&'static Registration, SpawnError> {
    let index = &*INDEX;
    if name.contains("::") || name.contains('.') {
        let path = name.replace('.', "::");
        if let Some(reg) = index.by_path.get(&path) {
            return Ok(reg);
        }
        // A type defined in a private module and re-exported: its name under
        // a module that encloses the one it is defined in
        // (`actor::actors::EchoActor` for `actor::actors::echo::EchoActor`).
        if let Some((module, short)) = path.rsplit_once("::") {
            let inner = format!("{module}::");
            let regs: Vec<&'static Registration> = index
                .by_name
                .get(short)
                .into_iter()
                .flatten()
                .copied()
                .filter(|r| r.public_module().starts_with(&inner))
                .collect();
            match regs.as_slice() {
                [] => {}
                [reg] => return Ok(reg),
                many => {
                    let mut candidates: Vec<String> = many.iter().map(|r| r.full_path()).collect();
                    candidates.sort();
                    return Err(SpawnError::Ambiguous {
                        name: name.to_owned(),
                        candidates,
                    });
                }
            }
        }
    } else if let Some(regs) = index.by_name.get(name) {
        if let [reg] = regs.as_slice() {
            return Ok(reg);
        }
        let mut candidates: Vec<String> = regs.iter().map(|r| r.full_path()).collect();
        candidates.sort();
        return Err(SpawnError::Ambiguous {
            name: name.to_owned(),
            candidates,
        });
    }
    Err(SpawnError::UnknownActor {
        name: name.to_owned(),
        known: registered_actors(),
    })
}

/// The full paths of every actor type `spawn` can start by name, sorted.
///
/// # Examples
///
/// ```
/// assert!(actor::registered_actors().contains(&"actor::actors::EchoActor".to_string()));
/// ```
pub fn registered_actors() -> Vec<String> {
    let mut v: Vec<String> = INDEX.by_path.keys().cloned().collect();
    v.sort();
    v
}

pub(crate) fn spawn_registered(
    name: &str,
    args: Term,
    opts: SpawnOpts,
) -> Result<(Pid, Option<Ref>), SpawnError> {
    let reg = find(name)?;
    // A panic in the actor's `init(args)` is its failed start
    // (`__private::build_actor`); any other panic here is the caller's own.
    (reg.spawn)(args, opts)
}

/// Starts a process: Erlang's `spawn`, the seed's `spawn("…")`.
///
/// `what` is a registered actor name (`"EchoActor"` or the full path
/// `"actor::actors::EchoActor"`), an actor value, or a closure taking an
/// [`Inbox`]. Only an unknown or ambiguous name fails, or an actor whose
/// `init(args)` panics ([`SpawnError::StartFailed`] with `{panic, Text}`).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let echo = actor::spawn("EchoActor").unwrap();
/// let reply = msg!(std { hi: "hey" } >> echo).wait().unwrap();
/// assert_eq!(reply.data["hi"], "hey");
///
/// let doubler = actor::spawn(|mut inbox: Inbox| async move {
///     let m = inbox.recv().await;
///     let n = m.data.as_int().unwrap_or(0);
///     msg!(std(n * 2) ref m.reference > m.from);
/// }).unwrap();
/// let reply = msg!(std(21) >> doubler).wait().unwrap();
/// assert_eq!(reply.data, 42);
///
/// assert!(actor::spawn("NoSuchActor").is_err());
/// ```
pub fn spawn(what: impl IntoSpawn) -> Result<Pid, SpawnError> {
    what.into_spawn(SpawnOpts::default()).map(|(pid, _)| pid)
}

/// Spawns `what` and waits until it has started: for an actor, until its
/// `start` hook has returned (OTP's `proc_lib:start`). A failed `start`
/// gives [`SpawnError::StartFailed`] with its reason. Nothing happens until
/// the [`Start`] is waited for (`.wait()`) or awaited.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// #[derive(Default)]
/// struct NeedsConfig;
///
/// #[actor]
/// impl NeedsConfig {
///     fn start(&mut self) -> Result<(), Term> {
///         Err(Term::atom("no_config"))
///     }
/// }
///
/// let err = actor::start(NeedsConfig).wait().unwrap_err();
/// assert_eq!(err, SpawnError::StartFailed(Term::atom("no_config")));
/// let echo = actor::start("EchoActor").wait().unwrap();
/// assert!(actor::is_alive(echo));
/// ```
pub fn start<S: IntoSpawn>(what: S) -> Start<S> {
    Start {
        what,
        link: false,
        args: Term::Nil,
    }
}

/// [`start`], linked to the caller (OTP's `proc_lib:start_link`, what a
/// supervisor starts its children with). When `start` fails, the caller
/// gets [`SpawnError::StartFailed`] and no exit signal: the new process
/// unlinks itself before it exits.
///
/// # Examples
///
/// ```
/// let echo = actor::start_link("EchoActor").wait().unwrap();
/// let got = actor::runtime().block_on(async { actor::start_link("EchoActor").await });
/// assert!(actor::is_alive(echo) && actor::is_alive(got.unwrap()));
/// ```
pub fn start_link<S: IntoSpawn>(what: S) -> Start<S> {
    Start {
        what,
        link: true,
        args: Term::Nil,
    }
}

/// A process to spawn and wait for, made by [`start`] and [`start_link`]:
/// `.wait()` it in blocking code, `.await` it in async code.
#[must_use = "nothing is spawned until the Start is waited for or awaited"]
#[derive(Debug)]
pub struct Start<S> {
    what: S,
    link: bool,
    args: Term,
}

impl<'a> Start<&'a str> {
    /// The arguments for the registered actor's `init(args)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let echo = actor::start("EchoActor").args(actor::Term::Nil).wait().unwrap();
    /// assert!(actor::is_alive(echo));
    /// ```
    pub fn args(mut self, args: impl Into<Term>) -> Start<&'a str> {
        self.args = args.into();
        self
    }
}

impl<S: IntoSpawn> Start<S> {
    /// Spawns; returns the pid and the channel its start is reported on.
    fn launch(self) -> Result<(Pid, flume::Receiver<Result<(), Term>>), SpawnError> {
        let (tx, rx) = flume::bounded(1);
        let opts = SpawnOpts {
            link: self.link,
            monitor: false,
            ack: Some(StartAck(tx)),
        };
        let pid = if self.args.is_nil() {
            self.what.into_spawn(opts)?.0
        } else {
            self.what.into_spawn_with_args(self.args, opts)?.0
        };
        Ok((pid, rx))
    }

    /// Spawns and blocks until the process has started.
    pub fn wait(self) -> Result<Pid, SpawnError> {
        let (pid, rx) = self.launch()?;
        started(pid, crate::runtime::blocking(|| rx.recv()))
    }
}

fn started(pid: Pid, res: Result<Result<(), Term>, flume::RecvError>) -> Result<Pid, SpawnError> {
    match res {
        Ok(Ok(())) => Ok(pid),
        Ok(Err(reason)) => Err(SpawnError::StartFailed(reason)),
        // Killed before it could report.
        Err(_) => Err(SpawnError::StartFailed(reasons::killed())),
    }
}

impl<S: IntoSpawn + Send + 'static> std::future::IntoFuture for Start<S> {
    type Output = Result<Pid, SpawnError>;
    type IntoFuture = std::pin::Pin<Box<dyn Future<Output = Result<Pid, SpawnError>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (pid, rx) = self.launch()?;
            started(pid, rx.recv_async().await)
        })
    }
}

/// Starts a process linked to the caller (the seed's `link("…")`).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let child = actor::spawn_link("EchoActor").unwrap();
/// actor::kill(child);
/// // the caller, a thread, traps exits: the death arrives as a message
/// let m = actor::receive_timeout(std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!(m.kind, Kind::Death);
/// assert_eq!(m.data["reason"], "killed");
/// ```
pub fn spawn_link(what: impl IntoSpawn) -> Result<Pid, SpawnError> {
    what.into_spawn(SpawnOpts {
        link: true,
        ..SpawnOpts::default()
    })
    .map(|(pid, _)| pid)
}

/// Starts a process monitored by the caller; returns its pid and the
/// monitor's reference.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let (pid, r) = actor::spawn_monitor(|_inbox: Inbox| async {}).unwrap();
/// let down = actor::receive_timeout(std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!((down.kind, down.from, down.reference), (Kind::Down, pid, Some(r)));
/// assert_eq!(down.data["reason"], "normal");
/// ```
pub fn spawn_monitor(what: impl IntoSpawn) -> Result<(Pid, Ref), SpawnError> {
    what.into_spawn(SpawnOpts {
        monitor: true,
        ..SpawnOpts::default()
    })
    .map(|(pid, r)| (pid, r.expect("a monitored spawn returns its monitor")))
}

/// Starts a registered actor by name with arguments for its `init(args)`
/// (a `Default` actor ignores them).
///
/// # Examples
///
/// ```
/// let echo = actor::spawn_with_args("EchoActor", actor::Term::Nil).unwrap();
/// assert!(actor::is_alive(echo));
/// ```
pub fn spawn_with_args(name: &str, args: impl Into<Term>) -> Result<Pid, SpawnError> {
    spawn_registered(name, args.into(), SpawnOpts::default()).map(|(pid, _)| pid)
}

/// The mailbox of a raw-function process, handed to its closure.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// let pid = actor::spawn(|mut inbox: Inbox| async move {
///     // selective receive: take `info` first, leave `std` queued
///     let first = inbox.recv_match(|m| m.kind == Kind::Info).await;
///     let second = inbox.recv().await;
///     msg!(std([first.data, second.data]) > second.from);
/// }).unwrap();
/// msg!(std("a") > pid);
/// msg!(info("b") > pid);
/// let m = actor::receive_timeout(Duration::from_secs(5)).unwrap();
/// assert_eq!(m.data, actor::Term::list(["b", "a"]));
/// ```
pub struct Inbox {
    proc: Arc<Proc>,
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("pid", &self.proc.pid)
            .finish()
    }
}

impl Inbox {
    /// The process's pid.
    pub fn pid(&self) -> Pid {
        self.proc.pid
    }

    /// The next message, in arrival order.
    pub async fn recv(&mut self) -> Message {
        self.recv_match(|_| true).await
    }

    /// The next message, or `None` after `timeout`.
    pub async fn recv_timeout(&mut self, timeout: Duration) -> Option<Message> {
        self.recv_match_timeout(|_| true, timeout).await
    }

    /// The first message `pred` accepts; the others stay queued in order
    /// (Erlang's selective `receive`).
    pub async fn recv_match(&mut self, pred: impl FnMut(&Message) -> bool) -> Message {
        match self.proc.receive(pred, None, false).await {
            Got::Msg(m) => m,
            // Without a deadline the wait ends only with a message: a task
            // process is stopped, not woken, when told to exit.
            _ => std::future::pending().await,
        }
    }

    /// The first message `pred` accepts, or `None` after `timeout`.
    pub async fn recv_match_timeout(
        &mut self,
        pred: impl FnMut(&Message) -> bool,
        timeout: Duration,
    ) -> Option<Message> {
        let deadline = std::time::Instant::now() + timeout;
        match self.proc.receive(pred, Some(deadline), false).await {
            Got::Msg(m) => Some(m),
            _ => None,
        }
    }

    /// The next message if one is queued, without waiting.
    pub fn try_recv(&mut self) -> Option<Message> {
        self.proc.try_receive(|_| true)
    }

    /// Turns exit trapping on or off (Erlang's `process_flag(trap_exit, …)`):
    /// when on, linked processes' exits arrive as `Death` messages.
    pub fn trap_exit(&self, on: bool) {
        self.proc.signals.set_trap_exit(on);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod hidden {
        use super::super::*;

        fn spawn_hidden(_args: Term, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError> {
            Ok(spawn_actor(crate::actors::EchoActor::default(), opts))
        }

        inventory::submit! {
            Registration { name: "HiddenEcho", module: module_path!(), spawn: spawn_hidden }
        }
    }

    #[test]
    fn a_type_in_a_private_module_spawns_by_its_re_exported_path() {
        // Defined in `actor::spawn::tests::hidden`, as if re-exported above.
        assert!(find("HiddenEcho").is_ok());
        assert!(find("actor::spawn::tests::hidden::HiddenEcho").is_ok());
        assert!(find("actor::spawn::tests::HiddenEcho").is_ok());
        assert!(find("actor.spawn.HiddenEcho").is_ok());
        assert!(matches!(
            find("actor::spawn::tests::hidden::deeper::HiddenEcho"),
            Err(SpawnError::UnknownActor { .. })
        ));
        assert!(matches!(
            find("other::HiddenEcho"),
            Err(SpawnError::UnknownActor { .. })
        ));
    }
}
