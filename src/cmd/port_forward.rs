//! `kubectl-rs port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT...`: forwards local ports to a
//! pod (kubectl `pkg/cmd/portforward/portforward.go` over client-go `tools/portforward`).
//!
//! Complete resolves the pod (a workload or service picks its first pod, waiting up to
//! `--pod-running-timeout`) and the ports (named container ports; a service's ports mapped
//! to their target ports); run checks the pod is running, parses `--address` and the ports as
//! client-go does, dials `pods/NAME/portforward` (WebSocket-tunnelled SPDY, else SPDY:
//! `client::portforward`), listens, and per accepted connection opens an error stream and a
//! data stream and copies both ways. Ctrl-C ends it with exit 0; the connection going away
//! (or an error from the kubelet on an error stream) with `lost connection to pod`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::client::portforward::{DialError, SpdyConnection};
use crate::client::ResourcePath;
use crate::context::Context;
use crate::error::CliError;
use crate::ops::attach::attachable_pod;
use crate::ops::pods;
use kcore::spdy::portforward as pf;

pub const PORT_FORWARD_USAGE: &str =
    "port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]";

pub const PORT_FORWARD_LONG: &str = "Forward one or more local ports to a pod.

 Use resource type/name such as deployment/mydeployment to select a pod. Resource type defaults to 'pod' if omitted.

 If there are multiple pods matching the criteria, a pod will be selected automatically. The forwarding session ends when the selected pod terminates, and a rerun of the command is needed to resume forwarding.";

pub const PORT_FORWARD_EXAMPLES: &str = r#"Examples:
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
  kubectl port-forward pod/mypod 5000 6000
  
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in a pod selected by the deployment
  kubectl port-forward deployment/mydeployment 5000 6000
  
  # Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https" in a pod selected by the service
  kubectl port-forward service/myservice 8443:https
  
  # Listen on port 8888 locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod 8888:5000
  
  # Listen on port 8888 on all addresses, forwarding to 5000 in the pod
  kubectl port-forward --address 0.0.0.0 pod/mypod 8888:5000
  
  # Listen on port 8888 on localhost and selected IP, forwarding to 5000 in the pod
  kubectl port-forward --address localhost,10.19.21.23 pod/mypod 8888:5000
  
  # Listen on a random port locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod :5000"#;

/// `kubectl-rs port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT...`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Forward one or more local ports to a pod")]
pub struct PortForwardArgs {
    /// `TYPE/NAME` (or a pod name), then the ports.
    pub args: Vec<String>,
    /// Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.
    #[arg(
        verbatim_doc_comment,
        long,
        value_name = "strings",
        value_delimiter = ',',
        default_value = "localhost"
    )]
    pub address: Vec<String>,
    #[command(flatten)]
    pub pod_running_timeout: crate::cmd::flags::PodRunningTimeoutFlag,
}

/// What `complete` resolves.
struct Options {
    namespace: String,
    pod_name: String,
    /// `LOCAL:REMOTE` or `PORT`, remote ports as numbers.
    ports: Vec<String>,
}

/// client-go's `ForwardedPort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ForwardedPort {
    local: u16,
    remote: u16,
}

/// client-go's `listenAddress`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListenAddress {
    address: String,
    ip: IpAddr,
    /// `all` (localhost: fail only when neither binds) or `any` (an explicit IP must bind).
    all: bool,
}

impl PortForwardArgs {
    fn usage(message: &str) -> CliError {
        CliError::Usage {
            message: message.to_string(),
            command: "kubectl-rs port-forward".into(),
        }
    }

    async fn complete(&self, ctx: &Context) -> Result<Options, CliError> {
        if self.args.len() < 2 {
            return Err(Self::usage(
                "TYPE/NAME and list of ports are required for port-forward",
            ));
        }
        let (namespace, _) = ctx.namespace()?;
        let timeout = pod_running_timeout(&self.pod_running_timeout)?;
        let obj = pods::object(ctx, &namespace, &self.args[0], false).await?;
        let pod = attachable_pod(ctx, &namespace, obj.clone(), timeout).await?;
        let ports = &self.args[1..];
        let ports = if obj["kind"] == "Service" {
            check_udp_ports_in_service(ports, &obj)?;
            translate_service_ports(ports, &obj, &pod)?
        } else {
            check_udp_ports_in_pod(ports, &pod)?;
            convert_named_ports(ports, &pod)?
        };
        Ok(Options {
            namespace,
            pod_name: pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            ports,
        })
    }

    fn validate(o: &Options) -> Result<(), CliError> {
        if o.pod_name.is_empty() {
            return Err(CliError::msg(
                "pod name or resource type/name must be specified",
            ));
        }
        if o.ports.is_empty() {
            return Err(CliError::msg(
                "at least 1 PORT is required for port-forward",
            ));
        }
        Ok(())
    }

    pub async fn run(&self, ctx: &Context) -> Result<(), CliError> {
        let o = self.complete(ctx).await?;
        Self::validate(&o)?;
        let client = ctx.client()?;
        let pod_path = ResourcePath::pods(&o.namespace, Some(&o.pod_name)).build()?;
        let pod = client.get_json(&pod_path).await?;
        if pod["status"]["phase"] != "Running" {
            return Err(CliError::msg(format!(
                "unable to forward port because pod is not running. Current status={}",
                pod["status"]["phase"].as_str().unwrap_or_default()
            )));
        }
        let name = pod["metadata"]["name"].as_str().unwrap_or(&o.pod_name);
        let addresses = parse_addresses(&self.address).map_err(CliError::msg)?;
        let mut ports = parse_ports(&o.ports).map_err(CliError::msg)?;
        let path = ResourcePath {
            subresource: Some("portforward"),
            ..ResourcePath::pods(&o.namespace, Some(name))
        }
        .build()?;
        let conn = client.port_forward(path).await.map_err(|e| match e {
            DialError::Client(c) => CliError::msg(format!("error upgrading connection: {c}")),
            DialError::Refused(m) => CliError::msg(format!("error upgrading connection: {m}")),
        })?;
        let result = forward(ctx, &conn, &addresses, &mut ports).await;
        conn.close();
        result
    }
}

/// `cmdutil.GetPodRunningTimeoutFlag`.
fn pod_running_timeout(
    flag: &crate::cmd::flags::PodRunningTimeoutFlag,
) -> Result<Duration, CliError> {
    let timeout = flag.duration("port-forward")?;
    if timeout.is_zero() {
        return Err(PortForwardArgs::usage(
            "--pod-running-timeout must be higher than zero",
        ));
    }
    Ok(timeout)
}

/// kubectl's `splitPort`: `LOCAL:REMOTE`, or one port for both.
fn split_port(port: &str) -> (&str, &str) {
    let parts: Vec<&str> = port.split(':').collect();
    if parts.len() == 2 {
        (parts[0], parts[1])
    } else {
        (parts[0], parts[0])
    }
}

/// Go's `strconv.Atoi` success: an optional sign and decimal digits that fit an int.
fn atoi(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

fn port_items<'a>(obj: &'a Value, lists: &[&str]) -> Vec<&'a Value> {
    lists
        .iter()
        .flat_map(|l| obj["spec"][*l].as_array().into_iter().flatten())
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .collect()
}

/// The number (`field`) of the port called `name` among the `ports` of `obj`, a `kind`, or
/// kubectl's error naming the object.
fn port_by_name<'a>(
    ports: impl IntoIterator<Item = &'a Value>,
    field: &str,
    (kind, obj): (&str, &Value),
    name: &str,
) -> Result<i64, CliError> {
    ports
        .into_iter()
        // An unnamed port's name is "" (Go's zero value).
        .find(|p| p["name"].as_str().unwrap_or_default() == name)
        .and_then(|p| p[field].as_i64())
        .ok_or_else(|| {
            CliError::msg(format!(
                "{kind} '{}' does not have a named port '{name}'",
                obj["metadata"]["name"].as_str().unwrap_or_default()
            ))
        })
}

/// `util.LookupContainerPortNumberByName`.
fn container_port_by_name(pod: &Value, name: &str) -> Result<i64, CliError> {
    let ports = port_items(pod, &["containers", "initContainers"]);
    port_by_name(ports, "containerPort", ("Pod", pod), name)
}

/// `util.LookupServicePortNumberByName`.
fn service_port_by_name(svc: &Value, name: &str) -> Result<i64, CliError> {
    let ports = svc["spec"]["ports"].as_array().into_iter().flatten();
    port_by_name(ports, "port", ("Service", svc), name)
}

/// `util.LookupContainerPortNumberByServicePort`.
fn container_port_by_service_port(svc: &Value, pod: &Value, port: i64) -> Result<i64, CliError> {
    if svc["spec"]["clusterIP"] == "None" {
        return Ok(port);
    }
    for sp in svc["spec"]["ports"].as_array().into_iter().flatten() {
        if sp["port"].as_i64() != Some(port) {
            continue;
        }
        return match &sp["targetPort"] {
            Value::String(name) => container_port_by_name(pod, name),
            t => match t.as_i64().unwrap_or(0) {
                0 => Ok(port),
                n => Ok(n),
            },
        };
    }
    Err(CliError::msg(format!(
        "Service {} does not have a service port {port}",
        svc["metadata"]["name"].as_str().unwrap_or_default()
    )))
}

/// kubectl's `translateServicePortToTargetPort`.
fn translate_service_ports(
    ports: &[String],
    svc: &Value,
    pod: &Value,
) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    for port in ports {
        let (local, remote) = split_port(port);
        let mut local = local.to_string();
        let portnum = match atoi(remote) {
            Some(n) => n,
            None => {
                let n = service_port_by_name(svc, remote)?;
                if local == remote {
                    local = n.to_string();
                }
                n
            }
        };
        let container_port = container_port_by_service_port(svc, pod, portnum)?;
        let remote = container_port.to_string();
        out.push(if local != remote {
            format!("{local}:{remote}")
        } else {
            remote
        });
    }
    Ok(out)
}

/// kubectl's `convertPodNamedPortToNumber`.
fn convert_named_ports(ports: &[String], pod: &Value) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    for port in ports {
        let (local, remote) = split_port(port);
        if remote.is_empty() {
            return Err(CliError::msg("remote port cannot be empty"));
        }
        let container_port = match atoi(remote) {
            Some(_) => remote.to_string(),
            None => container_port_by_name(pod, remote)?.to_string(),
        };
        out.push(if local != remote {
            format!("{local}:{container_port}")
        } else {
            container_port
        });
    }
    Ok(out)
}

/// kubectl's `checkUDPPorts`: a remote port only UDP serves cannot be forwarded.
fn check_udp(
    ports: &[String],
    udp_only: &[i64],
    named: impl Fn(&str) -> Result<i64, CliError>,
) -> Result<(), CliError> {
    for port in ports {
        let (_, remote) = split_port(port);
        let n = match atoi(remote) {
            Some(n) => n,
            None => named(remote)?,
        };
        if udp_only.contains(&n) {
            return Err(CliError::msg(format!(
                "UDP protocol is not supported for {remote}"
            )));
        }
    }
    Ok(())
}

fn udp_only<'a>(items: impl Iterator<Item = (&'a Value, i64)>) -> Vec<i64> {
    let mut udp = Vec::new();
    let mut tcp = Vec::new();
    for (p, n) in items {
        match p["protocol"].as_str() {
            Some("UDP") => udp.push(n),
            Some("TCP") => tcp.push(n),
            _ => {}
        }
    }
    udp.retain(|n| !tcp.contains(n));
    udp
}

fn check_udp_ports_in_service(ports: &[String], svc: &Value) -> Result<(), CliError> {
    let items = svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p, p["port"].as_i64()?)));
    check_udp(ports, &udp_only(items), |name| {
        service_port_by_name(svc, name)
    })
}

fn check_udp_ports_in_pod(ports: &[String], pod: &Value) -> Result<(), CliError> {
    let items = port_items(pod, &["containers"])
        .into_iter()
        .filter_map(|p| Some((p, p["containerPort"].as_i64()?)));
    check_udp(ports, &udp_only(items), |name| {
        container_port_by_name(pod, name)
    })
}

/// Go's `strconv.ParseUint(s, 10, 16)` error text.
fn parse_u16(s: &str) -> Result<u16, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing {s:?}: invalid syntax"));
    }
    s.parse::<u16>()
        .map_err(|_| format!("strconv.ParseUint: parsing {s:?}: value out of range"))
}

/// client-go's `parsePorts`.
fn parse_ports(ports: &[String]) -> Result<Vec<ForwardedPort>, String> {
    let mut out = Vec::new();
    for p in ports {
        let parts: Vec<&str> = p.split(':').collect();
        let (local, remote) = match parts.as_slice() {
            [one] => (*one, *one),
            [l, r] => (if l.is_empty() { "0" } else { *l }, *r),
            _ => return Err(format!("invalid port format '{p}'")),
        };
        let local =
            parse_u16(local).map_err(|e| format!("error parsing local port '{local}': {e}"))?;
        let remote =
            parse_u16(remote).map_err(|e| format!("error parsing remote port '{remote}': {e}"))?;
        if remote == 0 {
            return Err("remote port must be > 0".into());
        }
        out.push(ForwardedPort { local, remote });
    }
    Ok(out)
}

/// client-go's `parseAddresses`: `localhost` is 127.0.0.1 and ::1; the result is sorted by
/// address text, without duplicates.
fn parse_addresses(addresses: &[String]) -> Result<Vec<ListenAddress>, String> {
    if addresses.is_empty() {
        return Err("you must specify at least 1 address".into());
    }
    let mut out: Vec<ListenAddress> = Vec::new();
    let mut add =
        |a: ListenAddress, keep: bool| match out.iter_mut().find(|x| x.address == a.address) {
            Some(x) if !keep => *x = a,
            Some(_) => {}
            None => out.push(a),
        };
    for a in addresses {
        if a == "localhost" {
            for ip in ["127.0.0.1", "::1"] {
                add(
                    ListenAddress {
                        address: ip.into(),
                        ip: ip.parse().expect("a literal IP"),
                        all: true,
                    },
                    true,
                );
            }
        } else if let Some(ip) = parse_ip_sloppy(a) {
            add(
                ListenAddress {
                    address: a.clone(),
                    ip,
                    all: false,
                },
                false,
            );
        } else {
            return Err(format!("{a} is not a valid IP"));
        }
    }
    out.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(out)
}

/// `netutils.ParseIPSloppy`: IPv4 parts may have leading zeros (read as decimal).
fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut b = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        b[i] = p.parse().ok()?;
    }
    Some(IpAddr::from(b))
}

/// Go's `net.JoinHostPort`.
fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Go's text of a failed `net.Listen`.
fn listen_error(proto: &str, host: &str, port: u16, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::AddrInUse => "bind: address already in use".to_string(),
        std::io::ErrorKind::AddrNotAvailable => "bind: cannot assign requested address".into(),
        std::io::ErrorKind::PermissionDenied => "bind: permission denied".into(),
        _ => e.to_string(),
    };
    format!(
        "unable to create listener: Error listen {proto} {}: {why}",
        join_host_port(host, port)
    )
}

/// What the connection tasks report to the main loop, which alone prints.
enum Event {
    /// `runtime.HandleError`: logged.
    Error(String),
    /// An error from the error stream: logged, and the connection is closed.
    Fatal(String),
}

/// client-go's `forward`: listens, then serves connections until Ctrl-C or the connection's
/// end.
async fn forward(
    ctx: &Context,
    conn: &SpdyConnection,
    addresses: &[ListenAddress],
    ports: &mut [ForwardedPort],
) -> Result<(), CliError> {
    let (accepted_tx, mut accepted) = mpsc::unbounded_channel::<(TcpStream, ForwardedPort)>();
    let mut listen_success = false;
    let mut accept_tasks = Vec::new();
    for port in ports.iter_mut() {
        let mut errors = Vec::new();
        let (mut all_ok, mut all_failed, mut any_failed) = (0, 0, 0);
        for a in addresses {
            let proto = if a.ip.is_ipv4() { "tcp4" } else { "tcp6" };
            match bind(a.ip, port.local).await {
                Ok(l) => {
                    let local = l.local_addr().map(|s| s.port()).unwrap_or(port.local);
                    port.local = local;
                    say(
                        ctx,
                        &format!(
                            "Forwarding from {} -> {}\n",
                            join_host_port(&a.address, local),
                            port.remote
                        ),
                    );
                    if a.all {
                        all_ok += 1;
                    }
                    let tx = accepted_tx.clone();
                    let p = *port;
                    accept_tasks.push(tokio::spawn(async move {
                        while let Ok((s, _)) = l.accept().await {
                            if tx.send((s, p)).is_err() {
                                break;
                            }
                        }
                    }));
                }
                Err(e) => {
                    errors.push(listen_error(proto, &a.address, port.local, &e));
                    if a.all {
                        all_failed += 1;
                    } else {
                        any_failed += 1;
                    }
                }
            }
        }
        let failed = (all_ok == 0 && all_failed > 0) || any_failed > 0;
        if failed {
            ctx.eprint(&format!(
                "Unable to listen on port {}: Listeners failed to create with the following errors: [{}]\n",
                port.local,
                errors.join(" ")
            ));
        } else {
            listen_success = true;
        }
    }
    if !listen_success {
        for t in accept_tasks {
            t.abort();
        }
        let list: Vec<String> = ports
            .iter()
            .map(|p| format!("{{{} {}}}", p.local, p.remote))
            .collect();
        return Err(CliError::msg(format!(
            "unable to listen on any of the requested ports: [{}]",
            list.join(" ")
        )));
    }
    let (events_tx, mut events) = mpsc::unbounded_channel::<Event>();
    let mut request_id: u64 = 0;
    // Made once, so that no Ctrl-C falls between two turns of the loop.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let closed = conn.closed();
    tokio::pin!(closed);
    let result = loop {
        tokio::select! {
            _ = &mut interrupted => break Ok(()),
            () = &mut closed => break Err(CliError::msg("lost connection to pod")),
            Some((stream, port)) = accepted.recv() => {
                say(ctx, &format!("Handling connection for {}\n", port.local));
                let id = request_id;
                request_id += 1;
                tokio::spawn(handle_connection(conn.clone(), stream, port, id, events_tx.clone()));
            }
            Some(ev) = events.recv() => {
                let (msg, fatal) = match ev {
                    Event::Error(m) => (m, false),
                    Event::Fatal(m) => (m, true),
                };
                ctx.eprint(&crate::client::log::klog_line(
                    'E',
                    "portforward.go:424",
                    &format!("\"Unhandled Error\" err={}", kcore::gofmt::go_quote(&msg)),
                ));
                if fatal {
                    conn.close();
                }
            }
        }
    };
    for t in accept_tasks {
        t.abort();
    }
    result
}

/// A line on stdout, flushed at once (the forwarder runs until interrupted).
fn say(ctx: &Context, line: &str) {
    use std::io::Write;
    let mut w = ctx.out_writer();
    let _ = w.write_all(line.as_bytes());
    let _ = w.flush();
}

async fn bind(ip: IpAddr, port: u16) -> std::io::Result<TcpListener> {
    let addr = SocketAddr::new(ip, port);
    let socket = if ip.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As Go's net.Listen: SO_REUSEADDR on Unix, so a port in TIME_WAIT can be bound again.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// client-go's `handleConnection`: an error stream (read to its end), a data stream, and
/// copies both ways until the remote side is done or the local side fails.
async fn handle_connection(
    conn: SpdyConnection,
    stream: TcpStream,
    port: ForwardedPort,
    request_id: u64,
    events: mpsc::UnboundedSender<Event>,
) {
    let (local, remote) = (port.local, port.remote);
    let headers = |t: &str| -> kcore::spdy::Headers {
        vec![
            (pf::STREAM_TYPE.to_ascii_lowercase(), vec![t.to_string()]),
            (pf::PORT.to_string(), vec![remote.to_string()]),
            (
                pf::REQUEST_ID.to_ascii_lowercase(),
                vec![request_id.to_string()],
            ),
        ]
    };
    let mut error_stream = match conn.create_stream(headers(pf::STREAM_TYPE_ERROR)).await {
        Ok(s) => s,
        Err(e) => {
            let _ = events.send(Event::Error(format!(
                "error creating error stream for port {local} -> {remote}: {e}"
            )));
            return;
        }
    };
    // Nothing is written to the error stream.
    error_stream.handle().close();
    let error_id = error_stream.id();
    let error_message = tokio::spawn(async move {
        let mut message = Vec::new();
        while let Some(d) = error_stream.read().await {
            message.extend_from_slice(&d);
        }
        message
    });
    let mut data_stream = match conn.create_stream(headers(pf::STREAM_TYPE_DATA)).await {
        Ok(s) => s,
        Err(e) => {
            let _ = events.send(Event::Error(format!(
                "error creating forwarding stream for port {local} -> {remote}: {e}"
            )));
            conn.remove_stream(error_id);
            return;
        }
    };
    let data = data_stream.handle();
    let data_id = data_stream.id();
    let (mut rd, mut wr) = stream.into_split();
    let remote_to_local = async move {
        while let Some(d) = data_stream.read().await {
            if wr.write_all(&d).await.is_err() {
                break;
            }
        }
        let _ = wr.shutdown().await;
    };
    let writer = data.clone();
    let local_events = events.clone();
    let local_to_remote = async move {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => {
                    if writer.write(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = local_events.send(Event::Error(format!(
                        "error copying from local connection to remote stream: {e}"
                    )));
                    writer.close();
                    // A local error ends the wait at once.
                    return;
                }
            }
        }
        // Tell the server nothing more is coming.
        writer.close();
        std::future::pending::<()>().await;
    };
    tokio::select! {
        () = remote_to_local => {}
        () = local_to_remote => {}
    }
    // Discard what is unsent, so the error stream is not held up behind it.
    data.reset();
    let message = error_message.await.unwrap_or_default();
    conn.remove_stream(error_id);
    conn.remove_stream(data_id);
    if !message.is_empty() {
        let _ = events.send(Event::Fatal(format!(
            "an error occurred forwarding {local} -> {remote}: {}",
            String::from_utf8_lossy(&message)
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::strings as strs;
    use serde_json::json;

    #[test]
    fn ports_parse_as_client_go_parses_them() {
        assert_eq!(
            parse_ports(&strs(&["8080:80", ":80", "5000"])).unwrap(),
            vec![
                ForwardedPort {
                    local: 8080,
                    remote: 80
                },
                ForwardedPort {
                    local: 0,
                    remote: 80
                },
                ForwardedPort {
                    local: 5000,
                    remote: 5000
                },
            ]
        );
        assert_eq!(
            parse_ports(&strs(&["1:2:3"])).unwrap_err(),
            "invalid port format '1:2:3'"
        );
        assert_eq!(
            parse_ports(&strs(&["70000"])).unwrap_err(),
            "error parsing local port '70000': strconv.ParseUint: parsing \"70000\": value out of range"
        );
        assert_eq!(
            parse_ports(&strs(&["8080:x"])).unwrap_err(),
            "error parsing remote port 'x': strconv.ParseUint: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse_ports(&strs(&["0"])).unwrap_err(),
            "remote port must be > 0"
        );
    }

    #[test]
    fn addresses_parse_as_client_go_parses_them() {
        // An explicit IP after `localhost` replaces its entry: it must bind ("any").
        let a = parse_addresses(&strs(&["localhost", "0.0.0.0", "127.0.0.1"])).unwrap();
        let names: Vec<(&str, bool)> = a.iter().map(|a| (a.address.as_str(), a.all)).collect();
        assert_eq!(
            names,
            vec![("0.0.0.0", false), ("127.0.0.1", false), ("::1", true)]
        );
        assert_eq!(
            parse_addresses(&strs(&["example.com"])).unwrap_err(),
            "example.com is not a valid IP"
        );
    }

    #[test]
    fn service_ports_map_to_target_ports() {
        let svc = json!({"metadata": {"name": "web"}, "spec": {"ports": [
            {"name": "http", "port": 8080, "targetPort": "web"},
            {"name": "plain", "port": 9090, "targetPort": 9091},
            {"name": "same", "port": 7070},
        ]}});
        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "c", "ports": [{"name": "web", "containerPort": 80}]}
        ]}});
        assert_eq!(
            translate_service_ports(&strs(&["8080", "http", "1234:9090", "7070"]), &svc, &pod)
                .unwrap(),
            strs(&["8080:80", "8080:80", "1234:9091", "7070"])
        );
        assert_eq!(
            translate_service_ports(&strs(&["1"]), &svc, &pod)
                .unwrap_err()
                .to_string(),
            "Service web does not have a service port 1"
        );
        assert_eq!(
            convert_named_ports(&strs(&["web", "8000:web", "81"]), &pod).unwrap(),
            strs(&["80", "8000:80", "81"])
        );
    }
}
