//! The socket of a connection, after the handshake: a writer that sends
//! the queued frames (batched) and a tick when the link is idle, and a
//! reader that cuts the stream into frames for the connection and notices
//! a silent peer.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use super::conn::{Conn, Status};

/// How often an idle connection sends a tick; four silent intervals and the
/// peer is taken for dead (Erlang's default `net_ticktime` of 60 s).
const TICK: Duration = Duration::from_secs(15);
/// The largest frame accepted; a bigger length prefix closes the connection.
pub(crate) const MAX_FRAME: u32 = 128 << 20;
/// How many bytes of queued frames one write takes at most.
const BATCH: usize = 64 * 1024;

/// Runs the connection on `stream` until either side ends it: `Ok` when
/// the peer closed it, else why it ended. Failing the connection stops the
/// writer, and the reader when it comes from elsewhere (a disconnect).
pub(crate) async fn run(
    conn: &Arc<Conn>,
    stream: TcpStream,
    queue: mpsc::UnboundedReceiver<Vec<u8>>,
) -> Result<(), String> {
    let (r, w) = stream.into_split();
    tokio::spawn(writer(w, queue, conn.watch()));
    let why = tokio::select! {
        why = reader(conn, r) => why,
        why = down(conn.watch()) => Err(why),
    };
    why
}

/// Waits for the connection to be failed; why it was.
async fn down(mut status: watch::Receiver<Status>) -> String {
    loop {
        if let Status::Down(why) = &*status.borrow_and_update() {
            return why.clone();
        }
        if status.changed().await.is_err() {
            return "the connection went away".into();
        }
    }
}

async fn writer(
    mut w: OwnedWriteHalf,
    mut queue: mpsc::UnboundedReceiver<Vec<u8>>,
    status: watch::Receiver<Status>,
) {
    let mut stop = std::pin::pin!(down(status));
    let mut tick = tokio::time::interval(TICK);
    tick.tick().await;
    let mut wrote = false;
    let mut buf = Vec::new();
    loop {
        tokio::select! {
            f = queue.recv() => {
                let Some(f) = f else { break };
                buf.clear();
                buf.extend_from_slice(&f);
                while buf.len() < BATCH {
                    match queue.try_recv() {
                        Ok(more) => buf.extend_from_slice(&more),
                        Err(_) => break,
                    }
                }
                if w.write_all(&buf).await.is_err() {
                    break;
                }
                wrote = true;
            }
            _ = tick.tick() => {
                if !wrote && w.write_all(&[0, 0, 0, 0]).await.is_err() {
                    break;
                }
                wrote = false;
            }
            _ = &mut stop => break,
        }
    }
    let _ = w.shutdown().await;
}

async fn reader(conn: &Arc<Conn>, mut r: OwnedReadHalf) -> Result<(), String> {
    let silence = TICK * 4;
    let mut buf = Vec::new();
    loop {
        let len = match tokio::time::timeout(silence, r.read_u32()).await {
            Err(_) => return Err("no tick from the peer for 60 s".into()),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Ok(Err(e)) => return Err(e.to_string()),
            Ok(Ok(n)) => n,
        };
        if len == 0 {
            continue;
        }
        if len > MAX_FRAME {
            return Err(format!(
                "frame length {len} exceeds the limit of {MAX_FRAME} bytes"
            ));
        }
        buf.resize(len as usize, 0);
        match tokio::time::timeout(silence, r.read_exact(&mut buf)).await {
            Err(_) => return Err("the peer stalled inside a frame".into()),
            Ok(Err(e)) => return Err(format!("truncated frame: {e}")),
            Ok(Ok(_)) => {}
        }
        conn.handle_frame(&buf)?;
    }
}
