//! Pod spec rendering shared by `describe pod` and the workload describers: containers (ports,
//! command, state, resources, probes, environment, mounts), volumes of every type with kubectl's
//! wording, and `Pod Template:` (kubectl's `DescribePodTemplate`, `describeContainers`,
//! `describeVolumes`).

use serde_json::Value;

use super::text::{
    arr, b, format_label_selector, get, go_bool, i, or_none, print_annotations_multiline,
    print_bool, print_labels_multiline, print_tolerations, s, string_map, value_string,
};
use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use super::DescribeOptions;

/// Resolves `valueFrom.fieldRef` environment variables (kubectl's `EnvValueRetriever`); `None`
/// for templates, where kubectl prints an empty value.
pub type EnvResolver<'a> = Option<&'a Value>;

/// `DescribePodTemplate`: the `Pod Template:` block of DaemonSet/Deployment/ReplicaSet.
pub fn describe_pod_template(
    template: Option<&Value>,
    w: &mut PrefixWriter,
    opts: &DescribeOptions,
) {
    w.write(LEVEL_0, "Pod Template:\n");
    let Some(t) = template else {
        w.write(LEVEL_1, "<unset>");
        return;
    };
    print_labels_multiline(w, "  Labels", &string_map(t, "metadata.labels"));
    let annotations = string_map(t, "metadata.annotations");
    if !annotations.is_empty() {
        print_annotations_multiline(w, "  Annotations", &annotations);
    }
    w.field_if_set(LEVEL_1, "Service Account", s(t, "spec.serviceAccountName"));
    let init = arr(t, "spec.initContainers");
    if !init.is_empty() {
        describe_containers("Init Containers", init, &[], None, w, "  ", opts);
    }
    describe_containers(
        "Containers",
        arr(t, "spec.containers"),
        &[],
        None,
        w,
        "  ",
        opts,
    );
    describe_volumes(arr(t, "spec.volumes"), w, "  ", opts);
    describe_topology_spread_constraints(arr(t, "spec.topologySpreadConstraints"), w, "  ");
    w.field_if_set(
        LEVEL_1,
        "Priority Class Name",
        s(t, "spec.priorityClassName"),
    );
    print_labels_multiline(w, "  Node-Selectors", &string_map(t, "spec.nodeSelector"));
    print_tolerations(w, "  Tolerations", arr(t, "spec.tolerations"));
    describe_scheduling_group(get(t, "spec.schedulingGroup"), w, "  ");
}

/// `describeSchedulingGroup`.
pub fn describe_scheduling_group(group: Option<&Value>, w: &mut PrefixWriter, space: &str) {
    if let Some(g) = group {
        w.write(LEVEL_0, &format!("{space}SchedulingGroup:\n"));
        w.field(LEVEL_1, "PodGroupName", s(g, "podGroupName"));
    }
}

/// `describeTopologySpreadConstraints`: sorted by topology key, continuation lines aligned.
pub fn describe_topology_spread_constraints(tscs: &[Value], w: &mut PrefixWriter, space: &str) {
    if tscs.is_empty() {
        return;
    }
    let mut sorted: Vec<&Value> = tscs.iter().collect();
    kcore::gosort::sort(&mut sorted, |a, b| {
        s(a, "topologyKey") < s(b, "topologyKey")
    });
    w.write(LEVEL_0, &format!("{space}Topology Spread Constraints:\t"));
    for (n, tsc) in sorted.into_iter().enumerate() {
        if n != 0 {
            w.write(LEVEL_0, space);
            w.write(LEVEL_0, "\t");
        }
        let mut line = format!(
            "{}:{} when max skew {} is exceeded",
            s(tsc, "topologyKey"),
            s(tsc, "whenUnsatisfiable"),
            i(tsc, "maxSkew")
        );
        if let Some(sel) = get(tsc, "labelSelector") {
            line.push_str(&format!(
                " for selector {}",
                format_label_selector(Some(sel))
            ));
        }
        w.write(LEVEL_0, &format!("{line}\n"));
    }
}

/// `describeContainers`: the label line then each container's block. `statuses` are the
/// matching container statuses (pods only); `pod` resolves `fieldRef` environment values.
pub fn describe_containers(
    label: &str,
    containers: &[Value],
    statuses: &[Value],
    pod: EnvResolver<'_>,
    w: &mut PrefixWriter,
    space: &str,
    opts: &DescribeOptions,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(LEVEL_0, &format!("{space}{label}:{none}\n"));
    for c in containers {
        let name = s(c, "name");
        let status = statuses.iter().find(|st| s(st, "name") == name);
        describe_container_basic_info(c, status, space, w);
        describe_container_command(c, w);
        if let Some(st) = status {
            describe_container_state(st, w, opts);
        }
        describe_resources(get(c, "resources"), w, LEVEL_2);
        describe_container_probes(c, w);
        if !arr(c, "envFrom").is_empty() {
            describe_container_env_from(c, w);
        }
        describe_container_env(c, pod, w);
        describe_container_volumes(c, w);
    }
}

fn describe_container_basic_info(
    c: &Value,
    status: Option<&Value>,
    space: &str,
    w: &mut PrefixWriter,
) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w.write(LEVEL_1, &format!("{name_indent}{}:\n", s(c, "name")));
    if let Some(st) = status {
        w.field(LEVEL_2, "Container ID", s(st, "containerID"));
    }
    w.field(LEVEL_2, "Image", s(c, "image"));
    if let Some(st) = status {
        w.field(LEVEL_2, "Image ID", s(st, "imageID"));
    }
    let ports = arr(c, "ports");
    let port_string = describe_ports(ports, "containerPort");
    if port_string.contains(',') {
        w.write(LEVEL_2, &format!("Ports:\t{port_string}\n"));
    } else {
        w.field(LEVEL_2, "Port", or_none(&port_string));
    }
    let host_string = describe_ports(ports, "hostPort");
    if host_string.contains(',') {
        w.write(LEVEL_2, &format!("Host Ports:\t{host_string}\n"));
    } else {
        w.field(LEVEL_2, "Host Port", or_none(&host_string));
    }
    if let Some(profile) = get(c, "securityContext.seccompProfile") {
        w.field(LEVEL_2, "SeccompProfile", s(profile, "type"));
        if s(profile, "type") == "Localhost" {
            w.field(LEVEL_3, "LocalhostProfile", s(profile, "localhostProfile"));
        }
    }
}

/// `describeContainerPorts`/`describeContainerHostPorts`: `9100/TCP (metrics)` joined by `, `.
fn describe_ports(ports: &[Value], field: &str) -> String {
    ports
        .iter()
        .map(|p| {
            let mut text = format!("{}/{}", i(p, field), s(p, "protocol"));
            let name = s(p, "name");
            if !name.is_empty() {
                text = format!("{text} ({name})");
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_container_command(c: &Value, w: &mut PrefixWriter) {
    for (field, title) in [("command", "Command"), ("args", "Args")] {
        let items = arr(c, field);
        if items.is_empty() {
            continue;
        }
        w.write(LEVEL_2, &format!("{title}:\n"));
        for item in items {
            for line in value_string(item).split('\n') {
                w.write(LEVEL_3, &format!("{line}\n"));
            }
        }
    }
}

/// `describeResources`: `Limits:` and `Requests:` with sorted resource names.
pub fn describe_resources(resources: Option<&Value>, w: &mut PrefixWriter, level: usize) {
    let Some(r) = resources else {
        return;
    };
    for (field, title) in [("limits", "Limits"), ("requests", "Requests")] {
        let list = string_map(r, field);
        if list.is_empty() {
            continue;
        }
        w.write(level, &format!("{title}:\n"));
        for (name, qty) in list {
            w.write(level + 1, &format!("{name}:\t{qty}\n"));
        }
    }
}

fn describe_container_state(st: &Value, w: &mut PrefixWriter, opts: &DescribeOptions) {
    describe_status("State", get(st, "state"), w, opts);
    if let Some(last) = get(st, "lastState") {
        if get(last, "terminated").is_some() {
            describe_status("Last State", Some(last), w, opts);
        }
    }
    w.field(LEVEL_2, "Ready", print_bool(b(st, "ready")));
    w.field(LEVEL_2, "Restart Count", i(st, "restartCount"));
}

fn describe_status(
    name: &str,
    state: Option<&Value>,
    w: &mut PrefixWriter,
    opts: &DescribeOptions,
) {
    let time = |v: &Value, f: &str| super::text::format_time(s(v, f), opts);
    let running = state.and_then(|s| get(s, "running"));
    let waiting = state.and_then(|s| get(s, "waiting"));
    let terminated = state.and_then(|s| get(s, "terminated"));
    if let Some(r) = running {
        w.write(LEVEL_2, &format!("{name}:\tRunning\n"));
        w.field(LEVEL_3, "Started", time(r, "startedAt"));
    } else if let Some(wt) = waiting {
        w.write(LEVEL_2, &format!("{name}:\tWaiting\n"));
        if !s(wt, "reason").is_empty() {
            w.field(LEVEL_3, "Reason", s(wt, "reason"));
        }
    } else if let Some(t) = terminated {
        w.write(LEVEL_2, &format!("{name}:\tTerminated\n"));
        if !s(t, "reason").is_empty() {
            w.field(LEVEL_3, "Reason", s(t, "reason"));
        }
        if !s(t, "message").is_empty() {
            w.field(LEVEL_3, "Message", s(t, "message"));
        }
        w.field(LEVEL_3, "Exit Code", i(t, "exitCode"));
        if i(t, "signal") > 0 {
            w.field(LEVEL_3, "Signal", i(t, "signal"));
        }
        w.field(LEVEL_3, "Started", time(t, "startedAt"));
        w.field(LEVEL_3, "Finished", time(t, "finishedAt"));
    } else {
        w.write(LEVEL_2, &format!("{name}:\tWaiting\n"));
    }
}

fn describe_container_probes(c: &Value, w: &mut PrefixWriter) {
    for (field, title) in [
        ("livenessProbe", "Liveness"),
        ("readinessProbe", "Readiness"),
        ("startupProbe", "Startup"),
    ] {
        if let Some(p) = get(c, field) {
            w.write(LEVEL_2, &format!("{title}:\t{}\n", describe_probe(p)));
        }
    }
}

/// `DescribeProbe`: `http-get http://:8080/healthz delay=0s timeout=1s period=10s ...`.
pub fn describe_probe(p: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        i(p, "initialDelaySeconds"),
        i(p, "timeoutSeconds"),
        i(p, "periodSeconds"),
        i(p, "successThreshold"),
        i(p, "failureThreshold")
    );
    if let Some(exec) = get(p, "exec") {
        let cmd: Vec<String> = arr(exec, "command").iter().map(value_string).collect();
        return format!("exec [{}] {attrs}", cmd.join(" "));
    }
    if let Some(h) = get(p, "httpGet") {
        let scheme = s(h, "scheme").to_lowercase();
        let port = get(h, "port").map(value_string).unwrap_or_default();
        let host = s(h, "host");
        let hostport = if port.is_empty() {
            host.to_string()
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        return format!(
            "http-get {} {attrs}",
            go_url(&scheme, &hostport, s(h, "path"))
        );
    }
    if let Some(t) = get(p, "tcpSocket") {
        let port = get(t, "port").map(value_string).unwrap_or_default();
        return format!("tcp-socket {}:{port} {attrs}", s(t, "host"));
    }
    if let Some(g) = get(p, "grpc") {
        return format!("grpc <pod>:{} {} {attrs}", i(g, "port"), s(g, "service"));
    }
    format!("unknown {attrs}")
}

/// Go's `url.URL{Scheme, Host, Path}.String()` for the simple values probes carry.
fn go_url(scheme: &str, host: &str, path: &str) -> String {
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push(':');
    }
    if !scheme.is_empty() || !host.is_empty() {
        out.push_str("//");
        out.push_str(host);
    }
    if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
        out.push('/');
    }
    out.push_str(&escape_path(path));
    out
}

/// Go's `url.PathEscape`-like escaping used by `URL.String` for paths (keeps `/`).
fn escape_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        let c = byte as char;
        if c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '_' | '.' | '~' | '/' | '$' | '&' | '+' | ',' | ';' | '=' | ':' | '@'
            )
        {
            out.push(c);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn describe_container_env_from(c: &Value, w: &mut PrefixWriter) {
    w.write(LEVEL_2, "Environment Variables from:\n");
    for e in arr(c, "envFrom") {
        let (from, r) = if let Some(r) = get(e, "configMapRef") {
            ("ConfigMap", Some(r))
        } else if let Some(r) = get(e, "secretRef") {
            ("Secret", Some(r))
        } else {
            ("", None)
        };
        let name = r.map(|r| s(r, "name")).unwrap_or("");
        let optional = r.map(|r| b(r, "optional")).unwrap_or(false);
        let prefix = s(e, "prefix");
        if prefix.is_empty() {
            w.write(
                LEVEL_3,
                &format!("{name}\t{from}\tOptional: {}\n", go_bool(optional)),
            );
        } else {
            w.write(
                LEVEL_3,
                &format!(
                    "{name}\t{from} with prefix '{prefix}'\tOptional: {}\n",
                    go_bool(optional)
                ),
            );
        }
    }
}

/// kubectl's `EnvValueRetriever`: client-go's scheme only converts `metadata.name` and
/// `metadata.namespace` field labels, so every other field path resolves to "".
fn resolve_field_ref(pod: &Value, field_path: &str) -> String {
    match field_path {
        "metadata.name" => s(pod, "metadata.name").to_string(),
        "metadata.namespace" => s(pod, "metadata.namespace").to_string(),
        _ => String::new(),
    }
}

fn describe_container_env(c: &Value, pod: EnvResolver<'_>, w: &mut PrefixWriter) {
    let env = arr(c, "env");
    let none = if env.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Environment:{none}\n"));
    for e in env {
        let name = s(e, "name");
        let Some(from) = get(e, "valueFrom") else {
            for (n, line) in s(e, "value").split('\n').enumerate() {
                if n == 0 {
                    w.write(LEVEL_3, &format!("{name}:\t{line}\n"));
                } else {
                    w.write(LEVEL_3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(f) = get(from, "fieldRef") {
            let (api, path) = (s(f, "apiVersion"), s(f, "fieldPath"));
            let value = pod.map(|p| resolve_field_ref(p, path)).unwrap_or_default();
            w.write(LEVEL_3, &format!("{name}:\t{value} ({api}:{path})\n"));
        } else if let Some(r) = get(from, "resourceFieldRef") {
            let resource = s(r, "resource");
            let mut value = container_resource_value(c, r);
            if value == "0" && (resource == "limits.cpu" || resource == "limits.memory") {
                value = "node allocatable".to_string();
            }
            w.write(LEVEL_3, &format!("{name}:\t{value} ({resource})\n"));
        } else if let Some(r) = get(from, "secretKeyRef") {
            w.write(
                LEVEL_3,
                &format!(
                    "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    s(r, "key"),
                    s(r, "name"),
                    go_bool(b(r, "optional"))
                ),
            );
        } else if let Some(r) = get(from, "configMapKeyRef") {
            w.write(
                LEVEL_3,
                &format!(
                    "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    s(r, "key"),
                    s(r, "name"),
                    go_bool(b(r, "optional"))
                ),
            );
        }
    }
}

/// kubectl's `ExtractContainerResourceValue`: the container's request/limit divided by the
/// divisor (default 1), rounded up; `"0"` when unset, `""` for an unknown resource.
fn container_resource_value(c: &Value, r: &Value) -> String {
    use super::quantity::Quantity;
    let resource = s(r, "resource");
    let divisor = get(r, "divisor")
        .map(value_string)
        .and_then(|d| Quantity::parse(&d))
        .filter(|d| !d.is_zero());
    let (section, name) = match resource.split_once('.') {
        Some((sec @ ("limits" | "requests"), n)) => (sec, n),
        _ => return String::new(),
    };
    let qty = get(c, &format!("resources.{section}"))
        .and_then(|m| m.get(name))
        .map(value_string)
        .and_then(|q| Quantity::parse(&q))
        .unwrap_or_default();
    match name {
        "cpu" => {
            let div = divisor.map(|d| d.milli_value()).unwrap_or(1000).max(1);
            let m = qty.milli_value();
            let v = (m + div - 1).div_euclid(div);
            v.to_string()
        }
        "memory" | "ephemeral-storage" => {
            let div = divisor.map(|d| d.value()).unwrap_or(1).max(1);
            let v = qty.value();
            ((v + div - 1).div_euclid(div)).to_string()
        }
        n if n.starts_with("hugepages-") => {
            let div = divisor.map(|d| d.value()).unwrap_or(1).max(1);
            ((qty.value() + div - 1).div_euclid(div)).to_string()
        }
        _ => String::new(),
    }
}

fn describe_container_volumes(c: &Value, w: &mut PrefixWriter) {
    let mounts = arr(c, "volumeMounts");
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Mounts:{none}\n"));
    let mut sorted: Vec<&Value> = mounts.iter().collect();
    kcore::gosort::sort(&mut sorted, |a, b| s(a, "mountPath") < s(b, "mountPath"));
    for m in sorted {
        let mut flags = vec![if b(m, "readOnly") { "ro" } else { "rw" }.to_string()];
        let sub = s(m, "subPath");
        if !sub.is_empty() {
            flags.push(format!("path={}", go_quote(sub)));
        }
        w.write(
            LEVEL_3,
            &format!(
                "{} from {} ({})\n",
                s(m, "mountPath"),
                s(m, "name"),
                flags.join(",")
            ),
        );
    }
    let devices = arr(c, "volumeDevices");
    if !devices.is_empty() {
        w.write(LEVEL_2, &format!("Devices:{none}\n"));
        let mut sorted: Vec<&Value> = devices.iter().collect();
        kcore::gosort::sort(&mut sorted, |a, b| s(a, "devicePath") < s(b, "devicePath"));
        for d in sorted {
            w.write(
                LEVEL_3,
                &format!("{} from {}\n", s(d, "devicePath"), s(d, "name")),
            );
        }
    }
}

pub use kcore::gofmt::go_quote;

/// `describeVolumes`: `Volumes:` then each volume's type-specific block.
pub fn describe_volumes(
    volumes: &[Value],
    w: &mut PrefixWriter,
    space: &str,
    opts: &DescribeOptions,
) {
    if volumes.is_empty() {
        w.write(LEVEL_0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(LEVEL_0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(LEVEL_1, &format!("{name_indent}{}:\n", s(v, "name")));
        super::volumes::describe_volume_source(v, w, opts);
    }
}
