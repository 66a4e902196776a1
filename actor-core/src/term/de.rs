//! Serde, `Term` to Rust value: `Deserializer` for `&Term` (behind
//! [`Term::decode`]), and `Deserialize` for `Term`, `Atom`, `Pid` and `Ref`.
//!
//! A `Term` deserializes from any self-describing format. From a `&Term` it
//! is rebuilt exactly (atoms stay atoms, tuples stay tuples): `Term`'s
//! `Deserialize` asks for a newtype with a reserved name, and this
//! deserializer answers with an enum naming the term's variant, which no
//! other format does.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, SeqDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde::{forward_to_deserialize_any, Deserialize};

use super::fmt::debug_truncated;
use super::ser::{
    opaque_kind_code, rebuild, BITS_TOKEN, IMPROPER_TOKEN, OPAQUE_TOKEN, PID_TOKEN, REF_TOKEN,
};
use super::{Atom, BigInt, Term, TermError, MAX_DEPTH, NIL};
use crate::pid::{Pid, Ref};

/// The newtype name `Term`'s `Deserialize` asks for.
const TERM_TOKEN: &str = "$actor::Term";

/// The variant names this deserializer gives a term, in reply to
/// [`TERM_TOKEN`].
const TAGS: [&str; 17] = [
    "$actor::Nil",
    "$actor::Bool",
    "$actor::Int",
    "$actor::Float",
    "$actor::Atom",
    "$actor::Str",
    "$actor::Bytes",
    "$actor::List",
    "$actor::Tuple",
    "$actor::Map",
    "$actor::Pid",
    "$actor::Ref",
    "$actor::Local",
    "$actor::BigInt",
    "$actor::ImproperList",
    "$actor::BitStr",
    "$actor::Opaque",
];

fn tag_of(t: &Term) -> &'static str {
    TAGS[match t {
        Term::Nil => 0,
        Term::Bool(_) => 1,
        Term::Int(_) => 2,
        Term::Float(_) => 3,
        Term::Atom(_) => 4,
        Term::Str(_) => 5,
        Term::Bytes(_) => 6,
        Term::List(_) => 7,
        Term::Tuple(_) => 8,
        Term::Map(_) => 9,
        Term::Pid(_) => 10,
        Term::Ref(_) => 11,
        Term::Local(_) => 12,
        Term::BigInt(_) => 13,
        Term::ImproperList(_) => 14,
        Term::BitStr(_) => 15,
        Term::Opaque(_) => 16,
    }]
}

impl Term {
    /// Decodes the term into any `DeserializeOwned` type.
    ///
    /// Accepts what [`Term::encode`] produces, and more: a string from a
    /// `Str` or an atom; a float from a `Float` or an `Int`; a sequence or
    /// tuple from a `List` or a `Tuple`; a struct from a map with `Str` or
    /// atom keys; bytes from `Bytes` or `Str`; `()` and `None` from `Nil`; an
    /// enum's unit variant from an atom or a `Str`, its other variants from a
    /// tuple `{name, ...}` or from a one-entry map `#{name => value}`.
    ///
    /// # Errors
    ///
    /// When the term does not fit the type; the message says what was
    /// expected, what was found, and where: `invalid type: expected i64,
    /// found 'hey' at field `count``.
    ///
    /// When the term nests deeper than 256 levels (lists, tuples and maps
    /// inside one another; the network decoder allows no more either):
    /// serde reads a level per Rust call, so deeper terms are refused rather
    /// than risk the stack, with an error that names the limit and the path
    /// to where it was reached.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::{Pid, Term};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize, Debug, PartialEq)]
    /// enum Cmd {
    ///     Stop,
    ///     Add(i64),
    /// }
    ///
    /// #[derive(Serialize, Deserialize, Debug, PartialEq)]
    /// struct Job {
    ///     owner: Pid,
    ///     cmds: Vec<Cmd>,
    /// }
    ///
    /// let job = Job { owner: Pid::from_parts(1, 2), cmds: vec![Cmd::Add(2), Cmd::Stop] };
    /// let t = Term::encode(&job).unwrap();
    /// assert_eq!(t.decode::<Job>().unwrap(), job);
    ///
    /// // Built by hand, with atoms for keys and the map form of a variant.
    /// let t: Term = [
    ///     (Term::atom("owner"), Term::from(job.owner)),
    ///     (Term::atom("cmds"), Term::list([Term::from("Stop"), [("Add", 3)].into_iter().collect()])),
    /// ]
    /// .into_iter()
    /// .collect();
    /// assert_eq!(t.decode::<Job>().unwrap().cmds, [Cmd::Stop, Cmd::Add(3)]);
    ///
    /// let err = Term::from("x").decode::<Job>().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid type: expected struct Job, found 'x'");
    ///
    /// let deep = (0..1000).fold(Term::Nil, |t, _| Term::list([t]));
    /// let err = deep.decode::<Term>().unwrap_err();
    /// assert!(err.to_string().starts_with("the term nests deeper than 256 levels"));
    /// ```
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, TermError> {
        T::deserialize(self)
    }
}

/// `Deserializer` methods of `&Term` that take only the visitor, each
/// handing over to a [`Reader`] at depth 0.
macro_rules! forward_to_reader {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
            Reader::new(self).$method(v)
        }
    )*};
}

/// Reads a term as serde data: see [`Term::decode`] for what it accepts.
impl<'de> Deserializer<'de> for &'de Term {
    type Error = TermError;

    forward_to_reader! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, TermError> {
        Reader::new(self).deserialize_unit_struct(name, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, TermError> {
        Reader::new(self).deserialize_newtype_struct(name, v)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, TermError> {
        Reader::new(self).deserialize_tuple(len, v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, TermError> {
        Reader::new(self).deserialize_tuple_struct(name, len, v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        Reader::new(self).deserialize_struct(name, fields, v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        Reader::new(self).deserialize_enum(name, variants, v)
    }
}

/// A term being read, `depth` containers inside the one decoding began
/// with. Reading goes down one Rust call per level, so it stops at
/// [`MAX_DEPTH`].
#[derive(Clone, Copy)]
struct Reader<'de> {
    term: &'de Term,
    depth: usize,
}

impl<'de> Reader<'de> {
    fn new(term: &'de Term) -> Reader<'de> {
        Reader { term, depth: 0 }
    }

    /// The depth of this term's children, or an error past the limit.
    fn inside(self) -> Result<usize, TermError> {
        if self.depth < MAX_DEPTH {
            Ok(self.depth + 1)
        } else {
            Err(TermError::too_deep("term", "decode"))
        }
    }

    fn visit_seq<V: Visitor<'de>>(self, items: &'de [Term], v: V) -> Result<V::Value, TermError> {
        visit_seq(items, self.inside()?, v)
    }

    fn visit_map<V: Visitor<'de>>(
        self,
        map: &'de BTreeMap<Term, Term>,
        v: V,
    ) -> Result<V::Value, TermError> {
        visit_map(map, self.inside()?, v)
    }

    fn mismatch(self, expected: &dyn Expected) -> TermError {
        TermError::mismatch(self.term, expected)
    }
}

impl<'de> Deserializer<'de> for Reader<'de> {
    type Error = TermError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Nil => v.visit_unit(),
            Term::Bool(b) => v.visit_bool(*b),
            Term::Int(i) => v.visit_i64(*i),
            Term::BigInt(b) => visit_big(b, v),
            Term::Float(f) => v.visit_f64(*f),
            Term::Atom(a) => v.visit_borrowed_str(a.as_str()),
            Term::Str(s) => v.visit_borrowed_str(s),
            Term::Bytes(b) => v.visit_borrowed_bytes(b),
            Term::List(items) | Term::Tuple(items) => self.visit_seq(items, v),
            Term::Map(map) => self.visit_map(map, v),
            Term::Pid(p) => v.visit_string(p.to_string()),
            Term::Ref(r) => v.visit_string(r.to_string()),
            Term::ImproperList(_) | Term::BitStr(_) | Term::Opaque(_) | Term::Local(_) => {
                Err(self.mismatch(&v))
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term.as_bool() {
            Some(b) => v.visit_bool(b),
            None => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Int(i) => v.visit_i64(*i),
            Term::BigInt(b) => visit_big(b, v),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_i64(v)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Float(f) => v.visit_f64(*f),
            Term::Int(i) => v.visit_i64(*i),
            Term::BigInt(b) => v.visit_f64(b.to_f64()),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Str(s) => v.visit_borrowed_str(s),
            Term::Atom(a) => v.visit_borrowed_str(a.as_str()),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Str(s) => v.visit_borrowed_str(s),
            Term::Atom(a) => v.visit_borrowed_str(a.as_str()),
            Term::Bool(b) => v.visit_borrowed_str(super::order::bool_name(*b)),
            Term::Pid(p) => v.visit_string(p.to_string()),
            Term::Ref(r) => v.visit_string(r.to_string()),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Bytes(b) => v.visit_borrowed_bytes(b),
            Term::Str(s) => v.visit_borrowed_bytes(s.as_bytes()),
            Term::List(items) | Term::Tuple(items) => self.visit_seq(items, v),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_bytes(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Nil => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Nil => v.visit_unit(),
            Term::Tuple(items) if items.is_empty() => v.visit_unit(),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, TermError> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, TermError> {
        match (name, self.term) {
            (TERM_TOKEN, _) => v.visit_enum(Tagged(self)),
            (PID_TOKEN, Term::Pid(p)) => v.visit_u128(p.as_u128()),
            (REF_TOKEN, Term::Ref(r)) => v.visit_u128(r.as_u128()),
            (PID_TOKEN | REF_TOKEN, Term::Str(s)) => v.visit_borrowed_str(s),
            (PID_TOKEN | REF_TOKEN, _) => Err(self.mismatch(&v)),
            (IMPROPER_TOKEN, Term::ImproperList(l)) => {
                let mut seq = Elements {
                    iter: l.items().iter(),
                    tail: Some(l.tail()),
                    index: 0,
                    depth: self.inside()?,
                };
                v.visit_seq(&mut seq)
            }
            (BITS_TOKEN, Term::BitStr(b)) => {
                let mut flat = (b.bit_len() as u64).to_be_bytes().to_vec();
                flat.extend_from_slice(b.bytes());
                v.visit_byte_buf(flat)
            }
            (OPAQUE_TOKEN, Term::Opaque(o)) => {
                let mut flat = vec![opaque_kind_code(o.kind())];
                flat.extend_from_slice(o.encoded());
                v.visit_byte_buf(flat)
            }
            _ => v.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::List(items) | Term::Tuple(items) => self.visit_seq(items, v),
            Term::Bytes(b) => {
                let mut seq = SeqDeserializer::new(b.iter().copied());
                let value = v.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, TermError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, TermError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Map(map) => self.visit_map(map, v),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        match self.term {
            Term::Map(map) => self.visit_map(map, v),
            Term::List(items) | Term::Tuple(items) => self.visit_seq(items, v),
            _ => Err(self.mismatch(&v)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        let (name, payload) = match self.term {
            Term::Atom(_) | Term::Str(_) | Term::Bool(_) => (self, Payload::None),
            Term::Tuple(items) => match items.split_first() {
                Some((name @ (Term::Atom(_) | Term::Str(_) | Term::Bool(_)), rest)) => {
                    let depth = self.inside()?;
                    (Reader { term: name, depth }, Payload::Rest(rest))
                }
                _ => return Err(self.mismatch(&v)),
            },
            Term::Map(map) if map.len() == 1 => match map.iter().next() {
                Some((name, value)) => {
                    let depth = self.inside()?;
                    (Reader { term: name, depth }, Payload::One(value))
                }
                None => return Err(self.mismatch(&v)),
            },
            _ => return Err(self.mismatch(&v)),
        };
        v.visit_enum(Variant { name, payload })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        match self.term {
            Term::Str(_) | Term::Atom(_) | Term::Bool(_) => self.deserialize_str(v),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        v.visit_unit()
    }
}

/// Visits `items`, `depth` containers down, as a sequence; elements left
/// over are an error.
fn visit_seq<'de, V: Visitor<'de>>(
    items: &'de [Term],
    depth: usize,
    v: V,
) -> Result<V::Value, TermError> {
    let mut seq = Elements {
        iter: items.iter(),
        tail: None,
        index: 0,
        depth,
    };
    let value = v.visit_seq(&mut seq)?;
    if seq.iter.len() == 0 {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(
            items.len(),
            &FewerElements(seq.index),
        ))
    }
}

/// What a sequence with elements left over was expected to hold.
struct FewerElements(usize);

impl Expected for FewerElements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} elements", self.0)
    }
}

struct Elements<'de> {
    iter: std::slice::Iter<'de, Term>,
    /// An improper list's tail, after the elements.
    tail: Option<&'de Term>,
    index: usize,
    depth: usize,
}

impl<'de> SeqAccess<'de> for Elements<'de> {
    type Error = TermError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, TermError> {
        match self.iter.next().or_else(|| self.tail.take()) {
            Some(term) => {
                let i = self.index;
                self.index += 1;
                seed.deserialize(Reader {
                    term,
                    depth: self.depth,
                })
                .map(Some)
                .map_err(|e| e.at_index(i))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// Visits `map`'s entries, `depth` containers down.
fn visit_map<'de, V: Visitor<'de>>(
    map: &'de BTreeMap<Term, Term>,
    depth: usize,
    v: V,
) -> Result<V::Value, TermError> {
    let mut entries = Entries {
        iter: map.iter(),
        entry: None,
        depth,
    };
    // A visitor stops early only by failing, so nothing is left over.
    v.visit_map(&mut entries)
}

struct Entries<'de> {
    iter: std::collections::btree_map::Iter<'de, Term, Term>,
    entry: Option<(&'de Term, &'de Term)>,
    depth: usize,
}

impl<'de> Entries<'de> {
    fn reader(&self, term: &'de Term) -> Reader<'de> {
        Reader {
            term,
            depth: self.depth,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = TermError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TermError> {
        match self.iter.next() {
            Some((k, v)) => {
                self.entry = Some((k, v));
                seed.deserialize(self.reader(k)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TermError> {
        match self.entry.take() {
            Some((k, v)) => seed.deserialize(self.reader(v)).map_err(|e| e.at_key(k)),
            None => Err(de::Error::custom(
                "a map value was asked for before its key",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len() + usize::from(self.entry.is_some()))
    }
}

/// The content of an enum variant, after its name.
#[derive(Clone, Copy)]
enum Payload<'de> {
    /// A bare name: a unit variant.
    None,
    /// The elements after the name in `{name, a, b}`.
    Rest(&'de [Term]),
    /// The value in `#{name => value}`.
    One(&'de Term),
}

/// An enum's variant: its name, and the content at the name's depth.
struct Variant<'de> {
    name: Reader<'de>,
    payload: Payload<'de>,
}

impl<'de> Variant<'de> {
    fn name(&self) -> &str {
        match self.name.term {
            Term::Str(s) => s,
            other => other.as_atom().unwrap_or_default(),
        }
    }

    /// A term of the payload, read at the name's depth.
    fn reader(&self, term: &'de Term) -> Reader<'de> {
        Reader {
            term,
            depth: self.name.depth,
        }
    }

    fn unexpected(&self, expected: &str) -> TermError {
        let found = match self.payload {
            Payload::None => "no value".to_owned(),
            Payload::One(t) => debug_truncated(t, 60),
            Payload::Rest(items) => debug_truncated(&Term::Tuple(items.to_vec()), 60),
        };
        TermError::new(format!("invalid type: expected {expected}, found {found}"))
            .at_field(self.name())
    }
}

impl<'de> EnumAccess<'de> for Variant<'de> {
    type Error = TermError;
    type Variant = Variant<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), TermError> {
        let tag = seed.deserialize(self.name)?;
        Ok((tag, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'de> {
    type Error = TermError;

    fn unit_variant(self) -> Result<(), TermError> {
        match self.payload {
            Payload::None | Payload::One(Term::Nil) => Ok(()),
            Payload::Rest([]) => Ok(()),
            _ => Err(self.unexpected("a unit variant")),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, TermError> {
        let value = match self.payload {
            Payload::None | Payload::Rest([]) => seed.deserialize(self.reader(&NIL)),
            Payload::Rest([one]) | Payload::One(one) => seed.deserialize(self.reader(one)),
            Payload::Rest(items) => seed.deserialize(Slice(items, self.name.depth)),
        };
        value.map_err(|e| e.at_field(self.name()))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, TermError> {
        let value = match self.payload {
            Payload::Rest([one @ (Term::List(_) | Term::Tuple(_))]) | Payload::One(one) => {
                self.reader(one).deserialize_seq(v)
            }
            Payload::Rest(items) => visit_seq(items, self.name.depth, v),
            Payload::None => return Err(self.unexpected("a tuple variant")),
        };
        value.map_err(|e| e.at_field(self.name()))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        let value = match self.payload {
            Payload::Rest([one]) | Payload::One(one) => {
                self.reader(one).deserialize_struct("", fields, v)
            }
            Payload::Rest(items) if !items.is_empty() => visit_seq(items, self.name.depth, v),
            _ => return Err(self.unexpected("a struct variant")),
        };
        value.map_err(|e| e.at_field(self.name()))
    }
}

/// Several terms read as one sequence, at a depth: the content of
/// `{name, a, b}` for a newtype variant whose value is a tuple.
struct Slice<'de>(&'de [Term], usize);

impl<'de> Deserializer<'de> for Slice<'de> {
    type Error = TermError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TermError> {
        visit_seq(self.0, self.1, v)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The reply to `Term`'s `Deserialize`: the term, tagged with its variant.
struct Tagged<'de>(Reader<'de>);

impl<'de> EnumAccess<'de> for Tagged<'de> {
    type Error = TermError;
    type Variant = Tagged<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), TermError> {
        let tag = seed.deserialize(BorrowedStrDeserializer::new(tag_of(self.0.term)))?;
        Ok((tag, self))
    }
}

impl<'de> VariantAccess<'de> for Tagged<'de> {
    type Error = TermError;

    fn unit_variant(self) -> Result<(), TermError> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, TermError> {
        seed.deserialize(self.0)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, TermError> {
        self.0.deserialize_seq(v)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        self.0.deserialize_map(v)
    }
}

/// A term deserializes from any self-describing format: maps, sequences,
/// strings, numbers, booleans, bytes and unit/none (`Nil`) map onto the
/// matching variants (an integer beyond `i64` becomes a `BigInt`). From a
/// `&Term` (inside [`Term::decode`]) it comes back exactly as it was.
impl<'de> Deserialize<'de> for Term {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Term, D::Error> {
        d.deserialize_newtype_struct(TERM_TOKEN, TermVisitor)
    }
}

struct TermVisitor;

impl<'de> Visitor<'de> for TermVisitor {
    type Value = Term;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Term, E> {
        Ok(Term::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Term, E> {
        Ok(Term::Int(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Term, E> {
        Ok(Term::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Term, E> {
        Ok(Term::from(v))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Term, E> {
        Ok(Term::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Term, E> {
        Ok(Term::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Term, E> {
        Ok(Term::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Term, E> {
        Ok(Term::Str(v))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Term, E> {
        Ok(Term::Bytes(v.to_vec()))
    }

    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Term, E> {
        Ok(Term::Bytes(v))
    }

    fn visit_none<E>(self) -> Result<Term, E> {
        Ok(Term::Nil)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Term, D::Error> {
        Term::deserialize(d)
    }

    fn visit_unit<E>(self) -> Result<Term, E> {
        Ok(Term::Nil)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Term, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Term, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Term::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Term, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, v)) = map.next_entry()? {
            out.insert(k, v);
        }
        Ok(Term::Map(out))
    }

    /// A term tagged with its variant (from a `&Term`), or else an enum from
    /// a format that has them: `{name, value}`.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Term, A::Error> {
        let (tag, v): (Tag, _) = data.variant()?;
        Ok(match tag {
            Tag::Known(i) => match i {
                0 => {
                    v.unit_variant()?;
                    Term::Nil
                }
                1 => Term::Bool(v.newtype_variant()?),
                2 => Term::Int(v.newtype_variant()?),
                3 => Term::Float(v.newtype_variant()?),
                4 => Term::Atom(v.newtype_variant()?),
                5 => Term::Str(v.newtype_variant()?),
                6 => Term::Bytes(v.newtype_variant_seed(ByteBuf)?),
                7 => Term::List(v.newtype_variant()?),
                8 => Term::Tuple(v.newtype_variant()?),
                9 => Term::Map(v.newtype_variant()?),
                10 => Term::Pid(v.newtype_variant()?),
                13 => Term::from(v.newtype_variant::<BigInt>()?),
                14 => v.newtype_variant_seed(Exact(IMPROPER_TOKEN))?,
                15 => v.newtype_variant_seed(Exact(BITS_TOKEN))?,
                16 => v.newtype_variant_seed(Exact(OPAQUE_TOKEN))?,
                _ => Term::Ref(v.newtype_variant()?),
            },
            Tag::Other(name) => {
                Term::Tuple(vec![Term::Atom(Atom::from(name)), v.newtype_variant()?])
            }
        })
    }
}

/// Visits a `BigInt`: as an `i64`, `i128` or `u128` where it fits, else
/// as its decimal digits.
fn visit_big<'de, V: Visitor<'de>>(b: &BigInt, v: V) -> Result<V::Value, TermError> {
    if let Some(i) = b.to_i64() {
        v.visit_i64(i)
    } else if let Some(i) = b.to_i128() {
        v.visit_i128(i)
    } else if let Some(u) = b.to_u128() {
        v.visit_u128(u)
    } else {
        v.visit_string(b.to_string())
    }
}

/// Rebuilds an Erlang-only term from the newtype its `Serialize` wrote
/// (a bit string, an improper list, an opaque term): what `Term`'s
/// `Deserialize` asks for when a `&Term` names one of these variants.
struct Exact(&'static str);

impl<'de> DeserializeSeed<'de> for Exact {
    type Value = Term;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Term, D::Error> {
        let name = self.0;
        d.deserialize_newtype_struct(name, self)
    }
}

impl<'de> Visitor<'de> for Exact {
    type Value = Term;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a `{}`", self.0)
    }

    /// An improper list's elements, then its tail.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Term, A::Error> {
        let mut items: Vec<Term> = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        let tail = items.pop().unwrap_or_default();
        if items.is_empty() {
            return Err(de::Error::invalid_length(0, &self));
        }
        Ok(Term::improper_list(items, tail))
    }

    /// A bit string (its length first, 8 bytes) or an opaque term (its
    /// kind first, a byte).
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Term, E> {
        let content = if self.0 == BITS_TOKEN {
            let (len, bytes) = v
                .split_at_checked(8)
                .ok_or_else(|| E::custom("truncated"))?;
            let len = u64::from_be_bytes(len.try_into().map_err(E::custom)?);
            Term::tuple([Term::bytes(bytes), Term::from(len)])
        } else {
            let (&kind, bytes) = v.split_first().ok_or_else(|| E::custom("truncated"))?;
            Term::tuple([Term::from(kind), Term::bytes(bytes)])
        };
        rebuild(self.0, content).map_err(E::custom)
    }
}

/// An integer from any integer, or from decimal digits.
impl<'de> Deserialize<'de> for BigInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BigInt, D::Error> {
        struct BigVisitor;
        impl Visitor<'_> for BigVisitor {
            type Value = BigInt;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }

            fn visit_i64<E>(self, v: i64) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }

            fn visit_u64<E>(self, v: u64) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }

            fn visit_i128<E>(self, v: i128) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }

            fn visit_u128<E>(self, v: u128) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<BigInt, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(BigVisitor)
    }
}

/// A variant name: one of [`TAGS`] (by index), or any other.
enum Tag {
    Known(usize),
    Other(String),
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tag, D::Error> {
        struct TagVisitor;
        impl Visitor<'_> for TagVisitor {
            type Value = Tag;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a variant name")
            }

            fn visit_str<E>(self, v: &str) -> Result<Tag, E> {
                Ok(match TAGS.iter().position(|t| *t == v) {
                    Some(i) => Tag::Known(i),
                    None => Tag::Other(v.to_owned()),
                })
            }

            fn visit_u64<E>(self, v: u64) -> Result<Tag, E> {
                Ok(Tag::Other(v.to_string()))
            }
        }
        d.deserialize_identifier(TagVisitor)
    }
}

/// Reads a byte buffer (`Vec<u8>` alone would ask for a sequence).
struct ByteBuf;

impl<'de> DeserializeSeed<'de> for ByteBuf {
    type Value = Vec<u8>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(self)
    }
}

impl<'de> Visitor<'de> for ByteBuf {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }
}

/// An atom deserializes from a string (or from an atom in a `Term`).
impl<'de> Deserialize<'de> for Atom {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Atom, D::Error> {
        struct AtomVisitor;
        impl Visitor<'_> for AtomVisitor {
            type Value = Atom;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an atom")
            }

            fn visit_str<E>(self, v: &str) -> Result<Atom, E> {
                Ok(Atom::from(v))
            }

            fn visit_string<E>(self, v: String) -> Result<Atom, E> {
                Ok(Atom::from(v))
            }
        }
        d.deserialize_str(AtomVisitor)
    }
}

/// A pid or reference's 128 bits, from a `u128`, a UUID string or 16 bytes.
struct IdVisitor(&'static str);

impl<'de> Visitor<'de> for IdVisitor {
    type Value = u128;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (a UUID)", self.0)
    }

    fn visit_u128<E>(self, v: u128) -> Result<u128, E> {
        Ok(v)
    }

    fn visit_u64<E>(self, v: u64) -> Result<u128, E> {
        Ok(v.into())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u128, E> {
        uuid::Uuid::parse_str(v)
            .map(|u| u.as_u128())
            .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<u128, E> {
        <[u8; 16]>::try_from(v)
            .map(u128::from_be_bytes)
            .map_err(|_| E::invalid_value(Unexpected::Bytes(v), &self))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<u128, D::Error> {
        if d.is_human_readable() {
            d.deserialize_str(self)
        } else {
            d.deserialize_u128(self)
        }
    }
}

fn split(v: u128) -> (u64, u64) {
    ((v >> 64) as u64, v as u64)
}

/// A pid deserializes from its UUID (a string, or a `u128` in binary
/// formats), or from a `Term::Pid`.
impl<'de> Deserialize<'de> for Pid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pid, D::Error> {
        let (hi, lo) = split(d.deserialize_newtype_struct(PID_TOKEN, IdVisitor("a pid"))?);
        Ok(Pid::from_parts(hi, lo))
    }
}

/// A reference deserializes from its UUID (a string, or a `u128` in binary
/// formats), or from a `Term::Ref`.
impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ref, D::Error> {
        let (hi, lo) = split(d.deserialize_newtype_struct(REF_TOKEN, IdVisitor("a reference"))?);
        Ok(Ref::from_parts(hi, lo))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::de::value::{
        Error as ValueError, MapDeserializer, StrDeserializer, U128Deserializer,
    };
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::term::MAX_DEPTH;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    enum Shape {
        Dot,
        Circle(f64),
        Rect(i32, i32),
        Poly { points: Vec<(i32, i32)> },
        Wrapped((i32, i32)),
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Inner {
        label: String,
        shape: Shape,
        maybe: Option<u8>,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Outer {
        id: u64,
        owner: Pid,
        call: Option<Ref>,
        inner: Vec<Inner>,
        index: HashMap<String, i64>,
        extra: Term,
        unit: (),
        pair: (bool, char),
        ratio: f32,
    }

    fn outer() -> Outer {
        Outer {
            id: 7,
            owner: Pid::from_parts(0xdead_beef, 42),
            call: Some(Ref::new()),
            inner: vec![
                Inner {
                    label: "a".into(),
                    shape: Shape::Dot,
                    maybe: None,
                },
                Inner {
                    label: "b".into(),
                    shape: Shape::Circle(1.5),
                    maybe: Some(3),
                },
                Inner {
                    label: "c".into(),
                    shape: Shape::Rect(2, 3),
                    maybe: None,
                },
                Inner {
                    label: "d".into(),
                    shape: Shape::Poly {
                        points: vec![(0, 0), (1, 1)],
                    },
                    maybe: None,
                },
                Inner {
                    label: "e".into(),
                    shape: Shape::Wrapped((4, 5)),
                    maybe: None,
                },
            ],
            index: HashMap::from([("x".to_string(), -1), ("y".to_string(), 2)]),
            extra: Term::tuple([Term::atom("ok"), Term::bytes("raw"), Term::from(Ref::new())]),
            unit: (),
            pair: (true, 'z'),
            ratio: 0.25,
        }
    }

    fn decode<T: DeserializeOwned>(t: &Term) -> Result<T, String> {
        t.decode().map_err(|e: TermError| e.to_string())
    }

    #[test]
    fn round_trips_nested_types() {
        let v = outer();
        let t = Term::encode(&v).unwrap();
        assert_eq!(t["owner"], v.owner);
        assert_eq!(t["call"], v.call.unwrap());
        assert_eq!(
            t["inner"][1]["shape"],
            Term::tuple([Term::atom("Circle"), 1.5.into()])
        );
        assert_eq!(t["extra"], v.extra);
        assert!(t["unit"].is_nil());
        assert_eq!(t.decode::<Outer>().unwrap(), v);
    }

    #[test]
    fn round_trips_plain_values() {
        fn rt<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(v: T) {
            let t = Term::encode(&v).unwrap();
            assert_eq!(t.decode::<T>().unwrap(), v, "through {t:?}");
        }
        rt(true);
        rt(-3i8);
        rt(200u8);
        rt(i64::MIN);
        rt(i64::MAX as u64);
        rt(-5i128);
        rt(5u128);
        rt(0.1f64);
        rt(0.5f32);
        rt('é');
        rt(String::from("hey"));
        rt(());
        rt(Some(Some(1)));
        rt(None::<String>);
        rt(vec![1, 2, 3]);
        rt(Vec::<i32>::new());
        rt((1, "a".to_string(), (2.5, false)));
        rt([1u8, 2, 3]);
        rt(BTreeMap::from([(1, "a".to_string()), (2, "b".to_string())]));
        rt(HashMap::from([((1, 2), vec![Shape::Dot])]));
        rt(Pid::from_parts(u64::MAX, u64::MAX));
        rt(Ref::new());
        rt(Atom::from_static("x"));
        rt(Shape::Dot);
        rt(Shape::Circle(2.0));
        rt(Shape::Rect(-1, 1));
        rt(Shape::Poly { points: vec![] });
        rt(Shape::Wrapped((1, 2)));
    }

    #[test]
    fn terms_decode_exactly() {
        let p = Pid::from_parts(1, 2);
        let r = Ref::from_parts(3, 4);
        let t = Term::tuple([
            Term::Nil,
            true.into(),
            (-1).into(),
            0.5.into(),
            Term::atom("a"),
            "s".into(),
            Term::bytes(vec![0u8, 255]),
            Term::list([Term::tuple([1]), Term::List(vec![])]),
            [
                (Term::atom("k"), Term::from(p)),
                (Term::from(1), Term::from(r)),
                (Term::Tuple(vec![]), Term::map()),
            ]
            .into_iter()
            .collect(),
            Term::from(p),
            Term::from(r),
        ]);
        assert_eq!(t.decode::<Term>().unwrap(), t);
        // Inside typed values too.
        let v: Vec<Term> = Term::list([t.clone(), Term::atom("b")]).decode().unwrap();
        assert_eq!(v, [t.clone(), Term::atom("b")]);
        let m: HashMap<String, Term> = [("t", t.clone())]
            .into_iter()
            .collect::<Term>()
            .decode()
            .unwrap();
        assert_eq!(m["t"], t);
    }

    #[test]
    fn decoding_is_lenient_where_erlang_is() {
        // Struct keys may be atoms; strings may be atoms; floats may be ints.
        let t: Term = [
            (Term::atom("label"), Term::atom("lbl")),
            (Term::atom("shape"), Term::from("Dot")),
            (Term::atom("maybe"), Term::Nil),
        ]
        .into_iter()
        .collect();
        let inner: Inner = t.decode().unwrap();
        assert_eq!(inner.label, "lbl");
        assert_eq!(decode::<f64>(&Term::Int(2)), Ok(2.0));
        assert_eq!(decode::<f32>(&Term::Int(2)), Ok(2.0));
        assert_eq!(decode::<String>(&Term::Bool(true)), Ok("true".into()));
        assert_eq!(decode::<bool>(&Term::atom("false")), Ok(false));
        assert_eq!(decode::<char>(&Term::atom("x")), Ok('x'));
        // Tuples and lists stand for each other.
        assert_eq!(decode::<Vec<i32>>(&Term::tuple([1, 2])), Ok(vec![1, 2]));
        assert_eq!(decode::<(i32, i32)>(&Term::list([1, 2])), Ok((1, 2)));
        // A struct from a positional tuple.
        let t = Term::tuple([Term::from("l"), Term::atom("Dot"), Term::Nil]);
        assert_eq!(decode::<Inner>(&t).map(|i| i.label), Ok("l".into()));
        // Unit from an empty tuple.
        assert_eq!(decode::<()>(&Term::Tuple(vec![])), Ok(()));
        // Bytes from Bytes, Str and lists.
        #[derive(Deserialize, Debug, PartialEq)]
        struct B(#[serde(with = "bytes")] Vec<u8>);
        assert_eq!(decode::<B>(&Term::bytes("ab")), Ok(B(b"ab".to_vec())));
        assert_eq!(decode::<B>(&Term::from("ab")), Ok(B(b"ab".to_vec())));
        assert_eq!(decode::<Vec<u8>>(&Term::bytes("ab")), Ok(b"ab".to_vec()));
        assert_eq!(decode::<Vec<u8>>(&Term::list([97, 98])), Ok(b"ab".to_vec()));
        // Pids and refs from their UUID strings.
        let p = Pid::from_parts(0x0123_4567_89ab_4cde, 0x8123_4567_89ab_cdef);
        assert_eq!(decode::<Pid>(&Term::from(p.to_string())), Ok(p));
        assert_eq!(decode::<String>(&Term::from(p)), Ok(p.to_string()));
        let r = Ref::new();
        assert_eq!(decode::<Ref>(&Term::from(r.to_string())), Ok(r));
    }

    mod bytes {
        use serde::Deserializer;

        pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
            d.deserialize_byte_buf(super::ByteBuf)
        }
    }

    #[test]
    fn enum_forms() {
        let circle = Term::tuple([Term::atom("Circle"), 2.0.into()]);
        assert_eq!(decode::<Shape>(&circle), Ok(Shape::Circle(2.0)));
        // The name may be a `Str`; the value may come in a one-entry map.
        let circle = Term::tuple([Term::from("Circle"), 2.into()]);
        assert_eq!(decode::<Shape>(&circle), Ok(Shape::Circle(2.0)));
        let circle: Term = [("Circle", 2.5)].into_iter().collect();
        assert_eq!(decode::<Shape>(&circle), Ok(Shape::Circle(2.5)));
        let rect: Term = [("Rect", Term::list([1, 2]))].into_iter().collect();
        assert_eq!(decode::<Shape>(&rect), Ok(Shape::Rect(1, 2)));
        let rect = Term::tuple([Term::atom("Rect"), Term::tuple([1, 2])]);
        assert_eq!(decode::<Shape>(&rect), Ok(Shape::Rect(1, 2)));
        let poly: Term = [(
            "Poly",
            [("points", Term::list([(0, 1)]))]
                .into_iter()
                .collect::<Term>(),
        )]
        .into_iter()
        .collect();
        assert_eq!(
            decode::<Shape>(&poly),
            Ok(Shape::Poly {
                points: vec![(0, 1)]
            })
        );
        let points: Term = [(Term::atom("points"), Term::list([(0, 1)]))]
            .into_iter()
            .collect();
        let poly = Term::tuple([Term::atom("Poly"), points]);
        assert_eq!(
            decode::<Shape>(&poly),
            Ok(Shape::Poly {
                points: vec![(0, 1)]
            })
        );
        // `{Wrapped, 1, 2}` reads as the newtype's tuple.
        let w = Term::tuple([Term::atom("Wrapped"), 1.into(), 2.into()]);
        assert_eq!(decode::<Shape>(&w), Ok(Shape::Wrapped((1, 2))));
        let dot: Term = [("Dot", Term::Nil)].into_iter().collect();
        assert_eq!(decode::<Shape>(&dot), Ok(Shape::Dot));
        assert_eq!(
            decode::<Shape>(&Term::tuple([Term::atom("Dot")])),
            Ok(Shape::Dot)
        );
        // A newtype variant named alone holds `Nil`.
        assert_eq!(decode::<Option<Shape>>(&Term::Nil), Ok(None));
        #[derive(Deserialize, Debug, PartialEq)]
        enum Opt {
            Maybe(Option<i32>),
        }
        assert_eq!(decode::<Opt>(&Term::atom("Maybe")), Ok(Opt::Maybe(None)));
    }

    #[test]
    fn error_messages_say_what_and_where() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Order {
            count: i64,
        }
        let t: Term = [("count", "hey")].into_iter().collect();
        assert_eq!(
            decode::<Order>(&t).unwrap_err(),
            "invalid type: expected i64, found 'hey' at field `count`"
        );
        assert_eq!(
            decode::<Order>(&Term::map()).unwrap_err(),
            "missing field `count`"
        );
        assert_eq!(
            decode::<Order>(&Term::from(3)).unwrap_err(),
            "invalid type: expected struct Order, found 3"
        );
        let mut bad = Term::encode(&outer()).unwrap();
        if let Term::Map(m) = &mut bad {
            let inner = m.get_mut(&Term::from("inner")).unwrap();
            if let Term::List(items) = inner {
                if let Term::Map(m) = &mut items[2] {
                    m.insert("maybe".into(), Term::from(300));
                }
            }
        }
        assert_eq!(
            decode::<Outer>(&bad).unwrap_err(),
            "invalid value: integer `300`, expected u8 at field `inner[2].maybe`"
        );
        assert_eq!(
            decode::<Vec<bool>>(&Term::list([Term::from(true), Term::Nil])).unwrap_err(),
            "invalid type: expected a boolean, found None at `[1]`"
        );
        assert_eq!(
            decode::<(i32, i32)>(&Term::list([1, 2, 3])).unwrap_err(),
            "invalid length 3, expected 2 elements"
        );
        assert_eq!(
            decode::<Shape>(&Term::atom("Hexagon")).unwrap_err(),
            "unknown variant `Hexagon`, expected one of `Dot`, `Circle`, `Rect`, `Poly`, `Wrapped`"
        );
        assert_eq!(
            decode::<Shape>(&Term::tuple([Term::atom("Circle"), "x".into()])).unwrap_err(),
            "invalid type: expected f64, found 'x' at field `Circle`"
        );
        assert_eq!(
            decode::<Shape>(&Term::tuple([Term::atom("Dot"), 1.into()])).unwrap_err(),
            "invalid type: expected a unit variant, found (1,) at field `Dot`"
        );
        assert_eq!(
            decode::<Shape>(&Term::atom("Rect")).unwrap_err(),
            "invalid type: expected a tuple variant, found no value at field `Rect`"
        );
        assert_eq!(
            decode::<Shape>(&Term::from(1)).unwrap_err(),
            "invalid type: expected enum Shape, found 1"
        );
        assert_eq!(
            decode::<u32>(&Term::from(-1)).unwrap_err(),
            "invalid value: integer `-1`, expected u32"
        );
        assert_eq!(
            decode::<i64>(&Term::from(1.0)).unwrap_err(),
            "invalid type: expected i64, found 1.0"
        );
        assert_eq!(
            decode::<Pid>(&Term::from(Ref::from_parts(1, 2))).unwrap_err(),
            format!(
                "invalid type: expected a pid (a UUID), found {:?}",
                Ref::from_parts(1, 2)
            )
        );
        assert_eq!(
            decode::<Pid>(&Term::from("nope")).unwrap_err(),
            "invalid value: string \"nope\", expected a pid (a UUID)"
        );
        assert_eq!(
            decode::<HashMap<String, i32>>(&Term::list([1])).unwrap_err(),
            "invalid type: expected a map, found [1]"
        );
        let m: Term = [(Term::from(5), Term::from("x"))].into_iter().collect();
        assert_eq!(
            decode::<BTreeMap<i32, i32>>(&m).unwrap_err(),
            "invalid type: expected i32, found 'x' at `[5]`"
        );
    }

    #[test]
    fn decoding_stops_at_the_depth_limit() {
        let nest = |depth: usize| (0..depth).fold(Term::from(1), |t, _| Term::tuple([t]));
        assert_eq!(nest(MAX_DEPTH).decode::<Term>(), Ok(nest(MAX_DEPTH)));
        assert_eq!(
            decode::<Term>(&nest(MAX_DEPTH + 1)).unwrap_err(),
            "the term nests deeper than 256 levels, the limit of `Term::decode` \
             at `[0][0][0][0][0][0][0][0]…[0][0][0][0]`"
        );
        // Enum variants nest too: `{Node, {Node, ... Leaf}}`.
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        enum Tree {
            Leaf,
            Node(Box<Tree>),
        }
        let tree = |depth: usize| (0..depth).fold(Tree::Leaf, |t, _| Tree::Node(Box::new(t)));
        let t = Term::encode(&tree(MAX_DEPTH)).unwrap();
        assert_eq!(t.decode::<Tree>(), Ok(tree(MAX_DEPTH)));
        let t = Term::tuple([Term::atom("Node"), t]);
        assert_eq!(
            decode::<Tree>(&t).unwrap_err(),
            "the term nests deeper than 256 levels, the limit of `Term::decode` \
             at field `Node.Node.Node.Node.Node.Node.Node.Node…Node.Node.Node.Node`"
        );
    }

    #[test]
    fn terms_come_from_other_formats() {
        let d: MapDeserializer<'_, _, ValueError> =
            MapDeserializer::new(vec![("a", 1u64), ("b", u64::MAX)].into_iter());
        let t = Term::deserialize(d).unwrap();
        assert_eq!(t["a"], Term::Int(1));
        assert_eq!(t["b"], Term::from(u64::MAX));
        let d: StrDeserializer<'_, ValueError> = StrDeserializer::new("hi");
        assert_eq!(Term::deserialize(d).unwrap(), Term::from("hi"));
        // Pids come from UUID strings in human-readable formats, u128 in others.
        let p = Pid::from_parts(0x0123_4567_89ab_4cde, 0x8123_4567_89ab_cdef);
        let s = p.to_string();
        let d: StrDeserializer<'_, ValueError> = StrDeserializer::new(&s);
        assert_eq!(Pid::deserialize(d).unwrap(), p);
        let d: U128Deserializer<ValueError> = U128Deserializer::new(p.as_u128());
        assert_eq!(Pid::deserialize(d).unwrap(), p);
        let d: StrDeserializer<'_, ValueError> = StrDeserializer::new("atom");
        assert_eq!(Atom::deserialize(d).unwrap(), Atom::from_static("atom"));
    }

    #[test]
    fn ignored_and_unknown_fields() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Small {
            a: i32,
        }
        let t: Term = [("a", Term::from(1)), ("zzz", Term::list([Term::Nil]))]
            .into_iter()
            .collect();
        assert_eq!(decode::<Small>(&t), Ok(Small { a: 1 }));
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            a: i32,
        }
        assert_eq!(
            decode::<Strict>(&t).unwrap_err(),
            "unknown field `zzz`, expected `a`"
        );
    }
}
