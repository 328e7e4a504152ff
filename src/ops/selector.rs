//! metav1 `ParseToLabelSelector`: a label selector string as a `LabelSelector` object
//! (equality terms in `matchLabels`, the others in `matchExpressions` with sorted values),
//! what `create poddisruptionbudget --selector` builds.

use serde_json::{json, Map, Value};

use kcore::selectors::{LabelSelector, Operator};

/// The selector object for `expr`, or kubectl's error text.
pub fn parse_to_label_selector(expr: &str) -> Result<Value, String> {
    let parsed = LabelSelector::parse(expr)
        .map_err(|e| format!("couldn't parse the selector string \"{expr}\": {e}"))?;
    let mut labels = Map::new();
    let mut expressions = Vec::new();
    for r in &parsed.requirements {
        let op = match r.op {
            Operator::Equals | Operator::DoubleEquals => {
                labels.insert(r.key.clone(), Value::String(r.values.concat()));
                continue;
            }
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
            Operator::NotEquals => {
                return Err("\"!=\" is not a valid label selector operator".into())
            }
            Operator::GreaterThan => return Err("\"gt\" isn't supported in label selectors".into()),
            Operator::LessThan => return Err("\"lt\" isn't supported in label selectors".into()),
        };
        let mut values = r.values.clone();
        values.sort();
        let mut e = Map::new();
        e.insert("key".into(), json!(r.key));
        e.insert("operator".into(), json!(op));
        if !values.is_empty() {
            e.insert("values".into(), json!(values));
        }
        expressions.push(Value::Object(e));
    }
    let mut sel = Map::new();
    if !labels.is_empty() {
        sel.insert("matchLabels".into(), Value::Object(labels));
    }
    if !expressions.is_empty() {
        sel.insert("matchExpressions".into(), json!(expressions));
    }
    Ok(Value::Object(sel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_terms_are_match_labels() {
        assert_eq!(
            parse_to_label_selector("app=web,tier in (b,a),!gone").unwrap(),
            json!({"matchLabels": {"app": "web"}, "matchExpressions": [
                {"key": "gone", "operator": "DoesNotExist"},
                {"key": "tier", "operator": "In", "values": ["a", "b"]}]})
        );
        assert_eq!(
            parse_to_label_selector("a!=b").unwrap_err(),
            "\"!=\" is not a valid label selector operator"
        );
    }
}
