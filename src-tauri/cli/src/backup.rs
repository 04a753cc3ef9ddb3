//! `hotline backup …`: encrypted backups, drills and restores.

use crate::out::{print, secret};
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::{Error, Result};
use serde_json::json;

/// The passphrase comes from $HOTLINE_BACKUP_PASSPHRASE, else the one set in the app.
#[derive(Subcommand)]
pub enum BackupCmd {
    /// Back up now (to the backup_dir setting, and backup_offsite_dir when set)
    Create,
    List,
    /// Decrypt and check a backup (a restore drill, recorded)
    Verify {
        name: String,
    },
    /// Replace the data with a backup (the current data is kept aside)
    Restore {
        name: String,
        /// Confirm: the current data is replaced
        #[arg(long)]
        yes: bool,
    },
    /// Set the passphrase of scheduled backups (from $HOTLINE_BACKUP_PASSPHRASE or standard input)
    Passphrase,
    /// Backup configuration and the last restore drill
    Status,
}

pub fn run(a: &Acting, cmd: BackupCmd, json: bool) -> Result<()> {
    let pass = std::env::var("HOTLINE_BACKUP_PASSPHRASE").ok();
    let mut progress = |p: hotline_core::files::Progress| {
        if !json {
            eprint!("\r{} {} / {} bytes", p.stage, p.done, p.total);
        }
    };
    let done = |json: bool| {
        if !json {
            eprintln!();
        }
    };
    match cmd {
        BackupCmd::Create => {
            let b = a.backup_now(pass.as_deref(), &mut progress)?;
            done(json);
            print(json, serde_json::to_value(&b)?, || {
                format!(
                    "backup {} in {}{}",
                    b.name,
                    b.folder,
                    if b.offsite { " (and offsite)" } else { "" }
                )
            });
        }
        BackupCmd::List => {
            let list = a.backups()?;
            print(json, serde_json::to_value(&list)?, || {
                list.iter()
                    .map(|b| {
                        format!(
                            "{}  {:>12} bytes  {:>8} tickets{}\n",
                            b.name,
                            b.manifest.as_ref().map(|m| m.bytes).unwrap_or(0),
                            b.manifest.as_ref().map(|m| m.tickets).unwrap_or(0),
                            if b.offsite { "  offsite" } else { "" }
                        )
                    })
                    .collect::<String>()
                    + &format!("{} backups", list.len())
            });
        }
        BackupCmd::Verify { name } => {
            let r = a.verify_backup(&name, pass.as_deref(), &mut progress)?;
            done(json);
            print(json, serde_json::to_value(&r)?, || {
                let mut s: String = r
                    .checks
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {:<18} {}\n",
                            if c.ok { "ok  " } else { "FAIL" },
                            c.name,
                            c.detail
                        )
                    })
                    .collect();
                s += if r.ok {
                    "backup verified"
                } else {
                    "backup FAILED verification"
                };
                s
            });
            if !r.ok {
                return Err(Error::BackupCorrupt {
                    reason: "verification failed".into(),
                });
            }
        }
        BackupCmd::Restore { name, yes } => {
            if !yes {
                return Err(Error::Required { field: "yes" });
            }
            let aside = a.restore_backup(&name, pass.as_deref(), &mut progress)?;
            done(json);
            print(json, json!({ "restored": name, "aside": aside }), || {
                format!(
                    "restored {name}; the previous data is kept in {}",
                    aside.display()
                )
            });
        }
        BackupCmd::Passphrase => {
            let p = match pass {
                Some(p) => p,
                None => secret("HOTLINE_BACKUP_PASSPHRASE", "passphrase")?,
            };
            a.set_backup_passphrase(&p)?;
            print(json, json!({ "set": true }), || "passphrase set".into());
        }
        BackupCmd::Status => {
            let st = a.backup_status()?;
            print(json, serde_json::to_value(&st)?, || {
                format!(
                    "configured: {}, passphrase: {}, last backup: {}, last good drill: {}{}",
                    st.configured,
                    st.passphrase_set,
                    st.last_backup.map(|t| t.to_rfc3339()).unwrap_or("-".into()),
                    st.last_good_drill
                        .as_ref()
                        .map(|d| d.at.to_rfc3339())
                        .unwrap_or("-".into()),
                    if st.drill_overdue {
                        "  (no successful drill in 30 days)"
                    } else {
                        ""
                    }
                )
            });
        }
    }
    Ok(())
}
