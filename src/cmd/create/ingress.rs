//! `kubectl-rs create ingress` (kubectl `pkg/cmd/create/create_ingress.go`): a
//! networking.k8s.io/v1 Ingress from `--rule host/path=service:port[,tls[=secret]]` (a path
//! ending in `*` is a `Prefix` path, any other `Exact`), `--default-backend`, `--class` and
//! `--annotation`, created through the generators' shared [`submit`]. The rules are checked
//! with kubectl's pattern and then split exactly as kubectl splits them, quirks included.

use serde_json::{json, Map, Value};

use crate::cmd::create_generators::{name_meta, submit, Built, CommonArgs};
use crate::cmd::flags::field_validation;
use crate::context::Context;
use crate::error::{CliError, CliResult};

/// kubectl's long help of `create ingress`.
pub const CREATE_INGRESS_LONG: &str = "Create an ingress with the specified name.";
/// kubectl's usage line of `create ingress` (its trailing blank included).
pub const CREATE_INGRESS_USAGE: &str = "ingress NAME --rule=host/path=service:port[,tls[=secret]] ";
/// kubectl's examples of `create ingress`.
pub const CREATE_INGRESS_EXAMPLES: &str = r#"Examples:
  # Create a single ingress called 'simple' that directs requests to foo.com/bar to svc
  # svc1:8080 with a TLS secret "my-cert"
  kubectl create ingress simple --rule="foo.com/bar=svc1:8080,tls=my-cert"
  
  # Create a catch all ingress of "/path" pointing to service svc:port and Ingress Class as "otheringress"
  kubectl create ingress catch-all --class=otheringress --rule="/path=svc:port"
  
  # Create an ingress with two annotations: ingress.annotation1 and ingress.annotations2
  kubectl create ingress annotated --class=default --rule="foo.com/bar=svc:port" \
  --annotation ingress.annotation1=foo \
  --annotation ingress.annotation2=bla
  
  # Create an ingress with the same host and multiple paths
  kubectl create ingress multipath --class=default \
  --rule="foo.com/=svc:port" \
  --rule="foo.com/admin/=svcadmin:portadmin"
  
  # Create an ingress with multiple hosts and the pathType as Prefix
  kubectl create ingress ingress1 --class=default \
  --rule="foo.com/path*=svc:8080" \
  --rule="bar.com/admin*=svc2:http"
  
  # Create an ingress with TLS enabled using the default ingress certificate and different path types
  kubectl create ingress ingtls --class=default \
  --rule="foo.com/=svc:https,tls" \
  --rule="foo.com/path/subpath*=othersvc:8080"
  
  # Create an ingress with TLS enabled using a specific secret and pathType as Prefix
  kubectl create ingress ingsecret --class=default \
  --rule="foo.com/*=svc:8080,tls=secret1"
  
  # Create an ingress with a default backend
  kubectl create ingress ingdefault --class=default \
  --default-backend=defaultsvc:http \
  --rule="foo.com/*=svc:8080,tls=secret1""#;

/// `create ingress`'s own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct IngressFlags {
    /// Ingress Class to be used
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub class: String,
    /// Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character '*' are considered pathType=Prefix. tls argument is optional.
    #[arg(verbatim_doc_comment, long = "rule")]
    pub rules: Vec<String>,
    /// Default service for backend, in format of svcname:port
    #[arg(verbatim_doc_comment, long, default_value = "")]
    pub default_backend: String,
    /// Annotation to insert in the ingress object, in the format annotation=value
    #[arg(verbatim_doc_comment, long = "annotation")]
    pub annotations: Vec<String>,
}

/// Go's `\w` and `-`: what service names and ports are made of in kubectl's pattern.
fn word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// kubectl's `ruleRegex` (`^[\w*.-]*/.*=[\w-]+:[\w-]+`, the optional TLS part after it cannot
/// change whether a rule matches, as nothing anchors the end).
fn rule_matches(rule: &str) -> bool {
    let host_end = rule
        .find(|c: char| !(word(c) && c != '-' || matches!(c, '*' | '-' | '.')))
        .unwrap_or(rule.len());
    let rest = &rule[host_end..];
    if !rest.starts_with('/') {
        return false;
    }
    // `.` stops at a line end.
    let line = rest.split('\n').next().unwrap_or_default();
    line.char_indices()
        .filter(|(_, c)| *c == '=')
        .any(|(i, _)| {
            let after = &line[i + 1..];
            let name_len = after.find(|c: char| !word(c)).unwrap_or(after.len());
            name_len > 0
                && after[name_len..].starts_with(':')
                && after[name_len + 1..].starts_with(word)
        })
}

/// What a Go program prints when it indexes past a slice: kubectl panics on rules that pass
/// its pattern but have no `=` or `:` where it splits them (`a/b,c=s:1`, `a/b=c=s:1`).
fn index_panic(len: usize) -> CliError {
    CliError::WithCode(
        Box::new(CliError::Raw(format!(
            "panic: runtime error: index out of range [1] with length {len}\n"
        ))),
        2,
    )
}

/// Go's `intstr.Parse` of a port: a number when `strconv.Atoi` takes it, else a name.
fn backend_port(port: &str) -> Value {
    let digits = port.strip_prefix(['+', '-']).unwrap_or(port);
    let number = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| port.parse::<i64>().ok())
        .flatten();
    match number {
        // `FromInt` keeps the low 32 bits; zero is omitted (`omitempty`).
        Some(n) if n as i32 == 0 => json!({}),
        Some(n) => json!({"number": n as i32}),
        None if port.is_empty() => json!({}),
        None => json!({"name": port}),
    }
}

/// kubectl's `buildIngressBackendSvc` of `name:port`.
fn backend(service: &str) -> Result<Value, CliError> {
    let parts: Vec<&str> = service.split(':').collect();
    if parts.len() < 2 {
        return Err(index_panic(parts.len()));
    }
    Ok(json!({"service": {"name": parts[0], "port": backend_port(parts[1])}}))
}

impl IngressFlags {
    /// kubectl's `Validate`.
    fn validate(&self) -> Result<(), CliError> {
        if self.default_backend.is_empty() && self.rules.is_empty() {
            return Err(CliError::msg("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)"));
        }
        for rule in &self.rules {
            if !rule_matches(rule) {
                return Err(CliError::msg(format!(
                    "rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
                )));
            }
        }
        for annotation in &self.annotations {
            if !annotation.contains('=') {
                return Err(CliError::msg(format!(
                    "annotation {annotation} is invalid and should be in format key=[value]"
                )));
            }
        }
        if !self.default_backend.is_empty() && self.default_backend.split(':').count() != 2 {
            return Err(CliError::msg(
                "default-backend should be in format servicename:serviceport",
            ));
        }
        Ok(())
    }

    /// kubectl's `buildTLSRules`: one entry per secret, each host once.
    fn tls(&self) -> Vec<Value> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out: Vec<(Vec<String>, String)> = Vec::new();
        for rule in &self.rules {
            let parts: Vec<&str> = rule.split(',').collect();
            if parts.len() != 2 {
                continue;
            }
            let host = rule.split('/').next().unwrap_or_default();
            let secret = parts[1].split('=').nth(1).unwrap_or_default();
            if seen.contains(&host) {
                continue;
            }
            seen.push(host);
            if let Some(entry) = out.iter_mut().find(|(_, s)| s == secret) {
                entry.0.push(host.to_string());
                continue;
            }
            let hosts: Vec<String> = if host.is_empty() {
                Vec::new()
            } else {
                vec![host.to_string()]
            };
            if !secret.is_empty() || !hosts.is_empty() {
                out.push((hosts, secret.to_string()));
            }
        }
        out.into_iter()
            .map(|(hosts, secret)| {
                let mut t = Map::new();
                if !hosts.is_empty() {
                    t.insert("hosts".into(), json!(hosts));
                }
                if !secret.is_empty() {
                    t.insert("secretName".into(), json!(secret));
                }
                Value::Object(t)
            })
            .collect()
    }

    /// kubectl's `buildIngressRules`: one rule per host, its paths in order.
    fn rules(&self) -> Result<Vec<Value>, CliError> {
        let mut out: Vec<(String, Vec<Value>)> = Vec::new();
        for rule in &self.rules {
            let head = rule.split(',').next().unwrap_or_default();
            let (host, pathsvc) = head.split_once('/').unwrap_or((head, ""));
            let parts: Vec<&str> = pathsvc.split('=').collect();
            if parts.len() < 2 {
                return Err(index_panic(parts.len()));
            }
            let mut path = format!("/{}", parts[0]);
            let mut path_type = "Exact";
            if path.ends_with('*') {
                path_type = "Prefix";
                path.pop();
            }
            let entry = json!({"path": path, "pathType": path_type, "backend": backend(parts[1])?});
            match out.iter_mut().find(|(h, _)| h == host) {
                Some((_, paths)) => paths.push(entry),
                None => out.push((host.to_string(), vec![entry])),
            }
        }
        Ok(out
            .into_iter()
            .map(|(host, paths)| {
                let mut r = Map::new();
                if !host.is_empty() {
                    r.insert("host".into(), json!(host));
                }
                r.insert("http".into(), json!({"paths": paths}));
                Value::Object(r)
            })
            .collect())
    }

    /// kubectl's `Complete`, `Validate` and `Run` for the ingress `name`.
    pub async fn run(&self, ctx: &Context, common: &CommonArgs, name: &str) -> CliResult {
        let (namespace, enforce) = ctx.namespace()?;
        let dry_run = common.dry_run.strategy(ctx)?;
        let validation = field_validation(&common.validate.value)?;
        self.validate()?;
        let mut annotations = Map::new();
        for a in &self.annotations {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            annotations.insert(k.to_string(), json!(v));
        }
        let mut meta = name_meta(name, &namespace, enforce);
        if !annotations.is_empty() {
            meta.insert("annotations".into(), Value::Object(annotations));
        }
        let mut spec = Map::new();
        if !self.class.is_empty() {
            spec.insert("ingressClassName".into(), json!(self.class));
        }
        if !self.default_backend.is_empty() {
            spec.insert("defaultBackend".into(), backend(&self.default_backend)?);
        }
        let tls = self.tls();
        if !tls.is_empty() {
            spec.insert("tls".into(), json!(tls));
        }
        let rules = self.rules()?;
        if !rules.is_empty() {
            spec.insert("rules".into(), json!(rules));
        }
        let object = json!({
            "kind": "Ingress",
            "apiVersion": "networking.k8s.io/v1",
            "metadata": meta,
            "spec": spec,
            "status": {"loadBalancer": {}},
        });
        let built = Built {
            object,
            collection: "ingresses".into(),
            namespaced: true,
            display: "ingress.networking.k8s.io",
            wrap: Some("failed to create ingress: "),
        };
        submit(ctx, common, built, &namespace, dry_run, validation).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_kubectls_pattern() {
        for ok in [
            "foo.com/bar=svc:80",
            "/=s:p",
            "*.a_b/x=y=s:1",
            "a/b,c=s:1",
            "a/b=s:1 trailing junk",
            "a/b=s:1,tls=x",
        ] {
            assert!(rule_matches(ok), "{ok}");
        }
        for bad in [
            "foo.com",
            "foo.com/bar",
            "foo.com/bar=svc",
            "foo.com/bar=:80",
            "foo.com/bar=svc:",
            "fo o/bar=s:1",
            "a/b\n=s:1",
            "é/a=s:1",
            "a/b=s é:1",
        ] {
            assert!(!rule_matches(bad), "{bad}");
        }
    }

    #[test]
    fn ports_parse_as_intstr() {
        assert_eq!(backend_port("80"), json!({"number": 80}));
        assert_eq!(backend_port("080"), json!({"number": 80}));
        assert_eq!(backend_port("0"), json!({}));
        assert_eq!(backend_port("http"), json!({"name": "http"}));
        assert_eq!(backend_port(""), json!({}));
        assert_eq!(backend_port("-1"), json!({"number": -1}));
    }
}
