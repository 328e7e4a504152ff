//! The terminal side of a container's or an exec session's TTY (`tty: true`, `exec
//! ?tty=true`), as the kubelet's pseudo-terminal behaves in its default (cooked) mode: what
//! the client types is echoed back (`ECHO`, control characters as `^X`), a carriage return
//! ends a line (`ICRNL`), backspace erases, Ctrl-C interrupts and Ctrl-D at the start of a
//! line is end of file; what the process writes has each `\n` sent as `\r\n` (`ONLCR`).

/// What the process sees of the client's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete line, with its `\n`.
    Line(Vec<u8>),
    /// Ctrl-D on an empty line.
    Eof,
    /// Ctrl-C: the line typed so far is discarded.
    Interrupt,
}

/// The line being edited.
#[derive(Default)]
pub struct LineDiscipline {
    line: Vec<u8>,
}

impl LineDiscipline {
    /// Takes what the client sent: returns what the terminal echoes and what the process
    /// reads.
    pub fn feed(&mut self, data: &[u8]) -> (Vec<u8>, Vec<Event>) {
        let mut echo = Vec::new();
        let mut events = Vec::new();
        for &b in data {
            match b {
                b'\r' | b'\n' => {
                    self.line.push(b'\n');
                    echo.extend_from_slice(b"\r\n");
                    events.push(Event::Line(std::mem::take(&mut self.line)));
                }
                0x7f | 0x08 => {
                    // Erase one character (the whole of a UTF-8 sequence); nothing to erase
                    // at the start of the line.
                    let mut erased = false;
                    while let Some(c) = self.line.pop() {
                        erased = true;
                        if c & 0xc0 != 0x80 {
                            break;
                        }
                    }
                    if erased {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x03 => {
                    self.line.clear();
                    echo.extend_from_slice(b"^C\r\n");
                    events.push(Event::Interrupt);
                }
                0x04 => {
                    if self.line.is_empty() {
                        events.push(Event::Eof);
                    } else {
                        events.push(Event::Line(std::mem::take(&mut self.line)));
                    }
                }
                b'\t' => {
                    self.line.push(b);
                    echo.push(b);
                }
                c if c < 0x20 => {
                    self.line.push(c);
                    echo.extend_from_slice(&[b'^', c + 0x40]);
                }
                c => {
                    self.line.push(c);
                    echo.push(c);
                }
            }
        }
        (echo, events)
    }
}

/// A terminal's window size, as its client last set it (kubectl's resize messages,
/// `{"Width":W,"Height":H}`, sent at the start and on each SIGWINCH): what `stty size`
/// reads, as a process reads its pseudo-terminal's `TIOCGWINSZ`. 0 0 before the first.
#[derive(Default, Debug)]
pub struct Winsize(std::sync::Mutex<(u16, u16)>);

impl Winsize {
    /// Takes a resize message; false (nothing changes) when it is not one.
    pub fn resize(&self, msg: &[u8]) -> bool {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(msg) else {
            return false;
        };
        let dim = |k: &str| v[k].as_u64().and_then(|n| u16::try_from(n).ok());
        let (Some(cols), Some(rows)) = (dim("Width"), dim("Height")) else {
            return false;
        };
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = (rows, cols);
        true
    }

    /// Rows and columns.
    pub fn rows_cols(&self) -> (u16, u16) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `ONLCR`: each `\n` the process writes reaches the terminal as `\r\n`.
pub fn onlcr(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    for &b in data {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_edits_and_ends_lines() {
        let mut d = LineDiscipline::default();
        let (echo, ev) = d.feed(b"ecx\x7fho hi\r");
        assert_eq!(echo, b"ecx\x08 \x08ho hi\r\n");
        assert_eq!(ev, vec![Event::Line(b"echo hi\n".to_vec())]);
        let (echo, ev) = d.feed(b"ab\x03\x04");
        assert_eq!(echo, b"ab^C\r\n");
        assert_eq!(ev, vec![Event::Interrupt, Event::Eof]);
        assert_eq!(onlcr(b"a\nb\n"), b"a\r\nb\r\n");
    }

    #[test]
    fn resize_messages_set_the_window_size() {
        let w = Winsize::default();
        assert_eq!(w.rows_cols(), (0, 0));
        assert!(w.resize(br#"{"Width":200,"Height":50}"#));
        assert_eq!(w.rows_cols(), (50, 200));
        for bad in [
            &b"{"[..],
            br#"{"Width":-1,"Height":5}"#,
            br#"{"Width":70000,"Height":5}"#,
        ] {
            assert!(!w.resize(bad));
        }
        assert_eq!(w.rows_cols(), (50, 200));
    }
}
