//! Random names as the API server and kubectl make them: apimachinery's `utilrand.String`
//! (the `generateName` suffix, `kubectl debug`'s container and pod names, `kubectl create`'s
//! sanitized key names) and hex identifiers (container IDs, machine IDs).
//!
//! The one source of randomness both sides share, so that the alphabet is written once.

use rand::Rng;

/// utilrand's alphabet: no vowels (no words), no confusable digits (0, 1, 3).
pub const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `utilrand.String(n)`: `n` characters of [`ALPHANUMS`].
pub fn random_suffix(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| ALPHANUMS[rng.gen_range(0..ALPHANUMS.len())] as char)
        .collect()
}

/// `n` random lowercase hex digits.
pub fn random_hex(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| format!("{:x}", rng.gen_range(0..16u8)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_suffixes_use_utilrands_alphabet() {
        let s = random_suffix(5);
        assert_eq!(s.len(), 5);
        assert!(s.bytes().all(|b| ALPHANUMS.contains(&b)));
    }

    #[test]
    fn random_hex_is_lowercase_hex() {
        let s = random_hex(64);
        assert_eq!(s.len(), 64);
        assert!(s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
}
