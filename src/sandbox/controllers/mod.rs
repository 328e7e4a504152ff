//! Controllers that make the sandbox a living cluster: nodes, scheduler, kubelet, DaemonSet, Deployment/ReplicaSet, garbage collector, namespaces, events.
