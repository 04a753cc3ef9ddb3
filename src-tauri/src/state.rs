//! What the commands share: the store (or the reason it could not be opened, shown in
//! the window rather than crashing, e.g. a data file from a newer version) and the
//! workstation's sign-in state.

use hotline_core::session::Seat;
use hotline_core::{Store, SystemClock, WireError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct Desk {
    store: Result<Arc<Store>, WireError>,
    path: PathBuf,
    pub seat: Seat,
}

impl Desk {
    pub fn open(path: impl AsRef<Path>) -> Desk {
        let path = path.as_ref().to_path_buf();
        Desk {
            store: Store::open(&path, Arc::new(SystemClock))
                .map(Arc::new)
                .map_err(WireError::from),
            path,
            seat: Seat::default(),
        }
    }

    pub fn store(&self) -> Result<&Arc<Store>, WireError> {
        self.store.as_ref().map_err(Clone::clone)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
