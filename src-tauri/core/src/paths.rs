//! Where the data file lives: the same place for the desktop app and the CLI.

use std::path::PathBuf;

/// The application identifier; Tauri's `app_data_dir` is the OS data directory joined with it.
pub const APP_ID: &str = "cn.hotlinedesk.app";
pub const DB_FILE: &str = "hotline.db";

/// `$HOTLINE_DB` if set, else `<OS data dir>/cn.hotlinedesk.app/hotline.db`
/// (on Linux `$XDG_DATA_HOME` or `~/.local/share`).
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("HOTLINE_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_ID)
        .join(DB_FILE)
}

/// This machine's name, as seats name themselves to a centre server (and the server's
/// certificate names it).
pub fn hostname() -> Option<String> {
    let h = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())?;
    let h = h.trim();
    (!h.is_empty()).then(|| h.to_string())
}
