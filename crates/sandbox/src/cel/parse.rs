//! CEL's lexer and parser: text → [`Expr`], with each node's offset for error messages.
//! Macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`) are expanded to their own
//! nodes here, as cel-go's parser does. Nesting is bounded (cel-go's recursion limit).

use std::rc::Rc;

/// Deepest nesting the parser accepts (cel-go's default `MaxRecursionDepth`).
pub const MAX_DEPTH: usize = 250;
/// Extra depth a parenthesis, list or map nesting counts for.
const PAREN_WEIGHT: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Macro {
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Lit(Lit),
    Ident(String),
    /// `operand.field`
    Select(Box<Expr>, String),
    /// `has(operand.field)`
    Has(Box<Expr>, String),
    /// A function or operator (`_+_`, `_[_]`, `!_`, ...) or a method (`target.f(args)`).
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Comprehension(Box<Comprehension>),
}

/// `range.all(var, body)` and the other comprehension macros; `map` may have a filter.
#[derive(Debug, Clone)]
pub struct Comprehension {
    pub kind: Macro,
    pub range: Expr,
    pub var: String,
    pub filter: Option<Expr>,
    pub body: Expr,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: Kind,
    /// Byte offset in the source, where cel-go reports this node.
    pub pos: usize,
}

/// A compile error: message and offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub pos: usize,
    pub msg: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(String),
    Bytes(Vec<u8>),
    Ident(String),
    Op(&'static str),
    Eof,
}

const OPS: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",",
    "(", ")", "[", "]", "{", "}",
];

fn describe(t: &Tok, src: &str, pos: usize, end: usize) -> String {
    match t {
        Tok::Eof => "<EOF>".into(),
        _ => src[pos..end].to_string(),
    }
}

struct Lexer<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize, usize)>,
}

fn lex(src: &str) -> Result<Vec<(Tok, usize, usize)>, Issue> {
    let mut l = Lexer {
        src,
        toks: Vec::new(),
    };
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i = l.number(i)?;
            continue;
        }
        let (raw, bytes, q) = match c {
            b'r' | b'R' if matches!(b.get(i + 1), Some(b'"' | b'\'')) => (true, false, i + 1),
            b'b' | b'B' if matches!(b.get(i + 1), Some(b'"' | b'\'')) => (false, true, i + 1),
            b'"' | b'\'' => (false, false, i),
            _ => (false, false, usize::MAX),
        };
        if q != usize::MAX {
            let (s, end) = l.string(q, raw, start)?;
            let tok = if bytes {
                Tok::Bytes(s.into_bytes())
            } else {
                Tok::Str(s)
            };
            l.toks.push((tok, start, end));
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            l.toks
                .push((Tok::Ident(src[start..i].to_string()), start, i));
            continue;
        }
        match OPS.iter().find(|op| src[i..].starts_with(**op)) {
            Some(op) => {
                i += op.len();
                l.toks.push((Tok::Op(op), start, i));
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                return Err(Issue {
                    pos: i,
                    msg: format!("Syntax error: token recognition error at: '{ch}'"),
                });
            }
        }
    }
    l.toks.push((Tok::Eof, b.len(), b.len()));
    Ok(l.toks)
}

impl Lexer<'_> {
    fn number(&mut self, start: usize) -> Result<usize, Issue> {
        let b = self.src.as_bytes();
        let mut i = start;
        let bad = |pos| Issue {
            pos,
            msg: "invalid int literal".into(),
        };
        if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
            i += 2;
            let ds = i;
            while i < b.len() && b[i].is_ascii_hexdigit() {
                i += 1;
            }
            let digits = &self.src[ds..i];
            if matches!(b.get(i), Some(b'u' | b'U')) {
                let v = u64::from_str_radix(digits, 16).map_err(|_| bad(start))?;
                self.toks.push((Tok::Uint(v), start, i + 1));
                return Ok(i + 1);
            }
            let v = i64::from_str_radix(digits, 16).map_err(|_| bad(start))?;
            self.toks.push((Tok::Int(v), start, i));
            return Ok(i);
        }
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let mut float = false;
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            float = true;
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if b.get(j).is_some_and(u8::is_ascii_digit) {
                float = true;
                i = j;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        let text = &self.src[start..i];
        if float {
            let v: f64 = text.parse().map_err(|_| bad(start))?;
            self.toks.push((Tok::Double(v), start, i));
        } else if matches!(b.get(i), Some(b'u' | b'U')) {
            let v: u64 = text.parse().map_err(|_| bad(start))?;
            self.toks.push((Tok::Uint(v), start, i + 1));
            i += 1;
        } else {
            let v: i64 = text.parse().map_err(|_| bad(start))?;
            self.toks.push((Tok::Int(v), start, i));
        }
        Ok(i)
    }

    /// A quoted string starting at `q` (the quote); returns its value and the end offset.
    fn string(&self, q: usize, raw: bool, start: usize) -> Result<(String, usize), Issue> {
        let src = self.src;
        let quote = &src[q..q + 1];
        let triple = src[q..].starts_with(&quote.repeat(3));
        let delim = if triple {
            quote.repeat(3)
        } else {
            quote.to_string()
        };
        let mut i = q + delim.len();
        let mut out = String::new();
        let unterminated = Issue {
            pos: start,
            msg: format!(
                "Syntax error: token recognition error at: '{}'",
                &src[start..]
            ),
        };
        loop {
            if i >= src.len() {
                return Err(unterminated);
            }
            if src[i..].starts_with(&delim) {
                return Ok((out, i + delim.len()));
            }
            let ch = src[i..].chars().next().unwrap_or('\0');
            if ch == '\n' && !triple {
                return Err(unterminated);
            }
            if ch == '\\' && !raw {
                let next = src[i + 1..].chars().next().ok_or(unterminated.clone())?;
                i += 1 + next.len_utf8();
                match next {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'v' => out.push('\x0b'),
                    '\\' | '\'' | '"' | '`' | '?' => out.push(next),
                    'x' | 'u' | 'U' => {
                        let n = match next {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex = src.get(i..i + n).ok_or(unterminated.clone())?;
                        let v = u32::from_str_radix(hex, 16).map_err(|_| unterminated.clone())?;
                        out.push(char::from_u32(v).ok_or(unterminated.clone())?);
                        i += n;
                    }
                    '0'..='3' => {
                        let oct = src.get(i - 1..i + 2).ok_or(unterminated.clone())?;
                        let v = u32::from_str_radix(oct, 8).map_err(|_| unterminated.clone())?;
                        out.push(char::from_u32(v).ok_or(unterminated.clone())?);
                        i += 2;
                    }
                    _ => return Err(unterminated),
                }
                continue;
            }
            out.push(ch);
            i += ch.len_utf8();
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize, usize)>,
    at: usize,
    depth: usize,
}

const EXPECTING: &str = "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";

/// Parses a CEL expression.
pub fn parse(src: &str) -> Result<Expr, Issue> {
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        at: 0,
        depth: 0,
    };
    let e = p.expr()?;
    match p.peek() {
        Tok::Eof => Ok(e),
        _ => Err(p.unexpected("extraneous input", None)),
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.at].0
    }
    fn pos(&self) -> usize {
        self.toks[self.at].1
    }
    fn bump(&mut self) -> (Tok, usize) {
        let (t, p, _) = self.toks[self.at].clone();
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
        (t, p)
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn unexpected(&self, what: &str, expecting: Option<&str>) -> Issue {
        let (t, p, e) = &self.toks[self.at];
        let shown = describe(t, self.src, *p, *e);
        Issue {
            pos: *p,
            msg: match expecting {
                Some(x) => format!("Syntax error: {what} '{shown}' expecting {x}"),
                None => format!("Syntax error: {what} '{shown}' expecting <EOF>"),
            },
        }
    }
    fn expect(&mut self, op: &'static str) -> Result<usize, Issue> {
        if self.is_op(op) {
            Ok(self.bump().1)
        } else {
            Err(self.unexpected("mismatched input", Some(&format!("'{op}'"))))
        }
    }
    fn deeper(&mut self) -> Result<(), Issue> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Issue {
                pos: self.pos(),
                msg: format!("expression recursion limit exceeded: {MAX_DEPTH}"),
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, Issue> {
        self.deeper()?;
        let cond = self.or()?;
        let out = if self.is_op("?") {
            let (_, pos) = self.bump();
            let a = self.or()?;
            self.expect(":")?;
            let b = self.expr()?;
            call(pos, "_?_:_", vec![cond, a, b])
        } else {
            cond
        };
        self.depth -= 1;
        Ok(out)
    }

    fn binary(
        &mut self,
        ops: &[(&str, &str)],
        next: fn(&mut Self) -> Result<Expr, Issue>,
    ) -> Result<Expr, Issue> {
        let mut left = next(self)?;
        loop {
            let found = match self.peek() {
                Tok::Op(o) => ops.iter().find(|(t, _)| t == o),
                Tok::Ident(i) if i == "in" => ops.iter().find(|(t, _)| *t == "in"),
                _ => None,
            };
            let Some((_, name)) = found else {
                return Ok(left);
            };
            let (_, pos) = self.bump();
            self.deeper()?;
            let right = next(self)?;
            self.depth -= 1;
            left = call(pos, name, vec![left, right]);
        }
    }
    fn or(&mut self) -> Result<Expr, Issue> {
        self.binary(&[("||", "_||_")], Self::and)
    }
    fn and(&mut self) -> Result<Expr, Issue> {
        self.binary(&[("&&", "_&&_")], Self::relation)
    }
    fn relation(&mut self) -> Result<Expr, Issue> {
        self.binary(
            &[
                ("==", "_==_"),
                ("!=", "_!=_"),
                ("<", "_<_"),
                ("<=", "_<=_"),
                (">", "_>_"),
                (">=", "_>=_"),
                ("in", "@in"),
            ],
            Self::addition,
        )
    }
    fn addition(&mut self) -> Result<Expr, Issue> {
        self.binary(&[("+", "_+_"), ("-", "_-_")], Self::multiplication)
    }
    fn multiplication(&mut self) -> Result<Expr, Issue> {
        self.binary(&[("*", "_*_"), ("/", "_/_"), ("%", "_%_")], Self::unary)
    }
    fn unary(&mut self) -> Result<Expr, Issue> {
        if self.is_op("!") || self.is_op("-") {
            let (t, pos) = self.bump();
            self.deeper()?;
            // A negative number literal is one literal (so that -9223372036854775808 parses).
            if t == Tok::Op("-") {
                if let Tok::Int(_) | Tok::Double(_) = self.peek() {
                    let (lit, _) = self.bump();
                    let e = match lit {
                        Tok::Int(v) => Expr {
                            kind: Kind::Lit(Lit::Int(-v)),
                            pos,
                        },
                        Tok::Double(v) => Expr {
                            kind: Kind::Lit(Lit::Double(-v)),
                            pos,
                        },
                        _ => unreachable!(),
                    };
                    self.depth -= 1;
                    return self.member_tail(e);
                }
            }
            let operand = self.unary()?;
            self.depth -= 1;
            let name = if t == Tok::Op("!") { "!_" } else { "-_" };
            return Ok(call(pos, name, vec![operand]));
        }
        let p = self.primary()?;
        self.member_tail(p)
    }

    fn member_tail(&mut self, e: Expr) -> Result<Expr, Issue> {
        let depth = self.depth;
        let r = self.member_chain(e);
        self.depth = depth;
        r
    }

    fn member_chain(&mut self, mut e: Expr) -> Result<Expr, Issue> {
        loop {
            if self.is_op(".") {
                let (_, dpos) = self.bump();
                let name_at = self.at;
                let (t, _) = self.bump();
                let Tok::Ident(name) = t else {
                    self.at = name_at;
                    return Err(self.unexpected("no viable alternative at input", None));
                };
                if self.is_op("(") {
                    let (_, ppos) = self.bump();
                    let args = self.args(")")?;
                    e = self.method(e, name, args, ppos)?;
                } else {
                    e = Expr {
                        kind: Kind::Select(Box::new(e), name),
                        pos: dpos,
                    };
                }
            } else if self.is_op("[") {
                let (_, pos) = self.bump();
                self.deeper()?;
                let idx = self.expr()?;
                self.depth -= 1;
                self.expect("]")?;
                e = call(pos, "_[_]", vec![e, idx]);
            } else {
                return Ok(e);
            }
            self.deeper()?;
        }
    }

    fn method(
        &mut self,
        target: Expr,
        name: String,
        args: Vec<Expr>,
        pos: usize,
    ) -> Result<Expr, Issue> {
        let kind = match name.as_str() {
            "all" => Some(Macro::All),
            "exists" => Some(Macro::Exists),
            "exists_one" => Some(Macro::ExistsOne),
            "map" => Some(Macro::Map),
            "filter" => Some(Macro::Filter),
            _ => None,
        };
        let arity_ok = match kind {
            Some(Macro::Map) => args.len() == 2 || args.len() == 3,
            Some(_) => args.len() == 2,
            None => false,
        };
        if let (Some(kind), true) = (kind, arity_ok) {
            let mut args = args.into_iter();
            let v = args.next().unwrap_or_else(|| call(pos, "", vec![]));
            let Kind::Ident(var) = v.kind else {
                return Err(Issue {
                    pos: v.pos,
                    msg: "argument must be a simple name".into(),
                });
            };
            let rest: Vec<Expr> = args.collect();
            let (filter, body) = if rest.len() == 2 {
                let mut r = rest.into_iter();
                (r.next(), r.next())
            } else {
                (None, rest.into_iter().next())
            };
            let body = body.unwrap_or_else(|| call(pos, "", vec![]));
            return Ok(Expr {
                kind: Kind::Comprehension(Box::new(Comprehension {
                    kind,
                    range: target,
                    var,
                    filter,
                    body,
                })),
                pos,
            });
        }
        // Namespaced functions (`optional.of(x)`, `math.greatest(...)`) parse as a select.
        if let Kind::Ident(ns) = &target.kind {
            if matches!(
                ns.as_str(),
                "optional" | "math" | "sets" | "lists" | "base64" | "strings"
            ) {
                return Ok(Expr {
                    kind: Kind::Call(None, format!("{ns}.{name}"), args),
                    pos,
                });
            }
        }
        Ok(Expr {
            kind: Kind::Call(Some(Box::new(target)), name, args),
            pos,
        })
    }

    fn args(&mut self, close: &'static str) -> Result<Vec<Expr>, Issue> {
        self.depth += PAREN_WEIGHT;
        let r = self.args_inner(close);
        self.depth -= PAREN_WEIGHT;
        r
    }

    fn args_inner(&mut self, close: &'static str) -> Result<Vec<Expr>, Issue> {
        let mut out = Vec::new();
        if self.is_op(close) {
            self.bump();
            return Ok(out);
        }
        loop {
            out.push(self.expr()?);
            if self.is_op(",") {
                self.bump();
                if self.is_op(close) {
                    self.bump();
                    return Ok(out);
                }
                continue;
            }
            self.expect(close)?;
            return Ok(out);
        }
    }

    fn primary(&mut self) -> Result<Expr, Issue> {
        let start = self.at;
        let (t, pos) = self.bump();
        let lit = |l| {
            Ok(Expr {
                kind: Kind::Lit(l),
                pos,
            })
        };
        match t {
            Tok::Int(v) => lit(Lit::Int(v)),
            Tok::Uint(v) => lit(Lit::Uint(v)),
            Tok::Double(v) => lit(Lit::Double(v)),
            Tok::Str(s) => lit(Lit::Str(s.into())),
            Tok::Bytes(b) => lit(Lit::Bytes(b.into())),
            Tok::Ident(id) => match id.as_str() {
                "true" => lit(Lit::Bool(true)),
                "false" => lit(Lit::Bool(false)),
                "null" => lit(Lit::Null),
                "in" => {
                    self.at = start;
                    Err(self.unexpected("mismatched input", Some(EXPECTING)))
                }
                _ => {
                    if self.is_op("(") {
                        let (_, ppos) = self.bump();
                        let args = self.args(")")?;
                        if id == "has" {
                            return has_macro(args, ppos);
                        }
                        return Ok(Expr {
                            kind: Kind::Call(None, id, args),
                            pos: ppos,
                        });
                    }
                    Ok(Expr {
                        kind: Kind::Ident(id),
                        pos,
                    })
                }
            },
            Tok::Op("(") => {
                // A parenthesised expression goes down the whole precedence chain again:
                // it counts for more, so that the deepest nesting fits a worker's stack.
                self.depth += PAREN_WEIGHT;
                let e = self.expr()?;
                self.depth -= PAREN_WEIGHT;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Op("[") => {
                let items = self.args("]")?;
                Ok(Expr {
                    kind: Kind::List(items),
                    pos,
                })
            }
            Tok::Op("{") => {
                let mut entries = Vec::new();
                if self.is_op("}") {
                    self.bump();
                } else {
                    loop {
                        let k = self.expr()?;
                        self.expect(":")?;
                        let v = self.expr()?;
                        entries.push((k, v));
                        if self.is_op(",") {
                            self.bump();
                            if self.is_op("}") {
                                self.bump();
                                break;
                            }
                            continue;
                        }
                        self.expect("}")?;
                        break;
                    }
                }
                Ok(Expr {
                    kind: Kind::Map(entries),
                    pos,
                })
            }
            Tok::Op(".") => {
                // A leading dot names the root scope: `.self` is `self`.
                let after_dot = self.at;
                let (t, p) = self.bump();
                match t {
                    Tok::Ident(id) => Ok(Expr {
                        kind: Kind::Ident(id),
                        pos: p,
                    }),
                    _ => {
                        self.at = after_dot;
                        Err(self.unexpected("mismatched input", Some("IDENTIFIER")))
                    }
                }
            }
            _ => {
                self.at = start;
                Err(self.unexpected("mismatched input", Some(EXPECTING)))
            }
        }
    }
}

fn has_macro(args: Vec<Expr>, ppos: usize) -> Result<Expr, Issue> {
    let bad = |pos| Issue {
        pos,
        msg: "invalid argument to has() macro".into(),
    };
    let mut args = args.into_iter();
    match (args.next(), args.next()) {
        (
            Some(Expr {
                kind: Kind::Select(operand, field),
                ..
            }),
            None,
        ) => Ok(Expr {
            kind: Kind::Has(operand, field),
            pos: ppos,
        }),
        (Some(e), None) => Err(bad(e.pos)),
        _ => Err(bad(ppos)),
    }
}

fn call(pos: usize, name: &str, args: Vec<Expr>) -> Expr {
    Expr {
        kind: Kind::Call(None, name.to_string(), args),
        pos,
    }
}

/// cel-go's rendering of an issue: `ERROR: <input>:line:col: msg`, then the source line and a
/// caret under the column (dots before it).
pub fn render(src: &str, issue: &Issue) -> String {
    let pos = issue.pos.min(src.len());
    let before = &src[..pos];
    let line_no = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = src[line_start..pos].chars().count();
    let line = src[line_start..].split('\n').next().unwrap_or_default();
    format!(
        "ERROR: <input>:{line_no}:{}: {}\n | {line}\n | {}^",
        col + 1,
        issue.msg,
        ".".repeat(col)
    )
}
