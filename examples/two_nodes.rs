//! Two Rust nodes on one machine, no Erlang needed: a remote spawn by name,
//! a call across nodes, a link across nodes, then the remote node is killed
//! and the link reports `noconnection`.
//!
//! ```text
//! cargo run --features dist --example two_nodes
//! ```
//!
//! The program plays node `a`; it starts itself again as node `b` (the
//! argument `peer`). When no EPMD runs, node `a` starts a standalone one,
//! as `erl` does (the system's `epmd`, or this program again as a detached
//! EPMD); `ACTOR_EPMD=in_process` keeps it inside the program instead.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use actor::{msg, Kind};

const COOKIE: &str = "two_nodes_cookie";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("peer") {
        return peer(&args[2]);
    }
    let tag = std::process::id();
    let (a, b) = (format!("a{tag}@localhost"), format!("b{tag}@localhost"));
    actor::node::start(&a, COOKIE).expect("node a starts");
    println!("node {a} up");

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["peer", &b])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node b starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    println!("node {b} up");

    let echo = actor::spawn_on(&b, "EchoActor").expect("remote spawn");
    println!("spawned EchoActor on {b}: {echo:?}");
    let reply = msg!(std("hello across nodes") >> echo)
        .wait()
        .expect("remote call");
    println!("it replied: {:?}", reply.data);

    actor::link(echo);
    println!("linked to it; killing node {b}");
    child.kill().unwrap();
    child.wait().unwrap();

    // The main thread traps exits: the broken link arrives as a message.
    let death = actor::receive_match_timeout(
        |m| m.kind == Kind::Death && m.from == echo,
        Duration::from_secs(10),
    )
    .expect("the link reports the lost node");
    println!("link broke: {:?}", death.data);
}

fn peer(name: &str) {
    actor::node::start(name, COOKIE).expect("node b starts");
    println!("ready");
    // Live until node a closes our stdin or kills us.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}
