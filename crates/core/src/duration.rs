//! Durations as kubectl prints them.
//!
//! One `human_duration` (apimachinery's `duration.HumanDuration`, the AGE format) replaced three
//! identical copies in print, describe and the sandbox's server-side tables.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_duration_matches_apimachinery() {
        let s = chrono::TimeDelta::seconds;
        for (d, want) in [
            (s(-2), "<invalid>"),
            (chrono::TimeDelta::milliseconds(-1500), "0s"),
            (s(0), "0s"),
            (s(119), "119s"),
            (s(125), "2m5s"),
            (s(600), "10m"),
            (s(3 * 3600 + 300), "3h5m"),
            (s(25 * 3600), "25h"),
            (s(51 * 3600), "2d3h"),
            (s(400 * 86400), "400d"),
            (s(2 * 365 * 86400 + 15 * 86400), "2y15d"),
            (s(9 * 365 * 86400), "9y"),
        ] {
            assert_eq!(human_duration(d), want, "{d}");
        }
    }
}
