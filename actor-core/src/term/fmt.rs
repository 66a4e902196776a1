//! `Debug` (the seed's Python-dict look) and `Display` (Erlang syntax).

use std::fmt::{self, Debug, Display, Formatter, Write};

use super::deep::Children;
use super::{Atom, Term};

impl Display for Atom {
    /// The atom's name, bare.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads like the seed's Python values: `{'hi': 'hey', 'n': 3}`.
///
/// `Nil` is `None`, bools are `True`/`False`, strings are single-quoted with
/// Python's escapes, binaries are `b'…'`, floats look like Python's (`1.0`,
/// `1e+16`), atoms are bare (`normal`), lists are `[1, 2]`, tuples `(a, 1)`
/// (one-tuples `(a,)`), maps `{k: v}`, pids and refs `Pid('…')`/`Ref('…')`.
/// `{:#?}` spreads containers over lines, four spaces a level; containers
/// nested more than 64 levels deep are written on one line, as `{:?}`
/// writes them, so the output stays linear in the term's size.
///
/// # Examples
///
/// ```
/// use actor_core::Term;
///
/// let t = Term::tuple([Term::atom("ok"), Term::list([Term::Nil, true.into()])]);
/// assert_eq!(format!("{t:?}"), "(ok, [None, True])");
/// assert_eq!(format!("{t:#?}"), "(\n    ok,\n    [\n        None,\n        True,\n    ],\n)");
/// ```
impl Debug for Term {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let style = if f.alternate() {
            Style::Pretty
        } else {
            Style::Python
        };
        write_term(self, style, f)
    }
}

/// Erlang syntax: `#{"hi" => "hey", n => 3}`.
///
/// Atoms are bare, or single-quoted where Erlang needs it (`'EXIT'`);
/// strings are double-quoted; binaries are `<<"text">>` or `<<1, 2>>`;
/// tuples are `{a, 1}`, lists `[1, 2]`, maps `#{k => v}`; `Nil` is `nil`;
/// floats always have a `.` (`1.0`, `1.0e16`); a pid prints as `<uuid>` and
/// a reference as `#Ref<uuid>`.
///
/// # Examples
///
/// ```
/// use actor_core::Term;
///
/// let data: Term = [("hi", Term::from("hey")), ("n", Term::from(3))].into_iter().collect();
/// assert_eq!(data.to_string(), r#"#{"hi" => "hey", "n" => 3}"#);
/// assert_eq!(Term::from((Term::atom("EXIT"), 1.5)).to_string(), "{'EXIT', 1.5}");
/// ```
impl Display for Term {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_term(self, Style::Erlang, f)
    }
}

/// The three ways a term prints.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// `Debug`: `{'k': [1, (a,)]}`.
    Python,
    /// `Debug` with `{:#?}`: as `Python`, a line an element.
    Pretty,
    /// `Display`: `#{"k" => [1, {a}]}`.
    Erlang,
}

/// How deep `{:#?}` spreads containers over lines; deeper ones take one line.
const PRETTY_DEPTH: usize = 64;

/// A container being written: what is left of it, and how to write it.
struct Open<'a> {
    children: Children<'a>,
    /// Children written so far (a map's keys and values each count).
    written: usize,
    map: bool,
    close: &'static str,
    /// `(x,)` rather than `(x)`: a `Debug` tuple.
    one_tuple_comma: bool,
    /// A line an element.
    pretty: bool,
    /// Inside a map, under `Display`: the recursive writer this replaces
    /// wrote entries with `write!(f, "{k} => {v}")`, which drops the
    /// caller's format options, so these leaves do too.
    plain: bool,
}

/// Writes `t` in `style`, keeping the containers it is inside on a heap
/// stack rather than recursing: a term of any depth prints.
///
/// The output is what std's `debug_list`/`debug_tuple`/`debug_map` (for
/// `Debug`) and the writer before them (for `Display`) give: the tests check
/// it against them.
fn write_term(t: &Term, style: Style, f: &mut Formatter<'_>) -> fmt::Result {
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut next = Some(t);
    loop {
        if let Some(t) = next.take() {
            let plain = stack
                .last()
                .is_some_and(|o| o.plain || (o.map && style == Style::Erlang));
            match Children::of(t) {
                None => write_scalar(t, style, plain, f)?,
                Some(children) => {
                    let (open, close) = brackets(t, style);
                    f.write_str(open)?;
                    stack.push(Open {
                        children,
                        written: 0,
                        map: matches!(t, Term::Map(_)),
                        close,
                        one_tuple_comma: style != Style::Erlang && matches!(t, Term::Tuple(_)),
                        pretty: style == Style::Pretty && stack.len() < PRETTY_DEPTH,
                        plain,
                    });
                }
            }
        }
        let level = stack.len();
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        let entries = if top.map {
            top.written / 2
        } else {
            top.written
        };
        let tail_next = top.children.at_tail();
        match top.children.next() {
            Some(child) => {
                if top.map && top.written % 2 == 1 {
                    f.write_str(if style == Style::Erlang { " => " } else { ": " })?;
                } else if tail_next {
                    f.write_str(" | ")?;
                } else if top.pretty {
                    f.write_str(if entries == 0 { "\n" } else { ",\n" })?;
                    indent(level, f)?;
                } else if entries > 0 {
                    f.write_str(", ")?;
                }
                top.written += 1;
                next = Some(child);
            }
            None => {
                if top.pretty && entries > 0 {
                    f.write_str(",\n")?;
                    indent(level - 1, f)?;
                } else if top.one_tuple_comma && entries == 1 {
                    f.write_char(',')?;
                }
                f.write_str(top.close)?;
                stack.pop();
            }
        }
    }
}

/// The opening and closing brackets of a container.
fn brackets(t: &Term, style: Style) -> (&'static str, &'static str) {
    match (t, style) {
        (Term::List(_) | Term::ImproperList(_), _) => ("[", "]"),
        (Term::Tuple(_), Style::Erlang) => ("{", "}"),
        (Term::Tuple(_), _) => ("(", ")"),
        (Term::Map(_), Style::Erlang) => ("#{", "}"),
        _ => ("{", "}"),
    }
}

fn indent(level: usize, f: &mut Formatter<'_>) -> fmt::Result {
    for _ in 0..level {
        f.write_str("    ")?;
    }
    Ok(())
}

/// A term that holds no other term, in `style`; `plain` ignores the
/// formatter's options (see [`Open::plain`]).
fn write_scalar(t: &Term, style: Style, plain: bool, f: &mut Formatter<'_>) -> fmt::Result {
    if style == Style::Erlang {
        return match t {
            Term::Nil => f.write_str("nil"),
            Term::Bool(b) if plain => write!(f, "{b}"),
            Term::Bool(b) => Display::fmt(b, f),
            Term::Int(i) if plain => write!(f, "{i}"),
            Term::Int(i) => Display::fmt(i, f),
            Term::BigInt(b) if plain => write!(f, "{b}"),
            Term::BigInt(b) => Display::fmt(b, f),
            Term::Float(x) => erlang_float(*x, f),
            Term::Atom(a) => erlang_atom(a.as_str(), f),
            Term::Str(s) => erlang_str(s, f),
            Term::Bytes(b) => erlang_binary(b, f),
            Term::BitStr(b) => write!(f, "{b}"),
            Term::Pid(p) => write!(f, "<{p}>"),
            Term::Ref(r) => write!(f, "#Ref<{r}>"),
            Term::Opaque(o) => write!(f, "{o}"),
            Term::Local(v) => Debug::fmt(v, f),
            Term::List(_) | Term::Tuple(_) | Term::Map(_) | Term::ImproperList(_) => {
                unreachable!("written by write_term")
            }
        };
    }
    match t {
        Term::Nil => f.write_str("None"),
        Term::Bool(true) => f.write_str("True"),
        Term::Bool(false) => f.write_str("False"),
        Term::Int(i) => Display::fmt(i, f),
        Term::BigInt(b) => Display::fmt(b, f),
        Term::Float(x) => python_float(*x, f),
        Term::Atom(a) => f.write_str(a.as_str()),
        Term::Str(s) => python_str(s, f),
        Term::Bytes(b) => python_bytes(b, f),
        Term::BitStr(b) => write!(f, "{b}"),
        Term::Pid(p) => Debug::fmt(p, f),
        Term::Ref(r) => Debug::fmt(r, f),
        Term::Opaque(o) => write!(f, "{o}"),
        Term::Local(v) => Debug::fmt(v, f),
        Term::List(_) | Term::Tuple(_) | Term::Map(_) | Term::ImproperList(_) => {
            unreachable!("written by write_term")
        }
    }
}

/// Python's `repr` of a float: Rust's shortest round-trip digits, with the
/// exponent written `e+16` / `e-05`.
fn python_float(x: f64, f: &mut Formatter<'_>) -> fmt::Result {
    if x.is_nan() {
        return f.write_str("nan");
    }
    let s = format!("{x:?}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            write!(f, "{mantissa}e{sign}{digits:0>2}")
        }
        None => f.write_str(&s),
    }
}

/// An Erlang float literal: always a `.` in the mantissa (`1.0e16`).
fn erlang_float(x: f64, f: &mut Formatter<'_>) -> fmt::Result {
    if x.is_nan() {
        return f.write_str("nan");
    }
    let s = format!("{x:?}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !mantissa.contains('.') => write!(f, "{mantissa}.0e{exp}"),
        _ => f.write_str(&s),
    }
}

/// Python's `repr` of a `str`: single quotes unless the text has a `'` and
/// no `"`.
fn python_str(s: &str, f: &mut Formatter<'_>) -> fmt::Result {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    f.write_char(quote)?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c == quote => write!(f, "\\{c}")?,
            c if (c as u32) < 0x20 || c == '\x7f' => write!(f, "\\x{:02x}", c as u32)?,
            c if c.is_control() => {
                if (c as u32) < 0x100 {
                    write!(f, "\\x{:02x}", c as u32)?
                } else {
                    write!(f, "\\u{:04x}", c as u32)?
                }
            }
            c => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

/// Python's `repr` of `bytes`.
fn python_bytes(b: &[u8], f: &mut Formatter<'_>) -> fmt::Result {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    f.write_char('b')?;
    f.write_char(quote)?;
    for &byte in b {
        match byte {
            b'\\' => f.write_str("\\\\")?,
            b'\n' => f.write_str("\\n")?,
            b'\r' => f.write_str("\\r")?,
            b'\t' => f.write_str("\\t")?,
            _ if char::from(byte) == quote => write!(f, "\\{quote}")?,
            0x20..=0x7e => f.write_char(char::from(byte))?,
            _ => write!(f, "\\x{byte:02x}")?,
        }
    }
    f.write_char(quote)
}

/// Erlang's reserved words, which must be quoted to be atoms.
const RESERVED: &[&str] = &[
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case",
    "catch", "cond", "div", "else", "end", "fun", "if", "let", "maybe", "not", "of", "or",
    "orelse", "receive", "rem", "try", "when", "xor",
];

/// An atom as Erlang writes it: bare when it can be, else single-quoted.
fn erlang_atom(name: &str, f: &mut Formatter<'_>) -> fmt::Result {
    let bare = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
        && !RESERVED.contains(&name);
    if bare {
        f.write_str(name)
    } else {
        erlang_quoted(name, '\'', f)
    }
}

fn erlang_str(s: &str, f: &mut Formatter<'_>) -> fmt::Result {
    erlang_quoted(s, '"', f)
}

/// Text in `quote`s with Erlang's escapes.
fn erlang_quoted(s: &str, quote: char, f: &mut Formatter<'_>) -> fmt::Result {
    f.write_char(quote)?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c == quote => write!(f, "\\{c}")?,
            c if c.is_control() => write!(f, "\\x{{{:X}}}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

/// A binary as Erlang writes it: `<<"text">>` when printable, else bytes.
fn erlang_binary(b: &[u8], f: &mut Formatter<'_>) -> fmt::Result {
    match std::str::from_utf8(b) {
        Ok(s) if !s.is_empty() && !s.chars().any(char::is_control) => {
            f.write_str("<<")?;
            erlang_str(s, f)?;
            f.write_str(">>")
        }
        _ => {
            f.write_str("<<")?;
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{byte}")?;
            }
            f.write_str(">>")
        }
    }
}

/// Writes at most `limit` bytes of `value`'s `Debug`, ending with `…` when
/// cut: for error messages, which must stay short whatever the term.
pub(super) fn debug_truncated(value: &Term, limit: usize) -> String {
    struct Capped {
        out: String,
        limit: usize,
        cut: bool,
    }
    impl Write for Capped {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let room = self.limit - self.out.len();
            if s.len() <= room {
                self.out.push_str(s);
                return Ok(());
            }
            let mut end = room;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.out.push_str(&s[..end]);
            self.cut = true;
            Err(fmt::Error)
        }
    }
    let mut w = Capped {
        out: String::new(),
        limit,
        cut: false,
    };
    // An error here only means the cap was reached.
    let _ = write!(w, "{value:?}");
    if w.cut {
        w.out.push('…');
    }
    w.out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::pid::{Pid, Ref};

    fn dbg(t: impl Into<Term>) -> String {
        format!("{:?}", t.into())
    }

    fn show(t: impl Into<Term>) -> String {
        t.into().to_string()
    }

    #[test]
    fn debug_reads_like_python() {
        let data: Term = [("hi", Term::from("hey")), ("n", Term::from(3))]
            .into_iter()
            .collect();
        assert_eq!(dbg(data), "{'hi': 'hey', 'n': 3}");
        assert_eq!(dbg(Term::Nil), "None");
        assert_eq!(dbg(true), "True");
        assert_eq!(dbg(false), "False");
        assert_eq!(dbg(-7), "-7");
        assert_eq!(dbg(Term::atom("normal")), "normal");
        assert_eq!(dbg(vec![1, 2]), "[1, 2]");
        assert_eq!(dbg(Vec::<i32>::new()), "[]");
        assert_eq!(dbg((Term::atom("a"), 1)), "(a, 1)");
        assert_eq!(dbg((Term::atom("a"),)), "(a,)");
        assert_eq!(dbg(Term::Tuple(vec![])), "()");
        assert_eq!(dbg(Term::map()), "{}");
        let p = Pid::from_parts(0x0123_4567_89ab_4def, 0x8000_0000_0000_0001);
        assert_eq!(dbg(p), "Pid('01234567-89ab-4def-8000-000000000001')");
        let r = Ref::from_parts(1, 2);
        assert_eq!(dbg(r), format!("{r:?}"));
        let nested: Term = [("k", Term::list([Term::Nil, Term::from(0.5)]))]
            .into_iter()
            .collect();
        assert_eq!(dbg(nested), "{'k': [None, 0.5]}");
    }

    #[test]
    fn debug_strings_escape_like_python() {
        assert_eq!(dbg("hey"), "'hey'");
        assert_eq!(dbg(""), "''");
        assert_eq!(dbg("it's"), "\"it's\"");
        assert_eq!(dbg("'\""), "'\\'\"'");
        assert_eq!(dbg("a\nb\t\\"), "'a\\nb\\t\\\\'");
        assert_eq!(dbg("\u{1}\u{7f}\u{85}"), "'\\x01\\x7f\\x85'");
        assert_eq!(dbg("héllo ✓"), "'héllo ✓'");
        assert_eq!(dbg(Term::bytes("hi")), "b'hi'");
        assert_eq!(dbg(Term::bytes(vec![0u8, 255, b'\''])), "b\"\\x00\\xff'\"");
        assert_eq!(dbg(Term::bytes(vec![b'\n', b'\\'])), "b'\\n\\\\'");
    }

    #[test]
    fn debug_floats_look_like_python() {
        assert_eq!(dbg(1.0), "1.0");
        assert_eq!(dbg(0.5), "0.5");
        assert_eq!(dbg(-2.25), "-2.25");
        assert_eq!(dbg(0.1), "0.1");
        assert_eq!(dbg(1e16), "1e+16");
        assert_eq!(dbg(1.5e300), "1.5e+300");
        assert_eq!(dbg(1e-5), "1e-05");
        assert_eq!(dbg(0.0001), "0.0001");
        assert_eq!(dbg(123456789012345.0), "123456789012345.0");
        assert_eq!(dbg(f64::INFINITY), "inf");
        assert_eq!(dbg(f64::NEG_INFINITY), "-inf");
        assert_eq!(dbg(f64::NAN), "nan");
        assert_eq!(dbg(-0.0), "-0.0");
    }

    #[test]
    fn pretty_debug_spreads_over_lines() {
        let data: Term = [("a", vec![1])].into_iter().collect();
        assert_eq!(format!("{data:#?}"), "{\n    'a': [\n        1,\n    ],\n}");
    }

    #[test]
    fn display_is_erlang() {
        let data: Term = [
            (Term::from("hi"), Term::from("hey")),
            (Term::atom("n"), Term::from(3)),
        ]
        .into_iter()
        .collect();
        assert_eq!(show(data), r#"#{n => 3, "hi" => "hey"}"#);
        assert_eq!(show(Term::map()), "#{}");
        assert_eq!(show(Term::Nil), "nil");
        assert_eq!(show(true), "true");
        assert_eq!(show(-3), "-3");
        assert_eq!(show(1.0), "1.0");
        assert_eq!(show(1e16), "1.0e16");
        assert_eq!(show(2.5e-7), "2.5e-7");
        assert_eq!(show((Term::atom("a"), 1)), "{a, 1}");
        assert_eq!(show(Term::Tuple(vec![])), "{}");
        assert_eq!(show(vec![1, 2]), "[1, 2]");
        assert_eq!(show("say \"hi\"\n"), r#""say \"hi\"\n""#);
        assert_eq!(show(Term::bytes("abc")), r#"<<"abc">>"#);
        assert_eq!(show(Term::bytes(vec![0u8, 200])), "<<0, 200>>");
        assert_eq!(show(Term::bytes(vec![])), "<<>>");
        let p = Pid::from_parts(1, 2);
        assert_eq!(show(p), format!("<{p}>"));
        let r = Ref::from_parts(1, 2);
        assert_eq!(show(r), format!("#Ref<{r}>"));
    }

    #[test]
    fn new_kinds_print_as_erlang_writes_them() {
        let big = Term::from(u128::MAX);
        assert_eq!(show(big.clone()), u128::MAX.to_string());
        assert_eq!(dbg(big), u128::MAX.to_string());
        let improper = Term::improper_list(vec![1.into(), Term::atom("a")], Term::from(2.5));
        assert_eq!(show(improper.clone()), "[1, a | 2.5]");
        assert_eq!(dbg(improper.clone()), "[1, a | 2.5]");
        assert_eq!(format!("{improper:#?}"), "[\n    1,\n    a | 2.5,\n]");
        assert_eq!(
            show(Term::bit_string(vec![3, 0x80], 9).unwrap()),
            "<<3,1:1>>"
        );
        let deep = (0..10_000).fold(Term::Int(0), |t, _| Term::improper_list(vec![t], Term::Nil));
        assert!(show(deep).starts_with("[[[["));
    }

    #[test]
    fn display_quotes_atoms_when_erlang_must() {
        for (name, shown) in [
            ("normal", "normal"),
            ("node@host", "node@host"),
            ("a_B9", "a_B9"),
            ("EXIT", "'EXIT'"),
            ("hello world", "'hello world'"),
            ("", "''"),
            ("end", "'end'"),
            ("it's", r"'it\'s'"),
            ("é", "'é'"),
        ] {
            assert_eq!(show(Term::Atom(Atom::from(name))), shown);
        }
        assert_eq!(Atom::from_static("EXIT").to_string(), "EXIT");
    }

    /// The writers before the iterative one, recursive and built on std's
    /// `debug_list`/`debug_tuple`/`debug_map`: what the terms still print as.
    struct Recursive<'a>(&'a Term);

    impl Debug for Recursive<'_> {
        fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
            match self.0 {
                Term::List(items) => f.debug_list().entries(items.iter().map(Recursive)).finish(),
                Term::Tuple(items) if items.is_empty() => f.write_str("()"),
                Term::Tuple(items) => {
                    let mut t = f.debug_tuple("");
                    for item in items {
                        t.field(&Recursive(item));
                    }
                    t.finish()
                }
                Term::Map(map) => f
                    .debug_map()
                    .entries(map.iter().map(|(k, v)| (Recursive(k), Recursive(v))))
                    .finish(),
                scalar => Debug::fmt(scalar, f),
            }
        }
    }

    impl Display for Recursive<'_> {
        fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
            let items = |items: &[Term], f: &mut Formatter<'_>| {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    Display::fmt(&Recursive(item), f)?;
                }
                Ok(())
            };
            match self.0 {
                Term::List(list) => {
                    f.write_char('[')?;
                    items(list, f)?;
                    f.write_char(']')
                }
                Term::Tuple(tuple) => {
                    f.write_char('{')?;
                    items(tuple, f)?;
                    f.write_char('}')
                }
                Term::Map(map) => {
                    f.write_str("#{")?;
                    for (i, (k, v)) in map.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{} => {}", Recursive(k), Recursive(v))?;
                    }
                    f.write_char('}')
                }
                scalar => Display::fmt(scalar, f),
            }
        }
    }

    /// Random terms, up to `depth` containers deep.
    struct Random(u64);

    impl Random {
        fn next(&mut self, n: u64) -> u64 {
            // xorshift64
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        fn term(&mut self, depth: usize) -> Term {
            let kinds = if depth == 0 { 12 } else { 16 };
            match self.next(kinds) {
                0 => Term::Nil,
                1 => Term::Bool(self.next(2) == 0),
                2 => Term::Int(self.next(2000) as i64 - 1000),
                3 => Term::Float([0.5, -0.0, 1e16, 2.5e-7, f64::NAN, 3.0][self.next(6) as usize]),
                4 => Term::Atom(Atom::from(
                    ["ok", "EXIT", "a b", "end", ""][self.next(5) as usize],
                )),
                5 => Term::from(["", "hey", "it's", "a\"\n", "é"][self.next(5) as usize]),
                6 => Term::bytes([&b"hi"[..], &[0, 255], &b"'"[..]][self.next(3) as usize]),
                7 => Term::Pid(Pid::from_parts(self.next(9), 1)),
                8 => Term::Ref(Ref::from_parts(2, self.next(9))),
                9 => Term::local(7u8),
                10 => Term::List(vec![]),
                11 => Term::Tuple(vec![]),
                12 | 13 => {
                    let n = self.next(4) as usize;
                    let items = (0..n).map(|_| self.term(depth - 1)).collect();
                    if self.next(2) == 0 {
                        Term::List(items)
                    } else {
                        Term::Tuple(items)
                    }
                }
                _ => (0..self.next(4))
                    .map(|_| (self.term(depth - 1), self.term(depth - 1)))
                    .collect(),
            }
        }
    }

    /// A term in every way the tests print it, format options included.
    fn printed<T: Debug + Display>(t: T) -> [String; 8] {
        [
            format!("{t:?}"),
            format!("{t:#?}"),
            format!("{t}"),
            format!("{t:#}"),
            format!("{t:>5}"),
            format!("{t:+}"),
            format!("{t:*<4?}"),
            format!("{t:#>3?}"),
        ]
    }

    #[test]
    fn prints_as_the_recursive_writers_did() {
        let mut random = Random(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let t = random.term(4);
            assert_eq!(printed(&t), printed(Recursive(&t)), "{t:?}");
        }
    }

    #[test]
    fn pretty_debug_goes_on_one_line_past_its_depth() {
        let t = (0..PRETTY_DEPTH + 2).fold(Term::from(1), |t, _| Term::List(vec![t]));
        let mut expected = String::new();
        for level in 0..PRETTY_DEPTH {
            expected += "[\n";
            expected += &"    ".repeat(level + 1);
        }
        expected += "[[1]]";
        for level in (0..PRETTY_DEPTH).rev() {
            expected += ",\n";
            expected += &"    ".repeat(level);
            expected += "]";
        }
        assert_eq!(format!("{t:#?}"), expected);
    }

    #[test]
    fn truncated_debug_stays_short() {
        let long = Term::list(0..1000);
        let s = debug_truncated(&long, 20);
        assert_eq!(s, "[0, 1, 2, 3, 4, 5, 6…");
        assert_eq!(debug_truncated(&Term::from("ééé"), 4), "'é…");
        assert_eq!(debug_truncated(&Term::from(1), 20), "1");
        let m = Term::Map(BTreeMap::new());
        assert_eq!(debug_truncated(&m, 2), "{}");
        let deep = (0..100_000).fold(Term::Nil, |t, _| Term::tuple([t]));
        assert_eq!(debug_truncated(&deep, 5), "(((((…");
    }
}
