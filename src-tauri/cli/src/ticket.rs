//! `hotline ticket …`: log calls, show, list and act on tickets.

use crate::out::print;
use clap::{Args, Subcommand};
use hotline_core::access::Acting;
use hotline_core::model::{CallbackMethod, Channel, Satisfaction, Severity, Status, Urgency};
use hotline_core::store::{ListQuery, Sort};
use hotline_core::{Action, Error, NewTicket, Result};
use serde_json::json;

#[derive(Subcommand)]
pub enum TicketCmd {
    /// Log a call as a new ticket
    Create {
        /// The caller's name, if given
        #[arg(long, default_value = "")]
        name: String,
        /// Omit when withheld or when the channel has none
        #[arg(long, default_value = "")]
        phone: String,
        /// The caller asks to stay anonymous
        #[arg(long)]
        anonymous: bool,
        /// The number was withheld
        #[arg(long)]
        withheld: bool,
        #[arg(long)]
        description: String,
        /// Category code, e.g. consultation, complaint.service_attitude
        #[arg(long)]
        category: String,
        #[arg(long, default_value = "phone")]
        channel: String,
        #[arg(long, default_value = "general")]
        severity: String,
        #[arg(long, default_value = "normal")]
        urgency: String,
        /// When it happened: RFC 3339 or local "YYYY-MM-DD HH:MM"
        #[arg(long)]
        occurred_at: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        address: Option<String>,
    },
    /// Show a ticket with its timeline
    Show { number: String },
    /// List tickets (a queue)
    List {
        /// Filter by status (repeatable)
        #[arg(long)]
        status: Vec<String>,
        /// Department code
        #[arg(long)]
        department: Option<String>,
        /// Ticket number, phone number or words
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// received_desc, received_asc or due_asc
        #[arg(long, default_value = "received_desc")]
        sort: String,
    },
    /// Perform a lifecycle action on a ticket
    Act(ActArgs),
    /// 并单: merge a call into the open ticket it repeats
    Merge {
        number: String,
        /// The master ticket's number
        #[arg(long)]
        into: String,
    },
    /// Split a merged call back off its master, as it was before
    Split { number: String },
    /// Return requests waiting for the hotline's decision (退单审核)
    Returns,
    /// Decide a department's return: --approve, or refuse with --note
    ReviewReturn {
        number: String,
        #[arg(long)]
        approve: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Take a refused return to a supervisor (once)
    EscalateReturn {
        number: String,
        #[arg(long)]
        note: String,
    },
    /// The open tickets a call may repeat
    Duplicates {
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        category: String,
    },
}

pub fn run(a: &Acting, cmd: TicketCmd, json: bool) -> Result<()> {
    let time = |s: &str| a.parse_time(s);
    match cmd {
        TicketCmd::Create {
            name,
            phone,
            anonymous,
            withheld,
            description,
            category,
            channel,
            severity,
            urgency,
            occurred_at,
            email,
            address,
        } => {
            let new = NewTicket {
                caller_name: name,
                phone,
                description,
                category,
                occurred_at: occurred_at.as_deref().map(time).transpose()?,
                channel: channel.parse::<Channel>()?,
                severity: severity.parse::<Severity>()?,
                urgency: urgency.parse::<Urgency>()?,
                email,
                address,
                anonymous,
                withheld,
            };
            let t = a.intake(&new, None)?;
            print(json, serde_json::to_value(&t)?, || {
                format!("created {}", t.number)
            });
        }
        TicketCmd::Merge { number, into } => {
            let t = a.merge_ticket(
                a.ticket_id_by_number(&number)?,
                a.ticket_id_by_number(&into)?,
            )?;
            print(json, serde_json::to_value(&t)?, || {
                format!("{} merged into {into}", t.number)
            });
        }
        TicketCmd::Returns => {
            let rows = a.open_return_requests()?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{} {} [{}] {} {}\n",
                            r.number, r.department, r.state, r.reason_code, r.reason
                        )
                    })
                    .collect()
            });
        }
        TicketCmd::ReviewReturn {
            number,
            approve,
            note,
        } => {
            let r = a.decide_return(a.ticket_id_by_number(&number)?, approve, note.as_deref())?;
            print(json, serde_json::to_value(&r)?, || {
                format!("{} return {}", r.number, r.state)
            });
        }
        TicketCmd::EscalateReturn { number, note } => {
            let r = a.escalate_return(a.ticket_id_by_number(&number)?, &note)?;
            print(json, serde_json::to_value(&r)?, || {
                format!("{} return {}", r.number, r.state)
            });
        }
        TicketCmd::Split { number } => {
            let t = a.split_ticket(a.ticket_id_by_number(&number)?)?;
            print(json, serde_json::to_value(&t)?, || {
                format!("{} split off, {}", t.number, t.status)
            });
        }
        TicketCmd::Duplicates {
            phone,
            address,
            description,
            category,
        } => {
            let rows = a.duplicate_candidates(&phone, &address, &description, &category, None)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|c| {
                        format!(
                            "{} [{}] {} {:.0}% {}\n",
                            c.number,
                            c.status,
                            c.reason,
                            c.similarity * 100.0,
                            c.summary
                        )
                    })
                    .collect()
            });
        }
        TicketCmd::Show { number } => {
            let d = a.detail(a.ticket_id_by_number(&number)?)?.0;
            print(json, serde_json::to_value(&d)?, || {
                let t = &d.ticket;
                let mut s = format!(
                    "{}  {}  v{}\n{} {}  {}  {}/{}/{}\n{}\n",
                    t.number,
                    t.status,
                    t.version,
                    t.caller_name,
                    t.phone,
                    d.category.code,
                    t.channel,
                    t.severity,
                    t.urgency,
                    t.description
                );
                if let Some(dep) = &d.department {
                    s += &format!(
                        "department: {}  due: {}\n",
                        dep.name,
                        t.due_at.map(|d| d.to_rfc3339()).unwrap_or_default()
                    );
                }
                for e in &d.events {
                    s += &format!(
                        "  {}  {:<18} {:<10} {}\n",
                        e.at.to_rfc3339(),
                        e.action,
                        e.actor_name,
                        e.note.as_deref().unwrap_or("")
                    );
                }
                s
            });
        }
        TicketCmd::List {
            status,
            department,
            search,
            limit,
            offset,
            sort,
        } => {
            let q = ListQuery {
                statuses: status
                    .iter()
                    .map(|s| s.parse::<Status>())
                    .collect::<Result<_>>()?,
                department_id: department
                    .map(|c| a.department_by_code(&c).map(|d| d.id))
                    .transpose()?,
                search,
                limit,
                offset,
                sort: serde_json::from_value::<Sort>(json!(sort)).map_err(|_| {
                    Error::InvalidValue {
                        field: "sort",
                        value: sort.clone(),
                    }
                })?,
                ..Default::default()
            };
            let page = a.list(&q)?;
            print(json, serde_json::to_value(&page)?, || {
                let mut s = String::new();
                for r in &page.rows {
                    s += &format!(
                        "{}  {:<17} {:<13} {:<8} {:<11} {:<28} {}\n",
                        r.number,
                        r.status,
                        r.severity,
                        r.caller_name,
                        r.phone,
                        r.category_code,
                        r.summary
                    );
                }
                s + &format!("{} of {}", page.rows.len(), page.total)
            });
        }
        TicketCmd::Act(args) => {
            let id = a.ticket_id_by_number(&args.number)?;
            let version = match args.expect_version {
                Some(v) => v,
                None => a.detail(id)?.0.ticket.version,
            };
            let action = to_action(a, args.action, &time)?;
            let t = a.act(id, version, &action)?;
            print(json, serde_json::to_value(&t)?, || {
                format!(
                    "{} {} -> {} (v{})",
                    t.number,
                    action.name(),
                    t.status,
                    t.version
                )
            });
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct ActArgs {
    number: String,
    /// Fail with `conflict` unless the ticket is still at this version
    #[arg(long)]
    expect_version: Option<i64>,
    #[command(subcommand)]
    action: ActCmd,
}

#[derive(Subcommand)]
pub enum ActCmd {
    /// 直接答复: answer at once and close, or with --callback wait for the callback
    Answer {
        #[arg(long)]
        answer: String,
        /// Call the caller back later to check satisfaction
        #[arg(long)]
        callback: bool,
    },
    /// 转办: transfer slip to a department
    Transfer {
        /// Department code
        #[arg(long)]
        department: String,
        #[arg(long)]
        requirements: String,
        /// Handling deadline
        #[arg(long)]
        due: String,
        /// Acceptance deadline (returns are allowed until then)
        #[arg(long)]
        accept_due: Option<String>,
        /// A co-handling department's code (协办, repeatable)
        #[arg(long = "co")]
        co: Vec<String>,
        /// The co-handlers' deadline (default: the handling deadline)
        #[arg(long)]
        co_due: Option<String>,
    },
    /// 退回: a department's return is a request the hotline reviews (退单审核)
    Return {
        #[arg(long)]
        reason: String,
        /// territory, ownership, overlap, not_ours, incomplete, other
        #[arg(long)]
        code: Option<String>,
    },
    /// 签收
    Accept {
        #[arg(long)]
        note: Option<String>,
    },
    /// 延期申请
    RequestExtension {
        #[arg(long)]
        due: String,
        #[arg(long)]
        reason: String,
    },
    ApproveExtension {
        #[arg(long)]
        note: Option<String>,
    },
    RefuseExtension {
        #[arg(long)]
        note: String,
    },
    /// 办结回复
    Reply {
        #[arg(long)]
        result: String,
        /// The problem is resolved (one of --resolved or --unresolved is required)
        #[arg(long, conflicts_with = "unresolved")]
        resolved: bool,
        /// The problem is not resolved
        #[arg(long)]
        unresolved: bool,
    },
    /// 反馈: relay the result and record satisfaction
    Feedback {
        /// very_satisfied, satisfied, basically_satisfied, unsatisfied, very_unsatisfied
        #[arg(long)]
        satisfaction: String,
        #[arg(long)]
        note: Option<String>,
        /// New deadline when unsatisfied (发回重办)
        #[arg(long)]
        redispatch_due: Option<String>,
        /// Unsatisfied but not re-dispatched: why (closes the ticket)
        #[arg(long)]
        no_redispatch_reason: Option<String>,
    },
    /// 回访
    Callback {
        /// phone or questionnaire
        #[arg(long, default_value = "phone")]
        method: String,
        #[arg(long)]
        satisfaction: String,
        #[arg(long)]
        note: Option<String>,
    },
    Reopen {
        #[arg(long)]
        reason: String,
    },
    Comment {
        #[arg(long)]
        note: String,
    },
    /// 挂起: waiting for the caller, the SLA clock stops
    Pause {
        #[arg(long)]
        reason: String,
    },
    /// The clock runs again; the deadline moves by the working time waited
    Resume {
        #[arg(long)]
        note: Option<String>,
    },
    /// 补充: the caller adds information to the open ticket
    Supplement {
        #[arg(long)]
        note: String,
    },
    /// 催办: the caller urges the department (counted on the ticket)
    Urge {
        #[arg(long)]
        note: Option<String>,
    },
    /// 协办签收: a co-handling department accepts its part
    CoAccept {
        #[arg(long)]
        note: Option<String>,
    },
    /// 协办回复: a co-handling department's part of the result
    CoReply {
        #[arg(long)]
        result: String,
    },
    /// Waive a co-handling department's part (department code), with the reason
    CoWaive {
        #[arg(long)]
        department: String,
        #[arg(long)]
        reason: String,
    },
}

fn to_action(
    a: &Acting,
    cmd: ActCmd,
    time: &dyn Fn(&str) -> Result<chrono::DateTime<chrono::Utc>>,
) -> Result<Action> {
    Ok(match cmd {
        ActCmd::Answer { answer, callback } => Action::Answer {
            answer,
            callback,
            article: None,
        },
        ActCmd::Transfer {
            department,
            requirements,
            due,
            accept_due,
            co,
            co_due,
        } => Action::Transfer {
            department_id: a.department_by_code(&department)?.id,
            requirements,
            due_at: time(&due)?,
            accept_due_at: accept_due.as_deref().map(time).transpose()?,
            co_department_ids: co
                .iter()
                .map(|c| Ok(a.department_by_code(c)?.id))
                .collect::<Result<_>>()?,
            co_due_at: co_due.as_deref().map(time).transpose()?,
        },
        ActCmd::Return { reason, code } => Action::Return {
            reason,
            reason_code: code.map(|c| c.parse()).transpose()?,
        },
        ActCmd::Accept { note } => Action::Accept { note },
        ActCmd::RequestExtension { due, reason } => Action::RequestExtension {
            due_at: time(&due)?,
            reason,
        },
        ActCmd::ApproveExtension { note } => Action::ApproveExtension { note },
        ActCmd::RefuseExtension { note } => Action::RefuseExtension { note },
        ActCmd::Reply {
            result,
            resolved,
            unresolved,
        } => Action::Reply {
            result,
            // Neither flag: the domain's `required` error, as at the desk.
            resolved: (resolved || unresolved).then_some(resolved),
        },
        ActCmd::Feedback {
            satisfaction,
            note,
            redispatch_due,
            no_redispatch_reason,
        } => Action::Feedback {
            satisfaction: Some(satisfaction.parse::<Satisfaction>()?),
            note,
            redispatch_due_at: redispatch_due.as_deref().map(time).transpose()?,
            no_redispatch_reason,
        },
        ActCmd::Callback {
            method,
            satisfaction,
            note,
        } => Action::Callback {
            method: method.parse::<CallbackMethod>()?,
            satisfaction: Some(satisfaction.parse::<Satisfaction>()?),
            note,
        },
        ActCmd::Reopen { reason } => Action::Reopen { reason },
        ActCmd::Comment { note } => Action::Comment { note },
        ActCmd::Pause { reason } => Action::Pause { reason },
        ActCmd::Resume { note } => Action::Resume { note },
        ActCmd::Supplement { note } => Action::Supplement { note },
        ActCmd::Urge { note } => Action::Urge { note },
        ActCmd::CoAccept { note } => Action::CoAccept { note },
        ActCmd::CoReply { result } => Action::CoReply { result },
        ActCmd::CoWaive { department, reason } => Action::CoWaive {
            department_id: a.department_by_code(&department)?.id,
            reason,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::ActCmd;
    use clap::Subcommand;
    use hotline_core::model::ActionKind;

    /// Every lifecycle action can be taken from the command line, under its own name.
    #[test]
    fn every_action_has_its_subcommand() {
        let act = ActCmd::augment_subcommands(clap::Command::new("act"));
        let mut names: Vec<String> = act
            .get_subcommands()
            .map(|c| c.get_name().replace('-', "_"))
            .collect();
        let mut kinds: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort();
        kinds.sort_unstable();
        assert_eq!(names, kinds);
    }
}
