//! The supervisor process: starts, watches, restarts and stops children,
//! and answers the API's requests.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use crate::__private::{call, send, SpawnOpts};
use crate::actor::Actor;
use crate::call::CallError;
use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::{self, Envelope, Proc};
use crate::term::Term;

use super::api::SupervisorError;
use super::event::Event;
use super::spec::{ChildSpec, Restart, Shutdown, Strategy};
use super::SupervisorSpec;

/// Child specs on their way to a supervisor's `start_child`: closures
/// cannot ride in a `Term`, so the request carries a `Ref` to one of these.
static SPECS: LazyLock<Mutex<HashMap<Ref, ChildSpec>>> = LazyLock::new(Default::default);

pub(crate) fn stash_spec(spec: ChildSpec) -> Ref {
    let r = Ref::new();
    lock_specs().insert(r, spec);
    r
}

pub(crate) fn unstash_spec(r: Ref) -> Option<ChildSpec> {
    lock_specs().remove(&r)
}

fn lock_specs() -> std::sync::MutexGuard<'static, HashMap<Ref, ChildSpec>> {
    SPECS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The key of the internal "restart now" messages a supervisor's backoff
/// timers send it.
const RESTART_TIMER: &str = "$supervisor_restart";

/// How long the starter waits for a supervisor to start its children.
const START_TIMEOUT: Duration = Duration::from_secs(365 * 86400);

fn shutdown() -> Term {
    Term::atom("shutdown")
}

fn error(reason: impl Into<Term>) -> Term {
    Term::from_iter([("error", reason.into())])
}

fn ok(value: impl Into<Term>) -> Term {
    Term::from_iter([("ok", value.into())])
}

/// Starts a supervisor process and waits until its children have started.
pub(crate) fn start(spec: SupervisorSpec, link: bool) -> Result<Pid, SupervisorError> {
    if spec.strategy == Strategy::SimpleOneForOne && spec.children.len() != 1 {
        return Err(SupervisorError::BadSpec(format!(
            "a simple_one_for_one supervisor needs exactly one child spec (its template), got {}",
            spec.children.len()
        )));
    }
    let mut ids = HashSet::new();
    if let Some(dup) = spec.children.iter().find(|c| !ids.insert(c.id.as_str())) {
        return Err(SupervisorError::BadSpec(format!(
            "two children have the id `{}`",
            dup.id
        )));
    }
    let parent = process::current_pid();
    let server = Server::new(spec, parent);
    let (pid, mref) = crate::__private::spawn_actor(
        server,
        SpawnOpts {
            link,
            monitor: true,
            ack: None,
        },
    );
    let mref = mref.expect("a monitored spawn returns its monitor");
    // The supervisor answers this once its `start` has run; if `start`
    // fails, the exit fails the call with the reason.
    let res = call(pid, Kind::Std, Term::from_iter([("op", "started")]), None)
        .timeout(START_TIMEOUT)
        .wait();
    let me = process::current();
    let reason = match res {
        Ok(_) => {
            crate::process::demonitor(mref);
            // A Down that came meanwhile would be a stray message.
            let _ = me;
            return Ok(pid);
        }
        Err(CallError::Exit(reason)) => reason,
        Err(CallError::Timeout) => return Err(SupervisorError::Timeout),
        Err(e @ (CallError::CallingSelf | CallError::Stopped(_))) => {
            return Err(SupervisorError::from(e))
        }
        Err(CallError::NoProcess) => {
            // It exited before the request arrived: the monitor has the reason.
            match crate::receive_match_timeout(
                |m| m.kind == Kind::Down && m.reference == Some(mref),
                START_TIMEOUT,
            ) {
                Some(down) => down.data["reason"].clone(),
                None => Term::atom("noproc"),
            }
        }
    };
    crate::process::demonitor(mref);
    Err(SupervisorError::StartFailed(reason))
}

/// A child the supervisor knows.
struct Child {
    /// Unique within the supervisor (pool children share their id).
    key: u64,
    spec: Arc<ChildSpec>,
    /// A pool child's start arguments.
    args: Term,
    pid: Option<Pid>,
    /// The backoff timer this child's restart waits for.
    pending: Option<u64>,
    /// When it last failed, within the intensity period: its backoff attempt.
    failures: VecDeque<Instant>,
}

impl Child {
    fn state_term(&self) -> Term {
        match (self.pid, self.pending) {
            (Some(pid), _) => Term::Pid(pid),
            (None, Some(_)) => Term::atom("restarting"),
            (None, None) => Term::atom("undefined"),
        }
    }
}

pub(crate) struct Server {
    spec: SupervisorSpec,
    parent: Pid,
    proc: Option<Arc<Proc>>,
    me: Pid,
    /// In start order.
    children: Vec<Child>,
    template: Option<Arc<ChildSpec>>,
    restarts: VecDeque<Instant>,
    next_key: u64,
    next_token: u64,
    /// Backoff timers: token -> keys of the children to start, in order.
    timers: HashMap<u64, Vec<u64>>,
}

impl Server {
    fn new(spec: SupervisorSpec, parent: Pid) -> Server {
        Server {
            spec,
            parent,
            proc: None,
            me: parent,
            children: Vec::new(),
            template: None,
            restarts: VecDeque::new(),
            next_key: 0,
            next_token: 0,
            timers: HashMap::new(),
        }
    }

    fn emit(&self, e: Event) {
        if let Some(f) = &self.spec.on_event {
            f(&e);
        }
    }

    fn proc(&self) -> &Arc<Proc> {
        self.proc
            .as_ref()
            .expect("the supervisor's process is set in start")
    }

    fn is_pool(&self) -> bool {
        self.spec.strategy == Strategy::SimpleOneForOne
    }

    fn add_child(&mut self, spec: Arc<ChildSpec>, args: Term) -> usize {
        self.next_key += 1;
        self.children.push(Child {
            key: self.next_key,
            spec,
            args,
            pid: None,
            pending: None,
            failures: VecDeque::new(),
        });
        self.children.len() - 1
    }

    fn index_of_pid(&self, pid: Pid) -> Option<usize> {
        self.children.iter().position(|c| c.pid == Some(pid))
    }

    fn index_of_id(&self, id: &str) -> Option<usize> {
        self.children.iter().position(|c| c.spec.id == id)
    }

    fn index_of_key(&self, key: u64) -> Option<usize> {
        self.children.iter().position(|c| c.key == key)
    }

    /// Starts child `idx` (linked to this process).
    fn start_child_at(&mut self, idx: usize, restart: bool) -> Result<Pid, Term> {
        let child = &mut self.children[idx];
        child.pending = None;
        let res = child.spec.start_linked(child.args.clone());
        let id = child.spec.id.clone();
        match res {
            Ok(pid) => {
                child.pid = Some(pid);
                self.emit(Event::Started {
                    supervisor: self.me,
                    id,
                    pid,
                    restart,
                });
                Ok(pid)
            }
            Err(reason) => {
                self.emit(Event::StartFailed {
                    supervisor: self.me,
                    id,
                    reason: reason.clone(),
                });
                Err(reason)
            }
        }
    }

    /// Stops the running child `idx` by its shutdown spec and waits for its
    /// exit; returns the reason it exited with.
    async fn shut_down(&mut self, idx: usize) -> Option<Term> {
        let pid = self.children[idx].pid.take()?;
        let proc = self.proc().clone();
        let died = |m: &Message| m.kind == Kind::Death && m.from == pid;
        let wait = |deadline: Option<tokio::time::Instant>| {
            let _ = &proc;
            async move {
                let timeout = deadline.map_or(START_TIMEOUT, |d| {
                    d.saturating_duration_since(tokio::time::Instant::now())
                });
                crate::recv_match_timeout(died, timeout)
                    .await
                    .map(|m| m.data["reason"].clone())
            }
        };
        let reason = match self.children[idx].spec.shutdown {
            Shutdown::BrutalKill => {
                process::kill(pid);
                wait(None).await
            }
            Shutdown::Timeout(d) => {
                process::exit(pid, shutdown());
                match wait(Some(tokio::time::Instant::now() + d)).await {
                    Some(r) => Some(r),
                    None => {
                        process::kill(pid);
                        wait(None).await
                    }
                }
            }
            Shutdown::Infinity => {
                process::exit(pid, shutdown());
                wait(None).await
            }
        }
        .unwrap_or_else(|| Term::atom("killed"));
        self.emit(Event::Terminated {
            supervisor: self.me,
            id: self.children[idx].spec.id.clone(),
            pid,
            reason: reason.clone(),
        });
        Some(reason)
    }

    /// Stops the running children among `range`, last first. Temporary ones
    /// are removed; returns the keys of the others that were running.
    async fn shut_down_range(&mut self, from: usize, except: Option<usize>) -> Vec<u64> {
        let mut stopped = Vec::new();
        for idx in (from..self.children.len()).rev() {
            if Some(idx) == except || self.children[idx].pid.is_none() {
                continue;
            }
            self.shut_down(idx).await;
            if self.children[idx].spec.restart == Restart::Temporary {
                self.children.remove(idx);
            } else {
                stopped.push(self.children[idx].key);
            }
        }
        stopped
    }

    /// Records a restart; `false` when it exceeds the intensity (and the
    /// supervisor is now exiting).
    fn add_restart(&mut self) -> bool {
        let now = Instant::now();
        self.restarts.push_back(now);
        while let Some(&t) = self.restarts.front() {
            if now.duration_since(t) > self.spec.period {
                self.restarts.pop_front();
            } else {
                break;
            }
        }
        if self.restarts.len() as u64 > u64::from(self.spec.max_restarts) {
            self.emit(Event::IntensityExceeded {
                supervisor: self.me,
                max_restarts: self.spec.max_restarts,
                period: self.spec.period,
            });
            self.proc().request_exit(shutdown());
            false
        } else {
            true
        }
    }

    /// A child exited on its own.
    async fn child_exited(&mut self, idx: usize, reason: Term) {
        let child = &mut self.children[idx];
        let Some(pid) = child.pid.take() else { return };
        let spec = child.spec.clone();
        self.emit(Event::Exited {
            supervisor: self.me,
            id: spec.id.clone(),
            pid,
            reason: reason.clone(),
        });
        if !spec.restart.restarts_after(&reason) {
            if spec.restart == Restart::Temporary || self.is_pool() {
                self.children.remove(idx);
            }
            return;
        }
        if !self.add_restart() {
            return;
        }
        let key = self.children[idx].key;
        let keys = match self.spec.strategy {
            Strategy::OneForOne | Strategy::SimpleOneForOne => vec![key],
            Strategy::OneForAll | Strategy::RestForOne => {
                let from = if self.spec.strategy == Strategy::OneForAll {
                    0
                } else {
                    idx
                };
                let stopped = self.shut_down_range(from, Some(idx)).await;
                // Temporary children are gone now; the failed child, those
                // just stopped and those already waiting for a restart
                // start again, in start order. Children stopped with
                // `terminate_child` stay stopped.
                let from = if self.spec.strategy == Strategy::OneForAll {
                    0
                } else {
                    self.index_of_key(key).unwrap_or(0)
                };
                self.children[from..]
                    .iter()
                    .filter(|c| c.key == key || c.pending.is_some() || stopped.contains(&c.key))
                    .map(|c| c.key)
                    .collect()
            }
        };
        self.restart(keys, key, true);
    }

    /// Restarts the children `keys` in order after the failure of `failed`:
    /// at once when there is no backoff delay and `now` allows, else by a
    /// message to itself, so the supervisor keeps answering meanwhile.
    fn restart(&mut self, keys: Vec<u64>, failed: u64, now: bool) {
        let Some(idx) = self.index_of_key(failed) else {
            return;
        };
        let at = Instant::now();
        let period = self.spec.period;
        let child = &mut self.children[idx];
        child.failures.push_back(at);
        while child
            .failures
            .front()
            .is_some_and(|&t| at.duration_since(t) > period)
        {
            child.failures.pop_front();
        }
        let attempt = u32::try_from(child.failures.len()).unwrap_or(u32::MAX);
        let delay = self
            .spec
            .backoff
            .map_or(Duration::ZERO, |b| b.delay(attempt));
        self.emit(Event::RestartScheduled {
            supervisor: self.me,
            id: self.children[idx].spec.id.clone(),
            attempt,
            delay,
        });
        if now && delay.is_zero() {
            if let Err(at) = self.start_keys(&keys) {
                self.start_failed(keys, at);
            }
            return;
        }
        self.next_token += 1;
        let token = self.next_token;
        for &k in &keys {
            if let Some(i) = self.index_of_key(k) {
                self.children[i].pending = Some(token);
            }
        }
        self.timers.insert(token, keys);
        let me = self.me;
        let fire = move || {
            let msg = Message {
                kind: Kind::Info,
                data: Term::from_iter([(RESTART_TIMER, Term::from(token as i64))]),
                reference: None,
                from: me,
            };
            let _ = process::deliver(me, Envelope::Msg(msg));
        };
        if delay.is_zero() {
            fire();
        } else {
            crate::runtime::runtime().spawn(async move {
                tokio::time::sleep(delay).await;
                fire();
            });
        }
    }

    /// The child at `keys[at]` failed to restart: that is another restart
    /// (as OTP counts it); try again from that child on, so the start order
    /// holds.
    fn start_failed(&mut self, keys: Vec<u64>, at: usize) {
        if self.add_restart() {
            let failed = keys[at];
            self.restart(keys[at..].to_vec(), failed, false);
        }
    }

    /// Starts the stopped children among `keys`, in order; the position of
    /// the first that fails to start.
    fn start_keys(&mut self, keys: &[u64]) -> Result<(), usize> {
        for (at, &key) in keys.iter().enumerate() {
            let Some(idx) = self.index_of_key(key) else {
                continue;
            };
            if self.children[idx].pid.is_some() {
                continue;
            }
            if self.start_child_at(idx, true).is_err() {
                return Err(at);
            }
        }
        Ok(())
    }

    /// A backoff timer fired.
    fn timer(&mut self, token: u64) {
        let Some(keys) = self.timers.remove(&token) else {
            return;
        };
        // Only the children still waiting for this timer.
        let keys: Vec<u64> = keys
            .into_iter()
            .filter(|&k| {
                self.index_of_key(k)
                    .is_some_and(|i| self.children[i].pending == Some(token))
            })
            .collect();
        if keys.is_empty() {
            return;
        }
        if let Err(at) = self.start_keys(&keys) {
            self.start_failed(keys, at);
        }
    }

    fn which_children(&self) -> Term {
        Term::List(
            self.children
                .iter()
                .map(|c| {
                    Term::from_iter([
                        ("id", Term::from(c.spec.id.as_str())),
                        ("pid", c.state_term()),
                        ("type", c.spec.child_type.atom()),
                        ("restart", c.spec.restart.atom()),
                    ])
                })
                .collect(),
        )
    }

    fn count_children(&self) -> Term {
        let mut supervisors = 0;
        let mut workers = 0;
        for c in &self.children {
            match c.spec.child_type {
                super::ChildType::Worker => workers += 1,
                super::ChildType::Supervisor => supervisors += 1,
            }
        }
        let active = self.children.iter().filter(|c| c.pid.is_some()).count();
        Term::from_iter([
            ("specs", self.children.len()),
            ("active", active),
            ("supervisors", supervisors),
            ("workers", workers),
        ])
    }

    async fn request(&mut self, data: &Term) -> Term {
        let op = data["op"].as_str().unwrap_or("");
        match op {
            "started" => Term::atom("ok"),
            "which_children" => self.which_children(),
            "count_children" => self.count_children(),
            "start_child" => self.op_start_child(data),
            "terminate_child" => self.op_terminate_child(data).await,
            "restart_child" => self.op_restart_child(data),
            "delete_child" => self.op_delete_child(data),
            "stop" => {
                self.proc().request_exit(shutdown());
                Term::atom("ok")
            }
            _ => error(Term::tuple([Term::atom("unknown_request"), data.clone()])),
        }
    }

    fn op_start_child(&mut self, data: &Term) -> Term {
        let spec = data["spec"].as_ref().and_then(unstash_spec);
        if let Some(template) = self.template.clone() {
            if spec.is_some() {
                return error("simple_one_for_one");
            }
            let idx = self.add_child(template, data["args"].clone());
            return match self.start_child_at(idx, false) {
                Ok(pid) => ok(pid),
                Err(reason) => {
                    self.children.remove(idx);
                    error(reason)
                }
            };
        }
        let Some(spec) = spec else {
            return error("not_simple_one_for_one");
        };
        if let Some(idx) = self.index_of_id(&spec.id) {
            return match self.children[idx].pid {
                Some(pid) => error(Term::tuple([Term::atom("already_started"), pid.into()])),
                None => error("already_present"),
            };
        }
        let idx = self.add_child(Arc::new(spec), Term::Nil);
        match self.start_child_at(idx, false) {
            Ok(pid) => ok(pid),
            Err(reason) => {
                self.children.remove(idx);
                error(reason)
            }
        }
    }

    async fn op_terminate_child(&mut self, data: &Term) -> Term {
        let idx = if self.is_pool() {
            data["pid"].as_pid().and_then(|p| self.index_of_pid(p))
        } else {
            data["id"].as_str().and_then(|id| self.index_of_id(id))
        };
        let Some(idx) = idx else {
            return error("not_found");
        };
        self.children[idx].pending = None;
        self.shut_down(idx).await;
        if self.is_pool() || self.children[idx].spec.restart == Restart::Temporary {
            self.children.remove(idx);
        }
        Term::atom("ok")
    }

    /// The index of the stopped child named in `data`, for restart and
    /// delete; the error reply where there is none.
    fn stopped_child(&self, data: &Term) -> Result<usize, Term> {
        if self.is_pool() {
            return Err(error("simple_one_for_one"));
        }
        let Some(idx) = data["id"].as_str().and_then(|id| self.index_of_id(id)) else {
            return Err(error("not_found"));
        };
        if self.children[idx].pid.is_some() {
            return Err(error("running"));
        }
        if self.children[idx].pending.is_some() {
            return Err(error("restarting"));
        }
        Ok(idx)
    }

    fn op_restart_child(&mut self, data: &Term) -> Term {
        let idx = match self.stopped_child(data) {
            Ok(idx) => idx,
            Err(reply) => return reply,
        };
        match self.start_child_at(idx, false) {
            Ok(pid) => ok(pid),
            Err(reason) => error(reason),
        }
    }

    fn op_delete_child(&mut self, data: &Term) -> Term {
        let idx = match self.stopped_child(data) {
            Ok(idx) => idx,
            Err(reply) => return reply,
        };
        self.children.remove(idx);
        Term::atom("ok")
    }
}

impl Actor for Server {
    const TRAP_EXIT: bool = true;

    async fn start(&mut self) -> Result<(), Term> {
        let proc = process::current();
        self.me = proc.pid;
        self.proc = Some(proc);
        if let Some(name) = self.spec.name.clone() {
            if let Err(e) = crate::registry::register(name, self.me) {
                return Err(Term::tuple([
                    Term::atom("already_started"),
                    Term::from(e.to_string()),
                ]));
            }
        }
        let specs = std::mem::take(&mut self.spec.children);
        if self.is_pool() {
            self.template = specs.into_iter().next().map(Arc::new);
            return Ok(());
        }
        for spec in specs {
            let id = spec.id.clone();
            let idx = self.add_child(Arc::new(spec), Term::Nil);
            if let Err(reason) = self.start_child_at(idx, false) {
                self.children.remove(idx);
                self.shut_down_range(0, None).await;
                return Err(Term::tuple([
                    shutdown(),
                    Term::tuple([Term::atom("failed_to_start_child"), Term::from(id), reason]),
                ]));
            }
        }
        Ok(())
    }

    async fn handle(&mut self, msg: Message) {
        match msg.kind {
            Kind::Death => {
                let reason = msg.data["reason"].clone();
                if let Some(idx) = self.index_of_pid(msg.from) {
                    self.child_exited(idx, reason).await;
                } else if msg.from == self.parent {
                    self.proc().request_exit(reason);
                }
            }
            Kind::Info if msg.from == self.me => {
                if let Some(token) = msg.data[RESTART_TIMER].as_int() {
                    self.timer(token as u64);
                }
            }
            Kind::Std if msg.reference.is_some() => {
                let reply = self.request(&msg.data).await;
                send(msg.from, Kind::Std, reply, msg.reference);
            }
            _ => {}
        }
    }

    async fn stop(&mut self, reason: Term) {
        if self.proc.is_none() {
            return;
        }
        self.timers.clear();
        for c in &mut self.children {
            c.pending = None;
        }
        self.shut_down_range(0, None).await;
        self.emit(Event::Shutdown {
            supervisor: self.me,
            reason,
        });
    }
}
