//! Kubernetes `Status` bodies for errors, worded as kube-apiserver words them.
