//! Intake drafts: the call an agent is typing, kept per user so that switching views, a
//! second "new call" or a restart of the desk loses nothing.

use super::db::{ms, Store};
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use serde_json::Value;

/// A draft is a form's fields, not a document: this is far more than any call needs.
pub const DRAFT_MAX_BYTES: usize = 64 * 1024;

pub(super) fn discard(c: &Connection, user_id: i64) -> Result<()> {
    c.prepare_cached("DELETE FROM drafts WHERE user_id = ?1")?
        .execute([user_id])?;
    Ok(())
}

impl Store {
    pub fn intake_draft(&self, user_id: i64) -> Result<Option<Value>> {
        self.read(|c| {
            let body: Option<String> = c
                .prepare_cached("SELECT body FROM drafts WHERE user_id = ?1")?
                .query_row([user_id], |r| r.get(0))
                .optional()?;
            Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
        })
    }

    /// Keeps the form's fields (an object of strings and flags) as the user's draft.
    pub fn save_intake_draft(&self, user_id: i64, draft: &Value) -> Result<()> {
        let Some(fields) = draft.as_object() else {
            return Err(Error::InvalidValue {
                field: "draft",
                value: draft.to_string().chars().take(40).collect(),
            });
        };
        if !fields
            .values()
            .all(|v| v.is_string() || v.is_boolean() || v.is_null())
        {
            return Err(Error::InvalidValue {
                field: "draft",
                value: "nested".into(),
            });
        }
        let body = draft.to_string();
        if body.len() > DRAFT_MAX_BYTES {
            return Err(Error::TooLong {
                field: "draft",
                len: body.len(),
                max: DRAFT_MAX_BYTES,
            });
        }
        let now = self.now();
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO drafts (user_id, body, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            )?
            .execute((user_id, &body, ms(now)))?;
            Ok(())
        })
    }

    pub fn discard_intake_draft(&self, user_id: i64) -> Result<()> {
        self.write(|tx| discard(tx, user_id))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testutil::store;
    use crate::ticket::tests::new_ticket;
    use serde_json::json;

    #[test]
    fn a_draft_survives_a_reopen_and_goes_with_the_call_it_became() {
        let (_dir, s, clock) = store();
        let draft = json!({ "phone": "138 1234", "description": "路灯不亮，", "anonymous": false });
        s.save_intake_draft(1, &draft).expect("save");
        let s = crate::store::testutil::reopen(s, clock);
        assert_eq!(s.intake_draft(1).expect("draft"), Some(draft));
        assert_eq!(s.intake_draft(2).expect("other user"), None);
        for bad in [json!("text"), json!({ "a": { "b": 1 } })] {
            let e = s.save_intake_draft(1, &bad).expect_err("not a form");
            assert_eq!(e.code(), "invalid_value");
        }
        let big = json!({ "description": "话".repeat(30_000) });
        assert_eq!(
            s.save_intake_draft(1, &big).map_err(|e| e.code()).err(),
            Some("too_long")
        );
        // Logging the call removes the draft in the same transaction.
        s.intake(1, &new_ticket(), None).expect("intake");
        assert_eq!(s.intake_draft(1).expect("draft"), None);
        s.save_intake_draft(1, &json!({ "phone": "1" }))
            .expect("save");
        s.discard_intake_draft(1).expect("discard");
        assert_eq!(s.intake_draft(1).expect("draft"), None);
    }
}
