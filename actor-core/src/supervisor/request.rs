//! What the API functions ask a supervisor and what it answers: Rust
//! values carried by reference in a [`Term::Local`](crate::Term::Local),
//! never spelled as terms and parsed back.

use std::time::Duration;

use crate::Pid;

use super::engine::Token;
use super::types::{ChildCount, ChildInfo, ChildKey, NewChild, SupervisorError};

/// A call to a supervisor.
#[derive(Debug)]
pub(crate) enum Request {
    /// [`start_child`](super::start_child).
    StartChild(NewChild),
    /// [`terminate_child`](super::terminate_child).
    TerminateChild(ChildKey),
    /// [`restart_child`](super::restart_child).
    RestartChild(String),
    /// [`delete_child`](super::delete_child).
    DeleteChild(String),
    /// [`which_children`](super::which_children).
    WhichChildren,
    /// [`count_children`](super::count_children).
    CountChildren,
    /// [`stop`](super::stop): answered, then the supervisor exits.
    Stop,
}

/// What a supervisor answers a [`Request`] with, when it succeeds.
#[derive(Clone, Debug)]
pub(crate) enum Reply {
    /// A child started as this pid.
    Started(Pid),
    /// Done (terminated, deleted, stopping).
    Done,
    /// The children, in start order.
    Children(Vec<ChildInfo>),
    /// The counts.
    Count(ChildCount),
}

/// The data of a supervisor's reply.
pub(crate) type Answer = Result<Reply, SupervisorError>;

/// The message a backoff timer sends its supervisor when the restart
/// `token` is due.
#[derive(Debug)]
pub(crate) struct RestartDue(pub(crate) Token);

/// No timeout of the API's own: the supervisor always answers, after at
/// most a child's shutdown time, and a dead supervisor fails the call at
/// once.
pub(crate) const API_TIMEOUT: Duration = Duration::from_secs(365 * 86400);
