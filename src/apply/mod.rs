//! Client-side apply: patch metadata for built-in kinds, strategic merge patches (create and apply),
//! JSON merge patches, JSON patches, and the last-applied-configuration annotation.

pub mod error;
pub mod jsonpatch;
pub mod lastapplied;
pub mod merge;
pub mod patchmeta;
pub mod plan;
#[cfg(test)]
mod plan_oracle_tests;
pub mod strategic;
#[cfg(test)]
mod testutil;

pub use error::PatchError;
pub use jsonpatch::apply_json_patch;
pub use lastapplied::{
    get_last_applied, set_last_applied, to_go_json, to_go_json_line, LAST_APPLIED_ANNOTATION,
};
pub use merge::{apply_merge_patch, create_merge_patch, create_three_way_json_merge_patch};
pub use plan::{
    apply_patch, create_body, missing_annotation_warning, prune_nulls, server_side_apply_body,
    ApplyPatch, PatchType, SERVER_SIDE_APPLY_CONTENT_TYPE,
};
pub use strategic::{
    apply_strategic_merge_patch, create_three_way_merge_patch, create_two_way_merge_patch,
};
