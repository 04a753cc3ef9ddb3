//! `hotline calls …`: call-detail records from the switch.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::Result;
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum CallsCmd {
    /// Import call-detail records (re-importing adds nothing)
    Import {
        file: PathBuf,
        /// asterisk (cdr_csv Master.csv), freeswitch (mod_cdr_csv default template) or mapping:NAME
        #[arg(long)]
        format: String,
    },
    /// Save a column mapping for another system's CSV, e.g.
    /// --spec '{"caller":"主叫号码","start":"呼入时间","answer":"接听时间","duration":"通话秒数"}'
    Mapping {
        name: String,
        #[arg(long)]
        spec: String,
    },
}

pub fn run(a: &Acting, cmd: CallsCmd, json: bool) -> Result<()> {
    match cmd {
        CallsCmd::Import { file, format } => {
            let tz = a.timezone()?;
            let input = std::fs::File::open(&file)?;
            let (calls, bad, source) = match format.strip_prefix("mapping:") {
                Some(name) => {
                    let m = a.cdr_mapping(name)?;
                    let (c, b) = hotline_core::cdr::parse_mapped(input, &m, name, tz)?;
                    (c, b, name.to_string())
                }
                None => {
                    let f: hotline_core::cdr::Format = format.parse()?;
                    let (c, b) = hotline_core::cdr::parse(input, f, tz)?;
                    (c, b, format.clone())
                }
            };
            let r = a.import_calls(&calls, &source, bad)?;
            print(json, serde_json::to_value(&r)?, || {
                let mut s: String = r
                    .bad_rows
                    .iter()
                    .map(|b| format!("line {}: {}\n", b.line, b.reason))
                    .collect();
                s += &format!(
                    "imported {} calls ({} already known), {} linked to tickets, {} to agents, {} rows refused",
                    r.imported,
                    r.duplicates,
                    r.linked_tickets,
                    r.linked_agents,
                    r.bad_rows.len()
                );
                s
            });
        }
        CallsCmd::Mapping { name, spec } => {
            let m: hotline_core::cdr::Mapping = serde_json::from_str(&spec)?;
            a.save_cdr_mapping(&name, &m)?;
            print(json, json!({ "saved": name }), || {
                format!("mapping {name} saved")
            });
        }
    }
    Ok(())
}
