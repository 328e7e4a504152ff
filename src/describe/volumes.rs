//! One block per volume source type, worded exactly as kubectl's `print*VolumeSource` functions
//! (first line `Type:\t<Kind> (<explanation>)`, then fields indented by four spaces).

use serde_json::Value;

use super::text::{arr, b, get, i, s, string_map, value_string, MAX_ANNOTATION_LEN};
use super::writer::{PrefixWriter, LEVEL_1, LEVEL_2, LEVEL_3};
use super::DescribeOptions;

/// Go's `%v` of a scalar field: strings bare, numbers, booleans (`false` when absent).
fn bool_field(v: &Value, f: &str) -> String {
    b(v, f).to_string()
}

/// Go's `%v` of a `[]string` field: `[a b]`.
fn list_field(v: &Value, f: &str) -> String {
    let items: Vec<String> = arr(v, f).iter().map(value_string).collect();
    format!("[{}]", items.join(" "))
}

/// Go's `%v` of a `*SecretReference` (persistent sources) or `*LocalObjectReference` field.
fn ref_field(v: &Value, f: &str, persistent: bool) -> String {
    match get(v, f) {
        None => "<nil>".to_string(),
        Some(r) if persistent => format!(
            "&SecretReference{{Name:{},Namespace:{},}}",
            s(r, "name"),
            s(r, "namespace")
        ),
        Some(r) => format!("&LocalObjectReference{{Name:{},}}", s(r, "name")),
    }
}

/// Go's `%v` of a `map[string]string`: `map[k:v k2:v2]` with sorted keys.
fn map_field(v: &Value, f: &str) -> String {
    let mut m = string_map(v, f);
    m.sort();
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("map[{}]", parts.join(" "))
}

/// How a block's field is read from its source.
#[derive(Clone, Copy)]
enum F {
    /// A string (`""` when absent).
    Str(&'static str),
    /// A boolean (`false` when absent).
    Bool(&'static str),
    /// An integer (0 when absent).
    Int(&'static str),
    /// A `[]string` as Go's `%v`.
    List(&'static str),
    /// A `[]string` joined by `, `.
    Comma(&'static str),
    /// A `map[string]string` as Go's `%v`.
    Map(&'static str),
    /// A secret reference (`*SecretReference` on PVs, else `*LocalObjectReference`).
    SecretRef(&'static str),
    /// A pointer field, with the text for nil.
    Or(&'static str, &'static str),
    /// Only in a PersistentVolume's block.
    Pv(&'static F),
}

impl F {
    fn render(self, src: &Value, persistent: bool) -> Option<String> {
        Some(match self {
            F::Str(f) => s(src, f).to_string(),
            F::Bool(f) => bool_field(src, f),
            F::Int(f) => i(src, f).to_string(),
            F::List(f) => list_field(src, f),
            F::Comma(f) => {
                let items: Vec<String> = arr(src, f).iter().map(value_string).collect();
                items.join(", ")
            }
            F::Map(f) => map_field(src, f),
            F::SecretRef(f) => ref_field(src, f, persistent),
            F::Or(f, none) => get(src, f).map(value_string).unwrap_or(none.into()),
            F::Pv(inner) => return persistent.then(|| inner.render(src, persistent)).flatten(),
        })
    }
}

type Special = fn(&Value, &mut PrefixWriter, &DescribeOptions, bool);

enum Render {
    /// `Type:\t<type line>` and the fields, each `    Label:\tvalue`.
    Block(&'static str, &'static [(&'static str, F)]),
    Special(Special),
}

use F::{Bool, Comma, Int, List, Map, Or, Pv, SecretRef, Str};

/// The volume source types in the order of kubectl's `switch` (the first one set wins).
const SOURCES: &[(&str, Render)] = &[
    (
        "hostPath",
        Render::Block(
            "HostPath (bare host directory volume)",
            &[
                ("Path:", Str("path")),
                ("HostPathType:", Or("type", "<none>")),
            ],
        ),
    ),
    ("emptyDir", Render::Special(empty_dir)),
    (
        "gcePersistentDisk",
        Render::Block(
            "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)",
            &[
                ("PDName:", Str("pdName")),
                ("FSType:", Str("fsType")),
                ("Partition:", Int("partition")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "awsElasticBlockStore",
        Render::Block(
            "AWSElasticBlockStore (a Persistent Disk resource in AWS)",
            &[
                ("VolumeID:", Str("volumeID")),
                ("FSType:", Str("fsType")),
                ("Partition:", Int("partition")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "gitRepo",
        Render::Block(
            "GitRepo (a volume that is pulled from git when the pod is created)",
            &[
                ("Repository:", Str("repository")),
                ("Revision:", Str("revision")),
            ],
        ),
    ),
    (
        "secret",
        Render::Block(
            "Secret (a volume populated by a Secret)",
            &[
                ("SecretName:", Str("secretName")),
                ("Optional:", Bool("optional")),
            ],
        ),
    ),
    (
        "configMap",
        Render::Block(
            "ConfigMap (a volume populated by a ConfigMap)",
            &[("Name:", Str("name")), ("Optional:", Bool("optional"))],
        ),
    ),
    (
        "nfs",
        Render::Block(
            "NFS (an NFS mount that lasts the lifetime of a pod)",
            &[
                ("Server:", Str("server")),
                ("Path:", Str("path")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "iscsi",
        Render::Block(
            "ISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then \
             exposed to the pod)",
            &[
                ("TargetPortal:", Str("targetPortal")),
                ("IQN:", Str("iqn")),
                ("Lun:", Int("lun")),
                ("ISCSIInterface", Str("iscsiInterface")),
                ("FSType:", Str("fsType")),
                ("ReadOnly:", Bool("readOnly")),
                ("Portals:", List("portals")),
                ("DiscoveryCHAPAuth:", Bool("chapAuthDiscovery")),
                ("SessionCHAPAuth:", Bool("chapAuthSession")),
                ("SecretRef:", SecretRef("secretRef")),
                ("InitiatorName:", Or("initiatorName", "<none>")),
            ],
        ),
    ),
    (
        "glusterfs",
        Render::Block(
            "Glusterfs (a Glusterfs mount on the host that shares a pod's lifetime)",
            &[
                ("EndpointsName:", Str("endpoints")),
                (
                    "EndpointsNamespace:",
                    Pv(&Or("endpointsNamespace", "<unset>")),
                ),
                ("Path:", Str("path")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "persistentVolumeClaim",
        Render::Block(
            "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
            &[
                ("ClaimName:", Str("claimName")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    ("ephemeral", Render::Special(ephemeral)),
    (
        "rbd",
        Render::Block(
            "RBD (a Rados Block Device mount on the host that shares a pod's lifetime)",
            &[
                ("CephMonitors:", List("monitors")),
                ("RBDImage:", Str("image")),
                ("FSType:", Str("fsType")),
                ("RBDPool:", Str("pool")),
                ("RadosUser:", Str("user")),
                ("Keyring:", Str("keyring")),
                ("SecretRef:", SecretRef("secretRef")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "quobyte",
        Render::Block(
            "Quobyte (a Quobyte mount on the host that shares a pod's lifetime)",
            &[
                ("Registry:", Str("registry")),
                ("Volume:", Str("volume")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    ("downwardAPI", Render::Special(downward_api)),
    (
        "azureDisk",
        Render::Block(
            "AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)",
            &[
                ("DiskName:", Str("diskName")),
                ("DiskURI:", Str("diskURI")),
                ("Kind: ", Str("kind")),
                ("FSType:", Str("fsType")),
                ("CachingMode:", Str("cachingMode")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "vsphereVolume",
        Render::Block(
            "vSphereVolume (a Persistent Disk resource in vSphere)",
            &[
                ("VolumePath:", Str("volumePath")),
                ("FSType:", Str("fsType")),
                ("StoragePolicyName:", Str("storagePolicyName")),
            ],
        ),
    ),
    (
        "cinder",
        Render::Block(
            "Cinder (a Persistent Disk resource in OpenStack)",
            &[
                ("VolumeID:", Str("volumeID")),
                ("FSType:", Str("fsType")),
                ("ReadOnly:", Bool("readOnly")),
                ("SecretRef:", SecretRef("secretRef")),
            ],
        ),
    ),
    (
        "photonPersistentDisk",
        Render::Block(
            "PhotonPersistentDisk (a Persistent Disk resource in photon platform)",
            &[("PdID:", Str("pdID")), ("FSType:", Str("fsType"))],
        ),
    ),
    (
        "portworxVolume",
        Render::Block(
            "PortworxVolume (a Portworx Volume resource)",
            &[("VolumeID:", Str("volumeID"))],
        ),
    ),
    (
        "scaleIO",
        Render::Block(
            "ScaleIO (a persistent volume backed by a block device in ScaleIO)",
            &[
                ("Gateway:", Str("gateway")),
                ("System:", Str("system")),
                ("Protection Domain:", Str("protectionDomain")),
                ("Storage Pool:", Str("storagePool")),
                ("Storage Mode:", Str("storageMode")),
                ("VolumeName:", Str("volumeName")),
                ("SecretName:", Pv(&Str("secretRef.name"))),
                ("SecretNamespace:", Pv(&Str("secretRef.namespace"))),
                ("FSType:", Str("fsType")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "cephfs",
        Render::Block(
            "CephFS (a CephFS mount on the host that shares a pod's lifetime)",
            &[
                ("Monitors:", List("monitors")),
                ("Path:", Str("path")),
                ("User:", Str("user")),
                ("SecretFile:", Str("secretFile")),
                ("SecretRef:", SecretRef("secretRef")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "storageos",
        Render::Block(
            "StorageOS (a StorageOS Persistent Disk resource)",
            &[
                ("VolumeName:", Str("volumeName")),
                ("VolumeNamespace:", Str("volumeNamespace")),
                ("FSType:", Str("fsType")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "fc",
        Render::Block(
            "FC (a Fibre Channel disk)",
            &[
                ("TargetWWNs:", Comma("targetWWNs")),
                ("LUN:", Or("lun", "<none>")),
                ("FSType:", Str("fsType")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "azureFile",
        Render::Block(
            "AzureFile (an Azure File Service mount on the host and bind mount to the pod)",
            &[
                ("SecretName:", Str("secretName")),
                ("SecretNamespace:", Pv(&Str("secretNamespace"))),
                ("ShareName:", Str("shareName")),
                ("ReadOnly:", Bool("readOnly")),
            ],
        ),
    ),
    (
        "flexVolume",
        Render::Block(
            "FlexVolume (a generic volume resource that is provisioned/attached using an exec \
             based plugin)",
            &[
                ("Driver:", Str("driver")),
                ("FSType:", Str("fsType")),
                ("SecretRef:", SecretRef("secretRef")),
                ("ReadOnly:", Bool("readOnly")),
                ("Options:", Map("options")),
            ],
        ),
    ),
    (
        "flocker",
        Render::Block(
            "Flocker (a Flocker volume mounted by the Flocker agent)",
            &[
                ("DatasetName:", Str("datasetName")),
                ("DatasetUUID:", Str("datasetUUID")),
            ],
        ),
    ),
    ("projected", Render::Special(projected)),
    ("csi", Render::Special(csi)),
    (
        "image",
        Render::Block(
            "Image (a container image or OCI artifact)",
            &[
                ("Reference:", Str("reference")),
                ("PullPolicy:", Str("pullPolicy")),
            ],
        ),
    ),
    ("local", Render::Special(local)),
];

fn block(w: &mut PrefixWriter, type_line: &str, src: &Value, fields: &[(&str, F)], pv: bool) {
    let mut text = format!("Type:\t{type_line}\n");
    for (label, f) in fields {
        if let Some(value) = f.render(src, pv) {
            text.push_str(&format!("    {label}\t{value}\n"));
        }
    }
    w.write(LEVEL_2, &text);
}

/// Writes the block for one volume (the `switch` of kubectl's `describeVolumes`).
pub fn describe_volume_source(v: &Value, w: &mut PrefixWriter, opts: &DescribeOptions) {
    describe_source(v, w, opts, false);
}

/// Writes the block for a PersistentVolume's source (`describePersistentVolume`'s `switch`):
/// the persistent variants name secrets with namespaces and add a few fields.
pub fn describe_pv_source(spec: &Value, w: &mut PrefixWriter, opts: &DescribeOptions) {
    describe_source(spec, w, opts, true);
}

fn describe_source(v: &Value, w: &mut PrefixWriter, opts: &DescribeOptions, persistent: bool) {
    for (key, render) in SOURCES {
        let Some(src) = get(v, key) else {
            continue;
        };
        match render {
            Render::Block(type_line, fields) => block(w, type_line, src, fields, persistent),
            Render::Special(special) => special(src, w, opts, persistent),
        }
        return;
    }
    unknown(w);
}

fn unknown(w: &mut PrefixWriter) {
    w.write(LEVEL_1, "<unknown>\n");
}

fn empty_dir(e: &Value, w: &mut PrefixWriter, _: &DescribeOptions, _: bool) {
    let size = get(e, "sizeLimit")
        .map(value_string)
        .filter(|q| super::quantity::Quantity::parse(q).is_some_and(|q| q.is_positive()))
        .unwrap_or("<unset>".into());
    w.write(
        LEVEL_2,
        &format!(
            "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    \
             Medium:\t{}\n    SizeLimit:\t{size}\n",
            s(e, "medium")
        ),
    );
}

fn ephemeral(e: &Value, w: &mut PrefixWriter, opts: &DescribeOptions, _: bool) {
    w.write(
        LEVEL_2,
        "Type:\tEphemeralVolume (an inline specification for a volume that gets created and \
         deleted with the pod)\n",
    );
    if let Some(t) = get(e, "volumeClaimTemplate") {
        w.nested(LEVEL_2, |w| super::pvc::print_pvc(w, t, false, opts));
    }
}

fn downward_api(d: &Value, w: &mut PrefixWriter, _: &DescribeOptions, _: bool) {
    w.write(
        LEVEL_2,
        "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
    );
    for item in arr(d, "items") {
        if let Some(f) = get(item, "fieldRef") {
            w.write(
                LEVEL_3,
                &format!("{} -> {}\n", s(f, "fieldPath"), s(item, "path")),
            );
        }
        if let Some(r) = get(item, "resourceFieldRef") {
            w.write(
                LEVEL_3,
                &format!("{} -> {}\n", s(r, "resource"), s(item, "path")),
            );
        }
    }
}

fn csi(c: &Value, w: &mut PrefixWriter, _: &DescribeOptions, persistent: bool) {
    block(
        w,
        "CSI (a Container Storage Interface (CSI) volume source)",
        c,
        &[
            ("Driver:", Str("driver")),
            ("FSType:", Str("fsType")),
            ("VolumeHandle:", Pv(&Str("volumeHandle"))),
            ("ReadOnly:", Bool("readOnly")),
        ],
        persistent,
    );
    print_csi_attributes(w, &string_map(c, "volumeAttributes"));
}

/// Only PersistentVolumes have a `local` source.
fn local(l: &Value, w: &mut PrefixWriter, _: &DescribeOptions, persistent: bool) {
    if !persistent {
        return unknown(w);
    }
    block(
        w,
        "LocalVolume (a persistent volume backed by local storage on a node)",
        l,
        &[("Path:", Str("path"))],
        persistent,
    );
}

fn projected(p: &Value, w: &mut PrefixWriter, _: &DescribeOptions, _: bool) {
    describe_projected(p, w);
}

fn describe_projected(p: &Value, w: &mut PrefixWriter) {
    w.write(
        LEVEL_2,
        "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
    );
    for source in arr(p, "sources") {
        if let Some(sec) = get(source, "secret") {
            w.write(
                LEVEL_2,
                &format!(
                    "SecretName:\t{}\n    Optional:\t{}\n",
                    s(sec, "name"),
                    bool_field(sec, "optional")
                ),
            );
        } else if get(source, "downwardAPI").is_some() {
            w.write(LEVEL_2, "DownwardAPI:\ttrue\n");
        } else if let Some(c) = get(source, "configMap") {
            w.write(
                LEVEL_2,
                &format!(
                    "ConfigMapName:\t{}\n    Optional:\t{}\n",
                    s(c, "name"),
                    bool_field(c, "optional")
                ),
            );
        } else if let Some(t) = get(source, "serviceAccountToken") {
            w.field(LEVEL_2, "TokenExpirationSeconds", i(t, "expirationSeconds"));
        }
    }
}

/// `printCSIPersistentVolumeAttributesMultilineIndent`, including its odd continuation
/// indentation (each write re-applies the level prefix).
fn print_csi_attributes(w: &mut PrefixWriter, attrs: &[(String, String)]) {
    w.write(LEVEL_2, "VolumeAttributes:\t");
    if attrs.is_empty() {
        w.write_line("<none>");
        return;
    }
    for (n, (k, v)) in attrs.iter().enumerate() {
        if n != 0 {
            w.write(LEVEL_2, "");
            w.write(LEVEL_2, "\t");
        }
        let line = format!("{k}={v}");
        w.write(
            LEVEL_2,
            &format!("{}\n", super::text::shorten(&line, MAX_ANNOTATION_LEN)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(v: Value) -> String {
        let mut w = PrefixWriter::new();
        let opts = DescribeOptions::fixed_utc(chrono::DateTime::UNIX_EPOCH);
        describe_volume_source(&v, &mut w, &opts);
        w.finish()
    }

    #[test]
    fn host_path_type_empty_vs_absent() {
        assert_eq!(
            render(json!({"hostPath": {"path": "/p", "type": ""}})),
            "    Type:          HostPath (bare host directory volume)\n    Path:          /p\n    \
             HostPathType:  \n"
        );
        assert!(render(json!({"hostPath": {"path": "/p"}})).contains("HostPathType:  <none>\n"));
    }

    #[test]
    fn common_sources() {
        assert_eq!(
            render(json!({"emptyDir": {}})),
            "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n    \
             Medium:     \n    SizeLimit:  <unset>\n"
        );
        assert_eq!(
            render(json!({"secret": {"secretName": "s", "optional": true}})),
            "    Type:        Secret (a volume populated by a Secret)\n    SecretName:  s\n    \
             Optional:    true\n"
        );
        assert_eq!(
            render(json!({"persistentVolumeClaim": {"claimName": "data"}})),
            "    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the \
             same namespace)\n    ClaimName:  data\n    ReadOnly:   false\n"
        );
        assert_eq!(render(json!({"somethingNew": {}})), "  <unknown>\n");
    }

    #[test]
    fn csi_attributes_keep_kubectls_indentation() {
        let out = render(json!({"csi": {"driver": "d", "volumeAttributes": {"a": "1", "b": "2"}}}));
        // Every write re-applies the level prefix, so values get four extra spaces.
        assert!(
            out.ends_with("    VolumeAttributes:      a=1\n                           b=2\n"),
            "{out}"
        );
    }
}
