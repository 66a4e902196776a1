//! Isolation: an actor that calls `std::process::abort()` runs in a peer
//! node (a child OS process); the abort takes down only that process, the
//! caller sees `noconnection`, and the supervisor starts the peer again.
//!
//! ```text
//! cargo run --example isolation
//! ```
//!
//! The peer is this program again: `main` calls `actor::node::peer_main()`
//! first, which runs the peer's node in the child and returns at once
//! here. No Erlang install is needed: the EPMD runs inside this program.

use std::time::Duration;

use actor::node::{EpmdStart, Node, Peer};
use actor::prelude::*;
use actor::supervisor::{self, Event, SupervisorSpec};

/// Takes its whole OS process down when asked.
#[derive(Default)]
struct Bomb;

#[actor]
impl Bomb {
    fn std(&mut self, data: Term) -> Term {
        if data == "explode" {
            eprintln!("  [peer {}] Bomb: calling abort()", std::process::id());
            std::process::abort();
        }
        data
    }
}

fn main() {
    actor::node::peer_main(); // in the child: the peer node; never returns

    let me = format!("isolation{}@localhost", std::process::id());
    Node::builder(&me)
        .cookie("isolation_cookie")
        .epmd_start(EpmdStart::InProcess)
        .start()
        .expect("this program becomes a node");
    println!("node {me} up (OS pid {})", std::process::id());

    let peer_node = format!("bomb_site{}@localhost", std::process::id());
    let peer = Peer::builder().name(&peer_node);
    let sup = SupervisorSpec::one_for_one()
        .intensity(3, Duration::from_secs(10))
        .child(peer.child_spec("bomb_site"))
        .on_event(|e| match e {
            Event::Started {
                id, pid, restart, ..
            } => {
                let how = if *restart { "restarted" } else { "started" };
                println!("supervisor: {how} peer `{id}` ({pid:?})");
            }
            Event::Exited { id, reason, .. } => {
                println!("supervisor: peer `{id}` exited: {reason}");
            }
            _ => {}
        })
        .start_link()
        .expect("the supervisor starts its peer");

    let first = supervisor::which_children(sup).unwrap()[0].pid().unwrap();
    let down = actor::monitor(first);
    let bomb = actor::spawn_on(&peer_node, "Bomb").expect("a Bomb on the peer");
    println!("spawned Bomb {bomb:?} on {peer_node}");
    assert_eq!(msg!(std("ping") >> bomb).wait().unwrap().data, "ping");

    let err = msg!(std("explode") >> bomb).wait().unwrap_err();
    println!("the call to the Bomb failed: {err:?}");
    assert_eq!(err, CallError::Exit(Term::atom("noconnection")));
    let m = actor::receive_match_timeout(|m| m.reference == Some(down), Duration::from_secs(10))
        .expect("the peer's process went down");
    println!("monitor of the peer's process: down, {}", m.data["reason"]);

    // the supervisor puts a new peer in place, under the same node name
    let second = loop {
        match supervisor::which_children(sup).unwrap()[0].pid() {
            Some(p) if p != first => break p,
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let echo = actor::spawn_on(&peer_node, "EchoActor").expect("the new peer takes spawns");
    let reply = msg!(std("still here") >> echo).wait().unwrap();
    println!("the restarted peer ({second:?}) answers: {}", reply.data);

    supervisor::stop(sup).unwrap();
    println!(
        "stopped the supervisor and its peer; this OS process (pid {}) never noticed the abort",
        std::process::id()
    );
}
