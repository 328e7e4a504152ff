//! The text machinery of `kubectl describe`: Go's `text/tabwriter` as kubectl configures it for
//! describe (minwidth 0, padding 2, pad with spaces, no flags) and kubectl's `PrefixWriter`
//! (indentation levels of two spaces, terminal escaping).

/// Indentation levels of kubectl's `PrefixWriter` (`LEVEL_0` .. `LEVEL_4`).
pub const LEVEL_0: usize = 0;
/// Second indentation level (two spaces).
pub const LEVEL_1: usize = 1;
/// Third indentation level (four spaces).
pub const LEVEL_2: usize = 2;
/// Fourth indentation level (six spaces).
pub const LEVEL_3: usize = 3;

const PADDING: usize = 2;
const MIN_WIDTH: usize = 0;

/// One buffered line: its tab-terminated cells followed by the trailing (unterminated) cell.
#[derive(Default)]
struct Line {
    cells: Vec<String>,
}

/// Go's `text/tabwriter` with describe's settings. Cells end at `\t`; a column's width is the
/// widest cell (in runes) plus the padding, computed per block of consecutive lines that have
/// that column, exactly as Go's `format` recursion does.
#[derive(Default)]
pub struct TabWriter {
    lines: Vec<Line>,
    cell: String,
    out: String,
}

impl TabWriter {
    /// Creates an empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends text; tabs end cells, newlines end lines.
    pub fn write_str(&mut self, text: &str) {
        for ch in text.chars() {
            match ch {
                '\t' => {
                    let cell = std::mem::take(&mut self.cell);
                    self.current_line().cells.push(cell);
                }
                '\n' => {
                    let cell = std::mem::take(&mut self.cell);
                    self.current_line().cells.push(cell);
                    // An empty line object marks the start of the next line.
                    self.lines.push(Line::default());
                }
                c => self.cell.push(c),
            }
        }
    }

    fn current_line(&mut self) -> &mut Line {
        if self.lines.is_empty() {
            self.lines.push(Line::default());
        }
        self.lines.last_mut().expect("a line was just ensured")
    }

    /// Formats everything buffered so far; later text starts new column blocks.
    pub fn flush(&mut self) {
        if !self.cell.is_empty() {
            let cell = std::mem::take(&mut self.cell);
            self.current_line().cells.push(cell);
        }
        let mut lines = std::mem::take(&mut self.lines);
        // The trailing empty line object (after the last '\n') has no content.
        let ends_with_newline = matches!(lines.last(), Some(l) if l.cells.is_empty());
        if ends_with_newline {
            lines.pop();
        }
        let mut widths = Vec::new();
        let n = lines.len();
        format_block(
            &lines,
            &mut widths,
            0,
            n,
            &mut self.out,
            n,
            ends_with_newline,
        );
    }

    /// Flushes and returns the formatted text.
    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

fn rune_width(s: &str) -> usize {
    s.chars().count()
}

/// Go's `Writer.format`: finds the blocks of column `widths.len()` between `line0` and `line1`.
fn format_block(
    lines: &[Line],
    widths: &mut Vec<usize>,
    mut line0: usize,
    line1: usize,
    out: &mut String,
    total: usize,
    ends_with_newline: bool,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].cells.len() {
            this += 1;
            continue;
        }
        write_lines(lines, widths, line0, this, out, total, ends_with_newline);
        line0 = this;
        let mut width = MIN_WIDTH;
        while this < line1 {
            let line = &lines[this];
            if column + 1 >= line.cells.len() {
                break;
            }
            width = width.max(rune_width(&line.cells[column]) + PADDING);
            this += 1;
        }
        widths.push(width);
        format_block(lines, widths, line0, this, out, total, ends_with_newline);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, widths, line0, line1, out, total, ends_with_newline);
}

fn write_lines(
    lines: &[Line],
    widths: &[usize],
    line0: usize,
    line1: usize,
    out: &mut String,
    total: usize,
    ends_with_newline: bool,
) {
    for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
        for (j, cell) in line.cells.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() && j + 1 < line.cells.len() {
                let pad = widths[j].saturating_sub(rune_width(cell));
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if i + 1 < total || ends_with_newline {
            out.push('\n');
        }
    }
}

/// kubectl's `PrefixWriter` over a [`TabWriter`]: `write(level, text)` prefixes the text with
/// two spaces per level (only the text's start, as kubectl prefixes the format string) and
/// escapes terminal control characters.
pub struct PrefixWriter {
    tw: TabWriter,
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
            tw: TabWriter::new(),
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
        self.tw.flush();
    }

    /// Returns the aligned text.
    pub fn finish(self) -> String {
        self.tw.finish()
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
        let mut tw = TabWriter::new();
        tw.write_str(s);
        tw.finish()
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
    fn nested_columns_form_their_own_blocks() {
        let got = tab("a\tb\tc\nlonger\tb\nx\tyyyy\tz\n");
        // Line 2 has no second tab-terminated cell, so line 1 and line 3 are separate blocks.
        assert_eq!(got, "a       b  c\nlonger  b\nx       yyyy  z\n");
    }

    #[test]
    fn widths_count_runes_not_bytes() {
        assert_eq!(tab("é:\tx\nab:\ty\n"), "é:   x\nab:  y\n");
    }

    #[test]
    fn flush_separates_blocks() {
        let mut tw = TabWriter::new();
        tw.write_str("a:\tx\n");
        tw.flush();
        tw.write_str("long key:\ty\n");
        assert_eq!(tw.finish(), "a:  x\nlong key:  y\n");
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
