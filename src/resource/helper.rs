//! Requests on one object the builder found (cli-runtime `resource.Helper`): fetching it
//! again, waiting for it to go away.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::client::{ApiPath, ApiRequest};
use crate::context::Context;
use crate::discovery::ApiResource;
use crate::error::CliError;

/// Waits until the object is gone (404, or replaced by one with another uid), as kubectl's
/// `wait --for=delete` does: a GET, then a watch on the name until `DELETED`. `deleted` is
/// the DELETE's answer ([`deletion_uid`]).
pub async fn wait_deleted(
    ctx: &Context,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
    deleted: &Value,
    timeout: Duration,
) -> Result<(), CliError> {
    wait_gone(ctx, r, namespace, name, deletion_uid(deleted), timeout).await
}

/// kubectl's uid map entry for a DELETE's answer: a Status names the uid in its details, an
/// object in its metadata; even an empty uid counts, so a re-created object ends the wait.
pub fn deletion_uid(deleted: &Value) -> Option<String> {
    if deleted["kind"] == "Status" {
        deleted["details"].as_object().map(|d| {
            d.get("uid")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
    } else if deleted.is_object() {
        Some(
            deleted["metadata"]["uid"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    } else {
        None
    }
}

/// [`wait_deleted`] with the deleted object's uid (None: any object of that name is waited
/// on until it is gone).
pub async fn wait_gone(
    ctx: &Context,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
    uid: Option<String>,
    timeout: Duration,
) -> Result<(), CliError> {
    // kubectl: a zero timeout means a week.
    let timeout = if timeout.is_zero() {
        Duration::from_secs(7 * 24 * 3600)
    } else {
        timeout
    };
    let client = ctx.client()?;
    let timed_out = || {
        CliError::msg(format!(
            "timed out waiting for the condition on {}/{}",
            r.resource, name
        ))
    };
    let wait = async {
        loop {
            let live = match client.get_json(&r.path(namespace, Some(name))?).await {
                Ok(v) => v,
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => return Err(CliError::from(e)),
            };
            if let Some(uid) = &uid {
                if live["metadata"]["uid"].as_str() != Some(uid.as_str()) {
                    return Ok(());
                }
            }
            let rv = live["metadata"]["resourceVersion"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let selector = format!("metadata.name={name}");
            let Some(mut stream) =
                watch_named(client, r.path(namespace, None)?, &selector, rv).await?
            else {
                continue;
            };
            while let Some(ev) = stream.next().await {
                match ev {
                    Ok(ev) if ev.event_type == "DELETED" => return Ok(()),
                    Ok(_) => {}
                    // An expired watch starts over from a fresh GET.
                    Err(_) => break,
                }
            }
        }
    };
    match tokio::time::timeout(timeout, wait).await {
        Ok(r) => r,
        Err(_) => Err(timed_out()),
    }
}

/// A watch of the one object `selector` (`metadata.name=…`) picks in `collection`, from
/// resourceVersion `rv`; None when that version is gone (410: read the object again first).
pub async fn watch_named(
    client: &crate::client::Client,
    collection: ApiPath,
    selector: &str,
    rv: String,
) -> Result<Option<crate::client::WatchStream>, CliError> {
    let req = ApiRequest::get(collection)
        .query("fieldSelector", selector.to_string())
        .query("resourceVersion", rv);
    match client.watch(&req).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.status().is_some_and(|s| s.code == 410) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// cli-runtime `Info.Get` of an object named on the command line: `r`'s object `name` in
/// `namespace`, as [`builder_get`] reports it.
pub async fn get_named(
    ctx: &Context,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<Value, CliError> {
    let path = r.path(namespace, Some(name))?;
    builder_get(ctx, &path, namespace).await
}

/// cli-runtime `Info.Get`: the object at `path`; when it is missing from a namespace other
/// than `default`, a missing namespace is reported instead.
pub async fn builder_get(
    ctx: &Context,
    path: &ApiPath,
    namespace: Option<&str>,
) -> Result<Value, CliError> {
    let client = ctx.client()?;
    match client.get_json(path).await {
        Ok(v) => Ok(v),
        Err(e) if e.is_not_found() => {
            if let Some(ns) = namespace.filter(|n| !n.is_empty() && *n != "default") {
                let ns_path = ApiPath::namespace(ns)?;
                if let Err(e2) = client.get_json(&ns_path).await {
                    if e2.is_not_found() {
                        return Err(e2.into());
                    }
                }
            }
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// cli-runtime `Info.Get` for a caller that sent its own request: a 404 for an object in a
/// namespace other than `default` becomes the namespace's own 404 when the namespace is missing.
pub async fn namespace_missing(
    client: &crate::client::Client,
    ns: Option<&str>,
    e: crate::client::ClientError,
) -> crate::client::ClientError {
    let Some(ns) = ns.filter(|n| !n.is_empty() && *n != "default") else {
        return e;
    };
    if !e.is_not_found() {
        return e;
    }
    let Ok(path) = ApiPath::namespace(ns) else {
        return e;
    };
    match client.send(&ApiRequest::get(path)).await {
        Err(ns_err) if ns_err.is_not_found() => ns_err,
        _ => e,
    }
}

/// cli-runtime `EnhanceListError`: a 400 or 404 of a list names what was listed (`subject`,
/// e.g. `/v1, Resource=nodes`) and the selectors.
pub fn enhance_list_error(
    e: crate::client::ClientError,
    subject: &str,
    label: &str,
    field: &str,
) -> crate::client::ClientError {
    let crate::client::ClientError::Api(mut status) = e else {
        return e;
    };
    let bad_request =
        status.reason == "BadRequest" || (status.reason.is_empty() && status.code == 400);
    if bad_request || status.is_not_found() {
        // Go's %q.
        let q = crate::print::gofmt::go_quote;
        status.message = if label.is_empty() && field.is_empty() {
            format!("Unable to list {}: {}", q(subject), status.message)
        } else {
            format!(
                "Unable to find {} that match label selector {}, field selector {}: {}",
                q(subject),
                q(label),
                q(field),
                status.message
            )
        };
    }
    crate::client::ClientError::Api(status)
}

/// [`enhance_list_error`] for a list of resource `r` (cli-runtime `Selector.Visit`): the
/// subject is its group-version-resource as Go prints it (`apps/v1, Resource=deployments`).
pub fn enhance_resource_list_error(
    e: crate::client::ClientError,
    r: &ApiResource,
    label: &str,
    field: &str,
) -> crate::client::ClientError {
    let gvr = format!("{}/{}, Resource={}", r.group, r.version, r.resource);
    enhance_list_error(e, &gvr, label, field)
}

/// cli-runtime `FollowContinue`: GETs a list `chunk` items at a time (0: all at once),
/// following `continue` tokens; errors enhanced as [`enhance_list_error`] says.
pub async fn list_chunked(
    ctx: &Context,
    path: ApiPath,
    subject: &str,
    label_selector: Option<&str>,
    field_selector: Option<&str>,
    chunk: i64,
) -> Result<Vec<Value>, CliError> {
    let mut items = Vec::new();
    for_each_chunk(
        ctx,
        path,
        subject,
        label_selector,
        field_selector,
        chunk,
        |mut page| items.append(&mut page),
    )
    .await?;
    Ok(items)
}

/// [`list_chunked`] handing each page's items to `each` as it arrives instead of keeping
/// them: memory holds one page.
pub async fn for_each_chunk(
    ctx: &Context,
    path: ApiPath,
    subject: &str,
    label_selector: Option<&str>,
    field_selector: Option<&str>,
    chunk: i64,
    mut each: impl FnMut(Vec<Value>),
) -> Result<(), CliError> {
    let label = label_selector.unwrap_or("");
    let field = field_selector.unwrap_or("");
    let mut req = crate::client::ApiRequest::get(path);
    if !label.is_empty() {
        req = req.query("labelSelector", label);
    }
    if !field.is_empty() {
        req = req.query("fieldSelector", field);
    }
    let list_error = |e| enhance_list_error(e, subject, label, field);
    each_page(ctx.client()?, &req, chunk, &list_error, |mut list| {
        if let Some(Value::Array(items)) = list.get_mut("items").map(Value::take) {
            each(items);
        }
        Ok(())
    })
    .await
}

/// Follows a list's pages (`req` with `limit=chunk` when positive, then each `continue`
/// token), handing each page to `each` as it arrives; a failed request's error goes through
/// `list_error`.
async fn each_page(
    client: &crate::client::Client,
    req: &ApiRequest,
    chunk: i64,
    list_error: &dyn Fn(crate::client::ClientError) -> crate::client::ClientError,
    mut each: impl FnMut(Value) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let mut cont = String::new();
    loop {
        let mut page_req = req.clone();
        if chunk > 0 {
            page_req = page_req.query("limit", chunk.to_string());
        }
        if !cont.is_empty() {
            page_req = page_req.query("continue", cont.clone());
        }
        let list = client
            .send_json(&page_req)
            .await
            .map_err(|e| CliError::from(list_error(e)))?;
        cont = list["metadata"]["continue"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        each(list)?;
        if cont.is_empty() {
            return Ok(());
        }
    }
}

/// The items of a list read page by page (`limit=chunk`, following `continue`; the request
/// `req` names the collection and its selectors) into a spool on disk, each with the kind
/// and apiVersion its list names, as the unstructured decoder fills them in. Memory holds
/// one page whatever the list size; the objects come back one at a time
/// ([`Spool::get`](crate::print::spool::Spool::get)). kubectl reads these lists (label,
/// annotate, wait) in one request and holds every object; here every page is read before
/// the first object is visited, so a long visit (patches, waits) never outlives a continue
/// token, and what is visited is one consistent list, as kubectl's. A failed request's
/// error goes through `list_error` (the builder's message naming the selectors).
pub async fn spool_list(
    client: &crate::client::Client,
    req: &ApiRequest,
    r: &ApiResource,
    chunk: i64,
    list_error: &dyn Fn(crate::client::ClientError) -> crate::client::ClientError,
) -> Result<crate::print::spool::Spool, CliError> {
    let mut spool = crate::print::spool::Spool::new()?;
    each_page(client, req, chunk, list_error, |list| {
        for t in crate::resource::targets::list_items(r, list) {
            spool.push(&t.object)?;
        }
        Ok(())
    })
    .await?;
    Ok(spool)
}

/// Follows `continue` tokens page by page (cli-runtime `FollowContinue`), asking for the
/// next page before handing the current one to `each`, which runs while that request is on
/// its way: at most two pages are held, whatever the list size. `fetch(token)` gets one
/// page (`None`: the first), `token_of` reads a page's non-empty continue token. A failed
/// page ends the walk with its error, after the pages before it were handed over.
pub async fn for_each_page<P, E, F, Fut>(
    mut fetch: F,
    token_of: impl Fn(&P) -> Option<String>,
    mut each: impl FnMut(P),
) -> Result<(), E>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<P, E>>,
{
    let mut current = fetch(None).await?;
    loop {
        let Some(token) = token_of(&current) else {
            each(current);
            return Ok(());
        };
        let next = fetch(Some(token));
        let page = current;
        let handle = async {
            // Let the connection send the next request before the page is worked on.
            tokio::task::yield_now().await;
            each(page);
        };
        let (next, ()) = futures_util::future::join(next, handle).await;
        current = next?;
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A page that counts how many pages are alive at once.
    struct Page {
        n: usize,
        live: Arc<AtomicUsize>,
    }

    impl Drop for Page {
        fn drop(&mut self) {
            self.live.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn holds_at_most_two_pages() {
        let live = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let fetched = Arc::new(AtomicUsize::new(0));
        let pages = 50;
        let mut seen = Vec::new();
        let r: Result<(), String> = for_each_page(
            |token: Option<String>| {
                let (live, peak, fetched) = (live.clone(), peak.clone(), fetched.clone());
                async move {
                    let n = token.map_or(0, |t| t.parse::<usize>().unwrap());
                    fetched.fetch_add(1, Ordering::SeqCst);
                    let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    Ok(Page { n, live })
                }
            },
            |p: &Page| (p.n + 1 < pages).then(|| (p.n + 1).to_string()),
            |p: Page| {
                // The next page was asked for before this one is handled.
                assert_eq!(fetched.load(Ordering::SeqCst), (p.n + 2).min(pages));
                seen.push(p.n);
            },
        )
        .await;
        assert!(r.is_ok());
        assert_eq!(seen, (0..pages).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(live.load(Ordering::SeqCst), 0);
        // A failing page ends the walk after the pages before it.
        let mut seen = Vec::new();
        let r: Result<(), String> = for_each_page(
            |token: Option<String>| async move {
                match token.as_deref() {
                    None => Ok(0),
                    Some("1") => Ok(1),
                    Some(_) => Err("gone".to_string()),
                }
            },
            |p: &usize| Some((p + 1).to_string()),
            |p| seen.push(p),
        )
        .await;
        assert_eq!(r, Err("gone".to_string()));
        assert_eq!(seen, [0, 1]);
    }
}
