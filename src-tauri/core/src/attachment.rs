//! Files kept with a record — a training session's materials, and next a knowledge
//! article's attachments. They live in the database itself, so backups, restores and the
//! centre server carry them to every seat; a file is taken only under a plain name with a
//! document, image or media type, since it is later opened with the system's viewer.

use crate::error::{Error, Result};

str_enum!(
    /// What a file belongs to.
    Owner {
        TrainingSession = "training_session",
        KbArticle = "kb_article",
    }
);

/// The largest file kept (the desk reads it whole, and it crosses the wire in one request).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The request body a front door must accept for the largest file, base64 and JSON around it.
pub const MAX_REQUEST_BYTES: usize = MAX_BYTES / 3 * 4 + 64 * 1024;

/// The longest file name kept.
pub const NAME_MAX: usize = 120;

/// The file types taken, by extension, with their media types: documents, slides, sheets,
/// plain text, pictures, sound and video — nothing a viewer would run.
pub const TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("csv", "text/csv"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
];

/// A file's name made plain (no folder, no hidden file, no control characters) with the
/// media type its extension gives; refused when it is none of `TYPES`.
pub fn checked_name(name: &str) -> Result<(String, &'static str)> {
    let n = name.trim();
    if n.is_empty() {
        return Err(Error::Required { field: "name" });
    }
    let len = n.chars().count();
    if len > NAME_MAX {
        return Err(Error::TooLong {
            field: "name",
            len,
            max: NAME_MAX,
        });
    }
    if n.chars().any(char::is_control) {
        return Err(Error::ControlChars { field: "name" });
    }
    let bad = || Error::InvalidValue {
        field: "name",
        value: n.to_string(),
    };
    if n.contains(['/', '\\', ':']) || n.starts_with('.') {
        return Err(bad());
    }
    let ext = n
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .ok_or_else(bad)?;
    let media = TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, m)| *m)
        .ok_or(Error::InvalidValue {
            field: "file_type",
            value: ext,
        })?;
    Ok((n.to_string(), media))
}

/// A file's bytes as kept: neither empty nor over `MAX_BYTES`.
pub fn checked_bytes(bytes: &[u8]) -> Result<()> {
    if bytes.is_empty() {
        return Err(Error::Required { field: "data" });
    }
    if bytes.len() > MAX_BYTES {
        return Err(Error::TooLarge { max: MAX_BYTES });
    }
    Ok(())
}

/// The file's bytes from the wire (base64); what is far too long is refused undecoded.
pub fn decoded(data: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    if data.len() > MAX_REQUEST_BYTES {
        return Err(Error::TooLarge { max: MAX_BYTES });
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| Error::InvalidValue {
            field: "data",
            value: data.chars().take(20).collect(),
        })?;
    checked_bytes(&bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_document_name_is_taken_with_its_media_type() {
        assert_eq!(
            checked_name("  服务规范 2026.PDF ").expect("taken"),
            ("服务规范 2026.PDF".to_string(), "application/pdf")
        );
        assert_eq!(checked_name("话术.docx").expect("taken").1, TYPES[2].1);
    }

    #[test]
    fn folders_hidden_files_programs_and_no_extension_are_refused() {
        for bad in [
            "../etc/passwd.txt",
            "a\\b.pdf",
            ".profile",
            "C:x.pdf",
            "readme",
        ] {
            assert_eq!(
                checked_name(bad).map_err(|e| e.code()),
                Err("invalid_value"),
                "{bad}"
            );
        }
        for program in ["setup.exe", "run.sh", "page.html", "x.desktop"] {
            let e = checked_name(program).expect_err(program);
            assert!(
                matches!(
                    e,
                    Error::InvalidValue {
                        field: "file_type",
                        ..
                    }
                ),
                "{program}: {e:?}"
            );
        }
        assert_eq!(checked_name(" ").map_err(|e| e.code()), Err("required"));
        assert_eq!(
            checked_name(&format!("{}.pdf", "长".repeat(NAME_MAX))).map_err(|e| e.code()),
            Err("too_long")
        );
        assert_eq!(
            checked_name("a\u{7}.pdf").map_err(|e| e.code()),
            Err("control_chars")
        );
    }

    #[test]
    fn the_bytes_must_be_base64_neither_empty_nor_too_large() {
        assert_eq!(decoded("aGVsbG8=").expect("bytes"), b"hello");
        assert_eq!(decoded("").map_err(|e| e.code()), Err("required"));
        assert_eq!(decoded("@@@").map_err(|e| e.code()), Err("invalid_value"));
        use base64::Engine;
        let big = base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_BYTES + 1]);
        assert_eq!(decoded(&big).map_err(|e| e.code()), Err("too_large"));
    }
}
