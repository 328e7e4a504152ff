//! `describe secret` (kubectl's `describeSecret`): sizes only, never values (except a
//! service-account token, which kubectl prints).

use base64::Engine;
use serde_json::Value;

use super::text::{s, string_map};
use super::writer::{PrefixWriter, LEVEL_0};

/// Renders a Secret.
pub fn describe_secret(secret: &Value) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_meta_header(&mut w, secret);
    let ty = s(secret, "type");
    w.write(LEVEL_0, &format!("\nType:\t{ty}\n"));
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in string_map(secret, "data") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v.as_bytes())
            .unwrap_or_default();
        if k == "token" && ty == "kubernetes.io/service-account-token" {
            w.write(
                LEVEL_0,
                &format!("{k}:\t{}\n", String::from_utf8_lossy(&bytes)),
            );
        } else {
            w.write(LEVEL_0, &format!("{k}:\t{} bytes\n", bytes.len()));
        }
    }
    w.finish()
}
