//! What the observer shows, as JSON values: built from `process_info` and
//! what supervisors answer, with no HTTP in sight (unit-tested here).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::{Pid, ProcessInfo};

/// A process, as `/api/processes` lists it.
#[derive(Debug, Serialize)]
pub(crate) struct ProcessView {
    pid: String,
    name: Option<String>,
    actor: Option<&'static str>,
    mailbox_len: usize,
    handled: u64,
    memory: usize,
    links: Vec<String>,
    monitors: Vec<String>,
    monitored_by: Vec<String>,
    trap_exit: bool,
    parent: Option<String>,
    thread: bool,
    supervisor: bool,
}

impl ProcessView {
    pub(crate) fn new(info: &ProcessInfo, supervisor: bool) -> ProcessView {
        let pids = |v: &[Pid]| v.iter().map(Pid::to_string).collect();
        ProcessView {
            pid: info.pid.to_string(),
            name: info.name.clone(),
            actor: info.actor,
            mailbox_len: info.mailbox_len,
            handled: info.handled,
            memory: info.memory,
            links: pids(&info.links),
            monitors: pids(&info.monitors),
            monitored_by: pids(&info.monitored_by),
            trap_exit: info.trap_exit,
            parent: info.parent.map(|p| p.to_string()),
            thread: info.thread,
            supervisor,
        }
    }
}

/// Which kind of supervisor a process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// An OTP supervisor (`actor::supervisor`): `which_children`.
    Otp,
    /// The seed's `actor::actors::Supervisor`: `dump_state`.
    Seed,
}

/// The supervisor flavour of a process, if it is one.
pub(crate) fn flavor(info: &ProcessInfo) -> Option<Flavor> {
    if crate::supervisor::is_supervisor(info.pid) {
        Some(Flavor::Otp)
    } else if info.actor == Some(std::any::type_name::<crate::actors::Supervisor>()) {
        Some(Flavor::Seed)
    } else {
        None
    }
}

/// The column the process list is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SortKey {
    MailboxLen,
    Handled,
    Memory,
    Name,
    Actor,
    Pid,
}

impl SortKey {
    pub(crate) fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "mailbox_len" | "mailbox" => SortKey::MailboxLen,
            "handled" => SortKey::Handled,
            "memory" => SortKey::Memory,
            "name" => SortKey::Name,
            "actor" => SortKey::Actor,
            "pid" => SortKey::Pid,
            _ => return None,
        })
    }

    /// The order a column starts in: biggest numbers first, names A to Z.
    pub(crate) fn descending_by_default(self) -> bool {
        matches!(
            self,
            SortKey::MailboxLen | SortKey::Handled | SortKey::Memory
        )
    }
}

/// A query on the process list.
#[derive(Clone, Debug)]
pub(crate) struct Query {
    pub(crate) sort: SortKey,
    pub(crate) descending: bool,
    pub(crate) limit: Option<usize>,
    /// Kept: processes whose pid, name or actor contains it
    /// (case-insensitive).
    pub(crate) filter: Option<String>,
}

impl Default for Query {
    fn default() -> Query {
        Query {
            sort: SortKey::MailboxLen,
            descending: true,
            limit: None,
            filter: None,
        }
    }
}

/// Filters, sorts and cuts `infos` as `query` says; also returns how many
/// matched before the cut. Ties go to the busier process, then by pid, so
/// rows do not jump between refreshes.
pub(crate) fn select(mut infos: Vec<ProcessInfo>, query: &Query) -> (Vec<ProcessInfo>, usize) {
    if let Some(needle) = query.filter.as_deref().filter(|f| !f.is_empty()) {
        let needle = needle.to_lowercase();
        infos.retain(|i| {
            i.pid.to_string().contains(&needle)
                || i.name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&needle))
                || i.actor.is_some_and(|a| a.to_lowercase().contains(&needle))
        });
    }
    let matched = infos.len();
    let cmp = |a: &ProcessInfo, b: &ProcessInfo| {
        use std::cmp::Ordering;
        let direct = |o: Ordering| if query.descending { o.reverse() } else { o };
        let by_key = match query.sort {
            SortKey::MailboxLen => direct(a.mailbox_len.cmp(&b.mailbox_len)),
            SortKey::Handled => direct(a.handled.cmp(&b.handled)),
            SortKey::Memory => direct(a.memory.cmp(&b.memory)),
            // Processes without a name (or actor) last, either way round.
            SortKey::Name => text_order(a.name.as_deref(), b.name.as_deref(), direct),
            SortKey::Actor => text_order(a.actor, b.actor, direct),
            SortKey::Pid => Ordering::Equal,
        };
        // Among equals, the busier first: a table sorted by mailbox puts
        // the processes that work above the idle ones.
        let busier = match query.sort {
            SortKey::Handled => b.mailbox_len.cmp(&a.mailbox_len),
            SortKey::MailboxLen | SortKey::Memory => b.handled.cmp(&a.handled),
            _ => Ordering::Equal,
        };
        // The numeric order of the UUIDs is the order of their text.
        let by_pid = a.pid.cmp(&b.pid);
        by_key
            .then(busier)
            .then(if query.sort == SortKey::Pid && query.descending {
                by_pid.reverse()
            } else {
                by_pid
            })
    };
    match query.limit {
        Some(limit) if limit < infos.len() => {
            if limit > 0 {
                infos.select_nth_unstable_by(limit - 1, cmp);
            }
            infos.truncate(limit);
            infos.sort_by(cmp);
        }
        _ => infos.sort_by(cmp),
    }
    (infos, matched)
}

/// Text ignoring ASCII case, in the direction `direct` gives; a missing
/// text after every present one.
fn text_order(
    a: Option<&str>,
    b: Option<&str>,
    direct: impl Fn(std::cmp::Ordering) -> std::cmp::Ordering,
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn lower(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().map(|c| c.to_ascii_lowercase())
    }
    match (a, b) {
        (Some(a), Some(b)) => direct(lower(a).cmp(lower(b)).then(a.cmp(b))),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A pid as the API spells it: the UUID that `Pid`'s `Display` prints
/// (also accepted inside `Pid('…')`).
pub(crate) fn parse_pid(s: &str) -> Option<Pid> {
    let s = s.trim();
    let s = s
        .strip_prefix("Pid('")
        .and_then(|s| s.strip_suffix("')"))
        .unwrap_or(s);
    let bytes = s.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut hex = String::with_capacity(32);
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
        } else if b.is_ascii_hexdigit() {
            hex.push(b as char);
        } else {
            return None;
        }
    }
    let v = u128::from_str_radix(&hex, 16).ok()?;
    Some(Pid::from_parts((v >> 64) as u64, v as u64))
}

/// A supervisor's child, as it answered.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Child {
    pub(crate) id: String,
    pub(crate) pid: Option<Pid>,
    pub(crate) state: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) restart: Option<&'static str>,
}

/// A node of a supervision tree, as `/api/tree` gives it.
#[derive(Debug, Serialize, PartialEq)]
pub(crate) struct TreeNode {
    pub(crate) pid: Option<String>,
    /// The child's id in its supervisor; `None` for a root.
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) actor: Option<&'static str>,
    pub(crate) kind: &'static str,
    pub(crate) state: &'static str,
    pub(crate) restart: Option<&'static str>,
    pub(crate) mailbox_len: usize,
    /// Why a supervisor's children are missing (it did not answer).
    pub(crate) error: Option<String>,
    pub(crate) children: Vec<TreeNode>,
}

/// The supervision trees: every supervisor in `supervisors` that no other
/// supervisor lists as its child is a root. `answers` holds what each
/// supervisor said; one missing did not answer in time.
pub(crate) fn trees(
    supervisors: &[Pid],
    infos: &HashMap<Pid, ProcessInfo>,
    answers: &HashMap<Pid, Result<Vec<Child>, String>>,
) -> Vec<TreeNode> {
    let listed: HashSet<Pid> = answers
        .values()
        .filter_map(|a| a.as_ref().ok())
        .flatten()
        .filter_map(|c| c.pid)
        .collect();
    let unanswered: HashSet<Pid> = supervisors
        .iter()
        .copied()
        .filter(|s| !matches!(answers.get(s), Some(Ok(_))))
        .collect();
    let mut seen = HashSet::new();
    supervisors
        .iter()
        .copied()
        // A supervisor under one that did not answer would show twice
        // once it answers again: its parent tells where it belongs.
        .filter(|s| !listed.contains(s))
        .filter(|s| {
            !infos
                .get(s)
                .and_then(|i| i.parent)
                .is_some_and(|p| unanswered.contains(&p) && p != *s)
        })
        .map(|root| {
            let info = infos.get(&root);
            node(
                Some(root),
                None,
                info,
                "supervisor",
                "running",
                None,
                infos,
                answers,
                &mut seen,
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn node(
    pid: Option<Pid>,
    id: Option<String>,
    info: Option<&ProcessInfo>,
    kind: &'static str,
    state: &'static str,
    restart: Option<&'static str>,
    infos: &HashMap<Pid, ProcessInfo>,
    answers: &HashMap<Pid, Result<Vec<Child>, String>>,
    seen: &mut HashSet<Pid>,
) -> TreeNode {
    let mut n = TreeNode {
        pid: pid.map(|p| p.to_string()),
        id,
        name: info.and_then(|i| i.name.clone()),
        actor: info.and_then(|i| i.actor),
        kind,
        state,
        restart,
        mailbox_len: info.map_or(0, |i| i.mailbox_len),
        error: None,
        children: Vec::new(),
    };
    let Some(pid) = pid else { return n };
    // A pid seen twice (a child listed by two supervisors while a tree
    // restarts) is drawn once.
    if !seen.insert(pid) {
        return n;
    }
    match answers.get(&pid) {
        Some(Ok(children)) => {
            n.kind = "supervisor";
            for c in children {
                let info = c.pid.and_then(|p| infos.get(&p));
                n.children.push(node(
                    c.pid,
                    Some(c.id.clone()),
                    info,
                    c.kind,
                    c.state,
                    c.restart,
                    infos,
                    answers,
                    seen,
                ));
            }
        }
        Some(Err(e)) => n.error = Some(e.clone()),
        None if kind == "supervisor" => {
            n.error = Some("did not answer in time".to_owned());
        }
        None => {}
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(pid: Pid, mailbox_len: usize, name: Option<&str>) -> ProcessInfo {
        // `ProcessInfo` is non-exhaustive: start from a real one.
        let mut i = crate::process_info(crate::pid()).expect("the test thread is a process");
        i.pid = pid;
        i.mailbox_len = mailbox_len;
        i.handled = mailbox_len as u64 * 2;
        i.memory = 1000 + mailbox_len;
        i.name = name.map(str::to_owned);
        i.actor = None;
        i.parent = None;
        i
    }

    fn pid(n: u64) -> Pid {
        Pid::from_parts(7, n)
    }

    #[test]
    fn pids_parse_as_they_print() {
        let me = crate::pid();
        assert_eq!(parse_pid(&me.to_string()), Some(me));
        assert_eq!(parse_pid(&format!("{me:?}")), Some(me));
        assert_eq!(parse_pid(&me.to_string().to_uppercase()), Some(me));
        for bad in [
            "",
            "nope",
            "0000000-0000-4000-8000-0000000000000",
            "00000000+0000-4000-8000-000000000000",
            "0000000g-0000-4000-8000-000000000000",
            "00000000-0000-4000-8000-0000000000001",
        ] {
            assert_eq!(parse_pid(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_list_sorts_filters_and_cuts() {
        let all = vec![
            info(pid(1), 5, Some("five")),
            info(pid(2), 50_000, Some("flooded")),
            info(pid(3), 0, None),
            info(pid(4), 7, Some("Seven")),
        ];
        let (rows, matched) = select(all.clone(), &Query::default());
        assert_eq!(matched, 4);
        let lens: Vec<_> = rows.iter().map(|i| i.mailbox_len).collect();
        assert_eq!(lens, [50_000, 7, 5, 0]);

        let top = Query {
            limit: Some(2),
            ..Query::default()
        };
        let (rows, matched) = select(all.clone(), &top);
        assert_eq!(matched, 4);
        assert_eq!(
            rows.iter().map(|i| i.pid).collect::<Vec<_>>(),
            [pid(2), pid(4)]
        );

        let by_name = Query {
            sort: SortKey::Name,
            descending: false,
            ..Query::default()
        };
        let (rows, _) = select(all.clone(), &by_name);
        let names: Vec<_> = rows.iter().map(|i| i.name.as_deref()).collect();
        assert_eq!(names, [Some("five"), Some("flooded"), Some("Seven"), None]);
        let by_name_desc = Query {
            descending: true,
            ..by_name
        };
        let (rows, _) = select(all.clone(), &by_name_desc);
        let names: Vec<_> = rows.iter().map(|i| i.name.as_deref()).collect();
        assert_eq!(names, [Some("Seven"), Some("flooded"), Some("five"), None]);

        let filtered = Query {
            filter: Some("SEV".to_owned()),
            ..Query::default()
        };
        let (rows, matched) = select(all.clone(), &filtered);
        assert_eq!((matched, rows[0].pid), (1, pid(4)));

        let none = Query {
            limit: Some(0),
            ..Query::default()
        };
        assert_eq!(select(all, &none).0.len(), 0);
    }

    #[test]
    fn among_equal_mailboxes_the_busier_comes_first() {
        let mut idle = info(pid(1), 0, Some("idle"));
        idle.handled = 0;
        let mut busy = info(pid(2), 0, Some("busy"));
        busy.handled = 900;
        let (rows, _) = select(vec![idle, busy], &Query::default());
        let names: Vec<_> = rows.iter().map(|i| i.name.as_deref()).collect();
        assert_eq!(names, [Some("busy"), Some("idle")]);
    }

    #[test]
    fn ties_keep_one_order() {
        let all: Vec<_> = (0..50).map(|n| info(pid(n), 1, None)).collect();
        let mut reversed = all.clone();
        reversed.reverse();
        let q = Query {
            limit: Some(10),
            ..Query::default()
        };
        let a: Vec<_> = select(all, &q).0.iter().map(|i| i.pid).collect();
        let b: Vec<_> = select(reversed, &q).0.iter().map(|i| i.pid).collect();
        assert_eq!(a, b);
    }

    fn child(id: &str, pid: Option<Pid>, kind: &'static str) -> Child {
        Child {
            id: id.to_owned(),
            pid,
            state: if pid.is_some() { "running" } else { "stopped" },
            kind,
            restart: Some("permanent"),
        }
    }

    #[test]
    fn trees_nest_supervisors_under_the_ones_that_list_them() {
        let (root, sub, w1, w2, lone) = (pid(1), pid(2), pid(3), pid(4), pid(5));
        let infos: HashMap<_, _> = [
            (root, info(root, 0, Some("app"))),
            (sub, info(sub, 0, None)),
            (w1, info(w1, 12, Some("db"))),
            (w2, info(w2, 0, None)),
            (lone, info(lone, 0, None)),
        ]
        .into_iter()
        .collect();
        let answers: HashMap<_, _> = [
            (
                root,
                Ok(vec![
                    child("db", Some(w1), "worker"),
                    child("sub", Some(sub), "supervisor"),
                    child("gone", None, "worker"),
                ]),
            ),
            (sub, Ok(vec![child("w", Some(w2), "worker")])),
            (lone, Err("the supervisor is not running".to_owned())),
        ]
        .into_iter()
        .collect();
        let t = trees(&[sub, root, lone], &infos, &answers);
        assert_eq!(t.len(), 2, "{t:#?}");
        let app = &t[0];
        assert_eq!(app.name.as_deref(), Some("app"));
        assert_eq!(app.id, None);
        let ids: Vec<_> = app.children.iter().map(|c| c.id.as_deref()).collect();
        assert_eq!(ids, [Some("db"), Some("sub"), Some("gone")]);
        assert_eq!(app.children[0].mailbox_len, 12);
        assert_eq!(app.children[1].children[0].pid, Some(w2.to_string()));
        assert_eq!(app.children[2].state, "stopped");
        assert_eq!(t[1].error.as_deref(), Some("the supervisor is not running"));
    }

    #[test]
    fn a_supervisor_that_did_not_answer_says_so_and_keeps_its_subtree() {
        let (root, sub) = (pid(1), pid(2));
        let mut sub_info = info(sub, 0, None);
        sub_info.parent = Some(root);
        let infos: HashMap<_, _> = [(root, info(root, 0, None)), (sub, sub_info)]
            .into_iter()
            .collect();
        let answers: HashMap<_, _> = [(sub, Ok(vec![]))].into_iter().collect();
        let t = trees(&[root, sub], &infos, &answers);
        assert_eq!(t.len(), 1, "{t:#?}");
        assert_eq!(t[0].error.as_deref(), Some("did not answer in time"));
    }

    #[test]
    fn a_cycle_is_drawn_once() {
        let (a, b) = (pid(1), pid(2));
        let infos = HashMap::new();
        let answers: HashMap<_, _> = [
            (a, Ok(vec![child("b", Some(b), "supervisor")])),
            (b, Ok(vec![child("a", Some(a), "supervisor")])),
        ]
        .into_iter()
        .collect();
        // Each lists the other: neither is a root, nothing loops.
        assert!(trees(&[a, b], &infos, &answers).is_empty());
    }
}
