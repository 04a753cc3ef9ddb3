//! Input rules shared by every entry point (UI, CLI, import): the domain decides.

use crate::error::{Error, Result};

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const NOTE_MAX: usize = 5_000;

/// A required free text: trimmed, not empty, not longer than `max` characters,
/// no control characters other than line breaks and tabs.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::Required { field });
    }
    check(field, v, max)?;
    Ok(v.to_string())
}

/// An optional free text: blank becomes `None`.
pub fn opt_text(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            check(field, v, max)?;
            Ok(Some(v.to_string()))
        }
    }
}

fn check(field: &'static str, v: &str, max: usize) -> Result<()> {
    let len = v.chars().count();
    if len > max {
        return Err(Error::TooLong { field, len, max });
    }
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::ControlChars { field });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(
            text("name", "  张三 ", NAME_MAX).ok().as_deref(),
            Some("张三")
        );
        assert_eq!(
            text("name", "   ", NAME_MAX).map_err(|e| e.code()),
            Err("required")
        );
        let long = "话".repeat(DESCRIPTION_MAX + 1);
        let e = text("description", &long, DESCRIPTION_MAX).expect_err("too long");
        assert_eq!(e.code(), "too_long");
        assert_eq!(e.details()["len"], DESCRIPTION_MAX + 1);
        assert!(text(
            "description",
            &"话".repeat(DESCRIPTION_MAX),
            DESCRIPTION_MAX
        )
        .is_ok());
        assert_eq!(
            text("name", "a\u{0}b", NAME_MAX).map_err(|e| e.code()),
            Err("control_chars")
        );
        assert!(text("note", "line one\nline two\tend", NOTE_MAX).is_ok());
        assert_eq!(opt_text("email", Some("  "), NAME_MAX).ok(), Some(None));
        assert_eq!(
            text("x", "'; DROP TABLE tickets; --", NAME_MAX)
                .ok()
                .as_deref(),
            Some("'; DROP TABLE tickets; --")
        );
    }
}
