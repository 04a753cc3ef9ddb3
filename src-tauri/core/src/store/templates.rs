//! Reply templates (常用语): wording an agent or a handler inserts with one choice.

use super::db::{ms, Store};
use super::sql::OptionalExtension;
use crate::error::{Error, Result};
use crate::model::User;
use crate::validate::{text, NOTE_MAX};
use serde::{Deserialize, Serialize};

/// The fields templates fill.
pub const TEMPLATE_FIELDS: &[&str] = &["answer", "requirements", "result", "note"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyTemplate {
    pub id: i64,
    pub field: String,
    /// None: offered for every category.
    pub category_id: Option<i64>,
    pub text: String,
}

impl Store {
    pub fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, field, category_id, text FROM reply_templates ORDER BY field, category_id IS NOT NULL, id",
            )?;
            let rows = st
                .query_map([], |r| {
                    Ok(ReplyTemplate {
                        id: r.get(0)?,
                        field: r.get(1)?,
                        category_id: r.get(2)?,
                        text: r.get(3)?,
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    pub fn create_reply_template(
        &self,
        by: Option<&User>,
        field: &str,
        category_id: Option<i64>,
        wording: &str,
    ) -> Result<ReplyTemplate> {
        if !TEMPLATE_FIELDS.contains(&field) {
            return Err(Error::InvalidValue {
                field: "field",
                value: field.chars().take(40).collect(),
            });
        }
        let wording = text("text", wording, NOTE_MAX)?;
        let now = self.now();
        self.write(|tx| {
            if let Some(c) = category_id {
                super::reference::get_category(tx, c)?;
            }
            let id = tx.insert(
                "INSERT INTO reply_templates (field, category_id, text, created_at) VALUES (?1, ?2, ?3, ?4)",
                (field, category_id, &wording, ms(now)),
            )?;
            let detail = serde_json::json!({ "field": field, "category_id": category_id, "text": wording });
            super::audit::note(tx, now, by, "template_created", &id.to_string(), detail)?;
            Ok(ReplyTemplate {
                id,
                field: field.to_string(),
                category_id,
                text: wording,
            })
        })
    }

    pub fn delete_reply_template(&self, by: Option<&User>, id: i64) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            let wording: Option<String> = tx
                .query_row(
                    "SELECT text FROM reply_templates WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(wording) = wording else {
                return Err(Error::NotFound {
                    entity: "template",
                    key: id.to_string(),
                });
            };
            tx.execute("DELETE FROM reply_templates WHERE id = ?1", [id])?;
            let detail = serde_json::json!({ "text": wording });
            super::audit::note(tx, now, by, "template_deleted", &id.to_string(), detail)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testutil::store;

    #[test]
    fn templates_are_added_checked_removed_and_logged() {
        let (_d, s, _c) = store();
        let admin = s.first_admin().expect("admin");
        let by = Some(&admin);
        let seeded = s.reply_templates().expect("list").len();
        assert!(seeded >= 4, "a few to start with");
        let t = s
            .create_reply_template(by, "result", Some(1), "已更换灯具，恢复照明。")
            .expect("create");
        assert_eq!(s.reply_templates().expect("list").len(), seeded + 1);
        for (field, category, wording, code) in [
            ("reason", None, "x", "invalid_value"),
            ("note", Some(9999), "x", "not_found"),
            ("note", None, "  ", "required"),
        ] {
            let e = s
                .create_reply_template(by, field, category, wording)
                .expect_err(field);
            assert_eq!(e.code(), code);
        }
        s.delete_reply_template(by, t.id).expect("delete");
        assert_eq!(s.reply_templates().expect("list").len(), seeded);
        assert_eq!(
            s.delete_reply_template(by, t.id)
                .map_err(|e| e.code())
                .err(),
            Some("not_found")
        );
        let logged = s
            .audit_entries(&crate::store::AuditQuery::default())
            .expect("audit")
            .into_iter()
            .filter(|e| e.action.starts_with("template_"))
            .count();
        assert_eq!(logged, 2);
    }
}
