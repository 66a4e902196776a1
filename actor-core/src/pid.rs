//! Process identifiers and references.

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// A process identifier: Erlang's `pid()`, the seed's `Pid('…')`.
///
/// A `Pid` is 128 bits printed as a UUID. It is `Copy`, cheap to compare and
/// hash, and stays valid after its process exits: sending to a dead pid is
/// silent, calling one fails with [`CallError::NoProcess`](crate::CallError).
///
/// The high half names the node the process lives on (for local processes a
/// random tag chosen when the program starts, so pids of two runs never
/// collide); the low half is the process's slot in that node's table.
///
/// # Examples
///
/// ```
/// let me = actor::pid();
/// assert_eq!(me, actor::pid());
/// assert!(format!("{me:?}").starts_with("Pid('"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid {
    pub(crate) hi: u64,
    pub(crate) lo: u64,
}

/// A unique reference: Erlang's `make_ref()`, the seed's `Ref('…')`.
///
/// Calls put a fresh `Ref` on the request and wait for the reply carrying
/// the same one; monitors are named by one.
///
/// # Examples
///
/// ```
/// let a = actor::Ref::new();
/// let b = actor::Ref::new();
/// assert_ne!(a, b);
/// assert!(format!("{a:?}").starts_with("Ref('"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ref {
    pub(crate) hi: u64,
    pub(crate) lo: u64,
}

/// Sets the UUID version (4) and variant bits so every id prints as a
/// well-formed random UUID.
const fn uuid_shape(hi: u64, lo: u64) -> (u64, u64) {
    ((hi & !0xF000) | 0x4000, (lo & !(0b11 << 62)) | (0b10 << 62))
}

/// A random 64-bit number from the OS, without pulling in a RNG crate:
/// `RandomState` is seeded from the OS once per thread and varies its keys.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

/// The tag that marks local pids (their high half), random per program run.
#[inline]
pub(crate) fn local_tag() -> u64 {
    static TAG: OnceLock<u64> = OnceLock::new();
    *TAG.get_or_init(|| uuid_shape(random_u64(), 0).0)
}

/// Scrambles slot keys in the low half so pids print as random UUIDs (the
/// seed's look) while the key stays recoverable: folding the high half
/// into the low one and multiplying by an odd number are both bijections on
/// `u64`.
#[inline]
fn key_mask() -> u64 {
    static MASK: OnceLock<u64> = OnceLock::new();
    *MASK.get_or_init(random_u64)
}

const KEY_MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// Folds the high half into the low one; its own inverse on 64 bits.
const fn fold(x: u64) -> u64 {
    x ^ (x >> 32)
}

/// The inverse of `KEY_MUL` modulo 2^64, by Newton's iteration.
const KEY_MUL_INV: u64 = {
    let mut inv = KEY_MUL;
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(KEY_MUL.wrapping_mul(inv)));
        i += 1;
    }
    inv
};

impl Pid {
    /// No process: the sender of messages from code that is not a process
    /// (a tokio task the program spawned itself). Sending to it goes
    /// nowhere.
    pub const NOBODY: Pid = Pid { hi: 0, lo: 0 };

    /// Builds a pid from its two halves, as [`Pid::to_parts`] returns them.
    pub const fn from_parts(hi: u64, lo: u64) -> Pid {
        Pid { hi, lo }
    }

    /// The two 64-bit halves: node tag and slot key.
    pub const fn to_parts(self) -> (u64, u64) {
        (self.hi, self.lo)
    }

    /// The pid as a `u128` (the UUID's value).
    pub const fn as_u128(self) -> u128 {
        ((self.hi as u128) << 64) | self.lo as u128
    }

    /// Whether this pid names a process of this program (not a remote node).
    #[inline]
    pub fn is_local(self) -> bool {
        self.hi == local_tag()
    }

    pub(crate) fn local(key: u64) -> Pid {
        Pid {
            hi: local_tag(),
            lo: fold((fold(key)).wrapping_mul(KEY_MUL)) ^ key_mask(),
        }
    }

    /// The slot key of a local pid.
    #[inline]
    pub(crate) fn key(self) -> u64 {
        fold(fold(self.lo ^ key_mask()).wrapping_mul(KEY_MUL_INV))
    }
}

/// The high half of every call reference carries this tag in its top 16
/// bits; `Ref::new` never makes a prefix with it, and remote references
/// have another UUID version, so a call reference is never mistaken.
const CALL_TAG: u64 = 0xCA11;

thread_local! {
    static REF_SEQ: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

static REF_THREADS: AtomicU64 = AtomicU64::new(1);

impl Ref {
    /// A fresh reference, unique for the life of the program and, with
    /// overwhelming probability, across programs.
    ///
    /// Cheap: a per-thread random prefix and counter, no system call.
    pub fn new() -> Ref {
        REF_SEQ.with(|seq| {
            let (mut prefix, mut n) = seq.get();
            if prefix == 0 {
                let thread = REF_THREADS.fetch_add(1, Ordering::Relaxed);
                prefix = random_u64() ^ thread.rotate_left(32) | 1;
                if prefix >> 48 == CALL_TAG {
                    prefix ^= 1 << 48;
                }
                n = random_u64() >> 2;
            }
            n = n.wrapping_add(1);
            seq.set((prefix, n));
            let (hi, lo) = uuid_shape(prefix, n);
            Ref { hi, lo }
        })
    }

    /// The reference of call number `seq` of the process whose slot key is
    /// `owner` (62 bits): the caller can tell replies to its calls from
    /// every other message by the reference alone.
    pub(crate) fn call(owner: u64, seq: u64) -> Ref {
        // seq: 44 bits, around the UUID version nibble (bits 12..16).
        let seq = seq & ((1 << 44) - 1);
        let hi = CALL_TAG << 48 | (seq >> 12) << 16 | (seq & 0xFFF);
        let (hi, lo) = uuid_shape(hi, owner);
        Ref { hi, lo }
    }

    /// For a call reference: the caller's slot key and the call's number.
    #[inline]
    pub(crate) fn call_parts(self) -> Option<(u64, u64)> {
        if self.hi >> 48 != CALL_TAG || self.hi & 0xF000 != 0x4000 {
            return None;
        }
        let seq = (self.hi >> 16 & ((1 << 32) - 1)) << 12 | (self.hi & 0xFFF);
        Some((self.lo & !(0b11 << 62), seq))
    }

    /// Builds a reference from its two halves, as [`Ref::to_parts`] returns them.
    pub const fn from_parts(hi: u64, lo: u64) -> Ref {
        Ref { hi, lo }
    }

    /// The two 64-bit halves of the reference.
    pub const fn to_parts(self) -> (u64, u64) {
        (self.hi, self.lo)
    }

    /// The reference as a `u128` (the UUID's value).
    pub const fn as_u128(self) -> u128 {
        ((self.hi as u128) << 64) | self.lo as u128
    }
}

impl Default for Ref {
    fn default() -> Self {
        Ref::new()
    }
}

fn write_uuid(f: &mut fmt::Formatter<'_>, v: u128) -> fmt::Result {
    let mut buf = uuid::Uuid::encode_buffer();
    f.write_str(uuid::Uuid::from_u128(v).hyphenated().encode_lower(&mut buf))
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pid('")?;
        write_uuid(f, self.as_u128())?;
        f.write_str("')")
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_uuid(f, self.as_u128())
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ref('")?;
        write_uuid(f, self.as_u128())?;
        f.write_str("')")
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_uuid(f, self.as_u128())
    }
}

/// Hashing for pids and references in the runtime's maps: their bits are
/// random already, so a multiply and a fold spread them, far cheaper than
/// SipHash. Seeded per program run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdHash(u64);

impl Default for IdHash {
    fn default() -> IdHash {
        static SEED: OnceLock<u64> = OnceLock::new();
        IdHash(*SEED.get_or_init(random_u64))
    }
}

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher(self.0)
    }
}

/// The hasher of [`IdHash`].
#[derive(Debug)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        let x = self.0;
        x ^ (x >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(KEY_MUL).rotate_left(23);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_refs_name_their_caller_and_number() {
        for (owner, seq) in [(0, 1), (5, 77), ((1 << 62) - 1, (1 << 44) - 1)] {
            let r = Ref::call(owner, seq);
            assert_eq!(r.call_parts(), Some((owner, seq)));
            let u = uuid::Uuid::from_u128(r.as_u128());
            assert_eq!(u.get_version_num(), 4);
        }
        assert_ne!(Ref::call(1, 2), Ref::call(2, 1));
        for _ in 0..10_000 {
            assert_eq!(Ref::new().call_parts(), None);
        }
    }

    #[test]
    fn refs_are_unique_and_uuid_shaped() {
        let refs: std::collections::HashSet<Ref> = (0..10_000).map(|_| Ref::new()).collect();
        assert_eq!(refs.len(), 10_000);
        let r = Ref::new();
        let u = uuid::Uuid::from_u128(r.as_u128());
        assert_eq!(u.get_version_num(), 4);
    }

    #[test]
    fn pid_debug_is_seed_like() {
        let p = Pid::local(42);
        let s = format!("{p:?}");
        assert!(s.starts_with("Pid('") && s.ends_with("')"), "{s}");
        assert_eq!(s.len(), "Pid('')".len() + 36);
        assert!(p.is_local());
        assert_eq!(p.key(), 42);
        assert_eq!(KEY_MUL.wrapping_mul(KEY_MUL_INV), 1);
        for key in [0, 1, 2, 1 << 40, u64::MAX >> 1] {
            assert_eq!(Pid::local(key).key(), key);
        }
    }
}
