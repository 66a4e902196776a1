//! What a supervisor's API speaks of: its errors, its children's state
//! and counts, and how a child is named or added. The functions that use
//! them are in `api`; the server and engine use them too, so they sit here,
//! below all three.

use std::fmt;

use crate::{CallError, Pid, Term};

use super::spec::{ChildSpec, ChildType, Restart};
/// Why a supervisor operation failed.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, SupervisorError, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one()
///     .child(ChildSpec::worker("echo", "EchoActor"))
///     .start_link()
///     .unwrap();
/// assert_eq!(supervisor::delete_child(sup, "echo"), Err(SupervisorError::Running));
/// assert_eq!(supervisor::terminate_child(sup, "nope"), Err(SupervisorError::NotFound));
/// let e = supervisor::start_child(sup, ChildSpec::worker("bad", "NoSuchActor")).unwrap_err();
/// assert!(matches!(e, SupervisorError::StartFailed(_)));
/// supervisor::stop(sup).unwrap();
/// assert_eq!(supervisor::count_children(sup), Err(SupervisorError::NoProcess));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SupervisorError {
    /// The supervisor is not running (or the pid is not a supervisor's).
    NoProcess,
    /// The supervisor did not answer in time.
    Timeout,
    /// The supervisor exited, with this reason, before answering.
    Exit(Term),
    /// The spec given to `start` or `start_link` is invalid.
    BadSpec(String),
    /// A child (or the supervisor itself) failed to start, with this reason.
    StartFailed(Term),
    /// No child has that id (or, in a pool, that pid).
    NotFound,
    /// A running child already has that id.
    AlreadyStarted(Pid),
    /// A stopped child already has that id
    /// ([`delete_child`](super::delete_child) it first).
    AlreadyPresent,
    /// The child is running (stop it with
    /// [`terminate_child`](super::terminate_child) first).
    Running,
    /// The child is waiting out a restart backoff.
    Restarting,
    /// The operation does not apply to this supervisor's strategy: a child
    /// spec given to a pool, arguments to a supervisor that is not one,
    /// `restart_child`/`delete_child` on a pool.
    WrongStrategy,
}

impl SupervisorError {
    /// The error as an exit reason, OTP-style (`{error, …}` shapes), for a
    /// parent supervisor's report.
    pub fn reason(&self) -> Term {
        match self {
            SupervisorError::NoProcess => Term::atom("noproc"),
            SupervisorError::Timeout => Term::atom("timeout"),
            SupervisorError::Exit(r) | SupervisorError::StartFailed(r) => r.clone(),
            SupervisorError::BadSpec(why) => {
                Term::tuple([Term::atom("bad_spec"), Term::from(why.as_str())])
            }
            SupervisorError::NotFound => Term::atom("not_found"),
            SupervisorError::AlreadyStarted(pid) => {
                Term::tuple([Term::atom("already_started"), Term::Pid(*pid)])
            }
            SupervisorError::AlreadyPresent => Term::atom("already_present"),
            SupervisorError::Running => Term::atom("running"),
            SupervisorError::Restarting => Term::atom("restarting"),
            SupervisorError::WrongStrategy => Term::atom("wrong_strategy"),
        }
    }
}

impl fmt::Display for SupervisorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SupervisorError::NoProcess => f.write_str("the supervisor is not running"),
            SupervisorError::Timeout => f.write_str("the supervisor did not answer in time"),
            SupervisorError::Exit(r) => write!(f, "the supervisor exited: {r}"),
            SupervisorError::BadSpec(why) => write!(f, "invalid supervisor spec: {why}"),
            SupervisorError::StartFailed(r) => write!(f, "start failed: {r}"),
            SupervisorError::NotFound => f.write_str("no such child"),
            SupervisorError::AlreadyStarted(pid) => {
                write!(f, "a child with that id is already running as {pid:?}")
            }
            SupervisorError::AlreadyPresent => {
                f.write_str("a stopped child with that id exists; delete it first")
            }
            SupervisorError::Running => f.write_str("the child is running; terminate it first"),
            SupervisorError::Restarting => f.write_str("the child is waiting to restart"),
            SupervisorError::WrongStrategy => {
                f.write_str("the operation does not apply to this supervisor's strategy")
            }
        }
    }
}

impl std::error::Error for SupervisorError {}

impl From<CallError> for SupervisorError {
    fn from(e: CallError) -> SupervisorError {
        match e {
            CallError::NoProcess => SupervisorError::NoProcess,
            CallError::Timeout => SupervisorError::Timeout,
            CallError::Exit(r) => SupervisorError::Exit(r),
            other => SupervisorError::Exit(Term::from(other)),
        }
    }
}

/// Where a child is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildState {
    /// Running as this process.
    Running(Pid),
    /// Waiting out a restart backoff.
    Restarting,
    /// Not running: stopped by [`terminate_child`](super::terminate_child) or a transient child that
    /// exited normally (OTP's `undefined`).
    Stopped,
}

/// One child, as [`which_children`](super::which_children) reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildInfo {
    /// The child's id (in a pool, the template's).
    pub id: String,
    /// Running, restarting or stopped.
    pub state: ChildState,
    /// Worker or supervisor.
    pub child_type: ChildType,
    /// Its restart type.
    pub restart: Restart,
}

impl ChildInfo {
    /// The child's pid when it is running.
    pub fn pid(&self) -> Option<Pid> {
        match self.state {
            ChildState::Running(pid) => Some(pid),
            _ => None,
        }
    }
}

/// Child counts, as [`count_children`](super::count_children) reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ChildCount {
    /// Children the supervisor knows, running or not.
    pub specs: usize,
    /// Children running.
    pub active: usize,
    /// Children that are supervisors.
    pub supervisors: usize,
    /// Children that are workers.
    pub workers: usize,
}

/// What [`start_child`](super::start_child) adds: a [`ChildSpec`] to a supervisor, or the start
/// arguments of a new pool child to a
/// [`SimpleOneForOne`](super::Strategy::SimpleOneForOne) supervisor (any
/// [`Term`]: `Term::Nil` for none).
#[derive(Debug)]
pub enum NewChild {
    /// A new child for a supervisor that is not a pool.
    Spec(ChildSpec),
    /// The arguments of a new child of a pool.
    Args(Term),
}

impl From<ChildSpec> for NewChild {
    fn from(spec: ChildSpec) -> NewChild {
        NewChild::Spec(spec)
    }
}

impl From<Term> for NewChild {
    fn from(args: Term) -> NewChild {
        NewChild::Args(args)
    }
}

/// Names a child for [`terminate_child`](super::terminate_child): by id (`&str`, `String`), or by
/// pid in a [`SimpleOneForOne`](super::Strategy::SimpleOneForOne) pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildKey {
    /// The child's id.
    Id(String),
    /// A pool child's pid.
    Pid(Pid),
}

impl From<&str> for ChildKey {
    fn from(id: &str) -> ChildKey {
        ChildKey::Id(id.to_owned())
    }
}

impl From<String> for ChildKey {
    fn from(id: String) -> ChildKey {
        ChildKey::Id(id)
    }
}

impl From<Pid> for ChildKey {
    fn from(pid: Pid) -> ChildKey {
        ChildKey::Pid(pid)
    }
}
