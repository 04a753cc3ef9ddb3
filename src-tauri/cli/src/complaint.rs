//! `hotline complaint …`: a complaint ticket's case from the command line — show it, record
//! the remedy sought, acknowledge, assess urgency × impact, give the legal opinion, and
//! the legal reviewer's queue.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::complaint::accountability::{NewDecision, NewFinding};
use hotline_core::complaint::cause::{Effectiveness, NewCause, NewMeasure};
use hotline_core::complaint::{Grade, NewAssessment, NewOpinion};
use hotline_core::store::{Complaint, Finding, Measure};
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
    /// Root cause: people, process, product, system, policy, external; the whys in order
    /// (five_whys) or D1…D8 (eight_d), each a --step
    Cause {
        ticket: String,
        #[arg(long)]
        category: String,
        #[arg(long, default_value = "five_whys")]
        method: String,
        #[arg(long = "step")]
        steps: Vec<String>,
        #[arg(long)]
        summary: String,
    },
    /// An improvement measure: owner (user id), due date, months to watch for recurrence
    Measure {
        ticket: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        owner: i64,
        /// RFC 3339 or local "YYYY-MM-DD HH:MM"
        #[arg(long)]
        due: String,
        #[arg(long, default_value_t = 3)]
        watch_months: u32,
    },
    /// Improvement measures with their computed effectiveness (of a complaint, mine, or all)
    Measures {
        ticket: Option<String>,
        #[arg(long)]
        mine: bool,
    },
    /// Mark an improvement measure done
    MeasureDone {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Accountability: a finding about a member of staff and HR's proposal
    /// (assessment, reward, penalty, no_action)
    Accountability {
        ticket: String,
        #[arg(long)]
        staff: i64,
        #[arg(long)]
        finding: String,
        #[arg(long)]
        proposal: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Decide on a finding, effective on a day (YYYY-MM-DD)
    Decide {
        id: i64,
        #[arg(long)]
        decision: String,
        #[arg(long)]
        effective_on: String,
    },
    /// Answer a finding about yourself
    Respond {
        id: i64,
        #[arg(long)]
        response: String,
    },
    /// Findings (of a complaint, or all; --mine: those about you)
    Findings {
        ticket: Option<String>,
        #[arg(long)]
        mine: bool,
    },
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

/// Prints `rows` (their JSON is `value`), a line each.
fn list<T>(
    json: bool,
    rows: &[T],
    value: serde_json::Value,
    line: impl Fn(&T) -> String,
) -> Result<()> {
    print(json, value, || rows.iter().map(&line).collect());
    Ok(())
}

fn measure_line(m: &Measure) -> String {
    let state = match &m.effectiveness {
        Effectiveness::Open => "open".to_string(),
        Effectiveness::Watching { until } => format!("watching until {}", until.to_rfc3339()),
        Effectiveness::Effective { .. } => "effective".to_string(),
        Effectiveness::Recurred { tickets } => format!("recurred: {}", tickets.join(", ")),
    };
    format!(
        "#{} {} {} ({}) — {state}\n",
        m.id, m.number, m.title, m.owner_name
    )
}

fn finding_line(f: &Finding) -> String {
    format!(
        "#{} {} {}: {} [{}] {}\n",
        f.id,
        f.number,
        f.staff_name,
        f.finding,
        f.proposal.as_str(),
        f.decision.as_deref().unwrap_or("undecided")
    )
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
        ComplaintCmd::Cause {
            ticket,
            category,
            method,
            steps,
            summary,
        } => {
            let c = NewCause {
                category: category.parse()?,
                method: method.parse()?,
                steps,
                summary,
            };
            let c = a.set_cause(a.ticket_id_by_number(&ticket)?, &c)?;
            print(json, serde_json::to_value(&c)?, || {
                format!(
                    "{} ({}): {}\n",
                    c.category.as_str(),
                    c.method.as_str(),
                    c.summary
                )
            });
            Ok(())
        }
        ComplaintCmd::Measure {
            ticket,
            title,
            owner,
            due,
            watch_months,
        } => {
            let m = NewMeasure {
                title,
                owner_id: owner,
                due_at: a.parse_time(&due)?,
                watch_months,
            };
            let m = a.add_measure(a.ticket_id_by_number(&ticket)?, &m)?;
            list(
                json,
                std::slice::from_ref(&m),
                serde_json::to_value(&m)?,
                measure_line,
            )
        }
        ComplaintCmd::Measures { ticket, mine } => {
            let id = ticket.map(|t| a.ticket_id_by_number(&t)).transpose()?;
            let rows = a.measures(id, mine)?;
            list(json, &rows, serde_json::to_value(&rows)?, measure_line)
        }
        ComplaintCmd::MeasureDone { id, note } => {
            let m = a.complete_measure(id, note.as_deref())?;
            list(
                json,
                std::slice::from_ref(&m),
                serde_json::to_value(&m)?,
                measure_line,
            )
        }
        ComplaintCmd::Accountability {
            ticket,
            staff,
            finding,
            proposal,
            note,
        } => {
            let f = NewFinding {
                staff_id: staff,
                finding,
                proposal: proposal.parse()?,
                proposal_note: note,
            };
            let f = a.add_finding(a.ticket_id_by_number(&ticket)?, &f)?;
            list(
                json,
                std::slice::from_ref(&f),
                serde_json::to_value(&f)?,
                finding_line,
            )
        }
        ComplaintCmd::Decide {
            id,
            decision,
            effective_on,
        } => {
            let d = NewDecision {
                decision,
                effective_on: effective_on.parse().map_err(|_| {
                    hotline_core::Error::InvalidValue {
                        field: "effective_on",
                        value: effective_on.chars().take(40).collect(),
                    }
                })?,
            };
            let f = a.decide_finding(id, &d)?;
            list(
                json,
                std::slice::from_ref(&f),
                serde_json::to_value(&f)?,
                finding_line,
            )
        }
        ComplaintCmd::Respond { id, response } => {
            let f = a.respond_finding(id, &response)?;
            list(
                json,
                std::slice::from_ref(&f),
                serde_json::to_value(&f)?,
                finding_line,
            )
        }
        ComplaintCmd::Findings { ticket, mine } => {
            let id = ticket.map(|t| a.ticket_id_by_number(&t)).transpose()?;
            let rows = a.findings(id, mine)?;
            list(json, &rows, serde_json::to_value(&rows)?, finding_line)
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
