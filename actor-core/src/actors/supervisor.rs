//! The seed's `Supervisor`: keeps N linked children of a registered actor
//! alive, scales them up and down, and dumps its state.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::__private::{send, Registration, SpawnOpts};
use crate::{Actor, Kind, Message, Pid, Ref, Term};

/// The seed's supervisor: keeps a desired number of linked children of
/// registered actors running. Spawnable as `"Supervisor"` or
/// `"actor::actors::Supervisor"`.
///
/// Protocol:
///
/// - `std {spawn: "Name", desired: N}` starts N children of the actor
///   registered as `Name`, linked to the supervisor. A later message for
///   the same name scales up (starts more) or down (kills the newest
///   surplus). Children that die are replaced by new ones. A call (`>>`)
///   gets `{pids: [..], desired: N}` back, or an `err` reply when the name is
///   unknown.
/// - `info {dump_state: true}` replies (same kind and ref) with
///   `{state: {processes: {"Name": {pids: [..], desired: N}}}}`, the pids as
///   `Term::Pid` in start order, as of the messages the supervisor has
///   handled so far.
/// - Killing the supervisor takes its children down (links). It traps exits:
///   a child's exit is a restart, an abnormal exit of any other linked
///   process ends the supervisor (and its children) with that reason. When
///   it stops for any reason but `kill`, it sends its children `shutdown`.
///
/// A child that dies at once on every start is restarted every time: for
/// restart limits, strategies and backoff use the OTP supervisors in
/// [`actor::supervisor`](crate::supervisor).
///
/// # Examples
///
/// ```
/// use actor::prelude::*;
///
/// let sup = actor::spawn("Supervisor").unwrap();
/// let group = msg!(std { spawn: "EchoActor", desired: 3 } >> sup).wait().unwrap();
/// assert_eq!(group.data["pids"].as_list().unwrap().len(), 3);
///
/// let dump = msg!(info { dump_state: true } >> sup).wait().unwrap();
/// let echo = &dump.data["state"]["processes"]["EchoActor"];
/// assert_eq!(echo["desired"], 3);
/// assert_eq!(echo["pids"], group.data["pids"]);
/// actor::kill(sup);
/// ```
#[derive(Debug, Default)]
pub struct Supervisor {
    groups: BTreeMap<String, Group>,
    /// Which group each running child belongs to.
    owner: HashMap<Pid, String>,
    /// Children killed when scaling down: their deaths are expected.
    retired: HashSet<Pid>,
}

#[derive(Debug, Default)]
struct Group {
    pids: Vec<Pid>,
    desired: usize,
}

impl Group {
    fn term(&self) -> Term {
        Term::from_iter([
            (
                "pids",
                Term::List(self.pids.iter().map(|&p| p.into()).collect()),
            ),
            ("desired", Term::from(self.desired)),
        ])
    }
}

impl Supervisor {
    /// The state `dump_state` replies with:
    /// `{state: {processes: {"Name": {pids: [..], desired: N}}}}`.
    ///
    /// # Examples
    ///
    /// ```
    /// let sup = actor::actors::Supervisor::default();
    /// assert!(sup.state()["state"]["processes"].as_map().unwrap().is_empty());
    /// ```
    pub fn state(&self) -> Term {
        let processes: Term = self
            .groups
            .iter()
            .map(|(name, g)| (name.as_str(), g.term()))
            .collect();
        Term::from_iter([("state", Term::from_iter([("processes", processes)]))])
    }

    /// Starts one child of `name`, linked; `Err` with the spawn error's text.
    fn spawn_one(&mut self, name: &str) -> Result<Pid, String> {
        let opts = SpawnOpts {
            link: true,
            monitor: false,
            ack: None,
        };
        let (pid, _) =
            crate::spawn::spawn_registered(name, Term::Nil, opts).map_err(|e| e.to_string())?;
        self.owner.insert(pid, name.to_owned());
        self.groups
            .entry(name.to_owned())
            .or_default()
            .pids
            .push(pid);
        Ok(pid)
    }

    /// Brings the group `name` to its desired size.
    fn scale(&mut self, name: &str) -> Result<(), String> {
        loop {
            let (have, want) = match self.groups.get(name) {
                Some(g) => (g.pids.len(), g.desired),
                None => return Ok(()),
            };
            if have < want {
                self.spawn_one(name)?;
            } else if have > want {
                let group = self.groups.get_mut(name).expect("checked above");
                let pid = group.pids.pop().expect("have > want >= 0");
                self.owner.remove(&pid);
                self.retired.insert(pid);
                crate::kill(pid);
            } else {
                return Ok(());
            }
        }
    }

    fn spawn_request(&mut self, data: &Term) -> Result<Term, String> {
        let name = data["spawn"]
            .as_str()
            .or_else(|| data["spawn"].as_atom())
            .ok_or("`spawn` must name a registered actor")?
            .to_owned();
        let desired = data["desired"]
            .as_int()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or("`desired` must be a count (an integer >= 0)")?;
        // An unknown name fails here, before the supervisor remembers it.
        if !self.groups.contains_key(&name) && desired > 0 {
            self.spawn_one(&name)?;
        }
        self.groups.entry(name.clone()).or_default().desired = desired;
        self.scale(&name)?;
        Ok(self.groups[&name].term())
    }

    fn child_died(&mut self, pid: Pid) {
        if let Some(name) = self.owner.remove(&pid) {
            if let Some(g) = self.groups.get_mut(&name) {
                g.pids.retain(|p| *p != pid);
            }
            if let Err(e) = self.scale(&name) {
                tracing::warn!("Supervisor could not restart a child of `{name}`: {e}");
            }
        }
    }
}

impl Actor for Supervisor {
    const TRAP_EXIT: bool = true;

    async fn handle(&mut self, msg: Message) {
        match msg.kind {
            Kind::Std if !msg.data["spawn"].is_nil() => {
                let res = self.spawn_request(&msg.data);
                match (res, msg.reference) {
                    (Ok(group), Some(r)) => send(msg.from, Kind::Std, group, Some(r)),
                    (Err(e), Some(r)) => send(msg.from, Kind::Err, Term::from(e), Some(r)),
                    (Err(e), None) => tracing::warn!("Supervisor: {e}"),
                    (Ok(_), None) => {}
                }
            }
            Kind::Std | Kind::Info if msg.data["dump_state"] == true => {
                send(msg.from, msg.kind, self.state(), msg.reference);
            }
            Kind::Death => {
                if self.owner.contains_key(&msg.from) {
                    self.child_died(msg.from);
                } else if self.retired.remove(&msg.from) {
                    // a child killed when scaling down
                } else if !msg.data["reason"].is_atom("normal") {
                    crate::process::current().request_exit(msg.data["reason"].clone());
                }
            }
            _ => {}
        }
    }

    async fn stop(&mut self, _reason: Term) {
        for &pid in self.owner.keys() {
            crate::exit(pid, Term::atom("shutdown"));
        }
    }
}

impl crate::IntoSpawn for Supervisor {
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), crate::SpawnError> {
        Ok(crate::__private::spawn_actor(self, opts))
    }
}

fn spawn_supervisor(_args: Term, opts: SpawnOpts) -> (Pid, Option<Ref>) {
    crate::__private::spawn_actor(Supervisor::default(), opts)
}

inventory::submit! {
    // The facade path users spawn by: `actor::actors::Supervisor`.
    Registration { name: "Supervisor", module: "actor_core::actors", spawn: spawn_supervisor }
}
