//! A PostgreSQL centre's backups, made with PostgreSQL's own tools.
//!
//! `pg_dump` in its custom format runs in a snapshot exported from the transaction that
//! read the manifest's figures, so the counts and the audit chain's head describe exactly
//! what was dumped; its output is encrypted on its way to the disk (no unencrypted dump is
//! written). A restore drill restores the decrypted dump with `pg_restore` into a scratch
//! database made for it on the same cluster — every table, index and constraint rebuilt,
//! foreign keys checked by PostgreSQL —, reads it there, and drops it: the role the
//! server connects as needs `CREATEDB`.

use super::audit;
use super::drill::{Check, Contents, Restored};
use super::pg::PgConn;
use super::pg_migrate::PG_MIGRATIONS;
use crate::error::{Error, Result};
use crate::files::{copy_progress, Progress};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Dumps the database at `url` into `out`; what the dump holds.
pub(super) fn dump(
    url: &str,
    mut out: &mut dyn Write,
    progress: &mut dyn FnMut(Progress),
) -> Result<Contents> {
    let conn = PgConn::connect(url)?;
    conn.read(true, |c| {
        let snapshot: String = c.query_row("SELECT pg_export_snapshot()", [], |r| r.get(0))?;
        let contents = Contents {
            tickets: c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?,
            schema_version: c.query_row(
                "SELECT coalesce(max(version), 0) FROM schema_version",
                [],
                |r| r.get(0),
            )?,
            chain: audit::verify(c)?,
        };
        let snapshot = format!("--snapshot={snapshot}");
        // Who has a ticket open (an unlogged table) is no part of the centre's history.
        let args = [
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--no-unlogged-table-data",
            snapshot.as_str(),
        ];
        let mut run = Run::start("pg_dump", url, &args, Stdio::piped())?;
        let copied = match run.child.stdout.take() {
            Some(mut stdout) => {
                copy_progress(&mut stdout, &mut out, 0, "dump", progress).map(|_| ())
            }
            None => Err(std::io::Error::other("no output")),
        };
        run.finish(copied)?;
        Ok(contents)
    })
}

/// Restores the decrypted dump at `plain` into a scratch database beside the centre's,
/// reads what it holds, and drops it again (also when the restore failed).
pub(super) fn inspect(url: &str, plain: &Path) -> Result<Restored> {
    let admin = PgConn::connect(url)?;
    let (collate, ctype): (String, String) = admin.read(false, |c| {
        Ok(c.query_row(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    })?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let scratch = format!("hotline_drill_{}_{nanos}", std::process::id());
    // Chinese search needs the centre's character classification there too.
    admin.batch(&format!(
        "CREATE DATABASE {scratch} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {} LC_CTYPE {}",
        literal(&collate),
        literal(&ctype)
    ))?;
    let restored = restore_and_read(&with_database(url, &scratch), plain);
    let dropped = admin.batch(&format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"));
    let restored = restored?;
    dropped?;
    Ok(restored)
}

fn restore_and_read(scratch: &str, plain: &Path) -> Result<Restored> {
    let file = plain.to_string_lossy();
    let args = [
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        file.as_ref(),
    ];
    let supported = PG_MIGRATIONS.last().map(|m| m.version).unwrap_or(0);
    if let Err(e) = Run::start("pg_restore", scratch, &args, Stdio::null())?.finish(Ok(())) {
        let detail = match e {
            Error::PgTool { detail, .. } => detail,
            other => return Err(other),
        };
        return Ok(Restored {
            checks: vec![Check::new("pg_restore", false, detail)],
            schema_version: 0,
            supported,
            tickets: -1,
            events: -1,
            chain: None,
        });
    }
    let mut checks = vec![Check::new(
        "pg_restore",
        true,
        "every table, index and constraint rebuilt; foreign keys checked".into(),
    )];
    PgConn::connect(scratch)?.read(true, |c| {
        let count = |table: &str| -> Result<i64> {
            Ok(c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        let schema_version = c.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )?;
        checks.extend(super::drill::evaluations(c, schema_version, PG_MIGRATIONS)?);
        Ok(Restored {
            checks,
            schema_version,
            supported,
            tickets: count("tickets")?,
            events: count("events")?,
            chain: Some(audit::verify(c)?),
        })
    })
}

/// A PostgreSQL client tool running against one database; what it says on stderr is
/// read aside (a full pipe would stop it) and becomes the error's detail.
struct Run {
    tool: &'static str,
    child: Child,
    stderr: std::thread::JoinHandle<String>,
}

impl Run {
    fn start(tool: &'static str, url: &str, args: &[&str], stdout: Stdio) -> Result<Run> {
        let (conninfo, password) = libpq(url);
        let mut cmd = Command::new(program(tool));
        cmd.args(args)
            .arg(format!("--dbname={conninfo}"))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped());
        // In the environment, not on the command line, where any user's `ps` shows it.
        if let Some(p) = password {
            cmd.env("PGPASSWORD", p);
        }
        let mut child = cmd.spawn().map_err(|e| Error::PgTool {
            tool,
            detail: if e.kind() == std::io::ErrorKind::NotFound {
                "not installed (Debian, Ubuntu: apt install postgresql-client)".into()
            } else {
                e.to_string()
            },
        })?;
        let mut pipe = child.stderr.take();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(p) = pipe.as_mut() {
                let _ = p.read_to_string(&mut text);
            }
            text
        });
        Ok(Run {
            tool,
            child,
            stderr,
        })
    }

    /// Waits for the tool; `fed` is how feeding it or reading its output went (a failure
    /// there stops the tool).
    fn finish(mut self, fed: std::io::Result<()>) -> Result<()> {
        if let Err(e) = fed {
            let _ = self.child.kill();
            let _ = self.child.wait();
            return Err(e.into());
        }
        let status = self.child.wait()?;
        let said = self.stderr.join().unwrap_or_default();
        if status.success() {
            return Ok(());
        }
        let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = lines[lines.len().saturating_sub(5)..].join(" / ");
        Err(Error::PgTool {
            tool: self.tool,
            detail: format!("{status}: {}", tail.chars().take(1000).collect::<String>()),
        })
    }
}

/// Debian and Ubuntu keep each version's tools apart: the newest, which dumps and
/// restores every older server; elsewhere the one on the PATH.
fn program(tool: &str) -> PathBuf {
    std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let path = e.path().join("bin").join(tool);
            path.is_file().then_some((version, path))
        })
        .max_by_key(|(v, _)| *v)
        .map_or_else(|| PathBuf::from(tool), |(_, p)| p)
}

/// The store's URL as libpq takes it, and its password apart. `sslrootcert` means to the
/// store that the certificate and host are verified: libpq's `verify-full`.
fn libpq(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (authority, password) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => match userinfo.split_once(':') {
            Some((user, pass)) => {
                // Percent-decoded as the store's client reads it.
                let decoded = format!("postgresql://u:{pass}@h")
                    .parse::<postgres::Config>()
                    .ok()
                    .and_then(|c| {
                        c.get_password()
                            .map(|p| String::from_utf8_lossy(p).into_owned())
                    });
                (format!("{user}@{hosts}"), decoded)
            }
            None => (authority.to_string(), None),
        },
        None => (authority.to_string(), None),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) if query.contains("sslrootcert=") => {
            let mut kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.starts_with("sslmode="))
                .collect();
            kept.push("sslmode=verify-full");
            format!("{path}?{}", kept.join("&"))
        }
        _ => tail.to_string(),
    };
    (format!("{scheme}://{authority}{tail}"), password)
}

/// The same URL naming another database of the cluster.
fn with_database(url: &str, database: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let query = tail.split_once('?').map(|(_, q)| format!("?{q}"));
    format!(
        "{scheme}://{authority}/{database}{}",
        query.unwrap_or_default()
    )
}

/// A text as an SQL literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
#[path = "pg_backup_tests.rs"]
mod tests;
