//! HorizontalPodAutoscalers as kube-apiserver v1.36 serves them: stored as `autoscaling/v2`,
//! served as v2 and v1 with the conversion of `pkg/apis/autoscaling/v1/conversion.go` (v1's
//! `targetCPUUtilizationPercentage` is the v2 resource metric `cpu` with a Utilization
//! target; what v1 cannot express travels in the `autoscaling.alpha.kubernetes.io/*`
//! annotations), v2's defaults (`pkg/apis/autoscaling/v2/defaults.go`), the validation of
//! `pkg/apis/autoscaling/validation` and the server-side printer's columns.

use chrono::{DateTime, Utc};
use kcore::patch::to_go_json;
use serde_json::{json, Map, Value};

use crate::tables::{age, at, col, i, name, s, Col, NAME};
use crate::validation::Cause;

/// Spec metrics v1 cannot express (everything but the CPU utilization target).
pub const METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/metrics";
/// The status's current metrics.
pub const CURRENT_METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
/// The status's conditions.
pub const CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";
/// The spec's behavior (the internal type, marshalled without JSON tags).
pub const BEHAVIOR_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/behavior";
const ROUND_TRIP: [&str; 4] = [
    METRICS_ANNOTATION,
    BEHAVIOR_ANNOTATION,
    CURRENT_METRICS_ANNOTATION,
    CONDITIONS_ANNOTATION,
];

/// The CPU utilization v1 implies when no metric is given.
const DEFAULT_CPU_UTILIZATION: i64 = 80;

/// Whether `group/resource` is the HorizontalPodAutoscaler.
pub fn is_hpa(group: &str, resource: &str) -> bool {
    group == "autoscaling" && resource == "horizontalpodautoscalers"
}

// ---------------------------------------------------------------------------------------
// Go-ordered JSON text (the annotations hold `json.Marshal` of typed structs).

/// One struct: fields in Go order, each value already JSON text; None = omitted.
fn obj_text<K: AsRef<str>>(fields: &[(K, Option<String>)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{}:{v}", json!(k.as_ref()))))
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn opt(v: Option<&Value>) -> Option<String> {
    v.filter(|v| !v.is_null()).map(to_go_json)
}

/// A non-pointer string field (always written, "" when absent).
fn always_str(v: Option<&Value>) -> Option<String> {
    Some(to_go_json(&json!(v
        .and_then(Value::as_str)
        .unwrap_or_default())))
}

/// A non-pointer Quantity (always written, "0" when absent).
fn quantity(v: Option<&Value>) -> Option<String> {
    Some(match v.filter(|v| !v.is_null()) {
        Some(q) => to_go_json(q),
        None => "\"0\"".to_string(),
    })
}

/// The spec fields v1 and v2 share: the scale target and the replica bounds.
fn target_and_bounds(spec: &Value, max_replicas: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "scaleTargetRef".into(),
        scale_target_ref(&spec["scaleTargetRef"]),
    );
    if !spec["minReplicas"].is_null() {
        m.insert("minReplicas".into(), spec["minReplicas"].clone());
    }
    m.insert("maxReplicas".into(), max_replicas);
    m
}

fn cross_ref_text(r: Option<&Value>) -> String {
    let r = r.cloned().unwrap_or(Value::Null);
    obj_text(&[
        ("kind", always_str(r.get("kind"))),
        ("name", always_str(r.get("name"))),
        (
            "apiVersion",
            r.get("apiVersion")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| to_go_json(&json!(s))),
        ),
    ])
}

/// Which half of a metric: the spec's `MetricSpec` (targets) or the status's `MetricStatus`
/// (current values). Both versions give the two halves the same shape but for the field
/// names and that some quantities v1's spec holds as pointers are values in its status.
#[derive(Clone, Copy, PartialEq)]
enum Half {
    Spec,
    Status,
}

impl Half {
    /// v2's name for the measured values (`target`/`current`), v1's prefix of them.
    fn key(self) -> &'static str {
        match self {
            Half::Spec => "target",
            Half::Status => "current",
        }
    }

    /// v1's name of a measured field: `Value` → `targetValue`/`currentValue`.
    fn v1_field(self, field: &str) -> String {
        format!("{}{field}", self.key())
    }

    /// A quantity that is a pointer in the spec (omitted when absent) and a value in the
    /// status (written as "0" when absent).
    fn spec_optional_text(self, v: Option<&Value>) -> Option<String> {
        match self {
            Half::Spec => opt(v),
            Half::Status => quantity(v),
        }
    }

    /// The same quantity put into a v2 `MetricTarget`/`MetricValueStatus`.
    fn put_spec_optional(self, m: &mut Map<String, Value>, k: &str, v: Option<&Value>) {
        match self {
            Half::Spec => put(m, k, v),
            Half::Status => {
                m.insert(k.into(), v.cloned().unwrap_or(json!("0")));
            }
        }
    }
}

/// A v2 MetricSpec or MetricStatus as v1's JSON.
fn v1_metric_text(m: &Value, half: Half) -> String {
    let g = |p: &str| at(m, p);
    // v2's `<target|current>.<field>`, which v1 names `<target|current><Field>`.
    let v2 = |src: &Value, field: &str| at(src, &format!("/{}/{field}", half.key())).cloned();
    let f = |field: &str| half.v1_field(field);
    let object = g("/object").map(|o| {
        obj_text(&[
            ("target", Some(cross_ref_text(o.get("describedObject")))),
            ("metricName", always_str(at(o, "/metric/name"))),
            (&f("Value"), quantity(v2(o, "value").as_ref())),
            ("selector", opt(at(o, "/metric/selector"))),
            ("averageValue", opt(v2(o, "averageValue").as_ref())),
        ])
    });
    let pods = g("/pods").map(|p| {
        obj_text(&[
            ("metricName", always_str(at(p, "/metric/name"))),
            (&f("AverageValue"), quantity(v2(p, "averageValue").as_ref())),
            ("selector", opt(at(p, "/metric/selector"))),
        ])
    });
    // ResourceMetricSource/Status, and ContainerResourceMetricSource/Status after them.
    let resource = |r: &Value, container: bool| {
        obj_text(&[
            ("name", always_str(r.get("name"))),
            (
                &f("AverageUtilization"),
                opt(v2(r, "averageUtilization").as_ref()),
            ),
            (
                &f("AverageValue"),
                half.spec_optional_text(v2(r, "averageValue").as_ref()),
            ),
            (
                "container",
                container.then(|| always_str(r.get("container"))).flatten(),
            ),
        ])
    };
    let external = g("/external").map(|e| {
        obj_text(&[
            ("metricName", always_str(at(e, "/metric/name"))),
            ("metricSelector", opt(at(e, "/metric/selector"))),
            (
                &f("Value"),
                half.spec_optional_text(v2(e, "value").as_ref()),
            ),
            (&f("AverageValue"), opt(v2(e, "averageValue").as_ref())),
        ])
    });
    obj_text(&[
        ("type", always_str(m.get("type"))),
        ("object", object),
        ("pods", pods),
        ("resource", g("/resource").map(|r| resource(r, false))),
        (
            "containerResource",
            g("/containerResource").map(|r| resource(r, true)),
        ),
        ("external", external),
    ])
}

fn condition_text(c: &Value) -> String {
    let nonempty = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| to_go_json(&json!(s)))
    };
    obj_text(&[
        ("type", always_str(c.get("type"))),
        ("status", always_str(c.get("status"))),
        // metav1.Time marshals a zero time as null (omitempty does not apply to structs).
        (
            "lastTransitionTime",
            Some(opt(c.get("lastTransitionTime")).unwrap_or_else(|| "null".into())),
        ),
        ("reason", nonempty("reason")),
        ("message", nonempty("message")),
    ])
}

/// The internal behavior type marshalled as is: Go field names, every field written.
fn behavior_text(b: &Value) -> String {
    let rules = |r: Option<&Value>| -> String {
        let Some(r) = r.filter(|r| r.is_object()) else {
            return "null".into();
        };
        let policies = match r.get("policies").and_then(Value::as_array) {
            Some(ps) => {
                let items: Vec<String> = ps
                    .iter()
                    .map(|p| {
                        obj_text(&[
                            ("Type", always_str(p.get("type"))),
                            (
                                "Value",
                                Some(to_go_json(p.get("value").unwrap_or(&json!(0)))),
                            ),
                            (
                                "PeriodSeconds",
                                Some(to_go_json(p.get("periodSeconds").unwrap_or(&json!(0)))),
                            ),
                        ])
                    })
                    .collect();
                format!("[{}]", items.join(","))
            }
            None => "null".into(),
        };
        obj_text(&[
            (
                "StabilizationWindowSeconds",
                Some(opt(r.get("stabilizationWindowSeconds")).unwrap_or_else(|| "null".into())),
            ),
            (
                "SelectPolicy",
                Some(opt(r.get("selectPolicy")).unwrap_or_else(|| "null".into())),
            ),
            ("Policies", Some(policies)),
            (
                "Tolerance",
                Some(opt(r.get("tolerance")).unwrap_or_else(|| "null".into())),
            ),
        ])
    };
    obj_text(&[
        ("ScaleUp", Some(rules(b.get("scaleUp")))),
        ("ScaleDown", Some(rules(b.get("scaleDown")))),
    ])
}

// ---------------------------------------------------------------------------------------
// Conversion

fn is_cpu_utilization(m: &Value) -> bool {
    m["type"] == "Resource"
        && m["resource"].is_object()
        && m["resource"]["name"] == "cpu"
        && !m["resource"]["target"]["averageUtilization"].is_null()
}

/// The stored (v2) object as autoscaling/v1 serves it.
pub fn v2_to_v1(obj: &Value) -> Value {
    let mut out = Map::new();
    out.insert("kind".into(), json!("HorizontalPodAutoscaler"));
    out.insert("apiVersion".into(), json!("autoscaling/v1"));
    let mut meta = obj["metadata"].as_object().cloned().unwrap_or_default();
    let mut annotations = meta
        .get("annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for a in ROUND_TRIP {
        annotations.remove(a);
    }
    let spec = &obj["spec"];
    let status = &obj["status"];
    let metrics = spec["metrics"].as_array().cloned().unwrap_or_default();
    let other: Vec<String> = metrics
        .iter()
        .filter(|m| !is_cpu_utilization(m))
        .map(|m| v1_metric_text(m, Half::Spec))
        .collect();
    if !other.is_empty() {
        annotations.insert(
            METRICS_ANNOTATION.into(),
            json!(format!("[{}]", other.join(","))),
        );
    }
    let current = status["currentMetrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !current.is_empty() {
        let items: Vec<String> = current
            .iter()
            .map(|m| v1_metric_text(m, Half::Status))
            .collect();
        annotations.insert(
            CURRENT_METRICS_ANNOTATION.into(),
            json!(format!("[{}]", items.join(","))),
        );
    }
    if spec["behavior"].is_object() {
        annotations.insert(
            BEHAVIOR_ANNOTATION.into(),
            json!(behavior_text(&spec["behavior"])),
        );
    }
    let conditions = status["conditions"].as_array().cloned().unwrap_or_default();
    if !conditions.is_empty() {
        let items: Vec<String> = conditions.iter().map(condition_text).collect();
        annotations.insert(
            CONDITIONS_ANNOTATION.into(),
            json!(format!("[{}]", items.join(","))),
        );
    }
    if annotations.is_empty() {
        meta.remove("annotations");
    } else {
        meta.insert("annotations".into(), Value::Object(annotations));
    }
    out.insert("metadata".into(), Value::Object(meta));

    let max = json!(spec["maxReplicas"].as_i64().unwrap_or(0));
    let mut v1spec = target_and_bounds(spec, max);
    // The first cpu resource metric decides (a value target leaves the percentage unset).
    if let Some(m) = metrics
        .iter()
        .find(|m| m["type"] == "Resource" && m["resource"]["name"] == "cpu")
    {
        let u = &m["resource"]["target"]["averageUtilization"];
        if !u.is_null() {
            v1spec.insert("targetCPUUtilizationPercentage".into(), u.clone());
        }
    }
    out.insert("spec".into(), Value::Object(v1spec));

    let mut v1status = Map::new();
    for k in ["observedGeneration", "lastScaleTime"] {
        if !status[k].is_null() {
            v1status.insert(k.into(), status[k].clone());
        }
    }
    v1status.insert(
        "currentReplicas".into(),
        json!(status["currentReplicas"].as_i64().unwrap_or(0)),
    );
    v1status.insert(
        "desiredReplicas".into(),
        json!(status["desiredReplicas"].as_i64().unwrap_or(0)),
    );
    // The last cpu utilization among the current metrics.
    for m in &current {
        if m["type"] == "Resource" && m["resource"]["name"] == "cpu" {
            let u = &m["resource"]["current"]["averageUtilization"];
            if !u.is_null() {
                v1status.insert("currentCPUUtilizationPercentage".into(), u.clone());
            }
        }
    }
    out.insert("status".into(), Value::Object(v1status));
    Value::Object(out)
}

fn scale_target_ref(r: &Value) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(r["kind"].as_str().unwrap_or_default()));
    m.insert("name".into(), json!(r["name"].as_str().unwrap_or_default()));
    if let Some(av) = r["apiVersion"].as_str().filter(|s| !s.is_empty()) {
        m.insert("apiVersion".into(), json!(av));
    }
    Value::Object(m)
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<&Value>) {
    if let Some(v) = v.filter(|v| !v.is_null()) {
        m.insert(k.into(), v.clone());
    }
}

fn described(target: Option<&Value>) -> Value {
    scale_target_ref(target.unwrap_or(&Value::Null))
}

fn identifier(name: Option<&Value>, selector: Option<&Value>) -> Value {
    let mut m = Map::new();
    m.insert(
        "name".into(),
        json!(name.and_then(Value::as_str).unwrap_or_default()),
    );
    put(&mut m, "selector", selector);
    Value::Object(m)
}

/// A v1 MetricSpec or MetricStatus (from the annotations) as v2.
fn v2_metric(m: &Value, half: Half) -> Value {
    let f = |src: &Value, field: &str| src.get(half.v1_field(field)).cloned();
    // A v2 target names its type; a current value has none.
    let measured = |mut values: Map<String, Value>, ty: &str| {
        if half == Half::Spec {
            values.insert("type".into(), json!(ty));
        }
        Value::Object(values)
    };
    let mut out = Map::new();
    out.insert("type".into(), m.get("type").cloned().unwrap_or(json!("")));
    if let Some(o) = m.get("object").filter(|v| v.is_object()) {
        let ty = if o.get("averageValue").is_none_or(Value::is_null) {
            "Value"
        } else {
            "AverageValue"
        };
        let mut values = Map::new();
        values.insert("value".into(), f(o, "Value").unwrap_or(json!("0")));
        put(&mut values, "averageValue", o.get("averageValue"));
        out.insert(
            "object".into(),
            json!({"describedObject": described(o.get("target")),
                half.key(): measured(values, ty),
                "metric": identifier(o.get("metricName"), o.get("selector"))}),
        );
    }
    if let Some(p) = m.get("pods").filter(|v| v.is_object()) {
        let mut values = Map::new();
        values.insert(
            "averageValue".into(),
            f(p, "AverageValue").unwrap_or(json!("0")),
        );
        out.insert(
            "pods".into(),
            json!({"metric": identifier(p.get("metricName"), p.get("selector")),
                half.key(): measured(values, "AverageValue")}),
        );
    }
    for key in ["resource", "containerResource"] {
        if let Some(r) = m.get(key).filter(|v| v.is_object()) {
            let util = f(r, "AverageUtilization").filter(|v| !v.is_null());
            let ty = if util.is_none() {
                "AverageValue"
            } else {
                "Utilization"
            };
            let mut values = Map::new();
            half.put_spec_optional(&mut values, "averageValue", f(r, "AverageValue").as_ref());
            put(&mut values, "averageUtilization", util.as_ref());
            let mut src = Map::new();
            src.insert("name".into(), r.get("name").cloned().unwrap_or(json!("")));
            src.insert(half.key().into(), measured(values, ty));
            if key == "containerResource" {
                src.insert(
                    "container".into(),
                    r.get("container").cloned().unwrap_or(json!("")),
                );
            }
            out.insert(key.into(), Value::Object(src));
        }
    }
    if let Some(e) = m.get("external").filter(|v| v.is_object()) {
        let value = f(e, "Value");
        let ty = if value.as_ref().is_none_or(Value::is_null) {
            "AverageValue"
        } else {
            "Value"
        };
        let mut values = Map::new();
        half.put_spec_optional(&mut values, "value", value.as_ref());
        put(&mut values, "averageValue", f(e, "AverageValue").as_ref());
        out.insert(
            "external".into(),
            json!({"metric": identifier(e.get("metricName"), e.get("metricSelector")),
                half.key(): measured(values, ty)}),
        );
    }
    Value::Object(out)
}

/// The behavior annotation back into v2 fields (only a well-formed, non-empty one).
fn behavior_from_text(s: &str) -> Option<Value> {
    let v: Value = serde_json::from_str(s).ok()?;
    let rules = |r: &Value| -> Option<Value> {
        if r.is_null() {
            return None;
        }
        let r = r.as_object()?;
        let mut out = Map::new();
        put(
            &mut out,
            "stabilizationWindowSeconds",
            r.get("StabilizationWindowSeconds"),
        );
        put(&mut out, "selectPolicy", r.get("SelectPolicy"));
        if let Some(ps) = r.get("Policies").and_then(Value::as_array) {
            let ps: Vec<Value> = ps
                .iter()
                .map(|p| {
                    json!({"type": p.get("Type").cloned().unwrap_or(json!("")),
                        "value": p.get("Value").cloned().unwrap_or(json!(0)),
                        "periodSeconds": p.get("PeriodSeconds").cloned().unwrap_or(json!(0))})
                })
                .collect();
            out.insert("policies".into(), json!(ps));
        }
        put(&mut out, "tolerance", r.get("Tolerance"));
        Some(Value::Object(out))
    };
    let obj = v.as_object()?;
    let mut out = Map::new();
    if let Some(up) = obj.get("ScaleUp").and_then(rules) {
        out.insert("scaleUp".into(), up);
    }
    if let Some(down) = obj.get("ScaleDown").and_then(rules) {
        out.insert("scaleDown".into(), down);
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

fn parse_list(s: Option<&str>) -> Option<Vec<Value>> {
    serde_json::from_str::<Vec<Value>>(s?).ok()
}

/// An autoscaling/v1 object (a request body) in its stored v2 form.
pub fn v1_to_v2(obj: &Value) -> Value {
    let mut out = obj.as_object().cloned().unwrap_or_default();
    out.insert("apiVersion".into(), json!("autoscaling/v2"));
    let mut meta = obj["metadata"].as_object().cloned().unwrap_or_default();
    let annotations = meta
        .get("annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let ann = |k: &str| annotations.get(k).and_then(Value::as_str);
    let spec = &obj["spec"];
    let mut v2spec = Map::new();
    if !spec.is_null() {
        let max = spec.get("maxReplicas").cloned().unwrap_or(json!(0));
        v2spec = target_and_bounds(spec, max);
    }
    let mut metrics: Vec<Value> = Vec::new();
    if let Some(other) = ann(METRICS_ANNOTATION).and_then(|s| parse_list(Some(s))) {
        metrics.extend(other.iter().map(|m| v2_metric(m, Half::Spec)));
    }
    if let Some(u) = spec
        .get("targetCPUUtilizationPercentage")
        .filter(|v| !v.is_null())
    {
        metrics.push(json!({"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": u}}}));
    }
    if metrics.is_empty() {
        metrics.push(json!({"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}));
    }
    v2spec.insert("metrics".into(), json!(metrics));
    if let Some(b) = ann(BEHAVIOR_ANNOTATION).and_then(behavior_from_text) {
        v2spec.insert("behavior".into(), b);
    }
    out.insert("spec".into(), Value::Object(v2spec));

    let status = &obj["status"];
    let mut v2status = Map::new();
    for k in ["observedGeneration", "lastScaleTime"] {
        put(&mut v2status, k, status.get(k));
    }
    put(
        &mut v2status,
        "currentReplicas",
        status.get("currentReplicas"),
    );
    put(
        &mut v2status,
        "desiredReplicas",
        status.get("desiredReplicas"),
    );
    if let Some(u) = status
        .get("currentCPUUtilizationPercentage")
        .filter(|v| !v.is_null())
    {
        v2status.insert(
            "currentMetrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu",
                "current": {"averageUtilization": u}}}]),
        );
    }
    if let Some(cur) = ann(CURRENT_METRICS_ANNOTATION).and_then(|s| parse_list(Some(s))) {
        v2status.insert(
            "currentMetrics".into(),
            json!(cur
                .iter()
                .map(|m| v2_metric(m, Half::Status))
                .collect::<Vec<_>>()),
        );
    }
    if let Some(conds) = ann(CONDITIONS_ANNOTATION).and_then(|s| parse_list(Some(s))) {
        v2status.insert("conditions".into(), json!(conds));
    }
    if !status.is_null() || !v2status.is_empty() {
        out.insert("status".into(), Value::Object(v2status));
    }
    let mut annotations = annotations;
    for a in ROUND_TRIP {
        annotations.remove(a);
    }
    if annotations.is_empty() {
        meta.remove("annotations");
    } else {
        meta.insert("annotations".into(), Value::Object(annotations));
    }
    out.insert("metadata".into(), Value::Object(meta));
    Value::Object(out)
}

/// The stored object as autoscaling/v2 serves it: the fields Go always writes.
pub fn served_v2(obj: &Value) -> Value {
    let mut out = obj.clone();
    if let Some(spec) = out.get_mut("spec").and_then(Value::as_object_mut) {
        let r = scale_target_ref(spec.get("scaleTargetRef").unwrap_or(&Value::Null));
        spec.insert("scaleTargetRef".into(), r);
        spec.entry("maxReplicas").or_insert(json!(0));
    }
    if let Some(st) = out.get_mut("status").and_then(Value::as_object_mut) {
        st.entry("desiredReplicas").or_insert(json!(0));
        st.entry("currentMetrics").or_insert(Value::Null);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Defaults (autoscaling/v2 `SetDefaults_HorizontalPodAutoscaler`)

fn default_rules(r: Option<&Value>, up: bool) -> Value {
    let mut m = r.and_then(Value::as_object).cloned().unwrap_or_default();
    if m.get("stabilizationWindowSeconds")
        .is_none_or(Value::is_null)
    {
        m.insert(
            "stabilizationWindowSeconds".into(),
            json!(if up { 0 } else { 300 }),
        );
    }
    if m.get("selectPolicy").is_none_or(Value::is_null) {
        m.insert("selectPolicy".into(), json!("Max"));
    }
    if m.get("policies").is_none_or(Value::is_null) {
        let policies = if up {
            json!([{"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15}])
        } else {
            json!([{"type": "Percent", "value": 100, "periodSeconds": 15}])
        };
        m.insert("policies".into(), policies);
    }
    Value::Object(m)
}

/// minReplicas 1, the 80% CPU metric when none is given, and the behavior's missing rules.
pub fn apply_defaults(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if spec.get("minReplicas").is_none_or(Value::is_null) {
        spec.insert("minReplicas".into(), json!(1));
    }
    if spec
        .get("metrics")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        spec.insert(
            "metrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]),
        );
    }
    if let Some(b) = spec.get_mut("behavior").and_then(Value::as_object_mut) {
        let up = default_rules(b.get("scaleUp"), true);
        let down = default_rules(b.get("scaleDown"), false);
        b.insert("scaleUp".into(), up);
        b.insert("scaleDown".into(), down);
    }
}

// ---------------------------------------------------------------------------------------
// Validation (`ValidateHorizontalPodAutoscaler`'s spec part)

const METRIC_SOURCE_TYPES: [&str; 5] = [
    "ContainerResource",
    "External",
    "Object",
    "Pods",
    "Resource",
];

/// apimachinery's `IsValidPathSegmentName`.
fn path_segment_errors(s: &str) -> Vec<String> {
    if s == "." || s == ".." {
        return vec![format!("may not be '{s}'")];
    }
    let mut out = vec![];
    for bad in ["/", "%"] {
        if s.contains(bad) {
            out.push(format!("may not contain '{bad}'"));
        }
    }
    out
}

fn quantity_sign(v: &Value) -> i32 {
    let t = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return 0,
    };
    if t.starts_with('-') {
        return -1;
    }
    let digits: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '+')
        .collect();
    if digits.chars().any(|c| c.is_ascii_digit() && c != '0') {
        1
    } else {
        0
    }
}

fn validate_target(t: &Value, path: &str, out: &mut Vec<Cause>) {
    let ty = t["type"].as_str().unwrap_or_default();
    if ty.is_empty() {
        out.push(crate::validation::required(
            &format!("{path}.type"),
            "must specify a metric target type",
        ));
    }
    if !matches!(ty, "Utilization" | "Value" | "AverageValue") {
        out.push(crate::validation::invalid(
            &format!("{path}.type"),
            &json!(ty),
            "must be either Utilization, Value, or AverageValue",
        ));
    }
    for k in ["value", "averageValue"] {
        if let Some(v) = t.get(k).filter(|v| !v.is_null()) {
            if quantity_sign(v) != 1 {
                out.push(crate::validation::invalid(
                    &format!("{path}.{k}"),
                    v,
                    "must be positive",
                ));
            }
        }
    }
    if let Some(u) = t.get("averageUtilization").and_then(Value::as_i64) {
        if u < 1 {
            out.push(crate::validation::invalid(
                &format!("{path}.averageUtilization"),
                &json!(u),
                "must be greater than 0",
            ));
        }
    }
}

fn validate_resource_source(src: &Value, path: &str, out: &mut Vec<Cause>) {
    if src["name"].as_str().unwrap_or_default().is_empty() {
        out.push(crate::validation::required(
            &format!("{path}.name"),
            "must specify a resource name",
        ));
    }
    let target = &src["target"];
    validate_target(target, &format!("{path}.target"), out);
    let util = !target["averageUtilization"].is_null();
    let avg = !target["averageValue"].is_null();
    if !util && !avg {
        out.push(crate::validation::required(
            &format!("{path}.target.averageUtilization"),
            "must set either a target raw value or a target utilization",
        ));
    }
    if util && avg {
        out.push(crate::validation::forbidden(
            &format!("{path}.target.averageValue"),
            "may not set both a target raw value and a target utilization",
        ));
    }
}

fn validate_metric(m: &Value, path: &str, out: &mut Vec<Cause>) {
    let ty = m["type"].as_str().unwrap_or_default();
    if ty.is_empty() {
        out.push(crate::validation::required(
            &format!("{path}.type"),
            "must specify a metric source type",
        ));
    }
    if !METRIC_SOURCE_TYPES.contains(&ty) {
        out.push(crate::validation::not_supported(
            &format!("{path}.type"),
            &json!(ty),
            &METRIC_SOURCE_TYPES,
        ));
    }
    let present: Vec<&str> = [
        "object",
        "external",
        "pods",
        "resource",
        "containerResource",
    ]
    .into_iter()
    .filter(|k| m[*k].is_object())
    .collect();
    if present.len() == 1 {
        match present[0] {
            "resource" | "containerResource" => {
                validate_resource_source(&m[present[0]], &format!("{path}.{}", present[0]), out)
            }
            f => validate_target(&m[f]["target"], &format!("{path}.{f}.target"), out),
        }
    }
    let expected = match ty {
        "Object" => "object",
        "Pods" => "pods",
        "Resource" => "resource",
        "External" => "external",
        "ContainerResource" => "containerResource",
        _ => {
            out.push(crate::validation::not_supported(
                &format!("{path}.type"),
                &json!(ty),
                &METRIC_SOURCE_TYPES,
            ));
            ""
        }
    };
    if !expected.is_empty() && !m[expected].is_object() {
        out.push(crate::validation::required(
            &format!("{path}.{expected}"),
            "must populate information for the given metric source",
        ));
    }
    if present.len() > 1 {
        let mut others: Vec<&str> = present.into_iter().filter(|p| *p != expected).collect();
        others.sort_unstable();
        for o in others {
            out.push(crate::validation::forbidden(
                &format!("{path}.{o}"),
                "must populate the given metric source only",
            ));
        }
    }
}

/// The spec checks of `validateHorizontalPodAutoscalerSpec` (scale to zero off).
pub fn validate(obj: &Value, out: &mut Vec<Cause>) {
    let spec = &obj["spec"];
    let min = spec["minReplicas"].as_i64();
    let max = spec["maxReplicas"].as_i64().unwrap_or(0);
    if let Some(m) = min.filter(|m| *m < 1) {
        out.push(crate::validation::invalid(
            "spec.minReplicas",
            &json!(m),
            "must be greater than or equal to 1",
        ));
    }
    if max < 1 {
        out.push(crate::validation::invalid(
            "spec.maxReplicas",
            &json!(max),
            "must be greater than 0",
        ));
    }
    if min.is_some_and(|m| max < m) {
        out.push(crate::validation::invalid(
            "spec.maxReplicas",
            &json!(max),
            "must be greater than or equal to `minReplicas`",
        ));
    }
    let r = &spec["scaleTargetRef"];
    for k in ["kind", "name"] {
        let v = r[k].as_str().unwrap_or_default();
        let field = format!("spec.scaleTargetRef.{k}");
        if v.is_empty() {
            out.push(crate::validation::required(&field, ""));
        } else {
            for msg in path_segment_errors(v) {
                out.push(crate::validation::invalid(&field, &json!(v), &msg));
            }
        }
    }
    for (idx, m) in spec["metrics"].as_array().into_iter().flatten().enumerate() {
        validate_metric(m, &format!("spec.metrics[{idx}]"), out);
    }
}

// ---------------------------------------------------------------------------------------
// Server-side printing

/// kube-apiserver's HorizontalPodAutoscaler columns.
pub(crate) const COLUMNS: &[Col] = &[
    NAME,
    col("Reference", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
    col("Targets", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization."),
    col("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available."),
    col("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
    col("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
    crate::tables::AGE,
];

fn q(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".into(),
    }
}

/// `formatHPAMetrics`: at most two targets, then ` + N more...`.
fn format_metrics(specs: &[Value], statuses: &[Value]) -> String {
    if specs.is_empty() {
        return "<none>".into();
    }
    let mut list = Vec::new();
    for (idx, spec) in specs.iter().enumerate() {
        let status = statuses.get(idx);
        let st = |k: &str| status.and_then(|s| s.get(k)).filter(|v| v.is_object());
        let entry = match spec["type"].as_str().unwrap_or_default() {
            t @ ("External" | "Object") => {
                let key = if t == "External" {
                    "external"
                } else {
                    "object"
                };
                let target = &spec[key]["target"];
                if !target["averageValue"].is_null() {
                    let current = st(key)
                        .and_then(|s| at(s, "/current/averageValue"))
                        .filter(|v| !v.is_null())
                        .map(|v| q(Some(v)))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{current}/{} (avg)", q(target.get("averageValue")))
                } else {
                    let current = st(key)
                        .map(|s| q(at(s, "/current/value")))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{current}/{}", q(target.get("value")))
                }
            }
            "Pods" => {
                let current = st("pods")
                    .map(|s| q(at(s, "/current/averageValue")))
                    .unwrap_or_else(|| "<unknown>".into());
                format!("{current}/{}", q(at(spec, "/pods/target/averageValue")))
            }
            t @ ("Resource" | "ContainerResource") => {
                let key = if t == "Resource" {
                    "resource"
                } else {
                    "containerResource"
                };
                let src = &spec[key];
                let res = src["name"].as_str().unwrap_or_default();
                if !src["target"]["averageValue"].is_null() {
                    let current = st(key)
                        .map(|s| q(at(s, "/current/averageValue")))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{res}: {current}/{}", q(src["target"].get("averageValue")))
                } else {
                    let current = st(key)
                        .and_then(|s| at(s, "/current/averageUtilization"))
                        .and_then(Value::as_i64)
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<unknown>".into());
                    let target = src["target"]["averageUtilization"]
                        .as_i64()
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<auto>".into());
                    format!("{res}: {current}/{target}")
                }
            }
            _ => "<unknown type>".into(),
        };
        list.push(entry);
    }
    let count = list.len();
    if count > 2 {
        list.truncate(2);
        return format!("{} + {} more...", list.join(", "), count - 2);
    }
    list.join(", ")
}

/// One row; `hpa` in either version (a v1 object is converted first).
pub(crate) fn print(hpa: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let converted;
    let hpa = if hpa["apiVersion"] == "autoscaling/v1" {
        converted = v1_to_v2(hpa);
        &converted
    } else {
        hpa
    };
    let reference = format!(
        "{}/{}",
        s(hpa, "/spec/scaleTargetRef/kind"),
        s(hpa, "/spec/scaleTargetRef/name")
    );
    let specs = hpa["spec"]["metrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let statuses = hpa["status"]["currentMetrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let min = match at(hpa, "/spec/minReplicas").and_then(Value::as_i64) {
        Some(m) => m.to_string(),
        None => "<unset>".into(),
    };
    vec![
        name(hpa),
        json!(reference),
        json!(format_metrics(&specs, &statuses)),
        json!(min),
        json!(i(hpa, "/spec/maxReplicas")),
        json!(i(hpa, "/status/currentReplicas")),
        age(hpa, now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1_hpa() -> Value {
        json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "maxReplicas": 5, "targetCPUUtilizationPercentage": 50}})
    }

    #[test]
    fn v1_cpu_target_is_a_v2_resource_metric() {
        let v2 = v1_to_v2(&v1_hpa());
        assert_eq!(v2["apiVersion"], "autoscaling/v2");
        assert_eq!(
            v2["spec"]["metrics"],
            json!([{"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 50}}}])
        );
        assert!(v2["spec"].get("targetCPUUtilizationPercentage").is_none());
        let back = v2_to_v1(&v2);
        assert_eq!(back["spec"]["targetCPUUtilizationPercentage"], 50);
        assert!(back["metadata"].get("annotations").is_none());
        assert_eq!(
            back["status"],
            json!({"currentReplicas": 0, "desiredReplicas": 0})
        );
    }

    #[test]
    fn v1_without_target_gets_the_default_80_percent() {
        let mut v1 = v1_hpa();
        v1["spec"]
            .as_object_mut()
            .unwrap()
            .remove("targetCPUUtilizationPercentage");
        let v2 = v1_to_v2(&v1);
        assert_eq!(
            v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            80
        );
    }

    #[test]
    fn what_v1_cannot_express_travels_in_annotations() {
        let mut v2 = v1_to_v2(&v1_hpa());
        v2["spec"]["metrics"] = json!([
            {"type": "Resource", "resource": {"name": "memory",
                "target": {"type": "AverageValue", "averageValue": "200Mi"}}},
            {"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 60}}}]);
        v2["spec"]["behavior"] = json!({"scaleDown": {"stabilizationWindowSeconds": 60}});
        apply_defaults(&mut v2);
        v2["status"] = json!({"currentReplicas": 2, "desiredReplicas": 3,
            "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu",
                "current": {"averageValue": "100m", "averageUtilization": 42}}}],
            "conditions": [{"type": "AbleToScale", "status": "True",
                "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "R"}]});
        let v1 = v2_to_v1(&v2);
        let ann = &v1["metadata"]["annotations"];
        assert_eq!(
            ann[METRICS_ANNOTATION],
            r#"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"200Mi"}}]"#
        );
        assert_eq!(
            ann[CURRENT_METRICS_ANNOTATION],
            r#"[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":42,"currentAverageValue":"100m"}}]"#
        );
        assert_eq!(
            ann[CONDITIONS_ANNOTATION],
            r#"[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z","reason":"R"}]"#
        );
        assert_eq!(
            ann[BEHAVIOR_ANNOTATION],
            r#"{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}],"Tolerance":null},"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}],"Tolerance":null}}"#
        );
        assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 60);
        assert_eq!(v1["status"]["currentCPUUtilizationPercentage"], 42);
        // And back: the annotations become fields again and disappear.
        let again = v1_to_v2(&v1);
        assert_eq!(again["spec"]["metrics"], v2["spec"]["metrics"]);
        assert_eq!(again["spec"]["behavior"], v2["spec"]["behavior"]);
        assert_eq!(again["status"]["conditions"], v2["status"]["conditions"]);
        assert_eq!(
            again["status"]["currentMetrics"],
            v2["status"]["currentMetrics"]
        );
        assert!(again["metadata"].get("annotations").is_none());
    }

    #[test]
    fn targets_column() {
        let now = Utc::now();
        let mut v2 = v1_to_v2(&v1_hpa());
        apply_defaults(&mut v2);
        let row = print(&v2, now);
        assert_eq!(row[1], "Deployment/web");
        assert_eq!(row[2], "cpu: <unknown>/50%");
        assert_eq!(
            (&row[3], &row[4], &row[5]),
            (&json!("1"), &json!(5), &json!(0))
        );
        let metrics: Vec<Value> = (0..3)
            .map(|_| json!({"type": "Pods", "pods": {"target": {"averageValue": "1k"}}}))
            .collect();
        assert_eq!(
            format_metrics(&metrics, &[]),
            "<unknown>/1k, <unknown>/1k + 1 more..."
        );
    }

    #[test]
    fn validation_messages() {
        let mut out = vec![];
        validate(
            &json!({"spec": {"scaleTargetRef": {"kind": "Deployment"}, "minReplicas": 3,
                "maxReplicas": 2, "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 0}}}]}}),
            &mut out,
        );
        let msgs: Vec<String> = out.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
                "spec.scaleTargetRef.name: Required value",
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
            ]
        );
    }

    /// Every kind of metric, in both halves, travels through v1's annotations and back.
    #[test]
    fn every_metric_kind_round_trips_through_v1() {
        let mut v2 = v1_to_v2(&v1_hpa());
        let sel = json!({"matchLabels": {"app": "web"}});
        v2["spec"]["metrics"] = json!([
            {"type": "Object", "object": {"describedObject": {"kind": "Service", "name": "web", "apiVersion": "v1"},
                "metric": {"name": "rps", "selector": sel}, "target": {"type": "AverageValue", "value": "0", "averageValue": "5"}}},
            {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}},
            {"type": "ContainerResource", "containerResource": {"name": "memory", "container": "app",
                "target": {"type": "Utilization", "averageUtilization": 70}}},
            {"type": "External", "external": {"metric": {"name": "queue", "selector": sel},
                "target": {"type": "Value", "value": "30"}}},
            {"type": "External", "external": {"metric": {"name": "lag"},
                "target": {"type": "AverageValue", "averageValue": "2"}}}]);
        apply_defaults(&mut v2);
        v2["status"] = json!({"currentReplicas": 1, "desiredReplicas": 1, "currentMetrics": [
            {"type": "Object", "object": {"describedObject": {"kind": "Service", "name": "web"},
                "metric": {"name": "rps"}, "current": {"value": "7"}}},
            {"type": "Pods", "pods": {"metric": {"name": "qps", "selector": sel}, "current": {"averageValue": "900"}}},
            {"type": "ContainerResource", "containerResource": {"name": "memory", "container": "app",
                "current": {"averageValue": "1Mi", "averageUtilization": 12}}},
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 3}}},
            {"type": "External", "external": {"metric": {"name": "queue"}, "current": {"averageValue": "4"}}}]});
        let v1 = v2_to_v1(&v2);
        let ann = &v1["metadata"]["annotations"];
        assert_eq!(ann[METRICS_ANNOTATION], SPEC_TEXT);
        assert_eq!(ann[CURRENT_METRICS_ANNOTATION], STATUS_TEXT);
        let again = v1_to_v2(&v1);
        assert_eq!(again["spec"]["metrics"], v2["spec"]["metrics"]);
        // v1's status quantities are values: what was absent comes back as "0".
        let status: Value = serde_json::from_str(STATUS_BACK).unwrap();
        assert_eq!(again["status"]["currentMetrics"], status);
    }

    const SPEC_TEXT: &str = r#"[{"type":"Object","object":{"target":{"kind":"Service","name":"web","apiVersion":"v1"},"metricName":"rps","targetValue":"0","selector":{"matchLabels":{"app":"web"}},"averageValue":"5"}},{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"1k"}},{"type":"ContainerResource","containerResource":{"name":"memory","targetAverageUtilization":70,"container":"app"}},{"type":"External","external":{"metricName":"queue","metricSelector":{"matchLabels":{"app":"web"}},"targetValue":"30"}},{"type":"External","external":{"metricName":"lag","targetAverageValue":"2"}}]"#;
    const STATUS_TEXT: &str = r#"[{"type":"Object","object":{"target":{"kind":"Service","name":"web"},"metricName":"rps","currentValue":"7"}},{"type":"Pods","pods":{"metricName":"qps","currentAverageValue":"900","selector":{"matchLabels":{"app":"web"}}}},{"type":"ContainerResource","containerResource":{"name":"memory","currentAverageUtilization":12,"currentAverageValue":"1Mi","container":"app"}},{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":3,"currentAverageValue":"0"}},{"type":"External","external":{"metricName":"queue","currentValue":"0","currentAverageValue":"4"}}]"#;
    const STATUS_BACK: &str = r#"[{"object":{"current":{"value":"7"},"describedObject":{"kind":"Service","name":"web"},"metric":{"name":"rps"}},"type":"Object"},{"pods":{"current":{"averageValue":"900"},"metric":{"name":"qps","selector":{"matchLabels":{"app":"web"}}}},"type":"Pods"},{"containerResource":{"container":"app","current":{"averageUtilization":12,"averageValue":"1Mi"},"name":"memory"},"type":"ContainerResource"},{"resource":{"current":{"averageUtilization":3,"averageValue":"0"},"name":"cpu"},"type":"Resource"},{"external":{"current":{"averageValue":"4","value":"0"},"metric":{"name":"queue"}},"type":"External"}]"#;
}
