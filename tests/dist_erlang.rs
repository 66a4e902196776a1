//! Interop with a real Erlang/OTP node: every mapping of `actor::dist`, both
//! ways. Needs `erl` and `erlc` (Debian: `apt-get install -y erlang-base`);
//! without them the tests are skipped, unless `CI` is set, where they fail.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use actor::{msg, CallError, Kind, Message, Ref, Term};

const COOKIE: &str = "dist_erlang_test_cookie";
const WAIT: Duration = Duration::from_secs(10);

struct Env {
    /// The Erlang node running `dist_peer`.
    erl: String,
    /// This node.
    me: String,
    epmd_port: u16,
    ebin: std::path::PathBuf,
}

/// Erlang nodes started by the tests; their stdin is held open, and they
/// halt when it closes (when this test program ends).
static CHILDREN: Mutex<Vec<Child>> = Mutex::new(Vec::new());

fn have_erlang() -> bool {
    let ok = Command::new("erl")
        .args(["-noshell", "-eval", "halt()."])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `erl` is missing: install it (apt-get install -y erlang-base)"
        );
        eprintln!("skipped: no `erl` on PATH (apt-get install -y erlang-base)");
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts an Erlang node `name` with `cookie` running `dist_peer:start()`.
fn start_erl(env: &Env, name: &str, cookie: &str) -> u32 {
    start_erl_on(env, env.epmd_port, name, cookie)
}

/// As [`start_erl`], with the EPMD on `epmd_port`.
fn start_erl_on(env: &Env, epmd_port: u16, name: &str, cookie: &str) -> u32 {
    let mut child = Command::new("erl")
        .args(["-sname", name, "-setcookie", cookie, "-noshell", "-pa"])
        .arg(&env.ebin)
        .args(["-eval", "dist_peer:start(600)"])
        .env("ERL_EPMD_PORT", epmd_port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("erl starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "erl did not start: {line}");
    drain(out, name);
    let id = child.id();
    CHILDREN.lock().unwrap().push(child);
    id
}

/// Shows what a node writes from now on (its log, say) on stderr: a node
/// whose stdout is closed dies at its next write.
fn drain(out: BufReader<std::process::ChildStdout>, name: &str) {
    let name = name.to_owned();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            eprintln!("[{name}] {line}");
        }
    });
}

fn kill_erl(os_pid: u32) {
    let mut children = CHILDREN.lock().unwrap();
    if let Some(c) = children.iter_mut().find(|c| c.id() == os_pid) {
        c.kill().unwrap();
        c.wait().unwrap();
    }
}

/// The shared Rust node and Erlang node, or `None` (skip) without Erlang.
fn env() -> Option<&'static Env> {
    static ENV: OnceLock<Option<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        if !have_erlang() {
            return None;
        }
        let ebin = std::env::temp_dir().join(format!("actor_dist_erl_{}", std::process::id()));
        std::fs::create_dir_all(&ebin).unwrap();
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/erlang/dist_peer.erl");
        let st = Command::new("erlc")
            .arg("-o")
            .arg(&ebin)
            .arg(src)
            .status()
            .expect("erlc runs");
        assert!(st.success(), "erlc failed");
        // A private EPMD port: the Rust node serves EPMD in-process there and
        // the Erlang nodes register with it.
        let epmd_port = free_port();
        let tag = std::process::id();
        let me = format!("rust_t{tag}@localhost");
        actor::node::Node::builder(&me)
            .cookie(COOKIE)
            .epmd(([127, 0, 0, 1], epmd_port).into())
            .epmd_start(actor::node::EpmdStart::InProcess)
            .start()
            .expect("the Rust node starts");
        let env = Env {
            erl: format!("erl_t{tag}@localhost"),
            me,
            epmd_port,
            ebin,
        };
        start_erl(&env, &env.erl, COOKIE);
        actor::node::connect(&env.erl).expect("connects to erl");
        Some(env)
    })
    .as_ref()
}

fn atom(a: &'static str) -> Term {
    Term::atom(a)
}

fn tuple<const N: usize>(items: [Term; N]) -> Term {
    Term::Tuple(items.into())
}

fn echo(env: &Env, req: Term) -> Result<Message, CallError> {
    msg!(std(req) >> ("echo", env.erl.as_str())).wait()
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

/// An Info message whose data is a tuple starting with `tag`.
fn recv_tagged(tag: &'static str) -> Vec<Term> {
    let m = recv(|m| matches!(&m.data, Term::Tuple(v) if v.first() == Some(&atom(tag))));
    match m.data.into_tuple() {
        Ok(v) => v,
        Err(_) => unreachable!(),
    }
}

#[test]
fn rust_calls_an_erlang_gen_server() {
    let Some(env) = env() else { return };
    let reply = echo(env, atom("hello")).unwrap();
    assert_eq!(reply.kind, Kind::Std);
    assert_eq!(reply.data, atom("hello"));
    assert!(!reply.from.is_local());
}

#[test]
fn terms_pids_and_refs_survive_a_round_trip() {
    let Some(env) = env() else { return };
    let t = tuple([
        Term::Int(-5),
        Term::Int(1 << 40),
        Term::Int(i64::MIN),
        Term::Str("héllo".into()),
        Term::Bytes(vec![0xff, 0, 1]),
        Term::List(vec![Term::Int(1), atom("a"), Term::List(vec![])]),
        Term::from_iter([("k", Term::Int(1))]),
        Term::Pid(actor::pid()),
        Term::Ref(Ref::new()),
        Term::Bool(true),
        Term::Nil,
    ]);
    assert_eq!(echo(env, t.clone()).unwrap().data, t);
    // Erlang's own pids and refs come back unchanged too.
    let theirs = echo(env, atom("make_ref")).unwrap().data;
    let Term::Tuple(v) = &theirs else { panic!() };
    assert!(matches!((&v[0], &v[1]), (Term::Ref(_), Term::Pid(p)) if !p.is_local()));
    assert_eq!(echo(env, theirs.clone()).unwrap().data, theirs);
}

#[test]
fn erlang_calls_a_rust_actor() {
    let Some(env) = env() else { return };
    let echo_pid = actor::spawn("EchoActor").unwrap();
    actor::register("rust_echo_call", echo_pid).unwrap();
    let req = tuple([
        atom("call_back"),
        atom("rust_echo_call"),
        Term::Atom(env.me.as_str().into()),
        tuple([atom("ping"), Term::Int(1)]),
    ]);
    assert_eq!(
        echo(env, req).unwrap().data,
        tuple([atom("ping"), Term::Int(1)])
    );
}

#[test]
fn casts_and_plain_messages_arrive_as_std_and_info() {
    let Some(env) = env() else { return };
    actor::register("rust_sink", actor::pid()).unwrap();
    let node = Term::Atom(env.me.as_str().into());
    let cast = tuple([atom("cast_to"), atom("rust_sink"), node.clone(), atom("hi")]);
    assert_eq!(echo(env, cast).unwrap().data, atom("ok"));
    let m = recv(|m| m.data == atom("hi"));
    assert_eq!((m.kind, m.reference), (Kind::Std, None));
    let info = tuple([atom("info_to"), atom("rust_sink"), node, atom("there")]);
    echo(env, info).unwrap();
    let m = recv(|m| m.data == atom("there"));
    assert_eq!(m.kind, Kind::Info);
    // and the other way: a plain send to an Erlang pid
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    msg!(info(tuple([atom("ping"), Term::Pid(actor::pid())])) > w);
    let pong = recv_tagged("pong");
    assert_eq!(pong[1], Term::Pid(w));
    actor::unregister("rust_sink");
}

#[test]
fn links_break_both_ways() {
    let Some(env) = env() else { return };
    // Rust links to an Erlang process that dies.
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    actor::link(w);
    msg!(info(tuple([atom("die"), atom("boom")])) > w);
    let death = recv(|m| m.kind == Kind::Death && m.from == w);
    assert_eq!(reason(&death), atom("boom"));

    // Erlang links to a Rust actor that is killed.
    let e = actor::spawn("EchoActor").unwrap();
    let req = tuple([atom("link_watch"), Term::Pid(e), Term::Pid(actor::pid())]);
    echo(env, req).unwrap();
    recv_tagged("linked");
    actor::kill(e);
    let seen = recv_tagged("exit_seen");
    assert_eq!(seen[1..], [Term::Pid(e), atom("killed")]);

    // A linked Erlang process that is unlinked first does not take us down.
    let w = actor::spawn_link_on(&env.erl, "dist_peer:waiter").unwrap();
    actor::unlink(w);
    msg!(info(tuple([atom("die"), atom("quiet")])) > w);
    assert!(actor::receive_match_timeout(
        |m| m.kind == Kind::Death && m.from == w,
        Duration::from_millis(500)
    )
    .is_none());
}

#[test]
fn monitors_report_both_ways() {
    let Some(env) = env() else { return };
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    let r = actor::monitor(w);
    msg!(info(tuple([atom("die"), atom("bye")])) > w);
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!((down.from, reason(&down)), (w, atom("bye")));
    // a dead Erlang process: noproc
    let r = actor::monitor(w);
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!(reason(&down), atom("noproc"));

    let e = actor::spawn("EchoActor").unwrap();
    let req = tuple([atom("monitor_watch"), Term::Pid(e), Term::Pid(actor::pid())]);
    echo(env, req).unwrap();
    recv_tagged("monitoring");
    actor::exit(e, atom("shutdown"));
    let seen = recv_tagged("down_seen");
    assert_eq!(seen[1..], [Term::Pid(e), atom("shutdown")]);
}

#[test]
fn exit_signals_cross() {
    let Some(env) = env() else { return };
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    let r = actor::monitor(w);
    actor::kill(w);
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!(reason(&down), atom("killed"));

    let e = actor::spawn("EchoActor").unwrap();
    let r = actor::monitor(e);
    echo(
        env,
        tuple([atom("exit_signal"), Term::Pid(e), atom("stop_now")]),
    )
    .unwrap();
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!(reason(&down), atom("stop_now"));
}

#[test]
fn spawns_cross_both_ways() {
    let Some(env) = env() else { return };
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    assert!(!w.is_local());
    let reply = msg!(std(atom("x")) >> w).wait().unwrap();
    assert_eq!(reply.data, tuple([atom("waiter"), atom("x")]));

    let node = Term::Atom(env.me.as_str().into());
    for args in [Term::List(vec![]), Term::List(vec![Term::Int(42)])] {
        let req = tuple([atom("spawn_on"), node.clone(), atom("EchoActor"), args]);
        let Term::Pid(p) = echo(env, req).unwrap().data else {
            panic!("no pid")
        };
        assert!(p.is_local() && actor::is_alive(p));
        assert_eq!(msg!(std(7) >> p).wait().unwrap().data, Term::Int(7));
    }

    let req = tuple([
        atom("spawn_link_watch"),
        node,
        atom("EchoActor"),
        Term::Pid(actor::pid()),
    ]);
    echo(env, req).unwrap();
    let Term::Pid(p) = recv_tagged("spawned")[1] else {
        panic!()
    };
    actor::kill(p);
    let seen = recv_tagged("exit_seen");
    assert_eq!(seen[1..], [Term::Pid(p), atom("killed")]);

    let err = actor::spawn_on(&env.me.replace("rust_t", "nobody_t"), "EchoActor");
    assert!(err.is_err());
}

#[test]
fn calls_fail_like_gen_server_calls() {
    let Some(env) = env() else { return };
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    let err = msg!(std(tuple([atom("die"), atom("boom")])) >> w).wait();
    assert_eq!(err, Err(CallError::Exit(atom("boom"))));
    let err = msg!(std(atom("x")) >> w).wait();
    assert_eq!(err, Err(CallError::NoProcess));
    let err = msg!(std(atom("x")) >> ("no_such_name", env.erl.as_str())).wait();
    assert_eq!(err, Err(CallError::NoProcess));
}

#[test]
fn a_wrong_cookie_is_a_clear_error() {
    let Some(env) = env() else { return };
    let name = format!("erl_badcookie_{}@localhost", std::process::id());
    let os = start_erl(env, &name, "not_the_cookie");
    let err = actor::node::connect(&name).unwrap_err().to_string();
    assert!(err.contains("cookie"), "{err}");
    // and the node's other connections are fine
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
    kill_erl(os);
}

#[test]
fn a_lost_connection_gives_noconnection() {
    let Some(env) = env() else { return };
    let name = format!("erl_lost_{}@localhost", std::process::id());
    let os = start_erl(env, &name, COOKIE);
    let linked = actor::spawn_link_on(&name, "dist_peer:waiter").unwrap();
    let monitored = actor::spawn_on(&name, "dist_peer:waiter").unwrap();
    let r = actor::monitor(monitored);
    let hung = actor::spawn_on(&name, "dist_peer:waiter").unwrap();
    let caller = std::thread::spawn(move || {
        msg!(std(atom("hang")) >> hung)
            .timeout(Duration::from_secs(30))
            .wait()
    });
    std::thread::sleep(Duration::from_millis(500));
    kill_erl(os);
    let death = recv(|m| m.kind == Kind::Death && m.from == linked);
    assert_eq!(reason(&death), atom("noconnection"));
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert_eq!(reason(&down), atom("noconnection"));
    assert_eq!(
        caller.join().unwrap(),
        Err(CallError::Exit(atom("noconnection")))
    );
    assert!(!actor::node::nodes().contains(&name));
}

// ---- Issue 14 ----------------------------------------------------------

use actor::actor;

/// Answers a `std` call after `data["sleep"]` milliseconds, with the data.
#[derive(Default)]
struct Slow;

#[actor]
impl Slow {
    async fn std(&mut self, data: Term) -> Term {
        let ms = match &data {
            Term::Tuple(v) if v.first() == Some(&atom("sleep")) => v[1].as_int().unwrap_or(0),
            _ => 0,
        };
        tokio::time::sleep(Duration::from_millis(ms as u64)).await;
        data
    }
}

/// Answers every `std` call with a float Erlang cannot hold.
#[derive(Default)]
struct NanReplier;

#[actor]
impl NanReplier {
    fn std(&mut self) -> f64 {
        f64::NAN
    }
}

/// `M:F(A...)` run on the Erlang node `node` (with `Timeout` ms):
/// `{ok, Result}`, `{Class, Reason}`, or `timeout`.
fn apply_on(node: &str, m: &'static str, f: &'static str, args: Vec<Term>, ms: i64) -> Term {
    let req = tuple([
        atom("apply"),
        atom(m),
        atom(f),
        Term::List(args),
        Term::Int(ms),
    ]);
    msg!(std(req) >> ("echo", node))
        .timeout(Duration::from_millis(ms as u64 + 5000))
        .wait()
        .expect("the Erlang node answers")
        .data
}

/// The `{ok, Result}` of [`apply_on`], or a panic naming what came instead.
fn ok(t: Term) -> Term {
    match t.into_tuple() {
        Ok(mut v) if v.len() == 2 && v[0] == atom("ok") => v.pop().unwrap(),
        other => panic!("expected {{ok, _}}, got {other:?}"),
    }
}

fn node_atom(name: &str) -> Term {
    Term::Atom(name.into())
}

/// Item 2: funs, ports, bignums, improper lists, bit strings, refs and
/// pids from Erlang come back to it unchanged, through this node's codec
/// and through a Rust actor that Erlang calls.
#[test]
fn every_erlang_term_survives_a_round_trip() {
    let Some(env) = env() else { return };
    let terms = echo(env, atom("make_terms")).unwrap().data;
    let Term::Tuple(v) = &terms else {
        panic!("{terms}")
    };
    assert!(matches!(&v[0], Term::Opaque(o) if o.kind() == actor::OpaqueKind::Fun));
    assert!(matches!(&v[1], Term::Opaque(o) if o.kind() == actor::OpaqueKind::Fun));
    assert!(matches!(&v[2], Term::Opaque(o) if o.kind() == actor::OpaqueKind::Port));
    assert_eq!(v[3].to_string(), (1u128 << 100).to_string());
    assert_eq!(v[4], Term::from(-(1i128 << 70)));
    assert_eq!(v[5].to_string(), "[a, b | c]");
    assert_eq!(v[6], Term::bit_string(vec![1, 0x40], 11).unwrap());
    assert_eq!(v[9], Term::atom("é"));
    let same = echo(env, tuple([atom("same_terms"), terms.clone()])).unwrap();
    assert_eq!(same.data, Term::Bool(true));

    let e = actor::spawn("EchoActor").unwrap();
    actor::register("rust_echo_terms", e).unwrap();
    let req = tuple([
        atom("echo_back"),
        atom("rust_echo_terms"),
        node_atom(&env.me),
    ]);
    assert_eq!(echo(env, req).unwrap().data, Term::Bool(true));
}

/// Item 2: an exit reason carrying a fun, a bignum and an improper list
/// reaches the linked Rust process; the connection and everything else
/// across it stay.
#[test]
fn exit_reasons_of_any_term_keep_the_connection() {
    let Some(env) = env() else { return };
    let terms = echo(env, atom("make_terms")).unwrap().data;
    let watched = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    let r = actor::monitor(watched);
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    actor::link(w);
    let why = tuple([terms[1].clone(), terms[3].clone(), terms[5].clone()]);
    msg!(info(tuple([atom("die"), why.clone()])) > w);
    let death = recv(|m| m.kind == Kind::Death && m.from == w);
    assert_eq!(reason(&death), why);
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
    assert!(actor::receive_match_timeout(
        |m| m.kind == Kind::Down && m.reference == Some(r),
        Duration::from_millis(300)
    )
    .is_none());
    assert!(actor::node::nodes().contains(&env.erl));
}

/// `{{...{x}...}}`, `n` levels deep.
fn deep_tuple(n: usize) -> Term {
    (0..n).fold(atom("x"), |t, _| tuple([t]))
}

/// Terms nested deeper than the 256 levels the codec once took: an exit
/// signal from Erlang with a 300-level reason reaches the monitored Rust
/// process as it was sent and closes nothing (it dropped the connection,
/// and every link and monitor across it fired `noconnection`); such a term
/// and a 100 000-level one cross both ways, and a `gen_server:call` from
/// Erlang to a Rust actor gets its 300-level request back intact.
#[test]
fn deep_terms_cross_and_keep_the_connection() {
    let Some(env) = env() else { return };
    let deep = deep_tuple(300);
    let watched = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    let other = actor::monitor(watched);
    let e = actor::spawn("EchoActor").unwrap();
    let r = actor::monitor(e);
    let req = tuple([atom("deep_exit"), Term::Pid(e), Term::Int(300)]);
    assert_eq!(echo(env, req).unwrap().data, atom("ok"));
    let down = recv(|m| m.kind == Kind::Down && m.reference == Some(r));
    assert!(reason(&down) == deep, "the reason came different");
    // The connection stayed: calls go on, the other monitor holds.
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
    assert!(actor::receive_match_timeout(
        |m| m.kind == Kind::Down && m.reference == Some(other),
        Duration::from_millis(300)
    )
    .is_none());
    assert!(actor::node::nodes().contains(&env.erl));

    // Erlang's term comes as Erlang built it.
    let got = echo(env, tuple([atom("deep"), Term::Int(300)])).unwrap();
    assert!(got.data == deep, "the deep term came different");
    // Erlang calls a Rust echo with it, and gets it back the same.
    let e = actor::spawn("EchoActor").unwrap();
    actor::register("rust_echo_deep", e).unwrap();
    let req = tuple([
        atom("deep_call"),
        atom("rust_echo_deep"),
        node_atom(&env.me),
        Term::Int(300),
    ]);
    let same = echo(env, req).unwrap().data;
    assert_eq!(same, tuple([atom("ok"), Term::Bool(true)]));
    // 100 000 levels of lists, to Erlang's echo and back.
    let deeper = (0..100_000).fold(atom("bottom"), |t, _| Term::List(vec![t]));
    let back = msg!(std(deeper.clone()) >> ("echo", env.erl.as_str()))
        .timeout(Duration::from_secs(30))
        .wait()
        .expect("the deep term comes back");
    assert!(back.data == deeper, "the deep term came back different");
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
}

/// Item 2: `spawn(RustNode, Fun)` gives a pid that exits (a Rust node runs
/// no Erlang code) and closes nothing.
#[test]
fn spawning_a_fun_on_a_rust_node_keeps_the_connection() {
    let Some(env) = env() else { return };
    let out = ok(echo(env, tuple([atom("spawn_fun"), node_atom(&env.me)]))
        .unwrap()
        .data);
    let (Term::Pid(p), why) = (&out[0], &out[1]) else {
        panic!("{out}")
    };
    assert!(p.is_local());
    assert_eq!(why[0], atom("undef"), "{why}");
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
}

/// Item 2: a float Erlang cannot hold, or a local value, is an error where
/// Rust sends it (a call fails with `CallError::Encode`; a send is dropped
/// with a warning) and never reaches the wire, where OTP would drop the
/// connection as a corrupted term.
#[test]
fn unencodable_terms_fail_at_the_send_site() {
    let Some(env) = env() else { return };
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    actor::link(w);
    for bad in [
        Term::Float(f64::NAN),
        Term::list([Term::Float(f64::INFINITY)]),
        Term::tuple([Term::local(7u8)]),
    ] {
        let err = echo(env, bad.clone()).unwrap_err();
        assert!(matches!(&err, CallError::Encode(_)), "{err:?}");
        assert!(err.to_string().contains("another node"), "{err}");
        msg!(info(bad.clone()) > w);
        msg!(std(bad) > ("echo", env.erl.as_str()));
    }
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
    msg!(info(tuple([atom("ping"), Term::Pid(actor::pid())])) > w);
    recv_tagged("pong");
    assert!(actor::receive_match_timeout(
        |m| m.kind == Kind::Death && m.from == w,
        Duration::from_millis(300)
    )
    .is_none());
}

/// Item 2: a reply Erlang cannot hold fails the Erlang caller's
/// `gen_server:call` at once (as a crashed server would), rather than
/// leaving it to time out; the connection stays.
#[test]
fn an_unencodable_reply_fails_the_erlang_call() {
    let Some(env) = env() else { return };
    let n = actor::spawn(NanReplier).unwrap();
    actor::register("rust_nan", n).unwrap();
    let target = tuple([atom("rust_nan"), node_atom(&env.me)]);
    let req = tuple([
        atom("call_and_wait"),
        target,
        atom("x"),
        Term::Int(3000),
        Term::Int(0),
    ]);
    let started = std::time::Instant::now();
    let out = ok(echo(env, req).unwrap().data);
    assert!(started.elapsed() < Duration::from_secs(2), "it timed out");
    // {'EXIT', {{badarg, "…"}, {gen_server, call, …}}}
    let exit = &out[0];
    assert_eq!(exit[0], atom("EXIT"), "{out}");
    assert_eq!(exit[1][0][0], atom("badarg"), "{out}");
    assert!(actor::is_alive(n));
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
}

/// Item 3: after an Erlang caller's timeout, the Rust actor's reply is
/// dropped (it goes to the caller's alias, which is no longer active), not
/// left in the caller's mailbox as `{[alias|Ref], Reply}`.
#[test]
fn late_replies_never_reach_erlang_mailboxes() {
    let Some(env) = env() else { return };
    let s = actor::spawn(Slow).unwrap();
    actor::register("rust_slow_late", s).unwrap();
    let target = tuple([atom("rust_slow_late"), node_atom(&env.me)]);
    let sleep = tuple([atom("sleep"), Term::Int(300)]);
    let req = tuple([
        atom("call_and_wait"),
        target,
        sleep,
        Term::Int(100),
        Term::Int(700),
    ]);
    let out = ok(echo(env, req).unwrap().data);
    assert_eq!(out[0][0], atom("EXIT"), "{out}");
    assert_eq!(out[0][1][0], atom("timeout"), "{out}");
    assert_eq!(out[1], Term::List(vec![]), "the mailbox after the timeout");
    // The actor is fine and answers the next call in time.
    let target = tuple([atom("rust_slow_late"), node_atom(&env.me)]);
    let req = tuple([
        atom("call_and_wait"),
        target,
        atom("x"),
        Term::Int(2000),
        Term::Int(0),
    ]);
    assert_eq!(
        ok(echo(env, req).unwrap().data),
        tuple([atom("x"), Term::List(vec![])])
    );
}

/// Item 3: a reply to a call made on a connection that is gone is dropped
/// when the node reconnects, not delivered as a fake `'$gen_call'`.
#[test]
fn replies_across_a_reconnect_are_dropped() {
    let Some(env) = env() else { return };
    let name = format!("erl_reconnect_{}@localhost", std::process::id());
    let os = start_erl(env, &name, COOKIE);
    actor::node::connect(&name).unwrap();
    let s = actor::spawn(Slow).unwrap();
    actor::register("rust_slow_reconnect", s).unwrap();
    let target = tuple([atom("rust_slow_reconnect"), node_atom(&env.me)]);
    let req = tuple([
        atom("call_then_wait"),
        target,
        tuple([atom("sleep"), Term::Int(1500)]),
        Term::Int(10_000),
        Term::Pid(actor::pid()),
    ]);
    let Term::Pid(caller) = msg!(std(req) >> ("echo", name.as_str()))
        .wait()
        .unwrap()
        .data
    else {
        panic!("no caller pid")
    };
    std::thread::sleep(Duration::from_millis(300));
    assert!(actor::node::disconnect(&name));
    let ended = recv_tagged("call_ended");
    assert_eq!(ended[1], Term::Pid(caller));
    assert_eq!(ended[2][0], atom("EXIT"), "{}", ended[2]);
    actor::node::connect(&name).unwrap();
    // The actor replies at 1.5 s, on the new connection.
    std::thread::sleep(Duration::from_millis(1700));
    msg!(info(atom("go")) > caller);
    let mailbox = recv_tagged("mailbox");
    assert_eq!(mailbox[2], Term::List(vec![]), "the caller's mailbox");
    kill_erl(os);
}

/// Answers every `std` call with an `err` reply.
#[derive(Default)]
struct Refuser;

#[actor]
impl Refuser {
    fn std(&mut self, data: Term) -> Result<Term, Term> {
        Err(tuple([atom("nope"), data]))
    }
}

/// Counts its calls; its state prints with `Debug`.
#[derive(Debug, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    fn std(&mut self) -> i64 {
        self.count += 1;
        self.count
    }
}

/// Runs as another Rust node when a test starts this program as a child
/// (`spawn_child`): options in `ACTOR_TEST_CHILD_OPTS`, comma-separated
/// (`visible`, `err_exits`, `connect=NODE`).
#[test]
fn zz_rust_child() {
    let Ok(name) = std::env::var("ACTOR_TEST_CHILD") else {
        return;
    };
    let port: u16 = std::env::var("ACTOR_TEST_CHILD_EPMD")
        .unwrap()
        .parse()
        .unwrap();
    let opts = std::env::var("ACTOR_TEST_CHILD_OPTS").unwrap_or_default();
    let opts: Vec<&str> = opts.split(',').collect();
    let epmd_start = if opts.contains(&"standalone") {
        actor::node::EpmdStart::Standalone
    } else {
        actor::node::EpmdStart::InProcess
    };
    let mut b = actor::node::Node::builder(&name)
        .cookie(COOKIE)
        .epmd(([127, 0, 0, 1], port).into())
        .epmd_start(epmd_start);
    if opts.contains(&"visible") {
        b = b.hidden(false);
    }
    if opts.contains(&"err_exits") {
        b = b.handler_errors(actor::node::HandlerErrors::Exit);
    }
    b.start().unwrap();
    actor::register("child_err", actor::spawn(Refuser).unwrap()).unwrap();
    actor::node::register_function("child", "nodes", |_| {
        Ok(Term::list(
            actor::node::nodes()
                .into_iter()
                .map(|n| Term::Atom(n.into())),
        ))
    });
    for o in &opts {
        if let Some(node) = o.strip_prefix("connect=") {
            actor::node::connect(node).unwrap();
        }
    }
    println!("ready");
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    std::process::exit(0);
}

/// Starts this program again as the Rust node `name` with `opts` (see
/// `zz_rust_child`), on the tests' EPMD; its OS pid.
fn spawn_child(env: &Env, name: &str, opts: &str) -> u32 {
    spawn_child_on(env.epmd_port, name, opts, None)
}

/// As [`spawn_child`], with the EPMD on `epmd_port` and, if given, `path`
/// as the child's `PATH`.
fn spawn_child_on(epmd_port: u16, name: &str, opts: &str, path: Option<&str>) -> u32 {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "zz_rust_child",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("ACTOR_TEST_CHILD", name)
    .env("ACTOR_TEST_CHILD_EPMD", epmd_port.to_string())
    .env("ACTOR_TEST_CHILD_OPTS", opts)
    .stdin(Stdio::piped())
    .stdout(Stdio::piped());
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let mut child = cmd.spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.trim().ends_with("ready") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the child node did not start"
        );
    }
    drain(out, name);
    let id = child.id();
    CHILDREN.lock().unwrap().push(child);
    id
}

/// Item 1: `net_adm:ping/1` answers `pong` (`net_kernel` says `yes` to
/// `is_auth`), and nothing across the connection is lost.
#[test]
fn net_adm_ping_answers_pong_and_keeps_the_connection() {
    let Some(env) = env() else { return };
    let w = actor::spawn_on(&env.erl, "dist_peer:waiter").unwrap();
    actor::link(w);
    let pong = apply_on(&env.erl, "net_adm", "ping", vec![node_atom(&env.me)], 5000);
    assert_eq!(ok(pong), atom("pong"));
    assert!(actor::receive_match_timeout(
        |m| m.kind == Kind::Death && m.from == w,
        Duration::from_millis(300)
    )
    .is_none());
    assert!(actor::node::nodes().contains(&env.erl));
    msg!(info(tuple([atom("ping"), Term::Pid(actor::pid())])) > w);
    recv_tagged("pong");
}

/// Item 1: `rpc:call`, `erpc:call`, `rpc:multicall`, `rpc:cast` and calls
/// to `rex` run registered Rust functions and answer anything else as an
/// Erlang node without that module does, at once.
#[test]
fn rpc_and_erpc_answer_as_an_erlang_node_does() {
    let Some(env) = env() else { return };
    actor::node::register_function("rust_test", "add", |args| match args.as_slice() {
        [Term::Int(a), Term::Int(b)] => Ok(Term::Int(a + b)),
        _ => Err(atom("badarg")),
    });
    let sink = actor::pid();
    actor::node::register_function("rust_test", "tell", move |args| {
        msg!(info(tuple([atom("told"), Term::List(args)])) > sink);
        Ok(atom("ok"))
    });
    let me = node_atom(&env.me);
    let erl = node_atom(&env.erl);
    let rpc = |f: &'static str, args: Vec<Term>| apply_on(&env.erl, "rpc", f, args, 5000);
    let nil = || Term::List(vec![]);
    assert_eq!(
        ok(rpc(
            "call",
            vec![me.clone(), atom("erlang"), atom("node"), nil()]
        )),
        me
    );
    let three = rpc(
        "call",
        vec![
            me.clone(),
            atom("rust_test"),
            atom("add"),
            Term::list([1, 2]),
        ],
    );
    assert_eq!(ok(three), Term::Int(3));
    let undef = rpc(
        "call",
        vec![me.clone(), atom("nomod"), atom("nofun"), Term::list([1])],
    );
    assert_eq!(
        ok(undef).to_string(),
        "{badrpc, {'EXIT', {undef, [{nomod, nofun, [1], []}]}}}"
    );
    let bad = rpc(
        "call",
        vec![me.clone(), atom("rust_test"), atom("add"), nil()],
    );
    assert_eq!(ok(bad)[1][1][0], atom("badarg"));
    let multi = rpc(
        "multicall",
        vec![
            Term::list([me.clone(), erl.clone()]),
            atom("erlang"),
            atom("node"),
            nil(),
        ],
    );
    assert_eq!(ok(multi), tuple([Term::list([me.clone(), erl]), nil()]));
    // erpc raises what the function raised
    let erpc = apply_on(
        &env.erl,
        "erpc",
        "call",
        vec![me.clone(), atom("nomod"), atom("nofun"), nil()],
        5000,
    );
    assert_eq!(
        erpc.to_string(),
        "{error, {exception, undef, [{nomod, nofun, [], []}]}}"
    );
    let five = apply_on(
        &env.erl,
        "erpc",
        "call",
        vec![
            me.clone(),
            atom("rust_test"),
            atom("add"),
            Term::list([2, 3]),
        ],
        5000,
    );
    assert_eq!(ok(five), Term::Int(5));
    // a cast runs the function: not a `true` that ran nothing
    assert_eq!(
        ok(rpc(
            "cast",
            vec![
                me.clone(),
                atom("rust_test"),
                atom("tell"),
                Term::list(["hi"])
            ]
        )),
        Term::Bool(true)
    );
    let told = recv_tagged("told");
    assert_eq!(told[1], Term::list(["hi"]));
    // `rex` itself, as old nodes and `rpc:block_call` use it
    let req = tuple([
        atom("call"),
        atom("rust_test"),
        atom("add"),
        Term::list([4, 5]),
        Term::Pid(actor::pid()),
    ]);
    let rex = apply_on(
        &env.erl,
        "gen_server",
        "call",
        vec![tuple([atom("rex"), me]), req, Term::Int(5000)],
        5000,
    );
    assert_eq!(ok(rex), Term::Int(9));
}

/// Item 1: `sys:get_state/2` and `sys:get_status/2` answer for a Rust actor
/// (its state as its `Debug` prints it) instead of timing out.
#[test]
fn sys_get_state_and_status_answer_for_actors() {
    let Some(env) = env() else { return };
    let c = actor::spawn(Counter::default()).unwrap();
    actor::register("rust_counter_sys", c).unwrap();
    msg!(std >> c).wait().unwrap();
    let sys =
        |f: &'static str, t: Term| apply_on(&env.erl, "sys", f, vec![t, Term::Int(2000)], 3000);
    assert_eq!(
        ok(sys("get_state", Term::Pid(c))),
        Term::from("Counter { count: 1 }")
    );
    // by name on the node, as `sys` tools address it
    let by_name = tuple([atom("rust_counter_sys"), node_atom(&env.me)]);
    assert_eq!(
        ok(sys("get_state", by_name)),
        Term::from("Counter { count: 1 }")
    );
    let status = ok(sys("get_status", Term::Pid(c)));
    assert_eq!(status[0], atom("status"));
    assert_eq!(status[1], Term::Pid(c));
    assert_eq!(status[2], tuple([atom("module"), atom("gen_server")]));
    assert!(
        status.to_string().contains("Counter { count: 1 }"),
        "{status}"
    );
    // an actor without `Debug` says so, at once
    let n = actor::spawn(NanReplier).unwrap();
    let e = sys("get_state", Term::Pid(n));
    assert_eq!(e[0], atom("error"), "{e}");
    assert_eq!(e[1][0], atom("no_debug_state"), "{e}");
    // what is not implemented is an error reply, as a gen_server gives
    let suspended = ok(apply_on(
        &env.erl,
        "sys",
        "suspend",
        vec![Term::Pid(c), Term::Int(2000)],
        3000,
    ));
    assert_eq!(
        suspended.to_string(),
        "{error, {unknown_system_msg, suspend}}"
    );
    assert_eq!(msg!(std >> c).wait().unwrap().data, Term::Int(2));
}

/// Item 5: `spawn(RustNode, 'NoSuchActor', f, Args)` returns a pid that
/// exits with `undef`, as on an Erlang node; a link carries the exit.
#[test]
fn spawning_an_unknown_actor_gives_a_pid_that_exits_undef() {
    let Some(env) = env() else { return };
    let me = node_atom(&env.me);
    let req = tuple([
        atom("spawn_down"),
        me.clone(),
        atom("NoSuchActor"),
        atom("f"),
        Term::list([1]),
    ]);
    let out = ok(echo(env, req).unwrap().data);
    assert!(matches!(&out[0], Term::Pid(p) if p.is_local()), "{out}");
    assert_eq!(out[1].to_string(), "{undef, [{'NoSuchActor', f, [1], []}]}");
    let req = tuple([
        atom("spawn_link_exit"),
        me.clone(),
        atom("NoSuchActor"),
        atom("f"),
        Term::List(vec![]),
    ]);
    let out = ok(echo(env, req).unwrap().data);
    assert_eq!(out[1].to_string(), "{undef, [{'NoSuchActor', f, [], []}]}");
    // a registered function runs as the process, which ends `normal`
    actor::node::register_function("rust_test", "noop", |_| Ok(atom("ok")));
    let req = tuple([
        atom("spawn_down"),
        me,
        atom("rust_test"),
        atom("noop"),
        Term::List(vec![]),
    ]);
    assert_eq!(ok(echo(env, req).unwrap().data)[1], atom("normal"));
    assert_eq!(echo(env, atom("still")).unwrap().data, atom("still"));
}

/// Item 5: a handler's `Err` reaches an Erlang `gen_server:call` as the
/// value `{'$actor_msg', err, Reason}`, or, on a node built with
/// `HandlerErrors::Exit`, as an exit of the call; the actor lives on.
#[test]
fn handler_errors_reach_erlang_as_a_value_or_an_exit() {
    let Some(env) = env() else { return };
    let r = actor::spawn(Refuser).unwrap();
    actor::register("rust_refuser", r).unwrap();
    let call = |target: Term| {
        let req = tuple([
            atom("call_and_wait"),
            target,
            atom("x"),
            Term::Int(3000),
            Term::Int(0),
        ]);
        ok(echo(env, req).unwrap().data)
    };
    let out = call(tuple([atom("rust_refuser"), node_atom(&env.me)]));
    assert_eq!(out[0].to_string(), "{'$actor_msg', err, {nope, x}}");

    let child = format!("rust_child_err_{}@localhost", std::process::id());
    let os = spawn_child(env, &child, "err_exits");
    for _ in 0..2 {
        let out = call(tuple([atom("child_err"), node_atom(&child)]));
        // {'EXIT', {{nope, x}, {gen_server, call, [...]}}}
        assert_eq!(out[0][0], atom("EXIT"), "{out}");
        assert_eq!(out[0][1][0].to_string(), "{nope, x}", "{out}");
        assert_eq!(out[0][1][1][0], atom("gen_server"), "{out}");
    }
    kill_erl(os);
}

/// Item 4: with a visible Rust node connected, `global:sync()` returns on
/// every Erlang node, the Erlang nodes mesh with the Rust node as
/// `dist_auto_connect` expects, and `global` names register across all
/// three (the Rust node answers the locks and registrations).
#[test]
fn a_visible_rust_node_takes_part_in_global() {
    let Some(env) = env() else { return };
    let tag = std::process::id();
    let e2 = format!("erl_global_{tag}@localhost");
    let os_e2 = start_erl(env, &e2, COOKIE);
    let e1 = env.erl.as_str();
    assert_eq!(
        ok(apply_on(e1, "net_adm", "ping", vec![node_atom(&e2)], 5000)),
        atom("pong")
    );
    let r2 = format!("rust_visible_{tag}@localhost");
    let os_r2 = spawn_child(env, &r2, &format!("visible,connect={e1}"));

    for node in [e1, e2.as_str()] {
        let synced = apply_on(node, "global", "sync", vec![], 8000);
        assert_eq!(
            synced,
            tuple([atom("ok"), atom("ok")]),
            "global:sync() on {node}"
        );
    }
    // E2 never dialed the Rust node: global made them meet.
    let meshed = tuple([atom("wait_node"), node_atom(&r2), Term::Int(5000)]);
    let meshed = msg!(std(meshed) >> ("echo", e2.as_str()))
        .timeout(Duration::from_secs(10))
        .wait()
        .unwrap();
    assert_eq!(meshed.data, Term::Bool(true), "{e2} connected to {r2}");
    let seen = apply_on(
        e1,
        "rpc",
        "call",
        vec![
            node_atom(&r2),
            atom("child"),
            atom("nodes"),
            Term::List(vec![]),
        ],
        5000,
    );
    let seen = ok(seen);
    assert!(
        seen.as_list()
            .is_some_and(|l| l.contains(&node_atom(e1)) && l.contains(&node_atom(&e2))),
        "{seen}"
    );

    // A global name registered on E1 (through the Rust node's locks) is
    // known on E2.
    let echo_e1 = ok(apply_on(e1, "erlang", "whereis", vec![atom("echo")], 2000));
    let name = atom("t14_global_echo");
    let yes = apply_on(
        e1,
        "global",
        "register_name",
        vec![name.clone(), echo_e1.clone()],
        8000,
    );
    assert_eq!(ok(yes), atom("yes"));
    assert_eq!(
        ok(apply_on(
            &e2,
            "global",
            "whereis_name",
            vec![name.clone()],
            2000
        )),
        echo_e1
    );
    assert_eq!(
        ok(apply_on(e1, "global", "unregister_name", vec![name], 8000)),
        atom("ok")
    );
    for node in [e1, e2.as_str()] {
        assert_eq!(
            apply_on(node, "global", "sync", vec![], 8000),
            tuple([atom("ok"), atom("ok")])
        );
    }
    kill_erl(os_r2);
    kill_erl(os_e2);
}

/// What `epmd -names` prints for the EPMD on `port`; `None` when no EPMD
/// answers there.
fn epmd_names(port: u16) -> Option<String> {
    let out = Command::new("epmd")
        .arg("-names")
        .env("ERL_EPMD_PORT", port.to_string())
        .output()
        .expect("epmd runs");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Item 6: `epmd -names` prints the real port of this program's EPMD; a
/// Rust node that finds no EPMD starts a standalone one (the system's
/// `epmd`, or a detached copy of the program where there is none), so
/// killing the Rust program leaves the other nodes on the host reachable
/// by name.
#[test]
fn epmd_outlives_the_node_that_started_it() {
    let Some(env) = env() else { return };
    let names = epmd_names(env.epmd_port).expect("the tests' EPMD answers");
    assert!(
        names.contains(&format!(
            "up and running on port {} with data",
            env.epmd_port
        )),
        "{names}"
    );
    let me = env.me.split('@').next().unwrap();
    assert!(names.contains(&format!("name {me} at port ")), "{names}");

    let tag = std::process::id();
    for (i, path) in [None, Some("/nonexistent")].into_iter().enumerate() {
        let port = free_port();
        assert_eq!(epmd_names(port), None, "port {port} is free");
        let _stop = StopEpmd(port);
        let rust = format!("rust_epmd_{tag}_{i}@localhost");
        let rust_os = spawn_child_on(port, &rust, "standalone", path);
        let erl = format!("erl_epmd_{tag}_{i}");
        let erl_os = start_erl_on(env, port, &format!("{erl}@localhost"), COOKIE);
        let names = epmd_names(port).expect("the Rust node started an EPMD");
        assert!(
            names.contains(&format!("up and running on port {port} ")),
            "{names}"
        );
        assert!(
            names.contains(&format!("name rust_epmd_{tag}_{i} at port")),
            "{names}"
        );
        kill_erl(rust_os);
        std::thread::sleep(Duration::from_millis(300));
        let names = epmd_names(port).expect("the EPMD outlived the Rust node");
        assert!(names.contains(&format!("name {erl} at port")), "{names}");
        assert!(!names.contains("rust_epmd"), "{names}");
        // A node started now finds the Erlang node by name.
        let probe = Command::new("erl")
            .args([
                "-sname",
                &format!("probe_{tag}_{i}"),
                "-setcookie",
                COOKIE,
                "-noshell",
            ])
            .args([
                "-eval",
                &format!("io:format(\"~p~n\", [net_adm:ping('{erl}@localhost')]), halt()."),
            ])
            .env("ERL_EPMD_PORT", port.to_string())
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&probe.stdout).trim(), "pong");
        kill_erl(erl_os);
    }
}

/// Stops the EPMD on its port (`epmd -kill`) when dropped, the test
/// passed or not: standalone EPMDs outlive the test by design.
struct StopEpmd(u16);

impl Drop for StopEpmd {
    fn drop(&mut self) {
        let kill = || {
            Command::new("epmd")
                .arg("-kill")
                .env("ERL_EPMD_PORT", self.0.to_string())
                .output()
        };
        let mut killed = kill();
        // EPMD refuses while a node it knew is still registered: one just
        // killed is dropped when EPMD reads its socket's end, which on a
        // loaded machine can come a moment after the node's process is
        // reaped.
        for _ in 0..40 {
            match &killed {
                Ok(out) if String::from_utf8_lossy(&out.stdout).contains("living nodes") => {
                    std::thread::sleep(Duration::from_millis(50));
                    killed = kill();
                }
                _ => break,
            }
        }
        if !std::thread::panicking() {
            let killed = killed.unwrap();
            assert!(killed.status.success(), "epmd -kill: {killed:?}");
        }
    }
}
