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
    use chrono::TimeDelta;

    fn s(secs: i64) -> String {
        human_duration(TimeDelta::seconds(secs))
    }

    #[test]
    fn every_branch_of_human_duration() {
        assert_eq!(s(-5), "<invalid>");
        assert_eq!(s(-2), "<invalid>");
        assert_eq!(human_duration(TimeDelta::milliseconds(-1999)), "0s");
        for (input, want) in [
            (-1, "0s"),
            (0, "0s"),
            (36, "36s"),
            (119, "119s"),
            (120, "2m"),
            (305, "5m5s"),
            (599, "9m59s"),
            (600, "10m"),
            (179 * 60 + 59, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 5 * 60 + 7, "3h5m"),
            (8 * 3600, "8h"),
            (25 * 3600 + 59 * 60, "25h"),
            (48 * 3600, "2d"),
            (51 * 3600, "2d3h"),
            (8 * 24 * 3600, "8d"),
            (400 * 24 * 3600, "400d"),
            (729 * 24 * 3600, "729d"),
            (730 * 24 * 3600, "2y"),
            (745 * 24 * 3600, "2y15d"),
            (8 * 365 * 24 * 3600, "8y"),
            (9 * 365 * 24 * 3600 + 100 * 24 * 3600, "9y"),
        ] {
            assert_eq!(s(input), want, "{input:?}");
        }
    }

    #[test]
    fn sub_second_parts_truncate() {
        assert_eq!(human_duration(TimeDelta::milliseconds(36_999)), "36s");
    }

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
