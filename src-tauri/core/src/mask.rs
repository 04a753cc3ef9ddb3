//! De-identified display of personal data (PIPL): phone numbers, ID numbers and
//! addresses are masked in the backend, so a masked view never carries the clear value.
//! Free text is masked too: callers dictate numbers that agents type into descriptions.

use crate::cdr::CallRow;
use crate::model::{Customer, Event, Ticket, TicketDetail, TicketRow};
use regex::Regex;
use std::sync::LazyLock;

/// `13812341234` → `138****1234`; short or odd numbers keep at most their last 4 digits.
pub fn phone(s: &str) -> String {
    let n = s.chars().count();
    if n >= 11 {
        let head: String = s.chars().take(3).collect();
        let tail: String = s.chars().skip(n - 4).collect();
        format!("{head}****{tail}")
    } else if n > 4 {
        let tail: String = s.chars().skip(n - 4).collect();
        format!("{}{tail}", "*".repeat(n - 4))
    } else {
        "*".repeat(n)
    }
}

/// `zhang.san@example.cn` → `z***@example.cn`.
pub fn email(s: &str) -> String {
    match s.split_once('@') {
        Some((user, domain)) => {
            format!("{}***@{domain}", user.chars().next().unwrap_or('*'))
        }
        None => "***".into(),
    }
}

/// Keeps the first six characters of an address (province, city, district).
pub fn address(s: &str) -> String {
    let head: String = s.chars().take(6).collect();
    if s.chars().count() > 6 {
        format!("{head}****")
    } else {
        head
    }
}

// Resident ID numbers (18 characters, the last may be X), mobiles, landlines with an
// area code; digits glued to other digits are left alone (amounts, ticket numbers).
static ID_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])($|[^0-9])").expect("regex")
});
static MOBILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})($|[^0-9])")
        .expect("regex")
});
static LANDLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^0-9])(0[1-9][0-9]{1,2})[- ]?[0-9]{3,4}([0-9]{4})($|[^0-9])").expect("regex")
});

/// Masks ID numbers and phone numbers inside free text.
pub fn text(s: &str) -> String {
    // Every pattern has at least ten digits (a landline with its area code); most texts
    // have none or a few, and a replace with captures costs tens of microseconds.
    if s.bytes().filter(u8::is_ascii_digit).count() < 10
        || ![&ID_NUMBER, &MOBILE, &LANDLINE]
            .iter()
            .any(|r| r.is_match(s))
    {
        return s.to_string();
    }
    // Twice: a match consumes the separator that a neighbouring number needs.
    let mut out = s.to_string();
    for _ in 0..2 {
        out = ID_NUMBER.replace_all(&out, "$1$2********$3$4").into_owned();
        out = MOBILE.replace_all(&out, "$1$2****$3$4").into_owned();
        out = LANDLINE.replace_all(&out, "$1$2****$3$4").into_owned();
    }
    out
}

fn opt_text(s: &mut Option<String>) {
    if let Some(v) = s {
        *v = text(v);
    }
}

/// Something that carries personal data and can show itself de-identified.
pub trait Mask {
    fn mask(&mut self);

    fn masked(mut self) -> Self
    where
        Self: Sized,
    {
        self.mask();
        self
    }
}

/// What a masked view shows of an anonymous caller: nothing that identifies them.
fn anonymise(name: &mut String, number: &mut String) {
    name.clear();
    number.clear();
}

impl Mask for Ticket {
    fn mask(&mut self) {
        if self.anonymous {
            anonymise(&mut self.caller_name, &mut self.phone);
            self.phone_ext = None;
            self.email = None;
            self.address = None;
        }
        self.phone = phone(&self.phone);
        self.address = self.address.as_deref().map(address);
        self.email = self.email.as_deref().map(email);
        self.description = text(&self.description);
        opt_text(&mut self.answer);
        opt_text(&mut self.result);
        opt_text(&mut self.requirements);
    }
}

impl Mask for Event {
    fn mask(&mut self) {
        opt_text(&mut self.note);
        // Event data repeats what the action wrote (answers, results, slips).
        mask_json(&mut self.data);
    }
}

fn mask_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = text(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(mask_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(mask_json),
        _ => {}
    }
}

impl Mask for TicketDetail {
    fn mask(&mut self) {
        self.ticket.mask();
        self.events.iter_mut().for_each(Mask::mask);
        for p in &mut self.co_parts {
            opt_text(&mut p.reply);
            opt_text(&mut p.waive_reason);
        }
    }
}

impl Mask for TicketRow {
    fn mask(&mut self) {
        if self.anonymous {
            anonymise(&mut self.caller_name, &mut self.phone);
        }
        self.phone = phone(&self.phone);
        self.summary = text(&self.summary);
    }
}

impl Mask for CallRow {
    fn mask(&mut self) {
        self.caller = phone(&self.caller);
    }
}

impl Mask for Customer {
    fn mask(&mut self) {
        self.phones = self.phones.iter().map(|p| phone(p)).collect();
        self.address = self.address.as_deref().map(address);
        opt_text(&mut self.notes);
    }
}

impl<T: Mask> Mask for Vec<T> {
    fn mask(&mut self) {
        self.iter_mut().for_each(Mask::mask);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_to_their_recognisable_ends() {
        assert_eq!(phone("13812341234"), "138****1234");
        assert_eq!(phone("02112345678"), "021****5678");
        assert_eq!(phone("12345"), "*2345");
        assert_eq!(phone("110"), "***");
        assert_eq!(address("上海市浦东新区世纪大道100号"), "上海市浦东新****");
        assert_eq!(address("北京"), "北京");
    }

    #[test]
    fn free_text_loses_ids_and_phones_but_keeps_other_numbers() {
        let s = "来电人138 1234 5678，身份证110101199003071234，座机021-87654321；\
                 工单20261124-0001，金额1500元，+86 13912345678";
        let m = text(s);
        for clear in [
            "1234 5678",
            "199003071234",
            "87654321",
            "12345678",
            "110101199003071234",
        ] {
            assert!(!m.contains(clear), "{clear} in {m}");
        }
        assert!(m.contains("138****5678"), "{m}");
        assert!(m.contains("110101********1234"), "{m}");
        assert!(m.contains("021****4321"), "{m}");
        assert!(m.contains("139****5678"), "{m}");
        assert!(m.contains("20261124-0001"), "{m}");
        assert!(m.contains("1500元"), "{m}");
        assert_eq!(text("没有数字"), "没有数字");
        // Back-to-back numbers separated by one character are both masked.
        assert_eq!(text("13812345678,13912345678"), "138****5678,139****5678");
        // The shortest maskable number: a three-digit area code and seven digits.
        assert_eq!(text("座机010-1234567"), "座机010****4567");
        assert_eq!(
            text("导入的历史来电第123456789条"),
            "导入的历史来电第123456789条"
        );
    }
}
