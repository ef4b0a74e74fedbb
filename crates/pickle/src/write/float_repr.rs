//! Python's `repr` of a float, the argument of the protocol 0 `FLOAT` opcode.

/// Formats `x` as Python's `repr(x)` does: the shortest digits that read
/// back to the same float, in fixed notation when the decimal exponent is
/// between -4 and 16 (`0.0001`, `1e+16`, `1.5`, `100.0`), else in
/// exponent notation with at least two exponent digits (`1e-05`).
pub(crate) fn python_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddde<exp>`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if x.is_sign_negative() { "-" } else { "" };
    // Python's "decpt": the value is 0.<digits> * 10^decpt.
    let decpt = exp + 1;
    let body = if (-3..=16).contains(&decpt) {
        fixed(&digits, decpt)
    } else {
        exponent(&digits, exp)
    };
    format!("{sign}{body}")
}

fn fixed(digits: &str, decpt: i32) -> String {
    let n = digits.len() as i32;
    if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{int}.{frac}")
    }
}

fn exponent(digits: &str, exp: i32) -> String {
    let (first, rest) = digits.split_at(1);
    let dot = if rest.is_empty() {
        String::new()
    } else {
        format!(".{rest}")
    };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{first}{dot}e{sign}{:02}", exp.abs())
}

#[cfg(test)]
mod tests {
    use super::python_repr;

    #[test]
    fn matches_python_repr() {
        let cases = [
            (1e100, "1e+100"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (123456.789, "123456.789"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (-2.5e-7, "-2.5e-07"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (x, text) in cases {
            assert_eq!(python_repr(x), text, "{x:e}");
        }
    }
}
