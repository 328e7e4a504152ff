//! `GET pods/NAME/log`: a container's log from the simulated runtime, with the API server's
//! container selection and the kubelet's checks and query options (follow, tailLines,
//! sinceSeconds, sinceTime, timestamps, previous, limitBytes, container).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::runtime::LogQuery;
use super::status::{ApiError, StatusCause};
use super::store::{GroupResource, Store};

fn names(pod: &Value, list: &str) -> Vec<String> {
    pod["spec"][list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect()
}

fn invalid(name: &str, field: &str, msg: String) -> ApiError {
    ApiError::invalid(
        "PodLogOptions",
        "",
        name,
        vec![StatusCause {
            reason: "FieldValueInvalid".into(),
            message: msg,
            field: field.into(),
        }],
    )
}

fn parse_bool(v: Option<&String>) -> bool {
    matches!(v.map(String::as_str), Some("true" | "1" | "True"))
}

/// Which container instance the request reads, as the kubelet decides it.
fn container_id(pod: &Value, pod_name: &str, c: &str, previous: bool) -> Result<String, ApiError> {
    let status = [
        "containerStatuses",
        "initContainerStatuses",
        "ephemeralContainerStatuses",
    ]
    .iter()
    .flat_map(|l| pod["status"][*l].as_array().cloned().unwrap_or_default())
    .find(|s| s["name"] == c);
    let Some(s) = status else {
        return Err(ApiError::bad_request(format!(
            "container {c:?} in pod {pod_name:?} is not available"
        )));
    };
    let id = |v: &Value| v["containerID"].as_str().unwrap_or_default().to_string();
    let last = &s["lastState"]["terminated"];
    let state = &s["state"];
    if previous {
        if !last.is_object() || id(last).is_empty() {
            return Err(ApiError::bad_request(format!(
                "previous terminated container {c:?} in pod {pod_name:?} not found"
            )));
        }
        return Ok(id(last));
    }
    if state["running"].is_object() {
        return Ok(id(&s));
    }
    if state["terminated"].is_object() {
        let t = id(&state["terminated"]);
        if !t.is_empty() {
            return Ok(t);
        }
        if last.is_object() && !id(last).is_empty() {
            return Ok(id(last));
        }
        return Err(ApiError::bad_request(format!(
            "container {c:?} in pod {pod_name:?} is terminated"
        )));
    }
    if last.is_object() && !id(last).is_empty() {
        return Ok(id(last));
    }
    if let Some(reason) = state["waiting"]["reason"].as_str() {
        let why = match reason {
            "ErrImagePull" => "image can't be pulled".to_string(),
            "ImagePullBackOff" => "trying and failing to pull image".to_string(),
            r => r.to_string(),
        };
        return Err(ApiError::bad_request(format!(
            "container {c:?} in pod {pod_name:?} is waiting to start: {why}"
        )));
    }
    Err(ApiError::bad_request(format!(
        "container {c:?} in pod {pod_name:?} is waiting to start - no logs yet"
    )))
}

/// Serves `GET /api/v1/namespaces/NS/pods/NAME/log`.
pub fn serve(
    store: &Arc<Store>,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let pod = store
        .get(&GroupResource::new("", "pods"), ns, name)
        .ok_or_else(|| ApiError::not_found(&GroupResource::new("", "pods"), name))?;
    let containers = names(&pod, "containers");
    let inits = names(&pod, "initContainers");
    let ephemeral = names(&pod, "ephemeralContainers");
    let container = match q.get("container").filter(|c| !c.is_empty()) {
        Some(c) => c.clone(),
        None => match containers.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}"
                )))
            }
            _ => {
                let mut msg = format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    containers.join(" ")
                );
                if !inits.is_empty() {
                    msg.push_str(&format!(
                        " or one of the init containers: [{}]",
                        inits.join(" ")
                    ));
                }
                if !ephemeral.is_empty() {
                    msg.push_str(&format!(
                        " or one of the ephemeral containers: [{}]",
                        ephemeral.join(" ")
                    ));
                }
                return Err(ApiError::bad_request(msg));
            }
        },
    };
    if !containers.contains(&container)
        && !inits.contains(&container)
        && !ephemeral.contains(&container)
    {
        return Err(ApiError::bad_request(format!(
            "container {container} is not valid for pod {name}"
        )));
    }
    let num = |k: &str| -> Result<Option<i64>, ApiError> {
        match q.get(k) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                ApiError::bad_request(format!("{k}: Invalid value: {v:?}: must be an integer"))
            }),
        }
    };
    let tail = num("tailLines")?;
    let since_seconds = num("sinceSeconds")?;
    let limit = num("limitBytes")?;
    if let Some(t) = tail.filter(|t| *t < 0) {
        return Err(invalid(
            name,
            "tailLines",
            format!("tailLines: Invalid value: {t}: must be greater than or equal to 0"),
        ));
    }
    if let Some(s) = since_seconds.filter(|s| *s < 1) {
        return Err(invalid(
            name,
            "sinceSeconds",
            format!("sinceSeconds: Invalid value: {s}: must be greater than 0"),
        ));
    }
    if let Some(l) = limit.filter(|l| *l < 1) {
        return Err(invalid(
            name,
            "limitBytes",
            format!("limitBytes: Invalid value: {l}: must be greater than 0"),
        ));
    }
    let since_time = match q.get("sinceTime") {
        None => None,
        Some(v) => Some(
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "parsing time {v:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {v:?} as \"2006\""
                    ))
                })?,
        ),
    };
    if since_seconds.is_some() && since_time.is_some() {
        return Err(ApiError::invalid(
            "PodLogOptions",
            "",
            name,
            vec![StatusCause {
                reason: "FieldValueForbidden".into(),
                message: "sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified".into(),
                field: "sinceSeconds".into(),
            }],
        ));
    }
    // No node yet: the API server has nowhere to ask, and answers with nothing.
    if pod["spec"]["nodeName"]
        .as_str()
        .unwrap_or_default()
        .is_empty()
    {
        return Ok(text_response(Body::empty()));
    }
    let previous = parse_bool(q.get("previous"));
    let id = container_id(&pod, name, &container, previous)?;
    let now = store.clock().now();
    let query = LogQuery {
        since: since_time.or_else(|| since_seconds.map(|s| now - chrono::Duration::seconds(s))),
        tail: tail.map(|t| t as usize),
        timestamps: parse_bool(q.get("timestamps")),
        limit_bytes: limit.map(|l| l as usize),
    };
    let rt = store.runtime().clone();
    let follow = parse_bool(q.get("follow")) && !previous;
    let mut changes = rt.subscribe();
    let (mut data, mut next, closed) = rt.read(&id, &query, None);
    let mut budget = query.limit_bytes.unwrap_or(usize::MAX);
    data.truncate(budget);
    budget -= data.len();
    if !follow || closed || budget == 0 {
        return Ok(text_response(Body::from(data)));
    }
    let (tx, out) = tokio::sync::mpsc::channel::<Bytes>(16);
    tokio::spawn(async move {
        if !data.is_empty() && tx.send(Bytes::from(data)).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                _ = tx.closed() => return,
                r = changes.changed() => if r.is_err() { return },
            }
            let (mut more, total, closed) = rt.read(&id, &query, Some(next));
            next = total;
            more.truncate(budget);
            budget -= more.len();
            if !more.is_empty() && tx.send(Bytes::from(more)).await.is_err() {
                return;
            }
            if closed || budget == 0 {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(out, |mut out| async move {
        out.recv()
            .await
            .map(|b| (Ok::<Bytes, std::io::Error>(b), out))
    });
    Ok(text_response(Body::from_stream(stream)))
}

fn text_response(body: Body) -> Response {
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}
