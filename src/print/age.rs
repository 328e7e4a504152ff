//! Ages as kubectl prints them: apimachinery `duration.HumanDuration` and the printers'
//! `translateTimestampSince` (`<unknown>` for a missing timestamp). "Now" is always passed in.

use chrono::{DateTime, Utc};

pub use kcore::duration::human_duration;

/// `translateTimestampSince`: the age of an RFC 3339 timestamp at `now`, `<unknown>` when the
/// timestamp is missing, empty or unparseable (Go's zero time).
pub fn translate_timestamp_since(timestamp: Option<&str>, now: DateTime<Utc>) -> String {
    match timestamp.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
        Some(t) => human_duration(now.signed_duration_since(t.with_timezone(&Utc))),
        None => "<unknown>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T19:55:43Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            translate_timestamp_since(Some("2026-11-27T19:55:28Z"), now),
            "15s"
        );
        assert_eq!(
            translate_timestamp_since(Some("2026-11-27T19:50:38Z"), now),
            "5m5s"
        );
        assert_eq!(translate_timestamp_since(None, now), "<unknown>");
        assert_eq!(translate_timestamp_since(Some(""), now), "<unknown>");
        assert_eq!(translate_timestamp_since(Some("garbage"), now), "<unknown>");
    }
}
