//! The supervisor process: a thin shell around the [`Engine`]. It does the
//! process work the engine decides on (starting children linked to itself,
//! stopping them, timers, replies) with the public API only.

use std::time::{Duration, Instant};

use actor_macros::msg;

use crate::{Actor, Kind, Message, Pid, SpawnError, Term};

use super::engine::{validate, Decision, Engine, Key, Scheduled, Token};
use super::event::Event;
use super::request::{Answer, Reply, Request, RestartDue};
use super::spec::{ChildSpec, Shutdown, Strategy};
use super::types::{NewChild, SupervisorError};
use super::{EventFn, SupervisorSpec};

fn shutdown() -> Term {
    Term::atom("shutdown")
}

/// Starts a supervisor process and waits until its children have started.
pub(crate) fn start(spec: SupervisorSpec, link: bool) -> Result<Pid, SupervisorError> {
    validate(&spec)?;
    let server = Server::new(spec, crate::pid());
    let started = if link {
        crate::start_link(server).wait()
    } else {
        crate::start(server).wait()
    };
    started.map_err(|e| match e {
        SpawnError::StartFailed(reason) => SupervisorError::StartFailed(reason),
        other => SupervisorError::StartFailed(Term::from(other.to_string())),
    })
}

pub(crate) struct Server {
    engine: Engine,
    /// The children to start in `start`, in order.
    initial: Vec<ChildSpec>,
    on_event: Option<EventFn>,
    name: Option<String>,
    /// The process that started it: its exit signal stops the supervisor.
    parent: Pid,
    me: Pid,
}

impl Server {
    fn new(spec: SupervisorSpec, parent: Pid) -> Server {
        let SupervisorSpec {
            strategy,
            max_restarts,
            period,
            backoff,
            mut children,
            on_event,
            name,
        } = spec;
        let mut engine = Engine::new(strategy, max_restarts, period, backoff);
        if strategy == Strategy::SimpleOneForOne {
            // `validate` made sure there is exactly one: the template.
            if let Some(template) = children.pop() {
                engine = engine.template(template);
            }
        }
        Server {
            engine,
            initial: children,
            on_event,
            name,
            parent,
            me: parent,
        }
    }

    fn emit(&self, e: Event) {
        if let Some(f) = &self.on_event {
            f(&e);
        }
    }

    /// Starts the child `key` (linked to this process) and waits until it
    /// has started; the reason when it fails.
    fn start_child(&mut self, key: Key, restart: bool) -> Result<Pid, Term> {
        let Some((spec, args)) = self.engine.spec(key) else {
            return Err(Term::atom("not_found"));
        };
        match spec.start_linked(args) {
            Ok(pid) => {
                self.engine.started(key, pid);
                self.emit(Event::Started {
                    supervisor: self.me,
                    id: spec.id.clone(),
                    pid,
                    restart,
                });
                Ok(pid)
            }
            Err(reason) => {
                self.emit(Event::StartFailed {
                    supervisor: self.me,
                    id: spec.id.clone(),
                    reason: reason.clone(),
                });
                Err(reason)
            }
        }
    }

    /// Stops the running child `key` by its shutdown spec and waits for
    /// its exit; then the engine knows it stopped.
    async fn stop_child(&mut self, key: Key) {
        let (Some(pid), Some((spec, _))) = (self.engine.pid(key), self.engine.spec(key)) else {
            return;
        };
        let reason = stop_process(pid, spec.shutdown).await;
        self.engine.terminated(key);
        self.emit(Event::Terminated {
            supervisor: self.me,
            id: spec.id.clone(),
            pid,
            reason,
        });
    }

    /// Stops every running child, last started first.
    async fn stop_all(&mut self) {
        for (key, _) in self.engine.shutdown_order() {
            self.stop_child(key).await;
        }
    }

    /// The restart intensity is exceeded: exit with `shutdown` (the `stop`
    /// hook stops the children).
    fn give_up(&self) {
        let (max_restarts, period) = self.engine.intensity();
        self.emit(Event::IntensityExceeded {
            supervisor: self.me,
            max_restarts,
            period,
        });
        crate::exit_self(shutdown());
    }

    /// An exit signal from `from`, trapped.
    async fn death(&mut self, from: Pid, reason: Term) {
        let Some(exit) = self.engine.exited(from, &reason, Instant::now()) else {
            if from == self.parent {
                // OTP's rule for a process started by another: its
                // parent's exit ends it too, with the same reason.
                crate::exit_self(reason);
            }
            // Other processes' exits (stale links of stopped children,
            // finished timers) are none of its business.
            return;
        };
        self.emit(Event::Exited {
            supervisor: self.me,
            id: exit.id,
            pid: from,
            reason,
        });
        match exit.decision {
            Decision::Nothing => {}
            Decision::GiveUp => self.give_up(),
            Decision::Restart(plan) => {
                for &(key, _) in &plan.stop {
                    self.stop_child(key).await;
                }
                let scheduled = self.engine.schedule(plan, Instant::now());
                let (token, delay) = (scheduled.token, scheduled.delay);
                self.announce(scheduled);
                if delay.is_zero() {
                    self.restart(token);
                } else {
                    self.set_timer(token, delay);
                }
            }
        }
    }

    fn announce(&self, s: Scheduled) {
        self.emit(Event::RestartScheduled {
            supervisor: self.me,
            id: s.id,
            attempt: s.attempt,
            delay: s.delay,
        });
    }

    /// Sends this process [`RestartDue`] after `delay`, from a small
    /// process that watches the supervisor and ends with it.
    fn set_timer(&self, token: Token, delay: Duration) {
        let me = self.me;
        let due = move || msg!(crate = crate; info(Term::local(RestartDue(token))) > me);
        if delay.is_zero() {
            // Through the mailbox all the same, so requests that came
            // meanwhile are answered first.
            due();
            return;
        }
        let timer = crate::spawn(move |mut inbox: crate::Inbox| async move {
            crate::monitor(me);
            // Any message is the supervisor's Down: it is gone.
            if inbox.recv_timeout(delay).await.is_none() {
                due();
            }
        });
        if let Err(e) = timer {
            // Spawning a closure does not fail; if it ever did, restart now
            // rather than never.
            tracing::warn!("supervisor {me:?}: no restart timer ({e}), restarting now");
            due();
        }
    }

    /// The restart `token` is due: starts its children in order. One that
    /// fails to start counts as another restart, and it and the ones after
    /// it are tried again.
    fn restart(&mut self, token: Token) {
        let keys = self.engine.fire(token);
        for (at, &key) in keys.iter().enumerate() {
            if !self.engine.is_stopped(key) {
                continue;
            }
            if self.start_child(key, true).is_err() {
                match self.engine.restart_failed(&keys[at..], Instant::now()) {
                    None => self.give_up(),
                    Some(scheduled) => {
                        let (token, delay) = (scheduled.token, scheduled.delay);
                        self.announce(scheduled);
                        self.set_timer(token, delay);
                    }
                }
                return;
            }
        }
    }

    /// Starts a new child `key` for `start_child`; forgets it if it fails.
    fn start_new(&mut self, key: Key) -> Answer {
        match self.start_child(key, false) {
            Ok(pid) => Ok(Reply::Started(pid)),
            Err(reason) => {
                self.engine.remove(key);
                Err(SupervisorError::StartFailed(reason))
            }
        }
    }

    async fn request(&mut self, request: Request) -> Answer {
        match request {
            Request::StartChild(NewChild::Spec(spec)) => {
                let key = self.engine.add_child(spec)?;
                self.start_new(key)
            }
            Request::StartChild(NewChild::Args(args)) => {
                let key = self.engine.add_pool_child(args)?;
                self.start_new(key)
            }
            Request::TerminateChild(child) => {
                let key = self.engine.find(&child)?;
                self.stop_child(key).await;
                // Not running (stopped, or waiting out a backoff): no
                // longer waiting either.
                self.engine.terminated(key);
                Ok(Reply::Done)
            }
            Request::RestartChild(id) => {
                let key = self.engine.stopped_child(&id)?;
                let pid = self
                    .start_child(key, false)
                    .map_err(SupervisorError::StartFailed)?;
                Ok(Reply::Started(pid))
            }
            Request::DeleteChild(id) => {
                let key = self.engine.stopped_child(&id)?;
                self.engine.remove(key);
                Ok(Reply::Done)
            }
            Request::WhichChildren => Ok(Reply::Children(self.engine.which_children())),
            Request::CountChildren => Ok(Reply::Count(self.engine.count_children())),
            Request::Stop => Ok(Reply::Done),
        }
    }

    /// A call: a [`Request`] gets an [`Answer`]; anything else an `err`
    /// reply naming what came.
    async fn call(&mut self, msg: Message) {
        let (from, reference) = (msg.from, msg.reference);
        let request = match msg.data.into_local() {
            Ok(value) => value.take::<Request>(),
            Err(other) => {
                let why = Term::tuple([Term::atom("unknown_request"), other]);
                msg!(crate = crate; err(why) ref reference > from);
                return;
            }
        };
        let request = match request {
            Ok(request) => request,
            Err(value) => {
                let why = Term::tuple([Term::atom("unknown_request"), Term::Local(value)]);
                msg!(crate = crate; err(why) ref reference > from);
                return;
            }
        };
        let stop = matches!(request, Request::Stop);
        let answer = self.request(request).await;
        msg!(crate = crate; std(Term::local(answer)) ref reference > from);
        if stop {
            crate::exit_self(shutdown());
        }
    }
}

/// Stops `pid` as `how` says and waits for it to exit; its exit reason.
///
/// It waits for the exit signal of the link (which carries the reason even
/// when the child died on its own just before) or, should the child have
/// unlinked itself, a monitor's `Down`, whichever comes first; the other
/// one comes later and is ignored.
async fn stop_process(pid: Pid, how: Shutdown) -> Term {
    let mref = crate::monitor(pid);
    let exited = move |m: &Message| {
        (m.kind == Kind::Death && m.from == pid)
            || (m.kind == Kind::Down && m.reference == Some(mref))
    };
    let reason = |m: Message| m.data["reason"].clone();
    let reason = match how {
        Shutdown::BrutalKill => {
            crate::kill(pid);
            reason(crate::recv_match(exited).await)
        }
        Shutdown::Timeout(timeout) => {
            crate::exit(pid, shutdown());
            match crate::recv_match_timeout(exited, timeout).await {
                Some(m) => reason(m),
                None => {
                    crate::kill(pid);
                    reason(crate::recv_match(exited).await)
                }
            }
        }
        Shutdown::Infinity => {
            crate::exit(pid, shutdown());
            reason(crate::recv_match(exited).await)
        }
    };
    crate::demonitor(mref);
    reason
}

impl Actor for Server {
    const TRAP_EXIT: bool = true;

    async fn start(&mut self) -> Result<(), Term> {
        self.me = crate::pid();
        if let Some(name) = self.name.clone() {
            if let Err(e) = crate::register(name, self.me) {
                return Err(Term::tuple([
                    Term::atom("already_started"),
                    Term::from(e.to_string()),
                ]));
            }
        }
        for spec in std::mem::take(&mut self.initial) {
            let id = spec.id.clone();
            let reason = match self.engine.add_child(spec) {
                Ok(key) => match self.start_child(key, false) {
                    Ok(_) => continue,
                    Err(reason) => {
                        self.engine.remove(key);
                        reason
                    }
                },
                // `validate` refused two children with one id: not reached.
                Err(e) => e.reason(),
            };
            // As OTP: the children started so far are stopped, last first,
            // and this one is not restarted.
            self.stop_all().await;
            return Err(Term::tuple([
                shutdown(),
                Term::tuple([Term::atom("failed_to_start_child"), Term::from(id), reason]),
            ]));
        }
        Ok(())
    }

    async fn handle(&mut self, msg: Message) {
        match msg.kind {
            Kind::Death => {
                let reason = msg.data["reason"].clone();
                self.death(msg.from, reason).await;
            }
            Kind::Info => {
                if let Some(RestartDue(token)) = msg.data.as_local::<RestartDue>() {
                    let token = *token;
                    self.restart(token);
                }
            }
            Kind::Std if msg.reference.is_some() => self.call(msg).await,
            _ => {}
        }
    }

    async fn stop(&mut self, reason: Term) {
        self.engine.cancel_restarts();
        self.stop_all().await;
        self.emit(Event::Shutdown {
            supervisor: self.me,
            reason,
        });
    }
}

impl crate::IntoSpawn for Server {
    // The one use of the runtime's internals: how an actor value is spawned
    // (what `#[actor]` generates for its types).
    fn into_spawn(
        self,
        opts: crate::__private::SpawnOpts,
    ) -> Result<(Pid, Option<crate::Ref>), SpawnError> {
        Ok(crate::__private::spawn_actor(self, opts))
    }
}
