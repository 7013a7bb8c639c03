//! pprof's number and unit formatting (`internal/measurement`).
//!
//! Values stay raw `i64`s in the analysis layer; this module turns them into
//! the strings `go tool pprof` prints: `15206.23kB`, `1.50s`, `1207.94ms`,
//! `44.22%`, `0.0092%`. Units are grouped in tables (memory, time, GCU) and
//! converted through a base unit, as pprof does, so a `kilobytes` sample
//! type formats the same way as `bytes`.
//!
//! Every function here mirrors one of pprof's, including its quirks (a unit
//! name longer than two bytes loses one trailing `s` before lookup, so
//! `minutes` is not a time unit and formats as a plain number).

use std::borrow::Cow;

struct Unit {
    canonical: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

struct UnitType {
    default: (&'static str, f64),
    units: &'static [Unit],
}

const fn u(canonical: &'static str, aliases: &'static [&'static str], factor: f64) -> Unit {
    Unit {
        canonical,
        aliases,
        factor,
    }
}

static UNIT_TYPES: &[UnitType] = &[
    UnitType {
        default: ("B", 1.0),
        units: &[
            u("B", &["b", "byte"], 1.0),
            u("kB", &["kb", "kbyte", "kilobyte"], (1u64 << 10) as f64),
            u("MB", &["mb", "mbyte", "megabyte"], (1u64 << 20) as f64),
            u("GB", &["gb", "gbyte", "gigabyte"], (1u64 << 30) as f64),
            u("TB", &["tb", "tbyte", "terabyte"], (1u64 << 40) as f64),
            u("PB", &["pb", "pbyte", "petabyte"], (1u64 << 50) as f64),
        ],
    },
    UnitType {
        default: ("s", 1e9),
        units: &[
            u("ns", &["ns", "nanosecond"], 1.0),
            u("us", &["\u{3bc}s", "us", "microsecond"], 1e3),
            u("ms", &["ms", "millisecond"], 1e6),
            u("s", &["s", "sec", "second"], 1e9),
            u("hrs", &["hour", "hr"], 3600e9),
        ],
    },
    UnitType {
        default: ("GCU", 1.0),
        units: &[
            u("n*GCU", &["nanogcu"], 1e-9),
            u("u*GCU", &["microgcu"], 1e-6),
            u("m*GCU", &["milligcu"], 1e-3),
            u("GCU", &["gcu"], 1.0),
            u("k*GCU", &["kilogcu"], 1e3),
            u("M*GCU", &["megagcu"], 1e6),
            u("G*GCU", &["gigagcu"], 1e9),
            u("T*GCU", &["teragcu"], 1e12),
            u("P*GCU", &["petagcu"], 1e15),
        ],
    },
];

impl UnitType {
    /// pprof's `sniffUnit`: lower-case, drop one trailing `s` from names
    /// longer than two bytes, then look the alias up.
    fn sniff(&self, unit: &str) -> Option<&Unit> {
        let lower = unit.to_lowercase();
        let name = if lower.len() > 2 {
            lower.strip_suffix('s').unwrap_or(&lower)
        } else {
            &lower
        };
        self.units.iter().find(|u| u.aliases.contains(&name))
    }

    fn auto_scale(&self, value: f64) -> Option<(f64, &'static str)> {
        let mut f = 0.0;
        let mut unit = "";
        for u in self.units {
            if u.factor >= f && value / u.factor >= 1.0 {
                f = u.factor;
                unit = u.canonical;
            }
        }
        (f != 0.0).then(|| (value / f, unit))
    }

    fn convert(&self, value: i64, from: &str, to: &str) -> Option<(f64, &'static str)> {
        let from = self.sniff(from)?;
        let v = value as f64 * from.factor;
        if to == "minimum" || to == "auto" {
            return Some(
                self.auto_scale(v)
                    .unwrap_or((v / self.default.1, self.default.0)),
            );
        }
        Some(match self.sniff(to) {
            Some(to) => (v / to.factor, to.canonical),
            None => (v / self.default.1, self.default.0),
        })
    }
}

/// Converts `value` from `from_unit` to `to_unit` (`"minimum"` or `"auto"`
/// pick a readable unit). Returns the scaled value and the unit to print,
/// which is empty for plain counts.
pub fn scale<'a>(value: i64, from_unit: &str, to_unit: &'a str) -> (f64, Cow<'a, str>) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, from_unit, to_unit);
        return (-v, u);
    }
    for ut in UNIT_TYPES {
        if let Some((v, u)) = ut.convert(value, from_unit, to_unit) {
            return (v, Cow::Borrowed(u));
        }
    }
    match to_unit {
        "count" | "sample" | "unit" | "minimum" | "auto" => (value as f64, Cow::Borrowed("")),
        _ => (value as f64, Cow::Borrowed(to_unit)),
    }
}

/// A value with its unit chosen automatically (pprof's `measurement.Label`).
pub fn label(value: i64, unit: &str) -> String {
    scaled_label(value, unit, "auto")
}

/// pprof's `ScaledLabel`: two decimals, `.00` dropped, zero as `0`.
pub fn scaled_label(value: i64, from_unit: &str, to_unit: &str) -> String {
    let (v, u) = scale(value, from_unit, to_unit);
    let s = format!("{v:.2}");
    let s = s.strip_suffix(".00").unwrap_or(&s);
    if s == "0" || s == "-0" {
        return "0".to_string();
    }
    format!("{s}{u}")
}

/// Reads back a value as pprof prints it (`15206.23kB`, `1.35s`, `-4MB`,
/// `1267`): the value in the base unit of its table and that unit's
/// profile name (`bytes`, `nanoseconds`); a plain number is a `count`.
/// Only the canonical names pprof prints are accepted, so a word that
/// merely ends in a digit-free suffix is not a value.
pub fn parse_label(text: &str) -> Option<(f64, &'static str)> {
    let digits = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
        .map_or(text.len(), |(i, _)| i);
    let (num, unit) = text.split_at(digits);
    if !num.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let v = parse_decimal(num)?;
    if unit.is_empty() {
        return Some((v, "count"));
    }
    const BASES: [&str; 3] = ["bytes", "nanoseconds", "GCU"];
    UNIT_TYPES.iter().zip(BASES).find_map(|(ut, base)| {
        ut.units
            .iter()
            .find(|u| u.canonical == unit)
            .map(|u| (v * u.factor, base))
    })
}

/// A decimal as pprof prints one (`-12`, `15206.23`): optional minus,
/// digits, optional fraction. By hand: the standard float parser would be
/// the only one in either wasm binary, some 25 KB each.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut mantissa: u64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    let v = mantissa as f64 / 10f64.powi(i32::try_from(frac.len()).ok()?);
    Some(if neg { -v } else { v })
}

/// pprof's `Percentage`: `  100%` near 100, `%5.2f%%` from 1, and Go's
/// `%5.2g%%` below (`  0.8%`, `0.0092%`, `    0%`).
pub fn percentage(value: i64, total: i64) -> String {
    let ratio = if total != 0 {
        (value as f64 / total as f64).abs() * 100.0
    } else {
        0.0
    };
    if (99.95..=100.05).contains(&ratio) {
        "  100%".to_string()
    } else if ratio >= 1.0 {
        format!("{ratio:5.2}%")
    } else {
        format!("{:>5}%", go_format_g(ratio, 2))
    }
}

/// Go's `strconv.FormatFloat(x, 'g', prec, 64)` for finite `x`: `prec`
/// significant digits, trailing zeros dropped, exponent form when the
/// exponent is below -4 or at least the precision.
pub fn go_format_g(x: f64, prec: usize) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    let prec = prec.max(1);
    // Rust's `{:e}` rounds exactly (ties to even, like Go's decimal conversion).
    let e = format!("{:.*e}", prec - 1, x.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let nd = digits.len() as i32;
    let dp = exp + 1; // decimal point position relative to the digits
    let mut eprec = prec as i32;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let sign = if x < 0.0 { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let (es, ea) = if exp < 0 { ('-', -exp) } else { ('+', exp) };
        return format!("{sign}{m}e{es}{ea:02}");
    }
    let s = if dp <= 0 {
        format!("0.{}{}", "0".repeat((-dp) as usize), digits)
    } else if dp >= nd {
        format!("{}{}", digits, "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{s}")
}

/// pprof's `selectOutputUnit` for `-unit=minimum` (the default): the unit
/// of the smallest non-zero node value, unless that is 100 times smaller
/// than the total and a larger unit keeps it readable (at least `0.01`).
///
/// `values` yields each shown node's `(flat, cum)`.
pub fn select_output_unit(
    values: impl IntoIterator<Item = (i64, i64)>,
    total: i64,
    sample_unit: &str,
) -> String {
    let mut min_value: i64 = 0;
    let mut any = false;
    for (flat, cum) in values {
        any = true;
        let mut node_min = flat.wrapping_abs();
        if node_min == 0 {
            node_min = cum.wrapping_abs();
        }
        if node_min > 0 && (min_value == 0 || node_min < min_value) {
            min_value = node_min;
        }
    }
    if !any {
        return "minimum".to_string();
    }
    let max_value = total;
    if min_value == 0 {
        min_value = max_value;
    }
    let (_, min_unit) = scale(min_value, sample_unit, "minimum");
    let (_, max_unit) = scale(max_value, sample_unit, "minimum");
    let mut unit = min_unit.into_owned();
    if unit != max_unit && min_value.saturating_mul(100) < max_value {
        unit = scale(min_value.saturating_mul(100), sample_unit, "minimum")
            .1
            .into_owned();
    }
    if unit.is_empty() {
        sample_unit.to_string()
    } else {
        unit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_labels_from_oracles() {
        assert_eq!(scaled_label(15_571_181, "bytes", "kB"), "15206.23kB");
        assert_eq!(scaled_label(1_500_000_000, "nanoseconds", "s"), "1.50s");
        assert_eq!(scaled_label(480_000_000, "nanoseconds", "s"), "0.48s");
        assert_eq!(
            scaled_label(1_207_940_000, "nanoseconds", "ms"),
            "1207.94ms"
        );
        assert_eq!(scaled_label(4_278_190, "bytes", "MB"), "4.08MB");
        assert_eq!(scaled_label(20_000, "bytes", "MB"), "0.02MB");
        assert_eq!(scaled_label(248_000_000, "nanoseconds", "ms"), "248ms");
        assert_eq!(label(3_140_000_000, "nanoseconds"), "3.14s");
        assert_eq!(scaled_label(0, "bytes", "MB"), "0");
        assert_eq!(scaled_label(1_000, "bytes", "MB"), "0");
        assert_eq!(scaled_label(-1_000, "bytes", "MB"), "0");
        assert_eq!(scaled_label(1267, "count", "count"), "1267");
        assert_eq!(scaled_label(4 << 20, "bytes", "MB"), "4MB");
    }

    #[test]
    fn printed_labels_read_back() {
        assert_eq!(
            parse_label("15206.23kB"),
            Some((15206.23 * 1024.0, "bytes"))
        );
        assert_eq!(parse_label("1.35s"), Some((1.35e9, "nanoseconds")));
        assert_eq!(parse_label("248ms"), Some((248e6, "nanoseconds")));
        assert_eq!(parse_label("-4MB"), Some((-4.0 * 1048576.0, "bytes")));
        assert_eq!(parse_label("1267"), Some((1267.0, "count")));
        assert_eq!(parse_label("0"), Some((0.0, "count")));
        assert_eq!(parse_label("2hrs"), Some((7200e9, "nanoseconds")));
        for bad in [
            "", "-", ".", "kB", "12kb", "12 kB", "1.2.3", "flat", "44.22%",
        ] {
            assert_eq!(parse_label(bad), None, "{bad}");
        }
    }

    #[test]
    fn auto_units() {
        assert_eq!(label(999, "nanoseconds"), "999ns");
        assert_eq!(label(1500, "nanoseconds"), "1.50us");
        assert_eq!(label(90_000_000_000, "nanoseconds"), "90s");
        assert_eq!(label(7_200_000_000_000, "nanoseconds"), "2hrs");
        assert_eq!(label(2048, "bytes"), "2kB");
        assert_eq!(label(3 << 30, "bytes"), "3GB");
        assert_eq!(label(5 << 40, "bytes"), "5TB");
        assert_eq!(label(3, "kilobytes"), "3kB");
        assert_eq!(label(-1500, "nanoseconds"), "-1.50us");
        // Not a unit pprof knows: printed as is.
        assert_eq!(label(5, "minutes"), "5");
        assert_eq!(scaled_label(5, "minutes", "minutes"), "5minutes");
        assert_eq!(label(5, "count"), "5");
    }

    #[test]
    fn percentages() {
        assert_eq!(percentage(4422, 10000), "44.22%");
        assert_eq!(percentage(1, 1), "  100%");
        assert_eq!(percentage(8, 1000), "  0.8%");
        assert_eq!(percentage(34, 10000), " 0.34%");
        assert_eq!(percentage(110_000, 1_232_400_000), "0.0089%");
        assert_eq!(percentage(0, 10), "    0%");
        assert_eq!(percentage(5, 0), "    0%");
        assert_eq!(percentage(1, 10_000_000), "1e-05%");
        assert_eq!(percentage(18402, 10000), "184.02%");
        assert_eq!(percentage(-5, 10), "50.00%");
    }

    #[test]
    fn go_g_format() {
        assert_eq!(go_format_g(0.0092, 2), "0.0092");
        assert_eq!(go_format_g(0.5, 2), "0.5");
        assert_eq!(go_format_g(0.999, 2), "1");
        assert_eq!(go_format_g(0.00001234, 2), "1.2e-05");
        assert_eq!(go_format_g(123.0, 2), "1.2e+02");
    }

    #[test]
    fn output_unit_selection() {
        // Smallest value 0.11ms, total 1.23s: ms keeps it readable.
        assert_eq!(
            select_output_unit(
                [(110_000, 110_000), (0, 1_232_400_000)],
                1_232_400_000,
                "nanoseconds"
            ),
            "ms"
        );
        assert_eq!(
            select_output_unit([(10_000_000, 0)], 5_780_000_000, "nanoseconds"),
            "s"
        );
        assert_eq!(select_output_unit([(5, 5)], 100, "count"), "count");
    }
}
