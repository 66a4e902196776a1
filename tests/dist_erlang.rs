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
    let mut child = Command::new("erl")
        .args(["-sname", name, "-setcookie", cookie, "-noshell", "-pa"])
        .arg(&env.ebin)
        .args(["-eval", "dist_peer:start(600)"])
        .env("ERL_EPMD_PORT", env.epmd_port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("erl starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "erl did not start: {line}");
    let id = child.id();
    CHILDREN.lock().unwrap().push(child);
    id
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
