//! `get --sort-by=<jsonpath>` (kubectl `pkg/cmd/get/sorter.go`): objects, or the rows of a
//! server Table (by each row's full object, fetched with `includeObject=Object`), ordered by
//! the first value the path yields; numbers numerically, strings as Kubernetes quantities when
//! both parse (`100m` < `1`), else lexically; a missing value sorts first.

use serde_json::Value;

use super::custom_columns::relaxed_jsonpath;
use super::gofmt::{go_int, go_quote};
use super::jsonpath::JsonPath;
use super::PrintError;

/// Sorts objects in place (stable) by `field` (`.metadata.name`, `{.spec.replicas}`…).
pub fn sort_by(items: &mut [Value], field: &str) -> Result<(), PrintError> {
    let refs: Vec<&Value> = items.iter().collect();
    let order = sort_order(&refs, field)?;
    let sorted: Vec<Value> = order.iter().map(|&i| items[i].clone()).collect();
    for (slot, v) in items.iter_mut().zip(sorted) {
        *slot = v;
    }
    Ok(())
}

/// Sorts a Table's rows in place by `field` evaluated on each row's `object`.
pub fn sort_table_rows(table: &mut Value, field: &str) -> Result<(), PrintError> {
    let Some(Value::Array(rows)) = table.get_mut("rows") else {
        return Ok(());
    };
    // kubectl's `SortingPrinter` sorts only a Table of more than one row.
    if rows.len() < 2 {
        return Ok(());
    }
    let objects: Vec<Value> = rows
        .iter()
        .map(|r| r.get("object").cloned().unwrap_or(Value::Null))
        .collect();
    let refs: Vec<&Value> = objects.iter().collect();
    let order = sort_order(&refs, field)?;
    let sorted: Vec<Value> = order.iter().map(|&i| rows[i].clone()).collect();
    *rows = sorted;
    Ok(())
}

/// The sorted order of `objs` as indices into it.
pub fn sort_order(objs: &[&Value], field: &str) -> Result<Vec<usize>, PrintError> {
    let mut keys = SortKeys::new(field)?;
    for obj in objs {
        keys.push(obj)?;
    }
    keys.order()
}

/// The sort keys of a list's objects, taken one object at a time, so that the objects need
/// not be in memory together (only each one's first value on the path is kept).
pub struct SortKeys {
    field: String,
    parser: JsonPath,
    keys: Vec<Option<Value>>,
}

impl SortKeys {
    /// Keys for `field` (`.metadata.name`, `{.spec.replicas}`…).
    pub fn new(field: &str) -> Result<Self, PrintError> {
        let field = relaxed_jsonpath(field)?;
        let parser = JsonPath::parse(&field)
            .map_err(PrintError::Template)?
            .allow_missing_keys(true);
        Ok(SortKeys {
            field,
            parser,
            keys: Vec::new(),
        })
    }

    /// Takes the key of the next object.
    pub fn push(&mut self, obj: &Value) -> Result<(), PrintError> {
        let results = self
            .parser
            .find_results(obj)
            .map_err(PrintError::Template)?;
        self.keys
            .push(results.first().and_then(|r| r.first()).cloned());
        Ok(())
    }

    /// The field names of the path when it is only names (`{.metadata.name}`): then an
    /// object's key is found in those fields alone, and the rest need not be decoded.
    pub fn simple_path(&self) -> Option<Vec<&str>> {
        let path = self.field.strip_prefix("{.")?.strip_suffix('}')?;
        let names: Vec<&str> = path.split('.').collect();
        let plain = |n: &&str| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        names.iter().all(plain).then_some(names)
    }

    /// Forgets the keys from `len` on.
    pub fn truncate(&mut self, len: usize) {
        self.keys.truncate(len);
    }

    /// The sorted order of the objects pushed, as indices in push order.
    pub fn order(self) -> Result<Vec<usize>, PrintError> {
        let SortKeys { field, keys, .. } = self;
        if !keys.is_empty() && keys.iter().all(Option::is_none) {
            return Err(PrintError::Template(format!(
                "couldn't find any field with path {} in the list of objects",
                go_quote(&field)
            )));
        }
        let first_err: std::cell::RefCell<Option<String>> = Default::default();
        // kubectl's `Less`: a missing key is less than anything, another missing one included;
        // and it calls Go's `sort.Sort`, not stable: tied keys end in the order its exact
        // comparisons and swaps leave them (over 12 items, not the list order).
        let less = |&a: &usize, &b: &usize| -> bool {
            match (&keys[a], &keys[b]) {
                (None, _) => true,
                (_, None) => false,
                (Some(x), Some(y)) => is_less(x, y).unwrap_or_else(|e| {
                    first_err.borrow_mut().get_or_insert(e);
                    false
                }),
            }
        };
        let mut order: Vec<usize> = (0..keys.len()).collect();
        kcore::gosort::sort(&mut order, less);
        match first_err.into_inner() {
            Some(e) => Err(PrintError::Template(format!(
                "Field {field} in *unstructured.Unstructured is an unsortable type: interface, err: {e}"
            ))),
            None => Ok(order),
        }
    }
}

/// Which parts of a JSON text to decode into a tree; the rest is only scanned (a sorted
/// table's row needs of its object the sort key and a few metadata fields, not the object).
#[derive(Clone, Debug, PartialEq)]
pub enum Keep {
    /// The whole value.
    All,
    /// Of an object, these keys (each decoded as its `Keep` says) and, when the flag is set,
    /// every other key whole; a value that is not an object, whole.
    Keys(std::collections::BTreeMap<String, Keep>, bool),
}

impl Keep {
    /// Nothing of an object (its other keys whole when `rest`).
    pub fn keys(rest: bool) -> Self {
        Keep::Keys(Default::default(), rest)
    }

    /// Also keeps the value at `path` (field names from here), whole.
    pub fn add(&mut self, path: &[&str]) {
        let Keep::Keys(keys, _) = self else { return };
        match path.split_first() {
            None => *self = Keep::All,
            Some((first, rest)) => keys
                .entry((*first).to_string())
                .or_insert_with(|| Keep::keys(false))
                .add(rest),
        }
    }

    /// The value of `text` with only what this keeps: the same tree as decoding it whole,
    /// pruned of the keys not kept.
    pub fn decode(&self, text: &str) -> serde_json::Result<Value> {
        let Keep::Keys(keys, rest) = self else {
            return serde_json::from_str(text);
        };
        if !text.trim_start().starts_with('{') {
            return serde_json::from_str(text);
        }
        // Each field scanned once as text; a repeated key's last value wins, as in a tree.
        let fields: std::collections::BTreeMap<String, &serde_json::value::RawValue> =
            serde_json::from_str(text)?;
        let mut m = serde_json::Map::new();
        for (k, v) in fields {
            let value = match keys.get(&k) {
                Some(keep) => keep.decode(v.get())?,
                None if *rest => serde_json::from_str(v.get())?,
                None => continue,
            };
            m.insert(k, value);
        }
        Ok(Value::Object(m))
    }
}

/// kubectl's `isLess` for values decoded from JSON.
fn is_less(i: &Value, j: &Value) -> Result<bool, String> {
    match (i, j) {
        (Value::Null, Value::Null) => Ok(false),
        (Value::Null, _) => Ok(true),
        (_, Value::Null) => Ok(false),
        (Value::Number(a), Value::Number(b)) => match (go_int(a), go_int(b)) {
            (Some(x), Some(y)) => Ok(x < y),
            (None, None) => Ok(a.as_f64() < b.as_f64()),
            _ => Err("unsortable interface: interface".into()),
        },
        (Value::String(a), Value::String(b)) => match (parse_quantity(a), parse_quantity(b)) {
            (Some(x), Some(y)) => Ok(x < y),
            _ => Ok(a < b),
        },
        (Value::Bool(_), _) => Err("unsortable type: bool".into()),
        (Value::Array(_), _) => Err("unsortable type: []interface {}".into()),
        (Value::Object(_), _) => Err("unsortable type: map[string]interface {}".into()),
        _ => Err("unsortable interface: interface".into()),
    }
}

pub use kcore::quantity::parse_quantity;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(items: &[Value]) -> Vec<&str> {
        items
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn sorts_strings_numbers_quantities_and_missing() {
        let mut items = vec![
            json!({"metadata": {"name": "b"}, "spec": {"n": 10, "cpu": "1"}}),
            json!({"metadata": {"name": "a"}, "spec": {"n": 9, "cpu": "100m"}}),
            json!({"metadata": {"name": "c"}, "spec": {"cpu": "2Gi"}}),
        ];
        sort_by(&mut items, ".metadata.name").unwrap();
        assert_eq!(names(&items), ["a", "b", "c"]);
        sort_by(&mut items, "{.spec.n}").unwrap();
        assert_eq!(names(&items), ["c", "a", "b"]);
        sort_by(&mut items, "spec.cpu").unwrap();
        assert_eq!(names(&items), ["a", "b", "c"]);
    }

    /// kubectl.1.33 `get configmaps --sort-by=.x.cpu` over these values.
    #[test]
    fn quantities_and_strings_like_kubectl() {
        let vals = [
            ("q1", "100m"),
            ("q2", "1"),
            ("q3", "2Gi"),
            ("q4", "abc"),
            ("q5", "1.5"),
            ("q6", "500Mi"),
            ("q7", "1e3"),
            ("q8", ""),
        ];
        let mut items: Vec<Value> = vals
            .iter()
            .map(|(n, v)| json!({"metadata": {"name": n}, "x": {"cpu": v}}))
            .collect();
        items.push(json!({"metadata": {"name": "q9"}}));
        sort_by(&mut items, ".x.cpu").unwrap();
        assert_eq!(
            names(&items),
            ["q9", "q8", "q1", "q2", "q5", "q7", "q6", "q3", "q4"]
        );
    }

    /// Ties and missing keys in the order kubectl.1.33 printed them (`get cm --sort-by`
    /// against kube-apiserver v1.36.2; the list in name order): Go's `sort.Sort` is not stable.
    #[test]
    fn ties_in_kubectls_order() {
        let named = |names: Vec<String>, key: &dyn Fn(&str) -> Option<String>| -> Vec<Value> {
            names
                .into_iter()
                .map(|n| match key(&n) {
                    Some(k) => json!({"metadata": {"name": n}, "data": {"k": k}}),
                    None => json!({"metadata": {"name": n}}),
                })
                .collect()
        };
        // Sorted by `.data.k`, the names (`cm-` dropped) as kubectl printed them.
        let sorted_as = |mut items: Vec<Value>, want: &str| {
            sort_by(&mut items, ".data.k").unwrap();
            let got: Vec<&str> = names(&items)
                .into_iter()
                .map(|n| n.strip_prefix("cm-").unwrap_or(n))
                .collect();
            assert_eq!(got, want.split_whitespace().collect::<Vec<_>>());
        };
        let mut cms: Vec<String> = (1..=30).map(|i| format!("cm-{i:02}")).collect();
        cms.push("kube-root-ca.crt".into());
        let items = named(cms.clone(), &|n| {
            let i: u32 = n.strip_prefix("cm-")?.parse().ok()?;
            Some(format!("v{}", i * 7 % 3))
        });
        sorted_as(
            items,
            "kube-root-ca.crt 12 03 30 27 06 24 21 09 18 15 22 01 04 28 16 13 10 19 25 07 \
             17 23 08 20 26 05 11 29 14 02",
        );

        // 31 missing keys, then 11 strings (quantities and not).
        let values = [
            "a10", "a9", "a1", "b2", "a09", "a010", "x-2", "x-10", "1.5x", "10x", "9x",
        ];
        let mut all = cms;
        let mut nat: Vec<String> = (1..=11).map(|i| format!("nat-{i}")).collect();
        nat.sort();
        all.extend(nat);
        let items = named(all, &|n| {
            let i: usize = n.strip_prefix("nat-")?.parse().ok()?;
            Some(values[i - 1].to_string())
        });
        sorted_as(
            items,
            "14 13 04 17 18 09 27 05 25 06 30 26 08 11 29 kube-root-ca.crt 10 28 02 12 03 \
             07 22 01 16 24 23 19 20 15 21 nat-9 nat-10 nat-11 nat-6 nat-5 nat-3 nat-1 \
             nat-2 nat-4 nat-8 nat-7",
        );
    }

    #[test]
    fn simple_paths() {
        let path = |f: &str| {
            let k = SortKeys::new(f).ok()?;
            k.simple_path().map(|p| p.join("/"))
        };
        assert_eq!(path(".metadata.name").as_deref(), Some("metadata/name"));
        assert_eq!(
            path("{.spec.node-name_2}").as_deref(),
            Some("spec/node-name_2")
        );
        assert_eq!(path(".kind").as_deref(), Some("kind"));
        for f in [
            ".spec.containers[0].image",
            "{.items[*].x}",
            "{..name}",
            ".metadata.labels.app\\.kubernetes\\.io/name",
            "{.a}{.b}",
            "{.metadata.*}",
        ] {
            assert_eq!(path(f), None, "{f}");
        }
    }

    /// A pruned decoding is the whole tree without the keys not kept, and a key taken from
    /// it is the key taken from the whole tree.
    #[test]
    fn kept_parts_decode_as_the_whole_tree() {
        let text = r#"{"cells":["a",1,{"x":null}],"object":{"kind":"Pod","metadata":{"name":"n\u00e9","labels":{"a":"b"},"uid":"u","name":"m"},"spec":{"x":[1,2.5,1e300,true,null,"\"q"],"y":{"z":"w"}},"status":{"phase":"Running"}},"type":1}"#;
        let whole: Value = serde_json::from_str(text).unwrap();
        let mut keep = Keep::keys(true);
        keep.add(&["object", "metadata", "name"]);
        keep.add(&["object", "spec", "y"]);
        let pruned = keep.decode(text).unwrap();
        assert_eq!(
            pruned,
            json!({"cells": whole["cells"], "type": 1, "object": {
                "metadata": {"name": "m"}, "spec": {"y": {"z": "w"}}}})
        );
        // A whole subtree absorbs the paths under it; values that are not objects stay whole.
        keep.add(&["object", "spec"]);
        keep.add(&["cells", "x"]);
        keep.add(&["type", "x"]);
        let pruned = keep.decode(text).unwrap();
        assert_eq!(pruned["object"]["spec"], whole["object"]["spec"]);
        assert_eq!(
            (&pruned["cells"], &pruned["type"]),
            (&whole["cells"], &whole["type"])
        );
        for field in [
            ".metadata.name",
            ".spec.x",
            ".status.phase",
            ".kind",
            ".none.x",
        ] {
            let mut k = SortKeys::new(field).unwrap();
            let mut keep = Keep::keys(false);
            keep.add(&k.simple_path().unwrap());
            let obj = &whole["object"];
            let pruned = keep.decode(&obj.to_string()).unwrap();
            k.push(obj).unwrap();
            k.push(&pruned).unwrap();
            assert_eq!(k.keys[0], k.keys[1], "{field}");
        }
        assert!(Keep::keys(false).decode("{\"a\":").is_err());
        assert_eq!(Keep::keys(false).decode(" [1]").unwrap(), json!([1]));
    }

    #[test]
    fn errors() {
        let mut items = vec![
            json!({"metadata": {"name": "a"}}),
            json!({"metadata": {"name": "b"}}),
        ];
        assert_eq!(
            sort_by(&mut items, ".spec.x").unwrap_err().to_string(),
            "couldn't find any field with path \"{.spec.x}\" in the list of objects"
        );
        // As kubectl 1.33 `get --sort-by` over 0.0, 1.5 and 3.0: integral floats are int64.
        let mut mixed = vec![json!({"v": 0.0}), json!({"v": 1.5}), json!({"v": 3.0})];
        assert!(sort_by(&mut mixed, ".v")
            .unwrap_err()
            .to_string()
            .contains("unsortable"));
        let mut maps = vec![json!({"v": {}}), json!({"v": {}})];
        assert!(sort_by(&mut maps, ".v").is_err());
        assert!(sort_by(&mut [], ".v").is_ok());
    }

    #[test]
    fn table_rows() {
        let mut t = json!({"kind": "Table", "rows": [
            {"cells": ["b"], "object": {"metadata": {"name": "b"}}},
            {"cells": ["a"], "object": {"metadata": {"name": "a"}}}
        ]});
        sort_table_rows(&mut t, ".metadata.name").unwrap();
        assert_eq!(t["rows"][0]["cells"][0], "a");
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("100m"), Some(0.1));
        assert_eq!(parse_quantity("1Ki"), Some(1024.0));
        assert_eq!(parse_quantity("2e3"), Some(2000.0));
        assert_eq!(parse_quantity("-1.5"), Some(-1.5));
        assert_eq!(parse_quantity("abc"), None);
        assert_eq!(parse_quantity("1x"), None);
        assert_eq!(parse_quantity("."), None);
    }
}
