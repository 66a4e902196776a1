//! The external term format: `Term` to bytes and back.
//!
//! The mapping, chosen so Erlang code sees ordinary values:
//!
//! | `Term`            | Erlang                                   |
//! |-------------------|------------------------------------------|
//! | `Nil`             | `undefined`                              |
//! | `Bool(b)`         | `true` / `false`                         |
//! | `Int(i)`          | integer (bignums beyond `i64` are refused) |
//! | `Float(f)`        | float                                    |
//! | `Atom(a)`         | atom                                     |
//! | `Str(s)`          | UTF-8 binary                             |
//! | `Bytes(b)`        | binary (decoded as `Str` when it is valid UTF-8) |
//! | `List(v)`         | proper list (`STRING_EXT` decodes to a list of integers) |
//! | `Tuple(v)`        | tuple                                    |
//! | `Map(m)`          | map                                      |
//! | `Pid(p)`, `Ref(r)`| pid, reference (see `ids`: lossless)     |
//!
//! Funs, ports, bit strings and improper lists have no `Term` and fail to
//! decode; the message that carried them is dropped and logged.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::ids::{self, ExtPid, ExtRef, NodeId};
use crate::term::{Atom, Children, Term};

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

/// How deep terms may nest; deeper input is refused rather than risking
/// the stack.
const MAX_DEPTH: usize = 256;

/// Why bytes are not a term we can represent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The input ended inside a term.
    Truncated,
    /// A tag this decoder does not know, or a term `Term` cannot hold.
    Unsupported(&'static str),
    /// The bytes break the format (bad version, bad atom text, ...).
    Invalid(&'static str),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("the term is truncated"),
            DecodeError::Unsupported(what) => write!(f, "unsupported term: {what}"),
            DecodeError::Invalid(what) => write!(f, "invalid term: {what}"),
        }
    }
}

impl std::error::Error for DecodeError {}

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
            let sign = u8::from(v < 0);
            let mut mag = v.unsigned_abs();
            let mut digits = Vec::with_capacity(8);
            while mag > 0 {
                digits.push(mag as u8);
                mag >>= 8;
            }
            self.buf
                .extend_from_slice(&[SMALL_BIG, digits.len() as u8, sign]);
            self.buf.extend_from_slice(&digits);
        }
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

    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Writes a term (without the version byte).
    ///
    /// The containers being written wait on a heap stack, so a term of any
    /// depth encodes (the decoder at the other end may refuse it).
    pub(crate) fn term(&mut self, t: &Term) {
        /// A container being written: what is left of it, and whether a list's
        /// `[]` tail follows.
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
                    Term::Tuple(items) => self.tuple(items.len()),
                    Term::Map(m) => {
                        self.buf.push(MAP);
                        self.buf.extend_from_slice(&(m.len() as u32).to_be_bytes());
                    }
                    _ => self.scalar(t),
                }
                if let Some(children) = Children::of(t) {
                    let list_tail = matches!(t, Term::List(items) if !items.is_empty());
                    stack.push(Open {
                        children,
                        list_tail,
                    });
                }
            }
            let Some(top) = stack.last_mut() else {
                return;
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
    fn scalar(&mut self, t: &Term) {
        match t {
            Term::Nil => self.atom("undefined"),
            Term::Bool(b) => self.atom(if *b { "true" } else { "false" }),
            Term::Int(i) => self.int(*i),
            Term::Float(f) => {
                self.buf.push(NEW_FLOAT);
                self.buf
                    .extend_from_slice(&float_of(f).to_bits().to_be_bytes());
            }
            Term::Atom(a) => self.atom(a.as_str()),
            Term::Str(s) => self.binary(s.as_bytes()),
            Term::Bytes(b) => self.binary(b),
            Term::Pid(p) => self.pid(*p),
            Term::Ref(r) => self.reference(*r),
            // A value of this program only: the peer gets a readable
            // placeholder atom.
            Term::Local(v) => self.atom(&format!("#Local<{}>", v.type_name())),
            Term::List(_) | Term::Tuple(_) | Term::Map(_) => {
                unreachable!("containers are written by `term`")
            }
        }
    }
}

fn float_of(f: &f64) -> f64 {
    *f
}

fn make_float(v: f64) -> Term {
    Term::Float(v)
}

/// Encodes a whole term, with the version byte.
pub(crate) fn encode(t: &Term) -> Vec<u8> {
    let mut e = Encoder::default();
    e.version();
    e.term(t);
    e.buf
}

/// Reads terms in the external format.
pub(crate) struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Decoder<'a> {
        Decoder { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(DecodeError::Truncated)?;
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

    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Reads the version byte that starts every encoded term.
    pub(crate) fn version(&mut self) -> Result<(), DecodeError> {
        if self.u8()? != VERSION {
            return Err(DecodeError::Invalid("bad version byte"));
        }
        Ok(())
    }

    /// The arity of a tuple, if a tuple comes next.
    pub(crate) fn tuple_header(&mut self) -> Result<usize, DecodeError> {
        match self.u8()? {
            SMALL_TUPLE => Ok(self.u8()? as usize),
            LARGE_TUPLE => Ok(self.u32()? as usize),
            _ => Err(DecodeError::Invalid("expected a tuple")),
        }
    }

    /// The length of a list, if a non-empty list comes next.
    pub(crate) fn list_header(&mut self) -> Result<usize, DecodeError> {
        match self.u8()? {
            LIST => Ok(self.u32()? as usize),
            _ => Err(DecodeError::Invalid("expected a list")),
        }
    }

    /// Skips one term; returns the bytes it spans.
    pub(crate) fn skip(&mut self) -> Result<Range<usize>, DecodeError> {
        let start = self.pos;
        self.skip_at(0)?;
        Ok(start..self.pos)
    }

    fn skip_at(&mut self, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::Unsupported("nesting too deep"));
        }
        let tag = self.u8()?;
        match tag {
            SMALL_INTEGER => drop(self.take(1)?),
            INTEGER => drop(self.take(4)?),
            NEW_FLOAT => drop(self.take(8)?),
            FLOAT => drop(self.take(31)?),
            ATOM | ATOM_UTF8 => {
                let n = self.u16()? as usize;
                self.take(n)?;
            }
            SMALL_ATOM | SMALL_ATOM_UTF8 => {
                let n = self.u8()? as usize;
                self.take(n)?;
            }
            SMALL_TUPLE | LARGE_TUPLE => {
                let n = if tag == SMALL_TUPLE {
                    self.u8()? as usize
                } else {
                    self.u32()? as usize
                };
                for _ in 0..n {
                    self.skip_at(depth + 1)?;
                }
            }
            NIL => {}
            STRING => {
                let n = self.u16()? as usize;
                self.take(n)?;
            }
            LIST => {
                let n = self.u32()? as usize;
                for _ in 0..=n {
                    self.skip_at(depth + 1)?;
                }
            }
            BINARY => {
                let n = self.u32()? as usize;
                self.take(n)?;
            }
            SMALL_BIG => {
                let n = self.u8()? as usize;
                self.take(n + 1)?;
            }
            MAP => {
                let n = self.u32()? as usize;
                for _ in 0..n.saturating_mul(2) {
                    self.skip_at(depth + 1)?;
                }
            }
            NEW_PID | PID | NEWER_REFERENCE | NEW_REFERENCE => {
                self.pos -= 1;
                self.any_at(depth)?;
            }
            _ => return Err(DecodeError::Unsupported("term kind")),
        }
        Ok(())
    }

    fn atom_text(&mut self, tag: u8) -> Result<&'a str, DecodeError> {
        let n = match tag {
            ATOM | ATOM_UTF8 => self.u16()? as usize,
            SMALL_ATOM | SMALL_ATOM_UTF8 => self.u8()? as usize,
            _ => return Err(DecodeError::Invalid("expected an atom")),
        };
        let bytes = self.take(n)?;
        if matches!(tag, ATOM | SMALL_ATOM) && !bytes.is_ascii() {
            // Latin-1 atoms beyond ASCII: rare, and not valid UTF-8 as is.
            return Err(DecodeError::Unsupported("non-ASCII Latin-1 atom"));
        }
        std::str::from_utf8(bytes).map_err(|_| DecodeError::Invalid("atom is not UTF-8"))
    }

    /// Reads an atom's text.
    pub(crate) fn atom(&mut self) -> Result<&'a str, DecodeError> {
        let tag = self.u8()?;
        self.atom_text(tag)
    }

    fn node(&mut self, creation_len: usize) -> Result<(Arc<str>, u32), DecodeError> {
        let name = self.atom()?;
        let creation = if creation_len == 1 {
            self.u8()? as u32
        } else {
            self.u32()?
        };
        Ok((Arc::from(name), creation))
    }

    /// Reads one term.
    pub(crate) fn term(&mut self) -> Result<Term, DecodeError> {
        self.any_at(0)
    }

    fn any_at(&mut self, depth: usize) -> Result<Term, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::Unsupported("nesting too deep"));
        }
        let tag = self.u8()?;
        Ok(match tag {
            SMALL_INTEGER => Term::Int(self.u8()? as i64),
            INTEGER => Term::Int(self.u32()? as i32 as i64),
            NEW_FLOAT => {
                let b = self.take(8)?;
                make_float(f64::from_bits(u64::from_be_bytes(
                    b.try_into().expect("eight bytes"),
                )))
            }
            FLOAT => {
                let b = self.take(31)?;
                let text = std::str::from_utf8(b)
                    .map_err(|_| DecodeError::Invalid("float text"))?
                    .trim_end_matches('\0');
                make_float(
                    text.trim()
                        .parse()
                        .map_err(|_| DecodeError::Invalid("float text"))?,
                )
            }
            ATOM | ATOM_UTF8 | SMALL_ATOM | SMALL_ATOM_UTF8 => {
                let text = self.atom_text(tag)?;
                match text {
                    "true" => Term::Bool(true),
                    "false" => Term::Bool(false),
                    "undefined" => Term::Nil,
                    _ => Term::Atom(Atom::from(text)),
                }
            }
            SMALL_TUPLE | LARGE_TUPLE => {
                let n = if tag == SMALL_TUPLE {
                    self.u8()? as usize
                } else {
                    self.u32()? as usize
                };
                let mut items = Vec::with_capacity(n.min(self.remaining()));
                for _ in 0..n {
                    items.push(self.any_at(depth + 1)?);
                }
                Term::Tuple(items)
            }
            NIL => Term::List(Vec::new()),
            STRING => {
                let n = self.u16()? as usize;
                Term::List(self.take(n)?.iter().map(|&b| Term::Int(b as i64)).collect())
            }
            LIST => {
                let n = self.u32()? as usize;
                let mut items = Vec::with_capacity(n.min(self.remaining()));
                for _ in 0..n {
                    items.push(self.any_at(depth + 1)?);
                }
                if self.u8()? != NIL {
                    return Err(DecodeError::Unsupported("improper list"));
                }
                Term::List(items)
            }
            BINARY => {
                let n = self.u32()? as usize;
                let b = self.take(n)?;
                match std::str::from_utf8(b) {
                    Ok(s) => Term::Str(s.to_owned()),
                    Err(_) => Term::Bytes(b.to_vec()),
                }
            }
            SMALL_BIG | LARGE_BIG => {
                let n = if tag == SMALL_BIG {
                    self.u8()? as usize
                } else {
                    self.u32()? as usize
                };
                let sign = self.u8()?;
                let digits = self.take(n)?;
                let mut mag: u128 = 0;
                for (i, &d) in digits.iter().enumerate() {
                    if d != 0 && i >= 9 {
                        return Err(DecodeError::Unsupported("integer beyond i64"));
                    }
                    if i < 9 {
                        mag |= (d as u128) << (8 * i);
                    }
                }
                let v = if sign == 0 {
                    i64::try_from(mag).ok()
                } else {
                    i64::try_from(-(mag as i128)).ok()
                };
                Term::Int(v.ok_or(DecodeError::Unsupported("integer beyond i64"))?)
            }
            MAP => {
                let n = self.u32()? as usize;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = self.any_at(depth + 1)?;
                    let v = self.any_at(depth + 1)?;
                    m.insert(k, v);
                }
                Term::Map(m)
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
                        name: Arc::from(name),
                        creation,
                    },
                    id,
                    serial,
                }))
            }
            NEW_REFERENCE | NEWER_REFERENCE => {
                let n = self.u16()? as usize;
                if n == 0 || n > 5 {
                    return Err(DecodeError::Invalid("reference word count"));
                }
                let (name, creation) = self.node(if tag == NEW_REFERENCE { 1 } else { 4 })?;
                let mut words = Vec::with_capacity(n);
                for _ in 0..n {
                    words.push(self.u32()?);
                }
                Term::Ref(ids::ref_from_ext(&ExtRef {
                    node: NodeId { name, creation },
                    words,
                }))
            }
            REFERENCE => return Err(DecodeError::Unsupported("old reference")),
            PORT | NEW_PORT | V4_PORT => return Err(DecodeError::Unsupported("port")),
            NEW_FUN | EXPORT => return Err(DecodeError::Unsupported("fun")),
            BIT_BINARY => return Err(DecodeError::Unsupported("bit string")),
            _ => return Err(DecodeError::Invalid("unknown tag")),
        })
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
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
        assert_eq!(decode(&encode(&t)).unwrap(), t, "{t:?}");
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
        round(make_float(1.5));
        round(Term::atom("hello"));
        round(Term::Str("héllo".into()));
        round(Term::Bytes(vec![0xff, 0]));
        round(Term::List(vec![]));
        round(Term::List(vec![Term::Int(1), Term::Str("a".into())]));
        round(Term::Tuple(vec![Term::atom("ok"), Term::Int(-5)]));
        round(Term::from_iter([("k", Term::Int(1))]));
        round(Term::Pid(Pid::local(77)));
        round(Term::Ref(Ref::new()));
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
                make_float(3.0),
            ])
        );
        // 2^64 does not fit
        assert!(decode(&[131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).is_err());
        // -2^63 does
        assert_eq!(
            decode(&[131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128]).unwrap(),
            Term::Int(i64::MIN)
        );
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

    #[test]
    fn deep_terms_encode_and_the_decoder_refuses_them() {
        // A small stack, which recursion per level would overflow.
        let bytes = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| encode(&deep_term()))
            .unwrap()
            .join()
            .unwrap();
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
        // The decoder recurses down to its limit (in a debug build that
        // takes over a megabyte of stack), then refuses.
        let too_deep = DecodeError::Unsupported("nesting too deep");
        assert_eq!(decode(&bytes), Err(too_deep.clone()));
        assert_eq!(Decoder::new(&bytes[1..]).skip().map(|_| ()), Err(too_deep));
        // Shallow enough for the decoder, the same shapes round-trip.
        round((0..200).fold(Term::List(vec![]), |t, i| match i % 3 {
            0 => Term::List(vec![t]),
            1 => Term::Tuple(vec![Term::Int(i), t]),
            _ => Term::Map(BTreeMap::from([(t, Term::Nil)])),
        }));
    }
}
