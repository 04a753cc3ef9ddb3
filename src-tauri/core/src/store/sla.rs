//! SLA policies in the store and the deadlines they suggest.

use super::calendar::load_calendar;
use super::db::Store;
use super::reference::{category_by_code, get_category};
use super::sql::Connection;
use crate::calendar::Span;
use crate::error::Result;
use crate::model::{ActionKind, Severity};
use crate::sla::{choose, SlaPolicy, Stage, Suggested};
use chrono::{DateTime, Utc};

fn policies(c: &Connection) -> Result<Vec<SlaPolicy>> {
    let mut st = c.prepare_cached("SELECT id, stage, category_id, severity, unit, amount, calendar FROM sla_policies ORDER BY id")?;
    let rows = st.query_map([], |r| {
        let stage: String = r.get(1)?;
        let unit: String = r.get(4)?;
        let amount: i64 = r.get(5)?;
        Ok((
            r.get::<_, i64>(0)?,
            stage,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, Option<Severity>>(3)?,
            unit,
            amount,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, stage, category_id, severity, unit, amount, calendar) = row?;
        let stage: Stage = stage.parse()?;
        let span = match unit.as_str() {
            "working_days" => Span::WorkingDays(amount),
            "business_hours" => Span::BusinessHours(amount),
            _ => Span::CalendarHours(amount),
        };
        out.push(SlaPolicy {
            id,
            stage,
            category_id,
            severity,
            span,
            calendar,
        });
    }
    Ok(out)
}

/// The category and its ancestors, nearest first.
pub(super) fn lineage(c: &Connection, category_id: i64) -> Result<Vec<i64>> {
    let mut out = vec![category_id];
    let mut cur = get_category(c, category_id)?;
    while let Some(p) = cur.parent_id {
        if out.contains(&p) {
            break;
        }
        out.push(p);
        cur = get_category(c, p)?;
    }
    Ok(out)
}

pub(crate) fn suggest(
    c: &Connection,
    stage: Stage,
    category_id: i64,
    severity: Severity,
    from: DateTime<Utc>,
) -> Result<Option<Suggested>> {
    let all = policies(c)?;
    let Some(p) = choose(&all, stage, &lineage(c, category_id)?, severity) else {
        return Ok(None);
    };
    let due = match p.span {
        // Calendar hours last `sla_hour_seconds` (3600 but in tests), so that an
        // end-to-end test can watch a deadline pass.
        Span::CalendarHours(h) => {
            let secs: i64 = super::db::get_setting(c, "sla_hour_seconds")?
                .parse()
                .unwrap_or(3600);
            crate::calendar::Computed {
                value: from + chrono::Duration::seconds(h * secs),
                calendar_incomplete: false,
            }
        }
        span => load_calendar(c, &p.calendar)?.add(from, span)?,
    };
    Ok(Some(Suggested::new(stage, due, p)))
}

impl Store {
    pub fn sla_policies(&self) -> Result<Vec<SlaPolicy>> {
        self.read(policies)
    }

    /// Sets the policy of `stage` for a category and/or severity (None = any).
    pub fn set_sla_policy(
        &self,
        by: Option<&crate::model::User>,
        stage: Stage,
        category_id: Option<i64>,
        severity: Option<Severity>,
        span: Span,
        calendar: &str,
    ) -> Result<()> {
        let (unit, amount) = match span {
            Span::WorkingDays(n) => ("working_days", n),
            Span::BusinessHours(n) => ("business_hours", n),
            Span::CalendarHours(n) => ("calendar_hours", n),
        };
        if !(0..=10_000).contains(&amount) {
            return Err(crate::error::Error::InvalidValue {
                field: "amount",
                value: amount.to_string(),
            });
        }
        self.write(|tx| {
            load_calendar(tx, calendar)?;
            if let Some(c) = category_id {
                get_category(tx, c)?;
            }
            tx.execute(
                "DELETE FROM sla_policies WHERE stage = ?1 AND category_id IS NOT DISTINCT FROM ?2 AND severity IS NOT DISTINCT FROM ?3",
                (stage.as_str(), category_id, severity),
            )?;
            tx.execute(
                "INSERT INTO sla_policies (stage, category_id, severity, unit, amount, calendar) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                (stage.as_str(), category_id, severity, unit, amount, calendar),
            )?;
            let detail = serde_json::json!({ "category_id": category_id, "severity": severity, "span": span, "calendar": calendar });
            super::audit::note(tx, self.now(), by, "sla_changed", stage.as_str(), detail)
        })
    }

    /// The acceptance and handling deadlines a transfer made now should carry.
    pub fn suggest_deadlines(&self, category: &str, severity: Severity) -> Result<Vec<Suggested>> {
        let now = self.now();
        self.read(|c| {
            let cat = category_by_code(c, category)?;
            let mut out = Vec::new();
            for stage in [Stage::Accept, Stage::Handle] {
                out.extend(suggest(c, stage, cat.id, severity, now)?);
            }
            Ok(out)
        })
    }

    /// The deadline the policies suggest for `kind` on ticket `id` now, so that no form
    /// offers a guess in calendar days: the handling time from now for a transfer or a
    /// re-dispatch (an unsatisfied feedback), from the running deadline for an
    /// extension. None when no policy covers the ticket or the action sets no deadline.
    pub fn suggest_for_ticket(&self, id: i64, kind: ActionKind) -> Result<Option<Suggested>> {
        let now = self.now();
        self.read(|c| {
            let t = super::rows::load(c, id)?;
            let from = match kind {
                ActionKind::Transfer | ActionKind::Feedback => now,
                ActionKind::RequestExtension => t.due_at.map_or(now, |d| d.max(now)),
                _ => return Ok(None),
            };
            suggest(c, Stage::Handle, t.category_id, t.severity, from)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Severity;
    use crate::sla::Stage;
    use crate::store::testutil::store;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn deadlines_follow_category_severity_and_the_calendar() {
        let (_d, s, clock) = store();
        // Tuesday 2025-09-30 10:00, the eve of the National Day week.
        clock.set(at("2025-09-30T10:00:00+08:00"));
        let due = |cat: &str, sev| {
            s.suggest_deadlines(cat, sev)
                .expect("suggest")
                .into_iter()
                .find(|x| x.stage == Stage::Handle)
                .map(|x| x.due_at)
        };
        // Consultation: 3 working days, over the holiday to the make-up Saturday.
        assert_eq!(
            due("consultation", Severity::General),
            Some(at("2025-10-11T10:00:00+08:00"))
        );
        // A product complaint inherits nothing from "complaint" but has its own 10 days.
        assert_eq!(
            due("complaint.product", Severity::General),
            Some(at("2025-10-21T10:00:00+08:00"))
        );
        // A service-attitude complaint falls back to the default 5 working days.
        assert_eq!(
            due("complaint.service_attitude", Severity::General),
            Some(at("2025-10-14T10:00:00+08:00"))
        );
        // 重大 counts 7x24 in hours, holiday or not.
        assert_eq!(
            due("consultation", Severity::Major),
            Some(at("2025-10-01T10:00:00+08:00"))
        );
        let accept = s
            .suggest_deadlines("help_request", Severity::General)
            .expect("s");
        let accept = accept
            .iter()
            .find(|x| x.stage == Stage::Accept)
            .expect("accept");
        // 4 business hours from 10:00: 12:00 lunch, then 13:30 + 2 h.
        assert_eq!(accept.due_at, at("2025-09-30T15:30:00+08:00"));
        assert!(!accept.calendar_incomplete);
        clock.set(at("2026-12-30T10:00:00+08:00"));
        assert!(s
            .suggest_deadlines("consultation", Severity::General)
            .expect("s")
            .iter()
            .any(|x| x.calendar_incomplete));
        assert_eq!(
            s.suggest_deadlines("nope", Severity::General)
                .map_err(|e| e.code())
                .err(),
            Some("not_found")
        );
    }

    /// Extension and re-dispatch deadlines come from the policy and the working
    /// calendar, never "+3 calendar days" onto a weekend.
    #[test]
    fn ticket_deadlines_for_extension_and_redispatch_are_working_time() {
        use crate::lifecycle::Action;
        use crate::model::ActionKind;
        let (_d, s, clock) = store();
        // Thursday 2026-11-05 10:00: three calendar days on would be a Sunday.
        clock.set(at("2026-11-05T10:00:00+08:00"));
        let t = s
            .create_ticket(1, &crate::ticket::tests::new_ticket())
            .expect("create");
        let redispatch = s
            .suggest_for_ticket(t.id, ActionKind::Feedback)
            .expect("suggest")
            .expect("policy");
        // Help requests: 3 working days.
        assert_eq!(redispatch.due_at, at("2026-11-10T10:00:00+08:00"));
        let dept = s
            .create_department(None, "lighting", "路灯管理所", None)
            .expect("dept");
        let due = at("2026-11-06T17:00:00+08:00");
        let action = Action::Transfer {
            department_id: dept.id,
            requirements: "请核实".into(),
            due_at: due,
            accept_due_at: None,
            co_department_ids: vec![],
            co_due_at: None,
        };
        s.act(t.id, t.version, 1, &action).expect("transfer");
        // An extension adds the handling time to the running deadline (Friday 17:00).
        let ext = s
            .suggest_for_ticket(t.id, ActionKind::RequestExtension)
            .expect("suggest")
            .expect("policy");
        assert_eq!(ext.due_at, at("2026-11-11T17:00:00+08:00"));
        assert_eq!(
            s.suggest_for_ticket(t.id, ActionKind::Comment)
                .expect("none"),
            None
        );
    }

    #[test]
    fn setting_a_policy_replaces_the_one_of_the_same_stage_category_and_severity() {
        let (_d, s, _c) = store();
        let hours = |n| crate::calendar::Span::CalendarHours(n);
        let of = |category: Option<i64>, severity: Option<Severity>| {
            s.sla_policies()
                .expect("policies")
                .into_iter()
                .filter(|p| {
                    p.stage == Stage::Callback
                        && p.category_id == category
                        && p.severity == severity
                })
                .map(|p| p.span)
                .collect::<Vec<_>>()
        };
        // The catch-all row (no category, no severity) and a category's own: each set
        // twice, each kept once with the last span; the other left alone.
        let category = Some(1);
        for n in [5, 6] {
            s.set_sla_policy(None, Stage::Callback, None, None, hours(n), "24x7")
                .expect("any");
            s.set_sla_policy(
                None,
                Stage::Callback,
                category,
                Some(Severity::Major),
                hours(n + 10),
                "24x7",
            )
            .expect("major");
        }
        assert_eq!(of(None, None), vec![hours(6)]);
        assert_eq!(of(category, Some(Severity::Major)), vec![hours(16)]);
    }
}
