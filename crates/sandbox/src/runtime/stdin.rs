//! A container's standard input (`stdin: true` in its spec): what attached clients send is
//! queued here and read by the container's process as it asks for it. With `stdinOnce` the
//! runtime closes it when the first attach session ends, as the kubelet's runtime does; the
//! process then reads end of file.
//!
//! The pipe also knows whether its reader (the container's process) is waiting: for input
//! it does not have yet, or for something else (the clock, a signal). An attach session
//! that ends with its client's stdin waits for that ([`StdinPipe::settled`]) so that what
//! the process makes of the input it was sent reaches the client, whatever the scheduling.

use std::sync::Mutex;

use tokio::sync::watch;

#[derive(Default)]
struct State {
    buf: Vec<u8>,
    closed: bool,
    /// What the reader waits for, while it waits.
    waiting: Option<Waiting>,
}

/// What a waiting reader waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Waiting {
    /// Input, read as this mode takes it.
    Input(ReadMode),
    /// Something else: the clock (`sleep`), a signal, nothing at all.
    Other,
}

/// The stdin pipe of one container.
pub struct StdinPipe {
    state: Mutex<State>,
    /// Bumped at every write and at close.
    changed: watch::Sender<u64>,
    /// Bumped when the reader starts or stops waiting.
    activity: watch::Sender<u64>,
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
            activity: watch::channel(0).0,
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

    /// How many bytes `mode` takes, if they are there already (0 = end of file), or `None`
    /// when the reader must wait.
    fn ready(s: &State, mode: ReadMode) -> Option<usize> {
        match mode {
            ReadMode::Chunk if !s.buf.is_empty() => Some(s.buf.len()),
            ReadMode::Line => match s.buf.iter().position(|b| *b == b'\n') {
                Some(i) => Some(i + 1),
                None if s.closed => Some(s.buf.len()),
                None => None,
            },
            ReadMode::All if s.closed => Some(s.buf.len()),
            _ if s.closed => Some(0),
            _ => None,
        }
    }

    /// What `mode` takes, if it is there already: `Some(bytes)` (empty = end of file), or
    /// `None` when the reader must wait (then it is marked waiting for input).
    fn take(&self, mode: ReadMode) -> Option<Vec<u8>> {
        let mut s = self.lock();
        match Self::ready(&s, mode) {
            Some(n) => {
                s.waiting = None;
                Some(s.buf.drain(..n).collect())
            }
            None => {
                s.waiting = Some(Waiting::Input(mode));
                None
            }
        }
    }

    /// Reads as `mode` says, waiting for data; an empty result is end of file.
    pub async fn read(&self, mode: ReadMode) -> Vec<u8> {
        let mut rx = self.changed.subscribe();
        let _waiting = Busy(self);
        loop {
            rx.borrow_and_update();
            let got = self.take(mode);
            self.activity.send_modify(|n| *n = n.wrapping_add(1));
            if let Some(d) = got {
                return d;
            }
            if rx.changed().await.is_err() {
                return Vec::new();
            }
        }
    }

    /// Marks the reader as waiting for something other than input until the guard drops.
    pub fn waiting_other(&self) -> Busy<'_> {
        self.lock().waiting = Some(Waiting::Other);
        self.activity.send_modify(|n| *n = n.wrapping_add(1));
        Busy(self)
    }

    /// Whether the reader is waiting with nothing to go on: for something other than input,
    /// or for input the pipe does not have (a line not yet ended, say). Not while it runs,
    /// nor while what it waits for is there but not yet taken.
    pub fn settled(&self) -> bool {
        let s = self.lock();
        match s.waiting {
            Some(Waiting::Other) => true,
            Some(Waiting::Input(mode)) => Self::ready(&s, mode).is_none(),
            None => false,
        }
    }

    /// Bumped when the reader starts or stops waiting (with [`StdinPipe::settled`]).
    pub fn activity(&self) -> watch::Receiver<u64> {
        self.activity.subscribe()
    }
}

/// The reader runs again (a wait ended, or was given up) when this drops.
pub struct Busy<'a>(&'a StdinPipe);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.lock().waiting = None;
        self.0.activity.send_modify(|n| *n = n.wrapping_add(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

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

    #[tokio::test]
    async fn settled_while_the_reader_waits_with_nothing_to_take() {
        let p = Arc::new(StdinPipe::new(false));
        assert!(!p.settled(), "a running reader");
        p.write(b"par");
        let reader = {
            let p = p.clone();
            tokio::spawn(async move { p.read(ReadMode::Line).await })
        };
        let mut activity = p.activity();
        while !p.settled() {
            activity.changed().await.unwrap();
        }
        // The line ends: the reader is woken and has something to take.
        p.write(b"t\n");
        assert!(!p.settled());
        assert_eq!(reader.await.unwrap(), b"part\n");
        assert!(!p.settled());
        {
            let _sleep = p.waiting_other();
            assert!(p.settled());
        }
        assert!(!p.settled());
    }
}
