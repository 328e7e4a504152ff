//! Operations several commands share, the layer between `print`/`describe` and `cmd/`
//! (commands never import each other; what two of them do alike lives here).
//!
//! - [`attach`]: attaching to a running container (`attach`, `run -i`, `debug -i`).
//! - [`detach`]: `--detach-keys`, the key sequence that ends an attached terminal's stdin.
//! - [`dryrun`]: `--dry-run`'s strategies (`DryRun`), re-exported by `cmd::flags`.
//! - [`metadata`]: the metadata update of `label` and `annotate`.
//! - [`pods`]: the pod (and container) `logs` and `exec` work on.
//! - [`rawhttp`]: `--raw` of `create`, `replace` and `delete`.
//! - [`generated`]: `--overrides`, `--labels`, port parsing and the typed printer of `expose`
//!   and `run`.
//! - [`namehash`]: `--append-hash`'s suffix.
//! - [`selector`]: a selector string as a LabelSelector object (`create pdb`).
//! - [`imageref`]: image references as `--image` flags must spell them.
//! - [`term`]: the local terminal of `-t` sessions (raw mode, resize events).
//! - [`keypair`]: Go's `tls.X509KeyPair` check of a certificate and key (`create secret tls`).

pub mod attach;
pub mod detach;
pub mod dryrun;
pub mod generated;
pub mod imageref;
pub mod keypair;
pub mod metadata;
pub mod namehash;
pub mod pods;
pub mod rawhttp;
pub mod selector;
pub mod term;
