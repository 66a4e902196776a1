//! The external term format: `Term` to bytes and back.
//!
//! The mapping, chosen so Erlang code sees ordinary values:
//!
//! | `Term`            | Erlang                                   |
//! |-------------------|------------------------------------------|
//! | `Nil`             | `undefined`                              |
//! | `Bool(b)`         | `true` / `false`                         |
//! | `Int(i)`, `BigInt(b)` | integer (any size)                   |
//! | `Float(f)`        | float (a NaN or an infinity is refused: Erlang has none) |
//! | `Atom(a)`         | atom (Latin-1 atoms decode to the same characters) |
//! | `Str(s)`          | UTF-8 binary                             |
//! | `Bytes(b)`        | binary (decoded as `Str` when it is valid UTF-8) |
//! | `BitStr(b)`       | bit string                               |
//! | `List(v)`         | proper list (`STRING_EXT` decodes to a list of integers) |
//! | `ImproperList(l)` | improper list                            |
//! | `Tuple(v)`        | tuple                                    |
//! | `Map(m)`          | map                                      |
//! | `Pid(p)`, `Ref(r)`| pid, reference (see `ids`: lossless)     |
//! | `Opaque(o)`       | a fun, port or old reference, written back byte for byte |
//! | `Local(v)`        | refused: it lives in this program only   |
//!
//! Every term an Erlang node sends decodes; encoding fails only for what
//! Erlang cannot hold, so the error reaches the Rust code that sent it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::ids::{self, ExtPid, ExtRef, NodeId};
use crate::term::{Atom, BigInt, BitString, Children, Opaque, OpaqueKind, Term};

pub(crate) const VERSION: u8 = 131;
const NEW_FLOAT: u8 = 70;
const BIT_BINARY: u8 = 77;
const NEW_PID: u8 = 88;
const NEW_PORT: u8 = 89;
const NEWER_REFERENCE: u8 = 90;
const SMALL_INTEGER: u8 = 97;
const INTEGER: u8 = 98;
const FLOAT: u8 = 99;
const ATOM: u8 = 100;
const REFERENCE: u8 = 101;
const PORT: u8 = 102;
const PID: u8 = 103;
const SMALL_TUPLE: u8 = 104;
const LARGE_TUPLE: u8 = 105;
const NIL: u8 = 106;
const STRING: u8 = 107;
const LIST: u8 = 108;
const BINARY: u8 = 109;
const SMALL_BIG: u8 = 110;
const LARGE_BIG: u8 = 111;
const NEW_FUN: u8 = 112;
const EXPORT: u8 = 113;
const NEW_REFERENCE: u8 = 114;
const SMALL_ATOM: u8 = 115;
const MAP: u8 = 116;
const ATOM_UTF8: u8 = 118;
const SMALL_ATOM_UTF8: u8 = 119;
const V4_PORT: u8 = 120;

/// How deep a term may nest. The decoder keeps its place on the heap, so
/// this guards no stack; it only bounds the decoder's own bookkeeping (some
/// 40 bytes a level) far beyond any real term. Erlang itself has no limit.
const MAX_DEPTH: usize = 10_000_000;
/// The most words a reference has that maps onto a [`Ref`](crate::Ref);
/// longer ones (no OTP release makes them) stay opaque.
const MAX_REF_WORDS: usize = 5;

/// Why bytes are not a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The input ended inside a term.
    Truncated,
    /// A term nested deeper than this decoder goes.
    TooDeep,
    /// The bytes break the format (bad version, unknown tag, bad atom
    /// text, ...).
    Invalid(&'static str),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("the term is truncated"),
            DecodeError::TooDeep => {
                write!(f, "the term nests deeper than {MAX_DEPTH} levels")
            }
            DecodeError::Invalid(what) => write!(f, "invalid term: {what}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a term cannot go to another node: Erlang has no such value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EncodeError {
    /// A NaN or an infinity.
    Float(f64),
    /// A [`Term::Local`], of this Rust type.
    Local(&'static str),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Float(x) => write!(
                f,
                "the float {x} cannot go to another node: Erlang floats are finite numbers"
            ),
            EncodeError::Local(ty) => write!(
                f,
                "a local value ({ty}) cannot go to another node: it lives in this program only"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Writes terms in the external format.
#[derive(Default)]
pub(crate) struct Encoder {
    pub(crate) buf: Vec<u8>,
}

impl Encoder {
    pub(crate) fn version(&mut self) {
        self.buf.push(VERSION);
    }

    pub(crate) fn tuple(&mut self, arity: usize) {
        if arity < 256 {
            self.buf.extend_from_slice(&[SMALL_TUPLE, arity as u8]);
        } else {
            self.buf.push(LARGE_TUPLE);
            self.buf.extend_from_slice(&(arity as u32).to_be_bytes());
        }
    }

    pub(crate) fn atom(&mut self, name: &str) {
        let bytes = name.as_bytes();
        if bytes.len() < 256 {
            self.buf
                .extend_from_slice(&[SMALL_ATOM_UTF8, bytes.len() as u8]);
        } else {
            // Erlang atoms hold at most 255 characters; longer names are cut
            // at a character boundary rather than producing a bad frame.
            let mut end = bytes.len().min(u16::MAX as usize);
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            self.buf.push(ATOM_UTF8);
            self.buf.extend_from_slice(&(end as u16).to_be_bytes());
            self.buf.extend_from_slice(&bytes[..end]);
            return;
        }
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn int(&mut self, v: i64) {
        if (0..256).contains(&v) {
            self.buf.extend_from_slice(&[SMALL_INTEGER, v as u8]);
        } else if let Ok(v) = i32::try_from(v) {
            self.buf.push(INTEGER);
            self.buf.extend_from_slice(&v.to_be_bytes());
        } else {
            self.big(&BigInt::from(v));
        }
    }

    fn big(&mut self, b: &BigInt) {
        if let Some(i) = b.to_i64().filter(|&i| i32::try_from(i).is_ok()) {
            return self.int(i);
        }
        let digits = b.magnitude_le();
        if digits.len() < 256 {
            self.buf.extend_from_slice(&[SMALL_BIG, digits.len() as u8]);
        } else {
            self.buf.push(LARGE_BIG);
            self.buf
                .extend_from_slice(&(digits.len() as u32).to_be_bytes());
        }
        self.buf.push(u8::from(b.is_negative()));
        self.buf.extend_from_slice(digits);
    }

    pub(crate) fn binary(&mut self, bytes: &[u8]) {
        self.buf.push(BINARY);
        self.buf
            .extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn nil(&mut self) {
        self.buf.push(NIL);
    }

    pub(crate) fn list_header(&mut self, len: usize) {
        self.buf.push(LIST);
        self.buf.extend_from_slice(&(len as u32).to_be_bytes());
    }

    fn node(&mut self, node: &NodeId) {
        self.atom(&node.name);
    }

    pub(crate) fn ext_pid(&mut self, p: &ExtPid) {
        self.buf.push(NEW_PID);
        self.node(&p.node);
        self.buf.extend_from_slice(&p.id.to_be_bytes());
        self.buf.extend_from_slice(&p.serial.to_be_bytes());
        self.buf.extend_from_slice(&p.node.creation.to_be_bytes());
    }

    pub(crate) fn pid(&mut self, pid: crate::Pid) {
        self.ext_pid(&ids::pid_to_ext(pid));
    }

    pub(crate) fn reference(&mut self, r: crate::Ref) {
        let e = ids::ref_to_ext(r);
        self.buf.push(NEWER_REFERENCE);
        self.buf
            .extend_from_slice(&(e.words.len() as u16).to_be_bytes());
        self.node(&e.node);
        self.buf.extend_from_slice(&e.node.creation.to_be_bytes());
        for w in &e.words {
            self.buf.extend_from_slice(&w.to_be_bytes());
        }
    }

    /// Writes a term (without the version byte). On an error the buffer
    /// holds part of the term: the caller drops it.
    ///
    /// The containers being written wait on a heap stack, so a term of any
    /// depth encodes (the decoder at the other end may refuse it).
    pub(crate) fn term(&mut self, t: &Term) -> Result<(), EncodeError> {
        /// A container being written: what is left of it, and whether a
        /// proper list's `[]` tail follows.
        struct Open<'a> {
            children: Children<'a>,
            list_tail: bool,
        }
        let mut stack: Vec<Open<'_>> = Vec::new();
        let mut next = Some(t);
        loop {
            if let Some(t) = next.take() {
                match t {
                    Term::List(items) if items.is_empty() => self.nil(),
                    Term::List(items) => self.list_header(items.len()),
                    Term::ImproperList(l) => self.list_header(l.items().len()),
                    Term::Tuple(items) => self.tuple(items.len()),
                    Term::Map(m) => {
                        self.buf.push(MAP);
                        self.buf.extend_from_slice(&(m.len() as u32).to_be_bytes());
                    }
                    _ => self.scalar(t)?,
                }
                if let Some(children) = Children::of(t) {
                    // An improper list's tail is its last child.
                    let list_tail = matches!(t, Term::List(items) if !items.is_empty());
                    stack.push(Open {
                        children,
                        list_tail,
                    });
                }
            }
            let Some(top) = stack.last_mut() else {
                return Ok(());
            };
            match top.children.next() {
                Some(child) => next = Some(child),
                None => {
                    if top.list_tail {
                        self.nil();
                    }
                    stack.pop();
                }
            }
        }
    }

    /// Writes a term that holds no other term.
    fn scalar(&mut self, t: &Term) -> Result<(), EncodeError> {
        match t {
            Term::Nil => self.atom("undefined"),
            Term::Bool(b) => self.atom(if *b { "true" } else { "false" }),
            Term::Int(i) => self.int(*i),
            Term::BigInt(b) => self.big(b),
            Term::Float(f) if !f.is_finite() => return Err(EncodeError::Float(*f)),
            Term::Float(f) => {
                self.buf.push(NEW_FLOAT);
                self.buf.extend_from_slice(&f.to_bits().to_be_bytes());
            }
            Term::Atom(a) => self.atom(a.as_str()),
            Term::Str(s) => self.binary(s.as_bytes()),
            Term::Bytes(b) => self.binary(b),
            Term::BitStr(b) => {
                let bytes = b.bytes();
                self.buf.push(BIT_BINARY);
                self.buf
                    .extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                self.buf.push(match b.bit_len() % 8 {
                    0 => 8,
                    n => n as u8,
                });
                self.buf.extend_from_slice(bytes);
            }
            Term::Pid(p) => self.pid(*p),
            Term::Ref(r) => self.reference(*r),
            Term::Opaque(o) => self.buf.extend_from_slice(o.encoded()),
            Term::Local(v) => return Err(EncodeError::Local(v.type_name())),
            Term::List(_) | Term::Tuple(_) | Term::Map(_) | Term::ImproperList(_) => {
                unreachable!("containers are written by `term`")
            }
            // `Term` is non-exhaustive: a kind added later and not taught
            // to this encoder is refused rather than written wrongly.
            #[allow(unreachable_patterns)]
            _ => return Err(EncodeError::Local("an unknown kind of term")),
        }
        Ok(())
    }
}

/// Checks that `t` can go to another node (no NaN or infinite float, no
/// `Local` value) without writing it anywhere.
pub(crate) fn check(t: &Term) -> Result<(), EncodeError> {
    let mut stack: Vec<Children<'_>> = Vec::new();
    let mut next = Some(t);
    loop {
        if let Some(t) = next.take() {
            match t {
                Term::Float(f) if !f.is_finite() => return Err(EncodeError::Float(*f)),
                Term::Local(v) => return Err(EncodeError::Local(v.type_name())),
                _ => stack.extend(Children::of(t)),
            }
        }
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        match top.next() {
            Some(child) => next = Some(child),
            None => {
                stack.pop();
            }
        }
    }
}

/// Encodes a whole term, with the version byte.
pub(crate) fn encode(t: &Term) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder::default();
    e.version();
    e.term(t)?;
    Ok(e.buf)
}

/// Reads terms in the external format.
pub(crate) struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    /// [`MAX_DEPTH`], lower in tests.
    max_depth: usize,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Decoder<'a> {
        Decoder {
            buf,
            pos: 0,
            max_depth: MAX_DEPTH,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        if end > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads the version byte that starts every encoded term.
    pub(crate) fn version(&mut self) -> Result<(), DecodeError> {
        if self.u8()? != VERSION {
            return Err(DecodeError::Invalid("bad version byte"));
        }
        Ok(())
    }

    fn atom_text(&mut self, tag: u8) -> Result<Cow<'a, str>, DecodeError> {
        let n = match tag {
            ATOM | ATOM_UTF8 => self.u16()? as usize,
            SMALL_ATOM | SMALL_ATOM_UTF8 => self.u8()? as usize,
            _ => return Err(DecodeError::Invalid("expected an atom")),
        };
        let bytes = self.take(n)?;
        if matches!(tag, ATOM | SMALL_ATOM) && !bytes.is_ascii() {
            // Latin-1: each byte is the character of that code point.
            return Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()));
        }
        std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| DecodeError::Invalid("atom is not UTF-8"))
    }

    /// Reads an atom's text.
    fn atom(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        let tag = self.u8()?;
        self.atom_text(tag)
    }

    fn node(&mut self, creation_len: usize) -> Result<NodeId, DecodeError> {
        let name = self.atom()?;
        let creation = if creation_len == 1 {
            self.u8()? as u32
        } else {
            self.u32()?
        };
        Ok(NodeId {
            name: Arc::from(&*name),
            creation,
        })
    }

    /// Reads one term.
    ///
    /// The containers being read wait on a heap stack, not the call stack,
    /// so the nesting depth costs heap only: at least one byte of input a
    /// level, and a frame is at most `io::MAX_FRAME` bytes. (Erlang has no
    /// depth limit; [`MAX_DEPTH`] is far past any real term.)
    pub(crate) fn term(&mut self) -> Result<Term, DecodeError> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let mut done = match self.head()? {
                Head::Term(t) => t,
                Head::Open(mut open) => {
                    // An empty container is whole at once (a list but for
                    // its tail). (Checked here first: `close` is not
                    // inlined, and most containers are not empty.)
                    let whole = if open.items.len() < open.want {
                        None
                    } else {
                        self.close(&mut open)?
                    };
                    match whole {
                        Some(t) => t,
                        None => {
                            if stack.len() >= self.max_depth {
                                return Err(DecodeError::TooDeep);
                            }
                            stack.push(open);
                            continue;
                        }
                    }
                }
            };
            // Hands the finished term to the container it is in; a
            // container that it completes is finished in turn.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(done);
                };
                if let OpenKind::Tail = top.kind {
                    // `done` is the tail: the list is whole.
                    let items = std::mem::take(&mut top.items);
                    stack.pop();
                    done = Term::improper_list(items, done);
                    continue;
                }
                top.items.push(done);
                if top.items.len() < top.want {
                    break;
                }
                match self.close(top)? {
                    Some(t) => {
                        stack.pop();
                        done = t;
                    }
                    None => break,
                }
            }
        }
    }

    /// The container `open` as a term if it has all its parts, or `None`
    /// while it waits for more. A proper list's `[]` is read here; a list
    /// without one goes on to wait for its tail.
    fn close(&mut self, open: &mut Open) -> Result<Option<Term>, DecodeError> {
        if open.items.len() < open.want {
            return Ok(None);
        }
        let items = std::mem::take(&mut open.items);
        Ok(Some(match open.kind {
            OpenKind::Tuple => Term::Tuple(items),
            OpenKind::List => {
                if self.buf.get(self.pos) == Some(&NIL) {
                    self.pos += 1;
                    Term::List(items)
                } else {
                    open.kind = OpenKind::Tail;
                    open.items = items;
                    return Ok(None);
                }
            }
            OpenKind::Tail => {
                // Its tail goes to it straight from `term`.
                open.items = items;
                return Ok(None);
            }
            OpenKind::Map => {
                let mut m = BTreeMap::new();
                let mut items = items.into_iter();
                while let (Some(k), Some(v)) = (items.next(), items.next()) {
                    m.insert(k, v);
                }
                Term::Map(m)
            }
            OpenKind::Fun { start, size } => {
                // The free variables are read to find the fun's end, and
                // dropped: the fun stays in its bytes.
                drop(items);
                if self.pos - start != size + 1 {
                    return Err(DecodeError::Invalid("fun size"));
                }
                self.opaque(OpaqueKind::Fun, start)
            }
        }))
    }

    /// The bytes from `start` to here as an opaque term of `kind`.
    fn opaque(&self, kind: OpaqueKind, start: usize) -> Term {
        Term::Opaque(Opaque::new(kind, &self.buf[start..self.pos]))
    }

    /// Reads a term that holds no other term, or the start of one that
    /// does: its tag and its header, up to its first part.
    fn head(&mut self) -> Result<Head, DecodeError> {
        let start = self.pos;
        let tag = self.u8()?;
        Ok(Head::Term(match tag {
            SMALL_INTEGER => Term::Int(self.u8()? as i64),
            INTEGER => Term::Int(self.u32()? as i32 as i64),
            NEW_FLOAT => {
                let b = self.take(8)?;
                Term::Float(f64::from_bits(u64::from_be_bytes(
                    b.try_into().expect("eight bytes"),
                )))
            }
            FLOAT => {
                let b = self.take(31)?;
                let text = std::str::from_utf8(b)
                    .map_err(|_| DecodeError::Invalid("float text"))?
                    .trim_end_matches('\0');
                Term::Float(
                    text.trim()
                        .parse()
                        .map_err(|_| DecodeError::Invalid("float text"))?,
                )
            }
            ATOM | ATOM_UTF8 | SMALL_ATOM | SMALL_ATOM_UTF8 => {
                let text = self.atom_text(tag)?;
                match &*text {
                    "true" => Term::Bool(true),
                    "false" => Term::Bool(false),
                    "undefined" => Term::Nil,
                    _ => Term::Atom(Atom::from(text.into_owned())),
                }
            }
            SMALL_TUPLE | LARGE_TUPLE => {
                let n = if tag == SMALL_TUPLE {
                    self.u8()? as usize
                } else {
                    self.u32()? as usize
                };
                return Ok(self.open(OpenKind::Tuple, n));
            }
            NIL => Term::List(Vec::new()),
            STRING => {
                let n = self.u16()? as usize;
                Term::List(self.take(n)?.iter().map(|&b| Term::Int(b as i64)).collect())
            }
            LIST => {
                let n = self.u32()? as usize;
                return Ok(self.open(OpenKind::List, n));
            }
            BINARY => {
                let n = self.u32()? as usize;
                binary(self.take(n)?)
            }
            BIT_BINARY => {
                let n = self.u32()? as usize;
                let bits = self.u8()?;
                let data = self.take(n)?;
                if !(1..=8).contains(&bits) || n == 0 {
                    return Err(DecodeError::Invalid("bit string length"));
                }
                if bits == 8 {
                    binary(data)
                } else {
                    let bits = BitString::new(data, (n - 1) * 8 + bits as usize)
                        .expect("the bytes the length needs");
                    Term::BitStr(bits)
                }
            }
            SMALL_BIG | LARGE_BIG => {
                let n = if tag == SMALL_BIG {
                    self.u8()? as usize
                } else {
                    self.u32()? as usize
                };
                let sign = self.u8()?;
                if sign > 1 {
                    return Err(DecodeError::Invalid("integer sign"));
                }
                let digits = self.take(n)?;
                Term::from(BigInt::from_le_bytes(sign == 1, digits))
            }
            MAP => {
                // A key, then its value, per entry.
                let n = (self.u32()? as usize).saturating_mul(2);
                return Ok(self.open(OpenKind::Map, n));
            }
            PID | NEW_PID => {
                let name = self.atom()?;
                let id = self.u32()?;
                let serial = self.u32()?;
                let creation = if tag == PID {
                    self.u8()? as u32
                } else {
                    self.u32()?
                };
                Term::Pid(ids::pid_from_ext(&ExtPid {
                    node: NodeId {
                        name: Arc::from(&*name),
                        creation,
                    },
                    id,
                    serial,
                }))
            }
            NEW_REFERENCE | NEWER_REFERENCE => {
                let n = self.u16()? as usize;
                if n == 0 {
                    return Err(DecodeError::Invalid("reference word count"));
                }
                let node = self.node(if tag == NEW_REFERENCE { 1 } else { 4 })?;
                let words = self.take(n.checked_mul(4).ok_or(DecodeError::Truncated)?)?;
                if n > MAX_REF_WORDS {
                    return Ok(Head::Term(self.opaque(OpaqueKind::Reference, start)));
                }
                let words = words
                    .chunks(4)
                    .map(|w| u32::from_be_bytes(w.try_into().expect("four bytes")))
                    .collect();
                Term::Ref(ids::ref_from_ext(&ExtRef { node, words }))
            }
            REFERENCE => {
                // Node, ID (4 bytes), Creation (1 byte)
                self.atom()?;
                self.take(4 + 1)?;
                self.opaque(OpaqueKind::Reference, start)
            }
            PORT | NEW_PORT | V4_PORT => {
                self.atom()?;
                self.take(match tag {
                    PORT => 4 + 1,
                    NEW_PORT => 4 + 4,
                    _ => 8 + 4,
                })?;
                self.opaque(OpaqueKind::Port, start)
            }
            EXPORT => {
                self.atom()?;
                self.atom()?;
                if self.u8()? != SMALL_INTEGER {
                    return Err(DecodeError::Invalid("export arity"));
                }
                self.u8()?;
                self.opaque(OpaqueKind::Fun, start)
            }
            NEW_FUN => {
                // Size (counting itself) Arity Uniq Index NumFree Module
                // OldIndex OldUniq Pid FreeVars...
                let size = self.u32()? as usize;
                self.take(1 + 16 + 4)?;
                let free = self.u32()? as usize;
                self.atom()?;
                // OldIndex, OldUniq, Pid, then the free variables: read by
                // `term` (they may nest), and checked against the size by
                // `close`.
                let parts = 3 + free.min(self.remaining());
                return Ok(self.open(OpenKind::Fun { start, size }, parts));
            }
            _ => return Err(DecodeError::Invalid("unknown tag")),
        }))
    }

    /// A container of `kind` with `n` parts to read.
    fn open(&self, kind: OpenKind, n: usize) -> Head {
        Head::Open(Open {
            kind,
            // Room for what the input can hold, not what it claims.
            items: Vec::with_capacity(n.min(self.remaining())),
            want: n,
        })
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }
}

/// What [`Decoder::head`] read: a whole term, or a container whose parts
/// follow.
enum Head {
    Term(Term),
    Open(Open),
}

/// A container being read: a level of [`Decoder::term`]'s stack (kept
/// small: a deep term has one a level).
struct Open {
    kind: OpenKind,
    /// The parts read so far: elements, or keys and values in turn.
    items: Vec<Term>,
    /// How many parts it has.
    want: usize,
}

#[derive(Clone, Copy)]
enum OpenKind {
    Tuple,
    /// A list's elements; then its `[]`, or a tail to read.
    List,
    /// A list's elements, all read: its tail comes next.
    Tail,
    /// A map's keys and values in turn.
    Map,
    /// A fun's parts after its module (its bytes from `start`, `size` of
    /// them after the tag): read to find its end, not kept.
    Fun {
        start: usize,
        size: usize,
    },
}

/// A binary: a `Str` when it is UTF-8, else `Bytes`.
fn binary(b: &[u8]) -> Term {
    match std::str::from_utf8(b) {
        Ok(s) => Term::Str(s.to_owned()),
        Err(_) => Term::Bytes(b.to_vec()),
    }
}

/// Decodes a whole term, with the version byte; trailing bytes are an error.
pub(crate) fn decode(bytes: &[u8]) -> Result<Term, DecodeError> {
    let mut d = Decoder::new(bytes);
    d.version()?;
    let t = d.term()?;
    if !d.is_empty() {
        return Err(DecodeError::Invalid("bytes after the term"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Pid, Ref};

    fn round(t: Term) {
        assert_eq!(decode(&encode(&t).unwrap()).unwrap(), t, "{t:?}");
    }

    #[test]
    fn terms_round_trip() {
        round(Term::Nil);
        round(Term::Bool(true));
        for i in [
            0,
            255,
            256,
            -1,
            i32::MIN as i64,
            i32::MAX as i64 + 1,
            i64::MIN,
            i64::MAX,
        ] {
            round(Term::Int(i));
        }
        round(Term::Float(1.5));
        round(Term::atom("hello"));
        round(Term::Str("héllo".into()));
        round(Term::Bytes(vec![0xff, 0]));
        round(Term::List(vec![]));
        round(Term::List(vec![Term::Int(1), Term::Str("a".into())]));
        round(Term::Tuple(vec![Term::atom("ok"), Term::Int(-5)]));
        round(Term::from_iter([("k", Term::Int(1))]));
        round(Term::Pid(Pid::local(77)));
        round(Term::Ref(Ref::new()));
        for i in [i128::MAX, i128::MIN, (1 << 64) + 5, -(1 << 63) - 1] {
            round(Term::from(i));
        }
        let huge: crate::BigInt = "9".repeat(700).parse().unwrap();
        round(Term::BigInt(huge));
        round(Term::improper_list(
            vec![Term::atom("alias")],
            Term::Ref(Ref::new()),
        ));
        round(Term::bit_string(vec![0xff, 0xe0], 11).unwrap());
    }

    #[test]
    fn erlang_encodings_decode() {
        // term_to_binary({ok, "ab", <<1>>, [1|[]], 3.0})
        let bytes = [
            131, 104, 5, 100, 0, 2, b'o', b'k', 107, 0, 2, b'a', b'b', 109, 0, 0, 0, 1, 1, 108, 0,
            0, 0, 1, 97, 1, 106, 70, 64, 8, 0, 0, 0, 0, 0, 0,
        ];
        let t = decode(&bytes).unwrap();
        assert_eq!(
            t,
            Term::Tuple(vec![
                Term::atom("ok"),
                Term::List(vec![Term::Int(97), Term::Int(98)]),
                Term::Str("\u{1}".into()),
                Term::List(vec![Term::Int(1)]),
                Term::Float(3.0),
            ])
        );
        // 2^64 is a BigInt
        assert_eq!(
            decode(&[131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap(),
            Term::from(1u128 << 64)
        );
        // -2^63 does
        assert_eq!(
            decode(&[131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128]).unwrap(),
            Term::Int(i64::MIN)
        );
    }

    /// What `term_to_binary` gives on OTP 25 for each term.
    #[test]
    fn every_erlang_term_decodes_and_goes_back_unchanged() {
        let cases: [&[u8]; 11] = [
            // 1 bsl 70, -(1 bsl 70)
            &[131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64],
            &[131, 110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 64],
            // [1|2], [a,b|c]
            &[131, 108, 0, 0, 0, 1, 97, 1, 97, 2],
            &[
                131, 108, 0, 0, 0, 2, 100, 0, 1, 97, 100, 0, 1, 98, 100, 0, 1, 99,
            ],
            // <<1,2:3>>, <<1:1>>
            &[131, 77, 0, 0, 0, 2, 3, 1, 64],
            &[131, 77, 0, 0, 0, 1, 1, 128],
            // fun erlang:node/0
            &[
                131, 113, 100, 0, 6, 101, 114, 108, 97, 110, 103, 100, 0, 4, 110, 111, 100, 101,
                97, 0,
            ],
            // a port of nonode@nohost
            &[
                131, 89, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115,
                116, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            // X = 5, fun(Y) -> X + Y end
            &[
                131, 112, 0, 0, 0, 200, 1, 6, 83, 97, 170, 70, 21, 144, 209, 189, 241, 235, 98,
                209, 166, 235, 8, 0, 0, 0, 42, 0, 0, 0, 1, 100, 0, 8, 101, 114, 108, 95, 101, 118,
                97, 108, 97, 42, 98, 0, 50, 155, 13, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101,
                64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 104, 6, 97,
                4, 108, 0, 0, 0, 1, 104, 2, 100, 0, 1, 88, 97, 5, 106, 100, 0, 4, 110, 111, 110,
                101, 100, 0, 4, 110, 111, 110, 101, 116, 0, 0, 0, 0, 108, 0, 0, 0, 1, 104, 5, 100,
                0, 6, 99, 108, 97, 117, 115, 101, 97, 4, 108, 0, 0, 0, 1, 104, 3, 100, 0, 3, 118,
                97, 114, 97, 4, 100, 0, 1, 89, 106, 106, 108, 0, 0, 0, 1, 104, 5, 100, 0, 2, 111,
                112, 97, 4, 100, 0, 1, 43, 104, 3, 100, 0, 3, 118, 97, 114, 97, 4, 100, 0, 1, 88,
                104, 3, 100, 0, 3, 118, 97, 114, 97, 4, 100, 0, 1, 89, 106, 106,
            ],
            // an old reference: 'n', id 1, creation 0
            &[131, 101, 100, 0, 1, b'n', 0, 0, 0, 1, 0],
            // a six-word reference, which no Ref holds
            &[
                131, 90, 0, 6, 119, 1, b'n', 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0,
                0, 4, 0, 0, 0, 5, 0, 0, 0, 6,
            ],
        ];
        let expected = [
            Term::from(1u128 << 70),
            Term::from(-(1i128 << 70)),
            Term::improper_list(vec![Term::Int(1)], Term::Int(2)),
            Term::improper_list(vec![Term::atom("a"), Term::atom("b")], Term::atom("c")),
            Term::bit_string(vec![1, 0x40], 11).unwrap(),
            Term::bit_string(vec![0x80], 1).unwrap(),
        ];
        for (i, bytes) in cases.iter().enumerate() {
            let t = decode(bytes).unwrap_or_else(|e| panic!("case {i}: {e}"));
            if let Some(e) = expected.get(i) {
                assert_eq!(&t, e, "case {i}");
            }
            if i >= expected.len() {
                assert!(matches!(t, Term::Opaque(_)), "case {i}: {t:?}");
            }
            let again = encode(&t).unwrap();
            assert_eq!(decode(&again).unwrap(), t, "case {i}");
            // Atoms go back as UTF-8 atoms; everything else byte for byte.
            if i != 3 {
                assert_eq!(again, *bytes, "case {i}: {t:?}");
            }
        }
        // Latin-1 atoms: the same characters, written back as UTF-8.
        assert_eq!(decode(&[131, 100, 0, 1, 233]).unwrap(), Term::atom("é"));
    }

    #[test]
    fn what_erlang_cannot_hold_does_not_encode() {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let t = Term::tuple([Term::Int(1), Term::list([Term::Float(x)])]);
            assert!(matches!(encode(&t), Err(EncodeError::Float(_))));
            assert!(matches!(check(&t), Err(EncodeError::Float(_))));
        }
        let local = Term::local(5u8);
        let e = encode(&Term::list([local.clone()])).unwrap_err();
        assert_eq!(e, EncodeError::Local("u8"));
        assert!(e.to_string().contains("cannot go to another node"));
        assert_eq!(check(&Term::list([local])), Err(EncodeError::Local("u8")));
        assert_eq!(check(&Term::Float(1.5)), Ok(()));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(decode(&[]), Err(DecodeError::Truncated));
        assert!(decode(&[130, 97, 1]).is_err());
        assert_eq!(
            decode(&[131, 108, 255, 255, 255, 255]),
            Err(DecodeError::Truncated)
        );
        assert!(decode(&[131, 109, 255, 255, 255, 255, 1]).is_err());
        let mut deep = vec![131];
        deep.extend(std::iter::repeat_n([104, 1], 10_000).flatten());
        assert!(decode(&deep).is_err());
    }

    /// 100 000 levels of lists, tuples and maps, around `[]`.
    fn deep_term() -> Term {
        (0..100_000).fold(Term::List(vec![]), |t, i| match i % 3 {
            0 => Term::List(vec![t]),
            1 => Term::Tuple(vec![Term::Int(i), t]),
            _ => Term::Map(BTreeMap::from([(t, Term::Nil)])),
        })
    }

    /// `f` on a thread with a 64 KiB stack, which a codec that recursed
    /// once a level would overflow within a few hundred levels.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    /// Encodes and decodes `t` on a small stack: it must come back equal.
    /// (Built, compared and dropped here: `Term`'s own walks recurse a
    /// few dozen levels before they go to the heap.)
    fn round_deep(t: Term) -> Vec<u8> {
        let t = std::sync::Arc::new(t);
        let bytes = on_small_stack({
            let t = t.clone();
            move || encode(&t).unwrap()
        });
        let back = on_small_stack({
            let bytes = bytes.clone();
            move || decode(&bytes).unwrap()
        });
        assert!(back == *t, "the deep term came back different");
        bytes
    }

    #[test]
    fn deep_terms_round_trip_on_a_small_stack() {
        let bytes = round_deep(deep_term());
        // The version and the innermost `[]`, then per level: a list's header
        // and `[]` tail; a tuple's header and integer; a map's header and the
        // value `undefined`.
        let levels: usize = (0..100_000)
            .map(|i| match i % 3 {
                0 => 5 + 1,
                1 if i < 256 => 2 + 2,
                1 => 2 + 5,
                _ => 5 + 11,
            })
            .sum();
        assert_eq!(bytes.len(), 2 + levels);
        const N: usize = 100_000;
        let nest = |wrap: &dyn Fn(Term) -> Term| (0..N).fold(Term::atom("x"), |t, _| wrap(t));
        round_deep(nest(&|t| Term::List(vec![t])));
        round_deep(nest(&|t| Term::Tuple(vec![t])));
        round_deep(nest(&|t| Term::Tuple(vec![Term::Int(1), t, Term::Int(2)])));
        round_deep(nest(&|t| Term::Map(BTreeMap::from([(Term::Int(1), t)]))));
        round_deep(nest(&|t| Term::Map(BTreeMap::from([(t, Term::Int(1))]))));
        // Nested through an improper list's head, and through its tail
        // (where each level is a new element: the same term as one flat
        // improper list).
        round_deep(nest(&|t| Term::improper_list(vec![t], Term::Int(7))));
        let tail = nest(&|t| Term::improper_list(vec![Term::Int(1)], t));
        assert!(matches!(&tail, Term::ImproperList(l) if l.items().len() == N));
        round_deep(tail);
        // A list of deep elements: the stack shrinks and grows again.
        round_deep(Term::List(
            (0..3)
                .map(|_| (0..30_000).fold(Term::Nil, |t, _| Term::Tuple(vec![t])))
                .collect(),
        ));
        // Erlang's bytes for `lists:foldl(fun(_, A) -> {A} end, x,
        // lists:seq(1, N))` decode without any help from the encoder.
        let mut erl = vec![131];
        erl.extend(std::iter::repeat_n([104, 1], N).flatten());
        erl.extend_from_slice(&[100, 0, 1, b'x']);
        let t = on_small_stack(move || decode(&erl).unwrap());
        assert!(t == nest(&|t| Term::Tuple(vec![t])));
    }

    /// A decoder that refuses terms deeper than `max`.
    fn decode_max(bytes: &[u8], max: usize) -> Result<Term, DecodeError> {
        let mut d = Decoder::new(bytes);
        d.max_depth = max;
        d.version()?;
        d.term()
    }

    #[test]
    fn deep_input_keeps_its_errors() {
        let nested = |n: usize, inner: &[u8]| {
            let mut b = vec![131];
            b.extend(std::iter::repeat_n([104, 1], n).flatten());
            b.extend_from_slice(inner);
            b
        };
        // The limit is on containers open at once.
        assert!(decode_max(&nested(1_000, &[106]), 1_000).is_ok());
        assert_eq!(
            decode_max(&nested(1_001, &[106]), 1_000),
            Err(DecodeError::TooDeep)
        );
        assert_eq!(
            DecodeError::TooDeep.to_string(),
            format!("the term nests deeper than {MAX_DEPTH} levels")
        );
        const { assert!(MAX_DEPTH >= 10_000_000) };
        let deep = |inner: &'static [u8]| on_small_stack(move || decode(&nested(100_000, inner)));
        // Cut short, a bad tag, bad atom text, trailing bytes: the same
        // errors deep down as at the top.
        assert_eq!(deep(&[]), Err(DecodeError::Truncated));
        assert_eq!(deep(&[200]), Err(DecodeError::Invalid("unknown tag")));
        assert_eq!(
            deep(&[119, 1, 0xff]),
            Err(DecodeError::Invalid("atom is not UTF-8"))
        );
        assert_eq!(
            deep(&[106, 106]),
            Err(DecodeError::Invalid("bytes after the term"))
        );
        assert_eq!(
            deep(&[77, 0, 0, 0, 1, 9, 0]),
            Err(DecodeError::Invalid("bit string length"))
        );
        // A list whose tail is missing; a map missing a value.
        assert_eq!(
            decode(&[131, 108, 0, 0, 0, 1, 97, 1]),
            Err(DecodeError::Truncated)
        );
        assert_eq!(
            decode(&[131, 116, 0, 0, 0, 1, 97, 1]),
            Err(DecodeError::Truncated)
        );
        // Duplicate map keys: the last value wins, as before.
        assert_eq!(
            decode(&[131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3]).unwrap(),
            Term::Map(BTreeMap::from([(Term::Int(1), Term::Int(3))]))
        );
        // An empty list with a tail is that tail.
        assert_eq!(
            decode(&[131, 108, 0, 0, 0, 0, 97, 5]).unwrap(),
            Term::improper_list(vec![], Term::Int(5))
        );
    }

    /// A typical message, encoded and decoded many times: how long each
    /// takes, printed (`--nocapture`), for comparing builds.
    #[test]
    fn typical_message_codec_speed() {
        let msg = Term::Tuple(vec![
            Term::atom("$gen_call"),
            Term::Tuple(vec![
                Term::Pid(Pid::local(7)),
                Term::improper_list(vec![Term::atom("alias")], Term::Ref(Ref::new())),
            ]),
            Term::Tuple(vec![
                Term::atom("request"),
                Term::from_iter([("id", Term::Int(42)), ("name", Term::Str("hello".into()))]),
                Term::list([Term::Int(1), Term::Float(2.5), Term::Int(1 << 40)]),
                Term::Bytes(vec![0xff; 64]),
            ]),
        ]);
        let bytes = encode(&msg).unwrap();
        // The best of several batches: the machine may be busy.
        let best = |f: &dyn Fn()| {
            (0..10)
                .map(|_| {
                    let t0 = std::time::Instant::now();
                    for _ in 0..5_000 {
                        f();
                    }
                    t0.elapsed() / 5_000
                })
                .min()
                .unwrap()
        };
        let enc = best(&|| drop(std::hint::black_box(encode(std::hint::black_box(&msg)))));
        let dec = best(&|| drop(std::hint::black_box(decode(std::hint::black_box(&bytes)))));
        println!(
            "a {}-byte message: encode {enc:?}, decode {dec:?}",
            bytes.len()
        );
        assert_eq!(decode(&bytes).unwrap(), msg);
    }
}
