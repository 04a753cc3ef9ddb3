//! `server.toml`: where to listen, where the data lives, limits.

use hotline_core::{Error, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `0.0.0.0:8443`, `127.0.0.1:8443`…
    pub listen: SocketAddr,
    /// The centre's certificate chain and key (PEM), e.g. from the centre's own CA.
    /// Without them the server makes its own on first start (`data_dir/tls`).
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Plain HTTP, for tests and a proxy on the same machine: only on a loopback
    /// address, so nothing crosses a network unencrypted.
    #[serde(default)]
    pub plain_http: bool,
    /// The folder of the data file (`hotline.db`), on the server's own disk; with a
    /// PostgreSQL `store`, of the server's own files (its certificate).
    pub data_dir: PathBuf,
    /// The centre's store on PostgreSQL (`postgres://user:password@host/centre`) instead
    /// of the data file: several server instances may then serve one centre.
    #[serde(default)]
    pub store: Option<String>,
    /// Largest request body, bytes.
    #[serde(default = "default_body")]
    pub max_body_bytes: usize,
    /// Longest a request may take, seconds.
    #[serde(default = "default_seconds")]
    pub request_seconds: u64,
    /// Read connections to the store (reads run side by side).
    #[serde(default = "default_readers")]
    pub readers: usize,
}

fn default_body() -> usize {
    1 << 20
}
fn default_seconds() -> u64 {
    30
}
/// Each reader keeps a 32 MB page cache: four keep the server small and still read side by
/// side on the machines a centre runs it on.
fn default_readers() -> usize {
    4
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Config> {
        let c: Config = toml::from_str(text).map_err(|e| Error::InvalidValue {
            field: "config",
            value: e.message().chars().take(200).collect(),
        })?;
        if c.plain_http && !c.listen.ip().is_loopback() {
            return Err(Error::InvalidValue {
                field: "listen",
                value: format!("{} (plain HTTP only on a loopback address)", c.listen),
            });
        }
        if c.tls_cert.is_some() != c.tls_key.is_some() {
            return Err(Error::InvalidValue {
                field: "tls_key",
                value: "tls_cert and tls_key go together".into(),
            });
        }
        if let Some(url) = &c.store {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(Error::InvalidValue {
                    field: "store",
                    value: "a postgres:// URL".into(),
                });
            }
        }
        Ok(c)
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("hotline.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_is_checked_before_anything_listens() {
        let c = Config::parse("listen = \"127.0.0.1:0\"\ndata_dir = \"/var/lib/hotline\"\n")
            .expect("minimal");
        assert_eq!((c.readers, c.max_body_bytes), (4, 1 << 20));
        assert_eq!(c.db_path(), PathBuf::from("/var/lib/hotline/hotline.db"));
        assert!(!c.plain_http && c.tls_cert.is_none(), "TLS by default");
        for (bad, field) in [
            (
                "listen = \"0.0.0.0:8443\"\ndata_dir = \"/x\"\nplain_http = true\n",
                "listen",
            ),
            (
                "listen = \"0.0.0.0:8443\"\ndata_dir = \"/x\"\ntls_cert = \"/c.pem\"\n",
                "tls_key",
            ),
            ("listen = \"127.0.0.1:1\"\n", "config"),
            (
                "listen = \"127.0.0.1:1\"\ndata_dir = \"/x\"\nstore = \"/var/lib/x.db\"\n",
                "store",
            ),
            (
                "listen = \"127.0.0.1:1\"\ndata_dir = \"/x\"\nport = 3\n",
                "config",
            ),
        ] {
            let e = Config::parse(bad).expect_err(bad);
            assert_eq!(e.details()["field"], field, "{bad}");
        }
    }
}
