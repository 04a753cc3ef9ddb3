//! Files kept with their record: added (checked, hashed, audited), listed without their
//! bytes, read whole, removed (audited with the hash of what went).

use super::audit::append;
use super::db::{from_ms, ms, Author, Store};
use super::sql::{Connection, OptionalExtension};
use crate::attachment::{checked_bytes, checked_name, Owner};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// A kept file, without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub owner: Owner,
    pub owner_id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "a.id, a.owner_kind, a.owner_id, a.name, a.media_type, a.size, a.sha256, u.name, a.created_at
     FROM attachments a JOIN users u ON u.id = a.created_by";

fn row(r: &super::sql::Row<'_>) -> super::sql::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        owner: r.get(1)?,
        owner_id: r.get(2)?,
        name: r.get(3)?,
        media_type: r.get(4)?,
        size: r.get(5)?,
        sha256: r.get(6)?,
        created_by: r.get(7)?,
        created_at: from_ms(r.get(8)?),
    })
}

/// The owner a file is added to must exist.
fn owner_exists(c: &Connection, owner: Owner, id: i64) -> Result<()> {
    let (table, entity) = match owner {
        Owner::TrainingSession => ("training_sessions", "session"),
        Owner::KbArticle => ("kb_articles", "article"),
    };
    let found: Option<i64> = c
        .query_row(
            &format!("SELECT id FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?;
    found.map(|_| ()).ok_or_else(|| Error::NotFound {
        entity,
        key: id.to_string(),
    })
}

fn attachment(c: &Connection, id: i64) -> Result<Attachment> {
    c.prepare_cached(&format!("SELECT {COLUMNS} WHERE a.id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "attachment",
            key: id.to_string(),
        })
}

impl Store {
    pub fn add_attachment(
        &self,
        by: Author<'_>,
        owner: Owner,
        owner_id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let (name, media) = checked_name(name)?;
        checked_bytes(bytes)?;
        let sha = crate::files::hex(Sha256::digest(bytes));
        let now = self.now();
        self.write(|tx| {
            owner_exists(tx, owner, owner_id)?;
            let new_id = tx.insert(
                "INSERT INTO attachments (owner_kind, owner_id, name, media_type, size, sha256, data, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                super::sql::params![owner.as_str(), owner_id, name, media, bytes.len() as i64, sha, bytes, by.user.id, ms(now)],
            )?;
            let a = attachment(tx, new_id)?;
            append(
                tx,
                now,
                Some(by.user),
                "attachment_added",
                &format!("{}:{owner_id}", owner.as_str()),
                &json!({ "attachment_id": a.id, "name": a.name, "size": a.size, "sha256": a.sha256 }),
            )?;
            Ok(a)
        })
    }

    /// The files of a record, oldest first, without their bytes.
    pub fn attachments(&self, owner: Owner, owner_id: i64) -> Result<Vec<Attachment>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {COLUMNS} WHERE a.owner_kind = ?1 AND a.owner_id = ?2 ORDER BY a.id"
            ))?
            .query_map((owner.as_str(), owner_id), row)?
            .collect::<super::sql::Result<_>>()?)
        })
    }

    /// A file, without its bytes.
    pub fn attachment(&self, id: i64) -> Result<Attachment> {
        self.read(|c| attachment(c, id))
    }

    /// A file with its bytes.
    pub fn attachment_data(&self, id: i64) -> Result<(Attachment, Vec<u8>)> {
        self.read(|c| {
            let a = attachment(c, id)?;
            let data: Vec<u8> =
                c.query_row("SELECT data FROM attachments WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
            Ok((a, data))
        })
    }

    /// Removes a file of a record of kind `owner` (another kind's file is not found).
    pub fn remove_attachment(&self, by: Author<'_>, owner: Owner, id: i64) -> Result<Attachment> {
        let now = self.now();
        self.write(|tx| {
            let a = attachment(tx, id)?;
            if a.owner != owner {
                return Err(Error::NotFound {
                    entity: "attachment",
                    key: id.to_string(),
                });
            }
            tx.execute("DELETE FROM attachments WHERE id = ?1", [id])?;
            append(
                tx,
                now,
                Some(by.user),
                "attachment_removed",
                &format!("{}:{}", a.owner.as_str(), a.owner_id),
                &json!({ "attachment_id": a.id, "name": a.name, "sha256": a.sha256 }),
            )?;
            Ok(a)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::attachment::Owner;
    use crate::model::{Role, User};
    use crate::store::testutil::{store as open, t0};
    use crate::store::Store;
    use crate::training::{Method, NewSession, Topic};

    /// A store, its trainer and a session to keep files with.
    fn store() -> (tempfile::TempDir, Store, User, i64) {
        let (d, s, _) = open();
        let trainer = s
            .create_user(None, "王培训", 1, Role::Trainer)
            .expect("user");
        let new = NewSession {
            title: "规范用语".into(),
            topic: Topic::Communication,
            method: Method::Internal,
            starts_at: t0(),
            hours: 2.0,
            place: String::new(),
            audience: vec![],
        };
        let id = s.add_session((&trainer).into(), &new).expect("added").id;
        (d, s, trainer, id)
    }

    #[test]
    fn a_file_is_kept_whole_listed_without_bytes_and_removed_with_an_audit_entry() {
        let (_d, s, trainer, id) = store();
        let pdf = b"%PDF-1.4 materials".to_vec();
        let a = s
            .add_attachment(
                (&trainer).into(),
                Owner::TrainingSession,
                id,
                "讲义.pdf",
                &pdf,
            )
            .expect("added");
        assert_eq!(
            (a.media_type.as_str(), a.size, a.created_by.as_str()),
            ("application/pdf", 18, "王培训")
        );
        assert_eq!(
            s.attachments(Owner::TrainingSession, id).expect("list"),
            vec![a.clone()]
        );
        assert_eq!(s.attachment_data(a.id).expect("data").1, pdf);
        s.remove_attachment((&trainer).into(), Owner::TrainingSession, a.id)
            .expect("removed");
        assert!(s
            .attachments(Owner::TrainingSession, id)
            .expect("list")
            .is_empty());
        let actions: Vec<String> = s
            .audit_entries(&Default::default())
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"attachment_added".to_string()));
        assert!(actions.contains(&"attachment_removed".to_string()));
        assert!(s.verify_audit().expect("verify").ok);
    }

    #[test]
    fn bad_files_and_missing_owners_change_nothing() {
        let (_d, s, trainer, id) = store();
        let by = || (&trainer).into();
        let code = |r: crate::error::Result<super::Attachment>| r.map(|_| ()).map_err(|e| e.code());
        assert_eq!(
            code(s.add_attachment(by(), Owner::TrainingSession, id, "a.exe", b"MZ")),
            Err("invalid_value")
        );
        assert_eq!(
            code(s.add_attachment(by(), Owner::TrainingSession, id, "a.pdf", b"")),
            Err("required")
        );
        assert_eq!(
            code(s.add_attachment(by(), Owner::TrainingSession, id + 1, "a.pdf", b"x")),
            Err("not_found")
        );
        assert!(s
            .attachments(Owner::TrainingSession, id)
            .expect("list")
            .is_empty());
        assert_eq!(
            code(s.remove_attachment(by(), Owner::TrainingSession, 99)),
            Err("not_found")
        );
    }
}
