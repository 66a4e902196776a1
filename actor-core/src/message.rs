//! Messages and their kinds.

use std::fmt;

use crate::pid::{Pid, Ref};
use crate::term::Term;

/// What a message is for: the seed's `msg_type`.
///
/// `Std` and `Info` carry application data; the others are the runtime's
/// vocabulary (`Death` for a linked process's exit, `Down` for a monitor,
/// `Err` for an error reply, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Kind {
    /// A standard message (`std_msg`); `gen_server` calls and casts.
    Std,
    /// An informational message (`info_msg`); plain Erlang messages.
    Info,
    /// A kill request (`kill_msg`): the target dies with `killed`.
    Kill,
    /// A linked process exited (`death_msg`); `data` is `{reason: …}`.
    Death,
    /// A liveness notice (`up_msg`).
    Up,
    /// An error reply (`err_msg`).
    Err,
    /// A link request (`link_msg`).
    Link,
    /// An unlink request (`unlink_msg`).
    Unlink,
    /// A reload request (`reload_msg`).
    Reload,
    /// A monitored process exited; `reference` is the monitor's, `data` is `{reason: …}`.
    Down,
}

impl Kind {
    /// All ten kinds, in declaration order.
    pub const ALL: [Kind; 10] = [
        Kind::Std,
        Kind::Info,
        Kind::Kill,
        Kind::Death,
        Kind::Up,
        Kind::Err,
        Kind::Link,
        Kind::Unlink,
        Kind::Reload,
        Kind::Down,
    ];

    /// The seed's name for the kind: `"std_msg"`, `"info_msg"`, ...
    pub const fn seed_name(self) -> &'static str {
        match self {
            Kind::Std => "std_msg",
            Kind::Info => "info_msg",
            Kind::Kill => "kill_msg",
            Kind::Death => "death_msg",
            Kind::Up => "up_msg",
            Kind::Err => "err_msg",
            Kind::Link => "link_msg",
            Kind::Unlink => "unlink_msg",
            Kind::Reload => "reload_msg",
            Kind::Down => "down_msg",
        }
    }

    /// The handler name for the kind in an `#[actor]` impl: `"std"`, `"info"`, ...
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Std => "std",
            Kind::Info => "info",
            Kind::Kill => "kill",
            Kind::Death => "death",
            Kind::Up => "up",
            Kind::Err => "err",
            Kind::Link => "link",
            Kind::Unlink => "unlink",
            Kind::Reload => "reload",
            Kind::Down => "down",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A message: the seed's message dict.
///
/// `from` is the sender (the seed's `r_pid`); `reference` is set on calls and
/// on their replies, and on `Down` messages (the monitor's reference).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// msg!(std { hi: "hey" } > actor::pid());
/// let m = actor::pop_mailbox().unwrap();
/// assert_eq!(m.kind, Kind::Std);
/// assert_eq!(m.data["hi"], "hey");
/// assert_eq!(m.from, actor::pid());
/// assert_eq!(m.reference, None);
/// ```
#[derive(Clone, PartialEq)]
pub struct Message {
    /// What the message is for.
    pub kind: Kind,
    /// The payload.
    pub data: Term,
    /// The call reference, if this is a call or a reply to one.
    pub reference: Option<Ref>,
    /// The sender.
    pub from: Pid,
}

impl Message {
    /// A message with no reference.
    pub fn new(kind: Kind, data: impl Into<Term>, from: Pid) -> Message {
        Message {
            kind,
            data: data.into(),
            reference: None,
            from,
        }
    }
}

impl fmt::Debug for Message {
    /// Reads like the seed's dicts:
    /// `{'data': {'hi': 'hey'}, 'msg_type': 'std_msg', 'ref': None, 'r_pid': Pid('…')}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{'data': {:?}, 'msg_type': '{}', 'ref': ",
            self.data,
            self.kind.seed_name()
        )?;
        match &self.reference {
            Some(r) => write!(f, "{r:?}")?,
            None => f.write_str("None")?,
        }
        write!(f, ", 'r_pid': {:?}}}", self.from)
    }
}
