//! How this crate's messages look to Erlang code, in one place: calls as
//! `gen_server` calls (`{'$gen_call', {From, Tag}, Request}`, answered by
//! `{Tag, Reply}`), `std` sends as casts (`{'$gen_cast', Request}`), `info`
//! sends as plain messages, the other kinds wrapped as
//! `{'$actor_msg', Kind, Data}`; and incoming Erlang messages sorted back
//! into those. Pure functions on terms.

use crate::message::Kind;
use crate::pid::{Pid, Ref};
use crate::term::{Atom, Term};

/// `{'$actor_msg', Kind, Data}`: how kinds without an Erlang form travel.
const WRAP: &str = "$actor_msg";

fn atom(name: &'static str) -> Term {
    Term::Atom(Atom::from_static(name))
}

/// The request or reply itself: the data of a `std` message, or the data
/// wrapped with its kind.
fn body(kind: Kind, data: Term) -> Term {
    if kind == Kind::Std {
        data
    } else {
        Term::Tuple(vec![atom(WRAP), atom(kind.name()), data])
    }
}

/// A message that is neither a call nor a reply: a `std` message is a
/// cast, an `info` message goes as it is, others are wrapped.
pub(crate) fn send(kind: Kind, data: Term) -> Term {
    match kind {
        Kind::Std => Term::Tuple(vec![atom("$gen_cast"), data]),
        Kind::Info => data,
        kind => body(kind, data),
    }
}

/// A call from `from`, tagged with `reference`: what `gen_server:call`
/// sends.
pub(crate) fn call(from: Pid, reference: Ref, kind: Kind, data: Term) -> Term {
    Term::Tuple(vec![
        atom("$gen_call"),
        Term::Tuple(vec![Term::Pid(from), Term::Ref(reference)]),
        body(kind, data),
    ])
}

/// The reply to a call tagged `tag`: `{Tag, Reply}`, as `gen:reply/2`
/// sends it.
pub(crate) fn reply(tag: Term, kind: Kind, data: Term) -> Term {
    Term::Tuple(vec![tag, body(kind, data)])
}

/// A request or reply read back: its kind and data.
pub(crate) fn unwrap(t: Term) -> (Kind, Term) {
    if let Term::Tuple(items) = &t {
        if let [w, Term::Atom(k), _] = items.as_slice() {
            if w.is_atom(WRAP) {
                if let Some(kind) = Kind::ALL.iter().find(|x| x.name() == k.as_str()) {
                    let Ok(mut items) = t.into_tuple() else {
                        unreachable!("a tuple")
                    };
                    return (*kind, items.pop().unwrap_or_default());
                }
            }
        }
    }
    (Kind::Std, t)
}

/// What a message from another node is, to this node.
#[derive(Debug, PartialEq)]
pub(crate) enum Incoming {
    /// `{'$gen_call', {From, Tag}, Request}`: the receiver owes a reply.
    Call {
        from: Pid,
        tag: Term,
        kind: Kind,
        data: Term,
    },
    /// `{system, {From, Tag}, Request}`: a `sys` request.
    System { from: Pid, tag: Term, request: Term },
    /// `{'$gen_cast', Request}`.
    Cast { kind: Kind, data: Term },
    /// `{Ref, Reply}`: the reply to a call of this node's, if `reference`
    /// is one; otherwise just a message (`message` whole).
    Reply { reference: Ref, message: Term },
    /// `{'$actor_msg', Kind, Data}` from another Rust node.
    Wrapped { kind: Kind, data: Term },
    /// Anything else: an `info` message.
    Plain(Term),
}

/// Sorts a message from another node.
pub(crate) fn classify(msg: Term) -> Incoming {
    let Term::Tuple(items) = &msg else {
        return Incoming::Plain(msg);
    };
    match items.as_slice() {
        [label, Term::Tuple(from), _]
            if (label.is_atom("$gen_call") || label.is_atom("system"))
                && matches!(from.as_slice(), [Term::Pid(_), _]) =>
        {
            let call = label.is_atom("$gen_call");
            let Ok(mut items) = msg.into_tuple() else {
                unreachable!("a tuple")
            };
            let request = items.pop().unwrap_or_default();
            let Ok(mut from) = items.pop().unwrap_or_default().into_tuple() else {
                unreachable!("a tuple")
            };
            let tag = from.pop().unwrap_or_default();
            let Some(Term::Pid(from)) = from.pop() else {
                unreachable!("a pid")
            };
            if call {
                let (kind, data) = unwrap(request);
                Incoming::Call {
                    from,
                    tag,
                    kind,
                    data,
                }
            } else {
                Incoming::System { from, tag, request }
            }
        }
        [label, _] if label.is_atom("$gen_cast") => {
            let Ok(mut items) = msg.into_tuple() else {
                unreachable!("a tuple")
            };
            let (kind, data) = unwrap(items.pop().unwrap_or_default());
            Incoming::Cast { kind, data }
        }
        [Term::Ref(r), _] => Incoming::Reply {
            reference: *r,
            message: msg,
        },
        [w, Term::Atom(_), _] if w.is_atom(WRAP) => match unwrap(msg) {
            (Kind::Std, plain) => Incoming::Plain(plain),
            (kind, data) => Incoming::Wrapped { kind, data },
        },
        _ => Incoming::Plain(msg),
    }
}

/// The body of a `{Ref, Reply}` message: the reply's kind and data.
pub(crate) fn reply_body(message: Term) -> (Kind, Term) {
    match message.into_tuple() {
        Ok(mut items) => unwrap(items.pop().unwrap_or_default()),
        Err(t) => (Kind::Std, t),
    }
}

/// The reference a call tag carries: the tag itself, or the `Ref` of OTP
/// 24+'s `[alias | Ref]`; `None` for other tags (a `multi_call`'s
/// `{Ref, Node}`, say).
pub(crate) fn tag_ref(tag: &Term) -> Option<Ref> {
    match tag {
        Term::Ref(r) => Some(*r),
        _ => alias(tag),
    }
}

/// The alias of an `[alias | Ref]` tag: the reply goes to it (and is
/// dropped where it lands once the caller stopped waiting).
pub(crate) fn alias(tag: &Term) -> Option<Ref> {
    match tag {
        Term::ImproperList(l) => match (l.items(), l.tail()) {
            ([a], Term::Ref(r)) if a.is_atom("alias") => Some(*r),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_casts_and_replies_read_back() {
        let (p, r) = (Pid::local(9), Ref::new());
        let data = Term::tuple([Term::atom("x"), 1.into()]);
        assert_eq!(
            classify(call(p, r, Kind::Std, data.clone())),
            Incoming::Call {
                from: p,
                tag: Term::Ref(r),
                kind: Kind::Std,
                data: data.clone()
            }
        );
        assert_eq!(
            classify(call(p, r, Kind::Reload, data.clone())),
            Incoming::Call {
                from: p,
                tag: Term::Ref(r),
                kind: Kind::Reload,
                data: data.clone()
            }
        );
        assert_eq!(
            classify(send(Kind::Std, data.clone())),
            Incoming::Cast {
                kind: Kind::Std,
                data: data.clone()
            }
        );
        assert_eq!(
            classify(send(Kind::Err, data.clone())),
            Incoming::Wrapped {
                kind: Kind::Err,
                data: data.clone()
            }
        );
        assert_eq!(
            classify(send(Kind::Info, data.clone())),
            Incoming::Plain(data.clone())
        );
        let rep = reply(Term::Ref(r), Kind::Err, data.clone());
        let Incoming::Reply { reference, message } = classify(rep) else {
            panic!()
        };
        assert_eq!(reference, r);
        assert_eq!(reply_body(message), (Kind::Err, data));
    }

    #[test]
    fn tags_and_aliases() {
        let r = Ref::new();
        let alias_tag = Term::improper_list(vec![Term::atom("alias")], Term::Ref(r));
        assert_eq!(tag_ref(&alias_tag), Some(r));
        assert_eq!(alias(&alias_tag), Some(r));
        assert_eq!(tag_ref(&Term::Ref(r)), Some(r));
        assert_eq!(alias(&Term::Ref(r)), None);
        let multi = Term::tuple([Term::Ref(r), Term::atom("n@h")]);
        assert_eq!(tag_ref(&multi), None);
        let sys = Term::tuple([
            Term::atom("system"),
            Term::tuple([Term::Pid(Pid::local(3)), alias_tag.clone()]),
            Term::atom("get_state"),
        ]);
        assert_eq!(
            classify(sys),
            Incoming::System {
                from: Pid::local(3),
                tag: alias_tag,
                request: Term::atom("get_state")
            }
        );
    }
}
