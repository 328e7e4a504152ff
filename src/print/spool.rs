//! The items of a list kept on disk instead of in memory (issue 18): outputs that need the
//! whole list before they print (`--sort-by`, `-o go-template`, `-o jsonpath-as-json`,
//! `-o kyaml`) write each item, as it is read from its page, to an anonymous temporary file
//! and keep only where it lies; they read the items back one at a time, in any order.
//!
//! The file is created unlinked (`tempfile::tempfile`: `O_TMPFILE` under the system temp
//! directory, mode 0600), so it has no name another user could open and it disappears on
//! every exit path, a panic or a signal included.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use serde_json::Value;

/// Items written once, read back by index.
pub struct Spool {
    file: RefCell<BufWriter<File>>,
    /// Where each item's JSON text lies in the file, and how many values it holds (what a
    /// JSONPath run may produce depends on it: `jsonpath::count_nodes`).
    index: Vec<(u64, u32, u32)>,
    end: u64,
    /// Bytes of the item being read back (reused).
    buf: RefCell<Vec<u8>>,
    /// Items handed out by [`Spool::get`] (for the tests' bounds).
    decoded: Cell<usize>,
}

impl Spool {
    /// An empty spool, its file created now.
    pub fn new() -> io::Result<Self> {
        Ok(Spool {
            file: RefCell::new(BufWriter::with_capacity(64 * 1024, tempfile::tempfile()?)),
            index: Vec::new(),
            end: 0,
            buf: RefCell::new(Vec::new()),
            decoded: Cell::new(0),
        })
    }

    /// Appends an item; returns its index.
    pub fn push(&mut self, item: &Value) -> io::Result<usize> {
        let text = serde_json::to_vec(item).map_err(io::Error::other)?;
        self.push_text(&text, super::jsonpath::count_nodes(item))
    }

    /// Appends an item's JSON text as it came (not parsed: what [`Spool::get`] gives back is
    /// its parse), saying how many values it holds; returns its index.
    pub fn push_text(&mut self, text: &[u8], nodes: usize) -> io::Result<usize> {
        let len = u32::try_from(text.len()).map_err(io::Error::other)?;
        self.file.get_mut().write_all(text)?;
        let nodes = u32::try_from(nodes).unwrap_or(u32::MAX);
        self.index.push((self.end, len, nodes));
        self.end += u64::from(len);
        Ok(self.index.len() - 1)
    }

    /// Forgets the items from `len` on (a page that did not decode).
    pub fn truncate(&mut self, len: usize) {
        self.index.truncate(len);
    }

    /// How many items were pushed.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// No item was pushed.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The item at `i`, decoded again (the same `Value` that was pushed).
    pub fn get(&self, i: usize) -> io::Result<Value> {
        self.get_with(i, |text| {
            serde_json::from_slice(text).map_err(io::Error::other)
        })?
    }

    /// What `read` makes of the text of the item at `i`.
    pub fn get_with<R>(&self, i: usize, read: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
        let (offset, len, _) = self.index[i];
        let mut file = self.file.borrow_mut();
        // Whatever is still buffered must reach the file before it is read back.
        file.flush()?;
        let f = file.get_mut();
        f.seek(SeekFrom::Start(offset))?;
        let mut buf = self.buf.borrow_mut();
        buf.resize(len as usize, 0);
        f.read_exact(&mut buf)?;
        // Appends go on at the end.
        f.seek(SeekFrom::Start(self.end))?;
        self.decoded.set(self.decoded.get() + 1);
        Ok(read(&buf))
    }

    /// Every item in push order, one at a time.
    pub fn iter(&self) -> impl Iterator<Item = io::Result<Value>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// How many values the items hold in all.
    pub fn nodes(&self) -> usize {
        self.index.iter().map(|&(_, _, n)| n as usize).sum()
    }

    /// How many items [`Spool::get`] has decoded so far.
    pub fn decoded(&self) -> usize {
        self.decoded.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_come_back_as_pushed_in_any_order() {
        let mut s = Spool::new().unwrap();
        assert!(s.is_empty());
        let items: Vec<Value> = (0..50)
            .map(|i| json!({"metadata": {"name": format!("p{i}")}, "f": 1.5, "u": "é\n", "n": null, "i": i}))
            .collect();
        for (n, it) in items.iter().enumerate() {
            assert_eq!(s.push(it).unwrap(), n);
            // Reading in the middle of writing does not disturb the appends.
            assert_eq!(s.get(n / 2).unwrap(), items[n / 2]);
        }
        assert_eq!(s.len(), 50);
        assert_eq!(s.nodes(), 50 * 7);
        for i in (0..50).rev() {
            assert_eq!(s.get(i).unwrap(), items[i]);
        }
        let back: Vec<Value> = s.iter().map(Result::unwrap).collect();
        assert_eq!(back, items);
    }
}
