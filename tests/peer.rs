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
use actor::supervisor::{self, SupervisorSpec};

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

static EPMD_PORT: OnceLock<u16> = OnceLock::new();

/// This program as a node, once: one node per program.
fn node() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        // a private EPMD inside this program: parallel test programs
        // cannot disturb each other
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        EPMD_PORT.set(port).unwrap();
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
        .args(["--exact", "peer_node", "--nocapture", "-q"])
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
    let m =
        actor::receive_match_timeout(|m| m.reference == Some(r), WAIT).expect("no down message");
    assert_eq!(m.kind, Kind::Down);
    m.data["reason"].clone()
}

/// Files, as a peer sees them: `{read: Path}` answers the text or the
/// error; `{write: Path, text: Text}` writes.
#[derive(Default)]
struct Files;

#[actor]
impl Files {
    fn std(&mut self, data: Term) -> Result<Term, Term> {
        let io = |e: std::io::Error| Term::from(e.to_string());
        if let Some(path) = data["read"].as_str() {
            return std::fs::read_to_string(path).map(Term::from).map_err(io);
        }
        let path = data["write"].as_str().unwrap_or_default();
        std::fs::write(path, data["text"].as_str().unwrap_or_default())
            .map(|()| Term::atom("ok"))
            .map_err(io)
    }
}

/// Tells `("peer_stop_witness", Node)` how it stopped; `{witness: Node}`
/// says which node.
#[derive(Default)]
struct Tidy {
    witness: Option<String>,
}

#[actor]
impl Tidy {
    fn std(&mut self, data: Term) -> Term {
        self.witness = data["witness"].as_str().map(str::to_owned);
        Term::atom("ok")
    }
    fn stop(&mut self, reason: Term) {
        if let Some(node) = &self.witness {
            msg!(info { stopped: reason } > ("peer_stop_witness", node.as_str()));
        }
    }
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
        if data == "spin" {
            let t = Instant::now();
            let mut x = 0u64;
            while t.elapsed() < Duration::from_secs(60) {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(1));
            }
            return Term::from(x as i64);
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
    let death =
        actor::receive_match_timeout(|m| m.kind == Kind::Death && m.from == peer.pid(), WAIT)
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

#[test]
fn sigkill_of_the_peer_is_noconnection_here() {
    node();
    let peer = builder().start().unwrap();
    let echo = actor::spawn_link_on(peer.node(), "EchoActor").unwrap();
    let watch = actor::monitor(peer.pid());
    sigkill(peer.os_pid());
    assert_eq!(down_reason(watch), Term::atom("noconnection"));
    let death =
        actor::receive_match_timeout(|m| m.kind == Kind::Death && m.from == echo, WAIT).unwrap();
    assert_eq!(death.data["reason"], Term::atom("noconnection"));
    assert!(!os_alive(peer.os_pid()), "reaped before its process exited");
    assert!(!actor::node::nodes().contains(&peer.node().to_owned()));
}

#[test]
fn sigkill_of_the_parent_takes_the_peer_with_it() {
    // the parent: this program again, as a node with a peer of its own
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let mut parent = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "peer_parent", "--nocapture", "-q"])
        .env(
            "ACTOR_PEER_TEST_PARENT",
            format!("parent{}@localhost", std::process::id()),
        )
        .env("ERL_EPMD_PORT", port.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(parent.stdout.take().unwrap());
    let mut line = String::new();
    let peer_pid: u32 = loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the parent did not start its peer"
        );
        if let Some(pid) = line.trim().strip_prefix("peer-os-pid ") {
            break pid.parse().unwrap();
        }
    };
    assert!(os_alive(peer_pid));
    parent.kill().unwrap();
    parent.wait().unwrap();
    let killed = Instant::now();
    while os_alive(peer_pid) && killed.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let gone_after = killed.elapsed();
    assert!(!os_alive(peer_pid), "the peer outlived its parent");
    assert!(
        gone_after < Duration::from_secs(1),
        "the peer took {gone_after:?} to go"
    );
}

/// The processes whose parent is this one, by name.
fn children_named(comm: &str) -> Vec<u32> {
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            let Some((head, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let ppid = rest.split_whitespace().nth(1).unwrap_or("");
            head.ends_with(&format!("({comm}")) && ppid == me
        })
        .collect()
}

#[test]
fn a_peer_that_fails_to_start_says_why_and_leaves_nothing() {
    node();
    // a program that does not exist
    let err = Peer::builder()
        .command("/nonexistent/peer-program")
        .start()
        .unwrap_err();
    assert!(matches!(err, PeerError::Spawn { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/nonexistent/peer-program"),
        "{err}"
    );
    // one that exits before it joins
    let err = Peer::builder().command("false").start().unwrap_err();
    assert!(matches!(err, PeerError::Exited { .. }), "{err:?}");
    assert!(err.to_string().contains("exit status 1"), "{err}");
    // this program, with a name another node holds: its node refuses it
    let name = format!("taken{}", std::process::id());
    let holder = builder().name(&name).start().unwrap();
    let err = builder().name(&name).start().unwrap_err();
    assert!(matches!(err, PeerError::Exited { .. }), "{err:?}");
    assert!(err.to_string().contains("exit status 70"), "{err}");
    assert!(err.to_string().contains("is the name taken?"), "{err}");
    let holder_pid = holder.pid();
    holder.stop().unwrap();
    // one that never joins: killed at the timeout
    let err = Peer::builder()
        .command("sleep")
        .arg("30")
        .start_timeout(Duration::from_millis(300))
        .start()
        .unwrap_err();
    assert!(matches!(err, PeerError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("did not join"), "{err}");
    assert_eq!(
        children_named("sleep"),
        Vec::<u32>::new(),
        "the sleeper is gone"
    );
    // the failed starts linked nothing to this thread: no exit signal
    // comes but the `normal` one of the peer that was stopped
    let death = actor::receive_match_timeout(|m| m.kind == Kind::Death, WAIT).unwrap();
    assert_eq!(
        (death.from, death.data["reason"].clone()),
        (holder_pid, Term::atom("normal"))
    );
    assert!(
        actor::receive_match_timeout(|m| m.kind == Kind::Death, Duration::from_millis(200))
            .is_none()
    );
    let me = actor::process_info(actor::pid()).unwrap();
    assert!(me.links.is_empty(), "{:?}", me.links);
}

#[test]
fn stop_runs_the_peers_stop_hooks() {
    let me = node();
    actor::register("peer_stop_witness", actor::pid()).unwrap();
    let peer = builder().start().unwrap();
    let tidy = actor::spawn_on(peer.node(), "Tidy").unwrap();
    msg!(std { witness: me } >> tidy).wait().unwrap();
    let os_pid = peer.os_pid();
    peer.stop().unwrap();
    let m = actor::receive_match_timeout(
        |m| m.kind == Kind::Info && m.data["stopped"] != Term::Nil,
        WAIT,
    )
    .expect("the stop hook did not report");
    assert_eq!(m.data["stopped"], Term::atom("shutdown"));
    assert!(!os_alive(os_pid));
    actor::unregister("peer_stop_witness");
}

#[test]
fn an_erl_peer() {
    if Command::new("erl").arg("-version").output().is_err() {
        println!("note: `erl` is not on the PATH: an_erl_peer skipped");
        return;
    }
    node();
    let peer = Peer::builder().erl().start_timeout(WAIT).start().unwrap();
    // an rpc call answered by Erlang
    let ask = Term::tuple([
        Term::atom("call"),
        Term::atom("erlang"),
        Term::atom("node"),
        Term::List(vec![]),
        Term::Pid(actor::pid()),
    ]);
    let reply = msg!(std(ask) >> ("rex", peer.node())).wait().unwrap();
    assert_eq!(reply.data.as_atom(), Some(peer.node()));
    // a process spawned there, linked, hears the peer stop
    let watch = actor::monitor(peer.pid());
    let os_pid = peer.os_pid();
    let pid = peer.pid();
    peer.stop().unwrap();
    assert_eq!(down_reason(watch), Term::atom("normal"));
    assert!(!actor::is_alive(pid));
    assert!(!os_alive(os_pid));
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("actor-peer-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_sandboxed_peer_sees_only_its_binds() {
    node();
    let base = scratch("sandbox");
    let secret = base.join("secret.txt");
    std::fs::write(&secret, "parent only").unwrap();
    let shared = base.join("shared");
    let readable = base.join("readable");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::create_dir_all(&readable).unwrap();
    std::fs::write(readable.join("r.txt"), "for the peer").unwrap();
    // this program can read the secret
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "parent only");

    let started = builder()
        .sandbox(Sandbox::new().read_only(&readable).writable(&shared))
        .start();
    let peer = match started {
        Ok(p) => p,
        Err(e @ PeerError::Sandbox { .. }) => {
            panic!("this kernel refused the mount namespace a sandboxed peer needs: {e}")
        }
        Err(e) => panic!("{e}"),
    };
    let files = actor::spawn_on(peer.node(), "Files").unwrap();
    let path = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let read = |p: String| msg!(std { read: p } >> files).wait().unwrap();
    let write = |p: String, text: &str| {
        msg!(
            std {
                write: p,
                text: text
            } >> files
        )
        .wait()
        .unwrap()
    };

    let denied = read(path(&secret));
    assert_eq!(denied.kind, Kind::Err, "{denied:?}");
    assert!(
        denied.data.as_str().unwrap().contains("No such file"),
        "{denied:?}"
    );
    let home = read("/etc/passwd".to_owned());
    assert_eq!(home.kind, Kind::Err, "{home:?}");

    let ro = read(path(&readable.join("r.txt")));
    assert_eq!(ro.data, "for the peer");
    let ro_write = write(path(&readable.join("w.txt")), "x");
    assert_eq!(ro_write.kind, Kind::Err);
    assert!(
        ro_write.data.as_str().unwrap().contains("Read-only"),
        "{ro_write:?}"
    );

    let escape = write("/escape.txt".to_owned(), "x");
    assert_eq!(escape.kind, Kind::Err, "{escape:?}");
    assert!(
        escape.data.as_str().unwrap().contains("Read-only"),
        "{escape:?}"
    );

    let wrote = write(path(&shared.join("out.txt")), "from the peer");
    assert_eq!(wrote.data, Term::atom("ok"));
    assert_eq!(
        std::fs::read_to_string(shared.join("out.txt")).unwrap(),
        "from the peer"
    );
    peer.stop().unwrap();
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn past_its_memory_limit_a_peer_dies_and_its_supervisor_restarts_it() {
    node();
    let name = format!("hog{}", std::process::id());
    let spec = builder()
        .name(&name)
        .limits(Limits::new().memory(512 << 20))
        .child_spec("hog");
    let sup = SupervisorSpec::one_for_one()
        .intensity(3, Duration::from_secs(30))
        .child(spec)
        .start_link()
        .unwrap();
    let first = supervisor::which_children(sup).unwrap()[0].pid().unwrap();
    let watch = actor::monitor(first);
    let hog_node = format!("{name}@localhost");
    let crasher = actor::spawn_on(&hog_node, "Crasher").unwrap();
    // within the limit
    assert_eq!(
        msg!(std { alloc: 1 << 20 } >> crasher).wait().unwrap().data,
        1 << 20
    );
    // past it: the allocation fails, the peer aborts
    let err = msg!(std { alloc: 2i64 << 30 } >> crasher)
        .timeout(WAIT)
        .wait()
        .unwrap_err();
    assert_eq!(err, CallError::Exit(Term::atom("noconnection")));
    assert_eq!(down_reason(watch), Term::atom("noconnection"));
    // the supervisor starts it again, under the same name
    let deadline = Instant::now() + WAIT;
    let second = loop {
        match supervisor::which_children(sup).unwrap()[0].pid() {
            Some(p) if p != first => break p,
            _ if Instant::now() > deadline => panic!("the peer was not restarted"),
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    assert!(actor::is_alive(second));
    let echo = actor::spawn_on(&hog_node, "EchoActor").unwrap();
    assert_eq!(msg!(std(7) >> echo).wait().unwrap().data, 7);
    supervisor::stop(sup).unwrap();
    assert!(!actor::is_alive(second));
    assert!(!actor::node::nodes().contains(&hog_node));
}

#[test]
fn past_its_cpu_time_a_peer_dies() {
    node();
    let peer = builder()
        .limits(Limits::new().cpu_time(Duration::from_secs(1)))
        .start()
        .unwrap();
    let watch = actor::monitor(peer.pid());
    let crasher = actor::spawn_on(peer.node(), "Crasher").unwrap();
    let err = msg!(std("spin") >> crasher)
        .timeout(Duration::from_secs(60))
        .wait()
        .unwrap_err();
    assert_eq!(err, CallError::Exit(Term::atom("noconnection")));
    assert_eq!(down_reason(watch), Term::atom("noconnection"));
}

#[test]
fn a_sandbox_or_limit_that_cannot_be_had_is_a_clear_error() {
    node();
    // a path that does not exist
    let err = builder()
        .sandbox(Sandbox::new().read_only("/nonexistent/dir"))
        .start()
        .unwrap_err();
    assert!(matches!(err, PeerError::Sandbox { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("/nonexistent/dir") && text.contains("not started"),
        "{text}"
    );
    // a relative path
    let err = builder()
        .sandbox(Sandbox::new().writable("tmp"))
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("absolute"), "{err}");
    // a limit the kernel refuses (no process may have unlimited files)
    let err = builder()
        .limits(Limits::new().open_files(u64::MAX))
        .start()
        .unwrap_err();
    assert!(matches!(err, PeerError::Limits { .. }), "{err:?}");
    assert!(err.to_string().contains("open files"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn killing_the_process_that_stands_for_a_peer_stops_the_peer() {
    node();
    let peer = builder().start().unwrap();
    let os_pid = peer.os_pid();
    actor::kill(peer.pid());
    let death =
        actor::receive_match_timeout(|m| m.kind == Kind::Death && m.from == peer.pid(), WAIT)
            .unwrap();
    assert_eq!(death.data["reason"], Term::atom("killed"));
    let deadline = Instant::now() + WAIT;
    while os_alive(os_pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !os_alive(os_pid),
        "the peer went on without the process standing for it"
    );
}

/// A child this test started by hand: killed if the test fails.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_peer_whose_stdin_closes_exits() {
    // The fallback alone, without the parent-death signal: a peer started
    // by hand (its environment as `Peer` sets it), whose parent lives on
    // and closes the pipe.
    let me = node();
    let name = format!("orphan{}@localhost", std::process::id());
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "peer_node", "--nocapture", "-q"])
            .env("ACTOR_PEER_NODE", &name)
            .env("ACTOR_PEER_COOKIE", "unknown_here")
            .env("ACTOR_PEER_PARENT", me)
            .env("ACTOR_PEER_READY", "nobody_waits")
            .env("ERL_EPMD_PORT", EPMD_PORT.get().unwrap().to_string())
            .env("ACTOR_EPMD", "never")
            .stdin(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut child.0;
    // up: its node registered with our EPMD (connecting fails: a cookie
    // we do not know, as for anyone but its parent)
    let deadline = Instant::now() + WAIT;
    let registered = || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", *EPMD_PORT.get().unwrap())).unwrap();
        let alive = name.split('@').next().unwrap();
        let mut req = vec![0u8, (1 + alive.len()) as u8, 122];
        req.extend_from_slice(alive.as_bytes());
        std::io::Write::write_all(&mut s, &req).unwrap();
        let mut answer = [0u8; 2];
        std::io::Read::read_exact(&mut s, &mut answer).is_ok() && answer == [119, 0]
    };
    while !registered() {
        assert!(
            Instant::now() < deadline,
            "the hand-made peer did not come up"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the hand-made peer exited"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(child.stdin.take());
    let closed = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            closed.elapsed() < WAIT,
            "the peer ignored the end of its stdin"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(status.success(), "{status}");
    assert!(
        closed.elapsed() < Duration::from_secs(1),
        "{:?}",
        closed.elapsed()
    );
}

#[test]
fn only_the_starters_exit_stops_a_peer() {
    node();
    let peer = builder().start().unwrap();
    // another process links to the peer's process and exits: the peer
    // lives on (its process traps exits, as a gen_server does)
    let other = actor::spawn(|mut inbox: Inbox| async move {
        let to = inbox.recv().await.data.as_pid().unwrap();
        actor::link(to);
        actor::exit_self("gone");
        std::future::pending::<()>().await;
    })
    .unwrap();
    let watch_other = actor::monitor(other);
    msg!(info(Term::Pid(peer.pid())) > other);
    assert_eq!(down_reason(watch_other), Term::from("gone"));
    let echo = actor::spawn_on(peer.node(), "EchoActor").unwrap();
    assert_eq!(msg!(std(5) >> echo).wait().unwrap().data, 5);
    // the starter's exit stops it: a thread that starts a peer and ends
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let peer = builder().start().unwrap();
        tx.send((peer.pid(), peer.os_pid())).unwrap();
    })
    .join()
    .unwrap();
    let (pid, os_pid) = rx.recv().unwrap();
    let deadline = Instant::now() + WAIT;
    while (actor::is_alive(pid) || os_alive(os_pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !actor::is_alive(pid) && !os_alive(os_pid),
        "the peer outlived its starter"
    );
    peer.stop().unwrap();
}
