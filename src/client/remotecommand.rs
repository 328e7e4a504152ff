//! Remote command streams (`pods/exec`, `pods/attach`) over WebSocket, as client-go's `remotecommand`
//! WebSocket executor speaks them: the request is upgraded offering `v5.channel.k8s.io` and
//! `v4.channel.k8s.io`; each binary message carries one leading channel byte (0 stdin,
//! 1 stdout, 2 stderr, 3 error: the final `metav1.Status`, 4 resize, 255 close in v5).
//! When the server refuses the WebSocket upgrade (any answer but 101: gorilla's bad
//! handshake, client-go's `UpgradeFailureError`), the command goes over SPDY/3.1 instead, as
//! kubectl v1.36's `FallbackExecutor` does ([`super::remotecommand_spdy`]).
//!
//! The connection goes through [`Client`]'s own request path (credentials, logging,
//! redirects), on an HTTP/1.1-only connection; the WebSocket framing on the upgraded
//! connection is tokio-tungstenite's.

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::protocol::{Message, Role};
use tokio_tungstenite::WebSocketStream;

use super::remotecommand_spdy::{recv, SpdyCommand};
use super::{ApiRequest, Client, ClientError};

/// The subprotocols offered, most preferred first.
pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

/// An open remote command.
pub struct RemoteCommand {
    transport: Transport,
    /// Terminal sizes to send on the resize channel (a `-t` session).
    resize: Option<tokio::sync::mpsc::UnboundedReceiver<(u16, u16)>>,
}

enum Transport {
    WebSocket {
        ws: Box<WebSocketStream<reqwest::Upgraded>>,
        v5: bool,
    },
    Spdy(SpdyCommand),
}

/// How a remote command ended, from its error channel.
#[derive(Debug, Clone, PartialEq)]
pub enum Ended {
    Success,
    /// The command exited with this non-zero code.
    ExitCode(i32),
    /// Another failure: the status's message.
    Failure(String),
}

impl Client {
    /// Upgrades `req` (a `pods/NAME/exec` GET with its query) to a remote command stream,
    /// over WebSocket, else SPDY. A refused upgrade is the server's error: a `Status` as
    /// usual, any other body as client-go words it (`unable to upgrade connection: <body>`).
    pub async fn remote_command(&self, req: ApiRequest) -> Result<RemoteCommand, ClientError> {
        let fallback = req.clone();
        let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
        let req = req
            .header("Connection", "Upgrade")
            .header("Upgrade", "websocket")
            .header("Sec-Websocket-Version", "13")
            .header("Sec-Websocket-Key", &key)
            .header("Sec-Websocket-Protocol", &PROTOCOLS.join(", "));
        let resp = self.send_raw(&req).await?;
        let status = resp.status().as_u16();
        if status != 101 {
            let body = resp.bytes().await.unwrap_or_default();
            self.log_body(&body);
            let spdy = self.remote_command_spdy(fallback).await?;
            return Ok(RemoteCommand {
                transport: Transport::Spdy(spdy),
                resize: None,
            });
        }
        let proto = resp
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if !PROTOCOLS.contains(&proto.as_str()) {
            return Err(ClientError::Decode(format!(
                "invalid protocol, expected one of [{}], got: {proto}",
                PROTOCOLS.join(" ")
            )));
        }
        let upgraded = resp
            .upgrade()
            .await
            .map_err(|e| ClientError::Decode(format!("unable to upgrade connection: {e}")))?;
        let ws = WebSocketStream::from_raw_socket(upgraded, Role::Client, None).await;
        Ok(RemoteCommand {
            transport: Transport::WebSocket {
                ws: Box::new(ws),
                v5: proto == PROTOCOLS[0],
            },
            resize: None,
        })
    }
}

impl RemoteCommand {
    /// Sends each size `sizes` gives on the resize channel, as client-go's `TerminalSize`
    /// (`{"Width":W,"Height":H}`).
    pub fn with_resize(mut self, sizes: tokio::sync::mpsc::UnboundedReceiver<(u16, u16)>) -> Self {
        self.resize = Some(sizes);
        self
    }

    /// Sends `stdin` (then closes it, v5), and streams stdout and stderr to `out` and `err`
    /// until the command ends.
    pub async fn run(
        self,
        stdin: Option<Vec<u8>>,
        out: &mut (dyn FnMut(&[u8]) + Send),
        err: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<Ended, ClientError> {
        let input = stdin.map(|data| {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            if !data.is_empty() {
                let _ = tx.send(data);
            }
            rx
        });
        self.stream(input, out, err).await
    }

    /// Streams stdin as it comes (each chunk received; the channel closing is its end, sent
    /// as the v5 close of channel 0) while stdout and stderr go to `out` and `err`, until the
    /// remote side ends the session.
    pub async fn stream(
        self,
        mut stdin: Option<tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>>,
        out: &mut (dyn FnMut(&[u8]) + Send),
        err: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<Ended, ClientError> {
        let mut resize = self.resize;
        let (mut ws, v5) = match self.transport {
            Transport::WebSocket { ws, v5 } => (ws, v5),
            Transport::Spdy(s) => return s.stream(stdin, resize, out, err).await,
        };
        let io = |e: tokio_tungstenite::tungstenite::Error| {
            ClientError::Decode(format!("error reading from error stream: {e}"))
        };
        let mut status = Vec::new();
        loop {
            let next_input = recv(&mut stdin);
            let next_size = recv(&mut resize);
            tokio::select! {
                size = next_size => match size {
                    Some((w, h)) => {
                        let mut m = vec![RESIZE];
                        m.extend_from_slice(&terminal_size(w, h));
                        ws.send(Message::Binary(m.into())).await.map_err(io)?;
                    }
                    None => resize = None,
                },
                chunk = next_input => match chunk {
                    Some(data) => {
                        let mut m = Vec::with_capacity(data.len() + 1);
                        m.push(STDIN);
                        m.extend_from_slice(&data);
                        ws.send(Message::Binary(m.into())).await.map_err(io)?;
                    }
                    None => {
                        stdin = None;
                        if v5 {
                            ws
                                .send(Message::Binary(vec![CLOSE, STDIN].into()))
                                .await
                                .map_err(io)?;
                        }
                    }
                },
                msg = ws.next() => {
                    let Some(msg) = msg else { break };
                    let data = match msg.map_err(io)? {
                        Message::Binary(b) => b.to_vec(),
                        Message::Close(_) => break,
                        _ => continue,
                    };
                    match data.split_first() {
                        Some((&STDOUT, rest)) => out(rest),
                        Some((&STDERR, rest)) => err(rest),
                        Some((&ERROR, rest)) => status.extend_from_slice(rest),
                        _ => {}
                    }
                }
            }
        }
        Ok(ended(&status))
    }
}

/// client-go's `TerminalSize` as the resize channel carries it (`{"Width":W,"Height":H}`).
pub(crate) fn terminal_size(width: u16, height: u16) -> Vec<u8> {
    serde_json::json!({"Width": width, "Height": height})
        .to_string()
        .into_bytes()
}

/// client-go's reading of the error channel.
pub(crate) fn ended(status: &[u8]) -> Ended {
    if status.is_empty() {
        return Ended::Success;
    }
    let Ok(v) = serde_json::from_slice::<Value>(status) else {
        return Ended::Failure(format!(
            "error stream protocol error: {}",
            String::from_utf8_lossy(status)
        ));
    };
    if v["status"] == "Success" {
        return Ended::Success;
    }
    if v["reason"] == "NonZeroExitCode" {
        let code = v["details"]["causes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["reason"] == "ExitCode")
            .and_then(|c| c["message"].as_str())
            .and_then(|m| m.parse::<i32>().ok());
        if let Some(c) = code {
            return Ended::ExitCode(c);
        }
    }
    Ended::Failure(v["message"].as_str().unwrap_or_default().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_channel_statuses() {
        assert_eq!(ended(b""), Ended::Success);
        assert_eq!(
            ended(br#"{"metadata":{},"status":"Success"}"#),
            Ended::Success
        );
        assert_eq!(
            ended(
                br#"{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#
            ),
            Ended::ExitCode(3)
        );
        assert_eq!(
            ended(br#"{"status":"Failure","message":"boom"}"#),
            Ended::Failure("boom".into())
        );
    }
}
