//! The table of registered names. The public functions (`register`,
//! `whereis`, ...) are in `registry`; a process's exit drops its name here.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::pid::Pid;

type Names = HashMap<Arc<str>, Pid>;

static NAMES: LazyLock<RwLock<Names>> = LazyLock::new(Default::default);

pub(crate) fn read() -> RwLockReadGuard<'static, Names> {
    NAMES.read().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn write() -> RwLockWriteGuard<'static, Names> {
    NAMES.write().unwrap_or_else(|e| e.into_inner())
}

/// The pid registered as `name`.
#[inline]
pub(crate) fn whereis(name: &str) -> Option<Pid> {
    read().get(name).copied()
}

/// Drops `name` when its process `pid` exits.
pub(crate) fn drop_name(name: &str, pid: Pid) {
    let mut names = write();
    if names.get(name) == Some(&pid) {
        names.remove(name);
    }
}
