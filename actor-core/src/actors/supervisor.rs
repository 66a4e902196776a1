//! The seed's `Supervisor`: keeps N linked children of a registered actor
//! alive, scales them up and down, and dumps its state.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use actor_macros::msg;

use crate::__private::{Registration, SpawnOpts};
use crate::{Actor, Kind, Message, Pid, Ref, SpawnError, Term};

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

/// A message of the seed's protocol, parsed once where it comes in.
#[derive(Debug, PartialEq)]
enum Request {
    /// `std {spawn: "Name", desired: N}`: scale the group `Name` to `N`.
    Scale { name: String, desired: usize },
    /// `std` or `info {dump_state: true}`: reply with the state.
    DumpState,
}

/// Why a request failed.
#[derive(Debug)]
enum Failure {
    /// `spawn` is not a string or an atom.
    BadName,
    /// `desired` is not an integer >= 0.
    BadDesired,
    /// The actor could not be spawned.
    Spawn(SpawnError),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::BadName => f.write_str("`spawn` must name a registered actor"),
            Failure::BadDesired => f.write_str("`desired` must be a count (an integer >= 0)"),
            Failure::Spawn(e) => e.fmt(f),
        }
    }
}

impl Request {
    /// The request a message of `kind` with `data` makes: `None` when it is
    /// not one of the protocol's (it is ignored), `Err` when it is one but
    /// malformed.
    fn parse(kind: Kind, data: &Term) -> Option<Result<Request, Failure>> {
        match kind {
            Kind::Std if !data["spawn"].is_nil() => Some(Request::scale(data)),
            Kind::Std | Kind::Info if data["dump_state"] == true => Some(Ok(Request::DumpState)),
            _ => None,
        }
    }

    fn scale(data: &Term) -> Result<Request, Failure> {
        let spawn = &data["spawn"];
        let name = spawn
            .as_str()
            .or_else(|| spawn.as_atom())
            .ok_or(Failure::BadName)?;
        let desired = data["desired"]
            .as_int()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(Failure::BadDesired)?;
        Ok(Request::Scale {
            name: name.to_owned(),
            desired,
        })
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

    /// Starts one child of `name`, linked.
    fn spawn_one(&mut self, name: &str) -> Result<Pid, Failure> {
        let pid = crate::spawn_link(name).map_err(Failure::Spawn)?;
        self.owner.insert(pid, name.to_owned());
        self.groups
            .entry(name.to_owned())
            .or_default()
            .pids
            .push(pid);
        Ok(pid)
    }

    /// Brings the group `name` to its desired size.
    fn scale(&mut self, name: &str) -> Result<(), Failure> {
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

    /// Scales the group `name` to `desired`; the group as the reply gives it.
    fn scale_to(&mut self, name: &str, desired: usize) -> Result<Term, Failure> {
        // An unknown name fails here, before the supervisor remembers it.
        if !self.groups.contains_key(name) && desired > 0 {
            self.spawn_one(name)?;
        }
        self.groups.entry(name.to_owned()).or_default().desired = desired;
        self.scale(name)?;
        Ok(self.groups[name].term())
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
        if msg.kind == Kind::Death {
            if self.owner.contains_key(&msg.from) {
                self.child_died(msg.from);
            } else if self.retired.remove(&msg.from) {
                // a child killed when scaling down
            } else if !msg.data["reason"].is_atom("normal") {
                crate::exit_self(msg.data["reason"].clone());
            }
            return;
        }
        let Some(request) = Request::parse(msg.kind, &msg.data) else {
            return;
        };
        let failure = match request {
            Ok(Request::DumpState) => return crate::reply(&msg, self.state()),
            Ok(Request::Scale { name, desired }) => match self.scale_to(&name, desired) {
                Ok(group) if msg.reference.is_some() => return crate::reply(&msg, group),
                Ok(_) => return,
                Err(e) => e,
            },
            Err(e) => e,
        };
        match msg.reference {
            Some(r) => msg!(crate = crate; err(failure.to_string()) ref r > msg.from),
            None => tracing::warn!("Supervisor: {failure}"),
        }
    }

    async fn stop(&mut self, _reason: Term) {
        for &pid in self.owner.keys() {
            crate::exit(pid, Term::atom("shutdown"));
        }
    }
}

// Spawning an actor value (by `actor::spawn(Supervisor::default())` or by
// name) is the one place that uses the runtime's internals, as `#[actor]`
// expansions do.
impl crate::IntoSpawn for Supervisor {
    fn into_spawn(self, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), SpawnError> {
        Ok(crate::__private::spawn_actor(self, opts))
    }
}

fn spawn_supervisor(_args: Term, opts: SpawnOpts) -> Result<(Pid, Option<Ref>), crate::SpawnError> {
    Ok(crate::__private::spawn_actor(Supervisor::default(), opts))
}

inventory::submit! {
    // The facade path users spawn by: `actor::actors::Supervisor`.
    Registration { name: "Supervisor", module: "actor_core::actors", spawn: spawn_supervisor }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: Kind, pairs: &[(&'static str, Term)]) -> Option<Result<Request, String>> {
        let data: Term = pairs.iter().cloned().collect();
        Request::parse(kind, &data).map(|r| r.map_err(|e| e.to_string()))
    }

    #[test]
    fn requests_parse_once_at_the_boundary() {
        let scale = |name: &str, desired| {
            Some(Ok(Request::Scale {
                name: name.to_owned(),
                desired,
            }))
        };
        let spawn = |name: Term, desired: Term| [("spawn", name), ("desired", desired)];
        assert_eq!(
            parse(Kind::Std, &spawn("EchoActor".into(), 3.into())),
            scale("EchoActor", 3)
        );
        assert_eq!(
            parse(Kind::Std, &spawn(Term::atom("EchoActor"), 0.into())),
            scale("EchoActor", 0)
        );
        assert_eq!(
            parse(Kind::Std, &[("dump_state", true.into())]),
            Some(Ok(Request::DumpState))
        );
        assert_eq!(
            parse(Kind::Info, &[("dump_state", true.into())]),
            Some(Ok(Request::DumpState))
        );
    }

    #[test]
    fn malformed_requests_say_what_is_wrong() {
        let err = |r: Option<Result<Request, String>>| r.unwrap().unwrap_err();
        let no_name = err(parse(
            Kind::Std,
            &[("spawn", 3.into()), ("desired", 1.into())],
        ));
        assert!(no_name.contains("`spawn`"), "{no_name}");
        for desired in [Term::from(-1), Term::from("3"), Term::Nil] {
            let bad = err(parse(
                Kind::Std,
                &[("spawn", "A".into()), ("desired", desired)],
            ));
            assert!(bad.contains("`desired`"), "{bad}");
        }
    }

    #[test]
    fn other_messages_are_no_requests() {
        // a spawn request is a `std` message; `dump_state` must be `true`
        assert_eq!(parse(Kind::Info, &[("spawn", "A".into())]), None);
        assert_eq!(parse(Kind::Std, &[("dump_state", false.into())]), None);
        assert_eq!(parse(Kind::Err, &[("dump_state", true.into())]), None);
        assert_eq!(parse(Kind::Std, &[("hello", 1.into())]), None);
    }
}
