//! Reference data: departments and categories (trees) and users.

use super::audit::note;
use super::db::Store;
use super::sql::{Connection, OptionalExtension, Row};
use crate::error::{Error, Result};
use crate::model::{Category, Department, Role, User};
use crate::validate::{text, NAME_MAX};
use serde_json::json;

const CODE_MAX: usize = 60;

fn code(value: &str) -> Result<String> {
    let c = text("code", value, CODE_MAX)?;
    if !c
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-'))
    {
        return Err(Error::InvalidValue {
            field: "code",
            value: c,
        });
    }
    Ok(c)
}

fn department(r: &Row) -> super::sql::Result<Department> {
    Ok(Department {
        id: r.get("id")?,
        parent_id: r.get("parent_id")?,
        code: r.get("code")?,
        name: r.get("name")?,
        active: r.get("active")?,
    })
}

fn category(r: &Row) -> super::sql::Result<Category> {
    Ok(Category {
        id: r.get("id")?,
        parent_id: r.get("parent_id")?,
        code: r.get("code")?,
        name: r.get("name")?,
        default_days: r.get("default_days")?,
        active: r.get("active")?,
    })
}

pub(crate) fn user_row(r: &Row) -> super::sql::Result<User> {
    let role: String = r.get("role")?;
    Ok(User {
        id: r.get("id")?,
        name: r.get("name")?,
        department_id: r.get("department_id")?,
        role: role.parse().unwrap_or(Role::Agent),
        active: r.get("active")?,
    })
}

fn not_found(entity: &'static str, key: impl ToString) -> Error {
    Error::NotFound {
        entity,
        key: key.to_string(),
    }
}

pub(crate) fn get_user(c: &Connection, id: i64) -> Result<User> {
    c.query_row("SELECT * FROM users WHERE id = ?1", [id], user_row)
        .optional()?
        .ok_or_else(|| not_found("user", id))
}

pub(crate) fn get_department(c: &Connection, id: i64) -> Result<Department> {
    c.query_row("SELECT * FROM departments WHERE id = ?1", [id], department)
        .optional()?
        .ok_or_else(|| not_found("department", id))
}

pub(crate) fn get_category(c: &Connection, id: i64) -> Result<Category> {
    c.query_row("SELECT * FROM categories WHERE id = ?1", [id], category)
        .optional()?
        .ok_or_else(|| not_found("category", id))
}

pub(crate) fn category_by_code(c: &Connection, code: &str) -> Result<Category> {
    let cat = c
        .query_row("SELECT * FROM categories WHERE code = ?1", [code], category)
        .optional()?
        .ok_or_else(|| not_found("category", code.chars().take(60).collect::<String>()))?;
    if !cat.active {
        return Err(Error::Inactive {
            entity: "category",
            key: cat.code,
        });
    }
    Ok(cat)
}

/// An active department that can receive transfers.
pub(crate) fn active_department(c: &Connection, id: i64) -> Result<Department> {
    let d = get_department(c, id)?;
    if !d.active {
        return Err(Error::Inactive {
            entity: "department",
            key: d.code,
        });
    }
    Ok(d)
}

impl Store {
    pub fn departments(&self) -> Result<Vec<Department>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT * FROM departments ORDER BY parent_id IS NOT NULL, parent_id, id",
            )?;
            let rows = st
                .query_map([], department)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    pub fn department_by_code(&self, code: &str) -> Result<Department> {
        self.read(|c| {
            c.query_row(
                "SELECT * FROM departments WHERE code = ?1",
                [code],
                department,
            )
            .optional()?
            .ok_or_else(|| not_found("department", code.chars().take(60).collect::<String>()))
        })
    }

    pub fn create_department(
        &self,
        by: Option<&User>,
        code_: &str,
        name: &str,
        parent_id: Option<i64>,
    ) -> Result<Department> {
        let code_ = code(code_)?;
        let name = text("name", name, NAME_MAX)?;
        self.write(|tx| {
            if let Some(p) = parent_id {
                get_department(tx, p)?;
            }
            let taken: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM departments WHERE code = ?1)",
                [&code_],
                |r| r.get(0),
            )?;
            if taken {
                return Err(Error::Taken {
                    field: "code",
                    value: code_,
                });
            }
            let id = tx.insert(
                "INSERT INTO departments (parent_id, code, name) VALUES (?1, ?2, ?3)",
                (parent_id, &code_, &name),
            )?;
            note(
                tx,
                self.now(),
                by,
                "department_created",
                &code_,
                json!({ "name": name }),
            )?;
            get_department(tx, id)
        })
    }

    pub fn categories(&self) -> Result<Vec<Category>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT * FROM categories ORDER BY id")?;
            let rows = st
                .query_map([], category)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    pub fn create_category(
        &self,
        by: Option<&User>,
        code_: &str,
        name: &str,
        parent_id: Option<i64>,
        default_days: i64,
    ) -> Result<Category> {
        let code_ = code(code_)?;
        let name = text("name", name, NAME_MAX)?;
        if !(1..=365).contains(&default_days) {
            return Err(Error::InvalidValue {
                field: "default_days",
                value: default_days.to_string(),
            });
        }
        self.write(|tx| {
            if let Some(p) = parent_id {
                get_category(tx, p)?;
            }
            let taken: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM categories WHERE code = ?1)", [&code_], |r| r.get(0))?;
            if taken {
                return Err(Error::Taken { field: "code", value: code_ });
            }
            let id = tx.insert(
                "INSERT INTO categories (parent_id, code, name, default_days) VALUES (?1, ?2, ?3, ?4)",
                (parent_id, &code_, &name, default_days),
            )?;
            note(tx, self.now(), by, "category_created", &code_, json!({ "name": name }))?;
            get_category(tx, id)
        })
    }

    pub fn users(&self) -> Result<Vec<User>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT * FROM users ORDER BY id")?;
            let rows = st
                .query_map([], user_row)?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    pub fn user(&self, id: i64) -> Result<User> {
        self.read(|c| get_user(c, id))
    }

    pub fn create_user(
        &self,
        by: Option<&User>,
        name: &str,
        department_id: i64,
        role: Role,
    ) -> Result<User> {
        let name = text("name", name, NAME_MAX)?;
        self.write(|tx| {
            active_department(tx, department_id)?;
            let new_id = tx.insert(
                "INSERT INTO users (name, department_id, role) VALUES (?1, ?2, ?3)",
                (&name, department_id, role.as_str()),
            )?;
            let u = get_user(tx, new_id)?;
            let detail = json!({ "name": u.name, "role": u.role });
            note(
                tx,
                self.now(),
                by,
                "user_created",
                &u.id.to_string(),
                detail,
            )?;
            Ok(u)
        })
    }

    /// The earliest active administrator: whom the CLI acts as without `--as`.
    pub fn first_admin(&self) -> Result<User> {
        self.read(|c| {
            let id: Option<i64> = c
                .query_row(
                    "SELECT id FROM users WHERE role = 'admin' AND active = TRUE ORDER BY id LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            get_user(c, id.ok_or(Error::NoActingUser)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Role;
    use crate::store::testutil::store;

    /// A change and its audit entry commit together: a refused change leaves neither, an
    /// unchanged setting writes no entry, a personal one is not logged.
    #[test]
    fn changes_and_their_audit_entries_commit_together() {
        let (_d, s, _c) = store();
        let admin = s.first_admin().expect("admin");
        let entries = |action: &str| {
            s.audit_entries(&crate::store::AuditQuery {
                action: Some(action.into()),
                ..Default::default()
            })
            .expect("audit")
        };
        s.create_department(Some(&admin), "water", "水务集团", None)
            .expect("created");
        assert!(s
            .create_department(Some(&admin), "water", "again", None)
            .is_err());
        let logged = entries("department_created");
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].target, "water");
        s.set_setting(Some(&admin), "callback_days", "5")
            .expect("set");
        s.set_setting(Some(&admin), "callback_days", "5")
            .expect("same");
        assert!(s.set_setting(Some(&admin), "callback_days", "-1").is_err());
        s.set_setting(Some(&admin), "ui_language", "en")
            .expect("personal");
        let changed = entries("setting_changed");
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!(changed[0].detail["to"], "5");
        assert!(s.verify_audit().expect("verify").ok);
    }

    #[test]
    fn first_start_has_the_hotline_an_admin_and_the_regulation_categories() {
        let (_d, s, _c) = store();
        let me = s.first_admin().expect("admin");
        assert_eq!(me.role, Role::Admin);
        let cats = s.categories().expect("cats");
        for code in [
            "consultation",
            "complaint.service_attitude",
            "complaint.service_quality",
            "complaint.service_process",
            "complaint.product",
            "complaint.after_sales",
            "help_request",
            "suggestion",
            "praise",
            "incident_report",
        ] {
            assert!(cats.iter().any(|c| c.code == code), "{code}");
        }
    }

    #[test]
    fn reference_data_is_validated() {
        let (_d, s, _c) = store();
        let water = s
            .create_department(None, "water", "水务集团", None)
            .expect("dept");
        let sub = s
            .create_department(None, "water.north", "北区营业所", Some(water.id))
            .expect("sub");
        assert_eq!(sub.parent_id, Some(water.id));
        assert_eq!(
            s.create_department(None, "water", "again", None)
                .map_err(|e| e.code()),
            Err("taken")
        );
        assert_eq!(
            s.create_department(None, "bad code", "x", None)
                .map_err(|e| e.code()),
            Err("invalid_value")
        );
        assert_eq!(
            s.create_department(None, "x", "x", Some(999))
                .map_err(|e| e.code()),
            Err("not_found")
        );
        assert_eq!(
            s.create_user(None, "", water.id, Role::Handler)
                .map_err(|e| e.code()),
            Err("required")
        );
        assert_eq!(
            s.create_user(None, "李四", 999, Role::Handler)
                .map_err(|e| e.code()),
            Err("not_found")
        );
        let u = s
            .create_user(None, "李四", water.id, Role::Handler)
            .expect("user");
        assert_eq!(u.department_id, water.id);
        assert_eq!(
            s.create_category(None, "x", "y", None, 0)
                .map_err(|e| e.code()),
            Err("invalid_value")
        );
    }
}
