//! Peer nodes (`actor::node::Peer`): child OS processes started as nodes
//! of this cluster. The peers are this test program run again
//! (`--exact peer_node`, whose test calls `actor::node::peer_main`), or
//! `erl`. Everything that kills a peer must reach this program as
//! `noconnection` and nothing else; a peer must never outlive its parent.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use actor::node::{Limits, Peer, PeerBuilder, PeerError, Sandbox};
use actor::prelude::*;
use actor::supervisor::{self, ChildSpec, SupervisorSpec};

const WAIT: Duration = Duration::from_secs(20);

/// The peer side: in a child started by `Peer`, runs the node and never
/// returns; in a normal run, returns at once.
#[test]
fn peer_node() {
    actor::node::peer_main();
}

/// The parent side of `sigkill_of_the_parent_takes_the_peer_with_it`:
/// a program that starts a peer, says the peer's OS pid, and waits to be
/// killed.
#[test]
fn peer_parent() {
    let Ok(name) = std::env::var("ACTOR_PEER_TEST_PARENT") else {
        return;
    };
    actor::node::Node::builder(&name)
        .cookie("parent")
        .epmd_start(actor::node::EpmdStart::InProcess)
        .start()
        .unwrap();
    let peer = builder().start().unwrap();
    println!("peer-os-pid {}", peer.os_pid());
    std::thread::sleep(Duration::from_secs(120));
}

/// This program as a node, once: one node per program.
fn node() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        // a private EPMD inside this program: parallel test programs
        // cannot disturb each other
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let name = format!("peer_test{}@localhost", std::process::id());
        actor::node::Node::builder(&name)
            .cookie("peer_test_cookie")
            .epmd(([127, 0, 0, 1], port).into())
            .epmd_start(actor::node::EpmdStart::InProcess)
            .start()
            .unwrap();
        name
    })
}

/// A peer that is this test program.
fn builder() -> PeerBuilder {
    Peer::builder()
        .args(["--exact", "peer_node", "--nocapture", "--test-threads=1"])
        .start_timeout(WAIT)
}

/// Whether the OS process `pid` exists (a zombie counts as gone).
fn os_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn sigkill(pid: u32) {
    let ok = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -KILL {pid}");
}

/// Waits for the `down` message of monitor `r`; its reason.
fn down_reason(r: Ref) -> Term {
    let m = actor::receive_match_timeout(|m| m.reference == Some(r), WAIT)
        .expect("no down message");
    assert_eq!(m.kind, Kind::Down);
    m.data["reason"].clone()
}

/// Crashes its whole OS process on request.
#[derive(Default)]
struct Crasher;

#[actor]
impl Crasher {
    fn std(&mut self, data: Term) -> Term {
        if data == "abort" {
            std::process::abort();
        }
        if let Some(n) = data["alloc"].as_int() {
            // touch every page: a real allocation, not a reservation
            let v = vec![1u8; n as usize];
            return Term::from(v.iter().map(|&b| b as i64).sum::<i64>());
        }
        data
    }
}

#[test]
fn a_peer_runs_actors_and_stops_cleanly() {
    node();
    let peer = builder().start().unwrap();
    assert!(peer.node().ends_with("@localhost"));
    assert!(actor::node::nodes().contains(&peer.node().to_owned()));
    assert!(os_alive(peer.os_pid()));
    // spawn_on, spawn_link_on, calls and registered names across it
    let echo = actor::spawn_on(peer.node(), "EchoActor").unwrap();
    assert_eq!(msg!(std(41) >> echo).wait().unwrap().data, 41);
    let linked = actor::spawn_link_on(peer.node(), "EchoActor").unwrap();
    actor::unlink(linked);
    let os_pid = peer.os_pid();
    peer.stop().unwrap();
    assert!(!os_alive(os_pid), "the child is reaped");
}

#[test]
fn abort_in_a_peer_is_noconnection_here() {
    node();
    let peer = builder().start().unwrap();
    let watch = actor::monitor(peer.pid());
    let crasher = actor::spawn_on(peer.node(), "Crasher").unwrap();
    let on_crasher = actor::monitor(crasher);
    let err = msg!(std("abort") >> crasher).wait().unwrap_err();
    assert_eq!(err, CallError::Exit(Term::atom("noconnection")));
    assert_eq!(down_reason(on_crasher), Term::atom("noconnection"));
    assert_eq!(down_reason(watch), Term::atom("noconnection"));
    // the test thread, linked to the peer's process, got its exit as a message
    let death = actor::receive_match_timeout(|m| m.kind == Kind::Death && m.from == peer.pid(), WAIT)
        .unwrap();
    assert_eq!(death.data["reason"], Term::atom("noconnection"));
    let os_pid = peer.os_pid();
    let deadline = Instant::now() + WAIT;
    while os_alive(os_pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!os_alive(os_pid), "the aborted child is reaped");
    assert!(matches!(peer.stop(), Err(PeerError::Down { .. })));
}
