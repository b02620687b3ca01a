//! Unit conversions and human-readable formatting shared by the CLI and the UI.
//!
//! The engine works in bytes and seconds (f64) throughout; inputs arrive in MiB, MiB/s and
//! Gbit/s as administrators state them.

pub const KIB: f64 = 1024.0;
pub const MIB: f64 = 1024.0 * 1024.0;
pub const GIB: f64 = 1024.0 * MIB;
pub const TIB: f64 = 1024.0 * GIB;

/// Bytes per second carried by a line rate of one Gbit/s.
pub const BYTES_PER_GBIT: f64 = 1e9 / 8.0;

pub fn mib(v: f64) -> f64 {
    v * MIB
}

pub fn gbps_to_bytes_per_s(gbps: f64) -> f64 {
    gbps * BYTES_PER_GBIT
}

/// "4.82 GiB", "172.50 MiB", "0 B". Non-finite input prints as "—" rather than NaN.
pub fn fmt_bytes(bytes: f64) -> String {
    if !bytes.is_finite() {
        return "—".to_string();
    }
    // Binary units, two decimals unless the value is whole (what humansize's BINARY options
    // with decimal_places(2) and decimal_zeroes(0) print).
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut size = bytes.max(0.0).round();
    let mut unit = 0;
    while size >= KIB && unit < UNITS.len() - 1 {
        size /= KIB;
        unit += 1;
    }
    if size >= 1e15 {
        // Beyond any memory: a refused value, printed so that it can be read.
        let (mantissa, exp) = exponent_form(size, 2);
        return format!("{mantissa:.2}e{exp} {}", UNITS[unit]);
    }
    let whole = (size - size.trunc()).abs() <= f64::EPSILON;
    let places = if whole { 0 } else { 2 };
    format!("{size:.places$} {}", UNITS[unit])
}

/// A plain number as Rust writes it at its shortest ("0.3", "16384"), in exponent form when it
/// is very large or very small ("1e308", "2.5e-9"), so that a refused value never prints as
/// hundreds of digits.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && a != 0.0 && !(1e-6..1e15).contains(&a) {
        // By hand rather than with `{:e}`, whose formatting code would weigh on the first load.
        let (mantissa, exp) = exponent_form(v, 12);
        format!("{mantissa}e{exp}")
    } else {
        v.to_string()
    }
}

/// `v` as `m × 10^e` with `m` rounded to `places` decimals and `1 ≤ |m| < 10` (`v` finite
/// and not 0).
fn exponent_form(v: f64, places: i32) -> (f64, i32) {
    let mut exp = v.abs().log10().floor() as i32;
    let scale = 10f64.powi(places);
    // In two steps: 10^exp alone is past a float at both ends (1e-324, 1e308 × 10).
    let half = exp / 2;
    let mut mantissa = (v / 10f64.powi(half) / 10f64.powi(exp - half) * scale).round() / scale;
    // log10 and the division are a hair off near powers of ten.
    if mantissa.abs() >= 10.0 {
        mantissa /= 10.0;
        exp += 1;
    } else if mantissa.abs() < 1.0 {
        mantissa = (mantissa * 10.0 * scale).round() / scale;
        exp -= 1;
    }
    (mantissa, exp)
}

/// MiB as `fmt_bytes` prints them ("300 TiB"), or, where that is more than 10^15 MiB (past
/// any unit, or past a floating-point number of bytes), in MiB as given ("1e308 MiB").
pub fn fmt_mib(mib: f64) -> String {
    if mib.abs() < 1e15 {
        fmt_bytes(mib * MIB)
    } else {
        format!("{} MiB", fmt_num(mib))
    }
}

/// Rate in the unit people tune migration links with: "117.50 MiB/s (0.99 Gbit/s)".
pub fn fmt_rate(bytes_per_s: f64) -> String {
    if !bytes_per_s.is_finite() {
        return "—".to_string();
    }
    format!(
        "{}/s ({:.2} Gbit/s)",
        fmt_bytes(bytes_per_s),
        bytes_per_s / BYTES_PER_GBIT
    )
}

/// Durations from microseconds to hours with a sensible unit: "172 ms", "41.97 s", "3 min 12 s".
pub fn fmt_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "—".to_string();
    }
    let s = seconds.max(0.0);
    // Each unit is chosen by the value as it will be printed, so rounding never shows
    // "1000 ms" or "1 min 60 s".
    if s == 0.0 {
        "0 ms".to_string()
    } else if s < 0.000_999_5 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 0.999_5 {
        format!("{:.0} ms", s * 1e3)
    } else if s < 59.995 {
        format!("{s:.2} s")
    } else if s < 3599.5 {
        let whole = s.round();
        let m = (whole / 60.0).floor();
        format!("{m:.0} min {:.0} s", whole - m * 60.0)
    } else {
        let minutes = (s / 60.0).round();
        let h = (minutes / 60.0).floor();
        format!("{h:.0} h {:.0} min", minutes - h * 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_readable_units() {
        assert_eq!(fmt_duration(0.172), "172 ms");
        assert_eq!(fmt_duration(41.968), "41.97 s");
        assert_eq!(fmt_duration(192.0), "3 min 12 s");
        assert_eq!(fmt_duration(119.7), "2 min 0 s");
        assert_eq!(fmt_duration(59.999), "1 min 0 s");
        assert_eq!(fmt_duration(0.9999), "1.00 s");
        assert_eq!(fmt_duration(7199.9), "2 h 0 min");
        assert_eq!(fmt_duration(3599.7), "1 h 0 min");
        assert_eq!(fmt_duration(7260.0), "2 h 1 min");
        assert_eq!(fmt_duration(0.0000042), "4 µs");
        assert_eq!(fmt_duration(f64::NAN), "—");
    }

    #[test]
    fn bytes_use_binary_units() {
        assert_eq!(fmt_bytes(4096.0 * MIB), "4 GiB");
        assert_eq!(fmt_bytes(4932.0 * MIB), "4.82 GiB");
        assert_eq!(fmt_bytes(-3.0), "0 B");
        assert_eq!(fmt_bytes(f64::INFINITY), "—");
        assert_eq!(fmt_bytes(0.0), "0 B");
        assert_eq!(fmt_bytes(1023.0), "1023 B");
        assert_eq!(fmt_bytes(1536.0), "1.50 KiB");
        assert_eq!(fmt_bytes(5e9), "4.66 GiB");
        assert_eq!(fmt_bytes(1e19), "8.67 EiB");
        // Past a 64-bit count (where it used to stop at 16 EiB) and past any unit.
        assert_eq!(fmt_bytes(1e20), "86.74 EiB");
        assert_eq!(fmt_bytes(1e300), "8.67e281 EiB");
    }

    #[test]
    fn refused_values_read_compactly() {
        assert_eq!(fmt_num(1e308), "1e308");
        assert_eq!(fmt_num(-2.5e-9), "-2.5e-9");
        assert_eq!(fmt_num(16384.0), "16384");
        assert_eq!(fmt_num(0.3), "0.3");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(9.9999999999999e20), "1e21");
        assert_eq!(fmt_num(1e-7), "1e-7");
        for v in [
            f64::MAX,
            -f64::MAX,
            5e-324,
            1.234e-300,
            3.3e20,
            1e15,
            2.2250738585072014e-308,
        ] {
            let back: f64 = fmt_num(v).parse().unwrap();
            assert!((back - v).abs() <= v.abs() * 1e-11, "{v}: {}", fmt_num(v));
        }
        assert_eq!(fmt_mib(1e308), "1e308 MiB");
        assert_eq!(fmt_mib(300.0 * 1024.0 * 1024.0), "300 TiB");
        assert!(fmt_mib(1e14).ends_with("EiB"));
    }

    #[test]
    fn rates_show_both_units() {
        assert_eq!(fmt_rate(125e6), "119.21 MiB/s (1.00 Gbit/s)");
    }
}
