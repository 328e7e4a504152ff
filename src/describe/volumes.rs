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

/// Go's `%v` of a `*LocalObjectReference`/`*SecretReference` field.
fn ref_field(v: &Value, f: &str, go_type: &str) -> String {
    match get(v, f) {
        None => "<nil>".to_string(),
        Some(r) => {
            if go_type == "SecretReference" {
                format!(
                    "&SecretReference{{Name:{},Namespace:{},}}",
                    s(r, "name"),
                    s(r, "namespace")
                )
            } else {
                format!("&LocalObjectReference{{Name:{},}}", s(r, "name"))
            }
        }
    }
}

/// Go's `%v` of a `map[string]string`: `map[k:v k2:v2]` with sorted keys.
fn map_field(v: &Value, f: &str) -> String {
    let mut m = string_map(v, f);
    m.sort();
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("map[{}]", parts.join(" "))
}

fn block(w: &mut PrefixWriter, type_line: &str, fields: &[(&str, String)]) {
    let mut text = format!("Type:\t{type_line}\n");
    for (label, value) in fields {
        text.push_str(&format!("    {label}\t{value}\n"));
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
    let src = |key: &str| get(v, key);
    // Persistent sources reference secrets by name and namespace.
    let secret_ref = if persistent {
        "SecretReference"
    } else {
        "LocalObjectReference"
    };
    if let Some(h) = src("hostPath") {
        let ty = get(h, "type").map(value_string).unwrap_or("<none>".into());
        block(
            w,
            "HostPath (bare host directory volume)",
            &[("Path:", s(h, "path").into()), ("HostPathType:", ty)],
        );
    } else if let Some(e) = src("emptyDir") {
        let size = get(e, "sizeLimit")
            .map(value_string)
            .filter(|q| super::quantity::Quantity::parse(q).is_some_and(|q| q.is_positive()))
            .unwrap_or("<unset>".into());
        block(
            w,
            "EmptyDir (a temporary directory that shares a pod's lifetime)",
            &[("Medium:", s(e, "medium").into()), ("SizeLimit:", size)],
        );
    } else if let Some(g) = src("gcePersistentDisk") {
        block(
            w,
            "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)",
            &[
                ("PDName:", s(g, "pdName").into()),
                ("FSType:", s(g, "fsType").into()),
                ("Partition:", i(g, "partition").to_string()),
                ("ReadOnly:", bool_field(g, "readOnly")),
            ],
        );
    } else if let Some(a) = src("awsElasticBlockStore") {
        block(
            w,
            "AWSElasticBlockStore (a Persistent Disk resource in AWS)",
            &[
                ("VolumeID:", s(a, "volumeID").into()),
                ("FSType:", s(a, "fsType").into()),
                ("Partition:", i(a, "partition").to_string()),
                ("ReadOnly:", bool_field(a, "readOnly")),
            ],
        );
    } else if let Some(g) = src("gitRepo") {
        block(
            w,
            "GitRepo (a volume that is pulled from git when the pod is created)",
            &[
                ("Repository:", s(g, "repository").into()),
                ("Revision:", s(g, "revision").into()),
            ],
        );
    } else if let Some(sec) = src("secret") {
        block(
            w,
            "Secret (a volume populated by a Secret)",
            &[
                ("SecretName:", s(sec, "secretName").into()),
                ("Optional:", bool_field(sec, "optional")),
            ],
        );
    } else if let Some(c) = src("configMap") {
        block(
            w,
            "ConfigMap (a volume populated by a ConfigMap)",
            &[
                ("Name:", s(c, "name").into()),
                ("Optional:", bool_field(c, "optional")),
            ],
        );
    } else if let Some(n) = src("nfs") {
        block(
            w,
            "NFS (an NFS mount that lasts the lifetime of a pod)",
            &[
                ("Server:", s(n, "server").into()),
                ("Path:", s(n, "path").into()),
                ("ReadOnly:", bool_field(n, "readOnly")),
            ],
        );
    } else if let Some(x) = src("iscsi") {
        let initiator = get(x, "initiatorName")
            .map(value_string)
            .unwrap_or("<none>".into());
        block(
            w,
            "ISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then \
             exposed to the pod)",
            &[
                ("TargetPortal:", s(x, "targetPortal").into()),
                ("IQN:", s(x, "iqn").into()),
                ("Lun:", i(x, "lun").to_string()),
                ("ISCSIInterface", s(x, "iscsiInterface").into()),
                ("FSType:", s(x, "fsType").into()),
                ("ReadOnly:", bool_field(x, "readOnly")),
                ("Portals:", list_field(x, "portals")),
                ("DiscoveryCHAPAuth:", bool_field(x, "chapAuthDiscovery")),
                ("SessionCHAPAuth:", bool_field(x, "chapAuthSession")),
                ("SecretRef:", ref_field(x, "secretRef", secret_ref)),
                ("InitiatorName:", initiator),
            ],
        );
    } else if let Some(g) = src("glusterfs") {
        block(
            w,
            "Glusterfs (a Glusterfs mount on the host that shares a pod's lifetime)",
            &if persistent {
                let ns = get(g, "endpointsNamespace")
                    .map(value_string)
                    .unwrap_or("<unset>".into());
                vec![
                    ("EndpointsName:", s(g, "endpoints").to_string()),
                    ("EndpointsNamespace:", ns),
                    ("Path:", s(g, "path").into()),
                    ("ReadOnly:", bool_field(g, "readOnly")),
                ]
            } else {
                vec![
                    ("EndpointsName:", s(g, "endpoints").to_string()),
                    ("Path:", s(g, "path").into()),
                    ("ReadOnly:", bool_field(g, "readOnly")),
                ]
            },
        );
    } else if let Some(c) = src("persistentVolumeClaim") {
        block(
            w,
            "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
            &[
                ("ClaimName:", s(c, "claimName").into()),
                ("ReadOnly:", bool_field(c, "readOnly")),
            ],
        );
    } else if let Some(e) = src("ephemeral") {
        w.write(
            LEVEL_2,
            "Type:\tEphemeralVolume (an inline specification for a volume that gets created and \
             deleted with the pod)\n",
        );
        if let Some(t) = get(e, "volumeClaimTemplate") {
            w.nested(LEVEL_2, |w| super::pvc::print_pvc(w, t, false, opts));
        }
    } else if let Some(r) = src("rbd") {
        block(
            w,
            "RBD (a Rados Block Device mount on the host that shares a pod's lifetime)",
            &[
                ("CephMonitors:", list_field(r, "monitors")),
                ("RBDImage:", s(r, "image").into()),
                ("FSType:", s(r, "fsType").into()),
                ("RBDPool:", s(r, "pool").into()),
                ("RadosUser:", s(r, "user").into()),
                ("Keyring:", s(r, "keyring").into()),
                ("SecretRef:", ref_field(r, "secretRef", secret_ref)),
                ("ReadOnly:", bool_field(r, "readOnly")),
            ],
        );
    } else if let Some(q) = src("quobyte") {
        block(
            w,
            "Quobyte (a Quobyte mount on the host that shares a pod's lifetime)",
            &[
                ("Registry:", s(q, "registry").into()),
                ("Volume:", s(q, "volume").into()),
                ("ReadOnly:", bool_field(q, "readOnly")),
            ],
        );
    } else if let Some(d) = src("downwardAPI") {
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
    } else if let Some(a) = src("azureDisk") {
        block(
            w,
            "AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)",
            &[
                ("DiskName:", s(a, "diskName").into()),
                ("DiskURI:", s(a, "diskURI").into()),
                ("Kind: ", s(a, "kind").into()),
                ("FSType:", s(a, "fsType").into()),
                ("CachingMode:", s(a, "cachingMode").into()),
                ("ReadOnly:", bool_field(a, "readOnly")),
            ],
        );
    } else if let Some(vs) = src("vsphereVolume") {
        block(
            w,
            "vSphereVolume (a Persistent Disk resource in vSphere)",
            &[
                ("VolumePath:", s(vs, "volumePath").into()),
                ("FSType:", s(vs, "fsType").into()),
                ("StoragePolicyName:", s(vs, "storagePolicyName").into()),
            ],
        );
    } else if let Some(c) = src("cinder") {
        block(
            w,
            "Cinder (a Persistent Disk resource in OpenStack)",
            &[
                ("VolumeID:", s(c, "volumeID").into()),
                ("FSType:", s(c, "fsType").into()),
                ("ReadOnly:", bool_field(c, "readOnly")),
                ("SecretRef:", ref_field(c, "secretRef", secret_ref)),
            ],
        );
    } else if let Some(p) = src("photonPersistentDisk") {
        block(
            w,
            "PhotonPersistentDisk (a Persistent Disk resource in photon platform)",
            &[
                ("PdID:", s(p, "pdID").into()),
                ("FSType:", s(p, "fsType").into()),
            ],
        );
    } else if let Some(p) = src("portworxVolume") {
        block(
            w,
            "PortworxVolume (a Portworx Volume resource)",
            &[("VolumeID:", s(p, "volumeID").into())],
        );
    } else if let Some(x) = src("scaleIO") {
        block(
            w,
            "ScaleIO (a persistent volume backed by a block device in ScaleIO)",
            &{
                let mut fields = vec![
                    ("Gateway:", s(x, "gateway").to_string()),
                    ("System:", s(x, "system").into()),
                    ("Protection Domain:", s(x, "protectionDomain").into()),
                    ("Storage Pool:", s(x, "storagePool").into()),
                    ("Storage Mode:", s(x, "storageMode").into()),
                    ("VolumeName:", s(x, "volumeName").into()),
                ];
                if persistent {
                    fields.push(("SecretName:", s(x, "secretRef.name").into()));
                    fields.push(("SecretNamespace:", s(x, "secretRef.namespace").into()));
                }
                fields.push(("FSType:", s(x, "fsType").into()));
                fields.push(("ReadOnly:", bool_field(x, "readOnly")));
                fields
            },
        );
    } else if let Some(c) = src("cephfs") {
        block(
            w,
            "CephFS (a CephFS mount on the host that shares a pod's lifetime)",
            &[
                ("Monitors:", list_field(c, "monitors")),
                ("Path:", s(c, "path").into()),
                ("User:", s(c, "user").into()),
                ("SecretFile:", s(c, "secretFile").into()),
                ("SecretRef:", ref_field(c, "secretRef", secret_ref)),
                ("ReadOnly:", bool_field(c, "readOnly")),
            ],
        );
    } else if let Some(x) = src("storageos") {
        block(
            w,
            "StorageOS (a StorageOS Persistent Disk resource)",
            &[
                ("VolumeName:", s(x, "volumeName").into()),
                ("VolumeNamespace:", s(x, "volumeNamespace").into()),
                ("FSType:", s(x, "fsType").into()),
                ("ReadOnly:", bool_field(x, "readOnly")),
            ],
        );
    } else if let Some(f) = src("fc") {
        let wwns: Vec<String> = arr(f, "targetWWNs").iter().map(value_string).collect();
        let lun = get(f, "lun").map(value_string).unwrap_or("<none>".into());
        block(
            w,
            "FC (a Fibre Channel disk)",
            &[
                ("TargetWWNs:", wwns.join(", ")),
                ("LUN:", lun),
                ("FSType:", s(f, "fsType").into()),
                ("ReadOnly:", bool_field(f, "readOnly")),
            ],
        );
    } else if let Some(a) = src("azureFile") {
        block(
            w,
            "AzureFile (an Azure File Service mount on the host and bind mount to the pod)",
            &{
                let mut fields = vec![("SecretName:", s(a, "secretName").to_string())];
                if persistent {
                    fields.push(("SecretNamespace:", s(a, "secretNamespace").into()));
                }
                fields.push(("ShareName:", s(a, "shareName").into()));
                fields.push(("ReadOnly:", bool_field(a, "readOnly")));
                fields
            },
        );
    } else if let Some(f) = src("flexVolume") {
        block(
            w,
            "FlexVolume (a generic volume resource that is provisioned/attached using an exec \
             based plugin)",
            &[
                ("Driver:", s(f, "driver").into()),
                ("FSType:", s(f, "fsType").into()),
                ("SecretRef:", ref_field(f, "secretRef", secret_ref)),
                ("ReadOnly:", bool_field(f, "readOnly")),
                ("Options:", map_field(f, "options")),
            ],
        );
    } else if let Some(f) = src("flocker") {
        block(
            w,
            "Flocker (a Flocker volume mounted by the Flocker agent)",
            &[
                ("DatasetName:", s(f, "datasetName").into()),
                ("DatasetUUID:", s(f, "datasetUUID").into()),
            ],
        );
    } else if let Some(p) = src("projected") {
        describe_projected(p, w);
    } else if let Some(c) = src("csi") {
        block(
            w,
            "CSI (a Container Storage Interface (CSI) volume source)",
            &if persistent {
                vec![
                    ("Driver:", s(c, "driver").to_string()),
                    ("FSType:", s(c, "fsType").into()),
                    ("VolumeHandle:", s(c, "volumeHandle").into()),
                    ("ReadOnly:", bool_field(c, "readOnly")),
                ]
            } else {
                vec![
                    ("Driver:", s(c, "driver").to_string()),
                    ("FSType:", s(c, "fsType").into()),
                    ("ReadOnly:", bool_field(c, "readOnly")),
                ]
            },
        );
        print_csi_attributes(w, &string_map(c, "volumeAttributes"));
    } else if let Some(im) = src("image") {
        block(
            w,
            "Image (a container image or OCI artifact)",
            &[
                ("Reference:", s(im, "reference").into()),
                ("PullPolicy:", s(im, "pullPolicy").into()),
            ],
        );
    } else if let Some(l) = src("local").filter(|_| persistent) {
        block(
            w,
            "LocalVolume (a persistent volume backed by local storage on a node)",
            &[("Path:", s(l, "path").into())],
        );
    } else {
        w.write(LEVEL_1, "<unknown>\n");
    }
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
