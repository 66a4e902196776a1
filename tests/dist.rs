//! Rust node to Rust node, with the in-process EPMD: calls, sends, spawns,
//! links, monitors, lost connections, and bad input on the wire. The peer
//! node is this test program run again as a child (`zz_peer_node`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use actor::{actor, msg, CallError, Kind, Message, Ref, Term};
use md5::{Digest, Md5};

const COOKIE: &str = "dist_rust_test_cookie";
const WAIT: Duration = Duration::from_secs(10);

struct Env {
    me: String,
    peer: String,
    epmd_port: u16,
    port: u16,
}

static CHILDREN: Mutex<Vec<Child>> = Mutex::new(Vec::new());

/// Runs as the peer node when this program is started by `spawn_peer`.
#[test]
fn zz_peer_node() {
    let Ok(name) = std::env::var("ACTOR_DIST_PEER") else {
        return;
    };
    let port: u16 = std::env::var("ACTOR_DIST_EPMD").unwrap().parse().unwrap();
    actor::node::Node::builder(&name)
        .cookie(COOKIE)
        .epmd(([127, 0, 0, 1], port).into())
        .epmd_start(actor::node::EpmdStart::InProcess)
        .start()
        .unwrap();
    let e = actor::spawn("EchoActor").unwrap();
    actor::register("peer_echo", e).unwrap();
    println!("ready");
    // Dial the parent at once, as it dials us (a simultaneous connect).
    if let Ok(parent) = std::env::var("ACTOR_DIST_DIAL") {
        msg!(info(atom("hello")) > ("nobody_here", parent.as_str()));
    }
    // Until the parent closes our stdin (or kills us).
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    std::process::exit(0);
}

fn spawn_peer(env_port: u16, name: &str) -> u32 {
    spawn_peer_with(env_port, name, &[])
}

fn spawn_peer_with(env_port: u16, name: &str, env: &[(&str, &str)]) -> u32 {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "zz_peer_node", "--nocapture", "--test-threads=1"])
        .env("ACTOR_DIST_PEER", name)
        .env("ACTOR_DIST_EPMD", env_port.to_string())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.trim().ends_with("ready") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the peer node did not start"
        );
    }
    let id = child.id();
    CHILDREN.lock().unwrap().push(child);
    id
}

fn kill_peer(os_pid: u32) {
    let mut children = CHILDREN.lock().unwrap();
    if let Some(c) = children.iter_mut().find(|c| c.id() == os_pid) {
        c.kill().unwrap();
        c.wait().unwrap();
    }
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let epmd_port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let tag = std::process::id();
        let me = format!("rust_a{tag}@localhost");
        let node = actor::node::Node::builder(&me)
            .cookie(COOKIE)
            .epmd(([127, 0, 0, 1], epmd_port).into())
            .epmd_start(actor::node::EpmdStart::InProcess)
            .start()
            .unwrap();
        let peer = format!("rust_b{tag}@localhost");
        spawn_peer(epmd_port, &peer);
        Env {
            me,
            peer,
            epmd_port,
            port: node.port(),
        }
    })
}

fn atom(a: &'static str) -> Term {
    Term::atom(a)
}

fn reason(m: &Message) -> Term {
    match &m.data {
        Term::Map(map) => map.get(&Term::Str("reason".into())).cloned().unwrap(),
        other => panic!("no reason in {other:?}"),
    }
}

fn recv(pred: impl FnMut(&Message) -> bool) -> Message {
    actor::receive_match_timeout(pred, WAIT).expect("the message arrives")
}

#[test]
fn calls_and_sends_by_name_and_pid() {
    let env = env();
    let reply = msg!(std(atom("x")) >> ("peer_echo", env.peer.as_str()))
        .wait()
        .unwrap();
    assert_eq!((reply.kind, reply.data.clone()), (Kind::Std, atom("x")));
    let remote = reply.from;
    assert!(!remote.is_local());
    // kinds other than std keep their kind, and the ref, across nodes
    let r = Ref::new();
    let reply = msg!(info(7) ref r >> remote).wait().unwrap();
    assert_eq!(
        (reply.kind, reply.data, reply.reference),
        (Kind::Info, Term::Int(7), Some(r))
    );
    // pids and refs come back as they went
    let t = Term::Tuple(vec![
        Term::Pid(actor::pid()),
        Term::Ref(r),
        Term::Pid(remote),
    ]);
    assert_eq!(msg!(std(t.clone()) >> remote).wait().unwrap().data, t);
    // a send (`>`) is echoed back as a send
    msg!(info(atom("plain")) > remote);
    let m = recv(|m| m.data == atom("plain"));
    assert_eq!((m.kind, m.from), (Kind::Info, remote));
    assert!(actor::node::nodes().contains(&env.peer));
    assert_eq!(actor::node::name(), Some(env.me.as_str()));
}

#[test]
fn remote_spawn_link_and_monitor() {
    let env = env();
    let p = actor::spawn_on(&env.peer, "EchoActor").unwrap();
    assert!(!p.is_local());
    assert_eq!(msg!(std(1) >> p).wait().unwrap().data, Term::Int(1));
    let r = actor::monitor(p);
    actor::exit(p, atom("shutdown"));
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!((down.from, reason(&down)), (p, atom("shutdown")));
    assert_eq!(msg!(std(1) >> p).wait(), Err(CallError::NoProcess));

    let path = actor::registered_actors()
        .into_iter()
        .find(|p| p.ends_with("::EchoActor"))
        .unwrap();
    let p = actor::spawn_link_on(&env.peer, &path).unwrap();
    actor::kill(p);
    let death = recv(|m| m.kind == Kind::Death && m.from == p);
    assert_eq!(reason(&death), atom("killed"));

    // As Erlang's spawn/4 (issue 14, item 5): a name the node does not
    // have gives a pid that exits at once with `undef`.
    let p = actor::spawn_link_on(&env.peer, "NoSuchActor").unwrap();
    let death = recv(|m| m.kind == Kind::Death && m.from == p);
    assert_eq!(
        reason(&death).to_string(),
        "{undef, [{'NoSuchActor', start, [], []}]}"
    );
}

/// An actor whose `init(args)` panics unless given an integer.
struct IntOnly {
    n: i64,
}

#[actor]
impl IntOnly {
    fn init(args: Term) -> Self {
        IntOnly {
            n: args.as_int().expect("an IntOnly wants an int"),
        }
    }

    fn std(&mut self) -> i64 {
        self.n
    }
}

/// A remote spawn whose `init` panics: its pid exits with the panic, as an
/// Erlang process that crashes at once, and the connection carries on.
#[test]
fn a_remote_spawn_whose_init_panics_exits_with_the_panic() {
    let env = env();
    let p = actor::spawn_link_on(&env.peer, "IntOnly").unwrap();
    let death = recv(|m| m.kind == Kind::Death && m.from == p);
    assert_eq!(
        reason(&death),
        Term::tuple([atom("panic"), Term::from("an IntOnly wants an int")])
    );
    let echo = actor::spawn_on(&env.peer, "EchoActor").unwrap();
    assert_eq!(msg!(std(2) >> echo).wait().unwrap().data, Term::Int(2));
}

/// Two nodes that dial each other at the same moment (a cluster starting
/// up) end with one connection both use: what is made on it right after
/// `connect` returns is never cut by the other dial (it was ~1 in 15).
#[test]
fn a_simultaneous_connect_keeps_the_connection_it_made() {
    let env = env();
    for i in 0..20 {
        let name = format!("rust_sim{}_{i}@localhost", std::process::id());
        let os = spawn_peer_with(
            env.epmd_port,
            &name,
            &[("ACTOR_DIST_DIAL", env.me.as_str())],
        );
        actor::node::connect(&name).unwrap();
        let echo = actor::spawn_on(&name, "EchoActor").unwrap();
        let r = actor::monitor(echo);
        assert_eq!(
            msg!(std(i) >> echo).wait().unwrap().data,
            Term::from(i),
            "round {i}"
        );
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            actor::node::nodes().contains(&name),
            "round {i}: the connection was cut"
        );
        assert!(
            actor::receive_match_timeout(|m| m.reference == Some(r), Duration::ZERO).is_none(),
            "round {i}: a Down came"
        );
        kill_peer(os);
        recv(|m| m.reference == Some(r));
    }
}

#[test]
fn a_lost_node_gives_noconnection() {
    let env = env();
    let name = format!("rust_lost{}@localhost", std::process::id());
    let os = spawn_peer(env.epmd_port, &name);
    let linked = actor::spawn_link_on(&name, "EchoActor").unwrap();
    let watched = actor::spawn_on(&name, "EchoActor").unwrap();
    let r = actor::monitor(watched);
    kill_peer(os);
    let death = recv(|m| m.kind == Kind::Death && m.from == linked);
    assert_eq!(reason(&death), atom("noconnection"));
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!(reason(&down), atom("noconnection"));
    // Redialing the dead node fails as soon as EPMD or the port says so;
    // the long timeout only keeps a loaded machine from turning that into
    // a Timeout.
    let err = msg!(std(atom("x")) >> ("peer_echo", name.as_str()))
        .timeout(Duration::from_secs(30))
        .wait();
    assert_eq!(err, Err(CallError::Exit(atom("noconnection"))));
}

// ---- bad input: a hand-made client speaking raw bytes ----------------------

const RAW_NODE: &str = "raw_client@localhost";
const FLAGS: u64 = 0x4
    | 0x8
    | 0x10
    | 0x20
    | 0x80
    | 0x100
    | 0x200
    | 0x400
    | 0x800
    | 0x10000
    | 0x20000
    | 0x40000
    | 0x80000
    | 0x400000
    | 0x1000000
    | 0x2000000
    | 1 << 32
    | 1 << 34;

fn hs_write(s: &mut TcpStream, body: &[u8]) {
    let mut v = (body.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    s.write_all(&v).unwrap();
}

fn hs_read(s: &mut TcpStream) -> Vec<u8> {
    let mut len = [0; 2];
    s.read_exact(&mut len).unwrap();
    let mut v = vec![0; u16::from_be_bytes(len) as usize];
    s.read_exact(&mut v).unwrap();
    v
}

fn md5(cookie: &str, challenge: u32) -> Vec<u8> {
    Md5::digest(format!("{cookie}{challenge}").as_bytes()).to_vec()
}

/// Dials our own node and shakes hands with `cookie`; the stream, if the
/// node accepted.
fn raw_connect(cookie: &str) -> Option<TcpStream> {
    raw_connect_as(cookie, RAW_NODE)
}

/// As [`raw_connect`], as the node `raw_node`.
fn raw_connect_as(cookie: &str, raw_node: &str) -> Option<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", env().port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut m = vec![b'N'];
    m.extend_from_slice(&FLAGS.to_be_bytes());
    m.extend_from_slice(&7u32.to_be_bytes());
    m.extend_from_slice(&(raw_node.len() as u16).to_be_bytes());
    m.extend_from_slice(raw_node.as_bytes());
    hs_write(&mut s, &m);
    match hs_read(&mut s).as_slice() {
        b"sok" => {}
        // our previous connection is not gone yet on the node's side
        b"salive" => hs_write(&mut s, b"strue"),
        other => panic!("status {other:?}"),
    }
    let ch = hs_read(&mut s);
    assert_eq!(ch[0], b'N');
    let challenge = u32::from_be_bytes(ch[9..13].try_into().unwrap());
    let mut reply = vec![b'r'];
    reply.extend_from_slice(&42u32.to_be_bytes());
    reply.extend_from_slice(&md5(cookie, challenge));
    hs_write(&mut s, &reply);
    let mut len = [0; 2];
    if s.read_exact(&mut len).is_err() {
        return None;
    }
    let mut ack = vec![0; u16::from_be_bytes(len) as usize];
    s.read_exact(&mut ack).unwrap();
    assert_eq!(ack[0], b'a');
    assert_eq!(ack[1..], md5(cookie, 42)[..]);
    Some(s)
}

fn closed_by_node(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // ticks
            Err(_) => return false,
        }
    }
}

fn atom_ext(a: &str) -> Vec<u8> {
    let mut v = vec![119, a.len() as u8];
    v.extend_from_slice(a.as_bytes());
    v
}

fn raw_pid() -> Vec<u8> {
    raw_pid_of(RAW_NODE)
}

/// A pid of the raw client `raw_node`.
fn raw_pid_of(raw_node: &str) -> Vec<u8> {
    let mut v = vec![88];
    v.extend(atom_ext(raw_node));
    v.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7]);
    v
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 1) as u32).to_be_bytes().to_vec();
    v.push(112);
    v.extend_from_slice(body);
    v
}

/// `{6, RawPid, '', Name}` + `Msg`: a registered send.
fn reg_send(name: &str, msg_atom: &str) -> Vec<u8> {
    let mut b = vec![131, 104, 4, 97, 6];
    b.extend(raw_pid());
    b.extend(atom_ext(""));
    b.extend(atom_ext(name));
    b.push(131);
    b.extend(atom_ext(msg_atom));
    frame(&b)
}

#[test]
fn bad_input_closes_only_that_connection() {
    let env = env();
    actor::register("raw_sink", actor::pid()).unwrap();
    let echo = actor::spawn("EchoActor").unwrap();
    actor::register("keep_me", echo).unwrap();
    // An echo of this test's own on the peer: `peer_echo` serves the other
    // tests running in parallel, and this one ends its echo.
    let peer_echo = actor::spawn_on(&env.peer, "EchoActor").unwrap();
    let r = actor::monitor(peer_echo);

    // A well-formed frame from the raw client is delivered.
    let mut s = raw_connect(COOKIE).expect("the right cookie is accepted");
    s.write_all(&reg_send("raw_sink", "hello")).unwrap();
    let m = recv(|m| m.data == atom("hello"));
    assert_eq!(m.kind, Kind::Info);

    let bad_frames: Vec<Vec<u8>> = vec![
        // garbage after the pass-through byte
        frame(&[1, 2, 3, 4, 5]),
        // not even the pass-through byte
        vec![0, 0, 0, 3, 1, 2, 3],
        // an unknown control message: {99}
        frame(&[131, 104, 1, 97, 99]),
        // a huge length prefix
        vec![0xff, 0xff, 0xff, 0xff, 112],
        // a control message cut short
        frame(&[131, 104, 4, 97, 6]),
    ];
    for bad in bad_frames {
        let mut s = raw_connect(COOKIE).unwrap();
        s.write_all(&bad).unwrap();
        assert!(
            closed_by_node(&mut s),
            "{bad:?} did not close the connection"
        );
    }
    // A frame truncated by the peer hanging up.
    let mut s = raw_connect(COOKIE).unwrap();
    s.write_all(&[0, 0, 1, 0, 112, 131]).unwrap();
    drop(s);

    // A wrong cookie: the node hangs up in the handshake.
    assert!(raw_connect("wrong").is_none());

    // Nothing else was lost: names, the other connection, its monitor.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(actor::whereis("keep_me"), Some(echo));
    let reply = msg!(std(atom("still")) >> peer_echo).wait().unwrap();
    assert_eq!(reply.data, atom("still"));
    actor::exit(peer_echo, atom("done"));
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!(reason(&down), atom("done"));
    // a bit string arrives as one (every term decodes); a payload that
    // is not a term at all (an unknown tag) is dropped, and the
    // connection stays
    let mut s = raw_connect(COOKIE).unwrap();
    let send = |payload: &[u8]| {
        let mut b = vec![131, 104, 4, 97, 6];
        b.extend(raw_pid());
        b.extend(atom_ext(""));
        b.extend(atom_ext("raw_sink"));
        b.extend_from_slice(payload);
        frame(&b)
    };
    s.write_all(&send(&[131, 77, 0, 0, 0, 1, 3, 0xe0])).unwrap(); // <<7:3>>
    s.write_all(&send(&[131, 200, 1, 2])).unwrap();
    s.write_all(&reg_send("raw_sink", "after")).unwrap();
    let m = recv(|m| matches!(m.data, Term::BitStr(_)));
    assert_eq!(m.data, Term::bit_string(vec![0xe0], 3).unwrap());
    let m = recv(|m| matches!(m.data, Term::Atom(_)) && m.kind == Kind::Info);
    assert_eq!(m.data, atom("after"));
    actor::unregister("raw_sink");
}

/// A term as it goes on the wire, without its version byte.
fn ext(t: &Term) -> Vec<u8> {
    actor::__dist_fuzz::encode(t).unwrap()[1..].to_vec()
}

/// The next frame (not a tick) from the node, as its control tuple's
/// elements.
fn read_control(s: &mut TcpStream) -> Vec<Term> {
    loop {
        let mut len = [0; 4];
        s.read_exact(&mut len).unwrap();
        let mut body = vec![0; u32::from_be_bytes(len) as usize];
        s.read_exact(&mut body).unwrap();
        if body.is_empty() {
            continue;
        }
        assert_eq!(body[0], 112);
        let t = actor::__dist_fuzz::decode(&body[1..]).expect("a control tuple");
        return t.into_tuple().unwrap_or_else(|t| panic!("{t}"));
    }
}

/// A control message that reads but whose payload does not decode (bytes no
/// Erlang node writes) acts on its one process and keeps the connection:
/// an exit signal (EXIT2, EXIT, MONITOR_P_EXIT) still acts, with the reason
/// `{undecodable_reason, Why}`, and a spawn request is refused with
/// `badarg`. (These closed the connection.)
#[test]
fn undecodable_payloads_act_and_keep_the_connection() {
    let raw = "raw_payloads@localhost";
    let mut s = raw_connect_as(COOKIE, raw).expect("the right cookie is accepted");
    let sink = format!("raw_payload_sink{}", std::process::id());
    actor::register(&sink, actor::pid()).unwrap();
    // Not a term: an unknown tag.
    let bad = [131, 200, 1, 2];
    let undecodable = |m: &Message| match reason(m).into_tuple() {
        Ok(v) => v.len() == 2 && v[0] == atom("undecodable_reason") && matches!(v[1], Term::Str(_)),
        Err(_) => false,
    };
    let control = |items: Vec<Vec<u8>>, payload: &[u8]| {
        let mut b = vec![131, 104, items.len() as u8];
        for i in items {
            b.extend(i);
        }
        b.extend_from_slice(payload);
        frame(&b)
    };
    let int = |i: u8| vec![97, i];

    // EXIT2 (the payload form, 26) to a process that does not trap exits.
    let e = actor::spawn("EchoActor").unwrap();
    let r = actor::monitor(e);
    s.write_all(&control(
        vec![int(26), raw_pid_of(raw), ext(&Term::Pid(e))],
        &bad,
    ))
    .unwrap();
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert!(undecodable(&down), "{:?}", down.data);

    // EXIT (24) to a linked process: LINK (1) first.
    let e = actor::spawn("EchoActor").unwrap();
    let r = actor::monitor(e);
    s.write_all(&control(
        vec![int(1), raw_pid_of(raw), ext(&Term::Pid(e))],
        &[],
    ))
    .unwrap();
    s.write_all(&control(
        vec![int(24), raw_pid_of(raw), ext(&Term::Pid(e))],
        &bad,
    ))
    .unwrap();
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert!(undecodable(&down), "{:?}", down.data);

    // MONITOR_P_EXIT (28) for a monitor this node holds on a raw pid: the
    // node sends MONITOR_P (19), whose reference the DOWN names.
    let mut pid_bytes = vec![131];
    pid_bytes.extend(raw_pid_of(raw));
    let Some(Term::Pid(raw_pid)) = actor::__dist_fuzz::decode(&pid_bytes) else {
        panic!("a pid")
    };
    let r = actor::monitor(raw_pid);
    let monitor = read_control(&mut s);
    assert_eq!(monitor[0], Term::Int(19), "{monitor:?}");
    assert_eq!(monitor[3], Term::Ref(r));
    s.write_all(&control(
        vec![
            int(28),
            raw_pid_of(raw),
            ext(&Term::Pid(actor::pid())),
            ext(&monitor[3]),
        ],
        &bad,
    ))
    .unwrap();
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!(down.from, raw_pid);
    assert!(undecodable(&down), "{:?}", down.data);

    // SPAWN_REQUEST (29) whose arguments do not decode: SPAWN_REPLY (31)
    // with `badarg`.
    let req = Term::Ref(Ref::new());
    let mfa = Term::Tuple(vec![atom("EchoActor"), atom("start"), Term::Int(0)]);
    s.write_all(&control(
        vec![
            int(29),
            ext(&req),
            raw_pid_of(raw),
            raw_pid_of(raw),
            ext(&mfa),
            vec![106],
        ],
        &bad,
    ))
    .unwrap();
    let reply = read_control(&mut s);
    assert_eq!(reply[0], Term::Int(31), "{reply:?}");
    assert_eq!((&reply[1], &reply[4]), (&req, &atom("badarg")));

    // The connection is still up: a message on it arrives.
    s.write_all(&reg_send(&sink, "after_bad_payloads")).unwrap();
    let m = recv(|m| m.data == atom("after_bad_payloads"));
    assert_eq!(m.kind, Kind::Info);
    actor::unregister(&sink);
}

/// A call carrying a list nested 100 000 levels deep goes to a Rust node
/// and comes back intact: the codec keeps its place on the heap. (It was
/// refused past 256 levels, and the call waited out its timeout.)
#[test]
fn a_deep_term_crosses_and_comes_back() {
    let env = env();
    let deep = (0..100_000).fold(atom("bottom"), |t, _| Term::List(vec![t]));
    let reply = msg!(std(deep.clone()) >> ("peer_echo", env.peer.as_str()))
        .timeout(Duration::from_secs(60))
        .wait()
        .expect("the deep term comes back");
    assert!(reply.data == deep, "the deep term came back different");
}

/// The fuzz targets' seed corpus (`fuzz/seeds/<target>`): what OTP sends.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| {
            let f = f.unwrap();
            (
                f.file_name().to_string_lossy().into_owned(),
                std::fs::read(f.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no seeds in {}", dir.display());
    v
}

/// A stable-toolchain stand-in for `cargo fuzz`: every seed of the fuzz
/// targets' corpus decodes (and round-trips), and mutations of them and of
/// a few hand-made frames never panic the decoders. `ACTOR_MUTATIONS` sets
/// how many mutations each seed gets (CI runs more than the default).
#[test]
fn decoders_survive_mutated_input() {
    let rounds: usize = std::env::var("ACTOR_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let mut seeds: Vec<Vec<u8>> = vec![
        reg_send("name", "msg")[4..].to_vec(),
        frame(&[131, 104, 1, 97, 99])[4..].to_vec(),
    ];
    let mut t = vec![131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, b'k', 108, 0, 0, 0, 2];
    t.extend(raw_pid());
    t.extend_from_slice(&[90, 0, 3]);
    t.extend(atom_ext(RAW_NODE));
    t.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 106]);
    seeds.push(t);
    for (name, frame) in self::seeds("decode_frame") {
        assert!(
            actor::__dist_fuzz::decode_frame(&frame),
            "frame seed {name}"
        );
        seeds.push(frame);
    }
    for (name, term) in self::seeds("decode_term") {
        assert!(actor::__dist_fuzz::decode_term(&term), "term seed {name}");
        seeds.push(term);
    }
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rand = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for seed in &seeds {
        assert!(
            actor::__dist_fuzz::decode_frame(seed)
                || actor::__dist_fuzz::decode_term(seed)
                || seed[0] == 112
        );
        for _ in 0..rounds {
            let mut m = seed.clone();
            for _ in 0..1 + rand() % 4 {
                let i = (rand() as usize) % m.len();
                match rand() % 3 {
                    0 => m[i] = rand() as u8,
                    1 => m.truncate(i.max(1)),
                    _ => m.insert(i, rand() as u8),
                }
            }
            actor::__dist_fuzz::decode_frame(&m);
            actor::__dist_fuzz::decode_term(&m);
            if m.len() > 1 {
                actor::__dist_fuzz::decode_term(&m[1..]);
            }
        }
    }
}

/// Nodes lost again and again, each then called by name at once: the
/// redial fails within microseconds, sometimes before the call is recorded
/// on the connection. Every call must still end in `noconnection`, never
/// wait out its timeout (a failed connection once reopened itself).
#[test]
fn calls_to_a_node_just_lost_never_wait_out_their_timeout() {
    let env = env();
    for i in 0..30 {
        let name = format!("rust_lost{}_{i}@localhost", std::process::id());
        let os = spawn_peer(env.epmd_port, &name);
        let linked = actor::spawn_link_on(&name, "EchoActor").unwrap();
        kill_peer(os);
        let death = recv(|m| m.kind == Kind::Death && m.from == linked);
        assert_eq!(reason(&death), atom("noconnection"));
        let err = msg!(std(atom("x")) >> ("peer_echo", name.as_str()))
            .timeout(Duration::from_secs(20))
            .wait();
        assert_eq!(err, Err(CallError::Exit(atom("noconnection"))), "round {i}");
    }
}
