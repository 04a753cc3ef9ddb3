//! `hotline call COMMAND [--args JSON]`: any command of the core's registry, exactly as
//! the desk's window calls it (same arguments, same checks, same JSON result), run as the
//! acting user. Exports land in the current folder.

use crate::out::print;
use clap::Args;
use hotline_core::files::Progress;
use hotline_core::registry::{self, Ctx, Host};
use hotline_core::session::Seat;
use hotline_core::{Error, Result, Store};
use std::path::PathBuf;

#[derive(Args)]
pub struct CallArgs {
    /// A command of the registry, e.g. queue_counts, list_tickets, get_ticket
    pub command: String,
    /// Its arguments as one JSON object, e.g. '{"id": 7}'
    #[arg(long, default_value = "{}")]
    pub args: String,
}

struct Terminal;

impl Host for Terminal {
    fn data_label(&self) -> String {
        String::new()
    }

    fn downloads(&self) -> PathBuf {
        PathBuf::from(".")
    }

    fn progress(&self, p: Progress) {
        eprint!("\r{} {} / {} bytes", p.stage, p.done, p.total);
    }

    fn open_reports(&self) -> Result<()> {
        Err(Error::NotConfigured("the reporting window"))
    }
}

pub fn run(store: &Store, actor: i64, args: CallArgs, json: bool) -> Result<()> {
    let input: serde_json::Value =
        serde_json::from_str(&args.args).map_err(|e| Error::InvalidArguments {
            command: args.command.clone(),
            reason: e.to_string(),
        })?;
    let seat = Seat::default();
    seat.assume(store, actor)?;
    let ctx = Ctx {
        store,
        seat: &seat,
        host: &Terminal,
    };
    let out = registry::call(&ctx, &args.command, input)?;
    print(json, out.clone(), || {
        serde_json::to_string_pretty(&out).unwrap_or_default()
    });
    Ok(())
}
