//! The Erlang term order: `Eq`, `Ord` and `Hash` for `Term`, and map lookups
//! by name that do not allocate a key.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use super::bits::cmp_bits;
use super::deep::{is_container, Children, RECURSION_LIMIT};
use super::{BigInt, Term};

/// The atom a `Bool` is.
pub(super) fn bool_name(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

const RANK_NUMBER: u8 = 0;
const RANK_ATOM: u8 = 1;
const RANK_LIST: u8 = 11;
const RANK_BINARY: u8 = 12;

/// The place of a term's type in the order.
fn rank(t: &Term) -> u8 {
    use super::OpaqueKind;
    match t {
        Term::Int(_) | Term::BigInt(_) | Term::Float(_) => RANK_NUMBER,
        Term::Bool(_) | Term::Atom(_) => RANK_ATOM,
        Term::Ref(_) => 2,
        Term::Opaque(o) => match o.kind() {
            OpaqueKind::Reference => 3,
            OpaqueKind::Fun => 4,
            OpaqueKind::Port => 6,
        },
        // after funs, before ports
        Term::Local(_) => 5,
        Term::Pid(_) => 7,
        Term::Tuple(_) => 8,
        Term::Map(_) => 9,
        Term::Nil => 10,
        Term::List(_) | Term::ImproperList(_) => RANK_LIST,
        Term::Str(_) | Term::Bytes(_) | Term::BitStr(_) => RANK_BINARY,
    }
}

/// An integer against a float by exact value; `None` when the float is NaN.
pub(super) fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    // 2^63: the first float above every i64.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        return None;
    }
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    // In range, the integral part is exact as an i64.
    let whole = f.trunc();
    Some(i.cmp(&(whole as i64)).then_with(|| {
        if f > whole {
            Ordering::Less
        } else if f < whole {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}

/// The total order between an `Int` and a `Float`: by value, NaNs at the
/// ends by sign, and the `Int` first when the values are equal.
fn cmp_int_float(i: i64, f: f64) -> Ordering {
    match int_float_cmp(i, f) {
        Some(Ordering::Equal) => Ordering::Less,
        Some(o) => o,
        None if f.is_sign_negative() => Ordering::Greater,
        None => Ordering::Less,
    }
}

/// A `BigInt` against an `Int`, by value.
fn cmp_big_int(b: &BigInt, i: i64) -> Ordering {
    match b.to_i64() {
        Some(v) => v.cmp(&i),
        None if b.is_negative() => Ordering::Less,
        None => Ordering::Greater,
    }
}

/// A `BigInt` against a `Float`, exactly, with the rules of
/// [`cmp_int_float`] (the integer first when the values are equal).
fn cmp_big_float(b: &BigInt, f: f64) -> Ordering {
    if let Some(i) = b.to_i64() {
        return cmp_int_float(i, f);
    }
    if f.is_nan() {
        return if f.is_sign_negative() {
            Ordering::Greater
        } else {
            Ordering::Less
        };
    }
    match BigInt::from_f64_exact(f.trunc()) {
        // Beyond `i64`, so never equal to a fraction's whole part: an
        // equal value is an integral float, and the integer sorts first.
        Some(whole) => b.cmp(&whole).then(Ordering::Less),
        // An infinity.
        None if f > 0.0 => Ordering::Less,
        None => Ordering::Greater,
    }
}

/// A proper or improper list: its elements, and its tail (`None` for the
/// `[]` of a proper list).
#[derive(Clone, Copy)]
struct Cells<'a> {
    items: &'a [Term],
    tail: Option<&'a Term>,
}

fn cells(t: &Term) -> Option<Cells<'_>> {
    match t {
        Term::List(items) => Some(Cells { items, tail: None }),
        Term::ImproperList(l) => Some(Cells {
            items: l.items(),
            tail: Some(l.tail()),
        }),
        _ => None,
    }
}

/// Two lists whose first `common` elements are equal and one of which has
/// no more: compares what follows, cell by cell as Erlang does (`[]` or a
/// tail against a rest). Two tails are compared by `tails`.
fn cmp_list_rests<'a>(
    x: Cells<'a>,
    y: Cells<'a>,
    common: usize,
    tails: impl FnOnce(&'a Term, &'a Term) -> Ordering,
) -> Ordering {
    // A tail is never a list, so against a list its rank decides.
    let tail_vs_list = |t: Option<&Term>| match t {
        None => Ordering::Less,
        Some(t) => rank(t).cmp(&RANK_LIST),
    };
    match (x.items.len() > common, y.items.len() > common) {
        (false, false) => match (x.tail, y.tail) {
            (None, None) => Ordering::Equal,
            (None, Some(u)) => RANK_LIST.cmp(&rank(u)),
            (Some(t), None) => rank(t).cmp(&RANK_LIST),
            (Some(t), Some(u)) => tails(t, u),
        },
        (false, true) => tail_vs_list(x.tail),
        (true, false) => tail_vs_list(y.tail).reverse(),
        (true, true) => unreachable!("one list has no more elements"),
    }
}

/// Two terms compared as far as can be without looking inside them: the
/// answer, or the containers whose children decide, pair by pair. When all
/// pairs are equal the side with children left over is greater (only lists
/// can differ in length there: tuples and maps compare by size first).
enum Step<'a> {
    Done(Ordering),
    Seqs(&'a [Term], &'a [Term]),
    Lists(Cells<'a>, Cells<'a>),
    /// Keys in order, then values in key order.
    Maps(&'a BTreeMap<Term, Term>, &'a BTreeMap<Term, Term>),
}

fn step<'a>(a: &'a Term, b: &'a Term) -> Step<'a> {
    use Term::*;
    if let (Some(x), Some(y)) = (cells(a), cells(b)) {
        return Step::Lists(x, y);
    }
    match (a, b) {
        (Tuple(x), Tuple(y)) => match x.len().cmp(&y.len()) {
            Ordering::Equal => Step::Seqs(x, y),
            o => Step::Done(o),
        },
        (Map(x), Map(y)) => match x.len().cmp(&y.len()) {
            Ordering::Equal => Step::Maps(x, y),
            o => Step::Done(o),
        },
        _ => Step::Done(cmp_scalars(a, b)),
    }
}

/// The order of two terms when at least one holds no other term.
#[inline(always)]
fn cmp_scalars(a: &Term, b: &Term) -> Ordering {
    use Term::*;
    match (a, b) {
        (Int(a), Int(b)) => a.cmp(b),
        (Float(a), Float(b)) => a.total_cmp(b),
        (Int(a), Float(b)) => cmp_int_float(*a, *b),
        (Float(a), Int(b)) => cmp_int_float(*b, *a).reverse(),
        (Bool(a), Bool(b)) => a.cmp(b),
        (Bool(a), Atom(b)) => bool_name(*a).cmp(b.as_str()),
        (Atom(a), Bool(b)) => a.as_str().cmp(bool_name(*b)),
        (Atom(a), Atom(b)) => a.as_str().cmp(b.as_str()),
        (Ref(a), Ref(b)) => a.cmp(b),
        (Pid(a), Pid(b)) => a.cmp(b),
        (Nil, Nil) => Ordering::Equal,
        (Str(a), Str(b)) => a.cmp(b),
        (Str(a), Bytes(b)) => a.as_bytes().cmp(b).then(Ordering::Less),
        (Bytes(a), Str(b)) => a.as_slice().cmp(b.as_bytes()).then(Ordering::Greater),
        (Bytes(a), Bytes(b)) => a.cmp(b),
        _ => cmp_rare(a, b),
    }
}

/// [`cmp_scalars`] for the rarer pairs, kept out of line: the walks that
/// recurse inline `cmp_scalars`, and their frames are what a level costs.
#[inline(never)]
fn cmp_rare(a: &Term, b: &Term) -> Ordering {
    use Term::*;
    match (a, b) {
        (BigInt(a), BigInt(b)) => a.cmp(b),
        (BigInt(a), Int(b)) => cmp_big_int(a, *b),
        (Int(a), BigInt(b)) => cmp_big_int(b, *a).reverse(),
        (BigInt(a), Float(b)) => cmp_big_float(a, *b),
        (Float(a), BigInt(b)) => cmp_big_float(b, *a).reverse(),
        (BitStr(a), BitStr(b)) => cmp_bits(a.bytes(), a.bit_len(), b.bytes(), b.bit_len()),
        (Str(_) | Bytes(_), BitStr(b)) => {
            let x = a.as_bytes().unwrap_or_default();
            cmp_bits(x, x.len() * 8, b.bytes(), b.bit_len()).then(Ordering::Less)
        }
        (BitStr(a), Str(_) | Bytes(_)) => {
            let y = b.as_bytes().unwrap_or_default();
            cmp_bits(a.bytes(), a.bit_len(), y, y.len() * 8).then(Ordering::Greater)
        }
        (Opaque(a), Opaque(b)) if a.kind() == b.kind() => a.cmp(b),
        (Local(a), Local(b)) => a.cmp(b),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// `a.cmp(b)` from `depth` levels down: recursive while shallow, then
/// [`cmp_deep`].
fn cmp_at(a: &Term, b: &Term, depth: usize) -> Ordering {
    use Term::*;
    match (a, b) {
        (List(_) | ImproperList(_), List(_) | ImproperList(_)) => cmp_lists(a, b, depth),
        (Tuple(x), Tuple(y)) if depth < RECURSION_LIMIT => x
            .len()
            .cmp(&y.len())
            .then_with(|| cmp_children(x.iter(), y.iter(), depth + 1)),
        (Map(x), Map(y)) if depth < RECURSION_LIMIT => x
            .len()
            .cmp(&y.len())
            .then_with(|| cmp_children(x.keys(), y.keys(), depth + 1))
            .then_with(|| cmp_children(x.values(), y.values(), depth + 1)),
        (Tuple(_), Tuple(_)) | (Map(_), Map(_)) => cmp_deep(step(a, b)),
        _ => cmp_scalars(a, b),
    }
}

/// [`cmp_at`] for two lists, proper or improper, out of line (see
/// [`cmp_rare`]).
#[inline(never)]
fn cmp_lists(a: &Term, b: &Term, depth: usize) -> Ordering {
    let (Some(x), Some(y)) = (cells(a), cells(b)) else {
        return Ordering::Equal;
    };
    if depth >= RECURSION_LIMIT {
        return cmp_deep(Step::Lists(x, y));
    }
    let common = x.items.len().min(y.items.len());
    cmp_children(
        x.items[..common].iter(),
        y.items[..common].iter(),
        depth + 1,
    )
    .then_with(|| cmp_list_rests(x, y, common, |t, u| cmp_at(t, u, depth + 1)))
}

/// Two sequences of terms `depth` levels down, pair by pair.
fn cmp_children<'a>(
    mut x: impl Iterator<Item = &'a Term>,
    mut y: impl Iterator<Item = &'a Term>,
    depth: usize,
) -> Ordering {
    loop {
        match (x.next(), y.next()) {
            (Some(a), Some(b)) => match if is_container(a) {
                cmp_at(a, b, depth)
            } else {
                cmp_scalars(a, b)
            } {
                Ordering::Equal => {}
                o => return o,
            },
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
        }
    }
}

/// The order two containers' children decide, with a heap stack of the
/// pairs of children being compared.
#[cold]
fn cmp_deep(inside: Step<'_>) -> Ordering {
    /// Stacks the children to compare next; the answer, if there are none.
    fn push<'a>(stack: &mut Vec<Frame<'a>>, inside: Step<'a>) -> Option<Ordering> {
        match inside {
            Step::Done(Ordering::Equal) => {}
            Step::Done(o) => return Some(o),
            Step::Seqs(x, y) => stack.push(Frame::Pairs(
                Children::Seq(x.iter()),
                Children::Seq(y.iter()),
            )),
            Step::Lists(x, y) => stack.push(Frame::Lists { x, y, next: 0 }),
            Step::Maps(x, y) => {
                // The keys on top: compared first.
                stack.push(Frame::Pairs(
                    Children::Values(x.values()),
                    Children::Values(y.values()),
                ));
                stack.push(Frame::Pairs(
                    Children::Keys(x.keys()),
                    Children::Keys(y.keys()),
                ));
            }
        }
        None
    }
    let mut stack = Vec::new();
    if let Some(o) = push(&mut stack, inside) {
        return o;
    }
    while let Some(top) = stack.last_mut() {
        let inside = match top {
            Frame::Pairs(x, y) => match (x.next(), y.next()) {
                (Some(a), Some(b)) => step(a, b),
                (None, None) => {
                    stack.pop();
                    continue;
                }
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
            },
            Frame::Lists { x, y, next } => {
                let i = *next;
                if i < x.items.len() && i < y.items.len() {
                    *next += 1;
                    step(&x.items[i], &y.items[i])
                } else {
                    let (x, y) = (*x, *y);
                    stack.pop();
                    let mut tails = None;
                    match cmp_list_rests(x, y, i, |t, u| {
                        tails = Some((t, u));
                        Ordering::Equal
                    }) {
                        Ordering::Equal => match tails {
                            Some((t, u)) => step(t, u),
                            None => continue,
                        },
                        o => return o,
                    }
                }
            }
        };
        if let Some(o) = push(&mut stack, inside) {
            return o;
        }
    }
    Ordering::Equal
}

/// What [`cmp_deep`] keeps a level: children to compare pair by pair, or
/// two lists and how far they have been compared.
enum Frame<'a> {
    Pairs(Children<'a>, Children<'a>),
    Lists {
        x: Cells<'a>,
        y: Cells<'a>,
        next: usize,
    },
}

impl Ord for Term {
    fn cmp(&self, other: &Term) -> Ordering {
        cmp_at(self, other, 0)
    }
}

impl PartialOrd for Term {
    fn partial_cmp(&self, other: &Term) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `a.cmp(b) == Ordering::Equal` from `depth` levels down, sooner: sizes
/// first, and the common scalars directly.
fn eq_at(a: &Term, b: &Term, depth: usize) -> bool {
    use Term::*;
    match (a, b) {
        (List(x), List(y)) | (Tuple(x), Tuple(y)) if x.len() != y.len() => false,
        (Map(x), Map(y)) if x.len() != y.len() => false,
        (ImproperList(x), ImproperList(y)) if x.items().len() != y.items().len() => false,
        (List(_), ImproperList(_)) | (ImproperList(_), List(_)) => false,
        (List(_), List(_))
        | (Tuple(_), Tuple(_))
        | (Map(_), Map(_))
        | (ImproperList(_), ImproperList(_))
            if depth >= RECURSION_LIMIT =>
        {
            cmp_deep(step(a, b)) == Ordering::Equal
        }
        (ImproperList(_), ImproperList(_)) => eq_improper(a, b, depth),
        (List(x), List(y)) | (Tuple(x), Tuple(y)) => {
            x.iter().zip(y).all(|(a, b)| eq_child(a, b, depth + 1))
        }
        (Map(x), Map(y)) => x
            .iter()
            .zip(y)
            .all(|((ka, va), (kb, vb))| eq_child(ka, kb, depth + 1) && eq_child(va, vb, depth + 1)),
        _ => eq_scalars(a, b),
    }
}

/// [`eq_at`] for two improper lists of the same length, out of line (see
/// [`cmp_rare`]).
#[inline(never)]
fn eq_improper(a: &Term, b: &Term, depth: usize) -> bool {
    let (Term::ImproperList(x), Term::ImproperList(y)) = (a, b) else {
        return false;
    };
    x.items()
        .iter()
        .zip(y.items())
        .all(|(a, b)| eq_child(a, b, depth + 1))
        && eq_child(x.tail(), y.tail(), depth + 1)
}

/// [`eq_at`], with the call saved for a scalar.
#[inline(always)]
fn eq_child(a: &Term, b: &Term, depth: usize) -> bool {
    if is_container(a) {
        eq_at(a, b, depth)
    } else {
        eq_scalars(a, b)
    }
}

/// Whether two terms are equal when at least one holds no other term.
#[inline(always)]
fn eq_scalars(a: &Term, b: &Term) -> bool {
    use Term::*;
    match (a, b) {
        (Nil, Nil) => true,
        (Int(a), Int(b)) => a == b,
        (Str(a), Str(b)) => a == b,
        (Atom(a), Atom(b)) => a == b,
        _ if rank(a) != rank(b) => false,
        _ => cmp_scalars(a, b) == Ordering::Equal,
    }
}

impl PartialEq for Term {
    fn eq(&self, other: &Term) -> bool {
        eq_at(self, other, 0)
    }
}

impl Eq for Term {}

/// What a term adds to a hash before its children: its rank, then its
/// value, or for a container its length (as `Vec` and `BTreeMap` hash
/// theirs).
#[inline(always)]
fn hash_head<H: Hasher>(t: &Term, h: &mut H) {
    rank(t).hash(h);
    match t {
        Term::Nil => {}
        Term::Bool(b) => bool_name(*b).hash(h),
        Term::Atom(a) => a.as_str().hash(h),
        Term::Int(i) => {
            0u8.hash(h);
            i.hash(h);
        }
        Term::BigInt(b) => match b.to_i64() {
            // As the `Int` it equals.
            Some(i) => {
                0u8.hash(h);
                i.hash(h);
            }
            None => {
                2u8.hash(h);
                b.hash(h);
            }
        },
        Term::Float(f) => {
            1u8.hash(h);
            f.to_bits().hash(h);
        }
        Term::Str(s) => s.hash(h),
        Term::Bytes(b) => b.hash(h),
        Term::BitStr(b) => b.hash(h),
        Term::List(items) | Term::Tuple(items) => h.write_usize(items.len()),
        Term::ImproperList(l) => h.write_usize(l.items().len()),
        Term::Map(map) => h.write_usize(map.len()),
        Term::Pid(p) => p.hash(h),
        Term::Ref(r) => r.hash(h),
        Term::Opaque(o) => o.hash(h),
        Term::Local(v) => v.hash(h),
    }
}

/// Hashes `t` from `depth` levels down: recursive while shallow, then
/// [`hash_deep`]. Children come after their container's head, map entries
/// key then value.
fn hash_at<H: Hasher>(t: &Term, depth: usize, h: &mut H) {
    hash_head(t, h);
    match t {
        Term::List(_) | Term::Tuple(_) | Term::Map(_) | Term::ImproperList(_)
            if depth >= RECURSION_LIMIT =>
        {
            hash_deep(t, h)
        }
        Term::ImproperList(l) => {
            for item in l.items() {
                hash_child(item, depth + 1, h);
            }
            hash_child(l.tail(), depth + 1, h);
        }
        Term::List(items) | Term::Tuple(items) => {
            for item in items {
                hash_child(item, depth + 1, h);
            }
        }
        Term::Map(map) => {
            for (k, v) in map {
                hash_child(k, depth + 1, h);
                hash_child(v, depth + 1, h);
            }
        }
        _ => {}
    }
}

/// [`hash_at`], with the call saved for a scalar.
#[inline(always)]
fn hash_child<H: Hasher>(t: &Term, depth: usize, h: &mut H) {
    if is_container(t) {
        hash_at(t, depth, h);
    } else {
        hash_head(t, h);
    }
}

/// Hashes a container's children, with a heap stack of the containers
/// being hashed: the same writes, in the same order, as [`hash_at`]'s
/// recursion.
#[cold]
fn hash_deep<H: Hasher>(t: &Term, h: &mut H) {
    let mut stack = Vec::new();
    stack.extend(Children::of(t));
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(child) => {
                hash_head(child, h);
                stack.extend(Children::of(child));
            }
            None => {
                stack.pop();
            }
        }
    }
}

impl Hash for Term {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_at(self, 0, h);
    }
}

/// A map key as a lookup sees it: a whole term, or the name of a `Str` or
/// atom key, which needs no `Term` (and so no allocation) to look up.
#[derive(Clone, Copy)]
enum Key<'a> {
    Term(&'a Term),
    Str(&'a str),
    Atom(&'a str),
}

/// What `BTreeMap<Term, _>` borrows its keys as for [`get_str`] and
/// [`get_atom`]: a `Term` and a bare name both view as a [`Key`].
trait AsKey {
    fn key(&self) -> Key<'_>;
}

impl AsKey for Term {
    fn key(&self) -> Key<'_> {
        Key::Term(self)
    }
}

impl AsKey for Key<'_> {
    fn key(&self) -> Key<'_> {
        *self
    }
}

impl<'a> Borrow<dyn AsKey + 'a> for Term {
    fn borrow(&self) -> &(dyn AsKey + 'a) {
        self
    }
}

/// A term against the `Str` key `s`, as `t.cmp(&Term::Str(s.into()))`.
fn cmp_term_str(t: &Term, s: &str) -> Ordering {
    match t {
        Term::Str(x) => x.as_str().cmp(s),
        Term::Bytes(b) => b.as_slice().cmp(s.as_bytes()).then(Ordering::Greater),
        Term::BitStr(b) => {
            cmp_bits(b.bytes(), b.bit_len(), s.as_bytes(), s.len() * 8).then(Ordering::Greater)
        }
        _ => rank(t).cmp(&RANK_BINARY),
    }
}

/// A term against the atom `a`, as `t.cmp(&Term::Atom(a.into()))`.
fn cmp_term_atom(t: &Term, a: &str) -> Ordering {
    match t {
        Term::Atom(x) => x.as_str().cmp(a),
        Term::Bool(b) => bool_name(*b).cmp(a),
        _ => rank(t).cmp(&RANK_ATOM),
    }
}

fn cmp_keys(a: Key<'_>, b: Key<'_>) -> Ordering {
    match (a, b) {
        (Key::Term(x), Key::Term(y)) => x.cmp(y),
        (Key::Term(x), Key::Str(s)) => cmp_term_str(x, s),
        (Key::Str(s), Key::Term(x)) => cmp_term_str(x, s).reverse(),
        (Key::Term(x), Key::Atom(s)) => cmp_term_atom(x, s),
        (Key::Atom(s), Key::Term(x)) => cmp_term_atom(x, s).reverse(),
        (Key::Str(x), Key::Str(y)) | (Key::Atom(x), Key::Atom(y)) => x.cmp(y),
        (Key::Str(_), Key::Atom(_)) => Ordering::Greater,
        (Key::Atom(_), Key::Str(_)) => Ordering::Less,
    }
}

impl Ord for dyn AsKey + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_keys(self.key(), other.key())
    }
}

impl PartialOrd for dyn AsKey + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for dyn AsKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for dyn AsKey + '_ {}

/// `map.get(&Term::Str(name.into()))` without building the key.
pub(super) fn get_str<'m>(map: &'m BTreeMap<Term, Term>, name: &str) -> Option<&'m Term> {
    map.get(&Key::Str(name) as &dyn AsKey)
}

/// `map.get(&Term::Atom(name.into()))` without building the key.
pub(super) fn get_atom<'m>(map: &'m BTreeMap<Term, Term>, name: &str) -> Option<&'m Term> {
    map.get(&Key::Atom(name) as &dyn AsKey)
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;
    use crate::pid::{Pid, Ref};
    use crate::term::{Atom, Opaque, OpaqueKind};

    fn hash(t: &Term) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    /// One term of each type, in ascending order.
    fn ladder() -> Vec<Term> {
        let fun = |b: u8| Term::Opaque(Opaque::new(OpaqueKind::Fun, &[113, b]));
        vec![
            Term::Float(f64::NEG_INFINITY),
            Term::BigInt(BigInt::from(-(1i128 << 64))),
            Term::Float(-(2f64.powi(64))),
            Term::Float(-(2f64.powi(63)) - 2048.0),
            Term::Int(i64::MIN),
            Term::Float(-1.5),
            Term::Int(-1),
            Term::Int(0),
            Term::Float(-0.0),
            Term::Float(0.0),
            Term::Float(0.5),
            Term::Int(1),
            Term::Float(1.0),
            Term::Int(i64::MAX),
            Term::BigInt(BigInt::from(1u128 << 63)),
            Term::Float(9_223_372_036_854_775_808.0),
            Term::BigInt(BigInt::from(1u128 << 70)),
            Term::Float(2f64.powi(70)),
            Term::BigInt(BigInt::from((1u128 << 70) + 1)),
            Term::Float(f64::INFINITY),
            Term::Float(f64::NAN),
            Term::atom("abc"),
            Term::Bool(false),
            Term::atom("normal"),
            Term::Bool(true),
            Term::Ref(Ref::from_parts(0, 1)),
            Term::Ref(Ref::from_parts(1, 0)),
            Term::Opaque(Opaque::new(OpaqueKind::Reference, &[101])),
            fun(1),
            fun(2),
            Term::Opaque(Opaque::new(OpaqueKind::Port, &[89])),
            Term::Pid(Pid::from_parts(0, 1)),
            Term::Pid(Pid::from_parts(1, 0)),
            Term::Tuple(vec![]),
            Term::Tuple(vec![Term::Int(9)]),
            Term::Tuple(vec![Term::Int(1), Term::Int(2)]),
            Term::map(),
            [(2, 0)].into_iter().collect(),
            [(1, 0), (2, 0)].into_iter().collect(),
            [(1, 1), (2, 0)].into_iter().collect(),
            Term::Nil,
            Term::List(vec![]),
            Term::improper_list(vec![Term::Int(1)], Term::Int(2)),
            Term::improper_list(vec![Term::Int(1)], Term::atom("z")),
            Term::List(vec![Term::Int(1)]),
            Term::improper_list(vec![Term::Int(1), Term::Int(2)], Term::Int(0)),
            Term::List(vec![Term::Int(1), Term::Int(2)]),
            Term::improper_list(vec![Term::Int(1), Term::Int(2)], Term::bytes("x")),
            Term::improper_list(vec![Term::Int(1)], Term::bytes("x")),
            Term::List(vec![Term::Int(9)]),
            Term::Str(String::new()),
            Term::Bytes(vec![]),
            Term::bit_string(vec![0x00], 1).unwrap(),
            Term::bit_string(vec![0x60], 3).unwrap(),
            Term::Str("a".into()),
            Term::Bytes(b"a".to_vec()),
            Term::Bytes(b"ab".to_vec()),
            Term::bit_string(vec![b'a', 0x80], 9).unwrap(),
            Term::Str("b".into()),
        ]
    }

    #[test]
    fn order_is_total_and_erlang_like() {
        let l = ladder();
        for (i, a) in l.iter().enumerate() {
            for (j, b) in l.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{a:?} vs {b:?}");
                assert_eq!(a.partial_cmp(b), Some(i.cmp(&j)));
                assert_eq!(a == b, i == j, "{a:?} == {b:?}");
            }
        }
    }

    #[test]
    fn exact_equality() {
        assert_ne!(Term::Int(1), Term::Float(1.0));
        assert_ne!(Term::Float(0.0), Term::Float(-0.0));
        assert_eq!(Term::Float(f64::NAN), Term::Float(f64::NAN));
        assert_eq!(Term::Bool(true), Term::atom("true"));
        assert_eq!(Term::atom("false"), Term::Bool(false));
        assert_ne!(Term::Str("a".into()), Term::Bytes(b"a".to_vec()));
        assert_ne!(Term::Str("a".into()), Term::atom("a"));
        assert_ne!(Term::Nil, Term::List(vec![]));
        assert_ne!(Term::List(vec![]), Term::Tuple(vec![]));
        assert_eq!(
            Term::Atom(Atom::from("x".to_string())),
            Term::Atom(Atom::from_static("x"))
        );
    }

    #[test]
    fn int_float_compare_exactly() {
        // 2^53 + 1 is not a float; rounding through f64 would call these equal.
        let big = (1i64 << 53) + 1;
        assert!(Term::Int(big) > Term::Float((1u64 << 53) as f64));
        assert!(Term::Int(i64::MAX) < Term::Float(9_223_372_036_854_775_808.0));
        // Equal values: the Int sorts first.
        assert!(Term::Int(i64::MIN) < Term::Float(-9_223_372_036_854_775_808.0));
        assert_eq!(
            int_float_cmp(i64::MIN, -9_223_372_036_854_775_808.0),
            Some(Ordering::Equal)
        );
        assert!(Term::Int(i64::MIN) > Term::Float(-9_223_372_036_854_777_856.0));
        assert!(Term::Int(i64::MIN) < Term::Float(-9_223_372_036_854_774_784.0));
        assert!(Term::Int(-1) < Term::Float(-0.5));
        assert!(Term::Int(-1) > Term::Float(-1.5));
        assert!(Term::Int(2) > Term::Float(1.5));
        assert!(Term::Int(0) > Term::Float(-f64::NAN));
        assert!(Term::Int(0) < Term::Float(f64::NAN));
        assert_eq!(int_float_cmp(3, 3.0), Some(Ordering::Equal));
        assert_eq!(int_float_cmp(3, f64::NAN), None);
    }

    #[test]
    fn hash_agrees_with_eq() {
        let l = ladder();
        for a in &l {
            assert_eq!(hash(a), hash(&a.clone()));
        }
        assert_eq!(hash(&Term::Bool(true)), hash(&Term::atom("true")));
        assert_eq!(
            hash(&Term::atom("x")),
            hash(&Term::Atom(Atom::from("x".to_string())))
        );
        let set: std::collections::HashSet<Term> = l.iter().cloned().collect();
        assert_eq!(set.len(), l.len());
    }

    /// What a hash is fed, write by write.
    #[derive(Default)]
    struct Writes(Vec<u8>);

    impl Hasher for Writes {
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }

        fn finish(&self) -> u64 {
            0
        }
    }

    #[test]
    fn deep_walks_agree_with_recursive_ones() {
        // The ladder, and containers of its terms.
        let mut terms = ladder();
        terms.extend(ladder().chunks(3).map(|c| Term::List(c.to_vec())));
        terms.extend(ladder().chunks(2).map(|c| Term::Tuple(c.to_vec())));
        terms.extend(
            ladder()
                .chunks(4)
                .map(|c| Term::Map(c.iter().cloned().zip(c.iter().cloned().rev()).collect())),
        );
        terms.push(Term::List(terms.clone()));
        for a in &terms {
            for b in &terms {
                // From the limit down, the explicit-stack walks do the work.
                let deep = cmp_at(a, b, RECURSION_LIMIT);
                assert_eq!(deep, cmp_at(a, b, 0), "{a:?} vs {b:?}");
                assert_eq!(eq_at(a, b, RECURSION_LIMIT), deep.is_eq(), "{a:?} == {b:?}");
                assert_eq!(eq_at(a, b, 0), deep.is_eq(), "{a:?} == {b:?}");
            }
            let mut deep = Writes::default();
            hash_at(a, RECURSION_LIMIT, &mut deep);
            let mut shallow = Writes::default();
            hash_at(a, 0, &mut shallow);
            assert_eq!(deep.0, shallow.0, "{a:?}");
        }
    }

    #[test]
    fn map_keys_follow_the_order() {
        let mut m = BTreeMap::new();
        m.insert(Term::atom("true"), Term::Int(1));
        m.insert(Term::Bool(true), Term::Int(2));
        m.insert(Term::Int(1), Term::Int(3));
        m.insert(Term::Float(1.0), Term::Int(4));
        assert_eq!(m.len(), 3);
        assert_eq!(m[&Term::atom("true")], Term::Int(2));
        assert_eq!(m.keys().next(), Some(&Term::Int(1)));
    }

    #[test]
    fn lookups_by_name_match_lookups_by_term() {
        let l = ladder();
        let map: BTreeMap<Term, Term> = l.iter().cloned().map(|t| (t.clone(), t)).collect();
        for name in ["", "a", "ab", "abc", "b", "normal", "true", "false", "zzz"] {
            assert_eq!(
                get_str(&map, name),
                map.get(&Term::Str(name.into())),
                "str {name}"
            );
            assert_eq!(
                get_atom(&map, name),
                map.get(&Term::Atom(Atom::from(name))),
                "atom {name}"
            );
        }
        for t in &l {
            for name in ["", "a", "ab", "b", "true", "normal"] {
                assert_eq!(
                    cmp_term_str(t, name),
                    t.cmp(&Term::Str(name.into())),
                    "{t:?} vs str {name}"
                );
                assert_eq!(
                    cmp_term_atom(t, name),
                    t.cmp(&Term::Atom(Atom::from(name))),
                    "{t:?} vs atom {name}"
                );
            }
        }
        assert_eq!(cmp_keys(Key::Str("a"), Key::Atom("z")), Ordering::Greater);
    }
}
