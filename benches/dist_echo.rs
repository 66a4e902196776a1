//! Remote echo round trip over loopback: a Rust node calling an `EchoActor`
//! on another Rust node, a Rust node calling an Erlang gen_server, against
//! the baseline of an Erlang node calling an Erlang gen_server.
//!
//! `cargo bench --features dist --bench dist_echo` (the Erlang rows need
//! `erl` and `erlc`; they are left out without them).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actor::{msg, Pid, Term};

const COOKIE: &str = "dist_bench_cookie";
const ROUNDS: u32 = 20_000;

fn wait_ready(child: &mut Child) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.trim().ends_with("ready") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "peer did not start");
    }
}

fn time_calls(target: impl Fn() -> Result<actor::Message, actor::CallError>) -> Duration {
    for _ in 0..1_000 {
        target().unwrap();
    }
    let start = Instant::now();
    for _ in 0..ROUNDS {
        target().unwrap();
    }
    start.elapsed() / ROUNDS
}

fn main() {
    if let Some(name) = std::env::args().skip_while(|a| a != "--peer").nth(1) {
        actor::node::start(&name, COOKIE).unwrap();
        println!("ready");
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        return;
    }
    let tag = std::process::id();
    let me = format!("bench_a{tag}@localhost");
    actor::node::start(&me, COOKIE).unwrap();

    let peer = format!("bench_b{tag}@localhost");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--peer", &peer])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(&mut child);
    let echo: Pid = actor::spawn_on(&peer, "EchoActor").unwrap();
    let rust = time_calls(|| msg!(std(Term::Int(1)) >> echo).wait());
    println!(
        "rust -> rust   remote echo call: {:>7.1} us",
        rust.as_secs_f64() * 1e6
    );
    let _ = child.kill();

    let ebin = std::env::temp_dir().join(format!("actor_dist_bench_{tag}"));
    std::fs::create_dir_all(&ebin).unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/erlang/dist_peer.erl");
    if !Command::new("erlc")
        .arg("-o")
        .arg(&ebin)
        .arg(src)
        .status()
        .is_ok_and(|s| s.success())
    {
        println!("erl/erlc not found: Erlang rows skipped");
        return;
    }
    let erl = format!("bench_erl{tag}@localhost");
    let mut server = Command::new("erl")
        .args(["-sname", &erl, "-setcookie", COOKIE, "-noshell", "-pa"])
        .arg(&ebin)
        .args(["-eval", "dist_peer:start(600)"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(&mut server);
    let to_erl = time_calls(|| msg!(std(Term::Int(1)) >> ("echo", erl.as_str())).wait());
    println!(
        "rust -> erlang gen_server call:   {:>7.1} us",
        to_erl.as_secs_f64() * 1e6
    );

    let client = format!("bench_erlc{tag}@localhost");
    let script = format!(
        "E = {{echo, '{erl}'}}, \
         [gen_server:call(E, 1) || _ <- lists:seq(1, 1000)], \
         {{T, _}} = timer:tc(fun() -> [gen_server:call(E, 1) || _ <- lists:seq(1, {ROUNDS})] end), \
         io:format(\"~.1f~n\", [T / {ROUNDS}]), halt()."
    );
    let out = Command::new("erl")
        .args([
            "-sname",
            &client,
            "-setcookie",
            COOKIE,
            "-noshell",
            "-eval",
            &script,
        ])
        .output()
        .unwrap();
    println!(
        "erlang -> erlang gen_server call: {:>7} us (baseline)",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    let _ = server.kill();
}
