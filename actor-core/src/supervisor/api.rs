//! The functions that manage a running supervisor, by pid.

use std::fmt;
use std::time::Duration;

use crate::__private::call;
use crate::call::CallError;
use crate::message::Kind;
use crate::pid::Pid;
use crate::term::Term;

use super::server::{stash_spec, unstash_spec};
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
    /// The supervisor is not running.
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

    fn from_reply(reason: &Term) -> SupervisorError {
        if let Some(a) = reason.as_atom() {
            match a {
                "not_found" => return SupervisorError::NotFound,
                "already_present" => return SupervisorError::AlreadyPresent,
                "running" => return SupervisorError::Running,
                "restarting" => return SupervisorError::Restarting,
                _ => {}
            }
        }
        match reason.as_str() {
            Some("simple_one_for_one" | "not_simple_one_for_one") => {
                return SupervisorError::WrongStrategy
            }
            Some("not_found") => return SupervisorError::NotFound,
            Some("already_present") => return SupervisorError::AlreadyPresent,
            Some("running") => return SupervisorError::Running,
            Some("restarting") => return SupervisorError::Restarting,
            _ => {}
        }
        if reason[0].is_atom("already_started") {
            if let Some(pid) = reason[1].as_pid() {
                return SupervisorError::AlreadyStarted(pid);
            }
        }
        SupervisorError::StartFailed(reason.clone())
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
    /// Not running: stopped by [`terminate_child`] or a transient child that
    /// exited normally (OTP's `undefined`).
    Stopped,
}

/// One child, as [`which_children`] reports it.
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

    fn from_term(t: &Term) -> ChildInfo {
        let state = match &t["pid"] {
            Term::Pid(p) => ChildState::Running(*p),
            s if s.is_atom("restarting") => ChildState::Restarting,
            _ => ChildState::Stopped,
        };
        ChildInfo {
            id: t["id"].as_str().unwrap_or_default().to_owned(),
            state,
            child_type: if t["type"].is_atom("supervisor") {
                ChildType::Supervisor
            } else {
                ChildType::Worker
            },
            restart: Restart::from_atom(&t["restart"]).unwrap_or_default(),
        }
    }
}

/// Child counts, as [`count_children`] reports them.
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

/// What [`start_child`] adds: a [`ChildSpec`] to a supervisor, or the start
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

/// No timeout of our own: the supervisor always answers, after at most a
/// child's shutdown time, and a dead supervisor fails the call at once.
const API_TIMEOUT: Duration = Duration::from_secs(365 * 86400);

fn request(sup: Pid, data: Term) -> Result<Term, SupervisorError> {
    let reply = call(sup, Kind::Std, data, None)
        .timeout(API_TIMEOUT)
        .wait()?;
    match reply.data.get("error") {
        Some(reason) => Err(SupervisorError::from_reply(reason)),
        None => Ok(reply.data),
    }
}

fn op(name: &str) -> Vec<(&'static str, Term)> {
    vec![("op", Term::from(name))]
}

/// Adds a child to the running supervisor `sup` and starts it (OTP's
/// `supervisor:start_child/2`); returns its pid.
///
/// Give a [`ChildSpec`] to a supervisor, or the start arguments (a
/// [`Term`]) to a [`SimpleOneForOne`](super::Strategy::SimpleOneForOne) pool:
/// the template starts with them. A child that fails to start is not added.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, SupervisorError, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one().start_link().unwrap();
/// let pid = supervisor::start_child(sup, ChildSpec::worker("echo", "EchoActor")).unwrap();
/// assert_eq!(supervisor::which_children(sup).unwrap()[0].pid(), Some(pid));
/// assert_eq!(
///     supervisor::start_child(sup, ChildSpec::worker("echo", "EchoActor")),
///     Err(SupervisorError::AlreadyStarted(pid))
/// );
/// supervisor::stop(sup).unwrap();
/// ```
pub fn start_child(sup: Pid, child: impl Into<NewChild>) -> Result<Pid, SupervisorError> {
    let mut data = op("start_child");
    let stashed = match child.into() {
        NewChild::Spec(spec) => {
            let r = stash_spec(spec);
            data.push(("spec", Term::Ref(r)));
            Some(r)
        }
        NewChild::Args(args) => {
            data.push(("args", args));
            None
        }
    };
    let res = request(sup, data.into_iter().collect());
    if let Some(r) = stashed {
        // Still here when the supervisor never took it (it was gone).
        unstash_spec(r);
    }
    let reply = res?;
    reply["ok"]
        .as_pid()
        .ok_or_else(|| SupervisorError::StartFailed(reply.clone()))
}

/// Which child of `sup` a terminate names: an id, or a pool child's pid.
fn child_key(child: ChildKey) -> (&'static str, Term) {
    match child {
        ChildKey::Id(id) => ("id", Term::from(id)),
        ChildKey::Pid(pid) => ("pid", Term::Pid(pid)),
    }
}

/// Names a child for [`terminate_child`]: by id (`&str`, `String`), or by
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

/// Stops a child of `sup` by its [`Shutdown`](super::Shutdown) and waits
/// for its exit (OTP's `supervisor:terminate_child/2`). Name it by id, or by
/// pid in a [`SimpleOneForOne`](super::Strategy::SimpleOneForOne) pool.
///
/// A stopped child stays known ([`restart_child`] starts it again,
/// [`delete_child`] forgets it) unless it is temporary or in a pool: those
/// are removed.
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, ChildState, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one()
///     .child(ChildSpec::worker("echo", "EchoActor"))
///     .start_link()
///     .unwrap();
/// let pid = supervisor::which_children(sup).unwrap()[0].pid().unwrap();
/// supervisor::terminate_child(sup, "echo").unwrap();
/// assert!(!actor::is_alive(pid));
/// assert_eq!(supervisor::which_children(sup).unwrap()[0].state, ChildState::Stopped);
/// let again = supervisor::restart_child(sup, "echo").unwrap();
/// assert_ne!(again, pid);
/// supervisor::stop(sup).unwrap();
/// ```
pub fn terminate_child(sup: Pid, child: impl Into<ChildKey>) -> Result<(), SupervisorError> {
    let mut data = op("terminate_child");
    data.push(child_key(child.into()));
    request(sup, data.into_iter().collect()).map(drop)
}

/// Starts again a stopped child of `sup` (OTP's
/// `supervisor:restart_child/2`); returns its new pid.
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
/// assert_eq!(supervisor::restart_child(sup, "echo"), Err(SupervisorError::Running));
/// supervisor::stop(sup).unwrap();
/// ```
pub fn restart_child(sup: Pid, id: &str) -> Result<Pid, SupervisorError> {
    let mut data = op("restart_child");
    data.push(("id", Term::from(id)));
    let reply = request(sup, data.into_iter().collect())?;
    reply["ok"]
        .as_pid()
        .ok_or_else(|| SupervisorError::StartFailed(reply.clone()))
}

/// Forgets a stopped child of `sup` (OTP's `supervisor:delete_child/2`).
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one()
///     .child(ChildSpec::worker("echo", "EchoActor"))
///     .start_link()
///     .unwrap();
/// supervisor::terminate_child(sup, "echo").unwrap();
/// supervisor::delete_child(sup, "echo").unwrap();
/// assert!(supervisor::which_children(sup).unwrap().is_empty());
/// supervisor::stop(sup).unwrap();
/// ```
pub fn delete_child(sup: Pid, id: &str) -> Result<(), SupervisorError> {
    let mut data = op("delete_child");
    data.push(("id", Term::from(id)));
    request(sup, data.into_iter().collect()).map(drop)
}

/// The children of `sup`, in start order (OTP's
/// `supervisor:which_children/1`).
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, ChildType, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one()
///     .child(ChildSpec::worker("a", "EchoActor"))
///     .child(ChildSpec::supervisor("b", SupervisorSpec::one_for_one()))
///     .start_link()
///     .unwrap();
/// let children = supervisor::which_children(sup).unwrap();
/// assert_eq!(children[0].id, "a");
/// assert_eq!(children[1].child_type, ChildType::Supervisor);
/// assert!(children.iter().all(|c| c.pid().is_some()));
/// supervisor::stop(sup).unwrap();
/// ```
pub fn which_children(sup: Pid) -> Result<Vec<ChildInfo>, SupervisorError> {
    let reply = request(sup, op("which_children").into_iter().collect())?;
    Ok(reply
        .as_list()
        .unwrap_or_default()
        .iter()
        .map(ChildInfo::from_term)
        .collect())
}

/// How many children `sup` has, running or not, and of which types (OTP's
/// `supervisor:count_children/1`).
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildCount, ChildSpec, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one()
///     .child(ChildSpec::worker("a", "EchoActor"))
///     .start_link()
///     .unwrap();
/// let n = supervisor::count_children(sup).unwrap();
/// assert_eq!(n, ChildCount { specs: 1, active: 1, supervisors: 0, workers: 1 });
/// supervisor::stop(sup).unwrap();
/// ```
pub fn count_children(sup: Pid) -> Result<ChildCount, SupervisorError> {
    let reply = request(sup, op("count_children").into_iter().collect())?;
    let get = |k: &str| {
        reply[k]
            .as_int()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
    };
    Ok(ChildCount {
        specs: get("specs"),
        active: get("active"),
        supervisors: get("supervisors"),
        workers: get("workers"),
    })
}

/// Stops `sup`: it stops its children in reverse start order, each by its
/// shutdown, then exits with `shutdown`. Returns once it has exited
/// (OTP's `gen_server:stop/1`).
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, SupervisorError, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one()
///     .child(ChildSpec::worker("a", "EchoActor"))
///     .start_link()
///     .unwrap();
/// let child = supervisor::which_children(sup).unwrap()[0].pid().unwrap();
/// supervisor::stop(sup).unwrap();
/// assert!(!actor::is_alive(child));
/// assert_eq!(supervisor::stop(sup), Err(SupervisorError::NoProcess));
/// ```
pub fn stop(sup: Pid) -> Result<(), SupervisorError> {
    let me = crate::process::current();
    let mref = crate::process::monitor(sup);
    let down = |m: &crate::Message| m.kind == Kind::Down && m.reference == Some(mref);
    let deadline = std::time::Instant::now() + API_TIMEOUT;
    if let Err(e) = request(sup, op("stop").into_iter().collect()) {
        // It may have exited meanwhile: the monitor says how.
        if !matches!(e, SupervisorError::NoProcess | SupervisorError::Exit(_)) {
            crate::process::demonitor(mref);
            return Err(e);
        }
    }
    let _ = (me, deadline);
    let reason = match crate::receive_match_timeout(down, API_TIMEOUT) {
        Some(m) => m.data["reason"].clone(),
        None => return Err(SupervisorError::Timeout),
    };
    if reason.is_atom("shutdown") {
        Ok(())
    } else if reason.is_atom("noproc") {
        Err(SupervisorError::NoProcess)
    } else {
        Err(SupervisorError::Exit(reason))
    }
}
