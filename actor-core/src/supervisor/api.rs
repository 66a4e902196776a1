//! The functions that manage a running supervisor, by pid.

use actor_macros::msg;

use crate::{Kind, Pid, Term};

use super::request::{Answer, Reply, Request, API_TIMEOUT};
use super::types::{ChildCount, ChildInfo, ChildKey, NewChild, SupervisorError};

/// What became of a request: the supervisor's answer, or `None` when the
/// process at `sup` answered but is no supervisor.
fn ask(sup: Pid, request: Request) -> Result<Option<Answer>, SupervisorError> {
    let reply = msg!(crate = crate; std(Term::local(request)) >> sup)
        .timeout(API_TIMEOUT)
        .wait()?;
    Ok(match reply.data.into_local() {
        Ok(value) => match value.take::<Answer>() {
            Ok(answer) => Some(answer),
            Err(value) => value.downcast_ref::<Answer>().cloned(),
        },
        Err(_) => None,
    })
}

/// Sends `request` to the supervisor `sup` and waits for its answer.
fn request(sup: Pid, request: Request) -> Result<Reply, SupervisorError> {
    ask(sup, request)?.unwrap_or(Err(SupervisorError::NoProcess))
}

/// The reply that carries a pid.
fn started(reply: Reply) -> Result<Pid, SupervisorError> {
    match reply {
        Reply::Started(pid) => Ok(pid),
        other => Err(unexpected(other)),
    }
}

/// A reply of the wrong kind: a supervisor never sends one.
fn unexpected(reply: Reply) -> SupervisorError {
    SupervisorError::Exit(Term::tuple([
        Term::atom("unexpected_reply"),
        Term::from(format!("{reply:?}")),
    ]))
}

/// Adds a child to the running supervisor `sup` and starts it (OTP's
/// `supervisor:start_child/2`); returns its pid.
///
/// Give a [`ChildSpec`](super::ChildSpec) to a supervisor, or the start arguments (a
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
    started(request(sup, Request::StartChild(child.into()))?)
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
    request(sup, Request::TerminateChild(child.into())).map(drop)
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
    started(request(sup, Request::RestartChild(id.to_owned()))?)
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
    request(sup, Request::DeleteChild(id.to_owned())).map(drop)
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
    match request(sup, Request::WhichChildren)? {
        Reply::Children(children) => Ok(children),
        other => Err(unexpected(other)),
    }
}

/// Whether `pid` is a live OTP supervisor of this node: one started from a
/// [`SupervisorSpec`](super::SupervisorSpec), which the other functions of
/// this module manage. A cheap look at the process (no call), for tools
/// that walk every process, such as the observer drawing supervision
/// trees. The seed's [`actor::actors::Supervisor`](crate::actors::Supervisor)
/// is not one: it speaks its own protocol (`dump_state`).
///
/// # Examples
///
/// ```
/// use actor::supervisor::{self, ChildSpec, SupervisorSpec};
///
/// let sup = SupervisorSpec::one_for_one()
///     .child(ChildSpec::worker("a", "EchoActor"))
///     .start_link()
///     .unwrap();
/// let worker = supervisor::which_children(sup).unwrap()[0].pid().unwrap();
/// assert!(supervisor::is_supervisor(sup));
/// assert!(!supervisor::is_supervisor(worker));
/// let supervisors: Vec<_> = actor::processes()
///     .into_iter()
///     .filter(|&p| supervisor::is_supervisor(p))
///     .collect();
/// assert!(supervisors.contains(&sup));
/// supervisor::stop(sup).unwrap();
/// assert!(!supervisor::is_supervisor(sup));
/// ```
pub fn is_supervisor(pid: Pid) -> bool {
    crate::info::actor_of(pid) == Some(super::server_type())
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
    match request(sup, Request::CountChildren)? {
        Reply::Count(count) => Ok(count),
        other => Err(unexpected(other)),
    }
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
    let mref = crate::monitor(sup);
    match ask(sup, Request::Stop) {
        Ok(Some(Ok(_))) => {}
        // It may have exited meanwhile: the monitor says how.
        Err(SupervisorError::NoProcess | SupervisorError::Exit(_)) => {}
        Ok(None) => {
            crate::demonitor(mref);
            return Err(SupervisorError::NoProcess);
        }
        Ok(Some(Err(e))) | Err(e) => {
            crate::demonitor(mref);
            return Err(e);
        }
    }
    let down = |m: &crate::Message| m.kind == Kind::Down && m.reference == Some(mref);
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
