//! The REST handlers: URL routing, verbs, list/watch, patch, delete options, dry run.
//!
//! One fallback handler parses every path itself (the Kubernetes URL scheme is regular but
//! has a few ambiguities, like `/api/v1/namespaces/x/status`, that a route table handles
//! badly), authenticates, and dispatches to a verb.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};

use super::resources::{self, ResourceInfo};
use super::reviews;
use super::selectors::{FieldSelector, LabelSelector};
use super::status::{self, json_response, ApiError, StatusCause, StatusDetails, MAX_REQUEST_BODY};
use super::store::{ns_name, EventType, GroupResource, Store, StoreError};
use super::tables::{self, IncludeObject};
use super::{certificates, defaults, discovery, openapi, protobuf, validation};

/// Who made a request, from a verified client certificate (CN = user, O = groups).
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub user: String,
    pub groups: Vec<String>,
    /// `X509SHA256=<hex>` of the certificate.
    pub credential_id: Option<String>,
}

/// What the handlers share.
pub struct ApiState {
    pub store: Arc<Store>,
    /// The bearer token accepted as the admin user.
    pub token: String,
    /// `host:port` advertised in `/api`.
    pub server_address: String,
    /// Whether the Metrics API (`metrics.k8s.io`, see `metrics`) is served.
    pub metrics: bool,
    /// Whether `pods/ephemeralcontainers` is served (off: the 404 of a kube-apiserver with
    /// the EphemeralContainers feature disabled, details empty).
    pub ephemeral_containers: bool,
}

type Shared = Arc<ApiState>;
type ApiResult = Result<Response, ApiError>;

/// The router serving the whole API; expects an `Identity` extension for certificate-
/// authenticated requests.
pub fn router(state: Shared) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(st): State<Shared>, req: Request<Body>) -> Response {
    let cert = req.extensions().get::<Identity>();
    let Some(requester) = super::authn::authenticate(&st.store, &st.token, cert, req.headers())
    else {
        return ApiError::unauthorized().into_response();
    };
    let subject = match super::authn::impersonate(&st.store, requester, req.headers()) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let attrs = super::rbac::Attributes::of_request(
        req.method().as_str(),
        &percent_encoding::percent_decode_str(req.uri().path()).decode_utf8_lossy(),
        &url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
    );
    let decision = super::rbac::authorize(&st.store, &subject, &attrs);
    if !decision.allowed {
        return super::rbac::forbidden(&subject, &attrs, &decision.reason).into_response();
    }
    let (mut parts, body) = req.into_parts();
    let upgrade = super::podexec::Upgrade {
        version: parts.version,
        on_upgrade: parts.extensions.remove::<hyper::upgrade::OnUpgrade>(),
    };
    let raw_query = parts.uri.query().unwrap_or_default().to_string();
    let mut ctx = match RequestCtx::new(parts.method, &parts.uri, parts.headers) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    ctx.subject = subject;
    ctx.upgrade = Some(upgrade);
    ctx.raw_query = raw_query;
    // A bug in a handler must not cost the client its connection: answer 500 instead.
    let guarded = std::panic::AssertUnwindSafe(dispatch(&st, ctx, body));
    match futures_util::FutureExt::catch_unwind(guarded).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError::internal("the request handler failed unexpectedly").into_response(),
    }
}

/// The parts of a request the verbs look at.
struct RequestCtx {
    method: Method,
    segments: Vec<String>,
    query: HashMap<String, String>,
    headers: HeaderMap,
    subject: reviews::Subject,
    /// The connection's upgrade (`pods/exec` over WebSocket) and the query as sent.
    upgrade: Option<super::podexec::Upgrade>,
    raw_query: String,
}

impl RequestCtx {
    fn new(method: Method, uri: &axum::http::Uri, headers: HeaderMap) -> Result<Self, ApiError> {
        let segments = uri
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .to_string()
            })
            .collect();
        let query = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        Ok(RequestCtx {
            method,
            segments,
            query,
            headers,
            subject: reviews::Subject::default(),
            upgrade: None,
            raw_query: String::new(),
        })
    }

    fn q(&self, k: &str) -> Option<&str> {
        self.query.get(k).map(String::as_str)
    }

    fn header(&self, k: header::HeaderName) -> &str {
        self.headers
            .get(k)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
    }

    fn dry_run(&self) -> Result<bool, ApiError> {
        match self.q("dryRun") {
            None | Some("") => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "Invalid dry run value: [{other}]. Supported values: All"
            ))),
        }
    }
}

fn ok_json(code: u16, v: &Value) -> Response {
    json_response(code, v.to_string())
}

fn text_ok() -> Response {
    let mut r = (StatusCode::OK, "ok").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `/version`.
pub fn version_info() -> Value {
    json!({
        "major": "1",
        "minor": "36",
        "emulationMajor": "1",
        "emulationMinor": "36",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "35",
        "gitVersion": super::server::SERVER_VERSION,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-11-27T00:00:00Z",
        "goVersion": "go1.26.4",
        "compiler": "gc",
        "platform": format!("{}/{}", go_os(), go_arch()),
    })
}

fn go_os() -> &'static str {
    std::env::consts::OS
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn discovery_response(accept: &str, legacy: Value, aggregated: impl FnOnce() -> Value) -> Response {
    if discovery::wants_aggregated(accept) {
        let mut r = ok_json(200, &aggregated());
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(discovery::AGGREGATED_CONTENT_TYPE),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public"));
        h.insert(header::VARY, HeaderValue::from_static("Accept"));
        r
    } else {
        ok_json(200, &legacy)
    }
}

async fn dispatch(st: &ApiState, ctx: RequestCtx, body: Body) -> ApiResult {
    let segs: Vec<&str> = ctx.segments.iter().map(String::as_str).collect();
    let get_only = |r: Response| {
        if ctx.method == Method::GET || ctx.method == Method::HEAD {
            Ok(r)
        } else {
            Err(ApiError::method_not_allowed())
        }
    };
    let accept = ctx.header(header::ACCEPT).to_string();
    match segs.as_slice() {
        ["version"] => return get_only(ok_json(200, &version_info())),
        ["healthz"] | ["livez"] | ["readyz"] => return get_only(text_ok()),
        ["api"] => {
            let legacy = discovery::api_versions(&st.server_address);
            return get_only(discovery_response(&accept, legacy, || {
                discovery::aggregated(true)
            }));
        }
        ["apis"] => {
            let (mut legacy, metrics) = (discovery::api_group_list(), st.metrics);
            super::crd::discovery::extend_group_list(&st.store, &mut legacy);
            if metrics {
                super::metrics::extend_group_list(&mut legacy);
            }
            return get_only(discovery_response(&accept, legacy, || {
                let mut aggregated = discovery::aggregated(false);
                super::crd::discovery::extend_aggregated(&st.store, &mut aggregated);
                if metrics {
                    super::metrics::extend_aggregated(&mut aggregated);
                }
                aggregated
            }));
        }
        ["api", v] => {
            return discovery::resource_list("", v)
                .map(|d| ok_json(200, &d))
                .ok_or_else(ApiError::unknown_resource)
                .and_then(get_only)
        }
        ["apis", super::metrics::GROUP, ..] if st.metrics => {
            return super::metrics::serve(&st.store, &ctx.method, &segs, &ctx.query, &accept)
                .unwrap_or_else(|| Err(ApiError::unknown_resource()))
        }
        ["apis", g] => {
            return discovery::api_group(g)
                .or_else(|| super::crd::discovery::api_group(&st.store, g))
                .map(|d| ok_json(200, &d))
                .ok_or_else(ApiError::unknown_resource)
                .and_then(get_only)
        }
        ["apis", g, v] => {
            return discovery::resource_list(g, v)
                .or_else(|| super::crd::discovery::resource_list(&st.store, g, v))
                .map(|d| ok_json(200, &d))
                .ok_or_else(ApiError::unknown_resource)
                .and_then(get_only)
        }
        ["openapi", "v3", rest @ ..] => return get_only(openapi(&st.store, rest)?),
        ["openapi", "v2"] => {
            return get_only(openapi_v2(
                &st.store,
                ctx.header(header::ACCEPT),
                ctx.header(header::IF_NONE_MATCH),
            ))
        }
        _ => {}
    }
    let target = parse_target(&st.store, &segs).ok_or_else(ApiError::unknown_resource)?;
    if !st.ephemeral_containers && target.sub.as_deref() == Some("ephemeralcontainers") {
        return Err(ApiError::unknown_resource());
    }
    // A write to a CRD runs the apiextensions controllers before the answer goes out.
    let crd_write =
        super::crd::is_crd(target.info) && !matches!(ctx.method, Method::GET | Method::HEAD);
    let answer = serve_resource(st, ctx, target, body).await;
    if crd_write {
        super::crd::reconcile(&st.store);
    }
    answer
}

/// `/openapi/v2`: the real server's Swagger document with the CRDs' definitions and paths
/// merged in (`crd::openapi_v2`), as JSON or (what client-go asks for) as gnostic's protobuf
/// encoding of it (`openapi_v2pb`). Its ETag is the SHA-512 of the JSON, as kube-openapi's;
/// a request whose If-None-Match holds it gets 304 Not Modified.
fn openapi_v2(store: &Store, accept: &str, if_none_match: &str) -> Response {
    let doc = super::crd::openapi_v2::document(store);
    let etag = format!("\"{}\"", doc.etag);
    let mut r = if if_none_match.split(',').any(|t| t.trim() == etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if !accept.contains("protobuf") {
        json_response(200, doc.json.to_string())
    } else {
        let mut r = (StatusCode::OK, Bytes::from_owner(doc.pb)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"),
        );
        r
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    r
}

/// `/openapi/v3` (the index) and `/openapi/v3/<api/v1|apis/g/v>` (documents).
fn openapi(store: &Store, rest: &[&str]) -> ApiResult {
    if rest.is_empty() {
        let mut root = openapi::root();
        super::crd::openapi::extend_root(store, &mut root);
        // kube-openapi serves the index as text/plain (clients read it raw and parse it).
        let mut r = ok_json(200, &root);
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return Ok(r);
    }
    let doc = match (openapi::document_json(&rest.join("/")), rest) {
        (Some(doc), _) => doc.to_string(),
        (None, ["apis", g, v]) => super::crd::openapi::document(store, g, v)
            .ok_or_else(ApiError::unknown_resource)?
            .to_string(),
        _ => return Err(ApiError::unknown_resource()),
    };
    let mut r = json_response(200, doc);
    // Documents are addressed by hash, so clients may cache them for good.
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, immutable"),
    );
    Ok(r)
}

/// A request for a resource: which type, where, which object, which subresource.
struct Target {
    info: &'static ResourceInfo,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

fn parse_target(store: &Store, segs: &[&str]) -> Option<Target> {
    let (group, version, rest) = match segs {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    let ns_info = resources::find("", "v1", "namespaces");
    let (namespace, rest): (Option<String>, &[&str]) = match rest {
        // `/api/v1/namespaces/x` and `/api/v1/namespaces/x/status|finalize` address the
        // namespace itself.
        ["namespaces", name] if group.is_empty() => {
            return Some(Target {
                info: ns_info?,
                namespace: None,
                name: Some(name.to_string()),
                sub: None,
            })
        }
        ["namespaces", name, sub]
            if group.is_empty() && (*sub == "status" || *sub == "finalize") =>
        {
            return Some(Target {
                info: ns_info?,
                namespace: None,
                name: Some(name.to_string()),
                sub: Some(sub.to_string()),
            })
        }
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(ns.to_string()), rest),
        _ => (None, rest),
    };
    let (resource, name, sub) = match rest {
        [r] => (*r, None, None),
        [r, n] => (*r, Some(n.to_string()), None),
        [r, n, s] => (*r, Some(n.to_string()), Some(s.to_string())),
        _ => return None,
    };
    let info = resources::find(group, version, resource)
        .or_else(|| super::crd::find(store, group, version, resource))?;
    if namespace.is_some() && !info.namespaced {
        return None;
    }
    // A namespaced type can be listed across namespaces, but single objects need a namespace.
    if namespace.is_none() && info.namespaced && name.is_some() {
        return None;
    }
    if let Some(s) = &sub {
        info.subresource(s)?;
    }
    Some(Target {
        info,
        namespace,
        name,
        sub,
    })
}

/// How the client wants objects back (from Accept).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Output {
    Json,
    Yaml,
    Table(&'static str),
    Partial(&'static str),
}

pub(crate) fn negotiate(accept: &str) -> Result<Output, ApiError> {
    if accept.trim().is_empty() {
        return Ok(Output::Json);
    }
    for alt in accept.split(',') {
        let params: Vec<String> = alt.split(';').map(|p| p.trim().replace(' ', "")).collect();
        let mt = params[0].to_ascii_lowercase();
        let has = |p: &str| params.iter().any(|x| x.eq_ignore_ascii_case(p));
        let version = if has("v=v1") {
            Some("v1")
        } else if has("v=v1beta1") {
            Some("v1beta1")
        } else {
            None
        };
        if mt == "application/json" && has("g=meta.k8s.io") {
            match version {
                Some(v) if has("as=Table") => return Ok(Output::Table(v)),
                Some(v)
                    if has("as=PartialObjectMetadata") || has("as=PartialObjectMetadataList") =>
                {
                    return Ok(Output::Partial(v))
                }
                _ => continue,
            }
        }
        if params.iter().any(|p| p.starts_with("as=")) {
            continue;
        }
        match mt.as_str() {
            "application/json"
            | "*/*"
            | "application/*"
            | "application/vnd.kubernetes.protobuf" => return Ok(Output::Json),
            "application/yaml" => return Ok(Output::Yaml),
            _ => {}
        }
    }
    Err(ApiError::not_acceptable())
}

pub(crate) fn render(output: Output, v: &Value, code: u16) -> Response {
    match output {
        Output::Yaml => {
            let text = serde_yaml_ng::to_string(v).unwrap_or_default();
            let mut r =
                (StatusCode::from_u16(code).unwrap_or(StatusCode::OK), text).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/yaml"),
            );
            r
        }
        _ => ok_json(code, v),
    }
}

/// The object with the kind and apiVersion it is served as.
fn typed(info: &ResourceInfo, mut obj: Value) -> Value {
    if info.storage.is_some() && info.group == "events.k8s.io" {
        obj = events::core_to_events(&obj);
    }
    obj = served_shape(info, obj);
    if let Value::Object(m) = &mut obj {
        m.insert("kind".into(), json!(info.kind));
        m.insert("apiVersion".into(), json!(info.api_version()));
    }
    obj
}

/// Kinds served in another form than stored (HorizontalPodAutoscalers as autoscaling/v1) or
/// with fields Go always writes that the stored JSON may lack.
fn served_shape(info: &ResourceInfo, obj: Value) -> Value {
    match (info.group, info.resource) {
        ("autoscaling", "horizontalpodautoscalers") if info.version == "v1" => {
            super::autoscaling::v2_to_v1(&obj)
        }
        ("autoscaling", "horizontalpodautoscalers") => super::autoscaling::served_v2(&obj),
        ("policy", "poddisruptionbudgets") => super::policy::served_pdb(&obj),
        _ => obj,
    }
}

/// Whether objects are written to clients as stored (no conversion, nothing to fill in).
fn served_as_stored(info: &ResourceInfo) -> bool {
    info.storage.is_none()
        && info.custom.is_none()
        && !matches!(
            (info.group, info.resource),
            ("autoscaling", "horizontalpodautoscalers") | ("policy", "poddisruptionbudgets")
        )
}

fn partial_metadata(version: &str, obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": obj["metadata"].clone(),
    })
}

async fn serve_resource(st: &ApiState, mut ctx: RequestCtx, t: Target, body: Body) -> ApiResult {
    let m = ctx.method.clone();
    let verb = match (&m, t.name.is_some()) {
        (&Method::GET, false) if is_true(ctx.q("watch")) => "watch",
        (&Method::GET, false) => "list",
        (&Method::GET, true) if is_true(ctx.q("watch")) => "watch",
        (&Method::GET, true) => "get",
        (&Method::POST, false) => "create",
        (&Method::POST, true) if t.sub.is_some() => "create",
        (&Method::PUT, true) => "update",
        (&Method::PATCH, true) => "patch",
        (&Method::DELETE, true) => "delete",
        (&Method::DELETE, false) => "deletecollection",
        _ => return Err(ApiError::method_not_allowed()),
    };
    let allowed = match &t.sub {
        Some(s) => t
            .info
            .subresource(s)
            .map(|s| s.verbs.contains(&verb))
            .unwrap_or(false),
        None => t.info.has_verb(verb),
    };
    if !allowed {
        // The real server has no route for it: the generic 405.
        return Err(ApiError::method_not_allowed());
    }
    let needs_body = matches!(verb, "create" | "update" | "patch");
    let bytes = if needs_body || verb == "delete" || verb == "deletecollection" {
        read_body(body).await?
    } else {
        Bytes::new()
    };
    if matches!(t.sub.as_deref(), Some("exec" | "attach" | "portforward")) {
        let upgrade = ctx.upgrade.take().unwrap_or(super::podexec::Upgrade {
            version: axum::http::Version::HTTP_11,
            on_upgrade: None,
        });
        let req = super::podexec::StreamRequest {
            store: &st.store,
            ns: t.namespace.as_deref().unwrap_or_default(),
            name: t.name.as_deref().unwrap_or_default(),
            raw_query: &ctx.raw_query,
            headers: &ctx.headers,
            method: &ctx.method,
            upgrade,
        };
        return match t.sub.as_deref() {
            Some("portforward") => super::podportforward::serve(req).await,
            Some("attach") => super::podattach::serve(req).await,
            _ => super::podexec::serve(req).await,
        };
    }
    if t.info.group.is_empty() && t.info.resource == "componentstatuses" {
        return component_statuses(st, &ctx, &t);
    }
    match verb {
        "get" if t.sub.as_deref() == Some("log") => super::podlog::serve(
            &st.store,
            t.namespace.as_deref().unwrap_or_default(),
            t.name.as_deref().unwrap_or_default(),
            &ctx.query,
        ),
        "get" => get(st, &ctx, &t),
        "list" => list(st, &ctx, &t),
        "watch" => watch(st, &ctx, &t),
        "create" if t.sub.as_deref() == Some("binding") => binding(st, &ctx, &t, &bytes),
        "create" if t.sub.as_deref() == Some("eviction") => evict(st, &ctx, &t, &bytes),
        "create" if t.sub.as_deref() == Some("token") => {
            let request = decode_body(&ctx, &bytes)?;
            let ns = t.namespace.as_deref().unwrap_or_default();
            let name = t.name.as_deref().unwrap_or_default();
            let answer = super::tokenrequest::create(&st.store, ns, name, &request)?;
            Ok(ok_json(201, &answer))
        }
        "create" => create(st, &ctx, &t, &bytes),
        "update" => update(st, &ctx, &t, &bytes),
        "patch" => patch_object(st, &ctx, &t, &bytes),
        "delete" => delete(st, &ctx, &t, &bytes),
        _ => delete_collection(st, &ctx, &t, &bytes),
    }
}

fn is_true(v: Option<&str>) -> bool {
    matches!(v, Some("true") | Some("1") | Some("True"))
}

async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_REQUEST_BODY)
        .await
        .map_err(|e| {
            let too_large = std::error::Error::source(&e)
                .map(|s| s.is::<http_body_util::LengthLimitError>())
                .unwrap_or(false)
                || e.to_string().contains("length limit");
            if too_large {
                ApiError::too_large()
            } else {
                ApiError::bad_request(format!("unable to read the request body: {e}"))
            }
        })
}

// ---------------------------------------------------------------------------------------
// Reading objects

fn get(st: &ApiState, ctx: &RequestCtx, t: &Target) -> ApiResult {
    let output = negotiate(ctx.header(header::ACCEPT))?;
    let name = t.name.as_deref().unwrap_or_default();
    let ns = t.namespace.as_deref().unwrap_or_default();
    let obj = st
        .store
        .get(&t.info.storage_gr(), ns, name)
        .ok_or_else(|| ApiError::not_found(&t.info.gr(), name))?;
    if t.sub.as_deref() == Some("scale") {
        return Ok(render(output, &scale_for(t.info, &obj), 200));
    }
    let obj = typed(t.info, obj);
    Ok(match output {
        Output::Table(v) => {
            let include = include_object(ctx)?;
            let mut table = table_for(
                t.info,
                std::slice::from_ref(&obj),
                include,
                st.store.clock().now(),
            );
            table["apiVersion"] = json!(format!("meta.k8s.io/{v}"));
            table["metadata"]["resourceVersion"] = obj["metadata"]["resourceVersion"].clone();
            ok_json(200, &table)
        }
        Output::Partial(v) => ok_json(200, &partial_metadata(v, &obj)),
        _ => render(output, &obj, 200),
    })
}

/// `componentstatuses` get and list: computed, not stored (see `componentstatus`).
fn component_statuses(st: &ApiState, ctx: &RequestCtx, t: &Target) -> ApiResult {
    use super::componentstatus as cs;
    let output = negotiate(ctx.header(header::ACCEPT))?;
    let warn = [cs::WARNING.to_string()];
    let (items, obj) = match t.name.as_deref() {
        Some(name) => match cs::object(name) {
            Some(o) => (vec![o.clone()], o),
            None => {
                // The registry names the resource in the singular here; the warning comes
                // with the error too.
                let e = ApiError::not_found(&GroupResource::new("", "componentstatus"), name);
                return Ok(with_warnings(e.into_response(), &warn));
            }
        },
        None => (cs::all(), cs::list()),
    };
    let resp = match output {
        Output::Table(v) => {
            let include = include_object(ctx)?;
            let mut table = table_for(t.info, &items, include, st.store.clock().now());
            table["apiVersion"] = json!(format!("meta.k8s.io/{v}"));
            ok_json(200, &table)
        }
        _ => render(output, &obj, 200),
    };
    Ok(with_warnings(resp, &warn))
}

/// The Table of `items`: a custom resource's printer columns, else the built-in printers.
fn table_for(
    info: &ResourceInfo,
    items: &[Value],
    include: IncludeObject,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    match info.custom {
        Some(c) => super::crd::table::table(&c.columns, items, include, now),
        None => tables::table_for_at(&info.gr(), items, include, now),
    }
}

fn include_object(ctx: &RequestCtx) -> Result<IncludeObject, ApiError> {
    let v = ctx.q("includeObject").unwrap_or_default();
    IncludeObject::parse(v)
        .ok_or_else(|| ApiError::bad_request(format!("unrecognized includeObject value: \"{v}\"")))
}

/// Label and field selectors of a list or watch.
struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    /// Whether every object matches.
    fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// `name` adds `metadata.name=<name>` (a watch on one object's URL).
    fn from_ctx(ctx: &RequestCtx, t: &Target, name: Option<&str>) -> Result<Self, ApiError> {
        let labels = LabelSelector::parse(ctx.q("labelSelector").unwrap_or_default())
            .map_err(ApiError::bad_request)?;
        let mut fs = ctx.q("fieldSelector").unwrap_or_default().to_string();
        if let Some(n) = name {
            if !fs.is_empty() {
                fs.push(',');
            }
            fs.push_str(&format!("metadata.name={n}"));
        }
        if t.info.custom.is_some() {
            super::crd::check_field_selector(&fs).map_err(ApiError::bad_request)?;
        }
        let fields =
            FieldSelector::parse(&t.info.storage_gr(), &fs).map_err(ApiError::bad_request)?;
        Ok(Filter { labels, fields })
    }

    fn matches(&self, obj: &Value) -> bool {
        self.labels.matches(&obj["metadata"]["labels"]) && self.fields.matches(obj)
    }
}

/// The opaque continue token: where the previous page stopped, and the resourceVersion of
/// the list (-1: an "inconsistent" token that goes on in the current state).
fn encode_continue(rv: i64, ns: &str, name: &str) -> String {
    let raw = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{ns}/{name}\u{0}")});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.to_string())
}

fn decode_continue(token: &str) -> Result<(i64, String, String), ApiError> {
    let bad = || {
        ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let start = v["start"]
        .as_str()
        .ok_or_else(bad)?
        .trim_end_matches('\u{0}');
    let (ns, name) = start.split_once('/').ok_or_else(bad)?;
    let rv = v["rv"].as_i64().unwrap_or(-1);
    Ok((rv, ns.to_string(), name.to_string()))
}

fn list(st: &ApiState, ctx: &RequestCtx, t: &Target) -> ApiResult {
    let output = negotiate(ctx.header(header::ACCEPT))?;
    let filter = Filter::from_ctx(ctx, t, None)?;
    let limit = match ctx.q("limit") {
        None | Some("") => 0,
        Some(l) => l.parse::<i64>().map_err(|_| {
            ApiError::bad_request(format!(
                "limit: Invalid value: \"{l}\": must be a non-negative integer"
            ))
        })?,
    }
    .max(0) as usize;
    let after = ctx
        .q("continue")
        .filter(|c| !c.is_empty())
        .map(decode_continue)
        .transpose()?;
    // A token from a compacted snapshot: 410 with a token that goes on in the current state.
    if let Some((rv, ns, name)) = &after {
        if *rv >= 0 && (*rv as u64) < st.store.compacted_rv() {
            return Ok(crate::history::continue_expired(&encode_continue(
                -1, ns, name,
            )));
        }
    }
    if ctx.q("resourceVersionMatch") == Some("Exact") {
        let exact = ctx.q("resourceVersion").and_then(|v| v.parse::<u64>().ok());
        if exact.is_some_and(|rv| rv < st.store.compacted_rv()) {
            return Err(crate::history::list_too_old());
        }
    }
    let after = after.map(|(_, ns, name)| (ns, name));
    let (matched, remaining, rv) = st.store.list_page(
        &t.info.storage_gr(),
        t.namespace.as_deref(),
        after.as_ref(),
        limit,
        (!filter.is_empty()).then_some(&|o: &Value| filter.matches(o)),
    );
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if limit > 0 && remaining > 0 {
        let last = matched.last().map(|s| s.value());
        let (ns, name) = ns_name(last.as_deref().unwrap_or(&Value::Null));
        meta["continue"] = json!(encode_continue(rv as i64, &ns, &name));
        meta["remainingItemCount"] = json!(remaining);
    }
    let as_stored = served_as_stored(t.info);
    let include = match output {
        Output::Table(_) => include_object(ctx)?,
        _ => IncludeObject::None,
    };
    match output {
        Output::Table(v) if as_stored => {
            // Each row is computed from its object, then only its cells (and metadata or the
            // object's text) kept.
            let mut table = tables::TableView::from_stored(
                &t.info.gr(),
                &matched,
                include,
                (t.info.kind, &t.info.api_version()),
                st.store.clock().now(),
            );
            table.api_version = format!("meta.k8s.io/{v}");
            table.metadata = meta;
            return Ok(json_response(200, to_json(&table)));
        }
        // Objects served as stored are copied from their text, never held as trees.
        Output::Partial(v) if as_stored => {
            let api_version = format!("meta.k8s.io/{v}");
            let list = ListWriter::new(
                &api_version,
                "PartialObjectMetadataList",
                &meta,
                matched,
                Some(api_version.clone()),
            );
            return Ok(list.response());
        }
        Output::Json if as_stored => {
            let list = ListWriter::new(
                &t.info.api_version(),
                &format!("{}List", t.info.kind),
                &meta,
                matched,
                None,
            );
            return Ok(list.response());
        }
        _ => {}
    }
    let items: Vec<Value> = matched
        .iter()
        .map(|o| typed(t.info, Arc::unwrap_or_clone(o.value())))
        .collect();
    Ok(match output {
        Output::Table(v) => {
            let mut table = table_for(t.info, &items, include, st.store.clock().now());
            table["apiVersion"] = json!(format!("meta.k8s.io/{v}"));
            table["metadata"] = meta;
            ok_json(200, &table)
        }
        Output::Partial(v) => {
            let items: Vec<Value> = items.iter().map(|o| partial_metadata(v, o)).collect();
            ok_json(
                200,
                &json!({"kind": "PartialObjectMetadataList", "apiVersion": format!("meta.k8s.io/{v}"),
                    "metadata": meta, "items": items}),
            )
        }
        _ => {
            // Items of a typed list carry no kind/apiVersion (the list's say it all);
            // custom resources are unstructured and keep theirs.
            let items: Vec<Value> = items
                .into_iter()
                .map(|mut o| {
                    if let (Value::Object(m), None) = (&mut o, t.info.custom) {
                        m.remove("kind");
                        m.remove("apiVersion");
                    }
                    o
                })
                .collect();
            let list = json!({
                "kind": format!("{}List", t.info.kind),
                "apiVersion": t.info.api_version(),
                "metadata": meta,
                "items": items,
            });
            render(output, &list, 200)
        }
    })
}

/// A list of objects served as stored, as JSON (keys in sorted order, as serde_json writes a
/// `Value`'s): each item copied from its stored text while it is written, the objects
/// without `kind` and `apiVersion` or (with `partial`, an apiVersion) PartialObjectMetadata
/// around their metadata.
struct ListWriter {
    /// `{"apiVersion":…,"items":[`
    head: Vec<u8>,
    /// `],"kind":…,"metadata":…}`
    tail: Vec<u8>,
    items: Vec<Arc<crate::store::Stored>>,
    partial: Option<String>,
}

/// Above this much object text a list is sent in chunks as it is written (as kube-apiserver
/// streams a big list) instead of being held whole: 50,000 pods are ~190 MB of JSON.
const STREAM_LIST_ABOVE: usize = 1 << 20;
/// The size of one such chunk.
const LIST_CHUNK: usize = 256 << 10;

impl ListWriter {
    fn new(
        api_version: &str,
        kind: &str,
        metadata: &Value,
        items: Vec<Arc<crate::store::Stored>>,
        partial: Option<String>,
    ) -> Self {
        let mut head = b"{\"apiVersion\":".to_vec();
        let _ = serde_json::to_writer(&mut head, api_version);
        head.extend_from_slice(b",\"items\":[");
        let mut tail = b"],\"kind\":".to_vec();
        let _ = serde_json::to_writer(&mut tail, kind);
        tail.extend_from_slice(b",\"metadata\":");
        let _ = serde_json::to_writer(&mut tail, metadata);
        tail.push(b'}');
        ListWriter {
            head,
            tail,
            items,
            partial,
        }
    }

    /// Appends item `i` (with its separating comma).
    fn item(&self, i: usize, out: &mut Vec<u8>) {
        if i > 0 {
            out.push(b',');
        }
        let s = &self.items[i];
        let Some(fields) = s.fields() else {
            // Not an object (never stored): written as its tree is.
            let obj = s.value();
            let item = match &self.partial {
                Some(v) => ItemView::Partial(v, &obj),
                None => ItemView::Untyped(&obj),
            };
            let _ = serde_json::to_writer(out, &item);
            return;
        };
        match &self.partial {
            Some(v) => {
                out.extend_from_slice(b"{\"apiVersion\":");
                let _ = serde_json::to_writer(&mut *out, v);
                out.extend_from_slice(b",\"kind\":\"PartialObjectMetadata\",\"metadata\":");
                match fields.iter().find(|(k, _)| k == "metadata") {
                    Some((_, m)) => out.extend_from_slice(m.get().as_bytes()),
                    None => out.extend_from_slice(b"null"),
                }
                out.push(b'}');
            }
            None => {
                out.push(b'{');
                let mut first = true;
                for (k, v) in fields {
                    if k == "kind" || k == "apiVersion" {
                        continue;
                    }
                    if !std::mem::take(&mut first) {
                        out.push(b',');
                    }
                    let _ = serde_json::to_writer(&mut *out, &k);
                    out.push(b':');
                    out.extend_from_slice(v.get().as_bytes());
                }
                out.push(b'}');
            }
        }
    }

    fn response(self) -> Response {
        let text: usize = self.items.iter().map(|s| s.json().len()).sum();
        if text <= STREAM_LIST_ABOVE {
            let mut out = Vec::with_capacity(text + self.items.len() + 256);
            out.extend_from_slice(&self.head);
            for i in 0..self.items.len() {
                self.item(i, &mut out);
            }
            out.extend_from_slice(&self.tail);
            // Written from strings and JSON texts: valid UTF-8.
            return json_response(200, String::from_utf8(out).unwrap_or_default());
        }
        // (next item, done)
        let stream =
            futures_util::stream::unfold((self, 0, false), |(w, mut i, done)| async move {
                if done {
                    return None;
                }
                let mut out = Vec::with_capacity(LIST_CHUNK + (16 << 10));
                if i == 0 {
                    out.extend_from_slice(&w.head);
                }
                while i < w.items.len() && out.len() < LIST_CHUNK {
                    w.item(i, &mut out);
                    i += 1;
                }
                let done = i == w.items.len();
                if done {
                    out.extend_from_slice(&w.tail);
                }
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(out)), (w, i, done)))
            });
        json_stream(stream)
    }
}

fn to_json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

enum ItemView<'a> {
    /// An item of a typed list: the object without `kind` and `apiVersion`.
    Untyped(&'a Value),
    /// A PartialObjectMetadata (of this apiVersion) around the object's metadata.
    Partial(&'a str, &'a Value),
}

impl serde::Serialize for ItemView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            ItemView::Untyped(Value::Object(o)) => {
                let mut m = s.serialize_map(None)?;
                for (k, v) in o {
                    if k != "kind" && k != "apiVersion" {
                        m.serialize_entry(k, v)?;
                    }
                }
                m.end()
            }
            ItemView::Untyped(o) => o.serialize(s),
            ItemView::Partial(v, o) => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("apiVersion", v)?;
                m.serialize_entry("kind", "PartialObjectMetadata")?;
                m.serialize_entry("metadata", &o["metadata"])?;
                m.end()
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Watch

/// A JSON watch event's line written around the object's stored text, when that text is
/// what `typed` would serve (its kind and apiVersion already the served ones): no tree.
fn raw_watch_line(kind: &str, stored: &crate::store::Stored, info: &ResourceInfo) -> Option<Bytes> {
    let fields = stored.fields()?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| serde_json::from_str::<&str>(v.get()).ok())
    };
    if field("kind")? != info.kind || field("apiVersion")? != info.api_version() {
        return None;
    }
    let json = stored.json();
    // Keys in sorted order, as `json!` writes them.
    let mut line = Vec::with_capacity(json.len() + 32);
    line.extend_from_slice(b"{\"object\":");
    line.extend_from_slice(json);
    line.extend_from_slice(b",\"type\":");
    let _ = serde_json::to_writer(&mut line, kind);
    line.extend_from_slice(b"}\n");
    Some(Bytes::from(line))
}

fn watch(st: &ApiState, ctx: &RequestCtx, t: &Target) -> ApiResult {
    let output = negotiate(ctx.header(header::ACCEPT))?;
    // `GET .../pods/x?watch=1` is the old form of a name field selector.
    let filter = Filter::from_ctx(ctx, t, t.name.as_deref())?;
    let include = include_object(ctx)?;
    let timeout = ctx
        .q("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let bookmarks = is_true(ctx.q("allowWatchBookmarks"));
    let send_initial = ctx.q("sendInitialEvents").map(|v| is_true(Some(v)));
    let gr = t.info.storage_gr();
    let ns = t.namespace.clone();
    let from: Option<u64> = match ctx.q("resourceVersion") {
        None | Some("") | Some("0") => None,
        Some(rv) => Some(rv.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "resourceVersion: Invalid value: \"{rv}\": must be a non-negative integer"
            ))
        })?),
    };
    let (initial, past, rx, start_rv) = match from {
        Some(rv) if send_initial != Some(true) => match st.store.watch_from(rv) {
            Ok((past, rx)) => (Vec::new(), past, Some(rx), rv),
            Err(_) => (Vec::new(), Vec::new(), None, rv),
        },
        _ => {
            let (items, rv) = st.store.list_stored(&gr, ns.as_deref());
            let (past, rx) = st
                .store
                .watch_from(rv)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            (items, past, Some(rx), rv)
        }
    };
    let info = t.info;
    let clock = st.store.clock().clone();
    let compacted = st.store.compacted_rv();
    let store = st.store.clone();
    // The first periodic bookmark is due one period after the watch began.
    let mut next_bookmark = store.clock().after(crate::history::BOOKMARK_FREQUENCY);
    // Only the first Table of a watch carries the column definitions.
    let mut first_table = true;
    let as_stored = served_as_stored(info);
    let mut encode = move |kind: &str, stored: &crate::store::Stored| -> Bytes {
        if output == Output::Json && as_stored {
            if let Some(line) = raw_watch_line(kind, stored, info) {
                return line;
            }
        }
        let obj = typed(info, Value::clone(&stored.value()));
        let object = match output {
            Output::Table(v) => {
                let mut table = table_for(info, std::slice::from_ref(&obj), include, clock.now());
                if !std::mem::take(&mut first_table) {
                    tables::strip_headers(&mut table);
                }
                table["apiVersion"] = json!(format!("meta.k8s.io/{v}"));
                table["metadata"] = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
                table
            }
            Output::Partial(v) => partial_metadata(v, &obj),
            _ => obj,
        };
        let mut line = json!({"type": kind, "object": object}).to_string();
        line.push('\n');
        Bytes::from(line)
    };
    let bookmark = move |rv: u64, initial_end: bool| -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj = json!({"kind": info.kind, "apiVersion": info.api_version(), "metadata": meta});
        let mut line = json!({"type": "BOOKMARK", "object": obj}).to_string();
        line.push('\n');
        Bytes::from(line)
    };
    let (tx, out) = tokio::sync::mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        let Some(mut rx) = rx else {
            let e = crate::history::watch_too_old(start_rv, compacted);
            let line = format!("{}\n", json!({"type": "ERROR", "object": e.to_value()}));
            let _ = tx.send(Bytes::from(line)).await;
            return;
        };
        // Whether each object matched the selectors when this watcher last saw it, so that an
        // object moving out of (into) the selection is reported as DELETED (ADDED), like the
        // real watch cache does. Objects not seen yet count as unchanged.
        let mut matched: HashMap<(String, String), bool> = HashMap::new();
        for stored in initial {
            // Without selectors every object matches: nothing to remember, nothing to decode.
            let m = filter.is_empty() || {
                let obj = stored.value();
                let m = filter.matches(&obj);
                matched.insert(ns_name(&obj), m);
                m
            };
            if m && tx.send(encode("ADDED", &stored)).await.is_err() {
                return;
            }
        }
        if send_initial == Some(true) && bookmarks {
            let _ = tx.send(bookmark(start_rv, true)).await;
        }
        let mut translate = move |ev: &super::store::WatchEvent| -> Option<&'static str> {
            if ev.gr != gr || ns.as_deref().map(|n| n != ev.namespace).unwrap_or(false) {
                return None;
            }
            if filter.is_empty() {
                return Some(ev.kind.as_str());
            }
            let now = filter.matches(&ev.object);
            let key = (ev.namespace.clone(), ev.name.clone());
            let before = if ev.kind == EventType::Deleted {
                matched.remove(&key)
            } else {
                matched.insert(key, now)
            }
            .unwrap_or(now);
            match (ev.kind, before, now) {
                (EventType::Deleted, b, n) => (b || n).then_some("DELETED"),
                (EventType::Added, _, true) => Some("ADDED"),
                (EventType::Modified, true, true) => Some("MODIFIED"),
                (EventType::Modified, false, true) => Some("ADDED"),
                (EventType::Modified, true, false) => Some("DELETED"),
                _ => None,
            }
        };
        let mut last_rv = start_rv;
        for ev in past {
            last_rv = ev.rv;
            if let Some(kind) = translate(&ev) {
                if tx.send(encode(kind, ev.object.stored())).await.is_err() {
                    return;
                }
            }
        }
        let deadline = tokio::time::Instant::now() + timeout;
        // Periodic bookmarks follow the cluster clock; one more comes 2 s before the watch
        // times out, as the watch cache sends it.
        let pre_timeout = deadline.checked_sub(Duration::from_secs(2));
        let mut pre_timeout_sent = pre_timeout.is_none();
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = store.clock().sleep_until(next_bookmark), if bookmarks => {
                    next_bookmark = store.clock().after(crate::history::BOOKMARK_FREQUENCY);
                    if tx.send(bookmark(last_rv, false)).await.is_err() { return; }
                }
                _ = tokio::time::sleep_until(pre_timeout.unwrap_or(deadline)), if bookmarks && !pre_timeout_sent => {
                    pre_timeout_sent = true;
                    if tx.send(bookmark(last_rv, false)).await.is_err() { return; }
                }
                _ = tx.closed() => return,
                ev = rx.recv() => match ev {
                    Ok(ev) => {
                        if ev.rv <= last_rv { continue; }
                        last_rv = ev.rv;
                        if let Some(kind) = translate(&ev) {
                            if tx.send(encode(kind, ev.object.stored())).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let e = crate::history::watch_too_old(last_rv, store.compacted_rv());
                        let line = format!("{}\n", json!({"type": "ERROR", "object": e.to_value()}));
                        let _ = tx.send(Bytes::from(line)).await;
                        return;
                    }
                    Err(_) => return,
                },
            }
        }
    });
    let stream = futures_util::stream::unfold(out, |mut out| async move {
        out.recv()
            .await
            .map(|b| (Ok::<Bytes, std::io::Error>(b), out))
    });
    Ok(json_stream(stream))
}

/// A JSON response sent as `stream` yields it (a watch, a big list).
fn json_stream<S>(stream: S) -> Response
where
    S: futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    r
}

// ---------------------------------------------------------------------------------------
// Writes

const BODY_TYPES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
    "application/cbor",
];

fn media_type(ctx: &RequestCtx) -> String {
    ctx.header(header::CONTENT_TYPE)
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Decodes a create/update body (JSON or YAML) into an object.
fn decode_body(ctx: &RequestCtx, bytes: &[u8]) -> Result<Value, ApiError> {
    let mt = media_type(ctx);
    let v: Value = match mt.as_str() {
        "application/json" | "" => serde_json::from_slice(bytes).map_err(|e| {
            ApiError::bad_request(format!(
                "couldn't get version/kind; json parse error: {}",
                json_err(&e, bytes)
            ))
        })?,
        "application/yaml" => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ApiError::bad_request("yaml: invalid leading UTF-8 octet"))?;
            serde_yaml_ng::from_str(text).map_err(|e| {
                ApiError::bad_request(format!("error converting YAML to JSON: yaml: {e}"))
            })?
        }
        // kubectl's typed clients (create deployment, run, ...) send protobuf.
        "application/vnd.kubernetes.protobuf" => {
            protobuf::decode(bytes).map_err(ApiError::bad_request)?
        }
        _ => return Err(ApiError::unsupported_media_type(BODY_TYPES)),
    };
    if !v.is_object() {
        return Err(ApiError::bad_request(format!(
            "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            kcore::gojson::type_name(&v)
        )));
    }
    Ok(v)
}

/// A JSON syntax error worded like Go's encoding/json (what the real server reports).
fn json_err(e: &serde_json::Error, input: &[u8]) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".to_string();
    }
    // serde reports 1-based line and column of the offending character.
    let offending = input
        .split(|b| *b == b'\n')
        .nth(e.line().saturating_sub(1))
        .and_then(|l| l.get(e.column().saturating_sub(1)))
        .map(|b| *b as char);
    let text = e.to_string();
    let context = if text.starts_with("key must be a string") {
        "looking for beginning of object key string"
    } else if text.starts_with("expected value") || text.starts_with("expected ident") {
        "looking for beginning of value"
    } else if text.starts_with("trailing characters") {
        "after top-level value"
    } else if text.starts_with("expected `,` or `}`") {
        "after object key:value pair"
    } else if text.starts_with("expected `:`") {
        "after object key"
    } else if text.starts_with("expected `,` or `]`") {
        "after array element"
    } else {
        ""
    };
    match offending {
        Some(c) if !context.is_empty() => {
            let shown = if c == '\'' {
                "\\'".to_string()
            } else {
                c.to_string()
            };
            format!("invalid character '{shown}' {context}")
        }
        _ => text,
    }
}

/// Checks kind/apiVersion against the URL, defaulting them when absent.
fn check_kind(info: &ResourceInfo, obj: &mut Value) -> Result<(), ApiError> {
    let expected_av = info.api_version();
    let av = obj["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    if !av.is_empty() && av != expected_av {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({av}) does not match the expected API version ({expected_av})"
        )));
    }
    if !kind.is_empty() && kind != info.kind {
        let version = av.rsplit('/').next().unwrap_or(info.version).to_string();
        return Err(ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {}: no kind \"{kind}\" is registered for version \"{av}\" in scheme \"k8s.io/apimachinery/pkg/runtime/scheme.go:110\"",
            info.kind
        )));
    }
    obj["apiVersion"] = json!(expected_av);
    obj["kind"] = json!(info.kind);
    if !obj["metadata"].is_object() && !obj["metadata"].is_null() {
        return Err(ApiError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: json: cannot unmarshal {} into Go struct field {}.metadata of type v1.ObjectMeta",
            info.kind, info.version, info.kind, kcore::gojson::type_name(&obj["metadata"]), info.kind
        )));
    }
    if obj["metadata"].is_null() {
        obj["metadata"] = json!({});
    }
    Ok(())
}

/// Go's JSON type checks of the body: a value of the wrong type is a 400 with the decoder's
/// message (`Deployment in version "v1" cannot be handled as a Deployment: json: cannot
/// unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`).
fn check_types(info: &ResourceInfo, obj: &Value) -> Result<(), ApiError> {
    let error = super::decode::type_error(&info.gr(), obj).or_else(|| {
        super::crd::is_crd(info)
            .then(|| super::crd::type_error(obj))
            .flatten()
    });
    match error {
        Some(e) => Err(ApiError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: {e}",
            info.kind, info.version, info.kind
        ))),
        None => Ok(()),
    }
}

/// Fills metadata.namespace from the URL (or rejects a mismatch); clears it for
/// cluster-scoped kinds.
/// A body that names another object than the URL does is refused.
fn check_url_name(obj: &Value, name: &str) -> Result<(), ApiError> {
    let body_name = obj["metadata"]["name"].as_str().unwrap_or_default();
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    Ok(())
}

fn check_namespace(t: &Target, obj: &mut Value) -> Result<(), ApiError> {
    match &t.namespace {
        Some(ns) => {
            let body_ns = obj["metadata"]["namespace"].as_str().unwrap_or_default();
            if !body_ns.is_empty() && body_ns != ns {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            obj["metadata"]["namespace"] = json!(ns);
        }
        None => {
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("namespace");
            }
        }
    }
    Ok(())
}

fn namespace_exists(
    st: &ApiState,
    t: &Target,
    obj: &Value,
    creating: bool,
) -> Result<(), ApiError> {
    let Some(ns) = &t.namespace else {
        return Ok(());
    };
    let nsgr = GroupResource::new("", "namespaces");
    let Some(nsobj) = st.store.get(&nsgr, "", ns) else {
        return Err(ApiError::not_found(&nsgr, ns));
    };
    if creating && nsobj["metadata"]["deletionTimestamp"].is_string() {
        let name = obj["metadata"]["name"].as_str().unwrap_or_default();
        let gr = t.info.gr();
        return Err(ApiError {
            code: 403,
            reason: "Forbidden",
            message: format!(
                "{gr} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated"
            ),
            details: Some(Box::new(StatusDetails {
                name: name.to_string(),
                group: gr.group.clone(),
                kind: gr.resource.clone(),
                causes: vec![StatusCause {
                    reason: "NamespaceTerminating".into(),
                    message: format!("namespace {ns} is being terminated"),
                    field: "metadata.namespace".into(),
                }],
                ..Default::default()
            })),
        });
    }
    Ok(())
}

/// Unknown and duplicate fields, by `fieldValidation`: errors when Strict, warnings when Warn
/// (the server's default), nothing when Ignore. Works on the served form of the object.
/// `decoding`: the object is the request body (a create or update), whose strict decoding
/// errors name the kind as the decoder does.
fn check_fields(
    ctx: &RequestCtx,
    info: &ResourceInfo,
    obj: &Value,
    raw_json: Option<&[u8]>,
    decoding: bool,
) -> Result<Vec<String>, ApiError> {
    let mode = match ctx.q("fieldValidation") {
        None | Some("") => "Warn",
        Some(m @ ("Strict" | "Warn" | "Ignore")) => m,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "fieldValidation: Unsupported value: \"{other}\": supported values: \"Ignore\", \"Strict\", \"Warn\""
            )))
        }
    };
    if mode == "Ignore" {
        return Ok(Vec::new());
    }
    let unknown = match info.custom {
        Some(c) => super::crd::structural::unknown_fields(obj, &c.schema),
        None => validation::unknown_fields(&info.gr(), obj),
    };
    let mut problems: Vec<String> = unknown
        .iter()
        .map(|f| format!("unknown field \"{}\"", f.trim_start_matches('.')))
        .collect();
    if let Some(raw) = raw_json {
        problems.extend(
            validation::duplicate_fields(raw)
                .iter()
                .map(|f| format!("duplicate field \"{}\"", f.trim_start_matches('.'))),
        );
    }
    if problems.is_empty() || mode == "Warn" {
        return Ok(problems);
    }
    let message = format!("strict decoding error: {}", problems.join(", "));
    Err(ApiError::bad_request(
        if decoding || info.custom.is_some() {
            format!(
                "{} in version \"{}\" cannot be handled as a {}: {message}",
                info.kind, info.version, info.kind
            )
        } else {
            message
        },
    ))
}

/// The server's decoder drops the fields a built-in kind does not declare, whatever
/// `fieldValidation` says: they are never stored (custom resources are pruned by their schema).
fn drop_unknown_fields(info: &ResourceInfo, obj: &mut Value) {
    if info.custom.is_none() {
        validation::prune_unknown_fields(&info.gr(), obj);
    }
}

/// Defaulting, the registry's create/update preparation and validation, on the storage form.
fn admit(info: &ResourceInfo, obj: &mut Value, old: Option<&Value>) -> Result<(), ApiError> {
    if let Some(c) = info.custom {
        let causes = super::crd::admit(info, c, obj, old);
        return reject(info, obj, causes);
    }
    let gr = info.storage_gr();
    defaults::apply_defaults(&gr, obj);
    match old {
        None => defaults::prepare_for_create(&gr, obj),
        Some(o) => defaults::prepare_for_update(&gr, o, obj),
    }
    let mut causes = validation::validate(&gr, obj, old);
    if super::crd::is_crd(info) {
        causes.extend(super::crd::admit_crd(obj, old));
    }
    reject(info, obj, causes)
}

/// A 422 Invalid answer carrying `causes`, or Ok when there are none.
fn reject(
    info: &ResourceInfo,
    obj: &Value,
    causes: Vec<validation::Cause>,
) -> Result<(), ApiError> {
    if causes.is_empty() {
        return Ok(());
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let causes = causes
        .into_iter()
        .map(|c| StatusCause {
            reason: c.reason,
            message: c.message,
            field: c.field,
        })
        .collect();
    Err(ApiError::invalid(info.kind, info.group, name, causes))
}

/// `admit` for `pods/ephemeralcontainers`: the pod's validation, then the rules on changing
/// ephemeral containers (`ValidatePodEphemeralContainersUpdate`).
fn admit_ephemeral(info: &ResourceInfo, obj: &mut Value, old: &Value) -> Result<(), ApiError> {
    let gr = info.storage_gr();
    defaults::apply_defaults(&gr, obj);
    let extra = validation::validate_ephemeral_containers_update(obj, old);
    let mut causes = validation::validate(&gr, obj, Some(old));
    if extra.first().is_some_and(|c| c.field.is_empty()) {
        causes = extra;
    } else {
        causes.extend(extra);
    }
    reject(info, obj, causes)
}

/// A CertificateSigningRequest's own validation (which depends on the subresource written).
fn check_csr(t: &Target, obj: &Value, old: Option<&Value>) -> Result<(), ApiError> {
    if !certificates::is_csr(t.info.group, t.info.resource) {
        return Ok(());
    }
    let causes = certificates::validate(obj, old, t.sub.as_deref());
    reject(t.info, obj, causes)
}

fn with_warnings(mut r: Response, warnings: &[String]) -> Response {
    for w in warnings {
        let v = format!("299 - \"{}\"", w.replace('"', "\\\""));
        if let Ok(h) = HeaderValue::from_str(&v) {
            r.headers_mut().append("warning", h);
        }
    }
    r
}

fn store_err(info: &ResourceInfo, name: &str, e: StoreError) -> ApiError {
    let gr = info.gr();
    match e {
        StoreError::NotFound => ApiError::not_found(&gr, name),
        StoreError::AlreadyExists => ApiError::already_exists(&gr, name),
        StoreError::Conflict => ApiError::modified(&gr, name),
        StoreError::Gone => ApiError::gone("too old resource version"),
        StoreError::Storage(msg) => ApiError::internal(msg),
        StoreError::Invalid(msg) => ApiError::invalid(
            info.kind,
            info.group,
            name,
            vec![StatusCause {
                reason: "FieldValueInvalid".into(),
                message: msg,
                field: String::new(),
            }],
        ),
    }
}

/// A create that collides with an object being deleted says so, as the registry does
/// (`object is being deleted: namespaces "x" already exists`).
fn being_deleted(st: &ApiState, t: &Target, ns: &str, name: &str, mut e: ApiError) -> ApiError {
    if e.code == 409 && e.reason == "AlreadyExists" {
        let terminating = st
            .store
            .get(&t.info.storage_gr(), ns, name)
            .is_some_and(|o| o["metadata"]["deletionTimestamp"].is_string());
        if terminating {
            e.message = format!("object is being deleted: {}", e.message);
        }
    }
    e
}

/// The representation for storage: events.k8s.io events become core events, and
/// Secrets' `stringData` is merged into `data`.
fn to_storage(info: &ResourceInfo, obj: Value) -> Value {
    if info.storage.is_some() && info.group == "events.k8s.io" {
        events::events_to_core(&obj)
    } else if super::autoscaling::is_hpa(info.group, info.resource) && info.version == "v1" {
        super::autoscaling::v1_to_v2(&obj)
    } else {
        let mut obj = obj;
        super::decode::to_internal(&info.gr(), &mut obj);
        obj
    }
}

fn create(st: &ApiState, ctx: &RequestCtx, t: &Target, bytes: &[u8]) -> ApiResult {
    let dry = ctx.dry_run()?;
    let output = negotiate(ctx.header(header::ACCEPT))?;
    let mut obj = decode_body(ctx, bytes)?;
    check_kind(t.info, &mut obj)?;
    check_types(t.info, &obj)?;
    // Self reviews are answered, not stored.
    if let Some(answer) = reviews::answer(
        &st.store,
        t.info.kind,
        obj.clone(),
        &ctx.subject,
        t.namespace.as_deref(),
    )
    .filter(|_| t.info.verbs == ["create"])
    {
        return Ok(render(output, &answer?, 201));
    }
    check_namespace(t, &mut obj)?;
    let warnings = check_fields(ctx, t.info, &obj, json_body(ctx, bytes), true)?;
    drop_unknown_fields(t.info, &mut obj);
    let mut obj = admit_create(st, ctx, t, obj)?;
    obj["metadata"]["managedFields"] = managed::record_update(
        super::schema::Node::root(&t.info.gr()),
        None,
        &obj,
        &field_manager(ctx),
        &t.info.api_version(),
        &st.store.clock().rfc3339(),
    );
    let (ns, name) = ns_name(&obj);
    let created = store_create(st, t, obj, dry).map_err(|e| being_deleted(st, t, &ns, &name, e))?;
    Ok(with_warnings(
        render(output, &typed(t.info, created), 201),
        &warnings,
    ))
}

/// What creating an object does between its checks and its managedFields, for POST and for a
/// server-side apply that creates: the storage form, the generated fields, a CSR's requester,
/// the namespace check, a Service's cluster IPs, admission (PriorityClasses' too) and a CSR's
/// checks.
fn admit_create(
    st: &ApiState,
    ctx: &RequestCtx,
    t: &Target,
    obj: Value,
) -> Result<Value, ApiError> {
    let mut obj = to_storage(t.info, obj);
    prepare_create(t.info, &mut obj)?;
    if certificates::is_csr(t.info.group, t.info.resource) {
        certificates::prepare_create(&mut obj, &ctx.subject);
    }
    namespace_exists(st, t, &obj, true)?;
    if t.info.resource == "services" && t.info.group.is_empty() {
        services::allocate(&st.store, &mut obj)?;
    }
    admit(t.info, &mut obj, None)?;
    if t.info.resource == "priorityclasses" {
        super::policy::admit_priority_class(&st.store, &obj)?;
    }
    check_csr(t, &obj, None)?;
    Ok(obj)
}

/// Stores a new object, or for a dry run fills in what the store would.
fn store_create(st: &ApiState, t: &Target, mut obj: Value, dry: bool) -> Result<Value, ApiError> {
    let gr = t.info.storage_gr();
    let (ns, name) = ns_name(&obj);
    // ResourceQuota is the last admission plugin: after validation, before storage.
    super::quota::admit(&st.store, &gr, &obj, dry)?;
    if !dry {
        let created = st
            .store
            .create(&gr, obj)
            .map_err(|e| store_err(t.info, &name, e))?;
        // kube-apiserver's IP allocator writes a Service's IPAddresses within its create.
        if gr.group.is_empty() && gr.resource == "services" {
            crate::controllers::ipaddresses::sync(&st.store);
        }
        return Ok(created);
    }
    if !name.is_empty() && st.store.get(&gr, &ns, &name).is_some() {
        return Err(ApiError::already_exists(&t.info.gr(), &name));
    }
    if name.is_empty() {
        let prefix = obj["metadata"]["generateName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        obj["metadata"]["name"] = json!(format!("{prefix}{}", super::store::random_suffix(5)));
    }
    // Keep a uid assigned during admission (a Job's generated selector refers to it).
    if obj["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .is_empty()
    {
        obj["metadata"]["uid"] = json!(super::store::new_uid());
    }
    obj["metadata"]["creationTimestamp"] = json!(st.store.clock().rfc3339());
    Ok(obj)
}

/// The raw body when it is JSON (duplicate-field detection needs the bytes).
fn json_body<'a>(ctx: &RequestCtx, bytes: &'a [u8]) -> Option<&'a [u8]> {
    matches!(media_type(ctx).as_str(), "application/json" | "").then_some(bytes)
}

/// What the registry does to every new object before defaulting: identity fields cleared,
/// status reset for kinds whose status only controllers write.
fn prepare_create(info: &ResourceInfo, obj: &mut Value) -> Result<(), ApiError> {
    let meta = obj["metadata"]
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
    let name = meta
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let generate = meta
        .get("generateName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if name.is_empty() && generate.is_empty() {
        return Err(ApiError::invalid(
            info.kind,
            info.group,
            "",
            vec![StatusCause {
                reason: "FieldValueRequired".into(),
                message: "Required value: name or generateName is required".into(),
                field: "metadata.name".into(),
            }],
        ));
    }
    if meta
        .get("resourceVersion")
        .and_then(Value::as_str)
        .map(|s| !s.is_empty())
        .unwrap_or(false)
    {
        return Err(ApiError::bad_request(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    for f in [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
        "generation",
    ] {
        meta.remove(f);
    }
    match info.resource {
        "namespaces" => obj["status"] = json!({"phase": "Active"}),
        // Nodes keep the status they are created with (the kubelet registers that way).
        "nodes" => {}
        _ if info.has_status() => obj["status"] = json!({}),
        _ => {}
    }
    Ok(())
}

/// Carries over what a write can't change: status for the main resource of kinds with a
/// status subresource, everything but status for /status, and the server-set metadata.
fn merge_for_update(info: &ResourceInfo, sub: Option<&str>, old: &Value, mut new: Value) -> Value {
    match sub {
        Some("ephemeralcontainers") => {
            return validation::ephemeral_containers_update(old, &new);
        }
        _ if certificates::is_csr(info.group, info.resource) => {
            new = certificates::merge_for_update(sub, old, new);
        }
        Some("status") => {
            let mut out = old.clone();
            out["status"] = new["status"].take();
            if let Some(rv) = new["metadata"].get("resourceVersion").cloned() {
                out["metadata"]["resourceVersion"] = rv;
            }
            return out;
        }
        _ if info.has_status() => match old.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.remove("status");
                }
            }
        },
        _ => {}
    }
    for f in [
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "uid",
        "creationTimestamp",
        "generation",
    ] {
        match old["metadata"].get(f) {
            Some(v) => new["metadata"][f] = v.clone(),
            None => {
                if let Some(m) = new["metadata"].as_object_mut() {
                    m.remove(f);
                }
            }
        }
    }
    new
}

/// Stores `next` as the new version of `old` (or reports what would be stored, for dry
/// runs). An unchanged object is not rewritten, like etcd's no-op update.
fn commit_update(
    st: &ApiState,
    t: &Target,
    old: &Value,
    mut next: Value,
    dry: bool,
) -> Result<Value, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    let expected = next["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !expected.is_empty()
        && old["metadata"]["resourceVersion"].as_str() != Some(expected.as_str())
    {
        return Err(ApiError::modified(&t.info.gr(), name));
    }
    next["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"].clone();
    if &next == old || dry {
        return Ok(next);
    }
    let rv = old["metadata"]["resourceVersion"]
        .as_str()
        .map(str::to_string);
    st.store
        .update(&t.info.storage_gr(), next, rv.as_deref())
        .map_err(|e| store_err(t.info, name, e))
}

fn update(st: &ApiState, ctx: &RequestCtx, t: &Target, bytes: &[u8]) -> ApiResult {
    let dry = ctx.dry_run()?;
    let output = negotiate(ctx.header(header::ACCEPT))?;
    let name = t.name.clone().unwrap_or_default();
    let mut obj = decode_body(ctx, bytes)?;
    if t.sub.as_deref() == Some("scale") {
        return update_scale(st, t, obj, dry, output);
    }
    check_kind(t.info, &mut obj)?;
    check_types(t.info, &obj)?;
    check_namespace(t, &mut obj)?;
    if obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .is_empty()
    {
        obj["metadata"]["name"] = json!(name);
    } else {
        check_url_name(&obj, &name)?;
    }
    let warnings = check_fields(ctx, t.info, &obj, json_body(ctx, bytes), true)?;
    drop_unknown_fields(t.info, &mut obj);
    let ns = t.namespace.clone().unwrap_or_default();
    let old = st
        .store
        .get(&t.info.storage_gr(), &ns, &name)
        .ok_or_else(|| ApiError::not_found(&t.info.gr(), &name))?;
    let saved = write_update(st, ctx, t, &old, to_storage(t.info, obj), dry)?;
    Ok(with_warnings(
        render(output, &typed(t.info, saved), 200),
        &warnings,
    ))
}

/// The shared tail of update and patch: carry-overs, admission, field managers, storing.
fn write_update(
    st: &ApiState,
    ctx: &RequestCtx,
    t: &Target,
    old: &Value,
    new: Value,
    dry: bool,
) -> Result<Value, ApiError> {
    let mut next = merge_for_update(t.info, t.sub.as_deref(), old, new);
    if certificates::is_csr(t.info.group, t.info.resource) && t.sub.is_some() {
        certificates::populate_condition_timestamps(&mut next, old, &st.store.clock().rfc3339());
    }
    if t.sub.as_deref() == Some("ephemeralcontainers") {
        admit_ephemeral(t.info, &mut next, old)?;
    } else {
        admit(t.info, &mut next, Some(old))?;
    }
    if t.info.resource == "priorityclasses" {
        super::policy::admit_priority_class(&st.store, &next)?;
    }
    check_csr(t, &next, Some(old))?;
    // Managed fields the write sets itself replace the live ones before this write is
    // recorded (the field manager decodes them from the new object first; a subresource
    // write or an empty list keeps the live ones): how clients migrate ownership.
    let supplied = next["metadata"]["managedFields"]
        .as_array()
        .filter(|m| t.sub.is_none() && !m.is_empty() && m.iter().all(Value::is_object))
        .cloned();
    let base = match supplied {
        Some(m) if Value::Array(m.clone()) != old["metadata"]["managedFields"] => {
            let mut b = old.clone();
            b["metadata"]["managedFields"] = Value::Array(m);
            Some(b)
        }
        _ => None,
    };
    next["metadata"]["managedFields"] = managed::record_update(
        super::schema::Node::root(&t.info.gr()),
        Some(base.as_ref().unwrap_or(old)),
        &next,
        &field_manager(ctx),
        &t.info.api_version(),
        &st.store.clock().rfc3339(),
    );
    commit_update(st, t, old, next, dry)
}

/// The manager of a write: `fieldManager`, else the User-Agent's product name.
fn field_manager(ctx: &RequestCtx) -> String {
    if let Some(m) = ctx.q("fieldManager").filter(|m| !m.is_empty()) {
        return m.to_string();
    }
    let ua = ctx.header(header::USER_AGENT);
    let prefix = ua.split('/').next().unwrap_or_default().trim();
    if prefix.is_empty() {
        "unknown".to_string()
    } else {
        prefix.to_string()
    }
}

const PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
    "application/strategic-merge-patch+json",
];

fn patch_object(st: &ApiState, ctx: &RequestCtx, t: &Target, bytes: &[u8]) -> ApiResult {
    let dry = ctx.dry_run()?;
    let output = negotiate(ctx.header(header::ACCEPT))?;
    let mt = media_type(ctx);
    let accepted = match t.info.custom {
        Some(_) => super::crd::PATCH_TYPES,
        None => PATCH_TYPES,
    };
    if !accepted.contains(&mt.as_str()) {
        return Err(ApiError::unsupported_media_type(accepted));
    }
    if mt == "application/apply-patch+yaml" {
        return apply_patch(st, ctx, t, bytes, dry, output);
    }
    let name = t.name.clone().unwrap_or_default();
    let ns = t.namespace.clone().unwrap_or_default();
    let gr = t.info.storage_gr();
    let patch = decode_patch(&mt, bytes)?;
    // Retried on conflicts with concurrent writers, like the real patcher.
    for _ in 0..5 {
        let old = st
            .store
            .get(&gr, &ns, &name)
            .ok_or_else(|| ApiError::not_found(&t.info.gr(), &name))?;
        let scale = t.sub.as_deref() == Some("scale");
        let base = if scale {
            scale_for(t.info, &old)
        } else {
            typed(t.info, old.clone())
        };
        let patched = match mt.as_str() {
            // A v1.36 server does not say which operation failed.
            "application/json-patch+json" => kcore::patch::apply_json_patch(&base, &patch)
                .map_err(|_| ApiError {
                    code: 422,
                    reason: "Invalid",
                    message: "the server rejected our request due to an error in our request"
                        .into(),
                    details: Some(Box::default()),
                })?,
            "application/merge-patch+json" => {
                let patched = kcore::patch::apply_merge_patch(&base, &patch);
                if let Some(e) =
                    super::decode::type_error(&t.info.gr(), &patched).filter(|_| !scale)
                {
                    return Err(patch_invalid(&patched.to_string(), e));
                }
                patched
            }
            _ => {
                let (av, kind) = if scale {
                    ("autoscaling/v1".to_string(), "Scale")
                } else {
                    (t.info.api_version(), t.info.kind)
                };
                let patched = kcore::patch::apply_strategic_merge_patch(&av, kind, &base, &patch)
                    .map_err(|e| ApiError::bad_request(e.to_string()))?;
                if let Some(e) =
                    super::decode::convert_error(&t.info.gr(), &patched).filter(|_| !scale)
                {
                    return Err(patch_invalid(&kcore::gofmt::go_value(&patch), e));
                }
                patched
            }
        };
        if scale {
            return update_scale(st, t, patched, dry, output);
        }
        if !patched.is_object() {
            return Err(ApiError::bad_request("the patch result is not an object"));
        }
        // A patch may not retype, move or rename the object.
        let mut patched = patched;
        check_kind(t.info, &mut patched)?;
        check_namespace(t, &mut patched)?;
        check_url_name(&patched, &name)?;
        let warnings = check_fields(ctx, t.info, &patched, None, false)?;
        drop_unknown_fields(t.info, &mut patched);
        match write_update(st, ctx, t, &old, to_storage(t.info, patched), dry) {
            Err(e) if e.reason == "Conflict" && patch_has_no_rv(&patch) => continue,
            Err(e) => return Err(e),
            Ok(saved) => {
                return Ok(with_warnings(
                    render(output, &typed(t.info, saved), 200),
                    &warnings,
                ))
            }
        }
    }
    Err(ApiError::modified(&t.info.gr(), &name))
}

/// A patch whose result does not fit the kind's Go types: the patcher's 422, naming the
/// patch (as Go's `%v` prints a strategic one, or the merged JSON of a merge patch).
fn patch_invalid(value: &str, why: String) -> ApiError {
    let message = format!("Invalid value: {}: {why}", kcore::gofmt::go_quote(value));
    ApiError::invalid(
        "",
        "",
        "",
        vec![StatusCause {
            reason: "FieldValueInvalid".into(),
            message,
            field: "patch".into(),
        }],
    )
}

/// The patch body as the server's patcher decodes it, with its messages: a JSON patch into
/// `[]handlers.jsonPatchOp`, the others into `map[string]interface {}` (a strategic merge
/// patch's errors have no `error decoding patch: ` prefix).
fn decode_patch(mt: &str, bytes: &[u8]) -> Result<Value, ApiError> {
    let json_patch = mt == "application/json-patch+json";
    let prefix = if mt == "application/strategic-merge-patch+json" {
        ""
    } else {
        "error decoding patch: "
    };
    let patch: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("{prefix}{}", json_err(&e, bytes))))?;
    let go_kind = |v: &Value| match v {
        Value::Null => None,
        Value::Bool(_) => Some("bool"),
        Value::Number(_) => Some("number"),
        Value::String(_) => Some("string"),
        Value::Array(_) => Some("array"),
        Value::Object(_) => Some("object"),
    };
    let wrong = if json_patch {
        match &patch {
            Value::Array(ops) => ops
                .iter()
                .find(|op| !op.is_object() && !op.is_null())
                .and_then(go_kind)
                .map(|k| format!("{k} into Go value of type handlers.jsonPatchOp")),
            other => {
                go_kind(other).map(|k| format!("{k} into Go value of type []handlers.jsonPatchOp"))
            }
        }
    } else {
        match &patch {
            Value::Object(_) => None,
            other => go_kind(other)
                .map(|k| format!("{k} into Go value of type map[string]interface {{}}")),
        }
    };
    match (wrong, &patch) {
        (Some(w), _) => Err(ApiError::bad_request(format!(
            "{prefix}json: cannot unmarshal {w}"
        ))),
        // `null` decodes to an empty patch, but evanphx's merge refuses it.
        (None, Value::Null) if mt == "application/merge-patch+json" => {
            Err(ApiError::bad_request("Invalid JSON Patch"))
        }
        (None, Value::Null) if json_patch => Ok(Value::Array(Vec::new())),
        (None, Value::Null) => Ok(Value::Object(Default::default())),
        (None, _) => Ok(patch),
    }
}

fn patch_has_no_rv(patch: &Value) -> bool {
    patch["metadata"]["resourceVersion"].is_null()
}

/// Server-side apply: the body is the caller's full intent. Creates the object when absent;
/// otherwise merges the intent into the live object (lists by their merge keys) and records
/// the manager, refusing to change fields another manager owns unless forced.
fn apply_patch(
    st: &ApiState,
    ctx: &RequestCtx,
    t: &Target,
    bytes: &[u8],
    dry: bool,
    output: Output,
) -> ApiResult {
    let manager = ctx.q("fieldManager").unwrap_or_default().to_string();
    if manager.is_empty() {
        return Err(ApiError::bad_request(
            "PATCH, application/apply-patch+yaml requests must include a fieldManager query parameter",
        ));
    }
    if t.sub.is_some() {
        return Err(ApiError::bad_request(
            "server-side apply is only supported on the main resource",
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("error decoding YAML: invalid UTF-8"))?;
    let mut intent: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    if !intent.is_object() {
        return Err(ApiError::bad_request(
            "error decoding YAML: the applied configuration is not an object",
        ));
    }
    check_kind(t.info, &mut intent)?;
    if t.info.custom.is_none() {
        if let Some(errors) = super::typed::errors(&t.info.gr(), &intent) {
            return Err(super::typed::apply_error(&intent, &errors));
        }
    }
    check_namespace(t, &mut intent)?;
    let name = t.name.clone().unwrap_or_default();
    check_url_name(&intent, &name)?;
    let warnings = check_fields(ctx, t.info, &intent, None, false)?;
    let ns = t.namespace.clone().unwrap_or_default();
    let gr = t.info.storage_gr();
    let fields = managed::fields_of(&intent);
    let av = t.info.api_version();
    let Some(old) = st.store.get(&gr, &ns, &name) else {
        let mut obj = admit_create(st, ctx, t, intent)?;
        obj["metadata"]["managedFields"] = json!([managed::entry(
            &manager,
            "Apply",
            &av,
            fields,
            &st.store.clock().rfc3339()
        )]);
        let created = store_create(st, t, obj, dry)?;
        return Ok(with_warnings(
            render(output, &typed(t.info, created), 201),
            &warnings,
        ));
    };
    let old_typed = typed(t.info, old.clone());
    let mut force = is_true(ctx.q("force"));
    let mut conflicts = managed::conflicts(&old_typed, &intent, &manager);
    // kube-apiserver's lastAppliedManager: kubectl's server-side apply takes over, without
    // conflicts, the fields its client-side apply set.
    if !conflicts.is_empty() && !force && manager == "kubectl" {
        if let Some(allowed) = managed::allowed_by_last_applied(&old_typed) {
            conflicts = managed::without_allowed(conflicts, &allowed);
            force = conflicts.is_empty();
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(managed::conflict_error(t.info, &name, &conflicts));
    }
    let last_applied = kcore::patch::to_go_json_line(&without_last_applied(&intent));
    let mut applied = intent;
    if let Some(m) = applied["metadata"].as_object_mut() {
        m.remove("resourceVersion");
    }
    let mut patched =
        kcore::patch::apply_strategic_merge_patch(&av, t.info.kind, &old_typed, &applied)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
    // Fields this manager applied before, left out now and owned by nobody else, go away.
    managed::prune(&mut patched, &old_typed, &manager, &fields);
    // kube-apiserver's lastAppliedUpdater keeps a client-side apply annotation in step with
    // what kubectl applies server-side (after the field sets: nobody owns the change).
    if manager == "kubectl" {
        if let Some(Value::String(v)) =
            patched["metadata"]["annotations"].get_mut(kcore::patch::LAST_APPLIED_ANNOTATION)
        {
            *v = last_applied;
        }
    }
    let mut unchanged = patched.clone();
    unchanged["metadata"]["managedFields"] = old_typed["metadata"]["managedFields"].clone();
    let now = st.store.clock().rfc3339();
    patched["metadata"]["managedFields"] = managed::record(
        &old_typed,
        &manager,
        &av,
        fields,
        force,
        (unchanged != old_typed).then_some(now.as_str()),
    );
    let mut next = merge_for_update(t.info, None, &old, to_storage(t.info, patched));
    admit(t.info, &mut next, Some(&old))?;
    check_csr(t, &next, Some(&old))?;
    let saved = commit_update(st, t, &old, next, dry)?;
    Ok(with_warnings(
        render(output, &typed(t.info, saved), 200),
        &warnings,
    ))
}

/// An applied configuration as kube-apiserver's `buildLastApplied` keeps it: without the
/// last-applied annotation itself (an `annotations` map it leaves empty stays).
fn without_last_applied(intent: &Value) -> Value {
    let mut copy = intent.clone();
    if let Some(a) = copy["metadata"]
        .get_mut("annotations")
        .and_then(Value::as_object_mut)
    {
        a.remove(kcore::patch::LAST_APPLIED_ANNOTATION);
    }
    copy
}

/// The Scale of an object: a custom resource's by its CRD's paths, else `scale_of`.
fn scale_for(info: &ResourceInfo, obj: &Value) -> Value {
    info.custom
        .and_then(|c| super::crd::scale_of(c, obj))
        .unwrap_or_else(|| scale_of(obj))
}

/// The `autoscaling/v1` Scale view of a deployment or replica set.
fn scale_of(obj: &Value) -> Value {
    let m = &obj["metadata"];
    let selector = obj["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|l| {
            l.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
            "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"],
        },
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(0)},
        "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector},
    })
}

fn update_scale(st: &ApiState, t: &Target, scale: Value, dry: bool, output: Output) -> ApiResult {
    let name = t.name.clone().unwrap_or_default();
    let ns = t.namespace.clone().unwrap_or_default();
    let gr = t.info.storage_gr();
    let Some(replicas) = scale["spec"]["replicas"].as_i64().filter(|r| *r >= 0) else {
        return Err(ApiError::invalid(
            "Scale",
            "autoscaling",
            &name,
            vec![StatusCause {
                reason: "FieldValueInvalid".into(),
                message: format!(
                    "Invalid value: {}: must be greater than or equal to 0",
                    scale["spec"]["replicas"]
                ),
                field: "spec.replicas".into(),
            }],
        ));
    };
    let old = st
        .store
        .get(&gr, &ns, &name)
        .ok_or_else(|| ApiError::not_found(&t.info.gr(), &name))?;
    let mut next = old.clone();
    match t.info.custom {
        Some(c) => {
            super::crd::set_replicas(c, &mut next, replicas);
            let gen = old["metadata"]["generation"].as_i64().unwrap_or(1);
            next["metadata"]["generation"] = json!(gen + i64::from(next["spec"] != old["spec"]));
        }
        None => {
            next["spec"]["replicas"] = json!(replicas);
            defaults::prepare_for_update(&gr, &old, &mut next);
        }
    }
    if let Some(rv) = scale["metadata"]["resourceVersion"].as_str() {
        next["metadata"]["resourceVersion"] = json!(rv);
    }
    let saved = commit_update(st, t, &old, next, dry)?;
    Ok(render(output, &scale_for(t.info, &saved), 200))
}

/// `POST pods/x/binding`: sets spec.nodeName (what the scheduler does).
fn binding(st: &ApiState, ctx: &RequestCtx, t: &Target, bytes: &[u8]) -> ApiResult {
    let dry = ctx.dry_run()?;
    let b = decode_body(ctx, bytes)?;
    let node = b["target"]["name"].as_str().unwrap_or_default().to_string();
    let name = t.name.clone().unwrap_or_default();
    if node.is_empty() {
        return Err(ApiError::invalid(
            "Binding",
            "",
            &name,
            vec![StatusCause {
                reason: "FieldValueRequired".into(),
                message: "Required value".into(),
                field: "target.name".into(),
            }],
        ));
    }
    let ns = t.namespace.clone().unwrap_or_default();
    let gr = t.info.storage_gr();
    let old = st
        .store
        .get(&gr, &ns, &name)
        .ok_or_else(|| ApiError::not_found(&t.info.gr(), &name))?;
    if old["spec"]["nodeName"]
        .as_str()
        .map(|n| !n.is_empty())
        .unwrap_or(false)
    {
        return Err(ApiError::conflict(
            &t.info.gr(),
            &name,
            &format!(
                "pod {name} is already assigned to node \"{}\"",
                old["spec"]["nodeName"].as_str().unwrap_or_default()
            ),
        ));
    }
    if !dry {
        let mut next = old.clone();
        next["spec"]["nodeName"] = json!(node);
        commit_update(st, t, &old, next, false)?;
    }
    Ok(json_response(201, status::success_plain(201)))
}

/// `POST pods/x/eviction` (policy/v1 `Eviction`): deletes the pod with the eviction's delete
/// options unless a disruption budget forbids it (see `eviction`).
fn evict(st: &ApiState, ctx: &RequestCtx, t: &Target, bytes: &[u8]) -> ApiResult {
    let body = decode_body(ctx, bytes)?;
    let name = t.name.clone().unwrap_or_default();
    let ns = t.namespace.clone().unwrap_or_default();
    if body["metadata"]["name"].as_str().unwrap_or_default() != name {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    let opts_bytes = match body.get("deleteOptions").filter(|o| o.is_object()) {
        Some(o) => serde_json::to_vec(o).unwrap_or_default(),
        None => Vec::new(),
    };
    // The options were decoded with the eviction; read them again as JSON.
    let mut json_ctx = RequestCtx {
        method: ctx.method.clone(),
        segments: ctx.segments.clone(),
        query: ctx.query.clone(),
        headers: ctx.headers.clone(),
        subject: ctx.subject.clone(),
        upgrade: None,
        raw_query: String::new(),
    };
    json_ctx.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let opts = delete_options(&json_ctx, &opts_bytes)?;
    let pod = st
        .store
        .get(&t.info.storage_gr(), &ns, &name)
        .ok_or_else(|| ApiError::not_found(&t.info.gr(), &name))?;
    let crate::eviction::Verdict::Delete(budget) = crate::eviction::check(&st.store, &pod)?;
    delete_one(st, t.info, &ns, &name, &opts)?;
    if let (Some(b), false) = (budget, opts.dry) {
        crate::eviction::charge(&st.store, &ns, &b, &name);
    }
    Ok(json_response(201, status::success_plain(201)))
}

// ---------------------------------------------------------------------------------------
// Delete

struct DeleteOptions {
    propagation: Option<String>,
    grace: Option<i64>,
    uid: Option<String>,
    rv: Option<String>,
    dry: bool,
    orphan_dependents: Option<bool>,
}

fn delete_options(ctx: &RequestCtx, bytes: &[u8]) -> Result<DeleteOptions, ApiError> {
    let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else if media_type(ctx) == "application/vnd.kubernetes.protobuf" {
        protobuf::decode(bytes).map_err(ApiError::bad_request)?
    } else {
        serde_json::from_slice(bytes).map_err(|e| {
            ApiError::bad_request(format!(
                "couldn't get version/kind; json parse error: {}",
                json_err(&e, bytes)
            ))
        })?
    };
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "couldn't get version/kind; json parse error: expected an object",
        ));
    }
    let propagation = body["propagationPolicy"]
        .as_str()
        .map(str::to_string)
        .or_else(|| ctx.q("propagationPolicy").map(str::to_string));
    if let Some(p) = &propagation {
        if !["Background", "Foreground", "Orphan"].contains(&p.as_str()) {
            return Err(ApiError::invalid(
                "DeleteOptions",
                "",
                "",
                vec![StatusCause {
                    reason: "FieldValueNotSupported".into(),
                    message: format!(
                        "Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
                    ),
                    field: "propagationPolicy".into(),
                }],
            ));
        }
    }
    let grace = match body["gracePeriodSeconds"].as_i64() {
        Some(g) => Some(g),
        None => ctx
            .q("gracePeriodSeconds")
            .map(|g| {
                g.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!("gracePeriodSeconds: Invalid value: \"{g}\""))
                })
            })
            .transpose()?,
    };
    let dry_body = body["dryRun"]
        .as_array()
        .map(|a| a.iter().any(|v| v == "All"))
        .unwrap_or(false);
    Ok(DeleteOptions {
        propagation,
        grace,
        uid: body["preconditions"]["uid"].as_str().map(str::to_string),
        rv: body["preconditions"]["resourceVersion"]
            .as_str()
            .map(str::to_string),
        dry: dry_body || ctx.dry_run()?,
        orphan_dependents: body["orphanDependents"].as_bool(),
    })
}

/// Whether a kind's delete answers with the object rather than a `Status`
/// (`ReturnDeletedObject` in the real registry).
fn returns_deleted_object(info: &ResourceInfo) -> bool {
    matches!(
        info.resource,
        "pods" | "serviceaccounts" | "namespaces" | "resourcequotas"
    )
}

fn delete(st: &ApiState, ctx: &RequestCtx, t: &Target, bytes: &[u8]) -> ApiResult {
    let opts = delete_options(ctx, bytes)?;
    let output = negotiate(ctx.header(header::ACCEPT))?;
    let name = t.name.clone().unwrap_or_default();
    let ns = t.namespace.clone().unwrap_or_default();
    let (obj, gone) = delete_one(st, t.info, &ns, &name, &opts)?;
    let code = if !gone && opts.orphan_dependents == Some(false) {
        202
    } else {
        200
    };
    if gone && !returns_deleted_object(t.info) {
        let uid = obj["metadata"]["uid"].as_str().unwrap_or_default();
        return Ok(json_response(
            code,
            status::success_json(&t.info.gr(), &name, uid),
        ));
    }
    Ok(render(output, &typed(t.info, obj), code))
}

/// Deletes one object; returns its last state and whether it is gone.
fn delete_one(
    st: &ApiState,
    info: &ResourceInfo,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
) -> Result<(Value, bool), ApiError> {
    let gr = info.storage_gr();
    let qgr = info.gr();
    for _ in 0..5 {
        let old = st
            .store
            .get(&gr, ns, name)
            .ok_or_else(|| ApiError::not_found(&qgr, name))?;
        let meta = &old["metadata"];
        // `Preconditions.Check`: the uid, then the resourceVersion.
        for (want, field, label) in [
            (&opts.uid, "uid", "UID"),
            (&opts.rv, "resourceVersion", "ResourceVersion"),
        ] {
            let actual = meta[field].as_str().unwrap_or_default();
            if let Some(want) = want.as_deref().filter(|w| *w != actual) {
                return Err(ApiError::conflict(
                    &qgr,
                    name,
                    &format!("Precondition failed: {label} in precondition: {want}, {label} in object meta: {actual}"),
                ));
            }
        }
        let mut next = old.clone();
        let mut finalizers: Vec<Value> = meta["finalizers"].as_array().cloned().unwrap_or_default();
        let add = |f: &mut Vec<Value>, name: &str| {
            if !f.iter().any(|x| x == name) {
                f.push(json!(name));
            }
        };
        // Without a policy, batch/v1 Jobs orphan their pods (the Job strategy's
        // DefaultGarbageCollectionPolicy, kept for compatibility); kubectl always sends one.
        let job_default = info.group == "batch" && info.resource == "jobs";
        match opts.propagation.as_deref() {
            Some("Foreground") => add(&mut finalizers, "foregroundDeletion"),
            Some("Orphan") => add(&mut finalizers, "orphan"),
            None if opts.orphan_dependents == Some(true) => add(&mut finalizers, "orphan"),
            None if opts.orphan_dependents.is_none() && job_default => {
                add(&mut finalizers, "orphan")
            }
            _ => {}
        }
        let rv = meta["resourceVersion"].as_str().map(str::to_string);
        let now = st.store.clock().rfc3339();
        // What the object turns into while it terminates; None deletes it now.
        let terminating = if info.resource == "namespaces" {
            if meta["deletionTimestamp"].is_string() {
                return Ok((old, false));
            }
            next["metadata"]["deletionTimestamp"] = json!(now);
            next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            next["status"]["phase"] = json!("Terminating");
            Some(next)
        } else if info.resource == "pods" && bound_and_graceful(&old, opts) {
            let grace = opts
                .grace
                .or_else(|| old["spec"]["terminationGracePeriodSeconds"].as_i64())
                .unwrap_or(30);
            if meta["deletionTimestamp"].is_string() {
                // A second delete may only shorten the grace period.
                let current = meta["deletionGracePeriodSeconds"].as_i64().unwrap_or(grace);
                if grace >= current {
                    return Ok((old, false));
                }
            }
            let when = st.store.clock().now() + chrono::Duration::seconds(grace);
            next["metadata"]["deletionTimestamp"] =
                json!(when.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            next["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            Some(next)
        } else if !finalizers.is_empty() {
            if meta["deletionTimestamp"].is_string() && meta["finalizers"] == json!(finalizers) {
                return Ok((old, false));
            }
            if !meta["deletionTimestamp"].is_string() {
                next["metadata"]["deletionTimestamp"] = json!(now);
                next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            }
            Some(next)
        } else {
            None
        };
        let result = match terminating {
            Some(mut next) => {
                if !finalizers.is_empty() {
                    next["metadata"]["finalizers"] = json!(finalizers);
                }
                if opts.dry {
                    return Ok((next, false));
                }
                st.store
                    .update(&gr, next, rv.as_deref())
                    .map(|o| (o, false))
            }
            None => {
                if opts.dry {
                    return Ok((old, true));
                }
                st.store.remove(&gr, ns, name).map(|o| (o, true))
            }
        };
        match result {
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(store_err(info, name, e)),
            Ok(r) => return Ok(r),
        }
    }
    Err(ApiError::modified(&qgr, name))
}

/// Pods on a node get a grace period (the kubelet stops them); unbound pods or a zero grace
/// period go at once.
fn bound_and_graceful(pod: &Value, opts: &DeleteOptions) -> bool {
    let bound = pod["spec"]["nodeName"]
        .as_str()
        .map(|n| !n.is_empty())
        .unwrap_or(false);
    let finished = matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded") | Some("Failed")
    );
    bound && !finished && opts.grace != Some(0)
}

fn delete_collection(st: &ApiState, ctx: &RequestCtx, t: &Target, bytes: &[u8]) -> ApiResult {
    let opts = delete_options(ctx, bytes)?;
    let filter = Filter::from_ctx(ctx, t, None)?;
    let (items, rv) = st.store.list(&t.info.storage_gr(), t.namespace.as_deref());
    let mut out = Vec::new();
    for o in items.into_iter().filter(|o| filter.matches(o)) {
        let (ns, name) = ns_name(&o);
        match delete_one(st, t.info, &ns, &name, &opts) {
            Ok((obj, _)) => out.push(obj),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let items: Vec<Value> = out
        .into_iter()
        .map(|o| {
            let mut o = typed(t.info, o);
            if let Value::Object(m) = &mut o {
                m.remove("kind");
                m.remove("apiVersion");
            }
            o
        })
        .collect();
    Ok(ok_json(
        200,
        &json!({
            "kind": format!("{}List", t.info.kind),
            "apiVersion": t.info.api_version(),
            "metadata": {"resourceVersion": rv.to_string()},
            "items": items,
        }),
    ))
}

// ---------------------------------------------------------------------------------------
// Kind-specific pieces

mod events {
    //! events.k8s.io/v1 Events are stored as core/v1 Events; these convert between the two.
    use serde_json::{Map, Value};

    const PAIRS: &[(&str, &str)] = &[
        ("involvedObject", "regarding"),
        ("message", "note"),
        ("reportingComponent", "reportingController"),
        ("reportingInstance", "reportingInstance"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
        ("eventTime", "eventTime"),
        ("series", "series"),
        ("action", "action"),
        ("reason", "reason"),
        ("type", "type"),
        ("related", "related"),
        ("metadata", "metadata"),
    ];

    fn convert(obj: &Value, from_core: bool) -> Value {
        let mut out = Map::new();
        for (core, ev) in PAIRS {
            let (src, dst) = if from_core { (core, ev) } else { (ev, core) };
            if let Some(v) = obj.get(*src).filter(|v| !v.is_null()) {
                out.insert(dst.to_string(), v.clone());
            }
        }
        Value::Object(out)
    }

    /// A stored core/v1 Event as events.k8s.io/v1 serves it.
    pub fn core_to_events(obj: &Value) -> Value {
        let mut v = convert(obj, true);
        v["kind"] = "Event".into();
        v["apiVersion"] = "events.k8s.io/v1".into();
        v
    }

    /// An events.k8s.io/v1 Event in its stored core/v1 form.
    pub fn events_to_core(obj: &Value) -> Value {
        let mut v = convert(obj, false);
        v["kind"] = "Event".into();
        v["apiVersion"] = "v1".into();
        v
    }
}

mod managed {
    //! Field ownership (`metadata.managedFields`, FieldsV1) for server-side apply: which
    //! manager set which leaf field, conflicts when an applier changes a field another
    //! manager owns.
    use super::{ApiError, ResourceInfo, StatusCause, StatusDetails};
    use crate::schema::Node;
    use serde_json::{json, Map, Value};

    type Path = Vec<String>;

    /// Metadata the server owns; never tracked.
    const SERVER_META: &[&str] = &[
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ];

    fn list_key(item: &Value) -> Option<String> {
        for k in [
            "name",
            "containerPort",
            "port",
            "mountPath",
            "devicePath",
            "type",
            "ip",
            "uid",
        ] {
            if let Some(v) = item.get(k) {
                return Some(format!("k:{}", json!({ k: v })));
            }
        }
        None
    }

    fn leaves(v: &Value, prefix: &mut Path, out: &mut Vec<(Path, Value)>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, child) in m {
                    let at_root = prefix.is_empty();
                    if at_root && (k == "kind" || k == "apiVersion") {
                        continue;
                    }
                    if prefix.len() == 1
                        && prefix[0] == "f:metadata"
                        && SERVER_META.contains(&k.as_str())
                    {
                        continue;
                    }
                    prefix.push(format!("f:{k}"));
                    leaves(child, prefix, out);
                    prefix.pop();
                }
            }
            Value::Object(_) => {}
            Value::Array(items)
                if !items.is_empty() && items.iter().all(|i| list_key(i).is_some()) =>
            {
                for item in items {
                    prefix.push(list_key(item).unwrap_or_default());
                    leaves(item, prefix, out);
                    prefix.pop();
                }
            }
            _ => out.push((prefix.clone(), v.clone())),
        }
    }

    /// The `.` paths of the string-keyed maps (labels, data, ...) `obj` holds: a write that
    /// makes one owns the map itself too. (Structs a Go pointer makes would too; the schema
    /// does not tell them apart.)
    fn map_members(node: Option<Node>, v: &Value, prefix: &mut Path, out: &mut Vec<Path>) {
        match (node, v) {
            (Some(Node::Map(_)), Value::Object(m)) if !m.is_empty() && !prefix.is_empty() => {
                let mut dot = prefix.clone();
                dot.push(".".into());
                out.push(dot);
            }
            (Some(n @ Node::Object(_)), Value::Object(m)) => {
                for (k, child) in m {
                    prefix.push(format!("f:{k}"));
                    map_members(n.child(k), child, prefix, out);
                    prefix.pop();
                }
            }
            (Some(n @ Node::Array(_)), Value::Array(items))
                if !items.is_empty() && items.iter().all(|i| list_key(i).is_some()) =>
            {
                for item in items {
                    prefix.push(list_key(item).unwrap_or_default());
                    map_members(n.item(), item, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }

    fn leaves_of(obj: &Value) -> Vec<(Path, Value)> {
        let mut out = Vec::new();
        leaves(obj, &mut Vec::new(), &mut out);
        out
    }

    fn tree(paths: &[Path]) -> Value {
        let mut root = Map::new();
        for p in paths {
            let mut cur = &mut root;
            for (i, tok) in p.iter().enumerate() {
                let node = cur.entry(tok.clone()).or_insert_with(|| json!({}));
                if tok.starts_with("k:") && i + 1 < p.len() {
                    node[".".to_string()] = json!({});
                }
                cur = match node {
                    Value::Object(m) => m,
                    _ => unreachable!("tree nodes are objects"),
                };
            }
        }
        Value::Object(root)
    }

    /// The paths of a FieldsV1 set; a node that is itself a member (`.`) gives a path ending in
    /// `.`.
    fn flatten(fields: &Value, prefix: &mut Path, out: &mut Vec<Path>) {
        let Some(m) = fields.as_object() else { return };
        let children: Vec<_> = m.iter().filter(|(k, _)| *k != ".").collect();
        // List items' `.` is implied by their key (see `tree`).
        let item = prefix.last().is_some_and(|t| t.starts_with("k:"));
        let member = m.contains_key(".") && !prefix.is_empty() && !item;
        if member {
            let mut dot = prefix.clone();
            dot.push(".".into());
            out.push(dot);
        }
        if children.is_empty() {
            if !prefix.is_empty() && !member {
                out.push(prefix.clone());
            }
            return;
        }
        for (k, v) in children {
            prefix.push(k.clone());
            flatten(v, prefix, out);
            prefix.pop();
        }
    }

    fn paths_of(fields: &Value) -> Vec<Path> {
        let mut out = Vec::new();
        flatten(fields, &mut Vec::new(), &mut out);
        out
    }

    fn lookup<'a>(obj: &'a Value, path: &[String]) -> Option<&'a Value> {
        let path = path.strip_suffix(&[".".to_string()]).unwrap_or(path);
        let mut cur = obj;
        for tok in path {
            cur = if let Some(f) = tok.strip_prefix("f:") {
                cur.get(f)?
            } else if let Some(k) = tok.strip_prefix("k:") {
                let want: Value = serde_json::from_str(k).ok()?;
                let want = want.as_object()?;
                cur.as_array()?
                    .iter()
                    .find(|i| want.iter().all(|(wk, wv)| i.get(wk) == Some(wv)))?
            } else {
                return None;
            };
        }
        Some(cur)
    }

    fn display(path: &[String]) -> String {
        path.iter()
            .map(|t| {
                if let Some(f) = t.strip_prefix("f:") {
                    format!(".{f}")
                } else if let Some(k) = t.strip_prefix("k:") {
                    let v: Value = serde_json::from_str(k).unwrap_or(Value::Null);
                    let inner: Vec<String> = v
                        .as_object()
                        .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                        .unwrap_or_default();
                    format!("[{}]", inner.join(","))
                } else {
                    t.clone()
                }
            })
            .collect()
    }

    /// The FieldsV1 set of every field `obj` sets.
    pub fn fields_of(obj: &Value) -> Value {
        let paths: Vec<Path> = leaves_of(obj).into_iter().map(|(p, _)| p).collect();
        tree(&paths)
    }

    /// One managedFields entry.
    pub fn entry(
        manager: &str,
        operation: &str,
        api_version: &str,
        fields: Value,
        now: &str,
    ) -> Value {
        json!({
            "manager": manager,
            "operation": operation,
            "apiVersion": api_version,
            "time": now,
            "fieldsType": "FieldsV1",
            "fieldsV1": fields,
        })
    }

    /// A field an applier wants to change that another manager owns.
    pub struct Conflict {
        manager: String,
        /// The manager as kube-apiserver prints it: `"m" using v1` for an update's, `"m"`
        /// for an apply's.
        who: String,
        path: String,
        at: Path,
    }

    /// kube-apiserver's lastAppliedManager: the conflicts an apply by `kubectl` may override,
    /// the fields both the live object and its last-applied annotation (client-side apply's
    /// configuration) set; None when there is no such annotation.
    pub fn allowed_by_last_applied(live: &Value) -> Option<Vec<Path>> {
        let last = kcore::patch::get_last_applied(live)?;
        let set: Vec<Path> = leaves_of(&last).into_iter().map(|(p, _)| p).collect();
        Some(
            leaves_of(live)
                .into_iter()
                .map(|(p, _)| p)
                .filter(|p| set.contains(p))
                .collect(),
        )
    }

    /// The conflicts left once those on `allowed` fields are dropped.
    pub fn without_allowed(conflicts: Vec<Conflict>, allowed: &[Path]) -> Vec<Conflict> {
        conflicts
            .into_iter()
            .filter(|c| !allowed.contains(&c.at))
            .collect()
    }

    /// The entries of `obj`'s managedFields.
    fn entries(obj: &Value) -> impl Iterator<Item = &Value> {
        obj["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
    }

    /// Whether `e` is the entry of `manager`'s applies.
    fn is_apply_of(e: &Value, manager: &str) -> bool {
        e["manager"] == manager && e["operation"] == "Apply"
    }

    /// Fields `intent` sets to other values than the live object where another manager owns them.
    pub fn conflicts(old: &Value, intent: &Value, manager: &str) -> Vec<Conflict> {
        let mine = leaves_of(intent);
        let mut out = Vec::new();
        for e in entries(old) {
            let owner = e["manager"].as_str().unwrap_or_default();
            if owner == manager {
                continue;
            }
            for p in paths_of(&e["fieldsV1"]) {
                if let Some((_, want)) = mine.iter().find(|(mp, _)| *mp == p) {
                    if lookup(old, &p) != Some(want) {
                        let who = match e["operation"].as_str() {
                            Some("Update") => format!(
                                "\"{owner}\" using {}",
                                e["apiVersion"].as_str().unwrap_or_default()
                            ),
                            _ => format!("\"{owner}\""),
                        };
                        out.push(Conflict {
                            manager: owner.to_string(),
                            who,
                            path: display(&p),
                            at: p,
                        });
                    }
                }
            }
        }
        out
    }

    /// 409 worded like the real server's apply conflicts.
    pub fn conflict_error(info: &ResourceInfo, name: &str, conflicts: &[Conflict]) -> ApiError {
        let n = conflicts.len();
        let mut msg = format!(
            "Apply failed with {n} conflict{}: ",
            if n == 1 { "" } else { "s" }
        );
        let mut managers: Vec<(&str, &str)> = Vec::new();
        for c in conflicts {
            if !managers.contains(&(&c.manager, &c.who)) {
                managers.push((&c.manager, &c.who));
            }
        }
        let parts: Vec<String> = managers
            .iter()
            .map(|(m, who)| {
                let paths: Vec<&str> = conflicts
                    .iter()
                    .filter(|c| c.manager == *m)
                    .map(|c| c.path.as_str())
                    .collect();
                if paths.len() == 1 {
                    format!("conflict with {who}: {}", paths[0])
                } else {
                    let list: Vec<String> = paths.iter().map(|p| format!("- {p}")).collect();
                    format!("conflicts with {who}:\n{}", list.join("\n"))
                }
            })
            .collect();
        msg.push_str(&parts.join("\n"));
        ApiError {
            code: 409,
            reason: "Conflict",
            message: msg,
            details: Some(Box::new(StatusDetails {
                name: name.to_string(),
                group: info.group.to_string(),
                kind: info.kind.to_string(),
                causes: conflicts
                    .iter()
                    .map(|c| StatusCause {
                        reason: "FieldManagerConflict".into(),
                        message: format!("conflict with {}", c.who),
                        field: c.path.clone(),
                    })
                    .collect(),
                ..Default::default()
            })),
        }
    }

    fn without(fields: &Value, drop: &[Path]) -> Value {
        let kept: Vec<Path> = paths_of(fields)
            .into_iter()
            .filter(|p| !drop.contains(p))
            .collect();
        tree(&kept)
    }

    /// Removes from `obj` the fields `manager` owned through its last apply that `fields`
    /// (its new apply) no longer sets and no other manager owns.
    pub fn prune(obj: &mut Value, old: &Value, manager: &str, fields: &Value) {
        let now = paths_of(fields);
        let mut mine = Vec::new();
        let mut others = Vec::new();
        for e in entries(old) {
            if is_apply_of(e, manager) {
                mine.extend(paths_of(&e["fieldsV1"]));
            } else {
                others.extend(paths_of(&e["fieldsV1"]));
            }
        }
        for p in mine {
            if now.contains(&p) || others.iter().any(|o| o.starts_with(&p) || p.starts_with(o)) {
                continue;
            }
            remove_path(obj, &p);
        }
    }

    fn remove_path(obj: &mut Value, path: &[String]) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut cur = obj;
        for tok in parents {
            let next = if let Some(f) = tok.strip_prefix("f:") {
                cur.get_mut(f)
            } else if let Some(k) = tok.strip_prefix("k:") {
                let Ok(Value::Object(want)) = serde_json::from_str::<Value>(k) else {
                    return;
                };
                cur.as_array_mut().and_then(|a| {
                    a.iter_mut()
                        .find(|i| want.iter().all(|(wk, wv)| i.get(wk) == Some(wv)))
                })
            } else {
                None
            };
            match next {
                Some(n) => cur = n,
                None => return,
            }
        }
        if let Some(f) = last.strip_prefix("f:") {
            if let Some(m) = cur.as_object_mut() {
                m.remove(f);
            }
        } else if let Some(k) = last.strip_prefix("k:") {
            if let (Ok(Value::Object(want)), Some(a)) =
                (serde_json::from_str::<Value>(k), cur.as_array_mut())
            {
                a.retain(|i| !want.iter().all(|(wk, wv)| i.get(wk) == Some(wv)));
            }
        }
    }

    /// Entries in kube-apiserver's order (`sortEncodedManagedFields`): by operation, time
    /// (none first), manager, apiVersion, subresource.
    fn sorted(mut entries: Vec<Value>) -> Value {
        let key = |e: &Value| {
            ["operation", "time", "manager", "apiVersion", "subresource"]
                .map(|k| e[k].as_str().unwrap_or_default().to_string())
        };
        entries.sort_by_key(key);
        Value::Array(entries)
    }

    /// managedFields after `manager` applied `fields` (forcing takes the fields from others).
    /// `now` is None when the apply changed nothing else: the entry keeps the time it had
    /// (a new one has none), as kube-apiserver's managedFieldsUpdater does.
    pub fn record(
        old: &Value,
        manager: &str,
        api_version: &str,
        fields: Value,
        force: bool,
        now: Option<&str>,
    ) -> Value {
        let taken = paths_of(&fields);
        let mut out = Vec::new();
        let mut time = now.map(str::to_string);
        for e in entries(old) {
            if is_apply_of(e, manager) {
                if now.is_none() {
                    time = e["time"].as_str().map(str::to_string);
                }
                continue;
            }
            let mut e = e.clone();
            if force {
                e["fieldsV1"] = without(&e["fieldsV1"], &taken);
            }
            if !paths_of(&e["fieldsV1"]).is_empty() {
                out.push(e);
            }
        }
        let mut e = entry(manager, "Apply", api_version, fields, "");
        match time {
            Some(t) => e["time"] = Value::String(t),
            None => {
                if let Some(m) = e.as_object_mut() {
                    m.remove("time");
                }
            }
        }
        out.push(e);
        sorted(out)
    }

    /// managedFields after a plain write by `manager`: the fields it changed become its own.
    pub fn record_update(
        root: Option<Node>,
        old: Option<&Value>,
        new: &Value,
        manager: &str,
        api_version: &str,
        now: &str,
    ) -> Value {
        let mut maps = Vec::new();
        map_members(root, new, &mut Vec::new(), &mut maps);
        let mut changed: Vec<Path> = leaves_of(new)
            .into_iter()
            .filter(|(p, v)| old.map(|o| lookup(o, p) != Some(v)).unwrap_or(true))
            .map(|(p, _)| p)
            .collect();
        if !changed.is_empty() {
            // A map the write made is the writer's too.
            changed.extend(
                maps.iter()
                    .filter(|p| old.map(|o| lookup(o, p).is_none()).unwrap_or(true))
                    .cloned(),
            );
        }
        if let Some(o) = old.filter(|_| changed.is_empty()) {
            return o["metadata"]["managedFields"].clone();
        }
        let mut out = Vec::new();
        let mut mine: Vec<Path> = Vec::new();
        let mut present: Vec<Path> = leaves_of(new).into_iter().map(|(p, _)| p).collect();
        present.extend(maps);
        for e in old.into_iter().flat_map(entries) {
            let mut e = e.clone();
            // Fields that no longer exist are owned by nobody.
            let kept: Vec<Path> = paths_of(&e["fieldsV1"])
                .into_iter()
                .filter(|p| present.contains(p) && !changed.contains(p))
                .collect();
            if e["manager"] == manager && e["operation"] == "Update" {
                mine = kept;
                continue;
            }
            e["fieldsV1"] = tree(&kept);
            if !kept.is_empty() {
                out.push(e);
            }
        }
        mine.extend(changed);
        if !mine.is_empty() {
            out.push(entry(manager, "Update", api_version, tree(&mine), now));
        }
        sorted(out)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn ownership_and_conflicts() {
            let obj = json!({"kind": "Deployment", "metadata": {"name": "d", "labels": {"a": "b"}},
                "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}}});
            let f = fields_of(&obj);
            assert!(
                f["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"c\"}"]
                    ["f:image"]
                    .is_object()
            );
            assert!(f["f:metadata"].get("f:name").is_none());
            let mut live = obj.clone();
            live["metadata"]["managedFields"] = record_update(
                None,
                None,
                &obj,
                "kubectl-client-side-apply",
                "apps/v1",
                "2026-01-01T00:00:00Z",
            );
            let mut intent = obj.clone();
            intent["spec"]["replicas"] = json!(3);
            let c = conflicts(&live, &intent, "me");
            assert_eq!(c.len(), 1);
            assert_eq!(c[0].path, ".spec.replicas");
            let info = crate::resources::find("apps", "v1", "deployments").unwrap();
            let e = conflict_error(info, "d", &c);
            assert_eq!(e.message, "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas");
            // Same values: shared ownership, no conflict.
            assert!(conflicts(&live, &obj, "me").is_empty());
            let forced = record(
                &live,
                "me",
                "apps/v1",
                fields_of(&intent),
                true,
                Some("2026-01-01T00:00:00Z"),
            );
            assert_eq!(forced.as_array().unwrap().len(), 1);
            // Dropping a field from the applied intent removes it when nobody else owns it.
            let mut applied = json!({"metadata": {"name": "x", "managedFields": [
                entry("me", "Apply", "v1", fields_of(&json!({"data": {"a": "1", "b": "2"}})), "2026-01-01T00:00:00Z"),
                entry("other", "Update", "v1", fields_of(&json!({"data": {"c": "3"}})), "2026-01-01T00:00:00Z"),
            ]}, "data": {"a": "1", "b": "2", "c": "3"}});
            let old_obj = applied.clone();
            prune(
                &mut applied,
                &old_obj,
                "me",
                &fields_of(&json!({"data": {"a": "1"}})),
            );
            assert_eq!(applied["data"], json!({"a": "1", "c": "3"}));
            assert_eq!(
                display(&["f:a".into(), "k:{\"name\":\"c\"}".into()]),
                ".a[name=\"c\"]"
            );
        }
    }
}

mod services {
    //! ClusterIP and NodePort allocation for Services (what the service registry's allocators
    //! do): random free addresses in 10.96.0.0/16 and ports in 30000-32767, checked against
    //! the Services already stored.
    use super::{ApiError, StatusCause};
    use crate::store::{GroupResource, Store};
    use rand::Rng as _;
    use serde_json::{json, Value};

    fn used(store: &Store) -> (Vec<String>, Vec<i64>) {
        let (all, _) = store.list(&GroupResource::new("", "services"), None);
        let ips = all
            .iter()
            .filter_map(|s| s["spec"]["clusterIP"].as_str().map(str::to_string))
            .collect();
        let ports = all
            .iter()
            .flat_map(|s| s["spec"]["ports"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| p["nodePort"].as_i64())
            .collect();
        (ips, ports)
    }

    fn invalid(name: &str, field: &str, message: String) -> ApiError {
        ApiError::invalid(
            "Service",
            "",
            name,
            vec![StatusCause {
                reason: "FieldValueInvalid".into(),
                message,
                field: field.into(),
            }],
        )
    }

    /// Fills `spec.clusterIP`/`clusterIPs` and missing node ports of a new Service.
    pub fn allocate(store: &Store, svc: &mut Value) -> Result<(), ApiError> {
        let name = svc["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !svc["spec"].is_object() {
            svc["spec"] = json!({});
        }
        let ty = svc["spec"]["type"]
            .as_str()
            .unwrap_or("ClusterIP")
            .to_string();
        if ty == "ExternalName" {
            return Ok(());
        }
        let (ips, ports) = used(store);
        let mut rng = rand::thread_rng();
        let requested = svc["spec"]["clusterIP"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let ip = if requested.is_empty() {
            let mut pick = String::new();
            for _ in 0..10_000 {
                let n: u32 = rng.gen_range(2..65_535);
                pick = format!("10.96.{}.{}", n >> 8, n & 0xff);
                if !ips.contains(&pick) && n & 0xff != 0 && n != 10 {
                    break;
                }
            }
            pick
        } else if requested != "None" && ips.contains(&requested) {
            return Err(invalid(
                &name,
                "spec.clusterIPs",
                format!(
                    "Invalid value: []string{{\"{requested}\"}}: failed to allocate IP {requested}: provided IP is already allocated"
                ),
            ));
        } else {
            requested
        };
        svc["spec"]["clusterIP"] = json!(ip);
        svc["spec"]["clusterIPs"] = json!([ip]);
        if ip != "None" {
            if svc["spec"]["ipFamilies"].is_null() {
                svc["spec"]["ipFamilies"] = json!(["IPv4"]);
            }
            if svc["spec"]["ipFamilyPolicy"].is_null() {
                svc["spec"]["ipFamilyPolicy"] = json!("SingleStack");
            }
        }
        if ty == "NodePort" || ty == "LoadBalancer" {
            let mut taken = ports;
            for p in svc["spec"]["ports"].as_array_mut().into_iter().flatten() {
                match p["nodePort"].as_i64() {
                    Some(n) if taken.contains(&n) => {
                        return Err(invalid(
                            &name,
                            "spec.ports[0].nodePort",
                            format!("Invalid value: {n}: provided port is already allocated"),
                        ))
                    }
                    Some(n) => taken.push(n),
                    None => {
                        let mut n = rng.gen_range(30_000..=32_767);
                        while taken.contains(&n) {
                            n = rng.gen_range(30_000..=32_767);
                        }
                        taken.push(n);
                        p["nodePort"] = json!(n);
                    }
                }
            }
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn allocates_unique_addresses_and_ports() {
            let store = Store::new();
            let gr = GroupResource::new("", "services");
            let mut a = json!({"metadata": {"name": "a", "namespace": "d"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}});
            allocate(&store, &mut a).unwrap();
            let ip = a["spec"]["clusterIP"].as_str().unwrap().to_string();
            assert!(ip.starts_with("10.96."));
            assert_eq!(a["spec"]["clusterIPs"], json!([ip]));
            let port = a["spec"]["ports"][0]["nodePort"].as_i64().unwrap();
            assert!((30_000..=32_767).contains(&port));
            store.create(&gr, a).unwrap();
            let mut b = json!({"metadata": {"name": "b"}, "spec": {"clusterIP": ip}});
            assert_eq!(allocate(&store, &mut b).unwrap_err().code, 422);
            let mut h = json!({"metadata": {"name": "h"}, "spec": {"clusterIP": "None"}});
            allocate(&store, &mut h).unwrap();
            assert_eq!(h["spec"]["clusterIPs"], json!(["None"]));
            let mut e = json!({"metadata": {"name": "e"}, "spec": {"type": "ExternalName"}});
            allocate(&store, &mut e).unwrap();
            assert!(e["spec"]["clusterIP"].is_null());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go_error(input: &str) -> String {
        let e = serde_json::from_str::<Value>(input).unwrap_err();
        json_err(&e, input.as_bytes())
    }

    #[test]
    fn json_errors_read_like_go() {
        assert_eq!(
            go_error("{not json"),
            "invalid character 'n' looking for beginning of object key string"
        );
        assert_eq!(
            go_error("{\"a\": x}"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            go_error("{\"a\": 1} z"),
            "invalid character 'z' after top-level value"
        );
        assert_eq!(
            go_error("{\"a\": 1 \"b\"}"),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(
            go_error("{\"a\" 1}"),
            "invalid character '1' after object key"
        );
        assert_eq!(
            go_error("[1 2]"),
            "invalid character '2' after array element"
        );
        assert_eq!(go_error("{\"a\":"), "unexpected end of JSON input");
    }

    /// Objects as stored: escapes, unicode, numbers, a missing metadata.
    fn stored_objects(n: usize, pad: usize) -> Vec<Arc<crate::store::Stored>> {
        (0..n)
            .map(|i| {
                let mut o = json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": format!("c{i}"), "namespace": "d",
                        "labels": {"a\"b": "é\u{1}\\"}, "resourceVersion": i.to_string()},
                    "data": {"k": "x".repeat(pad)}, "n": [1, -2, 3.5, 1e300, null, true]});
                if i == 1 {
                    o.as_object_mut().unwrap().remove("metadata");
                }
                crate::store::Stored::encode(&o, i as u64)
            })
            .collect()
    }

    /// What the list's JSON is as a tree (how it was written before it was copied from text).
    fn list_as_tree(items: &[Arc<crate::store::Stored>], partial: Option<&str>) -> String {
        let items: Vec<Value> = items
            .iter()
            .map(|s| {
                let mut o = Value::clone(&s.value());
                match partial {
                    Some(v) => json!({"apiVersion": v, "kind": "PartialObjectMetadata",
                        "metadata": o["metadata"]}),
                    None => {
                        o.as_object_mut().unwrap().remove("kind");
                        o.as_object_mut().unwrap().remove("apiVersion");
                        o
                    }
                }
            })
            .collect();
        json!({"apiVersion": "v1", "items": items, "kind": "ConfigMapList",
            "metadata": {"resourceVersion": "9"}})
        .to_string()
    }

    #[tokio::test]
    async fn lists_copied_from_text_are_written_as_their_trees() {
        use http_body_util::BodyExt as _;
        // Small (one body) and over STREAM_LIST_ABOVE (sent in chunks).
        for (n, pad) in [(3, 10), (40, 100_000)] {
            for partial in [None, Some("meta.k8s.io/v1")] {
                let items = stored_objects(n, pad);
                let want = list_as_tree(&items, partial);
                let kind = "ConfigMapList";
                let meta = json!({"resourceVersion": "9"});
                let w = ListWriter::new("v1", kind, &meta, items, partial.map(str::to_string));
                let resp = w.response();
                assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/json");
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                assert!(
                    std::str::from_utf8(&body).unwrap() == want,
                    "{n} items, {partial:?}"
                );
            }
        }
    }

    #[test]
    fn tables_from_stored_text_are_written_as_their_trees() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let meta = json!({"resourceVersion": "9", "continue": "x"});
        let mut cms = stored_objects(3, 10);
        // Text without kind and apiVersion, or with others: the served ones are filled in.
        for (i, o) in [
            json!({"metadata": {"name": "bare", "creationTimestamp": "2026-01-01T00:00:00Z"}}),
            json!({"apiVersion": "v0", "kind": "Old", "zz": 1, "a": {"b": "c"}}),
            json!({"apiVersion": "v1", "metadata": {"name": "half"}}),
        ]
        .into_iter()
        .enumerate()
        {
            cms.push(crate::store::Stored::encode(&o, 10 + i as u64));
        }
        let pod = |name: &str, phase: &str| {
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": "d", "annotations": {"a": "b"},
                    "creationTimestamp": "2026-01-01T00:00:00Z"},
                "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": "n"},
                "status": {"phase": phase, "podIP": "10.0.0.1",
                    "conditions": [{"type": "Ready", "status": "True"}]}})
        };
        let pods = vec![
            crate::store::Stored::encode(&pod("p1", "Running"), 1),
            crate::store::Stored::encode(&pod("p0", "Pending"), 2),
        ];
        let fs = |name: &str, p: i64| {
            json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema",
                "metadata": {"name": name}, "spec": {"matchingPrecedence": p}})
        };
        let flowschemas = vec![
            crate::store::Stored::encode(&fs("b", 10), 1),
            crate::store::Stored::encode(&fs("a", 500), 2),
            crate::store::Stored::encode(&fs("c", 10), 3),
        ];
        let cases = [
            (("", "v1", "configmaps"), cms),
            (("", "v1", "pods"), pods),
            (
                ("flowcontrol.apiserver.k8s.io", "v1", "flowschemas"),
                flowschemas,
            ),
            (("", "v1", "pods"), Vec::new()),
            (("", "v1", "secrets"), Vec::new()),
        ];
        for ((g, v, r), items) in cases {
            let info = resources::find(g, v, r).unwrap();
            assert!(served_as_stored(info), "{r}");
            for include in [
                IncludeObject::None,
                IncludeObject::Metadata,
                IncludeObject::Object,
            ] {
                let trees: Vec<Value> = items
                    .iter()
                    .map(|s| typed(info, Value::clone(&s.value())))
                    .collect();
                let mut want = table_for(info, &trees, include, now);
                want["apiVersion"] = json!("meta.k8s.io/v1beta1");
                want["metadata"] = meta.clone();
                let mut ours = tables::TableView::from_stored(
                    &info.gr(),
                    &items,
                    include,
                    (info.kind, &info.api_version()),
                    now,
                );
                ours.api_version = "meta.k8s.io/v1beta1".into();
                ours.metadata = meta.clone();
                assert_eq!(to_json(&ours), want.to_string(), "{r} {include:?}");
            }
        }
    }

    #[test]
    fn watch_lines_copied_from_text_are_written_as_their_trees() {
        let info = resources::find("", "v1", "configmaps").unwrap();
        for s in stored_objects(3, 10) {
            let want = format!(
                "{}\n",
                json!({"type": "MODIFIED", "object": typed(info, Value::clone(&s.value()))})
            );
            let line = raw_watch_line("MODIFIED", &s, info).unwrap();
            assert_eq!(std::str::from_utf8(&line).unwrap(), want);
        }
        // Another kind or version in the text: written from the tree.
        let other =
            crate::store::Stored::encode(&json!({"apiVersion": "v2", "kind": "ConfigMap"}), 1);
        assert!(raw_watch_line("ADDED", &other, info).is_none());
    }

    #[test]
    fn accept_negotiation() {
        let kubectl_get = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(negotiate(kubectl_get).unwrap(), Output::Table("v1"));
        assert_eq!(
            negotiate("application/json;as=Table;v=v1beta1;g=meta.k8s.io").unwrap(),
            Output::Table("v1beta1")
        );
        assert_eq!(
            negotiate("application/vnd.kubernetes.protobuf,application/json").unwrap(),
            Output::Json
        );
        assert_eq!(negotiate("application/yaml").unwrap(), Output::Yaml);
        assert_eq!(negotiate("").unwrap(), Output::Json);
        assert_eq!(
            negotiate("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1").unwrap(),
            Output::Partial("v1")
        );
        assert_eq!(negotiate("text/html").unwrap_err().code, 406);
    }

    #[test]
    fn paths_map_to_targets() {
        let t = parse_target(&Store::new(), &["api", "v1", "namespaces", "x"]).unwrap();
        assert_eq!(
            (t.info.resource, t.name.as_deref(), t.namespace),
            ("namespaces", Some("x"), None)
        );
        let t = parse_target(&Store::new(), &["api", "v1", "namespaces", "x", "status"]).unwrap();
        assert_eq!(t.sub.as_deref(), Some("status"));
        let t = parse_target(
            &Store::new(),
            &[
                "apis",
                "apps",
                "v1",
                "namespaces",
                "d",
                "deployments",
                "w",
                "scale",
            ],
        )
        .unwrap();
        assert_eq!(
            (t.info.kind, t.namespace.as_deref(), t.sub.as_deref()),
            ("Deployment", Some("d"), Some("scale"))
        );
        assert!(
            parse_target(&Store::new(), &["api", "v1", "pods", "p"]).is_none(),
            "a pod needs its namespace"
        );
        assert!(parse_target(&Store::new(), &["api", "v1", "namespaces", "d", "nodes"]).is_none());
        assert!(parse_target(
            &Store::new(),
            &["api", "v1", "namespaces", "d", "pods", "p", "exec"]
        )
        .is_some());
        assert!(parse_target(
            &Store::new(),
            &["api", "v1", "namespaces", "d", "pods", "p", "attach"]
        )
        .is_some());
        assert!(parse_target(
            &Store::new(),
            &["api", "v1", "namespaces", "d", "pods", "p", "portforward"]
        )
        .is_some());
        assert!(parse_target(&Store::new(), &["api", "v2", "pods"]).is_none());
        assert!(
            parse_target(&Store::new(), &["api", "v1", "pods"]).is_some(),
            "lists across namespaces"
        );
    }
}
