//! The name suffix of generated ConfigMaps and Secrets, shared by kubectl's `--append-hash`
//! (`pkg/util/hash`) and kustomize's hasher (`api/hasher`): both hash a JSON document and
//! encode the digest the same way; what they put in the document differs and stays with them.

/// `encode(hex(sha256(text)))`: the first ten hex digits of the SHA-256 of `text`, with
/// `0 1 3 a e` replaced so the suffix never spells words.
pub fn hash_suffix(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref()[..5]
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .map(|nibble| match nibble {
            0x0 => 'g',
            0x1 => 'h',
            0x3 => 'k',
            0xa => 'm',
            0xe => 't',
            n => char::from_digit(u32::from(n), 16).unwrap_or('?'),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_of_empty_configmap_document() {
        // kubectl's hash_test.go: `{"data":{},"kind":"ConfigMap","name":""}` → 42745tchd9.
        assert_eq!(
            hash_suffix(r#"{"data":{},"kind":"ConfigMap","name":""}"#),
            "42745tchd9"
        );
    }
}
