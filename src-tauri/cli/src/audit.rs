//! `hotline audit …`: the hash-chained audit log.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::{Error, Result};

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the hash chain: any edited, removed or reordered entry is reported
    Verify,
    /// The newest entries
    List {
        #[arg(long)]
        action: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

pub fn run(a: &Acting, cmd: AuditCmd, json: bool) -> Result<()> {
    match cmd {
        AuditCmd::Verify => {
            let r = a.verify_audit()?;
            print(json, serde_json::to_value(&r)?, || match r.broken_at {
                None => format!("audit log intact: {} entries", r.entries),
                Some(at) => format!(
                    "audit log BROKEN at entry {at} ({})",
                    r.problem.as_deref().unwrap_or("")
                ),
            });
            if !r.ok {
                return Err(Error::BackupCorrupt {
                    reason: format!("audit chain broken at entry {}", r.broken_at.unwrap_or(0)),
                });
            }
        }
        AuditCmd::List { action, limit } => {
            let rows = a.audit_entries(&hotline_core::store::AuditQuery {
                action,
                limit: Some(limit),
                ..Default::default()
            })?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|e| {
                        format!(
                            "{:>6}  {}  {:<10} {:<20} {} {}\n",
                            e.id,
                            e.at.to_rfc3339(),
                            e.actor_name,
                            e.action,
                            e.target,
                            e.detail
                        )
                    })
                    .collect()
            });
        }
    }
    Ok(())
}
