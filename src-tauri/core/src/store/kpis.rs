//! The KPIs counted over tickets, as SQL: the rows each counts and its numerator's and
//! denominator's conditions, shared by the report's counts, the drill-down to the tickets
//! behind a figure, and what the departments' assessment leaves out.

use super::db::ms;
use super::sql::Value as Sql;
use super::sql::{params_from_iter, Connection};
use crate::error::Result;
use crate::report::{KpiSettings, ReportQuery};

/// Ticket filters of a report as a SQL condition on alias `t` with positional values.
pub(super) fn filters(q: &ReportQuery) -> (String, Vec<Sql>) {
    let mut w = String::from(super::db::NOT_DRILL);
    let mut v = Vec::new();
    if let Some(d) = q.department_id {
        w.push_str(" AND t.department_id = ?");
        v.push(Sql::Integer(d));
    }
    if let Some(a) = q.agent_id {
        w.push_str(" AND t.created_by = ?");
        v.push(Sql::Integer(a));
    }
    if let Some(c) = q.category_id {
        w.push_str(" AND (t.category_id = ? OR t.category_id IN (SELECT id FROM categories WHERE parent_id = ?))");
        v.push(Sql::Integer(c));
        v.push(Sql::Integer(c));
    }
    if let Some(ch) = q.channel {
        w.push_str(" AND t.channel = ?");
        v.push(Sql::Text(ch.as_str().into()));
    }
    if let Some(sev) = q.severity {
        w.push_str(" AND t.severity = ?");
        v.push(Sql::Text(sev.as_str().into()));
    }
    (w, v)
}

/// `SELECT count(*)` of a condition with the period bound twice at most.
pub(super) fn count(c: &Connection, sql: &str, params: Vec<Sql>) -> Result<i64> {
    let numbered = super::queues::number(sql, 0);
    Ok(c.prepare_cached(&numbered)?
        .query_row(params_from_iter(params), |r| r.get(0))?)
}

fn satisfied_levels(s: &KpiSettings) -> &'static str {
    if s.basic_counts {
        "('very_satisfied', 'satisfied', 'basically_satisfied')"
    } else {
        "('very_satisfied', 'satisfied')"
    }
}

/// The rows a ticket KPI counts over: a period column of tickets, or events by time,
/// with the period as the first two parameters.
pub(super) const RECEIVED: &str = "FROM tickets t WHERE t.received_at >= ? AND t.received_at < ?";
pub(super) const ACCEPT_DUE: &str =
    "FROM tickets t WHERE t.accept_due_at >= ? AND t.accept_due_at < ?";
pub(super) const DUE: &str = "FROM tickets t WHERE t.due_at >= ? AND t.due_at < ?";
pub(super) const CLOSED: &str = "FROM tickets t WHERE t.closed_at >= ? AND t.closed_at < ?";
pub(super) const CALLBACK_DUE: &str =
    "FROM tickets t WHERE t.callback_due_at >= ? AND t.callback_due_at < ?";
/// The evaluations of a period that count (`COUNTED`: one per ticket, the first or the
/// last), each marked as such where it is kept (`evaluations`, migration 0046): asking each
/// of a month's evaluations for a later one cost more than the rest of the count.
pub(super) const FEEDBACK: &str = "FROM evaluations v JOIN tickets t ON t.id = v.ticket_id WHERE v.at >= ? AND v.at < ? AND COUNTED";
pub(super) const HANDLED: &str = "FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.at >= ? AND e.at < ? AND e.action IN ('redispatch', 'reply')";

/// The ticket KPIs: key, the rows counted, and the numerator's and the denominator's
/// condition on them. Counting and the drill-down to the tickets behind a figure share
/// these definitions.
///
/// Written so the period column's index drives every count: `+t.status` keeps SQLite off
/// the queue index (status has two values here, not a selective key), and `+x.action`
/// keeps the per-ticket `EXISTS` on that ticket's own events; left free, either plan
/// reads hundreds of thousands of rows at a million tickets.
pub(super) const TICKET_KPIS: &[(&str, &str, &str, &str)] = &[
    (
        "on_time_acceptance",
        ACCEPT_DUE,
        "EXISTS (SELECT 1 FROM events x WHERE x.ticket_id = t.id AND +x.action = 'accept' AND x.at <= t.accept_due_at)",
        "TRUE",
    ),
    (
        "on_time_handling",
        DUE,
        "t.replied_at IS NOT NULL AND t.replied_at <= t.due_at",
        "TRUE",
    ),
    (
        "closure",
        RECEIVED,
        "+t.status IN ('closed', 'archived')",
        "TRUE",
    ),
    (
        "satisfaction",
        FEEDBACK,
        "v.level IN SATISFIED",
        "TRUE",
    ),
    ("resolution", CLOSED, "t.resolved = TRUE", "TRUE"),
    (
        "direct_answer",
        RECEIVED,
        "EXISTS (SELECT 1 FROM events x WHERE x.ticket_id = t.id AND +x.action = 'answer')",
        "TRUE",
    ),
    (
        "callback",
        CALLBACK_DUE,
        "t.callback_method IS NOT NULL",
        "TRUE",
    ),
    (
        "redispatch",
        HANDLED,
        "e.action = 'redispatch'",
        "e.action = 'reply'",
    ),
];

/// Which of a ticket's evaluations counts when an unsatisfied caller was re-handled and
/// asked again (二次回访): the first, or the last (the one no later evaluation replaced).
fn counted_evaluation(s: &KpiSettings) -> &'static str {
    if s.first_evaluation_counts {
        "v.first = TRUE"
    } else {
        "v.last = TRUE"
    }
}

/// SQL made concrete: the satisfied levels and the evaluation counted filled in.
pub(super) fn concrete(sql: &str, s: &KpiSettings) -> String {
    sql.replace("SATISFIED", satisfied_levels(s))
        .replace("COUNTED", counted_evaluation(s))
}

/// The numerator's and the denominator's count of each KPI of `of` (indexes into
/// `TICKET_KPIS`), as select columns.
pub(super) fn columns(of: &[usize]) -> String {
    of.iter()
        .map(|&i| {
            let (_, _, num, den) = TICKET_KPIS[i];
            format!("count(*) FILTER (WHERE {num}), count(*) FILTER (WHERE {den})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A base's rows of the tickets of a JSON array (the first parameter) only, read ticket by
/// ticket: the few tickets an assessment leaves out, counted by the same definitions.
pub(super) fn of_tickets(base: &str) -> Option<String> {
    const TICKETS: &str = "FROM tickets t WHERE ";
    const EVENTS_OF: &str = "FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE ";
    const EVALUATIONS_OF: &str = "FROM evaluations v JOIN tickets t ON t.id = v.ticket_id WHERE ";
    if let Some(rest) = base.strip_prefix(TICKETS) {
        return Some(format!(
            "FROM json_each(?) a CROSS JOIN tickets t WHERE t.id = a.value AND {rest}"
        ));
    }
    if let Some(rest) = base.strip_prefix(EVALUATIONS_OF) {
        return Some(format!("FROM json_each(?) a CROSS JOIN evaluations v JOIN tickets t ON t.id = v.ticket_id WHERE v.ticket_id = a.value AND {rest}"));
    }
    base.strip_prefix(EVENTS_OF).map(|rest| {
        format!("FROM json_each(?) a CROSS JOIN events e JOIN tickets t ON t.id = e.ticket_id WHERE e.ticket_id = a.value AND {rest}")
    })
}

/// Rows of a base under the report's filters, with their parameters.
pub(super) fn scoped(base: &str, q: &ReportQuery, s: &KpiSettings) -> (String, Vec<Sql>) {
    let (f, fv) = filters(q);
    let mut params = vec![Sql::Integer(ms(q.from)), Sql::Integer(ms(q.to))];
    params.extend(fv);
    (format!("{} AND {f}", concrete(base, s)), params)
}
