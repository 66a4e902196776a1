//! Serde, Rust value to `Term`: the `Serializer` behind [`Term::encode`], and
//! `Serialize` for `Term`, `Atom`, `Pid` and `Ref`.
//!
//! Pids, refs and atoms serialize as newtype structs with reserved names,
//! which this serializer recognizes to build `Term::Pid`, `Term::Ref` and
//! `Term::Atom` losslessly. Other formats see through the newtype: a pid is
//! its UUID string in human-readable formats and a `u128` in binary ones.

use std::collections::BTreeMap;

use serde::ser::{self, Serialize};

use super::{
    Atom, BigInt, BitString, ImproperList, Opaque, OpaqueKind, Term, TermError, MAX_DEPTH,
};
use crate::pid::{Pid, Ref};

/// The newtype name a `Pid` serializes under.
pub(super) const PID_TOKEN: &str = "$actor::Pid";
/// The newtype name a `Ref` serializes under.
pub(super) const REF_TOKEN: &str = "$actor::Ref";
/// The newtype name an `Atom` serializes under.
pub(super) const ATOM_TOKEN: &str = "$actor::Atom";
/// The newtype name a `BigInt` beyond `u128` and `i128` serializes under
/// (its decimal digits).
pub(super) const BIGINT_TOKEN: &str = "$actor::BigInt";
/// The newtype names of the other Erlang-only terms: a bit string is
/// `(bytes, bit length)`, an improper list `(elements, tail)`, an opaque
/// term `(kind, encoding)`.
pub(super) const BITS_TOKEN: &str = "$actor::BitString";
pub(super) const IMPROPER_TOKEN: &str = "$actor::ImproperList";
pub(super) const OPAQUE_TOKEN: &str = "$actor::Opaque";

/// Serializer capacity hints come from the value; cap what we trust.
const MAX_PREALLOC: usize = 4096;

impl Term {
    /// Encodes any `Serialize` value as a term.
    ///
    /// A struct becomes a `Map` with `Str` keys (its field names); `()` and
    /// `None` become `Nil`, `Some(x)` becomes `x`; sequences become `List`s,
    /// tuples and tuple structs `Tuple`s; bytes (through `serde_bytes`)
    /// become `Bytes`, a `char` a `Str`. An enum's unit variant becomes the
    /// atom of its name; other variants become a tuple of that atom and the
    /// content: `{name, value}`, `{name, a, b}`, `{name, #{field => ..}}`.
    /// `Pid`, `Ref`, `Atom` and `Term` values stay what they are.
    ///
    /// # Errors
    ///
    /// An error raised by the value's `Serialize` impl. (Integers of any
    /// size encode: beyond `i64` they are [`Term::BigInt`]s.)
    ///
    /// A value that nests deeper than 256 levels (of sequences, maps,
    /// structs and enum variants with content), the limit [`Term::decode`]
    /// has too: serde writes a level per Rust call, so deeper values are
    /// refused rather than risk the stack, with an error that names the
    /// limit and the path to where it was reached.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::{Pid, Term};
    /// use serde::Serialize;
    ///
    /// #[derive(Serialize)]
    /// enum Cmd {
    ///     Stop,
    ///     Add(i64),
    /// }
    ///
    /// #[derive(Serialize)]
    /// struct Job {
    ///     owner: Pid,
    ///     cmds: Vec<Cmd>,
    ///     note: Option<String>,
    /// }
    ///
    /// let owner = Pid::from_parts(1, 2);
    /// let job = Job { owner, cmds: vec![Cmd::Add(2), Cmd::Stop], note: None };
    /// let t = Term::encode(&job).unwrap();
    /// assert_eq!(t["owner"], owner);
    /// assert_eq!(format!("{:?}", t["cmds"]), "[(Add, 2), Stop]");
    /// assert!(t["note"].is_nil());
    ///
    /// assert_eq!(Term::encode(&u64::MAX).unwrap(), Term::from(u64::MAX));
    ///
    /// let deep = (0..1000).fold(Term::Nil, |t, _| Term::list([t]));
    /// let err = Term::encode(&deep).unwrap_err();
    /// assert!(err.to_string().starts_with("the value nests deeper than 256 levels"));
    /// ```
    pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Term, TermError> {
        value.serialize(TermSerializer::value(0))
    }
}

/// Through serde, a term is what it holds: a `Map` serializes as a map, a
/// `Tuple` as a tuple, a `Nil` as a unit, an atom as its name, and so on;
/// encoding it back into a term ([`Term::encode`]) gives an equal term.
impl Serialize for Term {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeTuple;
        match self {
            Term::Nil => s.serialize_unit(),
            Term::Bool(b) => s.serialize_bool(*b),
            Term::Int(i) => s.serialize_i64(*i),
            Term::BigInt(b) => b.serialize(s),
            Term::Float(f) => s.serialize_f64(*f),
            Term::Atom(a) => a.serialize(s),
            Term::Str(x) => s.serialize_str(x),
            Term::Bytes(b) => s.serialize_bytes(b),
            Term::BitStr(b) => b.serialize(s),
            Term::List(items) => s.collect_seq(items),
            Term::ImproperList(l) => l.serialize(s),
            Term::Tuple(items) => {
                let mut t = s.serialize_tuple(items.len())?;
                for item in items {
                    t.serialize_element(item)?;
                }
                t.end()
            }
            Term::Map(map) => s.collect_map(map),
            Term::Pid(p) => p.serialize(s),
            Term::Ref(r) => r.serialize(s),
            Term::Opaque(o) => o.serialize(s),
            Term::Local(v) => Err(serde::ser::Error::custom(format_args!(
                "a local value ({}) cannot be serialized: it lives in this program only",
                v.type_name()
            ))),
        }
    }
}

/// An integer: an `i128` or `u128` where it fits, else its decimal digits
/// (in a newtype that [`Term::encode`] knows, so it stays a `BigInt`).
impl Serialize for BigInt {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Some(i) = self.to_i64() {
            s.serialize_i64(i)
        } else if let Some(i) = self.to_i128() {
            s.serialize_i128(i)
        } else if let Some(u) = self.to_u128() {
            s.serialize_u128(u)
        } else {
            s.serialize_newtype_struct(BIGINT_TOKEN, &self.to_string())
        }
    }
}

/// Serde's view of bytes, for the tuples below.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// `(bytes, bit length)`, in a newtype that [`Term::encode`] knows.
impl Serialize for BitString {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(BITS_TOKEN, &(Bytes(self.bytes()), self.bit_len() as u64))
    }
}

/// `(elements, tail)`, in a newtype that [`Term::encode`] knows.
impl Serialize for ImproperList {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(IMPROPER_TOKEN, &(self.items(), self.tail()))
    }
}

/// `(kind, encoding)`, in a newtype that [`Term::encode`] knows; the kind
/// is 0 for a fun, 1 for a port, 2 for a reference.
impl Serialize for Opaque {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(
            OPAQUE_TOKEN,
            &(opaque_kind_code(self.kind()), Bytes(self.encoded())),
        )
    }
}

pub(super) fn opaque_kind_code(kind: OpaqueKind) -> u8 {
    match kind {
        OpaqueKind::Fun => 0,
        OpaqueKind::Port => 1,
        OpaqueKind::Reference => 2,
    }
}

pub(super) fn opaque_kind_from(code: i64) -> Option<OpaqueKind> {
    Some(match code {
        0 => OpaqueKind::Fun,
        1 => OpaqueKind::Port,
        2 => OpaqueKind::Reference,
        _ => return None,
    })
}

/// Rebuilds a [`BITS_TOKEN`], [`IMPROPER_TOKEN`] or [`OPAQUE_TOKEN`]
/// newtype's term from its content, as [`Term::encode`] built it.
pub(super) fn rebuild(name: &str, content: Term) -> Result<Term, TermError> {
    let bad = || TermError::new(format!("invalid `{name}`"));
    let Ok(mut parts) = content.into_tuple() else {
        return Err(bad());
    };
    if parts.len() != 2 {
        return Err(bad());
    }
    let second = parts.pop().unwrap_or_default();
    let first = parts.pop().unwrap_or_default();
    match name {
        BITS_TOKEN => {
            let (Some(bytes), Some(len)) = (first.as_bytes(), second.as_int()) else {
                return Err(bad());
            };
            usize::try_from(len)
                .ok()
                .and_then(|len| Term::bit_string(bytes, len))
                .ok_or_else(bad)
        }
        IMPROPER_TOKEN => match first.into_list() {
            Ok(items) if !items.is_empty() => Ok(Term::improper_list(items, second)),
            _ => Err(bad()),
        },
        _ => {
            let (Some(kind), Some(bytes)) =
                (first.as_int().and_then(opaque_kind_from), second.as_bytes())
            else {
                return Err(bad());
            };
            Ok(Term::Opaque(Opaque::new(kind, bytes)))
        }
    }
}

/// An atom serializes as its name (in a newtype that [`Term::encode`] knows,
/// so it stays an atom there).
impl Serialize for Atom {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(ATOM_TOKEN, self.as_str())
    }
}

/// A pid serializes as its UUID: a string in human-readable formats, a
/// `u128` in others; [`Term::encode`] keeps it a `Term::Pid`.
impl Serialize for Pid {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(PID_TOKEN, &Id(self.as_u128()))
    }
}

/// A reference serializes as its UUID: a string in human-readable formats, a
/// `u128` in others; [`Term::encode`] keeps it a `Term::Ref`.
impl Serialize for Ref {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(REF_TOKEN, &Id(self.as_u128()))
    }
}

/// The 128 bits of a pid or reference.
struct Id(u128);

impl Serialize for Id {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(&uuid::Uuid::from_u128(self.0).hyphenated())
        } else {
            s.serialize_u128(self.0)
        }
    }
}

/// What the serializer is building: any value, or the inside of a pid or
/// ref newtype (where a `u128` is the id).
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Value,
    Pid,
    Ref,
}

/// Builds a `Term` from a `Serialize` value, `depth` containers inside the
/// one encoding began with. The value's `Serialize` goes down one Rust call
/// per level, so building stops at [`MAX_DEPTH`].
#[derive(Clone, Copy)]
struct TermSerializer {
    mode: Mode,
    depth: usize,
}

impl TermSerializer {
    fn value(depth: usize) -> TermSerializer {
        TermSerializer {
            mode: Mode::Value,
            depth,
        }
    }

    /// The depth of the children of a container built here, or an error
    /// past the limit.
    fn inside(self) -> Result<usize, TermError> {
        if self.depth < MAX_DEPTH {
            Ok(self.depth + 1)
        } else {
            Err(TermError::too_deep("value", "encode"))
        }
    }

    /// The id inside a pid or ref newtype.
    fn id(
        self,
        name: &'static str,
        value: &(impl Serialize + ?Sized),
        mode: Mode,
    ) -> Result<Term, TermError> {
        let t = value.serialize(TermSerializer { mode, ..self })?;
        match (&t, mode) {
            (Term::Pid(_), Mode::Pid) | (Term::Ref(_), Mode::Ref) => Ok(t),
            _ => Err(TermError::new(format!(
                "invalid `{name}`: expected a u128 id"
            ))),
        }
    }
}

fn unit_variant(variant: &'static str) -> Term {
    Term::Atom(Atom::from_static(variant))
}

impl ser::Serializer for TermSerializer {
    type Ok = Term;
    type Error = TermError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = SeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = StructBuilder;
    type SerializeStructVariant = StructBuilder;

    fn is_human_readable(&self) -> bool {
        self.mode == Mode::Value
    }

    fn serialize_bool(self, v: bool) -> Result<Term, TermError> {
        Ok(Term::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Term, TermError> {
        Ok(Term::Int(v.into()))
    }

    fn serialize_i16(self, v: i16) -> Result<Term, TermError> {
        Ok(Term::Int(v.into()))
    }

    fn serialize_i32(self, v: i32) -> Result<Term, TermError> {
        Ok(Term::Int(v.into()))
    }

    fn serialize_i64(self, v: i64) -> Result<Term, TermError> {
        Ok(Term::Int(v))
    }

    fn serialize_i128(self, v: i128) -> Result<Term, TermError> {
        Ok(Term::from(v))
    }

    fn serialize_u8(self, v: u8) -> Result<Term, TermError> {
        Ok(Term::Int(v.into()))
    }

    fn serialize_u16(self, v: u16) -> Result<Term, TermError> {
        Ok(Term::Int(v.into()))
    }

    fn serialize_u32(self, v: u32) -> Result<Term, TermError> {
        Ok(Term::Int(v.into()))
    }

    fn serialize_u64(self, v: u64) -> Result<Term, TermError> {
        Ok(Term::from(v))
    }

    fn serialize_u128(self, v: u128) -> Result<Term, TermError> {
        let (hi, lo) = ((v >> 64) as u64, v as u64);
        match self.mode {
            Mode::Pid => Ok(Term::Pid(Pid::from_parts(hi, lo))),
            Mode::Ref => Ok(Term::Ref(Ref::from_parts(hi, lo))),
            Mode::Value => Ok(Term::from(v)),
        }
    }

    fn serialize_f32(self, v: f32) -> Result<Term, TermError> {
        Ok(Term::Float(v.into()))
    }

    fn serialize_f64(self, v: f64) -> Result<Term, TermError> {
        Ok(Term::Float(v))
    }

    fn serialize_char(self, v: char) -> Result<Term, TermError> {
        Ok(Term::Str(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<Term, TermError> {
        Ok(Term::Str(v.to_owned()))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Term, TermError> {
        Ok(Term::Bytes(v.to_vec()))
    }

    fn serialize_none(self) -> Result<Term, TermError> {
        Ok(Term::Nil)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Term, TermError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Term, TermError> {
        Ok(Term::Nil)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Term, TermError> {
        Ok(Term::Nil)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Term, TermError> {
        Ok(unit_variant(variant))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Term, TermError> {
        match name {
            PID_TOKEN => self.id(name, value, Mode::Pid),
            REF_TOKEN => self.id(name, value, Mode::Ref),
            ATOM_TOKEN => match &mut value.serialize(TermSerializer::value(self.depth))? {
                Term::Str(s) => Ok(Term::Atom(Atom::from(std::mem::take(s)))),
                _ => Err(TermError::new(format!(
                    "invalid `{name}`: expected a string"
                ))),
            },
            BIGINT_TOKEN => match &value.serialize(TermSerializer::value(self.depth))? {
                Term::Str(digits) => digits
                    .parse::<BigInt>()
                    .map(Term::from)
                    .map_err(|_| TermError::new(format!("invalid `{name}`: `{digits}`"))),
                _ => Err(TermError::new(format!(
                    "invalid `{name}`: expected decimal digits"
                ))),
            },
            BITS_TOKEN | IMPROPER_TOKEN | OPAQUE_TOKEN => {
                rebuild(name, value.serialize(TermSerializer::value(self.depth))?)
            }
            _ => value.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Term, TermError> {
        let value = value.serialize(TermSerializer::value(self.inside()?))?;
        Ok(Term::Tuple(vec![unit_variant(variant), value]))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, TermError> {
        Ok(SeqBuilder::new(
            self.inside()?,
            len.unwrap_or(0),
            None,
            false,
        ))
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, TermError> {
        Ok(SeqBuilder::new(self.inside()?, len, None, true))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, TermError> {
        Ok(SeqBuilder::new(self.inside()?, len, None, true))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, TermError> {
        Ok(SeqBuilder::new(self.inside()?, len, Some(variant), true))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder, TermError> {
        Ok(MapBuilder {
            map: BTreeMap::new(),
            key: None,
            depth: self.inside()?,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<StructBuilder, TermError> {
        Ok(StructBuilder {
            map: BTreeMap::new(),
            variant: None,
            depth: self.inside()?,
        })
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<StructBuilder, TermError> {
        Ok(StructBuilder {
            map: BTreeMap::new(),
            variant: Some(variant),
            depth: self.inside()?,
        })
    }
}

/// Builds a list, a tuple, or a tuple variant's `{name, a, b}`, whose
/// elements are `depth` containers down.
struct SeqBuilder {
    items: Vec<Term>,
    tuple: bool,
    depth: usize,
}

impl SeqBuilder {
    fn new(depth: usize, len: usize, variant: Option<&'static str>, tuple: bool) -> SeqBuilder {
        let mut items = Vec::with_capacity(len.min(MAX_PREALLOC) + usize::from(variant.is_some()));
        items.extend(variant.map(unit_variant));
        SeqBuilder {
            items,
            tuple,
            depth,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        let i = self.items.len();
        self.items.push(
            value
                .serialize(TermSerializer::value(self.depth))
                .map_err(|e| e.at_index(i))?,
        );
        Ok(())
    }

    fn finish(self) -> Result<Term, TermError> {
        Ok(if self.tuple {
            Term::Tuple(self.items)
        } else {
            Term::List(self.items)
        })
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Term;
    type Error = TermError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        self.push(value)
    }

    fn end(self) -> Result<Term, TermError> {
        self.finish()
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Term;
    type Error = TermError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        self.push(value)
    }

    fn end(self) -> Result<Term, TermError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Term;
    type Error = TermError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        self.push(value)
    }

    fn end(self) -> Result<Term, TermError> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for SeqBuilder {
    type Ok = Term;
    type Error = TermError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        self.push(value)
    }

    fn end(self) -> Result<Term, TermError> {
        self.finish()
    }
}

/// Builds a map whose keys and values are `depth` containers down.
struct MapBuilder {
    map: BTreeMap<Term, Term>,
    key: Option<Term>,
    depth: usize,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Term;
    type Error = TermError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), TermError> {
        self.key = Some(key.serialize(TermSerializer::value(self.depth))?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| TermError::new("a map value came before its key"))?;
        let value = value
            .serialize(TermSerializer::value(self.depth))
            .map_err(|e| e.at_key(&key))?;
        self.map.insert(key, value);
        Ok(())
    }

    fn end(self) -> Result<Term, TermError> {
        Ok(Term::Map(self.map))
    }
}

/// Builds a struct's map, or a struct variant's `{name, #{..}}`, whose
/// fields are `depth` containers down.
struct StructBuilder {
    map: BTreeMap<Term, Term>,
    variant: Option<&'static str>,
    depth: usize,
}

impl StructBuilder {
    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), TermError> {
        let value = value
            .serialize(TermSerializer::value(self.depth))
            .map_err(|e| e.at_field(key))?;
        self.map.insert(Term::Str(key.to_owned()), value);
        Ok(())
    }

    fn finish(self) -> Result<Term, TermError> {
        let map = Term::Map(self.map);
        Ok(match self.variant {
            Some(name) => Term::Tuple(vec![unit_variant(name), map]),
            None => map,
        })
    }
}

impl ser::SerializeStruct for StructBuilder {
    type Ok = Term;
    type Error = TermError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), TermError> {
        self.field(key, value)
    }

    fn end(self) -> Result<Term, TermError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for StructBuilder {
    type Ok = Term;
    type Error = TermError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), TermError> {
        self.field(key, value)
    }

    fn end(self) -> Result<Term, TermError> {
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Serialize;

    use super::*;

    fn enc<T: Serialize + ?Sized>(v: &T) -> Term {
        Term::encode(v).unwrap()
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(i32);

    #[derive(Serialize)]
    struct Pair(i32, &'static str);

    #[derive(Serialize)]
    enum E {
        A,
        B(i32),
        C(i32, i32),
        D { x: i32 },
    }

    #[derive(Serialize)]
    struct S {
        name: &'static str,
        tags: Vec<&'static str>,
        e: E,
    }

    #[test]
    fn scalars() {
        assert_eq!(enc(&true), Term::Bool(true));
        assert_eq!(enc(&-5i8), Term::Int(-5));
        assert_eq!(enc(&5u8), Term::Int(5));
        assert_eq!(enc(&5i16), Term::Int(5));
        assert_eq!(enc(&5u16), Term::Int(5));
        assert_eq!(enc(&5i32), Term::Int(5));
        assert_eq!(enc(&5u32), Term::Int(5));
        assert_eq!(enc(&5i64), Term::Int(5));
        assert_eq!(enc(&(i64::MAX as u64)), Term::Int(i64::MAX));
        assert_eq!(enc(&5i128), Term::Int(5));
        assert_eq!(enc(&5u128), Term::Int(5));
        assert_eq!(enc(&0.5f32), Term::Float(0.5));
        assert_eq!(enc(&0.5f64), Term::Float(0.5));
        assert_eq!(enc(&'x'), Term::from("x"));
        assert_eq!(enc("s"), Term::from("s"));
        assert_eq!(enc(&String::from("s")), Term::from("s"));
        assert_eq!(enc(&()), Term::Nil);
        assert_eq!(enc(&None::<i32>), Term::Nil);
        assert_eq!(enc(&Some(3)), Term::Int(3));
    }

    #[test]
    fn integers_of_any_size_encode() {
        assert_eq!(enc(&u64::MAX), Term::BigInt(BigInt::from(u64::MAX)));
        assert_eq!(enc(&i128::MIN), Term::BigInt(BigInt::from(i128::MIN)));
        assert_eq!(enc(&u128::MAX), Term::BigInt(BigInt::from(u128::MAX)));
        assert_eq!(enc(&vec![0, u64::MAX])[1], Term::from(u64::MAX));
    }

    #[test]
    fn erlang_only_terms_encode_back_to_themselves() {
        let huge: BigInt = "1".repeat(60).parse().unwrap();
        for t in [
            Term::BigInt(huge),
            Term::from(u128::MAX),
            Term::bit_string(vec![1, 0x80], 9).unwrap(),
            Term::improper_list(vec![Term::atom("alias")], Term::Ref(crate::Ref::new())),
            Term::Opaque(Opaque::new(OpaqueKind::Port, &[89, 1, 2])),
            Term::tuple([Term::improper_list(vec![1.into()], 2.into())]),
        ] {
            assert_eq!(Term::encode(&t).unwrap(), t);
        }
    }

    #[test]
    fn compounds() {
        assert_eq!(enc(&vec![1, 2]), Term::list([1, 2]));
        assert_eq!(enc(&[1u8, 2][..]), Term::list([1, 2]));
        assert_eq!(enc(&(1, "a")), Term::tuple([Term::from(1), "a".into()]));
        assert_eq!(enc(&Unit), Term::Nil);
        assert_eq!(enc(&Newtype(4)), Term::Int(4));
        assert_eq!(enc(&Pair(1, "a")), Term::tuple([Term::from(1), "a".into()]));
        let m = enc(&HashMap::from([("k", 1)]));
        assert_eq!(m, [("k", 1)].into_iter().collect::<Term>());
        let m = enc(&BTreeMap::from([(1, "one")]));
        assert_eq!(m.get(1), Some(&Term::from("one")));
    }

    #[test]
    fn enums_are_atoms_and_tagged_tuples() {
        assert_eq!(enc(&E::A), Term::atom("A"));
        assert_eq!(enc(&E::B(1)), Term::tuple([Term::atom("B"), 1.into()]));
        assert_eq!(
            enc(&E::C(1, 2)),
            Term::tuple([Term::atom("C"), 1.into(), 2.into()])
        );
        let d = enc(&E::D { x: 3 });
        assert_eq!(d[0], Term::atom("D"));
        assert_eq!(d[1]["x"], 3);
        assert_eq!(format!("{d:?}"), "(D, {'x': 3})");
    }

    #[test]
    fn structs_are_maps_with_str_keys() {
        let t = enc(&S {
            name: "n",
            tags: vec!["a"],
            e: E::A,
        });
        assert_eq!(format!("{t:?}"), "{'e': A, 'name': 'n', 'tags': ['a']}");
        assert!(t.as_map().unwrap().contains_key(&Term::from("name")));
    }

    #[test]
    fn ids_and_atoms_stay_themselves() {
        let p = Pid::from_parts(u64::MAX, 7);
        let r = Ref::new();
        assert_eq!(enc(&p), Term::Pid(p));
        assert_eq!(enc(&r), Term::Ref(r));
        assert_eq!(enc(&Atom::from_static("ok")), Term::atom("ok"));
        assert_eq!(enc(&vec![p]), Term::list([p]));
    }

    #[test]
    fn terms_encode_to_themselves() {
        let p = Pid::from_parts(1, 2);
        let t = Term::tuple([
            Term::Nil,
            true.into(),
            1.into(),
            0.5.into(),
            Term::atom("a"),
            "s".into(),
            Term::bytes("b"),
            Term::list([1, 2]),
            [
                (Term::atom("k"), Term::from(p)),
                (Term::from(1), Term::Ref(Ref::new())),
            ]
            .into_iter()
            .collect(),
            Term::Tuple(vec![]),
        ]);
        assert_eq!(enc(&t), t);
    }

    #[test]
    fn encoding_stops_at_the_depth_limit() {
        let nest = |depth: usize| (0..depth).fold(Term::from(1), |t, _| Term::List(vec![t]));
        assert_eq!(enc(&nest(MAX_DEPTH)), nest(MAX_DEPTH));
        assert_eq!(
            Term::encode(&nest(MAX_DEPTH + 1)).unwrap_err().to_string(),
            "the value nests deeper than 256 levels, the limit of `Term::encode` \
             at `[0][0][0][0][0][0][0][0]…[0][0][0][0]`"
        );
        #[derive(Serialize)]
        struct Node {
            next: Option<Box<Node>>,
        }
        let node = (0..MAX_DEPTH).fold(Node { next: None }, |n, _| Node {
            next: Some(Box::new(n)),
        });
        let e = Term::encode(&node).unwrap_err().to_string();
        assert!(
            e.ends_with("at field `next.next.next.next.next.next.next.next…next.next.next.next`"),
            "{e}"
        );
        // A variant's content is a level down too.
        let t = enc(&E::B(1));
        assert_eq!(t, Term::tuple([Term::atom("B"), 1.into()]));
    }

    #[test]
    fn misused_tokens_are_errors() {
        struct Fake;
        impl Serialize for Fake {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(PID_TOKEN, "nope")
            }
        }
        let e = Term::encode(&Fake).unwrap_err();
        assert_eq!(e.to_string(), "invalid `$actor::Pid`: expected a u128 id");
        struct FakeAtom;
        impl Serialize for FakeAtom {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(ATOM_TOKEN, &1)
            }
        }
        assert!(Term::encode(&FakeAtom).is_err());
    }
}
