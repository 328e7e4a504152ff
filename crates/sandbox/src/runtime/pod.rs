//! What a container sees of its pod: the filesystem (kubelet-managed `/etc` files, volumes at
//! their mount paths) and the environment (`env` with `valueFrom`, `envFrom`, the
//! `kubernetes` service variables), built from the pod and the objects it refers to.

use base64::Engine;
use serde_json::Value;

use super::vfs::{ReadOnlyTrees, SharedTree, Tree, Vfs};
use crate::store::Store;
use kcore::resource::GroupResource;

/// Trees of the pod's writable volumes (emptyDir and the like), shared by its containers.
#[derive(Default)]
pub struct PodVolumes {
    pub shared: std::collections::HashMap<String, SharedTree>,
}

fn hostname(pod: &Value) -> String {
    pod["spec"]["hostname"]
        .as_str()
        .or_else(|| pod["metadata"]["name"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn get(store: &Store, resource: &str, ns: &str, name: &str) -> Option<Value> {
    store.get(&GroupResource::new("", resource), ns, name)
}

/// An env var's `configMapKeyRef`/`secretKeyRef` (`r`): the key's text, None when the
/// object or the key is missing.
fn key_ref(store: &Store, ns: &str, r: &Value, resource: &str, secret: bool) -> Option<String> {
    let obj = get(store, resource, ns, r["name"].as_str().unwrap_or(""))?;
    let key = r["key"].as_str().unwrap_or("");
    data_of(&obj, secret)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
}

/// The key → bytes of a ConfigMap or Secret.
fn data_of(obj: &Value, secret: bool) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(m) = obj["data"].as_object() {
        for (k, v) in m {
            let s = v.as_str().unwrap_or_default();
            let bytes = if secret {
                b64.decode(s).unwrap_or_default()
            } else {
                s.as_bytes().to_vec()
            };
            out.push((k.clone(), bytes));
        }
    }
    if let Some(m) = obj["binaryData"].as_object() {
        for (k, v) in m {
            out.push((
                k.clone(),
                b64.decode(v.as_str().unwrap_or_default())
                    .unwrap_or_default(),
            ));
        }
    }
    if secret {
        if let Some(m) = obj["stringData"].as_object() {
            for (k, v) in m {
                out.push((
                    k.clone(),
                    v.as_str().unwrap_or_default().as_bytes().to_vec(),
                ));
            }
        }
    }
    out
}

/// A pod field as `fieldRef` reads it.
pub fn field_ref(pod: &Value, path: &str) -> String {
    let m = &pod["metadata"];
    let map_entry = |map: &Value, key: &str| map[key].as_str().unwrap_or_default().to_string();
    let whole_map = |map: &Value| -> String {
        let mut lines: Vec<String> = map
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap_or_default()))
            .collect();
        lines.sort();
        lines.join("\n")
    };
    let bracket = |p: &str, prefix: &str| -> Option<String> {
        p.strip_prefix(prefix)?
            .strip_prefix("['")?
            .strip_suffix("']")
            .map(str::to_string)
    };
    if let Some(k) = bracket(path, "metadata.labels") {
        return map_entry(&m["labels"], &k);
    }
    if let Some(k) = bracket(path, "metadata.annotations") {
        return map_entry(&m["annotations"], &k);
    }
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    match path {
        "metadata.name" => s(&m["name"]),
        "metadata.namespace" => s(&m["namespace"]),
        "metadata.uid" => s(&m["uid"]),
        "metadata.labels" => whole_map(&m["labels"]),
        "metadata.annotations" => whole_map(&m["annotations"]),
        "spec.nodeName" => s(&pod["spec"]["nodeName"]),
        "spec.serviceAccountName" => s(&pod["spec"]["serviceAccountName"]),
        "status.podIP" => s(&pod["status"]["podIP"]),
        "status.hostIP" => s(&pod["status"]["hostIP"]),
        // The addresses of `status.podIPs`/`status.hostIPs`, comma-separated.
        "status.podIPs" | "status.hostIPs" => pod["status"][&path["status.".len()..]]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["ip"].as_str())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

/// `resourceFieldRef`: the container's limit (or request), in whole units as the kubelet
/// rounds them up (cpu in cores, memory in bytes), with the divisor applied.
fn resource_ref(pod: &Value, default_container: &Value, r: &Value) -> String {
    let container = match r["containerName"].as_str() {
        Some(n) => pod["spec"]["containers"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == n))
            .unwrap_or(default_container),
        None => default_container,
    };
    let res = r["resource"].as_str().unwrap_or_default();
    let (kind, name) = res.split_once('.').unwrap_or(("limits", res));
    let q = container["resources"][kind][name]
        .as_str()
        .map(str::to_string)
        .or_else(|| {
            container["resources"][kind][name]
                .as_i64()
                .map(|n| n.to_string())
        });
    let value = match q.as_deref().and_then(parse_quantity) {
        Some(v) => v,
        // No limit: the node's allocatable (the sandbox's nodes have 8 cores, 16Gi).
        None if name == "cpu" => 8.0,
        None if name == "memory" => 16.0 * 1024.0 * 1024.0 * 1024.0,
        None => 0.0,
    };
    let divisor = r["divisor"]
        .as_str()
        .and_then(parse_quantity)
        .filter(|d| *d > 0.0)
        .unwrap_or(1.0);
    format!("{}", (value / divisor).ceil() as i64)
}

fn parse_quantity(q: &str) -> Option<f64> {
    let suffixes: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1024f64.powi(2)),
        ("Gi", 1024f64.powi(3)),
        ("Ti", 1024f64.powi(4)),
        ("m", 0.001),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    for (s, mult) in suffixes {
        if let Some(n) = q.strip_suffix(s) {
            return n.parse::<f64>().ok().map(|v| v * mult);
        }
    }
    q.parse().ok()
}

/// Expands `$(VAR)` references in an env value against the variables defined so far.
fn expand_refs(value: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            out.push('$');
            rest = a;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(j) => {
                    let name = &inner[..j];
                    match env.iter().rev().find(|(k, _)| k == name) {
                        Some((_, v)) => out.push_str(v),
                        None => out.push_str(&format!("$({name})")),
                    }
                    rest = &inner[j + 1..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn set(env: &mut Vec<(String, String)>, k: String, v: String) {
    env.retain(|(x, _)| x != &k);
    env.push((k, v));
}

/// The container's environment, in the order a process would see it.
pub fn environment(store: &Store, pod: &Value, c: &Value) -> Vec<(String, String)> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let mut env = vec![
        (
            "PATH".to_string(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        ),
        ("HOSTNAME".to_string(), hostname(pod)),
    ];
    for from in c["envFrom"].as_array().into_iter().flatten() {
        let prefix = from["prefix"].as_str().unwrap_or_default();
        let (obj, secret) = if let Some(n) = from["configMapRef"]["name"].as_str() {
            (get(store, "configmaps", ns, n), false)
        } else if let Some(n) = from["secretRef"]["name"].as_str() {
            (get(store, "secrets", ns, n), true)
        } else {
            continue;
        };
        for (k, v) in obj.map(|o| data_of(&o, secret)).unwrap_or_default() {
            set(
                &mut env,
                format!("{prefix}{k}"),
                String::from_utf8_lossy(&v).into_owned(),
            );
        }
    }
    for e in c["env"].as_array().into_iter().flatten() {
        let Some(name) = e["name"].as_str() else {
            continue;
        };
        let from = &e["valueFrom"];
        let value = if let Some(v) = e["value"].as_str() {
            Some(expand_refs(v, &env))
        } else if let Some(p) = from["fieldRef"]["fieldPath"].as_str() {
            Some(field_ref(pod, p))
        } else if from["resourceFieldRef"].is_object() {
            Some(resource_ref(pod, c, &from["resourceFieldRef"]))
        } else if from["configMapKeyRef"].is_object() {
            key_ref(store, ns, &from["configMapKeyRef"], "configmaps", false)
        } else if from["secretKeyRef"].is_object() {
            key_ref(store, ns, &from["secretKeyRef"], "secrets", true)
        } else {
            Some(String::new())
        };
        if let Some(v) = value {
            set(&mut env, name.to_string(), v);
        }
    }
    {
        // The `kubernetes` service's variables are always there.
        for (k, v) in [
            ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
            ("KUBERNETES_SERVICE_PORT", "443"),
            ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
            ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
            ("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"),
            ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
            ("KUBERNETES_PORT_443_TCP_PORT", "443"),
            ("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"),
        ] {
            if !env.iter().any(|(x, _)| x == k) {
                env.push((k.to_string(), v.to_string()));
            }
        }
    }
    if !env.iter().any(|(k, _)| k == "HOME") {
        env.push(("HOME".to_string(), "/root".to_string()));
    }
    env
}

/// A read-only tree with the files of one ConfigMap/Secret volume source.
fn put_keys(tree: &mut Tree, data: Vec<(String, Vec<u8>)>, items: &Value, dir: &str) {
    let join = |p: &str| {
        if dir.is_empty() {
            p.to_string()
        } else {
            format!("{dir}/{p}")
        }
    };
    match items.as_array().filter(|i| !i.is_empty()) {
        Some(items) => {
            for it in items {
                let key = it["key"].as_str().unwrap_or_default();
                let path = it["path"].as_str().unwrap_or(key);
                if let Some((_, v)) = data.iter().find(|(k, _)| k == key) {
                    tree.put(&join(path), v.clone());
                }
            }
        }
        None => {
            for (k, v) in data {
                tree.put(&join(&k), v);
            }
        }
    }
}

fn downward(tree: &mut Tree, pod: &Value, c: &Value, items: &Value) {
    for it in items.as_array().into_iter().flatten() {
        let path = it["path"].as_str().unwrap_or_default();
        let v = if let Some(f) = it["fieldRef"]["fieldPath"].as_str() {
            field_ref(pod, f)
        } else if it["resourceFieldRef"].is_object() {
            resource_ref(pod, c, &it["resourceFieldRef"])
        } else {
            String::new()
        };
        tree.put(path, v.into_bytes());
    }
}

/// A token that looks like a service-account JWT (clearly simulated).
fn token(pod: &Value) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(r#"{"alg":"RS256","kid":"sandbox"}"#);
    let claims = b64.encode(format!(
        r#"{{"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:{}:{}","sandbox":true}}"#,
        pod["metadata"]["namespace"].as_str().unwrap_or_default(),
        pod["spec"]["serviceAccountName"].as_str().unwrap_or("default"),
    ));
    format!("{header}.{claims}.c2FuZGJveC1zaW11bGF0ZWQtc2lnbmF0dXJl").into_bytes()
}

/// The tree of one volume and whether it is read-only (writable trees are shared in `vols`).
fn volume_tree(
    store: &Store,
    pod: &Value,
    c: &Value,
    vol: &Value,
    vols: &mut PodVolumes,
    read_only: &mut ReadOnlyTrees,
) -> (SharedTree, bool) {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = vol["name"].as_str().unwrap_or_default().to_string();
    let mut ro_tree = |f: &mut dyn FnMut(&mut Tree)| {
        let mut t = Tree::empty_dir();
        f(&mut t);
        (read_only.share(t), true)
    };
    // A configMap or secret volume: the object's keys as files (a missing one: none).
    for (field, resource, name_key, secret) in [
        ("configMap", "configmaps", "name", false),
        ("secret", "secrets", "secretName", true),
    ] {
        if let Some(src) = vol.get(field) {
            let data = get(
                store,
                resource,
                ns,
                src[name_key].as_str().unwrap_or_default(),
            )
            .map(|o| data_of(&o, secret))
            .unwrap_or_default();
            return ro_tree(&mut |t| put_keys(t, data.clone(), &src["items"], ""));
        }
    }
    if let Some(d) = vol.get("downwardAPI") {
        return ro_tree(&mut |t| downward(t, pod, c, &d["items"]));
    }
    if let Some(p) = vol.get("projected") {
        return ro_tree(&mut |t| {
            for src in p["sources"].as_array().into_iter().flatten() {
                if let Some(cm) = src.get("configMap") {
                    let data = get(
                        store,
                        "configmaps",
                        ns,
                        cm["name"].as_str().unwrap_or_default(),
                    )
                    .map(|o| data_of(&o, false))
                    .unwrap_or_default();
                    put_keys(t, data, &cm["items"], "");
                } else if let Some(s) = src.get("secret") {
                    let data = get(store, "secrets", ns, s["name"].as_str().unwrap_or_default())
                        .map(|o| data_of(&o, true))
                        .unwrap_or_default();
                    put_keys(t, data, &s["items"], "");
                } else if let Some(d) = src.get("downwardAPI") {
                    downward(t, pod, c, &d["items"]);
                } else if let Some(sa) = src.get("serviceAccountToken") {
                    t.put(sa["path"].as_str().unwrap_or("token"), token(pod));
                }
            }
        });
    }
    // emptyDir, hostPath, persistentVolumeClaim, ...: writable and shared in the pod.
    let tree = vols.shared.entry(name).or_insert_with(Tree::shared).clone();
    (tree, false)
}

/// The files of a container's root: the kubelet-managed `/etc` files (built on first use,
/// see `Tree::seeded`).
fn root_files(t: &mut Tree, host: &str, ns: &str, ip: &str, subdomain: Option<&str>) {
    for d in [
        "bin", "dev", "home", "proc", "root", "sys", "tmp", "usr", "var", "etc",
    ] {
        t.put(&format!("{d}/.keep"), Vec::new());
    }
    t.put("etc/hostname", format!("{host}\n").into_bytes());
    let fqdn = match subdomain {
        Some(sub) => format!("{host}.{sub}.{ns}.svc.cluster.local\t{host}"),
        None => host.to_string(),
    };
    t.put(
        "etc/hosts",
        format!(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{fqdn}\n"
        )
        .into_bytes(),
    );
    t.put(
        "etc/resolv.conf",
        format!("search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n").into_bytes(),
    );
    t.put("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n".to_vec());
    t.put(
        "etc/os-release",
        b"NAME=\"Simulated Linux\"\nID=sandbox\n".to_vec(),
    );
    // The placeholders only make the directories exist.
    for d in [
        "bin", "dev", "home", "proc", "root", "sys", "tmp", "usr", "var", "etc",
    ] {
        let _ = t.remove_file(&format!("{d}/.keep"));
    }
}

/// The filesystem of container `c` of `pod` (read-only volume trees shared through
/// `read_only`).
pub fn filesystem(
    store: &Store,
    pod: &Value,
    c: &Value,
    vols: &mut PodVolumes,
    read_only: &mut ReadOnlyTrees,
) -> Vfs {
    let ns = pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let host = hostname(pod);
    let ip = pod["status"]["podIP"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let subdomain = pod["spec"]["subdomain"].as_str().map(str::to_string);
    let root = Tree::seeded(move |t| root_files(t, &host, &ns, &ip, subdomain.as_deref()));
    let mut mounts = Vec::new();
    let volumes = pod["spec"]["volumes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for m in c["volumeMounts"].as_array().into_iter().flatten() {
        let Some(path) = m["mountPath"].as_str() else {
            continue;
        };
        let Some(vol) = volumes.iter().find(|v| v["name"] == m["name"]) else {
            continue;
        };
        let (tree, ro) = volume_tree(store, pod, c, vol, vols, read_only);
        let ro = ro || m["readOnly"].as_bool() == Some(true);
        mounts.push((path.to_string(), tree, ro));
    }
    Vfs::new(root, mounts)
}
