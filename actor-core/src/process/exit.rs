//! Exit signals, links and monitors.
//!
//! Erlang's rules, decided where the signal is received:
//!
//! - `exit(pid, kill)` cannot be trapped: the target dies with `killed`.
//!   A *link* exit whose reason happens to be `kill` is ordinary.
//! - An actor spawned linked (its parent is the spawner, or the supervisor)
//!   that traps exits stops when its parent sends it an exit signal, with
//!   that reason, running `stop`: what a gen_server does.
//! - Otherwise a trapping process gets a `Death` message; a `normal` exit
//!   leaves a non-trapping one alone; any other reason ends it.
//! - A link exit acts only if the link is still there on the receiving
//!   side (removed as it is received), and a `Down` is delivered only if
//!   the watcher still holds the monitor: after `unlink` or `demonitor`
//!   returns, neither comes any more.

use std::any::Any;
use std::sync::Arc;

use super::links::{Added, Rel};
use super::{current, current_pid, deliver, lookup, with_proc, Envelope, Proc};
use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::term::Term;

/// The exit reasons the runtime itself uses.
pub(crate) mod reasons {
    use crate::term::Term;

    pub(crate) fn normal() -> Term {
        Term::atom("normal")
    }
    pub(crate) fn killed() -> Term {
        Term::atom("killed")
    }
    pub(crate) fn kill() -> Term {
        Term::atom("kill")
    }
    pub(crate) fn noproc() -> Term {
        Term::atom("noproc")
    }
    pub(crate) fn noconnection() -> Term {
        Term::atom("noconnection")
    }
}

/// The text of a panic payload.
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// `{panic, "message"}` for a panic payload.
pub(crate) fn panic_reason(payload: &(dyn Any + Send)) -> Term {
    Term::Tuple(vec![Term::atom("panic"), Term::Str(panic_text(payload))])
}

/// `{reason: R}`, the data of `Death` and `Down` messages.
pub(crate) fn reason_data(reason: &Term) -> Term {
    Term::from_iter([("reason", reason.clone())])
}

/// Sends an exit signal from `from` to `target` (Erlang's `exit/2`).
pub(crate) fn signal_exit(target: Pid, from: Pid, reason: Term) {
    if !target.is_local() {
        crate::remote::exit(target, from, reason);
        return;
    }
    // A handle of our own, not a hold on the table's slot: a thread's
    // process ends right here, and its exit empties that slot.
    if let Some(p) = lookup(target) {
        exit_signal(&p, from, reason, false);
    }
}

/// Receives an exit signal: `link` when it comes from a link (it acts
/// only if the link is still there, and `kill` is then ordinary).
///
/// A task process acts on a link exit when it next runs, not in the
/// middle of whatever it is doing: an `unlink` it makes before then drops
/// the signal (Erlang's guarantee that once `unlink` returns the link has
/// no effect). A plain thread cannot be interrupted; it traps exits, so it
/// gets the `Death` message at once.
pub(crate) fn exit_signal(proc: &Arc<Proc>, from: Pid, reason: Term, link: bool) {
    if !link {
        let untrappable = reason == reasons::kill();
        act_on_exit(proc, from, reason, untrappable);
    } else if proc.is_thread() {
        proc.relations
            .unlink_then(from, || act_on_exit(proc, from, reason, false));
    } else if proc.relations.queue_link_exit(from, reason) && proc.signals.link_exits_queued() {
        proc.push(Envelope::Wake);
    }
}

/// Acts on the link exits queued for the (task) process: called by the
/// process itself when it runs.
pub(crate) fn act_on_link_exits(proc: &Arc<Proc>) {
    if proc.signals.take_link_exits() {
        proc.relations
            .act_on_link_exits(|from, reason| act_on_exit(proc, from, reason, false));
    }
}

fn act_on_exit(proc: &Arc<Proc>, from: Pid, reason: Term, untrappable: bool) {
    if untrappable {
        proc.request_exit(reasons::killed());
    } else if proc.signals.obeys_parent() && proc.parent() == Some(from) {
        // A gen_server's parent stops it, trapping or not.
        proc.request_exit(reason);
    } else if proc.signals.traps_exit() {
        proc.push(Envelope::Msg(Message {
            kind: Kind::Death,
            data: reason_data(&reason),
            reference: None,
            from,
        }));
    } else if reason == reasons::normal() && from != proc.pid {
        // a normal exit kills nobody
    } else {
        proc.request_exit(reason);
    }
}

/// Answers every call owed by a process that exited: those it took and
/// did not answer, and those still in its mailbox.
pub(super) fn fail_owed_calls(proc: &Proc, reason: &Term) {
    for (reference, caller) in proc.calls.drain_taken() {
        send_call_failed(caller, reference, reason.clone());
    }
    let (_held, queued) = proc.mailbox.drain();
    for env in queued {
        if let Envelope::Call(m) = env {
            if let Some(reference) = m.reference {
                send_call_failed(m.from, reference, reason.clone());
            }
        }
    }
}

/// Tells the caller `to` that its call `reference` will get no reply.
pub(crate) fn send_call_failed(to: Pid, reference: Ref, reason: Term) {
    if to.is_local() {
        let _ = deliver(to, Envelope::CallFailed { reference, reason });
    } else {
        crate::remote::call_failed(to, reference, reason);
    }
}

/// Signals the links and monitors of the process `pid`, which exited, and
/// cancels its timers.
pub(super) fn notify(pid: Pid, rel: Rel, reason: &Term) {
    for (id, other) in rel.timers {
        if crate::timer::cancel(id) && other != Pid::NOBODY {
            with_proc(other, |o| o.relations.remove_timer(id));
        }
    }
    for (r, target) in rel.monitoring {
        if target.is_local() {
            with_proc(target, |t| t.relations.remove_watcher(r));
        } else {
            crate::remote::demonitor(pid, target, r);
        }
    }
    for linked in rel.links {
        if linked.is_local() {
            if let Some(l) = lookup(linked) {
                exit_signal(&l, pid, reason.clone(), true);
            }
        } else {
            crate::remote::link_exit(linked, pid, reason.clone());
        }
    }
    for (r, watcher) in rel.watchers {
        deliver_down(watcher, pid, r, reason.clone());
    }
}

/// A `Down` for the monitor `reference` that `watcher` holds on `target`.
pub(crate) fn deliver_down(watcher: Pid, target: Pid, reference: Ref, reason: Term) {
    if !watcher.is_local() {
        crate::remote::down(watcher, target, reference, reason);
        return;
    }
    with_proc(watcher, |w| {
        w.relations.demonitor_then(reference, || {
            w.push(down(target, reference, &reason));
        })
    });
}

fn down(target: Pid, reference: Ref, reason: &Term) -> Envelope {
    Envelope::Msg(Message {
        kind: Kind::Down,
        data: reason_data(reason),
        reference: Some(reference),
        from: target,
    })
}

/// Links the calling process and `pid`: when either exits abnormally, the
/// other gets the exit signal.
///
/// Links are symmetric and at most one exists between two processes. Linking
/// to a process that does not exist sends the caller an exit signal with
/// reason `noproc` (a `Death` message when it traps exits).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let worker = actor::spawn(|mut inbox: actor::Inbox| async move {
///     inbox.recv().await;
///     panic!("boom");
/// }).unwrap();
/// actor::link(worker);
/// msg!(info > worker);
/// // threads trap exits: the link brings a Death message, not death
/// let m = actor::receive_timeout(std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!(m.kind, Kind::Death);
/// assert_eq!(m.from, worker);
/// ```
pub fn link(pid: Pid) {
    let me = current();
    link_procs(&me, pid);
}

pub(crate) fn link_procs(me: &Arc<Proc>, pid: Pid) {
    if pid == me.pid || me.relations.add_link(pid) != Added::New {
        return;
    }
    if !pid.is_local() {
        if !crate::remote::link(me.pid, pid) {
            // No connection to that node: the link breaks at once.
            exit_signal(me, pid, reasons::noconnection(), true);
        }
        return;
    }
    let linked = with_proc(pid, |t| t.relations.add_link(me.pid) != Added::Closed);
    if linked != Some(true) {
        exit_signal(me, pid, reasons::noproc(), true);
    }
}

/// Removes the link between the calling process and `pid`, if any. Once
/// it returns, an exit of `pid` no longer affects the caller; a `Death`
/// message that arrived before stays in the mailbox (as in Erlang).
///
/// # Examples
///
/// ```
/// let worker = actor::spawn("EchoActor").unwrap();
/// actor::link(worker);
/// actor::unlink(worker);
/// actor::kill(worker);
/// // no link, no Death message
/// assert!(actor::receive_timeout(std::time::Duration::from_millis(100)).is_none());
/// ```
pub fn unlink(pid: Pid) {
    let me = current();
    me.relations.remove_link(pid);
    if !pid.is_local() {
        crate::remote::unlink(me.pid, pid);
    } else {
        with_proc(pid, |t| t.relations.remove_link(me.pid));
    }
}

/// Monitors `pid`: one [`Kind::Down`] message arrives when it exits, with
/// `from` = `pid`, `reference` = the returned `Ref` and `data` =
/// `{reason: …}`. A process that is already gone gives `Down` at once with
/// reason `noproc`.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let worker = actor::spawn("EchoActor").unwrap();
/// let r = actor::monitor(worker);
/// actor::exit(worker, "bye");
/// let down = actor::receive_timeout(std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!(down.kind, Kind::Down);
/// assert_eq!(down.reference, Some(r));
/// assert_eq!(down.data["reason"], "bye");
/// ```
pub fn monitor(pid: Pid) -> Ref {
    let me = current();
    monitor_from(&me, pid)
}

pub(crate) fn monitor_from(me: &Proc, pid: Pid) -> Ref {
    let reference = Ref::new();
    me.relations.add_monitoring(reference, pid);
    if !pid.is_local() {
        if !crate::remote::monitor(me.pid, pid, reference)
            && me.relations.remove_monitoring(reference).is_some()
        {
            me.push(down(pid, reference, &reasons::noconnection()));
        }
        return reference;
    }
    let added = with_proc(pid, |t| t.relations.add_watcher(reference, me.pid));
    if added != Some(Added::New) && me.relations.remove_monitoring(reference).is_some() {
        me.push(down(pid, reference, &reasons::noproc()));
    }
    reference
}

/// Turns a monitor off; returns whether it was still active. Once it
/// returns, no `Down` for `reference` is received: one that already
/// arrived is taken out of the mailbox (Erlang's `demonitor(Ref, [flush])`).
///
/// # Examples
///
/// ```
/// let worker = actor::spawn("EchoActor").unwrap();
/// let r = actor::monitor(worker);
/// assert!(actor::demonitor(r));
/// actor::kill(worker);
/// assert!(actor::receive_timeout(std::time::Duration::from_millis(100)).is_none());
/// ```
pub fn demonitor(reference: Ref) -> bool {
    let me = current();
    match me.relations.remove_monitoring(reference) {
        Some(target) => {
            if !target.is_local() {
                crate::remote::demonitor(me.pid, target, reference);
            } else {
                with_proc(target, |t| t.relations.remove_watcher(reference));
            }
            true
        }
        None => {
            // It fired: its Down may be in the mailbox already.
            me.flush(|m| m.kind == Kind::Down && m.reference == Some(reference));
            false
        }
    }
}

/// Sends `pid` an exit signal from the calling process: Erlang's
/// `exit(Pid, Reason)`.
///
/// With reason `kill` the target dies with `killed`, trapping or not. An
/// actor that traps exits and was spawned linked by the caller stops with
/// the reason (its parent told it to, as a gen_server's parent does). A
/// process that traps exits gets any other reason as a [`Kind::Death`]
/// message. Otherwise `normal` is ignored and every other reason ends the
/// target with that reason.
///
/// A string naming one of those special reasons is that atom:
/// `exit(pid, "normal")`, `"kill"` and `"shutdown"` mean `normal`, `kill`
/// and `shutdown`. Any other string is a string reason (Erlang's
/// `exit(Pid, "text")`).
///
/// # Examples
///
/// ```
/// let worker = actor::spawn("EchoActor").unwrap();
/// let r = actor::monitor(worker);
/// actor::exit(worker, actor::Term::atom("shutdown"));
/// let down = actor::receive_timeout(std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!(down.data["reason"], "shutdown");
/// ```
pub fn exit(pid: Pid, reason: impl Into<Term>) {
    signal_exit(pid, current_pid(), special_atom(reason.into()));
}

/// A string that names one of Erlang's special reasons, as the atom: what
/// `exit(pid, "normal")` means to anyone who writes it. Other strings stay
/// strings.
fn special_atom(reason: Term) -> Term {
    let special = match &reason {
        Term::Str(s) => ["normal", "kill", "shutdown"]
            .into_iter()
            .find(|&name| name == s.as_str()),
        _ => None,
    };
    special.map_or(reason, Term::atom)
}

/// Ends the calling process with `reason`: Erlang's `exit(Reason)`, a
/// gen_server returning `{stop, Reason, State}`.
///
/// Unlike [`exit`] to one's own pid, this does not depend on trapping: the
/// process ends either way. An actor finishes the handler that called it
/// (an `async` handler stops at its next `.await`), runs its `stop` hook
/// with `reason` and exits; a raw-function process ends at its next
/// `.await`. A plain thread's process ends at once (its links and monitors
/// fire) and the thread carries on as a fresh process if it uses actors
/// again.
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
/// use std::time::Duration;
///
/// #[derive(Default)]
/// struct Quitter;
///
/// #[actor]
/// impl Quitter {
///     fn std(&mut self, data: Term) {
///         actor::exit_self(data);
///     }
/// }
///
/// let (pid, r) = actor::spawn_monitor(Quitter).unwrap();
/// msg!(std("done") > pid);
/// let down = actor::receive_timeout(Duration::from_secs(5)).unwrap();
/// assert_eq!((down.reference, down.data["reason"].clone()), (Some(r), Term::from("done")));
/// ```
pub fn exit_self(reason: impl Into<Term>) {
    current().request_exit(special_atom(reason.into()));
}

/// Kills `pid`: it dies with reason `killed`, even if it traps exits.
/// Erlang's `exit(Pid, kill)`; the seed's `kill_msg() > pid`.
///
/// # Examples
///
/// ```
/// let worker = actor::spawn("EchoActor").unwrap();
/// let r = actor::monitor(worker);
/// actor::kill(worker);
/// let down = actor::receive_timeout(std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!(down.data["reason"], "killed");
/// ```
pub fn kill(pid: Pid) {
    signal_exit(pid, current_pid(), reasons::kill());
}

/// A link exit that arrived from another node for a local process.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn deliver_remote_exit(target: Pid, from: Pid, reason: Term) {
    if let Some(p) = lookup(target) {
        exit_signal(&p, from, reason, true);
    }
}

/// A remote process linked itself to the local `local`: records the link
/// on the local side. `false` when `local` is not alive.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn add_link(local: Pid, remote: Pid) -> bool {
    with_proc(local, |p| p.relations.add_link(remote) != Added::Closed).unwrap_or(false)
}

/// A remote process unlinked itself from the local `local`.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn remove_link(local: Pid, remote: Pid) {
    with_proc(local, |p| p.relations.remove_link(remote));
}

/// A remote `watcher` monitors the local `target` under `reference`.
/// `false` when `target` is not alive.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn add_watcher(target: Pid, watcher: Pid, reference: Ref) -> bool {
    with_proc(target, |p| {
        p.relations.add_watcher(reference, watcher) == Added::New
    })
    .unwrap_or(false)
}

/// A remote watcher dropped its monitor `reference` on the local `target`.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn remove_watcher(target: Pid, reference: Ref) {
    with_proc(target, |p| p.relations.remove_watcher(reference));
}

/// Forgets the local `watcher`'s monitor `reference`.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn forget_monitor(watcher: Pid, reference: Ref) {
    with_proc(watcher, |p| p.relations.remove_monitoring(reference));
}
