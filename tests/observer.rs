//! The observer's JSON API, over real HTTP (hyper's client on loopback):
//! processes, one process, supervision trees, nodes, actions, and the
//! loopback and read-only defaults.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use actor::observer::{self, Observer, ObserverError};
use actor::prelude::*;
use actor::supervisor::{self, ChildSpec, SupervisorSpec};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;

mod common;
use common::{isolated, LONG};

/// An answer: status, headers, body as JSON (`Null` if it is not JSON).
struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    text: String,
    json: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no header `{name}`"))
    }
}

/// One request on a fresh connection, with hyper's HTTP/1 client.
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let method = hyper::Method::from_bytes(method.as_bytes()).unwrap();
    let path = path.to_owned();
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    actor::runtime().block_on(async move {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        let mut req = hyper::Request::builder().method(method).uri(path);
        let mut has_host = false;
        for (k, v) in &headers {
            has_host |= k.eq_ignore_ascii_case("host");
            req = req.header(k, v);
        }
        if !has_host {
            req = req.header("host", addr.to_string());
        }
        let res = sender
            .send_request(req.body(Empty::<Bytes>::new()).unwrap())
            .await
            .unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    })
}

fn get(addr: SocketAddr, path: &str) -> Answer {
    request(addr, "GET", path, &[])
}

fn serve() -> Observer {
    observer::serve("127.0.0.1:0").expect("the observer starts on loopback")
}

/// A process that never takes a message: its mailbox floods.
fn sleeper() -> Pid {
    actor::spawn(|mut inbox: Inbox| async move {
        inbox.recv_match(|m| m.kind == Kind::Kill).await;
    })
    .unwrap()
}

/// Waits until `pid`'s mailbox holds `n` (the process may still be moving
/// what its selective receive passes over).
fn wait_mailbox(pid: Pid, n: usize) {
    let deadline = Instant::now() + LONG;
    while actor::process_info(pid).unwrap().mailbox_len != n {
        assert!(Instant::now() < deadline, "the mailbox never held {n}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn find(list: &Value, pid: Pid) -> Option<&Value> {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid.to_string())
}

#[test]
fn processes_are_a_json_array_with_the_largest_mailbox_first() {
    isolated(|| {
        let obs = serve();
        let flooded = sleeper();
        actor::register("obs_test_flooded", flooded).unwrap();
        for i in 0..5000 {
            msg!(std(i) > flooded);
        }
        wait_mailbox(flooded, 5000);
        let echo = actor::spawn_link("EchoActor").unwrap();
        msg!(std(1) >> echo).wait().unwrap();

        let res = get(obs.local_addr(), "/api/processes");
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.header("content-type"), "application/json");
        let list = res.json.as_array().expect("an array");
        let lens: Vec<u64> = list
            .iter()
            .map(|p| p["mailbox_len"].as_u64().unwrap())
            .collect();
        assert!(
            lens.windows(2).all(|w| w[0] >= w[1]),
            "not sorted: {lens:?}"
        );
        let total: usize = res.header("x-process-count").parse().unwrap();
        assert_eq!(list.len(), total);
        assert_eq!(res.header("x-total-count"), total.to_string());
        assert!(res.header("x-messages-queued").parse::<u64>().unwrap() >= 5000);

        let f = find(&res.json, flooded).expect("the flooded process is listed");
        assert_eq!(f["name"], "obs_test_flooded");
        assert_eq!(f["mailbox_len"], 5000);
        assert_eq!(f["actor"], Value::Null);
        assert!(f["memory"].as_u64().unwrap() > 5000 * 64, "{f}");
        assert_eq!(f["parent"], actor::pid().to_string());

        let e = find(&res.json, echo).expect("the echo actor is listed");
        assert_eq!(e["actor"], "actor_core::actors::echo::EchoActor");
        assert_eq!(e["handled"], 1);
        assert_eq!(e["links"], serde_json::json!([actor::pid().to_string()]));
        assert_eq!(e["supervisor"], false);
        assert_eq!(e["thread"], false);
        let me = find(&res.json, actor::pid()).expect("this thread is listed");
        assert_eq!(
            (me["thread"].clone(), me["trap_exit"].clone()),
            (Value::Bool(true), Value::Bool(true))
        );

        actor::unlink(echo);
        actor::kill(echo);
        actor::kill(flooded);
        obs.stop();
    });
}

#[test]
fn the_process_list_sorts_filters_and_cuts_as_asked() {
    isolated(|| {
        let obs = serve();
        let names = ["obs_q_b", "obs_q_a", "obs_q_c"];
        let pids: Vec<Pid> = names
            .iter()
            .map(|n| {
                let p = sleeper();
                actor::register(*n, p).unwrap();
                p
            })
            .collect();
        for _ in 0..3 {
            msg!(std > pids[2]);
        }
        wait_mailbox(pids[2], 3);
        let addr = obs.local_addr();

        let res = get(addr, "/api/processes?q=OBS_Q_&sort=name");
        let got: Vec<&str> = res
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(got, ["obs_q_a", "obs_q_b", "obs_q_c"]);
        assert_eq!(res.header("x-total-count"), "3");

        let res = get(addr, "/api/processes?q=obs_q_&sort=name&order=desc&limit=1");
        assert_eq!(res.json.as_array().unwrap().len(), 1);
        assert_eq!(res.json[0]["name"], "obs_q_c");
        assert_eq!(res.header("x-total-count"), "3");

        let res = get(addr, "/api/processes?q=obs_q_&limit=1");
        assert_eq!(
            res.json[0]["pid"],
            pids[2].to_string(),
            "largest mailbox first"
        );

        let by_pid = pids[1].to_string();
        let res = get(addr, &format!("/api/processes?q={}", &by_pid[24..]));
        assert_eq!(res.json[0]["name"], "obs_q_a");

        for (query, says) in [
            ("sort=size", "unknown sort `size`"),
            ("order=up", "asc or desc"),
            ("limit=lots", "`limit` takes a number"),
        ] {
            let res = get(addr, &format!("/api/processes?{query}"));
            assert_eq!(res.status, 400, "{query}");
            let error = res.json["error"].as_str().expect("a JSON error");
            assert!(error.contains(says), "{query}: {error}");
        }
        for p in pids {
            actor::kill(p);
        }
        obs.stop();
    });
}

#[test]
fn one_process_by_pid_or_a_json_404() {
    isolated(|| {
        let obs = serve();
        let addr = obs.local_addr();
        let echo = actor::spawn("EchoActor").unwrap();
        actor::register("obs_one_echo", echo).unwrap();
        let watcher = actor::spawn(move |mut inbox: Inbox| async move {
            actor::monitor(echo);
            inbox.recv_match(|m| m.kind == Kind::Kill).await;
        })
        .unwrap();
        let deadline = Instant::now() + LONG;
        while actor::process_info(echo).unwrap().monitored_by.is_empty() {
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(5));
        }

        let res = get(addr, &format!("/api/process/{echo}"));
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.json["pid"], echo.to_string());
        assert_eq!(res.json["name"], "obs_one_echo");
        assert_eq!(
            res.json["monitored_by"],
            serde_json::json!([watcher.to_string()])
        );
        let res = get(addr, &format!("/api/process/{watcher}"));
        assert_eq!(res.json["monitors"], serde_json::json!([echo.to_string()]));

        let r = actor::monitor(echo);
        actor::kill(echo);
        actor::receive_match_timeout(|m| m.reference == Some(r), LONG).unwrap();
        let gone = get(addr, &format!("/api/process/{echo}"));
        assert_eq!(gone.status, 404);
        assert_eq!(gone.header("content-type"), "application/json");
        assert!(
            gone.json["error"].as_str().unwrap().contains("no process"),
            "{}",
            gone.text
        );

        for bad in ["nope", "1234", "00000000-0000-0000-0000-00000000000g"] {
            let res = get(addr, &format!("/api/process/{bad}"));
            assert_eq!(res.status, 404, "{bad}");
            assert!(
                res.json["error"].as_str().unwrap().contains("not a pid"),
                "{}",
                res.text
            );
        }
        let res = get(addr, "/api/nothing/here");
        assert_eq!(res.status, 404);
        assert!(res.json["error"].is_string());
        actor::kill(watcher);
        obs.stop();
    });
}

/// The tree under `node` as `(id, kind, state)` lines, depth-first.
fn shape(node: &Value, depth: usize, out: &mut Vec<String>) {
    out.push(format!(
        "{}{} {} {}",
        "  ".repeat(depth),
        node["id"].as_str().or(node["name"].as_str()).unwrap_or("?"),
        node["kind"].as_str().unwrap(),
        node["state"].as_str().unwrap(),
    ));
    for c in node["children"].as_array().unwrap() {
        shape(c, depth + 1, out);
    }
}

fn tree_of(trees: &Value, root: Pid) -> &Value {
    trees
        .as_array()
        .expect("an array of trees")
        .iter()
        .find(|t| t["pid"] == root.to_string())
        .unwrap_or_else(|| panic!("no tree for {root}: {trees:#}"))
}

#[test]
fn trees_show_nested_supervisors_and_the_seeds_supervisor() {
    isolated(|| {
        let obs = serve();
        let leaf = SupervisorSpec::one_for_all()
            .child(ChildSpec::worker("a", "EchoActor"))
            .child(ChildSpec::worker("b", "EchoActor"));
        let root = SupervisorSpec::one_for_one()
            .name("obs_tree_root")
            .child(ChildSpec::worker("db", "EchoActor"))
            .child(ChildSpec::supervisor("leaf", leaf))
            .start_link()
            .unwrap();
        let leaf_pid = supervisor::which_children(root).unwrap()[1].pid().unwrap();
        supervisor::terminate_child(leaf_pid, "b").unwrap();
        let seed = actor::spawn("Supervisor").unwrap();
        msg!(
            std {
                spawn: "EchoActor",
                desired: 2
            } >> seed
        )
        .wait()
        .unwrap();

        let res = get(obs.local_addr(), "/api/tree");
        assert_eq!(res.status, 200, "{}", res.text);
        let t = tree_of(&res.json, root);
        assert_eq!(t["name"], "obs_tree_root");
        assert_eq!(t["id"], Value::Null);
        let mut lines = Vec::new();
        shape(t, 0, &mut lines);
        assert_eq!(
            lines,
            [
                "obs_tree_root supervisor running",
                "  db worker running",
                "  leaf supervisor running",
                "    a worker running",
                "    b worker stopped",
            ]
        );
        assert_eq!(t["children"][0]["restart"], "permanent");
        assert_eq!(
            t["children"][0]["actor"],
            "actor_core::actors::echo::EchoActor"
        );
        // The nested supervisor is not a root of its own.
        assert!(res
            .json
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["pid"] != leaf_pid.to_string()));

        let s = tree_of(&res.json, seed);
        assert_eq!(s["actor"], "actor_core::actors::supervisor::Supervisor");
        let kids = s["children"].as_array().unwrap();
        assert_eq!(kids.len(), 2);
        assert!(kids.iter().all(|k| k["id"] == "EchoActor"));

        // Supervisors say so in the process list too.
        let list = get(obs.local_addr(), "/api/processes").json;
        assert_eq!(find(&list, root).unwrap()["supervisor"], true);
        assert_eq!(find(&list, seed).unwrap()["supervisor"], true);

        supervisor::stop(root).unwrap();
        actor::kill(seed);
        obs.stop();
    });
}

/// An actor whose `start` takes a while; its supervisor waits for it.
#[derive(Default)]
struct SlowStart(Duration);

#[actor]
impl SlowStart {
    async fn start(&mut self) {
        tokio::time::sleep(self.0).await;
    }

    fn std(&mut self) {}
}

#[test]
fn a_supervisor_that_does_not_answer_is_marked_and_its_helper_killed() {
    isolated(|| {
        let obs = serve();
        let sup = SupervisorSpec::one_for_one()
            .name("obs_busy_sup")
            .start_link()
            .unwrap();
        // Busy for 6 s starting a child: it answers nobody meanwhile.
        let starter = std::thread::spawn(move || {
            let spec = ChildSpec::worker_fn("slow", || SlowStart(Duration::from_secs(6)));
            supervisor::start_child(sup, spec).unwrap()
        });
        let deadline = Instant::now() + LONG;
        while actor::processes()
            .into_iter()
            .filter_map(actor::process_info)
            .all(|i| i.parent != Some(sup))
        {
            assert!(Instant::now() < deadline, "the slow child never started");
            std::thread::sleep(Duration::from_millis(5));
        }

        let before = Instant::now();
        let res = get(obs.local_addr(), "/api/tree");
        let took = before.elapsed();
        assert_eq!(res.status, 200, "{}", res.text);
        assert!(took < Duration::from_secs(5), "the tree took {took:?}");
        let t = tree_of(&res.json, sup);
        assert_eq!(t["error"], "did not answer in time", "{t:#}");

        // The helper that asked was killed once its time was up: no
        // process of the observer's still waits on the supervisor.
        let deadline = Instant::now() + LONG;
        loop {
            let waiting: Vec<Pid> = actor::processes()
                .into_iter()
                .filter_map(actor::process_info)
                .filter(|i| i.parent == Some(obs.pid()))
                .map(|i| i.pid)
                .collect();
            if waiting.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "helpers left: {waiting:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        starter.join().unwrap();
        let res = get(obs.local_addr(), "/api/tree");
        let t = tree_of(&res.json, sup);
        assert_eq!(t["error"], Value::Null);
        assert_eq!(t["children"][0]["id"], "slow");
        supervisor::stop(sup).unwrap();
        obs.stop();
    });
}

#[test]
fn actions_are_off_unless_asked_for_and_need_their_header() {
    isolated(|| {
        let target = actor::spawn("EchoActor").unwrap();
        let path = format!("/api/process/{target}/kill");
        let action = [("x-requested-by", "actor-observer")];

        let read_only = serve();
        assert!(!read_only.actions_allowed());
        assert_eq!(
            get(read_only.local_addr(), "/api/observer").json["actions"],
            false
        );
        let res = request(read_only.local_addr(), "POST", &path, &action);
        assert_eq!(res.status, 403);
        assert!(res.json["error"]
            .as_str()
            .unwrap()
            .contains("actions are off"));
        assert!(actor::is_alive(target));
        read_only.stop();

        let obs = Observer::builder()
            .allow_actions(true)
            .serve("127.0.0.1:0")
            .unwrap();
        let addr = obs.local_addr();
        let info = get(addr, "/api/observer").json;
        assert_eq!(info["actions"], true);
        assert_eq!(info["pid"], obs.pid().to_string());

        let res = request(addr, "POST", &path, &[]);
        assert_eq!(res.status, 403, "no header, no action");
        assert!(res.json["error"]
            .as_str()
            .unwrap()
            .contains("x-requested-by"));
        assert_eq!(get(addr, &path).status, 405, "GET does not kill");
        assert!(actor::is_alive(target));

        let down = actor::monitor(target);
        let res = request(addr, "POST", &path, &action);
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.json["killed"], target.to_string());
        let m = actor::receive_match_timeout(|m| m.reference == Some(down), LONG).unwrap();
        assert_eq!(m.data["reason"], "killed");

        let res = request(addr, "POST", &path, &action);
        assert_eq!(res.status, 404, "a dead process: {}", res.text);
        let own = format!("/api/process/{}/kill", obs.pid());
        assert_eq!(request(addr, "POST", &own, &action).status, 409);
        assert!(actor::is_alive(obs.pid()));
        obs.stop();
    });
}

#[test]
fn loopback_only_unless_asked_and_clear_errors() {
    isolated(|| {
        match observer::serve("0.0.0.0:0") {
            Err(e @ ObserverError::NotLoopback(_)) => {
                assert!(e.to_string().contains("allow_remote"), "{e}")
            }
            other => panic!("not refused: {other:?}"),
        }

        let obs = serve();
        let addr = obs.local_addr();
        assert!(addr.ip().is_loopback());
        assert_eq!(obs.url(), format!("http://{addr}/"));
        match observer::serve(addr) {
            Err(e @ ObserverError::Bind { .. }) => {
                assert!(e.to_string().contains("in use"), "{e}");
                let source = std::error::Error::source(&e).expect("the io::Error");
                let io = source.downcast_ref::<std::io::Error>().unwrap();
                assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
            }
            other => panic!("a port in use was not refused: {other:?}"),
        }

        // A name that resolves elsewhere (DNS rebinding) is refused.
        let res = request(addr, "GET", "/api/processes", &[("host", "evil.example")]);
        assert_eq!(res.status, 403);
        assert!(res.json["error"].as_str().unwrap().contains("loopback"));
        assert_eq!(
            request(addr, "GET", "/api/processes", &[("host", "localhost")]).status,
            200
        );

        // Stopping frees the port and ends the observer's process.
        let pid = obs.pid();
        obs.stop();
        let again = observer::serve(addr).expect("the port is free after stop");
        let deadline = Instant::now() + LONG;
        while actor::is_alive(pid) {
            assert!(
                Instant::now() < deadline,
                "the observer's process outlived stop"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        again.stop();

        let open = Observer::builder()
            .allow_remote(true)
            .serve("127.0.0.1:0")
            .unwrap();
        let res = request(
            open.local_addr(),
            "GET",
            "/api/nodes",
            &[("host", "observer.example")],
        );
        assert_eq!(res.status, 200);
        open.stop();
    });
}

#[test]
fn the_page_and_the_nodes() {
    isolated(|| {
        let obs = serve();
        let res = get(obs.local_addr(), "/");
        assert_eq!(res.status, 200);
        assert!(res.header("content-type").starts_with("text/html"));
        assert!(res
            .header("content-security-policy")
            .contains("frame-ancestors 'none'"));
        assert_eq!(res.header("cache-control"), "no-store");
        for part in [
            "<title>actor observer</title>",
            "/api/processes",
            "/api/tree",
            "id=\"procs\"",
        ] {
            assert!(res.text.contains(part), "the page lacks {part}");
        }
        let nodes = get(obs.local_addr(), "/api/nodes").json;
        assert!(
            nodes["node"].is_null(),
            "this test binary starts no node: {nodes}"
        );
        assert_eq!(nodes["connected"], serde_json::json!([]));
        obs.stop();
    });
}

#[test]
fn a_dropped_handle_leaves_the_observer_serving() {
    isolated(|| {
        let addr = serve().local_addr();
        // The handle is gone: the server is not.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(get(addr, "/api/nodes").status, 200);
        assert_eq!(
            get(addr, "/api/tree").status,
            200,
            "its process lives on too"
        );
    });
}

#[test]
fn served_and_stopped_from_inside_a_process() {
    isolated(|| {
        let me = actor::pid();
        actor::spawn(move |_inbox: Inbox| async move {
            let obs = serve();
            let addr = obs.local_addr();
            obs.stop();
            msg!(info(addr.to_string()) > me);
        })
        .unwrap();
        let addr: SocketAddr = common::recv().data.as_str().unwrap().parse().unwrap();
        // Stopped: nothing listens there any more.
        assert!(std::net::TcpStream::connect(addr).is_err());
    });
}
