//! Repeated requests (重复件): which open tickets a new call may repeat — the same caller,
//! or similar words at the same address or in the same category within a window — and
//! when a call may be merged into a master ticket. Pure rules.

use crate::error::{Error, Result};
use crate::model::{Status, Ticket};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

str_enum!(
    /// Why a ticket is offered as the one a call repeats.
    Reason {
        /// The same caller's open ticket.
        Caller = "caller",
        /// Similar words at the same address.
        Address = "address",
        /// Very similar words in the same category.
        Text = "text",
    }
);

/// How alike the words must be (bigram Jaccard) to offer a ticket of another category at
/// the same address (one of the same category is offered whatever its words).
pub const ADDRESS_SIMILARITY: f64 = 0.25;
/// How alike the words must be without the same address.
pub const TEXT_SIMILARITY: f64 = 0.45;

fn pairs(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Bigram Jaccard similarity of two texts, 0 to 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (x, y) = (pairs(a), pairs(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / x.union(&y).count() as f64
}

/// An address reduced to what identifies a place (spaces and punctuation dropped).
pub fn place(address: &str) -> String {
    address
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A call being typed, prepared once for comparing with every open ticket.
pub struct Call {
    phone: String,
    place: String,
    pairs: HashSet<(char, char)>,
    category: i64,
}

impl Call {
    pub fn new(phone: &str, address: &str, text: &str, category: i64) -> Call {
        Call {
            phone: phone.to_string(),
            place: place(address),
            pairs: pairs(text),
            category,
        }
    }

    fn alike(&self, text: &str) -> f64 {
        let other = pairs(text);
        if self.pairs.is_empty() || other.is_empty() {
            return 0.0;
        }
        let shared = self.pairs.intersection(&other).count();
        shared as f64 / (self.pairs.len() + other.len() - shared) as f64
    }

    /// Why an open ticket `(phone, address, text, category)` is a candidate, with how alike
    /// the words are; the words are compared only when the cheaper tests leave it possible.
    pub fn reason(
        &self,
        (phone, address, text, category): (&str, &str, &str, i64),
    ) -> Option<(Reason, f64)> {
        if !self.phone.is_empty() && self.phone == phone {
            return Some((Reason::Caller, self.alike(text)));
        }
        let same_place = !self.place.is_empty() && self.place == place(address);
        if !same_place && category != self.category {
            return None;
        }
        let sim = self.alike(text);
        if same_place && (category == self.category || sim >= ADDRESS_SIMILARITY) {
            return Some((Reason::Address, sim));
        }
        (category == self.category && sim >= TEXT_SIMILARITY).then_some((Reason::Text, sim))
    }
}

/// Whether `dup` may be merged into `master`: a call not yet handed on, into another open
/// ticket that is itself no merged call.
pub fn can_merge(dup: &Ticket, master: &Ticket) -> Result<()> {
    if dup.id == master.id {
        return Err(Error::InvalidValue {
            field: "master",
            value: master.number.clone(),
        });
    }
    if dup.merged_into.is_some() || !matches!(dup.status, Status::Received) {
        return Err(Error::InvalidTransition {
            action: "merge".into(),
            status: if dup.merged_into.is_some() {
                "merged".into()
            } else {
                dup.status.as_str().into()
            },
        });
    }
    if master.merged_into.is_some() || matches!(master.status, Status::Closed | Status::Archived) {
        return Err(Error::InvalidTransition {
            action: "merge_into".into(),
            status: if master.merged_into.is_some() {
                "merged".into()
            } else {
                master.status.as_str().into()
            },
        });
    }
    Ok(())
}

/// A merge as the desk is told of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub summary: String,
    pub reason: Reason,
    pub similarity: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alike_words_and_places() {
        assert!(similarity("幸福路路灯不亮", "幸福路的路灯坏了不亮") > 0.3);
        assert!(similarity("路灯不亮", "噪声扰民") < 0.01);
        assert_eq!(place("幸福路 12 号"), place("幸福路12号"));
        let call = Call::new("13812345678", "幸福路12号", "门口路灯不亮", 8);
        let why = |o| call.reason(o).map(|r: (Reason, f64)| r.0);
        assert_eq!(why(("13812345678", "", "别的事", 1)), Some(Reason::Caller));
        assert_eq!(
            why(("13900000000", "幸福路 12 号", "幸福路12号路灯不亮", 8)),
            Some(Reason::Address)
        );
        assert_eq!(why(("13900000000", "人民路1号", "噪声扰民", 8)), None);
        let sim = call
            .reason(("13812345678", "", "门口路灯不亮", 1))
            .map(|r| r.1);
        assert_eq!(sim, Some(similarity("门口路灯不亮", "门口路灯不亮")));
    }
}
