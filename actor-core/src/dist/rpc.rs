//! What this node runs when another node asks it to run a function:
//! `rpc:call`, `erpc:call`, `rpc:cast` and `spawn/4` of something that is
//! not an actor. A Rust node has no Erlang modules: it answers from a table
//! of Rust functions registered by `module:function` (with a few of
//! `erlang`'s built in), and any other function is `undef`, as an Erlang
//! node answers for a module it does not have.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, LazyLock, RwLock};

use crate::pid::Pid;
use crate::term::{Atom, Term};

/// A function other nodes can call.
pub(crate) type Function = Arc<dyn Fn(Vec<Term>) -> Result<Term, Term> + Send + Sync>;

static TABLE: LazyLock<RwLock<HashMap<(String, String), Function>>> =
    LazyLock::new(Default::default);

/// Makes `module:function` callable from other nodes; replaces what was
/// there.
pub(crate) fn register(module: &str, function: &str, f: Function) {
    TABLE
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert((module.to_owned(), function.to_owned()), f);
}

/// How a call raised, in Erlang's classes.
#[derive(Debug, PartialEq)]
pub(crate) enum Raised {
    /// `error:Reason`, with its stack.
    Error(Term, Term),
}

impl Raised {
    /// `error:undef` for a function this node does not have.
    fn undef(module: &str, function: &str, args: Vec<Term>) -> Raised {
        Raised::Error(
            Term::atom("undef"),
            stack(module, function, Term::List(args)),
        )
    }
}

/// A one-frame stack: `[{M, F, ArgsOrArity, []}]`.
fn stack(module: &str, function: &str, args: Term) -> Term {
    Term::List(vec![Term::Tuple(vec![
        Term::Atom(module.into()),
        Term::Atom(function.into()),
        args,
        Term::List(vec![]),
    ])])
}

/// Runs `module:function(args...)` here.
pub(crate) fn apply(module: &str, function: &str, args: Vec<Term>) -> Result<Term, Raised> {
    if let Some(r) = builtin(module, function, &args) {
        return Ok(r);
    }
    let f = TABLE
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(module.to_owned(), function.to_owned()))
        .cloned();
    let Some(f) = f else {
        return Err(Raised::undef(module, function, args));
    };
    let arity = Term::from(args.len());
    match std::panic::catch_unwind(AssertUnwindSafe(|| f(args))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(reason)) => Err(Raised::Error(reason, stack(module, function, arity))),
        Err(payload) => Err(Raised::Error(
            crate::process::panic_reason(payload.as_ref()),
            stack(module, function, arity),
        )),
    }
}

/// The `erlang` functions tools ask every node for.
fn builtin(module: &str, function: &str, args: &[Term]) -> Option<Term> {
    if module != "erlang" {
        return None;
    }
    let pids = |v: Vec<Pid>| Term::List(v.into_iter().map(Term::Pid).collect());
    Some(match (function, args) {
        ("node", []) => Term::Atom(crate::remote::node_name().unwrap_or("nonode@nohost").into()),
        ("registered", []) => Term::List(
            crate::registry::registered()
                .into_iter()
                .map(|n| Term::Atom(n.into()))
                .collect(),
        ),
        ("processes", []) => pids(crate::info::processes()),
        ("whereis", [name]) => {
            let pid = name.as_atom().and_then(crate::registry::whereis);
            pid.map_or(Term::Nil, Term::Pid)
        }
        ("is_process_alive", [Term::Pid(p)]) => Term::Bool(crate::process::is_alive(*p)),
        _ => return None,
    })
}

/// What `rpc:call` returns for an outcome, as the `rex` server answers.
pub(crate) fn rpc_result(outcome: Result<Term, Raised>) -> Term {
    match outcome {
        Ok(v) => v,
        Err(Raised::Error(reason, stack)) => Term::Tuple(vec![
            Term::atom("badrpc"),
            Term::Tuple(vec![Term::atom("EXIT"), Term::Tuple(vec![reason, stack])]),
        ]),
    }
}

/// The exit reason of `erpc:execute_call(Ref, M, F, A)`, which the
/// caller's monitor carries back: `{Ref, return, Value}` or
/// `{Ref, error, Reason, Stack}`.
pub(crate) fn erpc_reason(reference: Term, outcome: Result<Term, Raised>) -> Term {
    match outcome {
        Ok(v) => Term::Tuple(vec![reference, Term::atom("return"), v]),
        Err(Raised::Error(reason, stack)) => {
            Term::Tuple(vec![reference, Term::atom("error"), reason, stack])
        }
    }
}

/// Runs `module:function(args...)` for a spawn request from `node`; the
/// reason its process ends with, as an Erlang process would: `normal`,
/// `{Reason, Stack}` for an error (`{undef, …}` for what this node does
/// not have), or for `erpc:execute_call` the result `erpc` waits for.
pub(crate) fn run(node: &str, module: &Atom, function: &Atom, args: Vec<Term>) -> Term {
    let (m, f) = (module.as_str(), function.as_str());
    let into_args = |t: Term| t.into_list().ok();
    match (m, f, args.len()) {
        ("erpc", "execute_call", 4) => {
            let mut args = args;
            let a = args.pop().and_then(into_args);
            let f = args.pop().and_then(|t| t.as_atom().map(str::to_owned));
            let m = args.pop().and_then(|t| t.as_atom().map(str::to_owned));
            let reference = args.pop().unwrap_or_default();
            match (m, f, a) {
                (Some(m), Some(f), Some(a)) => erpc_reason(reference, apply(&m, &f, a)),
                _ => Term::tuple([
                    reference,
                    Term::atom("error"),
                    Term::tuple([Term::atom("erpc"), Term::atom("badarg")]),
                ]),
            }
        }
        ("erpc", "execute_cast", 3) => {
            let mut args = args;
            let a = args.pop().and_then(into_args);
            let f = args.pop().and_then(|t| t.as_atom().map(str::to_owned));
            let m = args.pop().and_then(|t| t.as_atom().map(str::to_owned));
            match (m, f, a) {
                (Some(m), Some(f), Some(a)) => match apply(&m, &f, a) {
                    Ok(_) => Term::atom("normal"),
                    Err(Raised::Error(reason, stack)) => {
                        tracing::warn!(
                            "dist: {node} cast {m}:{f}, which raised {reason} ({stack})"
                        );
                        Term::tuple([Term::atom("exception"), Term::tuple([reason, stack])])
                    }
                },
                _ => Term::atom("badarg"),
            }
        }
        _ => match apply(m, f, args) {
            Ok(_) => Term::atom("normal"),
            Err(Raised::Error(reason, stack)) => {
                tracing::warn!("dist: {node} spawned {m}:{f}, which raised {reason} ({stack})");
                Term::tuple([reason, stack])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_functions_builtins_and_undef() {
        register(
            "rpc_test",
            "add",
            Arc::new(|args| match args.as_slice() {
                [a, b] => Ok(Term::Int(a.as_int().unwrap_or(0) + b.as_int().unwrap_or(0))),
                _ => Err(Term::atom("badarg")),
            }),
        );
        register("rpc_test", "boom", Arc::new(|_| panic!("boom")));
        assert_eq!(
            apply("rpc_test", "add", vec![1.into(), 2.into()]),
            Ok(Term::Int(3))
        );
        let Err(Raised::Error(reason, _)) = apply("rpc_test", "add", vec![]) else {
            panic!()
        };
        assert_eq!(reason, Term::atom("badarg"));
        let Err(Raised::Error(reason, _)) = apply("rpc_test", "boom", vec![]) else {
            panic!()
        };
        assert_eq!(reason[0], Term::atom("panic"));
        let undef = apply("nomod", "f", vec![Term::Int(1)]);
        assert_eq!(
            rpc_result(undef).to_string(),
            "{badrpc, {'EXIT', {undef, [{nomod, f, [1], []}]}}}"
        );
        let me = actor_pid();
        assert_eq!(
            apply("erlang", "is_process_alive", vec![Term::Pid(me)]),
            Ok(Term::Bool(true))
        );
        let r = Term::Ref(crate::Ref::new());
        assert_eq!(
            erpc_reason(r.clone(), Ok(Term::Int(5))),
            Term::tuple([r, Term::atom("return"), Term::Int(5)])
        );
    }

    fn actor_pid() -> Pid {
        crate::process::current_pid()
    }
}
