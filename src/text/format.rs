//! Words and numbers in the reader's language: the languages, German's decimal comma, and
//! sizes, rates and durations formatted for either.

use crate::engine::units::{fmt_bytes, fmt_duration, fmt_rate};

/// The languages the explainer speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The BCP 47 code: "en", "de".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language for a code such as "de", "de-AT" or "EN"; `None` for others.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// One text in this language: `pick("time", "Zeit")`.
    pub fn pick<T>(self, en: T, de: T) -> T {
        match self {
            Lang::En => en,
            Lang::De => de,
        }
    }
}

/// Writes a formatted English number the way `lang` does: German uses a decimal comma
/// ("8,5 GiB"). Only a point between two digits is a decimal point.
pub fn localize(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = i > 0
            && i + 1 < chars.len()
            && chars[i - 1].is_ascii_digit()
            && chars[i + 1].is_ascii_digit();
        out.push(if c == '.' && between_digits { ',' } else { c });
    }
    out
}

/// Number and unit formatting in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fmt(pub Lang);

impl Fmt {
    pub fn bytes(self, bytes: f64) -> String {
        localize(&fmt_bytes(bytes), self.0)
    }
    pub fn rate(self, bytes_per_s: f64) -> String {
        localize(&fmt_rate(bytes_per_s), self.0)
    }
    pub fn duration(self, seconds: f64) -> String {
        localize(&fmt_duration(seconds), self.0)
    }
    /// A plain number with `places` decimals.
    pub fn num(self, v: f64, places: usize) -> String {
        if !v.is_finite() {
            return "—".to_string();
        }
        if v.abs() >= 1e15 {
            return localize(&crate::engine::units::fmt_num(v), self.0);
        }
        localize(&format!("{v:.places$}"), self.0)
    }
}

/// `text` on one line: line breaks and other control characters (which a file name or a JSON
/// key in a parser's message may hold) are shown escaped, as `\n`.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim_end().chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::units::GIB;

    #[test]
    fn german_numbers_use_a_decimal_comma() {
        let de = Fmt(Lang::De);
        assert_eq!(de.bytes(8.5 * GIB), "8,50 GiB");
        assert_eq!(de.rate(125e6), "119,21 MiB/s (1,00 Gbit/s)");
        assert_eq!(de.duration(41.968), "41,97 s");
        assert_eq!(de.duration(192.0), "3 min 12 s");
        assert_eq!(de.num(0.5, 1), "0,5");
        assert_eq!(Fmt(Lang::En).num(0.5, 1), "0.5");
        // Only points between digits change.
        assert_eq!(localize("Pass 1. 2.5 s", Lang::De), "Pass 1. 2,5 s");
    }

    #[test]
    fn languages_come_from_codes() {
        assert_eq!(Lang::from_code("de-AT"), Some(Lang::De));
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_code(""), None);
    }
}
