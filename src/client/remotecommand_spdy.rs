//! Remote commands (`pods/exec`, `pods/attach`) over SPDY/3.1, what kubectl v1.36 falls back
//! to when the WebSocket upgrade is refused (client-go's `FallbackExecutor` with the SPDY
//! executor, protocol `v4.channel.k8s.io`): a `POST` upgraded to `SPDY/3.1`, then one stream
//! per channel, named by its `streamType` header: error first, then stdin, stdout, stderr (not
//! with a TTY) and resize (with a TTY), as the request's options ask. Stdin's end is a FIN;
//! the error stream carries the final `metav1.Status`, read as the WebSocket executor reads
//! its error channel.
//!
//! The SPDY connection is [`super::portforward::SpdyConnection`] (framing in `kcore::spdy`).

use kcore::spdy::{self, remotecommand as rc};
use tokio::sync::mpsc;

use super::portforward::{SpdyConnection, SpdyStream};
use super::remotecommand::{ended, terminal_size, Ended};
use super::Method;
use super::{content_type_of, error_from_response, ApiRequest, ApiStatus, Client, ClientError};
use serde_json::Value;

/// An open remote command over SPDY.
pub struct SpdyCommand {
    conn: SpdyConnection,
    error: SpdyStream,
    stdin: Option<SpdyStream>,
    stdout: Option<SpdyStream>,
    stderr: Option<SpdyStream>,
    /// The terminal's sizes (with a TTY; the server expects the stream open either way).
    resize: Option<SpdyStream>,
}

/// Whether the request's query sets option `name`.
fn option(req: &ApiRequest, name: &str) -> bool {
    req.query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .is_some_and(|(_, v)| v == "true")
}

impl Client {
    /// Upgrades `req` (the `pods/NAME/exec|attach` request with its query) to SPDY/3.1 and
    /// opens the streams its options ask for. A refused upgrade is the server's error, as
    /// client-go's SPDY round tripper words it.
    pub(crate) async fn remote_command_spdy(
        &self,
        req: ApiRequest,
    ) -> Result<SpdyCommand, ClientError> {
        let (stdin, stdout, stderr, tty) = (
            option(&req, "stdin"),
            option(&req, "stdout"),
            option(&req, "stderr"),
            option(&req, "tty"),
        );
        let mut req = req
            .header("Connection", "Upgrade")
            .header("Upgrade", spdy::UPGRADE_TOKEN)
            .header("X-Stream-Protocol-Version", rc::PROTOCOL_V4);
        req.method = Method::POST;
        let resp = self.send_raw(&req).await?;
        let status = resp.status().as_u16();
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let upgraded_ok = status == 101
            && header("connection").contains("upgrade")
            && header("upgrade").contains("spdy/3.1");
        if !upgraded_ok {
            let content_type = content_type_of(&resp);
            let body = resp.bytes().await.unwrap_or_default();
            self.log_body(&body);
            let is_status = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| ApiStatus::from_status(status, &v))
                .is_some();
            if is_status {
                return Err(error_from_response(status, &content_type, &body));
            }
            return Err(ClientError::Decode(format!(
                "unable to upgrade connection: {}",
                String::from_utf8_lossy(&body).trim_end()
            )));
        }
        let proto = header("x-stream-protocol-version");
        if proto != rc::PROTOCOL_V4 {
            return Err(ClientError::Decode(format!(
                "unable to negotiate protocol: client supports [{}], server returned {proto:?}",
                rc::PROTOCOL_V4
            )));
        }
        let upgraded = resp
            .upgrade()
            .await
            .map_err(|e| ClientError::Decode(format!("unable to upgrade connection: {e}")))?;
        let conn = SpdyConnection::over(upgraded);
        let open = |t: &'static str| {
            let conn = conn.clone();
            async move {
                conn.create_stream(vec![(rc::STREAM_TYPE.to_ascii_lowercase(), vec![t.into()])])
                    .await
                    .map_err(|e| ClientError::Decode(format!("error creating {t} stream: {e}")))
            }
        };
        let error = open(rc::STREAM_TYPE_ERROR).await?;
        let stdin = match stdin {
            true => Some(open(rc::STREAM_TYPE_STDIN).await?),
            false => None,
        };
        let stdout = match stdout {
            true => Some(open(rc::STREAM_TYPE_STDOUT).await?),
            false => None,
        };
        let stderr = match stderr && !tty {
            true => Some(open(rc::STREAM_TYPE_STDERR).await?),
            false => None,
        };
        let resize = match tty {
            true => Some(open(rc::STREAM_TYPE_RESIZE).await?),
            false => None,
        };
        Ok(SpdyCommand {
            conn,
            error,
            stdin,
            stdout,
            stderr,
            resize,
        })
    }
}

/// The next data of an optional stream; pending forever without one.
async fn read(s: &mut Option<SpdyStream>) -> Option<Vec<u8>> {
    match s {
        Some(s) => s.read().await,
        None => std::future::pending().await,
    }
}

/// The next message of an optional channel; pending forever without one (so its `select!`
/// arm never fires).
pub(super) async fn recv<T>(rx: &mut Option<mpsc::UnboundedReceiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

impl SpdyCommand {
    /// Streams stdin as it comes (the channel closing is its end: a FIN) and each terminal
    /// size `sizes` gives on the resize stream, while stdout and stderr go to `out` and
    /// `err`, until the error stream and the output streams end.
    pub async fn stream(
        mut self,
        mut input: Option<mpsc::UnboundedReceiver<Vec<u8>>>,
        mut sizes: Option<mpsc::UnboundedReceiver<(u16, u16)>>,
        out: &mut (dyn FnMut(&[u8]) + Send),
        err: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<Ended, ClientError> {
        let stdin = self.stdin.as_ref().map(SpdyStream::handle);
        let resize = self.resize.as_ref().map(SpdyStream::handle);
        if input.is_none() {
            // Nothing to send: stdin ends at once.
            if let Some(h) = &stdin {
                h.close();
            }
        }
        let mut status = Vec::new();
        let mut error_done = false;
        loop {
            if error_done && self.stdout.is_none() && self.stderr.is_none() {
                break;
            }
            let next_input = recv(&mut input);
            let next_size = recv(&mut sizes);
            tokio::select! {
                size = next_size => match size {
                    Some((w, h)) => {
                        if let Some(r) = &resize {
                            let _ = r.write(&terminal_size(w, h));
                        }
                    }
                    None => sizes = None,
                },
                chunk = next_input => match chunk {
                    Some(data) => {
                        if let Some(h) = &stdin {
                            let _ = h.write(&data);
                        }
                    }
                    None => {
                        input = None;
                        if let Some(h) = &stdin {
                            h.close();
                        }
                    }
                },
                d = self.error.read(), if !error_done => match d {
                    Some(d) => status.extend_from_slice(&d),
                    None => error_done = true,
                },
                d = read(&mut self.stdout) => match d {
                    Some(d) => out(&d),
                    None => self.stdout = None,
                },
                d = read(&mut self.stderr) => match d {
                    Some(d) => err(&d),
                    None => self.stderr = None,
                },
            }
        }
        self.conn.close();
        Ok(ended(&status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ApiPath;

    #[test]
    fn options_come_from_the_query() {
        let req = ApiRequest::get(ApiPath::raw("/api/v1/namespaces/d/pods/p/exec").unwrap())
            .query("stdin", "true")
            .query("stdout", "true");
        assert!(option(&req, "stdin"));
        assert!(option(&req, "stdout"));
        assert!(!option(&req, "stderr"));
    }
}
