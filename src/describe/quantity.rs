//! Kubernetes resource quantities (`100m`, `64Mi`, `1.5`, `1e3`) for the sums and percentages of
//! `describe node`: parse, add, compare, and print in apimachinery's canonical form.

/// How a quantity is printed (apimachinery's `Format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `Ki`, `Mi`, ... suffixes.
    BinarySI,
    /// `m`, `k`, `M`, ... suffixes.
    DecimalSI,
    /// `e3`-style exponents.
    DecimalExponent,
}

/// A quantity held exactly in units of 10^-9 (apimachinery keeps nano precision for the
/// values kubectl prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    nanos: i128,
    /// The printing format, taken from the parsed suffix.
    pub format: Format,
}

const NANO: i128 = 1_000_000_000;

impl Default for Quantity {
    fn default() -> Self {
        Quantity {
            nanos: 0,
            format: Format::DecimalSI,
        }
    }
}

impl Quantity {
    /// Parses a quantity string; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (sign, rest) = match text.as_bytes().first()? {
            b'-' => (-1i128, &text[1..]),
            b'+' => (1, &text[1..]),
            _ => (1, text),
        };
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(num_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        let (format, base2, exp10): (Format, u32, i32) = match suffix {
            "" => (Format::DecimalSI, 0, 0),
            "Ki" => (Format::BinarySI, 10, 0),
            "Mi" => (Format::BinarySI, 20, 0),
            "Gi" => (Format::BinarySI, 30, 0),
            "Ti" => (Format::BinarySI, 40, 0),
            "Pi" => (Format::BinarySI, 50, 0),
            "Ei" => (Format::BinarySI, 60, 0),
            "n" => (Format::DecimalSI, 0, -9),
            "u" => (Format::DecimalSI, 0, -6),
            "m" => (Format::DecimalSI, 0, -3),
            "k" => (Format::DecimalSI, 0, 3),
            "M" => (Format::DecimalSI, 0, 6),
            "G" => (Format::DecimalSI, 0, 9),
            "T" => (Format::DecimalSI, 0, 12),
            "P" => (Format::DecimalSI, 0, 15),
            "E" => (Format::DecimalSI, 0, 18),
            s if s.starts_with(['e', 'E']) => {
                (Format::DecimalExponent, 0, s[1..].parse::<i32>().ok()?)
            }
            _ => return None,
        };
        // mantissa * 10^(exp10 - frac_len) * 2^base2, in nanos.
        let digits = format!("{int_part}{frac_part}");
        let mantissa: i128 = digits.trim_start_matches('0').parse().unwrap_or(0);
        let mut scale = exp10 - frac_part.len() as i32 + 9;
        let mut value = mantissa.checked_mul(1i128 << base2)?;
        while scale > 0 {
            value = value.checked_mul(10)?;
            scale -= 1;
        }
        if scale < -40 {
            // Far below nano precision: rounds up to the smallest unit (or stays zero).
            value = i128::from(value != 0);
            scale = 0;
        }
        while scale < 0 {
            // apimachinery rounds up below its precision.
            let rem = value % 10;
            value /= 10;
            if rem != 0 {
                value += 1;
            }
            scale += 1;
        }
        Some(Quantity {
            nanos: sign * value,
            format,
        })
    }

    /// An integer quantity in the given format (apimachinery's `NewQuantity`).
    pub fn from_integer(value: i128, format: Format) -> Quantity {
        Quantity {
            nanos: value.saturating_mul(NANO),
            format,
        }
    }

    /// Adds `other` (apimachinery's `Add`: a zero quantity takes the other's format).
    pub fn add(&mut self, other: &Quantity) {
        if self.nanos == 0 {
            self.format = other.format;
        }
        self.nanos += other.nanos;
    }

    /// The larger of the two (by value).
    pub fn max(self, other: Quantity) -> Quantity {
        if other.nanos > self.nanos {
            other
        } else {
            self
        }
    }

    /// `Value()`: rounded up to an integer.
    pub fn value(&self) -> i128 {
        ceil_div(self.nanos, NANO)
    }

    /// `MilliValue()`: rounded up to thousandths.
    pub fn milli_value(&self) -> i128 {
        ceil_div(self.nanos, NANO / 1000)
    }

    /// Compares values regardless of format (`1` equals `1000m`), as apimachinery's `Cmp`.
    pub fn value_eq(&self, other: &Quantity) -> bool {
        self.nanos == other.nanos
    }

    /// Orders values regardless of format.
    pub fn cmp_value(&self, other: &Quantity) -> std::cmp::Ordering {
        self.nanos.cmp(&other.nanos)
    }

    /// True when the quantity is zero.
    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// True when the quantity is positive.
    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && a > 0 {
        q + 1
    } else {
        q
    }
}

impl std::fmt::Display for Quantity {
    /// apimachinery's canonical form (`CanonicalizeBytes`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let (sign, abs) = if self.nanos < 0 {
            ("-", -self.nanos)
        } else {
            ("", self.nanos)
        };
        if self.format == Format::BinarySI && abs % NANO == 0 && abs >= 1024 * NANO {
            let mut n = abs / NANO;
            let mut exp = 0;
            while n % 1024 == 0 && exp < 6 {
                n /= 1024;
                exp += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exp];
            return write!(f, "{sign}{n}{suffix}");
        }
        // Decimal: the largest exponent (multiple of 3) that keeps the mantissa an integer.
        let mut n = abs;
        let mut exp: i32 = -9;
        while n % 1000 == 0 && exp < 18 {
            n /= 1000;
            exp += 3;
        }
        if self.format == Format::DecimalExponent {
            return if exp == 0 {
                write!(f, "{sign}{n}")
            } else {
                write!(f, "{sign}{n}e{exp}")
            };
        }
        let suffix = match exp {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            _ => "E",
        };
        write!(f, "{sign}{n}{suffix}")
    }
}

/// kubectl v1.36's `populateResourceListV1` (`set resources`, `create quota`): `name=quantity,…`, each quantity in its canonical form
/// (as the typed object is encoded).
pub fn parse_resource_list(
    spec: &str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, String> {
    if spec.is_empty() {
        return Ok(None);
    }
    let mut out = serde_json::Map::new();
    for statement in spec.split(',') {
        let parts: Vec<&str> = statement.split('=').collect();
        if parts.len() != 2 {
            return Err(format!(
                "Invalid argument syntax {statement}, expected <resource>=<value>"
            ));
        }
        let q = Quantity::parse(parts[1]).ok_or_else(|| {
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".to_string()
        })?;
        out.insert(
            parts[0].to_string(),
            serde_json::Value::String(q.to_string()),
        );
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).unwrap().to_string()
    }

    #[test]
    fn canonical_forms() {
        for (input, want) in [
            ("100m", "100m"),
            ("1000m", "1"),
            ("0.5", "500m"),
            ("64Mi", "64Mi"),
            ("1024Mi", "1Gi"),
            ("1536", "1536"),
            ("32863360Ki", "32863360Ki"),
            ("512", "512"),
            ("1000", "1k"),
            ("8", "8"),
            ("0", "0"),
            ("1e3", "1e3"),
        ] {
            assert_eq!(canon(input), want, "{input:?}");
        }
        assert!(Quantity::parse("abc").is_none());
        assert!(Quantity::parse("1Qi").is_none());
        assert!(Quantity::parse("1e99999").is_none());
        assert_eq!(canon("1e-999999999"), "1e-9");
    }

    #[test]
    fn add_and_values() {
        let mut q = Quantity::default();
        q.add(&Quantity::parse("64Mi").unwrap());
        q.add(&Quantity::parse("64Mi").unwrap());
        assert_eq!(q.to_string(), "128Mi");
        assert_eq!(q.value(), 128 * 1024 * 1024);
        let cpu = Quantity::parse("250m").unwrap();
        assert_eq!(cpu.milli_value(), 250);
        assert_eq!(cpu.value(), 1);
        assert!(Quantity::parse("1")
            .unwrap()
            .value_eq(&Quantity::parse("1000m").unwrap()));
    }
}
