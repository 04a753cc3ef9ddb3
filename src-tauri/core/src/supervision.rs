//! Supervision notices (督办文书): a 催办通知书 when a department lets a deadline pass, a 督办单
//! when supervision is raised (after the third re-dispatch, or by a supervisor). Each is a
//! numbered document per kind and year, sent to the department, which acknowledges it; a
//! department urged twice for one ticket in a month is on that month's notice list (通报).
//! Pure rules.

use crate::error::{Error, Result};

str_enum!(
    /// Which document.
    NoticeKind {
        /// 催办通知书.
        Urge = "urge",
        /// 督办单.
        Supervise = "supervise",
    }
);

str_enum!(
    /// Why it was issued.
    NoticeCause {
        /// A deadline of the department's passed.
        Breach = "breach",
        /// Supervision raised after repeated re-dispatches (提级督办).
        Redispatch = "redispatch",
        /// A supervisor issued it.
        Manual = "manual",
    }
);

/// Working days a department has to answer a document.
pub fn reply_days(kind: NoticeKind) -> i64 {
    match kind {
        NoticeKind::Urge => 1,
        NoticeKind::Supervise => 3,
    }
}

/// Urges of one ticket to one department within a month that put it on the notice list.
pub const LISTED_AFTER: i64 = 2;

/// A document is acknowledged once.
pub fn acknowledge(acknowledged: bool) -> Result<()> {
    if acknowledged {
        return Err(Error::InvalidTransition {
            action: "acknowledge_notice".into(),
            status: "acknowledged".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supervision_order_gives_more_time_and_is_acknowledged_once() {
        assert!(reply_days(NoticeKind::Supervise) > reply_days(NoticeKind::Urge));
        assert!(acknowledge(false).is_ok());
        assert_eq!(
            acknowledge(true).map_err(|e| e.code()),
            Err("invalid_transition")
        );
        assert_eq!(NoticeCause::ALL.len(), 3);
    }
}
