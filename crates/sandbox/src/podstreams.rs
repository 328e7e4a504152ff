//! The two transports of a remote command session (`pods/exec`, `pods/attach`), behind one
//! [`Link`] so the sessions do not know which the client chose:
//!
//! - WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`): one leading channel byte per
//!   binary message; v5's `[255, 0]` closes stdin;
//! - SPDY/3.1 (`Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: v4.channel.k8s.io`), what
//!   kubectl falls back to when the WebSocket upgrade is refused: the client opens one stream
//!   per channel, named by its `streamType` header (error, stdin, stdout, stderr, resize), and
//!   closes stdin with a FIN. As the kubelet does, nothing is written before every stream the
//!   request asked for is open; the session ends with the status on the error stream, a FIN
//!   on every stream, and the connection closing.
//!
//! The SPDY framing is `kcore::spdy`. The upgrade plumbing at the end ([`kubelet_upgrade`],
//! [`websocket_upgrade`], [`spdy_switch`]) serves `pods/portforward` too.

use std::collections::HashMap;

use std::future::Future;

use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::FromRequestParts;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use kcore::spdy::{self, remotecommand as rc, Decoder, Encoder, Frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::podexec::{framed, kubelet_error, Upgrade, CLOSE, ERROR, STDERR, STDIN, STDOUT};
use super::status::ApiError;

/// The resize channel.
pub(crate) const RESIZE: u8 = 4;

/// What the client sends.
#[derive(Debug, PartialEq)]
pub(crate) enum In {
    Stdin(Vec<u8>),
    /// The client closed stdin (v5's close of channel 0, SPDY's FIN).
    StdinEnd,
    /// A terminal size (JSON `{"Width":…,"Height":…}`).
    Resize(Vec<u8>),
}

enum Out {
    Data(u8, Vec<u8>),
    /// The error channel's status, then the end of the session.
    Finish(Vec<u8>),
}

/// A session's end of the connection.
pub(crate) struct Link {
    rx: mpsc::UnboundedReceiver<In>,
    tx: mpsc::UnboundedSender<Out>,
}

impl Link {
    /// The next thing the client sent; `None` once it went away.
    pub async fn recv(&mut self) -> Option<In> {
        self.rx.recv().await
    }

    /// Writes `data` on channel `ch`; `false` once the connection is gone.
    pub fn send(&self, ch: u8, data: &[u8]) -> bool {
        self.tx.send(Out::Data(ch, data.to_vec())).is_ok()
    }

    /// Ends the session normally: `status` on the error channel, then the streams close.
    pub fn finish(self, status: &[u8]) {
        let _ = self.tx.send(Out::Finish(status.to_vec()));
    }
}

fn pair() -> (
    Link,
    mpsc::UnboundedSender<In>,
    mpsc::UnboundedReceiver<Out>,
) {
    let (in_tx, rx) = mpsc::unbounded_channel();
    let (tx, out_rx) = mpsc::unbounded_channel();
    (Link { rx, tx }, in_tx, out_rx)
}

/// An accepted upgrade, not yet answered.
pub(crate) enum Conn {
    WebSocket {
        ws: WebSocketUpgrade,
        v5: bool,
    },
    Spdy {
        on_upgrade: hyper::upgrade::OnUpgrade,
        /// The `streamType`s the request asked for, which must all be open before output.
        expected: Vec<&'static str>,
    },
}

impl Conn {
    /// The streams a request with these options opens (client-go's `createStreams`, v4).
    pub fn expected_streams(
        stdin: bool,
        stdout: bool,
        stderr: bool,
        tty: bool,
    ) -> Vec<&'static str> {
        let mut e = vec![rc::STREAM_TYPE_ERROR];
        if stdin {
            e.push(rc::STREAM_TYPE_STDIN);
        }
        if stdout {
            e.push(rc::STREAM_TYPE_STDOUT);
        }
        if stderr && !tty {
            e.push(rc::STREAM_TYPE_STDERR);
        }
        if tty {
            e.push(rc::STREAM_TYPE_RESIZE);
        }
        e
    }

    /// Answers the upgrade and runs `session` on the connection.
    pub fn serve<F, Fut>(self, session: F) -> Response
    where
        F: FnOnce(Link) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        match self {
            Conn::WebSocket { ws, v5 } => ws.on_upgrade(move |socket| async move {
                let (link, in_tx, out_rx) = pair();
                let s = tokio::spawn(session(link));
                websocket(socket, v5, in_tx, out_rx).await;
                let _ = s.await;
            }),
            Conn::Spdy {
                on_upgrade,
                expected,
            } => spdy_switch(
                on_upgrade,
                rc::PROTOCOL_V4,
                move |bytes_rx, wire_tx| async move {
                    let (link, in_tx, out_rx) = pair();
                    let s = tokio::spawn(session(link));
                    spdy_session(expected, bytes_rx, wire_tx, in_tx, out_rx).await;
                    let _ = s.await;
                },
            ),
        }
    }
}

/// What a WebSocket message from the client means.
fn ws_input(data: &[u8], v5: bool) -> Option<In> {
    match data.split_first() {
        Some((&STDIN, rest)) => Some(In::Stdin(rest.to_vec())),
        Some((&CLOSE, [STDIN, ..])) if v5 => Some(In::StdinEnd),
        Some((&RESIZE, rest)) => Some(In::Resize(rest.to_vec())),
        _ => None,
    }
}

async fn websocket(
    mut socket: WebSocket,
    v5: bool,
    in_tx: mpsc::UnboundedSender<In>,
    mut out_rx: mpsc::UnboundedReceiver<Out>,
) {
    let mut in_tx = Some(in_tx);
    loop {
        tokio::select! {
            out = out_rx.recv() => match out {
                Some(Out::Data(ch, d)) => {
                    if socket.send(framed(ch, &d)).await.is_err() {
                        return;
                    }
                }
                Some(Out::Finish(status)) => {
                    let _ = socket.send(framed(ERROR, &status)).await;
                    // A normal closure (1000): client-go takes it for the end of every stream.
                    let _ = socket
                        .send(Message::Close(Some(CloseFrame {
                            code: 1000,
                            reason: "".into(),
                        })))
                        .await;
                    return;
                }
                // The session ended without a status: the connection just goes.
                None => return,
            },
            msg = socket.recv(), if in_tx.is_some() => {
                let data = match msg {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => {
                        in_tx = None;
                        continue;
                    }
                    Some(Ok(Message::Binary(b))) => b.to_vec(),
                    Some(Ok(Message::Text(t))) => t.as_bytes().to_vec(),
                    Some(Ok(_)) => continue,
                };
                if let (Some(tx), Some(i)) = (&in_tx, ws_input(&data, v5)) {
                    let _ = tx.send(i);
                }
            }
        }
    }
}

/// The stream of each channel the session writes to.
fn channel_type(ch: u8) -> Option<&'static str> {
    match ch {
        STDOUT => Some(rc::STREAM_TYPE_STDOUT),
        STDERR => Some(rc::STREAM_TYPE_STDERR),
        ERROR => Some(rc::STREAM_TYPE_ERROR),
        _ => None,
    }
}

/// The known stream types, as the kubelet accepts them.
fn known_type(t: &str) -> Option<&'static str> {
    [
        rc::STREAM_TYPE_ERROR,
        rc::STREAM_TYPE_STDIN,
        rc::STREAM_TYPE_STDOUT,
        rc::STREAM_TYPE_STDERR,
        rc::STREAM_TYPE_RESIZE,
    ]
    .into_iter()
    .find(|k| *k == t)
}

/// The server side of one SPDY connection: streams as the client opens them, their input to
/// the session, the session's output to them once all `expected` streams are open.
async fn spdy_session(
    expected: Vec<&'static str>,
    mut bytes: mpsc::UnboundedReceiver<Vec<u8>>,
    wire: mpsc::UnboundedSender<Vec<u8>>,
    in_tx: mpsc::UnboundedSender<In>,
    mut out_rx: mpsc::UnboundedReceiver<Out>,
) {
    let mut enc = Encoder::new();
    let mut send = |f: Frame| match enc.encode(&f) {
        Ok(b) => wire.send(b).is_ok(),
        Err(_) => false,
    };
    let mut dec = Decoder::new();
    let mut in_tx = Some(in_tx);
    let mut by_type: HashMap<&'static str, u32> = HashMap::new();
    let mut by_id: HashMap<u32, &'static str> = HashMap::new();
    let mut client_open = true;
    loop {
        let ready = expected.iter().all(|t| by_type.contains_key(t));
        if !client_open && !ready {
            // Gone before opening its streams: nothing can be written.
            return;
        }
        tokio::select! {
            b = bytes.recv(), if client_open => {
                let Some(b) = b else {
                    // The client went away.
                    client_open = false;
                    in_tx = None;
                    continue;
                };
                dec.push(&b);
                loop {
                    let frame = match dec.next_frame() {
                        Ok(Some(f)) => f,
                        Ok(None) => break,
                        Err(_) => {
                            send(Frame::GoAway { last_good_stream_id: 0, status: 1 });
                            return;
                        }
                    };
                    match frame {
                        Frame::SynStream { stream_id, headers, .. } => {
                            let t = spdy::header(&headers, rc::STREAM_TYPE)
                                .and_then(known_type)
                                .filter(|t| !by_type.contains_key(t));
                            let Some(t) = t else {
                                send(Frame::RstStream { stream_id, status: spdy::rst::CANCEL });
                                continue;
                            };
                            send(Frame::SynReply { stream_id, flags: 0, headers: vec![] });
                            by_type.insert(t, stream_id);
                            by_id.insert(stream_id, t);
                        }
                        Frame::Data { stream_id, flags, data } => {
                            let t = by_id.get(&stream_id).copied();
                            let Some(tx) = &in_tx else { continue };
                            if !data.is_empty() {
                                match t {
                                    Some(rc::STREAM_TYPE_STDIN) => { let _ = tx.send(In::Stdin(data)); }
                                    Some(rc::STREAM_TYPE_RESIZE) => { let _ = tx.send(In::Resize(data)); }
                                    _ => {}
                                }
                            }
                            if flags & spdy::FLAG_FIN != 0 && t == Some(rc::STREAM_TYPE_STDIN) {
                                let _ = tx.send(In::StdinEnd);
                            }
                        }
                        Frame::RstStream { stream_id, .. } => {
                            if by_id.get(&stream_id) == Some(&rc::STREAM_TYPE_STDIN) {
                                if let Some(tx) = &in_tx {
                                    let _ = tx.send(In::StdinEnd);
                                }
                            }
                        }
                        Frame::Ping { id } => { send(Frame::Ping { id }); }
                        Frame::GoAway { .. } => {
                            client_open = false;
                            in_tx = None;
                            break;
                        }
                        Frame::SynReply { .. }
                        | Frame::Headers { .. }
                        | Frame::Settings { .. }
                        | Frame::WindowUpdate { .. } => {}
                    }
                }
            }
            out = out_rx.recv(), if ready => match out {
                Some(Out::Data(ch, data)) => {
                    if let Some(&id) = channel_type(ch).and_then(|t| by_type.get(t)) {
                        for chunk in data.chunks(32 * 1024) {
                            if !send(Frame::Data { stream_id: id, flags: 0, data: chunk.to_vec() }) {
                                return;
                            }
                        }
                    }
                }
                Some(Out::Finish(status)) => {
                    if let Some(&id) = by_type.get(rc::STREAM_TYPE_ERROR) {
                        send(Frame::Data { stream_id: id, flags: 0, data: status });
                    }
                    let mut ids: Vec<u32> = by_id.keys().copied().collect();
                    ids.sort_unstable();
                    for id in ids {
                        send(Frame::Data { stream_id: id, flags: spdy::FLAG_FIN, data: vec![] });
                    }
                    send(Frame::GoAway { last_good_stream_id: 0, status: 0 });
                    return;
                }
                None => return,
            },
        }
    }
}

/// The API server's last checks before it hands a stream request (exec, attach, portforward)
/// to the kubelet: the pod is on a node and the request asks for an upgrade. Returns the
/// `Upgrade` header.
pub(crate) fn kubelet_upgrade(
    pod: &serde_json::Value,
    name: &str,
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    if pod["spec"]["nodeName"]
        .as_str()
        .unwrap_or_default()
        .is_empty()
    {
        return Err(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let upgrade_header = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if upgrade_header.is_empty() {
        return Err(ApiError::bad_request("Upgrade request required"));
    }
    Ok(upgrade_header)
}

/// The values of a header that may be repeated and comma-separated, trimmed.
fn header_list(headers: &HeaderMap, name: impl header::AsHeaderName) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .collect()
}

/// The protocols a SPDY upgrade request offers (`X-Stream-Protocol-Version`).
pub(crate) fn offered_protocols(headers: &HeaderMap) -> Vec<String> {
    let mut offered = header_list(headers, "x-stream-protocol-version");
    offered.retain(|p| !p.is_empty());
    offered
}

/// The WebSocket upgrade of a stream request (its upgrade half put back on it), with the
/// first of `protocols` the client offers; a client offering none gets the kubelet's refusal.
pub(crate) async fn websocket_upgrade(
    headers: &HeaderMap,
    upgrade: Upgrade,
    protocols: &'static [&'static str],
) -> Result<WebSocketUpgrade, Box<Response>> {
    let mut req = Request::builder()
        .method(axum::http::Method::GET)
        .version(upgrade.version)
        .body(())
        .map_err(|e| Box::new(ApiError::internal(e.to_string()).into_response()))?;
    *req.headers_mut() = headers.clone();
    if let Some(u) = upgrade.on_upgrade {
        req.extensions_mut().insert(u);
    }
    let (mut parts, ()) = req.into_parts();
    let ws = WebSocketUpgrade::from_request_parts(&mut parts, &())
        .await
        .map_err(|e| Box::new(e.into_response()))?
        .protocols(protocols.iter().copied());
    if ws.selected_protocol().is_none() {
        return Err(Box::new(kubelet_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "unable to upgrade: unable to negotiate protocol: client supports {:?}, server supports {protocols:?}",
                header_list(headers, header::SEC_WEBSOCKET_PROTOCOL)
            ),
        )));
    }
    Ok(ws)
}

/// Answers a SPDY/3.1 upgrade with `101 Switching Protocols` (`protocol` in
/// `X-Stream-Protocol-Version`) and, once the connection is switched, runs `session` over it:
/// what the client writes arrives on the receiver, what the session sends is written, and the
/// connection closes when the session ends.
pub(crate) fn spdy_switch<F, Fut>(
    on_upgrade: hyper::upgrade::OnUpgrade,
    protocol: &'static str,
    session: F,
) -> Response
where
    F: FnOnce(mpsc::UnboundedReceiver<Vec<u8>>, mpsc::UnboundedSender<Vec<u8>>) -> Fut
        + Send
        + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let (mut rd, mut wr) = tokio::io::split(TokioIo::new(upgraded));
        let (bytes_tx, bytes_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = rd.read(&mut buf).await {
                if n == 0 || bytes_tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let (wire_tx, mut wire_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let writer = tokio::spawn(async move {
            while let Some(b) = wire_rx.recv().await {
                if wr.write_all(&b).await.is_err() || wr.flush().await.is_err() {
                    break;
                }
            }
            let _ = wr.shutdown().await;
        });
        session(bytes_rx, wire_tx).await;
        reader.abort();
        let _ = writer.await;
    });
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = r.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(
        header::UPGRADE,
        HeaderValue::from_static(spdy::UPGRADE_TOKEN),
    );
    h.insert(
        "x-stream-protocol-version",
        HeaderValue::from_static(protocol),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_streams_follow_the_options() {
        assert_eq!(
            Conn::expected_streams(true, true, true, false),
            vec!["error", "stdin", "stdout", "stderr"]
        );
        assert_eq!(
            Conn::expected_streams(false, true, false, true),
            vec!["error", "stdout", "resize"]
        );
    }

    /// A client that goes away before opening every stream it asked for ends the session
    /// (it used to leave the loop with every branch disabled, a panic).
    #[tokio::test]
    async fn a_client_gone_before_its_streams_ends_the_session() {
        let (bytes_tx, bytes_rx) = mpsc::unbounded_channel();
        let (wire_tx, _wire_rx) = mpsc::unbounded_channel();
        let (link, in_tx, out_rx) = pair();
        drop(bytes_tx);
        let session = tokio::spawn(spdy_session(
            Conn::expected_streams(true, true, false, true),
            bytes_rx,
            wire_tx,
            in_tx,
            out_rx,
        ));
        session.await.expect("the session ends without a panic");
        drop(link);
    }

    #[test]
    fn websocket_input() {
        assert_eq!(ws_input(&[0, b'a'], false), Some(In::Stdin(b"a".to_vec())));
        assert_eq!(ws_input(&[255, 0], true), Some(In::StdinEnd));
        assert_eq!(ws_input(&[255, 0], false), None);
        assert_eq!(ws_input(&[4, b'{'], true), Some(In::Resize(b"{".to_vec())));
    }
}
