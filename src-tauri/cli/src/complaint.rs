//! `hotline complaint …`: a complaint ticket's case from the command line — show it, record
//! the remedy sought, acknowledge, assess urgency × impact, give the legal opinion, and
//! the legal reviewer's queue.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::complaint::{Grade, NewAssessment, NewOpinion};
use hotline_core::store::Complaint;
use hotline_core::Result;

#[derive(Subcommand)]
pub enum ComplaintCmd {
    /// A complaint ticket's case: remedy, acknowledgement, assessment, legal opinions
    Show { ticket: String },
    /// Record the remedy the complainant seeks
    Remedy {
        ticket: String,
        #[arg(long)]
        remedy: String,
    },
    /// Tell the complainant their complaint was received: phone, sms, email, letter
    Ack {
        ticket: String,
        #[arg(long, default_value = "phone")]
        method: String,
    },
    /// Assess urgency × impact (1 low … 3 high); the matrix suggests the rest
    Assess {
        ticket: String,
        #[arg(long)]
        urgency: i64,
        #[arg(long)]
        impact: i64,
        /// Override the suggested severity: general, serious, major, extraordinary
        #[arg(long)]
        severity: Option<String>,
        /// Override whether legal review is needed
        #[arg(long)]
        risky: Option<bool>,
        /// Required when the override takes less care than the matrix
        #[arg(long)]
        note: Option<String>,
    },
    /// A legal opinion: cleared (the answer may go out) or revise
    Legal {
        ticket: String,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        opinion: String,
    },
    /// Risky complaints for the legal reviewer, those held first
    Held,
}

fn human(k: &Complaint) -> String {
    let mut s = format!(
        "remedy: {}\nacknowledged: {}\n",
        if k.remedy.is_empty() {
            "—"
        } else {
            &k.remedy
        },
        k.acknowledged_at.map_or_else(
            || format!("no (due {})", k.ack_due_at.to_rfc3339()),
            |t| t.to_rfc3339()
        )
    );
    if let (Some(u), Some(i), Some(sev)) = (k.urgency, k.impact, k.suggested) {
        s.push_str(&format!(
            "assessed: urgency {} × impact {} → {sev:?}{}{}\n",
            u.get(),
            i.get(),
            if k.risky { ", legal review" } else { "" },
            if k.emergency { ", emergency plan" } else { "" }
        ));
    }
    for o in &k.opinions {
        s.push_str(&format!(
            "legal {} {} {}: {}\n",
            o.outcome.as_str(),
            o.at.to_rfc3339(),
            o.by_name,
            o.opinion
        ));
    }
    if k.relay_held {
        s.push_str("held: the answer waits for legal clearance\n");
    }
    s
}

pub fn run(a: &Acting, cmd: ComplaintCmd, json: bool) -> Result<()> {
    let done = |k: Complaint| -> Result<()> {
        print(json, serde_json::to_value(&k)?, || human(&k));
        Ok(())
    };
    match cmd {
        ComplaintCmd::Show { ticket } => {
            let id = a.ticket_id_by_number(&ticket)?;
            let k = a
                .complaint(id)?
                .ok_or_else(|| hotline_core::Error::NotFound {
                    entity: "complaint",
                    key: ticket.clone(),
                })?;
            done(k)
        }
        ComplaintCmd::Remedy { ticket, remedy } => {
            done(a.set_remedy(a.ticket_id_by_number(&ticket)?, &remedy)?)
        }
        ComplaintCmd::Ack { ticket, method } => {
            done(a.acknowledge_complaint(a.ticket_id_by_number(&ticket)?, method.parse()?)?)
        }
        ComplaintCmd::Assess {
            ticket,
            urgency,
            impact,
            severity,
            risky,
            note,
        } => {
            let assessment = NewAssessment {
                urgency: Grade::try_from(urgency)?,
                impact: Grade::try_from(impact)?,
                severity: severity.map(|s| s.parse()).transpose()?,
                risky,
                note,
            };
            done(a.assess_complaint(a.ticket_id_by_number(&ticket)?, &assessment)?)
        }
        ComplaintCmd::Legal {
            ticket,
            outcome,
            opinion,
        } => {
            let o = NewOpinion {
                outcome: outcome.parse()?,
                opinion,
            };
            done(a.legal_opinion(a.ticket_id_by_number(&ticket)?, &o)?)
        }
        ComplaintCmd::Held => {
            let rows = a.held_complaints()?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{}  {}  {}\n",
                            r.number,
                            if r.relay_held { "held   " } else { "cleared" },
                            r.summary
                        )
                    })
                    .collect()
            });
            Ok(())
        }
    }
}
