//! API discovery (aggregated v2 with legacy fallback), its on-disk cache, and resolving what the
//! user typed (`ds`, `daemonsets.apps`, `all`) to API resources.
//!
//! The cache is ours alone: `<cache root>/kubectl-rs/discovery/<host_port>/discovery.json`
//! (the root is `$KUBECACHEDIR` or `~/.kube/cache`; kubectl's own files are never touched).
//! It is fresh for 6 hours by mtime; a name that does not resolve triggers one refetch per run.

pub mod model;
pub mod resolve;

pub use model::{ApiGroup, ApiResource, DiscoveryData};
pub use resolve::{parse_type_args, ResolveError, TypeArg};

use crate::client::request::{go_duration, ACCEPT_DISCOVERY_V2};
use crate::client::{ApiPath, ApiRequest, Client, ClientError};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a cached discovery document is trusted (client-go's 6 hours).
pub const CACHE_TTL: Duration = Duration::from_secs(6 * 3600);

/// Discovery's default per-request timeout (client-go sends `timeout=32s`).
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(32);

/// Errors of discovery.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// A request failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A name did not resolve or arguments were malformed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The server's documents could not be understood.
    #[error("{0}")]
    Decode(String),
}

/// The cache directory for `server` under `root` (scheme dropped, characters other than
/// `[A-Za-z0-9_.]` replaced by `_`, as client-go names its directories).
pub fn cache_dir_for(root: &Path, server: &str) -> PathBuf {
    let host = server.split_once("://").map(|x| x.1).unwrap_or(server);
    let safe: String = host
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    root.join("kubectl-rs").join("discovery").join(safe)
}

/// One resolved resource type and the object names given for it (empty: all objects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedType {
    /// The resource (preferred version unless the user named one).
    pub resource: ApiResource,
    /// Object names.
    pub names: Vec<String>,
}

#[derive(Default)]
struct State {
    data: Option<Arc<DiscoveryData>>,
    fetched_this_run: bool,
}

/// Discovery for one command run: loads the cache or asks the server, at most once per run
/// unless forced.
pub struct Discovery {
    client: Client,
    warnings: Option<crate::client::LogSink>,
    warned: std::sync::Mutex<Vec<String>>,
    cache_file: Option<PathBuf>,
    ttl: Duration,
    state: tokio::sync::Mutex<State>,
}

impl std::fmt::Debug for Discovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Discovery({:?})", self.cache_file)
    }
}

impl Discovery {
    /// Discovery through `client`, caching under `cache_root` (None: no disk cache).
    pub fn new(client: Client, cache_root: Option<&Path>) -> Discovery {
        let cache_file =
            cache_root.map(|r| cache_dir_for(r, &client.config().server).join("discovery.json"));
        Discovery {
            client,
            warnings: None,
            warned: std::sync::Mutex::new(Vec::new()),
            cache_file,
            ttl: CACHE_TTL,
            state: tokio::sync::Mutex::new(State::default()),
        }
    }

    /// Prints resolution warnings (`Warning: short name … could also match …`) to `sink`.
    pub fn with_warnings(mut self, sink: crate::client::LogSink) -> Discovery {
        self.warnings = Some(sink);
        self
    }

    fn warn(&self, d: &DiscoveryData, arg: &str) {
        let Some(sink) = &self.warnings else { return };
        for w in d.short_name_warnings(arg) {
            let mut warned = match self.warned.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if warned.contains(&w) {
                continue;
            }
            warned.push(w.clone());
            if let Ok(mut out) = sink.lock() {
                let _ = out.write_all(format!("Warning: {w}\n").as_bytes());
            }
        }
    }

    /// The cache file in use.
    pub fn cache_file(&self) -> Option<&Path> {
        self.cache_file.as_deref()
    }

    /// The discovery data: from memory, else a fresh cache file, else the server.
    pub async fn data(&self) -> Result<Arc<DiscoveryData>, DiscoveryError> {
        let mut st = self.state.lock().await;
        if let Some(d) = &st.data {
            return Ok(d.clone());
        }
        if let Some(d) = self.read_cache() {
            let d = Arc::new(d);
            st.data = Some(d.clone());
            return Ok(d);
        }
        self.fetch_locked(&mut st).await
    }

    /// Fresh data from the server (once per run: a second call reuses the first answer).
    pub async fn refresh(&self) -> Result<Arc<DiscoveryData>, DiscoveryError> {
        let mut st = self.state.lock().await;
        if st.fetched_this_run {
            if let Some(d) = &st.data {
                return Ok(d.clone());
            }
        }
        self.fetch_locked(&mut st).await
    }

    /// Resolves one type argument; an unknown name refetches discovery once before failing.
    pub async fn resolve(&self, arg: &str) -> Result<Vec<ApiResource>, DiscoveryError> {
        let d = self.data().await?;
        match d.resolve(arg) {
            Ok(r) => {
                self.warn(&d, arg);
                Ok(r)
            }
            Err(ResolveError::UnknownType(_)) => {
                let d = self.refresh().await?;
                let r = d.resolve(arg)?;
                self.warn(&d, arg);
                Ok(r)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Resolves command arguments (`TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…`) to resources with
    /// their names, in argument order. `cmd` names the program in kubectl's usage errors.
    pub async fn resolve_args(
        &self,
        args: &[String],
        cmd: &str,
    ) -> Result<Vec<ResolvedType>, DiscoveryError> {
        let mut out = Vec::new();
        for t in parse_type_args(args, cmd)? {
            for resource in self.resolve(&t.type_name).await? {
                out.push(ResolvedType {
                    resource,
                    names: t.names.clone(),
                });
            }
        }
        Ok(out)
    }

    fn read_cache(&self) -> Option<DiscoveryData> {
        let f = self.cache_file.as_ref()?;
        let meta = std::fs::metadata(f).ok()?;
        let age = SystemTime::now()
            .duration_since(meta.modified().ok()?)
            .unwrap_or_default();
        if age > self.ttl {
            return None;
        }
        serde_json::from_slice(&std::fs::read(f).ok()?).ok()
    }

    fn write_cache(&self, d: &DiscoveryData) {
        // A cache that cannot be written only costs speed, as in kubectl.
        let Some(f) = &self.cache_file else { return };
        let Some(dir) = f.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = dir.join(format!(".discovery.json.tmp-{}", std::process::id()));
        let Ok(bytes) = serde_json::to_vec(d) else {
            return;
        };
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, f).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    async fn fetch_locked(&self, st: &mut State) -> Result<Arc<DiscoveryData>, DiscoveryError> {
        let d = Arc::new(fetch(&self.client).await?);
        if d.failed.is_empty() {
            self.write_cache(&d);
        }
        st.data = Some(d.clone());
        st.fetched_this_run = true;
        Ok(d)
    }
}

fn discovery_request(client: &Client, path: ApiPath, accept: &str) -> ApiRequest {
    let mut r = ApiRequest::get(path).accept(accept);
    if client.config().timeout.is_none() {
        r = r.query("timeout", go_duration(DISCOVERY_TIMEOUT));
    }
    r
}

/// Asks the server: `/api` and `/apis` with the aggregated Accept header; a legacy answer
/// then costs one request per group version (sent concurrently).
pub async fn fetch(client: &Client) -> Result<DiscoveryData, DiscoveryError> {
    let api_req = discovery_request(client, ApiPath::api(), ACCEPT_DISCOVERY_V2);
    let apis_req = discovery_request(client, ApiPath::apis(), ACCEPT_DISCOVERY_V2);
    let api = client.send(&api_req).await?;
    let api_v: Value = api.json()?;
    // client-go treats a missing or forbidden /apis as "no groups".
    let (apis_type, apis_v) = match client.send(&apis_req).await {
        Ok(r) => (r.content_type.clone(), r.json()?),
        Err(ClientError::Api(s)) if s.code == 404 || s.code == 403 => (
            String::new(),
            serde_json::json!({"kind": "APIGroupList", "groups": []}),
        ),
        Err(e) => return Err(e.into()),
    };
    let apis_empty = apis_v
        .get("groups")
        .and_then(Value::as_array)
        .is_some_and(|a| a.is_empty());
    let mut out = DiscoveryData::default();
    if model::is_aggregated(&api.content_type, &api_v)
        && (apis_empty || model::is_aggregated(&apis_type, &apis_v))
    {
        model::parse_aggregated(&api_v, &mut out).map_err(DiscoveryError::Decode)?;
        if !apis_empty {
            model::parse_aggregated(&apis_v, &mut out).map_err(DiscoveryError::Decode)?;
        }
        return Ok(out);
    }
    let groups = model::parse_legacy_groups(&api_v, &apis_v);
    let mut jobs = Vec::new();
    for g in &groups {
        for v in &g.versions {
            // A group or version the server named that is not one path segment fails alone.
            let req = ApiPath::group_version(&g.name, v)
                .map(|path| discovery_request(client, path, "application/json, */*"));
            let (group, version) = (g.name.clone(), v.clone());
            jobs.push(async move {
                let res = match req {
                    Ok(req) => client.send_json(&req).await,
                    Err(e) => Err(e.into()),
                };
                (group, version, res)
            });
        }
    }
    for (group, version, res) in futures_util::future::join_all(jobs).await {
        match res {
            Ok(list) => out
                .resources
                .extend(model::parse_resource_list(&group, &version, &list)),
            Err(e) => {
                let gv = if group.is_empty() {
                    version
                } else {
                    format!("{group}/{version}")
                };
                out.failed.push((gv, e.to_string()));
            }
        }
    }
    out.groups = groups;
    Ok(out)
}

/// The server's API groups, as client-go's uncached `ServerGroups` asks for them: `/api` and
/// `/apis` only (aggregated or legacy), never the group versions' resource lists.
pub async fn server_groups(client: &Client) -> Result<Vec<ApiGroup>, DiscoveryError> {
    let (api, api_v) = get_root(client, ApiPath::api()).await?;
    let (apis, apis_v) = get_root(client, ApiPath::apis()).await?;
    if model::is_aggregated(&api.content_type, &api_v)
        && model::is_aggregated(&apis.content_type, &apis_v)
    {
        let mut out = DiscoveryData::default();
        model::parse_aggregated(&api_v, &mut out).map_err(DiscoveryError::Decode)?;
        model::parse_aggregated(&apis_v, &mut out).map_err(DiscoveryError::Decode)?;
        return Ok(out.groups);
    }
    Ok(model::parse_legacy_groups(&api_v, &apis_v))
}

/// One discovery root (`/api` or `/apis`) asked for in its aggregated form, and its body.
async fn get_root(
    client: &Client,
    path: ApiPath,
) -> Result<(crate::client::ApiResponse, Value), DiscoveryError> {
    let resp = client
        .send(&discovery_request(client, path, ACCEPT_DISCOVERY_V2))
        .await?;
    let body: Value = resp.json()?;
    Ok((resp, body))
}

/// The partial-failure message of a legacy discovery, if any group version failed.
pub fn partial_failure(d: &DiscoveryData) -> Option<String> {
    if d.failed.is_empty() {
        return None;
    }
    let parts: Vec<String> = d
        .failed
        .iter()
        .map(|(gv, e)| format!("{gv}: {e}"))
        .collect();
    Some(format!(
        "unable to retrieve the complete list of server APIs: {}",
        parts.join(", ")
    ))
}

/// `GET /version`.
pub async fn server_version(client: &Client) -> Result<Value, ClientError> {
    let req = discovery_request(client, ApiPath::version(), "application/json, */*");
    client.send_json(&req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_dir_names() {
        let root = Path::new("/c");
        assert_eq!(
            cache_dir_for(root, "https://127.0.0.1:18080"),
            PathBuf::from("/c/kubectl-rs/discovery/127.0.0.1_18080")
        );
        assert_eq!(
            cache_dir_for(root, "https://example.com/k8s/clusters/c-1"),
            PathBuf::from("/c/kubectl-rs/discovery/example.com_k8s_clusters_c_1")
        );
    }

    #[test]
    fn partial_failures() {
        let mut d = DiscoveryData::default();
        assert_eq!(partial_failure(&d), None);
        d.failed.push((
            "metrics.k8s.io/v1beta1".into(),
            "the server is currently unable to handle the request".into(),
        ));
        assert_eq!(
            partial_failure(&d).unwrap(),
            "unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request"
        );
    }
}
