//! The permission door for graded emergency response: who may declare, change, publish
//! and plan (the matrix), what a department sees of an incident's calls (its own,
//! masked).

use super::Acting;
use crate::emergency::plan::{DutyRole, Plan, PlanBody};
use crate::emergency::review::NewReview;
use crate::emergency::{
    bulletin_answer, BulkAnswer, BulkFailure, Incident, IncidentAction, IncidentKind, Level,
    NewIncident,
};
use crate::error::Result;
use crate::mask::Mask;
use crate::model::Perm;
use crate::permissions::{allows, department_scope};
use crate::store::{
    Author, Bulletin, FollowUp, IncidentDetail, IncidentRow, IncidentStep, NewBulletin, Review,
    Store, Suggestion,
};

impl<'s> Acting<'s> {
    pub(super) fn author(&self) -> Author<'_> {
        Author {
            user: &self.user,
            seat: self.seat.as_deref(),
        }
    }

    pub fn incidents(&self, active_only: bool) -> Result<Vec<IncidentRow>> {
        self.need(Perm::ViewIncidents)?.incidents(active_only, 200)
    }

    /// An incident's id from its number or id (the command line names them so).
    pub fn incident_id(&self, key: &str) -> Result<i64> {
        self.need(Perm::ViewIncidents)?.incident_id(key)
    }

    /// One incident; of its calls a department sees its own, masked like every list.
    pub fn incident(&self, id: i64) -> Result<IncidentDetail> {
        let s = self.need(Perm::ViewIncidents)?;
        let mut d = s.incident_detail(id, department_scope(&self.user))?;
        d.linked.mask();
        Ok(d)
    }

    /// Whether the user leads the response: by the matrix, or as the duty leader on duty now.
    fn leads(&self) -> Result<bool> {
        if allows(self.user.role, Perm::ManageIncidents) {
            return Ok(true);
        }
        let now = self.store.now();
        Ok(self
            .store
            .on_duty(now)?
            .iter()
            .any(|o| o.assignment.user_id == self.user.id && o.assignment.post == DutyRole::Leader))
    }

    /// The store for leading the response, or the matrix's refusal.
    fn lead(&self) -> Result<&'s Store> {
        if self.leads()? {
            Ok(self.store)
        } else {
            self.need(Perm::ManageIncidents)
        }
    }

    /// Declares an incident. Who does not lead the response declares level 1 and proposes
    /// the level asked for.
    pub fn declare_incident(&self, new: &NewIncident) -> Result<Incident> {
        let s = self.need(Perm::ReportIncidents)?;
        s.declare_incident(self.author(), new, self.leads()?)
    }

    /// Changes an incident's course (a comment needs only the right to report one).
    pub fn act_incident(&self, id: i64, version: i64, action: &IncidentAction) -> Result<Incident> {
        let s = if action.manages() {
            self.lead()?
        } else {
            self.need(Perm::ReportIncidents)?
        };
        s.act_incident(id, version, self.author(), action)
    }

    /// Attaches a call the user may see to an active incident.
    pub fn link_incident(&self, incident_id: i64, ticket_id: i64) -> Result<Incident> {
        let s = self.need(Perm::ReportIncidents)?;
        self.ticket_in_scope(&s.ticket(ticket_id)?)?;
        s.link_ticket(incident_id, ticket_id, self.author())
    }

    pub fn unlink_incident(&self, ticket_id: i64) -> Result<Incident> {
        let s = self.need(Perm::ReportIncidents)?;
        self.ticket_in_scope(&s.ticket(ticket_id)?)?;
        s.unlink_ticket(ticket_id, self.author())
    }

    /// Acknowledges the user's own pages about an incident (the chain stops).
    pub fn acknowledge_page(&self, incident_id: i64) -> Result<Incident> {
        self.need(Perm::ViewIncidents)?
            .acknowledge_page(incident_id, self.author())
    }

    /// An incident's report as a workbook (its calls masked): the name and the bytes, for
    /// the front door to deliver to the user's own machine; then `exported` logs it.
    pub fn incident_file(&self, id: i64) -> Result<(String, Vec<u8>)> {
        let s = self.need(Perm::ViewIncidents)?;
        let d = serde_json::to_value(self.incident(id)?)?;
        let review = s
            .incident_review(id)?
            .map(serde_json::to_value)
            .transpose()?;
        let lang = s.user_setting(self.user.id, "ui_language")?;
        let bytes =
            crate::emergency::workbook::incident_xlsx(&d, review.as_ref(), &lang, s.timezone()?)?;
        Ok((crate::emergency::workbook::file_name(&d), bytes))
    }

    /// The incident's page printed as an A4 PDF by `save`, named by its number.
    pub fn save_incident_pdf(
        &self,
        id: i64,
        save: impl FnOnce(&str) -> Result<std::path::PathBuf>,
    ) -> Result<std::path::PathBuf> {
        let number = self.incident(id)?.row.incident.number;
        save(&format!("hotline-incident-{number}.pdf"))
    }

    /// Logs a delivered incident report (where it went) and names it for the user.
    pub fn incident_exported(&self, path: &std::path::Path) -> Result<String> {
        self.need(Perm::ViewIncidents)?;
        self.export_logged(path, "incident")
    }

    /// The current bulletin as plain text for other channels (SMS, IVR, web), in `lang`.
    pub fn bulletin_text(&self, incident_id: i64, lang: &str) -> Result<String> {
        let s = self.need(Perm::ViewIncidents)?;
        let (incident, b) = s.current_bulletin(incident_id)?;
        let notice = crate::emergency::notice::Notice {
            incident: &incident,
            wording: &b.wording,
            advice: &b.advice,
            measures: &b.measures,
            valid_until: b.valid_until,
            version: b.version,
            issuer: &s.setting("centre_name")?,
        };
        Ok(crate::emergency::notice::text(&notice, lang, s.timezone()?))
    }

    /// Answers the calls attached to an incident with its current bulletin: each waiting
    /// call is answered and closed, each one under way gets the wording on its timeline —
    /// every caller their own entry. Calls changed meanwhile are left as they are.
    pub fn answer_linked(&self, incident_id: i64) -> Result<BulkAnswer> {
        let s = self.need(Perm::ReportIncidents)?;
        self.need(Perm::ActOnTickets)?;
        let d = s.incident_detail(incident_id, department_scope(&self.user))?;
        let wording = d
            .bulletins
            .first()
            .map(|b| b.wording.clone())
            .ok_or_else(|| crate::error::Error::NotFound {
                entity: "bulletin",
                key: d.row.incident.number.clone(),
            })?;
        let mut out = BulkAnswer::default();
        for row in &d.linked {
            // Each call through the ticket door, so that its scope and lifecycle hold.
            let t = s.ticket(row.id)?;
            let Some(action) =
                bulletin_answer(t.status, t.has_contact(), &wording, d.plan.body.callback)
            else {
                out.finished += 1;
                continue;
            };
            let answering = matches!(action, crate::Action::Answer { .. });
            match self.act(t.id, t.version, &action) {
                Ok(n) if answering => {
                    out.answered += 1;
                    out.callbacks += u32::from(n.status == crate::model::Status::AwaitingCallback);
                }
                Ok(_) => out.noted += 1,
                Err(e) => out.failed.push(BulkFailure {
                    number: t.number.clone(),
                    code: e.code().to_string(),
                }),
            }
        }
        Ok(out)
    }

    /// Approves and publishes the next version of an incident's bulletin.
    pub fn publish_bulletin(&self, incident_id: i64, bulletin: &NewBulletin) -> Result<Bulletin> {
        self.need(Perm::PublishBulletins)?
            .publish_bulletin(incident_id, self.author(), bulletin)
    }

    pub fn complete_incident_step(
        &self,
        incident_id: i64,
        step: i64,
        note: Option<&str>,
    ) -> Result<IncidentStep> {
        self.need(Perm::ManageIncidents)?
            .complete_step(incident_id, step, self.author(), note)
    }

    /// Suggestions to declare an incident (open ones only, or all).
    pub fn suggestions(&self, open_only: bool) -> Result<Vec<Suggestion>> {
        self.need(Perm::ViewIncidents)?.suggestions(open_only, 200)
    }

    /// Declares the incident a suggestion points to (at the level the user may declare).
    pub fn declare_suggestion(&self, id: i64, new: &NewIncident) -> Result<Incident> {
        let s = self.need(Perm::ReportIncidents)?;
        s.declare_suggestion(id, self.author(), new, self.leads()?)
    }

    /// Dismisses a suggestion: whoever leads the response.
    pub fn dismiss_suggestion(&self, id: i64) -> Result<Suggestion> {
        self.lead()?.dismiss_suggestion(id, self.author())
    }

    /// Reviews a resolved incident: whoever leads the response.
    pub fn review_incident(&self, id: i64, version: i64, review: &NewReview) -> Result<Review> {
        self.lead()?
            .review_incident(id, version, self.author(), review)
    }

    pub fn incident_review(&self, id: i64) -> Result<Option<Review>> {
        self.need(Perm::ViewIncidents)?.incident_review(id)
    }

    /// Follow-ups not done: the user's own, or (leading the response) everyone's.
    pub fn follow_ups(&self, mine: bool) -> Result<Vec<FollowUp>> {
        let s = self.need(Perm::ViewIncidents)?;
        if mine || !self.leads()? {
            s.open_follow_ups(Some(self.user.id))
        } else {
            s.open_follow_ups(None)
        }
    }

    /// Marks a follow-up done: its owner, or whoever leads the response.
    pub fn complete_follow_up(&self, id: i64, note: Option<&str>) -> Result<FollowUp> {
        let s = self.need(Perm::ViewIncidents)?;
        let own = s
            .open_follow_ups(Some(self.user.id))?
            .iter()
            .any(|f| f.id == id);
        let s = if own { s } else { self.lead()? };
        s.complete_follow_up(id, self.author(), note)
    }

    /// The current version of every plan.
    pub fn plans(&self) -> Result<Vec<Plan>> {
        self.need(Perm::ViewIncidents)?.plans()
    }

    pub fn plan_versions(&self, kind: IncidentKind, level: Level) -> Result<Vec<Plan>> {
        self.need(Perm::ViewIncidents)?.plan_versions(kind, level)
    }

    pub fn save_plan(&self, kind: IncidentKind, level: Level, body: &PlanBody) -> Result<Plan> {
        self.need(Perm::ManagePlans)?
            .save_plan(self.author(), kind, level, body)
    }
}
