//! Deeply nested terms: 100 000 levels of lists, tuples, map values or map
//! keys clone, drop, compare, hash, print and encode for the network without
//! overflowing the stack; `Term::decode` and `Term::encode` refuse them with
//! an error past their limit.
//!
//! Each test runs on a thread with a stack that code recursing once per
//! level would overflow (a stack overflow aborts the whole test binary).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use actor::prelude::*;
use serde::{Deserialize, Serialize};

const DEPTH: usize = 100_000;

/// The limit of `Term::decode` and `Term::encode`.
const LIMIT: usize = 256;

/// Runs `f` on a thread with a 256 KiB stack.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    on_stack(256 * 1024, f)
}

/// Runs `f` on a thread with the stack of a tokio worker (and of any
/// spawned thread by default): 2 MiB. Serde goes down its limit of levels
/// one call at a time, in a debug build up to a few KiB a level.
fn on_worker_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    on_stack(2 * 1024 * 1024, f)
}

fn on_stack<R: Send + 'static>(bytes: usize, f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("no panic")
}

/// One way of putting a term inside another.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// `[t]`
    List,
    /// `{t}`
    Tuple,
    /// `#{"k" => t}`
    MapValue,
    /// `#{t => nil}`
    MapKey,
}

const SHAPES: [Shape; 4] = [Shape::List, Shape::Tuple, Shape::MapValue, Shape::MapKey];

impl Shape {
    fn wrap(self, t: Term) -> Term {
        match self {
            Shape::List => Term::List(vec![t]),
            Shape::Tuple => Term::Tuple(vec![t]),
            Shape::MapValue => [("k", t)].into_iter().collect(),
            Shape::MapKey => [(t, Term::Nil)].into_iter().collect(),
        }
    }

    /// `depth` levels of this shape around `inner`.
    fn nest(self, depth: usize, inner: Term) -> Term {
        (0..depth).fold(inner, |t, _| self.wrap(t))
    }

    /// What `{:?}` and `{}` write before and after the inner term, a level.
    fn brackets(self, display: bool) -> (&'static str, &'static str) {
        match (self, display) {
            (Shape::List, _) => ("[", "]"),
            (Shape::Tuple, false) => ("(", ",)"),
            (Shape::Tuple, true) => ("{", "}"),
            (Shape::MapValue, false) => ("{'k': ", "}"),
            (Shape::MapValue, true) => ("#{\"k\" => ", "}"),
            (Shape::MapKey, false) => ("{", ": None}"),
            (Shape::MapKey, true) => ("#{", " => nil}"),
        }
    }
}

fn hash(t: &Term) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

#[test]
fn deep_terms_clone_and_drop() {
    on_small_stack(|| {
        for shape in SHAPES {
            let t = shape.nest(DEPTH, Term::from("leaf"));
            let copy = t.clone();
            drop(t);
            let again = copy.clone();
            drop(copy);
            // A term whose every level holds a list of scalars beside the
            // nesting, and a deep term inside a shallow one.
            drop(again);
            let wide = (0..DEPTH / 10).fold(Term::Nil, |t, i| {
                Term::tuple([Term::list([i, i + 1]), shape.wrap(t), Term::from("s")])
            });
            drop(wide.clone());
            drop(Term::list([wide, Term::from(1)]));
        }
    });
}

#[test]
fn deep_terms_compare_and_hash() {
    on_small_stack(|| {
        for shape in SHAPES {
            let a = shape.nest(DEPTH, Term::from(1));
            let b = a.clone();
            let bigger = shape.nest(DEPTH, Term::from(2));
            let shallower = shape.nest(DEPTH - 1, Term::from(1));
            assert!(a == b, "{shape:?}");
            assert!(a != bigger, "{shape:?}");
            assert!(a != shallower, "{shape:?}");
            assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal, "{shape:?}");
            assert!(a < bigger, "{shape:?}");
            assert!(bigger > a, "{shape:?}");
            assert_eq!(hash(&a), hash(&b), "{shape:?}");
            let set: HashSet<Term> = [a, b, bigger].into_iter().collect();
            assert_eq!(set.len(), 2, "{shape:?}");
        }
        // Lists compare element by element before length, however deep;
        // tuples and maps by size first.
        let long = Term::List(vec![Shape::List.nest(DEPTH, Term::from(1)), Term::Nil]);
        let short = Term::List(vec![Shape::List.nest(DEPTH, Term::from(2))]);
        assert!(long < short);
        for shape in SHAPES {
            let small = shape.nest(DEPTH, Term::tuple([9]));
            let big = shape.nest(DEPTH, Term::tuple([1, 2]));
            assert!(small < big, "{shape:?}");
            let small = shape.nest(DEPTH, [(9, 9)].into_iter().collect());
            let big = shape.nest(DEPTH, [(1, 1), (2, 2)].into_iter().collect());
            assert!(small < big, "{shape:?}");
            assert!(small != big, "{shape:?}");
        }
    });
}

#[test]
fn deep_terms_print() {
    on_small_stack(|| {
        for shape in SHAPES {
            let t = shape.nest(DEPTH, Term::Nil);
            for (display, leaf) in [(false, "None"), (true, "nil")] {
                let (open, close) = shape.brackets(display);
                let expected = format!("{}{leaf}{}", open.repeat(DEPTH), close.repeat(DEPTH));
                let written = if display {
                    t.to_string()
                } else {
                    format!("{t:?}")
                };
                assert!(written == expected, "{shape:?}, display: {display}");
            }
            // Pretty: a line a level for the first 64 levels, then the
            // depths below on one line, so it stays readable and linear in
            // size.
            let pretty = format!("{t:#?}");
            assert!(pretty.lines().count() < 200, "{shape:?}");
            let below = format!("{:?}", shape.nest(DEPTH - 64, Term::Nil));
            assert!(pretty.contains(&below), "{shape:?}");
            // Two lines a level above, indented four spaces a level.
            assert!(
                pretty.len() < below.len() + 64 * 2 * (4 * 64 + 20),
                "{shape:?}"
            );
        }
    });
}

/// A Rust type that nests: `{"inner": {"inner": ... nil}}` as a term.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Node {
    inner: Option<Box<Node>>,
}

impl Node {
    fn nest(depth: usize) -> Node {
        (0..depth).fold(Node { inner: None }, |n, _| Node {
            inner: Some(Box::new(n)),
        })
    }
}

#[test]
fn decode_refuses_terms_past_its_limit() {
    on_worker_stack(|| {
        let deep = Shape::MapValue.nest(DEPTH, Term::Nil);
        let err = deep.decode::<Term>().unwrap_err().to_string();
        let expected =
            format!("the term nests deeper than {LIMIT} levels, the limit of `Term::decode`");
        assert!(err.starts_with(&expected), "{err}");
        assert!(
            err.ends_with(" at field `k.k.k.k.k.k.k.k…k.k.k.k`"),
            "{err}"
        );

        let nodes = (0..DEPTH).fold(Term::Nil, |t, _| [("inner", t)].into_iter().collect());
        let err = nodes.decode::<Node>().unwrap_err().to_string();
        assert!(err.starts_with(&expected), "{err}");
        assert!(err.ends_with(" at field `inner.inner.inner.inner.inner.inner.inner.inner…inner.inner.inner.inner`"), "{err}");
        let err = Shape::List
            .nest(DEPTH, Term::Nil)
            .decode::<Vec<Term>>()
            .unwrap_err();
        assert!(err.to_string().starts_with(&expected), "{err}");

        // At the limit, terms decode.
        let deep = Term::encode(&Node::nest(LIMIT - 1)).unwrap();
        assert_eq!(deep.decode::<Node>().unwrap(), Node::nest(LIMIT - 1));
        let at_limit = Shape::Tuple.nest(LIMIT, Term::from(1));
        assert_eq!(at_limit.decode::<Term>().unwrap(), at_limit);
        let past = Shape::Tuple.nest(LIMIT + 1, Term::from(1));
        let err = past.decode::<Term>().unwrap_err().to_string();
        assert!(err.starts_with(&expected), "{err}");
    });
}

#[test]
fn encode_refuses_values_past_its_limit() {
    on_worker_stack(|| {
        let expected =
            format!("the value nests deeper than {LIMIT} levels, the limit of `Term::encode`");
        for shape in SHAPES {
            let deep = shape.nest(DEPTH, Term::Nil);
            let err = Term::encode(&deep).unwrap_err().to_string();
            assert!(err.starts_with(&expected), "{shape:?}: {err}");
        }
        let err = Term::encode(&Node::nest(LIMIT + 1))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&expected), "{err}");

        // At the limit, values encode, and come back.
        let node = Node::nest(LIMIT - 1);
        assert_eq!(Term::encode(&node).unwrap().decode::<Node>().unwrap(), node);
        let at_limit = Shape::MapKey.nest(LIMIT, Term::from(1));
        assert_eq!(Term::encode(&at_limit).unwrap(), at_limit);
    });
}

#[test]
fn shallow_terms_still_round_trip() {
    on_worker_stack(|| {
        let data: Term = [
            ("hi", Term::from("hey")),
            ("n", Term::from(3)),
            ("list", Term::list([1, 2, 3])),
            ("nested", Shape::MapKey.nest(20, Term::tuple([1, 2]))),
        ]
        .into_iter()
        .collect();
        assert_eq!(Term::encode(&data).unwrap(), data);
        assert_eq!(data.decode::<Term>().unwrap(), data);
        assert_eq!(data.clone(), data);
        assert_eq!(format!("{:?}", data["list"]), "[1, 2, 3]",);
    });
}
