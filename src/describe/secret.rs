//! `describe secret` (kubectl's `describeSecret`): sizes only, never values (except a
//! service-account token, which kubectl prints).

use base64::Engine;
use serde_json::Value;

use super::text::{print_annotations_multiline, print_labels_multiline, s, string_map};
use super::writer::{PrefixWriter, LEVEL_0};

/// Renders a Secret.
pub fn describe_secret(secret: &Value) -> String {
    let mut w = PrefixWriter::new();
    super::text::print_name_namespace(&mut w, secret);
    print_labels_multiline(&mut w, "Labels", &string_map(secret, "metadata.labels"));
    print_annotations_multiline(
        &mut w,
        "Annotations",
        &string_map(secret, "metadata.annotations"),
    );
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
