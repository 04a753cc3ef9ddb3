//! The commands of graded emergency response: incidents, their calls, checklists,
//! bulletins and plans.

use super::{acting, arguments, need, reply, Command, Ctx, Run};
use crate::emergency::plan::{Plan, PlanBody};
use crate::emergency::{Incident, IncidentAction, IncidentKind, Level, NewIncident};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Bulletin, IncidentDetail, IncidentRow, IncidentStep, NewBulletin};
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
    /// Approves and publishes the next version of an incident's bulletin (口径).
    acting publish_bulletin(incident_id: i64, bulletin: NewBulletin) [need(Perm::PublishBulletins)]
        -> Bulletin = |c, a| a.publish_bulletin(incident_id, &bulletin);
    acting complete_incident_step(incident_id: i64, step: i64, note: Option<String>)
        [need(Perm::ManageIncidents)] -> IncidentStep
        = |c, a| a.complete_incident_step(incident_id, step, note.as_deref());
    /// The current version of every plan.
    acting plans() [need(Perm::ViewIncidents)] -> Vec<Plan> = |c, a| a.plans();
    acting plan_versions(kind: IncidentKind, level: Level) [need(Perm::ViewIncidents)]
        -> Vec<Plan> = |c, a| a.plan_versions(kind, level);
    /// Saves a plan as its next version (incidents under way keep theirs).
    acting save_plan(kind: IncidentKind, level: Level, plan: PlanBody) [need(Perm::ManagePlans)]
        -> Plan = |c, a| a.save_plan(kind, level, &plan);
}
