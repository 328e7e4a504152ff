//! Server-side printing: meta.k8s.io Table responses with kube-apiserver's columns and cells.
