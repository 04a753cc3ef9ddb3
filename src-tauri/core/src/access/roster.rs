//! The permission door for the duty roster: everyone sees who is on duty; managers set
//! shifts and rosters and decide swaps and covers; whoever holds an assignment asks for
//! one; handover notes are written and acknowledged by the staff on duty.

use super::Acting;
use crate::emergency::roster::{Assignment, Shift};
use crate::error::{Error, Result};
use crate::model::Perm;
use crate::permissions::allows;
use crate::store::{DutyChange, Handover, OnDuty, Roster};
use chrono::{DateTime, NaiveDate, Utc};

/// The person a roster names by login or id.
fn named(accounts: &[crate::store::Account], who: &str) -> Option<i64> {
    accounts
        .iter()
        .find(|a| a.login.as_deref() == Some(who) || a.user.id.to_string() == who)
        .map(|a| a.user.id)
}

impl<'s> Acting<'s> {
    pub fn duty_shifts(&self) -> Result<Vec<Shift>> {
        self.need(Perm::ViewIncidents)?.duty_shifts()
    }

    pub fn save_shift(&self, shift: &Shift) -> Result<Shift> {
        self.need(Perm::ManageRoster)?
            .save_shift(self.author(), shift)
    }

    pub fn roster(&self, from: NaiveDate, to: NaiveDate) -> Result<Roster> {
        self.need(Perm::ViewIncidents)?.roster(from, to)
    }

    pub fn save_roster(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        list: &[Assignment],
    ) -> Result<Roster> {
        self.need(Perm::ManageRoster)?
            .save_roster(self.author(), from, to, list)
    }

    /// A person named by login or id, as rosters name them.
    pub fn user_id_by_login(&self, who: &str) -> Result<i64> {
        let s = self.need(Perm::ViewIncidents)?;
        named(&s.accounts()?, who).ok_or_else(|| Error::NotFound {
            entity: "user",
            key: who.chars().take(40).collect(),
        })
    }

    /// Reads a roster from CSV (`day,shift,post,login[,backup]` with a header; shift by
    /// code, person by login or id) and saves the days it names as one roster: refused
    /// whole, with the line, when any row is bad or a minute has no duty leader.
    pub fn import_roster(&self, text: &str) -> Result<Roster> {
        let s = self.need(Perm::ManageRoster)?;
        let accounts = s.accounts()?;
        let list = crate::emergency::roster::parse_csv(text, &s.duty_shifts()?, |who| {
            named(&accounts, who)
        })?;
        let from = list.iter().map(|a| a.day).min().unwrap_or_default();
        let to = list.iter().map(|a| a.day).max().unwrap_or_default();
        s.save_roster(self.author(), from, to, &list)
    }

    /// Saves the roster of `days` days from `from` by a rotation of `people` (ids or logins)
    /// through every shift in `post` — everyone takes every shift in turn; with
    /// `backups`, the next person in the rotation backs each shift up.
    pub fn rotate_roster(
        &self,
        from: NaiveDate,
        days: u32,
        post: crate::emergency::plan::DutyRole,
        people: &[i64],
        backups: bool,
    ) -> Result<Roster> {
        let s = self.need(Perm::ManageRoster)?;
        if days == 0 || i64::from(days) > crate::store::ROSTER_DAYS_MAX {
            return Err(Error::InvalidValue {
                field: "days",
                value: days.to_string(),
            });
        }
        let shifts = s.duty_shifts()?;
        let mut list = crate::emergency::roster::rotation(&shifts, post, people, from, days)?;
        if backups {
            let mut second: Vec<i64> = people.to_vec();
            second.rotate_left(1);
            list.extend(
                crate::emergency::roster::rotation(&shifts, post, &second, from, days)?
                    .into_iter()
                    .map(|a| Assignment { backup: true, ..a }),
            );
        }
        let to = from + chrono::Duration::days(i64::from(days) - 1);
        s.save_roster(self.author(), from, to, &list)
    }

    /// Who is on duty at `at` (now when none).
    pub fn on_duty(&self, at: Option<DateTime<Utc>>) -> Result<Vec<OnDuty>> {
        let s = self.need(Perm::ViewIncidents)?;
        s.on_duty(at.unwrap_or_else(|| s.now()))
    }

    /// Asks for someone else to take an assignment: its holder asks, or a manager for them.
    pub fn request_duty_change(
        &self,
        assignment_id: i64,
        kind: &str,
        to_user: i64,
        reason: &str,
    ) -> Result<DutyChange> {
        let s = self.need(Perm::ViewIncidents)?;
        let holder = s
            .roster_assignment(assignment_id)?
            .is_some_and(|a| a.user_id == self.user.id);
        if !holder {
            self.need(Perm::ManageRoster)?;
        }
        s.request_duty_change(self.author(), assignment_id, kind, to_user, reason)
    }

    pub fn decide_duty_change(&self, id: i64, approve: bool) -> Result<DutyChange> {
        self.need(Perm::ManageRoster)?
            .decide_duty_change(self.author(), id, approve)
    }

    pub fn duty_changes(&self) -> Result<Vec<DutyChange>> {
        self.need(Perm::ViewIncidents)?.duty_changes(200)
    }

    pub fn handovers(&self) -> Result<Vec<Handover>> {
        self.need(Perm::ViewIncidents)?.handovers(100)
    }

    pub fn write_handover(&self, note: &str) -> Result<Handover> {
        self.need(Perm::ViewIncidents)?
            .write_handover(self.author(), note)
    }

    /// The incoming shift acknowledges (a manager of the roster may for it).
    pub fn acknowledge_handover(&self, id: i64) -> Result<Handover> {
        self.need(Perm::ViewIncidents)?.acknowledge_handover(
            self.author(),
            id,
            allows(self.user.role, Perm::ManageRoster),
        )
    }
}
