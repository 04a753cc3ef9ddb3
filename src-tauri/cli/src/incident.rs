//! `hotline incident …`: graded emergency response from the command line — declare,
//! raise or lower, attach calls, publish bulletins, resolve, list, and the plans.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::emergency::{IncidentAction, IncidentKind, Level, NewIncident};
use hotline_core::store::NewBulletin;
use hotline_core::Result;

#[derive(Subcommand)]
pub enum IncidentCmd {
    /// Incidents under way (--all: every one, newest first)
    List {
        #[arg(long)]
        all: bool,
    },
    /// One incident: plan, checklist, bulletins, timeline, calls
    Show { incident: String },
    /// Declare an incident (an agent's level above 1 is a proposal)
    Declare {
        #[arg(long)]
        title: String,
        /// service_outage, public_emergency, mass_complaint, hotline_failure,
        /// staff_shortage, other
        #[arg(long)]
        kind: String,
        /// 1 一般, 2 较大, 3 重大, 4 特别重大
        #[arg(long, default_value_t = 1)]
        level: i64,
        #[arg(long, default_value = "")]
        area: String,
        #[arg(long, default_value = "")]
        services: String,
        #[arg(long)]
        note: Option<String>,
        /// A drill: the same plan, outside every figure
        #[arg(long)]
        drill: bool,
    },
    /// Raise an incident to a higher level, with the reason
    Raise {
        incident: String,
        level: i64,
        #[arg(long)]
        reason: String,
    },
    /// Lower an incident's level, with the reason
    Lower {
        incident: String,
        level: i64,
        #[arg(long)]
        reason: String,
    },
    /// Attach a call (ticket number) to an incident under way
    Link { incident: String, ticket: String },
    /// Publish the next version of the bulletin (the wording callers are given)
    Bulletin {
        incident: String,
        #[arg(long)]
        wording: String,
        #[arg(long, default_value = "")]
        advice: String,
        #[arg(long, default_value = "")]
        measures: String,
        /// RFC 3339 or local "YYYY-MM-DD HH:MM"
        #[arg(long)]
        valid_until: Option<String>,
    },
    /// The response is over: resolve with a summary
    Resolve {
        incident: String,
        #[arg(long)]
        summary: String,
    },
    /// Suggestions to declare (a surge of calls, a cluster of tickets, a drill due)
    Suggestions {
        #[arg(long)]
        all: bool,
    },
    /// The plans in force (with --kind and --level: every version of one)
    Plans {
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        level: Option<i64>,
    },
}

fn act(a: &Acting, key: &str, action: IncidentAction, json: bool) -> Result<()> {
    let id = a.incident_id(key)?;
    let version = a.incident(id)?.row.incident.version;
    let i = a.act_incident(id, version, &action)?;
    print(json, serde_json::to_value(&i)?, || {
        format!("{} {} level {}", i.number, i.status, i.level)
    });
    Ok(())
}

pub fn run(a: &Acting, cmd: IncidentCmd, json: bool) -> Result<()> {
    match cmd {
        IncidentCmd::List { all } => {
            let rows = a.incidents(!all)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|r| {
                        let i = &r.incident;
                        format!(
                            "{}  L{}  {:<11} {:>3} callers  {}{}\n",
                            i.number,
                            i.level,
                            i.status,
                            r.callers,
                            i.title,
                            if i.drill { "  (drill)" } else { "" }
                        )
                    })
                    .collect()
            });
        }
        IncidentCmd::Show { incident } => {
            let d = a.incident(a.incident_id(&incident)?)?;
            print(json, serde_json::to_value(&d)?, || {
                let i = &d.row.incident;
                let mut s = format!(
                    "{} {} — level {}, {}, plan v{}\n",
                    i.number, i.title, i.level, i.status, d.plan.version
                );
                for st in &d.steps {
                    let done = if st.done_at.is_some() { "x" } else { " " };
                    s.push_str(&format!(
                        "  [{done}] {} due {}\n",
                        st.key,
                        st.due_at.to_rfc3339()
                    ));
                }
                if let Some(b) = d.bulletins.first() {
                    s.push_str(&format!("  bulletin v{}: {}\n", b.version, b.wording));
                }
                for e in &d.events {
                    s.push_str(&format!(
                        "  {} {} {}\n",
                        e.at.to_rfc3339(),
                        e.actor_name,
                        e.action
                    ));
                }
                s
            });
        }
        IncidentCmd::Declare {
            title,
            kind,
            level,
            area,
            services,
            note,
            drill,
        } => {
            let new = NewIncident {
                title,
                kind: kind.parse::<IncidentKind>()?,
                level: Level::try_from(level)?,
                area,
                services,
                category_id: None,
                started_at: None,
                note,
                drill,
            };
            let i = a.declare_incident(&new)?;
            print(json, serde_json::to_value(&i)?, || match i.proposed_level {
                Some(p) => format!(
                    "{} declared at level {} (level {p} proposed)",
                    i.number, i.level
                ),
                None => format!("{} declared at level {}", i.number, i.level),
            });
        }
        IncidentCmd::Raise {
            incident,
            level,
            reason,
        }
        | IncidentCmd::Lower {
            incident,
            level,
            reason,
        } => {
            let level = Level::try_from(level)?;
            act(
                a,
                &incident,
                IncidentAction::SetLevel { level, reason },
                json,
            )?;
        }
        IncidentCmd::Link { incident, ticket } => {
            let id = a.incident_id(&incident)?;
            let i = a.link_incident(id, a.ticket_id_by_number(&ticket)?)?;
            print(json, serde_json::to_value(&i)?, || {
                format!("{ticket} attached to {}", i.number)
            });
        }
        IncidentCmd::Bulletin {
            incident,
            wording,
            advice,
            measures,
            valid_until,
        } => {
            let valid_until = valid_until.map(|t| a.parse_time(&t)).transpose()?;
            let b = NewBulletin {
                wording,
                advice,
                measures,
                valid_until,
            };
            let out = a.publish_bulletin(a.incident_id(&incident)?, &b)?;
            print(json, serde_json::to_value(&out)?, || {
                format!("bulletin version {} published", out.version)
            });
        }
        IncidentCmd::Resolve { incident, summary } => {
            act(a, &incident, IncidentAction::Resolve { summary }, json)?;
        }
        IncidentCmd::Suggestions { all } => {
            let list = a.suggestions(!all)?;
            print(json, serde_json::to_value(&list)?, || {
                list.iter()
                    .map(|x| {
                        format!(
                            "{:>4}  {:<8} {:<9} {}  {}\n",
                            x.id,
                            x.kind,
                            x.status,
                            x.at.to_rfc3339(),
                            x.evidence
                        )
                    })
                    .collect()
            });
        }
        IncidentCmd::Plans { kind, level } => {
            let plans = match (kind, level) {
                (Some(k), Some(l)) => a.plan_versions(k.parse()?, Level::try_from(l)?)?,
                _ => a.plans()?,
            };
            print(json, serde_json::to_value(&plans)?, || {
                plans
                    .iter()
                    .map(|p| {
                        format!(
                            "{:<17} L{} v{}  {} steps, page ack {} min{}\n",
                            p.kind,
                            p.level,
                            p.version,
                            p.body.steps.len(),
                            p.body.ack_minutes,
                            if p.body.report_upward {
                                ", report upward"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect()
            });
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum DrillCmd {
    /// Start a drill: an incident marked as drill, on the same plan, its pages marked as
    /// drill, outside every figure and every caller's history
    Start {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "hotline_failure")]
        kind: String,
        #[arg(long, default_value_t = 2)]
        level: i64,
    },
}

pub fn drill(a: &Acting, cmd: DrillCmd, json: bool) -> Result<()> {
    let DrillCmd::Start { title, kind, level } = cmd;
    run(
        a,
        IncidentCmd::Declare {
            title,
            kind,
            level,
            area: String::new(),
            services: String::new(),
            note: None,
            drill: true,
        },
        json,
    )
}
