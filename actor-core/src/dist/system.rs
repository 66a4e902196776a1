//! The registered processes other nodes expect on every node, started with
//! the node: `net_kernel` (which `net_adm:ping/1` asks whether it may
//! talk), `rex` (the `rpc` server that old-style and blocking calls go
//! to) and `global_name_server` (the `global` protocol, see `global`). Each
//! is an ordinary process written against the public API, as OTP's are
//! `gen_server`s.

use std::collections::HashMap;

use super::rpc;
use crate::message::{Kind, Message};
use crate::pid::Ref;
use crate::spawn::Inbox;
use crate::term::Term;

mod global;

/// Starts the system processes. They are spawned from a thread of their
/// own, so that no process of the program is their parent: they live as
/// long as the node.
pub(crate) fn start() {
    let started = std::thread::spawn(|| {
        start_one("net_kernel", |inbox| Box::pin(net_kernel(inbox)));
        start_one("rex", |inbox| Box::pin(rex(inbox)));
        start_one("global_name_server", |inbox| {
            Box::pin(global::server(inbox))
        });
    })
    .join();
    if started.is_err() {
        tracing::error!("dist: the system processes did not start");
    }
}

type Body = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

fn start_one(name: &'static str, body: fn(Inbox) -> Body) {
    match crate::spawn::spawn(body) {
        Ok(pid) => {
            if let Err(e) = crate::registry::register(name, pid) {
                tracing::warn!("dist: `{name}` is not this node's: {e}");
                crate::process::kill(pid);
            }
        }
        Err(e) => tracing::error!("dist: could not start `{name}`: {e}"),
    }
}

/// `net_kernel`: tells a node that pings this one that it may talk
/// (`{is_auth, Node}` is answered `yes`: the handshake checked the cookie).
async fn net_kernel(mut inbox: Inbox) {
    loop {
        let m = inbox.recv().await;
        match (&m.data, m.reference) {
            (Term::Tuple(v), Some(_)) if v.first().is_some_and(|t| t.is_atom("is_auth")) => {
                crate::call::reply(&m, Term::atom("yes"));
            }
            (request, Some(_)) => {
                tracing::debug!("dist: net_kernel was asked {request}, which it does not do");
                crate::call::reply(
                    &m,
                    Term::tuple([Term::atom("error"), Term::atom("unsupported")]),
                );
            }
            (other, None) => tracing::debug!("dist: net_kernel got {other}"),
        }
    }
}

/// `rex`, the `rpc` server: `{call, M, F, A, GroupLeader}` and
/// `{block_call, …}` calls are answered as `rpc:call/4` answers,
/// `{cast, M, F, A, GroupLeader}` casts run and answer nothing. Each
/// function runs in a process of its own; `rex` replies when it is done.
async fn rex(mut inbox: Inbox) {
    let me = crate::process::current_pid();
    let mut waiting: HashMap<Ref, Message> = HashMap::new();
    loop {
        let m = inbox.recv().await;
        if m.kind == Kind::Info {
            if let Term::Tuple(v) = &m.data {
                if let [done, Term::Ref(r), result] = v.as_slice() {
                    if done.is_atom("$rex_done") {
                        if let Some(call) = waiting.remove(r) {
                            crate::call::reply(&call, result.clone());
                        }
                        continue;
                    }
                }
            }
            tracing::debug!("dist: rex got {}", m.data);
            continue;
        }
        let Some((label, mfa)) = mfa_of(&m.data) else {
            tracing::debug!("dist: rex got {}, which it does not do", m.data);
            if m.reference.is_some() {
                let why = Term::tuple([Term::atom("unsupported"), m.data.clone()]);
                crate::call::reply(
                    &m,
                    rpc::rpc_result(Err(rpc::Raised::Error(why, Term::List(vec![])))),
                );
            }
            continue;
        };
        let call = match (label.as_str(), m.reference) {
            ("call" | "block_call", Some(r)) => Some(r),
            ("cast", None) => None,
            _ => {
                tracing::debug!("dist: rex got {}, which it does not do", m.data);
                continue;
            }
        };
        if let Some(r) = call {
            waiting.insert(r, m);
        }
        let worker = move |_inbox: Inbox| async move {
            let (module, function, args) = mfa;
            let outcome = rpc::apply(&module, &function, args);
            match call {
                Some(r) => {
                    let done = Term::tuple([
                        Term::atom("$rex_done"),
                        Term::Ref(r),
                        rpc::rpc_result(outcome),
                    ]);
                    crate::call::send(me, Kind::Info, done, None);
                }
                None => {
                    if let Err(rpc::Raised::Error(reason, _)) = outcome {
                        tracing::warn!("dist: rpc:cast of {module}:{function} raised {reason}");
                    }
                }
            }
        };
        if let Err(e) = crate::spawn::spawn(worker) {
            tracing::error!("dist: rex could not start a worker: {e}");
        }
    }
}

/// A function to run: module, function, arguments.
type Mfa = (String, String, Vec<Term>);

/// `{Label, M, F, Args, GroupLeader}`: the label and the call.
fn mfa_of(t: &Term) -> Option<(String, Mfa)> {
    let Term::Tuple(v) = t else { return None };
    let [label, m, f, args, _gl] = v.as_slice() else {
        return None;
    };
    Some((
        label.as_atom()?.to_owned(),
        (
            m.as_atom()?.to_owned(),
            f.as_atom()?.to_owned(),
            args.as_list()?.to_vec(),
        ),
    ))
}
