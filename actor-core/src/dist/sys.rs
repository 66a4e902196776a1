//! Erlang's `sys` requests to local processes (`{system, From, Request}`,
//! what `sys:get_state/1` and `sys:get_status/1` send): an actor answers
//! with its state as its `Debug` prints it, between two messages; any other
//! process gets an answer at once. A request this node does not implement
//! gets `{error, {unknown_system_msg, Request}}`, as a `gen_server` gives.

use crate::actor::StateProbe;
use crate::info::ProcessInfo;
use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::{self, Envelope};
use crate::term::{Atom, Term};

/// Answers the `sys` request `request` that the remote `caller` sent to
/// the local `target`; the answer is a reply to `caller`'s call
/// `reference` (the connection knows its tag). A dead target gets no
/// answer: the caller's monitor tells it.
pub(crate) fn request(target: Pid, caller: Pid, reference: Ref, request: Term) {
    let Some(info) = crate::info::process_info(target) else {
        return;
    };
    let reply = move |answer: Term| {
        let msg = Message {
            kind: Kind::Std,
            data: answer,
            reference: Some(reference),
            from: target,
        };
        if let Err(e) = crate::remote::send(caller, msg) {
            tracing::debug!("dist: a sys answer to {caller:?} was not sent: {e:?}");
        }
    };
    let asks = |what: &str| request.is_atom(what);
    match (asks("get_state") || asks("get_status"), info.actor) {
        (true, Some(actor)) => {
            let status = asks("get_status");
            let probe = StateProbe::new(move |state| {
                let answer = match (status, state) {
                    (true, state) => status_of(&info, state),
                    (false, Some(state)) => Term::Str(state),
                    (false, None) => error(Term::tuple([
                        Term::atom("no_debug_state"),
                        Term::from(actor),
                    ])),
                };
                reply(answer);
            });
            let msg = Message {
                kind: Kind::Info,
                data: Term::local(probe),
                reference: None,
                from: caller,
            };
            // A dead actor drops the probe: the caller's monitor answers.
            let _ = process::deliver(target, Envelope::Msg(msg));
        }
        (true, None) if asks("get_status") => reply(status_of(&info, None)),
        (true, None) => reply(error(Term::tuple([
            Term::atom("not_an_actor"),
            Term::Pid(target),
        ]))),
        (false, _) => reply(error(Term::tuple([
            Term::atom("unknown_system_msg"),
            request,
        ]))),
    }
}

fn error(reason: Term) -> Term {
    Term::tuple([Term::atom("error"), reason])
}

/// An Erlang string: a list of character codes.
fn chars(s: &str) -> Term {
    Term::List(s.chars().map(|c| Term::Int(c as i64)).collect())
}

/// What `sys:get_status/1` gives for a `gen_server`, so that the tools
/// that read one read this:
/// `{status, Pid, {module, gen_server}, [PDict, running, Parent, [], Misc]}`.
fn status_of(info: &ProcessInfo, state: Option<String>) -> Term {
    let kind = info.actor.unwrap_or("process");
    let parent = info.parent.map_or(Term::Nil, Term::Pid);
    let pdict = Term::List(vec![Term::tuple([
        Term::atom("$initial_call"),
        Term::tuple([
            Term::Atom(Atom::from(kind)),
            Term::atom("init"),
            Term::Int(1),
        ]),
    ])]);
    let header = match &info.name {
        Some(name) => format!("Status for {kind} {name}"),
        None => format!("Status for {kind} {}", info.pid),
    };
    let misc = Term::List(vec![
        Term::tuple([Term::atom("header"), chars(&header)]),
        Term::tuple([
            Term::atom("data"),
            Term::List(vec![
                Term::tuple([chars("Status"), Term::atom("running")]),
                Term::tuple([chars("Parent"), parent.clone()]),
                Term::tuple([chars("Logged events"), Term::List(vec![])]),
            ]),
        ]),
        Term::tuple([
            Term::atom("data"),
            Term::List(vec![Term::tuple([
                chars("State"),
                state.map_or(Term::Nil, Term::Str),
            ])]),
        ]),
    ]);
    Term::tuple([
        Term::atom("status"),
        Term::Pid(info.pid),
        Term::tuple([Term::atom("module"), Term::atom("gen_server")]),
        Term::List(vec![
            pdict,
            Term::atom("running"),
            parent,
            Term::List(vec![]),
            misc,
        ]),
    ])
}
