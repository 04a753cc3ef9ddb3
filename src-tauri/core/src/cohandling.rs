//! Co-handling (协办): a transfer names one lead department and any co-handling ones. Each
//! co-handler accepts and replies with its part within its own deadline; the lead replies
//! with the combined result only when every part is in or explicitly waived. Pure rules;
//! the store keeps the parts.

use crate::error::{Error, Result};
use crate::model::ActionKind;
pub use crate::model::{CoPart, PartState};

/// The co-handling departments of a transfer: each once, never the lead.
pub fn co_list(lead: i64, ids: &[i64]) -> Result<Vec<i64>> {
    let mut out: Vec<i64> = Vec::new();
    for id in ids {
        if *id == lead {
            return Err(Error::InvalidValue {
                field: "co_department_ids",
                value: id.to_string(),
            });
        }
        if !out.contains(id) {
            out.push(*id);
        }
    }
    Ok(out)
}

/// Where a part goes by `kind`.
pub fn next_state(cur: PartState, kind: ActionKind) -> Result<PartState> {
    use PartState as P;
    match (kind, cur) {
        (ActionKind::CoAccept, P::Open) => Ok(P::Accepted),
        (ActionKind::CoReply, P::Open | P::Accepted) => Ok(P::Replied),
        (ActionKind::CoWaive, P::Open | P::Accepted) => Ok(P::Waived),
        _ => Err(Error::InvalidTransition {
            action: kind.as_str().into(),
            status: cur.as_str().into(),
        }),
    }
}

/// The lead may reply only when no part is owed: the departments still owing, if any.
pub fn owed(parts: &[CoPart]) -> Vec<String> {
    parts
        .iter()
        .filter(|p| p.state.owed())
        .map(|p| p.department_name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_move_to_a_reply_or_a_waiver_and_no_further() {
        use ActionKind as K;
        use PartState as P;
        assert_eq!(next_state(P::Open, K::CoAccept).ok(), Some(P::Accepted));
        assert_eq!(next_state(P::Accepted, K::CoReply).ok(), Some(P::Replied));
        assert_eq!(next_state(P::Open, K::CoReply).ok(), Some(P::Replied));
        assert_eq!(next_state(P::Accepted, K::CoWaive).ok(), Some(P::Waived));
        for (s, k) in [
            (P::Replied, K::CoReply),
            (P::Waived, K::CoAccept),
            (P::Accepted, K::CoAccept),
            (P::Cancelled, K::CoWaive),
        ] {
            assert_eq!(
                next_state(s, k).map_err(|e| e.code()),
                Err("invalid_transition")
            );
        }
        assert_eq!(co_list(1, &[2, 3, 2]).ok(), Some(vec![2, 3]));
        assert_eq!(
            co_list(1, &[2, 1]).map_err(|e| e.code()),
            Err("invalid_value")
        );
    }
}
