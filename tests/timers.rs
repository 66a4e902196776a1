//! Timers: `send_after`, `send_interval`, `cancel_timer`, and timers
//! dropped with the processes they belong to.

use std::time::{Duration, Instant};

use actor::prelude::*;

mod common;
use common::{isolated, recv, LONG};

#[test]
fn send_after_sends_once_after_the_delay() {
    isolated(|| {
        let me = actor::pid();
        let t0 = Instant::now();
        let t = actor::send_after(Duration::from_millis(50), me, Kind::Info, "later");
        assert!(actor::receive_timeout(Duration::from_millis(20)).is_none());
        let m = recv();
        assert!(t0.elapsed() >= Duration::from_millis(50));
        assert_eq!(
            (m.kind, m.data, m.from),
            (Kind::Info, Term::from("later"), me)
        );
        assert!(actor::receive_timeout(Duration::from_millis(100)).is_none());
        assert!(!actor::cancel_timer(t), "it ran");
    });
}

#[test]
fn a_cancelled_timer_sends_nothing() {
    isolated(|| {
        let t = actor::send_after(Duration::from_millis(30), actor::pid(), Kind::Std, 1);
        assert!(actor::cancel_timer(t));
        assert!(!actor::cancel_timer(t));
        assert!(actor::receive_timeout(Duration::from_millis(100)).is_none());
    });
}

#[test]
fn an_interval_repeats_until_cancelled() {
    isolated(|| {
        let t = actor::send_interval(Duration::from_millis(10), actor::pid(), Kind::Info, "tick");
        for _ in 0..5 {
            assert_eq!(recv().data, "tick");
        }
        assert!(actor::cancel_timer(t));
        // One may have been under way as it was cancelled.
        let _ = actor::receive_timeout(Duration::from_millis(30));
        assert!(actor::receive_timeout(Duration::from_millis(100)).is_none());
    });
}

#[test]
fn a_timer_is_dropped_when_its_target_exits() {
    isolated(|| {
        let target = actor::spawn("EchoActor").unwrap();
        let t = actor::send_after(Duration::from_secs(60), target, Kind::Info, "x");
        let r = actor::monitor(target);
        actor::kill(target);
        assert_eq!(recv().reference, Some(r));
        assert!(!actor::cancel_timer(t), "the target's exit cancelled it");
        // To a process that is gone already: dropped at once.
        let t = actor::send_after(Duration::from_secs(60), target, Kind::Info, "x");
        assert!(!actor::cancel_timer(t));
    });
}

#[test]
fn an_interval_stops_when_the_process_that_made_it_exits() {
    isolated(|| {
        let me = actor::pid();
        let maker = actor::spawn(move |mut inbox: Inbox| async move {
            let t = actor::send_interval(Duration::from_millis(5), me, Kind::Info, "tick");
            msg!(info(Term::local(t)) > me);
            inbox.recv().await;
        })
        .unwrap();
        let t = *recv().data.as_local::<actor::TimerRef>().unwrap();
        assert_eq!(recv().data, "tick");
        let r = actor::monitor(maker);
        msg!(std("stop") > maker);
        actor::receive_match_timeout(|m| m.reference == Some(r), LONG).unwrap();
        assert!(!actor::cancel_timer(t), "stopped with its maker");
        // Ticks sent before the exit may still be queued; none come after.
        while actor::receive_timeout(Duration::from_millis(50)).is_some() {}
        assert!(actor::receive_timeout(Duration::from_millis(100)).is_none());
    });
}

#[test]
fn a_kill_timer_kills() {
    isolated(|| {
        let target = actor::spawn("EchoActor").unwrap();
        let r = actor::monitor(target);
        actor::send_after(Duration::from_millis(10), target, Kind::Kill, Term::Nil);
        let down = recv();
        assert_eq!(
            (down.reference, down.data["reason"].clone()),
            (Some(r), Term::atom("killed"))
        );
    });
}

#[test]
fn a_hundred_thousand_timers_wait_and_cancel() {
    isolated(|| {
        let me = actor::pid();
        let timers: Vec<actor::TimerRef> = (0..100_000)
            .map(|i| actor::send_after(Duration::from_secs(600), me, Kind::Info, i))
            .collect();
        assert!(timers.iter().all(|&t| actor::cancel_timer(t)));
        assert!(actor::receive_timeout(Duration::from_millis(50)).is_none());
    });
}
