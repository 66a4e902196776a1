//! What the runtime tells `tracing`: every process's work in a `process`
//! span (pid, actor), one `error` event per abnormal exit (the crash
//! report), `debug` events for call timeouts and dropped late replies.
//!
//! One subscriber for the whole binary (processes run on the runtime's
//! threads, so a thread-local subscriber would miss them): a
//! `tracing-subscriber` layer that records every event with its span
//! scope; each test picks out the events of its own pids.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, Once};
use std::time::Duration;

use actor::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

mod common;
use common::{isolated, recv, LONG};

/// Fields as text: `Display`ed values (`%pid`) and strings as they print.
#[derive(Clone, Debug, Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

#[derive(Clone, Debug)]
struct Event {
    level: Level,
    fields: Fields,
    /// The spans it happened in, outermost first: (name, fields).
    scope: Vec<(String, Fields)>,
}

impl Event {
    fn message(&self) -> &str {
        self.fields.get("message")
    }
}

static EVENTS: Mutex<Vec<Event>> = Mutex::new(Vec::new());

fn events() -> MutexGuard<'static, Vec<Event>> {
    EVENTS.lock().unwrap_or_else(|e| e.into_inner())
}

struct Recorder;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let scope = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .from_root()
                    .map(|span| {
                        let fields = span.extensions().get::<Fields>().cloned();
                        (span.name().to_owned(), fields.unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default();
        events().push(Event {
            level: *event.metadata().level(),
            fields,
            scope,
        });
    }
}

/// Installs the recorder once, before any process of the test starts.
fn record() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let subscriber = tracing_subscriber::registry()
            .with(Recorder)
            .with(tracing_subscriber::filter::LevelFilter::DEBUG);
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
    });
}

/// The events whose `field` is `value`.
fn events_where(field: &str, value: &str) -> Vec<Event> {
    events()
        .iter()
        .filter(|e| e.fields.get(field) == value)
        .cloned()
        .collect()
}

fn crash_reports(pid: Pid) -> Vec<Event> {
    events_where("pid", &pid.to_string())
        .into_iter()
        .filter(|e| e.message() == "process exited abnormally")
        .collect()
}

/// Waits for `pid`'s exit (by a monitor); its reason.
fn wait_exit(pid: Pid, r: Ref) -> Term {
    let m = actor::receive_match_timeout(|m| m.reference == Some(r), LONG)
        .expect("no Down within 10 s");
    assert_eq!(m.from, pid);
    m.data["reason"].clone()
}

#[derive(Default)]
struct Spanned;

#[actor]
impl Spanned {
    fn std(&mut self, data: Term) -> Term {
        tracing::info!(marker = data.as_str().unwrap_or(""), "inside a handler");
        data
    }
}

#[test]
fn a_handler_runs_inside_its_process_span() {
    record();
    isolated(|| {
        let pid = actor::spawn(Spanned).unwrap();
        msg!(std("span_test_marker") >> pid).wait().unwrap();
        let found = events_where("marker", "span_test_marker");
        assert_eq!(found.len(), 1, "{found:#?}");
        let (name, fields) = found[0].scope.last().expect("the event has a span");
        assert_eq!(name, "process");
        assert_eq!(fields.get("pid"), pid.to_string());
        assert_eq!(fields.get("actor"), std::any::type_name::<Spanned>());

        // A raw-function process has its span too, with no actor.
        let raw = actor::spawn(|_inbox: Inbox| async move {
            tracing::info!(marker = "raw_span_marker", "inside a raw process");
        })
        .unwrap();
        let deadline = std::time::Instant::now() + LONG;
        let found = loop {
            let found = events_where("marker", "raw_span_marker");
            if !found.is_empty() || std::time::Instant::now() > deadline {
                break found;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let (name, fields) = found[0].scope.last().expect("the event has a span");
        assert_eq!(
            (name.as_str(), fields.get("pid")),
            ("process", raw.to_string().as_str())
        );
        assert_eq!(fields.get("actor"), "");
        actor::kill(pid);
    });
}

#[derive(Default)]
struct Fragile;

#[actor]
impl Fragile {
    fn std(&mut self, data: Term) {
        if data == "crash" {
            panic!("fragile broke on purpose");
        }
    }
}

#[test]
fn an_abnormal_exit_logs_one_crash_report() {
    record();
    isolated(|| {
        let (pid, r) = actor::spawn_monitor(Fragile).unwrap();
        actor::register("tracing_test_fragile", pid).unwrap();
        msg!(std("crash") > pid);
        let reason = wait_exit(pid, r);
        assert_eq!(reason[0], Term::atom("panic"));

        let reports = crash_reports(pid);
        assert_eq!(reports.len(), 1, "one report: {reports:#?}");
        let report = &reports[0];
        assert_eq!(report.level, Level::ERROR);
        assert_eq!(report.fields.get("actor"), std::any::type_name::<Fragile>());
        assert_eq!(report.fields.get("name"), "tracing_test_fragile");
        let text = report.fields.get("reason");
        assert!(
            text.contains("panic") && text.contains("fragile broke on purpose"),
            "{text}"
        );

        // Any reason that is not a clean one: an exit signal from outside.
        let (other, r) = actor::spawn_monitor("EchoActor").unwrap();
        actor::exit(
            other,
            Term::tuple([Term::atom("bad_config"), Term::from(7)]),
        );
        wait_exit(other, r);
        let reports = crash_reports(other);
        assert_eq!(reports.len(), 1, "{reports:#?}");
        assert_eq!(reports[0].fields.get("name"), "");
        assert!(reports[0].fields.get("reason").contains("bad_config"));

        // A raw process that panics.
        let (raw, r) = actor::spawn_monitor(|_inbox: Inbox| async move {
            panic!("raw broke on purpose");
        })
        .unwrap();
        wait_exit(raw, r);
        let reports = crash_reports(raw);
        assert_eq!(reports.len(), 1, "{reports:#?}");
        assert_eq!(reports[0].fields.get("actor"), "");
    });
}

#[test]
fn clean_exits_log_no_crash_report() {
    record();
    isolated(|| {
        let mut pids = Vec::new();
        // normal: the body returns
        let (done, r) = actor::spawn_monitor(|_inbox: Inbox| async move {}).unwrap();
        assert_eq!(wait_exit(done, r), "normal");
        pids.push(done);
        // shutdown, {shutdown, _} and killed, from outside
        for reason in [
            Term::atom("shutdown"),
            Term::tuple([Term::atom("shutdown"), Term::from("maintenance")]),
            Term::atom("kill"),
        ] {
            let (pid, r) = actor::spawn_monitor("EchoActor").unwrap();
            actor::exit(pid, reason);
            wait_exit(pid, r);
            pids.push(pid);
        }
        // normal exit of a plain thread's process
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(actor::pid()).unwrap())
            .join()
            .unwrap();
        pids.push(rx.recv().unwrap());
        for pid in pids {
            assert_eq!(crash_reports(pid).len(), 0, "{pid:?} exited cleanly");
        }
    });
}

#[test]
fn a_call_timeout_and_the_late_reply_log_debug_events() {
    record();
    isolated(|| {
        let me = actor::pid();
        // Answers each call 200 ms late.
        let slow = actor::spawn(|mut inbox: Inbox| async move {
            loop {
                let m = inbox.recv().await;
                tokio::time::sleep(Duration::from_millis(200)).await;
                actor::reply(&m, "late");
            }
        })
        .unwrap();
        let err = msg!(std >> slow)
            .timeout(Duration::from_millis(20))
            .wait()
            .unwrap_err();
        assert_eq!(err, CallError::Timeout);
        let timeouts: Vec<Event> = events_where("pid", &me.to_string())
            .into_iter()
            .filter(|e| e.message().starts_with("a call timed out"))
            .collect();
        assert_eq!(timeouts.len(), 1, "{timeouts:#?}");
        assert_eq!(timeouts[0].level, Level::DEBUG);
        assert!(timeouts[0].fields.get("callee").contains(&slow.to_string()));

        // The reply comes after the timeout: the next receive drops it, with
        // an event, and takes what came after it.
        std::thread::sleep(Duration::from_millis(400));
        msg!(info("after") > me);
        assert_eq!(
            recv().data,
            "after",
            "the late reply never reaches the mailbox"
        );
        let late: Vec<Event> = events_where("pid", &me.to_string())
            .into_iter()
            .filter(|e| e.message() == "dropped a reply to a call that no longer waits")
            .collect();
        assert_eq!(late.len(), 1, "{late:#?}");
        assert_eq!(late[0].level, Level::DEBUG);
        assert_eq!(late[0].fields.get("from"), slow.to_string());
        actor::kill(slow);
    });
}
