//! `config set` / `config unset`: a dotted property path (`clusters.c1.server`) applied to one
//! kubeconfig file, with kubectl's rules (`pkg/cmd/config/set.go`, `navigation_step_parser.go`).
//!
//! kubectl walks client-go's internal `api.Config` by reflection, so paths use the internal JSON
//! names (`users.u.act-as`, which the file spells `as`). Here a small table describes those
//! types and the walk edits the file's JSON form (named lists for clusters, users, contexts).

use base64::Engine as _;
use serde_json::{json, Map, Value};

/// What a property path names.
#[derive(Clone, Copy, Debug)]
enum Ty {
    Str,
    Bool,
    /// `[]byte`: base64 text in the file.
    Bytes,
    /// `[]string` (`act-as-groups`): kubectl cannot set these.
    Strings,
    /// A Go map from names to structs (clusters, users, contexts): a named list in the file.
    Named(&'static Struct),
    /// A map that is not of structs (`extensions`, `act-as-user-extra`).
    OpaqueMap,
    /// A pointer to a struct (`exec`, `auth-provider`): kubectl cannot walk into these.
    Pointer,
    Struct(&'static Struct),
}

#[derive(Debug)]
struct Struct {
    /// The Go type, as kubectl names it in errors.
    go_name: &'static str,
    /// The key of the entry's body in a named list (`cluster`, `user`, `context`).
    item_key: &'static str,
    /// (internal JSON name, key in the file, type).
    fields: &'static [(&'static str, &'static str, Ty)],
}

static CLUSTER: Struct = Struct {
    go_name: "api.Cluster",
    item_key: "cluster",
    fields: &[
        ("server", "server", Ty::Str),
        ("tls-server-name", "tls-server-name", Ty::Str),
        (
            "insecure-skip-tls-verify",
            "insecure-skip-tls-verify",
            Ty::Bool,
        ),
        ("certificate-authority", "certificate-authority", Ty::Str),
        (
            "certificate-authority-data",
            "certificate-authority-data",
            Ty::Bytes,
        ),
        ("proxy-url", "proxy-url", Ty::Str),
        ("disable-compression", "disable-compression", Ty::Bool),
        ("extensions", "extensions", Ty::OpaqueMap),
    ],
};

static AUTH_INFO: Struct = Struct {
    go_name: "api.AuthInfo",
    item_key: "user",
    fields: &[
        ("client-certificate", "client-certificate", Ty::Str),
        (
            "client-certificate-data",
            "client-certificate-data",
            Ty::Bytes,
        ),
        ("client-key", "client-key", Ty::Str),
        ("client-key-data", "client-key-data", Ty::Bytes),
        ("token", "token", Ty::Str),
        ("tokenFile", "tokenFile", Ty::Str),
        ("act-as", "as", Ty::Str),
        ("act-as-uid", "as-uid", Ty::Str),
        ("act-as-groups", "as-groups", Ty::Strings),
        ("act-as-user-extra", "as-user-extra", Ty::OpaqueMap),
        ("username", "username", Ty::Str),
        ("password", "password", Ty::Str),
        ("auth-provider", "auth-provider", Ty::Pointer),
        ("exec", "exec", Ty::Pointer),
        ("extensions", "extensions", Ty::OpaqueMap),
    ],
};

static CONTEXT: Struct = Struct {
    go_name: "api.Context",
    item_key: "context",
    fields: &[
        ("cluster", "cluster", Ty::Str),
        ("user", "user", Ty::Str),
        ("namespace", "namespace", Ty::Str),
        ("extensions", "extensions", Ty::OpaqueMap),
    ],
};

static PREFERENCES: Struct = Struct {
    go_name: "api.Preferences",
    item_key: "",
    fields: &[
        ("colors", "colors", Ty::Bool),
        ("extensions", "extensions", Ty::OpaqueMap),
    ],
};

static CONFIG: Struct = Struct {
    go_name: "api.Config",
    item_key: "",
    fields: &[
        ("kind", "kind", Ty::Str),
        ("apiVersion", "apiVersion", Ty::Str),
        ("preferences", "preferences", Ty::Struct(&PREFERENCES)),
        ("clusters", "clusters", Ty::Named(&CLUSTER)),
        ("users", "users", Ty::Named(&AUTH_INFO)),
        ("contexts", "contexts", Ty::Named(&CONTEXT)),
        ("current-context", "current-context", Ty::Str),
        ("extensions", "extensions", Ty::OpaqueMap),
    ],
};

/// A parsed property path: each step is a field name or a map key (which may hold dots).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyPath {
    steps: Vec<String>,
}

impl PropertyPath {
    /// kubectl's `newNavigationSteps`: a map key runs until the next part that names a field of
    /// the map's value type (`clusters.10.0.0.1.server`: the cluster `10.0.0.1`).
    pub fn parse(path: &str) -> Result<Self, String> {
        let parts: Vec<&str> = path.split('.').collect();
        let mut steps: Vec<String> = Vec::new();
        let mut ty = Ty::Struct(&CONFIG);
        let mut i = 0;
        while i < parts.len() {
            match ty {
                Ty::Struct(s) => {
                    let Some(&(name, _, field_ty)) =
                        s.fields.iter().find(|(name, _, _)| *name == parts[i])
                    else {
                        // kubectl prints its steps with Go type pointers; the names are what matter.
                        let done: Vec<String> =
                            steps.iter().map(|s| format!("{{{s} 0x0}}")).collect();
                        return Err(format!(
                            "unable to parse {path} after [{}] at {}",
                            done.join(" "),
                            s.go_name
                        ));
                    };
                    steps.push(name.to_string());
                    ty = field_ty;
                    i += 1;
                }
                Ty::Named(s) => {
                    let known = parts[i + 1..]
                        .iter()
                        .position(|p| s.fields.iter().any(|(name, _, _)| name == p));
                    let len = known.map_or(parts.len() - i, |k| k + 1);
                    steps.push(parts[i..i + len].join("."));
                    ty = Ty::Struct(s);
                    i += len;
                }
                _ => {
                    return Err(format!(
                        "unable to parse one or more field values of {path}"
                    ))
                }
            }
        }
        Ok(PropertyPath { steps })
    }

    /// The named entry the path starts in (`("clusters", "c1")`), which decides the file.
    pub fn entry(&self) -> Option<(&str, &str)> {
        match self.steps.as_slice() {
            [kind, name, ..] if ["clusters", "users", "contexts"].contains(&kind.as_str()) => {
                Some((kind.as_str(), name.as_str()))
            }
            _ => None,
        }
    }

    /// The first step (`current-context`, `preferences`, `clusters`, ...).
    pub fn first(&self) -> &str {
        self.steps.first().map(String::as_str).unwrap_or_default()
    }
}

/// What to do at the end of the path.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// `config set`: the value, and whether `[]byte` fields take it as is (`--set-raw-bytes`)
    /// rather than as base64.
    Set { value: &'a str, raw_bytes: bool },
    /// `config unset`.
    Unset,
}

/// Applies `change` at `path` to a kubeconfig file in its JSON form; on error `file` is
/// unchanged.
pub fn apply(file: &mut Value, path: &PropertyPath, change: Change) -> Result<(), String> {
    let mut edited = if file.is_object() {
        file.clone()
    } else {
        json!({})
    };
    modify(&mut edited, Ty::Struct(&CONFIG), &path.steps, change)?;
    *file = edited;
    Ok(())
}

fn unset(change: Change) -> bool {
    matches!(change, Change::Unset)
}

/// kubectl's `modifyConfig`: `cur` holds a value of type `ty`; `steps[0]` is consumed here.
fn modify(cur: &mut Value, ty: Ty, steps: &[String], change: Change) -> Result<(), String> {
    let (step, rest) = match steps.split_first() {
        Some((s, r)) => (Some(s.as_str()), r),
        None => (None, steps),
    };
    match ty {
        Ty::Struct(s) => {
            let step = step.unwrap_or_default();
            let Some(&(_, key, field_ty)) = s.fields.iter().find(|(n, _, _)| *n == step) else {
                return Err(format!("unable to locate path {step}"));
            };
            let obj = as_object(cur);
            if rest.is_empty() && unset(change) {
                // The zero value, which the file omits (a map becomes empty).
                match field_ty {
                    Ty::Named(_) => obj.insert(key.to_string(), json!([])),
                    _ => obj.remove(key),
                };
                return Ok(());
            }
            let slot = obj.entry(key.to_string()).or_insert(Value::Null);
            modify(slot, field_ty, rest, change)
        }
        Ty::Named(s) => {
            let name = step.unwrap_or_default();
            if !cur.is_array() {
                *cur = json!([]);
            }
            let list = cur.as_array_mut().expect("made an array above");
            let index = list.iter().position(|e| e["name"] == name);
            if rest.is_empty() {
                return match change {
                    Change::Unset => {
                        if let Some(i) = index {
                            list.remove(i);
                        }
                        Ok(())
                    }
                    Change::Set { .. } => Err(format!(
                        "can't set a map to a value: {}",
                        go_map_of_pointers(list)
                    )),
                };
            }
            let i = match index {
                Some(i) => i,
                None if unset(change) => {
                    return Err(format!("current map key `{name}` is invalid"))
                }
                None => {
                    list.push(json!({"name": name, s.item_key: {}}));
                    list.len() - 1
                }
            };
            modify(&mut list[i][s.item_key], Ty::Struct(s), rest, change)
        }
        Ty::Str | Ty::Bool | Ty::Bytes if !steps.is_empty() => Err(format!(
            "can't have more steps after a {}. {steps:?}",
            match ty {
                Ty::Str => "string",
                Ty::Bool => "bool",
                _ => "bytes",
            }
        )),
        Ty::Str => {
            if let Change::Set { value, .. } = change {
                *cur = json!(value);
            }
            Ok(())
        }
        Ty::Bool => {
            if let Change::Set { value, .. } = change {
                *cur = json!(parse_go_bool(value)?);
            }
            Ok(())
        }
        Ty::Bytes => {
            if let Change::Set { value, raw_bytes } = change {
                let b64 = base64::engine::general_purpose::STANDARD;
                let bytes = if raw_bytes {
                    value.as_bytes().to_vec()
                } else {
                    kcore::gobase64::decode_std(value)
                        .map_err(|e| format!("error decoding input value: {e}"))?
                };
                *cur = json!(b64.encode(bytes));
            }
            Ok(())
        }
        Ty::Strings => Err("unrecognized slice type. string".to_string()),
        Ty::OpaqueMap => Err(format!("can't set a map to a value: {}", "map[]")),
        Ty::Pointer => Err(format!(
            "can't set {} to a value: it is a structure; set its fields in the kubeconfig file",
            steps.first().map_or("this property", String::as_str)
        )),
    }
}

fn as_object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("made an object above")
}

/// How Go prints a `map[string]*T` (`map[a:0xc000123456 b:0xc000654321]`): the keys in order;
/// the pointers are addresses in kubectl, which mean nothing to anyone.
fn go_map_of_pointers(list: &[Value]) -> String {
    let mut names: Vec<&str> = list.iter().filter_map(|e| e["name"].as_str()).collect();
    names.sort_unstable();
    let entries: Vec<String> = names.iter().map(|n| format!("{n}:0x0")).collect();
    format!("map[{}]", entries.join(" "))
}

/// `strconv.ParseBool` behind kubectl's `toBool` (an empty value is false).
fn parse_go_bool(s: &str) -> Result<bool, String> {
    match s {
        "" | "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        _ => Err(format!("strconv.ParseBool: parsing {s:?}: invalid syntax")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Value {
        json!({"apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "c1", "cluster": {"server": "https://a:1"}}],
            "users": [{"name": "u1", "user": {"token": "t"}}],
            "contexts": [{"name": "x", "context": {"cluster": "c1", "user": "u1"}}],
            "current-context": "x"})
    }

    fn set(f: &mut Value, path: &str, value: &str) -> Result<(), String> {
        let raw_bytes = false;
        apply(
            f,
            &PropertyPath::parse(path)?,
            Change::Set { value, raw_bytes },
        )
    }

    #[test]
    fn map_keys_may_hold_dots_up_to_a_known_field() {
        let p = PropertyPath::parse("clusters.10.0.0.1.server").unwrap();
        assert_eq!(p.steps, ["clusters", "10.0.0.1", "server"]);
        assert_eq!(p.entry(), Some(("clusters", "10.0.0.1")));
        // No known field after the key: the rest is all key.
        let p = PropertyPath::parse("clusters.c1.nope").unwrap();
        assert_eq!(p.steps, ["clusters", "c1.nope"]);
    }

    #[test]
    fn parse_errors_are_kubectls() {
        assert_eq!(
            PropertyPath::parse("nope.x").unwrap_err(),
            "unable to parse nope.x after [] at api.Config"
        );
        assert_eq!(
            PropertyPath::parse("preferences.nope").unwrap_err(),
            "unable to parse preferences.nope after [{preferences 0x0}] at api.Preferences"
        );
        assert_eq!(
            PropertyPath::parse("clusters.c1.server.x").unwrap_err(),
            "unable to parse one or more field values of clusters.c1.server.x"
        );
    }

    #[test]
    fn sets_strings_bools_and_bytes_creating_entries() {
        let mut f = file();
        // Go's decoder skips line breaks: `base64` wraps its output at 76 columns.
        set(
            &mut f,
            "clusters.c1.certificate-authority-data",
            "aGVs\nbG8g\r\nd29y\nbGQ=\n",
        )
        .unwrap();
        assert_eq!(
            f["clusters"][0]["cluster"]["certificate-authority-data"],
            "aGVsbG8gd29ybGQ="
        );
        assert_eq!(
            set(&mut f, "clusters.c1.certificate-authority-data", "aG\nV!").unwrap_err(),
            "error decoding input value: illegal base64 data at input byte 4"
        );
        set(&mut f, "clusters.c1.server", "https://b:2").unwrap();
        set(&mut f, "clusters.new.insecure-skip-tls-verify", "T").unwrap();
        set(&mut f, "users.u1.act-as", "bob").unwrap();
        set(&mut f, "users.u1.client-key-data", "aGk=").unwrap();
        set(&mut f, "current-context", "y").unwrap();
        set(&mut f, "preferences.colors", "1").unwrap();
        assert_eq!(f["clusters"][0]["cluster"]["server"], "https://b:2");
        assert_eq!(
            f["clusters"][1],
            json!({"name": "new", "cluster": {"insecure-skip-tls-verify": true}})
        );
        assert_eq!(f["users"][0]["user"]["as"], "bob");
        assert_eq!(f["users"][0]["user"]["client-key-data"], "aGk=");
        assert_eq!(f["current-context"], "y");
        assert_eq!(f["preferences"]["colors"], true);
        let path = PropertyPath::parse("users.u1.client-key-data").unwrap();
        let raw = Change::Set {
            value: "hi",
            raw_bytes: true,
        };
        apply(&mut f, &path, raw).unwrap();
        assert_eq!(f["users"][0]["user"]["client-key-data"], "aGk=");
        // base64(1) wraps its output at 76 columns; Go's decoder skips the newlines.
        let long = "x".repeat(60);
        let wrapped =
            "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\neHh4";
        set(&mut f, "clusters.c1.certificate-authority-data", wrapped).unwrap();
        assert_eq!(
            f["clusters"][0]["cluster"]["certificate-authority-data"],
            base64::engine::general_purpose::STANDARD.encode(long)
        );
    }

    #[test]
    fn set_errors_are_kubectls() {
        let mut f = file();
        assert_eq!(
            set(&mut f, "clusters.c1.insecure-skip-tls-verify", "yes").unwrap_err(),
            "strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
        assert_eq!(
            set(&mut f, "clusters.c1.certificate-authority-data", "hello").unwrap_err(),
            "error decoding input value: illegal base64 data at input byte 4"
        );
        assert_eq!(
            set(&mut f, "clusters.c1", "x").unwrap_err(),
            "can't set a map to a value: map[c1:0x0]"
        );
        assert_eq!(
            set(&mut f, "users.u1.act-as-groups", "a,b").unwrap_err(),
            "unrecognized slice type. string"
        );
        assert!(set(&mut f, "users.u1.exec", "x").is_err());
        assert_eq!(f, file(), "a failed set changes nothing");
    }

    #[test]
    fn unset_zeroes_fields_and_removes_entries() {
        let mut f = file();
        let unset = |f: &mut Value, p: &str| apply(f, &PropertyPath::parse(p)?, Change::Unset);
        unset(&mut f, "clusters.c1.server").unwrap();
        assert_eq!(f["clusters"][0], json!({"name": "c1", "cluster": {}}));
        unset(&mut f, "contexts.x").unwrap();
        assert_eq!(f["contexts"], json!([]));
        unset(&mut f, "current-context").unwrap();
        assert!(f.get("current-context").is_none());
        assert_eq!(
            unset(&mut f, "clusters.nope.server").unwrap_err(),
            "current map key `nope` is invalid"
        );
        unset(&mut f, "users").unwrap();
        assert_eq!(f["users"], json!([]));
    }
}
