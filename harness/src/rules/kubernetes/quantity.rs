//! Kubernetes resource quantities (`500m`, `2Gi`, `1.5`, `1e3`): parsing and
//! comparison.
//!
//! The grammar is a signed decimal number followed by a binary suffix (`Ki` … `Ei`),
//! a decimal suffix (`n`, `u`, `m`, none, `k`, `M`, `G`, `T`, `P`, `E`) or a decimal
//! exponent (`e3`, `E-2`). Values are kept as `f64`: precise enough to compare limits,
//! which is all the rules need.

use std::fmt;

/// A parsed quantity.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Quantity(f64);

/// Why a string is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid quantity: {reason}")]
pub struct QuantityError {
    pub text: String,
    pub reason: &'static str,
}

impl Quantity {
    /// Parses a quantity as written in a manifest.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let fail = |reason| Err(QuantityError { text: text.to_owned(), reason });
        if text.is_empty() {
            return fail("it is empty");
        }
        if text.trim() != text {
            return fail("it has surrounding spaces");
        }
        let (negative, rest) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let digits_end = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(digits_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return fail("it must start with a number");
        }
        let Ok(mut value) = number.parse::<f64>() else {
            return fail("it must start with a number");
        };
        value *= match suffix {
            "" => 1.0,
            "n" => 1e-9,
            "u" => 1e-6,
            "m" => 1e-3,
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "T" => 1e12,
            "P" => 1e15,
            "E" => 1e18,
            "Ki" => 1024f64,
            "Mi" => 1024f64.powi(2),
            "Gi" => 1024f64.powi(3),
            "Ti" => 1024f64.powi(4),
            "Pi" => 1024f64.powi(5),
            "Ei" => 1024f64.powi(6),
            _ => match suffix.strip_prefix(['e', 'E']) {
                Some(exp) => {
                    let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return fail("an exponent must be a whole number");
                    }
                    match exp.parse::<i32>() {
                        Ok(e) => 10f64.powi(e),
                        Err(_) => return fail("the exponent is too large"),
                    }
                }
                None => return fail("unknown suffix (use m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)"),
            },
        };
        if !value.is_finite() || value > 9.223_372_036_854_776e18 {
            return fail("it is larger than Kubernetes can represent");
        }
        Ok(Quantity(if negative { -value } else { value }))
    }

    /// A quantity written as a YAML number (`cpu: 2`, `cpu: 0.5`).
    pub fn from_number(value: f64) -> Quantity {
        Quantity(value)
    }

    /// The value in base units (cores, bytes).
    pub fn value(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> f64 {
        Quantity::parse(text).unwrap_or_else(|e| panic!("{e}")).value()
    }

    #[test]
    fn suffixes_scale_binary_and_decimal() {
        assert_eq!(q("2Gi"), 2.0 * 1024.0 * 1024.0 * 1024.0);
        assert_eq!(q("128Mi"), 128.0 * 1024.0 * 1024.0);
        assert_eq!(q("1k"), 1000.0);
        assert_eq!(q("1M"), 1e6);
        assert!((q("500m") - 0.5).abs() < 1e-12);
        assert!((q("250u") - 0.000_25).abs() < 1e-15);
        assert_eq!(q("2"), 2.0);
        assert_eq!(q("1.5"), 1.5);
        assert_eq!(q(".5"), 0.5);
        assert_eq!(q("5."), 5.0);
        assert_eq!(q("1e3"), 1000.0);
        assert_eq!(q("1E-3"), 0.001);
        assert_eq!(q("+4"), 4.0);
        assert_eq!(q("-1"), -1.0);
    }

    #[test]
    fn gibibytes_exceed_gigabytes_and_millicores_compare_with_cores() {
        assert!(Quantity::parse("1Gi").unwrap() > Quantity::parse("1G").unwrap());
        assert!(Quantity::parse("2500m").unwrap() > Quantity::parse("2").unwrap());
        assert!(Quantity::parse("64Gi").unwrap() > Quantity::parse("2Gi").unwrap());
    }

    #[test]
    fn malformed_quantities_are_rejected_with_a_reason() {
        for bad in ["", "Gi", "2GB", "2 Gi", "1.2.3", "1e", "1e1.5", "abc", "--1", "2gi", ".", "1ee2", "1e99999"] {
            let e = Quantity::parse(bad).expect_err(bad);
            assert!(!e.reason.is_empty(), "{bad}");
        }
        assert!(Quantity::parse("2GB").unwrap_err().reason.contains("suffix"));
    }
}
