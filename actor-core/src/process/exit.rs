//! Exit signals, links and monitors.

use std::any::Any;

use super::{current, deliver, lock, lookup, Envelope, Proc};
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

/// `{panic, "message"}` for a panic payload.
pub(crate) fn panic_reason(payload: &(dyn Any + Send)) -> Term {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    };
    Term::Tuple(vec![Term::atom("panic"), Term::Str(text)])
}

/// `{reason: R}`, the data of `Death` and `Down` messages.
pub(crate) fn reason_data(reason: &Term) -> Term {
    Term::from_iter([("reason", reason.clone())])
}

/// Sends an exit signal from `from` to `target`, with Erlang's rules:
/// `kill` cannot be trapped; a trapping process gets a `Death` message; a
/// `normal` exit leaves a non-trapping process alone; any other reason ends it.
pub(crate) fn signal_exit(target: Pid, from: Pid, reason: Term) {
    if !target.is_local() {
        crate::remote::exit(target, from, reason);
        return;
    }
    let Some(proc) = lookup(target) else { return };
    deliver_exit(&proc, from, reason);
}

fn deliver_exit(proc: &std::sync::Arc<Proc>, from: Pid, reason: Term) {
    if reason == reasons::kill() {
        proc.request_exit(reasons::killed());
    } else if proc.traps_exit() {
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

/// Answers every call still queued for a process that exited.
pub(super) fn fail_pending_calls(proc: &Proc, reason: &Term) {
    let fail = |m: Message| {
        if let Some(reference) = m.reference {
            send_call_failed(m.from, reference, reason.clone());
        }
    };
    let (saved, taken) = {
        let mut local = lock(&proc.local);
        (
            std::mem::take(&mut local.saved),
            std::mem::take(&mut local.taken_calls),
        )
    };
    for (reference, caller) in taken {
        send_call_failed(caller, reference, reason.clone());
    }
    saved.into_iter().for_each(fail);
    for env in proc.rx.drain() {
        if let Envelope::Msg(m) = env {
            fail(m);
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

/// Signals the links and monitors of the process `pid`, which exited.
pub(super) fn notify(
    pid: Pid,
    links: Vec<Pid>,
    watchers: Vec<(Ref, Pid)>,
    monitoring: Vec<(Ref, Pid)>,
    reason: &Term,
) {
    for (r, target) in monitoring {
        if let Some(t) = lookup(target) {
            lock(&t.rel).watchers.retain(|(wr, _)| *wr != r);
        } else if !target.is_local() {
            crate::remote::demonitor(pid, target, r);
        }
    }
    for linked in links {
        if let Some(l) = lookup(linked) {
            lock(&l.rel).links.retain(|p| *p != pid);
            deliver_exit(&l, pid, reason.clone());
        } else if !linked.is_local() {
            crate::remote::link_exit(linked, pid, reason.clone());
        }
    }
    for (r, watcher) in watchers {
        deliver_down(watcher, pid, r, reason.clone());
    }
}

pub(crate) fn deliver_down(watcher: Pid, target: Pid, reference: Ref, reason: Term) {
    if !watcher.is_local() {
        crate::remote::down(watcher, target, reference, reason);
        return;
    }
    if let Some(w) = lookup(watcher) {
        lock(&w.rel).monitoring.retain(|(r, _)| *r != reference);
        w.push(Envelope::Msg(Message {
            kind: Kind::Down,
            data: reason_data(&reason),
            reference: Some(reference),
            from: target,
        }));
    }
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

pub(crate) fn link_procs(me: &std::sync::Arc<Proc>, pid: Pid) {
    if pid == me.pid {
        return;
    }
    {
        let mut rel = lock(&me.rel);
        if rel.links.contains(&pid) {
            return;
        }
        rel.links.push(pid);
    }
    if !pid.is_local() {
        crate::remote::link(me.pid, pid);
        return;
    }
    let linked = lookup(pid).is_some_and(|t| {
        let mut rel = lock(&t.rel);
        if rel.dead {
            false
        } else {
            if !rel.links.contains(&me.pid) {
                rel.links.push(me.pid);
            }
            true
        }
    });
    if !linked {
        lock(&me.rel).links.retain(|p| *p != pid);
        deliver_exit(me, pid, reasons::noproc());
    }
}

/// Removes the link between the calling process and `pid`, if any.
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
    lock(&me.rel).links.retain(|p| *p != pid);
    if !pid.is_local() {
        crate::remote::unlink(me.pid, pid);
    } else if let Some(t) = lookup(pid) {
        lock(&t.rel).links.retain(|p| *p != me.pid);
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
    if !pid.is_local() {
        lock(&me.rel).monitoring.push((reference, pid));
        crate::remote::monitor(me.pid, pid, reference);
        return reference;
    }
    let added = lookup(pid).is_some_and(|t| {
        let mut rel = lock(&t.rel);
        if rel.dead {
            false
        } else {
            rel.watchers.push((reference, me.pid));
            true
        }
    });
    if added {
        lock(&me.rel).monitoring.push((reference, pid));
    } else {
        me.push(Envelope::Msg(Message {
            kind: Kind::Down,
            data: reason_data(&reasons::noproc()),
            reference: Some(reference),
            from: pid,
        }));
    }
    reference
}

/// Turns a monitor off; returns whether it was still active. A `Down`
/// message that already arrived stays in the mailbox (as in Erlang).
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
    let target = {
        let mut rel = lock(&me.rel);
        let pos = rel.monitoring.iter().position(|(r, _)| *r == reference);
        pos.map(|i| rel.monitoring.swap_remove(i).1)
    };
    let Some(target) = target else { return false };
    if !target.is_local() {
        crate::remote::demonitor(me.pid, target, reference);
    } else if let Some(t) = lookup(target) {
        lock(&t.rel).watchers.retain(|(r, _)| *r != reference);
    }
    true
}

/// Sends `pid` an exit signal from the calling process: Erlang's
/// `exit(Pid, Reason)`.
///
/// With reason `kill` the target dies with `killed`, trapping or not. A
/// process that traps exits gets any other reason as a [`Kind::Death`]
/// message. Otherwise `normal` is ignored and every other reason ends the
/// target with that reason.
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
    signal_exit(pid, super::current_pid(), reason.into());
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
    current().request_exit(reason.into());
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
    signal_exit(pid, super::current_pid(), reasons::kill());
}

/// Delivers a signal that arrived from another node to a local process.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn deliver_remote_exit(target: Pid, from: Pid, reason: Term) {
    if let Some(proc) = lookup(target) {
        lock(&proc.rel).links.retain(|p| *p != from);
        deliver_exit(&proc, from, reason);
    }
}

/// A remote process linked itself to the local `local`: records the link on
/// the local side. `false` when `local` is not alive.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn add_link(local: Pid, remote: Pid) -> bool {
    lookup(local).is_some_and(|p| {
        let mut rel = lock(&p.rel);
        if rel.dead {
            return false;
        }
        if !rel.links.contains(&remote) {
            rel.links.push(remote);
        }
        true
    })
}

/// A remote process unlinked itself from the local `local`.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn remove_link(local: Pid, remote: Pid) {
    if let Some(p) = lookup(local) {
        lock(&p.rel).links.retain(|l| *l != remote);
    }
}

/// A remote `watcher` monitors the local `target` under `reference`.
/// `false` when `target` is not alive.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn add_watcher(target: Pid, watcher: Pid, reference: Ref) -> bool {
    lookup(target).is_some_and(|p| {
        let mut rel = lock(&p.rel);
        if rel.dead {
            return false;
        }
        rel.watchers.push((reference, watcher));
        true
    })
}

/// A remote watcher dropped its monitor `reference` on the local `target`.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn remove_watcher(target: Pid, reference: Ref) {
    if let Some(p) = lookup(target) {
        lock(&p.rel).watchers.retain(|(r, _)| *r != reference);
    }
}

/// Forgets the local `watcher`'s monitor `reference` (its target's node went
/// away, and the `Down` is delivered separately).
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) fn forget_monitor(watcher: Pid, reference: Ref) {
    if let Some(p) = lookup(watcher) {
        lock(&p.rel).monitoring.retain(|(r, _)| *r != reference);
    }
}
