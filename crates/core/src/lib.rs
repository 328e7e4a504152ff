//! kubectl-rs-core: what both the CLI and the sandbox need, with no I/O and no async.
//!
//! - [`patch`]: strategic-merge, JSON-merge and JSON patches, with the compiled-in patch
//!   metadata of the built-in kinds, and the `last-applied-configuration` annotation.
//! - [`selectors`]: label and field selectors, parsed and matched as apimachinery does.
//! - [`validation`]: name, label-key and label-value rules with apimachinery's messages.
//! - [`resource`]: `GroupResource`, the name of a resource type.
//! - [`gofmt`], [`duration`]: Go's `%q` and apimachinery's `HumanDuration`.
//! - [`quantity`]: resource quantities as numbers, for comparisons.
//! - [`rand`]: utilrand's random name suffixes and random hex identifiers.
//! - [`spdy`]: SPDY/3.1 framing (sans-I/O) and the `portforward.k8s.io` names, for
//!   `port-forward` on both sides.
//! - [`gojson`]: Go `encoding/json` output (string escaping, numbers, compact encoding).
//! - [`gobase64`]: Go's lenient standard base64 decoding (newlines skipped) and its errors.
//! - [`gopath`]: Go's `path.Clean` and `path.Join`.
//! - [`goyaml`]: which plain scalars go-yaml v2 reads back as something else than a string.
//! - [`namehash`]: the hash suffix of generated ConfigMap and Secret names.
//! - [`volume`]: PersistentVolume access modes as kubectl abbreviates them.
//!
//! Neither the CLI (`kubectl-rs`) nor the sandbox (`kubectl-rs-sandbox`) is a dependency:
//! the compiler keeps this layer below both.

pub mod duration;
pub mod gobase64;
pub mod gofmt;
pub mod gojson;
pub mod gopath;
pub mod gosort;
pub mod goyaml;
pub mod namehash;
pub mod patch;
pub mod quantity;
pub mod rand;
pub mod resource;
pub mod selectors;
pub mod spdy;
mod spdy_dictionary;
pub mod tar;
pub mod validation;
pub mod volume;
