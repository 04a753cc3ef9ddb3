//! `hotline appeal …` and `hotline exclusion …`: the departments' assessment adjusted from
//! the command line — appeals of a month's entries (申诉) and tickets proposed as
//! unreasonable (不合理件), filed and decided.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::assessment::{AppealState, ExclusionReason, ExclusionState};
use hotline_core::{Error, Result};

#[derive(Subcommand)]
pub enum AppealCmd {
    /// Appeal one entry of a closed month's figures, with the evidence (a department)
    File {
        /// The ticket's number
        number: String,
        /// The month, e.g. 2026-11
        #[arg(long)]
        month: String,
        /// The figure: on_time_acceptance, on_time_handling, satisfaction, resolution, redispatch
        #[arg(long)]
        kpi: String,
        #[arg(long)]
        evidence: String,
    },
    /// Uphold (the entry leaves the figure) or reject (with --note) an appeal (a manager)
    Decide {
        id: i64,
        #[arg(long, conflicts_with = "reject")]
        uphold: bool,
        #[arg(long)]
        reject: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Appeals, newest first
    List {
        #[arg(long)]
        month: Option<String>,
        /// filed, upheld or rejected
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        department: Option<i64>,
    },
    /// The tickets counted against a department in each appealable figure of a month
    Entries {
        #[arg(long)]
        month: String,
        #[arg(long)]
        department: Option<i64>,
    },
}

#[derive(Subcommand)]
pub enum ExclusionCmd {
    /// Propose a ticket as unreasonable for its department's assessment
    Propose {
        number: String,
        /// outside_jurisdiction, litigation_or_petition, unlawful_demand, secret_or_privacy,
        /// untrue, unreasonable_demand or malicious
        #[arg(long)]
        reason: String,
        #[arg(long)]
        evidence: String,
    },
    /// Approve (the ticket leaves its department's figures) or refuse (with --note)
    Decide {
        id: i64,
        #[arg(long, conflicts_with = "refuse")]
        approve: bool,
        #[arg(long)]
        refuse: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Proposals and decisions, newest first
    List {
        /// proposed, approved or refused
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        department: Option<i64>,
    },
}

/// Exactly one of two flags: the decision.
fn yes_or_no(command: &str, yes: bool, no: bool) -> Result<bool> {
    if yes == no {
        return Err(Error::InvalidArguments {
            command: command.into(),
            reason: "give one decision".into(),
        });
    }
    Ok(yes)
}

fn parsed<T: std::str::FromStr>(field: &'static str, value: &str) -> Result<T> {
    value.parse().map_err(|_| Error::InvalidValue {
        field,
        value: value.chars().take(40).collect(),
    })
}

fn appeal_line(a: &hotline_core::store::Appeal) -> String {
    format!(
        "#{} {} {} {} {} [{}]{}\n",
        a.id,
        a.month,
        a.number,
        a.department,
        a.kpi,
        a.state.as_str(),
        a.note
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default()
    )
}

fn exclusion_line(x: &hotline_core::store::Exclusion) -> String {
    format!(
        "#{} {} {} {} [{}]{}\n",
        x.id,
        x.number,
        x.department,
        x.reason.as_str(),
        x.state.as_str(),
        x.note
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default()
    )
}

pub fn run(a: &Acting, cmd: AppealCmd, json: bool) -> Result<()> {
    match cmd {
        AppealCmd::File {
            number,
            month,
            kpi,
            evidence,
        } => {
            let r = a.file_appeal(a.ticket_id_by_number(&number)?, &month, &kpi, &evidence)?;
            print(json, serde_json::to_value(&r)?, || appeal_line(&r));
        }
        AppealCmd::Decide {
            id,
            uphold,
            reject,
            note,
        } => {
            let uphold = yes_or_no("appeal decide", uphold, reject)?;
            let r = a.decide_appeal(id, uphold, note.as_deref())?;
            print(json, serde_json::to_value(&r)?, || appeal_line(&r));
        }
        AppealCmd::List {
            month,
            state,
            department,
        } => {
            let state: Option<AppealState> = state.map(|s| parsed("state", &s)).transpose()?;
            let rows = a.appeals(month.as_deref(), state, department)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(appeal_line).collect()
            });
        }
        AppealCmd::Entries { month, department } => {
            let rows = a.department_entries(department, &month)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|e| {
                        let numbers: Vec<&str> =
                            e.tickets.iter().map(|t| t.number.as_str()).collect();
                        format!("{} ({}): {}\n", e.kpi, numbers.len(), numbers.join(" "))
                    })
                    .collect()
            });
        }
    }
    Ok(())
}

pub fn run_exclusion(a: &Acting, cmd: ExclusionCmd, json: bool) -> Result<()> {
    match cmd {
        ExclusionCmd::Propose {
            number,
            reason,
            evidence,
        } => {
            let reason: ExclusionReason = parsed("reason", &reason)?;
            let r = a.propose_exclusion(a.ticket_id_by_number(&number)?, reason, &evidence)?;
            print(json, serde_json::to_value(&r)?, || exclusion_line(&r));
        }
        ExclusionCmd::Decide {
            id,
            approve,
            refuse,
            note,
        } => {
            let approve = yes_or_no("exclusion decide", approve, refuse)?;
            let r = a.decide_exclusion(id, approve, note.as_deref())?;
            print(json, serde_json::to_value(&r)?, || exclusion_line(&r));
        }
        ExclusionCmd::List { state, department } => {
            let state: Option<ExclusionState> = state.map(|s| parsed("state", &s)).transpose()?;
            let rows = a.exclusions(state, department)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(exclusion_line).collect()
            });
        }
    }
    Ok(())
}
