//! The tables of `top node` and `top pod` (kubectl `pkg/metricsutil`: `TopCmdPrinter` and its
//! sorters): CPU in millicores, memory (and swap) in MiB, percentages of what a node has, the
//! `--sum` line, and Go's sort order (`sort.Sort`, not stable) for `--sort-by`.

use std::collections::HashMap;

use serde_json::Value;

use crate::describe::quantity::Quantity;
use crate::print::tabwriter::TabWriter;

/// `swap`, measured with `--show-swap`.
pub const RESOURCE_SWAP: &str = "swap";

/// A resource list (`cpu`, `memory`, … → quantity).
pub type ResourceList = HashMap<String, Quantity>;

/// A resource list from JSON (`{"cpu": "100m", …}`); entries that are no quantity are left out.
pub fn resource_list(v: &Value) -> ResourceList {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, q)| Some((k.clone(), Quantity::parse(q.as_str()?)?)))
        .collect()
}

/// One NodeMetrics or PodMetrics as the printer needs it.
#[derive(Debug, Clone)]
pub struct NodeMetrics {
    pub name: String,
    pub usage: ResourceList,
}

/// One container of a PodMetrics.
#[derive(Debug, Clone)]
pub struct ContainerMetrics {
    pub name: String,
    pub usage: ResourceList,
}

/// One PodMetrics.
#[derive(Debug, Clone)]
pub struct PodMetrics {
    pub namespace: String,
    pub name: String,
    pub containers: Vec<ContainerMetrics>,
}

impl NodeMetrics {
    /// From a NodeMetrics object.
    pub fn from_json(v: &Value) -> NodeMetrics {
        NodeMetrics {
            name: v["metadata"]["name"].as_str().unwrap_or_default().into(),
            usage: resource_list(&v["usage"]),
        }
    }
}

impl PodMetrics {
    /// From a PodMetrics object.
    pub fn from_json(v: &Value) -> PodMetrics {
        PodMetrics {
            namespace: v["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .into(),
            name: v["metadata"]["name"].as_str().unwrap_or_default().into(),
            containers: v["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| ContainerMetrics {
                    name: c["name"].as_str().unwrap_or_default().into(),
                    usage: resource_list(&c["usage"]),
                })
                .collect(),
        }
    }
}

/// kubectl's `TopCmdPrinter`.
pub struct TopPrinter {
    measured: Vec<&'static str>,
    node_columns: Vec<&'static str>,
    pod_columns: Vec<&'static str>,
    /// Per node, the measured resources it cannot report (`<unknown>`).
    missing: HashMap<String, Vec<&'static str>>,
}

fn get(list: &ResourceList, res: &str) -> Quantity {
    list.get(res).copied().unwrap_or_default()
}

impl TopPrinter {
    /// A printer for CPU and memory, and swap with `show_swap`.
    pub fn new(show_swap: bool) -> TopPrinter {
        let mut p = TopPrinter {
            measured: vec!["cpu", "memory"],
            node_columns: vec!["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"],
            pod_columns: vec!["NAME", "CPU(cores)", "MEMORY(bytes)"],
            missing: HashMap::new(),
        };
        if show_swap {
            p.measured.push(RESOURCE_SWAP);
            p.node_columns.extend(["SWAP(bytes)", "SWAP(%)"]);
            p.pod_columns.push("SWAP(bytes)");
        }
        p
    }

    /// Notes that `node` cannot report `resource` (a node without swap).
    pub fn register_missing_resource(&mut self, node: &str, resource: &'static str) {
        let list = self.missing.entry(node.to_string()).or_default();
        if !list.contains(&resource) {
            list.push(resource);
        }
    }

    /// `PrintNodeMetrics`: one line per node with metrics, then `<unknown>` lines for the
    /// `available` nodes (name → allocatable or capacity, in the nodes' list order) without.
    pub fn print_node_metrics(
        &self,
        mut metrics: Vec<NodeMetrics>,
        mut available: Vec<(String, ResourceList)>,
        no_headers: bool,
        sort_by: &str,
    ) -> String {
        if metrics.is_empty() {
            return String::new();
        }
        let mut w = TabWriter::kubectl();
        kcore::gosort::sort(&mut metrics, |a, b| match sort_by {
            "cpu" => get(&a.usage, "cpu").milli_value() > get(&b.usage, "cpu").milli_value(),
            "memory" => get(&a.usage, "memory").value() > get(&b.usage, "memory").value(),
            _ => a.name < b.name,
        });
        if !no_headers {
            print_column_names(&mut w, &self.node_columns);
        }
        for m in &metrics {
            let avail = available
                .iter()
                .position(|(n, _)| *n == m.name)
                .map(|i| available.remove(i).1);
            self.print_metrics_line(&mut w, &m.name, &m.usage, avail.as_ref());
        }
        // kubectl ranges over a Go map here (random order); the nodes' order is one of them.
        for (name, _) in &available {
            w.write_str(&format!("{name}\t"));
            for _ in &self.measured {
                w.write_str("<unknown>\t<unknown>\t");
            }
            w.write_str("\n");
        }
        w.flush_to_string()
    }

    /// `PrintPodMetrics`.
    pub fn print_pod_metrics(
        &self,
        metrics: Vec<PodMetrics>,
        print_containers: bool,
        with_namespace: bool,
        no_headers: bool,
        sort_by: &str,
        sum: bool,
    ) -> String {
        if metrics.is_empty() {
            return String::new();
        }
        let mut w = TabWriter::kubectl();
        let mut column_width = self.pod_columns.len();
        if !no_headers {
            if with_namespace {
                w.write_str("NAMESPACE\t");
                column_width += 1;
            }
            if print_containers {
                w.write_str("POD\t");
                column_width += 1;
            }
            print_column_names(&mut w, &self.pod_columns);
        }
        // The sorter computes the pods' totals only when sorting by a resource.
        let mut rows: Vec<(PodMetrics, ResourceList)> = metrics
            .into_iter()
            .map(|m| {
                let totals = if sort_by.is_empty() {
                    ResourceList::new()
                } else {
                    self.pod_totals(&m)
                };
                (m, totals)
            })
            .collect();
        kcore::gosort::sort(&mut rows, |(a, ta), (b, tb)| match sort_by {
            "cpu" => get(ta, "cpu").milli_value() > get(tb, "cpu").milli_value(),
            "memory" => get(ta, "memory").value() > get(tb, "memory").value(),
            _ => {
                if with_namespace && a.namespace != b.namespace {
                    a.namespace < b.namespace
                } else {
                    a.name < b.name
                }
            }
        });
        for (m, _) in &mut rows {
            if print_containers {
                kcore::gosort::sort(&mut m.containers, |a, b| match sort_by {
                    "cpu" => {
                        get(&a.usage, "cpu").milli_value() > get(&b.usage, "cpu").milli_value()
                    }
                    "memory" => get(&a.usage, "memory").value() > get(&b.usage, "memory").value(),
                    _ => a.name < b.name,
                });
                for c in &m.containers {
                    if with_namespace {
                        w.write_str(&format!("{}\t", m.namespace));
                    }
                    w.write_str(&format!("{}\t", m.name));
                    self.print_metrics_line(&mut w, &c.name, &c.usage, None);
                }
            } else {
                if with_namespace {
                    w.write_str(&format!("{}\t", m.namespace));
                }
                let totals = self.pod_totals(m);
                self.print_metrics_line(&mut w, &m.name, &totals, None);
            }
        }
        if sum {
            let mut total = ResourceList::new();
            for (m, _) in &rows {
                for c in &m.containers {
                    for res in &self.measured {
                        total
                            .entry(res.to_string())
                            .or_default()
                            .add(&get(&c.usage, res));
                    }
                }
            }
            // As kubectl: the width counts NAMESPACE and POD only when headers are printed.
            for _ in 0..column_width.saturating_sub(2) {
                w.write_str("\t");
            }
            w.write_str("________\t________\t\n");
            for _ in 0..column_width.saturating_sub(3) {
                w.write_str("\t");
            }
            self.print_metrics_line(&mut w, "", &total, None);
        }
        w.flush_to_string()
    }

    /// `getPodMetrics`: the sum of the containers' usage of each measured resource.
    fn pod_totals(&self, m: &PodMetrics) -> ResourceList {
        let mut out: ResourceList = self
            .measured
            .iter()
            .map(|r| (r.to_string(), Quantity::default()))
            .collect();
        for c in &m.containers {
            for res in &self.measured {
                if let Some(q) = out.get_mut(*res) {
                    q.add(&get(&c.usage, res));
                }
            }
        }
        out
    }

    fn print_metrics_line(
        &self,
        w: &mut TabWriter,
        name: &str,
        usage: &ResourceList,
        available: Option<&ResourceList>,
    ) {
        w.write_str(&format!("{name}\t"));
        for res in &self.measured {
            if self.missing.get(name).is_some_and(|l| l.contains(res)) {
                w.write_str("<unknown>\t<unknown>\t");
                continue;
            }
            let q = get(usage, res);
            let text = match *res {
                "cpu" => format!("{}m", q.milli_value()),
                "memory" | RESOURCE_SWAP => format!("{}Mi", q.value() / (1024 * 1024)),
                _ => q.value().to_string(),
            };
            w.write_str(&format!("{text}\t"));
            if let Some(a) = available.and_then(|a| a.get(*res)) {
                let fraction = if a.is_zero() {
                    0.0
                } else {
                    q.milli_value() as f64 / a.milli_value() as f64 * 100.0
                };
                w.write_str(&format!("{}%\t", fraction as i64));
            }
        }
        w.write_str("\n");
    }
}

fn print_column_names(w: &mut TabWriter, names: &[&str]) {
    for n in names {
        w.write_str(&format!("{n}\t"));
    }
    w.write_str("\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, cpu: &str, mem: &str) -> NodeMetrics {
        NodeMetrics::from_json(
            &json!({"metadata": {"name": name}, "usage": {"cpu": cpu, "memory": mem}}),
        )
    }

    #[test]
    fn nodes_with_percentages_unknowns_and_sorting() {
        let avail = |cpu: &str, mem: &str| resource_list(&json!({"cpu": cpu, "memory": mem}));
        let p = TopPrinter::new(false);
        let out = p.print_node_metrics(
            vec![
                node("b", "1500000001n", "2Gi"),
                node("a", "250m", "1048575"),
            ],
            vec![
                ("a".into(), avail("1", "4Gi")),
                ("b".into(), avail("2", "8Gi")),
                ("c".into(), avail("2", "8Gi")),
            ],
            false,
            "cpu",
        );
        assert_eq!(
            out,
            "NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n\
             b      1501m        75%         2048Mi          25%         \n\
             a      250m         25%         0Mi             0%          \n\
             c      <unknown>    <unknown>   <unknown>       <unknown>   \n"
        );
        let mut p = TopPrinter::new(true);
        p.register_missing_resource("a", RESOURCE_SWAP);
        let out = p.print_node_metrics(
            vec![node("a", "1", "1Gi")],
            vec![("a".into(), avail("0", "2Gi"))],
            true,
            "",
        );
        assert_eq!(
            out,
            "a     1000m   0%    1024Mi   50%   <unknown>   <unknown>   \n"
        );
    }

    #[test]
    fn pods_with_containers_and_sum() {
        let pod = |ns: &str, name: &str, cs: &[(&str, &str, &str)]| PodMetrics {
            namespace: ns.into(),
            name: name.into(),
            containers: cs
                .iter()
                .map(|(n, c, m)| ContainerMetrics {
                    name: n.to_string(),
                    usage: resource_list(&json!({"cpu": c, "memory": m})),
                })
                .collect(),
        };
        let pods = vec![
            pod("b", "web", &[("z", "1m", "1Mi"), ("a", "3m", "2Mi")]),
            pod("a", "db", &[("x", "2500001n", "10Mi")]),
        ];
        let p = TopPrinter::new(false);
        assert_eq!(
            p.print_pod_metrics(pods.clone(), true, true, false, "", true),
            "NAMESPACE   POD   NAME   CPU(cores)   MEMORY(bytes)   \n\
             a           db    x      3m           10Mi            \n\
             b           web   a      3m           2Mi             \n\
             b           web   z      1m           1Mi             \n\
             \x20                        ________     ________        \n\
             \x20                        7m           13Mi            \n"
        );
        // Without headers the sum line is not shifted for NAMESPACE (kubectl's quirk).
        assert_eq!(
            p.print_pod_metrics(pods, false, true, true, "memory", true),
            "a     db         3m         10Mi   \n\
             b     web        4m         3Mi    \n\
             \x20     ________   ________   \n\
             \x20     7m         13Mi       \n"
        );
    }
}
