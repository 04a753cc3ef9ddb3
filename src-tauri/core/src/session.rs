//! The workstation's session: who is signed in at this desk and whether the screen is
//! locked. It sits on the permission door: every command asks it for `acting`.

use crate::auth::Session;
use crate::error::{Error, Result};

/// The workstation's sign-in state: who is at the desk, and whether the screen is
/// locked. The desktop shell holds one; every command goes through `acting`.
#[derive(Default)]
pub struct Seat {
    session: std::sync::Mutex<Option<Session>>,
    /// Where this seat is (a server names each request's: host name and address).
    place: Option<String>,
}

/// What the sign-in screen needs to know.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeatState {
    pub needs_setup: bool,
    pub user: Option<crate::model::User>,
    pub permissions: Vec<crate::model::Perm>,
    pub locked: bool,
    pub idle_lock_seconds: i64,
}

fn idle_seconds(store: &crate::Store) -> i64 {
    store
        .setting("idle_lock_seconds")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600)
}

impl Seat {
    /// A seat known by its place, for the audit log (the server's per-request seat).
    pub fn at(place: String) -> Seat {
        Seat {
            place: Some(place),
            ..Seat::default()
        }
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The signed-in user, locked or not (the scheduler's notifications are theirs).
    pub fn user_id(&self) -> Option<i64> {
        self.session().as_ref().map(|s| s.user_id)
    }

    pub fn state(&self, store: &crate::Store) -> Result<SeatState> {
        let idle = idle_seconds(store);
        let mut guard = self.session();
        let locked = match guard.as_mut() {
            Some(s) => s.check(store.now(), idle).is_err(),
            None => false,
        };
        let user = guard.as_ref().map(|s| store.user(s.user_id)).transpose()?;
        Ok(SeatState {
            needs_setup: store.needs_setup()?,
            permissions: user
                .as_ref()
                .map(|u| crate::permissions::permissions(u.role))
                .unwrap_or_default(),
            user,
            locked,
            idle_lock_seconds: idle,
        })
    }

    pub fn setup(
        &self,
        store: &crate::Store,
        login: &str,
        name: &str,
        password: &str,
    ) -> Result<SeatState> {
        let u = store.setup_admin(login, name, password)?;
        *self.session() = Some(Session::new(u.id, store.now()));
        self.state(store)
    }

    /// Signs in, replacing whoever was at the desk (a shift change).
    pub fn login(&self, store: &crate::Store, login: &str, password: &str) -> Result<SeatState> {
        let u = store.login(login, password)?;
        *self.session() = Some(Session::new(u.id, store.now()));
        self.state(store)
    }

    /// Seats `user_id` without a password: the command line's authority is the owner of
    /// the data file, who could read it anyway. A disabled or unknown user is refused.
    pub fn assume(&self, store: &crate::Store, user_id: i64) -> Result<()> {
        store.acting(user_id)?;
        *self.session() = Some(Session::new(user_id, store.now()));
        Ok(())
    }

    pub fn logout(&self, store: &crate::Store) -> Result<()> {
        let gone = self.session().take();
        if let Some(s) = gone {
            let u = store.user(s.user_id)?;
            store.audit(Some(&u), "logout", "", serde_json::json!({}))?;
        }
        Ok(())
    }

    pub fn lock(&self) {
        if let Some(s) = self.session().as_mut() {
            s.locked = true;
        }
    }

    /// Unlocks with the signed-in user's password (failures count towards the lockout).
    pub fn unlock(&self, store: &crate::Store, password: &str) -> Result<SeatState> {
        let id = self.user_id().ok_or(Error::Unauthenticated)?;
        store.check_password(id, password)?;
        if let Some(s) = self.session().as_mut() {
            s.unlock(store.now());
        }
        self.state(store)
    }

    /// Keyboard or mouse input at the desk.
    pub fn touch(&self, store: &crate::Store) -> Result<()> {
        let idle = idle_seconds(store);
        let mut guard = self.session();
        let s = guard.as_mut().ok_or(Error::Unauthenticated)?;
        s.check(store.now(), idle)?;
        s.touch(store.now());
        Ok(())
    }

    /// The store as the signed-in user may use it; refused when nobody is signed in or
    /// the screen is locked.
    pub fn acting<'s>(&self, store: &'s crate::Store) -> Result<crate::access::Acting<'s>> {
        let idle = idle_seconds(store);
        let id = self
            .session()
            .as_mut()
            .ok_or(Error::Unauthenticated)?
            .check(store.now(), idle)?;
        Ok(store.acting(id)?.at(self.place.clone()))
    }
}
