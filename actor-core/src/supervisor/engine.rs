//! The restart engine: a supervisor's children and what to do about them.
//!
//! A plain struct: no processes, no clock (every decision takes `now`), no
//! I/O. It keeps the children in start order with their state, counts
//! restarts against the intensity, computes backoff delays, and answers
//! "a child exited: now what?" with a decision that the server
//! (`server.rs`) carries out: which children to stop, which to start, after
//! which delay, or to give up. The server reports back what happened
//! ([`Engine::started`], [`Engine::terminated`], [`Engine::restart_failed`]).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{Pid, Term};

use super::spec::{Backoff, ChildSpec, ChildType, Restart, Strategy};
use super::types::{ChildCount, ChildInfo, ChildKey, ChildState, SupervisorError};
use super::SupervisorSpec;

/// A child's identity within its engine (pool children share their id, not
/// their key). Never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key(u64);

/// Names one scheduled restart; the children it restarts wait for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Token(u64);

/// The times of recent events, forgetting those older than a period.
#[derive(Debug)]
struct Window {
    times: VecDeque<Instant>,
}

impl Window {
    fn new() -> Window {
        Window {
            times: VecDeque::new(),
        }
    }

    /// Records an event at `now`; how many happened within `period`,
    /// this one included.
    fn record(&mut self, now: Instant, period: Duration) -> usize {
        self.times.push_back(now);
        while self
            .times
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) > period)
        {
            self.times.pop_front();
        }
        self.times.len()
    }
}

#[derive(Debug)]
struct Child {
    key: Key,
    spec: Arc<ChildSpec>,
    /// A pool child's start arguments.
    args: Term,
    pid: Option<Pid>,
    /// The restart this child waits for.
    pending: Option<Token>,
    /// Its recent failures: its backoff attempt.
    failures: Window,
}

impl Child {
    fn state(&self) -> ChildState {
        match (self.pid, self.pending) {
            (Some(pid), _) => ChildState::Running(pid),
            (None, Some(_)) => ChildState::Restarting,
            (None, None) => ChildState::Stopped,
        }
    }
}

/// What a child's exit leads to.
#[derive(Debug, PartialEq)]
pub(crate) enum Decision {
    /// Nothing more: it stays stopped (a transient child that exited
    /// cleanly) or is gone (a temporary or pool child).
    Nothing,
    /// More restarts than the intensity allows: stop every child and exit
    /// with `shutdown`.
    GiveUp,
    /// Restart: stop the children of [`Plan::stop`] in that order, report
    /// each with [`Engine::terminated`], then [`Engine::schedule`] the plan.
    Restart(Plan),
}

/// A restart of a group of children, before its siblings are stopped.
#[derive(Debug, PartialEq)]
pub(crate) struct Plan {
    failed: Key,
    /// The running siblings to stop first, last started first.
    pub(crate) stop: Vec<(Key, Pid)>,
}

/// A child's exit, as the engine took it.
#[derive(Debug, PartialEq)]
pub(crate) struct Exit {
    /// The child's id.
    pub(crate) id: String,
    /// What to do now.
    pub(crate) decision: Decision,
}

/// A restart waiting to happen: once `delay` has passed, the server starts
/// the children [`Engine::fire`] gives for `token`.
#[derive(Debug, PartialEq)]
pub(crate) struct Scheduled {
    pub(crate) token: Token,
    /// The child whose failure caused it.
    pub(crate) id: String,
    /// That child's failures within the intensity period, this one included.
    pub(crate) attempt: u32,
    pub(crate) delay: Duration,
}

/// A spec a supervisor cannot run: two children with one id, or a pool
/// without exactly one template.
pub(crate) fn validate(spec: &SupervisorSpec) -> Result<(), SupervisorError> {
    if spec.strategy == Strategy::SimpleOneForOne && spec.children.len() != 1 {
        return Err(SupervisorError::BadSpec(format!(
            "a simple_one_for_one supervisor needs exactly one child spec (its template), got {}",
            spec.children.len()
        )));
    }
    let mut ids = std::collections::HashSet::new();
    if let Some(dup) = spec.children.iter().find(|c| !ids.insert(c.id.as_str())) {
        return Err(SupervisorError::BadSpec(format!(
            "two children have the id `{}`",
            dup.id
        )));
    }
    Ok(())
}

/// A supervisor's children and restart bookkeeping.
#[derive(Debug)]
pub(crate) struct Engine {
    strategy: Strategy,
    max_restarts: u32,
    period: Duration,
    backoff: Option<Backoff>,
    /// A pool's template.
    template: Option<Arc<ChildSpec>>,
    /// In start order.
    children: Vec<Child>,
    restarts: Window,
    next_key: u64,
    next_token: u64,
}

impl Engine {
    /// An engine with no children. For a pool
    /// ([`Strategy::SimpleOneForOne`]) set the template with
    /// [`Engine::template`].
    pub(crate) fn new(
        strategy: Strategy,
        max_restarts: u32,
        period: Duration,
        backoff: Option<Backoff>,
    ) -> Engine {
        Engine {
            strategy,
            max_restarts,
            period,
            backoff,
            template: None,
            children: Vec::new(),
            restarts: Window::new(),
            next_key: 0,
            next_token: 0,
        }
    }

    /// Sets a pool's template.
    pub(crate) fn template(mut self, spec: ChildSpec) -> Engine {
        self.template = Some(Arc::new(spec));
        self
    }

    /// The intensity: at most this many restarts within this period.
    pub(crate) fn intensity(&self) -> (u32, Duration) {
        (self.max_restarts, self.period)
    }

    fn is_pool(&self) -> bool {
        self.strategy == Strategy::SimpleOneForOne
    }

    fn index(&self, key: Key) -> Option<usize> {
        self.children.iter().position(|c| c.key == key)
    }

    fn push(&mut self, spec: Arc<ChildSpec>, args: Term) -> Key {
        self.next_key += 1;
        let key = Key(self.next_key);
        self.children.push(Child {
            key,
            spec,
            args,
            pid: None,
            pending: None,
            failures: Window::new(),
        });
        key
    }

    /// Adds a child (stopped, last in start order), as
    /// [`start_child`](super::start_child) with a spec does.
    pub(crate) fn add_child(&mut self, spec: ChildSpec) -> Result<Key, SupervisorError> {
        if self.is_pool() {
            return Err(SupervisorError::WrongStrategy);
        }
        if let Some(c) = self.children.iter().find(|c| c.spec.id == spec.id) {
            return Err(match c.pid {
                Some(pid) => SupervisorError::AlreadyStarted(pid),
                None => SupervisorError::AlreadyPresent,
            });
        }
        Ok(self.push(Arc::new(spec), Term::Nil))
    }

    /// Adds a pool child with start arguments (stopped, last).
    pub(crate) fn add_pool_child(&mut self, args: Term) -> Result<Key, SupervisorError> {
        match &self.template {
            Some(template) if self.is_pool() => {
                let template = template.clone();
                Ok(self.push(template, args))
            }
            _ => Err(SupervisorError::WrongStrategy),
        }
    }

    /// Forgets a child.
    pub(crate) fn remove(&mut self, key: Key) {
        if let Some(i) = self.index(key) {
            self.children.remove(i);
        }
    }

    /// What the server starts a child from: its spec and start arguments.
    pub(crate) fn spec(&self, key: Key) -> Option<(Arc<ChildSpec>, Term)> {
        let c = &self.children[self.index(key)?];
        Some((c.spec.clone(), c.args.clone()))
    }

    /// The child's pid while it runs.
    pub(crate) fn pid(&self, key: Key) -> Option<Pid> {
        self.children[self.index(key)?].pid
    }

    /// Whether `key` is a child that is neither running nor removed.
    pub(crate) fn is_stopped(&self, key: Key) -> bool {
        self.index(key)
            .is_some_and(|i| self.children[i].pid.is_none())
    }

    /// The child started as `pid`.
    pub(crate) fn started(&mut self, key: Key, pid: Pid) {
        if let Some(i) = self.index(key) {
            let c = &mut self.children[i];
            c.pid = Some(pid);
            c.pending = None;
        }
    }

    /// The supervisor stopped the child (a group restart, a
    /// [`terminate_child`](super::terminate_child)): it no longer runs nor
    /// waits for a restart; a temporary or pool child is removed.
    pub(crate) fn terminated(&mut self, key: Key) {
        let Some(i) = self.index(key) else { return };
        let pool = self.is_pool();
        let c = &mut self.children[i];
        c.pid = None;
        c.pending = None;
        if c.spec.restart == Restart::Temporary || pool {
            self.children.remove(i);
        }
    }

    /// The child a terminate names: by id, or by pid in a pool.
    pub(crate) fn find(&self, child: &ChildKey) -> Result<Key, SupervisorError> {
        let found = match child {
            ChildKey::Id(id) if !self.is_pool() => self.children.iter().find(|c| c.spec.id == *id),
            ChildKey::Pid(pid) if self.is_pool() => {
                self.children.iter().find(|c| c.pid == Some(*pid))
            }
            _ => None,
        };
        found.map(|c| c.key).ok_or(SupervisorError::NotFound)
    }

    /// The stopped child `id`, for [`restart_child`](super::restart_child)
    /// and [`delete_child`](super::delete_child).
    pub(crate) fn stopped_child(&self, id: &str) -> Result<Key, SupervisorError> {
        if self.is_pool() {
            return Err(SupervisorError::WrongStrategy);
        }
        let c = self
            .children
            .iter()
            .find(|c| c.spec.id == id)
            .ok_or(SupervisorError::NotFound)?;
        match c.state() {
            ChildState::Running(_) => Err(SupervisorError::Running),
            ChildState::Restarting => Err(SupervisorError::Restarting),
            ChildState::Stopped => Ok(c.key),
        }
    }

    /// Records a restart at `now`; whether it stays within the intensity.
    fn add_restart(&mut self, now: Instant) -> bool {
        self.restarts.record(now, self.period) as u64 <= u64::from(self.max_restarts)
    }

    /// The child running as `pid` exited on its own with `reason`; `None`
    /// when no child runs as `pid`.
    pub(crate) fn exited(&mut self, pid: Pid, reason: &Term, now: Instant) -> Option<Exit> {
        let idx = self.children.iter().position(|c| c.pid == Some(pid))?;
        let pool = self.is_pool();
        let child = &mut self.children[idx];
        child.pid = None;
        let (key, id) = (child.key, child.spec.id.clone());
        if !child.spec.restart.restarts_after(reason) {
            if child.spec.restart == Restart::Temporary || pool {
                self.children.remove(idx);
            }
            let decision = Decision::Nothing;
            return Some(Exit { id, decision });
        }
        if !self.add_restart(now) {
            let decision = Decision::GiveUp;
            return Some(Exit { id, decision });
        }
        let stop = match self.strategy {
            Strategy::OneForOne | Strategy::SimpleOneForOne => Vec::new(),
            Strategy::OneForAll => self.running_from(0),
            Strategy::RestForOne => self.running_from(idx),
        };
        let decision = Decision::Restart(Plan { failed: key, stop });
        Some(Exit { id, decision })
    }

    /// The running children from position `from` on, last first.
    fn running_from(&self, from: usize) -> Vec<(Key, Pid)> {
        self.children[from..]
            .iter()
            .rev()
            .filter_map(|c| Some((c.key, c.pid?)))
            .collect()
    }

    /// Every running child, last started first: the shutdown order.
    pub(crate) fn shutdown_order(&self) -> Vec<(Key, Pid)> {
        self.running_from(0)
    }

    /// Schedules `plan` once its siblings are stopped: the failed child,
    /// the siblings just stopped (the temporary ones are gone) and those
    /// already waiting for a restart, in start order, restart together.
    /// Children stopped by `terminate_child` stay stopped.
    pub(crate) fn schedule(&mut self, plan: Plan, now: Instant) -> Scheduled {
        let from = match self.strategy {
            Strategy::OneForAll => 0,
            _ => self.index(plan.failed).unwrap_or(self.children.len()),
        };
        let group: Vec<Key> = match self.strategy {
            Strategy::OneForOne | Strategy::SimpleOneForOne => vec![plan.failed],
            Strategy::OneForAll | Strategy::RestForOne => self.children[from..]
                .iter()
                .filter(|c| {
                    c.key == plan.failed
                        || c.pending.is_some()
                        || plan.stop.iter().any(|&(k, _)| k == c.key)
                })
                .map(|c| c.key)
                .collect(),
        };
        self.schedule_keys(plan.failed, &group, now)
    }

    /// Marks `keys` as waiting for a new restart caused by `failed`.
    fn schedule_keys(&mut self, failed: Key, keys: &[Key], now: Instant) -> Scheduled {
        self.next_token += 1;
        let token = Token(self.next_token);
        for c in &mut self.children {
            if keys.contains(&c.key) {
                c.pending = Some(token);
            }
        }
        let period = self.period;
        let (id, attempt) = match self.index(failed) {
            Some(i) => {
                let c = &mut self.children[i];
                let n = c.failures.record(now, period);
                (c.spec.id.clone(), u32::try_from(n).unwrap_or(u32::MAX))
            }
            None => (String::new(), 1),
        };
        let delay = self.backoff.map_or(Duration::ZERO, |b| b.delay(attempt));
        Scheduled {
            token,
            id,
            attempt,
            delay,
        }
    }

    /// The restart `token` is due: the children still waiting for it, in
    /// start order, now no longer waiting. Start them in that order.
    pub(crate) fn fire(&mut self, token: Token) -> Vec<Key> {
        self.children
            .iter_mut()
            .filter(|c| c.pending == Some(token))
            .map(|c| {
                c.pending = None;
                c.key
            })
            .collect()
    }

    /// The first of `keys` (from [`Engine::fire`]) failed to start, so it
    /// and the rest of `keys` did not: that counts as another restart, and
    /// they are tried again, in order. `None` when that exceeds the
    /// intensity (give up, as [`Decision::GiveUp`]).
    pub(crate) fn restart_failed(&mut self, keys: &[Key], now: Instant) -> Option<Scheduled> {
        let &failed = keys.first()?;
        if !self.add_restart(now) {
            return None;
        }
        Some(self.schedule_keys(failed, keys, now))
    }

    /// Cancels every scheduled restart (the supervisor is stopping).
    pub(crate) fn cancel_restarts(&mut self) {
        for c in &mut self.children {
            c.pending = None;
        }
    }

    /// The children, in start order, as `which_children` reports them.
    pub(crate) fn which_children(&self) -> Vec<ChildInfo> {
        self.children
            .iter()
            .map(|c| ChildInfo {
                id: c.spec.id.clone(),
                state: c.state(),
                child_type: c.spec.child_type,
                restart: c.spec.restart,
            })
            .collect()
    }

    /// The counts `count_children` reports.
    pub(crate) fn count_children(&self) -> ChildCount {
        let supervisors = self
            .children
            .iter()
            .filter(|c| c.spec.child_type == ChildType::Supervisor)
            .count();
        ChildCount {
            specs: self.children.len(),
            active: self.children.iter().filter(|c| c.pid.is_some()).count(),
            supervisors,
            workers: self.children.len() - supervisors,
        }
    }
}

#[cfg(test)]
mod tests;
