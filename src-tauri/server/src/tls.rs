//! The centre's certificate: the administrator's own (from the centre's CA), or one made
//! on first start and kept in the data folder. Desks pin its fingerprint, which the
//! server prints at every start so an administrator can compare it with a desk's screen.

use crate::config::Config;
use hotline_core::files::{fingerprint, write_new};
use hotline_core::{Error, Result};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::path::{Path, PathBuf};

pub struct Identity {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
    /// Of the certificate the server presents (the first of the chain).
    pub fingerprint: String,
}

fn bad(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::InvalidValue {
        field: "tls_cert",
        value: format!("{}: {why}", path.display()),
    }
}

/// The configured certificate and key, or the centre's own, made on first start.
pub fn identity(c: &Config) -> Result<Identity> {
    let (cert, key) = match (&c.tls_cert, &c.tls_key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        _ => made(c)?,
    };
    let cert_pem = std::fs::read(&cert)?;
    let key_pem = std::fs::read(&key)?;
    let first = CertificateDer::pem_slice_iter(&cert_pem)
        .next()
        .ok_or_else(|| bad(&cert, "no certificate"))?
        .map_err(|e| bad(&cert, e))?;
    Ok(Identity {
        fingerprint: fingerprint(&first),
        cert_pem,
        key_pem,
    })
}

/// `data_dir/tls/centre.{crt,key}`, made once: a self-signed certificate for the names
/// desks may use to reach this machine (desks trust it by its fingerprint, not by name).
fn made(c: &Config) -> Result<(PathBuf, PathBuf)> {
    let dir = c.data_dir.join("tls");
    let (cert, key) = (dir.join("centre.crt"), dir.join("centre.key"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&dir)?;
    let mut names = vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()];
    if let Some(host) = hotline_core::paths::hostname() {
        names.push(host);
    }
    if !c.listen.ip().is_unspecified() {
        names.push(c.listen.ip().to_string());
    }
    names.dedup();
    let made = rcgen::generate_simple_self_signed(names)
        .map_err(|e| Error::Internal(format!("certificate: {e}")))?;
    // The key first (written as 0600, the temporary file's mode); each file appears whole
    // or not at all, so a crash never leaves a certificate without its key.
    write_new(&key, true, |f| {
        Ok(std::io::Write::write_all(
            f,
            made.signing_key.serialize_pem().as_bytes(),
        )?)
    })?;
    write_new(&cert, true, |f| {
        Ok(std::io::Write::write_all(f, made.cert.pem().as_bytes())?)
    })?;
    Ok((cert, key))
}
