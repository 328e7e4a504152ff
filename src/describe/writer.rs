//! The text machinery of `kubectl describe`: kubectl's `PrefixWriter` (indentation levels of
//! two spaces, terminal escaping) over Go's `text/tabwriter` as describe configures it
//! ([`TabWriter::describe`]).

use crate::print::tabwriter::TabWriter;

/// Indentation levels of kubectl's `PrefixWriter` (`LEVEL_0` .. `LEVEL_4`).
pub const LEVEL_0: usize = 0;
/// Second indentation level (two spaces).
pub const LEVEL_1: usize = 1;
/// Third indentation level (four spaces).
pub const LEVEL_2: usize = 2;
/// Fourth indentation level (six spaces).
pub const LEVEL_3: usize = 3;

/// kubectl's `PrefixWriter` over a [`TabWriter`]: `write(level, text)` prefixes the text with
/// two spaces per level (only the text's start, as kubectl prefixes the format string) and
/// escapes terminal control characters.
pub struct PrefixWriter {
    tw: TabWriter,
    /// What earlier flushes formatted.
    out: String,
    indent: usize,
}

impl Default for PrefixWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PrefixWriter {
    /// Creates a writer with an empty buffer.
    pub fn new() -> Self {
        PrefixWriter {
            tw: TabWriter::describe(),
            out: String::new(),
            indent: 0,
        }
    }

    /// Writes `text` indented by `level` (plus the nesting indent).
    pub fn write(&mut self, level: usize, text: &str) {
        let prefix = "  ".repeat(level + self.indent);
        self.tw
            .write_str(&escape_terminal(&format!("{prefix}{text}")));
    }

    /// Writes `label:\tvalue\n` at `level` (kubectl's `w.Write(level, "Label:\t%s\n", value)`).
    pub fn field(&mut self, level: usize, label: &str, value: impl std::fmt::Display) {
        self.write(level, &format!("{label}:\t{value}\n"));
    }

    /// [`field`](Self::field) when `value` is not empty (kubectl's `if v != "" { w.Write(…) }`).
    pub fn field_if_set(&mut self, level: usize, label: &str, value: &str) {
        if !value.is_empty() {
            self.field(level, label, value);
        }
    }

    /// Writes `text` and a newline without indentation (kubectl's `WriteLine`).
    pub fn write_line(&mut self, text: &str) {
        if self.indent > 0 {
            // A nested writer indents WriteLine output (nestedPrefixWriter.WriteLine).
            let prefix = "  ".repeat(self.indent);
            self.tw
                .write_str(&escape_terminal(&format!("{prefix}{text}\n")));
        } else {
            self.tw.write_str(&escape_terminal(&format!("{text}\n")));
        }
    }

    /// Runs `f` with every level shifted by `indent` (kubectl's `NewNestedPrefixWriter`).
    pub fn nested(&mut self, indent: usize, f: impl FnOnce(&mut PrefixWriter)) {
        self.indent += indent;
        f(self);
        self.indent -= indent;
    }

    /// Ends the current column blocks.
    pub fn flush(&mut self) {
        self.out.push_str(&self.tw.flush_to_string());
    }

    /// Returns the aligned text.
    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

/// cli-runtime's `EscapeTerminal`: ESC becomes `^[` and CR becomes `\r`.
pub fn escape_terminal(s: &str) -> String {
    if !s.contains(['\x1b', '\r']) {
        return s.to_string();
    }
    s.replace('\x1b', "^[").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(s: &str) -> String {
        crate::print::tabwriter::align(TabWriter::describe(), s)
    }

    #[test]
    fn aligns_a_block_and_breaks_on_lines_without_tabs() {
        let got = tab("Name:\tx\nNode-Selector:\ty\nPlain line\nA:\tb\n");
        assert_eq!(
            got,
            "Name:           x\nNode-Selector:  y\nPlain line\nA:  b\n"
        );
    }

    #[test]
    fn empty_trailing_cells_are_padded() {
        assert_eq!(
            tab("HostPathType:\t\nPath:\t/p\n"),
            "HostPathType:  \nPath:          /p\n"
        );
    }

    #[test]
    fn flush_separates_blocks() {
        let mut w = PrefixWriter::new();
        w.write(LEVEL_0, "a:\tx\n");
        w.flush();
        w.write(LEVEL_0, "long key:\ty\n");
        assert_eq!(w.finish(), "a:  x\nlong key:  y\n");
    }

    #[test]
    fn prefix_writer_indents_only_the_start_and_escapes() {
        let mut w = PrefixWriter::new();
        w.write(LEVEL_1, "A:\tb\nC:\td\x1b\n");
        w.nested(LEVEL_2, |w| w.write(LEVEL_1, "E:\tf\r\n"));
        assert_eq!(w.finish(), "  A:      b\nC:        d^[\n      E:  f\\r\n");
    }

    #[test]
    fn text_without_final_newline_is_kept() {
        assert_eq!(tab("a\tb"), "a  b");
    }
}
