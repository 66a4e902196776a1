//! The seed's `Supervisor` actor: its own tests, ported, and its protocol.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use actor::prelude::*;

const WAIT: Duration = Duration::from_secs(10);

fn spawn_req(name: &str, desired: i64) -> Term {
    [
        ("spawn", Term::from(name)),
        ("desired", Term::from(desired)),
    ]
    .into_iter()
    .collect()
}

fn dump(sup: Pid) -> Term {
    let reply = msg!(info { dump_state: true } >> sup)
        .wait()
        .expect("the supervisor answers dump_state");
    assert_eq!(reply.kind, Kind::Info);
    reply.data
}

fn pids(sup: Pid, name: &str) -> Vec<Pid> {
    dump(sup)["state"]["processes"][name]["pids"]
        .as_list()
        .unwrap_or_default()
        .iter()
        .map(|p| p.as_pid().expect("pids are Term::Pid"))
        .collect()
}

/// Polls the dump until `ok` holds for the pids (bounded).
fn wait_pids(sup: Pid, name: &str, ok: impl Fn(&[Pid]) -> bool) -> Vec<Pid> {
    let deadline = Instant::now() + WAIT;
    loop {
        let p = pids(sup, name);
        if ok(&p) {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "supervisor never reached the state: {p:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn down_reason(pid: Pid, r: Ref) -> Term {
    let m = assert_receive!(
        Message { kind: Kind::Down, from, reference, .. } if *from == pid && *reference == Some(r),
        timeout: WAIT
    );
    m.data["reason"].clone()
}

#[actor::test]
fn start_and_stop_with_three_children() {
    let sup = actor::spawn("Supervisor").unwrap();
    msg!(std(spawn_req("EchoActor", 3)) > sup);
    let children = pids(sup, "EchoActor");
    assert_eq!(children.len(), 3);
    assert_eq!(dump(sup)["state"]["processes"]["EchoActor"]["desired"], 3);
    for &c in &children {
        assert!(actor::is_alive(c));
        let reply = msg!(std("ping") >> c).wait().unwrap();
        assert_eq!(reply.data, "ping");
    }
    let monitors: Vec<Ref> = children.iter().map(|&c| actor::monitor(c)).collect();
    let sup_mon = actor::monitor(sup);
    actor::kill(sup);
    assert_eq!(down_reason(sup, sup_mon), "killed");
    // the links take the children down with it
    for (&c, &r) in children.iter().zip(&monitors) {
        assert_eq!(down_reason(c, r), "killed");
    }
}

#[test]
fn scale_up_then_down_deaths_seen_by_a_linked_thread() {
    let sup = actor::spawn("Supervisor").unwrap();
    msg!(std(spawn_req("EchoActor", 1)) > sup);
    let one = pids(sup, "EchoActor");
    assert_eq!(one.len(), 1);

    msg!(std(spawn_req("EchoActor", 3)) > sup);
    let three = pids(sup, "EchoActor");
    assert_eq!(three.len(), 3);
    assert_eq!(three[0], one[0], "scaling up keeps the running child");
    for &c in &three {
        actor::link(c);
    }

    msg!(std(spawn_req("EchoActor", 1)) > sup);
    let left = pids(sup, "EchoActor");
    assert_eq!(left, one, "scaling down kills the newest");
    // this thread traps exits: the two surplus deaths arrive as messages
    let mut dead = HashSet::new();
    for _ in 0..2 {
        let m = actor::receive_match_timeout(|m| m.kind == Kind::Death, WAIT).expect("a death");
        assert_eq!(m.data["reason"], "killed");
        dead.insert(m.from);
    }
    assert_eq!(dead, three[1..].iter().copied().collect());
    assert_eq!(dump(sup)["state"]["processes"]["EchoActor"]["desired"], 1);
    // and none replaced: scale-down deaths are not restarts
    assert_eq!(pids(sup, "EchoActor"), one);
    actor::unlink(one[0]);
    actor::kill(sup);
}

#[actor::test]
fn a_killed_child_is_replaced_by_a_new_pid() {
    let sup = actor::spawn("Supervisor").unwrap();
    msg!(std(spawn_req("EchoActor", 3)) > sup);
    let before = pids(sup, "EchoActor");
    let victim = before[1];
    actor::kill(victim);
    let after = wait_pids(sup, "EchoActor", |p| p.len() == 3 && !p.contains(&victim));
    assert!(!actor::is_alive(victim));
    assert!(after.contains(&before[0]) && after.contains(&before[2]));
    let fresh = *after.iter().find(|p| !before.contains(p)).unwrap();
    assert!(actor::is_alive(fresh));
    assert_eq!(msg!(info(1) >> fresh).wait().unwrap().data, 1);
    actor::kill(sup);
}

#[actor::test]
fn a_crashing_child_is_replaced_too() {
    let sup = actor::spawn("actor::actors::Supervisor").unwrap();
    msg!(std(spawn_req("EchoActor", 2)) > sup);
    let before = pids(sup, "EchoActor");
    actor::exit(before[0], "boom");
    let after = wait_pids(sup, "EchoActor", |p| {
        p.len() == 2 && !p.contains(&before[0])
    });
    assert!(after.contains(&before[1]));
    actor::kill(sup);
}

#[actor::test]
fn several_groups_and_a_call_reply() {
    let sup = actor::spawn("Supervisor").unwrap();
    let group = msg!(std(spawn_req("EchoActor", 2)) >> sup).wait().unwrap();
    assert_eq!(group.kind, Kind::Std);
    assert_eq!(group.data["desired"], 2);
    assert_eq!(group.data["pids"].as_list().unwrap().len(), 2);
    // a group of (idle) supervisors, by full path
    msg!(std(spawn_req("actor::actors::Supervisor", 1)) > sup);
    let state = dump(sup);
    let processes = state["state"]["processes"].as_map().unwrap();
    assert_eq!(processes.len(), 2);
    assert_eq!(pids(sup, "actor::actors::Supervisor").len(), 1);
    actor::kill(sup);
}

#[actor::test]
fn an_unknown_actor_gets_an_err_reply_and_changes_nothing() {
    let sup = actor::spawn("Supervisor").unwrap();
    let reply = msg!(std(spawn_req("NoSuchActor", 2)) >> sup)
        .wait()
        .unwrap();
    assert_eq!(reply.kind, Kind::Err);
    assert!(reply.data.as_str().unwrap().contains("NoSuchActor"));
    assert!(dump(sup)["state"]["processes"].as_map().unwrap().is_empty());
    assert!(actor::is_alive(sup));
    actor::kill(sup);
}

#[actor::test]
fn an_abnormal_exit_signal_from_a_non_child_stops_it_and_its_children() {
    let sup = actor::spawn("Supervisor").unwrap();
    msg!(std(spawn_req("EchoActor", 2)) > sup);
    let children = pids(sup, "EchoActor");
    let monitors: Vec<Ref> = children.iter().map(|&c| actor::monitor(c)).collect();
    let sup_mon = actor::monitor(sup);
    // it traps exits, so this arrives as a Death message from a non-child
    actor::exit(sup, "going away");
    assert_eq!(down_reason(sup, sup_mon), "going away");
    for (&c, &r) in children.iter().zip(&monitors) {
        // its stop sends them `shutdown`
        assert_eq!(down_reason(c, r), "shutdown");
    }
}

#[actor::test]
fn a_normal_exit_signal_is_ignored() {
    let sup = actor::spawn("Supervisor").unwrap();
    msg!(std(spawn_req("EchoActor", 1)) > sup);
    actor::exit(sup, Term::atom("normal"));
    assert_eq!(pids(sup, "EchoActor").len(), 1);
    assert!(actor::is_alive(sup));
    actor::kill(sup);
}

#[actor::test]
fn a_malformed_spawn_request_gets_an_err_reply_and_changes_nothing() {
    let sup = actor::spawn("Supervisor").unwrap();
    let bad_name = msg!(
        std {
            spawn: 3,
            desired: 1
        } >> sup
    )
    .wait()
    .unwrap();
    assert_eq!(bad_name.kind, Kind::Err);
    assert!(bad_name.data.as_str().unwrap().contains("`spawn`"));
    let bad_count = msg!(
        std {
            spawn: "EchoActor",
            desired: -1
        } >> sup
    )
    .wait()
    .unwrap();
    assert_eq!(bad_count.kind, Kind::Err);
    assert!(bad_count.data.as_str().unwrap().contains("`desired`"));
    // a spawn request by atom is fine
    let by_atom = msg!(
        std {
            spawn: Term::atom("EchoActor"),
            desired: 1
        } >> sup
    )
    .wait()
    .unwrap();
    assert_eq!(by_atom.data["desired"], 1);
    assert_eq!(pids(sup, "EchoActor").len(), 1);
    assert!(actor::is_alive(sup));
    actor::kill(sup);
}
