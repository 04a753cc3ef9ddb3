//! The permission door for the dispatch catalogue: everyone who takes calls reads it and
//! is given its suggestion; dispatchers (supervisors, managers) keep it.

use super::Acting;
use crate::dispatch::NewRule;
use crate::error::Result;
use crate::model::{Perm, Severity};
use crate::store::{DispatchFigures, DispatchSuggestion, RuleRow};
use chrono::{DateTime, Utc};

impl<'s> Acting<'s> {
    pub fn dispatch_rules(&self, all: bool) -> Result<Vec<RuleRow>> {
        self.need(Perm::ViewTickets)?.dispatch_rules(all)
    }

    pub fn add_dispatch_rule(&self, rule: &NewRule) -> Result<RuleRow> {
        self.need(Perm::ManageDispatch)?
            .add_dispatch_rule(self.author(), rule)
    }

    pub fn retire_dispatch_rule(&self, id: i64) -> Result<RuleRow> {
        self.need(Perm::ManageDispatch)?
            .retire_dispatch_rule(self.author(), id)
    }

    pub fn suggest_dispatch(
        &self,
        category: &str,
        description: &str,
        address: &str,
        severity: Severity,
        exclude: Option<i64>,
    ) -> Result<Option<DispatchSuggestion>> {
        self.need(Perm::ViewTickets)?.suggest_dispatch(
            category,
            description,
            address,
            severity,
            exclude,
        )
    }

    pub fn dispatch_figures(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<DispatchFigures> {
        self.need(Perm::ViewReports)?.dispatch_figures(from, to)
    }
}
