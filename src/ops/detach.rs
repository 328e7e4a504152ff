//! `--detach-keys` (`attach`, `run`): with `-it` on a terminal, typing the sequence ends this
//! client's stdin, which ends the attach session while the container runs on. kubectl wraps
//! stdin in `term.NewDetachableReader` (pkg/util/term), moby/term's escape proxy: the keys
//! are spelled as moby's `ToBytes` reads them, a key held while it may start the sequence
//! and passed on when it turns out not to.

use tokio::sync::mpsc::UnboundedReceiver;

/// kubectl's `defaultDetachSequence`.
pub const DEFAULT: &str = "ctrl-p,ctrl-q";

/// moby/term's `ASCII`: `ctrl-@` is 0, `ctrl-a` 1, … `ctrl-_` 31.
const CONTROL: &str = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

/// moby/term's `ToBytes`: comma-separated keys, each one character, `ctrl-X` or `DEL`.
pub fn key_bytes(keys: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for key in keys.split(',') {
        if key.len() == 1 {
            out.push(key.as_bytes()[0]);
            continue;
        }
        let ctrl = key
            .strip_prefix("ctrl-")
            .filter(|c| c.len() == 1)
            .and_then(|c| CONTROL.find(c));
        match ctrl {
            Some(code) => out.push(code as u8),
            None if key == "DEL" => out.push(127),
            None => return Err(format!("Unknown character: '{key}'")),
        }
    }
    Ok(out)
}

/// The escape proxy's state over the chunks read from stdin.
#[derive(Debug)]
pub struct Escape {
    keys: Vec<u8>,
    /// How many keys of the sequence were just typed (held back).
    matched: usize,
}

impl Escape {
    pub fn new(keys: Vec<u8>) -> Escape {
        Escape { keys, matched: 0 }
    }

    /// What of `data` goes on to the container, and whether the sequence is now complete
    /// (then nothing after it goes on).
    pub fn feed(&mut self, data: &[u8]) -> (Vec<u8>, bool) {
        let mut out = Vec::with_capacity(data.len());
        for &b in data {
            if self.keys.is_empty() {
                out.push(b);
                continue;
            }
            if b != self.keys[self.matched] && self.matched > 0 {
                // Not the sequence after all: what was held goes on.
                out.extend_from_slice(&self.keys[..self.matched]);
                self.matched = 0;
            }
            if b == self.keys[self.matched] {
                self.matched += 1;
                if self.matched == self.keys.len() {
                    return (out, true);
                }
                continue;
            }
            out.push(b);
        }
        (out, false)
    }
}

/// `input` up to the detach sequence: the channel returned closes (stdin's end) once it is
/// typed, or when `input` ends.
pub fn detachable(
    mut input: UnboundedReceiver<Vec<u8>>,
    keys: Vec<u8>,
) -> UnboundedReceiver<Vec<u8>> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut escape = Escape::new(keys);
        while let Some(chunk) = input.recv().await {
            let (data, detached) = escape.feed(&chunk);
            if !data.is_empty() && tx.send(data).is_err() {
                return;
            }
            if detached {
                return;
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_as_moby_reads_them() {
        assert_eq!(key_bytes(DEFAULT), Ok(vec![0x10, 0x11]));
        assert_eq!(
            key_bytes("ctrl-@,ctrl-_,DEL,x,,"),
            Err("Unknown character: ''".into())
        );
        assert_eq!(key_bytes("ctrl-@,ctrl-_,DEL,x"), Ok(vec![0, 31, 127, b'x']));
        assert_eq!(
            key_bytes("ctrl-A"),
            Err("Unknown character: 'ctrl-A'".into())
        );
        assert_eq!(key_bytes("ab"), Err("Unknown character: 'ab'".into()));
    }

    #[test]
    fn the_sequence_ends_input_and_is_not_sent() {
        // kubectl's TestDetachableReader cases.
        let mut e = Escape::new(key_bytes(DEFAULT).unwrap());
        assert_eq!(
            e.feed(b"data before\x10\x11data after"),
            (b"data before".to_vec(), true)
        );
        let mut e = Escape::new(key_bytes(DEFAULT).unwrap());
        assert_eq!(
            e.feed(b"normal text\x10only ctrl-p no q"),
            (b"normal text\x10only ctrl-p no q".to_vec(), false)
        );
        // Across reads: a key that may start the sequence is held until the next one.
        let mut e = Escape::new(key_bytes(DEFAULT).unwrap());
        assert_eq!(e.feed(b"ab\x10"), (b"ab".to_vec(), false));
        assert_eq!(e.feed(b"c"), (b"\x10c".to_vec(), false));
        assert_eq!(e.feed(b"\x10"), (vec![], false));
        assert_eq!(e.feed(b"\x11rest"), (vec![], true));
        let mut e = Escape::new(key_bytes("ctrl-a").unwrap());
        assert_eq!(e.feed(b"short\x01rest"), (b"short".to_vec(), true));
    }
}
