//! `Term`: the dynamic, Erlang-shaped value that messages carry.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::pid::{Pid, Ref};

/// An atom: a constant name, such as `normal` or `killed`.
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
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Term {
    /// No value (the seed's `None`).
    #[default]
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(OrdF64),
    /// An atom.
    Atom(Atom),
    /// A UTF-8 string.
    Str(String),
    /// A binary.
    Bytes(Vec<u8>),
    /// A list.
    List(Vec<Term>),
    /// A tuple.
    Tuple(Vec<Term>),
    /// A map.
    Map(BTreeMap<Term, Term>),
    /// A process identifier.
    Pid(Pid),
    /// A reference.
    Ref(Ref),
}

impl Term {
    /// An atom term.
    pub fn atom(name: &'static str) -> Term {
        Term::Atom(Atom::from_static(name))
    }

    /// An empty map.
    pub fn map() -> Term {
        Term::Map(BTreeMap::new())
    }
}

/// Placeholder float wrapper so the skeleton derives `Ord`; replaced by a
/// hand-written Erlang term order.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct OrdF64(pub f64);
impl Eq for OrdF64 {}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

impl<K: Into<Term>, V: Into<Term>> FromIterator<(K, V)> for Term {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Term {
        Term::Map(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
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

impl From<i64> for Term {
    fn from(v: i64) -> Term {
        Term::Int(v)
    }
}

impl From<i32> for Term {
    fn from(v: i32) -> Term {
        Term::Int(v.into())
    }
}

impl From<bool> for Term {
    fn from(v: bool) -> Term {
        Term::Bool(v)
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
