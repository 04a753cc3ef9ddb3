//! `hotline roster …`: the 24-hour duty roster — show it, import it from CSV, and who is
//! on duty now (or at a given time).

use crate::out::print;
use chrono::{Duration, NaiveDate};
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::Result;

#[derive(Subcommand)]
pub enum RosterCmd {
    /// The roster of some days (default: today and the next six)
    Show {
        #[arg(long)]
        from: Option<NaiveDate>,
        #[arg(long)]
        to: Option<NaiveDate>,
    },
    /// Import a roster from CSV: day,shift,post,login[,backup] (refused whole if any
    /// row is bad or any minute would have no duty leader)
    Import { file: std::path::PathBuf },
    /// Roster DAYS days from FROM by a rotation: everyone in PEOPLE (logins or ids, at
    /// least one per shift) takes every shift in turn
    Rotate {
        #[arg(long)]
        from: NaiveDate,
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// Comma-separated logins or ids
        #[arg(long, value_delimiter = ',')]
        people: Vec<String>,
        #[arg(long, default_value = "leader")]
        post: String,
        /// The next in turn backs each shift up
        #[arg(long)]
        backups: bool,
    },
    /// Who is on duty now (or --at "YYYY-MM-DD HH:MM")
    Now {
        #[arg(long)]
        at: Option<String>,
    },
}

pub fn run(a: &Acting, cmd: RosterCmd, json: bool) -> Result<()> {
    let roster = |r: &hotline_core::store::Roster| -> String {
        r.assignments
            .iter()
            .map(|o| {
                let x = &o.assignment;
                let backup = if x.backup { " (backup)" } else { "" };
                format!(
                    "{}  {:<8} {:<9} {}{backup}\n",
                    x.day, o.shift_code, x.post, o.user_name
                )
            })
            .collect()
    };
    match cmd {
        RosterCmd::Show { from, to } => {
            let today = chrono::Utc::now()
                .with_timezone(&a.timezone()?)
                .date_naive();
            let from = from.unwrap_or(today);
            let r = a.roster(from, to.unwrap_or(from + Duration::days(6)))?;
            print(json, serde_json::to_value(&r)?, || roster(&r));
        }
        RosterCmd::Import { file } => {
            let r = a.import_roster(&std::fs::read_to_string(file)?)?;
            print(json, serde_json::to_value(&r)?, || {
                format!("{} assignments saved\n{}", r.assignments.len(), roster(&r))
            });
        }
        RosterCmd::Rotate {
            from,
            days,
            people,
            post,
            backups,
        } => {
            let ids = people
                .iter()
                .map(|p| a.user_id_by_login(p))
                .collect::<Result<Vec<i64>>>()?;
            let r = a.rotate_roster(from, days, post.parse()?, &ids, backups)?;
            print(json, serde_json::to_value(&r)?, || roster(&r));
        }
        RosterCmd::Now { at } => {
            let at = at.map(|t| a.parse_time(&t)).transpose()?;
            let now = a.on_duty(at)?;
            print(json, serde_json::to_value(&now)?, || {
                now.iter()
                    .map(|o| {
                        let backup = if o.assignment.backup { " (backup)" } else { "" };
                        format!(
                            "{:<9} {} ({}){backup}\n",
                            o.assignment.post, o.user_name, o.shift_code
                        )
                    })
                    .collect()
            });
        }
    }
    Ok(())
}
