//! A light type checker: the static types of `self`/`oldSelf` come from the schema, and the
//! errors cel-go's checker reports for CRD rules are found (an undefined field of an object
//! with known properties, an undeclared variable or function, no matching overload of an
//! operator between two known scalar types, an invalid literal regex). Anything it cannot
//! type is `dyn`, which never yields an error here: the checker only rejects what the real
//! server certainly rejects.

use serde_json::Value;

use super::parse::{Expr, Issue, Kind, Lit, Macro};

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Dyn,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    Str,
    Bytes,
    Duration,
    Timestamp,
    List(Box<Ty>),
    Map(Box<Ty>),
    /// An object with known properties (the schema node).
    Obj(Box<Value>),
    Opt(Box<Ty>),
}

impl Ty {
    fn name(&self) -> String {
        match self {
            Ty::Dyn => "dyn".into(),
            Ty::Null => "null_type".into(),
            Ty::Bool => "bool".into(),
            Ty::Int => "int".into(),
            Ty::Uint => "uint".into(),
            Ty::Double => "double".into(),
            Ty::Str => "string".into(),
            Ty::Bytes => "bytes".into(),
            Ty::Duration => "google.protobuf.Duration".into(),
            Ty::Timestamp => "google.protobuf.Timestamp".into(),
            Ty::List(t) => format!("list({})", t.name()),
            Ty::Map(t) => format!("map(string, {})", t.name()),
            Ty::Obj(_) => "object".into(),
            Ty::Opt(t) => format!("optional_type({})", t.name()),
        }
    }
    fn scalar(&self) -> bool {
        !matches!(
            self,
            Ty::Dyn | Ty::List(_) | Ty::Map(_) | Ty::Obj(_) | Ty::Opt(_)
        )
    }
    fn numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Uint | Ty::Double)
    }
}

/// The CEL type of a value under a schema node.
pub fn schema_type(s: &Value) -> Ty {
    if s["x-kubernetes-preserve-unknown-fields"] == true || s["x-kubernetes-int-or-string"] == true
    {
        return Ty::Dyn;
    }
    match s["type"].as_str() {
        Some("integer") => Ty::Int,
        Some("number") => Ty::Double,
        Some("boolean") => Ty::Bool,
        Some("string") => match s["format"].as_str() {
            Some("date-time") => Ty::Timestamp,
            Some("duration") => Ty::Duration,
            _ => Ty::Str,
        },
        Some("array") => Ty::List(Box::new(schema_type(&s["items"]))),
        Some("object") => {
            if s["additionalProperties"].is_object() {
                Ty::Map(Box::new(schema_type(&s["additionalProperties"])))
            } else if s["properties"].is_object() {
                Ty::Obj(Box::new(s.clone()))
            } else {
                Ty::Map(Box::new(Ty::Dyn))
            }
        }
        _ => Ty::Dyn,
    }
}

/// Functions of the Kubernetes CEL libraries the sandbox does not evaluate: rules using them
/// compile, and are skipped (never failed) at run time.
pub const K8S_UNSUPPORTED: &[&str] = &[
    "quantity",
    "isQuantity",
    "url",
    "isURL",
    "ip",
    "isIP",
    "cidr",
    "isCIDR",
    "semver",
    "isSemver",
    "format",
    "authorizer",
    "sign",
    "isInteger",
    "asInteger",
    "asApproximateFloat",
    "add",
    "sub",
    "compareTo",
    "isLessThan",
    "isGreaterThan",
    "getScheme",
    "getHost",
    "getHostname",
    "getPort",
    "getEscapedPath",
    "getQuery",
    "family",
    "isUnspecified",
    "isLoopback",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isGlobalUnicast",
    "containsIP",
    "containsCIDR",
    "prefixLength",
    "masked",
    "major",
    "minor",
    "patch",
    "reverse",
    "lists.range",
    "sets.contains",
    "sets.equivalent",
    "sets.intersects",
    "base64.encode",
    "base64.decode",
    "findAll",
    "find",
    "quote",
    "strings.quote",
    "slice",
    "flatten",
    "distinct",
    "sort",
    "sortBy",
    "math.greatest",
    "math.least",
    "math.ceil",
    "math.floor",
    "math.round",
    "math.abs",
    "math.sign",
    "math.isNaN",
    "math.isInf",
    "math.isFinite",
    "math.bitOr",
    "math.bitAnd",
    "math.trunc",
    "math.sqrt",
    "getDayOfMonth",
    "optMap",
    "optFlatMap",
    "or",
];

const FUNCTIONS: &[&str] = &[
    "size",
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "bytes",
    "duration",
    "timestamp",
    "dyn",
    "type",
    "matches",
    "optional.of",
    "optional.none",
];

const METHODS: &[&str] = &[
    "size",
    "matches",
    "startsWith",
    "endsWith",
    "contains",
    "lowerAscii",
    "upperAscii",
    "trim",
    "charAt",
    "indexOf",
    "lastIndexOf",
    "substring",
    "replace",
    "split",
    "join",
    "isSorted",
    "sum",
    "min",
    "max",
    "hasValue",
    "value",
    "orValue",
    "getFullYear",
    "getMonth",
    "getDate",
    "getDayOfWeek",
    "getDayOfYear",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
];

pub struct Checker {
    pub vars: Vec<(String, Ty)>,
    pub issues: Vec<Issue>,
    pub uses_old_self: bool,
}

impl Checker {
    pub fn check(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            Kind::Lit(l) => match l {
                Lit::Null => Ty::Null,
                Lit::Bool(_) => Ty::Bool,
                Lit::Int(_) => Ty::Int,
                Lit::Uint(_) => Ty::Uint,
                Lit::Double(_) => Ty::Double,
                Lit::Str(_) => Ty::Str,
                Lit::Bytes(_) => Ty::Bytes,
            },
            Kind::Ident(name) => {
                if name == "oldSelf" {
                    self.uses_old_self = true;
                }
                match self.vars.iter().rev().find(|(n, _)| n == name) {
                    Some((_, t)) => t.clone(),
                    None if matches!(
                        name.as_str(),
                        "int"
                            | "uint"
                            | "double"
                            | "string"
                            | "bool"
                            | "bytes"
                            | "list"
                            | "map"
                            | "null_type"
                    ) =>
                    {
                        Ty::Dyn
                    }
                    None => self.undeclared(e.pos, name),
                }
            }
            Kind::Select(operand, field) => {
                let t = self.check(operand);
                self.field(&t, field, e.pos)
            }
            Kind::Has(operand, field) => {
                let t = self.check(operand);
                self.field(&t, field, e.pos);
                Ty::Bool
            }
            Kind::List(items) => {
                let ts: Vec<Ty> = items.iter().map(|i| self.check(i)).collect();
                let first = ts.first().cloned().unwrap_or(Ty::Dyn);
                Ty::List(Box::new(if ts.iter().all(|t| *t == first) {
                    first
                } else {
                    Ty::Dyn
                }))
            }
            Kind::Map(entries) => {
                for (k, v) in entries {
                    self.check(k);
                    self.check(v);
                }
                Ty::Map(Box::new(Ty::Dyn))
            }
            Kind::Comprehension(c) => {
                let rt = self.check(&c.range);
                let elem = match &rt {
                    Ty::List(t) => (**t).clone(),
                    Ty::Map(_) | Ty::Obj(_) => Ty::Str,
                    _ => Ty::Dyn,
                };
                self.vars.push((c.var.clone(), elem.clone()));
                if let Some(f) = &c.filter {
                    self.check(f);
                }
                let bt = self.check(&c.body);
                self.vars.pop();
                match c.kind {
                    Macro::Map => Ty::List(Box::new(bt)),
                    Macro::Filter => Ty::List(Box::new(elem)),
                    _ => Ty::Bool,
                }
            }
            Kind::Call(target, name, args) => self.call(e, target.as_deref(), name, args),
        }
    }

    fn issue(&mut self, pos: usize, msg: String) {
        self.issues.push(Issue { pos, msg });
    }

    /// An unknown identifier or function: an issue, and a dynamic type to go on checking with.
    fn undeclared(&mut self, pos: usize, name: &str) -> Ty {
        self.issue(
            pos,
            format!("undeclared reference to '{name}' (in container '')"),
        );
        Ty::Dyn
    }

    fn field(&mut self, t: &Ty, field: &str, pos: usize) -> Ty {
        match t {
            Ty::Obj(s) => match s["properties"].get(field) {
                Some(p) => schema_type(p),
                None => {
                    self.issue(pos, format!("undefined field '{field}'"));
                    Ty::Dyn
                }
            },
            Ty::Map(v) => (**v).clone(),
            // Selecting on an optional selects on its value, optionally.
            Ty::Opt(inner) => {
                let t = self.field(inner, field, pos);
                Ty::Opt(Box::new(t))
            }
            Ty::Dyn => Ty::Dyn,
            other => {
                self.issue(
                    pos,
                    format!("type '{}' does not support field selection", other.name()),
                );
                Ty::Dyn
            }
        }
    }

    fn call(&mut self, e: &Expr, target: Option<&Expr>, name: &str, args: &[Expr]) -> Ty {
        let rt = target.map(|t| self.check(t));
        let ats: Vec<Ty> = args.iter().map(|a| self.check(a)).collect();
        if name == "matches" {
            let re = if target.is_some() {
                args.first()
            } else {
                args.get(1)
            };
            if let Some(Expr {
                kind: Kind::Lit(Lit::Str(s)),
                pos,
            }) = re
            {
                if super::regex(s).is_err() {
                    self.issue(*pos, "invalid matches argument".into());
                }
            }
        }
        let overload = |me: &mut Self, a: &Ty, b: &Ty| {
            me.issue(
                e.pos,
                format!(
                    "found no matching overload for '{name}' applied to '({}, {})'",
                    a.name(),
                    b.name()
                ),
            );
        };
        match (name, rt, ats.as_slice()) {
            ("_==_" | "_!=_", None, [a, b]) => {
                if a.scalar()
                    && b.scalar()
                    && a != b
                    && !(a.numeric() && b.numeric())
                    && *a != Ty::Null
                    && *b != Ty::Null
                {
                    overload(self, a, b);
                }
                Ty::Bool
            }
            ("_<_" | "_<=_" | "_>_" | "_>=_", None, [a, b]) => {
                if a.scalar() && b.scalar() && a != b && !(a.numeric() && b.numeric()) {
                    overload(self, a, b);
                }
                Ty::Bool
            }
            ("_&&_" | "_||_" | "!_" | "@in", None, _) => Ty::Bool,
            ("_+_" | "_-_" | "_*_" | "_/_" | "_%_", None, [a, b]) => {
                let ok = match (a, b) {
                    _ if !a.scalar() || !b.scalar() => true,
                    (Ty::Timestamp, Ty::Duration) | (Ty::Duration, Ty::Timestamp) => {
                        name == "_+_" || name == "_-_"
                    }
                    (Ty::Timestamp, Ty::Timestamp) => name == "_-_",
                    (Ty::Str, Ty::Str) | (Ty::Bytes, Ty::Bytes) | (Ty::Duration, Ty::Duration) => {
                        name == "_+_" || (name == "_-_" && *a == Ty::Duration)
                    }
                    (Ty::Double, Ty::Double) => name != "_%_",
                    _ => a == b && a.numeric(),
                };
                if !ok {
                    overload(self, a, b);
                    return Ty::Dyn;
                }
                match (a, b) {
                    (Ty::Timestamp, Ty::Timestamp) => Ty::Duration,
                    (Ty::Timestamp, _) | (_, Ty::Timestamp) => Ty::Timestamp,
                    (Ty::Dyn, _) | (_, Ty::Dyn) => Ty::Dyn,
                    _ => a.clone(),
                }
            }
            ("-_", None, [a]) => a.clone(),
            ("_?_:_", None, [_, a, b]) => {
                if a == b {
                    a.clone()
                } else {
                    Ty::Dyn
                }
            }
            ("_[_]", None, [c, _]) => match c {
                Ty::List(t) | Ty::Map(t) => (**t).clone(),
                _ => Ty::Dyn,
            },
            (_, None, _) => {
                if FUNCTIONS.contains(&name) || K8S_UNSUPPORTED.contains(&name) {
                    match name {
                        "size" | "int" => Ty::Int,
                        "uint" => Ty::Uint,
                        "double" => Ty::Double,
                        "string" => Ty::Str,
                        "bool" | "matches" => Ty::Bool,
                        "bytes" => Ty::Bytes,
                        "duration" => Ty::Duration,
                        "timestamp" => Ty::Timestamp,
                        _ => Ty::Dyn,
                    }
                } else {
                    self.undeclared(e.pos, name)
                }
            }
            (_, Some(rt), _) => {
                // `optional.of(x)` and friends parse as a method of the `optional` identifier.
                if METHODS.contains(&name) || K8S_UNSUPPORTED.contains(&name) {
                    match (name, &rt) {
                        ("size" | "indexOf" | "lastIndexOf", _) => Ty::Int,
                        (
                            "startsWith" | "endsWith" | "contains" | "matches" | "hasValue"
                            | "isSorted",
                            _,
                        ) => Ty::Bool,
                        (
                            "lowerAscii" | "upperAscii" | "trim" | "substring" | "replace"
                            | "charAt" | "join",
                            _,
                        ) => Ty::Str,
                        ("split", _) => Ty::List(Box::new(Ty::Str)),
                        ("value" | "orValue", Ty::Opt(t)) => (**t).clone(),
                        _ => Ty::Dyn,
                    }
                } else {
                    self.undeclared(e.pos, name)
                }
            }
        }
    }
}
