//! Exports of the monthly report: CSV (UTF-8 with BOM, so Excel and WPS show Chinese)
//! and XLSX with a sheet per view and a sheet of formulas, in the user's language.

use crate::error::{Error, Result};
use crate::i18n::tr;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use std::io::Write;

/// Excel and WPS read a CSV file as UTF-8 only when it starts with this mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

fn pct(v: &Value) -> String {
    crate::report::percent_text(v.as_f64())
}

fn kpis(doc: &Value) -> impl Iterator<Item = &Value> {
    doc["report"]["kpis"].as_array().into_iter().flatten()
}

/// The KPI table as CSV: name, value, numerator, denominator, formula.
pub fn report_csv(doc: &Value, lang: &str, out: impl Write) -> Result<()> {
    let mut out = out;
    out.write_all(BOM)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(
        [
            "export.kpi",
            "export.value",
            "export.numerator",
            "export.denominator",
            "export.formula",
        ]
        .map(|k| tr(lang, k, &[])),
    )?;
    for k in kpis(doc) {
        let key = k["key"].as_str().unwrap_or("");
        w.write_record([
            tr(lang, &format!("kpi.{key}.name"), &[]),
            pct(&k["value"]),
            k["numerator"].to_string(),
            k["denominator"].to_string(),
            tr(lang, &format!("kpi.{key}.formula"), &[]),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

/// The whole month as a workbook.
pub fn report_xlsx(doc: &Value, lang: &str) -> Result<Vec<u8>> {
    let t = |k: &str| tr(lang, k, &[]);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let sheet_name = |k: &str| {
        t(k).chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect::<String>()
    };

    let ws = wb
        .add_worksheet()
        .set_name(sheet_name("export.sheet.kpis"))
        .map_err(xlsx_err)?;
    for (c, h) in [
        "export.kpi",
        "export.value",
        "export.numerator",
        "export.denominator",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, t(h), &bold)
            .map_err(xlsx_err)?;
    }
    for (i, k) in kpis(doc).enumerate() {
        let r = i as u32 + 1;
        let key = k["key"].as_str().unwrap_or("");
        ws.write_string(r, 0, t(&format!("kpi.{key}.name")))
            .map_err(xlsx_err)?;
        if let Some(v) = k["value"].as_f64() {
            ws.write_number_with_format(r, 1, v, &percent)
                .map_err(xlsx_err)?;
        } else {
            ws.write_string(r, 1, "—").map_err(xlsx_err)?;
        }
        ws.write_number(r, 2, k["numerator"].as_f64().unwrap_or(0.0))
            .map_err(xlsx_err)?;
        ws.write_number(r, 3, k["denominator"].as_f64().unwrap_or(0.0))
            .map_err(xlsx_err)?;
    }
    ws.set_column_width(0, 28).map_err(xlsx_err)?;

    let pairs = |sheet: &str,
                 rows: &Value,
                 label: &dyn Fn(&str) -> String|
     -> Result<(String, Vec<(String, f64)>)> {
        let v = rows
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    label(p[0].as_str().unwrap_or("")),
                    p[1].as_f64().unwrap_or(0.0),
                )
            })
            .collect();
        Ok((sheet_name(sheet), v))
    };
    let views = [
        pairs(
            "export.sheet.volume",
            &doc["report"]["volume_by_day"],
            &|d| d.to_string(),
        )?,
        pairs(
            "export.sheet.categories",
            &doc["report"]["by_category"],
            &|c| {
                let key = format!("category.{c}");
                let s = t(&key);
                if s == key {
                    c.to_string()
                } else {
                    s
                }
            },
        )?,
        pairs(
            "export.sheet.satisfaction",
            &doc["report"]["satisfaction"],
            &|s| t(&format!("satisfaction.{s}")),
        )?,
    ];
    for (name, rows) in views {
        let ws = wb.add_worksheet().set_name(name).map_err(xlsx_err)?;
        for (i, (label, n)) in rows.iter().enumerate() {
            ws.write_string(i as u32, 0, label).map_err(xlsx_err)?;
            ws.write_number(i as u32, 1, *n).map_err(xlsx_err)?;
        }
        ws.set_column_width(0, 24).map_err(xlsx_err)?;
    }

    for (sheet, key) in [
        ("export.sheet.departments", "departments"),
        ("export.sheet.agents", "agents"),
    ] {
        let ws = wb
            .add_worksheet()
            .set_name(sheet_name(sheet))
            .map_err(xlsx_err)?;
        for (c, h) in [
            "reports.rank",
            "field.name",
            "reports.score",
            "reports.change",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(0, c as u16, t(h), &bold)
                .map_err(xlsx_err)?;
        }
        for (i, a) in doc["assessment"][key]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let r = i as u32 + 1;
            if let Some(rank) = a["rank"].as_f64() {
                ws.write_number(r, 0, rank).map_err(xlsx_err)?;
            }
            ws.write_string(r, 1, a["name"].as_str().unwrap_or(""))
                .map_err(xlsx_err)?;
            if let Some(s) = a["score"].as_f64() {
                ws.write_number(r, 2, s).map_err(xlsx_err)?;
            }
            if let Some(c) = a["change"].as_f64() {
                ws.write_number(r, 3, c).map_err(xlsx_err)?;
            }
            for (j, k) in a["kpis"].as_array().into_iter().flatten().enumerate() {
                let col = 4 + j as u16;
                if i == 0 {
                    ws.write_string_with_format(
                        0,
                        col,
                        t(&format!("kpi.{}.name", k["key"].as_str().unwrap_or(""))),
                        &bold,
                    )
                    .map_err(xlsx_err)?;
                }
                if let Some(v) = k["value"].as_f64() {
                    ws.write_number_with_format(r, col, v, &percent)
                        .map_err(xlsx_err)?;
                }
            }
        }
        ws.set_column_width(1, 24).map_err(xlsx_err)?;
    }

    complaints_sheet(
        wb.add_worksheet()
            .set_name(sheet_name("export.sheet.complaints"))
            .map_err(xlsx_err)?,
        &doc["complaints"],
        &t,
        &bold,
        &percent,
    )?;

    let ws = wb
        .add_worksheet()
        .set_name(sheet_name("export.sheet.formulas"))
        .map_err(xlsx_err)?;
    ws.write_string_with_format(0, 0, t("export.kpi"), &bold)
        .map_err(xlsx_err)?;
    ws.write_string_with_format(0, 1, t("export.formula"), &bold)
        .map_err(xlsx_err)?;
    for (i, k) in kpis(doc).enumerate() {
        let key = k["key"].as_str().unwrap_or("");
        ws.write_string(i as u32 + 1, 0, t(&format!("kpi.{key}.name")))
            .map_err(xlsx_err)?;
        ws.write_string(i as u32 + 1, 1, t(&format!("kpi.{key}.formula")))
            .map_err(xlsx_err)?;
    }
    ws.set_column_width(0, 28).map_err(xlsx_err)?;
    ws.set_column_width(1, 70).map_err(xlsx_err)?;
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The complaint figures: the rates with their formulas, then the Pareto of root causes
/// and the counts by category and department, each with its cumulative share.
fn complaints_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Value,
    t: &dyn Fn(&str) -> String,
    bold: &rust_xlsxwriter::Format,
    percent: &rust_xlsxwriter::Format,
) -> Result<()> {
    let mut r = 0u32;
    ws.write_string_with_format(r, 0, t("reports.complaints_received"), bold)
        .map_err(xlsx_err)?;
    ws.write_number(r, 1, f["received"].as_f64().unwrap_or(0.0))
        .map_err(xlsx_err)?;
    for key in ["repeat", "ack_on_time", "measures_effective"] {
        let k = &f[key];
        let name = k["key"].as_str().unwrap_or("");
        r += 1;
        ws.write_string(r, 0, t(&format!("complaint_kpi.{name}.name")))
            .map_err(xlsx_err)?;
        if let Some(v) = k["value"].as_f64() {
            ws.write_number_with_format(r, 1, v, percent)
                .map_err(xlsx_err)?;
        }
        ws.write_number(r, 2, k["numerator"].as_f64().unwrap_or(0.0))
            .map_err(xlsx_err)?;
        ws.write_number(r, 3, k["denominator"].as_f64().unwrap_or(0.0))
            .map_err(xlsx_err)?;
        ws.write_string(r, 4, t(&format!("complaint_kpi.{name}.formula")))
            .map_err(xlsx_err)?;
    }
    let category = |c: &str| {
        let key = format!("category.{c}");
        let s = t(&key);
        if s == key {
            c.to_string()
        } else {
            s
        }
    };
    let cause = |c: &str| t(&format!("cause.category.{c}"));
    let department = |d: &str| {
        if d.is_empty() {
            t("reports.hotline_itself")
        } else {
            d.to_string()
        }
    };
    type Label<'a> = &'a dyn Fn(&str) -> String;
    let tables: [(&str, &str, Label); 3] = [
        ("cause.title", "by_cause", &cause),
        ("reports.complaint_categories", "by_category", &category),
        (
            "reports.complaint_departments",
            "by_department",
            &department,
        ),
    ];
    for (title, key, label) in tables {
        r += 2;
        ws.write_string_with_format(r, 0, t(title), bold)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(r, 1, t("reports.count"), bold)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(r, 2, t("reports.cumulative"), bold)
            .map_err(xlsx_err)?;
        for b in f[key].as_array().into_iter().flatten() {
            r += 1;
            ws.write_string(r, 0, label(b["key"].as_str().unwrap_or("")))
                .map_err(xlsx_err)?;
            ws.write_number(r, 1, b["count"].as_f64().unwrap_or(0.0))
                .map_err(xlsx_err)?;
            ws.write_number_with_format(r, 2, b["cumulative"].as_f64().unwrap_or(0.0), percent)
                .map_err(xlsx_err)?;
        }
    }
    ws.set_column_width(0, 28).map_err(xlsx_err)?;
    ws.set_column_width(4, 60).map_err(xlsx_err)?;
    Ok(())
}

/// Writes a report document to `path`: CSV when the name ends in `.csv`, else XLSX.
/// The report as the bytes of a CSV or an XLSX file (reports are small: built whole
/// before any file is touched).
pub fn report_bytes(doc: &Value, lang: &str, csv: bool) -> Result<Vec<u8>> {
    if csv {
        let mut out = Vec::new();
        report_csv(doc, lang, &mut out)?;
        Ok(out)
    } else {
        report_xlsx(doc, lang)
    }
}

/// Whether `path` names a CSV file (anything else is written as XLSX).
pub fn is_csv(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// `hotline-report-2026-11-01_2026-11-30.xlsx` for the document's period.
pub fn file_name(doc: &Value, csv: bool) -> String {
    let label: String = doc["period"]
        .as_str()
        .unwrap_or("")
        .replace(" – ", "_")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect();
    format!(
        "hotline-report-{label}.{}",
        if csv { "csv" } else { "xlsx" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "report": {
                "kpis": [{"key": "answer_rate", "numerator": 3, "denominator": 4, "value": 0.75}, {"key": "callback", "numerator": 0, "denominator": 0, "value": null}],
                "volume_by_day": [["2026-11-02", 5]], "by_category": [["help_request", 5]], "satisfaction": [["satisfied", 2]]
            },
            "assessment": {"agents": [], "departments": [{"rank": 1, "name": "水务集团", "score": 80.0, "change": null, "kpis": [{"key": "satisfaction", "value": 0.8}]}]}
        })
    }

    #[test]
    fn csv_has_a_bom_and_translated_headers() {
        let mut out = Vec::new();
        report_csv(&doc(), "zh-CN", &mut out).expect("csv");
        assert!(out.starts_with(BOM));
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.contains("接通率,75.0%,3,4"), "{text}");
        assert!(text.contains("回访率,—,0,0"), "{text}");
    }

    #[test]
    fn files_are_named_by_period_and_written_by_extension() {
        let mut d = doc();
        d["period"] = json!("2026-11-01 – 2026-11-30");
        assert_eq!(
            file_name(&d, true),
            "hotline-report-2026-11-01_2026-11-30.csv"
        );
        assert!(is_csv(std::path::Path::new("x.CSV")));
        assert!(!is_csv(std::path::Path::new("x.xlsx")));
        let csv = report_bytes(&d, "en", true).expect("csv");
        let xlsx = report_bytes(&d, "en", false).expect("xlsx");
        assert!(csv.starts_with(BOM));
        assert!(xlsx.starts_with(b"PK"));
    }

    #[test]
    fn xlsx_is_a_workbook_with_a_sheet_per_view() {
        let bytes = report_xlsx(&doc(), "en").expect("xlsx");
        assert!(bytes.starts_with(b"PK"));
        let zip = String::from_utf8_lossy(&bytes);
        assert!(zip.contains("xl/worksheets/sheet8.xml"), "eight sheets");
    }
}
