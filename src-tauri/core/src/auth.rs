//! Passwords and sign-in rules: Argon2id hashes (PHC strings), the lockout after
//! repeated failures, and the idle lock of a shared workstation.

use crate::error::{Error, Result};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;
/// Five failures in a row lock the account for fifteen minutes.
pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

/// Refuses passwords that are too short, too long or blank-padded.
pub fn check_policy(password: &str) -> Result<()> {
    let n = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) || password.trim() != password {
        return Err(Error::WeakPassword {
            min: PASSWORD_MIN,
            max: PASSWORD_MAX,
        });
    }
    if password.chars().any(char::is_control) {
        return Err(Error::ControlChars { field: "password" });
    }
    Ok(())
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes): the OWASP recommendation.
pub fn hash(password: &str) -> Result<String> {
    check_policy(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The failure count and lock after one more wrong password.
pub fn after_failure(failures: i64, now: DateTime<Utc>) -> (i64, Option<DateTime<Utc>>) {
    let n = failures + 1;
    if n >= MAX_FAILURES {
        (0, Some(now + Duration::minutes(LOCKOUT_MINUTES)))
    } else {
        (n, None)
    }
}

/// A signed-in user at a workstation. The desk locks after `idle` without input; while
/// locked, only unlocking (the same user's password) or signing out is possible.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user_id: i64,
    pub last_input: DateTime<Utc>,
    pub locked: bool,
}

impl Session {
    pub fn new(user_id: i64, now: DateTime<Utc>) -> Session {
        Session {
            user_id,
            last_input: now,
            locked: false,
        }
    }

    /// Called before every command: locks an idle session. `idle_seconds` 0 never locks.
    pub fn check(&mut self, now: DateTime<Utc>, idle_seconds: i64) -> Result<i64> {
        if !self.locked
            && idle_seconds > 0
            && now - self.last_input > Duration::seconds(idle_seconds)
        {
            self.locked = true;
        }
        if self.locked {
            return Err(Error::SessionLocked);
        }
        Ok(self.user_id)
    }

    /// The person used keyboard or mouse.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        if !self.locked {
            self.last_input = now;
        }
    }

    pub fn unlock(&mut self, now: DateTime<Utc>) {
        self.locked = false;
        self.last_input = now;
    }
}

/// An audit detail with the seat it came from (host name and address), when known.
pub fn at_seat(mut detail: serde_json::Value, seat: Option<&str>) -> serde_json::Value {
    if let (Some(seat), Some(d)) = (seat, detail.as_object_mut()) {
        d.insert("seat".into(), serde_json::json!(seat));
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testutil::t0;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("correct hors", &h));
        assert!(!verify("correct horse", "not a hash"));
        // Salted: the same password never hashes the same twice.
        assert_ne!(h, hash("correct horse").expect("hash"));
        for bad in ["short", " padded password", &"x".repeat(300)] {
            assert_eq!(
                hash(bad).map_err(|e| e.code()),
                Err("weak_password"),
                "{bad}"
            );
        }
        assert_eq!(
            check_policy("bell\u{7}bell!").map_err(|e| e.code()),
            Err("control_chars")
        );
    }

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes() {
        let now = t0();
        let mut n = 0;
        for _ in 0..4 {
            let (m, lock) = after_failure(n, now);
            assert!(lock.is_none());
            n = m;
        }
        assert_eq!(
            after_failure(n, now),
            (0, Some(now + Duration::minutes(15)))
        );
    }

    #[test]
    fn an_idle_session_locks_and_only_unlock_opens_it() {
        let now = t0();
        let mut s = Session::new(7, now);
        assert_eq!(s.check(now + Duration::minutes(9), 600).ok(), Some(7));
        s.touch(now + Duration::minutes(9));
        assert!(s.check(now + Duration::minutes(18), 600).is_ok());
        let e = s
            .check(now + Duration::minutes(20), 600)
            .expect_err("locked");
        assert_eq!(e.code(), "session_locked");
        // Input while locked does not unlock.
        s.touch(now + Duration::minutes(21));
        assert!(s.check(now + Duration::minutes(21), 600).is_err());
        s.unlock(now + Duration::minutes(22));
        assert!(s.check(now + Duration::minutes(22), 600).is_ok());
        // 0 disables the idle lock.
        assert!(Session::new(1, now)
            .check(now + Duration::days(2), 0)
            .is_ok());
    }
}
