//! Return review (退单审核): a department's return is a request with a reason from the
//! list; the hotline's dispatcher approves it (the ticket comes back, to be re-routed) or
//! refuses it (the department keeps it, its clock never stopped). A refusal may be
//! escalated once, to another supervisor, whose decision is final. Pure rules.

use crate::error::{Error, Result};

str_enum!(
    /// Why a department returns a ticket.
    ReturnReason {
        /// 属地不符: the place is another's.
        Territory = "territory",
        /// 权属不清: whose it is is unclear.
        Ownership = "ownership",
        /// 职能交叉: several departments' duties overlap.
        Overlap = "overlap",
        /// 非本单位职责: not this department's duty.
        NotOurs = "not_ours",
        /// 信息不全: the request lacks what is needed to act.
        Incomplete = "incomplete",
        Other = "other",
    }
);

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
