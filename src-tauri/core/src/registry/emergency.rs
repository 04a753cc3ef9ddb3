//! The commands of graded emergency response: incidents, their calls, checklists,
//! bulletins and plans.

use super::{acting, arguments, need, reply, Command, Ctx, Run};
use crate::emergency::plan::{Plan, PlanBody};
use crate::emergency::review::NewReview;
use crate::emergency::roster::{Assignment, Shift};
use crate::emergency::{BulkAnswer, Incident, IncidentAction, IncidentKind, Level, NewIncident};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{
    Bulletin, DutyChange, FollowUp, Handover, IncidentDetail, IncidentRow, IncidentStep,
    NewBulletin, OnDuty, Review, Roster, Suggestion,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

commands! {
    static COMMANDS;
    /// Incidents, active first (`activeOnly`: the ones under way, for the intake screen).
    acting incidents(active_only: Option<bool>) [need(Perm::ViewIncidents)] -> Vec<IncidentRow>
        = |c, a| a.incidents(active_only.unwrap_or(false));
    /// One incident: its plan, checklist, bulletins, timeline and calls.
    acting incident(id: i64) [need(Perm::ViewIncidents)] -> IncidentDetail = |c, a| a.incident(id);
    /// Declares an incident; an agent's level above 1 is a proposal.
    acting declare_incident(incident: NewIncident) [need(Perm::ReportIncidents)] -> Incident
        = |c, a| a.declare_incident(&incident);
    /// Changes an incident's course (`version`: the one on screen).
    acting act_incident(id: i64, version: i64, action: IncidentAction) [need(Perm::ReportIncidents)]
        -> Incident = |c, a| a.act_incident(id, version, &action);
    /// Attaches a call to an incident under way.
    acting link_incident(incident_id: i64, ticket_id: i64) [need(Perm::ReportIncidents)]
        -> Incident = |c, a| a.link_incident(incident_id, ticket_id);
    acting unlink_incident(ticket_id: i64) [need(Perm::ReportIncidents)] -> Incident
        = |c, a| a.unlink_incident(ticket_id);
    /// Acknowledges the signed-in user's pages about an incident: the chain stops there.
    acting acknowledge_page(incident_id: i64) [need(Perm::ViewIncidents)] -> Incident
        = |c, a| a.acknowledge_page(incident_id);
    /// Approves and publishes the next version of an incident's bulletin (口径).
    acting publish_bulletin(incident_id: i64, bulletin: NewBulletin) [need(Perm::PublishBulletins)]
        -> Bulletin = |c, a| a.publish_bulletin(incident_id, &bulletin);
    /// An incident's report as XLSX, delivered to the user's own machine (the desk's
    /// Downloads folder); an existing file is replaced only with `replace`. Its path.
    acting export_incident(id: i64, replace: Option<bool>) [need(Perm::ViewIncidents)] -> String
        = |c, a| {
        let (name, bytes) = a.incident_file(id)?;
        a.incident_exported(&c.host.deliver(&name, &bytes, replace.unwrap_or(false))?)
    };
    /// Saves the incident as the desk prints it (A4), as a PDF beside the exports.
    acting save_incident_pdf(id: i64, replace: Option<bool>) [need(Perm::ViewIncidents)] -> String
        = |c, a| a
        .save_incident_pdf(id, |name| c.host.save_print(name, replace.unwrap_or(false)))
        .map(|p| p.display().to_string());
    /// The current bulletin as plain text for SMS, the IVR greeting or a web notice.
    acting bulletin_text(incident_id: i64, lang: String) [need(Perm::ViewIncidents)] -> String
        = |c, a| a.bulletin_text(incident_id, &lang);
    /// Answers the attached calls with the current bulletin (each caller's own entry).
    acting answer_linked(incident_id: i64) [need(Perm::ReportIncidents)] -> BulkAnswer
        = |c, a| a.answer_linked(incident_id);
    /// Marks a step of the checklist done (who leads the response: the matrix or the duty
    /// leader on duty).
    acting complete_incident_step(incident_id: i64, step: i64, note: Option<String>)
        [need(Perm::ReportIncidents)] -> IncidentStep
        = |c, a| a.complete_incident_step(incident_id, step, note.as_deref());
    /// Suggestions to declare an incident (a surge of calls, a cluster of tickets).
    acting incident_suggestions(open_only: Option<bool>) [need(Perm::ViewIncidents)]
        -> Vec<Suggestion> = |c, a| a.suggestions(open_only.unwrap_or(true));
    /// Declares the incident a suggestion points to; a cluster's tickets are attached.
    acting declare_suggestion(id: i64, incident: NewIncident) [need(Perm::ReportIncidents)]
        -> Incident = |c, a| a.declare_suggestion(id, &incident);
    acting dismiss_suggestion(id: i64) [need(Perm::ReportIncidents)] -> Suggestion
        = |c, a| a.dismiss_suggestion(id);
    /// Reviews a resolved incident (复盘): resolved → reviewed, with its follow-ups.
    acting review_incident(id: i64, version: i64, review: NewReview) [need(Perm::ReportIncidents)]
        -> Review = |c, a| a.review_incident(id, version, &review);
    /// An incident's review with its timeline (the incident's events), if reviewed.
    acting incident_review(id: i64) [need(Perm::ViewIncidents)] -> Option<Review>
        = |c, a| a.incident_review(id);
    /// Follow-ups not done: the user's own (`mine`), or everyone's for who leads.
    acting follow_ups(mine: Option<bool>) [need(Perm::ViewIncidents)] -> Vec<FollowUp>
        = |c, a| a.follow_ups(mine.unwrap_or(true));
    acting complete_follow_up(id: i64, note: Option<String>) [need(Perm::ViewIncidents)]
        -> FollowUp = |c, a| a.complete_follow_up(id, note.as_deref());
    /// The current version of every plan.
    acting plans() [need(Perm::ViewIncidents)] -> Vec<Plan> = |c, a| a.plans();
    acting plan_versions(kind: IncidentKind, level: Level) [need(Perm::ViewIncidents)]
        -> Vec<Plan> = |c, a| a.plan_versions(kind, level);
    /// Saves a plan as its next version (incidents under way keep theirs).
    acting save_plan(kind: IncidentKind, level: Level, plan: PlanBody) [need(Perm::ManagePlans)]
        -> Plan = |c, a| a.save_plan(kind, level, &plan);
}

commands! {
    static ROSTER;
    /// The shifts of the day (the duty roster's).
    acting duty_shifts() [need(Perm::ViewIncidents)] -> Vec<Shift> = |c, a| a.duty_shifts();
    /// Adds a shift or changes the one with its code (refused if it leaves a gap).
    acting save_shift(shift: Shift) [need(Perm::ManageRoster)] -> Shift = |c, a| a.save_shift(&shift);
    /// The roster of the days `from..=to`.
    acting roster(from: NaiveDate, to: NaiveDate) [need(Perm::ViewIncidents)] -> Roster
        = |c, a| a.roster(from, to);
    /// Replaces the roster of the days `from..=to`; refused when any minute would have no
    /// duty leader.
    acting save_roster(from: NaiveDate, to: NaiveDate, assignments: Vec<Assignment>)
        [need(Perm::ManageRoster)] -> Roster = |c, a| a.save_roster(from, to, &assignments);
    /// Reads a roster from CSV (`day,shift,post,login[,backup]`) and saves the days it names.
    acting import_roster(text: String) [need(Perm::ManageRoster)] -> Roster
        = |c, a| a.import_roster(&text);
    /// Saves `days` days from `from` by a rotation of `people` through every shift of
    /// `post` (with `backups`: the next in turn backs each shift up).
    acting rotate_roster(from: NaiveDate, days: u32, post: crate::emergency::plan::DutyRole, people: Vec<i64>, backups: Option<bool>)
        [need(Perm::ManageRoster)] -> Roster
        = |c, a| a.rotate_roster(from, days, post, &people, backups.unwrap_or(false));
    /// Who is on duty now (or at `at`).
    acting on_duty(at: Option<DateTime<Utc>>) [need(Perm::ViewIncidents)] -> Vec<OnDuty>
        = |c, a| a.on_duty(at);
    /// Asks for someone else to take an assignment (a swap, a cover, leave).
    acting request_duty_change(assignment_id: i64, kind: String, to_user: i64, reason: String)
        [need(Perm::ViewIncidents)] -> DutyChange
        = |c, a| a.request_duty_change(assignment_id, &kind, to_user, &reason);
    acting decide_duty_change(id: i64, approve: bool) [need(Perm::ManageRoster)] -> DutyChange
        = |c, a| a.decide_duty_change(id, approve);
    acting duty_changes() [need(Perm::ViewIncidents)] -> Vec<DutyChange> = |c, a| a.duty_changes();
    /// Handover notes between shifts, the newest first.
    acting handovers() [need(Perm::ViewIncidents)] -> Vec<Handover> = |c, a| a.handovers();
    acting write_handover(note: String) [need(Perm::ViewIncidents)] -> Handover
        = |c, a| a.write_handover(&note);
    acting acknowledge_handover(id: i64) [need(Perm::ViewIncidents)] -> Handover
        = |c, a| a.acknowledge_handover(id);
}
