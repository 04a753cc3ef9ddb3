//! Sealing data kept on a desk with a key derived from the user's password (Argon2id,
//! then XChaCha20-Poly1305): what a desk keeps while the centre server cannot be reached
//! (calls logged offline, with callers' numbers) is unreadable to anyone who takes the
//! disk, and any change to it is detected.

use crate::error::{Error, Result};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

pub const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;

pub struct Key([u8; 32]);

/// A fresh random salt for a new sealed file.
pub fn salt() -> [u8; SALT_LEN] {
    let mut s = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut s);
    s
}

/// The key for `password` and `salt` (Argon2id with the crate's default cost).
pub fn derive(password: &str, salt: &[u8; SALT_LEN]) -> Result<Key> {
    let mut k = [0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(password.as_bytes(), salt, &mut k)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Key(k))
}

/// `nonce || ciphertext` of `plain`.
pub fn seal(key: &Key, plain: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), plain)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

/// The plain text of `seal`'s output; refused when the key is wrong or a byte changed.
pub fn open(key: &Key, sealed: &[u8]) -> Result<Vec<u8>> {
    if sealed.len() < NONCE_LEN {
        return Err(Error::BadCredentials);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    XChaCha20Poly1305::new((&key.0).into())
        .decrypt(XNonce::from_slice(nonce), body)
        .map_err(|_| Error::BadCredentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_password_opens_and_any_change_is_refused() {
        let s = salt();
        let key = derive("a long password 1", &s).expect("key");
        let sealed = seal(&key, "张三 13812345678".as_bytes()).expect("sealed");
        assert!(!String::from_utf8_lossy(&sealed).contains("13812345678"));
        assert_eq!(
            open(&key, &sealed).expect("opened"),
            "张三 13812345678".as_bytes()
        );
        let wrong = derive("another password", &s).expect("key");
        assert_eq!(
            open(&wrong, &sealed).map_err(|e| e.code()),
            Err("bad_credentials")
        );
        let mut changed = sealed.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert!(open(&key, &changed).is_err());
        assert_ne!(
            seal(&key, b"x").expect("a"),
            seal(&key, b"x").expect("b"),
            "fresh nonces"
        );
    }
}
