//! Files the app writes: always to a temporary sibling first, renamed into place only
//! when complete, so a refused or failed write leaves no file and never a half one.

use crate::error::{Error, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

/// How far a long backup or restore has come (bytes of the snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

pub struct Hashing<W: Write> {
    pub inner: W,
    pub hash: Sha256,
    pub bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub fn hex(d: impl AsRef<[u8]>) -> String {
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A certificate's SHA-256 fingerprint as people read it aloud and compare it
/// (`SHA256:AB:CD:…`), from its DER bytes.
pub fn fingerprint(der: &[u8]) -> String {
    let d = Sha256::digest(der);
    let pairs: Vec<String> = d.iter().map(|b| format!("{b:02X}")).collect();
    format!("SHA256:{}", pairs.join(":"))
}

/// Whether two written fingerprints name the same certificate (case, spaces and the
/// `SHA256:` prefix aside).
pub fn same_fingerprint(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim();
        let s = match s.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("sha256:") => &s[7..],
            _ => s,
        };
        s.chars()
            .filter(|c| c.is_ascii_hexdigit())
            .map(|c| c.to_ascii_uppercase())
            .collect::<String>()
    };
    let (a, b) = (norm(a), norm(b));
    a.len() == 64 && a == b
}

pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = BufReader::new(File::open(path)?);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex(h.finalize()), n))
}

/// Copies with progress reports every few megabytes.
pub fn copy_progress(
    from: &mut impl Read,
    to: &mut impl Write,
    total: u64,
    stage: &'static str,
    progress: &mut dyn FnMut(Progress),
) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 1 << 16];
    let (mut done, mut last) = (0u64, 0u64);
    loop {
        let k = from.read(&mut buf)?;
        if k == 0 {
            break;
        }
        to.write_all(&buf[..k])?;
        done += k as u64;
        if done - last >= 4 << 20 {
            last = done;
            progress(Progress { stage, done, total });
        }
    }
    progress(Progress {
        stage,
        done,
        total: total.max(done),
    });
    Ok(done)
}

pub fn sync_dir(dir: &Path) {
    // Makes the rename durable; not every platform can open a directory.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes via a temporary sibling and a rename: a reader never sees half a file, and a
/// failure (an error from `f` included) leaves nothing behind.
pub fn write_atomic(path: &Path, f: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    write_new(path, true, f)
}

/// `write_atomic` for files a person asked for (exports): an existing file is replaced
/// only when `replace` says so, otherwise refused with `file_exists` before anything is
/// written. Returns what `f` returns.
pub fn write_new<T>(
    path: &Path,
    replace: bool,
    f: impl FnOnce(&mut File) -> Result<T>,
) -> Result<T> {
    write_beside(path, replace, |tmp| {
        let out = f(tmp.as_file_mut())?;
        tmp.as_file_mut().flush()?;
        tmp.as_file().sync_all()?;
        Ok(out)
    })
}

/// Like `write_new`, for writers that take a path rather than a file (a print job): `f`
/// writes the temporary sibling, which is then synced and renamed into place.
pub fn write_new_path<T>(
    path: &Path,
    replace: bool,
    f: impl FnOnce(&Path) -> Result<T>,
) -> Result<T> {
    write_beside(path, replace, |tmp| {
        let out = f(tmp.path())?;
        // The writer replaced the file by its path: sync what is there now.
        let written = File::open(tmp.path())?;
        written.sync_all()?;
        if written.metadata()?.len() == 0 {
            return Err(Error::Internal(format!(
                "nothing was written to {}",
                tmp.path().display()
            )));
        }
        Ok(out)
    })
}

/// Writes a temporary sibling of `path` with `f`, then renames it into place: replacing
/// an existing file only when asked, never one that appeared meanwhile.
fn write_beside<T>(
    path: &Path,
    replace: bool,
    f: impl FnOnce(&mut tempfile::NamedTempFile) -> Result<T>,
) -> Result<T> {
    let file_path = || Error::InvalidPath {
        path: path.display().to_string(),
    };
    if path.file_name().is_none() {
        return Err(file_path());
    }
    let dir = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Path::new("."),
        Some(d) => d,
        None => return Err(file_path()),
    };
    let exists = || Error::FileExists {
        path: path.display().to_string(),
    };
    if !replace && path.exists() {
        return Err(exists());
    }
    let mut tmp = tempfile::Builder::new().prefix(".part-").tempfile_in(dir)?;
    let out = f(&mut tmp)?;
    if replace {
        tmp.persist(path).map_err(|e| Error::Io(e.error))?;
    } else {
        // Someone may have created the file meanwhile: never replace it unasked.
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                exists()
            } else {
                Error::Io(e.error)
            }
        })?;
    }
    sync_dir(dir);
    Ok(out)
}

/// The lock a centre server holds on its data file, beside it: while it is held, desks and
/// the command line do not open the file themselves (they go through the server).
pub fn server_lock_path(db: &Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".server-lock");
    std::path::PathBuf::from(name)
}

/// Takes the server's lock on `db` for as long as the returned file stays open; refused
/// when another server holds it.
pub fn hold_server_lock(db: &Path) -> Result<File> {
    let path = server_lock_path(db);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::HeldByServer {
            path: db.display().to_string(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Refuses with `held_by_server` while a centre server holds `db`.
pub fn check_not_served(db: &Path) -> Result<()> {
    let Ok(f) = File::open(server_lock_path(db)) else {
        return Ok(()); // no server ever ran here
    };
    match f.try_lock_shared() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::HeldByServer {
            path: db.display().to_string(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn fingerprints_compare_as_people_type_them() {
        let f = fingerprint(b"certificate");
        assert!(f.starts_with("SHA256:") && f.len() == 7 + 32 * 3 - 1, "{f}");
        let typed = f
            .trim_start_matches("SHA256:")
            .replace(':', " ")
            .to_lowercase();
        assert!(same_fingerprint(&f, &typed));
        assert!(!same_fingerprint(&f, &fingerprint(b"another")));
        assert!(!same_fingerprint("", ""), "nothing pins nothing");
    }

    #[test]
    fn a_served_file_is_left_to_its_server() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("hotline.db");
        check_not_served(&db).expect("never served");
        let held = hold_server_lock(&db).expect("the server's lock");
        assert_eq!(
            check_not_served(&db).map_err(|e| e.code()),
            Err("held_by_server")
        );
        assert_eq!(
            hold_server_lock(&db).map(|_| ()).map_err(|e| e.code()),
            Err("held_by_server"),
            "one server per file"
        );
        drop(held);
        check_not_served(&db).expect("the server stopped");
    }

    #[test]
    fn a_path_writer_lands_atomically_and_refuses_an_empty_result() {
        let dir = tempfile::tempdir().expect("tmp");
        let target = dir.path().join("slip.pdf");
        write_new_path(&target, false, |tmp| {
            assert_ne!(tmp, target.as_path(), "written beside, then renamed");
            Ok(std::fs::write(tmp, b"%PDF-1.5")?)
        })
        .expect("write");
        assert_eq!(std::fs::read(&target).expect("read"), b"%PDF-1.5");
        let e = write_new_path(&target, false, |_| Ok(())).expect_err("exists");
        assert_eq!(e.code(), "file_exists");
        let other = dir.path().join("empty.pdf");
        let e = write_new_path(&other, false, |_| Ok(())).expect_err("empty");
        assert_eq!(e.code(), "internal");
        assert!(!other.exists(), "nothing left behind");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn a_new_file_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("out.csv");
        write_new(&p, false, |f| Ok(f.write_all(b"a,b\n")?)).expect("written");
        assert_eq!(std::fs::read(&p).expect("read"), b"a,b\n");
        // An existing file is refused untouched unless replacing was asked for.
        let e = write_new(&p, false, |f| Ok(f.write_all(b"other")?)).expect_err("exists");
        assert_eq!(e.code(), "file_exists");
        assert_eq!(std::fs::read(&p).expect("read"), b"a,b\n");
        write_new(&p, true, |f| Ok(f.write_all(b"new")?)).expect("replaced");
        assert_eq!(std::fs::read(&p).expect("read"), b"new");
        // Failing midway leaves the old file and no temporary behind.
        let e = write_new(&p, true, |f| {
            f.write_all(b"half")?;
            Err::<(), _>(Error::Internal("disk full".into()))
        })
        .expect_err("failed");
        assert_eq!(e.code(), "internal");
        assert_eq!(std::fs::read(&p).expect("read"), b"new");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(left.len(), 1);
        // A folder that does not exist is an error, not a created path.
        assert!(write_new(&dir.path().join("no/such/x.csv"), false, |_| Ok(())).is_err());
    }
}
