//! Patch engines shared by the client (`kubectl apply/patch`) and the sandbox's API server:
//! strategic merge patch with the built-in kinds' patch metadata, RFC 7386 JSON merge patch,
//! RFC 6902 JSON patch, and the `kubectl.kubernetes.io/last-applied-configuration` annotation.

pub mod error;
pub mod jsonpatch;
pub mod lastapplied;
pub mod merge;
pub mod patchmeta;
pub mod strategic;
#[cfg(any(test, feature = "testutil"))]
pub mod testutil;

pub use error::PatchError;
pub use jsonpatch::apply_json_patch;
pub use lastapplied::{
    get_last_applied, set_last_applied, to_go_json, to_go_json_line, LAST_APPLIED_ANNOTATION,
};
pub use merge::{apply_merge_patch, create_merge_patch, create_three_way_json_merge_patch};
pub use strategic::{
    apply_strategic_merge_patch, create_three_way_merge_patch, create_two_way_merge_patch,
};
