//! Remote echo round trip over loopback: a Rust node calling an `EchoActor`
//! on another Rust node, a Rust node calling an Erlang gen_server, an
//! Erlang node calling a Rust `EchoActor`, against the baseline of an
//! Erlang node calling an Erlang gen_server, all in the same run; then
//! 100 000 messages each way between Rust and Erlang, beside 100 000
//! between two Erlang nodes.
//!
//! `cargo bench --features dist --bench dist_echo` (the Erlang rows need
//! `erl` and `erlc`; they are left out without them).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actor::{msg, Pid, Term};

const COOKIE: &str = "dist_bench_cookie";
const ROUNDS: u32 = 20_000;
/// Messages each way in the throughput rows.
const MESSAGES: u32 = 100_000;

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
    let echo = actor::spawn("EchoActor").unwrap();
    actor::register("bench_rust_echo", echo).unwrap();

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

    // An Erlang client node: Erlang -> Erlang and Erlang -> Rust calls, and
    // 100 000 messages Erlang -> Erlang, in one run.
    let client = format!("bench_erlc{tag}@localhost");
    let script = format!(
        "Call = fun(E) -> [gen_server:call(E, 1) || _ <- lists:seq(1, 1000)], \
                  {{T, _}} = timer:tc(fun() -> [gen_server:call(E, 1) || _ <- lists:seq(1, {ROUNDS})] end), \
                  T / {ROUNDS} end, \
         ToErl = Call({{echo, '{erl}'}}), \
         ToRust = Call({{bench_rust_echo, '{me}'}}), \
         Me = self(), \
         C = spawn('{erl}', dist_peer, counter, [{MESSAGES}, Me]), \
         {{Blast, _}} = timer:tc(fun() -> [C ! {{n, I}} || I <- lists:seq(1, {MESSAGES})], \
                                      receive {{counted, C}} -> ok end end), \
         io:format(\"~.1f ~.1f ~.1f~n\", [ToErl, ToRust, Blast / 1000]), halt()."
    );
    let out = Command::new("erl")
        .args(["-sname", &client, "-setcookie", COOKIE, "-noshell", "-pa"])
        .arg(&ebin)
        .args(["-eval", &script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let figures: Vec<&str> = text.split_whitespace().collect();
    let figure = |i: usize| figures.get(i).copied().unwrap_or("?");
    println!("erlang -> rust   EchoActor call:   {:>7} us", figure(1));
    println!(
        "erlang -> erlang gen_server call: {:>7} us (baseline)",
        figure(0)
    );

    // 100 000 messages Rust -> Erlang: until an Erlang process has them all.
    let me_pid = actor::pid();
    let req = Term::tuple([
        Term::atom("counter"),
        Term::from(MESSAGES),
        Term::Pid(me_pid),
    ]);
    let counter = msg!(std(req) >> ("echo", erl.as_str()))
        .wait()
        .unwrap()
        .data;
    let Term::Pid(counter) = counter else {
        panic!("no counter: {counter}")
    };
    let start = Instant::now();
    for i in 0..MESSAGES {
        msg!(info(Term::Int(i as i64)) > counter);
    }
    actor::receive_match_timeout(
        |m| {
            m.data
                .as_tuple()
                .is_some_and(|t| t.first() == Some(&Term::atom("counted")))
        },
        Duration::from_secs(60),
    )
    .expect("the Erlang counter got them all");
    println!(
        "rust -> erlang   {MESSAGES} messages:  {:>7.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );

    // 100 000 messages Erlang -> Rust: until a Rust process has them all.
    let (done_tx, done_rx) = flume::bounded(1);
    let sink = actor::spawn(move |mut inbox: actor::Inbox| async move {
        for _ in 0..MESSAGES {
            inbox.recv().await;
        }
        let _ = done_tx.send(Instant::now());
    })
    .unwrap();
    actor::register("bench_rust_sink", sink).unwrap();
    let start = Instant::now();
    let blast = Term::tuple([
        Term::atom("blast"),
        Term::tuple([
            Term::atom("bench_rust_sink"),
            Term::Atom(me.as_str().into()),
        ]),
        Term::from(MESSAGES),
    ]);
    msg!(std(blast) >> ("echo", erl.as_str()))
        .timeout(Duration::from_secs(60))
        .wait()
        .unwrap();
    let done = done_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the Rust sink got them all");
    println!(
        "erlang -> rust   {MESSAGES} messages:  {:>7.1} ms",
        (done - start).as_secs_f64() * 1e3
    );
    println!(
        "erlang -> erlang {MESSAGES} messages:  {:>7} ms (baseline)",
        figure(2)
    );
    let _ = server.kill();
}
