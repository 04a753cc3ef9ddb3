//! Call-detail records as telephone systems write them: Asterisk `cdr_csv` (Master.csv,
//! no header, 16 base columns and optional extras) and FreeSWITCH `mod_cdr_csv` with its
//! default template. Parsing is pure; the store imports and links.

use crate::error::{Error, Result};
use crate::phone::Phone;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Asterisk,
    Freeswitch,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        match s {
            "asterisk" => Ok(Format::Asterisk),
            "freeswitch" => Ok(Format::Freeswitch),
            _ => Err(Error::InvalidValue {
                field: "format",
                value: s.chars().take(40).collect(),
            }),
        }
    }
}

/// One inbound call as the KPIs need it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    pub key: String,
    /// Normalised caller number (the history key), or the raw digits if not a valid number.
    pub caller: String,
    pub callee: String,
    /// The agent's extension that answered, when the CDR tells.
    pub extension: Option<String>,
    pub started_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: DateTime<Utc>,
    pub disposition: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

fn time(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|n| tz.from_local_datetime(&n).earliest())
        .map(|t| t.with_timezone(&Utc))
}

fn normalise(number: &str) -> String {
    Phone::parse(number)
        .map(|p| p.number)
        .unwrap_or_else(|_| number.chars().filter(char::is_ascii_digit).collect())
}

/// `SIP/8001-00000012`, `PJSIP/8001-0000a`, `Local/8001@agents-…` → `8001`.
fn extension_of(channel: &str) -> Option<String> {
    let rest = channel.split_once('/')?.1;
    let ext: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!ext.is_empty()).then_some(ext)
}

/// Parses a CDR file; rows that cannot be read are reported by line, the rest returned.
pub fn parse(input: impl Read, format: Format, tz: Tz) -> Result<(Vec<Call>, Vec<BadRow>)> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut calls = Vec::new();
    let mut bad = Vec::new();
    for rec in rd.records() {
        let rec = rec?;
        let line = rec.position().map_or(0, |p| p.line());
        let f = |i: usize| rec.get(i).unwrap_or("").trim();
        let parsed = match format {
            Format::Asterisk => {
                if rec.len() < 16 {
                    Err(format!(
                        "{} columns, Asterisk writes at least 16",
                        rec.len()
                    ))
                } else {
                    let start = time(f(9), tz);
                    let end = time(f(11), tz);
                    match (start, end) {
                        (Some(started_at), Some(ended_at)) => {
                            let answered = f(14) == "ANSWERED";
                            let key = if rec.len() > 16 && !f(16).is_empty() {
                                format!("asterisk:{}", f(16))
                            } else {
                                format!("asterisk:{}|{}|{}|{}", f(1), f(2), f(9), f(5))
                            };
                            Ok(Call {
                                key,
                                caller: normalise(f(1)),
                                callee: f(2).to_string(),
                                extension: answered.then(|| extension_of(f(6))).flatten(),
                                started_at,
                                answered_at: if answered { time(f(10), tz) } else { None },
                                ended_at,
                                disposition: f(14).to_string(),
                            })
                        }
                        _ => Err("start or end time unreadable".to_string()),
                    }
                }
            }
            Format::Freeswitch => {
                if rec.len() < 11 {
                    Err(format!(
                        "{} columns, the FreeSWITCH default template writes 15",
                        rec.len()
                    ))
                } else {
                    match (time(f(4), tz), time(f(6), tz)) {
                        (Some(started_at), Some(ended_at)) => {
                            let answered_at = time(f(5), tz);
                            Ok(Call {
                                key: format!("freeswitch:{}", f(10)),
                                caller: normalise(f(1)),
                                callee: f(2).to_string(),
                                extension: answered_at
                                    .and(Some(f(2).to_string()))
                                    .filter(|e| e.len() <= 6 && !e.is_empty()),
                                started_at,
                                answered_at,
                                ended_at,
                                disposition: f(9).to_string(),
                            })
                        }
                        _ => Err("start or end time unreadable".to_string()),
                    }
                }
            }
        };
        match parsed {
            Ok(c) if c.ended_at < c.started_at => bad.push(BadRow {
                line,
                reason: "ends before it starts".into(),
            }),
            Ok(c) => calls.push(c),
            Err(reason) => bad.push(BadRow { line, reason }),
        }
    }
    Ok((calls, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASTERISK: &str = r#""","13812345678","12345","from-pstn","""张三"" <13812345678>","SIP/trunk-0000001","SIP/8001-0000002","Dial","SIP/8001,30","2026-10-08 09:00:00","2026-10-08 09:00:12","2026-10-08 09:05:12",312,300,"ANSWERED","DOCUMENTATION","1696726800.1",""
"","010-65521234","12345","from-pstn","""李四, 王五"" <01065521234>","SIP/trunk-0000003","","Queue","hotline,,,,60","2026-10-08 09:10:00",,"2026-10-08 09:10:40",40,0,"NO ANSWER","DOCUMENTATION","1696727400.3",""
"","13900000000","12345","from-pstn","","SIP/trunk-0000004","SIP/8002-0000005","Dial","SIP/8002","2026-10-08 09:20:00","2026-10-08 09:20:05","2026-10-08 09:22:00",120,115,"ANSWERED","DOCUMENTATION"
"broken","row"
"#;

    #[test]
    fn asterisk_master_csv_with_quoted_commas_empty_answers_and_unanswered_calls() {
        let (calls, bad) = parse(
            ASTERISK.as_bytes(),
            Format::Asterisk,
            chrono_tz::Asia::Shanghai,
        )
        .expect("parse");
        assert_eq!(calls.len(), 3);
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [4]);
        let first = &calls[0];
        assert_eq!(
            (first.caller.as_str(), first.extension.as_deref()),
            ("13812345678", Some("8001"))
        );
        assert_eq!(
            first
                .answered_at
                .map(|a| (a - first.started_at).num_seconds()),
            Some(12)
        );
        assert_eq!(first.key, "asterisk:1696726800.1");
        let missed = &calls[1];
        assert_eq!(
            (
                missed.caller.as_str(),
                missed.answered_at,
                missed.extension.as_deref()
            ),
            ("01065521234", None, None)
        );
        assert_eq!(missed.disposition, "NO ANSWER");
        // Without a uniqueid column the key is a digest of the identifying fields.
        assert!(calls[2].key.starts_with("asterisk:13900000000|"));
    }

    #[test]
    fn freeswitch_default_template() {
        let fs = "\"张三\",\"13812345678\",\"8001\",\"default\",\"2026-10-08 09:00:00\",\"2026-10-08 09:00:07\",\"2026-10-08 09:03:07\",\"187\",\"180\",\"NORMAL_CLEARING\",\"a1b2c3\",\"\",\"\",\"PCMA\",\"PCMA\"\n\
                  \"\",\"13900000000\",\"8001\",\"default\",\"2026-10-08 09:10:00\",\"\",\"2026-10-08 09:10:30\",\"30\",\"0\",\"NO_ANSWER\",\"d4e5f6\",\"\",\"\",\"PCMA\",\"PCMA\"\n";
        let (calls, bad) =
            parse(fs.as_bytes(), Format::Freeswitch, chrono_tz::Asia::Shanghai).expect("parse");
        assert!(bad.is_empty());
        assert_eq!(calls[0].extension.as_deref(), Some("8001"));
        assert_eq!(calls[1].answered_at, None);
        assert_eq!(calls[1].key, "freeswitch:d4e5f6");
    }
}
