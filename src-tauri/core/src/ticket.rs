//! Intake: what an agent records when a call comes in, and its validation.

use crate::error::{Error, Result};
use crate::model::{Channel, Severity, Urgency};
use crate::phone::Phone;
use crate::validate::{opt_text, text, DESCRIPTION_MAX, NAME_MAX, NOTE_MAX};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Clock skew tolerated between the agent's idea of "now" and ours.
const FUTURE_SKEW: Duration = Duration::minutes(2);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// Optional: many callers give no name.
    #[serde(default)]
    pub caller_name: String,
    /// Optional where the channel has no phone or the number was withheld.
    #[serde(default)]
    pub phone: String,
    /// The caller asks to stay anonymous (recorded and honoured downstream).
    #[serde(default)]
    pub anonymous: bool,
    /// The call came in without a caller number.
    #[serde(default)]
    pub withheld: bool,
    pub description: String,
    /// Category code, e.g. `complaint.service_attitude`.
    pub category: String,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default = "default_channel")]
    pub channel: Channel,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default = "default_urgency")]
    pub urgency: Urgency,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

fn default_channel() -> Channel {
    Channel::Phone
}
fn default_severity() -> Severity {
    Severity::General
}
fn default_urgency() -> Urgency {
    Urgency::Normal
}

/// A `NewTicket` that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTicket {
    pub caller_name: String,
    /// None when withheld or when the channel has no phone.
    pub phone: Option<Phone>,
    pub anonymous: bool,
    pub withheld: bool,
    pub description: String,
    pub category: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub severity: Severity,
    pub urgency: Urgency,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl NewTicket {
    /// Checks the intake received at `received_at` (now, or a past time for imports).
    pub fn validate(&self, received_at: DateTime<Utc>) -> Result<ValidTicket> {
        let caller_name = opt_text("caller_name", Some(&self.caller_name), NAME_MAX)?;
        let phone = match (self.phone.trim().is_empty(), self.withheld) {
            (false, false) => Some(Phone::parse(&self.phone)?),
            // A withheld number has no digits to record.
            (false, true) => {
                return Err(Error::InvalidValue {
                    field: "phone",
                    value: self.phone.chars().take(40).collect(),
                })
            }
            (true, true) => None,
            // A phone call shows its number unless it was withheld; other channels
            // may come without one.
            (true, false) if self.channel == Channel::Phone => {
                return Err(Error::Required { field: "phone" })
            }
            (true, false) => None,
        };
        let description = text("description", &self.description, DESCRIPTION_MAX)?;
        let category = text("category", &self.category, NAME_MAX)?;
        if let Some(t) = self.occurred_at {
            if t > received_at + FUTURE_SKEW {
                return Err(Error::OccurredInFuture);
            }
        }
        let email = opt_text("email", self.email.as_deref(), NAME_MAX)?;
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(u, d)| {
                !u.is_empty()
                    && d.contains('.')
                    && !d.starts_with('.')
                    && !e.contains(char::is_whitespace)
            });
            if !ok {
                return Err(Error::InvalidValue {
                    field: "email",
                    value: e.chars().take(60).collect(),
                });
            }
        }
        if self.channel == Channel::Email && email.is_none() {
            return Err(Error::Required { field: "email" });
        }
        Ok(ValidTicket {
            caller_name: caller_name.unwrap_or_default(),
            phone,
            anonymous: self.anonymous,
            withheld: self.withheld,
            description,
            category,
            occurred_at: self.occurred_at,
            received_at,
            channel: self.channel,
            severity: self.severity,
            urgency: self.urgency,
            email,
            address: opt_text("address", self.address.as_deref(), NOTE_MAX)?,
        })
    }
}

/// `20261122-0007`: local date and per-day sequence.
pub fn format_number(day: &str, seq: i64) -> String {
    format!("{day}-{seq:04}")
}

/// The first event of every timeline.
pub fn created_event(x: &crate::model::Ticket) -> crate::lifecycle::NewEvent {
    crate::lifecycle::NewEvent {
        action: "create",
        note: None,
        from_status: None,
        to_status: crate::model::Status::Received,
        data: serde_json::json!({ "channel": x.channel, "severity": x.severity, "urgency": x.urgency }),
    }
}

/// A freshly received ticket from validated intake.
pub fn blank(v: &ValidTicket, category_id: i64, created_by: i64) -> crate::model::Ticket {
    crate::model::Ticket {
        id: 0,
        number: String::new(),
        version: 1,
        status: crate::model::Status::Received,
        customer_id: None,
        caller_name: v.caller_name.clone(),
        phone: v
            .phone
            .as_ref()
            .map(|p| p.number.clone())
            .unwrap_or_default(),
        phone_ext: v.phone.as_ref().and_then(|p| p.ext.clone()),
        anonymous: v.anonymous,
        phone_withheld: v.withheld,
        email: v.email.clone(),
        address: v.address.clone(),
        description: v.description.clone(),
        occurred_at: v.occurred_at,
        received_at: v.received_at,
        category_id,
        channel: v.channel,
        severity: v.severity,
        urgency: v.urgency,
        created_by,
        department_id: None,
        handler_id: None,
        requirements: None,
        transferred_at: None,
        accept_due_at: None,
        due_at: None,
        extension: None,
        extension_due_at: None,
        answer: None,
        result: None,
        resolved: None,
        replied_at: None,
        satisfaction: None,
        callback_due_at: None,
        callback_method: None,
        callback_satisfaction: None,
        redispatch_count: 0,
        return_count: 0,
        reopen_count: 0,
        urge_count: 0,
        merged_into: None,
        supervised: false,
        paused_at: None,
        closed_at: None,
        updated_at: v.received_at,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lifecycle::tests::t0;

    pub fn new_ticket() -> NewTicket {
        NewTicket {
            caller_name: "张三".into(),
            phone: "138 1234 5678".into(),
            anonymous: false,
            withheld: false,
            description: "小区路灯连续三晚不亮，存在安全隐患。".into(),
            category: "help_request".into(),
            occurred_at: Some(t0() - Duration::days(3)),
            channel: Channel::Phone,
            severity: Severity::General,
            urgency: Urgency::Normal,
            email: None,
            address: Some("幸福路 12 号".into()),
        }
    }

    #[test]
    fn intake_rules() {
        assert!(new_ticket().validate(t0()).is_ok());
        let code = |n: NewTicket| n.validate(t0()).err().map(|e| e.code());
        assert_eq!(
            code(NewTicket {
                phone: "12345".into(),
                ..new_ticket()
            }),
            Some("phone_invalid")
        );
        assert_eq!(
            code(NewTicket {
                phone: " ".into(),
                ..new_ticket()
            }),
            Some("required")
        );
        assert_eq!(
            code(NewTicket {
                description: "话".repeat(20_001),
                ..new_ticket()
            }),
            Some("too_long")
        );
        assert_eq!(
            code(NewTicket {
                occurred_at: Some(t0() + Duration::hours(1)),
                ..new_ticket()
            }),
            Some("occurred_in_future")
        );
        assert_eq!(
            code(NewTicket {
                email: Some("not-an-email".into()),
                ..new_ticket()
            }),
            Some("invalid_value")
        );
        assert!(NewTicket {
            email: Some("a@b.cn".into()),
            ..new_ticket()
        }
        .validate(t0())
        .is_ok());
    }

    /// Anonymous and withheld calls, foreign numbers and channels without a phone are
    /// all loggable; a phone call still needs its number unless it was withheld.
    #[test]
    fn every_caller_can_be_logged() {
        let ok = |n: NewTicket| n.validate(t0()).unwrap_or_else(|e| panic!("{e}"));
        let v = ok(NewTicket {
            caller_name: " ".into(),
            anonymous: true,
            ..new_ticket()
        });
        assert_eq!((v.caller_name.as_str(), v.anonymous), ("", true));
        let v = ok(NewTicket {
            phone: "".into(),
            withheld: true,
            ..new_ticket()
        });
        assert_eq!((v.phone, v.withheld), (None, true));
        let v = ok(NewTicket {
            phone: "+1 650 555 1234".into(),
            ..new_ticket()
        });
        assert_eq!(v.phone.map(|p| p.number).as_deref(), Some("+16505551234"));
        for channel in [Channel::Letter, Channel::WalkIn, Channel::Online] {
            let v = ok(NewTicket {
                phone: "".into(),
                channel,
                ..new_ticket()
            });
            assert_eq!(v.phone, None);
        }
        let code = |n: NewTicket| {
            n.validate(t0())
                .err()
                .map(|e| (e.code(), e.details()["field"].clone()))
        };
        assert_eq!(
            code(NewTicket {
                phone: "".into(),
                ..new_ticket()
            }),
            Some(("required", "phone".into()))
        );
        assert_eq!(
            code(NewTicket {
                phone: "".into(),
                channel: Channel::Email,
                ..new_ticket()
            }),
            Some(("required", "email".into()))
        );
        assert_eq!(
            code(NewTicket {
                withheld: true,
                ..new_ticket()
            }),
            Some(("invalid_value", "phone".into()))
        );
    }

    #[test]
    fn numbers_are_zero_padded_and_grow() {
        assert_eq!(format_number("20261122", 7), "20261122-0007");
        assert_eq!(format_number("20261122", 12345), "20261122-12345");
    }
}
