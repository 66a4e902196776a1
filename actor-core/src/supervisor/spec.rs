//! What a supervisor is told: strategies, restart types, shutdowns, child
//! specs and restart backoff.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{IntoSpawn, Pid, SpawnError, Term};

use super::SupervisorSpec;

/// Which children a supervisor restarts when one of them fails.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{ChildSpec, Strategy, SupervisorSpec};
///
/// let spec = SupervisorSpec::new(Strategy::RestForOne)
///     .child(ChildSpec::worker("db", "EchoActor"))
///     .child(ChildSpec::worker("cache", "EchoActor"));
/// assert_eq!(spec.strategy_kind(), Strategy::RestForOne);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    /// Restart only the child that failed (OTP's `one_for_one`).
    #[default]
    OneForOne,
    /// Stop every other child (in reverse start order), then restart them
    /// all in start order (`one_for_all`).
    OneForAll,
    /// Stop the children started after the failed one (in reverse order),
    /// then restart the failed one and those, in start order (`rest_for_one`).
    RestForOne,
    /// A pool of identical, dynamic children made from one template spec by
    /// [`start_child`](super::start_child); each restarts on its own
    /// (`simple_one_for_one`).
    SimpleOneForOne,
}

/// When a child is restarted after it exits.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{ChildSpec, Restart};
///
/// let spec = ChildSpec::worker("job", "EchoActor").restart(Restart::Transient);
/// assert_eq!(spec.restart_type(), Restart::Transient);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Restart {
    /// Always restarted, whatever the exit reason.
    #[default]
    Permanent,
    /// Restarted only after an abnormal exit: any reason but `normal`,
    /// `shutdown` or `{shutdown, _}` (`killed` is abnormal).
    Transient,
    /// Never restarted; removed from the supervisor when it exits.
    Temporary,
}

impl Restart {
    /// Whether a child of this type is restarted after exiting with `reason`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::Restart;
    /// use actor::Term;
    ///
    /// assert!(Restart::Permanent.restarts_after(&Term::atom("normal")));
    /// assert!(!Restart::Transient.restarts_after(&Term::atom("shutdown")));
    /// assert!(Restart::Transient.restarts_after(&Term::atom("killed")));
    /// assert!(!Restart::Temporary.restarts_after(&Term::atom("killed")));
    /// ```
    pub fn restarts_after(self, reason: &Term) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => !is_clean_exit(reason),
            Restart::Temporary => false,
        }
    }
}

/// `normal`, `shutdown` or `{shutdown, _}`: the exits a transient child is
/// not restarted after.
pub(crate) fn is_clean_exit(reason: &Term) -> bool {
    reason.is_atom("normal")
        || reason.is_atom("shutdown")
        || matches!(reason, Term::Tuple(items) if items.len() == 2 && items[0].is_atom("shutdown"))
}

/// How a supervisor stops a child.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{ChildSpec, Shutdown};
/// use std::time::Duration;
///
/// let spec = ChildSpec::worker("db", "EchoActor")
///     .shutdown(Shutdown::Timeout(Duration::from_millis(500)));
/// assert_eq!(spec.shutdown_mode(), Shutdown::Timeout(Duration::from_millis(500)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Kill it at once ([`kill`](crate::kill)): its `stop` does not run.
    BrutalKill,
    /// Send it the exit signal `shutdown` (an actor runs `stop(shutdown)`),
    /// wait this long for it to exit, then kill it. The default for workers
    /// (5 s, as OTP).
    Timeout(Duration),
    /// Send it `shutdown` and wait as long as it takes. The default for
    /// child supervisors, so they can stop their own trees in order.
    Infinity,
}

/// Whether a child is a worker or a supervisor in its own right.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{ChildSpec, ChildType, SupervisorSpec};
///
/// assert_eq!(ChildSpec::worker("w", "EchoActor").child_type(), ChildType::Worker);
/// let sub = ChildSpec::supervisor("sub", SupervisorSpec::one_for_one());
/// assert_eq!(sub.child_type(), ChildType::Supervisor);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChildType {
    /// A worker process.
    Worker,
    /// A supervisor (its shutdown defaults to [`Shutdown::Infinity`]).
    Supervisor,
}

/// Starts a child from its start arguments, linked to the caller (the
/// supervisor), and waits until it has started.
pub(crate) type StartFn = Arc<dyn Fn(Term) -> Result<Pid, SpawnError> + Send + Sync>;

/// How a child is started.
#[derive(Clone)]
pub(crate) enum Start {
    /// A registered actor name, with `init` arguments.
    Name(String, Term),
    /// A factory of something spawnable (an actor value, a closure).
    Factory(StartFn),
    /// A nested supervisor.
    Supervisor(Box<SupervisorSpec>),
}

impl fmt::Debug for Start {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Start::Name(name, args) => f.debug_tuple("Name").field(name).field(args).finish(),
            Start::Factory(_) => f.write_str("Factory(..)"),
            Start::Supervisor(spec) => f.debug_tuple("Supervisor").field(spec).finish(),
        }
    }
}

/// A child of a supervisor: an id, how to start it, when to restart it, how
/// to stop it, and whether it is a worker or a supervisor (OTP's
/// `child_spec()`).
///
/// The supervisor starts every child linked to itself, from its own process,
/// and waits until it has started (an actor's `start` has returned): a
/// `start` that fails is a failed start, not a child that dies.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use actor::supervisor::{ChildSpec, Restart, Shutdown, SupervisorSpec};
/// use std::time::Duration;
///
/// // a registered actor, by name
/// let db = ChildSpec::worker("db", "EchoActor")
///     .restart(Restart::Permanent)
///     .shutdown(Shutdown::Timeout(Duration::from_secs(1)));
/// // an actor value or a raw-function process, made fresh for every start
/// let echo = ChildSpec::worker_fn("echo", || actor::actors::EchoActor::default());
/// let ticker = ChildSpec::worker_fn("ticker", || {
///     |mut inbox: Inbox| async move {
///         loop {
///             inbox.recv().await;
///         }
///     }
/// })
/// .shutdown(Shutdown::BrutalKill);
/// // a nested supervisor
/// let sub = ChildSpec::supervisor("sub", SupervisorSpec::one_for_one().child(echo));
///
/// let sup = SupervisorSpec::one_for_all()
///     .child(db)
///     .child(ticker)
///     .child(sub)
///     .start_link()
///     .unwrap();
/// let ids: Vec<String> = actor::supervisor::which_children(sup)
///     .unwrap()
///     .into_iter()
///     .map(|c| c.id)
///     .collect();
/// assert_eq!(ids, ["db", "ticker", "sub"]);
/// actor::supervisor::stop(sup).unwrap();
/// ```
#[derive(Clone)]
pub struct ChildSpec {
    pub(crate) id: String,
    pub(crate) start: Start,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
    pub(crate) child_type: ChildType,
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("start", &self.start)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("child_type", &self.child_type)
            .finish()
    }
}

/// The default shutdown of a worker: 5 s, as OTP.
const WORKER_SHUTDOWN: Shutdown = Shutdown::Timeout(Duration::from_secs(5));

impl ChildSpec {
    fn new(id: impl Into<String>, start: Start, child_type: ChildType) -> ChildSpec {
        ChildSpec {
            id: id.into(),
            start,
            restart: Restart::Permanent,
            shutdown: match child_type {
                ChildType::Worker => WORKER_SHUTDOWN,
                ChildType::Supervisor => Shutdown::Infinity,
            },
            child_type,
        }
    }

    /// A worker that is the actor registered as `name` (`"EchoActor"`, or a
    /// full path), spawned with [`ChildSpec::args`] (`Nil` unless set).
    /// Permanent, with a 5 s shutdown.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::ChildSpec;
    ///
    /// let spec = ChildSpec::worker("echo", "actor::actors::EchoActor");
    /// assert_eq!(spec.id(), "echo");
    /// ```
    pub fn worker(id: impl Into<String>, name: impl Into<String>) -> ChildSpec {
        ChildSpec::new(id, Start::Name(name.into(), Term::Nil), ChildType::Worker)
    }

    /// A worker made by `factory` for every start: it returns anything
    /// [`spawn`](crate::spawn()) takes (an actor value, a closure
    /// `|inbox: Inbox| async move { … }`, a name). Permanent, with a 5 s
    /// shutdown.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::ChildSpec;
    ///
    /// let spec = ChildSpec::worker_fn("echo", actor::actors::EchoActor::default);
    /// assert_eq!(spec.id(), "echo");
    /// ```
    pub fn worker_fn<F, S>(id: impl Into<String>, factory: F) -> ChildSpec
    where
        F: Fn() -> S + Send + Sync + 'static,
        S: IntoSpawn,
    {
        ChildSpec::worker_with_args(id, move |_args: Term| factory())
    }

    /// Like [`ChildSpec::worker_fn`], but the factory gets the start
    /// arguments: the spec's [`args`](ChildSpec::args), or those given to
    /// [`start_child`](super::start_child) for a
    /// [`SimpleOneForOne`](Strategy::SimpleOneForOne) pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::prelude::*;
    /// use actor::supervisor::{self, ChildSpec, SupervisorSpec};
    ///
    /// let template = ChildSpec::worker_with_args("adder", |args: Term| {
    ///     let n = args.as_int().unwrap_or(0);
    ///     move |mut inbox: Inbox| async move {
    ///         loop {
    ///             let m = inbox.recv().await;
    ///             let x = m.data.as_int().unwrap_or(0);
    ///             msg!(std(x + n) ref m.reference > m.from);
    ///         }
    ///     }
    /// });
    /// let pool = SupervisorSpec::simple_one_for_one(template).start_link().unwrap();
    /// let add5 = supervisor::start_child(pool, Term::from(5)).unwrap();
    /// let reply = msg!(std(1) >> add5).wait().unwrap();
    /// assert_eq!(reply.data, 6);
    /// ```
    pub fn worker_with_args<F, S>(id: impl Into<String>, factory: F) -> ChildSpec
    where
        F: Fn(Term) -> S + Send + Sync + 'static,
        S: IntoSpawn,
    {
        // A factory that panics is a failed start of its child (OTP: an
        // `init` that crashes), counted and retried like any other; the
        // supervisor runs on.
        let start: StartFn = Arc::new(move |args| {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| factory(args))) {
                Ok(what) => crate::start_link(what).wait(),
                Err(payload) => Err(SpawnError::StartFailed(crate::process::panic_reason(
                    &*payload,
                ))),
            }
        });
        ChildSpec::new(id, Start::Factory(start), ChildType::Worker)
    }

    /// A child that is a supervisor started from `spec`, linked to its
    /// parent. Permanent, with an infinite shutdown (it stops its own
    /// children first).
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::{ChildSpec, ChildType, SupervisorSpec};
    ///
    /// let sub = SupervisorSpec::one_for_one().child(ChildSpec::worker("w", "EchoActor"));
    /// let spec = ChildSpec::supervisor("sub", sub);
    /// assert_eq!(spec.child_type(), ChildType::Supervisor);
    /// ```
    pub fn supervisor(id: impl Into<String>, spec: SupervisorSpec) -> ChildSpec {
        ChildSpec::new(id, Start::Supervisor(Box::new(spec)), ChildType::Supervisor)
    }

    /// Sets the arguments a registered actor is spawned with (its
    /// `init(args)`), or that a [`worker_with_args`](ChildSpec::worker_with_args)
    /// factory gets. In a pool, [`start_child`](super::start_child)'s
    /// arguments replace them unless those are `Nil`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::ChildSpec;
    ///
    /// let spec = ChildSpec::worker("echo", "EchoActor").args(actor::Term::from(3));
    /// assert_eq!(spec.id(), "echo");
    /// ```
    pub fn args(mut self, args: impl Into<Term>) -> ChildSpec {
        let args = args.into();
        match &mut self.start {
            Start::Name(_, a) => *a = args,
            Start::Factory(f) => {
                let f = f.clone();
                self.start = Start::Factory(Arc::new(move |extra: Term| {
                    f(if extra.is_nil() { args.clone() } else { extra })
                }));
            }
            Start::Supervisor(_) => {}
        }
        self
    }

    /// Sets when the child is restarted (default [`Restart::Permanent`]).
    pub fn restart(mut self, restart: Restart) -> ChildSpec {
        self.restart = restart;
        self
    }

    /// Sets how the child is stopped (default 5 s for a worker, infinity for
    /// a supervisor).
    pub fn shutdown(mut self, shutdown: Shutdown) -> ChildSpec {
        self.shutdown = shutdown;
        self
    }

    /// The child's id, unique among its supervisor's children.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When the child is restarted.
    pub fn restart_type(&self) -> Restart {
        self.restart
    }

    /// How the child is stopped.
    pub fn shutdown_mode(&self) -> Shutdown {
        self.shutdown
    }

    /// Whether it is a worker or a supervisor.
    pub fn child_type(&self) -> ChildType {
        self.child_type
    }

    /// Starts the child linked to the calling process (the supervisor) and
    /// waits until it has started (an actor's `start` has returned), with
    /// `extra` start arguments (a pool child's); the reason when it fails.
    pub(crate) fn start_linked(&self, extra: Term) -> Result<Pid, Term> {
        match &self.start {
            Start::Name(name, args) => {
                let args = if extra.is_nil() { args.clone() } else { extra };
                crate::start_link(name.as_str())
                    .args(args)
                    .wait()
                    .map_err(start_error)
            }
            Start::Factory(f) => f(extra).map_err(start_error),
            Start::Supervisor(spec) => spec.as_ref().clone().start_link().map_err(|e| e.reason()),
        }
    }
}

/// A failed start as an exit reason: the reason `start` failed with, or
/// the spawn error's text (an unknown actor name).
fn start_error(e: SpawnError) -> Term {
    match e {
        SpawnError::StartFailed(reason) => reason,
        other => Term::from(other.to_string()),
    }
}

/// How long to wait before restarting a child that keeps failing:
/// exponential, with a cap and optional jitter.
///
/// A child's *k*-th restart within the supervisor's intensity period waits
/// `min × factor^(k-1)`, capped at `max`, then scaled by a random factor in
/// `[1 - jitter, 1 + jitter]` (and capped again). Restarts older than the
/// period are forgotten, so a child that has been calm for a period
/// restarts after `min` again. While it waits the child shows as
/// restarting in [`which_children`](super::which_children).
///
/// # Examples
///
/// ```
/// use actor::supervisor::Backoff;
/// use std::time::Duration;
///
/// let b = Backoff::exponential(Duration::from_millis(10), Duration::from_millis(50));
/// assert_eq!(b.delay(1), Duration::from_millis(10));
/// assert_eq!(b.delay(2), Duration::from_millis(20));
/// assert_eq!(b.delay(3), Duration::from_millis(40));
/// assert_eq!(b.delay(4), Duration::from_millis(50));
///
/// let j = b.jitter(0.2);
/// let d = j.delay(2);
/// assert!(d >= Duration::from_millis(16) && d <= Duration::from_millis(24));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    factor: f64,
    jitter: f64,
}

impl Backoff {
    /// Doubling delays from `min` up to `max`, without jitter.
    pub fn exponential(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max: max.max(min),
            factor: 2.0,
            jitter: 0.0,
        }
    }

    /// Sets the growth factor (default 2; values below 1 are taken as 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::Backoff;
    /// use std::time::Duration;
    ///
    /// let b = Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1)).factor(3.0);
    /// assert_eq!(b.delay(3), Duration::from_millis(90));
    /// ```
    pub fn factor(mut self, factor: f64) -> Backoff {
        self.factor = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Sets the jitter: each delay is scaled by a random factor in
    /// `[1 - jitter, 1 + jitter]`, so children that failed together do not
    /// restart together. Clamped to `[0, 1]`.
    pub fn jitter(mut self, jitter: f64) -> Backoff {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The delay before restart number `attempt` (counted from 1) of a child.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(64) as i32;
        let base = self.min.as_secs_f64() * self.factor.powi(exp);
        let capped = base.min(self.max.as_secs_f64());
        let scaled = if self.jitter > 0.0 {
            let u = random_unit();
            capped * (1.0 - self.jitter + 2.0 * self.jitter * u)
        } else {
            capped
        };
        Duration::from_secs_f64(scaled.clamp(0.0, self.max.as_secs_f64()))
    }
}

/// A random number in `[0, 1)`: `RandomState` is seeded from the OS, which
/// is plenty for jitter and saves a RNG dependency.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x6a17);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_exits() {
        assert!(is_clean_exit(&Term::atom("normal")));
        assert!(is_clean_exit(&Term::atom("shutdown")));
        assert!(is_clean_exit(&Term::tuple([
            Term::atom("shutdown"),
            Term::from("why")
        ])));
        assert!(!is_clean_exit(&Term::atom("killed")));
        assert!(!is_clean_exit(&Term::from("normal")));
    }

    #[test]
    fn backoff_is_capped_and_jitter_stays_in_range() {
        let b =
            Backoff::exponential(Duration::from_millis(1), Duration::from_millis(100)).jitter(0.5);
        for attempt in 1..100 {
            let d = b.delay(attempt);
            assert!(d <= Duration::from_millis(100));
        }
        assert_eq!(
            Backoff::exponential(Duration::from_millis(1), Duration::from_millis(100))
                .delay(u32::MAX),
            Duration::from_millis(100)
        );
    }
}
