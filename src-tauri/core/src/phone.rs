//! Chinese phone numbers: any spelling a caller or an agent types maps to one key,
//! so a caller's history is found whatever the format.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Mobile,
    Landline,
    /// 400/800 service numbers.
    Service,
    /// A number outside China in E.164 form: `+` and 8 to 15 digits.
    International,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    pub kind: PhoneKind,
    /// National digits without country code or extension, or `+` and the E.164
    /// digits of a foreign number: the lookup key.
    pub number: String,
    pub ext: Option<String>,
}

const EXT_MARKERS: [&str; 6] = ["分机", "转", "ext.", "ext", "x", "#"];

impl Phone {
    pub fn parse(input: &str) -> Result<Phone> {
        let invalid = || Error::PhoneInvalid {
            input: input.chars().take(40).collect(),
        };
        let s = input.trim();
        if s.is_empty() || s.chars().count() > 40 {
            return Err(invalid());
        }
        let lower = s.to_lowercase();
        let (main, ext) = match EXT_MARKERS
            .iter()
            .filter_map(|m| lower.find(m).map(|i| (i, m.len())))
            .min_by_key(|(i, _)| *i)
        {
            Some((i, len)) => (&lower[..i], Some(&lower[i + len..])),
            None => (lower.as_str(), None),
        };
        let ext = match ext {
            Some(e) => Some(parse_ext(e).ok_or_else(invalid)?),
            None => None,
        };
        if let Some(p) = parse_main(main) {
            return Ok(Phone { ext, ..p });
        }
        // "010-12345678-808": a trailing dash group after a complete landline is an extension.
        if ext.is_none() {
            if let Some((head, tail)) = main.rsplit_once('-') {
                if let (Some(p), Some(e)) = (parse_main(head), parse_ext(tail)) {
                    if p.kind == PhoneKind::Landline {
                        return Ok(Phone { ext: Some(e), ..p });
                    }
                }
            }
        }
        Err(invalid())
    }

    /// The conventional written form: `138 1234 5678`, `010-12345678 转 808`.
    pub fn display(&self) -> String {
        let n = &self.number;
        let base = match self.kind {
            PhoneKind::Mobile => format!("{} {} {}", &n[..3], &n[3..7], &n[7..]),
            PhoneKind::Landline => {
                let a = area_len(n);
                format!("{}-{}", &n[..a], &n[a..])
            }
            PhoneKind::Service => format!("{}-{}-{}", &n[..3], &n[3..6], &n[6..]),
            PhoneKind::International => n.clone(),
        };
        match &self.ext {
            Some(e) => format!("{base} 转 {e}"),
            None => base,
        }
    }
}

fn parse_ext(s: &str) -> Option<String> {
    let e: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | ':' | '：'))
        .collect();
    (!e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit())).then_some(e)
}

fn area_len(n: &str) -> usize {
    if n.starts_with("010") || n.starts_with("02") {
        3
    } else {
        4
    }
}

fn is_mobile(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// E.164 digits after the `+` (country code first, never 0): 8 to 15 digits in all.
fn foreign(digits: &str) -> Option<Phone> {
    let ok = (8..=15).contains(&digits.len()) && !digits.starts_with('0');
    ok.then(|| Phone {
        kind: PhoneKind::International,
        number: format!("+{digits}"),
        ext: None,
    })
}

fn parse_main(s: &str) -> Option<Phone> {
    let mut digits = String::with_capacity(16);
    for (i, c) in s.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '(' | ')' | '（' | '）' | '.' | '\u{3000}' => {}
            _ => return None,
        }
    }
    let international = if s.starts_with('+') {
        match digits.strip_prefix("86") {
            Some(rest) => Some(rest),
            None => return foreign(&digits),
        }
    } else if let Some(rest) = digits.strip_prefix("0086") {
        Some(rest)
    } else if let Some(rest) = digits.strip_prefix("00").filter(|r| !r.starts_with('0')) {
        // 00 is the international prefix dialled from China.
        return foreign(rest);
    } else {
        None
    };
    let national = match international {
        // International form drops the trunk 0 of landline area codes: +86 10 ... is 010 ...
        Some(rest) if is_mobile(rest) => rest.to_string(),
        Some(rest) => format!("0{rest}"),
        None if digits.len() == 13 && is_mobile(&digits[2..]) && digits.starts_with("86") => {
            digits[2..].to_string()
        }
        None => digits,
    };
    let n = national.as_bytes();
    if is_mobile(&national) {
        return Some(Phone {
            kind: PhoneKind::Mobile,
            number: national,
            ext: None,
        });
    }
    if n.len() == 10 && (national.starts_with("400") || national.starts_with("800")) {
        return Some(Phone {
            kind: PhoneKind::Service,
            number: national,
            ext: None,
        });
    }
    if n.first() == Some(&b'0') && n.len() > 1 && n[1] != b'0' {
        let local = &n[area_len(&national)..];
        if (7..=8).contains(&local.len()) && !matches!(local[0], b'0' | b'1') {
            return Some(Phone {
                kind: PhoneKind::Landline,
                number: national,
                ext: None,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        Phone::parse(s)
            .map(|p| p.number)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn mobile_spellings_share_one_key() {
        for s in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+8613812345678",
            "008613812345678",
            "8613812345678",
            "(+86) 13812345678",
        ] {
            assert_eq!(
                key(s.trim_start_matches('(').replace(')', "").as_str()),
                "13812345678",
                "{s}"
            );
        }
    }

    #[test]
    fn landlines_with_area_code_and_extension() {
        let p = Phone::parse("010-6552 1234 转 808").expect("valid");
        assert_eq!(p.kind, PhoneKind::Landline);
        assert_eq!(p.number, "01065521234");
        assert_eq!(p.ext.as_deref(), Some("808"));
        assert_eq!(p.display(), "010-65521234 转 808");
        assert_eq!(key("(0755) 8888-6666"), "075588886666");
        assert_eq!(key("0571-8765432"), "05718765432");
        let p = Phone::parse("021-62345678-12").expect("valid");
        assert_eq!(
            (p.number.as_str(), p.ext.as_deref()),
            ("02162345678", Some("12"))
        );
        assert_eq!(
            Phone::parse("021 62345678 ext. 5")
                .expect("valid")
                .ext
                .as_deref(),
            Some("5")
        );
        assert_eq!(key("+86 10 6552 1234"), "01065521234");
        assert_eq!(key("0086-755-88886666"), "075588886666");
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for s in [
            "",
            "12345",
            "1381234567",
            "138123456789",
            "12812345678",
            "010-1234",
            "010-01234567",
            "abc",
            "13812345678 转 abc",
            "1' OR '1'='1",
            "+1 650",
            "+0 650 555 1234",
            "+1 650 555 1234 5678 9",
        ] {
            let e = Phone::parse(s).expect_err(s);
            assert_eq!(e.code(), "phone_invalid", "{s}");
        }
    }

    #[test]
    fn foreign_numbers_in_e164() {
        for s in ["+1 650 555 1234", "001-650-555-1234", "+1 (650) 555-1234"] {
            let p = Phone::parse(s).expect(s);
            assert_eq!(
                (p.kind, p.number.as_str()),
                (PhoneKind::International, "+16505551234"),
                "{s}"
            );
        }
        let p = Phone::parse("+44 20 7946 0958 ext 12").expect("with extension");
        assert_eq!(
            (p.number.as_str(), p.ext.as_deref()),
            ("+442079460958", Some("12"))
        );
        assert_eq!(p.display(), "+442079460958 转 12");
        // +86 stays a Chinese number with its national key.
        assert_eq!(key("+86 138 1234 5678"), "13812345678");
    }

    #[test]
    fn service_numbers() {
        let p = Phone::parse("400-810-8888").expect("valid");
        assert_eq!(p.kind, PhoneKind::Service);
        assert_eq!(p.display(), "400-810-8888");
    }
}
