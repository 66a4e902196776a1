//! Looking inside a running system: which processes there are, and what
//! each one is doing (Erlang's `processes/0` and `process_info/1`).

use std::mem::size_of;

use crate::pid::Pid;
use crate::process::{self, Envelope, Proc};

/// What [`process_info`] reports about one process: a snapshot, taken
/// without stopping it.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let echo = actor::spawn("EchoActor").unwrap();
/// actor::register("info_doc_echo", echo).unwrap();
/// msg!(std("hi") >> echo).wait().unwrap();
/// let info = actor::process_info(echo).unwrap();
/// assert_eq!(info.pid, echo);
/// assert_eq!(info.name.as_deref(), Some("info_doc_echo"));
/// assert_eq!(info.actor, Some("actor_core::actors::echo::EchoActor"));
/// assert_eq!(info.parent, Some(actor::pid()));
/// assert_eq!(info.handled, 1);
/// assert!(!info.trap_exit);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessInfo {
    /// The process.
    pub pid: Pid,
    /// Its registered name.
    pub name: Option<String>,
    /// The actor type it runs (`std::any::type_name`), for actors; `None`
    /// for raw-function processes and threads.
    pub actor: Option<&'static str>,
    /// Messages waiting in its mailbox.
    pub mailbox_len: usize,
    /// The processes it is linked to.
    pub links: Vec<Pid>,
    /// The processes it monitors.
    pub monitors: Vec<Pid>,
    /// The processes that monitor it.
    pub monitored_by: Vec<Pid>,
    /// Whether it traps exits.
    pub trap_exit: bool,
    /// How many messages it has taken from its mailbox.
    pub handled: u64,
    /// The process that spawned it; `None` for a plain thread's process.
    pub parent: Option<Pid>,
    /// Whether it is a plain thread's process (not a task on the runtime).
    pub thread: bool,
    /// An estimate, in bytes, of the memory the runtime holds for it: its
    /// record and one envelope per message waiting in its mailbox.
    ///
    /// A lower bound: it leaves out the task's future (an actor's own
    /// state), the channel's spare capacity and whatever a message's data
    /// points to on the heap. It grows with the mailbox, which is where a
    /// process's memory usually runs away.
    pub memory: usize,
}

/// Every live process of this node: Erlang's `processes/0`.
///
/// A snapshot: processes may start and exit while it is taken.
///
/// # Examples
///
/// ```
/// let echo = actor::spawn("EchoActor").unwrap();
/// assert!(actor::processes().contains(&echo));
/// assert!(actor::processes().contains(&actor::pid()));
/// ```
pub fn processes() -> Vec<Pid> {
    process::all()
}

/// What `pid` is doing, or `None` if it is not a live local process:
/// Erlang's `process_info/1`. See [`ProcessInfo`].
pub fn process_info(pid: Pid) -> Option<ProcessInfo> {
    let p = process::lookup(pid)?;
    if p.is_dead() {
        return None;
    }
    let (links, monitors, monitored_by, name) = p.relations.snapshot();
    let mailbox_len = p.mailbox.len();
    Some(ProcessInfo {
        pid,
        name: name.map(|n| n.to_string()),
        actor: p.actor(),
        mailbox_len,
        links,
        monitors: monitors.into_iter().map(|(_, target)| target).collect(),
        monitored_by: monitored_by
            .into_iter()
            .map(|(_, watcher)| watcher)
            .collect(),
        trap_exit: p.signals.traps_exit(),
        handled: p.mailbox.taken(),
        parent: p.parent(),
        thread: p.is_thread(),
        memory: memory(mailbox_len),
    })
}

/// The estimate [`ProcessInfo::memory`] reports: the record with its
/// `Arc` counts, and the queued envelopes.
fn memory(mailbox_len: usize) -> usize {
    size_of::<Proc>() + 2 * size_of::<usize>() + mailbox_len * size_of::<Envelope>()
}

/// The actor type `pid` runs, if it is a live local actor: a cheap look
/// without the rest of [`process_info`] (supervisors find their own kind
/// with it).
pub(crate) fn actor_of(pid: Pid) -> Option<&'static str> {
    process::with_proc(pid, |p| if p.is_dead() { None } else { p.actor() }).flatten()
}
