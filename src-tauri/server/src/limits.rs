//! Sign-in under load: a shift change of hundreds of sign-ins must neither exhaust memory
//! (each Argon2 check takes 19 MiB) nor stall the other requests, and one address must
//! not try passwords without end (the per-account lockout stays as it is). Only failed
//! sign-ins count: a whole centre behind one NAT address signs in at a shift change.

use hotline_core::{Error, Result};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Password checks at once: each is a 19 MiB, CPU-bound Argon2 run.
pub const CONCURRENT_HASHES: usize = 4;

/// Failed sign-ins per address within `WINDOW` before it waits.
pub const ATTEMPTS: u32 = 20;
pub const WINDOW: Duration = Duration::from_secs(60);

pub struct Limits {
    pub hashing: std::sync::Arc<Semaphore>,
    attempts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            hashing: std::sync::Arc::new(Semaphore::new(CONCURRENT_HASHES)),
            attempts: Mutex::new(HashMap::new()),
        }
    }
}

impl Limits {
    fn map(&self, now: Instant) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        // Old windows go, so the table stays as small as the addresses of this minute.
        map.retain(|_, (since, _)| now.duration_since(*since) < WINDOW);
        map
    }

    /// Whether `ip` may try to sign in at `now`: refused after `ATTEMPTS` failures in a window.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<()> {
        match self.map(now).get(&ip) {
            Some((since, n)) if *n >= ATTEMPTS => Err(Error::RateLimited {
                seconds: WINDOW
                    .saturating_sub(now.duration_since(*since))
                    .as_secs()
                    .max(1),
            }),
            _ => Ok(()),
        }
    }

    /// Counts a failed sign-in from `ip`.
    pub fn failed(&self, ip: IpAddr, now: Instant) {
        self.map(now).entry(ip).or_insert((now, 0)).1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_waits_after_its_failures_and_others_do_not() {
        let l = Limits::default();
        let t0 = Instant::now();
        let a: IpAddr = "192.0.2.7".parse().expect("ip");
        let b: IpAddr = "192.0.2.8".parse().expect("ip");
        for _ in 0..ATTEMPTS {
            l.check(a, t0).expect("within the limit");
            l.failed(a, t0);
        }
        let e = l
            .check(a, t0 + Duration::from_secs(10))
            .expect_err("limited");
        assert_eq!(
            (e.code(), e.details()["seconds"].clone()),
            ("rate_limited", 50.into())
        );
        l.check(b, t0).expect("another address");
        l.check(a, t0 + WINDOW).expect("a new window");
    }
}
