//! Loading and merging kubeconfig files as client-go does, and resolving them (with the command
//! line overrides) into a `RestConfig`: server, TLS, credentials.
