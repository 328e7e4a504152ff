//! The parser of the built-in POSIX shell: words with their quoting, and the command grammar
//! (simple commands, pipelines, `&&`/`||`, `;`/`&`/newline lists, `if`, `while`/`until`,
//! `for`, `case`, `{ }`, `( )`, functions, redirections).

/// One piece of a word.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text; `quoted` text is neither split nor globbed.
    Lit(String, bool),
    /// `$name`, `${name}`, `${name:-word}`, `${#name}`...
    Param {
        name: String,
        op: String,
        arg: Option<Word>,
        quoted: bool,
    },
    /// `$(…)` or backquotes: the source of the inner script.
    Cmd(String, bool),
    /// `$((…))`: the expression source.
    Arith(String, bool),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Word(pub Vec<Part>);

impl Word {
    /// The word's text when it is a single unquoted literal (reserved words, names).
    pub fn plain(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Part::Lit(s, false)] => Some(s),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum RedirOp {
    Out,
    Append,
    In,
    /// `N>&M`
    Dup(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redir {
    pub fd: u32,
    pub op: RedirOp,
    pub target: Word,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    Simple {
        assigns: Vec<(String, Word)>,
        words: Vec<Word>,
        redirs: Vec<Redir>,
    },
    Pipeline(Vec<Cmd>, bool),
    And(Box<Cmd>, Box<Cmd>),
    Or(Box<Cmd>, Box<Cmd>),
    List(Vec<(Cmd, bool)>),
    If(Vec<(Cmd, Cmd)>, Option<Box<Cmd>>),
    While(Box<Cmd>, Box<Cmd>, bool),
    For(String, Option<Vec<Word>>, Box<Cmd>),
    Case(Word, Vec<(Vec<Word>, Cmd)>),
    Group(Box<Cmd>),
    Subshell(Box<Cmd>),
    Func(String, Box<Cmd>),
    Redirected(Box<Cmd>, Vec<Redir>),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(Word),
    Op(&'static str),
    Redir(u32, RedirOp),
    Newline,
}

const OPS: &[&str] = &["&&", "||", ";;", "|", "&", ";", "(", ")"];

struct Lexer<'a> {
    s: &'a [char],
    i: usize,
}

fn err<T>(msg: impl Into<String>) -> Result<T, String> {
    Err(msg.into())
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn at(&self, off: usize) -> Option<char> {
        self.s.get(self.i + off).copied()
    }

    /// Reads up to the `)` closing an opened `$(` (the `$(` is consumed).
    fn until_close_paren(&mut self) -> Result<String, String> {
        let start = self.i;
        let mut depth = 1;
        while let Some(c) = self.peek() {
            match c {
                '\\' => self.i += 1,
                '\'' => {
                    self.i += 1;
                    while self.peek().is_some_and(|c| c != '\'') {
                        self.i += 1;
                    }
                }
                '"' => {
                    self.i += 1;
                    while let Some(c) = self.peek() {
                        if c == '\\' {
                            self.i += 1;
                        } else if c == '"' {
                            break;
                        }
                        self.i += 1;
                    }
                }
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        let text: String = self.s[start..self.i].iter().collect();
                        self.i += 1;
                        return Ok(text);
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        err("syntax error: unterminated $(")
    }

    fn until_arith_close(&mut self) -> Result<String, String> {
        let start = self.i;
        let mut depth = 0;
        while let Some(c) = self.peek() {
            match c {
                '(' => depth += 1,
                ')' if depth > 0 => depth -= 1,
                ')' if self.at(1) == Some(')') => {
                    let text: String = self.s[start..self.i].iter().collect();
                    self.i += 2;
                    return Ok(text);
                }
                _ => {}
            }
            self.i += 1;
        }
        err("syntax error: unterminated $((")
    }

    fn name(&mut self) -> String {
        let mut n = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                n.push(c);
                self.i += 1;
            } else {
                break;
            }
        }
        n
    }

    /// After a `$`: the expansion it starts (or a literal `$`).
    fn dollar(&mut self, quoted: bool) -> Result<Part, String> {
        match self.peek() {
            Some('(') if self.at(1) == Some('(') => {
                self.i += 2;
                Ok(Part::Arith(self.until_arith_close()?, quoted))
            }
            Some('(') => {
                self.i += 1;
                Ok(Part::Cmd(self.until_close_paren()?, quoted))
            }
            Some('{') => {
                self.i += 1;
                let mut op = String::new();
                if self.peek() == Some('#') && self.at(1) != Some('}') {
                    self.i += 1;
                    op.push('#');
                    let name = self.name_or_special();
                    if self.peek() != Some('}') {
                        return err("syntax error: bad substitution");
                    }
                    self.i += 1;
                    return Ok(Part::Param {
                        name,
                        op: "len".into(),
                        arg: None,
                        quoted,
                    });
                }
                let name = self.name_or_special();
                if name.is_empty() {
                    return err("syntax error: bad substitution");
                }
                if self.peek() == Some('}') {
                    self.i += 1;
                    return Ok(Part::Param {
                        name,
                        op,
                        arg: None,
                        quoted,
                    });
                }
                for cand in [
                    ":-", ":=", ":+", ":?", "##", "%%", "-", "=", "+", "?", "#", "%",
                ] {
                    let cs: Vec<char> = cand.chars().collect();
                    if self.s[self.i..].starts_with(&cs) {
                        op = cand.to_string();
                        self.i += cs.len();
                        break;
                    }
                }
                if op.is_empty() {
                    return err("syntax error: bad substitution");
                }
                let arg = self.word_until_brace(quoted)?;
                Ok(Part::Param {
                    name,
                    op,
                    arg: Some(arg),
                    quoted,
                })
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => Ok(Part::Param {
                name: self.name(),
                op: String::new(),
                arg: None,
                quoted,
            }),
            Some(c) if c.is_ascii_digit() || "?#$!@*-".contains(c) => {
                self.i += 1;
                Ok(Part::Param {
                    name: c.to_string(),
                    op: String::new(),
                    arg: None,
                    quoted,
                })
            }
            _ => Ok(Part::Lit("$".into(), quoted)),
        }
    }

    fn name_or_special(&mut self) -> String {
        match self.peek() {
            Some(c) if c.is_ascii_digit() || "?#$!@*-".contains(c) => {
                self.i += 1;
                let mut n = c.to_string();
                if c.is_ascii_digit() {
                    while let Some(d) = self.peek().filter(|d| d.is_ascii_digit()) {
                        n.push(d);
                        self.i += 1;
                    }
                }
                n
            }
            _ => self.name(),
        }
    }

    /// The word inside `${name op …}` up to the closing brace.
    fn word_until_brace(&mut self, quoted: bool) -> Result<Word, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            match self.peek() {
                None => return err("syntax error: bad substitution"),
                Some('}') => {
                    self.i += 1;
                    break;
                }
                Some('$') => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, quoted);
                    parts.push(self.dollar(quoted)?);
                }
                Some('\'') if !quoted => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, quoted);
                    let mut q = String::new();
                    while let Some(c) = self.peek() {
                        self.i += 1;
                        if c == '\'' {
                            break;
                        }
                        q.push(c);
                    }
                    parts.push(Part::Lit(q, true));
                }
                Some('"') => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, quoted);
                    parts.extend(self.double_quoted()?);
                }
                Some('\\') => {
                    self.i += 1;
                    if let Some(c) = self.peek() {
                        self.i += 1;
                        flush(&mut parts, &mut lit, quoted);
                        parts.push(Part::Lit(c.to_string(), true));
                    }
                }
                Some(c) => {
                    self.i += 1;
                    lit.push(c);
                }
            }
        }
        flush(&mut parts, &mut lit, quoted);
        Ok(Word(parts))
    }

    /// The parts of a double-quoted string (opening quote consumed).
    fn double_quoted(&mut self) -> Result<Vec<Part>, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        // An empty "" still makes a (quoted, empty) field.
        parts.push(Part::Lit(String::new(), true));
        loop {
            match self.peek() {
                None => return err("syntax error: unterminated quoted string"),
                Some('"') => {
                    self.i += 1;
                    break;
                }
                Some('\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c) if "$`\"\\".contains(c) => {
                            lit.push(c);
                            self.i += 1;
                        }
                        Some('\n') => self.i += 1,
                        _ => lit.push('\\'),
                    }
                }
                Some('$') => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, true);
                    parts.push(self.dollar(true)?);
                }
                Some('`') => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, true);
                    parts.push(Part::Cmd(self.backquoted()?, true));
                }
                Some(c) => {
                    lit.push(c);
                    self.i += 1;
                }
            }
        }
        flush(&mut parts, &mut lit, true);
        Ok(parts)
    }

    fn backquoted(&mut self) -> Result<String, String> {
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return err("syntax error: unterminated `"),
                Some('`') => {
                    self.i += 1;
                    return Ok(s);
                }
                Some('\\') if self.at(1).is_some_and(|c| "$`\\".contains(c)) => {
                    s.push(self.at(1).unwrap_or('\\'));
                    self.i += 2;
                }
                Some(c) => {
                    s.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn next(&mut self) -> Result<Option<Tok>, String> {
        // Blanks, comments, line continuations.
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => self.i += 1,
                Some('\\') if self.at(1) == Some('\n') => self.i += 2,
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        if c == '\n' {
            self.i += 1;
            return Ok(Some(Tok::Newline));
        }
        if let Some(t) = self.redir(None) {
            return Ok(Some(t));
        }
        for op in OPS {
            let cs: Vec<char> = op.chars().collect();
            if self.s[self.i..].starts_with(&cs) {
                self.i += cs.len();
                return Ok(Some(Tok::Op(op)));
            }
        }
        // A word.
        let mut parts = Vec::new();
        let mut lit = String::new();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' => break,
                '<' | '>' => {
                    // `2>file`: digits just before a redirection are its fd.
                    if parts.is_empty()
                        && !lit.is_empty()
                        && lit.chars().all(|d| d.is_ascii_digit())
                    {
                        let fd = lit.parse().unwrap_or(1);
                        if let Some(t) = self.redir(Some(fd)) {
                            return Ok(Some(t));
                        }
                    }
                    break;
                }
                '\'' => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, false);
                    let mut q = String::new();
                    loop {
                        match self.peek() {
                            None => return err("syntax error: unterminated quoted string"),
                            Some('\'') => {
                                self.i += 1;
                                break;
                            }
                            Some(c) => {
                                q.push(c);
                                self.i += 1;
                            }
                        }
                    }
                    parts.push(Part::Lit(q, true));
                }
                '"' => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, false);
                    parts.extend(self.double_quoted()?);
                }
                '\\' => {
                    self.i += 1;
                    match self.peek() {
                        Some('\n') => self.i += 1,
                        Some(c) => {
                            self.i += 1;
                            flush(&mut parts, &mut lit, false);
                            parts.push(Part::Lit(c.to_string(), true));
                        }
                        None => lit.push('\\'),
                    }
                }
                '$' => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, false);
                    parts.push(self.dollar(false)?);
                }
                '`' => {
                    self.i += 1;
                    flush(&mut parts, &mut lit, false);
                    parts.push(Part::Cmd(self.backquoted()?, false));
                }
                c => {
                    lit.push(c);
                    self.i += 1;
                }
            }
        }
        flush(&mut parts, &mut lit, false);
        Ok(Some(Tok::Word(Word(parts))))
    }

    fn redir(&mut self, fd: Option<u32>) -> Option<Tok> {
        let rest = &self.s[self.i..];
        let starts = |p: &str| rest.starts_with(&p.chars().collect::<Vec<_>>());
        let (op, len, default_fd) = if starts("&>") {
            // bash's `&>file`: both streams (stderr joined after).
            (RedirOp::Out, 2, 9)
        } else if starts(">>") {
            (RedirOp::Append, 2, 1)
        } else if starts(">&") {
            let d = rest.get(2).and_then(|c| c.to_digit(10))?;
            (RedirOp::Dup(d), 3, 1)
        } else if starts(">|") {
            (RedirOp::Out, 2, 1)
        } else if starts(">") {
            (RedirOp::Out, 1, 1)
        } else if starts("<&") {
            let d = rest.get(2).and_then(|c| c.to_digit(10))?;
            (RedirOp::Dup(d), 3, 0)
        } else if starts("<") {
            (RedirOp::In, 1, 0)
        } else {
            return None;
        };
        self.i += len;
        Some(Tok::Redir(fd.unwrap_or(default_fd), op))
    }
}

fn flush(parts: &mut Vec<Part>, lit: &mut String, quoted: bool) {
    if !lit.is_empty() {
        parts.push(Part::Lit(std::mem::take(lit), quoted));
    }
}

/// Parses a whole script.
pub fn parse(src: &str) -> Result<Cmd, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut lx = Lexer { s: &chars, i: 0 };
    let mut toks = Vec::new();
    while let Some(t) = lx.next()? {
        toks.push(t);
    }
    let mut p = Parser { toks, i: 0 };
    let list = p.list()?;
    if p.i < p.toks.len() {
        return err(format!("syntax error: unexpected {}", p.describe()));
    }
    Ok(list)
}

struct Parser {
    toks: Vec<Tok>,
    i: usize,
}

const TERMINATORS: &[&str] = &[
    "then", "else", "elif", "fi", "do", "done", "esac", "}", ";;",
];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "end of file".into(),
            Some(Tok::Newline) => "newline".into(),
            Some(Tok::Op(o)) => format!("\"{o}\""),
            Some(Tok::Word(w)) => format!("\"{}\"", w.plain().unwrap_or("word")),
            Some(Tok::Redir(..)) => "redirection".into(),
        }
    }

    fn is_reserved(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x.plain() == Some(w))
    }

    fn is_op(&self, o: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(x)) if *x == o)
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline)) {
            self.i += 1;
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), String> {
        self.skip_newlines();
        if self.is_reserved(w) {
            self.i += 1;
            Ok(())
        } else {
            err(format!(
                "syntax error: unexpected {} (expecting \"{w}\")",
                self.describe()
            ))
        }
    }

    /// A list, up to (not including) a reserved word that ends it, `)` or `;;`.
    fn list(&mut self) -> Result<Cmd, String> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            match self.peek() {
                None => break,
                Some(Tok::Op(")")) | Some(Tok::Op(";;")) => break,
                Some(Tok::Word(w)) if w.plain().is_some_and(|p| TERMINATORS.contains(&p)) => break,
                _ => {}
            }
            let c = self.and_or()?;
            let mut bg = false;
            match self.peek() {
                Some(Tok::Op(";")) => self.i += 1,
                Some(Tok::Op("&")) => {
                    self.i += 1;
                    bg = true;
                }
                Some(Tok::Newline) | None => {}
                _ => {}
            }
            items.push((c, bg));
        }
        if items.len() == 1 && !items[0].1 {
            return Ok(items.pop().map(|(c, _)| c).unwrap_or(Cmd::List(Vec::new())));
        }
        Ok(Cmd::List(items))
    }

    fn and_or(&mut self) -> Result<Cmd, String> {
        let mut left = self.pipeline()?;
        loop {
            if self.is_op("&&") {
                self.i += 1;
                self.skip_newlines();
                left = Cmd::And(Box::new(left), Box::new(self.pipeline()?));
            } else if self.is_op("||") {
                self.i += 1;
                self.skip_newlines();
                left = Cmd::Or(Box::new(left), Box::new(self.pipeline()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn pipeline(&mut self) -> Result<Cmd, String> {
        let neg = if self.is_reserved("!") {
            self.i += 1;
            true
        } else {
            false
        };
        let mut cmds = vec![self.command()?];
        while self.is_op("|") {
            self.i += 1;
            self.skip_newlines();
            cmds.push(self.command()?);
        }
        if cmds.len() == 1 && !neg {
            return Ok(cmds.remove(0));
        }
        Ok(Cmd::Pipeline(cmds, neg))
    }

    fn redirs(&mut self) -> Result<Vec<Redir>, String> {
        let mut out = Vec::new();
        while let Some(Tok::Redir(fd, op)) = self.peek().cloned() {
            self.i += 1;
            match self.peek().cloned() {
                Some(Tok::Word(w)) if !matches!(op, RedirOp::Dup(_)) => {
                    self.i += 1;
                    out.push(Redir { fd, op, target: w });
                }
                _ if matches!(op, RedirOp::Dup(_)) => out.push(Redir {
                    fd,
                    op,
                    target: Word::default(),
                }),
                _ => return err(format!("syntax error: unexpected {}", self.describe())),
            }
        }
        Ok(out)
    }

    fn command(&mut self) -> Result<Cmd, String> {
        let compound = match self.peek() {
            Some(Tok::Word(w)) => match w.plain() {
                Some("if") => Some(self.if_cmd()?),
                Some("while") => Some(self.while_cmd(false)?),
                Some("until") => Some(self.while_cmd(true)?),
                Some("for") => Some(self.for_cmd()?),
                Some("case") => Some(self.case_cmd()?),
                Some("{") => {
                    self.i += 1;
                    let body = self.list()?;
                    self.expect_word("}")?;
                    Some(Cmd::Group(Box::new(body)))
                }
                _ => None,
            },
            Some(Tok::Op("(")) => {
                self.i += 1;
                let body = self.list()?;
                self.skip_newlines();
                if !self.is_op(")") {
                    return err(format!(
                        "syntax error: unexpected {} (expecting \")\")",
                        self.describe()
                    ));
                }
                self.i += 1;
                Some(Cmd::Subshell(Box::new(body)))
            }
            Some(Tok::Op(o)) => return err(format!("syntax error: unexpected \"{o}\"")),
            None => return err("syntax error: unexpected end of file"),
            _ => None,
        };
        if let Some(c) = compound {
            let r = self.redirs()?;
            return Ok(if r.is_empty() {
                c
            } else {
                Cmd::Redirected(Box::new(c), r)
            });
        }
        // Function definition: name ( ) body
        if let (Some(Tok::Word(w)), Some(Tok::Op("(")), Some(Tok::Op(")"))) = (
            self.toks.get(self.i),
            self.toks.get(self.i + 1),
            self.toks.get(self.i + 2),
        ) {
            if let Some(name) = w.plain().map(str::to_string) {
                self.i += 3;
                self.skip_newlines();
                let body = self.command()?;
                return Ok(Cmd::Func(name, Box::new(body)));
            }
        }
        let mut assigns = Vec::new();
        let mut words = Vec::new();
        let mut redirs = Vec::new();
        loop {
            match self.peek().cloned() {
                Some(Tok::Word(w)) => {
                    if words.is_empty() {
                        if let Some((n, v)) = assignment(&w) {
                            assigns.push((n, v));
                            self.i += 1;
                            continue;
                        }
                    }
                    self.i += 1;
                    words.push(w);
                }
                Some(Tok::Redir(..)) => redirs.extend(self.redirs()?),
                _ => break,
            }
        }
        if assigns.is_empty() && words.is_empty() && redirs.is_empty() {
            return err(format!("syntax error: unexpected {}", self.describe()));
        }
        Ok(Cmd::Simple {
            assigns,
            words,
            redirs,
        })
    }

    fn if_cmd(&mut self) -> Result<Cmd, String> {
        self.i += 1;
        let mut arms = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.list()?;
            self.expect_word("then")?;
            let body = self.list()?;
            arms.push((cond, body));
            self.skip_newlines();
            if self.is_reserved("elif") {
                self.i += 1;
                continue;
            }
            if self.is_reserved("else") {
                self.i += 1;
                otherwise = Some(Box::new(self.list()?));
            }
            self.expect_word("fi")?;
            return Ok(Cmd::If(arms, otherwise));
        }
    }

    fn while_cmd(&mut self, until: bool) -> Result<Cmd, String> {
        self.i += 1;
        let cond = self.list()?;
        self.expect_word("do")?;
        let body = self.list()?;
        self.expect_word("done")?;
        Ok(Cmd::While(Box::new(cond), Box::new(body), until))
    }

    fn for_cmd(&mut self) -> Result<Cmd, String> {
        self.i += 1;
        let var = match self.peek() {
            Some(Tok::Word(w)) if w.plain().is_some() => w.plain().unwrap_or_default().to_string(),
            _ => return err("syntax error: bad for loop variable"),
        };
        self.i += 1;
        self.skip_newlines();
        let items = if self.is_reserved("in") {
            self.i += 1;
            let mut items = Vec::new();
            while let Some(Tok::Word(w)) = self.peek().cloned() {
                self.i += 1;
                items.push(w);
            }
            Some(items)
        } else {
            None
        };
        if self.is_op(";") {
            self.i += 1;
        }
        self.expect_word("do")?;
        let body = self.list()?;
        self.expect_word("done")?;
        Ok(Cmd::For(var, items, Box::new(body)))
    }

    fn case_cmd(&mut self) -> Result<Cmd, String> {
        self.i += 1;
        let subject = match self.peek().cloned() {
            Some(Tok::Word(w)) => w,
            _ => return err("syntax error: expected a word after case"),
        };
        self.i += 1;
        self.expect_word("in")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines();
            if self.is_reserved("esac") {
                self.i += 1;
                return Ok(Cmd::Case(subject, arms));
            }
            if self.is_op("(") {
                self.i += 1;
            }
            let mut pats = Vec::new();
            loop {
                match self.peek().cloned() {
                    Some(Tok::Word(w)) => {
                        self.i += 1;
                        pats.push(w);
                    }
                    _ => return err(format!("syntax error: unexpected {}", self.describe())),
                }
                if self.is_op("|") {
                    self.i += 1;
                    continue;
                }
                break;
            }
            if !self.is_op(")") {
                return err(format!(
                    "syntax error: unexpected {} (expecting \")\")",
                    self.describe()
                ));
            }
            self.i += 1;
            let body = self.list()?;
            arms.push((pats, body));
            self.skip_newlines();
            if self.is_op(";;") {
                self.i += 1;
            }
        }
    }
}

/// `NAME=value` as the first words of a simple command.
fn assignment(w: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(first, false)) = w.0.first() else {
        return None;
    };
    let eq = first.find('=')?;
    let name = &first[..eq];
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let mut parts = Vec::new();
    let rest = &first[eq + 1..];
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_string(), false));
    }
    parts.extend(w.0[1..].iter().cloned());
    Some((name.to_string(), Word(parts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_tick_loop() {
        let c = parse("i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done").unwrap();
        let Cmd::List(items) = c else { panic!("{c:?}") };
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1].0, Cmd::While(..)));
    }

    #[test]
    fn reports_syntax_errors() {
        assert!(parse("if true; then echo").is_err());
        assert!(parse("echo 'open").is_err());
        assert!(parse("echo $(date").is_err());
        assert!(parse("done").is_err());
    }
}
