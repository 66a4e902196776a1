//! `ImproperList`: a list whose last tail is not `[]`, as `[1, 2 | 3]`.

use super::Term;

/// A list whose tail is not a list: Erlang's `[1, 2 | tail]`, as OTP's
/// `[alias | Ref]` call tags are.
///
/// It always has at least one element, and its tail is never a list
/// ([`Term::improper_list`] folds those into the elements). It compares
/// with lists as Erlang does, cell by cell: `[1 | 2] < [1, 2]`, since the
/// tail `2` is a number and `[2]` a list.
///
/// # Examples
///
/// ```
/// use actor::Term;
///
/// let t = Term::improper_list(vec![Term::atom("alias")], Term::Int(7));
/// let Term::ImproperList(l) = &t else { panic!() };
/// assert_eq!((l.items(), l.tail()), (&[Term::atom("alias")][..], &Term::Int(7)));
/// assert_eq!(t.to_string(), "[alias | 7]");
/// assert!(t < Term::list([Term::atom("alias"), Term::Int(7)]));
/// ```
#[derive(Debug)]
pub struct ImproperList {
    pub(super) items: Vec<Term>,
    pub(super) tail: Term,
}

impl ImproperList {
    /// The elements before the tail (at least one).
    pub fn items(&self) -> &[Term] {
        &self.items
    }

    /// The tail: any term but a list.
    pub fn tail(&self) -> &Term {
        &self.tail
    }

    /// The elements and the tail, taken out.
    pub fn into_parts(self) -> (Vec<Term>, Term) {
        (self.items, self.tail)
    }
}

impl Term {
    /// `[items… | tail]`. A list tail is joined to the items (the result is
    /// a `List` when it is proper), and no items give the tail itself, so
    /// the result is always in the one form Erlang has for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::Term;
    ///
    /// assert_eq!(Term::improper_list(vec![1.into()], Term::list([2])), Term::list([1, 2]));
    /// assert_eq!(Term::improper_list(vec![], Term::Int(3)), Term::Int(3));
    /// let nested = Term::improper_list(vec![1.into()], Term::improper_list(vec![2.into()], 3.into()));
    /// assert_eq!(nested.to_string(), "[1, 2 | 3]");
    /// ```
    pub fn improper_list(mut items: Vec<Term>, tail: Term) -> Term {
        let tail = match tail {
            Term::List(_) => {
                let Ok(rest) = tail.into_list() else {
                    unreachable!("a list")
                };
                items.extend(rest);
                return Term::List(items);
            }
            Term::ImproperList(_) => {
                let Ok(l) = tail.into_improper_list() else {
                    unreachable!("an improper list")
                };
                let (rest, tail) = l.into_parts();
                items.extend(rest);
                tail
            }
            other => other,
        };
        if items.is_empty() {
            return tail;
        }
        Term::ImproperList(Box::new(ImproperList { items, tail }))
    }

    /// The improper list, taken out of the term; the term back when it is
    /// not one. (See [`Term::into_list`] for why.)
    pub fn into_improper_list(mut self) -> Result<ImproperList, Term> {
        match &mut self {
            Term::ImproperList(l) => Ok(ImproperList {
                items: std::mem::take(&mut l.items),
                tail: std::mem::take(&mut l.tail),
            }),
            _ => Err(self),
        }
    }
}
