//! Who has a ticket open, and who is editing it, at which seat: kept in memory beside the
//! store (it is seconds old and worth nothing after a restart) — on PostgreSQL in an
//! unlogged table, so that seats on every server instance see each other —, refreshed by
//! each seat while the ticket is on its screen, forgotten when the seat leaves it or stops
//! saying so.

use super::db::{ms, Presence, Store};
use super::sql::Connection;
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};

/// A seat that has not said it is still there for this long has left.
const FRESH_SECONDS: i64 = 45;

impl Store {
    /// `user` at `seat` now has `ticket` open (or none); the others who have it open.
    pub fn present(
        &self,
        user: &crate::model::User,
        seat: &str,
        ticket: Option<i64>,
        editing: bool,
    ) -> Vec<Presence> {
        let now = self.now();
        if let Some(shared) = self.unordered(|c| shared(c, user, seat, ticket, editing, now)) {
            // Advisory: a seat that cannot say where it is still works.
            return shared.unwrap_or_default();
        }
        let mut map = self.presence.0.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (_, p)| {
            now - p.since < Duration::seconds(FRESH_SECONDS) || p.user_id == user.id
        });
        let key = (user.id, seat.to_string());
        match ticket {
            Some(id) => {
                map.insert(
                    key.clone(),
                    (
                        id,
                        Presence {
                            user_id: user.id,
                            name: user.name.clone(),
                            editing,
                            since: now,
                        },
                    ),
                );
            }
            None => {
                map.remove(&key);
            }
        }
        let Some(id) = ticket else { return vec![] };
        let mut others: Vec<Presence> = map
            .iter()
            .filter(|(k, (t, p))| {
                *t == id && **k != key && now - p.since < Duration::seconds(FRESH_SECONDS)
            })
            .map(|(_, (_, p))| p.clone())
            .collect();
        others.sort_by(|a, b| (b.editing, &a.name).cmp(&(a.editing, &b.name)));
        others
    }
}

/// `present` in the table the instances share.
fn shared(
    c: &Connection,
    user: &crate::model::User,
    seat: &str,
    ticket: Option<i64>,
    editing: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Presence>> {
    let stale = ms(now - Duration::seconds(FRESH_SECONDS));
    c.prepare_cached("DELETE FROM presence WHERE since <= ?1 AND user_id <> ?2")?
        .execute((stale, user.id))?;
    let Some(id) = ticket else {
        c.prepare_cached("DELETE FROM presence WHERE user_id = ?1 AND seat = ?2")?
            .execute((user.id, seat))?;
        return Ok(vec![]);
    };
    c.prepare_cached(
        "INSERT INTO presence (user_id, seat, ticket_id, name, editing, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id, seat) DO UPDATE SET ticket_id = ?3, name = ?4, editing = ?5, since = ?6",
    )?
    .execute((user.id, seat, id, &user.name, editing, ms(now)))?;
    let mut others: Vec<Presence> = c
        .prepare_cached(
            "SELECT user_id, name, editing, since FROM presence
             WHERE ticket_id = ?1 AND since > ?2 AND NOT (user_id = ?3 AND seat = ?4)",
        )?
        .query_map((id, stale, user.id, seat), |r| {
            Ok(Presence {
                user_id: r.get(0)?,
                name: r.get(1)?,
                editing: r.get(2)?,
                since: super::db::from_ms(r.get(3)?),
            })
        })?
        .collect::<super::sql::Result<_>>()?;
    others.sort_by(|a, b| (b.editing, &a.name).cmp(&(a.editing, &b.name)));
    Ok(others)
}

#[cfg(test)]
mod tests {
    use crate::model::Role;
    use crate::store::testutil::store;

    #[test]
    fn seats_see_who_else_has_the_ticket_open_until_they_leave_or_go_quiet() {
        let (_d, s, clock) = store();
        let a = s.user(1).expect("admin");
        let b = s
            .create_user(None, "王工", 1, Role::Supervisor)
            .expect("user");
        assert!(s.present(&a, "desk-1", Some(7), false).is_empty());
        let seen = s.present(&b, "desk-2", Some(7), true);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].user_id, a.id);
        let seen = s.present(&a, "desk-1", Some(7), false);
        assert_eq!((seen[0].name.as_str(), seen[0].editing), ("王工", true));
        // The same user on another seat counts; another ticket does not.
        assert_eq!(s.present(&a, "desk-9", Some(7), false).len(), 2);
        assert!(s.present(&a, "desk-9", Some(8), false).is_empty());
        // Leaving, or saying nothing for long enough, ends it.
        s.present(&b, "desk-2", None, false);
        assert!(s.present(&a, "desk-1", Some(7), false).is_empty());
        s.present(&b, "desk-2", Some(7), false);
        clock.advance(chrono::Duration::seconds(60));
        assert!(s.present(&a, "desk-1", Some(7), false).is_empty());
    }
}
