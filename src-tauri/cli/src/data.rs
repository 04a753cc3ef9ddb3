//! `hotline init`, `export`, `import` and `seed`: the data file and its content.

use crate::out::print;
use clap::{Args, ValueEnum};
use hotline_core::access::Acting;
use hotline_core::seed::SeedOptions;
use hotline_core::{Error, Result};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct InitArgs {
    /// Also load demo data (2 000 tickets over 60 days)
    #[arg(long)]
    pub demo: bool,
}

pub fn init(a: &Acting, db: &std::path::Path, args: InitArgs, json: bool) -> Result<()> {
    let InitArgs { demo } = args;

    let mut seeded = None;
    if demo {
        seeded = Some(a.load_demo(
            SeedOptions {
                tickets: 2000,
                days: 60,
                seed: 1,
                extra_calls: 0,
            },
            |_| {},
        )?);
    }
    print(json, json!({ "db": db, "seeded": seeded }), || {
        format!("ready: {}", db.display())
    });
    Ok(())
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Clear phone numbers and texts: needs the export_personal permission; logged
    #[arg(long)]
    pub personal: bool,
    /// Write here instead of standard output
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the file given with --out if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn export(a: &Acting, args: ExportArgs, json: bool) -> Result<()> {
    let ExportArgs {
        format,
        personal,
        out,
        force,
    } = args;

    let json_format = format == Format::Json;
    match &out {
        // Through a temporary file: a refused or failed export leaves no file behind and
        // an existing one untouched.
        Some(path) => {
            let n = a.export_tickets_file(json_format, personal, path, force)?;
            print(json, json!({ "exported": n }), || {
                format!("exported {n} tickets")
            });
        }
        None => {
            let mut sink = std::io::BufWriter::new(std::io::stdout().lock());
            a.export_tickets(json_format, personal, &mut sink)?;
            sink.flush()?;
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Import nothing if any row is bad
    #[arg(long)]
    pub strict: bool,
}

pub fn import(a: &Acting, args: ImportArgs, json: bool) -> Result<()> {
    let ImportArgs { file, strict } = args;

    let r = a.import_tickets(std::fs::File::open(&file)?, strict)?;
    let failed = !r.errors.is_empty();
    print(json, serde_json::to_value(&r)?, || {
        let mut s: String = r
            .errors
            .iter()
            .map(|e| format!("line {}: [{}] {}\n", e.line, e.code, e.message))
            .collect();
        s += &if r.written {
            format!(
                "imported {} tickets, {} rows refused",
                r.imported,
                r.errors.len()
            )
        } else {
            format!(
                "nothing imported (--strict): {} rows refused",
                r.errors.len()
            )
        };
        s
    });
    if failed && strict {
        return Err(Error::ImportRow {
            line: r.errors[0].line,
            reason: r.errors[0].message.clone(),
        });
    }
    Ok(())
}

#[derive(Args)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 2000)]
    pub tickets: u64,
    #[arg(long, default_value_t = 60)]
    pub days: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Calls per ticket answered without a ticket (the benchmark uses 2)
    #[arg(long, default_value_t = 0)]
    pub extra_calls: u32,
}

pub fn seed(a: &Acting, args: SeedArgs, json: bool) -> Result<()> {
    let SeedArgs {
        tickets,
        days,
        seed,
        extra_calls,
    } = args;

    let started = std::time::Instant::now();
    let r = a.load_demo(
        SeedOptions {
            tickets,
            days,
            seed,
            extra_calls,
        },
        |n| {
            if !json {
                eprint!("\rseeded {n}/{tickets}");
            }
        },
    )?;
    if !json {
        eprintln!();
    }
    let secs = started.elapsed().as_secs_f64();
    print(json, json!({ "report": r, "seconds": secs }), || {
        format!(
            "seeded {} tickets, {} events in {secs:.1} s: {:?}",
            r.tickets, r.events, r.by_status
        )
    });
    Ok(())
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}
