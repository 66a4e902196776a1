//! `actor::shutdown`: every process stops with `shutdown`, supervision trees
//! first and in reverse start order, `stop` hooks run to their end, and what
//! outlives the timeout is killed.
//!
//! A shutdown stops every process in the program, so each case runs in a
//! child process: the test binary again, with `SCENARIO` naming the case.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actor::prelude::*;
use actor::supervisor::{ChildSpec, SupervisorSpec};

const SCENARIO: &str = "ACTOR_SHUTDOWN_TEST_SCENARIO";

/// Runs `name` in a child process; its success and what it printed.
fn run(name: &str) -> (bool, String) {
    let out = child_command(name).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn child_command(name: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(SCENARIO, name);
    cmd
}

/// An actor whose `stop` hook takes a while: it prints a first line, waits,
/// and prints a last one.
struct Slow(&'static str);

#[actor]
impl Slow {
    async fn stop(&mut self, reason: Term) {
        println!("{} first {reason}", self.0);
        tokio::time::sleep(Duration::from_millis(30)).await;
        println!("{} last {reason}", self.0);
    }
}

/// Like [`Slow`], but trapping exits.
struct Trapping(&'static str);

#[actor]
impl Trapping {
    fn death(&mut self) {}

    async fn stop(&mut self, reason: Term) {
        println!("{} first {reason}", self.0);
        tokio::time::sleep(Duration::from_millis(30)).await;
        println!("{} last {reason}", self.0);
    }
}

/// An actor whose `stop` hook never ends.
struct Stuck;

#[actor]
impl Stuck {
    async fn stop(&mut self, _reason: Term) {
        println!("stuck stopping");
        std::future::pending::<()>().await;
    }
}

fn slow(label: &'static str) -> ChildSpec {
    ChildSpec::worker_fn(label, move || Slow(label))
}

/// Starts the tree `top[a, sub[d, e], c]` of [`Slow`] workers.
fn tree() -> Pid {
    SupervisorSpec::one_for_one()
        .child(slow("a"))
        .child(ChildSpec::supervisor(
            "sub",
            SupervisorSpec::one_for_one()
                .child(slow("d"))
                .child(slow("e")),
        ))
        .child(slow("c"))
        .start_link()
        .unwrap()
}

/// Every process but the caller's.
fn others() -> usize {
    let me = actor::pid();
    actor::processes().into_iter().filter(|&p| p != me).count()
}

/// The child: runs the scenario its environment names.
#[test]
fn child() {
    let Ok(name) = std::env::var(SCENARIO) else {
        return;
    };
    match name.as_str() {
        "tree" => {
            let top = tree();
            // Started before the tree's last child would have been, but
            // stopped after the whole tree.
            let loose = actor::spawn(Slow("loose")).unwrap();
            let trapping = actor::spawn(Trapping("trapping")).unwrap();
            let inbox = actor::spawn(|mut inbox: Inbox| async move {
                loop {
                    inbox.recv().await;
                }
            })
            .unwrap();
            let n = others();
            println!("processes {n}");
            let done = actor::shutdown(Duration::from_secs(10));
            println!("stopped {} killed {}", done.stopped, done.killed);
            assert_eq!(done.stopped, n);
            assert_eq!(done.killed, 0);
            for pid in [top, loose, trapping, inbox] {
                assert!(!actor::is_alive(pid));
            }
            assert_eq!(others(), 0, "{:?}", actor::processes());
            // The caller, linked to the top supervisor, traps: it is told.
            let exit = actor::receive_timeout(Duration::from_secs(5)).unwrap();
            assert_eq!(
                (exit.from, exit.data["reason"].clone()),
                (top, Term::atom("shutdown"))
            );
        }
        "stuck" => {
            let stuck = actor::spawn(Stuck).unwrap();
            let fine = actor::spawn(Slow("fine")).unwrap();
            let started = Instant::now();
            let done = actor::shutdown(Duration::from_millis(300));
            let took = started.elapsed();
            println!(
                "stopped {} killed {} took {took:?}",
                done.stopped, done.killed
            );
            assert_eq!((done.stopped, done.killed), (1, 1));
            assert!(took >= Duration::from_millis(300), "{took:?}");
            assert!(!actor::is_alive(stuck) && !actor::is_alive(fine));
        }
        "then_spawn" => {
            actor::spawn("EchoActor").unwrap();
            assert_eq!(actor::shutdown(Duration::from_secs(5)).stopped, 1);
            // The system carries on: new processes, calls, names.
            let echo = actor::spawn("EchoActor").unwrap();
            actor::register("echo", echo).unwrap();
            let reply = msg!(std("again") >> "echo").wait().unwrap();
            assert_eq!(reply.data, "again");
            println!("carried on");
        }
        "from_an_actor" => {
            let tree = tree();
            // A process shuts the system down: everything but itself (this
            // thread's process too, so the answer comes by channel).
            let (tx, rx) = std::sync::mpsc::channel();
            let closer = actor::spawn(move |mut inbox: Inbox| async move {
                inbox.recv().await;
                tx.send(actor::shutdown(Duration::from_secs(10))).unwrap();
                inbox.recv().await;
            })
            .unwrap();
            let before = others();
            msg!(info("go") > closer);
            let done = rx.recv_timeout(Duration::from_secs(20)).unwrap();
            // Everything but the closer: this thread's process is one.
            assert_eq!((done.stopped, done.killed), (before, 0));
            assert!(actor::is_alive(closer) && !actor::is_alive(tree));
            println!("closer stayed");
        }
        "async" => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            actor::Runtime::builder()
                .handle(rt.handle().clone())
                .start()
                .unwrap();
            rt.block_on(async {
                let top = tree();
                let done = actor::shutdown_async(Duration::from_secs(10)).await;
                println!("stopped {} killed {}", done.stopped, done.killed);
                assert_eq!((done.stopped, done.killed), (6, 0));
                assert!(!actor::is_alive(top));
            });
        }
        other => panic!("unknown scenario {other}"),
    }
}

/// The lines that name `label`, in the order printed.
fn lines_of<'a>(out: &'a str, label: &str) -> Vec<&'a str> {
    out.lines()
        .filter(|l| l.split(' ').next() == Some(label))
        .collect()
}

/// Where in `out` a line starts.
fn at(out: &str, line: &str) -> usize {
    out.find(&format!("{line}\n"))
        .unwrap_or_else(|| panic!("no line {line:?} in\n{out}"))
}

#[test]
fn a_tree_stops_from_the_top_in_reverse_start_order_then_the_rest() {
    let (ok, out) = run("tree");
    assert!(ok, "{out}");
    // Every stop hook ran to its end, with reason `shutdown`.
    for label in ["a", "c", "d", "e", "loose", "trapping"] {
        assert_eq!(
            lines_of(&out, label),
            [
                format!("{label} first shutdown"),
                format!("{label} last shutdown")
            ],
            "{out}"
        );
    }
    // The tree in reverse start order, each child done before the next.
    let order = ["c", "e", "d", "a"];
    for pair in order.windows(2) {
        assert!(
            at(&out, &format!("{} last shutdown", pair[0]))
                < at(&out, &format!("{} first shutdown", pair[1])),
            "{pair:?} out of order:\n{out}"
        );
    }
    // Then the processes outside the tree.
    for label in ["loose", "trapping"] {
        assert!(
            at(&out, "a last shutdown") < at(&out, &format!("{label} first shutdown")),
            "{out}"
        );
    }
}

#[test]
fn what_outlives_the_timeout_is_killed_and_counted() {
    let (ok, out) = run("stuck");
    assert!(ok, "{out}");
    assert!(out.contains("stuck stopping"), "{out}");
    assert!(out.contains("fine last shutdown"), "{out}");
}

#[test]
fn the_system_carries_on_after_a_shutdown() {
    let (ok, out) = run("then_spawn");
    assert!(ok, "{out}");
    assert!(out.contains("carried on"), "{out}");
}

#[test]
fn a_process_that_shuts_down_the_system_stays() {
    let (ok, out) = run("from_an_actor");
    assert!(ok, "{out}");
    assert!(out.contains("closer stayed"), "{out}");
}

#[test]
fn shutdown_async_on_the_programs_own_runtime() {
    let (ok, out) = run("async");
    assert!(ok, "{out}");
    for label in ["a", "c", "d", "e"] {
        assert!(out.contains(&format!("{label} last shutdown")), "{out}");
    }
}

/// `examples/axum_shutdown.rs`, built in this test's profile.
fn axum_example() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", "axum_shutdown"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    // target/<profile>/deps/this-test → target/<profile>/examples/…
    let profile = std::env::current_exe().unwrap();
    let profile = profile.parent().unwrap().parent().unwrap();
    profile.join("examples").join("axum_shutdown")
}

#[cfg(unix)]
#[test]
fn an_axum_server_and_its_actors_stop_together_on_ctrl_c() {
    let mut child = Command::new(axum_example())
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    assert_ne!(stdout.read_line(&mut line).unwrap(), 0, "no address");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    for n in 1..=3 {
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            conn,
            "GET /hit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        conn.read_to_string(&mut response).unwrap();
        assert!(response.ends_with(&format!("hit {n}\n")), "{response}");
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    // The server first, then the tree in reverse start order, each stop
    // hook to its end; nothing killed.
    assert_eq!(
        rest.lines().collect::<Vec<_>>(),
        [
            "Ctrl-C: the server stops taking requests",
            "hits: stopped (shutdown) after 3 hits",
            "log: flushing 1 entries (shutdown)",
            "log: flushed [2]",
            "actors: 3 stopped, 0 killed at the timeout",
        ],
        "{rest}"
    );
}
