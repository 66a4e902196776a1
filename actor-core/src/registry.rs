//! Registered process names, and the actor types `spawn` finds by name.

use std::fmt;
use std::sync::Arc;

use crate::process::{lookup, names};
use crate::Pid;

/// Why [`register`] refused a name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// Another live process holds the name.
    Taken {
        /// The name.
        name: String,
        /// Its holder.
        holder: Pid,
    },
    /// The process is not alive (or is not on this node).
    NoProcess(Pid),
    /// The process already has a name (a process has at most one).
    AlreadyNamed {
        /// The process.
        pid: Pid,
        /// Its name.
        name: String,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Taken { name, holder } => {
                write!(f, "the name `{name}` is already registered to {holder:?}")
            }
            RegistryError::NoProcess(pid) => {
                write!(f, "cannot register {pid:?}: no such process is alive")
            }
            RegistryError::AlreadyNamed { pid, name } => {
                write!(f, "{pid:?} is already registered as `{name}`")
            }
        }
    }
}

impl std::error::Error for RegistryError {}

/// Registers `name` for the live process `pid`, as Erlang's `register/2`:
/// the name then works as a [`msg!`](actor_macros::msg!) target and with
/// [`whereis`]. The name is dropped when the process exits.
///
/// # Examples
///
/// ```
/// let echo = actor::spawn("EchoActor").unwrap();
/// actor::register("doc_echo", echo).unwrap();
/// assert_eq!(actor::whereis("doc_echo"), Some(echo));
/// assert!(actor::register("doc_echo", actor::pid()).is_err());
/// ```
pub fn register(name: impl Into<String>, pid: Pid) -> Result<(), RegistryError> {
    let name: Arc<str> = name.into().into();
    let mut table = names::write();
    if let Some(&holder) = table.get(&name) {
        return Err(RegistryError::Taken {
            name: name.to_string(),
            holder,
        });
    }
    let proc = lookup(pid).ok_or(RegistryError::NoProcess(pid))?;
    proc.relations.with_name(|dead, slot| {
        if dead {
            return Err(RegistryError::NoProcess(pid));
        }
        if let Some(old) = slot {
            return Err(RegistryError::AlreadyNamed {
                pid,
                name: old.to_string(),
            });
        }
        *slot = Some(name.clone());
        Ok(())
    })?;
    table.insert(name, pid);
    Ok(())
}

/// Removes a registered name; returns whether it was registered.
///
/// # Examples
///
/// ```
/// actor::register("doc_unregister", actor::pid()).unwrap();
/// assert!(actor::unregister("doc_unregister"));
/// assert_eq!(actor::whereis("doc_unregister"), None);
/// ```
pub fn unregister(name: &str) -> bool {
    let removed = names::write().remove(name);
    if let Some(pid) = removed {
        if let Some(proc) = lookup(pid) {
            proc.relations.with_name(|_, slot| {
                if slot.as_deref() == Some(name) {
                    *slot = None;
                }
            });
        }
    }
    removed.is_some()
}

/// The pid registered as `name`, if any: Erlang's `whereis/1`.
///
/// # Examples
///
/// ```
/// assert_eq!(actor::whereis("nobody_has_this_name"), None);
/// ```
pub fn whereis(name: &str) -> Option<Pid> {
    names::whereis(name)
}

/// Every registered name, sorted: Erlang's `registered/0`.
pub fn registered() -> Vec<String> {
    let mut v: Vec<String> = names::read().keys().map(|k| k.to_string()).collect();
    v.sort();
    v
}
