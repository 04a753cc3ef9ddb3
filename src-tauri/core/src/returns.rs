//! Return review (退单审核): a department's return is a request with a reason from the
//! list; the hotline's dispatcher approves it (the ticket comes back, to be re-routed) or
//! refuses it (the department keeps it, its clock never stopped). A refusal may be
//! escalated once, to another supervisor, whose decision is final. Pure rules.

use crate::error::{Error, Result};

/// Why a department returns a ticket: a code from the centre's list of return reasons
/// (退单理由) — the built-in ones and those the hotline added. Any well-formed code parses;
/// the store accepts only the list's active ones.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ReturnReason(String);

impl ReturnReason {
    /// 属地不符, 权属不清, 职能交叉, 非本单位职责, 信息不全, other: named in every language.
    pub const BUILT_IN: &'static [&'static str] = &[
        "territory",
        "ownership",
        "overlap",
        "not_ours",
        "incomplete",
        "other",
    ];

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_built_in(&self) -> bool {
        Self::BUILT_IN.contains(&self.0.as_str())
    }
}

impl std::str::FromStr for ReturnReason {
    type Err = Error;
    /// A code: a lowercase letter, then lowercase letters, digits or `_`, at most 40.
    fn from_str(s: &str) -> Result<Self> {
        let ok = s.len() <= 40
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(Error::InvalidValue {
                field: "reason_code",
                value: s.chars().take(40).collect(),
            });
        }
        Ok(ReturnReason(s.to_string()))
    }
}

impl TryFrom<String> for ReturnReason {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<ReturnReason> for String {
    fn from(r: ReturnReason) -> String {
        r.0
    }
}

impl std::fmt::Display for ReturnReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl crate::sql_value::ToSql for ReturnReason {
    fn to_sql(&self) -> crate::sql_value::ValueRef<'_> {
        crate::sql_value::ValueRef::Text(&self.0)
    }
}

impl crate::sql_value::FromSql for ReturnReason {
    fn from_sql(v: crate::sql_value::ValueRef<'_>) -> Result<Self, crate::sql_value::FromSqlError> {
        v.as_str()?
            .parse()
            .map_err(|e: Error| crate::sql_value::FromSqlError::Other(Box::new(e)))
    }
}

str_enum!(
    /// Where a return request stands.
    RequestState {
        Pending = "pending",
        Approved = "approved",
        Refused = "refused",
        /// A refusal the department took to a supervisor.
        Escalated = "escalated",
        /// The supervisor upheld the refusal: final.
        Upheld = "upheld",
    }
);

/// What a decision makes of a request: `approve` or refuse it.
pub fn decide(state: RequestState, approve: bool) -> Result<RequestState> {
    use RequestState as R;
    match (state, approve) {
        (R::Pending | R::Escalated, true) => Ok(R::Approved),
        (R::Pending, false) => Ok(R::Refused),
        (R::Escalated, false) => Ok(R::Upheld),
        _ => Err(Error::InvalidTransition {
            action: if approve {
                "approve_return"
            } else {
                "refuse_return"
            }
            .into(),
            status: state.as_str().into(),
        }),
    }
}

/// A refusal is escalated once.
pub fn escalate(state: RequestState) -> Result<RequestState> {
    match state {
        RequestState::Refused => Ok(RequestState::Escalated),
        s => Err(Error::InvalidTransition {
            action: "escalate_return".into(),
            status: s.as_str().into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState as R;

    #[test]
    fn a_reason_is_a_code_of_letters_digits_and_underscores() {
        for ok in ["territory", "flood_zone_2", "x"] {
            assert_eq!(
                ok.parse::<ReturnReason>().map(|r| r.to_string()).ok(),
                Some(ok.into())
            );
        }
        for bad in ["", "Territory", "2nd", "has space", "属地", &"a".repeat(41)] {
            assert!(bad.parse::<ReturnReason>().is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<ReturnReason>("\"Bad\"").is_err());
        assert!("other"
            .parse::<ReturnReason>()
            .is_ok_and(|r| r.is_built_in()));
    }

    #[test]
    fn a_refusal_is_escalated_once_and_the_second_word_is_final() {
        assert_eq!(decide(R::Pending, true).ok(), Some(R::Approved));
        assert_eq!(decide(R::Pending, false).ok(), Some(R::Refused));
        assert_eq!(escalate(R::Refused).ok(), Some(R::Escalated));
        assert_eq!(decide(R::Escalated, false).ok(), Some(R::Upheld));
        assert_eq!(decide(R::Escalated, true).ok(), Some(R::Approved));
        for s in [R::Approved, R::Upheld, R::Refused] {
            assert!(decide(s, true).is_err());
        }
        for s in [R::Pending, R::Escalated, R::Upheld, R::Approved] {
            assert_eq!(escalate(s).map_err(|e| e.code()), Err("invalid_transition"));
        }
    }
}
