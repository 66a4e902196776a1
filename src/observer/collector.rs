//! The observer's own process: what needs a process to be done (calls to
//! supervisors, exit signals) is done from it, never from the HTTP
//! server's tasks, which are not processes.
//!
//! The HTTP handlers hand it jobs over a tokio channel. Supervisors are
//! asked from a few short-lived helper processes per request, which the
//! observer's process kills when they overstay their time limit: a
//! supervisor's API calls wait as long as it takes, and one that is busy
//! (starting a slow child, say) must not leave helpers piling up.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::prelude::*;
use crate::supervisor::{self, ChildState, ChildType, Restart};

use super::view::{Child, Flavor};

/// How many helpers ask supervisors at once.
const HELPERS: usize = 4;

/// What a supervisor answered: its children, or why not.
pub(crate) type Answer = Result<Vec<Child>, String>;

/// A job for the observer's process.
enum Job {
    /// Run `work` in a fresh helper process; kill the helper if it still
    /// runs after `limit`.
    Helper {
        work: Box<dyn FnOnce() + Send>,
        limit: Duration,
    },
    /// Kill `pid`; answer whether it was alive.
    Kill {
        pid: Pid,
        done: oneshot::Sender<bool>,
    },
}

/// The handle to the observer's process.
#[derive(Debug)]
pub(crate) struct Collector {
    pid: Pid,
    jobs: Mutex<Option<mpsc::UnboundedSender<Job>>>,
}

/// The observer's process is gone (stopped, or killed from outside).
#[derive(Debug)]
pub(crate) struct Gone;

impl Collector {
    /// Spawns the observer's process, a child of the caller.
    pub(crate) fn start() -> Result<Collector, SpawnError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let pid = crate::spawn(move |_inbox: Inbox| run(rx))?;
        Ok(Collector {
            pid,
            jobs: Mutex::new(Some(tx)),
        })
    }

    pub(crate) fn pid(&self) -> Pid {
        self.pid
    }

    /// Ends the observer's process once the jobs it has are done.
    pub(crate) fn stop(&self) {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    fn send(&self, job: Job) -> Result<(), Gone> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        match &*jobs {
            Some(tx) => tx.send(job).map_err(|_| Gone),
            None => Err(Gone),
        }
    }

    /// Kills `pid` from the observer's process; whether it was alive.
    pub(crate) async fn kill(&self, pid: Pid) -> Result<bool, Gone> {
        let (done, answer) = oneshot::channel();
        self.send(Job::Kill { pid, done })?;
        answer.await.map_err(|_| Gone)
    }

    /// Asks each supervisor for its children, from [`HELPERS`] helper
    /// processes that share the list (so one busy supervisor holds up only
    /// its helper); what answered within `limit`.
    pub(crate) async fn children(
        &self,
        supervisors: Vec<(Pid, Flavor)>,
        limit: Duration,
    ) -> Result<HashMap<Pid, Answer>, Gone> {
        let helpers = supervisors.len().min(HELPERS);
        let queue = Arc::new(Mutex::new(VecDeque::from(supervisors)));
        let (tx, mut answers) = mpsc::unbounded_channel();
        for _ in 0..helpers {
            let (queue, tx) = (queue.clone(), tx.clone());
            let work = Box::new(move || loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some((sup, flavor)) = next else { break };
                if tx.send((sup, children_of(sup, flavor, limit))).is_err() {
                    break;
                }
            });
            self.send(Job::Helper { work, limit })?;
        }
        drop(tx);
        let deadline = Instant::now() + limit;
        let mut got = HashMap::new();
        while let Ok(Some((sup, answer))) = tokio::time::timeout_at(deadline, answers.recv()).await
        {
            got.insert(sup, answer);
        }
        Ok(got)
    }
}

/// The body of the observer's process.
async fn run(mut jobs: mpsc::UnboundedReceiver<Job>) {
    // Helpers by the time they must be gone.
    let mut helpers: BinaryHeap<Reverse<(Instant, Pid)>> = BinaryHeap::new();
    loop {
        let next = helpers.peek().map(|Reverse((at, _))| *at);
        tokio::select! {
            job = jobs.recv() => match job {
                None => break,
                Some(Job::Helper { work, limit }) => {
                    match crate::spawn(move |_inbox: Inbox| async move { work() }) {
                        Ok(helper) => helpers.push(Reverse((Instant::now() + limit, helper))),
                        // The work is dropped: its caller hears nothing and
                        // shows what it has.
                        Err(e) => tracing::warn!("observer: no helper process: {e}"),
                    }
                }
                Some(Job::Kill { pid, done }) => {
                    let alive = crate::is_alive(pid);
                    if alive {
                        crate::kill(pid);
                    }
                    let _ = done.send(alive);
                }
            },
            () = sleep_until(next), if next.is_some() => {
                if let Some(Reverse((_, helper))) = helpers.pop() {
                    if crate::is_alive(helper) {
                        crate::kill(helper);
                    }
                }
            }
        }
    }
    // Stopped: no helper outlives the observer.
    for Reverse((_, helper)) in helpers {
        if crate::is_alive(helper) {
            crate::kill(helper);
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A supervisor's children, asked from the helper process.
fn children_of(sup: Pid, flavor: Flavor, limit: Duration) -> Answer {
    match flavor {
        Flavor::Otp => supervisor::which_children(sup)
            .map(|children| {
                children
                    .into_iter()
                    .map(|c| Child {
                        pid: c.pid(),
                        state: match c.state {
                            ChildState::Running(_) => "running",
                            ChildState::Restarting => "restarting",
                            ChildState::Stopped => "stopped",
                        },
                        kind: match c.child_type {
                            ChildType::Supervisor => "supervisor",
                            ChildType::Worker => "worker",
                        },
                        restart: Some(match c.restart {
                            Restart::Permanent => "permanent",
                            Restart::Transient => "transient",
                            Restart::Temporary => "temporary",
                        }),
                        id: c.id,
                    })
                    .collect()
            })
            .map_err(|e| e.to_string()),
        Flavor::Seed => {
            let reply = msg!(info { dump_state: true } >> sup)
                .timeout(limit)
                .wait()
                .map_err(|e| e.to_string())?;
            let groups = reply.data["state"]["processes"]
                .as_map()
                .ok_or("the supervisor's state has no `processes`")?;
            let mut children = Vec::new();
            for (name, group) in groups {
                let id = name.as_str().or(name.as_atom()).unwrap_or_default();
                for pid in group["pids"].as_list().unwrap_or_default() {
                    children.push(Child {
                        id: id.to_owned(),
                        pid: pid.as_pid(),
                        state: "running",
                        kind: "worker",
                        // The seed's supervisor replaces every child that dies.
                        restart: Some("permanent"),
                    });
                }
            }
            Ok(children)
        }
    }
}
