//! The command line against a running centre server (`--server URL`): `login` asks the
//! server for a session token and keeps it, with the server's pinned certificate, in the
//! user's own configuration (readable by them only); `call` then runs any command of the
//! registry there behind the same permission door as a desk; `logout` ends the session.

use crate::call::CallArgs;
use crate::out::{print, secret};
use hotline_client::Client;
use hotline_core::{Error, WireError};
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct LoginArgs {
    /// The login name
    pub login: String,
    /// The server's certificate fingerprint, as the server printed it (`SHA256:AB:…`);
    /// without it the command shows the one presented and stops
    #[arg(long)]
    pub fingerprint: Option<String>,
}

/// What `login` keeps: the server, its certificate, the token.
fn session_file() -> PathBuf {
    if let Some(p) = std::env::var_os("HOTLINE_CLI_SESSION").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(hotline_core::paths::APP_ID)
        .join("cli-session.json")
}

fn runtime() -> Result<tokio::runtime::Runtime, WireError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| WireError::from(Error::Io(e)))
}

fn seat() -> String {
    format!(
        "{} (command line)",
        hotline_core::paths::hostname().unwrap_or_default()
    )
}

/// The kept session for `server`, if `login` made one there.
fn session(server: &str) -> Result<(Client, String), WireError> {
    let probe = Client::new(server, None, &seat())?;
    let kept: Value = std::fs::read(session_file())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    if kept["server"].as_str() != Some(probe.address()) {
        return Err(WireError::from(Error::Unauthenticated));
    }
    let client = Client::new(server, kept["fingerprint"].as_str(), &seat())?;
    let token = kept["token"].as_str().unwrap_or_default().to_string();
    Ok((client, token))
}

pub fn login(server: &str, args: LoginArgs, json: bool) -> Result<(), WireError> {
    let rt = runtime()?;
    let client = Client::new(server, args.fingerprint.as_deref(), &seat())?;
    if let Err(e) = rt.block_on(client.health()) {
        // Unconfirmed: show what the server presents, to compare with what it printed.
        if e.code == "untrusted_server" && args.fingerprint.is_none() {
            eprintln!(
                "the server presents the certificate {}: compare it with the fingerprint the server printed, then log in with --fingerprint",
                e.details["fingerprint"].as_str().unwrap_or_default()
            );
        }
        return Err(e);
    }
    let password = secret("HOTLINE_PASSWORD", "password").map_err(WireError::from)?;
    let signed = rt.block_on(client.login(&args.login, &password))?;
    let kept = json!({
        "server": client.address(),
        "fingerprint": args.fingerprint,
        "token": signed["token"],
    });
    let path = session_file();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| WireError::from(Error::Io(e)))?;
    }
    // Written whole, as 0600 (the temporary file's mode): the token is a password.
    hotline_core::files::write_new(&path, true, |f| {
        Ok(std::io::Write::write_all(f, kept.to_string().as_bytes())?)
    })
    .map_err(WireError::from)?;
    let user = signed["user"].clone();
    print(
        json,
        json!({ "server": client.address(), "user": user }),
        || {
            format!(
                "signed in to {} as {}",
                client.address(),
                user["name"].as_str().unwrap_or_default()
            )
        },
    );
    Ok(())
}

pub fn logout(server: &str, json: bool) -> Result<(), WireError> {
    let (client, token) = session(server)?;
    let ended = runtime()?.block_on(client.logout(&token));
    let _ = std::fs::remove_file(session_file());
    ended?;
    print(json, json!(null), || "signed out".into());
    Ok(())
}

pub fn call(server: &str, args: CallArgs, json: bool) -> Result<(), WireError> {
    let input: Value = serde_json::from_str(&args.args).map_err(|e| {
        WireError::from(Error::InvalidArguments {
            command: args.command.clone(),
            reason: e.to_string(),
        })
    })?;
    let (client, token) = session(server)?;
    let reply = runtime()?.block_on(client.call(Some(&token), &args.command, &input))?;
    let out = reply.result;
    print(json, out.clone(), || {
        serde_json::to_string_pretty(&out).unwrap_or_default()
    });
    Ok(())
}
