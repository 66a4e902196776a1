//! `Term`: the dynamic, Erlang-shaped value that messages carry.

mod bigint;
mod bits;
mod convert;
mod de;
mod deep;
mod error;
mod fmt;
mod improper;
mod local;
mod opaque;
mod order;
mod ser;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Index;

use crate::pid::{Pid, Ref};

pub use self::bigint::{BigInt, ParseBigIntError};
pub use self::bits::BitString;
#[cfg(feature = "dist")]
pub(crate) use self::deep::Children;
pub use self::error::TermError;
pub use self::improper::ImproperList;
pub use self::local::LocalValue;
pub use self::opaque::{Opaque, OpaqueKind};

/// An atom: a constant name, such as `normal` or `killed`.
///
/// # Examples
///
/// ```
/// use actor_core::{Atom, Term};
///
/// const NORMAL: Atom = Atom::from_static("normal");
/// assert_eq!(NORMAL.as_str(), "normal");
/// assert_eq!(NORMAL.to_string(), "normal");
/// assert_eq!(Term::from(NORMAL), Term::atom("normal"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Atom(Cow<'static, str>);

impl Atom {
    /// An atom from a static string, without allocating.
    pub const fn from_static(name: &'static str) -> Atom {
        Atom(Cow::Borrowed(name))
    }

    /// The atom's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Atom {
    fn from(s: &str) -> Atom {
        Atom(Cow::Owned(s.to_owned()))
    }
}

impl From<String> for Atom {
    fn from(s: String) -> Atom {
        Atom(Cow::Owned(s))
    }
}

/// A dynamic value shaped like an Erlang term.
///
/// `Term` is what a [`Message`](crate::Message) carries in `data`: the
/// seed's `dict(hi="hey")` is a `Term::Map`. Build one with `From`
/// conversions, [`FromIterator`] of key-value pairs, or the constructors
/// ([`Term::atom`], [`Term::list`], [`Term::tuple`], [`Term::bytes`],
/// [`Term::map`]); read one with indexing (`term["hi"]`, `term[0]`; a missing
/// key is [`Term::Nil`]), comparison with plain values (`term["n"] == 3`) and
/// the `as_*` accessors, which return `Option`. Typed Rust values go in and
/// out through serde with [`Term::encode`] and [`Term::decode`].
///
/// # Equality and order
///
/// `Eq`, `Ord` and `Hash` agree with each other and give the total order of
/// Erlang terms, so any term can be a map key:
///
/// ```text
/// number < atom < Ref < fun < Local < port < Pid < Tuple < Map < Nil < List < Str/Bytes/BitStr
/// ```
///
/// - Numbers compare by value across `Int`, `BigInt` and `Float`, exactly
///   (no rounding through `f64`); an `Int` and a `BigInt` of the same value
///   are equal. `Eq` is Erlang's exact `=:=`: `Int(1) != Float(1.0)`,
///   and when an `Int` and a `Float` have the same value the `Int` sorts
///   first. Floats compare with [`f64::total_cmp`], so `-0.0 < 0.0` and a
///   `NaN` equals itself (positive `NaN`s sort above every number, negative
///   ones below).
/// - `Bool` is an atom, as in Erlang: `Bool(true)` *is* the atom `true`
///   (equal, same hash). Atoms compare by name.
/// - `Ref`s and `Pid`s compare by their 128-bit value.
/// - Tuples compare by size first, then element by element; maps by size,
///   then keys in order, then values in key order (Erlang's rules). Lists,
///   proper and improper, compare cell by cell: element by element, then
///   the tails (`[]` for a proper list).
/// - [`Opaque`] terms (funs, ports, old references) sort with their kind,
///   and by their encoding within it; [`Term::Local`] values sort after
///   funs and before ports.
/// - `Nil` (the seed's `None`) sits where Erlang's `[]` does: after maps,
///   before every list (including the empty one, which is a different term).
/// - `Str`, `Bytes` and `BitStr` are all bit strings: they compare bit by
///   bit (a prefix first), and a `Str` sorts before `Bytes` holding the same
///   bytes (they are not equal).
///
/// Comparison with plain Rust values (`term == "hey"`, `term == 3`) is
/// looser and documented on those impls: numbers compare by value
/// (`Int(3) == 3.0`), and a `&str` matches a `Str` or an `Atom` of that
/// name, so `reason == "normal"` holds for the atom `normal`.
///
/// `()` deliberately has no conversion: where a value is optional (a
/// handler's return, `msg!` data), `()` means "no value", not `Nil`.
///
/// ```compile_fail
/// let t: actor_core::Term = ().into();
/// ```
///
/// # Deep terms
///
/// A term may nest as deep as memory allows: cloning, dropping, comparing,
/// hashing, printing and sending one to another node never recurse more
/// than a fixed number of levels on the call stack, so a list nested
/// 100 000 levels deep is as safe as a flat one. [`Term::decode`] and
/// [`Term::encode`], which go through serde's recursion, stop at 256
/// levels with an error.
///
/// `Term` implements `Drop` for this, so a pattern cannot move a field out
/// of a term (error E0509): match on a reference and take the field with
/// [`std::mem::take`], or use [`Term::into_list`], [`Term::into_tuple`] and
/// [`Term::into_map`].
///
/// ```
/// use actor::Term;
///
/// let mut reply = Term::tuple([Term::atom("ok"), "done".into()]);
/// if let Term::Tuple(items) = &mut reply {
///     let text = std::mem::take(&mut items[1]);
///     assert_eq!(text, "done");
/// }
/// let deep = (0..100_000).fold(Term::Nil, |t, _| Term::List(vec![t]));
/// assert_eq!(deep.clone(), deep);
/// ```
///
/// # Examples
///
/// ```
/// use actor_core::Term;
///
/// let data: Term = [("hi", Term::from("hey")), ("n", Term::from(3))]
///     .into_iter()
///     .collect();
/// assert_eq!(data["hi"], "hey");
/// assert_eq!(data["n"], 3);
/// assert_eq!(data["missing"], Term::Nil);
/// assert_eq!(data["n"].as_int(), Some(3));
/// assert_eq!(format!("{data:?}"), "{'hi': 'hey', 'n': 3}");
///
/// let reason = Term::tuple([Term::atom("panic"), "boom".into()]);
/// assert_eq!(reason[0], "panic");
/// assert_eq!(reason.to_string(), r#"{panic, "boom"}"#);
/// ```
#[derive(Default)]
#[non_exhaustive]
pub enum Term {
    /// No value (the seed's `None`).
    #[default]
    Nil,
    /// `true` or `false`: the atoms `true` and `false`.
    Bool(bool),
    /// An integer that fits an `i64`.
    Int(i64),
    /// An integer beyond `i64` (Erlang's bignums). Conversions give an
    /// `Int` whenever the value fits; a `BigInt` holding a small value
    /// equals that `Int`.
    BigInt(BigInt),
    /// A float.
    Float(f64),
    /// An atom.
    Atom(Atom),
    /// A UTF-8 string.
    Str(String),
    /// A binary.
    Bytes(Vec<u8>),
    /// A bit string whose length is not a whole number of bytes.
    BitStr(BitString),
    /// A list.
    List(Vec<Term>),
    /// A list whose tail is not a list, `[1, 2 | 3]`: build one with
    /// [`Term::improper_list`].
    ImproperList(Box<ImproperList>),
    /// A tuple.
    Tuple(Vec<Term>),
    /// A map, ordered by the term order.
    Map(BTreeMap<Term, Term>),
    /// A process identifier.
    Pid(Pid),
    /// A reference.
    Ref(Ref),
    /// A fun, a port or an old-style reference from an Erlang node, kept
    /// in its external encoding: it goes back to any node unchanged.
    Opaque(Opaque),
    /// A Rust value of this program, shared by reference: for messages
    /// between local processes that carry what a term cannot spell (a
    /// closure, a channel, a typed request). It cannot go to another node.
    Local(LocalValue),
}

/// What indexing gives for a missing key or element.
static NIL: Term = Term::Nil;

/// How many containers deep [`Term::decode`] reads and [`Term::encode`]
/// builds. Serde goes down one Rust call per level (several frames each), so
/// a limit keeps a deep term from overflowing the stack. (The network codec
/// keeps its place on the heap and takes terms of any depth, as Erlang
/// does: a `Term` crosses whole, whatever a typed value it is read as.)
const MAX_DEPTH: usize = 256;

impl Term {
    /// An atom term, without allocating.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let reason = Term::atom("normal");
    /// assert!(reason.is_atom("normal"));
    /// assert_eq!(reason, "normal");
    /// ```
    pub fn atom(name: &'static str) -> Term {
        Term::Atom(Atom::from_static(name))
    }

    /// An empty map.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::map().as_map().map(|m| m.len()), Some(0));
    /// ```
    pub fn map() -> Term {
        Term::Map(BTreeMap::new())
    }

    /// A list of the items.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let l = Term::list(1..=3);
    /// assert_eq!(format!("{l:?}"), "[1, 2, 3]");
    /// ```
    pub fn list<T: Into<Term>>(items: impl IntoIterator<Item = T>) -> Term {
        Term::List(items.into_iter().map(Into::into).collect())
    }

    /// A tuple of the items.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let t = Term::tuple([Term::atom("ok"), 1.into()]);
    /// assert_eq!(t, Term::from((Term::atom("ok"), 1)));
    /// assert_eq!(format!("{t:?}"), "(ok, 1)");
    /// ```
    pub fn tuple<T: Into<Term>>(items: impl IntoIterator<Item = T>) -> Term {
        Term::Tuple(items.into_iter().map(Into::into).collect())
    }

    /// A binary. (`Vec<u8>` and `&[u8]` convert to a *list* of integers, like
    /// every other `Vec`; use this for a binary.)
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let b = Term::bytes(&b"hi"[..]);
    /// assert_eq!(b.as_bytes(), Some(&b"hi"[..]));
    /// assert_eq!(format!("{b:?}"), "b'hi'");
    /// ```
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Term {
        Term::Bytes(bytes.into())
    }

    /// A bit string of `bit_len` bits from the high bits of `bytes` on: a
    /// [`Term::BitStr`], or [`Term::Bytes`] when the length is a whole
    /// number of bytes. `None` unless `bytes` has exactly the bytes the
    /// length needs.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::Term;
    ///
    /// assert_eq!(Term::bit_string(vec![7], 8), Some(Term::bytes(vec![7])));
    /// assert_eq!(Term::bit_string(vec![0xe0], 3).unwrap().to_string(), "<<7:3>>");
    /// assert_eq!(Term::bit_string(vec![1, 2], 3), None);
    /// ```
    pub fn bit_string(bytes: impl Into<Vec<u8>>, bit_len: usize) -> Option<Term> {
        let bits = BitString::new(bytes, bit_len)?;
        Some(Term::from(bits))
    }

    /// Looks up a key in a map, or an index in a list or tuple.
    ///
    /// For a map, a string key finds a `Str` key or else an `Atom` of that
    /// name (like `term["key"]`); any other key must match exactly. For a
    /// list or tuple, an integer key is the element's index. `None` when the
    /// key is missing or the term is neither.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let m: Term = [(1, "one"), (2, "two")].into_iter().collect();
    /// assert_eq!(m.get(2), Some(&Term::from("two")));
    /// assert_eq!(m.get(3), None);
    /// assert_eq!(Term::list(["a", "b"]).get(1), Some(&Term::from("b")));
    /// ```
    pub fn get(&self, key: impl Into<Term>) -> Option<&Term> {
        let key = key.into();
        match (self, &key) {
            (Term::Map(_), Term::Str(name)) => self.get_named(name),
            (Term::Map(map), key) => map.get(key),
            (Term::List(items) | Term::Tuple(items), Term::Int(i)) => {
                usize::try_from(*i).ok().and_then(|i| items.get(i))
            }
            _ => None,
        }
    }

    /// The value under the `Str` key `name`, else under the atom `name`.
    fn get_named(&self, name: &str) -> Option<&Term> {
        match self {
            Term::Map(map) => order::get_str(map, name).or_else(|| order::get_atom(map, name)),
            _ => None,
        }
    }

    /// Whether this is `Nil`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert!(Term::map()["missing"].is_nil());
    /// ```
    pub fn is_nil(&self) -> bool {
        matches!(self, Term::Nil)
    }

    /// Whether this is the atom `name` (`Bool`s are the atoms `true` and `false`).
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert!(Term::atom("normal").is_atom("normal"));
    /// assert!(Term::Bool(true).is_atom("true"));
    /// assert!(!Term::from("normal").is_atom("normal"));
    /// ```
    pub fn is_atom(&self, name: &str) -> bool {
        self.as_atom() == Some(name)
    }

    /// The integer in an `Int`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::from(7).as_int(), Some(7));
    /// assert_eq!(Term::from(7.0).as_int(), None);
    /// ```
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Term::Int(i) => Some(*i),
            Term::BigInt(b) => b.to_i64(),
            _ => None,
        }
    }

    /// The number in a `Float`, or an `Int` converted to `f64`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::from(0.5).as_float(), Some(0.5));
    /// assert_eq!(Term::from(2).as_float(), Some(2.0));
    /// ```
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Term::Float(f) => Some(*f),
            Term::Int(i) => Some(*i as f64),
            Term::BigInt(b) => Some(b.to_f64()),
            _ => None,
        }
    }

    /// The value of a `Bool` (or of the atoms `true` and `false`).
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::from(true).as_bool(), Some(true));
    /// assert_eq!(Term::atom("false").as_bool(), Some(false));
    /// assert_eq!(Term::from("true").as_bool(), None);
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Term::Bool(b) => Some(*b),
            Term::Atom(a) => match a.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The string in a `Str` (not an atom's name: see [`Term::as_atom`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::from("hey").as_str(), Some("hey"));
    /// assert_eq!(Term::atom("hey").as_str(), None);
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Term::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The name of an `Atom`, or `"true"`/`"false"` for a `Bool`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::atom("normal").as_atom(), Some("normal"));
    /// assert_eq!(Term::from(false).as_atom(), Some("false"));
    /// assert_eq!(Term::from("normal").as_atom(), None);
    /// ```
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Term::Atom(a) => Some(a.as_str()),
            Term::Bool(b) => Some(order::bool_name(*b)),
            _ => None,
        }
    }

    /// The bytes of a `Bytes`, or of a `Str`'s UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::bytes(vec![1, 2]).as_bytes(), Some(&[1u8, 2][..]));
    /// assert_eq!(Term::from("hi").as_bytes(), Some(&b"hi"[..]));
    /// ```
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Term::Bytes(b) => Some(b),
            Term::Str(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// The elements of a `List`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// assert_eq!(Term::from(vec![1, 2]).as_list().map(|l| l.len()), Some(2));
    /// ```
    pub fn as_list(&self) -> Option<&[Term]> {
        match self {
            Term::List(items) => Some(items),
            _ => None,
        }
    }

    /// The elements of a `Tuple`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let t = Term::from(("ok", 1));
    /// assert_eq!(t.as_tuple(), Some(&[Term::from("ok"), Term::from(1)][..]));
    /// ```
    pub fn as_tuple(&self) -> Option<&[Term]> {
        match self {
            Term::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a `Map`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let m: Term = [("a", 1)].into_iter().collect();
    /// assert_eq!(m.as_map().map(|m| m.len()), Some(1));
    /// ```
    pub fn as_map(&self) -> Option<&BTreeMap<Term, Term>> {
        match self {
            Term::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The elements of a `List`, taken out of it; the term back when it is
    /// not a list.
    ///
    /// `Term` has its own `Drop` (see [deep terms](Term#deep-terms)), so a
    /// pattern cannot move a field out of it: take the elements with this,
    /// or with [`std::mem::take`] through a `&mut`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::Term;
    ///
    /// assert_eq!(Term::list([1, 2]).into_list(), Ok(vec![Term::from(1), Term::from(2)]));
    /// assert_eq!(Term::from("x").into_list(), Err(Term::from("x")));
    /// ```
    pub fn into_list(mut self) -> Result<Vec<Term>, Term> {
        match &mut self {
            Term::List(items) => Ok(std::mem::take(items)),
            _ => Err(self),
        }
    }

    /// The value of a [`Term::Local`], taken out of it; the term back when
    /// it is not one. (See [`Term::into_list`] for why.)
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::Term;
    ///
    /// let v = Term::local(5u8).into_local().unwrap();
    /// assert_eq!(v.take::<u8>().unwrap(), 5);
    /// assert!(Term::Nil.into_local().is_err());
    /// ```
    pub fn into_local(self) -> Result<LocalValue, Term> {
        match &self {
            Term::Local(v) => Ok(v.clone()),
            _ => Err(self),
        }
    }

    /// The elements of a `Tuple`, taken out of it; the term back when it is
    /// not a tuple. (See [`Term::into_list`] for why.)
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::Term;
    ///
    /// let reason = Term::tuple([Term::atom("shutdown"), "bye".into()]);
    /// if let Ok(mut items) = reason.into_tuple() {
    ///     assert_eq!(items.pop(), Some(Term::from("bye")));
    /// }
    /// ```
    pub fn into_tuple(mut self) -> Result<Vec<Term>, Term> {
        match &mut self {
            Term::Tuple(items) => Ok(std::mem::take(items)),
            _ => Err(self),
        }
    }

    /// The entries of a `Map`, taken out of it; the term back when it is not
    /// a map. (See [`Term::into_list`] for why.)
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::Term;
    ///
    /// let m: Term = [("a", 1)].into_iter().collect();
    /// let map = m.into_map().unwrap();
    /// assert_eq!(map.get(&Term::from("a")), Some(&Term::from(1)));
    /// ```
    pub fn into_map(mut self) -> Result<BTreeMap<Term, Term>, Term> {
        match &mut self {
            Term::Map(map) => Ok(std::mem::take(map)),
            _ => Err(self),
        }
    }

    /// The pid in a `Pid`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::{Pid, Term};
    ///
    /// let p = Pid::from_parts(1, 2);
    /// assert_eq!(Term::from(p).as_pid(), Some(p));
    /// ```
    pub fn as_pid(&self) -> Option<Pid> {
        match self {
            Term::Pid(p) => Some(*p),
            _ => None,
        }
    }

    /// The reference in a `Ref`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::{Ref, Term};
    ///
    /// let r = Ref::new();
    /// assert_eq!(Term::from(r).as_ref(), Some(r));
    /// ```
    pub fn as_ref(&self) -> Option<Ref> {
        match self {
            Term::Ref(r) => Some(*r),
            _ => None,
        }
    }

    /// A [`Term::Local`] holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor_core::Term;
    ///
    /// let (tx, rx) = std::sync::mpsc::channel::<u32>();
    /// let t = Term::local(tx);
    /// t.as_local::<std::sync::mpsc::Sender<u32>>().unwrap().send(7).unwrap();
    /// assert_eq!(rx.recv().unwrap(), 7);
    /// ```
    pub fn local<T: std::any::Any + Send + Sync>(value: T) -> Term {
        Term::Local(LocalValue::new(value))
    }

    /// The value in a [`Term::Local`], if it is a `T`.
    pub fn as_local<T: std::any::Any>(&self) -> Option<&T> {
        match self {
            Term::Local(v) => v.downcast_ref(),
            _ => None,
        }
    }
}

/// `term["key"]`: the value under the `Str` key `"key"`, else under the atom
/// `key`; `Nil` when the term is not a map or has neither key. Never panics.
///
/// # Examples
///
/// ```
/// use actor_core::Term;
///
/// let data: Term = [("hi", "hey")].into_iter().collect();
/// assert_eq!(data["hi"], "hey");
/// assert!(data["nope"].is_nil());
/// assert!(data["hi"]["deeper"].is_nil());
///
/// let down: Term = [(Term::atom("reason"), Term::atom("normal"))].into_iter().collect();
/// assert_eq!(down["reason"], "normal");
/// ```
impl Index<&str> for Term {
    type Output = Term;

    fn index(&self, key: &str) -> &Term {
        self.get_named(key).unwrap_or(&NIL)
    }
}

/// `term[&key]` for a `String` key: the same as `term[key.as_str()]`.
impl Index<&String> for Term {
    type Output = Term;

    fn index(&self, key: &String) -> &Term {
        &self[key.as_str()]
    }
}

/// `term[i]`: the element at index `i` of a list or tuple; `Nil` when out of
/// range or the term is neither. Never panics.
///
/// # Examples
///
/// ```
/// use actor_core::Term;
///
/// let t = Term::from((Term::atom("ok"), 42));
/// assert_eq!(t[1], 42);
/// assert!(t[2].is_nil());
/// ```
impl Index<usize> for Term {
    type Output = Term;

    fn index(&self, i: usize) -> &Term {
        match self {
            Term::List(items) | Term::Tuple(items) => items.get(i).unwrap_or(&NIL),
            _ => &NIL,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Term {
        [
            (Term::from("hi"), Term::from("hey")),
            (Term::atom("reason"), Term::atom("normal")),
            (Term::from("n"), Term::from(3)),
            (Term::from(7), Term::from("seven")),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn term_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Term>(), 32);
    }

    #[test]
    fn index_by_str_finds_str_then_atom_keys() {
        let t = sample();
        assert_eq!(t["hi"], Term::from("hey"));
        assert_eq!(t["reason"], Term::atom("normal"));
        assert_eq!(t[&"n".to_string()], Term::from(3));
        assert!(t["missing"].is_nil());
        assert!(Term::from(1)["x"].is_nil());
        assert!(t["hi"]["x"]["y"].is_nil());
        // A `Str` key wins over an atom of the same name.
        let both: Term = [(Term::atom("k"), 1), (Term::from("k"), 2)]
            .into_iter()
            .collect();
        assert_eq!(both["k"], Term::from(2));
        // Bool keys are the atoms `true`/`false`.
        let b: Term = [(true, 1)].into_iter().collect();
        assert_eq!(b["true"], Term::from(1));
    }

    #[test]
    fn index_by_usize() {
        let l = Term::list([10, 20]);
        assert_eq!(l[0], Term::from(10));
        assert_eq!(l[1], Term::from(20));
        assert!(l[2].is_nil());
        let t = Term::tuple(["a"]);
        assert_eq!(t[0], Term::from("a"));
        assert!(Term::Nil[0].is_nil());
        assert!(sample()[0].is_nil());
    }

    #[test]
    fn get() {
        let t = sample();
        assert_eq!(t.get("hi"), Some(&Term::from("hey")));
        assert_eq!(t.get("reason"), Some(&Term::atom("normal")));
        assert_eq!(t.get(Term::atom("reason")), Some(&Term::atom("normal")));
        assert_eq!(t.get(Term::atom("hi")), None);
        assert_eq!(t.get(7), Some(&Term::from("seven")));
        assert_eq!(t.get(7.0), None);
        assert_eq!(t.get("nope"), None);
        let l = Term::list(["a", "b"]);
        assert_eq!(l.get(1), Some(&Term::from("b")));
        assert_eq!(l.get(-1), None);
        assert_eq!(l.get(2), None);
        assert_eq!(l.get("a"), None);
        assert_eq!(Term::Nil.get(0), None);
    }

    #[test]
    fn accessors() {
        assert_eq!(Term::Int(3).as_int(), Some(3));
        assert_eq!(Term::Float(3.0).as_int(), None);
        assert_eq!(Term::Float(0.5).as_float(), Some(0.5));
        assert_eq!(Term::Int(-2).as_float(), Some(-2.0));
        assert_eq!(Term::from("x").as_float(), None);
        assert_eq!(Term::Bool(false).as_bool(), Some(false));
        assert_eq!(Term::atom("true").as_bool(), Some(true));
        assert_eq!(Term::atom("yes").as_bool(), None);
        assert_eq!(Term::Int(1).as_bool(), None);
        assert_eq!(Term::from("s").as_str(), Some("s"));
        assert_eq!(Term::atom("s").as_str(), None);
        assert_eq!(Term::atom("s").as_atom(), Some("s"));
        assert_eq!(Term::Bool(true).as_atom(), Some("true"));
        assert_eq!(Term::from("s").as_atom(), None);
        assert_eq!(Term::bytes([1u8, 2]).as_bytes(), Some(&[1u8, 2][..]));
        assert_eq!(Term::from("ab").as_bytes(), Some(&b"ab"[..]));
        assert_eq!(Term::Int(1).as_bytes(), None);
        assert_eq!(Term::list([1]).as_list(), Some(&[Term::Int(1)][..]));
        assert_eq!(Term::list([1]).as_tuple(), None);
        assert_eq!(Term::tuple([1]).as_tuple(), Some(&[Term::Int(1)][..]));
        assert_eq!(Term::tuple([1]).as_list(), None);
        assert_eq!(sample().as_map().map(BTreeMap::len), Some(4));
        assert_eq!(Term::Nil.as_map(), None);
        let p = Pid::from_parts(1, 2);
        let r = Ref::new();
        assert_eq!(Term::Pid(p).as_pid(), Some(p));
        assert_eq!(Term::Ref(r).as_pid(), None);
        assert_eq!(Term::Ref(r).as_ref(), Some(r));
        assert_eq!(Term::Pid(p).as_ref(), None);
        assert!(Term::Nil.is_nil());
        assert!(Term::default().is_nil());
        assert!(!Term::Int(0).is_nil());
        assert!(Term::atom("a").is_atom("a"));
        assert!(!Term::atom("a").is_atom("b"));
        assert!(Term::Bool(false).is_atom("false"));
    }

    #[test]
    fn constructors() {
        assert_eq!(Term::map(), Term::Map(BTreeMap::new()));
        assert_eq!(Term::list(["a"]), Term::List(vec![Term::from("a")]));
        assert_eq!(
            Term::tuple([1, 2]),
            Term::Tuple(vec![Term::Int(1), Term::Int(2)])
        );
        assert_eq!(Term::bytes("ab"), Term::Bytes(b"ab".to_vec()));
        assert_eq!(Term::atom("x"), Term::Atom(Atom::from("x")));
    }
}
