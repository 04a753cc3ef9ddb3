//! An incident's report as a workbook, in the user's language: the summary, the timeline,
//! the checklist, the bulletins, the pages and the attached calls (masked), and the review
//! with its follow-ups when there is one. Built from the incident as the screens receive it.

use crate::error::{Error, Result};
use crate::i18n::tr;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde_json::Value;

fn err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

/// A time of the document in the centre's zone ("" when absent).
fn at(v: &Value, tz: Tz) -> String {
    serde_json::from_value::<DateTime<Utc>>(v.clone())
        .map(|d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// One sheet: a bold header row of translated keys, then the rows.
fn sheet(wb: &mut Workbook, name: String, header: &[String], rows: Vec<Vec<String>>) -> Result<()> {
    let bold = Format::new().set_bold();
    let name: String = name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let ws: &mut Worksheet = wb.add_worksheet().set_name(name).map_err(err)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)
            .map_err(err)?;
        ws.set_column_width(c as u16, 22).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
        }
    }
    Ok(())
}

/// The workbook of incident `d` (as `incident` returns it) with its review, if any.
pub fn incident_xlsx(d: &Value, review: Option<&Value>, lang: &str, tz: Tz) -> Result<Vec<u8>> {
    let t = |k: &str| tr(lang, k, &[]);
    let h = |keys: &[&str]| keys.iter().map(|k| t(k)).collect::<Vec<_>>();
    let mut wb = Workbook::new();
    let level = |v: &Value| t(&format!("incident.level.{}", text(v)));
    let mut summary = vec![
        vec![t("incident.number"), text(&d["number"])],
        vec![t("field.title"), text(&d["title"])],
        vec![
            t("incident.kind_label"),
            t(&format!("incident.kind.{}", text(&d["kind"]))),
        ],
        vec![t("field.level"), level(&d["level"])],
        vec![
            t("incident.status_label"),
            t(&format!("incident.status.{}", text(&d["status"]))),
        ],
        vec![t("field.area"), text(&d["area"])],
        vec![t("field.services"), text(&d["services"])],
        vec![t("field.started_at"), at(&d["started_at"], tz)],
        vec![t("incident.declared_by"), at(&d["declared_at"], tz)],
        vec![
            t("incident.plan"),
            tr(
                lang,
                "incident.plan_version",
                &[
                    ("level", level(&d["plan"]["level"])),
                    ("version", text(&d["plan"]["version"])),
                ],
            ),
        ],
        vec![t("incident.callers"), text(&d["callers"])],
        vec![t("field.summary"), text(&d["summary"])],
    ];
    if d["drill"].as_bool() == Some(true) {
        summary.push(vec![t("incident.drill"), "✓".into()]);
    }
    sheet(
        &mut wb,
        t("export.incident.summary"),
        &h(&["export.incident.field", "export.value"]),
        summary,
    )?;
    let rows = |key: &str, f: &dyn Fn(&Value) -> Vec<String>| -> Vec<Vec<String>> {
        d[key].as_array().into_iter().flatten().map(f).collect()
    };
    sheet(
        &mut wb,
        t("detail.timeline"),
        &h(&[
            "export.incident.time",
            "export.incident.actor",
            "export.incident.action",
            "field.note",
        ]),
        rows("events", &|e| {
            vec![
                at(&e["at"], tz),
                text(&e["actor_name"]),
                t(&format!("incident.action.{}", text(&e["action"]))),
                text(&e["note"]),
            ]
        }),
    )?;
    sheet(
        &mut wb,
        t("incident.checklist"),
        &h(&["field.step", "field.due_at", "export.incident.done"]),
        rows("steps", &|s| {
            let title = match text(&s["title"]).as_str() {
                "" => t(&format!("incident.step.{}", text(&s["key"]))),
                title => title.to_string(),
            };
            vec![title, at(&s["due_at"], tz), at(&s["done_at"], tz)]
        }),
    )?;
    sheet(
        &mut wb,
        t("incident.bulletin"),
        &h(&[
            "export.incident.version",
            "field.wording",
            "field.advice",
            "field.measures",
            "export.incident.approver",
            "export.incident.time",
        ]),
        rows("bulletins", &|b| {
            vec![
                text(&b["version"]),
                text(&b["wording"]),
                text(&b["advice"]),
                text(&b["measures"]),
                text(&b["approver_name"]),
                at(&b["published_at"], tz),
            ]
        }),
    )?;
    sheet(
        &mut wb,
        t("incident.paged"),
        &h(&[
            "export.incident.actor",
            "export.incident.tier",
            "export.incident.time",
            "export.incident.acked",
        ]),
        rows("pages", &|p| {
            vec![
                text(&p["user_name"]),
                t(&format!("incident.tier.{}", text(&p["tier"]))),
                at(&p["fired_at"], tz),
                at(&p["acked_at"], tz),
            ]
        }),
    )?;
    sheet(
        &mut wb,
        t("incident.linked"),
        &h(&[
            "incident.number",
            "field.caller_name",
            "field.phone",
            "incident.status_label",
        ]),
        rows("linked", &|c| {
            vec![
                text(&c["number"]),
                text(&c["caller_name"]),
                text(&c["phone"]),
                t(&format!("status.{}", text(&c["status"]))),
            ]
        }),
    )?;
    if let Some(r) = review {
        let mut lines = vec![
            vec![t("field.went_well"), text(&r["went_well"])],
            vec![t("field.went_badly"), text(&r["went_badly"])],
            vec![t("field.plan_changes"), text(&r["plan_changes"])],
        ];
        for f in r["follow_ups"].as_array().into_iter().flatten() {
            lines.push(vec![
                t("field.follow_up"),
                format!(
                    "{} · {} · {} · {}",
                    text(&f["title"]),
                    text(&f["owner_name"]),
                    at(&f["due_at"], tz),
                    at(&f["done_at"], tz)
                ),
            ]);
        }
        sheet(
            &mut wb,
            t("incident.review"),
            &h(&["export.incident.field", "export.value"]),
            lines,
        )?;
    }
    wb.save_to_buffer().map_err(err)
}

/// `hotline-incident-YJ20261202-01.xlsx`.
pub fn file_name(d: &Value) -> String {
    let number: String = text(&d["number"])
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("hotline-incident-{number}.xlsx")
}
