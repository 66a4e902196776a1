//! More than 4096 plain threads are processes at once.
//!
//! A file of its own: while the process table refuses threads past its
//! limit, every other test that makes a thread a process would fail beside
//! this one (or hang, waiting for such a thread).

use std::collections::HashSet;
use std::panic::catch_unwind;
use std::sync::{Arc, Barrier};

use actor::prelude::*;

mod common;
use common::{isolated, LONG};

// issue 9, item 4
#[test]
fn more_than_4096_threads_are_processes_at_once() {
    // sharded-slab's default layout caps live threads at 4096; the process
    // table must not.
    const THREADS: usize = 4200;
    isolated(|| {
        let echo = actor::spawn("EchoActor").unwrap();
        let barrier = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|i| {
                let barrier = barrier.clone();
                std::thread::Builder::new()
                    .stack_size(128 * 1024)
                    .spawn(move || -> Result<Pid, String> {
                        // Every thread is alive before any becomes a process,
                        // and stays alive until all have exchanged a message.
                        // A failure is carried to the end, so every thread
                        // reaches every barrier.
                        barrier.wait();
                        let me = catch_unwind(actor::pid)
                            .map_err(|_| format!("thread {i}: actor::pid() panicked"));
                        barrier.wait();
                        let exchanged = me.and_then(|me| {
                            let reply =
                                catch_unwind(|| msg!(std(i as i64) >> echo).timeout(LONG).wait())
                                    .map_err(|_| format!("thread {i}: the call panicked"))?
                                    .map_err(|e| format!("thread {i}: the call failed: {e}"))?;
                            if reply.data != i as i64 || reply.from != echo {
                                return Err(format!("thread {i}: wrong reply {reply:?}"));
                            }
                            Ok(me)
                        });
                        barrier.wait();
                        exchanged
                    })
                    .expect("the OS refused a thread")
            })
            .collect();
        let mut failures = Vec::new();
        let mut pids = HashSet::new();
        for t in threads {
            match t.join().expect("a thread panicked outside catch_unwind") {
                Ok(pid) => assert!(pids.insert(pid), "{pid:?} given twice"),
                Err(why) => failures.push(why),
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {THREADS} threads failed, first: {:?}",
            failures.len(),
            &failures[..failures.len().min(3)]
        );
    });
}
