//! `hotline notice …`: supervision notices from the command line — issue a 催办通知书 or a
//! 督办单, acknowledge one, list them, and the month's notice list (通报).

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::supervision::NoticeKind;
use hotline_core::{Error, Result};

#[derive(Subcommand)]
pub enum NoticeCmd {
    /// Issue a document to the ticket's department (--kind urge: 催办通知书, supervise: 督办单)
    Issue {
        number: String,
        #[arg(long, default_value = "urge")]
        kind: String,
        #[arg(long)]
        note: String,
    },
    /// Acknowledge a document addressed to your department
    Ack {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Documents, newest first (--open: not yet acknowledged)
    List {
        #[arg(long)]
        department: Option<i64>,
        #[arg(long)]
        open: bool,
    },
    /// The month's notice list: departments urged at least twice for one ticket
    Month { month: String },
}

fn line(n: &hotline_core::store::Notice) -> String {
    format!(
        "#{} {} {}-{} {} {} {}\n",
        n.id,
        n.kind.as_str(),
        n.year,
        n.seq,
        n.number,
        n.department,
        if n.acknowledged_at.is_some() {
            "acknowledged"
        } else {
            "open"
        }
    )
}

pub fn run(a: &Acting, cmd: NoticeCmd, json: bool) -> Result<()> {
    match cmd {
        NoticeCmd::Issue { number, kind, note } => {
            let kind: NoticeKind = kind.parse().map_err(|_| Error::InvalidValue {
                field: "kind",
                value: kind.chars().take(20).collect(),
            })?;
            let n = a.issue_notice(a.ticket_id_by_number(&number)?, kind, &note)?;
            print(json, serde_json::to_value(&n)?, || line(&n));
        }
        NoticeCmd::Ack { id, note } => {
            let n = a.acknowledge_notice(id, note.as_deref())?;
            print(json, serde_json::to_value(&n)?, || line(&n));
        }
        NoticeCmd::List { department, open } => {
            let rows = a.notices(department, None, open)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(line).collect()
            });
        }
        NoticeCmd::Month { month } => {
            let rows = a.notice_list(&month)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|l| {
                        let t: Vec<String> =
                            l.tickets.iter().map(|(n, c)| format!("{n}×{c}")).collect();
                        format!("{}: {}\n", l.department, t.join(" "))
                    })
                    .collect()
            });
        }
    }
    Ok(())
}
