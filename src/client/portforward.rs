//! The client side of `pods/NAME/portforward`: dialing as kubectl v1.36 does, then a SPDY/3.1
//! client connection (moby/spdystream's client role) over the upgraded connection.
//!
//! Dialing (client-go `tools/portforward`, `NewFallbackDialer`): first a WebSocket upgrade
//! (`GET`) offering subprotocol `SPDY/3.1+portforward.k8s.io`, whose binary messages carry the
//! SPDY bytes; when the server refuses that upgrade (any answer but 101), a `POST` upgraded to
//! `SPDY/3.1` with `X-Stream-Protocol-Version: portforward.k8s.io`.
//!
//! Either way the bytes go through two channels, so the connection ([`SpdyConnection`]) does
//! not know its transport. The framing is `kcore::spdy`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use kcore::spdy::{self, portforward as pf, Decoder, Encoder, Frame};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::protocol::{Message, Role};
use tokio_tungstenite::WebSocketStream;

use super::{ApiPath, ApiRequest, ApiStatus, Client, ClientError, Method};

/// client-go's ping period on tunnelled and SPDY port-forward connections.
pub const PING_PERIOD: Duration = Duration::from_secs(10);

/// How long a new stream waits for the server's SYN_REPLY (apimachinery's
/// `createStreamResponseTimeout`).
const CREATE_STREAM_TIMEOUT: Duration = Duration::from_secs(30);

/// Why dialing failed, in client-go's words (kubectl prefixes `error upgrading connection: `).
#[derive(Debug)]
pub enum DialError {
    /// The request could not be sent (kubectl's connection errors).
    Client(ClientError),
    /// The server answered, but not with an upgrade: its message.
    Refused(String),
}

impl Client {
    /// Opens a port-forward connection to `path` (`pods/NAME/portforward`): WebSocket first,
    /// SPDY when the WebSocket upgrade is refused.
    pub async fn port_forward(&self, path: ApiPath) -> Result<SpdyConnection, DialError> {
        match self.dial_websocket(path.clone()).await {
            Ok(c) => Ok(c),
            Err(DialError::Refused(_)) => self.dial_spdy(path).await,
            Err(e) => Err(e),
        }
    }

    async fn dial_websocket(&self, path: ApiPath) -> Result<SpdyConnection, DialError> {
        let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
        let req = ApiRequest::get(path)
            .header("Connection", "Upgrade")
            .header("Upgrade", "websocket")
            .header("Sec-Websocket-Version", "13")
            .header("Sec-Websocket-Key", &key)
            .header("Sec-Websocket-Protocol", pf::WEBSOCKET_TUNNEL_PROTOCOL);
        let resp = self.send_raw(&req).await.map_err(DialError::Client)?;
        if resp.status().as_u16() != 101 {
            return Err(DialError::Refused(self.refusal(resp).await));
        }
        let proto = header_of(&resp, "sec-websocket-protocol");
        let proto = proto
            .strip_prefix("SPDY/3.1+")
            .unwrap_or(&proto)
            .to_string();
        check_protocol(&proto)?;
        let upgraded = resp
            .upgrade()
            .await
            .map_err(|e| DialError::Refused(format!("unable to upgrade connection: {e}")))?;
        let ws = WebSocketStream::from_raw_socket(upgraded, Role::Client, None).await;
        let (mut sink, mut stream) = ws.split();
        let (in_tx, in_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        tokio::spawn(async move {
            while let Some(Ok(m)) = stream.next().await {
                match m {
                    Message::Binary(b) if in_tx.send(b.to_vec()).is_err() => break,
                    Message::Close(_) => break,
                    _ => {}
                }
            }
        });
        tokio::spawn(async move {
            while let Some(b) = out_rx.recv().await {
                if sink.send(Message::Binary(b.into())).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        Ok(SpdyConnection::start(in_rx, out_tx))
    }

    async fn dial_spdy(&self, path: ApiPath) -> Result<SpdyConnection, DialError> {
        let req = ApiRequest::new(Method::POST, path)
            .header("Connection", "Upgrade")
            .header("Upgrade", spdy::UPGRADE_TOKEN)
            .header("X-Stream-Protocol-Version", pf::PROTOCOL_V1);
        let resp = self.send_raw(&req).await.map_err(DialError::Client)?;
        let upgraded_ok = resp.status().as_u16() == 101
            && header_of(&resp, "connection")
                .to_ascii_lowercase()
                .contains("upgrade")
            && header_of(&resp, "upgrade")
                .to_ascii_lowercase()
                .contains("spdy/3.1");
        if !upgraded_ok {
            return Err(DialError::Refused(self.refusal(resp).await));
        }
        check_protocol(&header_of(&resp, "x-stream-protocol-version"))?;
        let upgraded = resp
            .upgrade()
            .await
            .map_err(|e| DialError::Refused(format!("unable to upgrade connection: {e}")))?;
        Ok(SpdyConnection::over(upgraded))
    }

    /// A refused upgrade as client-go words it: the server's Status message, else
    /// `unable to upgrade connection: <body>`.
    async fn refusal(&self, resp: reqwest::Response) -> String {
        let code = resp.status().as_u16();
        let body = resp.bytes().await.unwrap_or_default();
        self.log_body(&body);
        if let Some(s) = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| ApiStatus::from_status(code, &v))
        {
            return s.message;
        }
        format!(
            "unable to upgrade connection: {}",
            String::from_utf8_lossy(&body).trim()
        )
    }
}

fn header_of(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// `ForwardPorts`' check of the negotiated protocol.
fn check_protocol(proto: &str) -> Result<(), DialError> {
    if proto == pf::PROTOCOL_V1 {
        return Ok(());
    }
    Err(DialError::Refused(format!(
        "unable to negotiate protocol: client supports {:?}, server returned {proto:?}",
        pf::PROTOCOL_V1
    )))
}

/// One stream's receiving end: data, then `None` at its end (FIN, reset, or the connection
/// closing).
type Inbox = mpsc::UnboundedSender<Option<Vec<u8>>>;

struct Slot {
    reply: Option<oneshot::Sender<bool>>,
    inbox: Inbox,
}

struct State {
    next_id: u32,
    streams: HashMap<u32, Slot>,
}

/// A SPDY client connection. Cloning shares it.
#[derive(Clone)]
pub struct SpdyConnection {
    frames: mpsc::UnboundedSender<Frame>,
    state: Arc<Mutex<State>>,
    closed: watch::Receiver<bool>,
    closed_tx: Arc<watch::Sender<bool>>,
}

/// A stream the client opened.
pub struct SpdyStream {
    id: u32,
    frames: mpsc::UnboundedSender<Frame>,
    inbox: mpsc::UnboundedReceiver<Option<Vec<u8>>>,
    ended: bool,
}

impl SpdyConnection {
    /// Runs the connection over an upgraded transport.
    pub(crate) fn over<T>(io: T) -> SpdyConnection
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + 'static,
    {
        let (input, output) = pump(io);
        SpdyConnection::start(input, output)
    }

    /// Runs the connection over `input`/`output` (the transport's bytes): a writer owning the
    /// header compressor, a reader dispatching frames, and client-go's pings.
    pub(crate) fn start(
        mut input: mpsc::UnboundedReceiver<Vec<u8>>,
        output: mpsc::UnboundedSender<Vec<u8>>,
    ) -> SpdyConnection {
        let (frames, mut frames_rx) = mpsc::unbounded_channel::<Frame>();
        let (closed_tx, closed) = watch::channel(false);
        let closed_tx = Arc::new(closed_tx);
        let state = Arc::new(Mutex::new(State {
            next_id: 1,
            streams: HashMap::new(),
        }));
        let mut writer_closed = closed.clone();
        tokio::spawn(async move {
            let mut enc = Encoder::new();
            let mut send = |f: &Frame| match enc.encode(f) {
                Ok(b) => output.send(b).is_ok(),
                Err(_) => false,
            };
            loop {
                tokio::select! {
                    f = frames_rx.recv() => match f {
                        Some(f) => if !send(&f) { break },
                        None => break,
                    },
                    _ = writer_closed.changed() => {
                        // Closing: what is queued (the GOAWAY) goes out, then the transport.
                        while let Ok(f) = frames_rx.try_recv() {
                            if !send(&f) {
                                break;
                            }
                        }
                        break;
                    }
                }
            }
        });
        let reader_state = state.clone();
        let reader_frames = frames.clone();
        let reader_closed = closed_tx.clone();
        tokio::spawn(async move {
            let mut dec = Decoder::new();
            'conn: while let Some(bytes) = input.recv().await {
                dec.push(&bytes);
                loop {
                    match dec.next_frame() {
                        Ok(Some(f)) => {
                            if !dispatch(&reader_state, &reader_frames, f) {
                                break 'conn;
                            }
                        }
                        Ok(None) => break,
                        Err(_) => break 'conn,
                    }
                }
            }
            // The connection is gone: every stream ends.
            if let Ok(mut st) = reader_state.lock() {
                for (_, s) in st.streams.drain() {
                    let _ = s.inbox.send(None);
                }
            }
            reader_closed.send_replace(true);
        });
        let ping_frames = frames.clone();
        let mut ping_closed = closed.clone();
        tokio::spawn(async move {
            let mut id: u32 = 1;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(PING_PERIOD) => {
                        if ping_frames.send(Frame::Ping { id }).is_err() {
                            break;
                        }
                        id = id.wrapping_add(2).max(1);
                    }
                    _ = ping_closed.changed() => break,
                }
            }
        });
        SpdyConnection {
            frames,
            state,
            closed,
            closed_tx,
        }
    }

    /// Resolves once the connection is closed (by the server, or by [`Self::close`]).
    pub async fn closed(&self) {
        let mut c = self.closed.clone();
        while !*c.borrow() {
            if c.changed().await.is_err() {
                return;
            }
        }
    }

    /// Closes the connection (spdystream's `Close`: GOAWAY, then the transport goes).
    pub fn close(&self) {
        let _ = self.frames.send(Frame::GoAway {
            last_good_stream_id: 0,
            status: 0,
        });
        if let Ok(mut st) = self.state.lock() {
            for (_, s) in st.streams.drain() {
                let _ = s.inbox.send(None);
            }
        }
        self.closed_tx.send_replace(true);
    }

    /// Opens a stream with `headers` and waits for the server's SYN_REPLY.
    pub async fn create_stream(&self, headers: spdy::Headers) -> Result<SpdyStream, String> {
        if *self.closed.borrow() {
            return Err("connection closed".into());
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        let (inbox_tx, inbox) = mpsc::unbounded_channel();
        let id = {
            let mut st = self.state.lock().map_err(|_| "connection state lost")?;
            let id = st.next_id;
            st.next_id += 2;
            st.streams.insert(
                id,
                Slot {
                    reply: Some(reply_tx),
                    inbox: inbox_tx,
                },
            );
            // Sent under the lock: SYN_STREAMs must go out in increasing id order.
            self.frames
                .send(Frame::SynStream {
                    stream_id: id,
                    associated_to: 0,
                    priority: 0,
                    slot: 0,
                    flags: 0,
                    headers,
                })
                .map_err(|_| "connection closed")?;
            id
        };
        match tokio::time::timeout(CREATE_STREAM_TIMEOUT, reply_rx).await {
            Ok(Ok(true)) => Ok(SpdyStream {
                id,
                frames: self.frames.clone(),
                inbox,
                ended: false,
            }),
            Ok(Ok(false)) => Err("stream reset by the server".into()),
            Ok(Err(_)) => Err("connection closed".into()),
            Err(_) => Err("timeout waiting for SYN_REPLY".into()),
        }
    }

    /// Forgets a stream (client-go's `RemoveStreams`).
    pub fn remove_stream(&self, id: u32) {
        if let Ok(mut st) = self.state.lock() {
            st.streams.remove(&id);
        }
    }
}

/// Handles one frame from the server; `false` ends the connection.
fn dispatch(state: &Mutex<State>, frames: &mpsc::UnboundedSender<Frame>, f: Frame) -> bool {
    let Ok(mut st) = state.lock() else {
        return false;
    };
    match f {
        Frame::SynReply {
            stream_id, flags, ..
        } => {
            if let Some(s) = st.streams.get_mut(&stream_id) {
                if let Some(r) = s.reply.take() {
                    let _ = r.send(true);
                }
                if flags & spdy::FLAG_FIN != 0 {
                    let _ = s.inbox.send(None);
                }
            }
        }
        Frame::Data {
            stream_id,
            flags,
            data,
        } => {
            if let Some(s) = st.streams.get(&stream_id) {
                if !data.is_empty() {
                    let _ = s.inbox.send(Some(data));
                }
                if flags & spdy::FLAG_FIN != 0 {
                    let _ = s.inbox.send(None);
                }
            }
        }
        Frame::RstStream { stream_id, .. } => {
            if let Some(mut s) = st.streams.remove(&stream_id) {
                if let Some(r) = s.reply.take() {
                    let _ = r.send(false);
                }
                let _ = s.inbox.send(None);
            }
        }
        // Server pings have even ids: echoed. Our own come back and are done.
        Frame::Ping { id } => {
            if id % 2 == 0 {
                let _ = frames.send(Frame::Ping { id });
            }
        }
        Frame::GoAway { .. } => return false,
        Frame::SynStream { stream_id, .. } => {
            // The server opens no streams in this protocol.
            let _ = frames.send(Frame::RstStream {
                stream_id,
                status: spdy::rst::REFUSED_STREAM,
            });
        }
        Frame::Headers { .. } | Frame::Settings { .. } | Frame::WindowUpdate { .. } => {}
    }
    true
}

impl SpdyStream {
    /// The next data received, `None` at the stream's end.
    pub async fn read(&mut self) -> Option<Vec<u8>> {
        if self.ended {
            return None;
        }
        match self.inbox.recv().await {
            Some(Some(d)) => Some(d),
            _ => {
                self.ended = true;
                None
            }
        }
    }

    /// The sending half, for another task.
    pub fn handle(&self) -> StreamHandle {
        StreamHandle {
            id: self.id,
            frames: self.frames.clone(),
        }
    }

    /// The stream's id.
    pub fn id(&self) -> u32 {
        self.id
    }
}

/// The sending half of a stream.
#[derive(Clone)]
pub struct StreamHandle {
    id: u32,
    frames: mpsc::UnboundedSender<Frame>,
}

impl StreamHandle {
    /// Sends data (in frames of at most 32 KiB, as Go's io.Copy writes).
    pub fn write(&self, data: &[u8]) -> Result<(), String> {
        for chunk in data.chunks(32 * 1024) {
            self.frames
                .send(Frame::Data {
                    stream_id: self.id,
                    flags: 0,
                    data: chunk.to_vec(),
                })
                .map_err(|_| "connection closed".to_string())?;
        }
        Ok(())
    }

    /// Half-closes the stream: FIN, nothing more will be sent.
    pub fn close(&self) {
        let _ = self.frames.send(Frame::Data {
            stream_id: self.id,
            flags: spdy::FLAG_FIN,
            data: vec![],
        });
    }

    /// Resets the stream (RST_STREAM CANCEL), discarding what is unsent.
    pub fn reset(&self) {
        let _ = self.frames.send(Frame::RstStream {
            stream_id: self.id,
            status: spdy::rst::CANCEL,
        });
    }
}

/// Pumps an upgraded connection's bytes to and from a SPDY session's frame channels.
fn pump<T>(
    io: T,
) -> (
    mpsc::UnboundedReceiver<Vec<u8>>,
    mpsc::UnboundedSender<Vec<u8>>,
)
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + 'static,
{
    let (mut rd, mut wr) = tokio::io::split(io);
    let (in_tx, in_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 32 * 1024];
        while let Ok(n) = rd.read(&mut buf).await {
            if n == 0 || in_tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        while let Some(b) = out_rx.recv().await {
            if wr.write_all(&b).await.is_err() || wr.flush().await.is_err() {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    (in_rx, out_tx)
}
