//! `hotline retention …`: anonymising old closed tickets.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::Result;

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// What anonymising would change now (the retention_months setting)
    Preview,
    /// Anonymise closed tickets older than retention_months
    Apply,
}

pub fn run(a: &Acting, cmd: RetentionCmd, json: bool) -> Result<()> {
    match cmd {
        RetentionCmd::Preview => {
            let p = a.retention_plan()?;
            print(json, serde_json::to_value(&p)?, || {
                format!(
                    "retention {} months: {} tickets, {} calls, {} customers would be anonymised",
                    p.months, p.tickets, p.calls, p.customers
                )
            });
        }
        RetentionCmd::Apply => {
            let p = a.anonymise()?;
            print(json, serde_json::to_value(&p)?, || {
                format!(
                    "anonymised {} tickets, {} calls, {} customers",
                    p.tickets, p.calls, p.customers
                )
            });
        }
    }
    Ok(())
}
