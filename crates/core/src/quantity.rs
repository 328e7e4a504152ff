//! Resource quantities (`100m`, `1.5Gi`, `2e3`) as approximate numbers, for comparing and
//! sorting. It replaced two copies (print's `--sort-by` and the sandbox's defaulting, which
//! compares requests with limits); they agreed on every input. Exact quantities with
//! apimachinery's canonical printing are `describe::quantity` (CLI) and the sandbox
//! validator's `Quantity`, which still differ in what they keep and are left for a later
//! unification.

/// The value of a Kubernetes quantity (`100m`, `1.5Gi`, `2e3`), if `s` is one.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let num_len = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (num, suffix) = body.split_at(num_len);
    if num.is_empty() || num.matches('.').count() > 1 || !num.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut value: f64 = num.parse().ok()?;
    if s.starts_with('-') {
        value = -value;
    }
    let scale = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        exp => {
            let e = exp.strip_prefix(['e', 'E'])?;
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            10f64.powi(e.parse().ok()?)
        }
    };
    Some(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_suffixes_exponents_and_signs() {
        assert_eq!(parse_quantity("100m"), Some(0.1));
        assert_eq!(parse_quantity("1Ki"), Some(1024.0));
        assert_eq!(parse_quantity("2e3"), Some(2000.0));
        assert_eq!(parse_quantity("-1.5"), Some(-1.5));
        assert_eq!(parse_quantity("+2Gi"), Some(2.0 * 1024f64.powi(3)));
        for bad in ["abc", "1x", ".", "", "1-2", "--5", "1e", "1e+"] {
            assert_eq!(parse_quantity(bad), None, "{bad}");
        }
    }
}
