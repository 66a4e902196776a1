//! Deep terms off the call stack: `Clone` and `Drop` for `Term`, and
//! [`Children`], the iterator the explicit-stack walks keep their place with.
//!
//! A walk over a term either keeps its place on a stack on the heap all
//! along (printing, encoding for the network), or recurses while the term is
//! shallow, which is fast and allocates nothing, and switches to a heap
//! stack past [`RECURSION_LIMIT`] levels (clone, drop, compare, hash). A
//! term nested 100 000 levels deep costs heap, never the thread's stack.

use std::cell::Cell;
use std::collections::btree_map;
use std::thread::LocalKey;
use std::{mem, slice};

use super::{ImproperList, Term};

/// How many levels a walk recurses on the call stack before it continues
/// with a stack on the heap. A level takes a few hundred bytes of stack (a
/// few KiB in a debug build), so a walk takes some 30 KiB at most (150 KiB
/// in a debug build), whatever the term.
pub(crate) const RECURSION_LIMIT: usize = 64;

/// The terms directly inside a list, tuple or map, in the order a walk
/// visits them: what a frame of an explicit-stack walk keeps (so it stays
/// small: a deep walk has one a level).
#[derive(Clone)]
pub(crate) enum Children<'a> {
    /// A list's or tuple's elements.
    Seq(slice::Iter<'a, Term>),
    /// An improper list's elements, then its tail.
    Improper(slice::Iter<'a, Term>, Option<&'a Term>),
    /// A map's entries, key then value: `k1, v1, k2, v2, ...`.
    Entries(btree_map::Iter<'a, Term, Term>, Option<&'a Term>),
    /// A map's keys.
    Keys(btree_map::Keys<'a, Term, Term>),
    /// A map's values.
    Values(btree_map::Values<'a, Term, Term>),
}

impl<'a> Children<'a> {
    /// The elements of a list or tuple, or the entries of a map (key, then
    /// value); `None` for any other term.
    pub(crate) fn of(t: &'a Term) -> Option<Children<'a>> {
        match t {
            Term::List(items) | Term::Tuple(items) => Some(Children::Seq(items.iter())),
            Term::ImproperList(l) => Some(Children::Improper(l.items.iter(), Some(&l.tail))),
            Term::Map(map) => Some(Children::Entries(map.iter(), None)),
            _ => None,
        }
    }

    /// Whether the next child is an improper list's tail.
    pub(crate) fn at_tail(&self) -> bool {
        matches!(self, Children::Improper(items, Some(_)) if items.len() == 0)
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a Term;

    #[inline]
    fn next(&mut self) -> Option<&'a Term> {
        match self {
            Children::Seq(items) => items.next(),
            Children::Improper(items, tail) => items.next().or_else(|| tail.take()),
            Children::Entries(entries, value) => match value.take() {
                Some(v) => Some(v),
                None => {
                    let (k, v) = entries.next()?;
                    *value = Some(v);
                    Some(k)
                }
            },
            Children::Keys(keys) => keys.next(),
            Children::Values(values) => values.next(),
        }
    }
}

/// Whether `t` is a list, tuple or map with something in it, or an
/// improper list (which always has).
#[inline]
fn is_nested(t: &Term) -> bool {
    match t {
        Term::List(items) | Term::Tuple(items) => !items.is_empty(),
        Term::Map(map) => !map.is_empty(),
        Term::ImproperList(_) => true,
        _ => false,
    }
}

/// Whether `t` holds other terms: the terms a walk goes into.
#[inline]
pub(crate) fn is_container(t: &Term) -> bool {
    matches!(
        t,
        Term::List(_) | Term::Tuple(_) | Term::Map(_) | Term::ImproperList(_)
    )
}

thread_local! {
    /// How many containers this thread's `Term::drop` is inside.
    static DROP_DEPTH: Cell<usize> = const { Cell::new(0) };
    /// How many containers this thread's `Term::clone` is inside.
    static CLONE_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Counts one more container for a walk that std's code recurses through
/// (`Vec` and `BTreeMap` drop and clone their elements by calling
/// `Term::drop` and `Term::clone`, so the depth cannot be an argument);
/// `None` past [`RECURSION_LIMIT`]. Dropping the guard counts it out, even
/// when unwinding.
struct Level(&'static LocalKey<Cell<usize>>, usize);

impl Level {
    #[inline]
    fn enter(depth: &'static LocalKey<Cell<usize>>) -> Option<Level> {
        let d = depth.get();
        if d >= RECURSION_LIMIT {
            return None;
        }
        depth.set(d + 1);
        Some(Level(depth, d))
    }
}

impl Drop for Level {
    #[inline]
    fn drop(&mut self) {
        self.0.set(self.1);
    }
}

/// Drops children with an explicit stack past 64 levels: the compiler's
/// drop glue would recurse once per level.
///
/// Scalars cost a match. A shallow container drops its children in place
/// (as the glue would), counting the level; past the limit, its nested
/// children wait on a heap stack and drop one by one.
impl Drop for Term {
    #[inline]
    fn drop(&mut self) {
        if is_container(self) {
            drop_children(self);
        }
    }
}

fn drop_children(t: &mut Term) {
    if !is_nested(t) {
        return;
    }
    let Some(_level) = Level::enter(&DROP_DEPTH) else {
        return drop_deep(t);
    };
    match t {
        Term::List(items) | Term::Tuple(items) => drop(mem::take(items)),
        Term::Map(map) => drop(mem::take(map)),
        Term::ImproperList(l) => {
            drop(mem::take(&mut l.items));
            drop(mem::take(&mut l.tail));
        }
        _ => {}
    }
}

/// Drops `t`'s children with a heap stack of the containers still to empty.
#[cold]
fn drop_deep(t: &mut Term) {
    let mut deep = Vec::new();
    detach_nested(t, &mut deep);
    while let Some(mut t) = deep.pop() {
        detach_nested(&mut t, &mut deep);
        // `t` holds no container with anything in it now, so dropping it
        // recurses no further.
    }
}

/// Moves `t`'s children that hold other terms onto `deep`.
fn detach_nested(t: &mut Term, deep: &mut Vec<Term>) {
    match t {
        Term::List(items) | Term::Tuple(items) => {
            deep.extend(items.iter_mut().filter(|c| is_nested(c)).map(mem::take));
        }
        Term::ImproperList(l) => {
            deep.extend(l.items.iter_mut().filter(|c| is_nested(c)).map(mem::take));
            if is_nested(&l.tail) {
                deep.push(mem::take(&mut l.tail));
            }
        }
        // Keys cannot be taken out in place: take the whole map.
        Term::Map(map) if map.iter().any(|(k, v)| is_nested(k) || is_nested(v)) => {
            for (k, v) in mem::take(map) {
                deep.extend([k, v].into_iter().filter(is_nested));
            }
        }
        _ => {}
    }
}

/// A deep copy. Shallow terms are copied recursively, like a derived
/// `Clone`; past 64 levels the copy goes on with a heap stack.
impl Clone for Term {
    #[inline(always)]
    fn clone(&self) -> Term {
        match self {
            Term::Nil => Term::Nil,
            Term::Bool(b) => Term::Bool(*b),
            Term::Int(i) => Term::Int(*i),
            Term::BigInt(b) => Term::BigInt(b.clone()),
            Term::Float(f) => Term::Float(*f),
            Term::Atom(a) => Term::Atom(a.clone()),
            Term::Str(s) => Term::Str(s.clone()),
            Term::Bytes(b) => Term::Bytes(b.clone()),
            Term::BitStr(b) => Term::BitStr(b.clone()),
            Term::Pid(p) => Term::Pid(*p),
            Term::Ref(r) => Term::Ref(*r),
            Term::Opaque(o) => Term::Opaque(o.clone()),
            Term::Local(v) => Term::Local(v.clone()),
            Term::List(_) | Term::Tuple(_) | Term::Map(_) | Term::ImproperList(_) => {
                clone_container(self)
            }
        }
    }
}

#[inline(never)]
fn clone_container(t: &Term) -> Term {
    let Some(_level) = Level::enter(&CLONE_DEPTH) else {
        return clone_deep(t);
    };
    match t {
        Term::List(items) => Term::List(items.clone()),
        Term::Tuple(items) => Term::Tuple(items.clone()),
        Term::Map(map) => Term::Map(map.clone()),
        Term::ImproperList(l) => Term::ImproperList(Box::new(ImproperList {
            items: l.items.clone(),
            tail: l.tail.clone(),
        })),
        scalar => scalar.clone(),
    }
}

/// A container being copied by [`clone_deep`].
struct Copying<'a> {
    from: Children<'a>,
    to: Copied,
}

/// What a [`Copying`] has built so far.
enum Copied {
    List(Vec<Term>),
    Tuple(Vec<Term>),
    /// The entries so far, and a key waiting for its value.
    Map(Vec<(Term, Term)>, Option<Term>),
    /// The elements so far (the tail is the last one pushed).
    Improper(Vec<Term>),
}

impl<'a> Copying<'a> {
    /// `None` for a scalar.
    fn of(t: &'a Term) -> Option<Copying<'a>> {
        let to = match t {
            Term::List(items) => Copied::List(Vec::with_capacity(items.len())),
            Term::Tuple(items) => Copied::Tuple(Vec::with_capacity(items.len())),
            Term::Map(map) => Copied::Map(Vec::with_capacity(map.len()), None),
            Term::ImproperList(l) => Copied::Improper(Vec::with_capacity(l.items.len() + 1)),
            _ => return None,
        };
        Some(Copying {
            from: Children::of(t)?,
            to,
        })
    }

    fn push(&mut self, child: Term) {
        match &mut self.to {
            Copied::List(items) | Copied::Tuple(items) | Copied::Improper(items) => {
                items.push(child)
            }
            Copied::Map(entries, key) => match key.take() {
                Some(k) => entries.push((k, child)),
                None => *key = Some(child),
            },
        }
    }

    fn finish(self) -> Term {
        match self.to {
            Copied::List(items) => Term::List(items),
            Copied::Tuple(items) => Term::Tuple(items),
            // Already in order, so collecting only checks that it is.
            Copied::Map(entries, _) => Term::Map(entries.into_iter().collect()),
            Copied::Improper(mut items) => {
                let tail = items.pop().unwrap_or_default();
                Term::ImproperList(Box::new(ImproperList { items, tail }))
            }
        }
    }
}

/// A copy made with a heap stack of the containers being copied (`top`
/// and the ones it is inside).
#[cold]
fn clone_deep(t: &Term) -> Term {
    let Some(mut top) = Copying::of(t) else {
        return t.clone();
    };
    let mut outer = Vec::new();
    loop {
        match top.from.next() {
            Some(child) => match Copying::of(child) {
                Some(copy) => outer.push(mem::replace(&mut top, copy)),
                None => top.push(child.clone()),
            },
            None => {
                let done = top.finish();
                match outer.pop() {
                    Some(parent) => {
                        top = parent;
                        top.push(done);
                    }
                    None => return done,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `depth` lists, one inside the other, around `inner`.
    fn nest(depth: usize, inner: Term) -> Term {
        (0..depth).fold(inner, |t, _| Term::List(vec![t]))
    }

    fn sample() -> Term {
        let m: Term = [
            (Term::from("k"), Term::list([1, 2])),
            (Term::tuple([Term::atom("a")]), Term::map()),
        ]
        .into_iter()
        .collect();
        let improper = Term::improper_list(vec![Term::tuple([1])], Term::tuple([2]));
        Term::tuple([
            m,
            Term::from(1.5),
            Term::List(vec![]),
            Term::bytes("x"),
            improper,
        ])
    }

    #[test]
    fn children_visit_in_order() {
        let m: Term = [(1, "a"), (2, "b")].into_iter().collect();
        let entries: Vec<&Term> = Children::of(&m).unwrap().collect();
        assert_eq!(
            entries,
            [&Term::from(1), &"a".into(), &2.into(), &"b".into()]
        );
        // Small, since a deep walk keeps one a level.
        assert!(mem::size_of::<Children<'_>>() <= 96);
        let l = Term::list([3, 4]);
        assert_eq!(Children::of(&l).unwrap().count(), 2);
        assert!(Children::of(&Term::from("s")).is_none());
    }

    #[test]
    fn deep_clones_are_equal_to_shallow_ones() {
        // Past the limit, `clone_deep` does the copying.
        for depth in [
            0,
            1,
            RECURSION_LIMIT - 1,
            RECURSION_LIMIT,
            3 * RECURSION_LIMIT,
        ] {
            let t = nest(depth, sample());
            assert_eq!(t.clone(), t, "depth {depth}");
            assert_eq!(clone_deep(&t), t, "depth {depth}");
        }
        assert_eq!(clone_deep(&Term::from("s")), Term::from("s"));
        assert_eq!(CLONE_DEPTH.get(), 0);
    }

    #[test]
    fn deep_improper_lists_stay_off_the_stack() {
        // Nested through elements and through tails, on a small stack.
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let t = (0..100_000).fold(Term::Int(0), |t, i| {
                    if i % 2 == 0 {
                        Term::improper_list(vec![t], Term::Int(i))
                    } else {
                        Term::improper_list(vec![Term::Int(i)], Term::tuple([t]))
                    }
                });
                let copy = t.clone();
                assert_eq!(copy, t);
                assert_eq!(copy.cmp(&t), std::cmp::Ordering::Equal);
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::hash::Hash::hash(&t, &mut h);
                assert!(
                    format!("{t}").starts_with("[99999 | {[["),
                    "{}",
                    &format!("{t}")[..20]
                );
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn deep_drops_detach_nested_children() {
        let mut deep = Vec::new();
        let mut t = sample();
        detach_nested(&mut t, &mut deep);
        // The map and the improper list went; the float, the empty list and
        // the bytes stay.
        assert_eq!(deep.len(), 2);
        assert!(matches!(deep[0], Term::Map(_)));
        assert!(matches!(deep[1], Term::ImproperList(_)));
        assert_eq!(
            t,
            Term::tuple([
                Term::Nil,
                1.5.into(),
                Term::List(vec![]),
                Term::bytes("x"),
                Term::Nil
            ])
        );
        // An improper list gives its element and its tail.
        let mut improper = deep.pop().unwrap();
        detach_nested(&mut improper, &mut deep);
        assert_eq!(deep.len(), 3);
        assert_eq!(deep.pop(), Some(Term::tuple([2])));
        assert_eq!(deep.pop(), Some(Term::tuple([1])));
        let mut m = deep.pop().unwrap();
        detach_nested(&mut m, &mut deep);
        // Keys and values that hold terms, from a map taken whole.
        assert_eq!(m, Term::map());
        assert_eq!(deep.len(), 2);
        drop_deep(&mut nest(3 * RECURSION_LIMIT, sample()));
        drop(nest(3 * RECURSION_LIMIT, sample()));
        assert_eq!(DROP_DEPTH.get(), 0);
    }
}
