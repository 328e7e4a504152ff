//! kubectl's typed decoding (`WithScheme(scheme.Scheme, …)`): an object of a kind kubectl's
//! scheme does not register cannot be decoded, whatever the server serves. Builders given a
//! scheme refuse such objects with the decoder's error.

use crate::resource::scheme_kinds::SCHEME_KINDS;

/// What apimachinery's `AddToGroupVersion` registers in every group/version besides its kinds.
const META_KINDS: &[&str] = &[
    "WatchEvent",
    "ListOptions",
    "GetOptions",
    "DeleteOptions",
    "CreateOptions",
    "UpdateOptions",
    "PatchOptions",
];

/// Registered once for every version (`AddUnversionedTypes`).
const UNVERSIONED_KINDS: &[&str] = &[
    "Status",
    "APIVersions",
    "APIGroupList",
    "APIGroup",
    "APIResourceList",
];

/// `AddMetaToScheme` of `meta.k8s.io/v1` and `meta.k8s.io/v1beta1`.
const META_GROUP_KINDS: &[&str] = &[
    "Table",
    "TableOptions",
    "PartialObjectMetadata",
    "PartialObjectMetadataList",
];

/// Whether kubectl's scheme can decode `kind` of `api_version` (`Scheme.New`).
pub fn registered(api_version: &str, kind: &str) -> bool {
    if UNVERSIONED_KINDS.contains(&kind) {
        return true;
    }
    if matches!(api_version, "meta.k8s.io/v1" | "meta.k8s.io/v1beta1")
        && META_GROUP_KINDS.contains(&kind)
    {
        return true;
    }
    SCHEME_KINDS.iter().any(|(gv, kinds)| {
        *gv == api_version && (kinds.contains(&kind) || META_KINDS.contains(&kind))
    })
}

/// The decoder's error for a kind the scheme does not register (`NewNotRegisteredErrForKind`
/// with kubectl's scheme name), as the builder words it for `source`.
pub fn not_registered(source: &str, api_version: &str, kind: &str) -> String {
    format!(
        "unable to decode {source:?}: no kind {kind:?} is registered for version {api_version:?} in scheme \"pkg/scheme/scheme.go:28\""
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_scheme_kinds() {
        assert!(registered("v1", "Pod"));
        assert!(registered("v1", "List"));
        assert!(registered(
            "rbac.authorization.k8s.io/v1beta1",
            "ClusterRole"
        ));
        assert!(registered("apps/v1", "DeleteOptions"));
        assert!(registered("example.com/v1", "Status"));
        assert!(!registered("example.com/v1", "Foo"));
        assert!(!registered("apps/v1", "Pod"));
        assert!(!registered("rbac.authorization.k8s.io/v2", "Role"));
    }
}
