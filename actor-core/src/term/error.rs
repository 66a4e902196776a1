//! `TermError`: why a value could not be encoded into, or decoded from, a
//! `Term`.

use std::fmt::{self, Display, Write};

use serde::de::{Expected, Unexpected};

use super::fmt::debug_truncated;
use super::{Term, MAX_DEPTH};

/// How much of an offending term an error message quotes.
const QUOTE_LIMIT: usize = 60;

/// How many steps of a long path an error message shows: the outermost
/// ones, then the innermost ones.
const PATH_HEAD: usize = 8;
const PATH_TAIL: usize = 4;

/// Why [`Term::encode`] or [`Term::decode`] failed.
///
/// The message says what was expected, what was found, and where:
/// `invalid type: expected i64, found 'hey' at field `count``. Converted
/// into a `Term` (to answer a call with an `err` reply) it is the tuple
/// `{badarg, "the message"}`.
///
/// # Examples
///
/// ```
/// use actor_core::Term;
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Order {
///     count: i64,
/// }
///
/// let data: Term = [("count", "hey")].into_iter().collect();
/// let err = data.decode::<Order>().unwrap_err();
/// assert_eq!(err.to_string(), "invalid type: expected i64, found 'hey' at field `count`");
/// assert_eq!(Term::from(err)[0], "badarg");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TermError(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    message: String,
    /// Where the error is, innermost step first (steps are added as the
    /// error travels out).
    path: Vec<Step>,
}

/// One step down into a term.
#[derive(Clone, PartialEq, Eq)]
enum Step {
    /// A struct field or a map key that is a string or an atom.
    Field(String),
    /// An element of a list or tuple.
    Index(usize),
    /// Any other map key, as it prints.
    Key(String),
}

impl TermError {
    pub(crate) fn new(message: impl Into<String>) -> TermError {
        TermError(Box::new(Inner {
            message: message.into(),
            path: Vec::new(),
        }))
    }

    /// A term of the wrong type: `invalid type: expected i64, found 'hey'`.
    pub(super) fn mismatch(found: &Term, expected: &dyn Expected) -> TermError {
        TermError::new(format!(
            "invalid type: expected {expected}, found {}",
            debug_truncated(found, QUOTE_LIMIT)
        ))
    }

    /// A term or value nested deeper than [`MAX_DEPTH`]: `what` is "term"
    /// or "value", `op` the function refusing it.
    pub(super) fn too_deep(what: &str, op: &str) -> TermError {
        TermError::new(format!(
            "the {what} nests deeper than {MAX_DEPTH} levels, the limit of `Term::{op}`"
        ))
    }

    /// The error, found under the map key `key`.
    pub(super) fn at_key(mut self, key: &Term) -> TermError {
        let step = match key {
            Term::Str(s) => Step::Field(s.clone()),
            Term::Atom(a) => Step::Field(a.as_str().to_owned()),
            other => Step::Key(debug_truncated(other, QUOTE_LIMIT)),
        };
        self.0.path.push(step);
        self
    }

    /// The error, found in the field `name` (or in enum variant `name`).
    pub(super) fn at_field(mut self, name: &str) -> TermError {
        self.0.path.push(Step::Field(name.to_owned()));
        self
    }

    /// The error, found in element `i`.
    pub(super) fn at_index(mut self, i: usize) -> TermError {
        self.0.path.push(Step::Index(i));
        self
    }

    /// The path to the offending value, such as `items[2].name`; empty when
    /// it is the whole term. A long path (a term nested too deep has one a
    /// step a level) keeps its first and last steps, with `…` between.
    fn path(&self) -> String {
        let steps = &self.0.path;
        let gap = if steps.len() > PATH_HEAD + PATH_TAIL + 1 {
            PATH_HEAD..steps.len() - PATH_TAIL
        } else {
            0..0
        };
        let mut out = String::new();
        for (i, step) in steps.iter().rev().enumerate() {
            if gap.contains(&i) {
                if i == gap.start {
                    out.push('…');
                }
                continue;
            }
            // Writing to a `String` cannot fail.
            let _ = match step {
                Step::Field(name) if i == 0 || i == gap.end => write!(out, "{name}"),
                Step::Field(name) => write!(out, ".{name}"),
                Step::Index(n) => write!(out, "[{n}]"),
                Step::Key(k) => write!(out, "[{k}]"),
            };
        }
        out
    }
}

impl Display for TermError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        match self.0.path.last() {
            None => Ok(()),
            Some(Step::Field(_)) => write!(f, " at field `{}`", self.path()),
            Some(_) => write!(f, " at `{}`", self.path()),
        }
    }
}

impl fmt::Debug for TermError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TermError({:?})", self.to_string())
    }
}

impl std::error::Error for TermError {}

impl serde::ser::Error for TermError {
    fn custom<T: Display>(msg: T) -> TermError {
        TermError::new(msg.to_string())
    }
}

impl serde::de::Error for TermError {
    fn custom<T: Display>(msg: T) -> TermError {
        TermError::new(msg.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> TermError {
        TermError::new(format!(
            "invalid type: expected {expected}, found {unexpected}"
        ))
    }
}

/// `{badarg, "the message"}`, fit for an `err` reply.
impl From<TermError> for Term {
    fn from(e: TermError) -> Term {
        Term::Tuple(vec![Term::atom("badarg"), Term::Str(e.to_string())])
    }
}

#[cfg(test)]
mod tests {
    use serde::de::Error as _;

    use super::*;

    #[test]
    fn message_names_the_path() {
        let e = TermError::new("boom");
        assert_eq!(e.to_string(), "boom");
        let e = TermError::new("boom")
            .at_field("name")
            .at_index(2)
            .at_field("items");
        assert_eq!(e.to_string(), "boom at field `items[2].name`");
        let e = TermError::new("boom").at_index(0).at_key(&Term::Int(7));
        assert_eq!(e.to_string(), "boom at `[7][0]`");
        let e = TermError::new("boom").at_key(&Term::atom("a"));
        assert_eq!(e.to_string(), "boom at field `a`");
        let deep = (0..40).fold(TermError::new("boom").at_field("x"), |e, i| e.at_index(i));
        assert_eq!(
            deep.to_string(),
            "boom at `[39][38][37][36][35][34][33][32]…[2][1][0].x`"
        );
        let fields = (0..20).fold(TermError::new("boom"), |e, _| e.at_field("k"));
        assert_eq!(
            fields.to_string(),
            "boom at field `k.k.k.k.k.k.k.k…k.k.k.k`"
        );
        let long = (0..13).fold(TermError::new("boom"), |e, i| e.at_index(i));
        assert_eq!(
            long.to_string(),
            "boom at `[12][11][10][9][8][7][6][5][4][3][2][1][0]`"
        );
        assert_eq!(format!("{e:?}"), "TermError(\"boom at field `a`\")");
    }

    #[test]
    fn mismatch_quotes_the_term_briefly() {
        let e = TermError::mismatch(&Term::from("hey"), &"i64");
        assert_eq!(e.to_string(), "invalid type: expected i64, found 'hey'");
        let e = TermError::mismatch(&Term::list(0..100), &"a string");
        assert!(e.to_string().ends_with('…'), "{e}");
        assert!(e.to_string().len() < 120, "{e}");
        let e = TermError::invalid_type(Unexpected::Bool(true), &"a map");
        assert_eq!(
            e.to_string(),
            "invalid type: expected a map, found boolean `true`"
        );
    }

    #[test]
    fn converts_to_an_error_term() {
        let t = Term::from(TermError::new("bad").at_field("x"));
        assert_eq!(
            t,
            Term::tuple([Term::atom("badarg"), Term::from("bad at field `x`")])
        );
        let e: Box<dyn std::error::Error> = Box::new(TermError::new("x"));
        assert_eq!(e.to_string(), "x");
    }
}
