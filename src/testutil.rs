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
