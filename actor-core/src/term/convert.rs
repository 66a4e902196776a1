//! Conversions into `Term`, and comparison of a `Term` with plain values.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use super::order::int_float_cmp;
use super::{Atom, BigInt, BitString, Opaque, Term};
use crate::pid::{Pid, Ref};

macro_rules! from_small_int {
    ($($t:ty)*) => {$(
        impl From<$t> for Term {
            fn from(v: $t) -> Term {
                Term::Int(v.into())
            }
        }
    )*};
}

from_small_int!(i8 i16 i32 i64 u8 u16 u32);

impl From<isize> for Term {
    fn from(v: isize) -> Term {
        // isize is at most 64 bits on every platform Rust supports.
        Term::Int(v as i64)
    }
}

/// An `Int`, or a `BigInt` for values above `i64::MAX`.
impl From<u64> for Term {
    fn from(v: u64) -> Term {
        Term::from(v as u128)
    }
}

/// An `Int`, or a `BigInt` for values above `i64::MAX`.
impl From<usize> for Term {
    fn from(v: usize) -> Term {
        Term::from(v as u128)
    }
}

/// An `Int`, or a `BigInt` outside the `i64` range.
impl From<i128> for Term {
    fn from(v: i128) -> Term {
        match i64::try_from(v) {
            Ok(i) => Term::Int(i),
            Err(_) => Term::BigInt(BigInt::from(v)),
        }
    }
}

/// An `Int`, or a `BigInt` above `i64::MAX`.
impl From<u128> for Term {
    fn from(v: u128) -> Term {
        match i64::try_from(v) {
            Ok(i) => Term::Int(i),
            Err(_) => Term::BigInt(BigInt::from(v)),
        }
    }
}

/// An `Int` when the value fits an `i64`, else a `BigInt`.
impl From<BigInt> for Term {
    fn from(v: BigInt) -> Term {
        match v.to_i64() {
            Some(i) => Term::Int(i),
            None => Term::BigInt(v),
        }
    }
}

/// A `BitStr`, or `Bytes` for a whole number of bytes.
impl From<BitString> for Term {
    fn from(v: BitString) -> Term {
        if v.last_bits() == 8 {
            Term::Bytes(v.bytes().to_vec())
        } else {
            Term::BitStr(v)
        }
    }
}

impl From<Opaque> for Term {
    fn from(v: Opaque) -> Term {
        Term::Opaque(v)
    }
}

impl From<f32> for Term {
    fn from(v: f32) -> Term {
        Term::Float(v.into())
    }
}

impl From<f64> for Term {
    fn from(v: f64) -> Term {
        Term::Float(v)
    }
}

impl From<bool> for Term {
    fn from(v: bool) -> Term {
        Term::Bool(v)
    }
}

/// A one-character `Str`.
impl From<char> for Term {
    fn from(v: char) -> Term {
        Term::Str(v.to_string())
    }
}

impl From<&str> for Term {
    fn from(s: &str) -> Term {
        Term::Str(s.to_owned())
    }
}

impl From<String> for Term {
    fn from(s: String) -> Term {
        Term::Str(s)
    }
}

impl From<&String> for Term {
    fn from(s: &String) -> Term {
        Term::Str(s.clone())
    }
}

impl From<Cow<'_, str>> for Term {
    fn from(s: Cow<'_, str>) -> Term {
        Term::Str(s.into_owned())
    }
}

impl From<Box<str>> for Term {
    fn from(s: Box<str>) -> Term {
        Term::Str(s.into())
    }
}

impl From<Atom> for Term {
    fn from(a: Atom) -> Term {
        Term::Atom(a)
    }
}

impl From<Pid> for Term {
    fn from(v: Pid) -> Term {
        Term::Pid(v)
    }
}

impl From<Ref> for Term {
    fn from(v: Ref) -> Term {
        Term::Ref(v)
    }
}

/// A clone.
impl From<&Term> for Term {
    fn from(t: &Term) -> Term {
        t.clone()
    }
}

/// `None` is `Nil`; `Some(x)` is `x`.
impl<T: Into<Term>> From<Option<T>> for Term {
    fn from(v: Option<T>) -> Term {
        v.map_or(Term::Nil, Into::into)
    }
}

/// A `List`. (A `Vec<u8>` too: use [`Term::bytes`] for a binary.)
impl<T: Into<Term>> From<Vec<T>> for Term {
    fn from(v: Vec<T>) -> Term {
        Term::List(v.into_iter().map(Into::into).collect())
    }
}

/// A `List`. (A `&[u8]` too: use [`Term::bytes`] for a binary.)
impl<T: Clone + Into<Term>> From<&[T]> for Term {
    fn from(v: &[T]) -> Term {
        Term::List(v.iter().cloned().map(Into::into).collect())
    }
}

/// A `List`.
impl<T: Into<Term>, const N: usize> From<[T; N]> for Term {
    fn from(v: [T; N]) -> Term {
        Term::List(v.into_iter().map(Into::into).collect())
    }
}

/// A `Map`.
impl<K: Into<Term>, V: Into<Term>, S: BuildHasher> From<HashMap<K, V, S>> for Term {
    fn from(v: HashMap<K, V, S>) -> Term {
        v.into_iter().collect()
    }
}

/// A `Map`.
impl<K: Into<Term>, V: Into<Term>> From<BTreeMap<K, V>> for Term {
    fn from(v: BTreeMap<K, V>) -> Term {
        v.into_iter().collect()
    }
}

macro_rules! from_tuple {
    ($($name:ident)+) => {
        /// A `Tuple`.
        impl<$($name: Into<Term>),+> From<($($name,)+)> for Term {
            #[allow(non_snake_case)]
            fn from(($($name,)+): ($($name,)+)) -> Term {
                Term::Tuple(vec![$($name.into()),+])
            }
        }
    };
}

from_tuple!(A);
from_tuple!(A B);
from_tuple!(A B C);
from_tuple!(A B C D);
from_tuple!(A B C D E);
from_tuple!(A B C D E F);

/// A `Map` of the pairs; a later pair replaces an earlier one with the same
/// key.
///
/// # Examples
///
/// ```
/// use actor_core::Term;
///
/// let m: Term = [("a", 1), ("b", 2)].into_iter().collect();
/// assert_eq!(m["b"], 2);
/// ```
impl<K: Into<Term>, V: Into<Term>> FromIterator<(K, V)> for Term {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Term {
        Term::Map(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// A `Str` with that text, or an `Atom` (or `Bool`) of that name: so
/// `reason == "normal"` holds for the atom `normal`.
impl PartialEq<str> for Term {
    fn eq(&self, other: &str) -> bool {
        match self {
            Term::Str(s) => s == other,
            _ => self.as_atom() == Some(other),
        }
    }
}

/// As `Term == str`.
impl PartialEq<&str> for Term {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

/// As `Term == str`.
impl PartialEq<String> for Term {
    fn eq(&self, other: &String) -> bool {
        *self == *other.as_str()
    }
}

/// As `Term == str`.
impl PartialEq<Term> for str {
    fn eq(&self, other: &Term) -> bool {
        *other == *self
    }
}

/// As `Term == str`.
impl PartialEq<Term> for &str {
    fn eq(&self, other: &Term) -> bool {
        *other == **self
    }
}

/// As `Term == str`.
impl PartialEq<Term> for String {
    fn eq(&self, other: &Term) -> bool {
        *other == *self.as_str()
    }
}

/// Whether `t` is a number equal in value to `i`.
fn eq_int(t: &Term, i: i128) -> bool {
    match t {
        Term::Int(n) => i128::from(*n) == i,
        Term::BigInt(b) => b.to_i128() == Some(i),
        Term::Float(f) => {
            i64::try_from(i).is_ok_and(|i| int_float_cmp(i, *f).is_some_and(|o| o.is_eq()))
        }
        _ => false,
    }
}

macro_rules! eq_int {
    ($($t:ty)*) => {$(
        /// An `Int` or `Float` equal in value.
        impl PartialEq<$t> for Term {
            #[allow(clippy::cast_lossless)]
            fn eq(&self, other: &$t) -> bool {
                eq_int(self, *other as i128)
            }
        }

        /// An `Int` or `Float` equal in value.
        impl PartialEq<Term> for $t {
            fn eq(&self, other: &Term) -> bool {
                *other == *self
            }
        }
    )*};
}

eq_int!(i8 i16 i32 i64 isize u8 u16 u32 u64 usize);

/// A `Float` or `Int` equal in value (`NaN` equals nothing).
impl PartialEq<f64> for Term {
    fn eq(&self, other: &f64) -> bool {
        match self {
            Term::Float(f) => f == other,
            Term::Int(i) => int_float_cmp(*i, *other).is_some_and(|o| o.is_eq()),
            _ => false,
        }
    }
}

/// A `Float` or `Int` equal in value (`NaN` equals nothing).
impl PartialEq<f32> for Term {
    fn eq(&self, other: &f32) -> bool {
        *self == f64::from(*other)
    }
}

/// As `Term == f64`.
impl PartialEq<Term> for f64 {
    fn eq(&self, other: &Term) -> bool {
        *other == *self
    }
}

/// As `Term == f64`.
impl PartialEq<Term> for f32 {
    fn eq(&self, other: &Term) -> bool {
        *other == *self
    }
}

/// A `Bool` (or the atom `true`/`false`) with that value.
impl PartialEq<bool> for Term {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

/// As `Term == bool`.
impl PartialEq<Term> for bool {
    fn eq(&self, other: &Term) -> bool {
        *other == *self
    }
}

/// An `Atom` (or `Bool`) of that name.
impl PartialEq<Atom> for Term {
    fn eq(&self, other: &Atom) -> bool {
        self.as_atom() == Some(other.as_str())
    }
}

/// As `Term == Atom`.
impl PartialEq<Term> for Atom {
    fn eq(&self, other: &Term) -> bool {
        *other == *self
    }
}

/// A `Pid` holding that pid.
impl PartialEq<Pid> for Term {
    fn eq(&self, other: &Pid) -> bool {
        self.as_pid() == Some(*other)
    }
}

/// As `Term == Pid`.
impl PartialEq<Term> for Pid {
    fn eq(&self, other: &Term) -> bool {
        *other == *self
    }
}

/// A `Ref` holding that reference.
impl PartialEq<Ref> for Term {
    fn eq(&self, other: &Ref) -> bool {
        self.as_ref() == Some(*other)
    }
}

/// As `Term == Ref`.
impl PartialEq<Term> for Ref {
    fn eq(&self, other: &Term) -> bool {
        *other == *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars() {
        assert_eq!(Term::from(true), Term::Bool(true));
        assert_eq!(Term::from(-3i8), Term::Int(-3));
        assert_eq!(Term::from(3i16), Term::Int(3));
        assert_eq!(Term::from(3i32), Term::Int(3));
        assert_eq!(Term::from(3i64), Term::Int(3));
        assert_eq!(Term::from(-3isize), Term::Int(-3));
        assert_eq!(Term::from(255u8), Term::Int(255));
        assert_eq!(Term::from(3u16), Term::Int(3));
        assert_eq!(Term::from(u32::MAX), Term::Int(u32::MAX.into()));
        assert_eq!(Term::from(i64::MAX as u64), Term::Int(i64::MAX));
        assert_eq!(Term::from(u64::MAX), Term::BigInt(BigInt::from(u64::MAX)));
        assert_eq!(Term::from(i128::MIN).as_int(), None);
        assert_eq!(Term::from(-5i128), Term::Int(-5));
        assert_eq!(Term::from(7usize), Term::Int(7));
        assert_eq!(Term::from(0.5f32), Term::Float(0.5));
        assert_eq!(Term::from(0.25), Term::Float(0.25));
        assert_eq!(Term::from('é'), Term::Str("é".into()));
    }

    #[test]
    fn strings_and_ids() {
        let s = String::from("x");
        assert_eq!(Term::from("x"), Term::Str("x".into()));
        assert_eq!(Term::from(&s), Term::Str("x".into()));
        assert_eq!(Term::from(s.clone()), Term::Str("x".into()));
        assert_eq!(Term::from(Cow::Borrowed("x")), Term::Str("x".into()));
        assert_eq!(Term::from(Box::<str>::from("x")), Term::Str("x".into()));
        assert_eq!(Term::from(Atom::from_static("a")), Term::atom("a"));
        let p = Pid::from_parts(3, 4);
        let r = Ref::from_parts(5, 6);
        assert_eq!(Term::from(p), Term::Pid(p));
        assert_eq!(Term::from(r), Term::Ref(r));
        assert_eq!(Term::from(&Term::Int(1)), Term::Int(1));
    }

    #[test]
    fn collections() {
        assert_eq!(Term::from(None::<i32>), Term::Nil);
        assert_eq!(Term::from(Some(1)), Term::Int(1));
        let list = Term::List(vec![Term::Int(1), Term::Int(2)]);
        assert_eq!(Term::from(vec![1, 2]), list);
        assert_eq!(Term::from(vec![1u8, 2]), list);
        assert_eq!(Term::from(&[1, 2][..]), list);
        assert_eq!(Term::from([1, 2]), list);
        assert_eq!(Term::from(vec!["a"]), Term::List(vec![Term::from("a")]));
        let map = Term::Map(BTreeMap::from([(Term::from("a"), Term::Int(1))]));
        assert_eq!(Term::from(HashMap::from([("a", 1)])), map);
        assert_eq!(Term::from(BTreeMap::from([("a", 1)])), map);
        assert_eq!([("a", 1)].into_iter().collect::<Term>(), map);
        assert_eq!(
            [("a", 1), ("a", 2)].into_iter().collect::<Term>()["a"],
            Term::Int(2)
        );
    }

    #[test]
    fn tuples() {
        assert_eq!(Term::from((1,)), Term::Tuple(vec![Term::Int(1)]));
        assert_eq!(
            Term::from((Term::atom("ok"), "x")),
            Term::Tuple(vec![Term::atom("ok"), Term::from("x")])
        );
        assert_eq!(Term::from((1, 2, 3)).as_tuple().map(<[_]>::len), Some(3));
        assert_eq!(Term::from((1, 2, 3, 4)).as_tuple().map(<[_]>::len), Some(4));
        assert_eq!(
            Term::from((1, 2, 3, 4, 5, 6)).as_tuple().map(<[_]>::len),
            Some(6)
        );
    }

    #[test]
    fn compare_with_strings() {
        let s = Term::from("hey");
        assert_eq!(s, "hey");
        assert_eq!(s, *"hey");
        assert_eq!(s, String::from("hey"));
        assert_eq!("hey", s);
        assert_eq!(*"hey", s);
        assert_eq!(String::from("hey"), s);
        assert_ne!(s, "he");
        assert_eq!(Term::atom("normal"), "normal");
        assert_eq!("normal", Term::atom("normal"));
        assert_eq!(Term::Bool(true), "true");
        assert_ne!(Term::Int(1), "1");
        assert_ne!(Term::bytes("hey"), "hey");
        assert!(&s == "hey");
    }

    #[test]
    fn compare_with_numbers() {
        assert_eq!(Term::Int(3), 3);
        assert_eq!(3, Term::Int(3));
        assert_eq!(Term::Int(3), 3u8);
        assert_eq!(Term::Int(3), 3i8);
        assert_eq!(Term::Int(3), 3u16);
        assert_eq!(Term::Int(3), 3i16);
        assert_eq!(Term::Int(3), 3u32);
        assert_eq!(Term::Int(3), 3i64);
        assert_eq!(Term::Int(3), 3u64);
        assert_eq!(Term::Int(3), 3usize);
        assert_eq!(Term::Int(3), 3isize);
        assert_eq!(3usize, Term::Int(3));
        assert_ne!(Term::Int(-1), u64::MAX);
        assert_ne!(Term::Int(-1), usize::MAX);
        assert_eq!(Term::Float(3.0), 3);
        assert_ne!(Term::Float(3.5), 3);
        assert_ne!(Term::Float(1e30), u64::MAX);
        assert_eq!(Term::Int(3), 3.0);
        assert_eq!(Term::Float(0.5), 0.5);
        assert_eq!(Term::Float(0.5), 0.5f32);
        assert_eq!(0.5, Term::Float(0.5));
        assert_eq!(0.5f32, Term::Float(0.5));
        assert_eq!(Term::Float(0.0), -0.0);
        assert_ne!(Term::Float(f64::NAN), f64::NAN);
        assert_ne!(Term::Int(0), f64::NAN);
        assert_ne!(Term::from("3"), 3);
        assert_ne!(Term::from("3"), 3.0);
        let big = (1i64 << 53) + 1;
        assert_ne!(Term::Int(big), (1u64 << 53) as f64);
    }

    #[test]
    fn compare_with_other_values() {
        assert_eq!(Term::Bool(true), true);
        assert_eq!(false, Term::Bool(false));
        assert_eq!(Term::atom("true"), true);
        assert_ne!(Term::Int(1), true);
        assert_eq!(Term::atom("a"), Atom::from_static("a"));
        assert_eq!(Atom::from_static("a"), Term::atom("a"));
        assert_ne!(Term::from("a"), Atom::from_static("a"));
        let p = Pid::from_parts(1, 1);
        let r = Ref::from_parts(1, 1);
        assert_eq!(Term::Pid(p), p);
        assert_eq!(p, Term::Pid(p));
        assert_ne!(Term::Ref(r), p);
        assert_eq!(Term::Ref(r), r);
        assert_eq!(r, Term::Ref(r));
        assert_ne!(Term::Pid(p), r);
    }
}
