//! `pods/NAME/portforward`: the API server's checks, then the kubelet's, then a SPDY/3.1
//! session (`portforward.k8s.io`) over either transport kubectl v1.36 speaks:
//!
//! - a WebSocket upgrade with subprotocol `SPDY/3.1+portforward.k8s.io`, SPDY frames carried
//!   in binary messages (client-go's tunnelling dialer, PortForwardWebsockets);
//! - the fallback: an `Upgrade: SPDY/3.1` request with `X-Stream-Protocol-Version:
//!   portforward.k8s.io`, answered `101 Switching Protocols`.
//!
//! Inside the session the client opens, per forwarded connection, an error stream and a data
//! stream carrying the headers `streamType`, `port` and `requestID` (kubelet
//! `cri/streaming/portforward/httpstream.go`). A port that a running container of the pod
//! declares in `ports[]` answers like a tiny HTTP server with a clearly simulated page naming
//! the pod, container and port; any other port gets the error the kubelet writes on the error
//! stream when nothing listens in the pod's network namespace (containerd's wording).
//!
//! The framing is `kcore::spdy`; this file is the async plumbing around it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kcore::spdy::{self, portforward as pf, Decoder, Encoder, Frame};
use serde_json::Value;
use tokio::sync::mpsc;

use super::podexec::{kubelet_error, StreamRequest, Upgrade};
use super::podstreams::{kubelet_upgrade, offered_protocols, spdy_switch, websocket_upgrade};
use super::status::ApiError;
use super::store::{GroupResource, Store};

/// Serves `GET|POST /api/v1/namespaces/NS/pods/NAME/portforward`.
pub async fn serve(req: StreamRequest<'_>) -> Result<Response, ApiError> {
    let pod = req.pod()?;
    let headers = req.headers;
    let upgrade_header = kubelet_upgrade(&pod, req.name, headers)?;
    // The kubelet: the pod's sandbox must be running (containerd's PortForward check).
    if pod["status"]["phase"] != "Running" {
        return Ok(kubelet_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "rpc error: code = Unknown desc = sandbox container is not running",
        ));
    }
    let target = Target {
        store: req.store.clone(),
        ns: req.ns.to_string(),
        name: req.name.to_string(),
        sandbox_id: sandbox_id(&pod),
    };
    let is_ws =
        req.method == axum::http::Method::GET && upgrade_header.eq_ignore_ascii_case("websocket");
    if is_ws {
        return Ok(websocket(target, headers, req.upgrade).await);
    }
    if !upgrade_header.eq_ignore_ascii_case(spdy::UPGRADE_TOKEN) {
        return Ok(kubelet_error(
            StatusCode::BAD_REQUEST,
            &format!("unable to upgrade: unsupported upgrade protocol {upgrade_header:?}"),
        ));
    }
    // httpstream.Handshake: a client that names protocols must name ours.
    let offered = offered_protocols(headers);
    if !offered.is_empty() && !offered.iter().any(|p| p == pf::PROTOCOL_V1) {
        return Ok(kubelet_error(
            StatusCode::FORBIDDEN,
            &format!(
                "unable to upgrade: unable to negotiate protocol: client supports {offered:?}, server supports [\"{}\"]",
                pf::PROTOCOL_V1
            ),
        ));
    }
    let Some(on_upgrade) = req.upgrade.on_upgrade else {
        return Ok(kubelet_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unable to upgrade: unable to hijack the connection",
        ));
    };
    Ok(spdy_switch(
        on_upgrade,
        pf::PROTOCOL_V1,
        move |in_rx, out_tx| session(target, in_rx, out_tx),
    ))
}

/// The WebSocket transport: SPDY bytes in binary messages.
async fn websocket(target: Target, headers: &HeaderMap, upgrade: Upgrade) -> Response {
    let ws = match websocket_upgrade(headers, upgrade, &[pf::WEBSOCKET_TUNNEL_PROTOCOL]).await {
        Ok(ws) => ws,
        Err(r) => return *r,
    };
    ws.on_upgrade(move |socket| tunnel(target, socket))
}

async fn tunnel(target: Target, mut socket: WebSocket) {
    let (in_tx, in_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let mut sess = Box::pin(session(target, in_rx, out_tx));
    let mut in_tx = Some(in_tx);
    loop {
        tokio::select! {
            () = &mut sess => break,
            out = out_rx.recv() => match out {
                Some(b) => {
                    if socket.send(Message::Binary(b.into())).await.is_err() {
                        return;
                    }
                }
                None => break,
            },
            msg = socket.recv(), if in_tx.is_some() => match msg {
                Some(Ok(Message::Binary(b))) => {
                    if let Some(tx) = &in_tx {
                        let _ = tx.send(b.to_vec());
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => in_tx = None,
                Some(Ok(_)) => {}
            },
        }
    }
    while let Ok(b) = out_rx.try_recv() {
        if socket.send(Message::Binary(b.into())).await.is_err() {
            return;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// What a session forwards to.
#[derive(Clone)]
struct Target {
    store: Arc<Store>,
    ns: String,
    name: String,
    sandbox_id: String,
}

/// The CRI pod sandbox id the kubelet names in its errors: a stable 64-hex id per pod.
fn sandbox_id(pod: &Value) -> String {
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let d = ring::digest::digest(&ring::digest::SHA256, format!("sandbox:{uid}").as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// One stream the client opened.
struct StreamIn {
    /// Received data; `None` ends it (FIN or reset).
    tx: mpsc::UnboundedSender<Option<Vec<u8>>>,
}

/// The two streams of one forwarded connection, as they arrive.
#[derive(Default)]
struct Pair {
    port: u16,
    error: Option<u32>,
    data: Option<(u32, mpsc::UnboundedReceiver<Option<Vec<u8>>>)>,
}

/// Runs the server side of one SPDY connection until the client closes it, sends GOAWAY or
/// breaks the protocol.
async fn session(
    target: Target,
    mut input: mpsc::UnboundedReceiver<Vec<u8>>,
    output: mpsc::UnboundedSender<Vec<u8>>,
) {
    let (frames_tx, mut frames_rx) = mpsc::unbounded_channel::<Frame>();
    // The writer: one encoder, frames in the order they are queued.
    let writer = tokio::spawn(async move {
        let mut enc = Encoder::new();
        while let Some(f) = frames_rx.recv().await {
            match enc.encode(&f) {
                Ok(b) => {
                    if output.send(b).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    let mut dec = Decoder::new();
    let mut streams: HashMap<u32, StreamIn> = HashMap::new();
    let mut pairs: HashMap<String, Pair> = HashMap::new();
    let mut tasks = Vec::new();
    'conn: while let Some(bytes) = input.recv().await {
        dec.push(&bytes);
        loop {
            let frame = match dec.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => {
                    let _ = frames_tx.send(Frame::GoAway {
                        last_good_stream_id: 0,
                        status: 1,
                    });
                    break 'conn;
                }
            };
            match frame {
                Frame::SynStream {
                    stream_id, headers, ..
                } => {
                    let port = match check_stream(&headers) {
                        Ok(p) => p,
                        Err(_) => {
                            let _ = frames_tx.send(Frame::RstStream {
                                stream_id,
                                status: spdy::rst::CANCEL,
                            });
                            continue;
                        }
                    };
                    let _ = frames_tx.send(Frame::SynReply {
                        stream_id,
                        flags: 0,
                        headers: vec![],
                    });
                    let (tx, rx) = mpsc::unbounded_channel();
                    streams.insert(stream_id, StreamIn { tx });
                    let request_id = spdy::header(&headers, pf::REQUEST_ID)
                        .map(str::to_string)
                        // Clients before requestID: the kubelet pairs by stream ids.
                        .unwrap_or_else(|| (stream_id.saturating_sub(1) / 4).to_string());
                    let is_error =
                        spdy::header(&headers, pf::STREAM_TYPE) == Some(pf::STREAM_TYPE_ERROR);
                    let pair = pairs.entry(request_id.clone()).or_default();
                    pair.port = port;
                    let dup = if is_error {
                        pair.error.replace(stream_id).is_some()
                    } else {
                        pair.data.replace((stream_id, rx)).is_some()
                    };
                    if dup {
                        let kind = if is_error { "error" } else { "data" };
                        if let Some(err) = pair.error {
                            send_error(
                                &frames_tx,
                                err,
                                &format!(
                                    "error processing stream for request {request_id}: {kind} stream already assigned"
                                ),
                            );
                        }
                        continue;
                    }
                    if pair.error.is_some() && pair.data.is_some() {
                        let mut p = pairs.remove(&request_id).unwrap_or_default();
                        let (Some(err), Some((data, rx))) = (p.error.take(), p.data.take()) else {
                            continue;
                        };
                        tasks.push(tokio::spawn(forward(
                            target.clone(),
                            p.port,
                            err,
                            data,
                            rx,
                            frames_tx.clone(),
                        )));
                    }
                }
                Frame::Data {
                    stream_id,
                    flags,
                    data,
                } => {
                    if let Some(s) = streams.get(&stream_id) {
                        if !data.is_empty() {
                            let _ = s.tx.send(Some(data));
                        }
                        if flags & spdy::FLAG_FIN != 0 {
                            let _ = s.tx.send(None);
                        }
                    }
                }
                Frame::RstStream { stream_id, .. } => {
                    if let Some(s) = streams.remove(&stream_id) {
                        let _ = s.tx.send(None);
                    }
                }
                Frame::Ping { id } => {
                    let _ = frames_tx.send(Frame::Ping { id });
                }
                Frame::GoAway { .. } => break 'conn,
                Frame::SynReply { .. }
                | Frame::Headers { .. }
                | Frame::Settings { .. }
                | Frame::WindowUpdate { .. } => {}
            }
        }
    }
    for t in tasks {
        t.abort();
    }
    drop(frames_tx);
    let _ = writer.await;
}

/// The kubelet's checks of a new stream's headers (`httpStreamReceived`).
fn check_stream(headers: &spdy::Headers) -> Result<u16, String> {
    let port = spdy::header(headers, pf::PORT).unwrap_or_default();
    if port.is_empty() {
        return Err(format!("{:?} header is required", pf::PORT));
    }
    let n: u16 = port
        .parse()
        .map_err(|_| format!("unable to parse {port:?} as a port"))?;
    if n < 1 {
        return Err(format!("port {port:?} must be > 0"));
    }
    match spdy::header(headers, pf::STREAM_TYPE).unwrap_or_default() {
        "" => Err(format!("{:?} header is required", pf::STREAM_TYPE)),
        pf::STREAM_TYPE_ERROR | pf::STREAM_TYPE_DATA => Ok(n),
        other => Err(format!("invalid stream type {other:?}")),
    }
}

fn send_error(frames: &mpsc::UnboundedSender<Frame>, stream_id: u32, msg: &str) {
    let _ = frames.send(Frame::Data {
        stream_id,
        flags: 0,
        data: msg.as_bytes().to_vec(),
    });
}

fn fin(frames: &mpsc::UnboundedSender<Frame>, stream_id: u32) {
    let _ = frames.send(Frame::Data {
        stream_id,
        flags: spdy::FLAG_FIN,
        data: vec![],
    });
}

/// The container of the pod that listens on `port`: a running container declaring it.
fn listener(store: &Store, ns: &str, name: &str, port: u16) -> Option<String> {
    let pod = store.get(&GroupResource::new("", "pods"), ns, name)?;
    let running: Vec<&str> = pod["status"]["containerStatuses"]
        .as_array()?
        .iter()
        .filter(|s| s["state"]["running"].is_object())
        .filter_map(|s| s["name"].as_str())
        .collect();
    pod["spec"]["containers"]
        .as_array()?
        .iter()
        .filter(|c| c["name"].as_str().is_some_and(|n| running.contains(&n)))
        .find(|c| {
            c["ports"].as_array().into_iter().flatten().any(|p| {
                p["containerPort"].as_u64() == Some(u64::from(port))
                    && p["protocol"].as_str().unwrap_or("TCP") == "TCP"
            })
        })
        .and_then(|c| c["name"].as_str())
        .map(str::to_string)
}

/// One forwarded connection (the kubelet's `portForward`): the simulated server answers on
/// the data stream, or the error goes to the error stream; both streams are then closed.
async fn forward(
    target: Target,
    port: u16,
    error_stream: u32,
    data_stream: u32,
    mut data: mpsc::UnboundedReceiver<Option<Vec<u8>>>,
    frames: mpsc::UnboundedSender<Frame>,
) {
    match listener(&target.store, &target.ns, &target.name, port) {
        Some(container) => {
            let mut request = Vec::new();
            while let Some(Some(chunk)) = data.recv().await {
                request.extend_from_slice(&chunk);
                if request_complete(&request) {
                    let body = format!(
                        "sandbox: pod {} container {container} port {port}\n",
                        target.name
                    );
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nServer: kubectl-rs-sandbox (simulated)\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = frames.send(Frame::Data {
                        stream_id: data_stream,
                        flags: 0,
                        data: response.into_bytes(),
                    });
                    break;
                }
            }
        }
        None => {
            let sid = &target.sandbox_id;
            let netns = format!(
                "cni-{}-{}-{}-{}-{}",
                &sid[0..8],
                &sid[8..12],
                &sid[12..16],
                &sid[16..20],
                &sid[20..32]
            );
            send_error(
                &frames,
                error_stream,
                &format!(
                    "error forwarding port {port} to pod {sid}, uid : failed to execute portforward in network namespace \"/var/run/netns/{netns}\": failed to connect to localhost:{port} inside namespace \"{sid}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused "
                ),
            );
        }
    }
    fin(&frames, error_stream);
    fin(&frames, data_stream);
}

/// Whether `b` holds a whole HTTP request: the header block and the body its
/// `Content-Length` announces.
fn request_complete(b: &[u8]) -> bool {
    let Some(end) = b.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&b[..end]);
    let len: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    b.len() >= end + 4 + len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_header_checks_are_the_kubelet_s() {
        let h = |pairs: &[(&str, &str)]| -> spdy::Headers {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), vec![v.to_string()]))
                .collect()
        };
        assert_eq!(
            check_stream(&h(&[("streamtype", "data"), ("port", "80")])),
            Ok(80)
        );
        assert_eq!(
            check_stream(&h(&[("streamtype", "data")])),
            Err("\"port\" header is required".into())
        );
        assert_eq!(
            check_stream(&h(&[("streamtype", "data"), ("port", "0")])),
            Err("port \"0\" must be > 0".into())
        );
        assert_eq!(
            check_stream(&h(&[("streamtype", "x"), ("port", "1")])),
            Err("invalid stream type \"x\"".into())
        );
    }

    #[test]
    fn a_request_is_complete_with_its_body() {
        assert!(!request_complete(b"GET / HTTP/1.1\r\nHost: x\r\n"));
        assert!(request_complete(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(!request_complete(
            b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab"
        ));
        assert!(request_complete(
            b"POST / HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc"
        ));
    }
}
