//! Where this desk's tickets live: this computer's file (the default) or a centre server,
//! kept in the desk's own configuration (`connection.json` in the OS config folder), so
//! the choice survives a restart and never travels with the data.

use hotline_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// `None`: this computer's file.
    #[serde(default)]
    pub server: Option<Server>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// `host:port` or `https://host:port`.
    pub address: String,
    /// The certificate's fingerprint an administrator confirmed (none for plain HTTP on
    /// loopback).
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// `$HOTLINE_CONNECTION`, else `<OS config dir>/cn.hotlinedesk.app/connection.json`.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("HOTLINE_CONNECTION").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(hotline_core::paths::APP_ID)
        .join("connection.json")
}

/// The saved choice; none saved is this computer. A file that cannot be read is an error
/// the desk shows (it must not quietly work on the wrong data).
pub fn load(path: &Path) -> Result<Connection> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::InvalidValue {
            field: "connection",
            value: format!("{}: {e}", path.display()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Connection::default()),
        Err(e) => Err(Error::Io(e)),
    }
}

/// Saves the choice whole or not at all.
pub fn save(path: &Path, c: &Connection) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let bytes = serde_json::to_vec_pretty(c)?;
    hotline_core::files::write_new(path, true, |f| Ok(std::io::Write::write_all(f, &bytes)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_is_kept_and_a_damaged_file_is_not_taken_for_local() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("sub/connection.json");
        assert_eq!(load(&p).expect("none yet"), Connection::default());
        let c = Connection {
            server: Some(Server {
                address: "centre:8443".into(),
                fingerprint: Some("SHA256:AB".into()),
            }),
        };
        save(&p, &c).expect("saved");
        assert_eq!(load(&p).expect("read"), c);
        std::fs::write(&p, b"{\"server\": 3}").expect("damage");
        assert_eq!(load(&p).map_err(|e| e.code()), Err("invalid_value"));
    }
}
