//! CEL evaluation: values, operators, the standard functions and the Kubernetes extensions
//! CRD rules use, with a cost counter that stops an evaluation past the per-call limit, as
//! kube-apiserver does (`PerCallLimit`).

use std::cmp::Ordering;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use kcore::duration::parse_go_duration_nanos;
use serde_json::Value;

use super::parse::{Comprehension, Expr, Kind, Lit, Macro};

/// kube-apiserver's per-call cost limit of one rule evaluation.
pub const PER_CALL_LIMIT: u64 = 1_000_000;

#[derive(Debug, Clone)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    List(Rc<Vec<Val>>),
    /// Maps and objects (string keys for objects), in insertion order.
    Map(Rc<Vec<(Val, Val)>>),
    /// Nanoseconds.
    Duration(i64),
    Timestamp(DateTime<Utc>),
    Optional(Option<Rc<Val>>),
    Type(&'static str),
}

/// Why an evaluation stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Fail {
    /// A CEL runtime error (`no such key: x`, `division by zero`, ...).
    Error(String),
    /// A function the sandbox does not implement (a Kubernetes library it lacks): the rule
    /// is not evaluated, never failed.
    Unsupported(String),
}

type R = Result<Val, Fail>;

fn err<T>(s: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Error(s.into()))
}

impl Val {
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null_type",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Uint(_) => "uint",
            Val::Double(_) => "double",
            Val::Str(_) => "string",
            Val::Bytes(_) => "bytes",
            Val::List(_) => "list",
            Val::Map(_) => "map",
            Val::Duration(_) => "google.protobuf.Duration",
            Val::Timestamp(_) => "google.protobuf.Timestamp",
            Val::Optional(_) => "optional_type",
            Val::Type(_) => "type",
        }
    }
    fn str(s: &str) -> Val {
        Val::Str(Rc::from(s))
    }
}

/// A JSON value as CEL sees it under a schema: integers and numbers by the schema's type,
/// `date-time` strings as timestamps and `duration` strings as durations.
pub fn from_json(v: &Value, schema: &Value) -> Val {
    match v {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => {
            if schema["type"] == "number" {
                Val::Double(n.as_f64().unwrap_or_default())
            } else if let Some(i) = n.as_i64() {
                Val::Int(i)
            } else if let Some(u) = n.as_u64() {
                Val::Uint(u)
            } else {
                Val::Double(n.as_f64().unwrap_or_default())
            }
        }
        Value::String(s) => match schema["format"].as_str() {
            Some("date-time") => DateTime::parse_from_rfc3339(s)
                .map(|t| Val::Timestamp(t.with_timezone(&Utc)))
                .unwrap_or_else(|_| Val::str(s)),
            Some("duration") => {
                parse_go_duration_nanos(s).map_or_else(|| Val::str(s), Val::Duration)
            }
            _ => Val::str(s),
        },
        Value::Array(a) => Val::List(Rc::new(
            a.iter().map(|x| from_json(x, &schema["items"])).collect(),
        )),
        Value::Object(m) => Val::Map(Rc::new(
            m.iter()
                .map(|(k, x)| {
                    let s = if schema["properties"][k].is_object() {
                        &schema["properties"][k]
                    } else {
                        &schema["additionalProperties"]
                    };
                    (Val::str(k), from_json(x, s))
                })
                .collect(),
        )),
    }
}

fn format_duration(ns: i64) -> String {
    // CEL's string(duration) is the seconds with an `s` suffix.
    let secs = ns as f64 / 1e9;
    if ns % 1_000_000_000 == 0 {
        format!("{}s", ns / 1_000_000_000)
    } else {
        format!("{secs}s")
    }
}

pub fn equals(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Bytes(x), Val::Bytes(y)) => x == y,
        (Val::Duration(x), Val::Duration(y)) => x == y,
        (Val::Timestamp(x), Val::Timestamp(y)) => x == y,
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| equals(a, b))
        }
        (Val::Map(x), Val::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| lookup(y, k).is_some_and(|w| equals(v, w)))
        }
        (Val::Optional(x), Val::Optional(y)) => match (x, y) {
            (None, None) => true,
            (Some(a), Some(b)) => equals(a, b),
            _ => false,
        },
        (Val::Type(x), Val::Type(y)) => x == y,
        _ => numeric_cmp(a, b) == Some(Ordering::Equal),
    }
}

fn numeric_cmp(a: &Val, b: &Val) -> Option<Ordering> {
    use Val::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Uint(x), Uint(y)) => Some(x.cmp(y)),
        (Double(x), Double(y)) => x.partial_cmp(y),
        (Int(x), Uint(y)) => Some(if *x < 0 {
            Ordering::Less
        } else {
            (*x as u64).cmp(y)
        }),
        (Uint(x), Int(y)) => Some(if *y < 0 {
            Ordering::Greater
        } else {
            x.cmp(&(*y as u64))
        }),
        (Int(x), Double(y)) => (*x as f64).partial_cmp(y),
        (Double(x), Int(y)) => x.partial_cmp(&(*y as f64)),
        (Uint(x), Double(y)) => (*x as f64).partial_cmp(y),
        (Double(x), Uint(y)) => x.partial_cmp(&(*y as f64)),
        _ => None,
    }
}

fn compare(op: &str, a: &Val, b: &Val) -> Result<Ordering, Fail> {
    let o = match (a, b) {
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Bytes(x), Val::Bytes(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Duration(x), Val::Duration(y)) => Some(x.cmp(y)),
        (Val::Timestamp(x), Val::Timestamp(y)) => Some(x.cmp(y)),
        _ => numeric_cmp(a, b),
    };
    o.ok_or_else(|| no_overload(op, &[a, b]))
}

/// cel-go's error for an operator or function applied to values it has no overload for.
pub const NO_OVERLOAD: &str = "no such overload";

fn no_overload(_op: &str, _args: &[&Val]) -> Fail {
    Fail::Error(NO_OVERLOAD.into())
}

fn lookup<'a>(m: &'a [(Val, Val)], k: &Val) -> Option<&'a Val> {
    m.iter().find(|(key, _)| equals(key, k)).map(|(_, v)| v)
}

fn key_text(k: &Val) -> String {
    match k {
        Val::Str(s) => s.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Uint(u) => u.to_string(),
        Val::Bool(b) => b.to_string(),
        other => other.type_name().to_string(),
    }
}

/// An evaluation: variables in scope and the cost spent so far.
pub struct Eval {
    pub vars: Vec<(Rc<str>, Val)>,
    pub cost: u64,
    pub limit: u64,
}

impl Eval {
    fn charge(&mut self, n: u64) -> Result<(), Fail> {
        self.cost = self.cost.saturating_add(n);
        if self.cost > self.limit {
            return err("operation cancelled: actual cost limit exceeded");
        }
        Ok(())
    }

    pub fn eval(&mut self, e: &Expr) -> R {
        self.charge(1)?;
        match &e.kind {
            Kind::Lit(l) => Ok(match l {
                Lit::Null => Val::Null,
                Lit::Bool(b) => Val::Bool(*b),
                Lit::Int(i) => Val::Int(*i),
                Lit::Uint(u) => Val::Uint(*u),
                Lit::Double(d) => Val::Double(*d),
                Lit::Str(s) => Val::Str(s.clone()),
                Lit::Bytes(b) => Val::Bytes(b.clone()),
            }),
            Kind::Ident(name) => match self.vars.iter().rev().find(|(n, _)| **n == **name) {
                Some((_, v)) => Ok(v.clone()),
                None => match name.as_str() {
                    "int" | "uint" | "double" | "string" | "bool" | "bytes" | "list" | "map" => {
                        Ok(Val::Type(type_ident(name)))
                    }
                    "null_type" => Ok(Val::Type("null_type")),
                    _ => err(format!("no such attribute: {name}")),
                },
            },
            Kind::Select(operand, field) => {
                let v = self.eval(operand)?;
                select(&v, field)
            }
            Kind::Has(operand, field) => {
                let v = self.eval(operand)?;
                match v {
                    Val::Map(m) => Ok(Val::Bool(lookup(&m, &Val::str(field)).is_some())),
                    Val::Null => Ok(Val::Bool(false)),
                    other => Err(no_overload("has", &[&other])),
                }
            }
            Kind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i)?);
                }
                Ok(Val::List(Rc::new(out)))
            }
            Kind::Map(entries) => {
                let mut out: Vec<(Val, Val)> = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    if lookup(&out, &k).is_some() {
                        return err(format!("Failed with repeated key: {}", key_text(&k)));
                    }
                    out.push((k, v));
                }
                Ok(Val::Map(Rc::new(out)))
            }
            Kind::Comprehension(c) => self.comprehension(c),
            Kind::Call(target, name, args) => self.call(target.as_deref(), name, args),
        }
    }

    fn comprehension(&mut self, c: &Comprehension) -> R {
        let kind = c.kind;
        let items: Vec<Val> = match self.eval(&c.range)? {
            Val::List(l) => l.as_ref().clone(),
            Val::Map(m) => m.iter().map(|(k, _)| k.clone()).collect(),
            other => return Err(no_overload(macro_name(kind), &[&other])),
        };
        let var: Rc<str> = Rc::from(c.var.as_str());
        let mut count = 0usize;
        let mut out = Vec::new();
        let mut error: Option<Fail> = None;
        for item in items {
            self.charge(1)?;
            self.vars.push((var.clone(), item.clone()));
            let r = (|| -> Result<Option<bool>, Fail> {
                if let Some(f) = &c.filter {
                    match self.eval(f)? {
                        Val::Bool(true) => {}
                        Val::Bool(false) => return Ok(None),
                        other => return Err(no_overload("filter", &[&other])),
                    }
                }
                match kind {
                    Macro::Map => {
                        out.push(self.eval(&c.body)?);
                        Ok(None)
                    }
                    _ => match self.eval(&c.body)? {
                        Val::Bool(b) => Ok(Some(b)),
                        other => Err(no_overload(macro_name(kind), &[&other])),
                    },
                }
            })();
            self.vars.pop();
            match r {
                Ok(Some(b)) => match kind {
                    Macro::All if !b => return Ok(Val::Bool(false)),
                    Macro::Exists if b => return Ok(Val::Bool(true)),
                    Macro::ExistsOne if b => count += 1,
                    Macro::Filter if b => out.push(item),
                    _ => {}
                },
                Ok(None) => {}
                Err(Fail::Unsupported(u)) => return Err(Fail::Unsupported(u)),
                Err(e) => {
                    if e == Fail::Error("operation cancelled: actual cost limit exceeded".into()) {
                        return Err(e);
                    }
                    // all/exists: an error is kept unless another element decides the result.
                    match kind {
                        Macro::All | Macro::Exists => {
                            error.get_or_insert(e);
                        }
                        _ => return Err(e),
                    }
                }
            }
        }
        if let Some(e) = error {
            return Err(e);
        }
        Ok(match kind {
            Macro::All => Val::Bool(true),
            Macro::Exists => Val::Bool(false),
            Macro::ExistsOne => Val::Bool(count == 1),
            Macro::Map | Macro::Filter => Val::List(Rc::new(out)),
        })
    }

    fn call(&mut self, target: Option<&Expr>, name: &str, args: &[Expr]) -> R {
        // Short-circuit operators first: CEL's && and || absorb errors when the other side
        // decides the result.
        match name {
            "_&&_" | "_||_" => {
                let decide = name == "_||_";
                let a = self.eval(&args[0]);
                if let Ok(Val::Bool(b)) = a {
                    if b == decide {
                        return Ok(Val::Bool(b));
                    }
                }
                let b = self.eval(&args[1]);
                return match (a, b) {
                    (_, Ok(Val::Bool(x))) if x == decide => Ok(Val::Bool(x)),
                    (Ok(Val::Bool(_)), Ok(Val::Bool(y))) => Ok(Val::Bool(y)),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                    (Ok(x), Ok(y)) => Err(no_overload(name, &[&x, &y])),
                };
            }
            "_?_:_" => {
                return match self.eval(&args[0])? {
                    Val::Bool(true) => self.eval(&args[1]),
                    Val::Bool(false) => self.eval(&args[2]),
                    other => Err(no_overload(name, &[&other])),
                };
            }
            _ => {}
        }
        let recv = match target {
            Some(t) => Some(self.eval(t)?),
            None => None,
        };
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        match recv {
            Some(r) => self.method(r, name, vals),
            None => self.function(name, vals),
        }
    }

    fn function(&mut self, name: &str, a: Vec<Val>) -> R {
        use Val::*;
        let arity = |n: usize| -> Result<(), Fail> {
            if a.len() == n {
                Ok(())
            } else {
                Err(Fail::Error(NO_OVERLOAD.into()))
            }
        };
        match name {
            "!_" => match a.as_slice() {
                [Bool(b)] => Ok(Bool(!b)),
                _ => Err(no_overload(name, &[])),
            },
            "-_" => match a.as_slice() {
                [Int(i)] => i
                    .checked_neg()
                    .map(Int)
                    .ok_or(Fail::Error("integer overflow".into())),
                [Double(d)] => Ok(Double(-d)),
                [Duration(d)] => Ok(Duration(-d)),
                _ => Err(no_overload(name, &[])),
            },
            "_==_" => Ok(Bool(equals(&a[0], &a[1]))),
            "_!=_" => Ok(Bool(!equals(&a[0], &a[1]))),
            "_<_" => Ok(Bool(compare(name, &a[0], &a[1])? == Ordering::Less)),
            "_<=_" => Ok(Bool(compare(name, &a[0], &a[1])? != Ordering::Greater)),
            "_>_" => Ok(Bool(compare(name, &a[0], &a[1])? == Ordering::Greater)),
            "_>=_" => Ok(Bool(compare(name, &a[0], &a[1])? != Ordering::Less)),
            "_+_" | "_-_" | "_*_" | "_/_" | "_%_" => self.arith(name, &a[0], &a[1]),
            "_[_]" => index(&a[0], &a[1]),
            "@in" => match &a[1] {
                List(l) => {
                    self.charge(l.len() as u64)?;
                    Ok(Bool(l.iter().any(|x| equals(x, &a[0]))))
                }
                Map(m) => Ok(Bool(lookup(m, &a[0]).is_some())),
                other => Err(no_overload(name, &[other])),
            },
            "size" => {
                arity(1)?;
                size(&a[0])
            }
            "int" | "uint" | "double" | "string" | "bool" | "bytes" | "duration" | "timestamp"
            | "dyn" | "type" => {
                arity(1)?;
                convert(name, &a[0])
            }
            "matches" => {
                arity(2)?;
                self.matches(&a[0], &a[1])
            }
            "optional.of" => Ok(Optional(Some(Rc::new(a[0].clone())))),
            "optional.none" => Ok(Optional(None)),
            _ => Err(Fail::Unsupported(name.to_string())),
        }
    }

    fn arith(&mut self, op: &str, x: &Val, y: &Val) -> R {
        use Val::*;
        let overflow = || Fail::Error("integer overflow".into());
        match (op, x, y) {
            ("_+_", Int(a), Int(b)) => a.checked_add(*b).map(Int).ok_or_else(overflow),
            ("_-_", Int(a), Int(b)) => a.checked_sub(*b).map(Int).ok_or_else(overflow),
            ("_*_", Int(a), Int(b)) => a.checked_mul(*b).map(Int).ok_or_else(overflow),
            ("_/_", Int(_), Int(0)) | ("_%_", Int(_), Int(0)) => err("division by zero"),
            ("_/_", Int(a), Int(b)) => a.checked_div(*b).map(Int).ok_or_else(overflow),
            ("_%_", Int(a), Int(b)) => a.checked_rem(*b).map(Int).ok_or_else(overflow),
            ("_+_", Uint(a), Uint(b)) => a.checked_add(*b).map(Uint).ok_or_else(overflow),
            ("_-_", Uint(a), Uint(b)) => a.checked_sub(*b).map(Uint).ok_or_else(overflow),
            ("_*_", Uint(a), Uint(b)) => a.checked_mul(*b).map(Uint).ok_or_else(overflow),
            ("_/_", Uint(_), Uint(0)) | ("_%_", Uint(_), Uint(0)) => err("division by zero"),
            ("_/_", Uint(a), Uint(b)) => Ok(Uint(a / b)),
            ("_%_", Uint(a), Uint(b)) => Ok(Uint(a % b)),
            ("_+_", Double(a), Double(b)) => Ok(Double(a + b)),
            ("_-_", Double(a), Double(b)) => Ok(Double(a - b)),
            ("_*_", Double(a), Double(b)) => Ok(Double(a * b)),
            ("_/_", Double(a), Double(b)) => Ok(Double(a / b)),
            ("_+_", Str(a), Str(b)) => {
                self.charge(((a.len() + b.len()) / 10) as u64)?;
                Ok(Str(Rc::from(format!("{a}{b}"))))
            }
            ("_+_", Bytes(a), Bytes(b)) => Ok(Bytes(Rc::from([&a[..], &b[..]].concat()))),
            ("_+_", List(a), List(b)) => {
                self.charge(((a.len() + b.len()) / 10) as u64)?;
                let mut v = a.as_ref().clone();
                v.extend(b.iter().cloned());
                Ok(List(Rc::new(v)))
            }
            ("_+_", Duration(a), Duration(b)) => {
                a.checked_add(*b).map(Duration).ok_or_else(overflow)
            }
            ("_-_", Duration(a), Duration(b)) => {
                a.checked_sub(*b).map(Duration).ok_or_else(overflow)
            }
            ("_+_", Timestamp(t), Duration(d)) | ("_+_", Duration(d), Timestamp(t)) => {
                Ok(Timestamp(*t + chrono::Duration::nanoseconds(*d)))
            }
            ("_-_", Timestamp(t), Duration(d)) => {
                Ok(Timestamp(*t - chrono::Duration::nanoseconds(*d)))
            }
            ("_-_", Timestamp(a), Timestamp(b)) => (*a - *b)
                .num_nanoseconds()
                .map(Duration)
                .ok_or_else(overflow),
            _ => Err(no_overload(op, &[x, y])),
        }
    }

    fn matches(&mut self, s: &Val, re: &Val) -> R {
        let (Val::Str(s), Val::Str(re)) = (s, re) else {
            return Err(no_overload("matches", &[s, re]));
        };
        self.charge(((s.len() as u64) * (re.len() as u64 + 1)) / 10 + 1)?;
        let r = super::regex(re).map_err(Fail::Error)?;
        Ok(Val::Bool(r.is_match(s)))
    }

    fn method(&mut self, r: Val, name: &str, a: Vec<Val>) -> R {
        use Val::*;
        let s_arg = |i: usize| -> Result<Rc<str>, Fail> {
            match a.get(i) {
                Some(Str(s)) => Ok(s.clone()),
                _ => Err(Fail::Error(NO_OVERLOAD.into())),
            }
        };
        let i_arg = |i: usize| -> Result<i64, Fail> {
            match a.get(i) {
                Some(Int(v)) => Ok(*v),
                _ => Err(Fail::Error(NO_OVERLOAD.into())),
            }
        };
        match (&r, name) {
            (_, "size") if a.is_empty() => size(&r),
            (Str(_), "matches") => self.matches(&r, a.first().unwrap_or(&Null)),
            (Str(s), "startsWith") => Ok(Bool(s.starts_with(&*s_arg(0)?))),
            (Str(s), "endsWith") => Ok(Bool(s.ends_with(&*s_arg(0)?))),
            (Str(s), "contains") => {
                self.charge(s.len() as u64 / 10)?;
                Ok(Bool(s.contains(&*s_arg(0)?)))
            }
            (Str(s), "lowerAscii") => Ok(Val::str(&s.to_ascii_lowercase())),
            (Str(s), "upperAscii") => Ok(Val::str(&s.to_ascii_uppercase())),
            (Str(s), "trim") => Ok(Val::str(s.trim())),
            (Str(s), "charAt") => {
                let i = i_arg(0)?;
                let chars: Vec<char> = s.chars().collect();
                match usize::try_from(i) {
                    Ok(i) if i < chars.len() => Ok(Val::str(&chars[i].to_string())),
                    Ok(i) if i == chars.len() => Ok(Val::str("")),
                    _ => err(format!("index out of range: {i}")),
                }
            }
            (Str(s), "indexOf") | (Str(s), "lastIndexOf") => {
                let sub = s_arg(0)?;
                let chars: Vec<char> = s.chars().collect();
                let subc: Vec<char> = sub.chars().collect();
                let found: Vec<usize> = (0..=chars.len().saturating_sub(subc.len()))
                    .filter(|&i| {
                        i + subc.len() <= chars.len() && chars[i..i + subc.len()] == subc[..]
                    })
                    .collect();
                let v = if name == "indexOf" {
                    found.first()
                } else {
                    found.last()
                };
                Ok(Int(v.map_or(-1, |&i| i as i64)))
            }
            (Str(s), "substring") => {
                let chars: Vec<char> = s.chars().collect();
                let start = i_arg(0)?;
                let end = if a.len() > 1 {
                    i_arg(1)?
                } else {
                    chars.len() as i64
                };
                if start < 0 || end < start || end as usize > chars.len() {
                    return err(format!(
                        "index out of range: {}",
                        if start < 0 || start as usize > chars.len() {
                            start
                        } else {
                            end
                        }
                    ));
                }
                Ok(Val::str(
                    &chars[start as usize..end as usize]
                        .iter()
                        .collect::<String>(),
                ))
            }
            (Str(s), "replace") => {
                let (from, to) = (s_arg(0)?, s_arg(1)?);
                self.charge(s.len() as u64 / 10)?;
                Ok(Val::str(&s.replace(&*from, &to)))
            }
            (Str(s), "split") => {
                let sep = s_arg(0)?;
                self.charge(s.len() as u64 / 10)?;
                let parts: Vec<Val> = if sep.is_empty() {
                    s.chars().map(|c| Val::str(&c.to_string())).collect()
                } else {
                    s.split(&*sep).map(Val::str).collect()
                };
                Ok(List(Rc::new(parts)))
            }
            (List(l), "join") => {
                let sep = if a.is_empty() {
                    Rc::from("")
                } else {
                    s_arg(0)?
                };
                let mut parts = Vec::new();
                for x in l.iter() {
                    match x {
                        Str(s) => parts.push(s.to_string()),
                        _ => return Err(no_overload("join", &[x])),
                    }
                }
                Ok(Val::str(&parts.join(&sep)))
            }
            (List(l), "isSorted") => {
                for w in l.windows(2) {
                    if compare("isSorted", &w[0], &w[1])? == Ordering::Greater {
                        return Ok(Bool(false));
                    }
                }
                Ok(Bool(true))
            }
            (List(l), "sum") => {
                let mut acc = match l.first() {
                    Some(Double(_)) => Double(0.0),
                    Some(Uint(_)) => Uint(0),
                    Some(Duration(_)) => Duration(0),
                    _ => Int(0),
                };
                for x in l.iter() {
                    acc = self.arith("_+_", &acc, x)?;
                }
                Ok(acc)
            }
            (List(l), "min") | (List(l), "max") => {
                let mut best: Option<&Val> = None;
                for x in l.iter() {
                    best = match best {
                        None => Some(x),
                        Some(b) => {
                            let o = compare(name, x, b)?;
                            if (name == "min" && o == Ordering::Less)
                                || (name == "max" && o == Ordering::Greater)
                            {
                                Some(x)
                            } else {
                                Some(b)
                            }
                        }
                    };
                }
                best.cloned().ok_or(Fail::Error(format!(
                    "{name}(list) argument must not be empty"
                )))
            }
            (List(l), "indexOf") | (List(l), "lastIndexOf") => {
                let x = a.first().unwrap_or(&Null);
                let mut it = l
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| equals(v, x))
                    .map(|(i, _)| i as i64);
                let v = if name == "indexOf" {
                    it.next()
                } else {
                    it.next_back()
                };
                Ok(Int(v.unwrap_or(-1)))
            }
            (Optional(o), "hasValue") => Ok(Bool(o.is_some())),
            (Optional(o), "value") => match o {
                Some(v) => Ok(v.as_ref().clone()),
                None => err("optional.none() dereference"),
            },
            (Optional(o), "orValue") => Ok(match o {
                Some(v) => v.as_ref().clone(),
                None => a.first().cloned().unwrap_or(Null),
            }),
            (Timestamp(t), _) if name.starts_with("get") => timestamp_part(t, name),
            (Duration(d), "getHours") => Ok(Int(d / 3_600_000_000_000)),
            (Duration(d), "getMinutes") => Ok(Int(d / 60_000_000_000)),
            (Duration(d), "getSeconds") => Ok(Int(d / 1_000_000_000)),
            (Duration(d), "getMilliseconds") => Ok(Int(d / 1_000_000)),
            _ => {
                if super::check::K8S_UNSUPPORTED.contains(&name) {
                    Err(Fail::Unsupported(name.to_string()))
                } else {
                    err(NO_OVERLOAD)
                }
            }
        }
    }
}

fn timestamp_part(t: &DateTime<Utc>, name: &str) -> R {
    use chrono::{Datelike, Timelike};
    Ok(Val::Int(match name {
        "getFullYear" => i64::from(t.year()),
        "getMonth" => i64::from(t.month0()),
        "getDate" => i64::from(t.day()),
        "getDayOfMonth" => i64::from(t.day0()),
        "getDayOfWeek" => i64::from(t.weekday().num_days_from_sunday()),
        "getDayOfYear" => i64::from(t.ordinal0()),
        "getHours" => i64::from(t.hour()),
        "getMinutes" => i64::from(t.minute()),
        "getSeconds" => i64::from(t.second()),
        "getMilliseconds" => i64::from(t.nanosecond() / 1_000_000),
        _ => return err(NO_OVERLOAD),
    }))
}

fn macro_name(k: Macro) -> &'static str {
    match k {
        Macro::All => "all",
        Macro::Exists => "exists",
        Macro::ExistsOne => "exists_one",
        Macro::Map => "map",
        Macro::Filter => "filter",
    }
}

fn type_ident(name: &str) -> &'static str {
    match name {
        "int" => "int",
        "uint" => "uint",
        "double" => "double",
        "string" => "string",
        "bool" => "bool",
        "bytes" => "bytes",
        "list" => "list",
        _ => "map",
    }
}

fn select(v: &Val, field: &str) -> R {
    match v {
        Val::Optional(None) => Ok(Val::Optional(None)),
        Val::Optional(Some(inner)) => Ok(Val::Optional(match inner.as_ref() {
            Val::Map(m) => lookup(m, &Val::str(field)).cloned().map(Rc::new),
            _ => None,
        })),
        Val::Map(m) => lookup(m, &Val::str(field))
            .cloned()
            .ok_or_else(|| Fail::Error(format!("no such key: {field}"))),
        other => err(format!(
            "type '{}' does not support field selection",
            other.type_name()
        )),
    }
}

fn index(c: &Val, i: &Val) -> R {
    match (c, i) {
        (Val::List(l), Val::Int(_) | Val::Uint(_) | Val::Double(_)) => {
            let idx = match i {
                Val::Int(n) => *n,
                Val::Uint(n) => i64::try_from(*n).unwrap_or(i64::MAX),
                Val::Double(d) if d.fract() == 0.0 => *d as i64,
                _ => return err("unsupported index value"),
            };
            usize::try_from(idx)
                .ok()
                .and_then(|n| l.get(n))
                .cloned()
                .ok_or_else(|| Fail::Error(format!("index out of bounds: {idx}")))
        }
        (Val::Map(m), k) => lookup(m, k)
            .cloned()
            .ok_or_else(|| Fail::Error(format!("no such key: {}", key_text(k)))),
        _ => Err(no_overload("_[_]", &[c, i])),
    }
}

fn size(v: &Val) -> R {
    Ok(Val::Int(match v {
        Val::Str(s) => s.chars().count() as i64,
        Val::Bytes(b) => b.len() as i64,
        Val::List(l) => l.len() as i64,
        Val::Map(m) => m.len() as i64,
        other => return Err(no_overload("size", &[other])),
    }))
}

fn type_conversion(from: &Val, to: &str) -> Fail {
    Fail::Error(format!(
        "type conversion error from '{}' to '{to}'",
        match from {
            Val::Str(_) => "string",
            other => other.type_name(),
        }
    ))
}

fn convert(name: &str, v: &Val) -> R {
    use Val::*;
    match (name, v) {
        ("dyn", _) => Ok(v.clone()),
        ("type", _) => Ok(Type(v.type_name())),
        ("int", Int(_))
        | ("uint", Uint(_))
        | ("double", Double(_))
        | ("string", Str(_))
        | ("bool", Bool(_))
        | ("bytes", Bytes(_))
        | ("duration", Duration(_))
        | ("timestamp", Timestamp(_)) => Ok(v.clone()),
        ("int", Uint(u)) => i64::try_from(*u)
            .map(Int)
            .map_err(|_| Fail::Error("range error converting".into())),
        ("int", Double(d)) if d.is_finite() && *d > -9.3e18 && *d < 9.3e18 => Ok(Int(*d as i64)),
        ("int", Str(s)) => s.parse().map(Int).map_err(|_| type_conversion(v, "int")),
        ("int", Timestamp(t)) => Ok(Int(t.timestamp())),
        ("uint", Int(i)) => u64::try_from(*i)
            .map(Uint)
            .map_err(|_| Fail::Error("range error converting".into())),
        ("uint", Double(d)) if d.is_finite() && *d >= 0.0 && *d < 1.8e19 => Ok(Uint(*d as u64)),
        ("uint", Str(s)) => s.parse().map(Uint).map_err(|_| type_conversion(v, "uint")),
        ("double", Int(i)) => Ok(Double(*i as f64)),
        ("double", Uint(u)) => Ok(Double(*u as f64)),
        ("double", Str(s)) => s
            .parse()
            .map(Double)
            .map_err(|_| type_conversion(v, "double")),
        ("string", Int(i)) => Ok(Val::str(&i.to_string())),
        ("string", Uint(u)) => Ok(Val::str(&u.to_string())),
        ("string", Double(d)) => Ok(Val::str(&go_float(*d))),
        ("string", Bool(b)) => Ok(Val::str(&b.to_string())),
        ("string", Bytes(b)) => std::str::from_utf8(b)
            .map(Val::str)
            .map_err(|_| type_conversion(v, "string")),
        ("string", Duration(d)) => Ok(Val::str(&format_duration(*d))),
        ("string", Timestamp(t)) => Ok(Val::str(
            &t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        )),
        ("bytes", Str(s)) => Ok(Bytes(Rc::from(s.as_bytes()))),
        ("bool", Str(s)) => match s.as_ref() {
            "true" | "True" | "TRUE" | "t" | "1" => Ok(Bool(true)),
            "false" | "False" | "FALSE" | "f" | "0" => Ok(Bool(false)),
            _ => Err(type_conversion(v, "bool")),
        },
        ("duration", Str(s)) => parse_go_duration_nanos(s)
            .map(Duration)
            .ok_or_else(|| type_conversion(v, "google.protobuf.Duration")),
        ("timestamp", Str(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Timestamp(t.with_timezone(&Utc)))
            .map_err(|_| type_conversion(v, "google.protobuf.Timestamp")),
        ("timestamp", Int(i)) => DateTime::from_timestamp(*i, 0)
            .map(Timestamp)
            .ok_or_else(|| type_conversion(v, "google.protobuf.Timestamp")),
        _ => Err(type_conversion(
            v,
            match name {
                "duration" => "google.protobuf.Duration",
                "timestamp" => "google.protobuf.Timestamp",
                other => other,
            },
        )),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`-like text CEL uses for doubles.
fn go_float(d: f64) -> String {
    if d.fract() == 0.0 && d.abs() < 1e21 {
        format!("{d:.0}")
    } else {
        format!("{d}")
    }
}

/// The text of a value for a message (`string()` of scalars).
pub fn display(v: &Val) -> Option<String> {
    match convert("string", v) {
        Ok(Val::Str(s)) => Some(s.to_string()),
        _ => None,
    }
}
