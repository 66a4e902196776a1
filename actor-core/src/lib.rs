//! The runtime of the `actor` crate: pids, terms, mailboxes, processes,
//! links, monitors and the registry. Depend on `actor`, not on this crate;
//! everything here is re-exported there.

mod actor;
pub mod actors;
mod call;
#[cfg(feature = "dist")]
mod dist;
mod info;
mod mailbox;
mod message;
mod pid;
mod process;
mod registry;
mod remote;
mod runtime;
mod shutdown;
mod spawn;
pub mod supervisor;
mod term;
mod timer;
mod timers;

#[doc(hidden)]
pub mod __private;

#[cfg(feature = "dist")]
#[doc(hidden)]
pub use crate::dist::fuzz as __dist_fuzz;
#[cfg(feature = "dist")]
#[doc = include_str!("dist/node.md")]
pub mod node {
    pub use crate::dist::node::{
        connect, current, disconnect, monitor_nodes, name, nodes, register_function, spawn_link_on,
        spawn_on, start, EpmdStart, HandlerErrors, Node, NodeBuilder, NodeError,
    };
    pub use crate::dist::peer::{peer_main, Limits, Peer, PeerBuilder, PeerError, Sandbox};
}
#[cfg(feature = "dist")]
pub use crate::dist::node::{spawn_link_on, spawn_on};

pub use crate::actor::Actor;
pub use crate::call::{reply, Call, CallError, CallFuture, Decode, DecodeFuture, IntoTarget};
pub use crate::info::{process_info, processes, ProcessInfo};
pub use crate::mailbox::{
    peek_mailbox, pop_mailbox, receive, receive_match_timeout, receive_timeout, recv, recv_match,
    recv_match_timeout, recv_timeout,
};
pub use crate::message::{Kind, Message};
pub use crate::pid::{Pid, Ref};
pub use crate::process::{
    demonitor, exit, exit_self, kill, link, monitor, pid, scope, trap_exit, unlink, Scope,
    ScopeExit,
};
pub use crate::registry::{register, registered, unregister, whereis, RegistryError};
pub use crate::runtime::{runtime, Runtime, RuntimeBuilder, RuntimeError};
pub use crate::shutdown::{shutdown, shutdown_async, Shutdown};
pub use crate::spawn::{
    registered_actors, spawn, spawn_link, spawn_monitor, spawn_with_args, start, start_link, Inbox,
    IntoSpawn, SpawnError, Start,
};
pub use crate::term::{
    Atom, BigInt, BitString, ImproperList, LocalValue, Opaque, OpaqueKind, ParseBigIntError, Term,
    TermError,
};
pub use crate::timers::{cancel_timer, send_after, send_interval, TimerRef};

/// Whether `pid` names a live process on this node: Erlang's
/// `is_process_alive/1`.
///
/// # Examples
///
/// ```
/// assert!(actor::is_alive(actor::pid()));
/// ```
pub fn is_alive(pid: Pid) -> bool {
    process::is_alive(pid)
}
