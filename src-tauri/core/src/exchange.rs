//! CSV and JSON exchange: exports every ticket, imports intake records from a CSV file.
//! CSV is UTF-8 with a BOM so that Excel and WPS open Chinese text correctly.

use crate::error::{Error, Result};
use crate::lifecycle::{apply, Action};
use crate::mask::Mask;
use crate::model::{Channel, Severity, Ticket, Urgency};
use crate::report_file::BOM;
use crate::store::{HistoricEvent, HistoricTicket, Store};
use crate::ticket::NewTicket;
use crate::ticket::{blank, created_event};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{Read, Write};

const EXPORT_HEADER: &[&str] = &[
    "number",
    "status",
    "received_at",
    "caller_name",
    "phone",
    "phone_ext",
    "category",
    "channel",
    "severity",
    "urgency",
    "description",
    "occurred_at",
    "department",
    "handler",
    "due_at",
    "satisfaction",
    "redispatch_count",
    "closed_at",
    "answer",
    "result",
    "anonymous",
    "phone_withheld",
    "email",
    "address",
    "urge_count",
];

struct Names {
    categories: HashMap<i64, String>,
    departments: HashMap<i64, String>,
    users: HashMap<i64, String>,
    tz: Tz,
}

fn names(store: &Store) -> Result<Names> {
    Ok(Names {
        categories: store
            .categories()?
            .into_iter()
            .map(|c| (c.id, c.code))
            .collect(),
        departments: store
            .departments()?
            .into_iter()
            .map(|d| (d.id, d.code))
            .collect(),
        users: store.users()?.into_iter().map(|u| (u.id, u.name)).collect(),
        tz: store.timezone()?,
    })
}

/// Writes every ticket as CSV, personal data masked when `masked`; returns how many.
pub fn export_csv(store: &Store, out: impl Write, masked: bool) -> Result<u64> {
    let n = names(store)?;
    let mut out = out;
    out.write_all(BOM)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EXPORT_HEADER)?;
    let local = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&n.tz).to_rfc3339())
            .unwrap_or_default()
    };
    let lookup = |m: &HashMap<i64, String>, id: Option<i64>| {
        id.and_then(|i| m.get(&i).cloned()).unwrap_or_default()
    };
    let mut count = 0;
    store.each_ticket(|t: &Ticket| {
        let masked_copy;
        let t = if masked {
            masked_copy = t.clone().masked();
            &masked_copy
        } else {
            t
        };
        w.write_record([
            t.number.clone(),
            t.status.to_string(),
            local(Some(t.received_at)),
            t.caller_name.clone(),
            t.phone.clone(),
            t.phone_ext.clone().unwrap_or_default(),
            lookup(&n.categories, Some(t.category_id)),
            t.channel.to_string(),
            t.severity.to_string(),
            t.urgency.to_string(),
            t.description.clone(),
            local(t.occurred_at),
            lookup(&n.departments, t.department_id),
            lookup(&n.users, t.handler_id),
            local(t.due_at),
            t.satisfaction.map(|s| s.to_string()).unwrap_or_default(),
            t.redispatch_count.to_string(),
            local(t.closed_at),
            t.answer.clone().unwrap_or_default(),
            t.result.clone().unwrap_or_default(),
            u8::from(t.anonymous).to_string(),
            u8::from(t.phone_withheld).to_string(),
            t.email.clone().unwrap_or_default(),
            t.address.clone().unwrap_or_default(),
            t.urge_count.to_string(),
        ])?;
        count += 1;
        Ok(())
    })?;
    w.flush()?;
    Ok(count)
}

/// Writes every ticket as a JSON array, streaming (no whole-store buffer).
pub fn export_json(store: &Store, mut out: impl Write, masked: bool) -> Result<u64> {
    let mut count = 0u64;
    out.write_all(b"[")?;
    store.each_ticket(|t| {
        if count > 0 {
            out.write_all(b",\n")?;
        }
        if masked {
            serde_json::to_writer(&mut out, &t.clone().masked())?;
        } else {
            serde_json::to_writer(&mut out, t)?;
        }
        count += 1;
        Ok(())
    })?;
    out.write_all(b"]\n")?;
    Ok(count)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowError {
    pub line: u64,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportReport {
    pub imported: u64,
    pub numbers: Vec<String>,
    pub errors: Vec<RowError>,
    /// With `strict`, any bad row means nothing was written.
    pub written: bool,
}

/// Imports intake records. Columns by header name: `caller_name`, `phone`,
/// `description`, `category` (required); `received_at`, `occurred_at`, `channel`,
/// `severity`, `urgency`, `answer` (a non-empty answer closes the ticket as answered at
/// once). Other columns (as in an export) are ignored. Bad rows are reported by line;
/// the good ones are written in one transaction, or none with `strict`.
pub fn import_csv(
    store: &Store,
    actor_id: i64,
    input: impl Read,
    strict: bool,
) -> Result<ImportReport> {
    let actor = store.user(actor_id)?;
    let tz = store.timezone()?;
    let categories: HashMap<String, i64> = store
        .categories()?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    let policy = crate::lifecycle::Policy::default();
    let now = store.now();
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = rd.headers()?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    for required in ["caller_name", "phone", "description", "category"] {
        if col(required).is_none() {
            return Err(Error::ImportRow {
                line: 1,
                reason: format!("missing column {required}"),
            });
        }
    }
    let mut good = Vec::new();
    let mut errors = Vec::new();
    for rec in rd.records() {
        let rec = rec?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |name: &str| {
            col(name)
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .unwrap_or("")
        };
        let row = (|| -> Result<HistoricTicket> {
            let time = |name: &str| -> Result<Option<DateTime<Utc>>> {
                match get(name) {
                    "" => Ok(None),
                    v => crate::local_time::parse_time(v, tz).map(Some),
                }
            };
            let received = time("received_at")?.unwrap_or(now);
            if received > now {
                return Err(Error::InvalidValue {
                    field: "received_at",
                    value: get("received_at").into(),
                });
            }
            let or = |name: &str, d: &str| -> String {
                match get(name) {
                    "" => d.to_string(),
                    v => v.to_string(),
                }
            };
            let flag = |name: &'static str| -> Result<bool> {
                match get(name) {
                    "" | "0" | "false" | "否" => Ok(false),
                    "1" | "true" | "是" => Ok(true),
                    v => Err(Error::InvalidValue {
                        field: name,
                        value: v.chars().take(20).collect(),
                    }),
                }
            };
            let new = NewTicket {
                caller_name: get("caller_name").into(),
                phone: get("phone").into(),
                description: get("description").into(),
                category: get("category").into(),
                occurred_at: time("occurred_at")?,
                channel: or("channel", "phone").parse::<Channel>()?,
                severity: or("severity", "general").parse::<Severity>()?,
                urgency: or("urgency", "normal").parse::<Urgency>()?,
                anonymous: flag("anonymous")?,
                withheld: flag("phone_withheld")?,
                email: Some(get("email"))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                address: Some(get("address"))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            };
            let v = new.validate(received)?;
            let cat = *categories.get(&v.category).ok_or_else(|| Error::NotFound {
                entity: "category",
                key: v.category.clone(),
            })?;
            let mut t = blank(&v, cat, actor.id);
            let mut events = vec![HistoricEvent {
                at: received,
                actor_id: actor.id,
                event: created_event(&t),
            }];
            if !get("answer").is_empty() {
                let out = apply(
                    &t,
                    &actor,
                    &Action::Answer {
                        answer: get("answer").into(),
                        callback: false,
                        article: None,
                    },
                    received,
                    &policy,
                )?;
                t = out.ticket;
                t.version += 1;
                events.extend(out.events.into_iter().map(|event| HistoricEvent {
                    at: received,
                    actor_id: actor.id,
                    event,
                }));
            }
            Ok(HistoricTicket { ticket: t, events })
        })();
        match row {
            Ok(h) => good.push(h),
            Err(e) => errors.push(RowError {
                line,
                code: e.code().into(),
                message: e.to_string(),
            }),
        }
    }
    if strict && !errors.is_empty() {
        return Ok(ImportReport {
            imported: 0,
            numbers: vec![],
            errors,
            written: false,
        });
    }
    let numbers = store.bulk(|b| good.iter().map(|h| b.insert(h)).collect::<Result<Vec<_>>>())?;
    Ok(ImportReport {
        imported: numbers.len() as u64,
        numbers,
        errors,
        written: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::store::testutil::store;
    use crate::store::ListQuery;

    const CSV: &str =
        "\u{feff}received_at,caller_name,phone,description,category,severity,answer\n\
        2026-11-01 09:30,张三,138 1234 5678,\"路灯不亮, 已三天\",help_request,general,\n\
        2026-11-01 10:00,李四,12345,描述,consultation,,\n\
        2026-11-01 10:05,王五,021-62345678,咨询社保,consultation,,已当场解答\n\
        2026-11-01 10:06,赵六,13900000000,描述,no_such_category,,\n\
        2030-01-01 10:06,钱七,13900000001,未来,consultation,,\n";

    #[test]
    fn import_reports_bad_rows_by_line_and_imports_the_rest() {
        let (_d, s, _c) = store();
        let r = import_csv(&s, 1, CSV.as_bytes(), false).expect("import");
        assert_eq!(r.imported, 2);
        assert_eq!(
            r.errors
                .iter()
                .map(|e| (e.line, e.code.as_str()))
                .collect::<Vec<_>>(),
            [(3, "phone_invalid"), (5, "not_found"), (6, "invalid_value")]
        );
        let page = s.list(&ListQuery::default()).expect("list");
        assert_eq!(page.total, 2);
        let closed = page
            .rows
            .iter()
            .find(|r| r.caller_name == "王五")
            .expect("row");
        assert_eq!(closed.status, Status::Closed);
        let first = page
            .rows
            .iter()
            .find(|r| r.caller_name == "张三")
            .expect("row");
        assert_eq!(first.number, "20261101-0001");
        assert_eq!(first.summary, "路灯不亮, 已三天");
    }

    #[test]
    fn strict_import_writes_nothing_on_any_bad_row() {
        let (_d, s, _c) = store();
        let r = import_csv(&s, 1, CSV.as_bytes(), true).expect("import");
        assert!(!r.written);
        assert_eq!(s.list(&ListQuery::default()).expect("list").total, 0);
        let e = import_csv(&s, 1, "name,phone\n".as_bytes(), false).expect_err("columns");
        assert_eq!(e.code(), "import_row");
    }

    #[test]
    fn export_round_trips_through_import() {
        let (_d, s, _c) = store();
        import_csv(&s, 1, CSV.as_bytes(), false).expect("import");
        let mut buf = Vec::new();
        assert_eq!(export_csv(&s, &mut buf, false).expect("export"), 2);
        assert!(buf.starts_with(BOM));
        let text = String::from_utf8(buf.clone()).expect("utf8");
        assert!(text.contains("\"路灯不亮, 已三天\""));
        let (_d2, s2, _c2) = store();
        let r = import_csv(&s2, 1, &buf[..], true).expect("re-import");
        assert_eq!((r.imported, r.errors.len()), (2, 0));
        let mut json = Vec::new();
        assert_eq!(export_json(&s, &mut json, false).expect("json"), 2);
        let v: serde_json::Value = serde_json::from_slice(&json).expect("valid json");
        assert_eq!(v.as_array().map(Vec::len), Some(2));
    }
}
