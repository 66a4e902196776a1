//! OTP supervisors: child specs, restart strategies, restart intensity,
//! restart backoff, ordered shutdown, dynamic children and nested trees.
//!
//! A supervisor is a process that starts its children linked to itself,
//! traps their exits and restarts them by its [`Strategy`] and each child's
//! [`Restart`] type. Describe one with a [`SupervisorSpec`] and start it with
//! [`SupervisorSpec::start_link`]; then manage it by pid with
//! [`start_child`], [`terminate_child`], [`restart_child`],
//! [`delete_child`], [`which_children`], [`count_children`] and [`stop`].
//!
//! (The seed's simpler scaling supervisor is the actor
//! [`actor::actors::Supervisor`](crate::actors::Supervisor).)
//!
//! # Semantics (as OTP's `supervisor`)
//!
//! - Children start in the order given, each with
//!   [`start_link`](crate::start_link): the supervisor waits until a child's
//!   `start` hook has returned before it starts the next. A child that fails
//!   to start (an unknown actor name, a `start` that returns an error) makes
//!   the whole start fail with `{shutdown, {failed_to_start_child, Id,
//!   Reason}}`: the ones already started are stopped in reverse order, and
//!   the failed one is not restarted.
//! - [`Strategy::OneForOne`] restarts the failed child;
//!   [`Strategy::OneForAll`] stops all the others in reverse start order and
//!   restarts everything in start order; [`Strategy::RestForOne`] does that
//!   for the failed child and the children started after it;
//!   [`Strategy::SimpleOneForOne`] is a pool of dynamic children made from one
//!   template by [`start_child`]. A child that was stopped with
//!   [`terminate_child`] stays stopped when its siblings are restarted;
//!   [`Restart::Temporary`] children stopped by a sibling's restart are
//!   removed.
//! - [`Restart::Permanent`] children always restart, [`Restart::Transient`]
//!   ones only after an abnormal exit (not `normal`, `shutdown` or
//!   `{shutdown, _}`), [`Restart::Temporary`] ones never (they are removed).
//! - **Intensity**: when more than `max_restarts` restarts happen within
//!   `period` ([`SupervisorSpec::intensity`], OTP's default 1 in 5 s), the
//!   supervisor stops all its children in reverse start order and exits with
//!   reason `shutdown`, so its own supervisor decides what happens next. A
//!   group restart (one_for_all, rest_for_one) counts once; a child that
//!   fails to *re*start counts as another restart and is tried again.
//! - **Backoff** ([`SupervisorSpec::backoff`], off by default): restarts wait
//!   an exponential, capped, optionally jittered delay; meanwhile the child
//!   shows as [`ChildState::Restarting`].
//! - **Shutdown**: when the supervisor exits (for any reason but `kill`,
//!   which its linked children die of at once), it stops its children in
//!   reverse start order, each by its [`Shutdown`]: the exit signal
//!   `shutdown` (an actor's `stop` runs), then a kill after the timeout.
//! - The supervisor exits with the reason of an exit signal from its parent
//!   (the process that started it), as OTP; exits of other processes that
//!   are not its children are ignored. [`stop`] stops it from anywhere.
//! - The API functions are synchronous calls to the supervisor process.
//!   Called from inside a process they block only that process. A child's
//!   `start` must not call its own supervisor (it is waiting for that start
//!   to return), as in OTP.
//!
//! # Examples
//!
//! A tree three levels deep: the root restarts a crashed worker and leaves
//! its siblings alone.
//!
//! ```
//! use actor::prelude::*;
//! use actor::supervisor::{self, Backoff, ChildSpec, Restart, SupervisorSpec};
//! use std::time::Duration;
//!
//! let leaf = SupervisorSpec::one_for_all()
//!     .child(ChildSpec::worker("a", "EchoActor"))
//!     .child(ChildSpec::worker("b", "EchoActor"));
//! let middle = SupervisorSpec::rest_for_one()
//!     .child(ChildSpec::worker("cache", "EchoActor"))
//!     .child(ChildSpec::supervisor("leaf", leaf));
//! let root = SupervisorSpec::one_for_one()
//!     .intensity(3, Duration::from_secs(5))
//!     .backoff(Backoff::exponential(Duration::from_millis(1), Duration::from_millis(100)))
//!     .child(ChildSpec::worker("db", "EchoActor").restart(Restart::Permanent))
//!     .child(ChildSpec::supervisor("middle", middle))
//!     .start_link()
//!     .unwrap();
//!
//! let db = supervisor::which_children(root).unwrap()[0].pid().unwrap();
//! let down = actor::monitor(db);
//! actor::exit(db, "crash");
//! actor::receive_match_timeout(|m| m.reference == Some(down), Duration::from_secs(5)).unwrap();
//!
//! // the supervisor puts a new "db" in place
//! let new_db = loop {
//!     match supervisor::which_children(root).unwrap()[0].pid() {
//!         Some(p) if p != db => break p,
//!         _ => std::thread::sleep(Duration::from_millis(1)),
//!     }
//! };
//! assert!(actor::is_alive(new_db));
//! let counts = supervisor::count_children(root).unwrap();
//! assert_eq!((counts.specs, counts.active, counts.supervisors), (2, 2, 1));
//!
//! supervisor::stop(root).unwrap();
//! assert!(!actor::is_alive(new_db));
//! ```

mod api;
mod engine;
mod event;
mod request;
mod server;
mod spec;
mod types;

/// The type name a supervisor process runs as.
pub(crate) fn server_type() -> &'static str {
    std::any::type_name::<server::Server>()
}

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::Pid;

pub use self::api::{
    count_children, delete_child, is_supervisor, restart_child, start_child, stop, terminate_child,
    which_children,
};
pub use self::event::Event;
pub use self::spec::{Backoff, ChildSpec, ChildType, Restart, Shutdown, Strategy};
pub use self::types::{ChildCount, ChildInfo, ChildKey, ChildState, NewChild, SupervisorError};

/// A callback that hears a supervisor's [`Event`]s.
pub(crate) type EventFn = Arc<dyn Fn(&Event) + Send + Sync>;

/// The description of a supervisor: strategy, intensity, backoff, children.
/// A builder; [`start_link`](SupervisorSpec::start_link) starts it.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, SupervisorSpec};
/// use std::time::Duration;
///
/// let sup = SupervisorSpec::one_for_one()
///     .intensity(5, Duration::from_secs(10))
///     .child(ChildSpec::worker("echo", "EchoActor"))
///     .start_link()
///     .unwrap();
/// assert_eq!(supervisor::count_children(sup).unwrap().active, 1);
/// supervisor::stop(sup).unwrap();
/// ```
#[derive(Clone)]
pub struct SupervisorSpec {
    pub(crate) strategy: Strategy,
    pub(crate) max_restarts: u32,
    pub(crate) period: Duration,
    pub(crate) backoff: Option<Backoff>,
    pub(crate) children: Vec<ChildSpec>,
    pub(crate) on_event: Option<EventFn>,
    pub(crate) name: Option<String>,
}

impl fmt::Debug for SupervisorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorSpec")
            .field("strategy", &self.strategy)
            .field("max_restarts", &self.max_restarts)
            .field("period", &self.period)
            .field("backoff", &self.backoff)
            .field("children", &self.children)
            .field("on_event", &self.on_event.as_ref().map(|_| ".."))
            .field("name", &self.name)
            .finish()
    }
}

impl SupervisorSpec {
    /// A supervisor with `strategy`, no children yet, OTP's default
    /// intensity (1 restart in 5 s) and no backoff.
    pub fn new(strategy: Strategy) -> SupervisorSpec {
        SupervisorSpec {
            strategy,
            max_restarts: 1,
            period: Duration::from_secs(5),
            backoff: None,
            children: Vec::new(),
            on_event: None,
            name: None,
        }
    }

    /// `SupervisorSpec::new(Strategy::OneForOne)`.
    pub fn one_for_one() -> SupervisorSpec {
        SupervisorSpec::new(Strategy::OneForOne)
    }

    /// `SupervisorSpec::new(Strategy::OneForAll)`.
    pub fn one_for_all() -> SupervisorSpec {
        SupervisorSpec::new(Strategy::OneForAll)
    }

    /// `SupervisorSpec::new(Strategy::RestForOne)`.
    pub fn rest_for_one() -> SupervisorSpec {
        SupervisorSpec::new(Strategy::RestForOne)
    }

    /// A pool: [`Strategy::SimpleOneForOne`] with `template` as the spec of
    /// every child, started by [`start_child`] with arguments. No child
    /// starts with the supervisor.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::{self, ChildSpec, SupervisorSpec};
    /// use actor::Term;
    ///
    /// let pool = SupervisorSpec::simple_one_for_one(ChildSpec::worker("conn", "EchoActor"))
    ///     .start_link()
    ///     .unwrap();
    /// let a = supervisor::start_child(pool, Term::Nil).unwrap();
    /// let b = supervisor::start_child(pool, Term::Nil).unwrap();
    /// assert_ne!(a, b);
    /// assert_eq!(supervisor::count_children(pool).unwrap().active, 2);
    /// supervisor::terminate_child(pool, a).unwrap();
    /// assert_eq!(supervisor::count_children(pool).unwrap().active, 1);
    /// ```
    pub fn simple_one_for_one(template: ChildSpec) -> SupervisorSpec {
        SupervisorSpec::new(Strategy::SimpleOneForOne).child(template)
    }

    /// Sets the strategy.
    pub fn strategy(mut self, strategy: Strategy) -> SupervisorSpec {
        self.strategy = strategy;
        self
    }

    /// Sets the restart intensity: more than `max_restarts` restarts within
    /// `period` and the supervisor gives up, stops its children and exits
    /// with `shutdown`.
    pub fn intensity(mut self, max_restarts: u32, period: Duration) -> SupervisorSpec {
        self.max_restarts = max_restarts;
        self.period = period;
        self
    }

    /// Makes restarts wait by `backoff` (by default they are immediate).
    pub fn backoff(mut self, backoff: Backoff) -> SupervisorSpec {
        self.backoff = Some(backoff);
        self
    }

    /// Adds a child, started after those added before it. For a
    /// [`SimpleOneForOne`](Strategy::SimpleOneForOne) pool, the one child
    /// spec is the template.
    pub fn child(mut self, spec: ChildSpec) -> SupervisorSpec {
        self.children.push(spec);
        self
    }

    /// Adds several children, in order.
    pub fn children(mut self, specs: impl IntoIterator<Item = ChildSpec>) -> SupervisorSpec {
        self.children.extend(specs);
        self
    }

    /// Registers the supervisor under `name` ([`whereis`](crate::whereis)
    /// finds it); starting fails if the name is taken.
    pub fn name(mut self, name: impl Into<String>) -> SupervisorSpec {
        self.name = Some(name.into());
        self
    }

    /// Calls `f` with each [`Event`] of this supervisor (not of nested
    /// ones, which have their own), from the supervisor's process: children
    /// started, exited, terminated, restarts scheduled, the intensity
    /// exceeded, the shutdown. Keep it short; it runs between messages.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::{self, ChildSpec, Event, SupervisorSpec};
    /// use std::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// let sup = SupervisorSpec::one_for_one()
    ///     .child(ChildSpec::worker("echo", "EchoActor"))
    ///     .on_event(move |e| { let _ = tx.lock().unwrap().send(e.clone()); })
    ///     .start_link()
    ///     .unwrap();
    /// match rx.recv().unwrap() {
    ///     Event::Started { id, restart, .. } => assert_eq!((id.as_str(), restart), ("echo", false)),
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// supervisor::stop(sup).unwrap();
    /// ```
    pub fn on_event(mut self, f: impl Fn(&Event) + Send + Sync + 'static) -> SupervisorSpec {
        self.on_event = Some(Arc::new(f));
        self
    }

    /// The strategy.
    pub fn strategy_kind(&self) -> Strategy {
        self.strategy
    }

    /// The child specs, in start order.
    pub fn child_specs(&self) -> &[ChildSpec] {
        &self.children
    }

    /// Starts the supervisor linked to the calling process, which becomes
    /// its parent: the supervisor exits when the parent sends it an exit
    /// signal, and the parent hears of the supervisor's exit. Returns once
    /// every child has started.
    pub fn start_link(self) -> Result<Pid, SupervisorError> {
        server::start(self, true)
    }

    /// Starts the supervisor without a link. The calling process is still
    /// its parent: an exit signal from it stops the supervisor.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::supervisor::{self, ChildSpec, SupervisorSpec};
    ///
    /// let sup = SupervisorSpec::one_for_one()
    ///     .child(ChildSpec::worker("echo", "EchoActor"))
    ///     .start()
    ///     .unwrap();
    /// supervisor::stop(sup).unwrap();
    /// assert!(!actor::is_alive(sup));
    /// ```
    pub fn start(self) -> Result<Pid, SupervisorError> {
        server::start(self, false)
    }
}
