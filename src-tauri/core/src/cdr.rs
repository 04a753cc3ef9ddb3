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

/// Where the fields of a call are in some other system's CSV: a header name (when the
/// file has a header) or a 1-based column number. Times are `time_format` (default
/// `%Y-%m-%d %H:%M:%S`, or RFC 3339) in the centre's zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default = "yes")]
    pub has_header: bool,
    pub caller: String,
    pub start: String,
    /// Empty or absent means unanswered.
    #[serde(default)]
    pub answer: Option<String>,
    /// The end time, or else `duration` in seconds from the start.
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub callee: Option<String>,
    #[serde(default)]
    pub extension: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub time_format: Option<String>,
}

fn yes() -> bool {
    true
}

impl Mapping {
    pub fn validate(&self) -> Result<()> {
        if self.end.is_none() && self.duration.is_none() {
            return Err(Error::Required { field: "end" });
        }
        for c in [&self.caller, &self.start] {
            if c.trim().is_empty() {
                return Err(Error::Required { field: "caller" });
            }
        }
        Ok(())
    }
}

/// Parses a CSV through a saved mapping.
pub fn parse_mapped(
    input: impl Read,
    m: &Mapping,
    name: &str,
    tz: Tz,
) -> Result<(Vec<Call>, Vec<BadRow>)> {
    m.validate()?;
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(m.has_header)
        .flexible(true)
        .from_reader(input);
    let headers: Vec<String> = if m.has_header {
        rd.headers()?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect()
    } else {
        vec![]
    };
    let index = |col: &str| -> Option<usize> {
        match col.trim().parse::<usize>() {
            Ok(n) if n >= 1 && headers.is_empty() => Some(n - 1),
            _ => headers.iter().position(|h| h == col.trim()),
        }
    };
    let missing = |field: &'static str| Error::ImportRow {
        line: 1,
        reason: format!("the mapping's {field} column is not in the file"),
    };
    let caller_i = index(&m.caller).ok_or_else(|| missing("caller"))?;
    let start_i = index(&m.start).ok_or_else(|| missing("start"))?;
    let opt = |c: &Option<String>, field: &'static str| -> Result<Option<usize>> {
        c.as_deref()
            .map(|c| index(c).ok_or_else(|| missing(field)))
            .transpose()
    };
    let (answer_i, end_i, dur_i) = (
        opt(&m.answer, "answer")?,
        opt(&m.end, "end")?,
        opt(&m.duration, "duration")?,
    );
    let (callee_i, ext_i, key_i) = (
        opt(&m.callee, "callee")?,
        opt(&m.extension, "extension")?,
        opt(&m.key, "key")?,
    );
    let fmt = m
        .time_format
        .clone()
        .unwrap_or_else(|| "%Y-%m-%d %H:%M:%S".into());
    let when = |s: &str| -> Option<DateTime<Utc>> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(s, &fmt)
                    .ok()
                    .and_then(|n| tz.from_local_datetime(&n).earliest())
                    .map(|t| t.with_timezone(&Utc))
            })
    };
    let mut calls = Vec::new();
    let mut bad = Vec::new();
    for rec in rd.records() {
        let rec = rec?;
        let line = rec.position().map_or(0, |p| p.line());
        let f = |i: Option<usize>| i.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
        let Some(started_at) = when(f(Some(start_i))) else {
            bad.push(BadRow {
                line,
                reason: "start time unreadable".into(),
            });
            continue;
        };
        let ended_at = match (end_i, dur_i) {
            (Some(_), _) => when(f(end_i)),
            (None, Some(_)) => f(dur_i)
                .parse::<i64>()
                .ok()
                .map(|d| started_at + chrono::Duration::seconds(d)),
            _ => None,
        };
        let Some(ended_at) = ended_at.filter(|e| *e >= started_at) else {
            bad.push(BadRow {
                line,
                reason: "end time or duration unreadable".into(),
            });
            continue;
        };
        let caller = f(Some(caller_i));
        if caller.is_empty() {
            bad.push(BadRow {
                line,
                reason: "no caller number".into(),
            });
            continue;
        }
        let answered_at = when(f(answer_i));
        let key = match key_i {
            Some(_) if !f(key_i).is_empty() => format!("{name}:{}", f(key_i)),
            _ => format!("{name}:{caller}|{}|{}", f(Some(start_i)), f(callee_i)),
        };
        calls.push(Call {
            key,
            caller: normalise(caller),
            callee: f(callee_i).to_string(),
            extension: answered_at
                .and(Some(f(ext_i).to_string()))
                .filter(|e| !e.is_empty()),
            started_at,
            answered_at,
            ended_at,
            disposition: if answered_at.is_some() {
                "ANSWERED".into()
            } else {
                "NO ANSWER".into()
            },
        });
    }
    Ok((calls, bad))
}

/// One call in a drill-down.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CallRow {
    pub id: i64,
    pub caller: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub ring_seconds: Option<i64>,
    pub seconds: i64,
    pub disposition: String,
    pub ticket: Option<String>,
    pub agent: Option<String>,
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
    fn any_csv_through_a_mapping() {
        let m: Mapping = serde_json::from_value(serde_json::json!({
            "caller": "主叫号码", "start": "呼入时间", "answer": "接听时间", "duration": "通话秒数", "extension": "坐席工号", "key": "流水号"
        }))
        .expect("mapping");
        let csv = "\u{feff}流水号,主叫号码,呼入时间,接听时间,通话秒数,坐席工号\n                   A1,138 1234 5678,2026-10-08 09:00:00,2026-10-08 09:00:06,120,8001\n                   A2,13900000000,2026-10-08 09:05:00,,15,\n                   A3,13900000001,yesterday,,15,\n";
        let (calls, bad) =
            parse_mapped(csv.as_bytes(), &m, "pbx", chrono_tz::Asia::Shanghai).expect("parse");
        assert_eq!(calls.len(), 2);
        assert_eq!(
            (
                calls[0].key.as_str(),
                calls[0].caller.as_str(),
                calls[0].extension.as_deref()
            ),
            ("pbx:A1", "13812345678", Some("8001"))
        );
        assert_eq!(
            (
                calls[1].answered_at,
                (calls[1].ended_at - calls[1].started_at).num_seconds()
            ),
            (None, 15)
        );
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [4]);
        let broken = Mapping {
            duration: None,
            ..m.clone()
        };
        assert_eq!(
            parse_mapped(csv.as_bytes(), &broken, "pbx", chrono_tz::Asia::Shanghai)
                .map_err(|e| e.code())
                .err(),
            Some("required")
        );
        let wrong = Mapping {
            caller: "电话".into(),
            ..m
        };
        assert_eq!(
            parse_mapped(csv.as_bytes(), &wrong, "pbx", chrono_tz::Asia::Shanghai)
                .map_err(|e| e.code())
                .err(),
            Some("import_row")
        );
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
