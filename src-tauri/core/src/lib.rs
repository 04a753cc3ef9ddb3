//! Hotline Desk domain: tickets, their lifecycle, the store. No Tauri here: the desktop
//! shell and the CLI are thin adapters over this crate.

pub mod access;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod calendar;
pub mod cdr;
pub mod clock;
pub mod error;
pub mod escalation;
pub mod exchange;
pub mod export;
pub mod i18n;
pub mod lifecycle;
pub mod mask;
pub mod model;
pub mod paths;
pub mod phone;
pub mod report;
pub mod search;
pub mod seed;
pub mod sla;
pub mod store;
pub mod ticket;
pub mod validate;

pub use clock::{Clock, FakeClock, SystemClock};
pub use error::{Error, Result, WireError};
pub use lifecycle::{Action, Policy};
pub use store::Store;
pub use ticket::NewTicket;
