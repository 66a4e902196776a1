//! `global_name_server`: this node's part in the `global` protocol (OTP's
//! `global.erl`, version 8), which every visible Erlang node runs with
//! every visible node it meets. Without it a visible Rust node leaves
//! `global:sync()` waiting on every Erlang node, and the nodes it links
//! never mesh.
//!
//! When a visible node comes up, the two servers exchange `init_connect`
//! (with a tag for this sync session and the pid of their locker), the
//! Erlang side's locker locks both partitions and sends `lock_set`, the
//! two exchange their global names (`exchange`), each answers with the
//! names the other lacks (`resolved`) and the nodes it knows, and both
//! then connect to the nodes they learnt of and tell them `in_sync`
//! (`new_nodes` tells the nodes already known about the newcomers). This
//! server keeps the global names and locks that pass through it so it can
//! hand them on, and answers the `set_lock`, `del_lock`, `register` and
//! `unregister` calls `global:register_name/2` and `global:trans/2` make
//! on every node.
//!
//! It also keeps partitions from overlapping as OTP 25 does by default:
//! told that a node of its partition lost another (`lost_connection`), it
//! leaves the lost one, and it leaves a node that asks it to
//! (`remove_connection`).
//!
//! Limits: this node never starts a lock of its own, and when a node joins
//! through it, it does not lock the nodes it already knows (an Erlang
//! node joining them locks them itself). A name clash it must resolve is
//! resolved as the default `global:random_exit_name/3` does (the process on
//! the greater node is killed), whatever resolver was registered.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::call::{send, Target};
use crate::dist::connect;
use crate::dist::ids;
use crate::message::{Kind, Message};
use crate::pid::{Pid, Ref};
use crate::process::{self, Envelope};
use crate::spawn::Inbox;
use crate::term::{Atom, Term};

/// The protocol version this server speaks.
const VSN: i64 = 8;
/// The registered name of the server, here and on every node.
const NAME: &str = "global_name_server";
/// How long a node this server learnt of may take to connect.
const CONNECT_WAIT: Duration = Duration::from_secs(7);

fn atom(name: &'static str) -> Term {
    Term::atom(name)
}

fn node_term(node: &str) -> Term {
    Term::Atom(Atom::from(node))
}

/// The other side of a sync session, from its `init_connect`.
struct His {
    vsn: i64,
    tag: Term,
}

/// A sync session with one node, from its `nodeup` to `resolved`.
struct Session {
    my_tag: Term,
    his: Option<His>,
    /// Our operations, from its names (`exchange`), until its `resolved`.
    ops: Option<Vec<Term>>,
    /// Its `resolved`, if it came before its `exchange` was done here.
    resolved: Option<(Vec<Term>, Vec<Term>, Term)>,
}

struct Global {
    me: Pid,
    node: String,
    /// Nodes in this partition, with their protocol versions.
    known: BTreeMap<String, i64>,
    sessions: HashMap<String, Session>,
    /// `init_connect`s that came before their `nodeup`.
    pre_connect: HashMap<String, Term>,
    /// Global names: name -> (pid, resolve method).
    names: BTreeMap<Term, (Pid, Term)>,
    /// Monitors on the pids named and the lock holders.
    watched: HashMap<Ref, Pid>,
    /// Locks: resource -> (requester, holders).
    locks: HashMap<Term, (Term, Vec<Pid>)>,
    /// The `lost_connection` reports acted on: (reporter, lost node) ->
    /// (the reporter's creation, its operation id).
    lost: HashMap<(String, String), (Term, i64)>,
    next_tag: i64,
}

/// The server's life.
pub(super) async fn server(mut inbox: Inbox) {
    let Some(inner) = connect::node() else {
        return;
    };
    let me = process::current_pid();
    inner.monitor_nodes(me, true);
    let mut g = Global {
        me,
        node: inner.name.to_string(),
        known: BTreeMap::new(),
        sessions: HashMap::new(),
        pre_connect: HashMap::new(),
        names: BTreeMap::new(),
        watched: HashMap::new(),
        locks: HashMap::new(),
        lost: HashMap::new(),
        next_tag: 1,
    };
    // The nodes already up when the server started.
    for node in inner.nodes() {
        g.nodeup(&node);
    }
    loop {
        let m = inbox.recv().await;
        g.handle(m);
    }
}

/// The fields of a tuple message, after its label.
fn fields<'a>(t: &'a Term, label: &str) -> Option<&'a [Term]> {
    match t {
        Term::Tuple(v) if v.first().is_some_and(|l| l.is_atom(label)) => Some(&v[1..]),
        _ => None,
    }
}

fn label(t: &Term) -> Option<&str> {
    match t {
        Term::Tuple(v) => v.first().and_then(Term::as_atom),
        _ => None,
    }
}

fn node_of(pid: Pid) -> Option<String> {
    ids::pid_node(pid).map(|n| n.name.to_string())
}

fn list(t: &Term) -> Vec<Term> {
    t.as_list().map(<[Term]>::to_vec).unwrap_or_default()
}

/// Node names from a known list: `[Node]` or `[{Node, Vsn}]`.
fn known_nodes(t: &[Term]) -> Vec<(String, i64)> {
    t.iter()
        .filter_map(|n| match n {
            Term::Tuple(v) if v.len() == 2 => {
                Some((v[0].as_atom()?.to_owned(), v[1].as_int().unwrap_or(0)))
            }
            n => Some((n.as_atom()?.to_owned(), 0)),
        })
        .collect()
}

impl Global {
    fn handle(&mut self, m: Message) {
        match (m.kind, m.reference) {
            (Kind::Std, Some(_)) => self.call(m),
            (Kind::Std, None) => self.cast(&m.data),
            (Kind::Down, Some(r)) => self.down(r),
            _ => self.info(&m.data),
        }
    }

    // ---- sending ----------------------------------------------------------

    /// `gen_server:cast({global_name_server, Node}, Msg)`.
    fn cast_to(&self, node: &str, msg: Term) {
        send(
            Target::Remote(NAME.into(), node.into()),
            Kind::Std,
            msg,
            None,
        );
    }

    /// `{global_name_server, Node} ! Msg`.
    fn send_to(&self, node: &str, msg: Term) {
        send(
            Target::Remote(NAME.into(), node.into()),
            Kind::Info,
            msg,
            None,
        );
    }

    /// What this node knows, as a node of version `vsn` reads it.
    fn known_list(&self, vsn: i64) -> Term {
        Term::List(
            self.known
                .iter()
                .map(|(n, v)| {
                    if vsn >= 7 {
                        Term::tuple([node_term(n), Term::Int(*v)])
                    } else {
                        node_term(n)
                    }
                })
                .collect(),
        )
    }

    fn name_list(&self) -> Term {
        Term::List(
            self.names
                .iter()
                .map(|(name, (pid, method))| {
                    Term::tuple([name.clone(), Term::Pid(*pid), method.clone()])
                })
                .collect(),
        )
    }

    // ---- nodes ------------------------------------------------------------

    fn nodeup(&mut self, node: &str) {
        let Some(inner) = connect::node() else { return };
        if inner.hidden || !inner.is_visible_peer(node) || self.known.contains_key(node) {
            return;
        }
        if self.sessions.contains_key(node) {
            return;
        }
        self.start_session(node);
    }

    /// Introduces this node to `node` for a new sync session.
    fn start_session(&mut self, node: &str) {
        let tag = Term::Int(self.next_tag);
        self.next_tag += 1;
        let init = Term::tuple([
            atom("init_connect"),
            Term::tuple([Term::Int(VSN), tag.clone()]),
            node_term(&self.node),
            Term::tuple([
                atom("locker"),
                atom("no_longer_a_pid"),
                Term::map(),
                Term::Pid(self.me),
            ]),
        ]);
        self.cast_to(node, init);
        self.sessions.insert(
            node.to_owned(),
            Session {
                my_tag: tag,
                his: None,
                ops: None,
                resolved: None,
            },
        );
        if let Some(early) = self.pre_connect.remove(node) {
            self.cast(&early);
        }
    }

    fn nodedown(&mut self, node: &str) {
        self.known.remove(node);
        self.sessions.remove(node);
        self.pre_connect.remove(node);
        let on = |p: &Pid| node_of(*p).as_deref() == Some(node);
        self.names.retain(|_, (pid, _)| !on(pid));
        for (_, holders) in self.locks.values_mut() {
            holders.retain(|p| !on(p));
        }
        self.locks.retain(|_, (_, holders)| !holders.is_empty());
    }

    /// Makes sure this node is connected to `node`, then tells it that the
    /// two are in sync (OTP's `sync_other/2`).
    fn sync_other(&self, node: &str) {
        let Some(inner) = connect::node() else { return };
        if node == self.node {
            return;
        }
        let (node, me) = (node.to_owned(), self.me);
        tokio::spawn(async move {
            let Some(conn) = inner.conn_for(&node) else {
                return;
            };
            let mut status = conn.watch();
            let up = tokio::time::timeout(CONNECT_WAIT, async {
                loop {
                    match &*status.borrow_and_update() {
                        crate::dist::conn::Status::Up => return true,
                        crate::dist::conn::Status::Down(_) => return false,
                        crate::dist::conn::Status::Connecting => {}
                    }
                    if status.changed().await.is_err() {
                        return false;
                    }
                }
            })
            .await;
            if up == Ok(true) {
                let msg = Message {
                    kind: Kind::Info,
                    data: Term::tuple([atom("$connected"), node_term(&node)]),
                    reference: None,
                    from: me,
                };
                let _ = process::deliver(me, Envelope::Msg(msg));
            } else {
                tracing::warn!("dist: global could not connect to {node}");
            }
        });
    }

    // ---- messages ---------------------------------------------------------

    fn info(&mut self, t: &Term) {
        match label(t) {
            Some("nodeup") => {
                if let Some(node) = t[1].as_atom() {
                    self.nodeup(node);
                }
            }
            Some("nodedown") => {
                if let Some(node) = t[1].as_atom() {
                    self.nodedown(node);
                }
            }
            Some("$connected") => {
                if let Some(node) = t[1].as_atom() {
                    let msg =
                        Term::tuple([atom("in_sync"), node_term(&self.node), Term::Bool(true)]);
                    self.cast_to(node, msg);
                }
            }
            Some("init_connect_ack") => {
                // {init_connect_ack, Node, MyTag, HisTag}, as it saw them
                let Some(node) = t[1].as_atom().map(str::to_owned) else {
                    return;
                };
                let Some(s) = self.sessions.get(&node) else {
                    return;
                };
                let his_tag = s.his.as_ref().map(|h| &h.tag);
                if s.my_tag != t[2] || his_tag != Some(&t[3]) {
                    // Out of step: cancel both sessions and start over.
                    let cancel =
                        Term::tuple([atom("cancel_connect"), node_term(&self.node), t[3].clone()]);
                    self.send_to(&node, cancel);
                    self.sessions.remove(&node);
                    self.start_session(&node);
                }
            }
            Some("cancel_connect") => {
                // {cancel_connect, Node, MyTag}
                let Some(node) = t[1].as_atom().map(str::to_owned) else {
                    return;
                };
                if self.sessions.get(&node).is_some_and(|s| s.my_tag == t[2]) {
                    self.sessions.remove(&node);
                    self.start_session(&node);
                }
            }
            Some("lost_connection") => self.lost_connection(t),
            Some("remove_connection") => {
                // Asked to leave `node`'s partition.
                if let Some(node) = t[1].as_atom() {
                    self.disconnect(node);
                }
            }
            _ => tracing::debug!("dist: global got {t}"),
        }
    }

    /// `{lost_connection, NodeA, XCreationA, OpIdA, NodeB}`: NodeA lost
    /// NodeB. To keep partitions from overlapping, this node leaves
    /// NodeB (or NodeA, when it is NodeB itself), and passes the report on,
    /// as OTP's `prevent_overlapping_partitions` (on by default) has every
    /// node do.
    fn lost_connection(&mut self, t: &Term) {
        let Some(f) = fields(t, "lost_connection") else {
            return;
        };
        let (Some(a), Some(op), Some(b)) = (
            f.first().and_then(Term::as_atom),
            f.get(2).and_then(Term::as_int),
            f.get(3).and_then(Term::as_atom),
        ) else {
            return;
        };
        let key = (a.to_owned(), b.to_owned());
        if self
            .lost
            .get(&key)
            .is_some_and(|(creation, seen)| *creation == f[1] && op <= *seen)
        {
            return;
        }
        self.lost.insert(key, (f[1].clone(), op));
        for k in self.known.keys().filter(|k| k.as_str() != a) {
            self.send_to(k, t.clone());
        }
        let leave = if b == self.node { a } else { b };
        if self.known.contains_key(leave) {
            tracing::warn!(
                "dist: global at {} leaves {leave} to prevent overlapping partitions",
                self.node
            );
            self.disconnect(leave);
        }
    }

    fn disconnect(&mut self, node: &str) {
        if let Some(inner) = connect::node() {
            if let Some(c) = inner.existing(node) {
                inner.close(&c, "global: to prevent overlapping partitions".into());
            }
        }
        self.nodedown(node);
    }

    fn cast(&mut self, t: &Term) {
        match label(t) {
            Some("init_connect") => self.init_connect(t),
            Some("lock_set") => self.lock_set(t),
            Some("exchange") => self.exchange(t),
            Some("resolved") => self.resolved(t),
            Some("new_nodes") => self.new_nodes(t),
            Some("in_sync") => {
                if let Some(node) = t[1].as_atom() {
                    let node = node.to_owned();
                    self.sessions.remove(&node);
                    self.known.entry(node).or_insert(VSN);
                }
            }
            Some("async_del_name" | "async_del_lock") => {}
            _ => tracing::debug!("dist: global got the cast {t}"),
        }
    }

    /// `{init_connect, {Vsn, HisTag}, Node, {locker, _, _, HisLocker}}`.
    fn init_connect(&mut self, t: &Term) {
        let Some(f) = fields(t, "init_connect") else {
            return;
        };
        let (Some(node), Term::Tuple(vsn)) = (f.get(1).and_then(Term::as_atom), &f[0]) else {
            return;
        };
        let node = node.to_owned();
        let (Some(his_vsn), Some(his_tag)) = (vsn.first().and_then(Term::as_int), vsn.get(1))
        else {
            return;
        };
        if self.known.remove(&node).is_some() {
            // It does not know this node: start over with it.
            self.sessions.remove(&node);
        }
        if !self.sessions.contains_key(&node) {
            let up = connect::node().is_some_and(|i| !i.hidden && i.is_visible_peer(&node));
            if up {
                self.start_session(&node);
            } else {
                self.pre_connect.insert(node, t.clone());
                return;
            }
        }
        let Some(s) = self.sessions.get_mut(&node) else {
            return;
        };
        s.his = Some(His {
            vsn: his_vsn.min(VSN),
            tag: his_tag.clone(),
        });
        if his_vsn >= 8 {
            let ack = Term::tuple([
                atom("init_connect_ack"),
                node_term(&self.node),
                his_tag.clone(),
                s.my_tag.clone(),
            ]);
            self.send_to(&node, ack);
        }
    }

    /// `{lock_set, HisLocker, IsSet, HisKnown[, MyTag]}`: the other side's
    /// locker has locked its partition and this node; this node answers
    /// that its side is set too, and sends its names.
    fn lock_set(&mut self, t: &Term) {
        let Some(f) = fields(t, "lock_set") else {
            return;
        };
        let (Some(Term::Pid(locker)), Some(set)) = (f.first(), f.get(1)) else {
            return;
        };
        let Some(node) = node_of(*locker) else { return };
        if !set.is_atom("true") {
            return;
        }
        let session = self
            .sessions
            .get(&node)
            .filter(|s| s.his.is_some() && f.get(3).is_none_or(|tag| *tag == s.my_tag));
        let Some(s) = session else {
            // Not syncing with that node: the lock is not set here.
            let no = Term::tuple([
                atom("lock_set"),
                Term::Pid(self.me),
                Term::Bool(false),
                self.known_list(VSN),
            ]);
            self.cast_to(&node, no);
            return;
        };
        let his = s.his.as_ref().expect("checked");
        let mut answer = vec![
            atom("lock_set"),
            Term::Pid(self.me),
            Term::Bool(true),
            self.known_list(his.vsn),
        ];
        if his.vsn >= 8 {
            answer.push(his.tag.clone());
        }
        let exchange = Term::tuple([
            atom("exchange"),
            node_term(&self.node),
            self.name_list(),
            Term::List(vec![]),
            his.tag.clone(),
        ]);
        self.cast_to(&node, Term::Tuple(answer));
        self.cast_to(&node, exchange);
    }

    /// `{exchange, Node, Names, _, MyTag}`: the other side's names; this
    /// node answers with those it must take (`resolved`).
    fn exchange(&mut self, t: &Term) {
        let Some(f) = fields(t, "exchange") else {
            return;
        };
        let Some(node) = f.first().and_then(Term::as_atom).map(str::to_owned) else {
            return;
        };
        let Some(s) = self.sessions.get(&node) else {
            return;
        };
        if f.get(3) != Some(&s.my_tag) {
            return;
        }
        let Some(his) = &s.his else { return };
        let (his_vsn, his_tag) = (his.vsn, his.tag.clone());
        let (ops, res) = self.resolve(&node, &list(&f[1]));
        let resolved = Term::tuple([
            atom("resolved"),
            node_term(&self.node),
            Term::List(res),
            self.known_list(his_vsn),
            atom("unused"),
            Term::List(vec![]),
            his_tag,
        ]);
        self.cast_to(&node, resolved);
        if let Some(s) = self.sessions.get_mut(&node) {
            s.ops = Some(ops);
        }
        self.finish(&node);
    }

    /// Names from `node` against this node's: the operations for this
    /// side, and those the other side must do (OTP's `exchange_names/4`).
    fn resolve(&mut self, node: &str, theirs: &[Term]) -> (Vec<Term>, Vec<Term>) {
        let (mut ops, mut res) = (Vec::new(), Vec::new());
        for entry in theirs {
            let Term::Tuple(v) = entry else { continue };
            let [name, Term::Pid(pid), method] = v.as_slice() else {
                continue;
            };
            let insert = |name: &Term, pid: Pid, method: &Term| {
                Term::tuple([
                    atom("insert"),
                    Term::tuple([name.clone(), Term::Pid(pid), method.clone()]),
                ])
            };
            match self.names.get(name) {
                Some((ours, _)) if ours == pid => {}
                Some((ours, our_method)) if self.node.as_str() < node => {
                    // A clash this node resolves: keep the process on the
                    // lesser node, kill the other (random_exit_name/3).
                    let (ours, our_method) = (*ours, our_method.clone());
                    let their_node = node_of(*pid).unwrap_or_default();
                    let our_node = node_of(ours).unwrap_or_else(|| self.node.clone());
                    let (keep, lose) = if their_node < our_node {
                        (*pid, ours)
                    } else {
                        (ours, *pid)
                    };
                    tracing::info!("dist: global name conflict on {name}: killing {lose:?}");
                    crate::process::exit(lose, atom("kill"));
                    if keep == *pid {
                        ops.push(insert(name, *pid, method));
                    } else {
                        res.push(insert(name, ours, &our_method));
                    }
                }
                Some(_) => {}
                None => ops.push(insert(name, *pid, method)),
            }
        }
        (ops, res)
    }

    /// `{resolved, Node, HisResolved, HisKnown, _, NamesExt, MyTag}`.
    fn resolved(&mut self, t: &Term) {
        let Some(f) = fields(t, "resolved") else {
            return;
        };
        let Some(node) = f.first().and_then(Term::as_atom).map(str::to_owned) else {
            return;
        };
        let Some(s) = self.sessions.get_mut(&node) else {
            return;
        };
        if f.get(5) != Some(&s.my_tag) {
            return;
        }
        s.resolved = Some((list(&f[1]), list(&f[2]), f[4].clone()));
        self.finish(&node);
    }

    /// Ends the session with `node` once both its names and its answer
    /// are in: the names go in, the nodes this node knew hear of it and
    /// of what it knew, and this node connects to those.
    fn finish(&mut self, node: &str) {
        let ready = self
            .sessions
            .get(node)
            .is_some_and(|s| s.ops.is_some() && s.resolved.is_some());
        if !ready {
            return;
        }
        let Some(s) = self.sessions.remove(node) else {
            return;
        };
        let (Some(mut ops), Some((his_resolved, his_known, names_ext)), Some(his)) =
            (s.ops, s.resolved, s.his)
        else {
            return;
        };
        ops.extend(his_resolved);
        self.do_ops(&ops);
        let his_known = known_nodes(&his_known);
        let mut new_nodes = vec![(node.to_owned(), his.vsn)];
        new_nodes.extend(his_known.iter().filter(|(n, _)| *n != self.node).cloned());
        let new_nodes_term = Term::List(
            new_nodes
                .iter()
                .map(|(n, v)| Term::tuple([node_term(n), Term::Int(*v)]))
                .collect(),
        );
        let lock = Term::tuple([atom("global"), Term::List(vec![Term::Pid(self.me)])]);
        let extra = Term::list([
            Term::tuple([atom("vsn"), Term::Int(his.vsn)]),
            Term::tuple([atom("lock"), lock]),
        ]);
        let msg = Term::tuple([
            atom("new_nodes"),
            node_term(&self.node),
            Term::List(ops),
            names_ext,
            new_nodes_term,
            extra,
        ]);
        let before: Vec<String> = self.known.keys().cloned().collect();
        for k in &before {
            self.cast_to(k, msg.clone());
        }
        for (n, _) in &his_known {
            if *n != self.node && !self.known.contains_key(n) {
                self.sync_other(n);
            }
        }
        for (n, v) in new_nodes {
            self.sessions.remove(&n);
            self.known.insert(n, v.max(1));
        }
    }

    /// `{new_nodes, Node, Ops, NamesExt, Nodes, ExtraInfo}`: another node
    /// of this partition synced with `Nodes`.
    fn new_nodes(&mut self, t: &Term) {
        let Some(f) = fields(t, "new_nodes") else {
            return;
        };
        let (Some(ops), Some(nodes)) = (f.get(1), f.get(3)) else {
            return;
        };
        for (n, v) in known_nodes(&list(nodes)) {
            if n == self.node || self.known.contains_key(&n) {
                continue;
            }
            self.sessions.remove(&n);
            self.known.insert(n.clone(), v.max(1));
            self.sync_other(&n);
        }
        self.do_ops(&list(ops));
    }

    fn do_ops(&mut self, ops: &[Term]) {
        for op in ops {
            match label(op) {
                Some("insert") => {
                    if let Term::Tuple(v) = &op[1] {
                        if let [name, Term::Pid(pid), method] = v.as_slice() {
                            self.insert_name(name.clone(), *pid, method.clone());
                        }
                    }
                }
                Some("delete") => {
                    self.names.remove(&op[1]);
                }
                _ => {}
            }
        }
    }

    fn insert_name(&mut self, name: Term, pid: Pid, method: Term) {
        self.watch(pid);
        self.names.insert(name, (pid, method));
    }

    /// Monitors `pid`, so that its names and locks go when it does.
    fn watch(&mut self, pid: Pid) {
        if self.watched.values().any(|p| *p == pid) {
            return;
        }
        let r = crate::process::monitor(pid);
        self.watched.insert(r, pid);
    }

    fn down(&mut self, r: Ref) {
        let Some(pid) = self.watched.remove(&r) else {
            return;
        };
        self.names.retain(|_, (p, _)| *p != pid);
        for (_, holders) in self.locks.values_mut() {
            holders.retain(|p| *p != pid);
        }
        self.locks.retain(|_, (_, holders)| !holders.is_empty());
    }

    // ---- calls ------------------------------------------------------------

    fn call(&mut self, m: Message) {
        let t = &m.data;
        let answer = match label(t) {
            Some("set_lock") => Term::Bool(self.set_lock(&t[1], m.from)),
            Some("del_lock") => {
                self.del_lock(&t[1], m.from);
                Term::Bool(true)
            }
            Some("register") | Some("register_ext") => {
                if let (name, Term::Pid(pid), method) = (&t[1], &t[2], &t[3]) {
                    self.insert_name(name.clone(), *pid, method.clone());
                }
                atom("yes")
            }
            Some("unregister") => {
                self.names.remove(&t[1]);
                atom("ok")
            }
            Some("sync") => atom("ok"),
            _ => match t.as_atom() {
                Some("get_known") => self.known_list(VSN),
                Some("get_synced") => Term::List(self.known.keys().map(|n| node_term(n)).collect()),
                Some("get_protocol_version") => Term::Int(VSN),
                Some("get_names_ext") => Term::List(vec![]),
                _ => {
                    tracing::debug!("dist: global was asked {t}, which it does not do");
                    Term::tuple([atom("error"), atom("unsupported")])
                }
            },
        };
        crate::call::reply(&m, answer);
    }

    /// `{ResourceId, LockRequesterId}` for `holder`: set unless another
    /// requester holds the resource.
    fn set_lock(&mut self, id: &Term, holder: Pid) -> bool {
        let Term::Tuple(v) = id else { return false };
        let [resource, requester] = v.as_slice() else {
            return false;
        };
        match self.locks.get_mut(resource) {
            Some((req, holders)) if req == requester => {
                if !holders.contains(&holder) {
                    holders.push(holder);
                }
            }
            Some(_) => return false,
            None => {
                self.locks
                    .insert(resource.clone(), (requester.clone(), vec![holder]));
            }
        }
        self.watch(holder);
        true
    }

    fn del_lock(&mut self, id: &Term, holder: Pid) {
        let Term::Tuple(v) = id else { return };
        let [resource, requester] = v.as_slice() else {
            return;
        };
        if let Some((req, holders)) = self.locks.get_mut(resource) {
            if req == requester {
                holders.retain(|p| *p != holder);
                if holders.is_empty() {
                    self.locks.remove(resource);
                }
            }
        }
    }
}
