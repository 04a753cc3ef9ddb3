//! `hotline report`: KPIs and the monthly assessment.

use crate::out::print;
use clap::Args;
use hotline_core::access::Acting;
use hotline_core::Result;
use std::path::PathBuf;

#[derive(Args)]
pub struct ReportArgs {
    /// A month, e.g. 2026-10
    #[arg(long)]
    pub month: String,
    /// Department code
    #[arg(long)]
    pub department: Option<String>,
    /// Also write the report to FILE.xlsx or FILE.csv
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// Language of the export: zh-CN, zh-TW or en
    #[arg(long, default_value = "zh-CN")]
    pub lang: String,
    /// Replace the file given with --export if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: &Acting, args: ReportArgs, json: bool) -> Result<()> {
    let ReportArgs {
        month,
        department,
        export,
        lang,
        force,
    } = args;

    let department_id = department
        .map(|c| a.department_by_code(&c).map(|d| d.id))
        .transpose()?;
    let doc = a.monthly_report(&month, department_id)?;
    print_report(&doc, json);
    if let Some(path) = export {
        a.write_report(&doc, &lang, &path, force)?;
        if !json {
            println!("exported {}", path.display());
        }
    }
    Ok(())
}

fn print_report(doc: &serde_json::Value, json: bool) {
    let month = doc["period"].as_str().unwrap_or("");
    print(json, doc.clone(), || {
        let pct = |v: &serde_json::Value| hotline_core::report::percent_text(v.as_f64());
        let mut s = format!("{month}\n");
        for k in doc["report"]["kpis"].as_array().into_iter().flatten() {
            s += &format!(
                "  {:<20} {:>7}  = {} / {}\n",
                k["key"].as_str().unwrap_or(""),
                pct(&k["value"]),
                k["numerator"],
                k["denominator"]
            );
        }
        let r = &doc["report"];
        s += &format!(
            "  handling hours avg {}, p90 {}; overdue open {}\n",
            r["handling_hours_avg"], r["handling_hours_p90"], r["overdue_open"]
        );
        for d in doc["assessment"]["departments"]
            .as_array()
            .into_iter()
            .flatten()
        {
            s += &format!(
                "  #{:<3} {:<12} {}\n",
                d["rank"],
                d["name"].as_str().unwrap_or(""),
                d["score"]
            );
        }
        s
    });
}
