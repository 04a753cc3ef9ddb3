//! What the commands share: where the tickets live — this computer's store (or the reason
//! it could not be opened, shown in the window rather than crashing, e.g. a data file
//! from a newer version) or a centre server — and the workstation's sign-in state.

use crate::connection::{self, Connection};
use crate::remote::Remote;
use hotline_core::session::Seat;
use hotline_core::{Error, Store, SystemClock, WireError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

#[derive(Clone)]
pub enum Backend {
    Local(Result<Arc<Store>, WireError>),
    Remote(Arc<Remote>),
}

pub struct Desk {
    backend: RwLock<Backend>,
    path: PathBuf,
    connection_file: PathBuf,
    pub seat: Seat,
}

impl Desk {
    /// This computer's data file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Desk {
        let path = path.as_ref().to_path_buf();
        Desk {
            backend: RwLock::new(local(&path)),
            path,
            connection_file: connection::default_path(),
            seat: Seat::default(),
        }
    }

    /// The desk as its saved connection says: the file at `path`, or a centre server.
    pub fn configured(path: impl AsRef<Path>, connection_file: PathBuf) -> Desk {
        let path = path.as_ref().to_path_buf();
        let backend = match connection::load(&connection_file) {
            Ok(c) => backend(&path, &c),
            Err(e) => Backend::Local(Err(WireError::from(e))),
        };
        Desk {
            backend: RwLock::new(backend),
            path,
            connection_file,
            seat: Seat::default(),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// This computer's store; refused on a desk that works through a centre server.
    pub fn store(&self) -> Result<Arc<Store>, WireError> {
        match self.backend() {
            Backend::Local(s) => s,
            Backend::Remote(_) => Err(WireError::from(Error::NeedsServer)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn connection_file(&self) -> &Path {
        &self.connection_file
    }

    /// Saves `c` and works from it at once: whoever was signed in is signed out.
    pub fn switch(&self, c: &Connection) -> hotline_core::Result<()> {
        connection::save(&self.connection_file, c)?;
        let next = backend(&self.path, c);
        if let Backend::Local(Ok(store)) = self.backend() {
            let _ = self.seat.logout(&store);
        }
        *self.backend.write().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(())
    }
}

fn local(path: &Path) -> Backend {
    Backend::Local(
        Store::open(path, Arc::new(SystemClock))
            .map(Arc::new)
            .map_err(WireError::from),
    )
}

fn backend(path: &Path, c: &Connection) -> Backend {
    match &c.server {
        None => local(path),
        Some(s) => match Remote::new(
            &s.address,
            s.fingerprint.clone(),
            path.parent().unwrap_or(Path::new(".")).join("offline"),
        ) {
            Ok(r) => Backend::Remote(Arc::new(r)),
            Err(e) => Backend::Local(Err(e)),
        },
    }
}
