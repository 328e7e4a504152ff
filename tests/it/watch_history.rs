//! kube-apiserver's resourceVersion semantics on the sandbox's bounded history: compaction
//! every 5 minutes of cluster time, `410 Gone` (Expired) for a watch, an exact list or a
//! continue token from before it, and periodic watch bookmarks on the cluster clock.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::TestEnv;

const CMS: &str = "/api/v1/namespaces/default/configmaps";

fn client(env: &TestEnv) -> reqwest::Client {
    let h = &env.sandbox;
    let pem = format!("{}{}", h.client_cert_pem(), h.client_key_pem());
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(h.ca_pem().as_bytes()).unwrap())
        .identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn get(c: &reqwest::Client, env: &TestEnv, path: &str) -> (u16, Value) {
    let resp = c
        .get(format!("{}{path}", env.sandbox.server_url()))
        .send()
        .await
        .unwrap();
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap())
}

async fn create_cm(c: &reqwest::Client, env: &TestEnv, name: &str) -> u64 {
    let resp = c
        .post(format!("{}{CMS}", env.sandbox.server_url()))
        .json(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The next watch event of a streamed response.
async fn next_event(resp: &mut reqwest::Response, buf: &mut String) -> Value {
    loop {
        if let Some(i) = buf.find('\n') {
            let line: String = buf.drain(..=i).collect();
            return serde_json::from_str(&line).unwrap();
        }
        let chunk = tokio::time::timeout(Duration::from_secs(20), resp.chunk())
            .await
            .expect("a watch event")
            .unwrap()
            .expect("the watch is still open");
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// Advances the cluster clock by two compaction intervals, so that everything written before
/// is compacted, and waits until the compactor has run.
async fn compact_past(env: &TestEnv, rv: u64) {
    // Each compactor run compacts to the revision its previous run saw, so two runs past `rv`
    // are needed; under load a run may come late, so advance until it is reached.
    let store = env.sandbox.store();
    for _ in 0..20 {
        env.advance(Duration::from_secs(5 * 60));
        for _ in 0..40 {
            if store.compacted_rv() >= rv {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    panic!("compaction did not pass {rv}: at {}", store.compacted_rv());
}

#[tokio::test]
async fn watch_and_list_from_a_compacted_revision_are_gone() {
    let env = TestEnv::manual_clock().await;
    let c = client(&env);
    let old = create_cm(&c, &env, "a").await;
    // Within the history a watch from it replays what came after.
    create_cm(&c, &env, "b").await;
    let mut resp = c
        .get(format!(
            "{}{CMS}?watch=1&resourceVersion={old}",
            env.sandbox.server_url()
        ))
        .send()
        .await
        .unwrap();
    let ev = next_event(&mut resp, &mut String::new()).await;
    assert_eq!(
        (&ev["type"], &ev["object"]["metadata"]["name"]),
        (&json!("ADDED"), &json!("b"))
    );
    drop(resp);

    compact_past(&env, old + 1).await;
    let compacted = env.sandbox.store().compacted_rv();
    // The watch is answered 200 with one ERROR event, as the watch cache does.
    let mut resp = c
        .get(format!(
            "{}{CMS}?watch=1&resourceVersion={old}",
            env.sandbox.server_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ev = next_event(&mut resp, &mut String::new()).await;
    assert_eq!(
        ev,
        json!({"type": "ERROR", "object": {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("too old resource version: {old} ({compacted})"),
            "reason": "Expired", "code": 410}})
    );

    // A list at exactly that revision cannot be served; a list not older than it can.
    let (code, body) = get(
        &c,
        &env,
        &format!("{CMS}?resourceVersion={old}&resourceVersionMatch=Exact"),
    )
    .await;
    assert_eq!(
        (code, body),
        (
            410,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "The resourceVersion for the provided list is too old.",
                "reason": "Expired", "code": 410})
        )
    );
    let (code, body) = get(
        &c,
        &env,
        &format!("{CMS}?resourceVersion={old}&resourceVersionMatch=NotOlderThan"),
    )
    .await;
    assert_eq!(
        (code, body["items"].as_array().map(Vec::len)),
        (200, Some(3))
    );
}

#[tokio::test]
async fn continue_token_expires_with_an_inconsistent_token() {
    let env = TestEnv::manual_clock().await;
    let c = client(&env);
    for n in ["a", "b", "c"] {
        create_cm(&c, &env, n).await;
    }
    // default also holds kube-root-ca.crt: a, b | c, kube-root-ca.crt.
    let (code, page) = get(&c, &env, &format!("{CMS}?limit=2")).await;
    assert_eq!(code, 200);
    let token = page["metadata"]["continue"].as_str().unwrap().to_string();
    // Still consistent before compaction.
    let (code, _) = get(&c, &env, &format!("{CMS}?limit=2&continue={token}")).await;
    assert_eq!(code, 200);

    let rv: u64 = page["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    create_cm(&c, &env, "d").await;
    compact_past(&env, rv + 1).await;
    let (code, status) = get(&c, &env, &format!("{CMS}?limit=2&continue={token}")).await;
    assert_eq!(code, 410);
    assert_eq!(
        status["message"],
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
    );
    assert_eq!(
        (&status["reason"], &status["code"]),
        (&json!("Expired"), &json!(410))
    );
    // The inconsistent token goes on after "b" in the current state ("d" shows up) and does
    // not expire.
    let next = status["metadata"]["continue"].as_str().unwrap();
    compact_past(&env, env.sandbox.store().current_rv()).await;
    let (code, rest) = get(&c, &env, &format!("{CMS}?continue={next}")).await;
    let names: Vec<&str> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!((code, names), (200, vec!["c", "d", "kube-root-ca.crt"]));
}

#[tokio::test]
async fn bookmarks_follow_the_cluster_clock() {
    let env = TestEnv::manual_clock().await;
    let c = client(&env);
    let rv = create_cm(&c, &env, "a").await;
    let mut resp = c
        .get(format!(
            "{}{CMS}?watch=1&resourceVersion={rv}&allowWatchBookmarks=true",
            env.sandbox.server_url()
        ))
        .send()
        .await
        .unwrap();
    let mut buf = String::new();
    create_cm(&c, &env, "b").await;
    let ev = next_event(&mut resp, &mut buf).await;
    assert_eq!(ev["type"], "ADDED");
    let b_rv = ev["object"]["metadata"]["resourceVersion"].clone();
    // A minute of cluster time later: a bookmark at the latest revision the watch saw.
    env.advance(Duration::from_secs(60));
    let ev = next_event(&mut resp, &mut buf).await;
    let rv_of = |v: &Value| v.as_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(
        (
            &ev["type"],
            &ev["object"]["kind"],
            &ev["object"]["apiVersion"]
        ),
        (&json!("BOOKMARK"), &json!("ConfigMap"), &json!("v1"))
    );
    // (Controllers' writes elsewhere move it on; never back.)
    assert!(rv_of(&ev["object"]["metadata"]["resourceVersion"]) >= rv_of(&b_rv));
    // Without allowWatchBookmarks none comes: the next event is the next change.
    let mut plain = c
        .get(format!(
            "{}{CMS}?watch=1&resourceVersion={rv}",
            env.sandbox.server_url()
        ))
        .send()
        .await
        .unwrap();
    let mut buf = String::new();
    assert_eq!(next_event(&mut plain, &mut buf).await["type"], "ADDED");
    env.advance(Duration::from_secs(60));
    create_cm(&c, &env, "c").await;
    let ev = next_event(&mut plain, &mut buf).await;
    assert_eq!(
        (&ev["type"], &ev["object"]["metadata"]["name"]),
        (&json!("ADDED"), &json!("c"))
    );
}

/// A watch with a timeout gets one bookmark 2 s before it ends (the watch cache's
/// pre-timeout bookmark) and no others while the cluster clock stands still.
#[tokio::test]
async fn one_bookmark_before_the_timeout() {
    let env = TestEnv::manual_clock().await;
    let c = client(&env);
    let rv = create_cm(&c, &env, "a").await;
    let mut resp = c
        .get(format!(
            "{}{CMS}?watch=1&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=3",
            env.sandbox.server_url()
        ))
        .send()
        .await
        .unwrap();
    let mut body = String::new();
    while let Some(chunk) = resp.chunk().await.unwrap() {
        body.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let types: Vec<String> = body
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["type"].to_string())
        .collect();
    assert_eq!(types, ["\"BOOKMARK\""], "{body}");
}
