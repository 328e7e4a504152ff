//! SPDY/3.1 framing, as Kubernetes speaks it for `pods/portforward` (and the SPDY flavour of
//! `exec`/`attach`): moby/spdystream's framer, itself Go's old `spdy` package.
//!
//! Pure and sans-I/O: an [`Encoder`] turns [`Frame`]s into bytes, a [`Decoder`] is fed bytes as
//! they arrive (in any pieces: a TCP read, or a WebSocket message of the tunnelled transport)
//! and hands back whole frames. Header blocks are compressed with zlib, one stream per
//! direction for the whole connection, with the SPDY/3 preset [`DICTIONARY`] and a sync flush
//! after each block, as the protocol requires.
//!
//! Wire format (SPDY draft 3, section 2.2): a control frame is `1|version(15)|type(16)`,
//! `flags(8)|length(24)`, then its fields; a data frame is `0|stream-id(31)`,
//! `flags(8)|length(24)`, then the payload. A header block is a 32-bit count, then for each
//! name a 32-bit length and the lower-case name, a 32-bit length and the values joined by NUL.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

pub use crate::spdy_dictionary::DICTIONARY;

/// The protocol version this framer speaks.
pub const VERSION: u16 = 3;

/// The `Upgrade` token of a SPDY connection (`Upgrade: SPDY/3.1`).
pub const UPGRADE_TOKEN: &str = "SPDY/3.1";

/// The largest payload a frame's 24-bit length can carry.
pub const MAX_DATA_LENGTH: usize = (1 << 24) - 1;

/// The largest decompressed header block accepted: a bound on zlib expansion, far above
/// anything Kubernetes sends (three short headers per stream).
pub const MAX_HEADER_BLOCK: usize = 1 << 20;

/// `FLAG_FIN` on a data frame or a SYN_STREAM/SYN_REPLY/HEADERS: the sender's last frame on
/// the stream.
pub const FLAG_FIN: u8 = 0x01;
/// `FLAG_UNIDIRECTIONAL` on a SYN_STREAM.
pub const FLAG_UNIDIRECTIONAL: u8 = 0x02;

/// RST_STREAM status codes (draft 3, section 2.4.2).
pub mod rst {
    pub const PROTOCOL_ERROR: u32 = 1;
    pub const INVALID_STREAM: u32 = 2;
    pub const REFUSED_STREAM: u32 = 3;
    pub const CANCEL: u32 = 5;
    pub const INTERNAL_ERROR: u32 = 6;
}

/// Header names and values as they travel: lower-case names in the order written, each with
/// its values (joined by NUL on the wire).
pub type Headers = Vec<(String, Vec<String>)>;

/// The first value of header `name` (names compare case-insensitively, as Go's
/// `http.Header.Get` does after the framer's lower-casing).
pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
}

/// One SETTINGS entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub flags: u8,
    /// 24 bits.
    pub id: u32,
    pub value: u32,
}

/// A SPDY/3 frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    SynStream {
        stream_id: u32,
        associated_to: u32,
        /// 3 bits.
        priority: u8,
        slot: u8,
        flags: u8,
        headers: Headers,
    },
    SynReply {
        stream_id: u32,
        flags: u8,
        headers: Headers,
    },
    RstStream {
        stream_id: u32,
        status: u32,
    },
    Settings {
        flags: u8,
        entries: Vec<Setting>,
    },
    Ping {
        id: u32,
    },
    GoAway {
        last_good_stream_id: u32,
        status: u32,
    },
    Headers {
        stream_id: u32,
        flags: u8,
        headers: Headers,
    },
    WindowUpdate {
        stream_id: u32,
        delta: u32,
    },
    Data {
        stream_id: u32,
        flags: u8,
        data: Vec<u8>,
    },
}

const TYPE_SYN_STREAM: u16 = 1;
const TYPE_SYN_REPLY: u16 = 2;
const TYPE_RST_STREAM: u16 = 3;
const TYPE_SETTINGS: u16 = 4;
const TYPE_PING: u16 = 6;
const TYPE_GOAWAY: u16 = 7;
const TYPE_HEADERS: u16 = 8;
const TYPE_WINDOW_UPDATE: u16 = 9;

/// A frame that cannot be written or read, worded as spdystream's errors are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpdyError {
    #[error("stream id zero is disallowed")]
    ZeroStreamId,
    #[error("invalid control frame")]
    InvalidControlFrame,
    #[error("invalid data frame")]
    InvalidDataFrame,
    #[error("unsupported version {0}")]
    UnsupportedVersion(u16),
    #[error("header was not lowercased")]
    UnlowercasedHeaderName,
    #[error("multiple headers with same name")]
    DuplicateHeaders,
    #[error("compressed payload size was incorrect")]
    WrongCompressedPayloadSize,
    #[error("header block too large")]
    HeaderBlockTooLarge,
    #[error("zlib: {0}")]
    Zlib(String),
}

/// Writes frames; owns the sending direction's header compressor.
pub struct Encoder {
    z: Compress,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    pub fn new() -> Self {
        // Best compression, as spdystream's `zlib.NewWriterLevelDict`; the zlib header names
        // the dictionary (FDICT), which the peer's reader requires.
        let mut z = Compress::new(Compression::best(), true);
        z.set_dictionary(&DICTIONARY)
            .expect("setting the dictionary on a fresh compressor");
        Encoder { z }
    }

    /// The frame's bytes. Header blocks go through this connection's compressor, so frames
    /// must be sent in the order they are encoded.
    pub fn encode(&mut self, frame: &Frame) -> Result<Vec<u8>, SpdyError> {
        let mut out = Vec::new();
        match frame {
            Frame::Data {
                stream_id,
                flags,
                data,
            } => {
                if *stream_id == 0 {
                    return Err(SpdyError::ZeroStreamId);
                }
                if stream_id & 0x8000_0000 != 0 || data.len() > MAX_DATA_LENGTH {
                    return Err(SpdyError::InvalidDataFrame);
                }
                out.extend_from_slice(&stream_id.to_be_bytes());
                out.extend_from_slice(&flags_and_length(*flags, data.len()));
                out.extend_from_slice(data);
            }
            Frame::SynStream {
                stream_id,
                associated_to,
                priority,
                slot,
                flags,
                headers,
            } => {
                nonzero(*stream_id)?;
                let block = self.header_block(headers)?;
                let mut body = Vec::with_capacity(10 + block.len());
                body.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
                body.extend_from_slice(&(associated_to & 0x7fff_ffff).to_be_bytes());
                body.push((priority & 0x7) << 5);
                body.push(*slot);
                body.extend_from_slice(&block);
                control(&mut out, TYPE_SYN_STREAM, *flags, &body);
            }
            Frame::SynReply {
                stream_id,
                flags,
                headers,
            }
            | Frame::Headers {
                stream_id,
                flags,
                headers,
            } => {
                nonzero(*stream_id)?;
                let block = self.header_block(headers)?;
                let mut body = Vec::with_capacity(4 + block.len());
                body.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
                body.extend_from_slice(&block);
                let t = if matches!(frame, Frame::SynReply { .. }) {
                    TYPE_SYN_REPLY
                } else {
                    TYPE_HEADERS
                };
                control(&mut out, t, *flags, &body);
            }
            Frame::RstStream { stream_id, status } => {
                nonzero(*stream_id)?;
                if *status == 0 {
                    return Err(SpdyError::InvalidControlFrame);
                }
                control(
                    &mut out,
                    TYPE_RST_STREAM,
                    0,
                    &two_words(*stream_id, *status),
                );
            }
            Frame::Settings { flags, entries } => {
                let mut body = Vec::with_capacity(4 + entries.len() * 8);
                body.extend_from_slice(&(entries.len() as u32).to_be_bytes());
                for s in entries {
                    body.extend_from_slice(
                        &((u32::from(s.flags) << 24) | (s.id & 0xff_ffff)).to_be_bytes(),
                    );
                    body.extend_from_slice(&s.value.to_be_bytes());
                }
                control(&mut out, TYPE_SETTINGS, *flags, &body);
            }
            Frame::Ping { id } => {
                if *id == 0 {
                    return Err(SpdyError::ZeroStreamId);
                }
                control(&mut out, TYPE_PING, 0, &id.to_be_bytes());
            }
            Frame::GoAway {
                last_good_stream_id,
                status,
            } => control(
                &mut out,
                TYPE_GOAWAY,
                0,
                &two_words(*last_good_stream_id, *status),
            ),
            Frame::WindowUpdate { stream_id, delta } => control(
                &mut out,
                TYPE_WINDOW_UPDATE,
                0,
                &two_words(*stream_id, *delta),
            ),
        }
        Ok(out)
    }

    /// The compressed header block, sync-flushed so the peer can decode it at once.
    fn header_block(&mut self, headers: &Headers) -> Result<Vec<u8>, SpdyError> {
        let plain = encode_header_block(headers);
        let mut out = Vec::with_capacity(plain.len() + 64);
        let mut input: &[u8] = &plain;
        loop {
            out.reserve(256);
            let before_in = self.z.total_in();
            self.z
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .map_err(|e| SpdyError::Zlib(e.to_string()))?;
            let used = (self.z.total_in() - before_in) as usize;
            input = &input[used..];
            // Done once all input is taken and the flush left room to spare.
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
        }
        Ok(out)
    }
}

fn nonzero(stream_id: u32) -> Result<(), SpdyError> {
    if stream_id == 0 {
        Err(SpdyError::ZeroStreamId)
    } else {
        Ok(())
    }
}

fn two_words(a: u32, b: u32) -> [u8; 8] {
    let mut w = [0u8; 8];
    w[..4].copy_from_slice(&a.to_be_bytes());
    w[4..].copy_from_slice(&b.to_be_bytes());
    w
}

fn flags_and_length(flags: u8, len: usize) -> [u8; 4] {
    ((u32::from(flags) << 24) | (len as u32 & 0xff_ffff)).to_be_bytes()
}

fn control(out: &mut Vec<u8>, frame_type: u16, flags: u8, body: &[u8]) {
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&frame_type.to_be_bytes());
    out.extend_from_slice(&flags_and_length(flags, body.len()));
    out.extend_from_slice(body);
}

/// The uncompressed name/value block: names lower-cased, values joined by NUL.
pub fn encode_header_block(headers: &Headers) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    for (name, values) in headers {
        let name = name.to_ascii_lowercase();
        b.extend_from_slice(&(name.len() as u32).to_be_bytes());
        b.extend_from_slice(name.as_bytes());
        let v = values.join("\0");
        b.extend_from_slice(&(v.len() as u32).to_be_bytes());
        b.extend_from_slice(v.as_bytes());
    }
    b
}

/// Parses an uncompressed name/value block as spdystream does: upper-case names and repeated
/// names are errors.
pub fn decode_header_block(b: &[u8]) -> Result<Headers, SpdyError> {
    let mut r = Reader { b, pos: 0 };
    let short = |_| SpdyError::WrongCompressedPayloadSize;
    let n = r.u32().map_err(short)?;
    let mut headers: Headers = Vec::new();
    for _ in 0..n {
        let len = r.u32().map_err(short)? as usize;
        let name = r.take(len).map_err(short)?;
        let name = String::from_utf8_lossy(name).into_owned();
        if name != name.to_ascii_lowercase() {
            return Err(SpdyError::UnlowercasedHeaderName);
        }
        if headers.iter().any(|(n, _)| *n == name) {
            return Err(SpdyError::DuplicateHeaders);
        }
        let len = r.u32().map_err(short)? as usize;
        let value = String::from_utf8_lossy(r.take(len).map_err(short)?).into_owned();
        headers.push((name, value.split('\0').map(str::to_string).collect()));
    }
    if r.pos != b.len() {
        return Err(SpdyError::WrongCompressedPayloadSize);
    }
    Ok(headers)
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ()> {
        let end = self.pos.checked_add(n).ok_or(())?;
        let s = self.b.get(self.pos..end).ok_or(())?;
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, ()> {
        let s = self.take(4)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
}

/// Reads frames from bytes fed in any pieces; owns the receiving direction's header
/// decompressor.
pub struct Decoder {
    z: Decompress,
    buf: Vec<u8>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    pub fn new() -> Self {
        Decoder {
            z: Decompress::new(true),
            buf: Vec::new(),
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, or `None` until more bytes arrive. An error leaves the
    /// connection unusable (the header compression state is lost), as in spdystream.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, SpdyError> {
        if self.buf.len() < 8 {
            return Ok(None);
        }
        let len = (u32::from_be_bytes([0, self.buf[5], self.buf[6], self.buf[7]])) as usize;
        if self.buf.len() < 8 + len {
            return Ok(None);
        }
        let first = u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
        let flags = self.buf[4];
        let body: Vec<u8> = self.buf[8..8 + len].to_vec();
        self.buf.drain(..8 + len);
        if first & 0x8000_0000 == 0 {
            let stream_id = first & 0x7fff_ffff;
            nonzero(stream_id)?;
            return Ok(Some(Frame::Data {
                stream_id,
                flags,
                data: body,
            }));
        }
        let version = ((first >> 16) & 0x7fff) as u16;
        if version != VERSION {
            return Err(SpdyError::UnsupportedVersion(version));
        }
        let frame_type = (first & 0xffff) as u16;
        let mut r = Reader { b: &body, pos: 0 };
        let bad = |_| SpdyError::InvalidControlFrame;
        let frame = match frame_type {
            TYPE_SYN_STREAM => {
                let stream_id = r.u32().map_err(bad)? & 0x7fff_ffff;
                let associated_to = r.u32().map_err(bad)? & 0x7fff_ffff;
                let pri = r.take(2).map_err(bad)?;
                let headers = self.inflate_headers(&body[10..])?;
                nonzero(stream_id)?;
                Frame::SynStream {
                    stream_id,
                    associated_to,
                    priority: pri[0] >> 5,
                    slot: pri[1],
                    flags,
                    headers,
                }
            }
            TYPE_SYN_REPLY | TYPE_HEADERS => {
                let stream_id = r.u32().map_err(bad)? & 0x7fff_ffff;
                let headers = self.inflate_headers(&body[4..])?;
                nonzero(stream_id)?;
                if frame_type == TYPE_SYN_REPLY {
                    Frame::SynReply {
                        stream_id,
                        flags,
                        headers,
                    }
                } else {
                    Frame::Headers {
                        stream_id,
                        flags,
                        headers,
                    }
                }
            }
            TYPE_RST_STREAM => {
                let stream_id = r.u32().map_err(bad)? & 0x7fff_ffff;
                let status = r.u32().map_err(bad)?;
                if status == 0 {
                    return Err(SpdyError::InvalidControlFrame);
                }
                nonzero(stream_id)?;
                Frame::RstStream { stream_id, status }
            }
            TYPE_SETTINGS => {
                let n = r.u32().map_err(bad)? as usize;
                if n.checked_mul(8).map(|b| b + 4) != Some(body.len()) {
                    return Err(SpdyError::InvalidControlFrame);
                }
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let w = r.u32().map_err(bad)?;
                    entries.push(Setting {
                        flags: (w >> 24) as u8,
                        id: w & 0xff_ffff,
                        value: r.u32().map_err(bad)?,
                    });
                }
                Frame::Settings { flags, entries }
            }
            TYPE_PING => {
                let id = r.u32().map_err(bad)?;
                if id == 0 {
                    return Err(SpdyError::ZeroStreamId);
                }
                if flags != 0 {
                    return Err(SpdyError::InvalidControlFrame);
                }
                Frame::Ping { id }
            }
            TYPE_GOAWAY | TYPE_WINDOW_UPDATE => {
                if flags != 0 || len != 8 {
                    return Err(SpdyError::InvalidControlFrame);
                }
                let a = r.u32().map_err(bad)? & 0x7fff_ffff;
                let b = r.u32().map_err(bad)?;
                if frame_type == TYPE_GOAWAY {
                    Frame::GoAway {
                        last_good_stream_id: a,
                        status: b,
                    }
                } else {
                    Frame::WindowUpdate {
                        stream_id: a,
                        delta: b & 0x7fff_ffff,
                    }
                }
            }
            _ => return Err(SpdyError::InvalidControlFrame),
        };
        Ok(Some(frame))
    }

    /// Inflates one header block: all of `block` must be consumed, and yield a whole
    /// name/value block.
    fn inflate_headers(&mut self, block: &[u8]) -> Result<Headers, SpdyError> {
        let mut out: Vec<u8> = Vec::with_capacity(block.len() * 4 + 64);
        let mut input = block;
        loop {
            if out.len() == out.capacity() {
                if out.len() >= MAX_HEADER_BLOCK {
                    return Err(SpdyError::HeaderBlockTooLarge);
                }
                out.reserve(out.len().max(256));
            }
            let before_in = self.z.total_in();
            let before_out = out.len();
            match self
                .z
                .decompress_vec(input, &mut out, FlushDecompress::Sync)
            {
                Ok(Status::StreamEnd) => return Err(SpdyError::WrongCompressedPayloadSize),
                Ok(_) => {}
                Err(e) => match e.needs_dictionary() {
                    Some(_) => {
                        self.z
                            .set_dictionary(&DICTIONARY)
                            .map_err(|e| SpdyError::Zlib(e.to_string()))?;
                    }
                    None => return Err(SpdyError::Zlib(e.to_string())),
                },
            }
            let used = (self.z.total_in() - before_in) as usize;
            input = &input[used..];
            let progressed = used > 0 || out.len() > before_out;
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
            if !progressed && out.len() < out.capacity() {
                // Needs more input than the frame holds.
                return Err(SpdyError::WrongCompressedPayloadSize);
            }
        }
        if out.len() > MAX_HEADER_BLOCK {
            return Err(SpdyError::HeaderBlockTooLarge);
        }
        decode_header_block(&out)
    }
}

/// `portforward.k8s.io`: the stream protocol of `pods/portforward` (kubelet
/// `cri/streaming/portforward`, client-go `tools/portforward`).
pub mod portforward {
    /// The negotiated protocol (`X-Stream-Protocol-Version`).
    pub const PROTOCOL_V1: &str = "portforward.k8s.io";
    /// The WebSocket subprotocol of SPDY tunnelled in WebSocket binary messages.
    pub const WEBSOCKET_TUNNEL_PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";
    /// Header names (as Go sets them; they travel lower-cased).
    pub const STREAM_TYPE: &str = "streamType";
    pub const PORT: &str = "port";
    pub const REQUEST_ID: &str = "requestID";
    /// `streamType` values.
    pub const STREAM_TYPE_ERROR: &str = "error";
    pub const STREAM_TYPE_DATA: &str = "data";
}

/// The remote command protocols (`pods/exec`, `pods/attach`) over SPDY (kubelet
/// `cri/streaming/remotecommand`, client-go `tools/remotecommand`): the client opens one
/// stream per channel, named by its `streamType` header; `v4` carries a `metav1.Status` on
/// the error stream when the command ends.
pub mod remotecommand {
    /// The protocol served and spoken here (`X-Stream-Protocol-Version`).
    pub const PROTOCOL_V4: &str = "v4.channel.k8s.io";
    /// The header naming a stream's channel.
    pub const STREAM_TYPE: &str = "streamType";
    /// `streamType` values.
    pub const STREAM_TYPE_ERROR: &str = "error";
    pub const STREAM_TYPE_STDIN: &str = "stdin";
    pub const STREAM_TYPE_STDOUT: &str = "stdout";
    pub const STREAM_TYPE_STDERR: &str = "stderr";
    pub const STREAM_TYPE_RESIZE: &str = "resize";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdrs(pairs: &[(&str, &str)]) -> Headers {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), vec![v.to_string()]))
            .collect()
    }

    fn roundtrip(frames: &[Frame]) {
        let mut enc = Encoder::new();
        let mut dec = Decoder::new();
        let mut wire = Vec::new();
        for f in frames {
            wire.extend(enc.encode(f).unwrap());
        }
        // Fed one byte at a time: frames come out whole and in order.
        let mut got = Vec::new();
        for b in wire {
            dec.push(&[b]);
            while let Some(f) = dec.next_frame().unwrap() {
                got.push(f);
            }
        }
        assert_eq!(got, frames);
    }

    #[test]
    fn every_frame_type_round_trips_through_one_connection() {
        roundtrip(&[
            Frame::SynStream {
                stream_id: 1,
                associated_to: 0,
                priority: 0,
                slot: 0,
                flags: 0,
                headers: hdrs(&[("streamtype", "error"), ("port", "80"), ("requestid", "0")]),
            },
            Frame::SynReply {
                stream_id: 1,
                flags: 0,
                headers: vec![],
            },
            Frame::SynStream {
                stream_id: 3,
                associated_to: 0,
                priority: 7,
                slot: 2,
                flags: FLAG_FIN | FLAG_UNIDIRECTIONAL,
                headers: vec![("multi".into(), vec!["a".into(), "b".into()])],
            },
            Frame::Data {
                stream_id: 3,
                flags: 0,
                data: b"GET / HTTP/1.1\r\n\r\n".to_vec(),
            },
            Frame::Data {
                stream_id: 3,
                flags: FLAG_FIN,
                data: vec![],
            },
            Frame::RstStream {
                stream_id: 3,
                status: rst::CANCEL,
            },
            Frame::Settings {
                flags: 1,
                entries: vec![Setting {
                    flags: 1,
                    id: 7,
                    value: 65536,
                }],
            },
            Frame::Ping { id: 1 },
            Frame::Headers {
                stream_id: 5,
                flags: 0,
                headers: hdrs(&[("x", "y")]),
            },
            Frame::WindowUpdate {
                stream_id: 5,
                delta: 1024,
            },
            Frame::GoAway {
                last_good_stream_id: 5,
                status: 0,
            },
        ]);
    }

    #[test]
    fn control_frame_layout_is_the_spec_s() {
        let mut enc = Encoder::new();
        assert_eq!(
            enc.encode(&Frame::Ping { id: 7 }).unwrap(),
            [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 7]
        );
        assert_eq!(
            enc.encode(&Frame::RstStream {
                stream_id: 3,
                status: rst::CANCEL
            })
            .unwrap(),
            [0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0, 0, 0, 3, 0, 0, 0, 5]
        );
        assert_eq!(
            enc.encode(&Frame::Data {
                stream_id: 5,
                flags: FLAG_FIN,
                data: b"hi".to_vec()
            })
            .unwrap(),
            [0, 0, 0, 5, 0x01, 0, 0, 2, b'h', b'i']
        );
    }

    #[test]
    fn header_blocks_name_the_spdy3_dictionary() {
        let mut enc = Encoder::new();
        let wire = enc
            .encode(&Frame::SynReply {
                stream_id: 1,
                flags: 0,
                headers: vec![],
            })
            .unwrap();
        // zlib header (CMF 0x78, FLG with FDICT set) then DICTID = adler32(dictionary).
        let block = &wire[12..];
        assert_eq!(block[0], 0x78);
        assert_ne!(block[1] & 0x20, 0, "FDICT");
        assert_eq!(&block[2..6], &[0xe3, 0xc6, 0xa7, 0xc2]);
        // A decoder without the dictionary cannot read it; ours can.
        let mut plain = Decompress::new(true);
        let mut out = Vec::with_capacity(64);
        let e = plain
            .decompress_vec(block, &mut out, FlushDecompress::Sync)
            .unwrap_err();
        assert_eq!(e.needs_dictionary(), Some(0xe3c6a7c2));
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        let mut d = Decoder::new();
        // SYN_STREAM whose header block is not zlib.
        d.push(&[
            0x80, 3, 0, 1, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4,
        ]);
        assert!(d.next_frame().is_err());
        let mut d = Decoder::new();
        d.push(&[0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]);
        assert_eq!(d.next_frame(), Err(SpdyError::UnsupportedVersion(2)));
        let mut d = Decoder::new();
        d.push(&[0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 0]);
        assert_eq!(d.next_frame(), Err(SpdyError::ZeroStreamId));
        let mut d = Decoder::new();
        d.push(&[0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.next_frame(), Err(SpdyError::ZeroStreamId));
        let mut d = Decoder::new();
        d.push(&[0x80, 3, 0, 0x55, 0, 0, 0, 0]);
        assert_eq!(d.next_frame(), Err(SpdyError::InvalidControlFrame));
        // Truncated SYN_STREAM body.
        let mut d = Decoder::new();
        d.push(&[0x80, 3, 0, 1, 0, 0, 0, 2, 0, 0]);
        assert!(d.next_frame().is_err());
    }

    /// Header blocks compressed by C zlib (Python's `zlib.compressobj(9, zdict=DICTIONARY)`,
    /// sync-flushed): the two SYN_STREAMs client-go sends for one forwarded connection.
    #[test]
    fn decodes_header_blocks_compressed_by_another_zlib() {
        let first: [u8; 50] = [
            0x78, 0xf9, 0xe3, 0xc6, 0xa7, 0xc2, 0x02, 0x25, 0x3a, 0x70, 0x3a, 0x2b, 0x29, 0x4a,
            0x4d, 0xcc, 0x85, 0x16, 0x25, 0xac, 0xa9, 0xa0, 0x80, 0x86, 0x14, 0xcb, 0x45, 0xa0,
            0x24, 0xcc, 0x64, 0x61, 0x00, 0x24, 0x39, 0x8b, 0x20, 0x91, 0x98, 0x09, 0x4a, 0xdc,
            0x8c, 0x06, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
        ];
        let second: [u8; 14] = [
            0xc2, 0xaa, 0x15, 0x54, 0x0a, 0x25, 0x12, 0xd2, 0x09, 0x00, 0x00, 0x00, 0xff, 0xff,
        ];
        let syn = |id: u8, block: &[u8]| {
            let mut f = vec![0x80, 3, 0, 1, 0, 0, 0, (10 + block.len()) as u8];
            f.extend_from_slice(&[0, 0, 0, id, 0, 0, 0, 0, 0, 0]);
            f.extend_from_slice(block);
            f
        };
        let mut d = Decoder::new();
        d.push(&syn(1, &first));
        d.push(&syn(3, &second));
        let want = |t: &str| hdrs(&[("streamtype", t), ("port", "80"), ("requestid", "0")]);
        for (id, t) in [(1, "error"), (3, "data")] {
            assert_eq!(
                d.next_frame().unwrap(),
                Some(Frame::SynStream {
                    stream_id: id,
                    associated_to: 0,
                    priority: 0,
                    slot: 0,
                    flags: 0,
                    headers: want(t),
                })
            );
        }
        assert_eq!(d.next_frame().unwrap(), None);
    }

    /// A connection's first bytes as kubectl 1.33 sent them (Go's compress/zlib through
    /// moby/spdystream, captured on the SPDY fallback path): the error stream, its FIN, the
    /// data stream, curl's request, the reset, the GOAWAY at Ctrl-C. Go writes header names
    /// in map order; the decoder must read whatever order comes.
    #[test]
    fn decodes_a_connection_captured_from_kubectl() {
        let wire: [u8; 228] = [
            0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3d, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x78, 0xf9, 0xe3, 0xc6, 0xa7, 0xc2, 0x02, 0x25, 0x3a, 0x70,
            0x3a, 0x2b, 0x29, 0x4a, 0x4d, 0xcc, 0x85, 0x16, 0x25, 0xac, 0xa9, 0xa0, 0x80, 0x86,
            0x14, 0xcb, 0x45, 0xa0, 0x24, 0xcc, 0x64, 0x61, 0xc0, 0xc0, 0xc0, 0xc0, 0x59, 0x04,
            0x89, 0xc4, 0x4c, 0x50, 0xe2, 0x66, 0x34, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00,
            0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,
            0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc2, 0xaa, 0x15,
            0x54, 0x0a, 0x25, 0x12, 0xd2, 0x09, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00,
            0x03, 0x00, 0x00, 0x00, 0x4f, 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54,
            0x50, 0x2f, 0x31, 0x2e, 0x31, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20, 0x31,
            0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x31, 0x38, 0x35, 0x35, 0x37,
            0x0d, 0x0a, 0x55, 0x73, 0x65, 0x72, 0x2d, 0x41, 0x67, 0x65, 0x6e, 0x74, 0x3a, 0x20,
            0x63, 0x75, 0x72, 0x6c, 0x2f, 0x37, 0x2e, 0x38, 0x38, 0x2e, 0x31, 0x0d, 0x0a, 0x41,
            0x63, 0x63, 0x65, 0x70, 0x74, 0x3a, 0x20, 0x2a, 0x2f, 0x2a, 0x0d, 0x0a, 0x0d, 0x0a,
            0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00,
            0x00, 0x05, 0x80, 0x03, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
        ];
        let mut d = Decoder::new();
        d.push(&wire);
        let mut frames = Vec::new();
        while let Some(f) = d.next_frame().unwrap() {
            frames.push(f);
        }
        let sorted = |h: &Headers| {
            let mut h = h.clone();
            h.sort();
            h
        };
        let want = |t: &str| {
            sorted(&hdrs(&[
                ("port", "80"),
                ("requestid", "0"),
                ("streamtype", t),
            ]))
        };
        assert_eq!(frames.len(), 6, "{frames:?}");
        match &frames[0] {
            Frame::SynStream {
                stream_id: 1,
                flags: 0,
                headers,
                ..
            } => {
                assert_eq!(sorted(headers), want("error"))
            }
            f => panic!("{f:?}"),
        }
        assert_eq!(
            frames[1],
            Frame::Data {
                stream_id: 1,
                flags: FLAG_FIN,
                data: vec![]
            }
        );
        match &frames[2] {
            Frame::SynStream {
                stream_id: 3,
                flags: 0,
                headers,
                ..
            } => {
                assert_eq!(sorted(headers), want("data"))
            }
            f => panic!("{f:?}"),
        }
        match &frames[3] {
            Frame::Data {
                stream_id: 3,
                flags: 0,
                data,
            } => {
                assert!(data.starts_with(b"GET / HTTP/1.1\r\n"))
            }
            f => panic!("{f:?}"),
        }
        assert_eq!(
            frames[4],
            Frame::RstStream {
                stream_id: 3,
                status: rst::CANCEL
            }
        );
        assert_eq!(
            frames[5],
            Frame::GoAway {
                last_good_stream_id: 0,
                status: 0
            }
        );
    }

    #[test]
    fn header_block_rules() {
        let b = encode_header_block(&vec![("Port".into(), vec!["80".into()])]);
        assert_eq!(
            decode_header_block(&b).unwrap(),
            vec![("port".to_string(), vec!["80".to_string()])]
        );
        let mut dup = Vec::new();
        dup.extend_from_slice(&2u32.to_be_bytes());
        for _ in 0..2 {
            dup.extend_from_slice(&1u32.to_be_bytes());
            dup.push(b'a');
            dup.extend_from_slice(&0u32.to_be_bytes());
        }
        assert_eq!(decode_header_block(&dup), Err(SpdyError::DuplicateHeaders));
        let mut upper = Vec::new();
        upper.extend_from_slice(&1u32.to_be_bytes());
        upper.extend_from_slice(&1u32.to_be_bytes());
        upper.push(b'A');
        upper.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(
            decode_header_block(&upper),
            Err(SpdyError::UnlowercasedHeaderName)
        );
        assert_eq!(
            header(&hdrs(&[("streamtype", "data")]), "streamType"),
            Some("data")
        );
    }
}
