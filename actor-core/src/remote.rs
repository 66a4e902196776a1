//! The seam between the local runtime and distribution: every operation on
//! a pid of another node goes through the installed [`Remote`], and without
//! one (no node started) remote pids behave as unreachable.

use std::sync::OnceLock;

use crate::message::Message;
use crate::pid::{Pid, Ref};
use crate::term::{Term, TermError};

/// Why a message did not leave for another node.
#[derive(Debug)]
pub(crate) enum RemoteError {
    /// The node cannot be reached (or no node runs here).
    Unreachable,
    /// The message holds what the other node cannot hold (a NaN or
    /// infinite float, a `Term::Local`).
    Unencodable(TermError),
}

/// What distribution does for pids and names on other nodes. Installed once
/// by the node when it starts.
pub(crate) trait Remote: Send + Sync + 'static {
    /// Sends `msg` to a remote pid: a plain send, or (with a reference)
    /// the reply to a call that pid made.
    fn send(&self, to: Pid, msg: Message) -> Result<(), RemoteError>;
    /// Sends `msg` to `name` registered on `node`.
    fn send_named(&self, name: &str, node: &str, msg: Message) -> Result<(), RemoteError>;
    /// Sends the call request `msg` (its reference set) to a remote pid.
    fn call(&self, to: Pid, msg: Message) -> Result<(), RemoteError>;
    /// Sends the call request `msg` to `name` registered on `node`.
    fn call_named(&self, name: &str, node: &str, msg: Message) -> Result<(), RemoteError>;
    /// An exit signal (`exit/2`) from a local process to a remote one.
    fn exit(&self, to: Pid, from: Pid, reason: Term);
    /// The local `from`, linked to the remote `to`, exited with `reason`.
    fn link_exit(&self, to: Pid, from: Pid, reason: Term);
    /// Links local `from` and remote `to`. `false` when the node is
    /// unreachable (the link breaks at once).
    fn link(&self, from: Pid, to: Pid) -> bool;
    /// Unlinks local `from` and remote `to`.
    fn unlink(&self, from: Pid, to: Pid);
    /// Local `watcher` monitors remote `target`. `false` when the node is
    /// unreachable (the monitor fires at once).
    fn monitor(&self, watcher: Pid, target: Pid, reference: Ref) -> bool;
    /// Local `watcher` stops monitoring remote `target`.
    fn demonitor(&self, watcher: Pid, target: Pid, reference: Ref);
    /// A local process monitored by a remote one exited.
    fn down(&self, watcher: Pid, target: Pid, reference: Ref, reason: Term);
    /// A remote caller's call to a local process will get no reply.
    fn call_failed(&self, caller: Pid, reference: Ref, reason: Term);
    /// The name of this node, if it is distributed.
    fn node_name(&self) -> &str;
}

static REMOTE: OnceLock<Box<dyn Remote>> = OnceLock::new();

/// Installs distribution. Only the first call takes effect; returns whether
/// this one did.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn install(remote: Box<dyn Remote>) -> bool {
    REMOTE.set(remote).is_ok()
}

fn get() -> Option<&'static dyn Remote> {
    REMOTE.get().map(|b| b.as_ref())
}

/// This node's name when distribution runs, else `None`.
pub(crate) fn node_name() -> Option<&'static str> {
    get().map(|r| r.node_name())
}

pub(crate) fn send(to: Pid, msg: Message) -> Result<(), RemoteError> {
    get().map_or(Err(RemoteError::Unreachable), |r| r.send(to, msg))
}

pub(crate) fn send_named(name: &str, node: &str, msg: Message) -> Result<(), RemoteError> {
    get().map_or(Err(RemoteError::Unreachable), |r| {
        r.send_named(name, node, msg)
    })
}

pub(crate) fn call(to: Pid, msg: Message) -> Result<(), RemoteError> {
    get().map_or(Err(RemoteError::Unreachable), |r| r.call(to, msg))
}

pub(crate) fn call_named(name: &str, node: &str, msg: Message) -> Result<(), RemoteError> {
    get().map_or(Err(RemoteError::Unreachable), |r| {
        r.call_named(name, node, msg)
    })
}

pub(crate) fn exit(to: Pid, from: Pid, reason: Term) {
    if let Some(r) = get() {
        r.exit(to, from, reason);
    }
}

pub(crate) fn link_exit(to: Pid, from: Pid, reason: Term) {
    if let Some(r) = get() {
        r.link_exit(to, from, reason);
    }
}

/// `false` when there is no connection to that node.
pub(crate) fn link(from: Pid, to: Pid) -> bool {
    get().is_some_and(|r| r.link(from, to))
}

pub(crate) fn unlink(from: Pid, to: Pid) {
    if let Some(r) = get() {
        r.unlink(from, to);
    }
}

/// `false` when there is no connection to that node.
pub(crate) fn monitor(watcher: Pid, target: Pid, reference: Ref) -> bool {
    get().is_some_and(|r| r.monitor(watcher, target, reference))
}

pub(crate) fn demonitor(watcher: Pid, target: Pid, reference: Ref) {
    if let Some(r) = get() {
        r.demonitor(watcher, target, reference);
    }
}

pub(crate) fn down(watcher: Pid, target: Pid, reference: Ref, reason: Term) {
    if let Some(r) = get() {
        r.down(watcher, target, reference, reason);
    }
}

pub(crate) fn call_failed(caller: Pid, reference: Ref, reason: Term) {
    if let Some(r) = get() {
        r.call_failed(caller, reference, reason);
    }
}
