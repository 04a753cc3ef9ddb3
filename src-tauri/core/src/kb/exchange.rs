//! Articles as a sheet: CSV (UTF-8 with BOM, what Excel and WPS open) and XLSX, one
//! article a row, lists within a cell one item a line. What an import reads is checked
//! here row by row; the store resolves the codes and writes all rows or none.

use super::{Material, NewArticle};
use crate::error::{Error, Result};
use crate::report_file::BOM;
use chrono::NaiveDate;
use std::io::Cursor;

/// The columns, in order. `id`, `state` and `version` are written on export and ignored on
/// import (an import makes new drafts).
pub const HEADER: &[&str] = &[
    "id",
    "title",
    "questions",
    "answer",
    "category",
    "department",
    "keywords",
    "source",
    "material",
    "valid_from",
    "valid_until",
    "state",
    "version",
];

/// An article as a row: codes rather than ids.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub id: Option<i64>,
    pub article: NewArticle,
    /// A department code, resolved by the store.
    pub department: Option<String>,
    pub state: String,
    pub version: Option<i64>,
}

/// The format of a sheet, by its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    Csv,
    Xlsx,
}

impl Sheet {
    pub fn of(name: &str) -> Result<Sheet> {
        let lower = name.to_lowercase();
        if lower.ends_with(".csv") {
            Ok(Sheet::Csv)
        } else if lower.ends_with(".xlsx") {
            Ok(Sheet::Xlsx)
        } else {
            Err(Error::InvalidValue {
                field: "format",
                value: name.chars().take(80).collect(),
            })
        }
    }
}

/// A list cell: one item a line (also `|`, and `,` `，` `、` `;` for keywords).
fn items(cell: &str, commas: bool) -> Vec<String> {
    cell.split(|c: char| {
        c == '\n'
            || c == '|'
            || c == '｜'
            || (commas && matches!(c, ',' | '，' | '、' | ';' | '；'))
    })
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .map(str::to_string)
    .collect()
}

fn day(field: &'static str, cell: &str) -> Result<Option<NaiveDate>> {
    let c = cell.trim();
    if c.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(&c.replace('/', "-"), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Error::InvalidValue {
            field,
            value: c.chars().take(40).collect(),
        })
}

fn opt(cell: &str) -> Option<String> {
    Some(cell.trim().to_string()).filter(|s| !s.is_empty())
}

/// One row's cells (by the header's names) as an article, checked.
fn row(get: &dyn Fn(&str) -> String) -> Result<Row> {
    let material = match get("material").trim() {
        "" => None,
        m => Some(m.parse::<Material>().map_err(|_| Error::InvalidValue {
            field: "material",
            value: m.chars().take(40).collect(),
        })?),
    };
    let article = NewArticle {
        title: get("title"),
        questions: items(&get("questions"), false),
        answer: get("answer"),
        category: opt(&get("category")),
        department_id: None,
        keywords: items(&get("keywords"), true),
        source: get("source"),
        material,
        valid_from: day("valid_from", &get("valid_from"))?,
        valid_until: day("valid_until", &get("valid_until"))?,
    }
    .validated()?;
    Ok(Row {
        id: get("id").trim().parse().ok(),
        article,
        department: opt(&get("department")),
        state: get("state"),
        version: get("version").trim().parse().ok(),
    })
}

/// Reads a sheet's rows, each with its line number (the header is line 1). A sheet
/// without the `title` and `answer` columns, or a row that breaks a rule, is refused
/// with the line it is on.
pub fn read(bytes: &[u8], sheet: Sheet) -> Result<Vec<(u64, Row)>> {
    let table: Vec<Vec<String>> = match sheet {
        Sheet::Csv => {
            let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
            let mut rd = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(body);
            rd.records()
                .map(|r| Ok(r?.iter().map(str::to_string).collect()))
                .collect::<Result<_>>()?
        }
        Sheet::Xlsx => {
            use calamine::{Reader, Xlsx};
            let bad = |e: &dyn std::fmt::Display| Error::ImportRow {
                line: 0,
                reason: e.to_string(),
            };
            let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
            let first = wb
                .sheet_names()
                .first()
                .cloned()
                .ok_or_else(|| bad(&"no sheet"))?;
            let range = wb.worksheet_range(&first).map_err(|e| bad(&e))?;
            range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        }
    };
    let mut lines = table.into_iter();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    for need in ["title", "answer"] {
        if !header.iter().any(|h| h == need) {
            return Err(Error::ImportRow {
                line: 1,
                reason: format!("missing column {need}"),
            });
        }
    }
    let mut out = Vec::new();
    for (n, cells) in lines.enumerate() {
        let line = n as u64 + 2;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| cells.get(i))
                .cloned()
                .unwrap_or_default()
        };
        let r = row(&get).map_err(|e| Error::ImportRow {
            line,
            reason: e.to_string(),
        })?;
        out.push((line, r));
    }
    Ok(out)
}

fn cells(r: &Row) -> Vec<String> {
    let a = &r.article;
    vec![
        r.id.map(|i| i.to_string()).unwrap_or_default(),
        a.title.clone(),
        a.questions.join("\n"),
        a.answer.clone(),
        a.category.clone().unwrap_or_default(),
        r.department.clone().unwrap_or_default(),
        a.keywords.join("\n"),
        a.source.clone(),
        a.material
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        a.valid_from.map(|d| d.to_string()).unwrap_or_default(),
        a.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        r.state.clone(),
        r.version.map(|v| v.to_string()).unwrap_or_default(),
    ]
}

/// The rows as a sheet of the given format.
pub fn write(rows: &[Row], sheet: Sheet) -> Result<Vec<u8>> {
    match sheet {
        Sheet::Csv => {
            let mut out = BOM.to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(HEADER)?;
                for r in rows {
                    w.write_record(cells(r))?;
                }
                w.flush()?;
            }
            Ok(out)
        }
        Sheet::Xlsx => {
            let err =
                |e: rust_xlsxwriter::XlsxError| Error::Io(std::io::Error::other(e.to_string()));
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, h) in HEADER.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(err)?;
            }
            for (i, r) in rows.iter().enumerate() {
                for (c, v) in cells(r).iter().enumerate() {
                    ws.write_string(i as u32 + 1, c as u16, v).map_err(err)?;
                }
            }
            wb.save_to_buffer().map_err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Row {
        Row {
            id: Some(7),
            article: NewArticle {
                title: "居住证办理".into(),
                questions: vec!["怎么办居住证".into(), "居住证要什么材料".into()],
                answer: "携带身份证、租房合同到社区派出所办理，7个工作日内领证。".into(),
                category: Some("consultation".into()),
                department_id: None,
                keywords: vec!["居住证".into(), "派出所".into()],
                source: "《居住证暂行条例》".into(),
                material: Some(Material::Guide),
                valid_from: Some("2026-01-01".parse().expect("date")),
                valid_until: None,
            },
            department: Some("police".into()),
            state: "published".into(),
            version: Some(2),
        }
    }

    #[test]
    fn both_formats_read_back_what_they_wrote() {
        for sheet in [Sheet::Csv, Sheet::Xlsx] {
            let bytes = write(&[sample()], sheet).expect("written");
            let rows = read(&bytes, sheet).expect("read");
            assert_eq!(rows.len(), 1, "{sheet:?}");
            assert_eq!(rows[0].0, 2);
            assert_eq!(rows[0].1, sample(), "{sheet:?}");
        }
    }

    #[test]
    fn a_bad_row_is_refused_with_its_line() {
        let csv = "title,answer,material\n居住证,办理方法,guide\n,没有标题,faq\n";
        let e = read(csv.as_bytes(), Sheet::Csv).expect_err("refused");
        assert_eq!(e.code(), "import_row");
        assert_eq!(e.details()["line"], 3);
        let csv = "title,answer,material\n居住证,办理方法,leaflet\n";
        let e = read(csv.as_bytes(), Sheet::Csv).expect_err("refused");
        assert_eq!(e.details()["line"], 2);
        let e = read("name,text\nx,y\n".as_bytes(), Sheet::Csv).expect_err("no columns");
        assert_eq!(e.details()["line"], 1);
        let lists = "title,answer,keywords\n甲,乙,\"居住证，派出所、社区\"\n";
        let rows = read(lists.as_bytes(), Sheet::Csv).expect("read");
        assert_eq!(rows[0].1.article.keywords, ["居住证", "派出所", "社区"]);
        assert!(Sheet::of("articles.XLSX").is_ok());
        assert!(Sheet::of("articles.txt").is_err());
    }
}
