//! Defaulting as kube-apiserver does it on create and update, per served kind.
