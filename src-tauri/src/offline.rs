//! Calls logged while the centre server cannot be reached (the regulations' plan for a
//! hotline system failure): kept on this desk sealed with a key derived from the agent's
//! password, listed as waiting, and sent when the server is back — each with a key of its
//! own, so a send whose reply was lost, sent again, finds the ticket the first one made
//! (`intake_offline`). One file per user and server; nothing is dropped: a call the server
//! refuses stays, with the reason, until the agent has seen it.

use chrono::{DateTime, Utc};
use hotline_core::sealed::{self, Key, SALT_LEN};
use hotline_core::{Error, Result, WireError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Digest;
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"HLOB1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The idempotency key the server keeps for it.
    pub key: String,
    pub taken_at: DateTime<Utc>,
    pub ticket: Value,
    pub then: Value,
    /// `waiting`, `sent` (then `number`) or `refused` (then `error`).
    pub state: String,
    pub number: Option<String>,
    pub error: Option<WireError>,
}

pub struct Outbox {
    path: PathBuf,
    salt: [u8; SALT_LEN],
    key: Key,
    entries: Vec<Entry>,
}

impl Outbox {
    /// The outbox of `login` at `server` in `dir`, opened with the password just accepted
    /// by the server; a file this password does not open is refused, not overwritten.
    pub fn open(dir: &Path, server: &str, login: &str, password: &str) -> Result<Outbox> {
        let path = Self::path_for(dir, server, login);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let body = bytes.strip_prefix(MAGIC).ok_or(Error::BadCredentials)?;
                if body.len() < SALT_LEN {
                    return Err(Error::BadCredentials);
                }
                let (s, sealed) = body.split_at(SALT_LEN);
                let mut salt = [0u8; SALT_LEN];
                salt.copy_from_slice(s);
                let key = sealed::derive(password, &salt)?;
                let entries = serde_json::from_slice(&sealed::open(&key, sealed)?)?;
                Ok(Outbox {
                    path,
                    salt,
                    key,
                    entries,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let salt = sealed::salt();
                Ok(Outbox {
                    key: sealed::derive(password, &salt)?,
                    path,
                    salt,
                    entries: vec![],
                })
            }
            Err(e) => Err(Error::Io(e)),
        }
    }

    fn path_for(dir: &Path, server: &str, login: &str) -> PathBuf {
        let id = hotline_core::files::hex(sha2::Sha256::digest(
            format!("{server}\n{login}").as_bytes(),
        ));
        dir.join(format!("{}.sealed", &id[..32]))
    }

    /// Moves an outbox this password cannot open out of the way (kept beside, renamed).
    pub fn set_aside(dir: &Path, server: &str, login: &str) -> Result<()> {
        let path = Self::path_for(dir, server, login);
        let aside = path.with_extension(format!("sealed.{}", Utc::now().timestamp()));
        Ok(std::fs::rename(path, aside)?)
    }

    /// Written whole and synced before the agent is told the call is kept.
    fn save(&self) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let sealed = sealed::seal(&self.key, &serde_json::to_vec(&self.entries)?)?;
        let bytes = [MAGIC, &self.salt, &sealed].concat();
        hotline_core::files::write_new(&self.path, true, |f| {
            Ok(std::io::Write::write_all(f, &bytes)?)
        })
    }

    /// Keeps a call; its key.
    pub fn add(&mut self, ticket: Value, then: Value) -> Result<Entry> {
        let e = Entry {
            key: hotline_core::files::hex(sealed::salt()),
            taken_at: Utc::now(),
            ticket,
            then,
            state: "waiting".into(),
            number: None,
            error: None,
        };
        self.entries.push(e.clone());
        if let Err(err) = self.save() {
            self.entries.pop();
            return Err(err);
        }
        Ok(e)
    }

    pub fn waiting(&self) -> Vec<Entry> {
        self.entries
            .iter()
            .filter(|e| e.state == "waiting")
            .cloned()
            .collect()
    }

    /// Records what the server answered for `key`.
    pub fn settle(
        &mut self,
        key: &str,
        outcome: std::result::Result<String, WireError>,
    ) -> Result<()> {
        if let Some(e) = self.entries.iter_mut().find(|e| e.key == key) {
            match outcome {
                Ok(number) => {
                    e.state = "sent".into();
                    e.number = Some(number);
                }
                Err(w) => {
                    e.state = "refused".into();
                    e.error = Some(w);
                }
            }
        }
        self.save()
    }

    /// Forgets what was sent (the agent has seen the numbers): on the next sign-in.
    pub fn forget_sent(&mut self) -> Result<()> {
        let before = self.entries.len();
        self.entries.retain(|e| e.state != "sent");
        if self.entries.len() != before {
            self.save()?;
        }
        Ok(())
    }

    /// The entries as the desk lists them: the caller's number masked.
    pub fn list(&self) -> Value {
        let rows: Vec<Value> = self
            .entries
            .iter()
            .map(|e| {
                let phone = e.ticket["phone"].as_str().unwrap_or_default();
                let anonymous = e.ticket["anonymous"].as_bool().unwrap_or(false);
                json!({
                    "key": e.key,
                    "taken_at": e.taken_at,
                    "caller_name": if anonymous { "" } else { e.ticket["caller_name"].as_str().unwrap_or_default() },
                    "phone": hotline_core::mask::phone(phone),
                    "description": e.ticket["description"],
                    "state": e.state,
                    "number": e.number,
                    "error": e.error,
                })
            })
            .collect();
        json!(rows)
    }
}
