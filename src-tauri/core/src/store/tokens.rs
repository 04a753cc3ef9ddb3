//! Session tokens for seats that reach the store through the centre server: issued at
//! sign-in, checked on every request, expiring after a shift, revoked on sign-out and when
//! the user's password, role or access changes.

use super::db::{from_ms, int_setting, ms, Store};
use super::reference::get_user;
use super::sql::{Connection, OptionalExtension};
use crate::error::{Error, Result};
use crate::model::User;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

fn digest(token: &str) -> String {
    crate::files::hex(Sha256::digest(token.as_bytes()))
}

/// Revokes every open session of `user_id` in the caller's transaction.
pub(super) fn revoke_user(c: &Connection, user_id: i64, at: i64, why: &str) -> Result<usize> {
    Ok(c.prepare_cached(
        "UPDATE sessions SET revoked_at = ?1, revoked_why = ?2 WHERE user_id = ?3 AND revoked_at IS NULL",
    )?
    .execute((at, why, user_id))?)
}

impl Store {
    /// A new session for `user_id` at `seat` (the desk's host name and address): the
    /// token to hand to the seat, 256 random bits, shown this once.
    pub fn issue_token(&self, user_id: i64, seat: &str) -> Result<String> {
        let mut raw = [0u8; 32];
        OsRng.fill_bytes(&mut raw);
        let token = crate::files::hex(raw);
        let now = self.now();
        self.write(|tx| {
            let u = get_user(tx, user_id)?;
            if !u.active {
                return Err(Error::Unauthenticated);
            }
            let hours = int_setting(tx, "session_hours")?;
            let expires = now + chrono::Duration::hours(hours);
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, seat, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                (digest(&token), user_id, seat, ms(now), ms(expires)),
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    /// The user a token signs in, if it is open, unexpired, presented by the seat it was
    /// issued to, and its user still active. Anything else is refused alike, so a
    /// guesser learns nothing; an expired session says so, so the seat asks to sign in.
    pub fn token_user(&self, token: &str, seat: &str) -> Result<User> {
        let now = self.now();
        self.read(|c| {
            let row: Option<(i64, String, i64, Option<i64>)> = c
                .prepare_cached(
                    "SELECT user_id, seat, expires_at, revoked_at FROM sessions WHERE token_hash = ?1",
                )?
                .query_row([digest(token)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let Some((user_id, bound, expires, revoked)) = row else {
                return Err(Error::Unauthenticated);
            };
            if revoked.is_some() || bound != seat {
                return Err(Error::Unauthenticated);
            }
            if now >= from_ms(expires) {
                return Err(Error::SessionExpired);
            }
            let u = get_user(c, user_id)?;
            if !u.active {
                return Err(Error::Unauthenticated);
            }
            Ok(u)
        })
    }

    /// Signs a token out (its seat's sign-out); an unknown token changes nothing.
    pub fn revoke_token(&self, token: &str) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET revoked_at = ?1, revoked_why = 'sign_out' WHERE token_hash = ?2 AND revoked_at IS NULL",
                (ms(now), digest(token)),
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Role;
    use crate::store::testutil::store;
    use chrono::Duration;

    #[test]
    fn tokens_are_bound_expire_and_are_revoked_by_every_change_of_access() {
        let (_d, s, clock) = store();
        let admin = s.first_admin().expect("admin");
        let agent = s.create_user(None, "李娜", 1, Role::Agent).expect("agent");
        let seat = "desk-07 192.0.2.7";
        let t = s.issue_token(agent.id, seat).expect("token");
        assert_eq!(t.len(), 64);
        assert_ne!(s.issue_token(agent.id, seat).expect("another"), t, "random");
        assert_eq!(s.token_user(&t, seat).expect("valid").id, agent.id);
        // Stored only as a digest: the file holds no usable token.
        let stored: i64 = s
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM sessions WHERE token_hash = ?1",
                    [&t],
                    |r| r.get(0),
                )?)
            })
            .expect("count");
        assert_eq!(stored, 0);
        let code = |t: &str, seat: &str| s.token_user(t, seat).map(|u| u.id).map_err(|e| e.code());
        assert_eq!(
            code(&t, "desk-08 192.0.2.8"),
            Err("unauthenticated"),
            "another seat"
        );
        assert_eq!(code("00", seat), Err("unauthenticated"), "made up");
        // Expiry after a shift (12 hours by default).
        clock.advance(Duration::hours(12));
        assert_eq!(code(&t, seat), Err("session_expired"));
        // Sign-out and every change of access revoke.
        let fresh = || s.issue_token(agent.id, seat).expect("token");
        let t = fresh();
        s.revoke_token(&t).expect("sign out");
        assert_eq!(code(&t, seat), Err("unauthenticated"));
        let t = fresh();
        s.set_password(&admin, agent.id, "lina", "a new long password")
            .expect("password");
        assert_eq!(code(&t, seat), Err("unauthenticated"), "password set");
        let t = fresh();
        s.set_user_role(&admin, agent.id, Role::Supervisor, 1)
            .expect("role");
        assert_eq!(code(&t, seat), Err("unauthenticated"), "role changed");
        let t = fresh();
        s.set_user_active(&admin, agent.id, false).expect("disable");
        assert_eq!(code(&t, seat), Err("unauthenticated"), "disabled");
        assert_eq!(
            s.issue_token(agent.id, seat).map_err(|e| e.code()).err(),
            Some("unauthenticated")
        );
        s.set_user_active(&admin, agent.id, true).expect("enable");
        let t = fresh();
        let u = s.user(agent.id).expect("user");
        s.change_password(&u, "a new long password", "another long password")
            .expect("change");
        assert_eq!(code(&t, seat), Err("unauthenticated"), "password changed");
    }
}
