//! Hotline Desk domain: tickets, their lifecycle, the store, the permission door and the
//! command registry. No Tauri and no network here: the desktop shell and the CLI serve the
//! registry (`registry::commands()`). The floors the modules sit on are in
//! docs/architecture.md and enforced by `tests/layering.rs`.

#[macro_use]
mod macros;

pub mod access;
pub mod action;
pub mod alarms;
pub mod assessment;
pub mod attachment;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod cdr;
pub mod clock;
pub mod cohandling;
pub mod complaint;
pub mod dispatch;
pub mod duplicates;
pub mod emergency;
pub mod error;
pub mod exchange;
pub mod files;
pub mod i18n;
pub mod kb;
pub mod lifecycle;
pub mod local_time;
pub mod mask;
pub mod model;
pub mod paths;
pub mod permissions;
pub mod phone;
pub mod qa;
pub mod recording;
pub mod registry;
pub mod report;
pub mod report_file;
pub mod returns;
pub mod sealed;
pub mod search;
pub mod seed;
pub mod seed_causes;
pub mod seed_kb;
pub mod session;
pub mod settings;
pub mod sla;
pub mod slip;
pub mod sql_value;
pub mod store;
pub mod supervision;
pub mod ticket;
pub mod training;
pub mod validate;

pub use clock::{Clock, FakeClock, SystemClock};
pub use error::{Error, Result, WireError};
pub use lifecycle::{Action, Policy};
pub use store::Store;
pub use ticket::NewTicket;

/// What the benchmark (hotline-bench) needs from inside the store to run the same work as
/// raw SQL: opt-in, so no other crate reaches below the store's interface.
#[cfg(feature = "bench-internals")]
pub mod internals {
    pub use crate::store::{index_from, open_raw, suspend_search_triggers};
}
