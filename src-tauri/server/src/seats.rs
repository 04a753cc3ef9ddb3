//! The server's seats: one `Seat` per open session token, so each signed-in desk keeps its
//! own idle clock and screen lock on the server as well (the idle lock is enforced here,
//! not only by the desk), and the session commands (`lock`, `unlock`, `activity`,
//! `auth_state`) mean over the network what they mean at a desk. Held in memory: after a
//! restart a valid token starts a fresh idle clock.

use hotline_core::session::Seat;
use hotline_core::{Result, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries older than the longest session are dropped when new ones come.
const KEEP: Duration = Duration::from_secs(24 * 3600);

#[derive(Default)]
pub struct Seats {
    open: Mutex<HashMap<String, (Instant, Arc<Seat>)>>,
}

impl Seats {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<Seat>)>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The seat behind `token` presented from `place`: refused as the store refuses the
    /// token (unknown, revoked, expired, another seat's, user disabled).
    pub fn get(&self, store: &Store, token: &str, place: &str) -> Result<Arc<Seat>> {
        let user = store.token_user(token, place)?;
        if let Some((_, seat)) = self.map().get(token) {
            if seat.user_id() == Some(user.id) {
                return Ok(seat.clone());
            }
        }
        let seat = Arc::new(Seat::at(place.to_string()));
        seat.assume(store, user.id)?;
        let now = Instant::now();
        let mut map = self.map();
        map.retain(|_, (since, _)| now.duration_since(*since) < KEEP);
        map.insert(token.to_string(), (now, seat.clone()));
        Ok(seat)
    }

    /// Forgets a signed-out token's seat.
    pub fn forget(&self, token: &str) -> Option<Arc<Seat>> {
        self.map().remove(token).map(|(_, s)| s)
    }
}
