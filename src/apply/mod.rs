//! Client-side apply: the plan (`plan`) over the patch engines, which live in the core crate
//! (`kcore::patch`) because the sandbox's API server applies the same patches. The engines'
//! modules are re-exported here, so `crate::apply::strategic::…` and the like keep working.

pub use kcore::patch::{error, jsonpatch, lastapplied, merge, patchmeta, strategic};
pub mod csaupgrade;
pub mod plan;
#[cfg(test)]
mod plan_oracle_tests;
pub mod prune;
#[cfg(test)]
use kcore::patch::testutil;

pub use error::PatchError;
pub use jsonpatch::apply_json_patch;
pub use lastapplied::{
    get_last_applied, set_last_applied, to_go_json, to_go_json_line, LAST_APPLIED_ANNOTATION,
};
pub use merge::{apply_merge_patch, create_merge_patch, create_three_way_json_merge_patch};
pub use plan::{
    apply_patch, create_body, diff_patch, missing_annotation_warning, prune_nulls,
    server_side_apply_body, ApplyPatch, PatchType, SERVER_SIDE_APPLY_CONTENT_TYPE,
};
pub use strategic::{
    apply_strategic_merge_patch, create_three_way_merge_patch, create_two_way_merge_patch,
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// End to end: the seed manifest (YAML, comments and all) read like kubectl, with the
    /// namespace the builder adds, gives the exact POST body kubectl sent.
    #[test]
    fn seed_manifest_gives_recorded_create_body() {
        use kcore::patch::testutil::{fixture, recorded_body};
        let yaml = fixture("reference/node-exporter-daemonset.yaml");
        let mut obj = crate::manifest::yaml::yaml_to_json(&yaml).unwrap();
        obj["metadata"]["namespace"] = json!("default");
        set_last_applied(&mut obj).unwrap();
        let live: Value = serde_json::from_str(&fixture("reference/daemonset.json")).unwrap();
        assert_eq!(
            obj["metadata"]["annotations"][LAST_APPLIED_ANNOTATION],
            live["metadata"]["annotations"][LAST_APPLIED_ANNOTATION]
        );
        // The create body is json.Encoder output too: it ends with a newline.
        let body = to_go_json_line(&obj);
        let (visible, total) = recorded_body(
            "01-apply-create-cold-cache.log",
            "helper.go:246] \"Request Body\"",
        );
        assert!(body.starts_with(&visible), "{body}");
        assert_eq!(body.len(), total);
        // The -v2 manifest reads exactly as kubectl read it.
        let v2 = crate::manifest::yaml::yaml_to_json(&fixture(
            "reference/node-exporter-daemonset-v2.yaml",
        ))
        .unwrap();
        let oracle: Value =
            serde_json::from_str(&fixture("apply/node-exporter-daemonset-v2.json")).unwrap();
        assert_eq!(v2, oracle);
    }
}
