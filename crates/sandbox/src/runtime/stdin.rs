//! A container's standard input (`stdin: true` in its spec): what attached clients send is
//! queued here and read by the container's process as it asks for it. With `stdinOnce` the
//! runtime closes it when the first attach session ends, as the kubelet's runtime does; the
//! process then reads end of file.

use std::sync::Mutex;

use tokio::sync::watch;

#[derive(Default)]
struct State {
    buf: Vec<u8>,
    closed: bool,
}

/// The stdin pipe of one container.
pub struct StdinPipe {
    state: Mutex<State>,
    /// Bumped at every write and at close.
    changed: watch::Sender<u64>,
    /// Close it when the first attach session ends (`stdinOnce`).
    pub once: bool,
}

/// How much a read takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReadMode {
    /// Whatever is there (at least one byte), as a pipe's read(2) returns.
    Chunk,
    /// Up to and including the next newline (or what is left at end of file).
    Line,
    /// Everything up to end of file.
    All,
}

impl StdinPipe {
    pub fn new(once: bool) -> StdinPipe {
        StdinPipe {
            state: Mutex::new(State::default()),
            changed: watch::channel(0).0,
            once,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues bytes from an attached client (dropped once the pipe is closed).
    pub fn write(&self, data: &[u8]) {
        {
            let mut s = self.lock();
            if s.closed {
                return;
            }
            s.buf.extend_from_slice(data);
        }
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Closes the pipe for good: readers get what is queued, then end of file.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// What `mode` takes, if it is there already: `Some(bytes)` (empty = end of file), or
    /// `None` when the reader must wait.
    fn take(&self, mode: ReadMode) -> Option<Vec<u8>> {
        let mut s = self.lock();
        let n = match mode {
            ReadMode::Chunk if !s.buf.is_empty() => s.buf.len(),
            ReadMode::Line => match s.buf.iter().position(|b| *b == b'\n') {
                Some(i) => i + 1,
                None if s.closed => s.buf.len(),
                None => return None,
            },
            ReadMode::All if s.closed => s.buf.len(),
            _ if s.closed => 0,
            _ => return None,
        };
        Some(s.buf.drain(..n).collect())
    }

    /// Reads as `mode` says, waiting for data; an empty result is end of file.
    pub async fn read(&self, mode: ReadMode) -> Vec<u8> {
        let mut rx = self.changed.subscribe();
        loop {
            rx.borrow_and_update();
            if let Some(d) = self.take(mode) {
                return d;
            }
            if rx.changed().await.is_err() {
                return Vec::new();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_lines_chunks_and_end_of_file() {
        let p = StdinPipe::new(true);
        p.write(b"one\ntw");
        assert_eq!(p.read(ReadMode::Line).await, b"one\n");
        assert_eq!(p.read(ReadMode::Chunk).await, b"tw");
        p.write(b"o\nrest");
        p.close();
        p.write(b"ignored");
        assert_eq!(p.read(ReadMode::Line).await, b"o\n");
        assert_eq!(p.read(ReadMode::All).await, b"rest");
        assert_eq!(p.read(ReadMode::Chunk).await, b"");
    }
}
