//! Where a call's recording is: the telephone system names its files by a pattern
//! (Asterisk MixMonitor: `/var/spool/asterisk/monitor/{date}/{key}.wav`; FreeSWITCH
//! `record_session`: `/var/lib/freeswitch/recordings/{date}/{key}.wav`), so imported call
//! records link to their files. What is substituted is made safe for a path: a record's
//! fields cannot walk out of the folder the pattern names.

use crate::cdr::Call;
use crate::error::{Error, Result};
use chrono_tz::Tz;

/// The file types the desk plays, with their media types.
pub const AUDIO: &[(&str, &str)] = &[
    ("wav", "audio/wav"),
    ("mp3", "audio/mpeg"),
    ("ogg", "audio/ogg"),
    ("opus", "audio/ogg"),
    ("m4a", "audio/mp4"),
];

/// Playback reads a recording whole: larger files are refused.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .replace("..", "__")
}

/// The recording of `call` by `pattern` (placeholders `{key}`, `{caller}`, `{callee}`,
/// `{extension}`, `{date}` = YYYYMMDD and `{time}` = HHMMSS local); none without a pattern.
pub fn path_of(pattern: &str, call: &Call, tz: Tz) -> Option<String> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return None;
    }
    let local = call.started_at.with_timezone(&tz);
    Some(
        pattern
            .replace("{key}", &safe(&call.key))
            .replace("{caller}", &safe(&call.caller))
            .replace("{callee}", &safe(&call.callee))
            .replace(
                "{extension}",
                &safe(call.extension.as_deref().unwrap_or("")),
            )
            .replace("{date}", &local.format("%Y%m%d").to_string())
            .replace("{time}", &local.format("%H%M%S").to_string()),
    )
}

/// A pattern is an absolute path whose file type the desk plays.
pub fn check_pattern(pattern: &str) -> Result<()> {
    let p = pattern.trim();
    let bad = || Error::InvalidValue {
        field: "recording_pattern",
        value: p.chars().take(80).collect(),
    };
    if p.is_empty() {
        return Ok(());
    }
    if !p.starts_with('/') || p.contains("..") || media_type(p).is_none() {
        return Err(bad());
    }
    Ok(())
}

/// The media type of a recording by its file name, if the desk plays it.
pub fn media_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    AUDIO.iter().find(|(e, _)| *e == ext).map(|(_, m)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn call(key: &str) -> Call {
        Call {
            key: key.into(),
            caller: "13812345678".into(),
            callee: "12345".into(),
            extension: Some("8001".into()),
            started_at: chrono::Utc
                .with_ymd_and_hms(2026, 11, 30, 16, 5, 9)
                .single()
                .expect("t"),
            answered_at: None,
            ended_at: chrono::Utc
                .with_ymd_and_hms(2026, 11, 30, 16, 9, 0)
                .single()
                .expect("t"),
            disposition: "ANSWERED".into(),
        }
    }

    #[test]
    fn a_pattern_names_the_file_in_local_time() {
        let p = "/var/spool/asterisk/monitor/{date}/{key}-{extension}.wav";
        assert_eq!(
            path_of(p, &call("1701234567.89"), chrono_tz::Asia::Shanghai).as_deref(),
            Some("/var/spool/asterisk/monitor/20261201/1701234567.89-8001.wav")
        );
        assert_eq!(path_of(" ", &call("x"), chrono_tz::Asia::Shanghai), None);
    }

    #[test]
    fn a_record_cannot_walk_out_of_the_folder() {
        let p = "/rec/{key}.wav";
        let got = path_of(p, &call("../../etc/passwd"), chrono_tz::Asia::Shanghai).expect("path");
        assert!(
            !got.contains("..") && got.starts_with("/rec/") && got.matches('/').count() == 2,
            "{got}"
        );
    }

    #[test]
    fn patterns_are_absolute_and_audio() {
        assert!(check_pattern("/rec/{key}.wav").is_ok());
        assert!(check_pattern("").is_ok());
        for bad in ["rec/{key}.wav", "/rec/../{key}.wav", "/rec/{key}.txt"] {
            assert_eq!(
                check_pattern(bad).map_err(|e| e.code()).err(),
                Some("invalid_value"),
                "{bad}"
            );
        }
        assert_eq!(media_type("/a/b.WAV"), Some("audio/wav"));
    }
}
