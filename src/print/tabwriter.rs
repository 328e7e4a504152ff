//! kubectl's column aligner: Go's `text/tabwriter` as forked by liggitt/tabwriter (adds
//! `RememberWidths`). `get` uses [`TabWriter::kubectl`] (cli-runtime `printers/tabwriter.go`:
//! minwidth 6, tabwidth 4, padding 3, padchar ' ', RememberWidths); `describe` uses
//! [`TabWriter::describe`] (minwidth 0, tabwidth 8, padding 2, no flags).
//!
//! Semantics kept bit-exact: `\t` terminates a cell, text after the last tab of a line is not
//! part of any column, column widths are computed per block of consecutive lines that have that
//! column, widths count Unicode scalar values (runes), `\v` also ends a cell (it differs from
//! `\t` only with flags kubectl does not use), `\f` is a line break that also ends every
//! column block.

use std::io::{self, Write};

/// Settings of a [`TabWriter`] (the arguments of Go's `tabwriter.NewWriter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabWriterConfig {
    /// Minimal cell width, padding included.
    pub min_width: usize,
    /// Width of a tab character; only used when `pad_char` is `\t`.
    pub tab_width: usize,
    /// Padding added to the widest cell of a column.
    pub padding: usize,
    /// Byte used for padding (kubectl always uses a space).
    pub pad_char: u8,
    /// liggitt/tabwriter's `RememberWidths`: column widths never shrink across flushes.
    pub remember_widths: bool,
}

/// The buffered lines, compactly (a table of 50,000 rows is buffered whole until the end):
/// every cell's text in one string, then per cell where its text ends and its rune count,
/// and per line its first cell.
#[derive(Debug, Clone, Default)]
struct Lines {
    text: String,
    /// (end of the cell's text in `text`, rune count).
    cells: Vec<(u32, u32)>,
    /// Index in `cells` of each line's first cell; the last line is the one being written.
    starts: Vec<u32>,
}

impl Lines {
    fn new() -> Self {
        Lines {
            starts: vec![0],
            ..Lines::default()
        }
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    fn cells_of(&self, line: usize) -> std::ops::Range<usize> {
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.cells.len(), |&e| e as usize);
        self.starts[line] as usize..end
    }

    fn ncells(&self, line: usize) -> usize {
        self.cells_of(line).len()
    }

    fn width(&self, cell: usize) -> usize {
        self.cells[cell].1 as usize
    }

    fn text(&self, cell: usize) -> &str {
        let start = match cell {
            0 => 0,
            c => self.cells[c - 1].0 as usize,
        };
        &self.text[start..self.cells[cell].0 as usize]
    }
}

/// A buffering column aligner; text is written with [`TabWriter::write_str`] and emitted,
/// aligned, by [`TabWriter::flush`].
#[derive(Debug, Clone)]
pub struct TabWriter {
    cfg: TabWriterConfig,
    /// Completed lines; the last entry is the line being written (never terminated).
    lines: Lines,
    /// Text of the cell being written.
    cell: String,
    /// Output of segments already formatted (a `\f` or a one-cell line ends a segment).
    out: String,
    /// Remembered per-column maximum widths (only with `remember_widths`).
    max_widths: Vec<usize>,
}

impl TabWriter {
    /// A writer with explicit settings.
    pub fn new(cfg: TabWriterConfig) -> Self {
        TabWriter {
            cfg,
            lines: Lines::new(),
            cell: String::new(),
            out: String::new(),
            max_widths: Vec::new(),
        }
    }

    /// The writer `kubectl get` (and custom-columns) prints through.
    pub fn kubectl() -> Self {
        TabWriter::new(TabWriterConfig {
            min_width: 6,
            tab_width: 4,
            padding: 3,
            pad_char: b' ',
            remember_widths: true,
        })
    }

    /// The writer `kubectl describe` renders each description with (`tabbedString`).
    pub fn describe() -> Self {
        TabWriter::new(TabWriterConfig {
            min_width: 0,
            tab_width: 8,
            padding: 2,
            pad_char: b' ',
            remember_widths: false,
        })
    }

    /// Forgets the remembered column widths (kubectl starts a new printer per resource type).
    pub fn reset_remembered_widths(&mut self) {
        self.max_widths.clear();
    }

    /// Buffers text; cells and lines are split on `\t`, `\v`, `\n` and `\f`.
    pub fn write_str(&mut self, s: &str) {
        for ch in s.chars() {
            match ch {
                '\t' | '\x0b' | '\n' | '\x0c' => {
                    let ncells = self.terminate_cell();
                    if ch == '\n' || ch == '\x0c' {
                        self.lines.starts.push(self.lines.cells.len() as u32);
                        // Go flushes here; with a one-cell line this does not change the
                        // layout, with `\f` it ends every column block.
                        if ch == '\x0c' || ncells == 1 {
                            self.format_pending();
                        }
                    }
                }
                _ => self.cell.push(ch),
            }
        }
    }

    /// Formats everything buffered and writes it to `w`.
    pub fn flush(&mut self, w: &mut dyn Write) -> io::Result<()> {
        let text = self.flush_to_string();
        w.write_all(text.as_bytes())
    }

    /// Formats everything buffered and returns it (for callers that post-process the text).
    pub fn flush_to_string(&mut self) -> String {
        if !self.cell.is_empty() {
            self.terminate_cell();
        }
        self.format_pending();
        std::mem::take(&mut self.out)
    }

    fn terminate_cell(&mut self) -> usize {
        let width = self.cell.chars().count();
        let lines = &mut self.lines;
        lines.text.push_str(&self.cell);
        self.cell.clear();
        lines.cells.push((lines.text.len() as u32, width as u32));
        lines.ncells(lines.len() - 1)
    }

    /// Formats all complete lines plus the current one, then starts afresh (Go's `flush`).
    fn format_pending(&mut self) {
        let lines = std::mem::replace(&mut self.lines, Lines::new());
        let mut widths = Vec::new();
        let n = lines.len();
        self.format(&lines, &mut widths, 0, n);
    }

    fn format(&mut self, lines: &Lines, widths: &mut Vec<usize>, line0: usize, line1: usize) {
        let column = widths.len();
        let mut line0 = line0;
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines.ncells(this) {
                this += 1;
                continue;
            }
            // A cell exists in this column: lines before this one are complete.
            self.write_lines(lines, widths, line0, this);
            line0 = this;

            let mut width = self.cfg.min_width;
            while this < line1 {
                let line = lines.cells_of(this);
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(lines.width(line.start + column) + self.cfg.padding);
                this += 1;
            }

            if self.cfg.remember_widths {
                if self.max_widths.len() < widths.len() {
                    let from = self.max_widths.len();
                    self.max_widths.extend_from_slice(&widths[from..]);
                }
                if self.max_widths.len() == widths.len() {
                    self.max_widths.push(width);
                } else if self.max_widths[column] > width {
                    width = self.max_widths[column];
                } else {
                    self.max_widths[column] = width;
                }
            }

            widths.push(width);
            self.format(lines, widths, line0, this);
            widths.pop();
            line0 = this;
        }
        self.write_lines(lines, widths, line0, line1);
    }

    fn write_lines(&mut self, lines: &Lines, widths: &[usize], line0: usize, line1: usize) {
        for i in line0..line1 {
            for (j, c) in lines.cells_of(i).enumerate() {
                self.out.push_str(lines.text(c));
                if j < widths.len() {
                    self.write_padding(lines.width(c), widths[j]);
                }
            }
            if i + 1 < lines.len() {
                self.out.push('\n');
            }
        }
    }

    fn write_padding(&mut self, text_width: usize, cell_width: usize) {
        if self.cfg.pad_char == b'\t' {
            if self.cfg.tab_width == 0 {
                return;
            }
            let tw = self.cfg.tab_width;
            let cell_width = cell_width.div_ceil(tw) * tw;
            let n = cell_width.saturating_sub(text_width);
            for _ in 0..n.div_ceil(tw) {
                self.out.push('\t');
            }
            return;
        }
        let pad = char::from(self.cfg.pad_char);
        for _ in text_width..cell_width {
            self.out.push(pad);
        }
    }
}

/// Aligns `text` in one go with the given writer settings.
pub fn align(mut tw: TabWriter, text: &str) -> String {
    tw.write_str(text);
    tw.flush_to_string()
}

/// Aligns rows of cells through kubectl's tabwriter (cli-runtime's settings): every cell
/// but a row's last is tab-terminated, as kubectl's `Fprintf` formats do.
pub fn tabwrite(rows: &[Vec<String>]) -> String {
    let mut tw = TabWriter::kubectl();
    for r in rows {
        tw.write_str(&r.join("\t"));
        tw.write_str("\n");
    }
    tw.flush_to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(text: &str) -> String {
        align(TabWriter::kubectl(), text)
    }

    #[test]
    fn kubectl_table_matches_reference_layout() {
        let got = k(
            "NAME\tDESIRED\tCURRENT\tREADY\tUP-TO-DATE\tAVAILABLE\tNODE SELECTOR\tAGE\n\
                     node-exporter\t2\t2\t2\t2\t2\t<none>\t4s\n",
        );
        let want = "NAME            DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\n\
                    node-exporter   2         2         2       2            2           <none>          4s\n";
        assert_eq!(got, want);
    }

    #[test]
    fn min_width_applies_without_headers() {
        let got = k("node-exporter-hhrkk\t1/1\tRunning\t0\t7s\n");
        assert_eq!(got, "node-exporter-hhrkk   1/1   Running   0     7s\n");
    }

    #[test]
    fn empty_trailing_cell_is_padded_and_last_cell_is_not() {
        let got = k("A\tB\t\nxx\t\tlast\n");
        assert_eq!(got, "A     B     \nxx          last\n");
    }

    #[test]
    fn widths_count_runes_not_bytes() {
        let got = k("é\tx\nab\ty\n");
        assert_eq!(got, "é     x\nab    y\n");
    }

    #[test]
    fn a_line_without_tabs_ends_the_column_block() {
        let got = align(
            TabWriter::describe(),
            "a:\t1\nlonger-key:\t2\nbreak\nb:\t3\n",
        );
        assert_eq!(got, "a:           1\nlonger-key:  2\nbreak\nb:  3\n");
    }

    #[test]
    fn nested_blocks_follow_go_semantics() {
        // Column 1 of the first two lines forms its own block inside column 0's block.
        let got = align(TabWriter::describe(), "a\tbb\tc\nddd\te\tf\ng\th\n");
        assert_eq!(got, "a    bb  c\nddd  e   f\ng    h\n");
    }

    #[test]
    fn remember_widths_keeps_widths_across_flushes() {
        let mut tw = TabWriter::kubectl();
        tw.write_str("a-long-name\tx\n");
        let first = tw.flush_to_string();
        tw.write_str("b\ty\n");
        let second = tw.flush_to_string();
        assert_eq!(first, "a-long-name   x\n");
        assert_eq!(second, "b             y\n");
        tw.reset_remembered_widths();
        tw.write_str("b\ty\n");
        assert_eq!(tw.flush_to_string(), "b     y\n");
    }

    #[test]
    fn text_without_final_newline_is_kept() {
        assert_eq!(k("a\tb"), "a     b");
        assert_eq!(k(""), "");
    }

    #[test]
    fn formfeed_breaks_blocks_and_prints_newline() {
        let got = align(TabWriter::describe(), "a\t1\x0clonger\t2\n");
        assert_eq!(got, "a  1\nlonger  2\n");
    }

    #[test]
    fn tab_padding_rounds_to_tab_width() {
        let tw = TabWriter::new(TabWriterConfig {
            min_width: 0,
            tab_width: 8,
            padding: 1,
            pad_char: b'\t',
            remember_widths: false,
        });
        assert_eq!(
            align(tw, "ab\tc\nabcdefghij\td\n"),
            "ab\t\tc\nabcdefghij\td\n"
        );
    }
}
