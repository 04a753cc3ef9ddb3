//! `hotline customer history`: a caller's earlier tickets.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::Result;

#[derive(Subcommand)]
pub enum CustomerCmd {
    /// Every ticket of a caller, by any spelling of the number, newest first
    History { phone: String },
}

pub fn run(a: &Acting, cmd: CustomerCmd, json: bool) -> Result<()> {
    match cmd {
        CustomerCmd::History { phone } => {
            let rows = a.history(&phone)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{}  {}  {:<17} {}\n",
                            r.number,
                            r.received_at.to_rfc3339(),
                            r.status,
                            r.summary
                        )
                    })
                    .collect::<String>()
                    + &format!("{} tickets", rows.len())
            });
        }
    }
    Ok(())
}
