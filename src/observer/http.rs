//! The observer's HTTP side: routes, the `Host` check, JSON answers.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::{Pid, ProcessInfo};

use super::collector::{Collector, Gone};
use super::view::{self, Flavor, ProcessView, Query as ListQuery, SortKey};

/// The page: one static file, no build step.
const PAGE: &str = include_str!("page.html");

/// How long supervisors have to say who their children are.
const ASK_LIMIT: Duration = Duration::from_secs(2);

/// The header an action request must carry: a cross-site form cannot set
/// it, and a cross-site script that tries needs a CORS pre-flight this
/// server never grants.
const ACTION_HEADER: &str = "x-requested-by";
const ACTION_HEADER_VALUE: &str = "actor-observer";

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) allow_actions: bool,
    pub(crate) allow_remote: bool,
    pub(crate) collector: Collector,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/processes", get(processes))
        .route("/api/process/{pid}", get(process))
        .route("/api/process/{pid}/kill", post(kill))
        .route("/api/tree", get(tree))
        .route("/api/nodes", get(nodes))
        .route("/api/observer", get(observer))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

/// A JSON error: `{"error": why}`.
fn error(status: StatusCode, why: impl Into<String>) -> Response {
    ApiError(status, why.into()).into_response()
}

/// A JSON answer. (Serialized here rather than with axum's `json`
/// feature, which would turn on serde_json's `raw_value` for every crate
/// in the build, the users' compile errors included.)
struct Json<T>(T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the observer could not write JSON: {e}"),
            )
                .into_response(),
        }
    }
}

/// What a handler fails with: a status and the message of a JSON error.
#[derive(Debug)]
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// Answers only loopback `Host`s (unless remote access is allowed), and
/// keeps every answer out of caches: it is a live view.
async fn guard(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !shared.allow_remote {
        if let Some(host) = req.headers().get(header::HOST) {
            let host = host.to_str().unwrap_or("");
            if !host_is_loopback(host) {
                return error(
                    StatusCode::FORBIDDEN,
                    format!(
                        "this observer answers loopback host names only, not `{host}` \
                         (`Observer::builder().allow_remote(true)` lifts this)"
                    ),
                );
            }
        }
    }
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Whether a `Host` header names this machine: `localhost` (or a name
/// under it) or a loopback address, with or without a port.
fn host_is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // `[::1]` or `[::1]:8080`
        match rest.split_once(']') {
            Some((ip, port)) if port.is_empty() || port.starts_with(':') => ip,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

async fn page() -> Response {
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                 img-src 'self' data:; frame-ancestors 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(PAGE),
    )
        .into_response()
}

async fn not_found(req: Request) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!(
            "nothing at {}: see /api/processes, /api/tree, /api/nodes",
            req.uri().path()
        ),
    )
}

/// Every live process's info, in table order.
fn snapshot() -> Vec<ProcessInfo> {
    crate::processes()
        .into_iter()
        .filter_map(crate::process_info)
        .collect()
}

/// Sums over every process, for the page's header (sent as response
/// headers of `/api/processes`, whose body stays a plain array).
struct Totals {
    processes: u64,
    queued: u64,
    handled: u64,
    memory: u64,
}

impl Totals {
    fn of(infos: &[ProcessInfo]) -> Totals {
        let mut t = Totals {
            processes: infos.len() as u64,
            queued: 0,
            handled: 0,
            memory: 0,
        };
        for i in infos {
            t.queued += i.mailbox_len as u64;
            t.handled += i.handled;
            t.memory += i.memory as u64;
        }
        t
    }
}

/// Runs `f` (a walk over every process) on the runtime's blocking pool:
/// with many processes it takes long enough to hold up a worker.
async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<R, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the observer failed to look: {e}"),
        )
    })
}

/// `?sort=…&order=…&limit=…&q=…`.
fn list_query(params: &HashMap<String, String>) -> Result<ListQuery, String> {
    let mut q = ListQuery::default();
    if let Some(sort) = params.get("sort") {
        q.sort = SortKey::parse(sort).ok_or_else(|| {
            format!("unknown sort `{sort}`: mailbox_len, handled, memory, name, actor or pid")
        })?;
        q.descending = q.sort.descending_by_default();
    }
    if let Some(order) = params.get("order") {
        q.descending = match order.as_str() {
            "desc" => true,
            "asc" => false,
            _ => return Err(format!("unknown order `{order}`: asc or desc")),
        };
    }
    if let Some(limit) = params.get("limit") {
        q.limit = Some(
            limit
                .parse()
                .map_err(|_| format!("`limit` takes a number, not `{limit}`"))?,
        );
    }
    q.filter = params.get("q").cloned();
    Ok(q)
}

async fn processes(Query(params): Query<HashMap<String, String>>) -> Result<Response, ApiError> {
    let query = list_query(&params).map_err(|why| ApiError(StatusCode::BAD_REQUEST, why))?;
    let (rows, matched, totals) = blocking(move || {
        let infos = snapshot();
        let totals = Totals::of(&infos);
        let (rows, matched) = view::select(infos, &query);
        let rows: Vec<ProcessView> = rows
            .iter()
            .map(|i| ProcessView::new(i, view::flavor(i).is_some()))
            .collect();
        (rows, matched, totals)
    })
    .await?;
    let header = |name: &'static str, n: u64| (HeaderName::from_static(name), HeaderValue::from(n));
    Ok((
        [
            header("x-total-count", matched as u64),
            header("x-process-count", totals.processes),
            header("x-messages-queued", totals.queued),
            header("x-messages-handled", totals.handled),
            header("x-memory-total", totals.memory),
        ],
        Json(rows),
    )
        .into_response())
}

/// The pid in a path, or the 404 that says why not.
fn path_pid(text: &str) -> Result<Pid, ApiError> {
    view::parse_pid(text).ok_or_else(|| {
        ApiError(
            StatusCode::NOT_FOUND,
            format!("`{text}` is not a pid: pids are UUIDs, as /api/processes lists them"),
        )
    })
}

fn no_process(pid: Pid) -> ApiError {
    ApiError(
        StatusCode::NOT_FOUND,
        format!("no process {pid} (it exited, or never lived on this node)"),
    )
}

async fn process(Path(text): Path<String>) -> Result<Response, ApiError> {
    let pid = path_pid(&text)?;
    let info = crate::process_info(pid).ok_or_else(|| no_process(pid))?;
    Ok(Json(ProcessView::new(&info, view::flavor(&info).is_some())).into_response())
}

async fn kill(
    State(shared): State<Arc<Shared>>,
    Path(text): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !shared.allow_actions {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "actions are off: this observer is read-only \
             (`Observer::builder().allow_actions(true)` turns them on)"
                .to_owned(),
        ));
    }
    if headers.get(ACTION_HEADER).and_then(|v| v.to_str().ok()) != Some(ACTION_HEADER_VALUE) {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            format!("an action needs the header `{ACTION_HEADER}: {ACTION_HEADER_VALUE}`"),
        ));
    }
    let pid = path_pid(&text)?;
    if pid == shared.collector.pid() {
        return Err(ApiError(
            StatusCode::CONFLICT,
            "that is the observer's own process: stop the observer instead".to_owned(),
        ));
    }
    match shared.collector.kill(pid).await {
        Ok(true) => Ok(Json(json!({ "killed": pid.to_string() })).into_response()),
        Ok(false) => Err(no_process(pid)),
        Err(Gone) => Err(gone()),
    }
}

fn gone() -> ApiError {
    ApiError(
        StatusCode::SERVICE_UNAVAILABLE,
        "the observer's process is gone (stopped, or killed)".to_owned(),
    )
}

async fn tree(State(shared): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let (supervisors, mut infos) = blocking(|| {
        let infos = snapshot();
        let supervisors: Vec<(Pid, Flavor)> = infos
            .iter()
            .filter_map(|i| view::flavor(i).map(|f| (i.pid, f)))
            .collect();
        let infos: HashMap<Pid, ProcessInfo> = infos.into_iter().map(|i| (i.pid, i)).collect();
        (supervisors, infos)
    })
    .await?;
    let order: Vec<Pid> = supervisors.iter().map(|(p, _)| *p).collect();
    let answers = shared
        .collector
        .children(supervisors, ASK_LIMIT)
        .await
        .map_err(|Gone| gone())?;
    // Children started since the snapshot (restarts): look them up too.
    for child in answers.values().flatten().flatten() {
        if let Some(pid) = child.pid.filter(|p| !infos.contains_key(p)) {
            if let Some(info) = crate::process_info(pid) {
                infos.insert(pid, info);
            }
        }
    }
    Ok(Json(view::trees(&order, &infos, &answers)).into_response())
}

async fn nodes() -> Response {
    #[cfg(feature = "dist")]
    let (node, connected) = (crate::node::name(), crate::node::nodes());
    #[cfg(not(feature = "dist"))]
    let (node, connected): (Option<&str>, Vec<String>) = (None, Vec::new());
    Json(json!({ "node": node, "connected": connected })).into_response()
}

async fn observer(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({
        "actions": shared.allow_actions,
        "version": env!("CARGO_PKG_VERSION"),
        "pid": shared.collector.pid().to_string(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_told_apart() {
        for ok in [
            "localhost",
            "localhost:8080",
            "LOCALHOST:1",
            "app.localhost:3000",
            "127.0.0.1",
            "127.0.0.1:9",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(host_is_loopback(ok), "{ok}");
        }
        for bad in [
            "",
            "example.com",
            "evil.example:8080",
            "localhost.evil.example",
            "10.0.0.1:80",
            "[::2]:80",
            "[::1]x",
            "127.0.0.1:80x",
            "0.0.0.0:80",
        ] {
            assert!(!host_is_loopback(bad), "{bad}");
        }
    }

    #[test]
    fn list_queries_parse_or_say_why_not() {
        let q = |pairs: &[(&str, &str)]| {
            list_query(
                &pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let d = q(&[]).unwrap();
        assert_eq!(
            (d.sort, d.descending, d.limit),
            (SortKey::MailboxLen, true, None)
        );
        let n = q(&[("sort", "name")]).unwrap();
        assert_eq!((n.sort, n.descending), (SortKey::Name, false));
        let m = q(&[
            ("sort", "memory"),
            ("order", "asc"),
            ("limit", "5"),
            ("q", "x"),
        ])
        .unwrap();
        assert_eq!(
            (m.sort, m.descending, m.limit),
            (SortKey::Memory, false, Some(5))
        );
        assert_eq!(m.filter.as_deref(), Some("x"));
        assert!(q(&[("sort", "size")])
            .unwrap_err()
            .contains("unknown sort `size`"));
        assert!(q(&[("order", "up")]).unwrap_err().contains("asc or desc"));
        assert!(q(&[("limit", "-1")]).unwrap_err().contains("number"));
    }
}
