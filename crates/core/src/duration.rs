//! Durations as kubectl prints them.
//!
//! One `human_duration` (apimachinery's `duration.HumanDuration`, the AGE format) replaced three
//! identical copies in print, describe and the sandbox's server-side tables.
//! `parse_go_duration_nanos` (Go's `time.ParseDuration`) is the one parser of Go durations.

/// apimachinery `duration.HumanDuration`: `36s`, `5m5s`, `10m`, `3h5m`, `25h`, `2d3h`, `400d`,
/// `2y15d`, `9y`; `0s` within a second of the future, `<invalid>` beyond that.
pub fn human_duration(d: chrono::TimeDelta) -> String {
    // Go converts through float seconds and truncates toward zero.
    let seconds = d.num_seconds();
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return two_units(minutes, "m", seconds % 60, "s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return two_units(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return two_units(hours / 24, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return two_units(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    format!("{}y", hours / 24 / 365)
}

/// `5m5s`, or `5m` when the smaller unit is 0.
fn two_units(big: i64, big_unit: &str, small: i64, small_unit: &str) -> String {
    if small == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{small}{small_unit}")
    }
}

/// Go's `time.ParseDuration` (`1h30m`, `-1.5s`, `300ms`, `0`) in nanoseconds; None for what Go
/// refuses (no unit, an unknown unit, a lone `.`) and for totals beyond an `i64`.
pub fn parse_go_duration_nanos(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num: f64 = rest[..n_end].parse().ok()?;
        rest = &rest[n_end..];
        let u_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[u_end..];
        total += num * unit;
    }
    if total > i64::MAX as f64 {
        return None;
    }
    Some(if neg { -(total as i64) } else { total as i64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_go_duration_nanos_as_go() {
        let p = parse_go_duration_nanos;
        assert_eq!(p("0"), Some(0));
        assert_eq!(p("-0"), Some(0));
        assert_eq!(p("1h30m"), Some(5_400_000_000_000));
        assert_eq!(p("+1.5s"), Some(1_500_000_000));
        assert_eq!(p("-300ms"), Some(-300_000_000));
        assert_eq!(p("1us2µs3μs4ns"), Some(6_004));
        assert_eq!(p(".5m"), Some(30_000_000_000));
        for bad in ["", "-", "10", "1x", ".s", "1h-2m", "3000000h"] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }

    /// Every branch and boundary of `HumanDuration` (the AGE of the CLI's printers, describe
    /// and the sandbox's server-side tables).
    #[test]
    fn human_duration_matches_apimachinery() {
        let s = chrono::TimeDelta::seconds;
        let ms = chrono::TimeDelta::milliseconds;
        for (d, want) in [
            (s(-5), "<invalid>"),
            (s(-2), "<invalid>"),
            (ms(-1999), "0s"),
            (ms(-1500), "0s"),
            (s(-1), "0s"),
            (s(0), "0s"),
            (ms(36_999), "36s"),
            (s(59), "59s"),
            (s(60), "60s"),
            (s(119), "119s"),
            (ms(119_999), "119s"),
            (s(120), "2m"),
            (s(125), "2m5s"),
            (s(305), "5m5s"),
            (s(599), "9m59s"),
            (s(600), "10m"),
            (s(179 * 60 + 59), "179m"),
            (s(3 * 3600), "3h"),
            (s(3 * 3600 + 300), "3h5m"),
            (s(3 * 3600 + 5 * 60 + 7), "3h5m"),
            (s(8 * 3600), "8h"),
            (s(25 * 3600), "25h"),
            (s(25 * 3600 + 59 * 60), "25h"),
            (s(48 * 3600), "2d"),
            (s(51 * 3600), "2d3h"),
            (s(7 * 86400), "7d"),
            (s(8 * 86400), "8d"),
            (s(400 * 86400), "400d"),
            (s(729 * 86400), "729d"),
            (s(730 * 86400), "2y"),
            (s(2 * 365 * 86400 + 15 * 86400), "2y15d"),
            (s(3 * 365 * 86400), "3y"),
            (s(8 * 365 * 86400), "8y"),
            (s(9 * 365 * 86400), "9y"),
            (s(9 * 365 * 86400 + 100 * 86400), "9y"),
            (s(10 * 365 * 86400), "10y"),
        ] {
            assert_eq!(human_duration(d), want, "{d}");
        }
    }
}
