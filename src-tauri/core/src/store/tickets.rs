//! Ticket writes: intake and every lifecycle action as one unit of work (the ticket row,
//! its new events and its alarms in one IMMEDIATE transaction), and a ticket's detail.

use super::db::{ms, timezone, Store};
use super::reference::{
    active_department, category_by_code, get_category, get_department, get_user,
};
use super::rows::{
    customer_for, events, insert_event, insert_ticket, load, next_number, update_sql, values,
};
use super::sql::Value as Sql;
use super::sql::{params_from_iter, Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::lifecycle::{self, Action, NewEvent};
use crate::model::{Event, Role, Ticket, TicketDetail, User};
use crate::ticket::{blank, created_event, NewTicket, ValidTicket};
use chrono::{DateTime, Utc};

/// Who may log calls: everyone on the hotline side.
fn may_create(actor: &User) -> Result<()> {
    if !actor.active {
        return Err(Error::Inactive {
            entity: "user",
            key: actor.id.to_string(),
        });
    }
    if actor.role == Role::Handler {
        return Err(Error::Forbidden {
            action: "create".into(),
            actor: actor.name.clone(),
            role: actor.role.as_str().into(),
            permission: false,
        });
    }
    Ok(())
}

/// Whether an action taken on version `seen` may still go ahead on the current ticket.
/// A comment conflicts with nothing, and nothing conflicts with changes that leave the
/// state alone (another seat's comment, a reminder's 催办, an incident alert): those are
/// merged, and `apply` still checks the action against the current state. Anything else
/// is a conflict that names who changed what, so the desk can say so in its words.
fn merge(tx: &Connection, cur: &Ticket, seen: i64, action: &Action) -> Result<()> {
    let changes = super::rows::changes_since(tx, cur.id, seen)?;
    if seen < cur.version
        && (matches!(action, Action::Comment { .. })
            || changes.iter().all(|(a, _)| lifecycle::leaves_state(a)))
    {
        return Ok(());
    }
    let (change, by) = changes
        .into_iter()
        .rev()
        .find(|(a, _)| !lifecycle::leaves_state(a))
        .unwrap_or_default();
    Err(Error::Conflict {
        expected: seen,
        actual: cur.version,
        by,
        change,
    })
}

pub(super) fn act_in(
    tx: &Connection,
    id: i64,
    expected_version: i64,
    actor_id: i64,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Ticket> {
    act_as(tx, id, expected_version, actor_id, action, now, false)
}

/// `act_in`, carrying out a department's return request the hotline approved
/// (`approved_return`: its window was kept when it was asked).
pub(super) fn act_as(
    tx: &Connection,
    id: i64,
    expected_version: i64,
    actor_id: i64,
    action: &Action,
    now: DateTime<Utc>,
    approved_return: bool,
) -> Result<Ticket> {
    let cur = load(tx, id)?;
    if cur.version != expected_version {
        merge(tx, &cur, expected_version, action)?;
    }
    let actor = get_user(tx, actor_id)?;
    if let Action::Transfer { department_id, .. } = action {
        active_department(tx, *department_id)?;
    }
    let mut rules = super::complaints::ticket_policy(tx, id)?;
    if let (Action::Resume { .. }, Some(since), Some(due)) = (action, cur.paused_at, cur.due_at) {
        // The time spent waiting for the caller, in working time, is given back.
        let office = super::calendar::load_calendar(tx, "office")?;
        let waited = office.elapsed(since, now, &[]).value;
        rules.resume_due_at = Some(office.add_business(due, waited)?.value);
    }
    if let Action::Feedback { .. } | Action::Answer { callback: true, .. } = action {
        let callback = super::sla::suggest(
            tx,
            crate::sla::Stage::Callback,
            cur.category_id,
            cur.severity,
            now,
        )?;
        rules.callback_due_at = callback.map(|s| s.due_at);
    }
    rules.return_approved = approved_return;
    let moved = super::co_parts::check(tx, &cur, &actor, action)?;
    // A department's return is a request (退单审核): checked by the lifecycle, recorded,
    // the ticket left with the department.
    let out = match super::returns::on_return(tx, &cur, &actor, action, now)? {
        super::returns::Path::Request(o) => {
            lifecycle::apply(&cur, &actor, action, now, &rules)?;
            *o
        }
        super::returns::Path::Direct => lifecycle::apply(&cur, &actor, action, now, &rules)?,
    };
    let mut next = out.ticket;
    next.version = cur.version + 1;
    let mut params = values(&next);
    params.push(Sql::Integer(id));
    params.push(Sql::Integer(cur.version));
    let changed = tx
        .prepare_cached(update_sql())?
        .execute(params_from_iter(params))?;
    if changed != 1 {
        return Err(Error::Conflict {
            expected: expected_version,
            actual: cur.version,
            by: String::new(),
            change: String::new(),
        });
    }
    let last: i64 = tx.query_row(
        "SELECT coalesce(max(seq), 0) FROM events WHERE ticket_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    for (n, e) in out.events.iter().enumerate() {
        insert_event(
            tx,
            id,
            last + 1 + n as i64,
            now,
            actor_id,
            Some(next.version),
            e,
        )?;
    }
    if let Action::Transfer { department_id, .. } = action {
        super::dispatch::log_transfer(tx, &cur, *department_id, actor_id, now)?;
    }
    super::co_parts::apply(tx, &next, &actor, action, moved, now)?;
    if let Action::Answer {
        article: Some(r), ..
    } = action
    {
        super::kb::record_use(tx, id, *r, actor_id, now)?;
    }
    super::alarms::refresh(tx, &next, now, &super::alarms::ctx(tx)?)?;
    for (n, e) in out.events.iter().enumerate() {
        super::alarms::announce(tx, &next, e.action, last + 1 + n as i64, now)?;
    }
    let actions: Vec<&str> = out.events.iter().map(|e| e.action).collect();
    super::outbox::ticket_changed(tx, now, Some(&cur), &next, &actions)?;
    // Supervision raised after repeated re-dispatches (提级督办): a 督办单 to the department.
    if let (false, true, Some(department_id)) =
        (cur.supervised, next.supervised, next.department_id)
    {
        super::supervision::issue(
            tx,
            super::supervision::Issue {
                kind: crate::supervision::NoticeKind::Supervise,
                cause: crate::supervision::NoticeCause::Redispatch,
                department_id,
                deadline: next.due_at,
                note: None,
                by: None,
                actor: actor_id,
                now,
                ticket: &mut next,
            },
        )?;
    }
    Ok(next)
}

/// Writes `next` over `cur` (version checked) with one event.
pub(super) fn rewrite(
    c: &Connection,
    cur: &Ticket,
    mut next: Ticket,
    actor: i64,
    now: DateTime<Utc>,
    e: &NewEvent,
) -> Result<Ticket> {
    next.version = cur.version + 1;
    next.updated_at = now;
    let mut params = values(&next);
    params.push(Sql::Integer(cur.id));
    params.push(Sql::Integer(cur.version));
    if c.prepare_cached(update_sql())?
        .execute(params_from_iter(params))?
        != 1
    {
        return Err(Error::Conflict {
            expected: cur.version,
            actual: cur.version,
            by: String::new(),
            change: String::new(),
        });
    }
    let last: i64 = c.query_row(
        "SELECT coalesce(max(seq), 0) FROM events WHERE ticket_id = ?1",
        [cur.id],
        |r| r.get(0),
    )?;
    insert_event(c, cur.id, last + 1, now, actor, Some(next.version), e)?;
    super::alarms::refresh(c, &next, now, &super::alarms::ctx(c)?)?;
    super::outbox::ticket_changed(c, now, Some(cur), &next, &[e.action])?;
    Ok(next)
}

/// Adds a timeline entry that changes nothing else on the ticket (a merge noted on its
/// master, a return request's decision).
pub(super) fn note(
    c: &Connection,
    cur: &Ticket,
    actor: i64,
    now: DateTime<Utc>,
    action: &'static str,
    note: Option<String>,
    data: serde_json::Value,
) -> Result<Ticket> {
    let e = NewEvent {
        action,
        note,
        from_status: Some(cur.status),
        to_status: cur.status,
        data,
    };
    rewrite(c, cur, cur.clone(), actor, now, &e)
}

fn create(tx: &Connection, actor_id: i64, v: &ValidTicket) -> Result<Ticket> {
    let actor = get_user(tx, actor_id)?;
    may_create(&actor)?;
    let category = category_by_code(tx, &v.category)?;
    let number = next_number(tx, timezone(tx)?, v.received_at)?;
    let mut x = blank(v, category.id, actor.id);
    x.number = number;
    x.customer_id = customer_for(tx, &x)?;
    x.id = insert_ticket(tx, &x)?;
    insert_event(
        tx,
        x.id,
        1,
        v.received_at,
        actor.id,
        Some(x.version),
        &created_event(&x),
    )?;
    super::complaints::open_cases(tx, x.id)?;
    super::alarms::first(tx, &x, v.received_at)?;
    super::outbox::ticket_changed(tx, v.received_at, None, &x, &["create"])?;
    Ok(x)
}

impl Store {
    /// Logs a call as a ticket, received now by `actor_id`.
    pub fn create_ticket(&self, actor_id: i64, new: &NewTicket) -> Result<Ticket> {
        let v = new.validate(self.now())?;
        self.write(|tx| create(tx, actor_id, &v))
    }

    pub fn ticket(&self, id: i64) -> Result<Ticket> {
        self.read(|c| load(c, id))
    }

    pub fn ticket_id_by_number(&self, number: &str) -> Result<i64> {
        self.read(|c| {
            c.prepare_cached("SELECT id FROM tickets WHERE number = ?1")?
                .query_row([number.trim()], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    entity: "ticket",
                    key: number.chars().take(40).collect(),
                })
        })
    }

    pub fn detail(&self, id: i64) -> Result<TicketDetail> {
        self.read(|c| {
            let ticket = load(c, id)?;
            Ok(TicketDetail {
                category: get_category(c, ticket.category_id)?,
                department: ticket
                    .department_id
                    .map(|d| get_department(c, d))
                    .transpose()?,
                handler: ticket.handler_id.map(|h| get_user(c, h)).transpose()?,
                created_by: get_user(c, ticket.created_by)?,
                events: events(c, id)?,
                co_parts: super::co_parts::parts(c, id)?,
                ticket,
            })
        })
    }

    /// Performs a lifecycle action. `expected_version` is the version the actor saw:
    /// if someone changed the ticket since, nothing is written and `conflict` returned.
    pub fn act(
        &self,
        id: i64,
        expected_version: i64,
        actor_id: i64,
        action: &Action,
    ) -> Result<Ticket> {
        let now = self.now();
        self.write(|tx| act_in(tx, id, expected_version, actor_id, action, now))
    }

    /// Intake at the desk: logs the call and, in the same transaction, takes its first
    /// action (answer at once, or transfer). Either both are saved or neither.
    /// A call logged on a desk while the server could not be reached, sent now: received
    /// when it was taken (at most a week ago), its key making a resend find the ticket
    /// the first send created. `(ticket, created now)`.
    pub fn intake_offline(
        &self,
        actor_id: i64,
        key: &str,
        taken_at: chrono::DateTime<chrono::Utc>,
        new: &NewTicket,
        then: Option<&Action>,
    ) -> Result<(Ticket, bool)> {
        let now = self.now();
        let key = key.trim();
        if key.is_empty()
            || key.len() > 64
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(Error::InvalidValue {
                field: "key",
                value: key.chars().take(64).collect(),
            });
        }
        // A desk's clock may run a little ahead; a call older than a week is not an outage.
        if taken_at > now + chrono::Duration::minutes(5)
            || taken_at < now - chrono::Duration::days(7)
        {
            return Err(Error::InvalidValue {
                field: "taken_at",
                value: taken_at.to_rfc3339(),
            });
        }
        let v = new.validate(taken_at.min(now))?;
        self.write(|tx| {
            let earlier: Option<i64> = tx
                .prepare_cached("SELECT ticket_id FROM intake_keys WHERE user_id = ?1 AND key = ?2")?
                .query_row((actor_id, key), |r| r.get(0))
                .optional()?;
            if let Some(id) = earlier {
                return Ok((load(tx, id)?, false));
            }
            let t = create(tx, actor_id, &v)?;
            tx.prepare_cached(
                "INSERT INTO intake_keys (user_id, key, ticket_id, taken_at, synced_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute((actor_id, key, t.id, ms(v.received_at), ms(now)))?;
            let t = match then {
                Some(a) => act_in(tx, t.id, t.version, actor_id, a, now)?,
                None => t,
            };
            Ok((t, true))
        })
    }

    pub fn intake(&self, actor_id: i64, new: &NewTicket, then: Option<&Action>) -> Result<Ticket> {
        let v = new.validate(self.now())?;
        let now = self.now();
        self.write(|tx| {
            let t = create(tx, actor_id, &v)?;
            // The call is logged: its draft goes in the same transaction.
            super::drafts::discard(tx, actor_id)?;
            match then {
                Some(a) => act_in(tx, t.id, t.version, actor_id, a, now),
                None => Ok(t),
            }
        })
    }

    /// The detail view for `actor_id`, with the actions they may take now.
    pub fn detail_for(
        &self,
        id: i64,
        actor_id: i64,
    ) -> Result<(TicketDetail, Vec<crate::model::ActionKind>)> {
        let d = self.detail(id)?;
        let now = self.now();
        let allowed = self.read(|c| {
            let actor = get_user(c, actor_id)?;
            let mut kinds = lifecycle::allowed_with_co(
                &d.ticket,
                &actor,
                now,
                &super::complaints::ticket_policy(c, id)?,
            );
            let mut keep = Vec::with_capacity(kinds.len());
            for k in kinds.drain(..) {
                if super::co_parts::allowed(c, &d.ticket, &actor, k)? {
                    keep.push(k);
                }
            }
            Ok(keep)
        })?;
        Ok((d, allowed))
    }

    /// The events of a ticket in order (for the replay invariant and exports).
    pub fn timeline(&self, id: i64) -> Result<Vec<Event>> {
        self.read(|c| events(c, id))
    }
}

#[cfg(test)]
#[path = "tickets_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "lifecycle_props_tests.rs"]
mod lifecycle_props_tests;
