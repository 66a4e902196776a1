//! The lossless mapping between Erlang's node-qualified pids and references
//! and this crate's 128-bit `Pid` and `Ref`.
//!
//! Local ids keep their bits: a local pid's slot key becomes the `ID`
//! (low 32 bits) and `Serial` (high 32 bits) of a `NEW_PID_EXT` of this
//! node; a local ref's 128 bits become four 32-bit words of a
//! `NEWER_REFERENCE_EXT`. Both need the peer's `V4_NC` flag, which the
//! handshake demands.
//!
//! Remote ids carry UUID version nibble 8 ("custom") in bits 12..16 of the
//! high word, which local ids (version 4) never have:
//!
//! - pid: `hi` = node index << 32 | 0x8000, `lo` = serial << 32 | id, where
//!   the node index names a `(node name, creation)` pair interned for the
//!   life of the program;
//! - ref of up to three words: `hi` = node index (24 bits) << 40 | word
//!   count << 36 | word 0 spread around the nibble, `lo` = word 2 << 32 |
//!   word 1;
//! - longer refs (OTP's alias refs have five words) are interned in a
//!   bounded table and `lo` holds the entry's number.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, OnceLock};

use crate::pid::{Pid, Ref};

const REMOTE_NIBBLE: u64 = 0x8000;
const NIBBLE_MASK: u64 = 0xF000;
/// The word count that marks an interned (long) reference.
const INTERNED: u64 = 0xF;
/// How many long references one generation of the table keeps.
const LONG_REFS_PER_GEN: usize = 1 << 16;

/// A node as pids and refs name it: its name and creation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NodeId {
    pub(crate) name: Arc<str>,
    pub(crate) creation: u32,
}

/// An Erlang pid, spelled out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExtPid {
    pub(crate) node: NodeId,
    pub(crate) id: u32,
    pub(crate) serial: u32,
}

/// An Erlang reference, spelled out.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ExtRef {
    pub(crate) node: NodeId,
    pub(crate) words: Vec<u32>,
}

#[derive(Default)]
struct Tables {
    nodes: Vec<NodeId>,
    node_index: HashMap<NodeId, u32>,
    /// Long refs, in two generations: when `current` fills up it becomes
    /// `previous` and the oldest entries are forgotten.
    long_current: HashMap<ExtRef, u64>,
    long_previous: HashMap<ExtRef, u64>,
    long_by_id: HashMap<u64, ExtRef>,
    long_prev_by_id: HashMap<u64, ExtRef>,
    next_long: u64,
}

static TABLES: LazyLock<Mutex<Tables>> = LazyLock::new(Default::default);

fn tables() -> MutexGuard<'static, Tables> {
    TABLES.lock().unwrap_or_else(|e| e.into_inner())
}

/// This node's name and creation, once it runs.
static LOCAL: OnceLock<NodeId> = OnceLock::new();

/// Names this node: from now on its pids and refs carry `id`. Once per
/// program; later calls change nothing.
pub(crate) fn set_local(id: NodeId) {
    let _ = LOCAL.set(id);
}

/// This node's id, as its pids and refs carry it (`nonode@nohost`, 0 when
/// no node runs).
pub(crate) fn local_node() -> NodeId {
    match LOCAL.get() {
        Some(id) => id.clone(),
        None => unknown_node(),
    }
}

fn intern_node(t: &mut Tables, node: &NodeId) -> u32 {
    if let Some(&i) = t.node_index.get(node) {
        return i;
    }
    let i = t.nodes.len() as u32;
    t.nodes.push(node.clone());
    t.node_index.insert(node.clone(), i);
    i
}

/// The node a remote pid or ref lives on, from its index.
fn node_at(index: u64) -> Option<NodeId> {
    tables().nodes.get(index as usize).cloned()
}

fn is_remote(hi: u64) -> bool {
    hi & NIBBLE_MASK == REMOTE_NIBBLE
}

/// The pid for an Erlang pid: local when it names this node's current
/// incarnation, else a remote pid.
pub(crate) fn pid_from_ext(p: &ExtPid) -> Pid {
    let local = local_node();
    if p.node == local {
        return Pid::from_parts(
            crate::pid::local_tag(),
            (p.serial as u64) << 32 | p.id as u64,
        );
    }
    let index = intern_node(&mut tables(), &p.node) as u64;
    Pid::from_parts(
        index << 32 | REMOTE_NIBBLE,
        (p.serial as u64) << 32 | p.id as u64,
    )
}

/// The Erlang pid for a pid.
pub(crate) fn pid_to_ext(pid: Pid) -> ExtPid {
    let (hi, lo) = pid.to_parts();
    let node = if pid.is_local() {
        local_node()
    } else if is_remote(hi) {
        node_at(hi >> 32).unwrap_or_else(unknown_node)
    } else {
        // A pid made by hand from parts that name no node.
        unknown_node()
    };
    ExtPid {
        node,
        id: lo as u32,
        serial: (lo >> 32) as u32,
    }
}

fn unknown_node() -> NodeId {
    NodeId {
        name: Arc::from("nonode@nohost"),
        creation: 0,
    }
}

/// The node a remote pid lives on; `None` for a local pid.
pub(crate) fn pid_node(pid: Pid) -> Option<NodeId> {
    if pid.is_local() {
        return None;
    }
    let (hi, _) = pid.to_parts();
    if is_remote(hi) {
        node_at(hi >> 32)
    } else {
        Some(unknown_node())
    }
}

/// The ref for an Erlang reference.
pub(crate) fn ref_from_ext(r: &ExtRef) -> Ref {
    let local = local_node();
    if r.node == local && r.words.len() == 4 {
        let w = |i: usize| r.words[i] as u64;
        return Ref::from_parts(w(3) << 32 | w(2), w(1) << 32 | w(0));
    }
    let mut t = tables();
    let index = intern_node(&mut t, &r.node) as u64;
    if (1..=3).contains(&r.words.len()) && index < 1 << 24 {
        let w = |i: usize| r.words.get(i).copied().unwrap_or(0) as u64;
        let w0 = w(0);
        let hi = index << 40
            | (r.words.len() as u64) << 36
            | (w0 >> 12) << 16
            | REMOTE_NIBBLE
            | (w0 & 0xFFF);
        return Ref::from_parts(hi, w(2) << 32 | w(1));
    }
    let id = intern_long(&mut t, r);
    Ref::from_parts(
        (index & 0xFF_FFFF) << 40 | INTERNED << 36 | REMOTE_NIBBLE,
        id,
    )
}

fn intern_long(t: &mut Tables, r: &ExtRef) -> u64 {
    if let Some(&id) = t.long_current.get(r) {
        return id;
    }
    if let Some(id) = t.long_previous.remove(r) {
        let ext = t.long_prev_by_id.remove(&id).unwrap_or_else(|| r.clone());
        t.long_current.insert(r.clone(), id);
        t.long_by_id.insert(id, ext);
        return id;
    }
    if t.long_current.len() >= LONG_REFS_PER_GEN {
        t.long_previous = std::mem::take(&mut t.long_current);
        t.long_prev_by_id = std::mem::take(&mut t.long_by_id);
    }
    t.next_long += 1;
    let id = t.next_long;
    t.long_current.insert(r.clone(), id);
    t.long_by_id.insert(id, r.clone());
    id
}

/// The Erlang reference for a ref.
pub(crate) fn ref_to_ext(r: Ref) -> ExtRef {
    let (hi, lo) = r.to_parts();
    if !is_remote(hi) {
        return ExtRef {
            node: local_node(),
            words: vec![lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32],
        };
    }
    let index = hi >> 40;
    let count = (hi >> 36) & 0xF;
    let node = node_at(index).unwrap_or_else(unknown_node);
    if count == INTERNED {
        let t = tables();
        if let Some(ext) = t.long_by_id.get(&lo).or_else(|| t.long_prev_by_id.get(&lo)) {
            return ext.clone();
        }
        // Forgotten: the best we can do is a reference nobody holds.
        return ExtRef {
            node,
            words: vec![0, lo as u32, (lo >> 32) as u32],
        };
    }
    let w0 = ((hi >> 16) & 0xF_FFFF) << 12 | (hi & 0xFFF);
    let all = [w0 as u32, lo as u32, (lo >> 32) as u32];
    ExtRef {
        node,
        words: all[..(count as usize).clamp(1, 3)].to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, creation: u32) -> NodeId {
        NodeId {
            name: Arc::from(name),
            creation,
        }
    }

    #[test]
    fn local_ids_round_trip() {
        let p = Pid::local(0x1234_5678_9abc);
        assert_eq!(pid_from_ext(&pid_to_ext(p)), p);
        let r = Ref::new();
        assert_eq!(ref_from_ext(&ref_to_ext(r)), r);
    }

    #[test]
    fn remote_ids_round_trip() {
        let e = ExtPid {
            node: node("erl@localhost", 0xdead_beef),
            id: 93,
            serial: 7,
        };
        let p = pid_from_ext(&e);
        assert!(!p.is_local());
        assert_eq!(pid_to_ext(p), e);
        assert_eq!(pid_node(p), Some(e.node.clone()));
        for words in [vec![1], vec![0x3ffff, 2], vec![0xffff_ffff, 3, 0xffff_ffff]] {
            let e = ExtRef {
                node: node("erl@localhost", 5),
                words,
            };
            assert_eq!(ref_to_ext(ref_from_ext(&e)), e);
        }
        let long = ExtRef {
            node: node("erl@localhost", 5),
            words: vec![1, 2, 3, 4, 5],
        };
        let r = ref_from_ext(&long);
        assert_eq!(r, ref_from_ext(&long));
        assert_eq!(ref_to_ext(r), long);
    }
}
