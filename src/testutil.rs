//! Helpers the unit tests of several modules share.

/// `["a", "b"]` as owned strings (an argv, a list of specs).
pub(crate) fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// The discovery of the recorded reference cluster (`tests/fixtures/reference/`, aggregated
/// form).
pub(crate) fn reference_discovery() -> crate::discovery::model::DiscoveryData {
    let mut d = crate::discovery::model::DiscoveryData::default();
    for f in [
        "discovery-api-aggregated.json",
        "discovery-apis-aggregated.json",
    ] {
        let p = format!(
            "{}/tests/fixtures/reference/{f}",
            env!("CARGO_MANIFEST_DIR")
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        crate::discovery::model::parse_aggregated(&v, &mut d).unwrap();
    }
    d
}

/// A temporary directory holding one file, `name`, with `text` (the file lives as long as the
/// directory).
pub(crate) fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// [`temp_file`] made executable: a plugin or a stand-in for a tool.
#[cfg(unix)]
pub(crate) fn temp_script(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = temp_file(name, text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, path)
}

/// A temporary kubeconfig with `text` and the environment that reads it (`KUBECONFIG`, and
/// `HOME` in its directory), plus `extra` variables.
pub(crate) fn kubeconfig_env(
    text: &str,
    extra: &[(&str, &str)],
) -> (tempfile::TempDir, crate::context::Env) {
    let (dir, kc) = temp_file("kc", text);
    let mut vars = vec![
        ("KUBECONFIG", kc.to_str().unwrap()),
        ("HOME", dir.path().to_str().unwrap()),
    ];
    vars.extend_from_slice(extra);
    let env = crate::context::Env::from_pairs(vars);
    (dir, env)
}
