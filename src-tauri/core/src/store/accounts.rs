//! Sign-in accounts on top of users: login names, password hashes, lockout, disabling.
//! Every change is written to the audit log in the same transaction.

use super::audit::append;
use super::db::{from_ms, ms, Store};
use super::reference::{active_department, get_user};
use super::sql::{Connection, OptionalExtension};
use crate::auth;
use crate::error::{Error, Result};
use crate::model::{Role, User};
use crate::validate::{text, NAME_MAX};
use serde::{Deserialize, Serialize};
use serde_json::json;

const LOGIN_MAX: usize = 40;

/// What an administrator sees of a user's account (never the hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    pub login: Option<String>,
    pub has_password: bool,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAccount {
    pub login: String,
    pub name: String,
    pub department_id: i64,
    pub role: Role,
    pub password: String,
}

fn login_name(value: &str) -> Result<String> {
    let l = text("login", value, LOGIN_MAX)?;
    if !l
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '@'))
    {
        return Err(Error::InvalidValue {
            field: "login",
            value: l,
        });
    }
    Ok(l)
}

fn login_taken(c: &Connection, login: &str, except: i64) -> Result<()> {
    let taken: Option<i64> = c
        .query_row(
            "SELECT id FROM users WHERE lower(login) = lower(?1) AND id <> ?2",
            (login, except),
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(Error::Taken {
            field: "login",
            value: login.into(),
        }),
        None => Ok(()),
    }
}

fn insert_account(c: &Connection, a: &NewAccount, hash: &str) -> Result<User> {
    let login = login_name(&a.login)?;
    let name = text("name", &a.name, NAME_MAX)?;
    active_department(c, a.department_id)?;
    login_taken(c, &login, 0)?;
    let new_id = c.insert(
        "INSERT INTO users (name, department_id, role, login, password_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        (&name, a.department_id, a.role.as_str(), &login, hash),
    )?;
    get_user(c, new_id)
}

impl Store {
    /// True until the first administrator has a password: the desk then offers setup.
    pub fn needs_setup(&self) -> Result<bool> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT count(*) FROM users WHERE role = 'admin' AND active = TRUE AND password_hash IS NOT NULL",
                [],
                |r| r.get(0),
            )?;
            Ok(n == 0)
        })
    }

    /// Creates the first administrator. Only possible while `needs_setup`; the earliest
    /// password-less administrator (the one every new file starts with) is claimed.
    pub fn setup_admin(&self, login: &str, name: &str, password: &str) -> Result<User> {
        if !self.needs_setup()? {
            return Err(Error::SetupDone);
        }
        let hash = auth::hash(password)?;
        let login = login_name(login)?;
        let name = text("name", name, NAME_MAX)?;
        let now = self.now();
        self.write(|tx| {
            let done: i64 = tx.query_row(
                "SELECT count(*) FROM users WHERE role = 'admin' AND active = TRUE AND password_hash IS NOT NULL",
                [],
                |r| r.get(0),
            )?;
            if done > 0 {
                return Err(Error::SetupDone);
            }
            login_taken(tx, &login, 0)?;
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM users WHERE role = 'admin' AND password_hash IS NULL ORDER BY id LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            let user = match existing {
                Some(id) => {
                    tx.execute(
                        "UPDATE users SET login = ?1, name = ?2, password_hash = ?3, active = TRUE WHERE id = ?4",
                        (&login, &name, &hash, id),
                    )?;
                    get_user(tx, id)?
                }
                None => insert_account(
                    tx,
                    &NewAccount {
                        login: login.clone(),
                        name: name.clone(),
                        department_id: 1,
                        role: Role::Admin,
                        password: String::new(),
                    },
                    &hash,
                )?,
            };
            append(tx, now, Some(&user), "setup", &login, &json!({}))?;
            Ok(user)
        })
    }

    /// Checks a login and password. Failures count towards the lockout and are logged;
    /// the error does not tell whether the login exists.
    pub fn login(&self, login: &str, password: &str) -> Result<User> {
        self.login_at(login, password, None)
    }

    /// `login` from a named seat: every entry it logs says where the attempt came from.
    pub fn login_at(&self, login: &str, password: &str, seat: Option<&str>) -> Result<User> {
        let at = |d: serde_json::Value| auth::at_seat(d, seat);
        let now = self.now();
        let login = login.trim();
        let row: Option<(i64, Option<String>, i64, Option<i64>)> = self.read(|c| {
            Ok(c.query_row(
                "SELECT id, password_hash, failed_logins, locked_until FROM users WHERE lower(login) = lower(?1)",
                [login],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?)
        })?;
        let shown: String = login.chars().take(LOGIN_MAX).collect();
        let Some((id, hash, failures, locked_until)) = row else {
            // Spend the same time as a real check so logins cannot be probed by timing.
            let _ = auth::verify(password, DUMMY_HASH);
            self.audit(
                None,
                "login_failed",
                &shown,
                at(json!({"reason": "unknown"})),
            )?;
            return Err(Error::BadCredentials);
        };
        let user = self.user(id)?;
        if let Some(until) = locked_until.map(from_ms).filter(|u| *u > now) {
            self.audit(
                Some(&user),
                "login_failed",
                &shown,
                at(json!({"reason": "locked"})),
            )?;
            return Err(Error::AccountLocked {
                until: until.to_rfc3339(),
            });
        }
        let ok = hash.as_deref().is_some_and(|h| auth::verify(password, h));
        if ok && user.active {
            self.write(|tx| {
                tx.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
                    [id],
                )?;
                append(tx, now, Some(&user), "login", &shown, &at(json!({})))
            })?;
            return Ok(user);
        }
        if ok {
            self.audit(
                Some(&user),
                "login_failed",
                &shown,
                at(json!({"reason": "disabled"})),
            )?;
            return Err(Error::Inactive {
                entity: "user",
                key: shown,
            });
        }
        let (n, lock) = auth::after_failure(failures, now);
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET failed_logins = ?1, locked_until = ?2 WHERE id = ?3",
                (n, lock.map(ms), id),
            )?;
            append(
                tx,
                now,
                Some(&user),
                "login_failed",
                &shown,
                &at(json!({"reason": "password", "locked": lock.is_some()})),
            )
        })?;
        match lock {
            Some(until) => Err(Error::AccountLocked {
                until: until.to_rfc3339(),
            }),
            None => Err(Error::BadCredentials),
        }
    }

    /// Unlocking the idle screen: the same user's password, with the same lockout.
    pub fn check_password(&self, user_id: i64, password: &str) -> Result<User> {
        let login: Option<String> = self.read(|c| {
            Ok(
                c.query_row("SELECT login FROM users WHERE id = ?1", [user_id], |r| {
                    r.get(0)
                })?,
            )
        })?;
        self.login(login.as_deref().unwrap_or(""), password)
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT * FROM users ORDER BY id")?;
            let rows = st
                .query_map([], |r| {
                    Ok(Account {
                        user: super::reference::user_row(r)?,
                        login: r.get("login")?,
                        has_password: r.get::<_, Option<String>>("password_hash")?.is_some(),
                        locked_until: r.get::<_, Option<i64>>("locked_until")?.map(from_ms),
                    })
                })?
                .collect::<super::sql::Result<_>>()?;
            Ok(rows)
        })
    }

    pub fn create_account(&self, actor: &User, a: &NewAccount) -> Result<User> {
        let hash = auth::hash(&a.password)?;
        let now = self.now();
        self.write(|tx| {
            let u = insert_account(tx, a, &hash)?;
            append(
                tx,
                now,
                Some(actor),
                "user_created",
                &u.id.to_string(),
                &json!({"login": a.login.trim(), "role": u.role, "department_id": u.department_id}),
            )?;
            Ok(u)
        })
    }

    /// An administrator sets (or resets) someone's password and login; clears a lockout.
    pub fn set_password(
        &self,
        actor: &User,
        user_id: i64,
        login: &str,
        password: &str,
    ) -> Result<()> {
        let hash = auth::hash(password)?;
        let login = login_name(login)?;
        let now = self.now();
        self.write(|tx| {
            get_user(tx, user_id)?;
            login_taken(tx, &login, user_id)?;
            tx.execute(
                "UPDATE users SET login = ?1, password_hash = ?2, failed_logins = 0, locked_until = NULL WHERE id = ?3",
                (&login, &hash, user_id),
            )?;
            super::tokens::revoke_user(tx, user_id, ms(now), "password_set")?;
            append(tx, now, Some(actor), "password_set", &user_id.to_string(), &json!({"login": login}))
        })
    }

    /// Anyone changes their own password, knowing the current one.
    pub fn change_password(&self, user: &User, old: &str, new: &str) -> Result<()> {
        self.check_password(user.id, old)?;
        let hash = auth::hash(new)?;
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                (&hash, user.id),
            )?;
            super::tokens::revoke_user(tx, user.id, ms(now), "password_changed")?;
            append(
                tx,
                now,
                Some(user),
                "password_changed",
                &user.id.to_string(),
                &json!({}),
            )
        })
    }

    /// Disables (or enables again) a user: their history stays, they cannot sign in.
    pub fn set_user_active(&self, actor: &User, user_id: i64, active: bool) -> Result<User> {
        let now = self.now();
        self.write(|tx| {
            let u = get_user(tx, user_id)?;
            if !active && u.role == Role::Admin {
                let others: i64 = tx.query_row(
                    "SELECT count(*) FROM users WHERE role = 'admin' AND active = TRUE AND password_hash IS NOT NULL AND id <> ?1",
                    [user_id],
                    |r| r.get(0),
                )?;
                if others == 0 {
                    // Never lock everyone out of administration.
                    return Err(Error::InvalidValue {
                        field: "active",
                        value: "last administrator".into(),
                    });
                }
            }
            tx.execute("UPDATE users SET active = ?1 WHERE id = ?2", (active, user_id))?;
            if !active {
                super::tokens::revoke_user(tx, user_id, ms(now), "user_disabled")?;
            }
            append(
                tx,
                now,
                Some(actor),
                if active { "user_enabled" } else { "user_disabled" },
                &user_id.to_string(),
                &json!({"name": u.name}),
            )?;
            get_user(tx, user_id)
        })
    }

    /// Changes a user's role or department (a permission change, logged).
    pub fn set_user_role(
        &self,
        actor: &User,
        user_id: i64,
        role: Role,
        department_id: i64,
    ) -> Result<User> {
        let now = self.now();
        self.write(|tx| {
            let before = get_user(tx, user_id)?;
            active_department(tx, department_id)?;
            if before.role == Role::Admin && role != Role::Admin {
                let others: i64 = tx.query_row(
                    "SELECT count(*) FROM users WHERE role = 'admin' AND active = TRUE AND password_hash IS NOT NULL AND id <> ?1",
                    [user_id],
                    |r| r.get(0),
                )?;
                if others == 0 {
                    return Err(Error::InvalidValue {
                        field: "role",
                        value: "last administrator".into(),
                    });
                }
            }
            tx.execute(
                "UPDATE users SET role = ?1, department_id = ?2 WHERE id = ?3",
                (role.as_str(), department_id, user_id),
            )?;
            super::tokens::revoke_user(tx, user_id, ms(now), "role_changed")?;
            append(
                tx,
                now,
                Some(actor),
                "role_changed",
                &user_id.to_string(),
                &json!({"from": before.role, "to": role, "department_id": department_id}),
            )?;
            get_user(tx, user_id)
        })
    }
}

/// A valid Argon2id hash of a random password, for constant-time unknown-login checks.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3ZbQ0Qmg3VLd5wOv3w0pHnBC1s4GX9SVRgvGz1ZB2v0";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testutil::store;
    use chrono::Duration;

    #[test]
    fn first_start_sets_up_the_administrator_once() {
        let (_d, s, _c) = store();
        assert!(s.needs_setup().expect("setup"));
        assert_eq!(
            s.login("admin", "whatever1").map_err(|e| e.code()),
            Err("bad_credentials")
        );
        let admin = s
            .setup_admin("admin", "王主任", "s3cret-pass")
            .expect("setup");
        assert_eq!(admin.id, 1, "the built-in administrator is claimed");
        assert!(!s.needs_setup().expect("setup"));
        assert_eq!(
            s.setup_admin("again", "x", "s3cret-pass")
                .map_err(|e| e.code()),
            Err("setup_done")
        );
        assert_eq!(s.login("ADMIN", "s3cret-pass").map(|u| u.id).ok(), Some(1));
        let log = s.audit_entries(&Default::default()).expect("log");
        assert_eq!(
            log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["login", "setup", "login_failed"]
        );
    }

    #[test]
    fn five_failures_lock_the_account_for_fifteen_minutes() {
        let (_d, s, clock) = store();
        let admin = s
            .setup_admin("admin", "管理员", "s3cret-pass")
            .expect("setup");
        let agent = s
            .create_account(
                &admin,
                &NewAccount {
                    login: "zhang".into(),
                    name: "张三".into(),
                    department_id: 1,
                    role: Role::Agent,
                    password: "agent-pass-1".into(),
                },
            )
            .expect("agent");
        for _ in 0..4 {
            assert_eq!(
                s.login("zhang", "wrong-pass").map_err(|e| e.code()),
                Err("bad_credentials")
            );
        }
        assert_eq!(
            s.login("zhang", "wrong-pass").map_err(|e| e.code()),
            Err("account_locked")
        );
        // Even the right password waits out the lock.
        assert_eq!(
            s.login("zhang", "agent-pass-1").map_err(|e| e.code()),
            Err("account_locked")
        );
        clock.advance(Duration::minutes(15) + Duration::seconds(1));
        assert_eq!(
            s.login("zhang", "agent-pass-1").map(|u| u.id).ok(),
            Some(agent.id)
        );
        // A disabled user keeps their history but cannot sign in.
        s.set_user_active(&admin, agent.id, false).expect("disable");
        assert_eq!(
            s.login("zhang", "agent-pass-1").map_err(|e| e.code()),
            Err("inactive")
        );
        assert!(s.user(agent.id).is_ok());
        // The last administrator cannot be disabled or demoted.
        assert!(s.set_user_active(&admin, admin.id, false).is_err());
        assert!(s.set_user_role(&admin, admin.id, Role::Agent, 1).is_err());
        // Passwords change only with the current one.
        assert_eq!(
            s.change_password(&admin, "nope-nope", "new-pass-123")
                .map_err(|e| e.code()),
            Err("bad_credentials")
        );
        s.change_password(&admin, "s3cret-pass", "new-pass-123")
            .expect("change");
        assert!(s.login("admin", "new-pass-123").is_ok());
        assert!(s.verify_audit().expect("verify").ok);
    }

    #[test]
    fn logins_are_validated_and_unique() {
        let (_d, s, _c) = store();
        let admin = s
            .setup_admin("admin", "管理员", "s3cret-pass")
            .expect("setup");
        let mk = |login: &str| NewAccount {
            login: login.into(),
            name: "李四".into(),
            department_id: 1,
            role: Role::Agent,
            password: "agent-pass-1".into(),
        };
        // A login in use (in any case) is said to be taken, not invalid.
        assert_eq!(
            s.create_account(&admin, &mk("Admin")).map_err(|e| e.code()),
            Err("taken")
        );
        assert_eq!(
            s.create_account(&admin, &mk("a b")).map_err(|e| e.code()),
            Err("invalid_value")
        );
        assert_eq!(
            s.create_account(&admin, &mk("x'; DROP TABLE users;--"))
                .map_err(|e| e.code()),
            Err("invalid_value")
        );
        assert!(s.create_account(&admin, &mk("li.si")).is_ok());
        assert_eq!(s.accounts().expect("accounts").len(), 2);
    }
}
