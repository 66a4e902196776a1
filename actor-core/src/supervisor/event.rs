//! What a supervisor reports to its event hook.

use std::time::Duration;

use crate::{Pid, Term};

/// Something a supervisor did or saw, given to the hook set with
/// [`SupervisorSpec::on_event`](super::SupervisorSpec::on_event) in the
/// order it happened. Useful for logging (OTP's supervisor reports) and for
/// tests that must observe restarts without sleeping.
///
/// # Examples
///
/// ```
/// use actor::supervisor::Event;
///
/// fn log(e: &Event) {
///     if let Event::Exited { id, reason, .. } = e {
///         eprintln!("child {id} exited: {reason}");
///     }
/// }
/// # let _ = log;
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A child started: at the supervisor's start or by
    /// [`start_child`](super::start_child) (`restart: false`), or as a
    /// restart (`restart: true`).
    Started {
        /// The supervisor.
        supervisor: Pid,
        /// The child's id.
        id: String,
        /// The child's new pid.
        pid: Pid,
        /// Whether this start is a restart.
        restart: bool,
    },
    /// Starting a child failed.
    StartFailed {
        /// The supervisor.
        supervisor: Pid,
        /// The child's id.
        id: String,
        /// Why.
        reason: Term,
    },
    /// A child exited on its own (not stopped by the supervisor).
    Exited {
        /// The supervisor.
        supervisor: Pid,
        /// The child's id.
        id: String,
        /// The pid it had.
        pid: Pid,
        /// Its exit reason.
        reason: Term,
    },
    /// The supervisor decided to restart children after a child's exit (or
    /// failed restart); they start after `delay` (zero without backoff).
    RestartScheduled {
        /// The supervisor.
        supervisor: Pid,
        /// The child whose exit caused the restart.
        id: String,
        /// That child's restart count within the intensity period (1 for
        /// the first).
        attempt: u32,
        /// How long the restart waits.
        delay: Duration,
    },
    /// The supervisor stopped a child: for a strategy's restart, at
    /// [`terminate_child`](super::terminate_child), or at its own shutdown.
    Terminated {
        /// The supervisor.
        supervisor: Pid,
        /// The child's id.
        id: String,
        /// The pid it had.
        pid: Pid,
        /// The reason it exited with (`shutdown`, or `killed` after a
        /// brutal kill or a timeout).
        reason: Term,
    },
    /// More restarts than the intensity allows: the supervisor shuts down
    /// with reason `shutdown`.
    IntensityExceeded {
        /// The supervisor.
        supervisor: Pid,
        /// The allowed restarts.
        max_restarts: u32,
        /// Within this period.
        period: Duration,
    },
    /// The supervisor stopped all its children and is exiting.
    Shutdown {
        /// The supervisor.
        supervisor: Pid,
        /// Its exit reason.
        reason: Term,
    },
}
