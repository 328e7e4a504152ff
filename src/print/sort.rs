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
        let mut first_err: Option<String> = None;
        let mut less = |a: usize, b: usize| -> bool {
            match (&keys[a], &keys[b]) {
                (None, None) => false,
                (None, _) => true,
                (_, None) => false,
                (Some(x), Some(y)) => is_less(x, y).unwrap_or_else(|e| {
                    first_err.get_or_insert(e);
                    false
                }),
            }
        };
        // A hand-written stable merge sort: kubectl's mixed quantity/string order need not be
        // total, and std's sort may panic on such comparators.
        let order = merge_sort((0..keys.len()).collect(), &mut less);
        match first_err {
            Some(e) => Err(PrintError::Template(format!(
                "Field {field} in *unstructured.Unstructured is an unsortable type: interface, err: {e}"
            ))),
            None => Ok(order),
        }
    }
}

fn merge_sort(v: Vec<usize>, less: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    if v.len() <= 1 {
        return v;
    }
    let mut left = v;
    let right = left.split_off(left.len() / 2);
    let left = merge_sort(left, less);
    let right = merge_sort(right, less);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        // Take from the right only when strictly less, which keeps the sort stable.
        if less(right[j], left[i]) {
            out.push(right[j]);
            j += 1;
        } else {
            out.push(left[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
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
