//! Choosing the runtime processes run on: `actor::Runtime::builder()`,
//! `ACTOR_WORKER_THREADS`, and the errors for a late or bad choice.
//!
//! The choice is made once per program, so each case runs in a child
//! process: the test binary again, with `SCENARIO` naming the case.

use std::process::Command;
use std::time::Duration;

use actor::prelude::*;

const SCENARIO: &str = "ACTOR_RUNTIME_TEST_SCENARIO";

/// Runs `name` in a child process (with extra environment `env`); its
/// success and what it printed.
fn run(name: &str, env: &[(&str, &str)]) -> (bool, String) {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(SCENARIO, name)
        .env_remove("ACTOR_WORKER_THREADS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The child: runs the scenario its environment names.
#[test]
fn child() {
    let Ok(name) = std::env::var(SCENARIO) else {
        return;
    };
    match name.as_str() {
        "bad_env_first_use" => {
            let _ = actor::spawn("EchoActor");
        }
        "bad_env_builder" => {
            let err = actor::Runtime::builder().start().unwrap_err();
            println!("error: {err}");
            assert!(matches!(err, actor::RuntimeError::BadEnv { .. }));
        }
        "env_workers" => {
            assert_eq!(actor::runtime().metrics().num_workers(), 3);
        }
        "late" => {
            let echo = actor::spawn("EchoActor").unwrap();
            let err = actor::Runtime::builder()
                .worker_threads(2)
                .start()
                .unwrap_err();
            println!("error: {err}");
            assert!(matches!(err, actor::RuntimeError::AlreadyStarted));
            assert!(actor::is_alive(echo));
        }
        "worker_threads" => {
            actor::Runtime::builder().worker_threads(3).start().unwrap();
            assert_eq!(actor::runtime().metrics().num_workers(), 3);
            let zero = actor::Runtime::builder().worker_threads(0).start();
            assert!(matches!(zero, Err(actor::RuntimeError::AlreadyStarted)));
        }
        "zero" => {
            let err = actor::Runtime::builder()
                .worker_threads(0)
                .start()
                .unwrap_err();
            assert!(matches!(err, actor::RuntimeError::NoWorkers), "{err}");
        }
        "current_thread_handle" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let err = actor::Runtime::builder()
                .handle(rt.handle().clone())
                .start()
                .unwrap_err();
            println!("error: {err}");
            assert!(matches!(err, actor::RuntimeError::CurrentThread));
        }
        "handle" => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("the-programs-own")
                .enable_all()
                .build()
                .unwrap();
            actor::Runtime::builder()
                .handle(rt.handle().clone())
                .start()
                .unwrap();
            assert_eq!(actor::runtime().id(), rt.handle().id());
            let me = actor::pid();
            let worker = actor::spawn(move |_inbox: Inbox| async move {
                let name = std::thread::current().name().unwrap_or("").to_owned();
                msg!(info(name) > me);
                std::future::pending::<()>().await;
            })
            .unwrap();
            let r = actor::monitor(worker);
            let m = actor::receive_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(m.data, "the-programs-own");
            // The program's runtime shuts down: its processes end with it.
            drop(rt);
            let down =
                actor::receive_match_timeout(|m| m.reference == Some(r), Duration::from_secs(10))
                    .expect("no Down after the runtime shut down");
            assert_eq!(down.data["reason"], "killed");
        }
        other => panic!("unknown scenario {other}"),
    }
}

#[test]
fn a_bad_worker_count_in_the_environment_is_a_clear_error() {
    let (ok, out) = run("bad_env_first_use", &[("ACTOR_WORKER_THREADS", "many")]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("ACTOR_WORKER_THREADS=`many` is not a positive number of worker threads"),
        "{out}"
    );
    let (ok, out) = run("bad_env_builder", &[("ACTOR_WORKER_THREADS", "0")]);
    assert!(ok, "{out}");
    assert!(out.contains("`0` is not a positive number"), "{out}");
    let (ok, out) = run("env_workers", &[("ACTOR_WORKER_THREADS", "3")]);
    assert!(ok, "{out}");
}

#[test]
fn configuring_after_first_use_is_an_error() {
    let (ok, out) = run("late", &[]);
    assert!(ok, "{out}");
    assert!(out.contains("before the first actor call"), "{out}");
}

#[test]
fn the_builder_sets_the_worker_count() {
    let (ok, out) = run("worker_threads", &[]);
    assert!(ok, "{out}");
    let (ok, out) = run("zero", &[]);
    assert!(ok, "{out}");
}

#[test]
fn processes_run_on_the_programs_own_runtime() {
    let (ok, out) = run("handle", &[]);
    assert!(ok, "{out}");
    let (ok, out) = run("current_thread_handle", &[]);
    assert!(ok, "{out}");
    assert!(out.contains("multi-thread"), "{out}");
}
