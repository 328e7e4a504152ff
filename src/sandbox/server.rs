//! The HTTPS server: certificates, authentication, start/stop, the kubeconfig it writes.
