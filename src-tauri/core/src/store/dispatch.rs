//! The dispatch catalogue in the store: its rules (added, retired, audited), the
//! suggestion for a request (lead, co-handlers, deadlines), the log of every transfer
//! beside what was suggested, and the dispatch figures.

use super::audit::append;
use super::db::{from_ms, ms, Author, Store};
use super::reference::{active_department, category_by_code, get_department};
use super::sla::lineage;
use super::sql::{Connection, OptionalExtension};
use crate::dispatch::{rank, Case, NewRule, Rule};
use crate::error::{Error, Result};
use crate::model::Severity;
use crate::report::Kpi;
use crate::sla::Stage;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// A rule with the names a list shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRow {
    #[serde(flatten)]
    pub rule: Rule,
    pub category: String,
    pub lead_department: String,
    pub co_departments: Vec<String>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A department named by the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// What the catalogue suggests for a request: the lead department, the co-handlers, the
/// deadlines, and where a return would go next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchSuggestion {
    pub rule_id: i64,
    pub lead: Named,
    pub co: Vec<Named>,
    pub due_at: Option<DateTime<Utc>>,
    pub accept_due_at: Option<DateTime<Utc>>,
    pub next: Option<Named>,
}

/// A department's return requests in a period (退单): asked, approved, refused in the end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentReturns {
    pub department: String,
    pub requested: i64,
    pub approved: i64,
    pub refused: i64,
}

/// Repeated requests (重复件) of a department or a category: calls merged into a master
/// ticket, of the calls received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatShare {
    /// The department's name, or the category's code.
    pub name: String,
    pub repeats: i64,
    pub received: i64,
}

/// The dispatch figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchFigures {
    /// Return requests per department, most first.
    pub returns: Vec<DepartmentReturns>,
    /// Calls merged into a master ticket / calls received.
    pub repeat_share: Kpi,
    /// Per department (the master's): repeats / its tickets received and the repeats.
    pub repeats_by_department: Vec<RepeatShare>,
    /// Per category (the call's own): repeats / calls received.
    pub repeats_by_category: Vec<RepeatShare>,
    /// First transfers neither returned nor re-routed / first transfers.
    pub accuracy: Kpi,
    /// Transfers that went elsewhere than suggested / transfers with a suggestion.
    pub overrides: Kpi,
}

fn rule_row(r: &super::sql::Row<'_>) -> super::sql::Result<(Rule, String, String, String, i64)> {
    let co: String = r.get(5)?;
    let handle: Option<String> = r.get(6)?;
    Ok((
        Rule {
            id: r.get(0)?,
            category_id: r.get(1)?,
            keywords: r.get::<_, String>(2)?.lines().map(str::to_string).collect(),
            area: r.get(3)?,
            lead_department_id: r.get(4)?,
            co_department_ids: serde_json::from_str(&co).unwrap_or_default(),
            handle: handle.and_then(|h| serde_json::from_str(&h).ok()),
            active: r.get(7)?,
        },
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

const RULES: &str =
    "SELECT r.id, r.category_id, r.keywords, r.area, r.lead_department_id, r.co_departments,
        r.handle, r.active, c.code, d.name, r.note, r.created_at
     FROM dispatch_rules r JOIN categories c ON c.id = r.category_id
     JOIN departments d ON d.id = r.lead_department_id";

fn active_rules(c: &Connection) -> Result<Vec<Rule>> {
    Ok(
        c.prepare_cached(&format!("{RULES} WHERE r.active ORDER BY r.id"))?
            .query_map([], rule_row)?
            .map(|r| r.map(|x| x.0))
            .collect::<super::sql::Result<_>>()?,
    )
}

fn named(c: &Connection, id: i64) -> Result<Named> {
    Ok(Named {
        id,
        name: get_department(c, id)?.name,
    })
}

/// The catalogue's suggestion for a request of `category_id` (None: no rule applies).
pub(super) fn suggestion(
    c: &Connection,
    category_id: i64,
    description: &str,
    address: &str,
    severity: Severity,
    now: DateTime<Utc>,
    exclude: Option<i64>,
) -> Result<Option<DispatchSuggestion>> {
    let rules = active_rules(c)?;
    let lineage = lineage(c, category_id)?;
    // A department that returned the ticket is not suggested again.
    let ranked: Vec<_> = rank(
        &rules,
        Case {
            lineage: &lineage,
            description,
            address,
        },
    )
    .into_iter()
    .filter(|(_, r)| Some(r.lead_department_id) != exclude)
    .collect();
    let Some((_, best)) = ranked.first() else {
        return Ok(None);
    };
    // A rule's handling time is for general requests; graver ones keep their policies.
    let due_at = match (best.handle, severity) {
        (Some(span), Severity::General) => Some(
            super::calendar::load_calendar(c, "office")?
                .add(now, span)?
                .value,
        ),
        _ => super::sla::suggest(c, Stage::Handle, category_id, severity, now)?.map(|s| s.due_at),
    };
    let accept_due_at =
        super::sla::suggest(c, Stage::Accept, category_id, severity, now)?.map(|s| s.due_at);
    Ok(Some(DispatchSuggestion {
        rule_id: best.id,
        lead: named(c, best.lead_department_id)?,
        co: best
            .co_department_ids
            .iter()
            .map(|d| named(c, *d))
            .collect::<Result<_>>()?,
        due_at,
        accept_due_at: accept_due_at.filter(|a| due_at.is_none_or(|d| *a <= d)),
        next: match ranked.get(1) {
            Some((_, r)) => Some(named(c, r.lead_department_id)?),
            None => None,
        },
    }))
}

/// Logs a transfer of ticket `id` to `department_id` beside the catalogue's suggestion.
pub(super) fn log_transfer(
    c: &Connection,
    t: &crate::model::Ticket,
    department_id: i64,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let s = suggestion(
        c,
        t.category_id,
        &t.description,
        t.address.as_deref().unwrap_or(""),
        t.severity,
        now,
        None,
    )?;
    let suggested = s.as_ref().map(|s| s.lead.id);
    c.prepare_cached(
        "INSERT INTO dispatch_log (ticket_id, at, actor_id, department_id, rule_id, suggested_department_id, overridden)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(super::sql::params![
        t.id,
        ms(now),
        actor_id,
        department_id,
        s.as_ref().map(|s| s.rule_id),
        suggested,
        suggested.is_some_and(|d| d != department_id)
    ])?;
    Ok(())
}

/// The dispatch figures of `[from, to)`.
pub(super) fn figures(
    c: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<DispatchFigures> {
    let range = (ms(from), ms(to));
    // From the log (every transfer, the older ones copied from the timelines): a ticket's
    // first transfer in the period, kept when it was never returned nor sent elsewhere.
    let (first, kept): (i64, Option<i64>) = c.query_row(
        &format!(
            "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM events r WHERE r.ticket_id = g.ticket_id AND r.action = 'return')
                 AND NOT EXISTS (SELECT 1 FROM dispatch_log x WHERE x.ticket_id = g.ticket_id
                                   AND x.department_id <> g.department_id))
             FROM dispatch_log g WHERE g.at >= ?1 AND g.at < ?2 AND {}
               AND NOT EXISTS (SELECT 1 FROM dispatch_log p WHERE p.ticket_id = g.ticket_id AND p.id < g.id)",
            super::db::NOT_DRILL.replacen("t.id", "g.ticket_id", 1)
        ),
        range,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (suggested, overridden): (i64, Option<i64>) = c.query_row(
        "SELECT count(*), count(*) FILTER (WHERE overridden) FROM dispatch_log
         WHERE at >= ?1 AND at < ?2 AND suggested_department_id IS NOT NULL",
        range,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let returns = c
        .prepare_cached(
            "SELECT d.name, count(*), count(*) FILTER (WHERE r.state = 'approved'), count(*) FILTER (WHERE r.state IN ('refused', 'upheld'))
             FROM return_requests r JOIN departments d ON d.id = r.department_id
             WHERE r.requested_at >= ?1 AND r.requested_at < ?2
             GROUP BY r.department_id, d.name ORDER BY count(*) DESC, d.name",
        )?
        .query_map(range, |r| {
            Ok(DepartmentReturns {
                department: r.get(0)?,
                requested: r.get(1)?,
                approved: r.get(2)?,
                refused: r.get(3)?,
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    let (repeat_share, repeats_by_department, repeats_by_category) = repeats(c, range)?;
    Ok(DispatchFigures {
        returns,
        repeat_share,
        repeats_by_department,
        repeats_by_category,
        accuracy: Kpi::new("dispatch_accuracy", kept.unwrap_or(0), first),
        overrides: Kpi::new("dispatch_overrides", overridden.unwrap_or(0), suggested),
    })
}

/// Repeated requests of a period: calls merged (and not split back) by the time of the merge,
/// calls received by the time received; a repeat counts for its master's department and its
/// own category. Both read index pages and the few merges only.
fn repeats(c: &Connection, range: (i64, i64)) -> Result<(Kpi, Vec<RepeatShare>, Vec<RepeatShare>)> {
    use std::collections::BTreeMap;
    let mut received: (BTreeMap<Option<i64>, i64>, BTreeMap<i64, i64>) = Default::default();
    let mut st = c.prepare_cached(&format!(
        "SELECT t.department_id, t.category_id, count(*) FROM tickets t
         WHERE t.received_at >= ?1 AND t.received_at < ?2 AND {} GROUP BY 1, 2",
        super::db::NOT_DRILL
    ))?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        let n: i64 = r.get(2)?;
        *received.0.entry(r.get(0)?).or_default() += n;
        *received.1.entry(r.get(1)?).or_default() += n;
    }
    let mut merged: (BTreeMap<Option<i64>, i64>, BTreeMap<i64, i64>) = Default::default();
    let mut st = c.prepare_cached(
        "SELECT m.department_id, t.category_id, count(*) FROM ticket_merges g
         JOIN tickets t ON t.id = g.ticket_id JOIN tickets m ON m.id = g.master_id
         WHERE g.merged_at >= ?1 AND g.merged_at < ?2 AND g.split_at IS NULL GROUP BY 1, 2",
    )?;
    let mut rows = st.query(range)?;
    while let Some(r) = rows.next()? {
        let n: i64 = r.get(2)?;
        *merged.0.entry(r.get(0)?).or_default() += n;
        *merged.1.entry(r.get(1)?).or_default() += n;
    }
    let names = |sql: &str| -> Result<BTreeMap<i64, String>> {
        Ok(c.prepare_cached(sql)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<super::sql::Result<_>>()?)
    };
    let (departments, categories) = (
        names("SELECT id, name FROM departments")?,
        names("SELECT id, code FROM categories")?,
    );
    let sorted = |mut v: Vec<RepeatShare>| {
        v.sort_by(|a, b| b.repeats.cmp(&a.repeats).then_with(|| a.name.cmp(&b.name)));
        v
    };
    let by_department = sorted(
        merged
            .0
            .iter()
            .filter_map(|(d, &repeats)| {
                let name = departments.get(&(*d)?)?.clone();
                // The department's calls: its own tickets and the calls merged into them.
                let received = received.0.get(d).copied().unwrap_or(0) + repeats;
                Some(RepeatShare {
                    name,
                    repeats,
                    received,
                })
            })
            .collect(),
    );
    let by_category = sorted(
        merged
            .1
            .iter()
            .map(|(cat, &repeats)| RepeatShare {
                name: categories.get(cat).cloned().unwrap_or_default(),
                repeats,
                received: received.1.get(cat).copied().unwrap_or(0),
            })
            .collect(),
    );
    let total = |m: &BTreeMap<i64, i64>| m.values().sum::<i64>();
    Ok((
        Kpi::new("repeat_share", total(&merged.1), total(&received.1)),
        by_department,
        by_category,
    ))
}

impl Store {
    pub fn add_dispatch_rule(&self, by: Author<'_>, rule: &NewRule) -> Result<RuleRow> {
        let r = rule.validated()?;
        let now = self.now();
        self.write(|tx| {
            let category = category_by_code(tx, &r.category)?;
            for d in std::iter::once(&r.lead_department_id).chain(&r.co_department_ids) {
                active_department(tx, *d)?;
            }
            let id = tx.insert(
                "INSERT INTO dispatch_rules (category_id, keywords, area, lead_department_id, co_departments, handle, note, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                super::sql::params![
                    category.id,
                    r.keywords.join("\n"),
                    r.area,
                    r.lead_department_id,
                    serde_json::to_string(&r.co_department_ids)?,
                    r.handle.map(|h| serde_json::to_string(&h)).transpose()?,
                    r.note,
                    by.user.id,
                    ms(now)
                ],
            )?;
            append(tx, now, Some(by.user), "dispatch_rule_added", &format!("rule:{id}"), &json!(r))?;
            rule_by_id(tx, id)
        })
    }

    /// Takes a rule out of the catalogue (kept for the log that names it).
    pub fn retire_dispatch_rule(&self, by: Author<'_>, id: i64) -> Result<RuleRow> {
        let now = self.now();
        self.write(|tx| {
            rule_by_id(tx, id)?;
            tx.execute(
                "UPDATE dispatch_rules SET active = FALSE WHERE id = ?1",
                [id],
            )?;
            append(
                tx,
                now,
                Some(by.user),
                "dispatch_rule_retired",
                &format!("rule:{id}"),
                &json!({}),
            )?;
            rule_by_id(tx, id)
        })
    }

    /// The catalogue, active rules first; retired ones with `all`.
    pub fn dispatch_rules(&self, all: bool) -> Result<Vec<RuleRow>> {
        self.read(|c| {
            let rows = c
                .prepare_cached(&format!(
                    "{RULES} WHERE r.active OR ?1 ORDER BY r.active DESC, c.code, r.id"
                ))?
                .query_map([all], rule_row)?
                .collect::<super::sql::Result<Vec<_>>>()?;
            rows.into_iter().map(|x| row_with_names(c, x)).collect()
        })
    }

    /// What the catalogue suggests for a request being taken now.
    pub fn suggest_dispatch(
        &self,
        category: &str,
        description: &str,
        address: &str,
        severity: Severity,
        exclude: Option<i64>,
    ) -> Result<Option<DispatchSuggestion>> {
        let now = self.now();
        let description = crate::validate::opt_text(
            "description",
            Some(description),
            crate::validate::DESCRIPTION_MAX,
        )?;
        self.read(|c| {
            let cat = category_by_code(c, category)?;
            suggestion(
                c,
                cat.id,
                description.as_deref().unwrap_or(""),
                address,
                severity,
                now,
                exclude,
            )
        })
    }

    pub fn dispatch_figures(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<DispatchFigures> {
        self.snapshot(|c| figures(c, from, to))
    }
}

fn row_with_names(
    c: &Connection,
    (rule, category, lead, note, at): (Rule, String, String, String, i64),
) -> Result<RuleRow> {
    let co = rule
        .co_department_ids
        .iter()
        .map(|d| Ok(get_department(c, *d)?.name))
        .collect::<Result<_>>()?;
    Ok(RuleRow {
        rule,
        category,
        lead_department: lead,
        co_departments: co,
        note,
        created_at: from_ms(at),
    })
}

fn rule_by_id(c: &Connection, id: i64) -> Result<RuleRow> {
    let row = c
        .prepare_cached(&format!("{RULES} WHERE r.id = ?1"))?
        .query_row([id], rule_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "rule",
            key: id.to_string(),
        })?;
    row_with_names(c, row)
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
