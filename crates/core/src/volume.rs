//! What the CLI's `describe` and the sandbox's server-side tables both print of
//! PersistentVolumes and their claims.

use serde_json::Value;

/// `storageutil.GetAccessModesAsString`: the modes present among `modes`, abbreviated, in the
/// fixed order `RWO,ROX,RWX,RWOP`, each once.
pub fn access_modes_string(modes: &[Value]) -> String {
    let has = |m: &str| modes.iter().any(|v| v.as_str() == Some(m));
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(m, _)| has(m))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn access_modes_in_fixed_order_once() {
        let modes = [
            json!("ReadWriteOncePod"),
            json!("ReadWriteOnce"),
            json!("ReadWriteOnce"),
            json!("Bogus"),
            json!("ReadOnlyMany"),
        ];
        assert_eq!(access_modes_string(&modes), "RWO,ROX,RWOP");
        assert_eq!(access_modes_string(&[]), "");
    }
}
