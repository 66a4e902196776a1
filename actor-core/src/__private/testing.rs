//! What `#[actor::test]`, `assert_receive!` and `refute_receive!` expand
//! to call: the test's own process, the clean-up after it, and the failure
//! messages.
//!
//! A test body runs on a thread of its own, which makes it a fresh process
//! (a plain thread's process: it traps exits, so a linked process's exit
//! arrives as a `Death` message the test can assert on). An `async` body
//! is driven there by the actor runtime's `block_on`: the tasks it spawns
//! run on the runtime's workers, and a blocking receive in the body blocks
//! only the body.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use crate::message::{Kind, Message};
use crate::pid::Pid;
use crate::process;
use crate::term::Term;

pub use crate::mailbox::receive_match_timeout;

/// How long `assert_receive!` and `refute_receive!` wait without a
/// `timeout:`: ExUnit's 100 ms.
pub const DEFAULT_RECEIVE_TIMEOUT: Duration = Duration::from_millis(100);

/// How long the clean-up after a test waits for the processes it killed.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(5);

/// At most this many messages are listed in a failure message.
const LISTED: usize = 50;

/// What a test may return: it crosses from the test's own thread.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from an `#[actor::test]` function: it is not `Send`",
    label = "not `Send`",
    note = "the test body runs on a thread of its own, its result is sent back: return `()`, or a `Result` whose error is `Send` (`Box<dyn Error + Send + Sync>`, not `Box<dyn Error>`)"
)]
pub trait TestOutput: Send + 'static {}

impl<T: Send + 'static> TestOutput for T {}

/// Runs a synchronous test body as a fresh process; see `run`.
#[track_caller]
pub fn run_test<R: TestOutput>(body: fn() -> R) -> R {
    run(body)
}

/// Runs an `async` test body as a fresh process, driven by the actor
/// runtime; see `run`.
#[track_caller]
pub fn run_async_test<F, R>(body: fn() -> F) -> R
where
    F: Future<Output = R> + 'static,
    R: TestOutput,
{
    run(move || crate::runtime::runtime().block_on(body()))
}

/// Runs `body` on a fresh thread, so as a fresh process; then kills every
/// process it spawned, transitively, and fails the test if a process
/// linked to it exited abnormally and the body did not receive the
/// `Death` message.
///
/// A panic in the body is resumed here with its own payload, so
/// `#[should_panic(expected = "…")]` sees it.
#[track_caller]
fn run<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let mut thread = std::thread::Builder::new();
    if let Some(name) = std::thread::current().name() {
        // The harness names its threads after the tests: panic messages
        // then name the test.
        thread = thread.name(name.to_owned());
    }
    let handle = thread
        .spawn(move || {
            let me = crate::pid();
            let out = catch_unwind(AssertUnwindSafe(body));
            let failure = finish(me, out.is_err());
            (out, failure)
        })
        .expect("#[actor::test] could not start the thread its body runs on");
    let (out, failure) = match crate::runtime::blocking(|| handle.join()) {
        Ok(done) => done,
        Err(payload) => resume_unwind(payload),
    };
    match (out, failure) {
        (Err(payload), _) => resume_unwind(payload),
        (Ok(_), Some(failure)) => panic!("{failure}"),
        (Ok(value), None) => value,
    }
}

/// After the body of the test process `me`: kills what it spawned, ends
/// it, and says why the test fails when the body did not panic but
/// something else went wrong.
fn finish(me: Pid, panicked: bool) -> Option<String> {
    // A thread's process ends at once when an exit signal reaches it; the
    // thread then goes on as another process.
    let alive = crate::is_alive(me);
    kill_descendants(me);
    let mut failure = None;
    if alive {
        let crashes = unreceived_crashes();
        if !crashes.is_empty() {
            let mut text = String::from(
                "a process linked to the test exited abnormally, and the test did not \
                 receive its `Death` message:",
            );
            for (pid, reason) in &crashes {
                let _ = write!(text, "\n    {pid:?} exited with {reason}");
            }
            failure = Some(text);
        }
        crate::exit_self(Term::atom("normal"));
    } else {
        failure = Some(format!(
            "the test process {me:?} was ended by an exit signal before its body returned"
        ));
    }
    match failure {
        Some(failure) if panicked => {
            // The body's panic is the test's failure; say this too.
            eprintln!("note: {failure}");
            None
        }
        failure => failure,
    }
}

/// The `Death` messages in the calling process's mailbox whose reasons
/// would have ended a process that does not trap exits, and written a
/// crash report: every reason but `normal`, `killed`, `shutdown` and
/// `{shutdown, _}`.
fn unreceived_crashes() -> Vec<(Pid, Term)> {
    crate::peek_mailbox()
        .into_iter()
        .filter(|m| m.kind == Kind::Death)
        .map(|m| (m.from, m.data["reason"].clone()))
        .filter(|(_, reason)| !process::is_clean_exit(reason))
        .collect()
}

/// Kills every live process spawned by `root`, by the processes it
/// spawned, and so on, and waits (boundedly) until they are gone, so their
/// names are free again. A process that outlives the wait keeps running,
/// but loses its name.
fn kill_descendants(root: Pid) {
    let deadline = Instant::now() + CLEANUP_TIMEOUT;
    // Every pid of the tree seen so far, dead ones included: a process
    // whose parent died during the clean-up is still found through it.
    let mut tree = HashSet::from([root]);
    let mut killed = HashSet::new();
    loop {
        let live = live_descendants(&mut tree, root);
        if live.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            leave_behind(&live);
            return;
        }
        for &pid in &live {
            if killed.insert(pid) {
                crate::kill(pid);
            }
        }
        crate::runtime::blocking(|| std::thread::sleep(Duration::from_millis(1)));
    }
}

/// Adds to `tree` the live processes whose parent is in it, until none is
/// left to add; returns the live ones but `root`.
fn live_descendants(tree: &mut HashSet<Pid>, root: Pid) -> Vec<Pid> {
    let mut children: HashMap<Pid, Vec<Pid>> = HashMap::new();
    for pid in process::all() {
        if let Some(parent) = process::lookup(pid).and_then(|p| p.parent()) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut todo: Vec<Pid> = tree.iter().copied().collect();
    let mut live = Vec::new();
    while let Some(parent) = todo.pop() {
        for &child in children.get(&parent).into_iter().flatten() {
            if child != root && tree.insert(child) {
                todo.push(child);
            }
        }
    }
    for &pid in tree.iter() {
        if pid != root && crate::is_alive(pid) {
            live.push(pid);
        }
    }
    live
}

/// Processes that did not exit within the clean-up's wait (blocked in a
/// handler, most likely): their names are dropped, and the test says so.
fn leave_behind(live: &[Pid]) {
    let mut text = format!(
        "note: #[actor::test]: {} process(es) spawned by the test were killed but still run \
         after {CLEANUP_TIMEOUT:?} (blocked outside an await?); their names are dropped:",
        live.len()
    );
    for &pid in live {
        let name = crate::process_info(pid).and_then(|info| info.name);
        if let Some(name) = &name {
            if crate::whereis(name) == Some(pid) {
                crate::unregister(name);
            }
        }
        let _ = write!(text, "\n    {pid:?} {}", name.as_deref().unwrap_or(""));
    }
    eprintln!("{text}");
}

// ---- assert_receive! and refute_receive! -----------------------------------

/// `assert_receive!` found no matching message.
#[cold]
#[track_caller]
pub fn no_message(pattern: &str, timeout: Duration) -> ! {
    panic!(
        "assert_receive!: no message matching `{pattern}` within {timeout:?}\n{}",
        listing(&crate::peek_mailbox(), "")
    )
}

/// `refute_receive!` found `got`.
#[cold]
#[track_caller]
pub fn unexpected_message(pattern: &str, timeout: Duration, got: &Message) -> ! {
    panic!(
        "refute_receive!: a message matching `{pattern}` arrived within {timeout:?}:\n    \
         {got:?}\n{}",
        listing(&crate::peek_mailbox(), " also")
    )
}

/// What the mailbox holds, one message a line.
fn listing(messages: &[Message], also: &str) -> String {
    let me = crate::pid();
    let n = messages.len();
    if n == 0 {
        return format!("the mailbox of {me:?} is{also} empty");
    }
    let plural = if n == 1 { "" } else { "s" };
    let mut text = format!("the mailbox of {me:?}{also} holds {n} message{plural}:");
    for m in messages.iter().take(LISTED) {
        let _ = write!(text, "\n    {m:?}");
    }
    if n > LISTED {
        let _ = write!(text, "\n    … and {} more", n - LISTED);
    }
    text
}
